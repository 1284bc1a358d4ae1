//! ID-card read latency (issue 4's figure): from the card being presented
//! to the decoded card reaching the app.
//!
//!     cargo bench --bench card_read                  # 115 200 baud, 60 reads
//!     BENCH_BAUD=9600 BENCH_READS=20 cargo bench --bench card_read
//!
//! The simulated module runs on a pseudo-terminal and paces every reply at
//! the line's baud rate (the last byte of a base read arrives 112 ms after
//! the first at 115 200); the real serial driver polls it with its normal
//! settings (find every 50 ms) on its own thread. Each read: the card is
//! placed, the clock starts; it stops when the `Placed` event arrives on
//! the channel the app core reads. The card is then lifted and the removal
//! awaited before the next read. Prints median, p90 and worst, and the
//! wire time of the three replies (find 15 + select 19 + read 1295 bytes).

use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use gig_kiosk::devices::card_reader::CardEvent;
use gig_kiosk::devices::card_reader::protocol::wire_time;
use gig_kiosk::devices::card_reader::ptysim::PtyReaderSim;
use gig_kiosk::devices::card_reader::samples::Sample;
use gig_kiosk::devices::card_reader::serial::{PortChoice, ReaderConfig, SerialCardReader};

fn main() {
    let baud: u32 = std::env::var("BENCH_BAUD").ok().and_then(|b| b.parse().ok()).unwrap_or(115_200);
    let reads: usize = std::env::var("BENCH_READS").ok().and_then(|b| b.parse().ok()).unwrap_or(60);
    let dir = tempfile::tempdir().expect("temporary directory");
    let sim = PtyReaderSim::start(dir.path().join("reader"), baud).expect("pseudo-terminal");
    let (tx, rx) = channel();
    let driver = SerialCardReader::spawn(
        ReaderConfig::new(PortChoice::Path(sim.path().to_path_buf()), baud),
        std::sync::Arc::new(move |e| {
            let _ = tx.send((Instant::now(), e));
        }),
    );
    let wait = |what: &str, f: &dyn Fn(&CardEvent) -> bool| -> Instant {
        loop {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok((t, e)) if f(&e) => return t,
                Ok(_) => {}
                Err(_) => panic!("{what} did not arrive"),
            }
        }
    };
    wait("ready", &|e| matches!(e, CardEvent::Status(_)));
    let mut took = Vec::with_capacity(reads);
    let samples = [Sample::Resident, Sample::HongKongPermit, Sample::ForeignPermanent];
    for i in 0..reads {
        // Vary where in the poll cycle the card lands.
        std::thread::sleep(Duration::from_millis(7 * (i as u64 % 8)));
        let start = Instant::now();
        sim.place(samples[i % samples.len()]);
        let at = wait("the card", &|e| matches!(e, CardEvent::Placed(_)));
        took.push(at - start);
        sim.remove();
        wait("the removal", &|e| *e == CardEvent::Removed);
    }
    drop(driver);
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: f64| took[((took.len() - 1) as f64 * p).round() as usize];
    let wire = wire_time(15 + 19 + 1295, baud);
    println!("card read latency at {baud} baud over a pseudo-terminal, {reads} reads:");
    println!(
        "  median {:.1} ms · p90 {:.1} ms · worst {:.1} ms · best {:.1} ms",
        ms(pct(0.5)),
        ms(pct(0.9)),
        ms(*took.last().unwrap()),
        ms(took[0])
    );
    println!(
        "  wire time of find + select + read replies {:.1} ms; median above wire time {:.1} ms (target ≤ 100 ms)",
        ms(wire),
        ms(pct(0.5)) - ms(wire)
    );
}
