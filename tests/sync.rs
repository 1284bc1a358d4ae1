//! Platform sync against a test platform on 127.0.0.1 that speaks the
//! contract, with faults injected: the cache, the cursors and the outbox
//! must come through every one of them without loss or duplication.

mod common;

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use common::platform::{Fault, TestPlatform, posting};
use gig_kiosk::clock::ManualClock;
use gig_kiosk::privacy::DeviceKey;
use gig_kiosk::store::sync::Feed;
use gig_kiosk::store::{OutboxState, Store};
use gig_kiosk::sync::client::Platform;
use gig_kiosk::sync::{Context, Summary, SyncStore, sync_once};
use serde_json::json;

const TOKEN: &str = "test-device-token";
const APPLICATIONS: &str = "/api/v1/applications";

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap()
}

struct Rig {
    server: TestPlatform,
    store: Store,
    platform: Platform,
    _dir: tempfile::TempDir,
}

impl Rig {
    fn new() -> Rig {
        Rig::with_token(TOKEN)
    }

    fn with_token(token: &str) -> Rig {
        let server = TestPlatform::start(TOKEN);
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_dir(dir.path()).unwrap();
        let cfg = gig_kiosk::config::Platform {
            url: server.url.clone(),
            token: token.into(),
            kiosk_id: "k1".into(),
            ca_file: String::new(),
            sync_interval_s: 60,
        };
        let platform = Platform::with_timeout(&cfg, Duration::from_secs(2)).unwrap().unwrap();
        Rig { server, store, platform, _dir: dir }
    }

    /// One round as the kiosk runs it: its own connection, the
    /// background loop's settings.
    fn sync_at(&mut self, at: DateTime<FixedOffset>) -> Summary {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let clock = ManualClock::new(at);
        let key = DeviceKey::from_bytes([3; 32]);
        let cx =
            Context { clock: &clock, device_key: &key, wait_retry_after: Duration::ZERO, all_pending: false };
        let store = SyncStore::new(Store::open_in_dir(self._dir.path()).unwrap());
        rt.block_on(sync_once(&store, &self.platform, &cx))
    }

    fn sync(&mut self) -> Summary {
        self.sync_at(now())
    }

    fn cached(&self) -> u64 {
        self.store.posting_counts(now()).unwrap().total
    }

    fn cursor(&self) -> Option<String> {
        self.store.feed_state(Feed::Postings).unwrap().cursor
    }

    /// Queues an application the way the kiosk does.
    fn apply(&mut self, posting: &str, id_number: &str) -> i64 {
        let body = json!({
            "posting_id": posting,
            "applicant": {"id_number": id_number, "name": "王建国", "card_type": "resident"},
            "station_id": "s1",
            "applied_at": "2026-11-23T09:00:00+08:00",
        })
        .to_string();
        let key = uuid::Uuid::new_v4().to_string();
        let n = self.store.outbox_list(true).unwrap().len();
        let rec = self
            .store
            .record_application(&gig_kiosk::store::NewApplication {
                posting_id: posting,
                person_hash: &format!("hash-{id_number}-{posting}"),
                idempotency_key: &key,
                body: &body,
                at: now(),
            })
            .unwrap();
        assert!(matches!(rec, gig_kiosk::store::ApplicationRecord::New { .. }));
        self.store.outbox_list(true).unwrap()[n].id
    }
}

#[test]
fn pages_fill_the_cache_and_changes_and_removals_follow() {
    let mut r = Rig::new();
    for i in 0..2500 {
        r.server.add("postings", posting(i));
    }
    let s = r.sync();
    assert!(s.reached && s.errors.is_empty(), "{s:?}");
    assert_eq!(
        (s.pages, s.applied.upserted),
        (3 + 1, 2500),
        "three posting pages and one (empty) course page"
    );
    assert_eq!(r.cached(), 2500);
    assert_eq!(r.cursor().as_deref(), Some("e0-2500"));
    // Changes since the cursor: one updated, two withdrawn, one malformed.
    let mut changed = posting(7);
    changed["title"] = json!("装卸工7号（改）");
    r.server.add("postings", changed);
    r.server.remove("postings", "TP-000001");
    r.server.remove("postings", "TP-000002");
    r.server.add("postings", json!({"identifier": "BROKEN", "title": "没有地点"}));
    let s = r.sync();
    assert_eq!((s.applied.upserted, s.applied.removed, s.applied.skipped), (1, 2, 1), "{s:?}");
    assert_eq!(r.cached(), 2498);
    assert_eq!(r.store.posting("TP-000007").unwrap().unwrap().title, "装卸工7号（改）");
    assert_eq!(r.cursor().as_deref(), Some("e0-2504"));
}

