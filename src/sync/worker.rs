//! The background sync: one tokio task on the kiosk's runtime. Each round
//! is [`super::sync_once`]; between rounds it waits for the planned time
//! ([`super::plan::next_round`]) or a nudge on its control channel ("sync
//! now" after an application, "stop"), and reports a [`SyncStatus`] after
//! every round for the top bar and the staff status.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use tokio::sync::mpsc;

use super::client::Platform;
use super::plan::{RoundResult, next_round};
use super::{Context, sync_once};
use crate::devices::EventSink;
use crate::domain::time;
use crate::store::Store;

/// What the top bar and staff see of the sync.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub online: bool,
    /// Since when the platform has been unreachable.
    pub offline_since: Option<DateTime<FixedOffset>>,
    pub last_success: Option<DateTime<FixedOffset>>,
    pub outbox_depth: u64,
    pub last_error: Option<String>,
    /// The platform refused the token: sending stopped.
    pub unauthorized: bool,
    /// The last round changed the cache (the job list should be re-read).
    pub cache_changed: bool,
    /// Seconds to add to the local clock, when it is implausible.
    pub clock_offset_s: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Sync now (an application was just queued; staff pressed "sync").
    Now,
    Stop,
}

/// The handle the kiosk keeps: nudge or stop the loop.
#[derive(Clone)]
pub struct SyncHandle {
    tx: mpsc::UnboundedSender<Control>,
}

impl SyncHandle {
    pub fn nudge(&self) {
        let _ = self.tx.send(Control::Now);
    }

    pub fn stop(&self) {
        let _ = self.tx.send(Control::Stop);
    }
}

pub struct Settings {
    pub data_dir: PathBuf,
    pub interval: Duration,
    pub device_key: Vec<u8>,
    /// Pretend the time is this (`--now`): the clock starts there.
    pub pinned_now: Option<DateTime<FixedOffset>>,
}

/// Starts the loop on `rt`; statuses go to `sink`.
pub fn spawn(
    rt: &tokio::runtime::Handle,
    platform: Platform,
    settings: Settings,
    sink: EventSink<SyncStatus>,
) -> SyncHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    rt.spawn(run(platform, settings, sink, rx));
    SyncHandle { tx }
}

async fn run(
    platform: Platform,
    s: Settings,
    sink: EventSink<SyncStatus>,
    mut rx: mpsc::UnboundedReceiver<Control>,
) {
    let mut store = match Store::open_in_dir(&s.data_dir) {
        Ok(st) => st,
        Err(e) => {
            tracing::error!("sync cannot open the database: {e}");
            sink(SyncStatus { last_error: Some(e.to_string()), ..SyncStatus::default() });
            return;
        }
    };
    let started = std::time::Instant::now();
    let pinned = s.pinned_now;
    let now = move || match pinned {
        Some(p) => p + chrono::Duration::from_std(started.elapsed()).unwrap_or_default(),
        None => time::in_china(chrono::Utc::now()),
    };
    let mut status = SyncStatus::default();
    loop {
        let cx = Context { now: &now, device_key: &s.device_key };
        let round = sync_once(&mut store, &platform, &cx).await;
        let at = now();
        status.cache_changed = round.applied.upserted + round.applied.removed > 0;
        status.unauthorized = round.unauthorized;
        status.last_error = round.errors.last().cloned();
        if round.reached {
            status.online = true;
            status.offline_since = None;
            if round.errors.is_empty() {
                status.last_success = Some(at);
            }
        } else {
            if status.online || status.offline_since.is_none() {
                status.offline_since = Some(at);
            }
            status.online = false;
        }
        // Implausible: earlier than this build, or than the newest posting seen.
        let floor = super::plan::build_epoch().max(store.newest_date_posted().ok().flatten().unwrap_or(0));
        status.clock_offset_s = round.server_date.and_then(|d| super::plan::clock_offset(at, d, floor));
        status.outbox_depth = store.outbox_pending().unwrap_or(0);
        sink(status.clone());
        let result = RoundResult {
            reached: round.reached,
            unauthorized: round.unauthorized,
            had_errors: !round.errors.is_empty(),
        };
        let wait = next_round(at.timestamp(), s.interval, result, store.outbox_next_due().ok().flatten());
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            c = rx.recv() => match c {
                Some(Control::Now) => {}
                Some(Control::Stop) | None => return,
            }
        }
    }
}
