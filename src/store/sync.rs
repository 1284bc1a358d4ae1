//! What platform sync keeps in the database: feed cursors (written in the
//! same transaction as the page they follow), staged snapshot pages, and
//! the outbox's life after an item is written (`submissions.rs`): due
//! items, acknowledgement, retry and permanent failure.

use rusqlite::{OptionalExtension, params};
use zeroize::Zeroizing;

use super::{Store, StoreError, Tx};

/// A feed is named by the kind of record it carries.
pub use crate::domain::RecordKind as Feed;

/// Where an outbox item stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent (or sent again after a transient failure).
    Pending,
    /// Acknowledged by the platform.
    Done,
    /// Refused for good; `code` is the platform's `error` (`posting_closed` …).
    Failed { code: Option<String> },
}

/// Where a feed stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    pub cursor: Option<String>,
    pub etag: Option<String>,
    /// When the last page was committed (unix seconds), if ever.
    pub updated_at: Option<i64>,
}

/// An outbox item ready to be sent.
pub struct DueItem {
    pub id: i64,
    pub idempotency_key: String,
    pub kind: String,
    /// The request body; it may hold a full ID number.
    pub body: Zeroizing<String>,
    pub attempts: u32,
}

/// An outbox row for people (`kiosk outbox list`, staff status): no body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub error_code: Option<String>,
}

impl Store {
    pub fn feed_state(&self, feed: Feed) -> Result<FeedState, StoreError> {
        self.conn
            .prepare_cached("SELECT cursor, etag, updated_at FROM feed_cursors WHERE feed = ?1")
            .and_then(|mut s| {
                s.query_row([feed.code()], |r| {
                    Ok(FeedState { cursor: r.get(0)?, etag: r.get(1)?, updated_at: r.get(2)? })
                })
                .optional()
            })
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }

    /// Items whose time has come, oldest first.
    pub fn outbox_due(&self, now: i64, limit: usize) -> Result<Vec<DueItem>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, idempotency_key, kind, body, attempts FROM outbox
                 WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![now, limit as i64], |r| {
                    Ok(DueItem {
                        id: r.get(0)?,
                        idempotency_key: r.get(1)?,
                        kind: r.get(2)?,
                        body: Zeroizing::new(r.get(3)?),
                        attempts: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// When the next pending item falls due (unix seconds), if any.
    pub fn outbox_next_due(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .prepare_cached("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    pub fn outbox_list(&self, include_done: bool) -> Result<Vec<OutboxRow>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, kind, state, attempts, created_at, next_attempt_at, last_error, error_code
                 FROM outbox WHERE ?1 OR state != 'done' ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([include_done], |r| {
                    Ok(OutboxRow {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        state: r.get(2)?,
                        attempts: r.get(3)?,
                        created_at: r.get(4)?,
                        next_attempt_at: r.get(5)?,
                        last_error: r.get(6)?,
                        error_code: r.get(7)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The newest `datePosted` in the cache (unix seconds): a clock that
    /// reads earlier is wrong.
    pub fn newest_date_posted(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .prepare_cached("SELECT max(date_posted) FROM postings")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// The sequence numbers of a snapshot's staged pages, in order.
    pub fn staged_seqs(&self, feed: Feed) -> Result<Vec<u32>, StoreError> {
        self.conn
            .prepare_cached("SELECT seq FROM feed_staging WHERE feed = ?1 ORDER BY seq")
            .and_then(|mut s| s.query_map([feed.code()], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))
    }

    /// One staged page's body.
    pub fn staged_page(&self, feed: Feed, seq: u32) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .prepare_cached("SELECT body FROM feed_staging WHERE feed = ?1 AND seq = ?2")
            .and_then(|mut s| s.query_row(params![feed.code(), seq], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))
    }

    /// The identifiers of every record a feed brought (postings from the
    /// feed; all courses): what a finished snapshot may sweep out.
    /// Staff-entered and imported postings are never among them.
    pub fn feed_identifiers(&self, feed: Feed) -> Result<Vec<String>, StoreError> {
        let sql = match feed {
            Feed::Postings => "SELECT identifier FROM postings WHERE source = 'feed'",
            Feed::Courses => "SELECT identifier FROM courses",
        };
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))
    }

    /// Where an item stands (the applied page shows it live).
    pub fn outbox_state(&self, id: i64) -> Result<Option<OutboxState>, StoreError> {
        self.conn
            .prepare_cached("SELECT state, error_code FROM outbox WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| {
                    let state: String = r.get(0)?;
                    Ok(match state.as_str() {
                        "done" => OutboxState::Done,
                        "failed" => OutboxState::Failed { code: r.get(1)? },
                        _ => OutboxState::Pending,
                    })
                })
                .optional()
            })
            .map_err(|e| self.err(e))
    }
}

impl Tx<'_> {
    /// Records where a feed stands; called in the transaction of its page.
    pub fn set_feed_cursor(
        &self,
        feed: Feed,
        cursor: Option<&str>,
        etag: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO feed_cursors (feed, cursor, etag, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (feed) DO UPDATE SET cursor = ?2, etag = ?3, updated_at = ?4",
            params![feed.code(), cursor, etag, now],
        )
        .map(drop)
    }

    pub fn stage_page(&self, feed: Feed, seq: u32, body: &[u8]) -> Result<(), StoreError> {
        self.exec(
            "INSERT OR REPLACE INTO feed_staging (feed, seq, body) VALUES (?1, ?2, ?3)",
            params![feed.code(), seq, body],
        )
        .map(drop)
    }

    pub fn clear_staging(&self, feed: Feed) -> Result<(), StoreError> {
        self.exec("DELETE FROM feed_staging WHERE feed = ?1", [feed.code()]).map(drop)
    }

    /// Acknowledged: done, with the answer, and the body replaced by one
    /// without the full ID number.
    pub fn outbox_acknowledge(
        &self,
        id: i64,
        response: &str,
        scrubbed_body: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE outbox SET state = 'done', response = ?2, body = ?3, finished_at = ?4,
                    attempts = attempts + 1, last_error = NULL
             WHERE id = ?1",
            params![id, response, scrubbed_body, now],
        )
        .map(drop)
    }

    /// Refused for good (409, other 4xx): kept for staff, never sent again.
    pub fn outbox_fail(
        &self,
        id: i64,
        error_code: Option<&str>,
        error: &str,
        response: Option<&str>,
        scrubbed_body: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.exec(
            "UPDATE outbox SET state = 'failed', error_code = ?2, last_error = ?3, response = ?4,
                    body = ?5, finished_at = ?6, attempts = attempts + 1
             WHERE id = ?1",
            params![id, error_code, error, response, scrubbed_body, now],
        )
        .map(drop)
    }

    /// Not sent this time; try again at `next_at`.
    pub fn outbox_retry(&self, id: i64, next_at: i64, error: &str) -> Result<(), StoreError> {
        self.exec(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
            params![id, next_at, error],
        )
        .map(drop)
    }
}
