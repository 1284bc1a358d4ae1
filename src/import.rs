//! Importing postings or courses from JSON/JSON-LD documents into the store.
//!
//! A document's good records are written in one transaction: all of them or
//! (on a database error) none. Bad records are skipped, each with its
//! 1-based position, identifier when readable, and the reason.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use serde_json::Value;

use crate::domain::Source;
use crate::jsonld::fields::RecordError;
use crate::jsonld::{self, DocumentError, Shape};
use crate::store::{Derived, Store, StoreError, Tx, Upsert};

pub use crate::domain::RecordKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub kind: RecordKind,
    pub source: Source,
    /// Days added to every date (demo data; 0 otherwise).
    pub shift_days: i64,
}

impl Options {
    pub fn postings() -> Options {
        Options { kind: RecordKind::Postings, source: Source::Import, shift_days: 0 }
    }

    pub fn courses() -> Options {
        Options { kind: RecordKind::Courses, source: Source::Import, shift_days: 0 }
    }
}

/// One record that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// 1-based position among the document's records.
    pub position: usize,
    pub identifier: Option<String>,
    pub reason: String,
}

/// What happened to one document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub records: usize,
    pub imported: usize,
    pub updated: usize,
    pub removed: usize,
    /// Identifiers in `removed` that were not in the cache.
    pub removed_unknown: usize,
    pub skipped: Vec<Skipped>,
}

impl Report {
    pub fn summary(&self) -> String {
        let mut s =
            format!("{} imported, {} updated, {} skipped", self.imported, self.updated, self.skipped.len());
        if self.removed + self.removed_unknown > 0 {
            s.push_str(&format!(", {} removed", self.removed));
        }
        s
    }

