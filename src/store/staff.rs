//! Staff mode's tables (migration 0006): the audit trail, the PIN pad's
//! lockout, and what the status and numbers pages read (statistics by day,
//! the oldest waiting submission); and the statistics' way to the platform:
//! unreported events queued as one `POST /api/v1/events` outbox item.

use chrono::SecondsFormat;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub at: i64,
    /// `entered`, `left`, `changed`, `undone`, `test_print`, `test_read`,
    /// `summary_print`, `sync_now`, `wrong_pin`, `locked`, `pin_set`, `timeout`.
    pub action: String,
    pub key: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

impl AuditRow {
    pub fn new(at: i64, action: &str) -> AuditRow {
        AuditRow { at, action: action.to_string(), key: None, old_value: None, new_value: None }
    }
}

/// The PIN pad's lockout as stored (see `app::staff::lockout`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockoutRow {
    pub failures: u32,
    pub lockouts: u32,
    /// Unix seconds; 0: not locked.
    pub locked_until: i64,
}

/// Events of one kind on one day in China (`day`: days since 1970-01-01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    pub kind: String,
    pub day: i64,
    pub count: u64,
}

/// Events sent per `POST /api/v1/events` at most.
pub const EVENTS_BATCH: usize = 500;

impl Store {
    pub fn append_audit(&mut self, row: &AuditRow) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec(
                "INSERT INTO staff_audit (at, action, key, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![row.at, row.action, row.key, row.old_value, row.new_value],
            )
            .map(drop)
        })
    }

    /// Sets (or removes) a staff setting and records it in the audit trail,
    /// in one transaction: a power cut leaves both or neither.
    pub fn change_staff_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        audit: &AuditRow,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            match value {
                Some(v) => tx.exec(
                    "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, 'staff')
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                        updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    params![key, v, audit.at],
                )?,
                None => tx.exec("DELETE FROM settings WHERE key = ?1", [key])?,
            };
            tx.exec(
                "INSERT INTO staff_audit (at, action, key, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![audit.at, audit.action, audit.key, audit.old_value, audit.new_value],
            )
            .map(drop)
        })
    }

    /// The newest `limit` lines, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT at, action, key, old_value, new_value FROM staff_audit ORDER BY id DESC LIMIT ?1",
            )
            .and_then(|mut s| {
                s.query_map([limit as i64], |r| {
                    Ok(AuditRow {
                        at: r.get(0)?,
                        action: r.get(1)?,
                        key: r.get(2)?,
                        old_value: r.get(3)?,
                        new_value: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    pub fn staff_lockout(&self) -> Result<LockoutRow, StoreError> {
        self.conn
            .prepare_cached("SELECT failures, lockouts, locked_until FROM staff_lockout WHERE id = 1")
            .and_then(|mut s| {
                s.query_row([], |r| {
                    Ok(LockoutRow { failures: r.get(0)?, lockouts: r.get(1)?, locked_until: r.get(2)? })
                })
                .optional()
            })
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }

    /// Stores the lockout, with an audit line when there is one.
    pub fn set_staff_lockout(&mut self, l: &LockoutRow, audit: Option<&AuditRow>) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.exec(
                "INSERT INTO staff_lockout (id, failures, lockouts, locked_until) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET failures = excluded.failures,
                    lockouts = excluded.lockouts, locked_until = excluded.locked_until",
                params![l.failures, l.lockouts, l.locked_until],
            )?;
            if let Some(a) = audit {
                tx.exec(
                    "INSERT INTO staff_audit (at, action, key, old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![a.at, a.action, a.key, a.old_value, a.new_value],
                )?;
            }
            Ok(())
        })
    }

    /// Events per kind and China day since `since` (unix seconds).
    pub fn stats_by_day(&self, since: i64) -> Result<Vec<DayCount>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT type, (at + 28800) / 86400 AS day, count(*) FROM stats_events
                 WHERE at >= ?1 GROUP BY type, day ORDER BY day, type",
            )
            .and_then(|mut s| {
                s.query_map([since], |r| Ok(DayCount { kind: r.get(0)?, day: r.get(1)?, count: r.get(2)? }))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The oldest submission still waiting: when it was made (unix seconds).
    pub fn outbox_oldest_pending(&self) -> Result<Option<i64>, StoreError> {
        self.conn
            .prepare_cached("SELECT min(created_at) FROM outbox WHERE state = 'pending'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// Queues up to [`EVENTS_BATCH`] unreported statistics as one
    /// `POST /api/v1/events` outbox item and marks them reported, in one
    /// transaction. Returns the number queued (0: nothing to send).
    pub fn queue_events(&mut self, idempotency_key: &str, now: i64) -> Result<usize, StoreError> {
        self.write(|tx| {
            let rows: Vec<(i64, String, i64, Option<String>)> = tx
                .tx
                .prepare_cached(
                    "SELECT id, type, at, posting_id FROM stats_events WHERE reported = 0 ORDER BY id LIMIT ?1",
                )
                .and_then(|mut s| {
                    s.query_map([EVENTS_BATCH as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                        .collect()
                })
                .map_err(|e| tx.err(e))?;
            if rows.is_empty() {
                return Ok(0);
            }
            let items: Vec<serde_json::Value> = rows.iter().map(|(_, kind, at, posting)| event_item(kind, *at, posting)).collect();
            let body = serde_json::json!({ "items": items }).to_string();
            tx.exec(
                "INSERT INTO outbox (idempotency_key, kind, body, created_at) VALUES (?1, 'events', ?2, ?3)",
                params![idempotency_key, body, now],
            )?;
            let (first, last) = (rows[0].0, rows[rows.len() - 1].0);
            tx.exec("UPDATE stats_events SET reported = 1 WHERE reported = 0 AND id BETWEEN ?1 AND ?2", params![first, last])?;
            Ok(rows.len())
        })
    }
}

/// One item of `POST /api/v1/events`: the type, the time in China, and the
/// posting for the kinds about one. Nothing else: no person, no card.
fn event_item(kind: &str, at: i64, posting: &Option<String>) -> serde_json::Value {
    let at = crate::domain::time::from_unix(at).to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut v = serde_json::json!({ "type": kind, "at": at });
    if let Some(p) = posting {
        v["posting_id"] = serde_json::Value::String(p.clone());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StatKind;

    #[test]
    fn audit_and_settings_change_together() {
        let mut s = Store::open_in_memory().unwrap();
        let mut a = AuditRow::new(100, "changed");
        a.key = Some("printer.paper".into());
        a.old_value = Some("\"80mm\"".into());
        a.new_value = Some("\"58mm\"".into());
        s.change_staff_setting("printer.paper", Some("\"58mm\""), &a).unwrap();
        assert_eq!(s.staff_settings().unwrap(), vec![("printer.paper".into(), "\"58mm\"".into())]);
        s.append_audit(&AuditRow::new(200, "left")).unwrap();
        let log = s.audit_log(10).unwrap();
        assert_eq!(log.iter().map(|r| r.action.as_str()).collect::<Vec<_>>(), ["left", "changed"]);
        assert_eq!(log[1], a);
    }

    #[test]
    fn lockout_is_one_row() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.staff_lockout().unwrap(), LockoutRow::default());
        let l = LockoutRow { failures: 5, lockouts: 1, locked_until: 1234 };
        s.set_staff_lockout(&l, Some(&AuditRow::new(1, "locked"))).unwrap();
        s.set_staff_lockout(&l, None).unwrap();
        assert_eq!(s.staff_lockout().unwrap(), l);
        assert_eq!(s.audit_log(10).unwrap().len(), 1);
    }

    #[test]
    fn days_are_counted_in_china_time() {
        let mut s = Store::open_in_memory().unwrap();
        // 2026-11-23 23:59:59 and 2026-11-24 00:00:00 in China.
        let midnight = chrono::DateTime::parse_from_rfc3339("2026-11-24T00:00:00+08:00").unwrap().timestamp();
        s.record_stat(StatKind::Visit, midnight - 1, None).unwrap();
        s.record_stat(StatKind::Visit, midnight, None).unwrap();
        s.record_stat(StatKind::Search, midnight + 5, None).unwrap();
        let d = s.stats_by_day(0).unwrap();
        let day = midnight.div_euclid(86400) + 1; // 16:00 UTC the day before, +8 h
        assert_eq!(
            d,
            vec![
                DayCount { kind: "visit".into(), day: day - 1, count: 1 },
                DayCount { kind: "search".into(), day, count: 1 },
                DayCount { kind: "visit".into(), day, count: 1 },
            ]
        );
    }

    #[test]
    fn events_are_queued_once_without_personal_fields() {
        let mut s = Store::open_in_memory().unwrap();
        assert_eq!(s.queue_events("k0", 1).unwrap(), 0, "nothing to send: no empty item");
        s.record_stat(StatKind::Visit, 1_795_000_000, None).unwrap();
        s.record_stat(StatKind::View, 1_795_000_010, Some("J1")).unwrap();
        assert_eq!(s.queue_events("k1", 1_795_000_100).unwrap(), 2);
        assert_eq!(s.queue_events("k2", 1_795_000_200).unwrap(), 0, "each event is sent once");
        let due = s.outbox_due(i64::MAX, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].kind, "events");
        let body: serde_json::Value = serde_json::from_str(&due[0].body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"items": [
                {"type": "visit", "at": "2026-11-18T19:06:40+08:00"},
                {"type": "view", "at": "2026-11-18T19:06:50+08:00", "posting_id": "J1"},
            ]})
        );
    }
}
