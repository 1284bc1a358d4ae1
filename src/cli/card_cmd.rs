//! `kiosk card …`: the technician's ID-card reader tools. Read a card,
//! decode a captured frame, find the reader's port, or run the simulated
//! reader on a pseudo-terminal. The full ID number, the photo and the
//! fingerprint are never printed or logged: numbers are masked, the photo
//! and fingerprint are reported by size only.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::Context;
use crate::devices::card_reader::protocol::{
    Command, FrameError, Reply, Sw3, SwClass, decode_all, format_sam_id,
};
use crate::devices::card_reader::ptysim::PtyReaderSim;
use crate::devices::card_reader::samples::Sample;
use crate::devices::card_reader::serial::{
    PortChoice, ReaderConfig, SerialCardReader, candidates, card_from_reply, detect,
};
use crate::devices::card_reader::{CardEvent, CardReader, ReaderStatus};
use crate::devices::setup::PrinterChoice;
use crate::domain::card::{CardType, IdCard, Sex, Validity, ethnicity_code};
use crate::domain::time;

#[derive(Debug, Subcommand)]
pub enum CardCommand {
    /// Wait for a card on the reader and print what it holds (ID number masked)
    Read(ReadArgs),
    /// Decode a captured frame file (raw bytes, or hex text) for a technician
    Decode(DecodeArgs),
    /// List the serial ports where an ID-card reader answers
    Detect(DetectArgs),
    /// Run a simulated reader on a pseudo-terminal, driven by commands on standard input
    Simulate(SimulateArgs),
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The reader's port, e.g. /dev/ttyUSB0 [default: [reader] port; "auto" probes the serial ports]
    #[arg(long, value_name = "P")]
    port: Option<String>,
    /// Line speed [default: [reader] baud, 115200]
    #[arg(long, value_name = "B", value_parser = parse_baud)]
    baud: Option<u32>,
    /// Give up when no card is placed within this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0, value_parser = parse_seconds)]
    timeout: f64,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// A capture of one or more frames: raw bytes, or hex text ("AA AA AA 96 69 …")
    file: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Line speed to probe at
    #[arg(long, value_name = "B", default_value_t = 115_200, value_parser = parse_baud)]
    baud: u32,
    /// Look for ports under DIR instead of /dev
    #[arg(long, value_name = "DIR", default_value = "/dev", hide = true)]
    dev_dir: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Where to make the port (a symbolic link to the pseudo-terminal)
    #[arg(long, value_name = "PATH", default_value = "/tmp/kiosk-idcard-sim")]
    link: PathBuf,
    /// Put this sample card on the reader at once: resident, foreign, hk, expired, bad-check
    #[arg(long, value_name = "KEY", value_parser = parse_sample)]
    card: Option<Sample>,
    /// Pace replies as a line at this speed (0: as fast as possible)
    #[arg(long, value_name = "B", default_value_t = 115_200)]
    baud: u32,
}

fn parse_baud(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(b) if crate::devices::card_reader::protocol::Baud::from_rate(b).is_some() => Ok(b),
        _ => Err("one of 115200, 57600, 38400, 19200, 9600".into()),
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err("a number of seconds above 0".into()),
    }
}

fn parse_sample(s: &str) -> Result<Sample, String> {
    Sample::from_key(s).ok_or_else(|| {
        let keys: Vec<&str> = Sample::ALL.iter().map(|s| s.key()).collect();
        format!("one of {}", keys.join(", "))
    })
}

pub fn run(ctx: &Context, c: &CardCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match c {
        CardCommand::Read(a) => read(ctx, a, out),
        CardCommand::Decode(a) => decode(ctx, a, out),
        CardCommand::Detect(a) => detect_cmd(a, out),
        CardCommand::Simulate(a) => simulate(a, out),
    }
}

/// Exit status when no card was placed in time.
const NO_CARD: u8 = 2;

