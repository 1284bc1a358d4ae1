//! The in-process simulated reader (tests, screenshots, and demo mode where
//! no pseudo-terminal can be made): a handle places and removes sample
//! cards, and each card is read through the real driver's find → select →
//! read over an in-memory link to the simulated module ([`MemLink`]), so it
//! reaches the app through the same decoder and parser as a real card,
//! after a configurable delay (a slow module).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::ptysim::{MemLink, SimModule};
use super::samples::Sample;
use super::serial::{ReadOutcome, Reader, read_card};
use super::{CardEvent, ReaderStatus};
use crate::devices::EventSink;

/// Controls the simulated reader; cheap to clone.
#[derive(Clone)]
pub struct SimCardReader {
    sink: EventSink<CardEvent>,
    state: Arc<Mutex<SimState>>,
}

struct SimState {
    on_reader: Option<Sample>,
    read_delay: Duration,
    plugged_in: bool,
}

impl SimCardReader {
    /// A reader that delivers to `sink` and reports itself ready.
    pub fn new(sink: EventSink<CardEvent>) -> SimCardReader {
        let r = SimCardReader {
            sink,
            state: Arc::new(Mutex::new(SimState {
                on_reader: None,
                read_delay: Duration::ZERO,
                plugged_in: true,
            })),
        };
        (r.sink)(CardEvent::Status(ReaderStatus::Ready));
        r
    }

    /// How long reading a card takes (a real base read is ~0.2 s; slow
    /// modules and 9600 baud take seconds). Delivered from another thread,
    /// as a real reader does.
    pub fn set_read_delay(&self, delay: Duration) {
        self.lock().read_delay = delay;
    }

    /// The sample currently on the reader.
    pub fn on_reader(&self) -> Option<Sample> {
        self.lock().on_reader
    }

    /// Puts a card on the reader (replacing any other, which is lifted first).
    pub fn place(&self, sample: Sample) {
        let (delay, previous) = {
            let mut s = self.lock();
            if !s.plugged_in {
                return;
            }
            (s.read_delay, s.on_reader.replace(sample))
        };
        if previous.is_some() {
            (self.sink)(CardEvent::Removed);
        }
        let event = read_through_protocol(sample);
        if delay.is_zero() {
            (self.sink)(event);
        } else {
            let sink = self.sink.clone();
            let me = self.clone();
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                // Lifted (or swapped) while it was being read: nothing arrives.
                if me.on_reader() == Some(sample) {
                    sink(event);
                }
            });
        }
    }

    /// Lifts the card off the reader.
    pub fn remove(&self) {
        if self.lock().on_reader.take().is_some() {
            (self.sink)(CardEvent::Removed);
        }
    }

    pub fn plugged_in(&self) -> bool {
        self.lock().plugged_in
    }

    /// Unplugs (or plugs back in) the reader's cable.
    pub fn set_plugged_in(&self, plugged: bool) {
        let had_card = {
            let mut s = self.lock();
            s.plugged_in = plugged;
            if plugged { false } else { s.on_reader.take().is_some() }
        };
        if had_card {
            (self.sink)(CardEvent::Removed);
        }
        (self.sink)(CardEvent::Status(if plugged { ReaderStatus::Ready } else { ReaderStatus::Missing }));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        // A panic while holding this lock leaves plain data: keep going.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The demo drawer's handle on whichever simulated reader runs: the
/// in-process one, or the module on a pseudo-terminal that the real serial
/// driver reads (demo mode on Linux).
pub enum SimReader {
    InProcess(SimCardReader),
    Pty(super::ptysim::PtyReaderSim),
}

/// How long each reply of the pseudo-terminal module takes when "slow":
/// within every timeout of the driver, so the read still succeeds, about a
/// second in all.
const PTY_SLOW_REPLY: Duration = Duration::from_millis(200);

impl SimReader {
    pub fn place(&self, s: Sample) {
        match self {
            SimReader::InProcess(r) => r.place(s),
            SimReader::Pty(p) => p.place(s),
        }
    }

    pub fn remove(&self) {
        match self {
            SimReader::InProcess(r) => r.remove(),
            SimReader::Pty(p) => p.remove(),
        }
    }

    pub fn on_reader(&self) -> Option<Sample> {
        match self {
            SimReader::InProcess(r) => r.on_reader(),
            SimReader::Pty(p) => p.on_reader(),
        }
    }

    /// A slow module: the in-process reader takes `in_process` per card.
    pub fn set_slow(&self, slow: bool, in_process: Duration) {
        match self {
            SimReader::InProcess(r) => r.set_read_delay(if slow { in_process } else { Duration::ZERO }),
            SimReader::Pty(p) => {
                p.behave(|b| b.reply_delay = if slow { PTY_SLOW_REPLY } else { Duration::ZERO })
            }
        }
    }

    pub fn plugged_in(&self) -> bool {
        match self {
            SimReader::InProcess(r) => r.plugged_in(),
            SimReader::Pty(p) => p.plugged_in(),
        }
    }

    pub fn set_plugged_in(&self, plugged: bool) {
        match self {
            SimReader::InProcess(r) => r.set_plugged_in(plugged),
            SimReader::Pty(p) => p.set_plugged(plugged),
        }
    }
}

/// The event a real reader would deliver for this card.
fn read_through_protocol(sample: Sample) -> CardEvent {
    let mut module = SimModule::default();
    module.place_sample(sample);
    match read_card(&mut Reader::new(MemLink::new(module), 115_200)) {
        Ok(ReadOutcome::Card(card)) => CardEvent::Placed(card),
        // The samples are valid cards (tested); anything else is a bug
        // worth seeing in the status rather than a panic.
        other => {
            tracing::error!("simulated card {}: {other:?}", sample.key());
            CardEvent::Status(ReaderStatus::ReadFailed(super::ReadProblem::Unreadable(0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorder() -> (EventSink<CardEvent>, Arc<Mutex<Vec<CardEvent>>>) {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        (Arc::new(move |e| l.lock().unwrap().push(e)), log)
    }

    #[test]
    fn place_swap_remove_unplug() {
        let (sink, log) = recorder();
        let r = SimCardReader::new(sink);
        r.place(Sample::Resident);
        r.place(Sample::Expired);
        r.remove();
        r.remove();
        r.place(Sample::HongKongPermit);
        r.set_plugged_in(false);
        r.place(Sample::Resident);
        let kinds: Vec<String> = log
            .lock()
            .unwrap()
            .iter()
            .map(|e| match e {
                CardEvent::Placed(c) => format!("placed {}", c.masked_id()),
                CardEvent::Removed => "removed".into(),
                CardEvent::Status(s) => format!("{s:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "Ready",
                "placed 3502**********1233",
                "removed",
                "placed 3502**********2040",
                "removed",
                "placed 8100**********1248",
                "removed",
                "Missing"
            ]
        );
    }

    #[test]
    fn a_card_lifted_during_a_slow_read_never_arrives() {
        let (sink, log) = recorder();
        let r = SimCardReader::new(sink);
        r.set_read_delay(Duration::from_millis(150));
        r.place(Sample::Resident);
        r.remove();
        std::thread::sleep(Duration::from_millis(300));
        assert!(!log.lock().unwrap().iter().any(|e| matches!(e, CardEvent::Placed(_))));
    }
}
