//! The kiosk's local database: cache of postings and courses, outbox,
//! statistics and settings. All SQL lives under this module.
//!
//! One SQLite file, `<data dir>/kiosk.db`, in WAL mode so that a reader (a
//! technician's `kiosk search`) never blocks the running kiosk. The schema is
//! built by numbered, append-only migrations (`migrations/NNNN_*.sql`);
//! `PRAGMA user_version` records how far a file has been brought.

mod functions;
mod migrations;
mod postings;
pub use submissions::{ApplicationRecord, NewApplication, StatKind};
mod search;
mod settings;
pub mod staff;
mod submissions;
pub mod sync;
mod turns;

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

pub use functions::{posting_search_text, wage_rank};
pub use migrations::{MIGRATIONS, Migration, latest_version};
pub use postings::{BULK_MIN, Derived, PostingCounts, Upsert};
pub use search::SearchOutcome;
pub use sync::OutboxState;

/// File name of the database inside the data directory.
pub const DB_FILE: &str = "kiosk.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot create the data directory {path}: {source}. Check that the kiosk's user may write there, or choose another with --data-dir."
    )]
    CreateDir { path: PathBuf, source: std::io::Error },
    #[error("cannot open the database {path}: {detail}. Check the path and its permissions.")]
    Open { path: PathBuf, detail: String },
    #[error(
        "{path} is not a kiosk database or is damaged ({detail}). Move the file aside and start again: the kiosk rebuilds its cache from the platform or an import; queued submissions in the damaged file need a technician."
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} was written by a newer kiosk (schema version {found}; this kiosk knows up to {supported}). Install the newer kiosk again, or point this one at another data directory."
    )]
    NewerSchema { path: PathBuf, found: u32, supported: u32 },
    #[error(
        "upgrading {path} to schema version {version} ({name}) failed: {detail}. The database is unchanged at version {from}."
    )]
    Migration { path: PathBuf, version: u32, name: &'static str, from: u32, detail: String },
    #[error(
        "the database {path} stayed locked by another program for more than {secs} s. Stop the other kiosk process, then try again."
    )]
    Busy { path: PathBuf, secs: u64 },
    #[error("the disk holding {path} is full. Free some space; nothing was lost.")]
    DiskFull { path: PathBuf },
    #[error(
        "{path} cannot be written: {detail}. The kiosk must be able to write its data directory: check that the disk is mounted read-write and the directory belongs to the kiosk's user, or choose another with --data-dir."
    )]
    ReadOnly { path: PathBuf, detail: String },
    #[error("database error in {path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
}

impl StoreError {
    /// Whether trying again later can succeed without anyone acting.
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Busy { .. } | StoreError::DiskFull { .. })
    }
}

/// How long a writer waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open kiosk database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Counts of the cache for the search planner; see `search.rs`.
    estimates: RefCell<Option<search::CachedCounts>>,
    /// Bumped on every committed write through this connection, so cached
    /// counts notice this connection's own changes (SQLite's
    /// `data_version` only reports other connections' commits).
    own_writes: Cell<u64>,
    /// This file's writers in this process, in turn (see `turns.rs`).
    turns: std::sync::Arc<turns::Turns>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) `<data_dir>/kiosk.db` and brings its schema
    /// up to date.
    pub fn open_in_dir(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::CreateDir { path: data_dir.to_path_buf(), source })?;
        Store::open(&data_dir.join(DB_FILE))
    }

    /// Opens (creating if needed) the database file at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_at_version(path, latest_version())
    }

    /// A private database in memory, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| classify(&path, e))?;
        Store::prepare(conn, path, latest_version())
    }

    /// Opens `path` migrated only up to `version`: for migration tests,
    /// which need a database as an older kiosk left it.
    #[doc(hidden)]
    pub fn open_at_version(path: &Path, version: u32) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        Store::prepare(conn, path.to_path_buf(), version)
    }

    fn prepare(conn: Connection, path: PathBuf, version: u32) -> Result<Store, StoreError> {
        let e = |err| classify(&path, err);
        functions::register(&conn).map_err(e)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(e)?;
        // The first statement that reads the file: a non-database fails here.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(e)?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16000;",
        )
        .map_err(e)?;
        conn.set_prepared_statement_cache_capacity(64);
        let turns = turns::for_path(&path);
        let mut store = Store { conn, path, estimates: RefCell::new(None), own_writes: Cell::new(0), turns };
        migrations::migrate(&mut store.conn, &store.path, version)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        migrations::current_version(&self.conn).map_err(|e| self.err(e))
    }

    /// Runs SQLite's full consistency check; `Ok(vec![])` when healthy.
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").map_err(|e| self.err(e))?;
        let rows: Vec<String> =
            stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(|e| self.err(e))?;
        Ok(rows.into_iter().filter(|r| r != "ok").collect())
    }

    /// Moves everything from the write-ahead log into the database file and
    /// empties the log: do this before copying the file as a backup.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).map_err(|e| self.err(e))
    }

    /// Runs `f` in one write transaction, committed when `f` succeeds and
    /// rolled back when it fails. `f` may fail with its own error type.
    pub fn write<T, E: From<StoreError>>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T, E>) -> Result<T, E> {
        let path = self.path.clone();
        let turns = self.turns.clone();
        let _turn = turns.take();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(&path, e))?;
        let w = Tx { tx, path, bulk: Default::default() };
        let out = f(&w)?;
        w.finish_bulk()?;
        w.tx.commit().map_err(|e| classify(&self.path, e))?;
        self.own_writes.set(self.own_writes.get() + 1);
        Ok(out)
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }
}

