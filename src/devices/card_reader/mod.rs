//! The ID-card reader: the SAM frame protocol ([`protocol`], [`text`]), the
//! serial driver ([`serial`]), a simulated reader that speaks the protocol
//! over a pseudo-terminal ([`ptysim`]), the in-process reader of tests and
//! screenshots ([`sim`]) and the sample cards they present ([`samples`]).
//!
//! Every reader delivers the same [`CardEvent`]s to the app core, and every
//! card reaches it through [`text::parse_text`], simulated or not.

pub mod poller;
pub mod ports;
pub mod protocol;
pub mod ptysim;
pub mod samples;
pub mod serial;
pub mod sim;
pub mod text;

use std::fmt;
use std::path::PathBuf;

use crate::domain::card::IdCard;
use samples::Sample;

/// A card reader as the core holds it, whichever it is (the serial driver,
/// the simulated module on a pseudo-terminal, the in-process simulator):
/// it delivers [`CardEvent`]s to the sink it was built with and stops when
/// dropped. Built from configuration in `devices::setup`.
pub trait CardReader: Send {
    /// Which reader this is, for logs and the staff page.
    fn describe(&self) -> String;
    /// The serial port in use, once one answers.
    fn port(&self) -> Option<PathBuf> {
        None
    }
    /// The simulator's controls, when the reader is simulated.
    fn simulator(&self) -> Option<&dyn CardSimulator> {
        None
    }
}

/// Controls of a simulated reader (the demo drawer, tests).
pub trait CardSimulator {
    /// Puts a sample card on the reader (replacing any other).
    fn place(&self, s: Sample);
    /// Lifts the card off.
    fn remove(&self);
    fn on_reader(&self) -> Option<Sample>;
    /// A slow module (to show that the screen never waits).
    fn set_slow(&self, slow: bool);
    fn plugged_in(&self) -> bool;
    /// Pulls the cable out (`false`) or plugs it back in.
    fn set_plugged_in(&self, plugged: bool);
}

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
