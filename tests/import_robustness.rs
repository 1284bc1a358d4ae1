//! Whatever arrives in a file or a feed page, the importer never panics,
//! never stores a record that breaks the cache's rules, and reports every
//! record it skips.

use chrono::TimeZone;
use gig_kiosk::domain::{GeoPoint, time};
use gig_kiosk::import::{self, ImportError};
use gig_kiosk::search::SearchQuery;
use gig_kiosk::store::Store;
use proptest::prelude::*;
use serde_json::{Value, json};

fn example() -> Value {
    serde_json::from_str(include_str!("fixtures/posting-contract-example.json")).unwrap()
}

/// Any JSON value, a few levels deep, with the odd huge or unicode string.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
        prop_oneof![Just("工".repeat(9_000)), Just("\u{0}\u{7}\u{202e}".into()), Just("2026-13-45".into())]
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::hash_map("[a-zA-Z@-]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The contract example with fields deleted or replaced by anything.
fn mutated_posting() -> impl Strategy<Value = Value> {
    const PATHS: &[&[&str]] = &[
        &["identifier"],
        &["title"],
        &["description"],
        &["validThrough"],
        &["datePosted"],
        &["jobStartDate"],
        &["totalJobOpenings"],
        &["jobLocation"],
        &["jobLocation", "geo"],
        &["jobLocation", "geo", "latitude"],
        &["jobLocation", "address"],
        &["baseSalary"],
        &["baseSalary", "value"],
        &["baseSalary", "value", "maxValue"],
        &["baseSalary", "value", "unitText"],
        &["hiringOrganization"],
        &["x-gig"],
        &["x-gig", "settlement"],
        &["x-gig", "filled"],
        &["url"],
        &["@type"],
    ];
    (
        prop::collection::vec((prop::sample::select(PATHS), prop::option::of(any_json())), 0..5),
        "[A-Z0-9-]{1,10}",
    )
        .prop_map(|(edits, id)| {
            let mut v = example();
            v["identifier"] = Value::from(id);
            for (path, new) in edits {
                let (last, parents) = path.split_last().unwrap();
                // An earlier edit may have replaced a parent with a non-object.
                let mut node = Some(&mut v);
                for p in parents {
                    node = node.and_then(|n| n.as_object_mut()).and_then(|o| o.get_mut(*p));
                }
                if let Some(o) = node.and_then(|n| n.as_object_mut()) {
                    match new {
                        Some(n) => {
                            o.insert(last.to_string(), n);
                        }
                        None => {
                            o.remove(*last);
                        }
                    }
                }
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn mutated_postings_are_stored_valid_or_skipped_with_a_reason(
        records in prop::collection::vec(mutated_posting(), 1..12),
        wrap in 0u8..3,
    ) {
        let now = time::china().with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let doc = match wrap {
            0 => Value::from(records.clone()),
            1 => json!({"@context": "https://schema.org", "@graph": records}),
            _ => json!({"items": records, "removed": ["x", 7], "cursor": "c", "more": false}),
        };
        let mut store = Store::open_in_memory().unwrap();
        let r = import::import_bytes(&mut store, doc.to_string().as_bytes(), &import::Options::postings(), now)
            .unwrap();
        prop_assert_eq!(r.records, records.len());
        prop_assert!(r.imported + r.updated + r.skipped.len() >= records.len());
        for s in &r.skipped {
            prop_assert!(!s.reason.is_empty());
        }
        // Everything stored keeps the cache's rules.
        let mut q = SearchQuery::near(GeoPoint::new(24.5, 118.13));
        q.limit = 1000;
        for hit in store.search_naive(&q, now - chrono::Duration::days(3650)).unwrap() {
            let p = store.posting(&hit.identifier).unwrap().unwrap();
            prop_assert!(p.location.in_china());
            prop_assert!(p.valid_through >= p.date_posted);
            prop_assert!(p.title.chars().count() <= 200 && !p.title.trim().is_empty());
            if let Some(w) = p.wage {
                let (lo, hi) = w.unit.plausible_range();
                prop_assert!(lo <= w.min && w.min <= w.max && w.max <= hi);
            }
        }
        prop_assert!(store.integrity_check().unwrap().is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut store = Store::open_in_memory().unwrap();
        let now = time::china().with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        match import::import_bytes(&mut store, &bytes, &import::Options::postings(), now) {
            Ok(_) | Err(ImportError::Document(_)) => {}
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    #[test]
    fn arbitrary_json_never_panics(v in any_json()) {
        let mut store = Store::open_in_memory().unwrap();
        let now = time::china().with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        for opts in [import::Options::postings(), import::Options::courses()] {
            let r = import::import_bytes(&mut store, v.to_string().as_bytes(), &opts, now);
            prop_assert!(matches!(r, Ok(_) | Err(ImportError::Document(_))), "{:?}", r.err());
        }
    }
}
