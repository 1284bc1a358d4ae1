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

/// A date or time as a publisher (or an attacker) might write it, from the
/// plausible to the edges of what chrono can represent and beyond.
fn extreme_instant() -> impl Strategy<Value = Value> {
    let year = prop_oneof![
        1900i32..2300,
        -262_145i32..-262_140,
        262_140i32..262_146,
        any::<i32>(),
        Just(0),
        Just(9999),
        Just(10_000),
    ];
    let form = 0u8..6;
    let text = (year, 0u32..14, 0u32..33, 0u32..25, 0u32..61, -24i32..25, form).prop_map(
        |(y, m, d, h, mi, off, form)| {
            let ys = if (0..=9999).contains(&y) { format!("{y:04}") } else { format!("{y:+}") };
            match form {
                0 => format!("{ys}-{m:02}-{d:02}"),
                1 => format!("{ys}-{m:02}-{d:02}T{h:02}:{mi:02}:00{off:+03}:00"),
                2 => format!("{ys}-{m:02}-{d:02} {h:02}:{mi:02}"),
                3 => format!("{ys}-{m:02}-{d:02}T{h:02}:{mi:02}:59Z"),
                4 => format!("{ys}-{m:02}-{d:02}T23:59:59+23:59"),
                _ => format!("{ys}-12-31"),
            }
        },
    );
    prop_oneof![
        4 => text.prop_map(Value::from),
        1 => prop_oneof![
            Just("-262143-01-01"),
            Just("+262142-12-31"),
            Just("+262143-12-31T23:59:59+08:00"),
            Just("-262144-01-01T00:00:00-08:00"),
            Just("1970-01-01T00:00:00+08:00"),
            Just("2026-02-30"),
            Just(""),
        ]
        .prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
    ]
}

/// A number as JSON allows it, or as text, including ones that parse to
/// infinity, not-a-number, or lose all precision.
fn extreme_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<f64>().prop_filter("JSON has no NaN", |f| f.is_finite()).prop_map(Value::from),
        prop_oneof![
            Just(f64::MAX),
            Just(f64::MIN),
            Just(f64::MIN_POSITIVE),
            Just(-0.0),
            Just(1e15),
            Just(4294967296.0),
            Just(0.5),
        ]
        .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![
            Just("1e400"),
            Just("-1e400"),
            Just("NaN"),
            Just("inf"),
            Just("  12 "),
            Just("0x10"),
            Just("-0")
        ]
        .prop_map(Value::from),
    ]
}

/// The contract example with one converted field per kind set to an
/// extreme value (dates, counts, coordinates, wage amounts).
fn extreme_posting() -> impl Strategy<Value = Value> {
    (
        prop::option::of(extreme_instant()),
        prop::option::of(extreme_instant()),
        prop::option::of(extreme_instant()),
        prop::option::of(extreme_number()),
        prop::option::of(extreme_number()),
        prop::option::of((extreme_number(), extreme_number())),
        prop::option::of((extreme_number(), extreme_number())),
        any::<bool>(),
        "[A-Z0-9]{1,8}",
    )
        .prop_map(|(posted, valid, start, openings, filled, geo, wage, drop_valid, id)| {
            let mut v = example();
            v["identifier"] = Value::from(format!("X-{id}"));
            let o = v.as_object_mut().unwrap();
            if let Some(t) = posted {
                o.insert("datePosted".into(), t);
            }
            if let Some(t) = valid {
                o.insert("validThrough".into(), t);
            }
            if drop_valid {
                o.remove("validThrough");
            }
            if let Some(t) = start {
                o.insert("jobStartDate".into(), t);
            }
            if let Some(n) = openings {
                o.insert("totalJobOpenings".into(), n);
            }
            if let Some(n) = filled {
                v["x-gig"]["filled"] = n;
            }
            if let Some((lat, lon)) = geo {
                v["jobLocation"]["geo"] = json!({"latitude": lat, "longitude": lon});
            }
            if let Some((lo, hi)) = wage {
                v["baseSalary"]["value"]["minValue"] = lo;
                v["baseSalary"]["value"]["maxValue"] = hi;
            }
            v
        })
}

/// A course with extreme dates, seats and coordinates.
fn extreme_course() -> impl Strategy<Value = Value> {
    (
        prop::option::of(extreme_instant()),
        prop::option::of(extreme_instant()),
        prop::option::of(extreme_number()),
        prop::option::of(extreme_number()),
        prop::option::of((extreme_number(), extreme_number())),
        "[A-Z0-9]{1,8}",
    )
        .prop_map(|(start, end, seats, enrolled, geo, id)| {
            let mut c = json!({
                "identifier": format!("C-{id}"), "name": "叉车操作培训", "provider": "湖里区职业技能培训中心",
                "startDate": "2026-12-01", "endDate": "2026-12-10", "subsidy": "免费", "seats": 30, "enrolled": 3,
                "location": {"@type": "Place", "address": "湖里区金山路1号",
                    "geo": {"latitude": 24.51, "longitude": 118.14}},
                "url": "https://jobs.example.gov.cn/c/1"
            });
            let o = c.as_object_mut().unwrap();
            for (k, v) in [("startDate", start), ("endDate", end), ("seats", seats), ("enrolled", enrolled)] {
                if let Some(v) = v {
                    o.insert(k.into(), v);
                }
            }
            if let Some((lat, lon)) = geo {
                c["location"]["geo"] = json!({"latitude": lat, "longitude": lon});
            }
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever value a converted field holds, the record is stored valid or
    /// skipped with its reason, and the good record beside it always lands.
    #[test]
    fn extreme_values_in_every_converted_field_never_panic(
        records in prop::collection::vec(extreme_posting(), 1..6),
        courses in prop::collection::vec(extreme_course(), 1..4),
    ) {
        let now = time::china().with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let mut good = example();
        good["identifier"] = Value::from("GOOD");
        let mut all = records.clone();
        all.push(good);
        let mut store = Store::open_in_memory().unwrap();
        let r = import::import_bytes(&mut store, Value::from(all.clone()).to_string().as_bytes(),
            &import::Options::postings(), now).unwrap();
        prop_assert_eq!(r.imported + r.updated + r.skipped.len(), all.len());
        prop_assert!(store.posting("GOOD").unwrap().is_some());
        for id in all.iter().filter_map(|v| v["identifier"].as_str()) {
            if let Some(p) = store.posting(id).unwrap() {
                prop_assert!(time::plausible(p.date_posted) && time::plausible(p.valid_through));
                prop_assert!(p.valid_through >= p.date_posted);
                prop_assert!(p.start_date.is_none_or(|d| time::PLAUSIBLE_YEARS.contains(&chrono::Datelike::year(&d))));
                prop_assert!(p.location.in_china());
                prop_assert!(p.total_openings.is_none_or(|n| n <= 100_000) && p.filled <= 100_000);
                if let Some(w) = p.wage {
                    let (lo, hi) = w.unit.plausible_range();
                    prop_assert!(lo <= w.min && w.min <= w.max && w.max <= hi);
                }
            }
        }
        let c = import::import_bytes(&mut store, Value::from(courses.clone()).to_string().as_bytes(),
            &import::Options::courses(), now).unwrap();
        prop_assert_eq!(c.imported + c.updated + c.skipped.len(), courses.len());
        for s in r.skipped.iter().chain(&c.skipped) {
            prop_assert!(!s.reason.is_empty() && !s.reason.contains("could not read"), "{}", s.reason);
        }
        prop_assert!(store.integrity_check().unwrap().is_empty());
    }

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