#[test]
fn a_bad_page_leaves_cache_and_cursor_alone_until_a_good_one_comes() {
    let mut r = Rig::new();
    for i in 0..1500 {
        r.server.add("postings", posting(i));
    }
    for fault in
        [Fault::Garbage, Fault::Truncated, Fault::DropAfterProcessing, Fault::Status(500), Fault::Trickle]
    {
        r.server.fault("/api/v1/postings", fault.clone());
        let s = r.sync();
        assert_eq!(s.errors.len(), 1, "{fault:?}: {s:?}");
        assert_eq!((r.cached(), r.cursor()), (0, None), "{fault:?}: nothing written");
    }
    // A fault on the second page: the first page and its cursor stay.
    r.server.fault("/api/v1/courses", Fault::Status(503));
    let s = r.sync();
    assert_eq!((r.cached(), r.cursor().as_deref()), (1500, Some("e0-1500")), "{s:?}");
    let s = r.sync();
    assert!(s.errors.is_empty(), "{s:?}");
}

#[test]
fn gone_fetches_a_snapshot_that_replaces_the_cache_only_when_complete() {
    let mut r = Rig::new();
    for i in 0..2400 {
        r.server.add("postings", posting(i));
    }
    r.sync();
    assert_eq!(r.cached(), 2400);
    // The platform forgets old cursors; meanwhile 300 postings were withdrawn.
    for i in 0..300 {
        r.server.remove("postings", &format!("TP-{i:06}"));
    }
    r.server.state.lock().unwrap().epoch = 1;
    // 410, snapshot page 1, then page 2 (of 3) arrives as garbage: the old cache
    // stays whole (nothing of the snapshot is applied yet).
    for f in [Fault::Pass, Fault::Pass, Fault::Garbage] {
        r.server.fault("/api/v1/postings", f);
    }
    let s = r.sync();
    assert_eq!(s.errors.len(), 1, "{s:?}");
    assert_eq!((r.cached(), r.cursor().as_deref()), (2400, Some("e0-2400")));
    // The next round starts the snapshot over and completes it.
    let s = r.sync();
    assert!(s.errors.is_empty(), "{s:?}");
    assert_eq!(s.snapshots, 1, "the postings snapshot (the courses one completed in the first round)");
    assert_eq!(r.cached(), 2100, "withdrawn postings are gone after the snapshot");
    assert_eq!(r.cursor().as_deref(), Some("e1-2700"));
    assert!(
        r.store.posting("TP-000299").unwrap().is_none() && r.store.posting("TP-000300").unwrap().is_some()
    );
}

#[test]
fn the_outbox_survives_refusals_and_faults_without_duplicates() {
    let mut r = Rig::new();
    let a = r.apply("P1", "350206196803121233");
    // Lost acknowledgement: the platform processed it, the answer never came.
    r.server.fault("/api/v1/applications", Fault::DropAfterProcessing);
    let s = r.sync();
    assert_eq!((s.sent, s.retry_later), (0, 1), "{s:?}");
    let due = r.store.outbox_list(false).unwrap();
    assert_eq!(due[0].attempts, 1);
    // Retried with the same key once due: acknowledged, accepted once.
    let s = r.sync_at(now() + chrono::Duration::hours(1));
    assert_eq!(s.sent, 2, "the application and its statistics (POST /api/v1/events): {s:?}");
    assert_eq!(r.server.accepted_at(APPLICATIONS).len(), 1, "exactly once");
    let (_, body) = r.store.outbox_body(a).unwrap().unwrap();
    assert!(!body.contains("350206196803121233") && body.contains("3502**********1233"), "{body}");
    // A closed posting: refused for good, kept for staff with the reason.
    r.server.state.lock().unwrap().closed.push("P2".into());
    let b = r.apply("P2", "350206199007152040");
    let s = r.sync();
    assert_eq!(s.refused, 1);
    assert_eq!(
        r.store.outbox_state(b).unwrap(),
        Some(OutboxState::Failed { code: Some("posting_closed".into()) })
    );
    // 429: wait exactly as long as asked.
    let c = r.apply("P3", "350206199007152040");
    r.server.fault("/api/v1/applications", Fault::TooMany(120));
    r.sync();
    let row = r.store.outbox_list(false).unwrap().into_iter().find(|x| x.id == c).unwrap();
    assert_eq!(row.next_attempt_at, now().timestamp() + 120);
    assert_eq!(r.sync().sent, 1, "only the statistics: the application is not due yet");
    assert_eq!(r.sync_at(now() + chrono::Duration::seconds(121)).sent, 1);
}

