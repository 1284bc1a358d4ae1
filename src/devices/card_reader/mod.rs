//! The ID-card reader: events the app core receives.
//!
//! The serial protocol driver comes with its own issue; here are the events
//! every reader produces and the simulated reader of demo mode.

pub mod samples;
pub mod sim;

use crate::domain::card::IdCard;

/// What the reader reports.
#[derive(Debug, Clone, PartialEq)]
pub enum CardEvent {
    /// A card was put on the reader and read.
    Placed(Box<IdCard>),
    /// The card was taken away.
    Removed,
    /// The reader itself changed state.
    Status(ReaderStatus),
}

/// The reader's health, for the staff status page and the worker's hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderStatus {
    Ready,
    /// No reader answers (unplugged, wrong port).
    Missing,
    /// The reader answers but cannot read cards (module fault).
    Faulty(String),
    /// A card is on the reader but could not be read (moved too soon, damaged).
    ReadFailed,
}

impl ReaderStatus {
    pub fn is_ready(&self) -> bool {
        matches!(self, ReaderStatus::Ready | ReaderStatus::ReadFailed)
    }
}
