//! The background sync: one tokio task on the kiosk's runtime. Each round
//! is [`super::sync_once`]; between rounds it waits for the planned time
//! ([`super::plan::next_round`]) or a nudge on its control channel ("sync
//! now" after an application, "stop"), and reports a [`SyncStatus`] after
//! every round for the top bar and the staff status. It runs under the
//! kiosk's task supervisor (`tasks.rs`): if it fails it is started again.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use tokio::sync::mpsc;

use super::client::Platform;
use super::plan::{RoundResult, next_round};
use super::{Context, SyncStore, sync_once};
use crate::clock::Clock;
use crate::devices::EventSink;
use crate::store::Store;
use crate::tasks::Supervisor;

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

#[derive(Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub interval: Duration,
    pub device_key: crate::privacy::DeviceKey,
    pub clock: Arc<dyn Clock>,
}

/// Starts the loop under `supervisor` (restarted if it fails); statuses go
/// to `sink`.
pub fn spawn(
    supervisor: &Supervisor,
    platform: Platform,
    settings: Settings,
    sink: EventSink<SyncStatus>,
) -> SyncHandle {
    let (tx, rx) = mpsc::unbounded_channel();
    // One control channel for every run of the task.
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    supervisor.spawn(TASK_NAME, move || run(platform.clone(), settings.clone(), sink.clone(), rx.clone()));
    SyncHandle { tx }
}

/// The task's name in reports and logs.
pub const TASK_NAME: &str = "sync";

/// One run of the loop: `Ok(())` when told to stop, an error when it cannot
/// go on (the supervisor starts it again).
async fn run(
    platform: Platform,
    s: Settings,
    sink: EventSink<SyncStatus>,
    rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Control>>>,
) -> Result<(), String> {
    let mut rx = rx.try_lock().map_err(|_| "another sync loop is running".to_string())?;
    let dir = s.data_dir.clone();
    let store = SyncStore::new(
        tokio::task::spawn_blocking(move || Store::open_in_dir(&dir))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot open the database: {e}"))?,
    );
    let mut status = SyncStatus::default();
    loop {
        let cx = Context {
            clock: s.clock.as_ref(),
            device_key: &s.device_key,
            wait_retry_after: Duration::ZERO,
            all_pending: false,
        };
        let round = sync_once(&store, &platform, &cx).await;
        let at = s.clock.wall();
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
        let (newest, depth, next_due) = store
            .run(|st| {
                (
                    st.newest_date_posted().ok().flatten(),
                    st.outbox_pending().unwrap_or(0),
                    st.outbox_next_due().ok().flatten(),
                )
            })
            .await;
        // Implausible: earlier than this build, or than the newest posting seen.
        let floor = super::plan::build_epoch().max(newest.unwrap_or(0));
        status.clock_offset_s = round.server_date.and_then(|d| super::plan::clock_offset(at, d, floor));
        status.outbox_depth = depth;
        sink(status.clone());
        let result = RoundResult {
            reached: round.reached,
            unauthorized: round.unauthorized,
            had_errors: !round.errors.is_empty(),
        };
        let wait = next_round(at.timestamp(), s.interval, result, next_due);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            c = rx.recv() => match c {
                Some(Control::Now) => {}
                Some(Control::Stop) | None => return Ok(()),
            }
        }
    }
}