#[test]
fn a_refused_token_stops_everything_and_keeps_the_outbox() {
    let mut r = Rig::with_token("wrong-token");
    r.server.add("postings", posting(1));
    r.apply("P1", "350206196803121233");
    let s = r.sync();
    assert!(s.unauthorized && s.reached, "{s:?}");
    assert_eq!(r.cached(), 0);
    assert_eq!(r.store.outbox_pending().unwrap(), 1);
    assert!(r.server.accepted().is_empty(), "nothing at all, not even statistics");
}

#[test]
fn kiosk_sync_once_fills_the_cache_and_empties_the_outbox() {
    let server = TestPlatform::start(TOKEN);
    for i in 0..1500 {
        server.add("postings", posting(i));
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("kiosk.toml");
    let write_config = |url: &str, token: &str| {
        std::fs::write(
            &config,
            format!(
                "[station]\nid = \"s1\"\nname = \"测试驿站\"\nlatitude = 24.5\nlongitude = 118.13\n\n\
                 [storage]\ndata_dir = \"{}\"\n\n[platform]\nurl = \"{url}\"\nkiosk_id = \"k1\"\n",
                data.display()
            ),
        )
        .unwrap();
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.env_clear()
            .env("HOME", dir.path())
            .env("KIOSK_CONFIG", &config)
            .env("KIOSK__PLATFORM__TOKEN", token);
        c.args(["--now", "2026-11-23T09:00:00+08:00"]);
        c
    };
    // Something queued before the first sync.
    {
        let mut store = Store::open_in_dir(&data).unwrap();
        store
            .record_application(&gig_kiosk::store::NewApplication {
                posting_id: "TP-000001",
                person_hash: "h",
                idempotency_key: "k-1",
                body: r#"{"posting_id":"TP-000001","applicant":{"id_number":"350206196803121233","name":"王建国","card_type":"resident"}}"#,
                at: now(),
            })
            .unwrap();
    }
    let listed = write_config(&server.url, TOKEN).args(["outbox", "list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("application") && listed.contains("pending"), "{listed}");
    assert!(
        !listed.contains("350206196803121233") && !listed.contains("王建国"),
        "no personal data: {listed}"
    );

    let o = write_config(&server.url, TOKEN).args(["sync", "--once"]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}\n{}", String::from_utf8_lossy(&o.stderr));
    // The application and the statistics it counted (POST /api/v1/events).
    assert!(out.contains("1500 record(s) updated") && out.contains("2 sent"), "{out}");
    let store = Store::open_in_dir(&data).unwrap();
    assert_eq!(store.posting_counts(now()).unwrap().total, 1500);
    assert_eq!(store.outbox_pending().unwrap(), 0);
    assert_eq!(server.accepted_at(APPLICATIONS).len(), 1);

    // A refused token, and a platform that is not there: exit status 1.
    let o = write_config(&server.url, "stolen").args(["sync", "--once"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refused this kiosk's token"));
    let o = write_config("http://127.0.0.1:9", TOKEN).args(["sync", "--once"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("could not be reached"));
    // Plain HTTP to another host is refused before anything is sent.
    let o = write_config("http://jobs.example.gov.cn", TOKEN).args(["sync", "--once"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("only to a loopback address"));
}

#[test]
fn the_background_loop_reports_rounds_and_syncs_when_nudged() {
    use gig_kiosk::sync::worker::{Settings, SyncStatus, spawn};
    let mut r = Rig::new();
    r.server.add("postings", posting(1));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<SyncStatus>();
    let settings = Settings {
        data_dir: r._dir.path().to_path_buf(),
        // Long: every round after the first comes from a nudge.
        interval: Duration::from_secs(3600),
        device_key: DeviceKey::from_bytes([3; 32]),
        clock: std::sync::Arc::new(ManualClock::new(now())),
    };
    let platform = std::mem::replace(
        &mut r.platform,
        Platform::with_timeout(
            &gig_kiosk::config::Platform {
                url: "http://127.0.0.1:9".into(),
                token: String::new(),
                kiosk_id: String::new(),
                ca_file: String::new(),
                sync_interval_s: 60,
            },
            Duration::from_secs(1),
        )
        .unwrap()
        .unwrap(),
    );
    let supervisor = gig_kiosk::tasks::Supervisor::new(
        rt.handle().clone(),
        std::sync::Arc::new(|r| eprintln!("{r:?}")),
        Default::default(),
    );
    let handle = spawn(
        &supervisor,
        platform,
        settings,
        std::sync::Arc::new(move |s| {
            let _ = tx.send(s);
        }),
    );
    let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(first.online && first.cache_changed && first.last_success.is_some(), "{first:?}");
    assert_eq!(first.outbox_depth, 0);
    // An application is queued; the nudge sends it at once.
    r.apply("TP-000001", "350206196803121233");
    handle.nudge();
    let second = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(second.outbox_depth, 0, "{second:?}");
    assert_eq!(r.server.accepted_at(APPLICATIONS).len(), 1);
    // The platform goes away: offline, since when.
    r.server.fault("/api/v1/postings", Fault::Status(502));
    handle.nudge();
    let third = rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(third.online, "a 502 is an answer: reachable, with an error: {third:?}");
    assert!(third.last_error.is_some());
    handle.stop();
}

/// `kiosk sync --once` in a configured data directory against `url`.
fn sync_once_command(dir: &std::path::Path, url: &str) -> std::process::Output {
    let config = dir.join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[station]\nid = \"s1\"\nname = \"测试驿站\"\nlatitude = 24.5\nlongitude = 118.13\n\
             [platform]\nurl = \"{url}\"\ntoken = \"{TOKEN}\"\nkiosk_id = \"k1\"\n\
             [storage]\ndata_dir = \"{}\"\n",
            dir.join("data").display()
        ),
    )
    .unwrap();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kiosk"));
    c.env_clear().env("HOME", dir).env("KIOSK_CONFIG", &config).args(["--now", "2026-11-23T09:00:00+08:00"]);
    c.args(["sync", "--once"]);
    common::output_within(c, Duration::from_secs(120))
}

#[test]
fn sync_once_waits_out_a_short_retry_after_and_finishes_the_feed() {
    let server = TestPlatform::start(TOKEN);
    for i in 0..2500 {
        server.add("postings", posting(i));
    }
    // The second page and the first submission are answered 503, Retry-After: 1.
    server.fault("/api/v1/postings", Fault::Pass);
    server.fault("/api/v1/postings", Fault::Unavailable(1));
    server.fault("/api/v1/applications", Fault::Unavailable(1));
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open_in_dir(&dir.path().join("data")).unwrap();
        let card = gig_kiosk::devices::card_reader::samples::Sample::Resident.card();
        let body = gig_kiosk::sync::bodies::application("TP-000001", &card, "s1", now());
        store
            .record_application(&gig_kiosk::store::NewApplication {
                posting_id: "TP-000001",
                person_hash: "h",
                idempotency_key: "k-1",
                body: &body,
                at: now(),
            })
            .unwrap();
    }
    let o = sync_once_command(dir.path(), &server.url);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    // The application and the statistics it counted (POST /api/v1/events).
    assert!(out.contains("2500 record(s) updated") && out.contains("2 sent"), "{out}");
    let store = Store::open_in_dir(&dir.path().join("data")).unwrap();
    assert_eq!(store.posting_counts(now()).unwrap().total, 2500);
    assert_eq!(store.outbox_pending().unwrap(), 0);
}

#[test]
fn sync_once_that_cannot_finish_says_what_is_incomplete_and_exits_3() {
    let server = TestPlatform::start(TOKEN);
    for i in 0..2500 {
        server.add("postings", posting(i));
    }
    // Maintenance for longer than --once waits: the second page never comes.
    server.fault("/api/v1/postings", Fault::Pass);
    server.fault("/api/v1/postings", Fault::Unavailable(3600));
    let dir = tempfile::tempdir().unwrap();
    let o = sync_once_command(dir.path(), &server.url);
    let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(3), "{out}\n{err}");
    assert!(err.contains("incomplete: the postings feed did not reach its end"), "{err}");
    // What arrived is kept, with its cursor: the next run goes on from there.
    let store = Store::open_in_dir(&dir.path().join("data")).unwrap();
    assert_eq!(store.posting_counts(now()).unwrap().total, 1000);
    assert!(store.feed_state(Feed::Postings).unwrap().cursor.is_some());
    let o = sync_once_command(dir.path(), &server.url);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        Store::open_in_dir(&dir.path().join("data")).unwrap().posting_counts(now()).unwrap().total,
        2500
    );
}

#[test]
fn a_sync_task_that_cannot_run_is_reported_and_started_again() {
    use gig_kiosk::sync::worker::{Settings, SyncStatus, TASK_NAME, spawn};
    use gig_kiosk::tasks::{Backoff, Supervisor, TaskReport, TaskState};
    let server = TestPlatform::start(TOKEN);
    server.add("postings", posting(1));
    let dir = tempfile::tempdir().unwrap();
    // Not a database: every run of the task fails at once.
    std::fs::write(dir.path().join("kiosk.db"), b"not a database at all, a shopping list").unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let (rtx, reports) = std::sync::mpsc::channel::<TaskReport>();
    let rtx = std::sync::Mutex::new(rtx);
    let backoff = Backoff {
        first: Duration::from_millis(50),
        cap: Duration::from_millis(200),
        healthy_after: Duration::from_secs(600),
    };
    let supervisor = Supervisor::new(
        rt.handle().clone(),
        std::sync::Arc::new(move |r| {
            let _ = rtx.lock().unwrap().send(r);
        }),
        backoff,
    );
    let (stx, statuses) = std::sync::mpsc::channel::<SyncStatus>();
    let stx = std::sync::Mutex::new(stx);
    let cfg = gig_kiosk::config::Platform {
        url: server.url.clone(),
        token: TOKEN.into(),
        kiosk_id: "k1".into(),
        ca_file: String::new(),
        sync_interval_s: 60,
    };
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        interval: Duration::from_secs(3600),
        device_key: DeviceKey::from_bytes([3; 32]),
        clock: std::sync::Arc::new(ManualClock::new(now())),
    };
    let handle = spawn(
        &supervisor,
        Platform::with_timeout(&cfg, Duration::from_secs(5)).unwrap().unwrap(),
        settings,
        std::sync::Arc::new(move |s| {
            let _ = stx.lock().unwrap().send(s);
        }),
    );
    // Failing, reported with the reason, tried again with growing pauses.
    let mut failures = Vec::new();
    while failures.len() < 3 {
        let r = reports.recv_timeout(Duration::from_secs(30)).expect("a report");
        assert_eq!(r.name, TASK_NAME);
        if let TaskState::Failed { error, failures: n, retry_in } = r.state {
            assert!(error.contains("not a kiosk database"), "{error}");
            failures.push((n, retry_in));
        }
    }
    assert_eq!(
        failures,
        [(1, Duration::from_millis(50)), (2, Duration::from_millis(100)), (3, Duration::from_millis(200))]
    );
    // The file is moved aside: the next run works and syncs.
    std::fs::rename(dir.path().join("kiosk.db"), dir.path().join("kiosk.db.damaged")).unwrap();
    let first = statuses.recv_timeout(Duration::from_secs(30)).expect("a round after the restart");
    assert!(first.online && first.cache_changed, "{first:?}");
    handle.stop();
    loop {
        let r = reports.recv_timeout(Duration::from_secs(30)).expect("the task stops");
        if r.state == TaskState::Stopped {
            break;
        }
    }
}

#[test]
fn statistics_reach_the_platform_once_with_no_personal_field() {
    use gig_kiosk::store::StatKind;
    let mut r = Rig::new();
    let at = now().timestamp();
    for (kind, n) in
        [(StatKind::Visit, 3), (StatKind::CardRead, 2), (StatKind::Search, 4), (StatKind::Help, 1)]
    {
        for i in 0..n {
            r.store.record_stat(kind, at + i, None).unwrap();
        }
    }
    r.store.record_stat(StatKind::View, at, Some("P1")).unwrap();
    r.apply("P1", "350206196803121233"); // counts one "apply"
    // The events call's answer is lost: sent again with the same key, counted once.
    r.server.fault("/api/v1/events", Fault::DropAfterProcessing);
    r.sync();
    let s = r.sync_at(now() + chrono::Duration::hours(1));
    assert_eq!(r.store.outbox_pending().unwrap(), 0, "{s:?}");
    let bodies = r.server.accepted_at("/api/v1/events");
    assert_eq!(bodies.len(), 1, "one batch, accepted once");
    let items = bodies[0]["items"].as_array().unwrap();
    let count = |t: &str| items.iter().filter(|i| i["type"] == t).count();
    assert_eq!(
        [count("visit"), count("card_read"), count("search"), count("view"), count("apply"), count("help")],
        [3, 2, 4, 1, 1, 1]
    );
    for i in items {
        let keys: Vec<&String> = i.as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| ["type", "at", "posting_id"].contains(&k.as_str())), "{i}");
        assert!(i["at"].as_str().unwrap().ends_with("+08:00"), "{i}");
    }
    let text = bodies[0].to_string();
    assert!(!text.contains("350206") && !text.contains("王"), "no personal data: {text}");
    // Nothing new: nothing more is sent.
    r.sync_at(now() + chrono::Duration::hours(2));
    assert_eq!(r.server.accepted_at("/api/v1/events").len(), 1);
}
