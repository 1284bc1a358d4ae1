//! Configuration, in layers, each overriding the ones before:
//!
//! 1. built-in defaults (in demo mode: the demo station);
//! 2. the configuration file: `--config FILE`, else `/etc/gig-kiosk/kiosk.toml`;
//! 3. the environment: `KIOSK__SECTION__KEY=value`;
//! 4. settings staff changed on the device (stored in the database);
//! 5. configuration pushed by the fleet (`<data dir>/fleet/config.toml`);
//!
//! and finally the command line (`--data-dir`).
//!
//! **Demo mode** is the absence of any configuration file: simulated
//! devices, the bundled demo postings, no network.
//!
//! Every value is checked against [`schema::KEYS`] as its layer is read; a
//! problem names its source and line. Unknown keys are reported, never
//! silently dropped: as errors by `kiosk config check`, as warnings when the
//! kiosk starts (so a newer fleet configuration does not stop an older kiosk).

mod builder;
pub mod schema;

pub use builder::Builder;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Value;

use crate::domain::GeoPoint;
use schema::Key;

/// Where the kiosk looks for its configuration when not told.
pub const DEFAULT_CONFIG_FILE: &str = "/etc/gig-kiosk/kiosk.toml";
/// The data directory of a configured kiosk unless set.
pub const DEFAULT_DATA_DIR: &str = "/var/lib/gig-kiosk";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub station: Station,
    pub storage: Storage,
    pub screen: Screen,
    pub printer: Printer,
    pub reader: Reader,
    pub platform: Platform,
    pub gpio: Gpio,
    #[serde(default)]
    pub staff: Staff,
}

/// Staff mode (`app/staff`).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    /// Argon2id PHC string of the PIN; empty: no PIN set.
    #[serde(default)]
    pub pin_hash: String,
}

/// The hash stays out of every `{:?}`.
impl fmt::Debug for Staff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Staff")
            .field("pin_hash", &if self.pin_hash.is_empty() { "" } else { "<set>" })
            .finish()
    }
}

/// The employment platform (`platform-api.md`). No `url`: no sync.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub kiosk_id: String,
    #[serde(default)]
    pub ca_file: String,
    pub sync_interval_s: u32,
}

/// The token stays out of every `{:?}`.
impl fmt::Debug for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Platform")
            .field("url", &self.url)
            .field("token", &if self.token.is_empty() { "" } else { "<set>" })
            .field("kiosk_id", &self.kiosk_id)
            .field("ca_file", &self.ca_file)
            .field("sync_interval_s", &self.sync_interval_s)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reader {
    /// `auto`, `simulated` or a device path.
    pub port: String,
    pub baud: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    pub idle_timeout_s: u32,
    pub idle_warning_s: u32,
    /// `auto`, `winit` or `linuxkms` (ui/backend.rs).
    pub backend: String,
    /// `software` or `opengl`.
    pub renderer: String,
    /// Clockwise degrees: 0, 90, 180 or 270.
    pub rotation: u32,
    /// DRM connector name; empty: the first connected.
    #[serde(default)]
    pub output: String,
    /// Every visit starts in elder mode.
    pub elder_default: bool,
}

/// The Raspberry Pi's GPIO lines (devices/gpio). A pin that is not set is
/// not wired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gpio {
    pub enabled: bool,
    #[serde(default)]
    pub presence_pin: Option<u8>,
    pub presence_active: String,
    #[serde(default)]
    pub help_button_pin: Option<u8>,
    pub help_button_active: String,
    #[serde(default)]
    pub help_lamp_pin: Option<u8>,
    #[serde(default)]
    pub led_green_pin: Option<u8>,
    #[serde(default)]
    pub led_red_pin: Option<u8>,
    pub outputs_active: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Printer {
    pub paper: String,
    pub port: String,
    pub baud: u32,
    pub flow_control: String,
    pub charset: String,
    pub qr: String,
    pub finish: String,
}

impl Printer {
    pub fn paper(&self) -> crate::slip::Paper {
        match self.paper.as_str() {
            "58mm" => crate::slip::Paper::Mm58,
            "80mm-narrow" => crate::slip::Paper::Mm80Narrow,
            _ => crate::slip::Paper::Mm80,
        }
    }

