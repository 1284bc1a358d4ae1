//! Where printer bytes go: a serial port (with flow control), the kernel's
//! USB printer device, a network printer on TCP port 9100, or a file. Every
//! write has a timeout; a device that vanished is an error, never a hang.
//! Transports that can read answer real-time status requests.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How long one write may take before the printer counts as stuck.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A printer's address, from `[printer] port` or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Serial {
        path: PathBuf,
        baud: u32,
        flow: Flow,
    },
    /// The kernel's USB printer class device (`/dev/usb/lp0`).
    UsbLp(PathBuf),
    Tcp(String),
    File(PathBuf),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    None,
    RtsCts,
    DsrDtr,
}

impl Flow {
    pub fn parse(s: &str) -> Flow {
        match s {
            "rts-cts" => Flow::RtsCts,
            "dsr-dtr" => Flow::DsrDtr,
            _ => Flow::None,
        }
    }
}

impl Target {
    /// `tcp://host:9100`, `file:PATH`, a `/dev/usb/lp*` device (or a link
    /// to one, such as the udev rules' `/dev/gig-kiosk/printer`), or else a
    /// serial port path.
    pub fn parse(port: &str, baud: u32, flow: Flow) -> Target {
        let is_lp = |p: &str| p.starts_with("/dev/usb/lp") || p.starts_with("/dev/lp");
        if let Some(addr) = port.strip_prefix("tcp://") {
            Target::Tcp(addr.to_string())
        } else if let Some(path) = port.strip_prefix("file:") {
            Target::File(PathBuf::from(path))
        } else if is_lp(port) || std::fs::canonicalize(port).is_ok_and(|real| is_lp(&real.to_string_lossy()))
        {
            Target::UsbLp(PathBuf::from(port))
        } else {
            Target::Serial { path: PathBuf::from(port), baud, flow }
        }
    }

    pub fn open(&self) -> io::Result<Box<dyn Transport>> {
        Ok(match self {
            Target::Serial { path, baud, flow } => Box::new(SerialTransport::open(path, *baud, *flow)?),
            Target::UsbLp(path) => Box::new(UsbLp::open(path)?),
            Target::Tcp(addr) => Box::new(Tcp::connect(addr)?),
            Target::File(path) => Box::new(FileTransport::open(path)?),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Serial { path, baud, .. } => write!(f, "{} at {baud} baud", path.display()),
            Target::UsbLp(p) | Target::File(p) => write!(f, "{}", p.display()),
            Target::Tcp(a) => write!(f, "tcp://{a}"),
        }
    }
}

pub trait Transport: Send {
    /// Writes everything or fails within [`WRITE_TIMEOUT`].
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// One byte within `timeout`; `Ok(None)` when nothing came.
    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>>;
    /// Whether anything can come back (files cannot answer).
    fn can_read(&self) -> bool;
    /// Drops unread input (a late status answer).
    fn discard_input(&mut self) {}
}

pub struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
    flow: Flow,
}

impl SerialTransport {
    pub fn open(path: &std::path::Path, baud: u32, flow: Flow) -> io::Result<SerialTransport> {
        let fc = match flow {
            Flow::None => serialport::FlowControl::None,
            Flow::RtsCts => serialport::FlowControl::Hardware,
            // serialport has no DSR/DTR handshake: we raise DTR and wait
            // for the printer's DSR before each piece (`write_all`).
            Flow::DsrDtr => serialport::FlowControl::None,
        };
        let mut port = serialport::new(path.to_string_lossy(), baud)
            .flow_control(fc)
            .timeout(WRITE_TIMEOUT)
            .open()
            .map_err(io::Error::from)?;
        if flow == Flow::DsrDtr {
            let _ = port.write_data_terminal_ready(true);
        }
        Ok(SerialTransport { port, flow })
    }

