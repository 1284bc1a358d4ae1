//! Applications, the outbox they travel in, and service statistics.
//!
//! An application is one transaction: the outbox item (the request body the
//! sender will post, with its idempotency key) and the `applications` row
//! that refuses a second application by the same person for the same job.

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// What to record for one application.
#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub posting_id: &'a str,
    /// Keyed hash of the person (never the ID number itself).
    pub person_hash: &'a str,
    pub idempotency_key: &'a str,
    /// The JSON body of `POST /api/v1/applications`.
    pub body: &'a str,
    /// When it was made. The application number is its day in China
    /// (`YYMMDD`) and the kiosk's count for that day.
    pub at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationRecord {
    New { application_no: String, outbox_id: i64 },
    Duplicate { application_no: String },
}

/// Statistics events (no personal data), as the platform's events call names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatKind {
    Visit,
    CardRead,
    Search,
    View,
    Apply,
    Print,
    Help,
}

impl StatKind {
    pub fn code(self) -> &'static str {
        match self {
            StatKind::Visit => "visit",
            StatKind::CardRead => "card_read",
            StatKind::Search => "search",
            StatKind::View => "view",
            StatKind::Apply => "apply",
            StatKind::Print => "print",
            StatKind::Help => "help",
        }
    }
}

impl Store {
    /// Records an application and its outbox item, or finds the earlier one.
    pub fn record_application(&mut self, a: &NewApplication<'_>) -> Result<ApplicationRecord, StoreError> {
        self.write(|tx| {
            let earlier: Option<String> = tx
                .tx
                .prepare_cached(
                    "SELECT application_no FROM applications WHERE person_hash = ?1 AND posting_id = ?2",
                )
                .and_then(|mut s| s.query_row(params![a.person_hash, a.posting_id], |r| r.get(0)).optional())
                .map_err(|e| tx.err(e))?;
            if let Some(application_no) = earlier {
                return Ok(ApplicationRecord::Duplicate { application_no });
            }
            let day = crate::domain::time::china_date(a.at);
            let day_start = crate::domain::time::start_of_china_day(day).timestamp();
            let today: i64 = tx
                .tx
                .prepare_cached("SELECT count(*) FROM applications WHERE created_at >= ?1")
                .and_then(|mut s| s.query_row([day_start], |r| r.get(0)))
                .map_err(|e| tx.err(e))?;
            let application_no = format!("{}-{:04}", day.format("%y%m%d"), today + 1);
            let now = a.at.timestamp();
            tx.exec(
                "INSERT INTO outbox (idempotency_key, kind, body, created_at) VALUES (?1, 'application', ?2, ?3)",
                params![a.idempotency_key, a.body, now],
            )?;
            let outbox_id = tx.tx.last_insert_rowid();
            tx.exec(
                "INSERT INTO applications (application_no, posting_id, person_hash, outbox_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![application_no, a.posting_id, a.person_hash, outbox_id, now],
            )?;
            tx.exec(
                "INSERT INTO stats_events (type, at, posting_id) VALUES ('apply', ?1, ?2)",
                params![now, a.posting_id],
            )?;
            Ok(ApplicationRecord::New { application_no, outbox_id })
        })
    }

    /// Outbox items still waiting to be sent.
    pub fn outbox_pending(&self) -> Result<u64, StoreError> {
        self.conn
            .prepare_cached("SELECT count(*) FROM outbox WHERE state = 'pending'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// The body of an outbox item (the sender, and tests, read it).
    pub fn outbox_body(&self, outbox_id: i64) -> Result<Option<(String, String)>, StoreError> {
        self.conn
            .prepare_cached("SELECT kind, body FROM outbox WHERE id = ?1")
            .and_then(|mut s| s.query_row([outbox_id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
            .map_err(|e| self.err(e))
    }

    /// Counts one service event.
    pub fn record_stat(
        &mut self,
        kind: StatKind,
        at: i64,
        posting_id: Option<&str>,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec(
                "INSERT INTO stats_events (type, at, posting_id) VALUES (?1, ?2, ?3)",
                params![kind.code(), at, posting_id],
            )
            .map(drop)
        })
    }

    /// Events of one kind since `since` (today's numbers for staff).
    pub fn stat_count(&self, kind: StatKind, since: i64) -> Result<u64, StoreError> {
        self.conn
            .prepare_cached("SELECT count(*) FROM stats_events WHERE type = ?1 AND at >= ?2")
            .and_then(|mut s| s.query_row(params![kind.code(), since], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app<'a>(posting: &'a str, person: &'a str, key: &'a str) -> NewApplication<'a> {
        NewApplication {
            posting_id: posting,
            person_hash: person,
            idempotency_key: key,
            body: "{}",
            at: crate::test_support::fixture_now(),
        }
    }

    #[test]
    fn numbers_count_up_and_duplicates_are_refused() {
        let mut s = Store::open_in_memory().unwrap();
        let a = s.record_application(&app("J1", "h1", "k1")).unwrap();
        let ApplicationRecord::New { application_no, outbox_id } = a else { panic!("{a:?}") };
        assert_eq!(application_no, "261123-0001");
        assert_eq!(s.outbox_body(outbox_id).unwrap().unwrap().0, "application");
        assert_eq!(
            s.record_application(&app("J1", "h1", "k2")).unwrap(),
            ApplicationRecord::Duplicate { application_no: "261123-0001".into() }
        );
        let b = s.record_application(&app("J2", "h1", "k3")).unwrap();
        assert!(
            matches!(b, ApplicationRecord::New { ref application_no, .. } if application_no == "261123-0002")
        );
        assert_eq!(s.outbox_pending().unwrap(), 2, "the refused duplicate queued nothing");
        assert_eq!(s.stat_count(StatKind::Apply, 0).unwrap(), 2);
        assert_eq!(s.outbox_state(outbox_id).unwrap(), Some(crate::store::sync::OutboxState::Pending));
    }

    #[test]
    fn a_reused_idempotency_key_rolls_the_whole_application_back() {
        let mut s = Store::open_in_memory().unwrap();
        s.record_application(&app("J1", "h1", "k1")).unwrap();
        assert!(s.record_application(&app("J2", "h2", "k1")).is_err());
        assert_eq!(s.outbox_pending().unwrap(), 1);
        // No half-written application blocks a retry with a fresh key.
        assert!(matches!(
            s.record_application(&app("J2", "h2", "k9")).unwrap(),
            ApplicationRecord::New { .. }
        ));
    }
}
