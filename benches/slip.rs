//! Slip composition and encoding speed, and what a slip costs on the wire
//! (issue 5's figures).
//!
//!     cargo bench --bench slip
//!
//! Times `job_slip` + `escpos::encode` for the platform contract's example
//! posting (applied, with a QR code) on 58 and 80 mm paper, native and
//! raster QR, 2 000 runs each; prints median and p99, the byte count, and
//! the transfer time at 9600 and 115 200 baud (10 bits a byte; what a
//! serial printer needs at least, before it prints a dot).

use std::time::{Duration, Instant};

use chrono::DateTime;
use gig_kiosk::domain::GeoPoint;
use gig_kiosk::slip::escpos::{Charset, Finish, Options, QrMode, encode};
use gig_kiosk::slip::{Applied, Paper, SlipContext, job_slip};

fn main() {
    let now = DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap();
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/posting-contract-example.json")).unwrap();
    let posting = gig_kiosk::jsonld::posting::from_json(&v, now).unwrap();
    let applied = Applied { application_no: "261123-0042".into(), masked_id: "3502**********1233".into() };
    println!(
        "{:<22} {:>9} {:>9} {:>7} {:>10} {:>11}",
        "slip", "median", "p99", "bytes", "at 9600", "at 115200"
    );
    for paper in [Paper::Mm58, Paper::Mm80] {
        for qr in [QrMode::Native, QrMode::Raster] {
            let ctx = SlipContext {
                station_name: "湖里街道零工驿站".into(),
                station_location: GeoPoint::new(24.50, 118.13),
                printed_at: now,
                paper,
            };
            let opts = Options { charset: Charset::Gb18030, qr, finish: Finish::PartialCut };
            let mut times = Vec::with_capacity(2000);
            let mut bytes = 0;
            for _ in 0..2000 {
                let t = Instant::now();
                let b = encode(&job_slip(&posting, &ctx, Some(&applied)), &opts);
                times.push(t.elapsed());
                bytes = std::hint::black_box(b).len();
            }
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let wire = |baud: f64| bytes as f64 * 10.0 / baud;
            println!(
                "{:<22} {:>7.3}ms {:>7.3}ms {:>7} {:>9.2}s {:>10.3}s",
                format!("{paper:?} {qr:?}"),
                ms(times[times.len() / 2]),
                ms(times[times.len() * 99 / 100]),
                bytes,
                wire(9600.0),
                wire(115_200.0)
            );
        }
    }
}
