//! The ID-card reader end to end: the real serial driver against the
//! simulated module on a pseudo-terminal (replies paced at 115 200 baud),
//! through everything a reader in a public hall goes through; and the
//! `kiosk card` tools against the same simulator.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use gig_kiosk::devices::card_reader::protocol::{Command as Cmd, Reply, base_info_data, encode_frame};
use gig_kiosk::devices::card_reader::ptysim::PtyReaderSim;
use gig_kiosk::devices::card_reader::samples::Sample;
use gig_kiosk::devices::card_reader::serial::{PortChoice, ReaderConfig, SerialCardReader};
use gig_kiosk::devices::card_reader::{CardEvent, ReadProblem, ReaderStatus};
use serde_json::Value;

const NOW: &str = "2026-11-23T09:00:00+08:00";
/// How long a test waits for an event before calling it a hang.
const PATIENCE: Duration = Duration::from_secs(30);

struct Rig {
    _dir: tempfile::TempDir,
    // Declared before the simulator: the driver stops first.
    _driver: SerialCardReader,
    sim: PtyReaderSim,
    events: Receiver<CardEvent>,
}

impl Rig {
    fn new() -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let sim = PtyReaderSim::start(dir.path().join("ttyUSB-reader"), 115_200).unwrap();
        let (tx, events) = channel();
        let cfg = ReaderConfig::new(PortChoice::Path(sim.path().to_path_buf()), 115_200);
        let driver = SerialCardReader::spawn(
            cfg,
            std::sync::Arc::new(move |e| {
                let _ = tx.send(e);
            }),
        );
        let rig = Rig { _dir: dir, _driver: driver, sim, events };
        rig.expect("the reader ready", |e| *e == CardEvent::Status(ReaderStatus::Ready));
        rig
    }

    /// Waits for an event matching `want`, skipping others. The wait is
    /// bounded only to catch a hang ([`PATIENCE`]): the order of events is
    /// what is checked, not how fast a loaded machine delivers them.
    fn expect(&self, what: &str, want: impl Fn(&CardEvent) -> bool) -> CardEvent {
        let within = PATIENCE;
        let until = Instant::now() + within;
        let mut seen = Vec::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(e) if want(&e) => return e,
                Ok(e) => seen.push(e),
                Err(_) => panic!("{what}: not within {within:?}; saw {seen:?}"),
            }
        }
    }

    fn placed(&self, s: Sample) {
        let e = self.expect(&format!("{s:?} read"), |e| matches!(e, CardEvent::Placed(_)));
        let CardEvent::Placed(card) = e else { unreachable!() };
        assert_eq!(*card, s.card());
    }

    fn removed(&self) {
        self.expect("card lifted", |e| *e == CardEvent::Removed);
    }

    fn status(&self, s: ReaderStatus) {
        let what = format!("status {s:?}");
        self.expect(&what, |e| *e == CardEvent::Status(s.clone()));
    }

    /// No event while the driver polls the module `polls` more times: the
    /// module's request count is the signal, not a sleep.
    fn quiet_for_polls(&self, polls: u64) {
        let start = self.sim.stats().requests;
        let until = Instant::now() + PATIENCE;
        while self.sim.stats().requests < start + polls {
            assert!(Instant::now() < until, "the driver stopped polling");
            std::thread::sleep(Duration::from_millis(5));
        }
        if let Ok(e) = self.events.try_recv() {
            panic!("expected no event over {polls} polls, got {e:?}");
        }
    }
}

#[test]
fn one_read_per_placement_and_lifting_is_noticed() {
    let r = Rig::new();
    r.sim.place(Sample::Resident);
    r.placed(Sample::Resident);
    // Left on the reader: found again and again, never read again.
    r.quiet_for_polls(10);
    assert_eq!(r.sim.stats().reads, 1);
    r.sim.remove();
    r.removed();
    // Each of the three layouts.
    for s in [Sample::ForeignPermanent, Sample::HongKongPermit] {
        r.sim.place(s);
        r.placed(s);
        r.sim.remove();
        r.removed();
    }
}

