//! Platform sync speed (issue 6's figures), against the test platform on
//! 127.0.0.1 (`tests/common/platform.rs`, plain HTTP/1.1, one connection
//! per request):
//!
//!     cargo bench --bench sync                       # 100 000 postings
//!     BENCH_POSTINGS=20000 cargo bench --bench sync
//!
//! 1. Initial sync into an empty cache: every page (1 000 postings each)
//!    fetched, checked, applied and its cursor committed, end to end.
//! 2. An incremental page of 1 000 changed postings, five times: median.
//! 3. A fresh snapshot after `410 Gone` replacing the whole cache, while a
//!    second connection writes a statistics event every 5 ms as the kiosk's
//!    core does: how long the snapshot takes, and the longest any of those
//!    writes waited for the database.

#[path = "../tests/common/platform.rs"]
#[allow(dead_code)]
mod platform;

use std::time::{Duration, Instant};

use chrono::DateTime;
use gig_kiosk::clock::ManualClock;
use gig_kiosk::privacy::DeviceKey;
use gig_kiosk::store::{StatKind, Store};
use gig_kiosk::sync::client::Platform;
use gig_kiosk::sync::{Context, SyncStore, sync_once};
use platform::{TestPlatform, posting};

fn main() {
    let n: usize = std::env::var("BENCH_POSTINGS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let server = TestPlatform::start("bench");
    for i in 0..n {
        server.add("postings", posting(i));
    }
    let dir = tempfile::tempdir().unwrap();
    let store = SyncStore::new(Store::open_in_dir(dir.path()).unwrap());
    let cfg = gig_kiosk::config::Platform {
        url: server.url.clone(),
        token: "bench".into(),
        kiosk_id: "k".into(),
        ca_file: String::new(),
        sync_interval_s: 60,
    };
    let p = Platform::with_timeout(&cfg, Duration::from_secs(60)).unwrap().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let at = DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap();
    let clock = ManualClock::new(at);
    let key = DeviceKey::from_bytes([7; 32]);
    let cx =
        Context { clock: &clock, device_key: &key, wait_retry_after: Duration::ZERO, all_pending: false };

    let t = Instant::now();
    let s = rt.block_on(sync_once(&store, &p, &cx));
    let took = t.elapsed();
    assert!(s.errors.is_empty(), "{s:?}");
    assert_eq!(s.applied.upserted as usize, n);
    println!(
        "initial sync of {n} postings: {:.2} s end to end ({:.0} postings/s, {} pages)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        s.pages
    );

    let mut times = Vec::new();
    for round in 0..5 {
        for i in 0..1000 {
            let mut v = posting(round * 1000 + i);
            v["title"] = serde_json::json!(format!("改过的装卸工{round}-{i}"));
            server.add("postings", v);
        }
        let t = Instant::now();
        let s = rt.block_on(sync_once(&store, &p, &cx));
        times.push(t.elapsed());
        assert_eq!(s.applied.upserted, 1000, "{s:?}");
    }
    times.sort();
    println!(
        "incremental page of 1 000 changes (and an empty courses page): median {:.1} ms, min {:.1}, max {:.1}",
        times[2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[4].as_secs_f64() * 1e3
    );

    // 3. The platform forgets every cursor: a fresh snapshot replaces the cache.
    server.state.lock().unwrap().epoch += 1;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (s2, path) = (stop.clone(), dir.path().to_path_buf());
    let writer = std::thread::spawn(move || {
        let mut core_store = Store::open_in_dir(&path).unwrap();
        let (mut worst, mut writes) = (Duration::ZERO, 0u32);
        while !s2.load(std::sync::atomic::Ordering::SeqCst) {
            let t = Instant::now();
            core_store.record_stat(StatKind::Search, at.timestamp(), None).unwrap();
            worst = worst.max(t.elapsed());
            writes += 1;
            std::thread::sleep(Duration::from_millis(5));
        }
        (worst, writes)
    });
    let t = Instant::now();
    let s = rt.block_on(sync_once(&store, &p, &cx));
    let took = t.elapsed();
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (worst, writes) = writer.join().unwrap();
    assert_eq!(s.snapshots, 2, "both feeds start over: {s:?}");
    println!(
        "snapshot of {n} postings replacing the cache: {:.2} s; {writes} concurrent writes, the longest waited {:.1} ms",
        took.as_secs_f64(),
        worst.as_secs_f64() * 1e3
    );
}
