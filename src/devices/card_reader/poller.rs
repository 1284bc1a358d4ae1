//! The polling thread the kiosk runs ([`SerialCardReader`]): connect (the
//! configured port, or the first candidate that answers the status
//! command, never an excluded one) → every `poll` find card → when a card
//! appears, select and read it once → keep finding until it is lifted (two
//! "no card" answers in a row) → repeat. Three unanswered polls or an I/O
//! error mean the reader is gone: report [`ReaderStatus::Missing`] and look
//! again, less and less often while nothing answers.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::ports::{PortChoice, ReaderConfig, candidates, detect};
use super::protocol::{Command, SwClass};
use super::serial::{LinkError, ReadOutcome, Reader, SerialLink, read_found_card};
use super::{CardEvent, ReaderStatus};
use crate::devices::EventSink;

/// The reader the kiosk runs: a thread polling the port, delivering
/// [`CardEvent`]s. Stops when dropped.
///
/// Should the poll loop ever panic (a bug), the thread reports the reader
/// missing, logs the panic and starts the loop again after a pause that
/// doubles up to a minute: a worker sees "reader not ready", never a
/// reader that silently stopped.
pub struct SerialCardReader {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    describe: String,
    /// The port last connected to.
    port: Arc<std::sync::Mutex<Option<PathBuf>>>,
}

impl SerialCardReader {
    pub fn spawn(cfg: ReaderConfig, sink: EventSink<CardEvent>) -> SerialCardReader {
        let stop = Arc::new(AtomicBool::new(false));
        let port = Arc::new(std::sync::Mutex::new(None));
        let describe = match &cfg.port {
            PortChoice::Auto => format!("serial, auto-detected, {} baud", cfg.baud),
            PortChoice::Path(p) => format!("serial {} at {} baud", p.display(), cfg.baud),
        };
        let (s, p) = (stop.clone(), port.clone());
        let thread = std::thread::Builder::new()
            .name("card-reader".into())
            .spawn(move || {
                let mut pause = Duration::from_secs(1);
                while !s.load(Ordering::SeqCst) {
                    let mut poller = Poller::new(cfg.clone(), sink.clone(), p.clone());
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| poller.run(&s)));
                    let Err(panic) = run else { return };
                    tracing::error!(
                        "the card reader's poll loop panicked (a bug): {}; restarting in {pause:?}",
                        crate::panic_message(&*panic)
                    );
                    sink(CardEvent::Status(ReaderStatus::Missing));
                    sleep_unless(&s, pause);
                    pause = (pause * 2).min(Duration::from_secs(60));
                }
            })
            .map_err(|e| tracing::error!("cannot start the card reader thread: {e}"))
            .ok();
        SerialCardReader { stop, thread, describe, port }
    }
}

impl super::CardReader for SerialCardReader {
    fn describe(&self) -> String {
        self.describe.clone()
    }
    fn port(&self) -> Option<PathBuf> {
        self.port.lock().ok()?.clone()
    }
}

impl Drop for SerialCardReader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How often a missing reader is looked for, at first; in `auto` mode the
/// pause doubles while nothing answers, up to [`RECONNECT_MAX`], and starts
/// again from here when a serial device appears or goes.
const RECONNECT_EVERY: Duration = Duration::from_millis(500);
const RECONNECT_MAX: Duration = Duration::from_secs(8);

/// The pause before the next look for a reader after `failures` looks in a
/// row found none: a fixed port is cheap to try; probing every serial
/// device twice a second for hours is not (and disturbs other devices).
pub fn reconnect_pause(auto: bool, failures: u32) -> Duration {
    if !auto {
        return RECONNECT_EVERY;
    }
    (RECONNECT_EVERY * 2u32.saturating_pow(failures.min(8))).min(RECONNECT_MAX)
}