#[test]
fn garbage_slow_module_and_bad_checksums_are_survived() {
    let r = Rig::new();
    r.sim.behave(|b| b.garbage_before = true);
    r.sim.place(Sample::HongKongPermit);
    r.placed(Sample::HongKongPermit);
    r.sim.remove();
    r.removed();
    r.sim.behave(|b| {
        b.garbage_before = false;
        b.reply_delay = Duration::from_millis(150);
    });
    r.sim.place(Sample::Resident);
    r.placed(Sample::Resident);
    r.sim.remove();
    r.removed();
    // A read reply with a bad checksum: reported, then read on the next try.
    r.sim.behave(|b| {
        b.reply_delay = Duration::ZERO;
        b.corrupt_reads = 1;
    });
    r.sim.place(Sample::ForeignPermanent);
    r.status(ReaderStatus::ReadFailed(ReadProblem::Unreadable(0)));
    r.status(ReaderStatus::Ready);
    r.placed(Sample::ForeignPermanent);
}

#[test]
fn a_card_pulled_mid_read_is_discarded_and_the_next_one_read() {
    let r = Rig::new();
    r.sim.behave(|b| b.pull_mid_read = true);
    r.sim.place(Sample::Resident);
    // Part of a frame, then silence: a failed read, no card, no removal.
    r.status(ReaderStatus::ReadFailed(ReadProblem::Unreadable(0)));
    let e = r.expect("status back to ready", |e| matches!(e, CardEvent::Status(_)));
    assert_eq!(e, CardEvent::Status(ReaderStatus::Ready));
    assert_eq!(r.sim.on_reader(), None);
    r.sim.place(Sample::Expired);
    r.placed(Sample::Expired);
}

#[test]
fn card_errors_and_module_faults_are_distinct_statuses() {
    let r = Rig::new();
    r.sim.behave(|b| b.card_error = Some(0x41));
    r.sim.place(Sample::Resident);
    r.status(ReaderStatus::ReadFailed(ReadProblem::Unreadable(0x41)));
    r.sim.behave(|b| b.card_error = Some(0x40));
    r.status(ReaderStatus::ReadFailed(ReadProblem::NotAnIdCard));
    r.sim.behave(|b| b.card_error = None);
    r.status(ReaderStatus::Ready);
    r.placed(Sample::Resident);
    r.sim.behave(|b| b.module_fault = Some(0x66));
    r.status(ReaderStatus::ModuleFault(0x66));
    r.sim.behave(|b| b.module_fault = None);
    r.status(ReaderStatus::Ready);
}

#[test]
fn unplugging_and_plugging_back_in_is_picked_up_and_the_card_read_again() {
    let r = Rig::new();
    r.sim.place(Sample::Resident);
    r.placed(Sample::Resident);
    let t = Instant::now();
    r.sim.set_plugged(false);
    r.removed();
    r.status(ReaderStatus::Missing);
    let gone = t.elapsed();
    let t = Instant::now();
    r.sim.set_plugged(true);
    r.status(ReaderStatus::Ready);
    // The card still on it is read on the new connection.
    r.placed(Sample::Resident);
    eprintln!("unplug noticed after {gone:?}, replug after {:?}", t.elapsed());
}

#[test]
fn a_reader_that_stops_answering_is_missing_until_it_answers() {
    let r = Rig::new();
    r.sim.behave(|b| b.silent = true);
    r.status(ReaderStatus::Missing);
    r.sim.behave(|b| b.silent = false);
    r.status(ReaderStatus::Ready);
    r.sim.place(Sample::HongKongPermit);
    r.placed(Sample::HongKongPermit);
}

/// A serial device on a pseudo-terminal that answers nothing and counts
/// the bytes it receives.
struct SilentDevice {
    received: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    slave: std::path::PathBuf,
    _keep: serialport::TTYPort,
}

