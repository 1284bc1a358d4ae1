//! Touch UI speed and memory with a large cache (issue 3's figures).
//!
//!     cargo bench --bench ui_frame            # 100 000 postings
//!     BENCH_POSTINGS=20000 cargo bench --bench ui_frame
//!
//! Headless, through the same software renderer and window size as the
//! kiosk (1080×1920): builds a store with N generated postings, starts the
//! core and the window, renders the first frame (start-up), then scrolls
//! the job list with wheel events and times each full-frame render. Prints
//! medians and percentiles and the process's peak RSS (VmHWM). Results are
//! recorded in docs/performance.md.

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, TimeZone};
use gig_kiosk::app::core::{Command, ManualClock};
use gig_kiosk::app::{Input, Parts, build};
use gig_kiosk::demo::{self, Options, places};
use gig_kiosk::domain::time;
use gig_kiosk::import;
use gig_kiosk::store::Store;
use gig_kiosk::ui::{Inline, screenshot};
use slint::ComponentHandle;
use slint::platform::WindowEvent;
use slint::platform::software_renderer::Rgb565Pixel;

fn now() -> DateTime<FixedOffset> {
    time::china().with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

fn main() {
    let n: usize = std::env::var("BENCH_POSTINGS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    {
        let opts = Options::new(&places::XIAMEN_HULI, n, 0, 1, now() - chrono::Duration::hours(2));
        let doc = serde_json::to_vec(&demo::document(&opts, demo::postings(&opts))).unwrap();
        let mut store = Store::open_in_dir(dir.path()).unwrap();
        import::import_bytes(&mut store, &doc, &import::Options::postings(), now()).unwrap();
        store.checkpoint().unwrap();
    }
    let rss_after_import = peak_rss_mb();
    println!("{n} postings cached (peak RSS while generating and importing: {rss_after_import:.0} MB)");

    // Start-up: open the store, start the core, build the window, first frame.
    let window = screenshot::init().unwrap();
    let started = Instant::now();
    let cfg = gig_kiosk::config::Builder::new(gig_kiosk::config::Mode::Demo).build().unwrap().config;
    let store = Store::open_in_dir(dir.path()).unwrap();
    let parts = Parts { store, clock: Box::new(ManualClock::new(now())), threaded: false, demo: true };
    let kiosk = Inline::new(build(&cfg, dir.path(), parts)).unwrap();
    let (w, h) = (1080u32, 1920u32);
    window.set_size(slint::PhysicalSize::new(w, h));
    kiosk.ui.show().unwrap();
    let mut buf = vec![Rgb565Pixel::default(); (w * h) as usize];
    window.draw_if_needed(|r| {
        r.render(&mut buf, w as usize);
    });
    let startup = started.elapsed();
    println!("start-up to first frame (attract page): {:.0} ms", startup.as_secs_f64() * 1e3);

    let t = Instant::now();
    kiosk.send(Command::Session(Input::Touch));
    window.draw_if_needed(|r| {
        r.render(&mut buf, w as usize);
    });
    println!("touch → job list drawn: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);

    // Scroll the list: 400 wheel steps of 40 px down, then back up.
    let mut frames = Vec::new();
    let first = buf.clone();
    for i in 0..800 {
        let dy = if i < 400 { -40.0 } else { 40.0 };
        window.dispatch_event(WindowEvent::PointerMoved {
            position: slint::LogicalPosition::new(700.0, 1000.0),
        });
        window.dispatch_event(WindowEvent::PointerScrolled {
            position: slint::LogicalPosition::new(700.0, 1000.0),
            delta_x: 0.0,
            delta_y: dy,
        });
        slint::platform::update_timers_and_animations();
        let t = Instant::now();
        let drawn = window.draw_if_needed(|r| {
            r.render(&mut buf, w as usize);
        });
        if drawn {
            frames.push(t.elapsed());
        }
        if i == 399 {
            assert!(buf != first, "scrolling did not change the picture");
        }
    }
    frames.sort();
    println!(
        "scrolling frame render at {w}×{h}: {} frames, median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        frames.len(),
        pct(&frames, 0.5),
        pct(&frames, 0.9),
        pct(&frames, 0.99),
        pct(&frames, 1.0)
    );
    println!(
        "peak RSS of this process: {:.0} MB (includes generating and importing the data)",
        peak_rss_mb()
    );
}
