//! The ID-card reader: the SAM frame protocol ([`protocol`], [`text`]), the
//! serial driver ([`serial`]), a simulated reader that speaks the protocol
//! over a pseudo-terminal ([`ptysim`]), the in-process reader of tests and
//! screenshots ([`sim`]) and the sample cards they present ([`samples`]).
//!
//! Every reader delivers the same [`CardEvent`]s to the app core, and every
//! card reaches it through [`text::parse_text`], simulated or not.

pub mod protocol;
pub mod ptysim;
pub mod samples;
pub mod serial;
pub mod sim;
pub mod text;

use std::fmt;

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

/// The reader's health, for the staff status and the worker's hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderStatus {
    Ready,
    /// No reader answers (unplugged, wrong port).
    Missing,
    /// The reader answers but its module cannot work (SW3 60 self-test
    /// failed, 66 not authorised): a technician's job.
    ModuleFault(u8),
    /// A card is on the reader but could not be read.
    ReadFailed(ReadProblem),
}

/// Why a card on the reader could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadProblem {
    /// Not an ID card (a bank or transport card; SW3 40, or select refused).
    NotAnIdCard,
    /// Moved away too soon, or a worn chip: the card's error code (SW3 31,
    /// 32, 33, 41, 47), or 0 when the reply stopped half way or arrived
    /// garbled.
    Unreadable(u8),
}

impl ReaderStatus {
    /// Whether a worker can use the reader (a failed read is the card's
    /// problem, not the reader's).
    pub fn is_ready(&self) -> bool {
        matches!(self, ReaderStatus::Ready | ReaderStatus::ReadFailed(_))
    }

    /// A short word for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ReaderStatus::Ready => "ready",
            ReaderStatus::Missing => "missing",
            ReaderStatus::ModuleFault(_) => "module-fault",
            ReaderStatus::ReadFailed(ReadProblem::NotAnIdCard) => "not-id-card",
            ReaderStatus::ReadFailed(ReadProblem::Unreadable(_)) => "read-failed",
        }
    }
}

/// For staff and logs (English, with the protocol's codes).
impl fmt::Display for ReaderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use protocol::Sw3;
        match self {
            ReaderStatus::Ready => write!(f, "ready"),
            ReaderStatus::Missing => write!(f, "no reader answers"),
            ReaderStatus::ModuleFault(c) => write!(f, "module fault: SW3 {}", Sw3(*c)),
            ReaderStatus::ReadFailed(ReadProblem::NotAnIdCard) => write!(f, "the card is not an ID card"),
            ReaderStatus::ReadFailed(ReadProblem::Unreadable(0)) => {
                write!(f, "card read failed: reply incomplete or garbled")
            }
            ReaderStatus::ReadFailed(ReadProblem::Unreadable(c)) => {
                write!(f, "card read failed: SW3 {}", Sw3(*c))
            }
        }
    }
}
