//! The kiosk as a systemd service (`deploy/gig-kiosk.service`,
//! `Type=notify`): `READY=1` once the first frame is on screen, `STATUS=`
//! lines in plain words for `systemctl status`, and `WATCHDOG=1` from the
//! UI event loop itself (ui/run.rs), so a hung UI stops feeding the
//! watchdog and systemd restarts the kiosk.
//!
//! The protocol is a datagram to `$NOTIFY_SOCKET`; without that variable
//! (a terminal, a test without systemd) every call does nothing.

use std::time::Duration;

use sd_notify::NotifyState;

use crate::app::views::StatusView;

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!("cannot notify the service manager: {e}");
    }
}

/// The first frame is on screen.
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

pub fn status(text: &str) {
    send(&[NotifyState::Status(text)]);
}

pub fn watchdog() {
    send(&[NotifyState::Watchdog]);
}

/// How often to send `WATCHDOG=1`: half the service's `WatchdogSec=`, as
/// systemd advises; `None` when no watchdog is asked for.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled().filter(|d| !d.is_zero()).map(|d| d / 2)
}

/// One line for `systemctl status`: what works and what does not.
pub fn status_line(v: &StatusView) -> String {
    let mut problems: Vec<String> = Vec::new();
    match v.service_problem.as_str() {
        "" => {}
        "store" => problems.push("the database fails (see the log)".into()),
        _ => problems.push("a background task failed and is restarting".into()),
    }
    if !v.reader_ready {
        problems.push(format!("card reader {}", v.reader));
    }
    if v.no_printer {
        problems.push("no printer configured".into());
    } else if !v.printer_ready {
        problems.push(format!("printer {}", v.printer));
    }
    if !v.online {
        problems.push(format!("offline since {}", v.offline_since));
    }
    match v.sync_problem.as_str() {
        "unauthorized" => problems.push("the platform refuses this kiosk's token".into()),
        "clock" => problems.push("the local clock is wrong".into()),
        _ => {}
    }
    let queued = if v.outbox_pending > 0 {
        format!("; {} submissions queued", v.outbox_pending)
    } else {
        String::new()
    };
    if problems.is_empty() {
        format!("serving: reader, printer and network ok{queued}")
    } else {
        format!("serving with problems: {}{queued}", problems.join(", "))
    }
}
