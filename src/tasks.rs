//! Background tasks under supervision. Every long-lived task the kiosk runs
//! on its tokio runtime (platform sync today; fleet updates later) is
//! started through [`Supervisor::spawn`]: if it panics or returns an error,
//! the supervisor logs it, reports it (the core shows it in the top bar and
//! the status lamp, and staff see it), and starts it again after a pause
//! that doubles from [`Backoff::first`] up to [`Backoff::cap`]. A task that
//! then runs for [`Backoff::healthy_after`] counts as recovered.
//!
//! A task returns `Ok(())` only when it was asked to stop; that ends its
//! supervision.

use std::future::Future;
use std::time::Duration;

use crate::devices::EventSink;

/// What the supervisor tells the core about a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskReport {
    pub name: &'static str,
    pub state: TaskState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// Running (first start, or again after a failure).
    Running,
    /// It failed (`error`: the panic or the error it returned) and starts
    /// again in `retry_in`; `failures` in a row so far.
    Failed { error: String, failures: u32, retry_in: Duration },
    /// It stopped because it was asked to.
    Stopped,
}

/// Restart pauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub cap: Duration,
    /// A run this long resets the pause to `first`.
    pub healthy_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(1),
            cap: Duration::from_secs(300),
            healthy_after: Duration::from_secs(600),
        }
    }
}

impl Backoff {
    /// The pause after `failures` failures in a row (1 = the first).
    pub fn pause(&self, failures: u32) -> Duration {
        let exp = 2u32.saturating_pow(failures.saturating_sub(1).min(20));
        self.first.saturating_mul(exp).min(self.cap)
    }
}

/// Starts and watches tasks on a runtime.
#[derive(Clone)]
pub struct Supervisor {
    rt: tokio::runtime::Handle,
    sink: EventSink<TaskReport>,
    backoff: Backoff,
}

impl Supervisor {
    pub fn new(rt: tokio::runtime::Handle, sink: EventSink<TaskReport>, backoff: Backoff) -> Supervisor {
        Supervisor { rt, sink, backoff }
    }

    /// Runs the task `make` builds, and builds and runs it again whenever it
    /// panics or fails, until it returns `Ok(())`.
    pub fn spawn<F, Fut>(&self, name: &'static str, make: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let (sink, backoff, rt) = (self.sink.clone(), self.backoff, self.rt.clone());
        self.rt.spawn(async move {
            let mut failures = 0u32;
            loop {
                let started = tokio::time::Instant::now();
                sink(TaskReport { name, state: TaskState::Running });
                let outcome = match rt.spawn(make()).await {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e),
                    Err(e) if e.is_panic() => {
                        Some(format!("panicked: {}", crate::panic_message(&*e.into_panic())))
                    }
                    Err(e) => Some(e.to_string()),
                };
                let Some(error) = outcome else {
                    tracing::info!("{name} stopped");
                    sink(TaskReport { name, state: TaskState::Stopped });
                    return;
                };
                if started.elapsed() >= backoff.healthy_after {
                    failures = 0;
                }
                failures += 1;
                let retry_in = backoff.pause(failures);
                tracing::error!(
                    "{name} failed: {error}; starting it again in {retry_in:?} (failure {failures} in a row)"
                );
                sink(TaskReport { name, state: TaskState::Failed { error, failures, retry_in } });
                tokio::time::sleep(retry_in).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn pauses_double_up_to_the_cap() {
        let b = Backoff::default();
        let secs: Vec<u64> = (1..=11).map(|n| b.pause(n).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(b.pause(u32::MAX), b.cap);
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_that_panics_or_fails_is_reported_and_started_again_with_backoff() {
        let reports = Arc::new(Mutex::new(Vec::new()));
        let r = reports.clone();
        let sink: EventSink<TaskReport> = Arc::new(move |rep| r.lock().unwrap().push(rep));
        let sup = Supervisor::new(tokio::runtime::Handle::current(), sink, Backoff::default());
        let runs = Arc::new(AtomicU32::new(0));
        let n = runs.clone();
        let t0 = tokio::time::Instant::now();
        let handle = sup.spawn("test-task", move || {
            let run = n.fetch_add(1, Ordering::SeqCst);
            async move {
                match run {
                    0 => panic!("boom"),
                    1 => Err("the database is damaged".to_string()),
                    _ => Ok(()),
                }
            }
        });
        handle.await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3);
        // 1 s after the panic, 2 s after the error.
        assert_eq!(t0.elapsed(), Duration::from_secs(3));
        let got = reports.lock().unwrap().clone();
        let states: Vec<String> = got
            .iter()
            .map(|r| match &r.state {
                TaskState::Running => "running".to_string(),
                TaskState::Failed { error, failures, retry_in } => {
                    format!("failed {failures} {}s: {error}", retry_in.as_secs())
                }
                TaskState::Stopped => "stopped".to_string(),
            })
            .collect();
        assert_eq!(
            states,
            [
                "running",
                "failed 1 1s: panicked: boom",
                "running",
                "failed 2 2s: the database is damaged",
                "running",
                "stopped"
            ]
        );
        assert!(got.iter().all(|r| r.name == "test-task"));
    }
}
