//! Where the reader is: the configured port or auto-detection over the
//! serial devices (`/dev/serial/by-id`, USB bridges, UARTs), probing many
//! ports at once with the status command.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::protocol::{Command, Reply};
use super::serial::{Reader, SerialLink};

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

/// The reader's and the printer's names under `/dev` given by the udev
/// rules in `deploy/60-gig-kiosk.rules`.
pub const STABLE_READER: &str = "gig-kiosk/reader";
pub const STABLE_PRINTER: &str = "gig-kiosk/printer";

/// Candidate ports under `dev` (normally `/dev`): the udev rules' reader
/// name, then stable `serial/by-id`
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
    // The name the package's udev rules give the reader (deploy/).
    let stable = dev.join(STABLE_READER);
    if stable.exists() {
        add(stable);
    }
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
