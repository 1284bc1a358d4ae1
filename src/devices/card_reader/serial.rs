//! The real reader, on a serial port: request/reply transactions with the
//! protocol's timeouts ([`Reader`]), one card read ([`read_card`]), port
//! detection ([`detect`]) and the polling thread the kiosk runs
//! ([`SerialCardReader`]), which survives garbage, broken frames, module
//! faults and the cable being pulled and plugged back in.
//!
//! The poll loop: connect (the configured port, or the first candidate
//! that answers the status command) → every `poll` find card → when a card
//! appears, select and read it once → keep finding until it is lifted
//! (two "no card" answers in a row) → repeat. Three unanswered polls or an
//! I/O error mean the reader is gone: report [`ReaderStatus::Missing`] and
//! try to connect again every 500 ms.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::protocol::{Command, Decoder, FrameError, Reply, SwClass, split_base_info, wire_time};
use super::text::parse_text;
use super::{CardEvent, ReadProblem, ReaderStatus};
use crate::devices::EventSink;
use crate::domain::card::IdCard;

/// A byte link to a reader.
pub trait Link: Send {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Whatever arrives within `timeout`; `Ok(0)` when nothing did.
    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize>;
    /// Drops input not read yet (a late reply to an earlier command).
    fn discard_input(&mut self) -> io::Result<()>;
}

/// A serial port (a USB-serial bridge, a UART or a pseudo-terminal).
pub struct SerialLink {
    port: Box<dyn serialport::SerialPort>,
}

impl SerialLink {
    /// Opens `path` at `baud`, 8N1, no flow control, exclusively.
    pub fn open(path: &Path, baud: u32) -> io::Result<SerialLink> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(io::Error::from)?;
        Ok(SerialLink { port })
    }
}

impl Link for SerialLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.set_timeout(Duration::from_millis(500)).map_err(io::Error::from)?;
        self.port.write_all(bytes)
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port.set_timeout(timeout.max(Duration::from_millis(1))).map_err(io::Error::from)?;
        match self.port.read(buf) {
            // A tty that reports readable and then reads nothing hung up.
            Ok(0) => Err(io::Error::new(io::ErrorKind::BrokenPipe, "the port hung up")),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(0),
            Err(e) => Err(e),
        }
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.port.clear(serialport::ClearBuffer::Input).map_err(io::Error::from)
    }
}

