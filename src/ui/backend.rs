//! Which of Slint's backends draws the kiosk, chosen before the first window:
//!
//! - `SLINT_BACKEND` set: exactly that (Slint reads it itself), for
//!   technicians and measurements (`linuxkms-femtovg`, `winit-software`).
//! - `[screen] backend = "winit"` / `"linuxkms"`: that one.
//! - `"auto"` (default): a desktop session (`WAYLAND_DISPLAY` or `DISPLAY`
//!   set) gets a window through winit; otherwise, where the kernel offers a
//!   display (`/dev/dri/card*`, or a legacy `/dev/fb*`), LinuxKMS draws on
//!   it directly and reads touch through libinput; otherwise there is no
//!   display and the kiosk says so in one line.
//!
//! `[screen] renderer`: `software` (default; DRM dumb buffers under
//! LinuxKMS, least memory) or `opengl` (femtovg on OpenGL ES: GBM/EGL under
//! LinuxKMS). `[screen] rotation` and `output` become `SLINT_KMS_ROTATION`
//! and `SLINT_DRM_OUTPUT`, which the LinuxKMS backend reads.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::config;

/// What the machine offers, read once ([`Env::read`]) or made up in tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Env {
    /// `SLINT_BACKEND`, when set and not empty.
    pub slint_backend: Option<String>,
    /// `WAYLAND_DISPLAY`, else `DISPLAY`, when set and not empty.
    pub desktop: Option<String>,
    /// `/dev/dri/card*` and `/dev/fb*`.
    pub displays: Vec<PathBuf>,
}

impl Env {
    /// This process's environment and the display devices under `dev`.
    pub fn read(dev: &Path) -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let desktop = var("WAYLAND_DISPLAY")
            .map(|w| format!("Wayland {w}"))
            .or_else(|| var("DISPLAY").map(|d| format!("X11 {d}")));
        Env { slint_backend: var("SLINT_BACKEND"), desktop, displays: display_devices(dev) }
    }
}

/// The kernel's display devices: DRM cards, then legacy framebuffers.
pub fn display_devices(dev: &Path) -> Vec<PathBuf> {
    let list = |dir: &Path, prefix: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| {
                        let n = e.file_name().to_string_lossy().into_owned();
                        n.strip_prefix(prefix)
                            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                    })
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let mut v = list(&dev.join("dri"), "card");
    v.extend(list(dev, "fb"));
    v
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A window in a desktop session (X11 or Wayland).
    Winit,
    /// Straight to the display through DRM/KMS, input through libinput.
    LinuxKms,
    /// `SLINT_BACKEND` as the technician set it.
    FromEnv(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    Software,
    OpenGl,
}

impl Renderer {
    /// Slint's name for it.
    pub fn slint_name(self) -> &'static str {
        match self {
            Renderer::Software => "software",
            Renderer::OpenGl => "femtovg",
        }
    }
}

/// The choice, with the settings the backend reads from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub backend: Backend,
    pub renderer: Renderer,
    /// Clockwise degrees (LinuxKMS only).
    pub rotation: u32,
    /// DRM connector (LinuxKMS only); empty: the first connected.
    pub output: String,
    /// Why this backend, for the start-up line.
    pub reason: String,
}

/// No way to show anything: one line for the technician.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NoDisplay(pub String);

pub fn choose(screen: &config::Screen, env: &Env) -> Result<Choice, NoDisplay> {
    let renderer = if screen.renderer == "opengl" { Renderer::OpenGl } else { Renderer::Software };
    let choice = |backend, reason: String| Choice {
        backend,
        renderer,
        rotation: screen.rotation,
        output: screen.output.trim().to_string(),
        reason,
    };
    if let Some(name) = &env.slint_backend {
        return Ok(choice(Backend::FromEnv(name.clone()), "SLINT_BACKEND".into()));
    }
    let no_kms = || {
        NoDisplay(
            "no display: no desktop session (DISPLAY and WAYLAND_DISPLAY are not set) and no display device \
             (/dev/dri/card*, /dev/fb*); is the screen connected and its driver loaded? `kiosk doctor` checks"
                .into(),
        )
    };
    match screen.backend.as_str() {
        "winit" => match &env.desktop {
            Some(d) => Ok(choice(Backend::Winit, format!("[screen] backend = \"winit\"; {d}"))),
            None => Err(NoDisplay(
                "no display: [screen] backend = \"winit\" needs a desktop session (DISPLAY or WAYLAND_DISPLAY); \
                 use \"auto\" or \"linuxkms\" on a machine without one"
                    .into(),
            )),
        },
        "linuxkms" => match env.displays.first() {
            Some(d) => Ok(choice(Backend::LinuxKms, format!("[screen] backend = \"linuxkms\"; {}", d.display()))),
            None => Err(no_kms()),
        },
        _ => match (&env.desktop, env.displays.first()) {
            (Some(d), _) => Ok(choice(Backend::Winit, format!("desktop session ({d})"))),
            (None, Some(dev)) => Ok(choice(Backend::LinuxKms, format!("no desktop session; {}", dev.display()))),
            (None, None) => Err(no_kms()),
        },
    }
}

impl Choice {
    pub fn is_kms(&self) -> bool {
        match &self.backend {
            Backend::LinuxKms => true,
            Backend::FromEnv(name) => name.starts_with("linuxkms"),
            Backend::Winit => false,
        }
    }

