//! The real reader, on a serial port: request/reply transactions with the
//! protocol's timeouts ([`Reader`]) and one card read ([`read_card`]). Port
//! detection is in [`super::ports`], the polling thread the kiosk runs in
//! [`super::poller`] (both re-exported here, where callers look first).

use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use super::ReadProblem;
use super::protocol::{Command, Decoder, FrameError, Reply, SwClass, split_base_info, wire_time};
use super::text::parse_text;
use crate::domain::card::IdCard;

pub use super::poller::{SerialCardReader, is_excluded, reconnect_pause};
pub use super::ports::{PortChoice, Probe, ProbeAnswer, ReaderConfig, candidates, detect};

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
pub(super) fn read_found_card<L: Link>(r: &mut Reader<L>) -> Result<ReadOutcome, LinkError> {
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
