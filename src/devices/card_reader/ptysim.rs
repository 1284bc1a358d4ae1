//! A simulated reader that speaks the real protocol: [`SimModule`] answers
//! request frames the way a SAM module does, with scriptable misbehaviour
//! ([`Behaviour`]); [`PtyReaderSim`] serves it on a pseudo-terminal, pacing
//! its replies at the line's baud rate, so the real serial driver runs end
//! to end against it (integration tests, `kiosk card simulate`, demo mode);
//! [`MemLink`] serves it in memory for fast unit tests of the driver.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::protocol::{Command, Decoder, FrameError, Reply, Request, base_info_data, wire_time};
use super::samples::Sample;
use super::serial::Link;

/// How the simulated module misbehaves; change it while it runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Behaviour {
    /// Wait this long before each reply (a slow module).
    pub reply_delay: Duration,
    /// Send line noise before every reply.
    pub garbage_before: bool,
    /// Corrupt the checksum of this many of the next read replies.
    pub corrupt_reads: u32,
    /// On the next read, send the first part of the reply, then the card is
    /// pulled away and nothing more comes.
    pub pull_mid_read: bool,
    /// Answer every command with this module fault (SW3 60 or 66).
    pub module_fault: Option<u8>,
    /// Answer select and read with this card error (31, 32, 33, 40, 41).
    pub card_error: Option<u8>,
    /// Never answer (a dead module behind a live USB bridge).
    pub silent: bool,
}

/// Line noise that contains pieces of the preamble but never all of it.
const GARBAGE: [u8; 9] = [0x00, 0xAA, 0x13, 0x96, 0xAA, 0xAA, 0x96, 0xFF, 0x69];

/// The module's side of the protocol.
#[derive(Default)]
pub struct SimModule {
    pub behaviour: Behaviour,
    card: Option<(Zeroizing<Vec<u8>>, Option<Sample>)>,
    /// Frames received.
    pub requests: u64,
    /// Whole read replies sent.
    pub reads: u64,
}

/// What the module sends back for one request.
#[derive(Debug)]
pub struct Response {
    pub delay: Duration,
    pub bytes: Vec<u8>,
}

impl SimModule {
    pub fn place_sample(&mut self, s: Sample) {
        self.card = Some((s.text(), Some(s)));
    }

    /// Puts a card with this raw text block on the reader.
    pub fn place_text(&mut self, text: Vec<u8>) {
        self.card = Some((Zeroizing::new(text), None));
    }

    pub fn remove(&mut self) {
        self.card = None;
    }

    /// The sample on the reader, if the card is one.
    pub fn sample(&self) -> Option<Sample> {
        self.card.as_ref().and_then(|(_, s)| *s)
    }

    pub fn has_card(&self) -> bool {
        self.card.is_some()
    }

    /// The answer to one frame from the host (or to the decoder's error).
    pub fn respond(&mut self, frame: Result<Vec<u8>, FrameError>) -> Option<Response> {
        self.requests += 1;
        let b = self.behaviour.clone();
        if b.silent {
            return None;
        }
        let reply = match frame.and_then(|p| Request::parse(&p)) {
            Err(FrameError::BadChecksum { .. }) => Reply::status(0x10),
            Err(_) => Reply::status(0x11),
            Ok(req) => match (req.command(), b.module_fault) {
                (None, _) => Reply::status(0x21),
                (Some(_), Some(fault)) => Reply::status(fault),
                (Some(cmd), None) => return Some(self.command(cmd)),
            },
        };
        Some(self.finish(reply.encode(), false))
    }

