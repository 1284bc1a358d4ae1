//! The core's view of what is wrong: store failures (service trouble) and
//! background tasks that failed. Each shows in the top bar and puts the
//! status lamp out until it is over; staff see the reason.

use super::core::Core;
use super::error::{CoreError, Trouble};
use crate::tasks::{TaskReport, TaskState};

impl Core {
    /// Passes a result through: a success ends any service trouble; a
    /// failure is logged, becomes the trouble shown, and yields `None`.
    pub(super) fn checked<T>(&mut self, doing: &'static str, r: Result<T, CoreError>) -> Option<T> {
        match r {
            Ok(t) => {
                if self.trouble.take().is_some() {
                    tracing::info!("the store works again");
                    self.update_lamp();
                }
                Some(t)
            }
            Err(e) => {
                tracing::error!("cannot {doing}: {e}");
                let t = Trouble { doing, error: e.to_string(), transient: e.is_transient() };
                self.trouble = Some(t);
                self.update_lamp();
                None
            }
        }
    }

    /// The service trouble shown, if any.
    pub fn trouble(&self) -> Option<&Trouble> {
        self.trouble.as_ref()
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