/// Why a transaction got no usable reply.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The port failed: unplugged, or not a port at all.
    #[error("the port failed: {0}")]
    Gone(#[from] io::Error),
    /// Nothing (or only part of a frame) arrived in time.
    #[error("no reply to {cmd} within {ms} ms{}", if *.partial { " (a partial frame arrived)" } else { "" })]
    Timeout { cmd: &'static str, ms: u128, partial: bool },
    /// A frame arrived broken and nothing whole followed it.
    #[error("the reply to {cmd} was garbled: {error}")]
    Garbled { cmd: &'static str, error: FrameError },
}

/// How long to wait after a broken frame for a whole one before giving up.
const GARBLED_GRACE: Duration = Duration::from_millis(40);

/// Request/reply over a link, with the protocol's timeouts.
pub struct Reader<L> {
    link: L,
    decoder: Decoder,
    baud: u32,
}

impl<L: Link> Reader<L> {
    pub fn new(link: L, baud: u32) -> Reader<L> {
        Reader { link, decoder: Decoder::new(), baud }
    }

    /// The timeouts public hosts use (find 800 ms, select 300 ms, read
    /// 1100 ms) at 115 200 baud, lengthened by the extra wire time of the
    /// expected reply at slower speeds (a base read at 9600 baud takes 1.35 s).
    pub fn timeout(&self, cmd: Command) -> Duration {
        let base = match cmd {
            Command::FindCard => 800,
            Command::SelectCard => 300,
            Command::ReadBase | Command::ReadBaseWithFingerprint | Command::ReadNewAddress => 1100,
            _ => 500,
        };
        let n = cmd.expected_reply_len();
        Duration::from_millis(base) + wire_time(n, self.baud).saturating_sub(wire_time(n, 115_200))
    }

    pub fn transact(&mut self, cmd: Command) -> Result<Reply, LinkError> {
        let t = self.timeout(cmd);
        self.transact_within(cmd, t)
    }

    /// Sends `cmd` and waits up to `timeout` for its reply.
    pub fn transact_within(&mut self, cmd: Command, timeout: Duration) -> Result<Reply, LinkError> {
        self.link.discard_input()?;
        self.decoder.reset();
        self.link.send(&cmd.encode())?;
        let start = Instant::now();
        let mut deadline = start + timeout;
        let mut broken: Option<FrameError> = None;
        let mut buf = zeroize::Zeroizing::new([0u8; 512]);
        loop {
            while let Some(frame) = self.decoder.next_frame() {
                let reply = frame.and_then(|mut payload| {
                    let r = Reply::parse(&payload);
                    zeroize::Zeroize::zeroize(&mut payload);
                    r
                });
                match reply {
                    Ok(reply) => return Ok(reply),
                    Err(e) => {
                        tracing::debug!("{}: {e}", cmd.name());
                        broken = Some(e);
                        deadline = deadline.min(Instant::now() + GARBLED_GRACE);
                    }
                }
            }
            let now = Instant::now();
            if now >= deadline {
                let partial = self.decoder.pending() > 0;
                self.decoder.reset();
                return Err(match broken {
                    Some(error) => LinkError::Garbled { cmd: cmd.name(), error },
                    None => LinkError::Timeout { cmd: cmd.name(), ms: timeout.as_millis(), partial },
                });
            }
            let n = self.link.recv(&mut buf[..], deadline - now)?;
            self.decoder.push(&buf[..n]);
        }
    }

    pub fn into_link(self) -> L {
        self.link
    }
}

/// What one attempt to read the card on the reader gave.
#[derive(Debug)]
pub enum ReadOutcome {
    Card(Box<IdCard>),
    NoCard,
    Problem(ReadProblem),
    /// The module cannot work (SW3 60/66).
    ModuleFault(u8),
}

/// The card in a base-info reply, through the text-block parser.
pub fn card_from_reply(reply: &Reply) -> Result<IdCard, ReadProblem> {
    match reply.sw3.class() {
        SwClass::Ok => {}
        _ if reply.sw3.0 == 0x40 => return Err(ReadProblem::NotAnIdCard),
        _ => return Err(ReadProblem::Unreadable(reply.sw3.0)),
    }
    let info = split_base_info(&reply.data).map_err(|e| {
        tracing::warn!("card reply: {e}");
        ReadProblem::Unreadable(0)
    })?;
    parse_text(info.text).map_err(|e| {
        tracing::warn!("card text: {e}");
        ReadProblem::Unreadable(0)
    })
}

/// Find → select → read once. A broken or missing reply after the card was
/// found is the card's problem (moved away mid-read); an I/O error is the
/// reader's.
pub fn read_card<L: Link>(r: &mut Reader<L>) -> Result<ReadOutcome, LinkError> {
    let found = r.transact(Command::FindCard)?;
    match found.sw3.class() {
        SwClass::Ok => {}
        SwClass::ModuleFault => return Ok(ReadOutcome::ModuleFault(found.sw3.0)),
        _ => return Ok(ReadOutcome::NoCard),
    }
    read_found_card(r)
}

/// Select → read, for a card find has just found.
fn read_found_card<L: Link>(r: &mut Reader<L>) -> Result<ReadOutcome, LinkError> {
    let problem = |e: LinkError| match e {
        LinkError::Gone(e) => Err(LinkError::Gone(e)),
        other => {
            tracing::info!("card read: {other}");
            Ok(ReadOutcome::Problem(ReadProblem::Unreadable(0)))
        }
    };
    let selected = match r.transact(Command::SelectCard) {
        Ok(s) => s,
        Err(e) => return problem(e),
    };
    match selected.sw3.class() {
        SwClass::Ok => {}
        SwClass::ModuleFault => return Ok(ReadOutcome::ModuleFault(selected.sw3.0)),
        _ if selected.sw3.0 == 0x40 => return Ok(ReadOutcome::Problem(ReadProblem::NotAnIdCard)),
        _ => return Ok(ReadOutcome::Problem(ReadProblem::Unreadable(selected.sw3.0))),
    }
    let reply = match r.transact(Command::ReadBase) {
        Ok(reply) => reply,
        Err(e) => return problem(e),
    };
    if reply.sw3.class() == SwClass::ModuleFault {
        return Ok(ReadOutcome::ModuleFault(reply.sw3.0));
    }
    Ok(match card_from_reply(&reply) {
        Ok(card) => ReadOutcome::Card(Box::new(card)),
        Err(p) => ReadOutcome::Problem(p),
    })
}

/// Which port the reader is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortChoice {
    /// Try the candidates (`/dev/serial/by-id/*`, `/dev/ttyUSB*`,
    /// `/dev/ttyACM*`, `/dev/ttyS*`) and use the first that answers.
    Auto,
    Path(PathBuf),
}

impl PortChoice {
    pub fn parse(s: &str) -> PortChoice {
        match s.trim() {
            "" | "auto" => PortChoice::Auto,
            p => PortChoice::Path(PathBuf::from(p)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderConfig {
    pub port: PortChoice,
    pub baud: u32,
    /// Time between find-card polls.
    pub poll: Duration,
    /// Ports never probed (the printer's).
    pub exclude: Vec<PathBuf>,
    /// Where candidates are looked for (`/dev`; tests point elsewhere).
    pub dev_dir: PathBuf,
}

impl ReaderConfig {
    pub fn new(port: PortChoice, baud: u32) -> ReaderConfig {
        ReaderConfig {
            port,
            baud,
            poll: Duration::from_millis(50),
            exclude: Vec::new(),
            dev_dir: PathBuf::from("/dev"),
        }
    }
}

/// Candidate ports under `dev` (normally `/dev`): stable `serial/by-id`
/// names first, then USB bridges, then UARTs. A by-id link and the device
/// it points to are listed once (by its by-id name).
pub fn candidates(dev: &Path, include_uarts: bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |p: PathBuf| {
        let real = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if seen.insert(real) {
            out.push(p);
        }
    };
    let list = |dir: &Path, prefix: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by_key(|p| natural_key(p));
        v
    };
    list(&dev.join("serial/by-id"), "").into_iter().for_each(&mut add);
    list(dev, "ttyUSB").into_iter().for_each(&mut add);
    list(dev, "ttyACM").into_iter().for_each(&mut add);
    if include_uarts {
        list(dev, "ttyS").into_iter().for_each(&mut add);
    }
    out
}

/// `ttyS10` after `ttyS9`.
fn natural_key(p: &Path) -> (String, u64) {
    let s = p.to_string_lossy();
    let digits = s.len() - s.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = s.split_at(s.len() - digits);
    (head.to_string(), tail.parse().unwrap_or(0))
}

/// What probing one port found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub port: PathBuf,
    pub result: Result<ProbeAnswer, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeAnswer {
    /// The module status byte.
    pub sw3: u8,
    /// `05.01-…` when the module told it.
    pub sam_id: Option<String>,
}

/// Sends the status command to each port at once (one thread each, so 30
/// silent UARTs cost one timeout, not thirty) and reports what answered.
pub fn detect(ports: &[PathBuf], baud: u32, timeout: Duration) -> Vec<Probe> {
    let handles: Vec<_> = ports
        .iter()
        .cloned()
        .map(|port| {
            std::thread::spawn(move || {
                let result = probe(&port, baud, timeout);
                Probe { port, result }
            })
        })
        .collect();
    handles.into_iter().filter_map(|h| h.join().ok()).collect()
}

fn probe(port: &Path, baud: u32, timeout: Duration) -> Result<ProbeAnswer, String> {
    let link = SerialLink::open(port, baud).map_err(|e| format!("cannot open: {e}"))?;
    let mut r = Reader::new(link, baud);
    let status = r.transact_within(Command::ModuleStatus, timeout).map_err(|e| e.to_string())?;
    let sam_id = r
        .transact_within(Command::SamId, timeout)
        .ok()
        .filter(Reply::is_ok)
        .and_then(|rep| super::protocol::format_sam_id(&rep.data));
    Ok(ProbeAnswer { sw3: status.sw3.0, sam_id })
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::card_reader::ptysim::{Behaviour, MemLink, SimModule};
    use crate::devices::card_reader::samples::Sample;

    fn reader(m: SimModule) -> Reader<MemLink> {
        Reader::new(MemLink::new(m), 115_200)
    }

    #[test]
    fn reads_each_sample_through_the_protocol() {
        for s in Sample::ALL {
            let mut m = SimModule::default();
            m.place_sample(s);
            match read_card(&mut reader(m)).unwrap() {
                ReadOutcome::Card(c) => assert_eq!(*c, s.card(), "{s:?}"),
                other => panic!("{s:?}: {other:?}"),
            }
        }
        assert!(matches!(read_card(&mut reader(SimModule::default())).unwrap(), ReadOutcome::NoCard));
    }

    #[test]
    fn module_faults_card_errors_and_garbage() {
        let mut m = SimModule::default();
        m.behaviour = Behaviour { module_fault: Some(0x66), ..Behaviour::default() };
        assert!(matches!(read_card(&mut reader(m)).unwrap(), ReadOutcome::ModuleFault(0x66)));

        let mut m = SimModule::default();
        m.place_sample(Sample::Resident);
        m.behaviour.card_error = Some(0x41);
        assert!(matches!(
            read_card(&mut reader(m)).unwrap(),
            ReadOutcome::Problem(ReadProblem::Unreadable(0x41))
        ));

        let mut m = SimModule::default();
        m.place_sample(Sample::Resident);
        m.behaviour.card_error = Some(0x40);
        assert!(matches!(read_card(&mut reader(m)).unwrap(), ReadOutcome::Problem(ReadProblem::NotAnIdCard)));

        let mut m = SimModule::default();
        m.place_sample(Sample::HongKongPermit);
        m.behaviour.garbage_before = true;
        assert!(matches!(read_card(&mut reader(m)).unwrap(), ReadOutcome::Card(_)));

        // A corrupted read reply: the card is reported unreadable, the
        // reader is not blamed.
        let mut m = SimModule::default();
        m.place_sample(Sample::Resident);
        m.behaviour.corrupt_reads = 1;
        let mut r = reader(m);
        assert!(matches!(read_card(&mut r).unwrap(), ReadOutcome::Problem(ReadProblem::Unreadable(0))));
        assert!(matches!(read_card(&mut r).unwrap(), ReadOutcome::Card(_)), "the next try reads it");
    }

    #[test]
    fn timeouts_scale_with_the_line_speed() {
        let r = reader(SimModule::default());
        assert_eq!(r.timeout(Command::FindCard), Duration::from_millis(800));
        assert_eq!(r.timeout(Command::ReadBase), Duration::from_millis(1100));
        let slow = Reader::new(MemLink::new(SimModule::default()), 9600);
        let t = slow.timeout(Command::ReadBase);
        assert!(t > wire_time(1295, 9600), "{t:?}");
    }

    #[test]
    fn candidates_are_ordered_and_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for n in ["ttyS10", "ttyS2", "ttyUSB1", "ttyUSB0", "ttyACM0", "tty0", "null"] {
            std::fs::write(d.join(n), b"").unwrap();
        }
        std::fs::create_dir_all(d.join("serial/by-id")).unwrap();
        std::os::unix::fs::symlink(d.join("ttyUSB1"), d.join("serial/by-id/usb-SAM_Reader-if00")).unwrap();
        let names: Vec<String> = candidates(d, true)
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["serial/by-id/usb-SAM_Reader-if00", "ttyUSB0", "ttyACM0", "ttyS2", "ttyS10"]);
        assert_eq!(candidates(d, false).len(), 3);
    }
}