    fn command(&mut self, cmd: Command) -> Response {
        let b = &self.behaviour;
        let card_error = b.card_error.filter(|_| self.card.is_some());
        let reply = match cmd {
            Command::ResetModule | Command::ModuleStatus | Command::SetBaud(_) => Reply::status(0x90),
            Command::SamId => Reply::with_data(
                0x90,
                vec![5, 0, 1, 0, 0x39, 0x30, 0, 0, 0x15, 0xCD, 0x5B, 0x07, 0x4E, 0x61, 0xBC, 0x00],
            ),
            Command::FindCard if self.card.is_some() => Reply::with_data(0x9F, vec![0; 4]),
            Command::FindCard => Reply::status(0x80),
            Command::SelectCard => match card_error {
                Some(e) => Reply::status(e),
                None if self.card.is_some() => Reply::with_data(0x90, vec![0; 8]),
                None => Reply::status(0x81),
            },
            Command::ReadBase | Command::ReadBaseWithFingerprint => match (card_error, &self.card) {
                (Some(e), _) => Reply::status(e),
                (None, None) => Reply::status(0x41),
                (None, Some((text, _))) => {
                    let fp = (cmd == Command::ReadBaseWithFingerprint).then_some(1024);
                    let reply = Reply::with_data(0x90, base_info_data(text, fp));
                    let mut bytes = reply.encode();
                    if self.behaviour.pull_mid_read {
                        self.behaviour.pull_mid_read = false;
                        self.card = None;
                        bytes.truncate(bytes.len() / 3);
                        return self.finish(bytes, false);
                    }
                    let corrupt = self.behaviour.corrupt_reads > 0;
                    if corrupt {
                        self.behaviour.corrupt_reads -= 1;
                    } else {
                        self.reads += 1;
                    }
                    return self.finish(bytes, corrupt);
                }
            },
            Command::ReadNewAddress if self.card.is_some() => Reply::status(0x91),
            Command::ReadNewAddress => Reply::status(0x41),
        };
        self.finish(reply.encode(), false)
    }

    fn finish(&self, mut frame: Vec<u8>, corrupt: bool) -> Response {
        if corrupt && let Some(last) = frame.last_mut() {
            *last ^= 0x5A;
        }
        let mut bytes = Vec::with_capacity(frame.len() + GARBAGE.len());
        if self.behaviour.garbage_before {
            bytes.extend_from_slice(&GARBAGE);
        }
        bytes.extend_from_slice(&frame);
        zeroize::Zeroize::zeroize(&mut frame);
        Response { delay: self.behaviour.reply_delay, bytes }
    }
}

/// The module in memory: replies are queued as soon as a request is sent
/// (delays are not simulated; silence makes `recv` wait out its timeout).
pub struct MemLink {
    pub module: SimModule,
    host: Decoder,
    queue: VecDeque<u8>,
}

impl MemLink {
    pub fn new(module: SimModule) -> MemLink {
        MemLink { module, host: Decoder::new(), queue: VecDeque::new() }
    }
}

impl Link for MemLink {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.host.push(bytes);
        while let Some(f) = self.host.next_frame() {
            if let Some(r) = self.module.respond(f) {
                self.queue.extend(r.bytes);
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if self.queue.is_empty() {
            std::thread::sleep(timeout);
            return Ok(0);
        }
        let n = buf.len().min(self.queue.len());
        for (slot, b) in buf.iter_mut().zip(self.queue.drain(..n)) {
            *slot = b;
        }
        Ok(n)
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.queue.clear();
        Ok(())
    }
}

/// Counters, for tests and the latency benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimStats {
    pub requests: u64,
    pub reads: u64,
}

struct Shared {
    module: Mutex<SimModule>,
    plugged: AtomicBool,
    stop: AtomicBool,
    /// Reply pacing in baud; 0 sends at once.
    baud: AtomicU32,
}

/// The simulated module on a pseudo-terminal. The driver opens `path()`, a
/// symbolic link to the terminal's slave side (like a `/dev/serial/by-id`
/// name); unplugging closes the terminal and removes the link, plugging in
/// again makes a new terminal behind the same link.
pub struct PtyReaderSim {
    shared: Arc<Shared>,
    link: PathBuf,
    thread: Option<JoinHandle<()>>,
}