fn read(ctx: &Context, a: &ReadArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    // The configuration once: it is needed for what the command line left
    // out, and to keep away from the printer's port; with both port and
    // baud given, a missing or broken configuration does not stop a read.
    let config = match (&a.port, a.baud) {
        (Some(_), Some(_)) => ctx.open().ok().map(|(l, _)| l.config),
        _ => Some(ctx.open()?.0.config),
    };
    let configured = config.as_ref().map(|c| &c.reader);
    let port = a.port.clone().or_else(|| configured.map(|r| r.port.clone())).unwrap_or_else(|| "auto".into());
    let baud = a.baud.or(configured.map(|r| r.baud)).unwrap_or(115_200);
    if port == "simulated" {
        bail!(
            "the configured reader is simulated (demo mode): pass --port, for example the port \
             `kiosk card simulate` prints"
        );
    }
    // The kiosk's own driver: the same detection, polling and read as at
    // the station (and, with `auto`, never the configured printer's port).
    let choice = PortChoice::parse(&port);
    if let PortChoice::Path(p) = &choice
        && !p.exists()
    {
        bail!(
            "cannot open {port}: no such device (is the reader plugged in? `kiosk card detect` lists the ports)"
        );
    }
    let mut cfg = ReaderConfig::new(choice, baud);
    if let Some(c) = &config {
        cfg.exclude.extend(PrinterChoice::of(c).device().map(Path::to_path_buf));
    }
    let (tx, events) = std::sync::mpsc::channel();
    let reader = SerialCardReader::spawn(
        cfg,
        std::sync::Arc::new(move |e| {
            let _ = tx.send(e);
        }),
    );
    let deadline = Instant::now() + Duration::from_secs_f64(a.timeout);
    let mut answered = false;
    let mut told = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = match events.recv_timeout(left) {
            Ok(e) => e,
            Err(_) => break,
        };
        match e {
            CardEvent::Placed(card) => {
                let today = time::china_date(ctx.now);
                if a.json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&card_json(&card, today))?)?;
                } else {
                    print_card(&card, today, out)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            CardEvent::Removed => {}
            CardEvent::Status(ReaderStatus::Ready) => {
                if !answered {
                    let on = reader.port().map(|p| p.display().to_string()).unwrap_or_else(|| port.clone());
                    eprintln!("reader on {on} ready; place a card (waiting up to {} s)…", a.timeout);
                }
                answered = true;
            }
            CardEvent::Status(ReaderStatus::ModuleFault(c)) => {
                bail!("the reader reports a module fault: SW3 {}", Sw3(c))
            }
            CardEvent::Status(ReaderStatus::Missing) if answered => {
                bail!("the reader on {port} stopped answering (unplugged?)")
            }
            CardEvent::Status(ReaderStatus::Missing) => {
                if told.is_none() {
                    eprintln!("looking for the reader ({port}, {baud} baud)…");
                    told = Some(ReaderStatus::Missing);
                }
            }
            CardEvent::Status(s @ ReaderStatus::ReadFailed(_)) => {
                if told.as_ref() != Some(&s) {
                    eprintln!("{s}; keep the card flat and still…");
                    told = Some(s);
                }
            }
        }
    }
    if !answered {
        bail!(
            "no ID-card reader answers on {port} at {baud} baud (`kiosk card detect` lists the ports; is it plugged in?)"
        );
    }
    eprintln!("no card was placed within {} s", a.timeout);
    Ok(ExitCode::from(NO_CARD))
}

