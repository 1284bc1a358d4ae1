//! The crash test: a kiosk process queuing and sending applications is
//! killed (SIGKILL) at random moments, 100 times, restarting each time,
//! against a test platform on 127.0.0.1. In the end the platform must hold
//! every application the kiosk committed exactly once, nothing may be left
//! unsent, and the database must pass `PRAGMA integrity_check`.

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::platform::TestPlatform;
use rand::{RngExt, SeedableRng};

const TOKEN: &str = "crash-test-token";
const KILLS: usize = 100;

#[test]
fn killed_100_times_every_application_arrives_exactly_once() {
    let server = TestPlatform::start(TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("kiosk.toml");
    std::fs::write(
        &config,
        format!(
            "[station]\nid = \"s1\"\nname = \"测试驿站\"\nlatitude = 24.5\nlongitude = 118.13\n\n\
             [storage]\ndata_dir = \"{}\"\n\n[platform]\nurl = \"{}\"\ntoken = \"{TOKEN}\"\nkiosk_id = \"k1\"\n",
            data.display(),
            server.url
        ),
    )
    .unwrap();
    let kiosk = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.env_clear().env("HOME", dir.path()).env("KIOSK_CONFIG", &config);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };
    let seed = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261123u64);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for _ in 0..KILLS {
        let mut child = kiosk().args(["churn", "--count", "100000"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(15..250)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    // After the last restart, the queue drains.
    let o = kiosk().args(["sync", "--once"]).status().unwrap();
    assert!(o.success());

    let conn = rusqlite::Connection::open(data.join("kiosk.db")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let pending: i64 =
        conn.query_row("SELECT count(*) FROM outbox WHERE state != 'done'", [], |r| r.get(0)).unwrap();
    assert_eq!(pending, 0, "everything was sent");
    let mut committed: Vec<String> = conn
        .prepare("SELECT posting_id FROM applications")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    committed.sort();
    let mut arrived: Vec<String> = server
        .accepted_at("/api/v1/applications")
        .iter()
        .map(|b| b["posting_id"].as_str().unwrap().to_string())
        .collect();
    arrived.sort();
    let unique: HashSet<&String> = arrived.iter().collect();
    assert_eq!(unique.len(), arrived.len(), "an application arrived twice");
    assert_eq!(arrived, committed, "every committed application arrived, and nothing else");
    assert!(committed.len() >= KILLS / 2, "the test exercised something: {} applications", committed.len());
    eprintln!(
        "{} applications over {KILLS} kills (seed {seed}); {} requests",
        committed.len(),
        server.state.lock().unwrap().requests
    );
}