/// Whether `port` is one of `excluded`, comparing the devices they lead
/// to (`/dev/gig-kiosk/printer` and `/dev/ttyUSB1` are the same port).
pub fn is_excluded(port: &Path, excluded: &[PathBuf]) -> bool {
    let real = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let port = real(port);
    excluded.iter().any(|e| real(e) == port)
}
/// How often UARTs are probed again when the port is `auto` (they may be
/// anything, so rarely).
const UART_PROBE_EVERY: Duration = Duration::from_secs(30);
/// Unanswered polls before the reader counts as gone.
const MISSES_TO_MISSING: u32 = 3;
/// "No card" answers in a row before a read card counts as lifted.
const ABSENT_TO_REMOVED: u32 = 2;

struct Poller {
    cfg: ReaderConfig,
    sink: EventSink<CardEvent>,
    /// Shared with the handle: the port in use.
    port: Arc<std::sync::Mutex<Option<PathBuf>>>,
    /// Looks in a row that found no reader, and the candidates they saw.
    failures: u32,
    seen: Vec<PathBuf>,
    status: Option<ReaderStatus>,
    /// A card was read and has not been lifted since.
    card_on: bool,
    absent: u32,
    misses: u32,
    /// The port last found in `auto` mode, tried first.
    last_port: Option<PathBuf>,
    last_uart_probe: Option<Instant>,
}

impl Poller {
    fn new(
        cfg: ReaderConfig,
        sink: EventSink<CardEvent>,
        port: Arc<std::sync::Mutex<Option<PathBuf>>>,
    ) -> Poller {
        Poller {
            cfg,
            sink,
            port,
            failures: 0,
            seen: Vec::new(),
            status: None,
            card_on: false,
            absent: 0,
            misses: 0,
            last_port: None,
            last_uart_probe: None,
        }
    }

    fn run(&mut self, stop: &AtomicBool) {
        let auto = self.cfg.port == PortChoice::Auto;
        while !stop.load(Ordering::SeqCst) {
            if let Some((port, reader)) = self.connect() {
                tracing::info!("card reader on {}", port.display());
                self.failures = 0;
                if let Ok(mut p) = self.port.lock() {
                    *p = Some(port.clone());
                }
                self.serve(reader, stop);
                if !stop.load(Ordering::SeqCst) {
                    tracing::warn!("card reader on {} lost", port.display());
                }
            } else {
                self.failures = self.failures.saturating_add(1);
            }
            self.lift_card();
            if !stop.load(Ordering::SeqCst) {
                self.set_status(ReaderStatus::Missing);
            }
            // Wait, but look again at once when a serial device comes or goes.
            let until = Instant::now() + reconnect_pause(auto, self.failures);
            while !stop.load(Ordering::SeqCst) && Instant::now() < until {
                sleep_unless(
                    stop,
                    Duration::from_millis(250).min(until.saturating_duration_since(Instant::now())),
                );
                if auto && self.candidates_changed() {
                    self.failures = 0;
                    break;
                }
            }
        }
    }

    /// The USB serial candidates (UARTs are fixed) differ from the last look.
    fn candidates_changed(&mut self) -> bool {
        let now = candidates(&self.cfg.dev_dir, false);
        if now != self.seen {
            self.seen = now;
            return true;
        }
        false
    }

    /// Opens the configured port, or the first candidate that answers.
    fn connect(&mut self) -> Option<(PathBuf, Reader<SerialLink>)> {
        let ports = match &self.cfg.port {
            PortChoice::Path(p) => vec![p.clone()],
            PortChoice::Auto => {
                let uarts = self.last_uart_probe.is_none_or(|t| t.elapsed() >= UART_PROBE_EVERY);
                if uarts {
                    self.last_uart_probe = Some(Instant::now());
                }
                self.seen = candidates(&self.cfg.dev_dir, false);
                let mut v: Vec<PathBuf> = self.last_port.iter().cloned().collect();
                v.extend(candidates(&self.cfg.dev_dir, uarts));
                // Never the printer's port: a probe is garbage to a printer.
                v.retain(|p| !is_excluded(p, &self.cfg.exclude));
                v.dedup();
                v
            }
        };
        let answering = if self.cfg.port == PortChoice::Auto && ports.len() > 1 {
            detect(&ports, self.cfg.baud, Duration::from_millis(300))
                .into_iter()
                .find(|p| p.result.is_ok())
                .map(|p| p.port)
        } else {
            ports.into_iter().next()
        }?;
        let link = SerialLink::open(&answering, self.cfg.baud)
            .map_err(|e| tracing::debug!("{}: {e}", answering.display()))
            .ok()?;
        let mut reader = Reader::new(link, self.cfg.baud);
        match reader.transact(Command::ModuleStatus) {
            Ok(r) if r.sw3.class() == SwClass::ModuleFault => {
                self.set_status(ReaderStatus::ModuleFault(r.sw3.0))
            }
            Ok(_) => self.set_status(ReaderStatus::Ready),
            Err(e) => {
                tracing::debug!("{}: {e}", answering.display());
                return None;
            }
        }
        if self.cfg.port == PortChoice::Auto {
            self.last_port = Some(answering.clone());
        }
        Some((answering, reader))
    }

