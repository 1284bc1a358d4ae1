//! Slips end to end: the ESC/POS bytes of representative slips against
//! golden files (with a readable listing beside each), the virtual
//! printer's picture of them (its QR reads back to the posting's link),
//! paper widths, the character set, and real printers on a pseudo-terminal
//! and on TCP.
//!
//! After an intended change to the slip or the encoder, regenerate the
//! golden files with `UPDATE_GOLDEN=1 cargo test --test slips`, then read
//! the `.txt` diffs before committing.

mod common;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::PtyPrinter;

use chrono::{DateTime, FixedOffset};
use gig_kiosk::devices::printer::escpos::EscPosPrinter;
use gig_kiosk::devices::printer::transport::{Flow, Target};
use gig_kiosk::devices::printer::{PrintError, SlipPrinter};
use gig_kiosk::domain::{GeoPoint, Posting};
use gig_kiosk::slip::escpos::{
    Charset, Finish, Op, Options, QrMode, decode_text, encode, has_four_byte_sequence, listing, parse,
};
use gig_kiosk::slip::{
    Applied, DailyCounts, Paper, Slip, SlipContext, daily_summary, job_slip, picture, test_page,
};
use unicode_width::UnicodeWidthStr;

const URL: &str = "https://jobs.example.gov.cn/p/HL-2026-004211";

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap()
}

fn posting() -> Posting {
    let v: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/posting-contract-example.json"
        ))
        .unwrap(),
    )
    .unwrap();
    gig_kiosk::jsonld::posting::from_json(&v, now()).unwrap()
}

fn ctx(paper: Paper) -> SlipContext {
    SlipContext {
        station_name: "湖里街道零工驿站".into(),
        station_location: GeoPoint::new(24.50, 118.13),
        printed_at: now(),
        paper,
    }
}

fn applied() -> Applied {
    Applied { application_no: "261123-0042".into(), masked_id: "3502**********1233".into() }
}

fn opts(qr: QrMode) -> Options {
    Options { charset: Charset::Gb18030, qr, finish: Finish::PartialCut }
}

/// The representative slips and how they are encoded.
fn cases() -> Vec<(&'static str, Slip, Options)> {
    let p = posting();
    let counts = DailyCounts {
        visits: 86,
        card_reads: 41,
        searches: 230,
        job_views: 175,
        applications: 19,
        prints: 33,
        help_calls: 4,
    };
    let mut week = counts;
    week += DailyCounts {
        visits: 500,
        card_reads: 210,
        searches: 1400,
        job_views: 990,
        applications: 88,
        prints: 150,
        help_calls: 17,
    };
    vec![
        ("job-80-native", job_slip(&p, &ctx(Paper::Mm80), None), opts(QrMode::Native)),
        ("job-80-applied", job_slip(&p, &ctx(Paper::Mm80), Some(&applied())), opts(QrMode::Native)),
        ("job-58-native", job_slip(&p, &ctx(Paper::Mm58), Some(&applied())), opts(QrMode::Native)),
        ("job-58-raster", job_slip(&p, &ctx(Paper::Mm58), None), opts(QrMode::Raster)),
        (
            "job-80narrow-gbk",
            job_slip(&p, &ctx(Paper::Mm80Narrow), None),
            Options { charset: Charset::Gbk, qr: QrMode::Native, finish: Finish::TearBar },
        ),
        ("test-page-58", test_page(&ctx(Paper::Mm58), "/dev/ttyUSB1 at 9600 baud"), opts(QrMode::Native)),
        (
            "daily-summary-80",
            daily_summary(&ctx(Paper::Mm80), now().date_naive(), &counts, &week, 2),
            opts(QrMode::Native),
        ),
    ]
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/slips")
}