/// What `card read --json` prints: masked numbers, name and address, no
/// photo, no fingerprint. One vocabulary: every enumerated value is a code
/// (`card_type` "resident", `sex` "male", `ethnicity` the GB 3304 code
/// "01"); the table output turns codes into words for people.
pub fn card_json(c: &IdCard, today: NaiveDate) -> Value {
    let date = |d: Option<NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string());
    let mut v = json!({
        "card_type": c.card_type.code(),
        "name_masked": c.name_masked(),
        "sex": sex_code(c.sex),
        "ethnicity": c.ethnicity.as_deref().and_then(ethnicity_code),
        "birth_date": date(c.birth_date),
        "address_masked": c.address_masked(),
        "id_masked": c.masked_id(),
        "id_checksum_ok": c.checksum_ok(),
        "issuer": c.issuer,
        "valid_from": date(c.valid_from),
        "valid_to": match c.valid_to {
            Some(Validity::Until(d)) => date(Some(d)),
            _ => None,
        },
        "long_term": c.valid_to == Some(Validity::LongTerm),
        "expired": c.is_expired(today),
    });
    match c.card_type {
        CardType::ForeignPermanent => {
            v["english_name"] = json!(c.english_name());
            v["nationality"] = json!(c.nationality);
        }
        CardType::HmtResidence => {
            v["permit_number_masked"] = json!(c.permit_number_masked());
            v["issue_count"] = json!(c.issue_count);
        }
        _ => {}
    }
    v
}

fn sex_code(s: Sex) -> &'static str {
    match s {
        Sex::Male => "male",
        Sex::Female => "female",
        Sex::Unstated => "unstated",
        Sex::Unknown => "unknown",
    }
}

fn print_card(c: &IdCard, today: NaiveDate, out: &mut dyn Write) -> std::io::Result<()> {
    let mut v = card_json(c, today);
    // Words for people where the JSON has codes.
    v["sex"] = json!(c.sex.label_zh());
    v["ethnicity"] = json!(c.ethnicity);
    print_fields(&v, "", out)
}

