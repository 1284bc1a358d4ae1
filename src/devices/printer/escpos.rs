//! A real ESC/POS printer on a [`Transport`]: asks its real-time status
//! (`DLE EOT` 1, 2, 4) before printing where the transport can read, sends
//! the slip's bytes, and reports the slip printed only when every byte was
//! accepted. A failed transport is dropped and reopened on the next job, so
//! a printer switched off and on again needs no restart.

use std::time::Duration;

use super::transport::{Target, Transport};
use super::{Preview, PrintError, Printed, PrinterStatus, SlipPrinter};
use crate::slip::escpos::{Options, encode};
use crate::slip::{Slip, picture};

/// How long a printer has to answer a status request.
pub const STATUS_TIMEOUT: Duration = Duration::from_millis(500);

pub struct EscPosPrinter {
    target: Target,
    opts: Options,
    transport: Option<Box<dyn Transport>>,
}

impl EscPosPrinter {
    pub fn new(target: Target, opts: Options) -> EscPosPrinter {
        EscPosPrinter { target, opts, transport: None }
    }

    fn transport(&mut self) -> Result<&mut Box<dyn Transport>, PrintError> {
        if self.transport.is_none() {
            let t = self.target.open().map_err(|e| {
                tracing::warn!("printer {}: {e}", self.target);
                PrintError::NoAnswer
            })?;
            self.transport = Some(t);
        }
        self.transport.as_mut().ok_or(PrintError::NoAnswer)
    }

    /// Sends the slip's bytes (no status check): for `kiosk print --out`.
    pub fn send(&mut self, bytes: &[u8]) -> Result<(), PrintError> {
        let target = self.target.to_string();
        let t = self.transport()?;
        if let Err(e) = t.write_all(bytes) {
            tracing::warn!("printer {target}: {e}");
            self.transport = None;
            return Err(if e.kind() == std::io::ErrorKind::TimedOut {
                PrintError::Offline
            } else {
                PrintError::Failed(format!("the printer stopped taking data: {e}"))
            });
        }
        Ok(())
    }
}

/// One real-time status request and its answer byte.
fn ask(t: &mut Box<dyn Transport>, n: u8) -> std::io::Result<Option<u8>> {
    t.discard_input();
    t.write_all(&[0x10, 0x04, n])?;
    t.read_byte(STATUS_TIMEOUT)
}

/// What the three status answers mean together (`None`: no answer).
pub fn interpret(printer: Option<u8>, offline: Option<u8>, paper: Option<u8>) -> PrinterStatus {
    // Every answer matches 0xx1xx10; anything else is not a status byte.
    let valid = |b: Option<u8>| b.filter(|b| b & 0x93 == 0x12);
    let (Some(p), Some(o), Some(r)) = (valid(printer), valid(offline), valid(paper)) else {
        return PrinterStatus::NoAnswer;
    };
    if r & 0x60 != 0 || o & 0x20 != 0 {
        PrinterStatus::PaperOut
    } else if o & 0x04 != 0 {
        PrinterStatus::CoverOpen
    } else if p & 0x08 != 0 || o & 0x40 != 0 {
        PrinterStatus::Offline
    } else if r & 0x0C != 0 {
        PrinterStatus::PaperNearEnd
    } else {
        PrinterStatus::Ready
    }
}

/// Spare time on top of a job's own time-outs before the core gives up.
const BUDGET_MARGIN: Duration = Duration::from_secs(3);

impl SlipPrinter for EscPosPrinter {
    fn describe(&self) -> String {
        self.target.to_string()
    }

    /// Opening and three status questions, the longest a write may stall
    /// before the transport gives up, and the bytes at the line speed
    /// (10 bits a byte on a serial line).
    fn budget(&self) -> super::Budget {
        let per_byte = match &self.target {
            super::transport::Target::Serial { baud, .. } => {
                Some(Duration::from_secs_f64(10.0 / f64::from((*baud).max(300))))
            }
            _ => None,
        };
        super::Budget {
            fixed: STATUS_TIMEOUT * 4 + super::transport::WRITE_TIMEOUT + BUDGET_MARGIN,
            per_byte,
            opts: self.opts,
        }
    }

    fn status(&mut self) -> PrinterStatus {
        let Ok(t) = self.transport() else { return PrinterStatus::NoAnswer };
        if !t.can_read() {
            // A file or a write-only device: nothing to ask.
            return PrinterStatus::Ready;
        }
        let answers = (|| -> std::io::Result<_> { Ok((ask(t, 1)?, ask(t, 2)?, ask(t, 4)?)) })();
        match answers {
            Ok((p, o, r)) => {
                let s = interpret(p, o, r);
                if s == PrinterStatus::NoAnswer {
                    self.transport = None;
                }
                s
            }
            Err(e) => {
                tracing::warn!("printer {}: {e}", self.target);
                self.transport = None;
                PrinterStatus::NoAnswer
            }
        }
    }

    fn print(&mut self, slip: &Slip) -> Result<Printed, PrintError> {
        if let Some(e) = PrintError::from_status(self.status()) {
            return Err(e);
        }
        let bytes = encode(slip, &self.opts);
        self.send(&bytes)?;
        // The screen shows what was sent, as the virtual printer draws it.
        let preview = picture(slip, &self.opts).ok().map(|r| Preview {
            width: r.canvas.width(),
            height: r.canvas.height(),
            gray: r.canvas.to_gray(),
        });
        Ok(Printed { preview, file: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_answers_from_the_notes() {
        let ok = Some(0x12);
        assert_eq!(interpret(ok, ok, ok), PrinterStatus::Ready);
        assert_eq!(interpret(Some(0x1A), ok, ok), PrinterStatus::Offline);
        assert_eq!(interpret(ok, Some(0x16), ok), PrinterStatus::CoverOpen);
        assert_eq!(interpret(ok, Some(0x32), ok), PrinterStatus::PaperOut);
        assert_eq!(interpret(ok, Some(0x52), ok), PrinterStatus::Offline);
        assert_eq!(interpret(ok, ok, Some(0x72)), PrinterStatus::PaperOut);
        assert_eq!(interpret(ok, ok, Some(0x7E)), PrinterStatus::PaperOut);
        assert_eq!(interpret(ok, ok, Some(0x1E)), PrinterStatus::PaperNearEnd);
        assert_eq!(interpret(None, ok, ok), PrinterStatus::NoAnswer);
        assert_eq!(interpret(Some(0xFF), ok, ok), PrinterStatus::NoAnswer, "not a status byte");
    }
}
