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

#[path = "../tests/common/platform.rs"]
#[allow(dead_code)]
mod platform;

use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, TimeZone};
use gig_kiosk::app::{Command, Input, Parts, build};
use gig_kiosk::clock::ManualClock;
use gig_kiosk::demo::{self, Options, places};
use gig_kiosk::devices::setup::Threading;
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

/// Scrolls the job list 400 wheel steps of 40 px down, then back up,
/// timing each frame that was drawn; checks the picture changed half-way.
fn scroll(
    window: &slint::platform::software_renderer::MinimalSoftwareWindow,
    buf: &mut [Rgb565Pixel],
    w: u32,
) -> Vec<Duration> {
    let mut frames = Vec::new();
    let first = buf.to_vec();
    for i in 0..800 {
        let dy = if i < 400 { -40.0 } else { 40.0 };
        window.dispatch_event(WindowEvent::PointerScrolled {
            position: slint::LogicalPosition::new(700.0, 1000.0),
            delta_x: 0.0,
            delta_y: dy,
        });
        slint::platform::update_timers_and_animations();
        let t = Instant::now();
        if window.draw_if_needed(|r| {
            r.render(buf, w as usize);
        }) {
            frames.push(t.elapsed());
        }
        if i == 399 {
            assert!(buf != first.as_slice(), "scrolling did not change the picture");
        }
    }
    frames
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
    let parts = Parts {
        store,
        clock: std::sync::Arc::new(ManualClock::new(now())),
        threading: Threading::Inline,
        demo: true,
        base: gig_kiosk::config::Base::demo(dir.path()),
    };
    let kiosk = Inline::new(build(&cfg, dir.path(), parts).unwrap()).unwrap();
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
    window.dispatch_event(WindowEvent::PointerMoved { position: slint::LogicalPosition::new(700.0, 1000.0) });
    let mut frames = scroll(&window, &mut buf, w);
    frames.sort();
    println!(
        "scrolling frame render at {w}×{h}: {} frames, median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        frames.len(),
        pct(&frames, 0.5),
        pct(&frames, 0.9),
        pct(&frames, 0.99),
        pct(&frames, 1.0)
    );

    // The same scrolling while a platform sync runs on another thread
    // against the same database (its own connection, as in the kiosk):
    // 20 000 changed postings in pages of 1 000, round after round.
    let server = platform::TestPlatform::start("bench");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (rounds, pages) = {
        let (stop_t, url, data) = (stop.clone(), server.url.clone(), dir.path().to_path_buf());
        let srv = server.clone();
        let handle = std::thread::spawn(move || {
            let store = gig_kiosk::sync::SyncStore::new(Store::open_in_dir(&data).unwrap());
            let cfg = gig_kiosk::config::Platform {
                url,
                token: "bench".into(),
                kiosk_id: "k".into(),
                ca_file: String::new(),
                sync_interval_s: 60,
            };
            let p = gig_kiosk::sync::client::Platform::with_timeout(&cfg, Duration::from_secs(60))
                .unwrap()
                .unwrap();
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let clock = ManualClock::new(now());
            let key = gig_kiosk::privacy::DeviceKey::from_bytes([7; 32]);
            let cx = gig_kiosk::sync::Context {
                clock: &clock,
                device_key: &key,
                wait_retry_after: Duration::ZERO,
                all_pending: false,
            };
            let (mut rounds, mut pages) = (0, 0);
            while !stop_t.load(std::sync::atomic::Ordering::SeqCst) {
                for i in 0..20_000 {
                    srv.add("postings", platform::posting(rounds * 20_000 + i));
                }
                let s = rt.block_on(gig_kiosk::sync::sync_once(&store, &p, &cx));
                rounds += 1;
                pages += s.pages;
            }
            (rounds, pages)
        });
        std::thread::sleep(Duration::from_millis(300));
        let mut busy = scroll(&window, &mut buf, w);
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let done = handle.join().unwrap();
        busy.sort();
        println!(
            "the same while a sync runs: {} frames, median {:.2} ms ({:+.0} % of idle), p90 {:.2} ms ({:+.0} %)",
            busy.len(),
            pct(&busy, 0.5),
            (pct(&busy, 0.5) / pct(&frames, 0.5) - 1.0) * 100.0,
            pct(&busy, 0.9),
            (pct(&busy, 0.9) / pct(&frames, 0.9) - 1.0) * 100.0
        );
        done
    };
    println!("(sync meanwhile: {rounds} round(s), {pages} page(s))");
    println!(
        "peak RSS of this process: {:.0} MB (includes generating and importing the data)",
        peak_rss_mb()
    );
}