    /// How slips are encoded for this printer.
    pub fn escpos(&self) -> crate::slip::escpos::Options {
        use crate::slip::escpos::{Charset, Finish, Options, QrMode};
        Options {
            charset: if self.charset == "gbk" { Charset::Gbk } else { Charset::Gb18030 },
            qr: if self.qr == "raster" { QrMode::Raster } else { QrMode::Native },
            finish: match self.finish.as_str() {
                "cut" => Finish::Cut,
                "tear-bar" => Finish::TearBar,
                _ => Finish::PartialCut,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Station {
    pub id: String,
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
    #[serde(default)]
    pub address: String,
}

impl Station {
    pub fn location(&self) -> GeoPoint {
        GeoPoint::new(self.latitude, self.longitude)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub data_dir: PathBuf,
}

/// Whether a configuration file exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// No configuration file: simulated devices and demo data.
    Demo,
    /// Configured by this file.
    Configured(PathBuf),
}

/// A source of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    Default,
    File(PathBuf),
    Env,
    Staff,
    Fleet(PathBuf),
    CommandLine,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Default => write!(f, "built-in default"),
            Layer::File(p) | Layer::Fleet(p) => write!(f, "{}", p.display()),
            Layer::Env => write!(f, "environment"),
            Layer::Staff => write!(f, "staff settings"),
            Layer::CommandLine => write!(f, "command line"),
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub layer: Layer,
    /// 1-based line in a file layer.
    pub line: Option<usize>,
    /// The environment variable, for the environment layer.
    pub var: Option<String>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.layer)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        }
        if let Some(v) = &self.var {
            write!(f, " {v}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub origin: Origin,
    pub column: Option<usize>,
    /// The key concerned (`station.latitude`), when there is one.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let (Some(c), Some(_)) = (self.column, self.origin.line) {
            write!(f, ":{c}")?;
        }
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, ": {sev}: ")?;
        if let Some(k) = &self.key {
            write!(f, "{k}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// The configuration could not be used; every problem found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the configuration has {} problem(s):", self.problems.len())?;
        for p in &self.problems {
            writeln!(f, "  {p}")?;
        }
        write!(
            f,
            "Fix them (`kiosk config check FILE` lists them again), or remove the file to run in demo mode."
        )
    }
}

/// A usable configuration, with where each value came from and the
/// warnings met on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub mode: Mode,
    pub origins: BTreeMap<String, Origin>,
    pub warnings: Vec<Problem>,
}

impl Loaded {
    pub fn is_demo(&self) -> bool {
        self.mode == Mode::Demo
    }
}

/// Where demo mode keeps its data: `$XDG_DATA_HOME/gig-kiosk-demo`, else
/// `~/.local/share/gig-kiosk-demo`, else `./gig-kiosk-demo`.
pub fn demo_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("gig-kiosk-demo");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h).join(".local/share/gig-kiosk-demo");
    }
    PathBuf::from("gig-kiosk-demo")
}

/// What the command line said about configuration.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `--config FILE`: must exist.
    pub config_file: Option<PathBuf>,
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
}

/// Loads the file (or demo defaults), the environment and the command line.
/// The staff and fleet layers need the database and are added by
/// [`with_device_layers`] once the data directory is known.
pub fn load(sources: &Sources, env: impl IntoIterator<Item = (String, String)>) -> Builder {
    let file = match &sources.config_file {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|p| p.exists()),
    };
    let mut b = match &file {
        None => Builder::new(Mode::Demo),
        Some(path) => {
            let mut b = Builder::new(Mode::Configured(path.clone()));
            match std::fs::read_to_string(path) {
                Ok(text) => b.file(Layer::File(path.clone()), &text),
                Err(e) => {
                    b.unreadable = true;
                    let origin = Origin { layer: Layer::File(path.clone()), line: None, var: None };
                    b.problem(Severity::Error, origin, None, None, format!("cannot read the file: {e}"));
                }
            }
            b
        }
    };
    b.env(env);
    if let Some(d) = &sources.data_dir {
        b.command_line("storage.data_dir", Value::String(d.display().to_string()));
    }
    b
}

