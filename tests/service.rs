//! The kiosk as a systemd service, seen from systemd's side: the
//! notification socket (`$NOTIFY_SOCKET`, the real sd_notify datagram
//! protocol) gets `STATUS=` while starting, `READY=1` once the first frame
//! was drawn, and `WATCHDOG=1` from the UI event loop, which stops when
//! that loop hangs. And a machine with no display gets one line and a
//! non-zero exit, never a panic.

mod common;

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::xvfb::Xvfb;

/// The demo kiosk, with nothing from the test's environment.
fn kiosk(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
    c.env_clear().env("HOME", home).env("PATH", "/usr/bin:/bin").env("KIOSK_LOG", "info");
    c
}

/// Every datagram that arrives within `within`, with its arrival time.
fn collect(sock: &UnixDatagram, within: Duration, until: impl Fn(&str) -> bool) -> Vec<(Instant, String)> {
    let end = Instant::now() + within;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 4096];
    while Instant::now() < end {
        sock.set_read_timeout(Some(
            end.saturating_duration_since(Instant::now()).max(Duration::from_millis(1)),
        ))
        .unwrap();
        match sock.recv(&mut buf) {
            Ok(n) => {
                let msg = String::from_utf8_lossy(&buf[..n]).into_owned();
                let stop = until(&msg);
                got.push((Instant::now(), msg));
                if stop {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    got
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn ready_after_the_first_frame_then_the_watchdog_from_the_ui_loop_until_it_hangs() {
    let x = Xvfb::start(1280, 800);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let sock = UnixDatagram::bind(&path).unwrap();
    let started = Instant::now();
    let child = kiosk(dir.path())
        .env("DISPLAY", &x.display)
        .env("NOTIFY_SOCKET", &path)
        // systemd's WatchdogSec=1: the kiosk feeds it every 0.5 s.
        .env("WATCHDOG_USEC", "1000000")
        .env("KIOSK_TEST_HANG_UI_AFTER_MS", "6000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Running(child);
    let until_ready = collect(&sock, Duration::from_secs(60), |m| m.lines().any(|l| l == "READY=1"));
    let ready_at = until_ready.last().map(|(t, _)| *t);
    let msgs: Vec<&str> = until_ready.iter().map(|(_, m)| m.as_str()).collect();
    assert!(
        msgs.last().is_some_and(|m| m.contains("READY=1")),
        "no READY=1 within 60 s; got {msgs:?}; kiosk still running: {:?}",
        child.0.try_wait()
    );
    // Before READY: plain-words status while starting, no READY yet.
    assert!(msgs.iter().any(|m| m.starts_with("STATUS=starting")), "{msgs:?}");
    let ready = msgs.last().unwrap();
    assert!(ready.lines().any(|l| l.starts_with("STATUS=serving")), "READY carries the status: {ready:?}");
    // Between READY and the hang (6 s after start): WATCHDOG=1 every 0.5 s.
    let hang = started + Duration::from_millis(6000);
    let ready_at = ready_at.unwrap();
    assert!(
        ready_at + Duration::from_secs(2) < hang,
        "the first frame took {:?}; too slow for this test",
        ready_at - started
    );
    let before =
        collect(&sock, hang.saturating_duration_since(Instant::now()) - Duration::from_millis(200), |_| {
            false
        });
    let feeds_before: Vec<Instant> =
        before.iter().filter(|(_, m)| m.lines().any(|l| l == "WATCHDOG=1")).map(|(t, _)| *t).collect();
    let span = hang - Duration::from_millis(200) - ready_at;
    let expected = span.as_secs_f64() / 0.5;
    assert!(
        feeds_before.len() as f64 >= expected * 0.6,
        "{} WATCHDOG=1 in {span:?}, expected about {expected:.0}: {before:?}",
        feeds_before.len()
    );
    // After the UI thread hangs: nothing, though the process still runs
    // (systemd would kill and restart it after WatchdogSec).
    std::thread::sleep(Duration::from_millis(400));
    let after = collect(&sock, Duration::from_secs(3), |_| false);
    assert!(
        !after.iter().any(|(_, m)| m.contains("WATCHDOG=1")),
        "the watchdog was fed by a hung UI: {after:?}"
    );
    assert!(child.0.try_wait().unwrap().is_none(), "the kiosk exited instead of hanging");
    child.0.kill().unwrap();
    let out = child.0.wait_with_output_ref();
    assert!(out.contains("first frame on screen after"), "{out}");
}

trait OutputRef {
    fn wait_with_output_ref(&mut self) -> String;
}

impl OutputRef for Child {
    /// stdout and stderr of a child that was killed.
    fn wait_with_output_ref(&mut self) -> String {
        use std::io::Read;
        let _ = self.wait();
        let mut s = String::new();
        if let Some(o) = self.stdout.as_mut() {
            let _ = o.read_to_string(&mut s);
        }
        if let Some(e) = self.stderr.as_mut() {
            let _ = e.read_to_string(&mut s);
        }
        s
    }
}

#[test]
fn the_start_up_line_names_the_backend_and_the_first_frame_is_measured() {
    let x = Xvfb::start(1024, 600);
    let dir = tempfile::tempdir().unwrap();
    let o = common::output_within(
        {
            let mut c = kiosk(dir.path());
            c.env("DISPLAY", &x.display).env("KIOSK_EXIT_AFTER_FIRST_FRAME", "1");
            c
        },
        Duration::from_secs(60),
    );
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{out}\n{err}");
    let display = out.lines().find(|l| l.starts_with("display:")).unwrap_or_else(|| panic!("{out}"));
    assert!(display.contains("winit window, software renderer") && display.contains(&x.display), "{display}");
    let ms: f64 = err
        .lines()
        .find_map(|l| l.strip_prefix("first frame after "))
        .and_then(|l| l.split(" ms at ").next())
        .unwrap_or_else(|| panic!("{err}"))
        .parse()
        .unwrap();
    assert!(ms > 0.0 && ms < 60_000.0, "{ms}");
}

/// No desktop session and no display device (this test machine, or a
/// headless server), or a display that cannot be used: one line on stderr,
/// exit status 1, no panic, no window.
#[test]
fn no_display_is_one_line_and_a_failed_exit() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("[screen] backend = winit without a desktop", vec![("KIOSK__SCREEN__BACKEND", "winit")]),
        // Whether or not this machine has /dev/dri: the connector does not exist.
        (
            "SLINT_BACKEND=linuxkms on a connector that does not exist",
            vec![("SLINT_BACKEND", "linuxkms"), ("SLINT_DRM_OUTPUT", "NO-SUCH-CONNECTOR-9")],
        ),
        ("an X display nobody serves", vec![("DISPLAY", ":987")]),
    ];
    for (what, env) in cases {
        let mut c = kiosk(dir.path());
        c.env_remove("KIOSK_LOG").envs(env);
        let o = common::output_within(c, Duration::from_secs(60));
        let err = String::from_utf8_lossy(&o.stderr);
        let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("kiosk: ")).collect();
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert_eq!(errors.len(), 1, "{what}: one error line: {err}");
        assert!(errors[0].contains("display"), "{what}: {err}");
    }
}
