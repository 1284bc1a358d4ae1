//! The slip printer.
//!
//! A printer is driven from its own worker thread ([`worker::PrinterWorker`])
//! so that a slow or stuck printer never holds up anything else. Before
//! printing, the status is asked (paper, cover, online); a slip is reported
//! printed only when the printer took all of it.

pub mod escpos;
pub mod sim;
pub mod transport;
pub mod worker;

use std::path::PathBuf;

use crate::slip::Slip;

/// What the printer says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterStatus {
    Ready,
    /// Paper running low: still prints.
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    Offline,
    /// Nothing answers (unplugged, switched off, wrong port).
    NoAnswer,
}

impl PrinterStatus {
    pub fn can_print(self) -> bool {
        matches!(self, PrinterStatus::Ready | PrinterStatus::PaperNearEnd)
    }
}

/// Why a slip was not printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("the printer is out of paper")]
    PaperOut,
    #[error("the printer's cover is open")]
    CoverOpen,
    #[error("the printer is offline")]
    Offline,
    #[error("the printer does not answer")]
    NoAnswer,
    #[error("printing failed: {0}")]
    Failed(String),
}

impl PrintError {
    /// The error for a status that cannot print.
    pub fn from_status(s: PrinterStatus) -> Option<PrintError> {
        match s {
            PrinterStatus::Ready | PrinterStatus::PaperNearEnd => None,
            PrinterStatus::PaperOut => Some(PrintError::PaperOut),
            PrinterStatus::CoverOpen => Some(PrintError::CoverOpen),
            PrinterStatus::Offline => Some(PrintError::Offline),
            PrinterStatus::NoAnswer => Some(PrintError::NoAnswer),
        }
    }
}

/// A slip that came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// A picture of the slip (grey, 0 = black), when the printer can make one.
    pub preview: Option<Preview>,
    /// Where a copy was written (the simulated printer's PNG).
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub width: u32,
    pub height: u32,
    pub gray: Vec<u8>,
}

pub trait SlipPrinter: Send {
    /// Asks the printer how it is (a real-time query where the transport
    /// can answer).
    fn status(&mut self) -> PrinterStatus;
    /// Prints a slip; returns only when the printer accepted all of it.
    fn print(&mut self, slip: &Slip) -> Result<Printed, PrintError>;
    /// Which printer this is, for logs and the staff page.
    fn describe(&self) -> String;
    /// How long a job may take at most, for the core's time-out.
    fn budget(&self) -> Budget;
}

/// How long a print job may take: the printer's fixed costs and its own
/// time-outs, plus the slip's bytes at the line's speed. Past that, nothing
/// is coming (a driver stuck in the kernel, a dead thread).
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub fixed: std::time::Duration,
    /// Time per byte on the wire (`None`: not bound by a line speed).
    pub per_byte: Option<std::time::Duration>,
    /// How slips are encoded, to count their bytes.
    pub opts: crate::slip::escpos::Options,
}

impl Budget {
    pub fn for_slip(&self, slip: &Slip) -> std::time::Duration {
        let wire = self.per_byte.map_or(std::time::Duration::ZERO, |b| {
            b * crate::slip::escpos::encode(slip, &self.opts).len() as u32
        });
        self.fixed + wire
    }
}