#[test]
fn slip_bytes_match_the_golden_files() {
    let dir = golden_dir();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    if update {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut failures = Vec::new();
    for (name, slip, o) in cases() {
        let bytes = encode(&slip, &o);
        let text = listing(&bytes);
        let (bin, txt) = (dir.join(format!("{name}.bin")), dir.join(format!("{name}.txt")));
        if update {
            std::fs::write(&bin, &bytes).unwrap();
            std::fs::write(&txt, &text).unwrap();
            continue;
        }
        let want = std::fs::read(&bin)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 makes it)", bin.display()));
        if want != bytes {
            let want_text = listing(&want);
            let first = want_text.lines().zip(text.lines()).find(|(a, b)| a != b);
            failures.push(format!("{name}: bytes differ; first listing difference: {first:?}"));
        }
        assert_eq!(
            std::fs::read_to_string(&txt).unwrap(),
            listing(&want),
            "{name}.txt is the listing of {name}.bin"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_printed_qr_reads_back_to_the_postings_link() {
    for (name, slip, o) in cases().into_iter().filter(|(n, ..)| n.starts_with("job")) {
        let r = picture(&slip, &o).unwrap();
        let c = &r.canvas;
        let (w, h) = (c.width() as usize, c.height() as usize);
        let gray = c.to_gray();
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| gray[y * w + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "{name}: one QR code");
        let (_, content) = grids[0].decode().unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(content, URL, "{name}");
        if o.qr == QrMode::Native {
            assert_eq!(r.qr_data, [URL], "{name}: the native code carries the link");
        }
    }
}

#[test]
fn no_line_is_wider_than_the_paper_and_no_four_byte_text_is_sent() {
    let mut p = posting();
    p.title = "急招😀搬运工𠀀（日结）".into();
    let mut all = cases();
    all.push(("emoji", job_slip(&p, &ctx(Paper::Mm58), None), opts(QrMode::Native)));
    for (name, slip, o) in all {
        let bytes = encode(&slip, &o);
        let cols = slip.paper.columns();
        let mut mag = 1;
        let mut line = String::new();
        for op in parse(&bytes) {
            match op {
                Op::Size { w, .. } => mag = w as usize,
                Op::Text(t) => {
                    assert!(
                        !has_four_byte_sequence(&t),
                        "{name}: four-byte sequence in {:?}",
                        decode_text(&t)
                    );
                    line.push_str(&decode_text(&t));
                }
                Op::LineFeed => {
                    assert!(line.width() * mag <= cols, "{name}: {line:?} is wider than {cols} columns");
                    line.clear();
                }
                Op::Unknown(b) => {
                    panic!("{name}: the encoder sent a command the virtual printer does not know: {b:02X?}")
                }
                _ => {}
            }
        }
        if name == "emoji" {
            let text: String = parse(&bytes)
                .iter()
                .filter_map(|o| if let Op::Text(t) = o { Some(decode_text(t)) } else { None })
                .collect();
            assert!(text.contains("急招?搬运工?"), "replaced, not sent: {text}");
        }
    }
}

#[test]
fn native_qr_slips_are_small() {
    for (name, slip, o) in cases().into_iter().filter(|(n, ..)| n.starts_with("job")) {
        let n = encode(&slip, &o).len();
        if o.qr == QrMode::Native {
            assert!(n <= 2048, "{name}: {n} bytes");
        }
    }
}

fn serial(port: &std::path::Path, baud: u32) -> Target {
    Target::Serial { path: port.to_path_buf(), baud, flow: Flow::None }
}

#[test]
fn a_serial_printer_out_of_paper_fails_cleanly_and_gets_no_slip() {
    let printer = PtyPrinter::start();
    printer.paper.store(0x72, Ordering::SeqCst);
    let mut p = EscPosPrinter::new(serial(&printer.port, 9600), opts(QrMode::Native));
    let refused = job_slip(&posting(), &ctx(Paper::Mm58), None);
    assert_eq!(p.print(&refused), Err(PrintError::PaperOut));
    // Paper loaded: the same printer object prints another slip, and the
    // printer's first bytes are that slip's: none of the refused one came
    // before it (the second slip is the signal, not a pause).
    printer.paper.store(0x12, Ordering::SeqCst);
    let mut other = posting();
    other.title = "另一份工作".into();
    let slip = job_slip(&other, &ctx(Paper::Mm58), None);
    assert_ne!(encode(&slip, &opts(QrMode::Native)), encode(&refused, &opts(QrMode::Native)));
    p.print(&slip).unwrap();
    assert_eq!(
        printer.wait_for(encode(&slip, &opts(QrMode::Native)).len()),
        encode(&slip, &opts(QrMode::Native))
    );
}

#[test]
fn a_ready_serial_printer_gets_exactly_the_slips_bytes() {
    let printer = PtyPrinter::start();
    let o = opts(QrMode::Raster);
    let mut p = EscPosPrinter::new(serial(&printer.port, 115_200), o);
    let slip = job_slip(&posting(), &ctx(Paper::Mm80), Some(&applied()));
    let printed = p.print(&slip).unwrap();
    assert!(printed.preview.is_some_and(|pv| pv.width == 576));
    let want = encode(&slip, &o);
    assert_eq!(printer.wait_for(want.len()), want);
}

#[test]
fn cover_open_and_silence_are_distinct_outcomes() {
    let printer = PtyPrinter::start();
    printer.offline_cause.store(0x16, Ordering::SeqCst);
    let mut p = EscPosPrinter::new(serial(&printer.port, 9600), opts(QrMode::Native));
    let slip = job_slip(&posting(), &ctx(Paper::Mm58), None);
    assert_eq!(p.print(&slip), Err(PrintError::CoverOpen));
    // A terminal where nothing answers.
    let dir = tempfile::tempdir().unwrap();
    let (_master, slave) = serialport::TTYPort::pair().unwrap();
    let link = dir.path().join("silent");
    std::os::unix::fs::symlink(serialport::SerialPort::name(&slave).unwrap(), &link).unwrap();
    let mut p = EscPosPrinter::new(serial(&link, 9600), opts(QrMode::Native));
    assert_eq!(p.print(&slip), Err(PrintError::NoAnswer));
    // A device that is not there.
    let mut p = EscPosPrinter::new(Target::UsbLp("/nonexistent/lp0".into()), opts(QrMode::Native));
    assert_eq!(p.print(&slip), Err(PrintError::NoAnswer));
}

#[test]
fn a_network_printer_on_port_9100_prints_and_vanishing_is_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        let mut got: Vec<u8> = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    got.extend(&buf[..n]);
                    // Answer each status request as a ready printer.
                    while let Some(i) = got.windows(3).position(|w| w[0] == 0x10 && w[1] == 0x04 && w[2] <= 4)
                    {
                        got.drain(i..i + 3);
                        s.write_all(&[0x12]).unwrap();
                    }
                }
            }
        }
        got
    });
    let o = opts(QrMode::Native);
    let slip = job_slip(&posting(), &ctx(Paper::Mm80), None);
    let mut p = EscPosPrinter::new(Target::Tcp(addr.clone()), o);
    p.print(&slip).unwrap();
    drop(p);
    assert_eq!(server.join().unwrap(), encode(&slip, &o));
    // Nobody listening any more.
    let mut p = EscPosPrinter::new(Target::Tcp(addr), o);
    assert_eq!(p.print(&slip), Err(PrintError::NoAnswer));
}
