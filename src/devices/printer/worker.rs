//! Runs a printer on its own thread: jobs go in, results come back through
//! a callback, and nothing waits meanwhile.
//!
//! A job always ends in one [`PrintOutcome`]: printed, refused, or failed —
//! a printer driver that panics reports the job failed and the thread goes
//! on with the next. A job that never reports at all (a driver stuck in the
//! kernel) is the core's to time out, against [`PrinterWorker::budget`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use super::{Budget, PrintError, Printed, SlipPrinter};
use crate::devices::EventSink;
use crate::slip::Slip;

/// The outcome of one job, identified by the number [`PrinterWorker::submit`] gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintOutcome {
    pub job: u64,
    pub result: Result<Printed, PrintError>,
}

/// A printer on a worker thread, or run inline (headless rendering and
/// tests, where the caller wants the result before it goes on).
pub struct PrinterWorker {
    mode: Mode,
    describe: String,
    budget: Budget,
}

enum Mode {
    Thread(mpsc::Sender<(u64, Slip)>, EventSink<PrintOutcome>),
    Inline(Box<dyn SlipPrinter>, EventSink<PrintOutcome>),
}

/// Job numbers are unique in the process, so the late answer of a job on a
/// worker that was replaced is never taken for a new job's.
fn next_job() -> u64 {
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Prints one slip, turning a panic of the driver into a failed job.
fn print_one(printer: &mut dyn SlipPrinter, slip: &Slip) -> Result<Printed, PrintError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| printer.print(slip))).unwrap_or_else(|panic| {
        let what = crate::panic_message(&*panic);
        tracing::error!("the printer driver panicked (a bug): {what}");
        Err(PrintError::Failed(format!("the printer driver failed: {what}")))
    })
}

impl PrinterWorker {
    /// Starts a thread that owns `printer`.
    pub fn spawn(mut printer: Box<dyn SlipPrinter>, done: EventSink<PrintOutcome>) -> PrinterWorker {
        let (describe, budget) = (printer.describe(), printer.budget());
        let (tx, rx) = mpsc::channel::<(u64, Slip)>();
        let sink = done.clone();
        let started = std::thread::Builder::new().name("printer".into()).spawn(move || {
            for (job, slip) in rx {
                let result = print_one(printer.as_mut(), &slip);
                done(PrintOutcome { job, result });
            }
        });
        if let Err(e) = started {
            tracing::error!("cannot start the printer thread: {e}");
        }
        PrinterWorker { mode: Mode::Thread(tx, sink), describe, budget }
    }

    /// Prints on the caller's thread; the outcome is delivered before
    /// [`PrinterWorker::submit`] returns.
    pub fn inline(printer: Box<dyn SlipPrinter>, done: EventSink<PrintOutcome>) -> PrinterWorker {
        let (describe, budget) = (printer.describe(), printer.budget());
        PrinterWorker { mode: Mode::Inline(printer, done), describe, budget }
    }

    /// Which printer this is, for logs and the staff page.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// How long `slip` may take before the job counts as lost.
    pub fn budget(&self, slip: &Slip) -> Duration {
        self.budget.for_slip(slip)
    }

    /// Queues a slip; returns its job number. If the thread is gone, the job
    /// fails at once (reported like any other outcome).
    pub fn submit(&mut self, slip: Slip) -> u64 {
        let job = next_job();
        match &mut self.mode {
            Mode::Thread(tx, sink) => {
                if tx.send((job, slip)).is_err() {
                    tracing::error!("the printer thread has stopped");
                    sink(PrintOutcome {
                        job,
                        result: Err(PrintError::Failed("the printer thread has stopped".into())),
                    });
                }
            }
            Mode::Inline(printer, done) => {
                let result = print_one(printer.as_mut(), &slip);
                done(PrintOutcome { job, result });
            }
        }
        job
    }
}
