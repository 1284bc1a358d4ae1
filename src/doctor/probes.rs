//! Small questions to the operating system for the checks.

use std::path::Path;

/// Bytes free for an unprivileged user on the filesystem holding `path`.
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::other("a NUL byte in the path"))?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `st` a valid out-pointer.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Whether this process may write in `dir` (creates and removes a file).
pub fn writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

/// Opens a device read-write, as the kiosk would.
pub fn open_rw(dev: &Path) -> std::io::Result<()> {
    std::fs::OpenOptions::new().read(true).write(true).open(dev).map(drop)
}

/// The desktop session's socket answers: `DISPLAY=:0` is
/// `/tmp/.X11-unix/X0`; `WAYLAND_DISPLAY` is a name in
/// `$XDG_RUNTIME_DIR` or an absolute path.
pub fn desktop_answers() -> Result<String, String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let socket = if let Some(w) = var("WAYLAND_DISPLAY") {
        if w.starts_with('/') {
            w.into()
        } else {
            Path::new(&var("XDG_RUNTIME_DIR").unwrap_or_default()).join(w)
        }
    } else if let Some(d) = var("DISPLAY") {
        let n = d.rsplit(':').next().unwrap_or("0").split('.').next().unwrap_or("0").to_string();
        if !d.starts_with(':') && !d.starts_with("unix:") {
            return Ok(format!("X11 display {d} (over the network; not checked)"));
        }
        Path::new("/tmp/.X11-unix").join(format!("X{n}"))
    } else {
        return Err("no desktop session".into());
    };
    std::os::unix::net::UnixStream::connect(&socket)
        .map(|_| socket.display().to_string())
        .map_err(|e| format!("{}: {e}", socket.display()))
}

/// Input devices under `dev/input` (touch screens are among them).
pub fn input_devices(dev: &Path) -> Vec<std::path::PathBuf> {
    crate::devices::device_files(&dev.join("input"), "event")
}
