//! The core's view of what is wrong: store failures (service trouble) and
//! background tasks that failed. Each shows in the top bar and puts the
//! status lamp out until it is over; staff see the reason.

use super::core::Core;
use super::error::{CoreError, Trouble};
use crate::tasks::{TaskReport, TaskState};

impl Core {
    /// Passes a result through: a success ends the trouble of the same kind
    /// (`doing`: a working outbox count says nothing of a broken search); a
    /// failure is logged, shown as service trouble, and yields `None`.
    pub(super) fn checked<T>(&mut self, doing: &'static str, r: Result<T, CoreError>) -> Option<T> {
        match r {
            Ok(t) => {
                if self.troubles.remove(doing).is_some() {
                    tracing::info!("the store works again to {doing}");
                    self.update_lamp();
                }
                Some(t)
            }
            Err(e) => {
                tracing::error!("cannot {doing}: {e}");
                let t = Trouble { doing, error: e.to_string(), transient: e.is_transient() };
                self.troubles.insert(doing, t);
                self.update_lamp();
                None
            }
        }
    }

    /// The service trouble shown, if any (the first of several, by kind).
    pub fn trouble(&self) -> Option<&Trouble> {
        self.troubles.values().next()
    }

    pub(super) fn task_report(&mut self, r: TaskReport) {
        match r.state {
            TaskState::Failed { .. } => {
                self.tasks.insert(r.name, r.state);
            }
            TaskState::Running | TaskState::Stopped => {
                self.tasks.remove(r.name);
            }
        }
        self.update_lamp();
    }
}