impl PtyReaderSim {
    /// Starts serving at `link` (replaced if it exists), replies paced at
    /// `baud` (0: unpaced).
    pub fn start(link: impl Into<PathBuf>, baud: u32) -> io::Result<PtyReaderSim> {
        let link = link.into();
        let shared = Arc::new(Shared {
            module: Mutex::new(SimModule::default()),
            plugged: AtomicBool::new(true),
            stop: AtomicBool::new(false),
            baud: AtomicU32::new(baud),
        });
        let first = Pty::open(&link)?;
        let (s, l) = (shared.clone(), link.clone());
        let thread = std::thread::Builder::new()
            .name("pty-reader-sim".into())
            .spawn(move || serve(&s, &l, Some(first)))?;
        Ok(PtyReaderSim { shared, link, thread: Some(thread) })
    }

    /// The port to open.
    pub fn path(&self) -> &Path {
        &self.link
    }

    pub fn place(&self, s: Sample) {
        self.module().place_sample(s);
    }

    pub fn place_text(&self, text: Vec<u8>) {
        self.module().place_text(text);
    }

    pub fn remove(&self) {
        self.module().remove();
    }

    pub fn on_reader(&self) -> Option<Sample> {
        self.module().sample()
    }

    /// Changes the module's behaviour.
    pub fn behave(&self, f: impl FnOnce(&mut Behaviour)) {
        f(&mut self.module().behaviour);
    }

    pub fn set_baud(&self, baud: u32) {
        self.shared.baud.store(baud, Ordering::SeqCst);
    }

    /// Pulls the cable out (`false`) or plugs it back in.
    pub fn set_plugged(&self, plugged: bool) {
        self.shared.plugged.store(plugged, Ordering::SeqCst);
    }

    pub fn plugged_in(&self) -> bool {
        self.shared.plugged.load(Ordering::SeqCst)
    }

    pub fn stats(&self) -> SimStats {
        let m = self.module();
        SimStats { requests: m.requests, reads: m.reads }
    }

    fn module(&self) -> MutexGuard<'_, SimModule> {
        self.shared.module.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for PtyReaderSim {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let _ = std::fs::remove_file(&self.link);
    }
}

/// One pseudo-terminal: the master we serve on, and the slave kept open so
/// the master never sees a hang-up between the driver's opens.
struct Pty {
    master: serialport::TTYPort,
    _slave: serialport::TTYPort,
}