    /// The environment the LinuxKMS backend reads: rotation and output.
    pub fn kms_env(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if self.is_kms() {
            if self.rotation != 0 {
                v.push(("SLINT_KMS_ROTATION", self.rotation.to_string()));
            }
            if !self.output.is_empty() {
                v.push(("SLINT_DRM_OUTPUT", self.output.clone()));
            }
        }
        v
    }

    /// Makes Slint use this backend. Call once, before the first window.
    /// OpenGL that cannot start falls back to the software renderer.
    pub fn select(&self) -> Result<(), slint::PlatformError> {
        let name = match &self.backend {
            // Slint reads SLINT_BACKEND by itself.
            Backend::FromEnv(_) => return Ok(()),
            Backend::Winit => "winit",
            Backend::LinuxKms => "linuxkms",
        };
        let select = |renderer: Renderer| {
            slint::BackendSelector::new()
                .backend_name(name.into())
                .renderer_name(renderer.slint_name().into())
                .select()
        };
        match select(self.renderer) {
            Err(e) if self.renderer == Renderer::OpenGl => {
                tracing::warn!("OpenGL cannot start ({e}); drawing with the software renderer");
                select(Renderer::Software)
            }
            r => r,
        }
    }
}

/// For the start-up line: `linuxkms, software renderer, turned 90° (no desktop session; /dev/dri/card0)`.
impl fmt::Display for Choice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.backend {
            Backend::FromEnv(name) => write!(f, "{name} (SLINT_BACKEND)")?,
            Backend::Winit => write!(f, "winit window, {} renderer", self.renderer.slint_name())?,
            Backend::LinuxKms => write!(f, "linuxkms, {} renderer", self.renderer.slint_name())?,
        }
        if self.is_kms() {
            if self.rotation != 0 {
                write!(f, ", turned {}°", self.rotation)?;
            }
            if !self.output.is_empty() {
                write!(f, ", output {}", self.output)?;
            }
        }
        if !matches!(self.backend, Backend::FromEnv(_)) {
            write!(f, " ({})", self.reason)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen(backend: &str, renderer: &str, rotation: u32) -> config::Screen {
        config::Screen {
            idle_timeout_s: 60,
            idle_warning_s: 10,
            backend: backend.into(),
            renderer: renderer.into(),
            rotation,
            output: String::new(),
            elder_default: false,
        }
    }

    fn env(slint: Option<&str>, desktop: Option<&str>, displays: &[&str]) -> Env {
        Env {
            slint_backend: slint.map(String::from),
            desktop: desktop.map(String::from),
            displays: displays.iter().map(PathBuf::from).collect(),
        }
    }

    #[test]
    fn auto_takes_the_desktop_then_the_kernel_display_then_fails() {
        let s = screen("auto", "software", 0);
        let laptop = choose(&s, &env(None, Some("X11 :0"), &["/dev/dri/card0"])).unwrap();
        assert_eq!(laptop.backend, Backend::Winit);
        let station = choose(&s, &env(None, None, &["/dev/dri/card1"])).unwrap();
        assert_eq!(station.backend, Backend::LinuxKms);
        assert_eq!(station.to_string(), "linuxkms, software renderer (no desktop session; /dev/dri/card1)");
        let ci = choose(&s, &env(None, None, &[])).unwrap_err();
        assert!(ci.0.starts_with("no display: ") && !ci.0.contains('\n'), "{ci}");
    }

    #[test]
    fn slint_backend_and_the_config_key_override() {
        let s = screen("auto", "software", 90);
        let forced = choose(&s, &env(Some("linuxkms-femtovg"), Some("X11 :0"), &[])).unwrap();
        assert_eq!(forced.backend, Backend::FromEnv("linuxkms-femtovg".into()));
        assert_eq!(forced.kms_env(), vec![("SLINT_KMS_ROTATION", "90".to_string())]);
        let kms =
            choose(&screen("linuxkms", "opengl", 0), &env(None, Some("X11 :0"), &["/dev/fb0"])).unwrap();
        assert_eq!((kms.backend, kms.renderer), (Backend::LinuxKms, Renderer::OpenGl));
        assert!(choose(&screen("winit", "software", 0), &env(None, None, &["/dev/dri/card0"])).is_err());
        assert!(choose(&screen("linuxkms", "software", 0), &env(None, Some("X11 :0"), &[])).is_err());
    }

    #[test]
    fn rotation_and_output_reach_linuxkms_only() {
        let mut s = screen("auto", "software", 270);
        s.output = "HDMI-A-1".into();
        let kms = choose(&s, &env(None, None, &["/dev/dri/card0"])).unwrap();
        assert_eq!(
            kms.kms_env(),
            vec![("SLINT_KMS_ROTATION", "270".to_string()), ("SLINT_DRM_OUTPUT", "HDMI-A-1".to_string())]
        );
        assert!(kms.to_string().contains("turned 270°, output HDMI-A-1"));
        let window = choose(&s, &env(None, Some("Wayland wayland-0"), &[])).unwrap();
        assert!(window.kms_env().is_empty());
    }

    #[test]
    fn display_devices_are_cards_and_framebuffers() {
        let dev = tempfile::tempdir().unwrap();
        std::fs::create_dir(dev.path().join("dri")).unwrap();
        for f in ["dri/card1", "dri/renderD128", "dri/card0", "fb0", "fbcon"] {
            std::fs::write(dev.path().join(f), "").unwrap();
        }
        let found: Vec<String> = display_devices(dev.path())
            .iter()
            .map(|p| p.strip_prefix(dev.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(found, ["dri/card0", "dri/card1", "fb0"]);
    }
}
