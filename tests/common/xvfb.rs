//! A virtual X server for tests that open the real kiosk window.
//!
//! Xvfb is a Debian package (`xvfb`) that `.ci/setup` installs; a machine
//! without it fails these tests with that advice rather than skipping them.

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Xvfb {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
}

impl Xvfb {
    /// Starts a server with one screen of `width`×`height`; Xvfb picks a
    /// free display number and tells it on a pipe (`-displayfd`).
    pub fn start(width: u32, height: u32) -> Xvfb {
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills two descriptors we then own.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let wfd = write.as_raw_fd();
        let mut cmd = Command::new("Xvfb");
        cmd.args(["-displayfd", &wfd.to_string(), "-screen", "0", &format!("{width}x{height}x24")])
            .args(["-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only fcntl between fork and exec: the write end (and only
        // it) stays open in Xvfb.
        unsafe {
            cmd.pre_exec(move || {
                if libc::fcntl(wfd, libc::F_SETFD, 0) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| {
            panic!("cannot start Xvfb ({e}): `.ci/setup` installs it (Debian package xvfb)")
        });
        drop(write);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            // One line: the number, then a newline (Xvfb may keep the pipe open).
            let mut f = std::fs::File::from(read);
            let mut s = Vec::new();
            let mut b = [0u8; 1];
            while let Ok(1) = f.read(&mut b) {
                if b[0] == b'\n' {
                    break;
                }
                s.push(b[0]);
            }
            let _ = tx.send(String::from_utf8_lossy(&s).into_owned());
        });
        let number = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(s) if !s.trim().is_empty() => s.trim().to_string(),
            other => {
                let _ = child.kill();
                panic!("Xvfb did not start: {other:?}");
            }
        };
        Xvfb { child, display: format!(":{number}") }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