    /// Polls until the reader is gone or `stop`.
    fn serve(&mut self, mut reader: Reader<SerialLink>, stop: &AtomicBool) {
        self.misses = 0;
        while !stop.load(Ordering::SeqCst) {
            let started = Instant::now();
            match self.poll_once(&mut reader) {
                Ok(()) => self.misses = 0,
                Err(LinkError::Gone(e)) => {
                    tracing::warn!("card reader: {e}");
                    return;
                }
                Err(e) => {
                    self.misses += 1;
                    tracing::debug!("card reader: {e} ({} in a row)", self.misses);
                    if self.misses >= MISSES_TO_MISSING {
                        return;
                    }
                }
            }
            let pause = match self.status {
                // A broken module is asked again now and then, not hammered.
                Some(ReaderStatus::ModuleFault(_)) => Duration::from_secs(1),
                _ => self.cfg.poll,
            };
            sleep_unless(stop, pause.saturating_sub(started.elapsed()));
        }
    }

    fn poll_once(&mut self, r: &mut Reader<SerialLink>) -> Result<(), LinkError> {
        if let Some(ReaderStatus::ModuleFault(_)) = self.status {
            let s = r.transact(Command::ModuleStatus)?;
            if s.sw3.class() == SwClass::ModuleFault {
                self.set_status(ReaderStatus::ModuleFault(s.sw3.0));
                return Ok(());
            }
            self.set_status(ReaderStatus::Ready);
        }
        let found = r.transact(Command::FindCard)?;
        match found.sw3.class() {
            SwClass::Ok => {
                self.absent = 0;
                if self.card_on {
                    // One read per placement.
                    return Ok(());
                }
                match read_found_card(r)? {
                    ReadOutcome::Card(card) => {
                        tracing::info!("card read: {card}");
                        self.set_status(ReaderStatus::Ready);
                        self.card_on = true;
                        (self.sink)(CardEvent::Placed(card));
                    }
                    ReadOutcome::Problem(p) => self.set_status(ReaderStatus::ReadFailed(p)),
                    ReadOutcome::ModuleFault(c) => self.set_status(ReaderStatus::ModuleFault(c)),
                    ReadOutcome::NoCard => {}
                }
            }
            SwClass::ModuleFault => self.set_status(ReaderStatus::ModuleFault(found.sw3.0)),
            _ => {
                if self.card_on {
                    self.absent += 1;
                    if self.absent >= ABSENT_TO_REMOVED {
                        self.lift_card();
                    }
                } else if matches!(self.status, Some(ReaderStatus::ReadFailed(_))) {
                    // The card that could not be read was taken away.
                    self.set_status(ReaderStatus::Ready);
                }
            }
        }
        Ok(())
    }

    fn lift_card(&mut self) {
        self.absent = 0;
        if std::mem::take(&mut self.card_on) {
            (self.sink)(CardEvent::Removed);
        }
    }

    fn set_status(&mut self, s: ReaderStatus) {
        if self.status.as_ref() != Some(&s) {
            tracing::info!("card reader: {s}");
            self.status = Some(s.clone());
            (self.sink)(CardEvent::Status(s));
        }
    }
}

/// Sleeps `d` in short steps, returning early once `stop` is set.
fn sleep_unless(stop: &AtomicBool, d: Duration) {
    let until = Instant::now() + d;
    while !stop.load(Ordering::SeqCst) {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}