/// A write transaction; see [`Store::write`].
pub struct Tx<'c> {
    tx: rusqlite::Transaction<'c>,
    path: PathBuf,
    /// A bulk load of postings in progress; see [`Tx::expect_postings`].
    bulk: std::cell::RefCell<Option<postings::Bulk>>,
}

impl Tx<'_> {
    fn err(&self, e: rusqlite::Error) -> StoreError {
        classify(&self.path, e)
    }

    /// Runs one (cached) statement; the number of rows it changed.
    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> Result<usize, StoreError> {
        self.tx.prepare_cached(sql).and_then(|mut s| s.execute(params)).map_err(|e| self.err(e))
    }
}

/// Turns a SQLite error into what the person at the kiosk can act on.
fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    let path = path.to_path_buf();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            StoreError::Corrupt { path, detail: e.to_string() }
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Busy { path, secs: BUSY_TIMEOUT.as_secs() }
        }
        Some(ErrorCode::DiskFull) => StoreError::DiskFull { path },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { path, detail: e.to_string() },
        // SQLite says only "unable to open": a read-only disk or directory
        // (it must write the journal beside the file) is the usual cause.
        Some(ErrorCode::CannotOpen) => match unwritable(&path) {
            Some(why) => StoreError::ReadOnly { path, detail: why },
            None => StoreError::Open { path, detail: e.to_string() },
        },
        _ => StoreError::Sqlite { path, source: e },
    }
}

/// Why the database's directory cannot be written, if it cannot.
fn unwritable(db: &Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated path; access(2) only reads it.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0 {
        return None;
    }
    let e = std::io::Error::last_os_error();
    Some(match e.raw_os_error() {
        Some(libc::EROFS) => format!("{} is on a read-only file system", dir.display()),
        _ => format!("{}: {e}", dir.display()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_file_is_reported_as_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        std::fs::write(&path, b"this is not a database, it is a shopping list").unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("Move the file aside"), "{err}");
        // The file is left as it was for a technician to look at.
        assert_eq!(std::fs::read(&path).unwrap(), b"this is not a database, it is a shopping list");
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        {
            let s = Store::open(&path).unwrap();
            s.conn.pragma_update(None, "user_version", latest_version() + 5).unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        let StoreError::NewerSchema { found, supported, .. } = err else { panic!("{err:?}") };
        assert_eq!((found, supported), (latest_version() + 5, latest_version()));
    }

    #[test]
    fn only_waiting_helps_with_busy_or_full() {
        let path = PathBuf::from("x");
        assert!(StoreError::Busy { path: path.clone(), secs: 5 }.is_transient());
        assert!(StoreError::DiskFull { path: path.clone() }.is_transient());
        assert!(!StoreError::Corrupt { path: path.clone(), detail: String::new() }.is_transient());
        assert!(!StoreError::NewerSchema { path, found: 9, supported: 2 }.is_transient());
    }

    #[test]
    fn unwritable_directory_is_reported() {
        let err = Store::open_in_dir(Path::new("/proc/kiosk-cannot-be-here")).unwrap_err();
        assert!(matches!(err, StoreError::CreateDir { .. }), "{err:?}");
    }
}
