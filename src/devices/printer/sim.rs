//! The simulated printer: "prints" by rendering the slip to a PNG in the
//! data directory, after a delay like a real printer's, and can be told to
//! run out of paper.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::{Preview, PrintError, Printed, PrinterStatus, SlipPrinter};
use crate::slip::Slip;

/// Switches shared with whoever drives the simulation (the demo drawer).
#[derive(Debug, Clone, Default)]
pub struct SimPrinterControls {
    pub paper_out: Arc<AtomicBool>,
    /// Milliseconds a slip takes to print.
    pub delay_ms: Arc<AtomicU64>,
    /// Slow as a printer at 9600 baud with a long slip ([`SLOW`]).
    pub slow: Arc<AtomicBool>,
}

/// How long a slip takes on a "slow" simulated printer.
pub const SLOW: Duration = Duration::from_secs(3);

pub struct SimPrinter {
    dir: PathBuf,
    controls: SimPrinterControls,
    printed: u64,
    opts: crate::slip::escpos::Options,
}

impl SimPrinter {
    /// A printer writing PNGs into `dir` (created when the first slip prints).
    pub fn new(dir: PathBuf, controls: SimPrinterControls) -> SimPrinter {
        SimPrinter { dir, controls, printed: 0, opts: Default::default() }
    }

    /// Encodes as this printer setting would (charset, QR mode, finish).
    pub fn with_options(mut self, opts: crate::slip::escpos::Options) -> SimPrinter {
        self.opts = opts;
        self
    }
}

impl SlipPrinter for SimPrinter {
    fn describe(&self) -> String {
        format!("simulated (slips as PNG in {})", self.dir.display())
    }

    /// The slowest the simulation prints, and a margin as a real one has.
    fn budget(&self) -> super::Budget {
        let normal = Duration::from_millis(self.controls.delay_ms.load(Ordering::SeqCst));
        super::Budget { fixed: SLOW.max(normal) + Duration::from_secs(5), per_byte: None, opts: self.opts }
    }

    fn status(&mut self) -> PrinterStatus {
        if self.controls.paper_out.load(Ordering::SeqCst) {
            PrinterStatus::PaperOut
        } else {
            PrinterStatus::Ready
        }
    }

    fn print(&mut self, slip: &Slip) -> Result<Printed, PrintError> {
        if let Some(e) = PrintError::from_status(self.status()) {
            return Err(e);
        }
        let delay = if self.controls.slow.load(Ordering::SeqCst) {
            SLOW
        } else {
            Duration::from_millis(self.controls.delay_ms.load(Ordering::SeqCst))
        };
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        // Through the bytes a real printer would get, so the picture shows
        // what the encoder sends.
        let c = crate::slip::picture(slip, &self.opts).map_err(|e| PrintError::Failed(e.to_string()))?.canvas;
        let png = c.to_png().map_err(|e| PrintError::Failed(e.to_string()))?;
        self.printed += 1;
        let name = format!(
            "slip-{}-{}-{:03}.png",
            // A file name only: the machine's local time is what a
            // developer looking in the folder expects.
            chrono::Local::now().format("%Y%m%d-%H%M%S"),
            std::process::id(),
            self.printed
        );
        let file = self.dir.join(name);
        std::fs::create_dir_all(&self.dir)
            .and_then(|_| std::fs::write(&file, png))
            .map_err(|e| PrintError::Failed(format!("cannot write {}: {e}", file.display())))?;
        Ok(Printed {
            preview: Some(Preview { width: c.width(), height: c.height(), gray: c.to_gray() }),
            file: Some(file),
        })
    }
}
