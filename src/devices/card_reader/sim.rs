//! The in-process simulated reader (tests, screenshots, and demo mode where
//! no pseudo-terminal can be made): a handle places and removes sample
//! cards, and each card is read through the real driver's find → select →
//! read over an in-memory link to the simulated module ([`MemLink`]), so it
//! reaches the app through the same decoder and parser as a real card,
//! after a configurable delay (a slow module).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::ptysim::{MemLink, PtyReaderSim, SimModule};
use super::samples::Sample;
use super::serial::{PortChoice, ReadOutcome, Reader, ReaderConfig, SerialCardReader, read_card};
use super::{CardEvent, CardReader, CardSimulator, ReaderStatus};
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
    /// The delay to return to when "slow" is switched off.
    normal_delay: Option<Duration>,
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
                normal_delay: None,
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

/// How long the in-process reader takes per card when "slow".
const SLOW_READ: Duration = Duration::from_secs(3);

/// How long each reply of the pseudo-terminal module takes when "slow":
/// within every timeout of the driver, so the read still succeeds, about a
/// second in all.
const PTY_SLOW_REPLY: Duration = Duration::from_millis(200);

impl CardReader for SimCardReader {
    fn describe(&self) -> String {
        "simulated (in-process)".into()
    }
    fn simulator(&self) -> Option<&dyn CardSimulator> {
        Some(self)
    }
}

impl CardSimulator for SimCardReader {
    fn place(&self, s: Sample) {
        SimCardReader::place(self, s)
    }
    fn remove(&self) {
        SimCardReader::remove(self)
    }
    fn on_reader(&self) -> Option<Sample> {
        SimCardReader::on_reader(self)
    }
    fn set_slow(&self, slow: bool) {
        let mut s = self.lock();
        if slow {
            s.normal_delay = Some(s.normal_delay.unwrap_or(s.read_delay));
            s.read_delay = SLOW_READ;
        } else if let Some(d) = s.normal_delay.take() {
            s.read_delay = d;
        }
    }
    fn plugged_in(&self) -> bool {
        SimCardReader::plugged_in(self)
    }
    fn set_plugged_in(&self, plugged: bool) {
        SimCardReader::set_plugged_in(self, plugged)
    }
}

/// The demo's reader: the simulated module on a pseudo-terminal, read by
/// the real serial driver, so cards go through the same code as at a
/// station.
pub struct PtySimulatedReader {
    /// Declared first: dropped (its thread stopped) before the module.
    reader: SerialCardReader,
    sim: PtyReaderSim,
}

impl PtySimulatedReader {
    /// Starts the module behind `link` and the driver reading it.
    pub fn start(link: &std::path::Path, sink: EventSink<CardEvent>) -> std::io::Result<PtySimulatedReader> {
        let sim = PtyReaderSim::start(link, 115_200)?;
        let cfg = ReaderConfig::new(PortChoice::Path(sim.path().to_path_buf()), 115_200);
        Ok(PtySimulatedReader { reader: SerialCardReader::spawn(cfg, sink), sim })
    }
}

impl CardReader for PtySimulatedReader {
    fn describe(&self) -> String {
        format!("simulated module on {}", self.sim.path().display())
    }
    fn simulator(&self) -> Option<&dyn CardSimulator> {
        Some(self)
    }
    fn port(&self) -> Option<std::path::PathBuf> {
        self.reader.port()
    }
}

impl CardSimulator for PtySimulatedReader {
    fn place(&self, s: Sample) {
        self.sim.place(s)
    }
    fn remove(&self) {
        self.sim.remove()
    }
    fn on_reader(&self) -> Option<Sample> {
        self.sim.on_reader()
    }
    fn set_slow(&self, slow: bool) {
        self.sim.behave(|b| b.reply_delay = if slow { PTY_SLOW_REPLY } else { Duration::ZERO })
    }
    fn plugged_in(&self) -> bool {
        self.sim.plugged_in()
    }
    fn set_plugged_in(&self, plugged: bool) {
        self.sim.set_plugged(plugged)
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
        // The next card's arrival is the signal; the lifted one can only
        // arrive while it is on the reader, which it never is again.
        r.place(Sample::HongKongPermit);
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        let placed = |log: &Mutex<Vec<CardEvent>>| -> Vec<String> {
            log.lock()
                .unwrap()
                .iter()
                .filter_map(|e| match e {
                    CardEvent::Placed(c) => Some(c.masked_id()),
                    _ => None,
                })
                .collect()
        };
        while placed(&log).is_empty() {
            assert!(std::time::Instant::now() < deadline, "the second card never arrived");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(placed(&log), ["8100**********1248"], "only the card still on the reader");
    }
}
