//! Numbered, append-only schema migrations.
//!
//! Each migration runs in its own transaction together with the
//! `user_version` bump, so a power cut leaves the file at the old version
//! or the new one, never between. Released migrations are frozen; the test
//! in `tests/migrations.rs` holds them to `migrations.lock`.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::{StoreError, classify};

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

macro_rules! migration {
    ($v:literal, $name:literal, $file:literal) => {
        Migration { version: $v, name: $name, sql: include_str!(concat!("migrations/", $file)) }
    };
}

/// Every migration, in order. Append only.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "initial", "0001_initial.sql"),
    migration!(2, "search", "0002_search.sql"),
    migration!(3, "applications", "0003_applications.sql"),
    migration!(4, "sync", "0004_sync.sql"),
    migration!(5, "open_by_trade", "0005_open_by_trade.sql"),
    migration!(6, "staff", "0006_staff.sql"),
];

pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

pub(super) fn current_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Brings the database up to `target` (at most the latest version).
pub(super) fn migrate(conn: &mut Connection, path: &Path, target: u32) -> Result<(), StoreError> {
    let from = current_version(conn).map_err(|e| classify(path, e))?;
    if from > latest_version() {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: from,
            supported: latest_version(),
        });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > from && m.version <= target) {
        let fail = |e: rusqlite::Error| match classify(path, e) {
            StoreError::Sqlite { source, .. } => StoreError::Migration {
                path: path.to_path_buf(),
                version: m.version,
                name: m.name,
                from,
                detail: source.to_string(),
            },
            other => other,
        };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        // Another process may have migrated while we waited for the lock.
        if current_version(&tx).map_err(fail)? >= m.version {
            continue;
        }
        tx.execute_batch(m.sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", m.version).map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(version = m.version, name = m.name, "database schema upgraded");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
        }
    }
}