/// Adds the staff and fleet layers (and re-applies the command line, which
/// overrides everything).
pub fn with_device_layers(
    mut b: Builder,
    staff: &[(String, String)],
    data_dir: &Path,
    sources: &Sources,
) -> Builder {
    b.staff(staff);
    let fleet = data_dir.join("fleet").join("config.toml");
    if let Ok(text) = std::fs::read_to_string(&fleet) {
        b.file(Layer::Fleet(fleet), &text);
    }
    if let Some(d) = &sources.data_dir {
        b.command_line("storage.data_dir", Value::String(d.display().to_string()));
    }
    b
}

/// The layers below the device's own (defaults, file, environment, command
/// line), kept by the running kiosk so that a staff change is checked
/// against the whole configuration and applied at once: the new staff
/// settings are laid over the same layers the kiosk started from.
#[derive(Debug, Clone)]
pub struct Base {
    builder: Builder,
    data_dir: PathBuf,
    sources: Sources,
}

impl Base {
    /// `builder` as [`load`] made it (without the device layers).
    pub fn new(builder: Builder, data_dir: PathBuf, sources: Sources) -> Base {
        Base { builder, data_dir, sources }
    }

    /// Demo mode in `data_dir` (tests, screenshots).
    pub fn demo(data_dir: &Path) -> Base {
        let sources = Sources { config_file: None, data_dir: Some(data_dir.to_path_buf()) };
        let mut b = Builder::new(Mode::Demo);
        b.command_line("storage.data_dir", Value::String(data_dir.display().to_string()));
        Base { builder: b, data_dir: data_dir.to_path_buf(), sources }
    }

    /// The configuration with these staff settings (and the fleet's file).
    pub fn with_staff(&self, staff: &[(String, String)]) -> Result<Loaded, ConfigError> {
        with_device_layers(self.builder.clone(), staff, &self.data_dir, &self.sources).build()
    }
}

/// Checks one file as `kiosk config check` does: strict, without the
/// environment or the device's layers.
pub fn check_file(path: &Path, text: &str) -> Vec<Problem> {
    let mut b = Builder::new(Mode::Configured(path.to_path_buf())).strict();
    b.file(Layer::File(path.to_path_buf()), text);
    match b.build() {
        Ok(loaded) => {
            let mut w = loaded.warnings;
            if matches!(loaded.config.printer.port.trim(), "" | "none") {
                w.push(Problem {
                    severity: Severity::Warning,
                    origin: loaded.origins.get("printer.port").cloned().unwrap_or(Origin {
                        layer: Layer::Default,
                        line: None,
                        var: None,
                    }),
                    column: None,
                    key: Some("printer.port".into()),
                    message: "no printer: this kiosk cannot print slips, and the print button tells workers so. \
                              Set it to the printer's port (for example /dev/gig-kiosk/printer) if it has one."
                        .into(),
                });
            }
            w
        }
        Err(e) => {
            let mut p = e.problems;
            p.sort_by_key(|p| (p.origin.line.unwrap_or(usize::MAX), p.column));
            p
        }
    }
}

/// Every key, for `kiosk config show` and the documentation.
pub fn keys() -> &'static [Key] {
    schema::KEYS
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[station]
id = "xm-huli-007"
name = "湖里街道零工驿站"
latitude = 24.5
longitude = 118.13

