//! The kiosk keeps working while the platform's fresh snapshot replaces
//! the whole cache (issue: "the core's writes cannot fail with 'database is
//! locked' during a 100 000-posting snapshot"). A worker applies for job
//! after job and taps filters on the kiosk's core, on its own connection,
//! for as long as the background sync (on its own runtime and connection)
//! replaces 100 000 postings; every application and every count must be in
//! the database afterwards and the core must never have reported trouble.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use common::platform::{TestPlatform, posting};
use gig_kiosk::app::session::Input;
use gig_kiosk::app::views::AppliedStatus;
use gig_kiosk::app::{Command, FilterChange, Parts, SimCommand, build};
use gig_kiosk::clock::ManualClock;
use gig_kiosk::devices::card_reader::samples::Sample;
use gig_kiosk::devices::setup::Threading;
use gig_kiosk::privacy::DeviceKey;
use gig_kiosk::store::{StatKind, Store};
use gig_kiosk::sync::client::Platform;
use gig_kiosk::sync::{Context, SyncStore, sync_once};

const POSTINGS: usize = 100_000;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap()
}

#[test]
fn applications_and_taps_during_a_100k_snapshot_are_all_kept() {
    let server = TestPlatform::start("t");
    for i in 0..POSTINGS {
        server.add("postings", posting(i));
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = gig_kiosk::config::Platform {
        url: server.url.clone(),
        token: "t".into(),
        kiosk_id: "k".into(),
        ca_file: String::new(),
        sync_interval_s: 60,
    };
    let platform = Platform::with_timeout(&cfg, Duration::from_secs(120)).unwrap().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let clock = ManualClock::new(now());
    let key = DeviceKey::from_bytes([5; 32]);
    let sync_store = SyncStore::new(Store::open_in_dir(dir.path()).unwrap());
    let cx =
        Context { clock: &clock, device_key: &key, wait_retry_after: Duration::ZERO, all_pending: false };
    let first = rt.block_on(sync_once(&sync_store, &platform, &cx));
    assert!(first.errors.is_empty() && first.applied.upserted as usize == POSTINGS, "{first:?}");

    // The kiosk's core, on its own connection, at the test platform's station.
    let mut kcfg = gig_kiosk::config::Builder::new(gig_kiosk::config::Mode::Demo).build().unwrap().config;
    kcfg.station.latitude = 24.5;
    kcfg.station.longitude = 118.13;
    let parts = Parts {
        store: Store::open_in_dir(dir.path()).unwrap(),
        clock: Arc::new(clock.clone()),
        threading: Threading::Inline,
        demo: true,
        base: gig_kiosk::config::Base::demo(dir.path()),
    };
    let mut core = build(&kcfg, dir.path(), parts).unwrap();
    core.initial();

    // The platform forgets every cursor: the next round fetches a fresh
    // snapshot and replaces the cache with it, on the sync's thread.
    server.state.lock().unwrap().epoch += 1;
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    let syncing = std::thread::spawn(move || {
        let clock = ManualClock::new(now());
        let key = DeviceKey::from_bytes([5; 32]);
        let cx =
            Context { clock: &clock, device_key: &key, wait_retry_after: Duration::ZERO, all_pending: false };
        let s = rt.block_on(sync_once(&sync_store, &platform, &cx));
        d.store(true, Ordering::SeqCst);
        s
    });

    // Meanwhile a worker applies for one job after another and taps filters.
    let (mut applied, mut taps) = (0u64, 0u64);
    let mut job = 0usize;
    let stats_before = core.store().stat_count(StatKind::Search, 0).unwrap();
    while !done.load(Ordering::SeqCst) || applied < 20 {
        let id = format!("TP-{job:06}");
        job += 1;
        core.handle(Command::Sim(SimCommand::PlaceCard(Sample::Resident)));
        core.handle(Command::Session(Input::OpenJob(id.clone())));
        core.handle(Command::Session(Input::ApplyTapped));
        core.handle(Command::Session(Input::ConfirmApply));
        let v = core.session_view();
        assert_eq!(v.applied, Some(AppliedStatus::Waiting), "{id}: {:?}", core.trouble());
        applied += 1;
        for km in [Some(3), None] {
            core.handle(Command::Filter(FilterChange::WithinKm(km)));
            taps += 1;
        }
        assert!(core.trouble().is_none(), "{:?}", core.trouble());
        core.handle(Command::Session(Input::Finish));
    }
    let s = syncing.join().unwrap();
    assert_eq!(s.snapshots, 2, "postings and courses both started over: {s:?}");
    assert!(s.errors.is_empty(), "{s:?}");

    // Nothing the core wrote was lost; the cache is the snapshot.
    let store = Store::open_in_dir(dir.path()).unwrap();
    // Each application is in the outbox (some already sent by the same round).
    let outbox = store.outbox_list(true).unwrap();
    assert_eq!(outbox.iter().filter(|r| r.kind == "application").count() as u64, applied);
    assert_eq!(store.stat_count(StatKind::Search, 0).unwrap() - stats_before, taps);
    assert_eq!(store.posting_counts(now()).unwrap().total as usize, POSTINGS);
    assert!(store.integrity_check().unwrap().is_empty());
    eprintln!("{applied} applications and {taps} taps while the snapshot was replaced");
}