impl SilentDevice {
    fn start() -> SilentDevice {
        use std::io::Read;
        let (mut master, slave) = serialport::TTYPort::pair().unwrap();
        let name = serialport::SerialPort::name(&slave).unwrap().into();
        let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let r = received.clone();
        std::thread::spawn(move || {
            let _ = serialport::SerialPort::set_timeout(&mut master, Duration::from_millis(50));
            let mut buf = [0u8; 256];
            loop {
                match master.read(&mut buf) {
                    Ok(n) => {
                        r.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => return,
                }
            }
        });
        SilentDevice { received, slave: name, _keep: slave }
    }

    fn received(&self) -> usize {
        self.received.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn auto_detection_never_probes_the_printers_port() {
    let dev = tempfile::tempdir().unwrap();
    let printer = SilentDevice::start();
    let other = SilentDevice::start();
    // The printer is ttyUSB0 and also has its stable name; another USB
    // serial device that is not a reader is ttyUSB1.
    std::os::unix::fs::symlink(&printer.slave, dev.path().join("ttyUSB0")).unwrap();
    std::os::unix::fs::symlink(&printer.slave, dev.path().join("gig-kiosk-printer")).unwrap();
    std::os::unix::fs::symlink(&other.slave, dev.path().join("ttyUSB1")).unwrap();
    let mut cfg = ReaderConfig::new(PortChoice::Auto, 115_200);
    cfg.dev_dir = dev.path().to_path_buf();
    cfg.exclude = vec![dev.path().join("gig-kiosk-printer")];
    let (tx, events) = channel();
    let _driver = SerialCardReader::spawn(
        cfg,
        std::sync::Arc::new(move |e| {
            let _ = tx.send(e);
        }),
    );
    // Missing: nothing answers.
    let e = events.recv_timeout(PATIENCE).unwrap();
    assert_eq!(e, CardEvent::Status(ReaderStatus::Missing));
    // The signal: the other device was probed twice (two status commands).
    let one_probe = Cmd::ModuleStatus.encode().len();
    let until = Instant::now() + PATIENCE;
    while other.received() < 2 * one_probe {
        assert!(Instant::now() < until, "the other port was not probed twice");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(printer.received(), 0, "the printer's port got probe bytes");
}

#[test]
fn a_missing_reader_is_looked_for_less_and_less_often() {
    use gig_kiosk::devices::card_reader::serial::reconnect_pause;
    let auto: Vec<u64> = (0..8).map(|n| reconnect_pause(true, n).as_millis() as u64).collect();
    assert_eq!(auto, [500, 1000, 2000, 4000, 8000, 8000, 8000, 8000]);
    // A configured port is one cheap open: always every half second.
    assert!((0..8).all(|n| reconnect_pause(false, n) == Duration::from_millis(500)));
}

// ---- the command line ----

fn kiosk(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
    c.env_clear().env("HOME", dir).arg("--now").arg(NOW);
    c
}

#[test]
fn card_read_prints_each_card_type_masked() {
    let dir = tempfile::tempdir().unwrap();
    let sim = PtyReaderSim::start(dir.path().join("reader"), 115_200).unwrap();
    let port = sim.path().to_str().unwrap().to_string();
    for s in [Sample::Resident, Sample::ForeignPermanent, Sample::HongKongPermit, Sample::Expired] {
        sim.place(s);
        let o = kiosk(dir.path())
            .args(["card", "read", "--port", &port, "--baud", "115200", "--timeout", "5", "--json"])
            .output()
            .unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{s:?}: {stderr}");
        let full = s.fields().id_number;
        assert!(!stdout.contains(&full) && !stderr.contains(&full), "full number printed");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        let f = s.fields();
        // Masked, like the ID number: a technician sees the read worked.
        assert_eq!(v["name_masked"], gig_kiosk::domain::card::mask_after(&f.name, 1).as_str());
        assert!(v["name_masked"].as_str().unwrap().ends_with('*'));
        assert!(v.get("name").is_none() && v.get("address").is_none());
        for personal in [f.name.trim(), f.address.trim()].into_iter().filter(|p| p.chars().count() > 1) {
            assert!(!stdout.contains(personal), "{personal} printed in full");
        }
        assert_eq!(v["id_masked"], s.card().masked_id().as_str());
        match s {
            Sample::Resident => {
                assert_eq!(v["card_type"], "resident");
                assert_eq!(v["sex"], "male");
                assert_eq!(v["ethnicity"], "01", "a code, like sex");
                assert_eq!(v["birth_date"], "1968-03-12");
                assert_eq!(v["id_masked"], "3502**********1233");
                assert_eq!(v["id_checksum_ok"], true);
                assert_eq!((v["valid_to"].clone(), v["long_term"].clone()), (Value::Null, Value::Bool(true)));
                assert_eq!(v["expired"], false);
                assert_eq!(v["issuer"], "厦门市公安局湖里分局");
                assert!(v.get("english_name").is_none());
            }
            Sample::ForeignPermanent => {
                assert_eq!(v["card_type"], "foreign_permanent");
                assert_eq!(v["english_name"], "SMITH, JOHN");
                assert_eq!(v["nationality"], "USA");
                assert_eq!(v["id_checksum_ok"], Value::Null);
                assert_eq!(v["valid_to"], "2030-01-08");
            }
            Sample::HongKongPermit => {
                assert_eq!(v["card_type"], "hmt_residence");
                assert_eq!(v["permit_number_masked"], "H123*5678");
                assert_eq!(v["issue_count"], 1);
                assert_eq!(v["ethnicity"], Value::Null);
                assert_eq!(v["sex"], "female");
            }
            _ => {
                assert_eq!(v["expired"], true);
                assert_eq!(v["valid_to"], "2016-03-01");
            }
        }
    }
    // No card: a clear message and exit status 2.
    sim.remove();
    let o = kiosk(dir.path())
        .args(["card", "read", "--port", &port, "--baud", "115200", "--timeout", "0.5"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no card was placed"));
    // No reader on the port.
    let o = kiosk(dir.path())
        .args(["card", "read", "--port", "/nonexistent/ttyUSB9", "--baud", "115200"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot open /nonexistent/ttyUSB9"));
}

fn decode(dir: &Path, name: &str, bytes: &[u8]) -> Value {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let o = kiosk(dir).args(["card", "decode", "--json"]).arg(&path).output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or(Value::Null);
    assert!(o.status.success(), "{name}: {}\n{v}", String::from_utf8_lossy(&o.stderr));
    v
}

#[test]
fn card_decode_handles_every_reply_in_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The short replies, as hex text the way the spec writes them.
    let short = [
        ("status-ok", "AA AA AA 96 69 00 04 00 00 90 94", "success"),
        ("find-ok", "AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", "a card is on the reader"),
        ("find-none", "AA AA AA 96 69 00 04 00 00 80 84", "no card"),
        ("select-failed", "AA AA AA 96 69 00 04 00 00 81 85", "select card failed"),
        ("item-empty", "AA AA AA 96 69 00 04 00 00 91 95", "item empty"),
        ("module-66", "AA AA AA 96 69 00 04 00 00 66 62", "not authorised"),
    ];
    for (name, hex, says) in short {
        let v = decode(d, name, hex.as_bytes());
        let summary = v["frames"][0]["summary"].as_str().unwrap();
        assert!(summary.contains(says), "{name}: {summary}");
    }
    let select_ok = Reply::with_data(0x90, vec![0; 8]).encode();
    assert_eq!(&select_ok[5..10], &[0x00, 0x0C, 0x00, 0x00, 0x90]);
    assert!(
        decode(d, "select-ok", &select_ok)["frames"][0]["summary"].as_str().unwrap().contains("selected")
    );
    let mut sam = vec![5, 0, 1, 0];
    sam.extend(12345u32.to_le_bytes());
    sam.extend(678u32.to_le_bytes());
    sam.extend(9u32.to_le_bytes());
    let sam = Reply::with_data(0x90, sam).encode();
    assert_eq!(&sam[5..7], &[0x00, 0x14]);
    assert_eq!(decode(d, "sam", &sam)["frames"][0]["sam_id"], "05.01-12345-678-9");
    let addr: Vec<u8> =
        format!("{:<35}", "福建省厦门市湖里区新址1号").encode_utf16().flat_map(u16::to_le_bytes).collect();
    let v = decode(d, "address", &Reply::with_data(0x90, addr[..70].to_vec()).encode());
    assert_eq!(v["frames"][0]["added_address_masked"], "福建省**********");

    // Base info with and without fingerprint, each card type.
    for (s, fp) in [
        (Sample::Resident, None),
        (Sample::ForeignPermanent, Some(1024)),
        (Sample::HongKongPermit, Some(512)),
    ] {
        let frame = Reply::with_data(0x90, base_info_data(&s.text(), fp)).encode();
        let v = decode(d, s.key(), &frame);
        let f = &v["frames"][0];
        assert_eq!(f["card"]["id_masked"], s.card().masked_id().as_str(), "{s:?}");
        assert_eq!(f["photo_bytes"], 1024);
        assert_eq!(f["fingerprint_bytes"], fp.map_or(Value::Null, Value::from));
        let text = v.to_string();
        assert!(!text.contains(&s.fields().id_number), "the full number is never printed");
    }

    // A capture of a whole exchange with a glitched preamble and a broken
    // frame in it: each frame reported in order.
    let mut capture = Cmd::FindCard.encode();
    capture.extend([0xAA, 0x00]);
    capture.extend(&Reply::with_data(0x9F, vec![0; 4]).encode()[1..]);
    let mut broken = Reply::status(0x90).encode();
    *broken.last_mut().unwrap() ^= 1;
    capture.extend(broken);
    capture.extend(encode_frame(&[0x20, 0x02]));
    let v = decode(d, "capture", &capture);
    let kinds: Vec<&str> =
        v["frames"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["request", "reply", "broken", "request"]);

    // Nothing in it: exit status 1 and a hint.
    std::fs::write(d.join("noise"), b"hello").unwrap();
    let o = kiosk(d).args(["card", "decode"]).arg(d.join("noise")).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no whole frame"));
}

#[test]
fn card_detect_finds_the_reader_among_the_ports() {
    let dir = tempfile::tempdir().unwrap();
    let dev = dir.path().join("dev");
    std::fs::create_dir_all(&dev).unwrap();
    let sim = PtyReaderSim::start(dev.join("ttyUSB0"), 115_200).unwrap();
    // A port that is not a terminal, and a terminal with nothing behind it.
    std::fs::write(dev.join("ttyS0"), b"").unwrap();
    let (_master, silent) = serialport::TTYPort::pair().unwrap();
    std::os::unix::fs::symlink(serialport::SerialPort::name(&silent).unwrap(), dev.join("ttyACM0")).unwrap();
    let o = kiosk(dir.path()).args(["card", "detect", "--json", "--dev-dir"]).arg(&dev).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 3, "{v}");
    let readers: Vec<&Value> = list.iter().filter(|p| p["reader"] == true).collect();
    assert_eq!(readers.len(), 1, "{v}");
    assert_eq!(readers[0]["port"], sim.path().to_str().unwrap());
    assert!(readers[0]["sam_id"].as_str().unwrap().starts_with("05.01-"));
    drop(sim);
    let o = kiosk(dir.path()).args(["card", "detect", "--dev-dir"]).arg(&dev).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "no reader left");
}