[storage]
data_dir = "/var/lib/gig-kiosk"
"#;

    fn path() -> PathBuf {
        PathBuf::from("kiosk.toml")
    }

    #[test]
    fn good_file_builds() {
        let mut b = Builder::new(Mode::Configured(path()));
        b.file(Layer::File(path()), GOOD);
        let l = b.build().unwrap();
        assert_eq!(l.config.station.name, "湖里街道零工驿站");
        assert_eq!(l.config.station.location(), GeoPoint::new(24.5, 118.13));
        assert_eq!(l.origins["station.latitude"].line, Some(5));
        // Valid, with one warning: no printer is named.
        let notes = check_file(&path(), GOOD);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!((notes[0].severity, notes[0].key.as_deref()), (Severity::Warning, Some("printer.port")));
        assert!(notes[0].to_string().contains("no printer: this kiosk cannot print slips"), "{}", notes[0]);
        let with_printer = format!("{GOOD}\n[printer]\nport = \"/dev/usb/lp0\"\n");
        assert!(check_file(&path(), &with_printer).is_empty());
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let text = r#"
[station]
id = "x"
name = ""
lattitude = 24.5
longitude = "118"

[printer]
width = 58
"#;
        let problems: Vec<String> = check_file(&path(), text).iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            vec![
                "kiosk.toml:4:8: error: station.name: must not be empty",
                "kiosk.toml:5:1: error: station.lattitude: unknown key (did you mean `station.latitude`?)",
                "kiosk.toml:6:13: error: station.longitude: expected a number from 73 to 136, found the text \"118\"",
                "kiosk.toml:9:1: error: printer.width: unknown key",
                "kiosk.toml: error: station.latitude: required: add `latitude = …` under [station] (Station latitude (WGS-84 degrees): distances are measured from here.)",
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let problems = check_file(&path(), "[station]\nid = \"x\nname = 1\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].origin.line, Some(2));
        assert!(problems[0].message.starts_with("not valid TOML"), "{}", problems[0].message);
    }

    #[test]
    fn keys_outside_sections_are_explained() {
        let problems = check_file(&path(), &format!("latitude = 24.5\n{GOOD}"));
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].message,
            "must be inside a [section]: did you mean `latitude` under [station]?"
        );
    }

    #[test]
    fn layers_override_in_order() {
        let mut b = Builder::new(Mode::Configured(path()));
        b.file(Layer::File(path()), GOOD);
        b.env([
            ("KIOSK__STATION__LATITUDE".to_string(), "24.6".to_string()),
            ("HOME".into(), "/root".into()),
        ]);
        b.staff(&[("station.name".into(), "\"新名字\"".into())]);
        b.command_line("storage.data_dir", Value::String("/tmp/k".into()));
        let l = b.build().unwrap();
        assert_eq!(l.config.station.latitude, 24.6);
        assert_eq!(l.origins["station.latitude"].var.as_deref(), Some("KIOSK__STATION__LATITUDE"));
        assert_eq!(l.config.station.name, "新名字");
        assert_eq!(l.config.storage.data_dir, PathBuf::from("/tmp/k"));
    }

    #[test]
    fn bad_environment_values_are_errors_and_unknown_ones_warnings() {
        let mut b = Builder::new(Mode::Demo);
        b.env([
            ("KIOSK__STATION__LATITUDE".to_string(), "north".to_string()),
            ("KIOSK__STATION__COLOUR".to_string(), "blue".to_string()),
        ]);
        let e = b.build().unwrap_err();
        assert_eq!(e.problems.len(), 1);
        assert_eq!(
            e.problems[0].to_string(),
            "environment KIOSK__STATION__LATITUDE: error: station.latitude: \"north\" is not a number"
        );
        let mut b = Builder::new(Mode::Demo);
        b.env([("KIOSK__STATION__COLOUR".to_string(), "blue".to_string())]);
        let l = b.build().unwrap();
        assert_eq!(l.warnings.len(), 1);
        assert_eq!(l.warnings[0].key.as_deref(), Some("station.colour"));
    }

    #[test]
    fn staff_cannot_move_the_data_directory() {
        let mut b = Builder::new(Mode::Demo);
        b.staff(&[("storage.data_dir".into(), "\"/tmp/elsewhere\"".into())]);
        let l = b.build().unwrap();
        assert_ne!(l.config.storage.data_dir, PathBuf::from("/tmp/elsewhere"));
        assert_eq!(l.warnings.len(), 1);
    }

    #[test]
    fn demo_mode_needs_no_file() {
        let l = Builder::new(Mode::Demo).build().unwrap();
        assert!(l.is_demo());
        assert_eq!(l.config.station.id, crate::demo::DEMO_STATION.id);
    }
}
