//! The schema migrations: valid on an empty database, on a database from
//! every earlier version (with data), and frozen once released.

use std::path::Path;

use chrono::TimeZone;
use gig_kiosk::domain::{GeoPoint, time};
use gig_kiosk::search::{SearchQuery, TextQuery};
use gig_kiosk::store::{self, MIGRATIONS, Store, StoreError, latest_version};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// Every schema object, as SQLite stores it.
fn schema(path: &Path) -> Vec<(String, String, String)> {
    let c = Connection::open(path).unwrap();
    let mut s =
        c.prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_schema ORDER BY type, name").unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn fresh_database_has_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_in_dir(dir.path()).unwrap();
    assert_eq!(s.schema_version().unwrap(), latest_version());
    assert!(s.integrity_check().unwrap().is_empty());
    let names: Vec<String> =
        schema(&dir.path().join(store::DB_FILE)).into_iter().map(|(_, n, _)| n).collect();
    for table in [
        "postings",
        "courses",
        "feed_cursors",
        "outbox",
        "stats_events",
        "settings",
        "posting_geo",
        "posting_fts",
    ] {
        assert!(names.iter().any(|n| n == table), "{table} missing from {names:?}");
    }
    let c = Connection::open(dir.path().join(store::DB_FILE)).unwrap();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn every_earlier_version_upgrades_to_the_same_schema() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    let want = schema(&fresh);
    for from in 0..latest_version() {
        let path = dir.path().join(format!("from-{from}.db"));
        let old = Store::open_at_version(&path, from).unwrap();
        assert_eq!(old.schema_version().unwrap(), from);
        drop(old);
        let s = Store::open(&path).unwrap();
        assert_eq!(s.schema_version().unwrap(), latest_version());
        assert!(s.integrity_check().unwrap().is_empty());
        assert_eq!(schema(&path), want, "upgrading from version {from}");
    }
}

#[test]
fn previous_version_with_data_keeps_it_and_indexes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    drop(Store::open_at_version(&path, 1).unwrap());
    Connection::open(&path).unwrap().execute_batch(include_str!("fixtures/schema-v1-data.sql")).unwrap();

    let s = Store::open(&path).unwrap();
    let c = Connection::open(&path).unwrap();
    let count =
        |t: &str| -> i64 { c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap() };
    assert_eq!(
        [
            count("postings"),
            count("courses"),
            count("feed_cursors"),
            count("outbox"),
            count("stats_events"),
            count("settings")
        ],
        [2, 1, 1, 1, 2, 1]
    );
    let p = s.posting("V1-1").unwrap().unwrap();
    assert_eq!(p.openings_left(), Some(7));
    assert_eq!(s.staff_settings().unwrap(), vec![("station.name".to_string(), "\"湖里驿站\"".to_string())]);

    // The rows written before the search indexes existed are found by text
    // and by place, with derived columns filled.
    let now = time::china().with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
    let mut q = SearchQuery::near(GeoPoint::new(24.50, 118.13));
    q.text = TextQuery::parse("装卸");
    let hits = s.search(&q, now).unwrap().hits;
    assert_eq!(hits.iter().map(|h| h.identifier.as_str()).collect::<Vec<_>>(), vec!["V1-1"]);
    q.text = None;
    q.within_m = Some(5_000.0);
    let hits = s.search(&q, now).unwrap().hits;
    assert_eq!(hits.iter().map(|h| h.identifier.as_str()).collect::<Vec<_>>(), vec!["V1-1", "V1-2"]);
    assert_eq!(hits[1].openings_left, None, "V1-2 does not say how many it wants: open");
    let rank: Option<f64> =
        c.query_row("SELECT wage_rank FROM postings WHERE identifier = 'V1-2'", [], |r| r.get(0)).unwrap();
    assert_eq!(rank, Some(200.0), "25 元/小时 is 200 a day");
}

#[test]
fn released_migrations_are_frozen() {
    let lock = include_str!("../src/store/migrations/migrations.lock");
    let locked: Vec<(u32, &str, &str)> = lock
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut f = l.split_whitespace();
            (f.next().unwrap().parse().unwrap(), f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    for m in MIGRATIONS {
        let hash: String = Sha256::digest(m.sql.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        match locked.iter().find(|(v, _, _)| *v == m.version) {
            Some((_, name, h)) => {
                assert_eq!(*name, m.name);
                assert_eq!(
                    *h, hash,
                    "migration {:04} ({}) changed after release: restore it and add a new migration instead",
                    m.version, m.name
                );
            }
            None => panic!(
                "migration {:04} is not in migrations.lock; when it is final, append: {:04} {} {hash}",
                m.version, m.version, m.name
            ),
        }
    }
    assert_eq!(locked.len(), MIGRATIONS.len(), "a locked migration was removed");
}

#[test]
fn damaged_file_is_diagnosed_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    {
        let mut s = Store::open(&path).unwrap();
        let (p, _) = gig_kiosk::import::load_demo(&mut s, time::in_china(chrono::Utc::now())).unwrap();
        assert!(p.imported >= 300);
        s.checkpoint().unwrap();
    }
    // Overwrite a run of pages in the middle of the file.
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 8192] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    match Store::open(&path) {
        Err(e) => assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}"),
        Ok(s) => {
            let problems = s.integrity_check();
            match problems {
                Ok(p) => assert!(!p.is_empty(), "integrity_check must see the damage"),
                Err(e) => assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}"),
            }
        }
    }
}
