//! Runs a printer on its own thread: jobs go in, results come back through
//! a callback, and nothing waits meanwhile.

use std::sync::mpsc;

use super::{PrintError, Printed, SlipPrinter};
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
    next_job: u64,
}

enum Mode {
    Thread(mpsc::Sender<(u64, Slip)>),
    Inline(Box<dyn SlipPrinter>, EventSink<PrintOutcome>),
}

impl PrinterWorker {
    /// Starts a thread that owns `printer`.
    pub fn spawn(mut printer: Box<dyn SlipPrinter>, done: EventSink<PrintOutcome>) -> PrinterWorker {
        let (tx, rx) = mpsc::channel::<(u64, Slip)>();
        std::thread::Builder::new()
            .name("printer".into())
            .spawn(move || {
                for (job, slip) in rx {
                    let result = printer.print(&slip);
                    done(PrintOutcome { job, result });
                }
            })
            .map(|_| ())
            .unwrap_or_else(|e| tracing::error!("cannot start the printer thread: {e}"));
        PrinterWorker { mode: Mode::Thread(tx), next_job: 1 }
    }

    /// Prints on the caller's thread; the outcome is delivered before
    /// [`PrinterWorker::submit`] returns.
    pub fn inline(printer: Box<dyn SlipPrinter>, done: EventSink<PrintOutcome>) -> PrinterWorker {
        PrinterWorker { mode: Mode::Inline(printer, done), next_job: 1 }
    }

    /// Queues a slip; returns its job number.
    /// The number the next submitted slip will get.
    pub fn next_job(&self) -> u64 {
        self.next_job
    }

    pub fn submit(&mut self, slip: Slip) -> u64 {
        let job = self.next_job;
        self.next_job += 1;
        match &mut self.mode {
            Mode::Thread(tx) => {
                if tx.send((job, slip)).is_err() {
                    tracing::error!("the printer thread has stopped");
                }
            }
            Mode::Inline(printer, done) => {
                let result = printer.print(&slip);
                done(PrintOutcome { job, result });
            }
        }
        job
    }
}