/// One `name value` line per field of a card's JSON; absent values as "—".
fn print_fields(v: &Value, indent: &str, out: &mut dyn Write) -> std::io::Result<()> {
    let Some(map) = v.as_object() else { return Ok(()) };
    for (k, val) in map {
        let shown = match val {
            Value::Null => "—".to_string(),
            Value::String(s) if s.is_empty() => "—".to_string(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        writeln!(out, "{indent}{k:<22}{shown}")?;
    }
    Ok(())
}

fn decode(ctx: &Context, a: &DecodeArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let raw = super::read_file(&a.file)?;
    let bytes = from_hex(&raw).unwrap_or(raw);
    let today = time::china_date(ctx.now);
    let frames: Vec<Value> = decode_all(&bytes).iter().map(|f| describe_frame(f, today)).collect();
    let good = frames.iter().filter(|f| f["kind"] != "broken").count();
    if a.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&json!({ "bytes": bytes.len(), "frames": frames }))?
        )?;
    } else {
        writeln!(out, "{}: {} bytes, {} frame(s)", a.file.display(), bytes.len(), frames.len())?;
        for (i, f) in frames.iter().enumerate() {
            writeln!(out, "\nframe {}: {}", i + 1, f["summary"].as_str().unwrap_or(""))?;
            if let Some(card) = f.get("card") {
                print_fields(card, "  ", out)?;
            }
        }
    }
    if good == 0 {
        eprintln!("no whole frame found (a frame starts AA AA AA 96 69)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Hex text (`AA AA 96`, `aaaa96`, `0xAA,0xAA`) to bytes; `None` if the
/// file is not hex text.
fn from_hex(raw: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(raw).ok()?;
    let cleaned: String = text
        .replace("0x", " ")
        .replace("0X", " ")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',' && *c != ':')
        .collect();
    if cleaned.is_empty()
        || !cleaned.len().is_multiple_of(2)
        || !cleaned.chars().all(|c| c.is_ascii_hexdigit())
    {
        return None;
    }
    (0..cleaned.len()).step_by(2).map(|i| u8::from_str_radix(&cleaned[i..i + 2], 16).ok()).collect()
}

/// One decoded frame, for people: what it is, and the card it carries.
fn describe_frame(f: &Result<Vec<u8>, FrameError>, today: NaiveDate) -> Value {
    let payload = match f {
        Err(e) => return json!({ "kind": "broken", "summary": format!("broken frame: {e}") }),
        Ok(p) => p,
    };
    if payload.len() == 2 {
        let (cmd, para) = (payload[0], payload[1]);
        let name = Command::from_code(cmd, para).map_or("unknown command", Command::name);
        return json!({
            "kind": "request",
            "cmd": format!("{cmd:02X} {para:02X}"),
            "summary": format!("request {cmd:02X} {para:02X}: {name}"),
        });
    }
    let Ok(reply) = Reply::parse(payload) else {
        return json!({ "kind": "broken", "summary": "frame too short to be a reply" });
    };
    let sw = format!("{:02X} {:02X} {:02X}", reply.sw1, reply.sw2, reply.sw3.0);
    let head = format!("reply SW {sw}: {}", reply.sw3.meaning());
    let n = reply.data.len();
    let mut v = json!({ "kind": "reply", "sw": sw, "status": reply.sw3.meaning(), "data_bytes": n });
    let what = match (reply.sw3.class(), n) {
        (_, 0) => String::new(),
        (SwClass::Ok, 4) if reply.sw3.0 == 0x9F => " — find card: a card is on the reader".into(),
        (SwClass::Ok, 8) => " — select card: selected".into(),
        (SwClass::Ok, 16) => {
            let id = format_sam_id(&reply.data).unwrap_or_default();
            v["sam_id"] = json!(id);
            format!(" — SAM module ID {id}")
        }
        (SwClass::Ok, 70) => {
            let units: Vec<u16> =
                reply.data.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
            let addr = String::from_utf16_lossy(&units).trim_matches([' ', '\0']).to_string();
            let addr = crate::domain::card::mask_after(&addr, 3);
            v["added_address_masked"] = json!(addr);
            format!(" — latest added address: {addr}")
        }
        (SwClass::Ok, _) => match crate::devices::card_reader::protocol::split_base_info(&reply.data) {
            Ok(info) => {
                v["photo_bytes"] = json!(info.photo_len);
                v["fingerprint_bytes"] = json!(info.fingerprint_len);
                let blocks = match info.fingerprint_len {
                    Some(f) => format!(
                        "text 256, photo {} (not decoded), fingerprint {f} (not shown)",
                        info.photo_len
                    ),
                    None => format!("text 256, photo {} (not decoded)", info.photo_len),
                };
                match card_from_reply(&reply) {
                    Ok(card) => {
                        v["card"] = card_json(&card, today);
                        format!(" — base info: {blocks}")
                    }
                    Err(_) => format!(" — base info: {blocks}; the text block is blank"),
                }
            }
            Err(e) => format!(" — {n} data bytes not understood: {e}"),
        },
        _ => format!(" — {n} data bytes"),
    };
    v["summary"] = json!(format!("{head}{what}"));
    v
}

fn detect_cmd(a: &DetectArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ports = candidates(&a.dev_dir, true);
    let found = detect(&ports, a.baud, Duration::from_millis(400));
    let readers = found.iter().filter(|p| p.result.is_ok()).count();
    if a.json {
        let list: Vec<Value> = found
            .iter()
            .map(|p| match &p.result {
                Ok(ans) => json!({
                    "port": p.port, "reader": true, "status": Sw3(ans.sw3).meaning(), "sam_id": ans.sam_id,
                }),
                Err(e) => json!({ "port": p.port, "reader": false, "error": e }),
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
    } else {
        if found.is_empty() {
            writeln!(out, "no serial ports under {}", a.dev_dir.display())?;
        }
        for p in &found {
            match &p.result {
                Ok(ans) => writeln!(
                    out,
                    "{}  reader: {}{}",
                    p.port.display(),
                    Sw3(ans.sw3).meaning(),
                    ans.sam_id.as_ref().map(|s| format!(", SAM {s}")).unwrap_or_default()
                )?,
                Err(e) => writeln!(out, "{}  no reader: {e}", p.port.display())?,
            }
        }
        writeln!(out, "{readers} reader(s) found at {} baud", a.baud)?;
    }
    Ok(if readers > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

const SIMULATE_HELP: &str = "commands: place KEY (resident, foreign, hk, expired, bad-check) · remove · \
    unplug · plug · slow MS · garbage on|off · corrupt N · pull · fault 60|66|off · error CODE|off · \
    silent on|off · stats · quit";

fn simulate(a: &SimulateArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let sim = PtyReaderSim::start(&a.link, a.baud)
        .with_context(|| format!("cannot make a pseudo-terminal at {}", a.link.display()))?;
    if let Some(s) = a.card {
        sim.place(s);
    }
    writeln!(out, "simulated reader on {} (replies paced at {} baud)", sim.path().display(), a.baud)?;
    writeln!(out, "{SIMULATE_HELP}")?;
    out.flush()?;
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let answer = match words.as_slice() {
            [] => continue,
            ["quit" | "exit"] => return Ok(ExitCode::SUCCESS),
            ["stats"] => {
                let s = sim.stats();
                Ok(format!("requests {}, reads {}", s.requests, s.reads))
            }
            words => sim_command(&sim, words).map(|()| "ok".to_string()),
        };
        match answer {
            Ok(said) => writeln!(out, "{said}")?,
            Err(e) => writeln!(out, "? {e}")?,
        }
        out.flush()?;
    }
    // Standard input closed (run from a script): serve until killed.
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// One line of `kiosk card simulate`'s input.
fn sim_command(sim: &PtyReaderSim, words: &[&str]) -> Result<(), String> {
    match words {
        ["place", key] => sim.place(parse_sample(key)?),
        ["remove"] => sim.remove(),
        ["unplug"] => sim.set_plugged(false),
        ["plug"] => sim.set_plugged(true),
        ["slow", ms] => {
            let ms = ms.parse().map_err(|_| "slow takes milliseconds".to_string())?;
            sim.behave(|b| b.reply_delay = Duration::from_millis(ms));
        }
        ["garbage", on] => {
            let on = on_off(on)?;
            sim.behave(|b| b.garbage_before = on);
        }
        ["corrupt", n] => {
            let n = n.parse().map_err(|_| "corrupt takes a count".to_string())?;
            sim.behave(|b| b.corrupt_reads = n);
        }
        ["pull"] => sim.behave(|b| b.pull_mid_read = true),
        ["fault", "off"] => sim.behave(|b| b.module_fault = None),
        ["fault", code] => {
            let c = hex_code(code)?;
            sim.behave(|b| b.module_fault = Some(c));
        }
        ["error", "off"] => sim.behave(|b| b.card_error = None),
        ["error", code] => {
            let c = hex_code(code)?;
            sim.behave(|b| b.card_error = Some(c));
        }
        ["silent", on] => {
            let on = on_off(on)?;
            sim.behave(|b| b.silent = on);
        }
        _ => return Err(SIMULATE_HELP.to_string()),
    }
    Ok(())
}

fn on_off(s: &str) -> Result<bool, String> {
    match s {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("on or off".into()),
    }
}

fn hex_code(s: &str) -> Result<u8, String> {
    u8::from_str_radix(s.trim_start_matches("0x"), 16).map_err(|_| "a status code in hex, e.g. 66".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_text_is_recognised() {
        assert_eq!(from_hex(b"AA aa 0x96,0x69\n"), Some(vec![0xAA, 0xAA, 0x96, 0x69]));
        assert_eq!(from_hex(b"AAA"), None);
        assert_eq!(from_hex(&[0xAA, 0xAA, 0xAA, 0x96, 0x69]), None);
    }

    #[test]
    fn json_never_carries_the_full_number() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for s in Sample::ALL {
            let full = s.fields().id_number;
            let v = card_json(&s.card(), today).to_string();
            assert!(!v.contains(&full), "{v}");
            assert!(v.contains(&s.card().masked_id()));
        }
    }
}
