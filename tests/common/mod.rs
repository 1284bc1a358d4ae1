//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod platform;
pub mod ui;
pub mod xvfb;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Runs `cmd` to the end, failing the test if it is still running after
/// `deadline` (it is then killed): a command that hangs is a bug.
pub fn output_within(mut cmd: std::process::Command, deadline: Duration) -> std::process::Output {
    use std::process::Stdio;
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(deadline) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            // SAFETY: kill(2) on a pid we started; at worst it is gone already.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("{cmd:?} was still running after {deadline:?}");
        }
    }
}

/// A thermal printer on a pseudo-terminal: answers each real-time status
/// request (`DLE EOT n`) with `answer(n, paper)`, where `paper` is the
/// roll-paper status byte tests can change (`0x12` loaded, `0x72` out), and
/// records every other byte it receives.
pub struct PtyPrinter {
    pub port: PathBuf,
    pub received: Arc<Mutex<Vec<u8>>>,
    /// The answer to `DLE EOT 4`.
    pub paper: Arc<AtomicU8>,
    /// The answer to `DLE EOT 2`.
    pub offline_cause: Arc<AtomicU8>,
    _dir: tempfile::TempDir,
}

impl PtyPrinter {
    pub fn start() -> PtyPrinter {
        let dir = tempfile::tempdir().unwrap();
        let (mut master, slave) = serialport::TTYPort::pair().unwrap();
        let port = dir.path().join("ttyPRN");
        std::os::unix::fs::symlink(serialport::SerialPort::name(&slave).unwrap(), &port).unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let paper = Arc::new(AtomicU8::new(0x12));
        let offline_cause = Arc::new(AtomicU8::new(0x12));
        let (got, pap, off) = (received.clone(), paper.clone(), offline_cause.clone());
        std::thread::spawn(move || {
            let _keep_open = slave;
            let _ = serialport::SerialPort::set_timeout(&mut master, Duration::from_millis(50));
            let mut pending: Vec<u8> = Vec::new();
            let mut buf = [0u8; 512];
            loop {
                match master.read(&mut buf) {
                    Ok(n) => pending.extend(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
                    Err(_) => return,
                }
                while let Some(i) = pending.windows(2).position(|w| w == [0x10, 0x04]) {
                    if pending.len() < i + 3 {
                        break;
                    }
                    let n = pending[i + 2];
                    got.lock().unwrap().extend(pending.drain(..i));
                    pending.drain(..3);
                    let answer = match n {
                        2 => off.load(Ordering::SeqCst),
                        4 => pap.load(Ordering::SeqCst),
                        _ => 0x12,
                    };
                    if master.write_all(&[answer]).is_err() {
                        return;
                    }
                }
                if !pending.ends_with(&[0x10]) {
                    got.lock().unwrap().append(&mut pending);
                }
            }
        });
        PtyPrinter { port, received, paper, offline_cause, _dir: dir }
    }

    /// Waits until at least `n` bytes arrived (or 5 s).
    pub fn wait_for(&self, n: usize) -> Vec<u8> {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while self.received.lock().unwrap().len() < n && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.received.lock().unwrap().clone()
    }
}
