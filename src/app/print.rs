//! The print service: a slip for the job on screen (with the application,
//! when there is one) goes to the printer's worker; its outcome comes back
//! as a command. A job that does not come back within its budget (the
//! slip's transfer time and the printer's own time-outs, plus a margin) is
//! given up: the worker sees the printer-problem page, the idle timer runs
//! again, and the printer is rebuilt so the next job does not queue behind
//! the lost one.

use super::core::Core;
use super::session::{Input, PrintProblem};
use super::views::UiUpdate;
use crate::devices::printer::worker::PrintOutcome;
use crate::devices::printer::{PrintError, PrinterStatus};
use crate::slip::{Applied, SlipContext, job_slip};
use crate::store::StatKind;

/// A job sent to the printer and not answered yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintJob {
    pub job: u64,
    /// [`crate::clock::Clock::now_ms`] past which it counts as lost.
    pub deadline_ms: u64,
}

impl Core {
    /// Sends the slip; true when every view must be redrawn.
    pub(super) fn print(
        &mut self,
        posting_id: &str,
        application_no: Option<String>,
        out: &mut Vec<UiUpdate>,
    ) -> bool {
        if self.devices.printer.is_none() {
            return self.input(Input::PrintFinished(Err(PrintProblem::NoPrinter)), out);
        }
        let posting = match self.store.posting(posting_id) {
            Ok(Some(p)) => p,
            other => {
                let e = match other {
                    Err(e) => e.into(),
                    _ => super::error::CoreError::NoSuchPosting(posting_id.to_string()),
                };
                self.checked::<()>("read the job to print", Err(e));
                return self.input(Input::PrintFinished(Err(PrintProblem::Other)), out);
            }
        };
        let ctx = SlipContext::at_station(&self.cfg.station, self.cfg.paper, self.wall());
        let applied = application_no.map(|no| Applied {
            application_no: no,
            masked_id: self.session.person().map(|p| p.card.masked_id()).unwrap_or_default(),
        });
        let slip = job_slip(&posting, &ctx, applied.as_ref());
        let now_ms = self.clock.now_ms();
        if let Some(printer) = &mut self.devices.printer {
            let deadline_ms = now_ms + printer.budget(&slip).as_millis() as u64;
            // The job is known before an inline printer answers (its
            // outcome waits in the command queue).
            let job = printer.submit(slip);
            self.print_job = Some(PrintJob { job, deadline_ms });
        }
        false
    }

    /// A job's outcome; true when every view must be redrawn.
    pub(super) fn printed(&mut self, o: PrintOutcome, out: &mut Vec<UiUpdate>) -> bool {
        if self.staff_printed(&o) {
            return false;
        }
        if self.print_job.map(|j| j.job) != Some(o.job) {
            // A job given up on, answering late.
            tracing::info!("late outcome of print job {} ignored: {:?}", o.job, o.result.as_ref().err());
            return false;
        }
        self.print_job = None;
        let r = match o.result {
            Ok(printed) => {
                self.set_printer(PrinterStatus::Ready);
                let job = self.session.job().map(str::to_string);
                self.stat(StatKind::Print, job.as_deref());
                out.push(UiUpdate::Slip(printed.preview));
                Ok(())
            }
            Err(e) => {
                tracing::warn!("printing failed: {e}");
                self.set_printer(match e {
                    PrintError::PaperOut => PrinterStatus::PaperOut,
                    PrintError::CoverOpen => PrinterStatus::CoverOpen,
                    PrintError::Offline => PrinterStatus::Offline,
                    PrintError::NoAnswer => PrinterStatus::NoAnswer,
                    // The printer answered; the job failed.
                    PrintError::Failed(_) => self.printer,
                });
                Err(match e {
                    PrintError::PaperOut => PrintProblem::PaperOut,
                    PrintError::CoverOpen => PrintProblem::CoverOpen,
                    PrintError::Offline | PrintError::NoAnswer => PrintProblem::Offline,
                    PrintError::Failed(_) => PrintProblem::Other,
                })
            }
        };
        self.input(Input::PrintFinished(r), out)
    }

    /// Gives up on a job past its deadline; true when every view must be redrawn.
    pub(super) fn check_print_deadline(&mut self, out: &mut Vec<UiUpdate>) -> bool {
        let Some(j) = self.print_job else { return false };
        if self.clock.now_ms() < j.deadline_ms {
            return false;
        }
        tracing::error!("print job {} did not finish in time; the printer is started again", j.job);
        self.print_job = None;
        self.set_printer(PrinterStatus::NoAnswer);
        let cfg = self.cfg.config.clone();
        self.devices.rebuild_printer(&cfg);
        self.input(Input::PrintFinished(Err(PrintProblem::Offline)), out)
    }

    pub(super) fn set_printer(&mut self, s: PrinterStatus) {
        self.printer = s;
        self.update_lamp();
    }
}