impl Pty {
    fn open(link: &Path) -> io::Result<Pty> {
        let (master, slave) = serialport::TTYPort::pair().map_err(io::Error::from)?;
        let name = serialport::SerialPort::name(&slave)
            .ok_or_else(|| io::Error::other("the pseudo-terminal has no name"))?;
        // Replace the link atomically: a driver never sees it half made.
        let tmp = link.with_extension(format!("tmp{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(&name, &tmp)?;
        std::fs::rename(&tmp, link)?;
        Ok(Pty { master, _slave: slave })
    }
}

fn serve(shared: &Shared, link: &Path, mut pty: Option<Pty>) {
    let mut host = Decoder::new();
    let mut buf = [0u8; 256];
    while !shared.stop.load(Ordering::SeqCst) {
        let plugged = shared.plugged.load(Ordering::SeqCst);
        match (&mut pty, plugged) {
            (Some(_), false) => {
                pty = None;
                let _ = std::fs::remove_file(link);
                host.reset();
            }
            (None, true) => match Pty::open(link) {
                Ok(p) => pty = Some(p),
                Err(e) => {
                    tracing::error!("simulated reader: cannot open a pseudo-terminal: {e}");
                    std::thread::sleep(Duration::from_millis(200));
                }
            },
            (None, false) => std::thread::sleep(Duration::from_millis(10)),
            (Some(p), true) => {
                let _ = serialport::SerialPort::set_timeout(&mut p.master, Duration::from_millis(20));
                let n = match p.master.read(&mut buf) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::TimedOut => 0,
                    Err(e) => {
                        tracing::debug!("simulated reader: {e}");
                        std::thread::sleep(Duration::from_millis(10));
                        0
                    }
                };
                host.push(&buf[..n]);
                while let Some(frame) = host.next_frame() {
                    let answer = shared.module.lock().unwrap_or_else(|p| p.into_inner()).respond(frame);
                    if let Some(r) = answer {
                        pause(shared, r.delay);
                        if shared.plugged.load(Ordering::SeqCst) {
                            let baud = shared.baud.load(Ordering::SeqCst);
                            if let Err(e) = write_paced(&mut p.master, &r.bytes, baud, shared) {
                                tracing::debug!("simulated reader: {e}");
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Sleeps, waking early for stop or unplug.
fn pause(shared: &Shared, d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until
        && !shared.stop.load(Ordering::SeqCst)
        && shared.plugged.load(Ordering::SeqCst)
    {
        std::thread::sleep((until - Instant::now()).min(Duration::from_millis(10)));
    }
}

/// Writes `bytes` so that each piece leaves when a UART at `baud` would
/// have finished sending it: the last byte arrives after the wire time.
fn write_paced(w: &mut impl Write, bytes: &[u8], baud: u32, shared: &Shared) -> io::Result<()> {
    if baud == 0 {
        return w.write_all(bytes);
    }
    const PIECE: usize = 32;
    let start = Instant::now();
    let mut sent = 0;
    while sent < bytes.len() {
        if shared.stop.load(Ordering::SeqCst) || !shared.plugged.load(Ordering::SeqCst) {
            return Ok(());
        }
        let end = (sent + PIECE).min(bytes.len());
        let due = start + wire_time(end, baud);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        w.write_all(&bytes[sent..end])?;
        sent = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(m: &mut SimModule, c: Command) -> Reply {
        let r = m.respond(Ok(c.encode()[7..9].to_vec())).unwrap();
        let mut frames = super::super::protocol::decode_all(&r.bytes);
        Reply::parse(&frames.pop().unwrap().unwrap()).unwrap()
    }

    #[test]
    fn the_module_answers_like_the_spec() {
        let mut m = SimModule::default();
        assert_eq!(ask(&mut m, Command::ModuleStatus).sw3.0, 0x90);
        assert_eq!(ask(&mut m, Command::FindCard).sw3.0, 0x80);
        assert_eq!(ask(&mut m, Command::SelectCard).sw3.0, 0x81);
        m.place_sample(Sample::Resident);
        let found = ask(&mut m, Command::FindCard);
        assert_eq!((found.sw3.0, found.data.len()), (0x9F, 4));
        assert_eq!(ask(&mut m, Command::SelectCard).data.len(), 8);
        assert_eq!(ask(&mut m, Command::ReadBase).data.len(), 1284);
        assert_eq!(ask(&mut m, Command::ReadBaseWithFingerprint).data.len(), 2310);
        assert_eq!(ask(&mut m, Command::ReadNewAddress).sw3.0, 0x91);
        assert_eq!(m.reads, 2);
        // A frame with a bad checksum or an unknown command.
        assert_eq!(
            m.respond(Err(FrameError::BadChecksum { expected: 1, got: 2 })).map(|r| r.bytes[9]),
            Some(0x10)
        );
        assert_eq!(m.respond(Ok(vec![0x77, 0x01])).map(|r| r.bytes[9]), Some(0x21));
    }

    #[test]
    fn pulling_the_card_mid_read_sends_part_of_a_frame() {
        let mut m = SimModule::default();
        m.place_sample(Sample::Resident);
        m.behaviour.pull_mid_read = true;
        let r = m.respond(Ok(vec![0x30, 0x01])).unwrap();
        assert!(r.bytes.len() < 1295 / 2);
        assert!(!m.has_card());
        assert!(super::super::protocol::decode_all(&r.bytes).is_empty());
    }
}