    pub fn add(&mut self, other: &Report) {
        self.records += other.records;
        self.imported += other.imported;
        self.updated += other.updated;
        self.removed += other.removed;
        self.removed_unknown += other.removed_unknown;
        self.skipped.extend(other.skipped.iter().cloned());
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The document as a whole is unreadable; nothing was written.
    #[error("{0}")]
    Document(#[from] DocumentError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The thread reading the records stopped abnormally; nothing was written.
    #[error("reading the records failed unexpectedly; nothing was imported")]
    ReaderFailed,
}

/// One record checked and ready to write: the step a file import and a
/// feed page share (parse → upsert; [`remove`] for withdrawn ones).
pub enum Record {
    Posting(Box<(crate::domain::Posting, Derived)>),
    Course(Box<crate::domain::Course>),
}

impl Record {
    /// Checks one record of `kind`; `now` stands in for a missing `datePosted`.
    ///
    /// A record from outside must never take the others down with it: should
    /// reading one ever panic (a bug, like the dates chrono cannot hold that
    /// once did), that record alone is refused and the panic logged.
    pub fn parse(kind: RecordKind, v: &Value, now: DateTime<FixedOffset>) -> Result<Record, RecordError> {
        let read = || -> Result<Record, RecordError> {
            Ok(match kind {
                RecordKind::Postings => {
                    let p = jsonld::posting::from_json(v, now)?;
                    let d = Derived::of(&p);
                    Record::Posting(Box::new((p, d)))
                }
                RecordKind::Courses => Record::Course(Box::new(jsonld::course::from_json(v)?)),
            })
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|panic| {
            let what = crate::panic_message(&*panic);
            tracing::error!("reading a {} record panicked (a bug): {what}", kind.code());
            Err(RecordError::Unreadable(what))
        })
    }

    /// Inserts or replaces it by identifier, stamped `stamp` (unix seconds).
    pub fn write(&self, tx: &Tx<'_>, source: Source, stamp: i64) -> Result<Upsert, StoreError> {
        match self {
            Record::Posting(pd) => tx.upsert_derived(&pd.0, &pd.1, source, stamp),
            Record::Course(c) => tx.upsert_course(c, stamp),
        }
    }
}

/// Deletes a withdrawn record; whether it was in the cache.
pub fn remove(tx: &Tx<'_>, kind: RecordKind, identifier: &str) -> Result<bool, StoreError> {
    match kind {
        RecordKind::Postings => tx.remove_posting(identifier),
        RecordKind::Courses => tx.remove_course(identifier),
    }
}

/// The identifier of a record that failed validation, if one can be read.
fn loose_identifier(v: &Value) -> Option<String> {
    match v.get("identifier")? {
        Value::String(s) => Some(s.chars().take(64).collect()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Imports one document. `now` stands in for missing `datePosted` and
/// stamps the rows.
pub fn import_bytes(
    store: &mut Store,
    bytes: &[u8],
    opts: &Options,
    now: DateTime<FixedOffset>,
) -> Result<Report, ImportError> {
    let doc = jsonld::parse(bytes)?;
    let mut report = Report { records: doc.records.len(), ..Report::default() };
    if doc.shape == Shape::Empty {
        return Ok(report);
    }
    for (i, found) in &doc.bad_removed {
        report.skipped.push(Skipped {
            position: i + 1,
            identifier: None,
            reason: format!("removed[{i}] is {found}, not an identifier"),
        });
    }
    // Records are read and checked on a second thread while this one
    // writes them: on a multi-core kiosk the import takes about as long as
    // the writing alone. The channel is bounded, so memory stays flat.
    let stamp = now.timestamp();
    // Batches, not single records: one hand-over (and wake-up) per batch.
    const BATCH: usize = 256;
    let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Record>>(4);
    let doc = &doc;
    std::thread::scope(|scope| {
        let validator = scope.spawn(move || {
            let mut skipped = Vec::new();
            let mut batch = Vec::with_capacity(BATCH);
            for (i, raw) in doc.records.iter().enumerate() {
                let mut v = doc.record(raw);
                crate::demo::rebase(&mut v, opts.shift_days);
                match Record::parse(opts.kind, &v, now) {
                    Ok(r) => batch.push(r),
                    Err(e) => skipped.push(Skipped {
                        position: i + 1,
                        identifier: loose_identifier(&v),
                        reason: e.to_string(),
                    }),
                }
                // A failed send means the writer stopped (a database error).
                if batch.len() == BATCH && send.send(std::mem::take(&mut batch)).is_err() {
                    return skipped;
                }
            }
            let _ = send.send(batch);
            skipped
        });
        // The writer owns the receiving end: when it stops on an error, the
        // channel closes and the reader's next send fails instead of
        // waiting for ever (the scope joins the reader before returning).
        let writer = |receive: std::sync::mpsc::Receiver<Vec<Record>>, tx: &Tx<'_>| {
            if opts.kind == RecordKind::Postings {
                tx.expect_postings(doc.records.len())?;
            }
            let (mut inserted, mut updated) = (0, 0);
            for r in receive.iter().flatten() {
                match r.write(tx, opts.source, stamp)? {
                    Upsert::Inserted => inserted += 1,
                    Upsert::Updated => updated += 1,
                }
            }
            Ok::<_, ImportError>((inserted, updated))
        };
        store.write(|tx| {
            (report.imported, report.updated) = writer(receive, tx)?;
            // Commit only once every record was read: a reader that died
            // half-way rolls the whole document back.
            match validator.join() {
                Ok(skipped) => report.skipped.extend(skipped),
                Err(_) => return Err(ImportError::ReaderFailed),
            }
            for id in &doc.removed {
                if remove(tx, opts.kind, id)? {
                    report.removed += 1;
                } else {
                    report.removed_unknown += 1;
                }
            }
            Ok(())
        })
    })?;
    Ok(report)
}

/// In the demo's data directory, the day the demo data was last dated to.
const DEMO_DAY_FILE: &str = "demo-day";

/// Loads the bundled demo data unless it was already loaded for today
/// (`<data dir>/demo-day`); the reports when it loaded.
pub fn load_demo_if_stale(
    store: &mut Store,
    data_dir: &std::path::Path,
    now: DateTime<FixedOffset>,
) -> Result<Option<(Report, Report)>, ImportError> {
    let today = crate::domain::time::china_date(now).to_string();
    let marker = data_dir.join(DEMO_DAY_FILE);
    let loaded_for = std::fs::read_to_string(&marker).unwrap_or_default();
    if loaded_for.trim() == today && store.posting_counts(now)?.total > 0 {
        return Ok(None);
    }
    let reports = load_demo(store, now)?;
    if let Err(e) = std::fs::write(&marker, &today) {
        tracing::warn!("cannot write {}: {e}", marker.display());
    }
    Ok(Some(reports))
}

/// Loads the bundled demo postings and courses, dated so that their
/// reference day is today.
pub fn load_demo(store: &mut Store, now: DateTime<FixedOffset>) -> Result<(Report, Report), ImportError> {
    let mut reports = Vec::new();
    for (bytes, kind) in [
        (crate::demo::BUNDLED_POSTINGS, RecordKind::Postings),
        (crate::demo::BUNDLED_COURSES, RecordKind::Courses),
    ] {
        let doc = jsonld::parse(bytes)?;
        let shift = doc
            .top_str(crate::demo::REFERENCE_KEY)
            .and_then(|r| DateTime::parse_from_rfc3339(&r).ok())
            .map_or(0, |r| crate::demo::shift_days(r, now));
        let opts = Options { kind, source: Source::Import, shift_days: shift };
        reports.push(import_bytes(store, bytes, &opts, now)?);
    }
    let courses = reports.pop().unwrap_or_default();
    let postings = reports.pop().unwrap_or_default();
    Ok((postings, courses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{contract_example, fixture_now};
    use serde_json::json;

    #[test]
    fn good_records_land_bad_ones_are_reported() {
        let mut store = Store::open_in_memory().unwrap();
        let good = contract_example();
        let mut no_title = contract_example();
        no_title.as_object_mut().unwrap().remove("title");
        no_title["identifier"] = json!("X-2");
        let doc = json!([good, no_title, "junk", {"identifier": 7}]);
        let r = import_bytes(&mut store, doc.to_string().as_bytes(), &Options::postings(), fixture_now())
            .unwrap();
        assert_eq!((r.records, r.imported, r.updated), (4, 1, 0));
        let skipped: Vec<(usize, Option<&str>, &str)> =
            r.skipped.iter().map(|s| (s.position, s.identifier.as_deref(), s.reason.as_str())).collect();
        assert_eq!(
            skipped,
            vec![
                (2, Some("X-2"), "title is missing"),
                (3, None, "the record is text, not an object"),
                (4, Some("7"), "title is missing"),
            ]
        );
        // Again: now an update, and a feed page removing it.
        let r =
            import_bytes(&mut store, good_bytes().as_slice(), &Options::postings(), fixture_now()).unwrap();
        assert_eq!((r.imported, r.updated), (0, 1));
        let page = json!({"items": [], "removed": ["HL-2026-004211", "never-seen"]});
        let r = import_bytes(&mut store, page.to_string().as_bytes(), &Options::postings(), fixture_now())
            .unwrap();
        assert_eq!((r.removed, r.removed_unknown), (1, 1));
        assert!(store.posting("HL-2026-004211").unwrap().is_none());
    }

    fn good_bytes() -> Vec<u8> {
        contract_example().to_string().into_bytes()
    }

    #[test]
    fn not_json_writes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let mut bytes = good_bytes();
        bytes.truncate(bytes.len() - 3);
        let e = import_bytes(&mut store, &bytes, &Options::postings(), fixture_now()).unwrap_err();
        assert!(matches!(e, ImportError::Document(DocumentError::NotJson { .. })), "{e}");
        assert_eq!(store.posting_counts(fixture_now()).unwrap().total, 0);
    }
}