    /// DSR/DTR handshake: waits while the printer holds DSR low (busy).
    fn wait_for_dsr(&mut self, deadline: Instant) -> io::Result<()> {
        while !self.port.read_data_set_ready().map_err(io::Error::from)? {
            if Instant::now() >= deadline {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "the printer stayed busy (DSR low)"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }
}

impl Transport for SerialTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.port.set_timeout(WRITE_TIMEOUT).map_err(io::Error::from)?;
        // In pieces, each drained before the next, so a slow printer's
        // buffer is never flooded (large rasters turn into garbage text).
        let deadline = Instant::now() + WRITE_TIMEOUT;
        for piece in bytes.chunks(if self.flow == Flow::DsrDtr { 64 } else { 1024 }) {
            if self.flow == Flow::DsrDtr {
                self.wait_for_dsr(deadline)?;
            }
            self.port.write_all(piece)?;
            self.port.flush()?;
        }
        Ok(())
    }

    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        self.port.set_timeout(timeout.max(Duration::from_millis(1))).map_err(io::Error::from)?;
        let mut b = [0u8; 1];
        match self.port.read(&mut b) {
            Ok(1) => Ok(Some(b[0])),
            Ok(_) => Err(io::Error::new(io::ErrorKind::BrokenPipe, "the port hung up")),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn can_read(&self) -> bool {
        true
    }

    fn discard_input(&mut self) {
        let _ = self.port.clear(serialport::ClearBuffer::Input);
    }
}

/// `/dev/usb/lp0`: written as a file; read with `poll` for the status
/// answers bidirectional printers give.
pub struct UsbLp {
    file: std::fs::File,
}

impl UsbLp {
    pub fn open(path: &std::path::Path) -> io::Result<UsbLp> {
        let file = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
        Ok(UsbLp { file })
    }

    fn wait(&self, events: libc::c_short, timeout: Duration) -> io::Result<bool> {
        use std::os::fd::AsRawFd;
        let mut fds = libc::pollfd { fd: self.file.as_raw_fd(), events, revents: 0 };
        let ms = timeout.as_millis().min(i32::MAX as u128) as libc::c_int;
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut fds, 1, ms) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if fds.revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the printer went away"));
        }
        Ok(n > 0)
    }
}

impl Transport for UsbLp {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let deadline = Instant::now() + WRITE_TIMEOUT;
        let mut rest = bytes;
        while !rest.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.wait(libc::POLLOUT, left)? {
                return Err(io::Error::new(io::ErrorKind::TimedOut, "the printer stopped taking data"));
            }
            let n = self.file.write(&rest[..rest.len().min(4096)])?;
            rest = &rest[n..];
        }
        Ok(())
    }

    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        if !self.wait(libc::POLLIN, timeout)? {
            return Ok(None);
        }
        let mut b = [0u8; 1];
        Ok((self.file.read(&mut b)? == 1).then_some(b[0]))
    }

    fn can_read(&self) -> bool {
        true
    }
}

pub struct Tcp {
    stream: TcpStream,
}

impl Tcp {
    pub fn connect(addr: &str) -> io::Result<Tcp> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
        let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{addr}: no address"));
        for a in addrs {
            match TcpStream::connect_timeout(&a, Duration::from_secs(3)) {
                Ok(stream) => {
                    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
                    stream.set_nodelay(true)?;
                    return Ok(Tcp { stream });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

impl Transport for Tcp {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    fn read_byte(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        self.stream.set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        let mut b = [0u8; 1];
        match self.stream.read(&mut b) {
            Ok(1) => Ok(Some(b[0])),
            Ok(_) => Err(io::Error::new(io::ErrorKind::BrokenPipe, "the printer closed the connection")),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn can_read(&self) -> bool {
        true
    }
}

/// Raw bytes appended to a file (captures, golden files, a print server's spool).
pub struct FileTransport {
    file: std::fs::File,
}

impl FileTransport {
    pub fn open(path: &std::path::Path) -> io::Result<FileTransport> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(FileTransport { file })
    }
}

impl Transport for FileTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        self.file.flush()
    }

    fn read_byte(&mut self, _: Duration) -> io::Result<Option<u8>> {
        Ok(None)
    }

    fn can_read(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(
            Target::parse("tcp://10.0.0.5:9100", 9600, Flow::None),
            Target::Tcp("10.0.0.5:9100".into())
        );
        assert_eq!(Target::parse("/dev/usb/lp0", 9600, Flow::None), Target::UsbLp("/dev/usb/lp0".into()));
        assert_eq!(Target::parse("file:/tmp/x.bin", 9600, Flow::None), Target::File("/tmp/x.bin".into()));
        assert_eq!(
            Target::parse("/dev/ttyUSB1", 115_200, Flow::RtsCts),
            Target::Serial { path: "/dev/ttyUSB1".into(), baud: 115_200, flow: Flow::RtsCts }
        );
    }
}
