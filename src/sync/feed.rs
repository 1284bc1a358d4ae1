//! Feed pages (`platform-api.md`, "Feeds"): the envelope is checked before
//! anything is written — a page that is not JSON, has the wrong shape or
//! was cut short is refused whole and retried later, the cache untouched.
//! Inside a good page, a malformed record is skipped and counted.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::domain::posting::Source;
use crate::import::{self, Record};
use crate::store::sync::Feed;
use crate::store::{StoreError, Tx};

/// One page as the platform sends it.
#[derive(Debug, Deserialize)]
pub struct Page {
    pub items: Vec<Box<RawValue>>,
    #[serde(default)]
    pub removed: Vec<String>,
    pub cursor: String,
    pub more: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("malformed feed page: {0}")]
pub struct PageError(String);

/// The page's envelope: `items` (array), `removed` (array of strings,
/// optional), `cursor` (string), `more` (bool). Anything else — not JSON,
/// truncated, another shape — is an error.
pub fn parse_page(bytes: &[u8]) -> Result<Page, PageError> {
    serde_json::from_slice(bytes).map_err(|e| PageError(e.to_string()))
}

/// What applying pages did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    pub upserted: u64,
    pub removed: u64,
    /// Records skipped as malformed (missing identifier, title, place …).
    pub skipped: u64,
}

impl Applied {
    pub fn add(&mut self, o: &Applied) {
        self.upserted += o.upserted;
        self.removed += o.removed;
        self.skipped += o.skipped;
    }
}

/// The identifiers of a page's items (those that have one), for the sweep
/// after a snapshot: what the platform still publishes.
pub fn identifiers(page: &Page) -> Vec<String> {
    #[derive(Deserialize)]
    struct Id {
        identifier: Option<Value>,
    }
    page.items
        .iter()
        .filter_map(|raw| serde_json::from_str::<Id>(raw.get()).ok()?.identifier)
        .filter_map(|v| match v {
            Value::String(s) => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// Upserts the page's items and deletes its `removed`, in the caller's
/// transaction (which also stores the cursor).
pub fn apply_page(
    tx: &Tx<'_>,
    feed: Feed,
    page: &Page,
    now: DateTime<FixedOffset>,
) -> Result<Applied, StoreError> {
    let mut a = Applied::default();
    let stamp = now.timestamp();
    for raw in &page.items {
        let parsed = serde_json::from_str::<Value>(raw.get())
            .map_err(|e| e.to_string())
            .and_then(|v| Record::parse(feed, &v, now).map_err(|e| e.to_string()));
        match parsed {
            Ok(r) => {
                r.write(tx, Source::Feed, stamp)?;
                a.upserted += 1;
            }
            Err(e) => {
                tracing::debug!("{} feed record skipped: {e}", feed.code());
                a.skipped += 1;
            }
        }
    }
    for id in &page.removed {
        a.removed += u64::from(import::remove(tx, feed, id)?);
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_with_an_impossible_date_is_skipped_and_the_rest_applied() {
        let mut good = crate::test_support::contract_example();
        let mut bad = good.clone();
        bad["identifier"] = "BAD-1".into();
        bad["datePosted"] = "+262142-12-31".into();
        bad.as_object_mut().unwrap().remove("validThrough");
        good["identifier"] = "GOOD-1".into();
        let body = serde_json::json!({"items": [bad, good], "removed": [], "cursor": "c1", "more": false});
        let page = parse_page(body.to_string().as_bytes()).unwrap();
        let mut store = crate::store::Store::open_in_memory().unwrap();
        let now = crate::test_support::fixture_now();
        let a = store.write(|tx| apply_page(tx, Feed::Postings, &page, now)).unwrap();
        assert_eq!((a.upserted, a.skipped), (1, 1));
        assert!(store.posting("GOOD-1").unwrap().is_some());
        assert!(store.posting("BAD-1").unwrap().is_none());
    }

    #[test]
    fn envelopes() {
        let p = parse_page(br#"{"items":[{"a":1}],"removed":["X"],"cursor":"c2","more":true}"#).unwrap();
        assert_eq!((p.items.len(), p.removed.len(), p.cursor.as_str(), p.more), (1, 1, "c2", true));
        assert!(parse_page(br#"{"items":[],"cursor":"c","more":false}"#).is_ok(), "removed is optional");
        for bad in [
            &b"<html>502 Bad Gateway</html>"[..],
            br#"{"items":[{"a":1}],"cursor":"c2","mo"#,
            br#"[{"identifier":"X"}]"#,
            br#"{"items":{},"cursor":"c","more":false}"#,
            br#"{"items":[],"more":false}"#,
        ] {
            assert!(parse_page(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
