//! Every search plan returns exactly what a plain full scan returns.
//!
//! The plans (rings on the R*Tree, full-text candidates, trade-index
//! candidates, the geographic box, ordered index walks) only change where
//! candidate rows come from; this test holds them to that over random
//! queries on a generated city plus a far-away farming area.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, FixedOffset, TimeZone};
use gig_kiosk::demo::{self, Options, places};
use gig_kiosk::domain::{GeoPoint, Settlement, WageUnit, time};
use gig_kiosk::import;
use gig_kiosk::search::{Driver, Plan, SearchQuery, SortOrder, StartWindow, TextQuery};
use gig_kiosk::store::Store;
use proptest::prelude::*;

/// Imports one document (postings), panicking on failure: a test helper.
fn import_value(s: &mut Store, doc: &serde_json::Value) -> import::Report {
    import::import_bytes(s, doc.to_string().as_bytes(), &import::Options::postings(), reference()).unwrap()
}

fn reference() -> DateTime<FixedOffset> {
    time::china().with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

/// A store with 3 000 Xiamen postings and 400 in Pu'er, 1 600 km away,
/// then churned the way a feed churns it: every 7th posting rewritten
/// (new title and description, some moved), every 11th removed, so the
/// indexes are checked after updates and deletions too.
fn store() -> &'static std::sync::Mutex<Store> {
    static STORE: OnceLock<std::sync::Mutex<Store>> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut s = Store::open_in_memory().unwrap();
        for (place, n, seed) in [(&places::XIAMEN_HULI, 3_000, 11), (&places::PUER_SIMAO, 400, 12)] {
            let opts = Options::new(place, n, 0, seed, reference());
            let doc = demo::document(&opts, demo::postings(&opts));
            let r = import_value(&mut s, &doc);
            assert_eq!(r.imported, n);
        }
        let opts = Options::new(&places::XIAMEN_HULI, 3_000, 0, 11, reference());
        let mut changed = Vec::new();
        let mut removed = Vec::new();
        for (i, mut p) in demo::postings(&opts).into_iter().enumerate() {
            if i % 11 == 0 {
                removed.push(p["identifier"].clone());
            } else if i % 7 == 0 {
                p["title"] = format!("夜班{}", p["title"].as_str().unwrap()).into();
                p["description"] = "改过的说明：包吃住。".into();
                if i % 2 == 0 {
                    let lat = p["jobLocation"]["geo"]["latitude"].as_f64().unwrap();
                    p["jobLocation"]["geo"]["latitude"] = (lat + 0.02).into();
                }
                changed.push(p);
            }
        }
        let removed_count = removed.len();
        let page = serde_json::json!({"items": changed, "removed": removed});
        let r = import_value(&mut s, &page);
        assert_eq!((r.updated, r.removed), (changed_count(), removed_count));
        std::sync::Mutex::new(s)
    })
}

/// Postings rewritten by the churn in `store()`: i % 7 == 0 and i % 11 != 0.
fn changed_count() -> usize {
    (0..3_000).filter(|i| i % 7 == 0 && i % 11 != 0).count()
}

const TEXTS: &[&str] = &[
    "改过的说明",
    "夜班仓库",
    "工",
    "保洁",
    "仓库装卸",
    "日结",
    "装卸工",
    "厦门",
    "咖啡",
    "湖里区",
    "夜班",
    "包吃",
    "钢琴",
    "卸分拣",
    "物流 日结",
    "0592",
    "555",
    "kfc",
    "思明区中山路",
    "小时",
    "结工资",
    "采茶工",
    "有限公司",
];
const TRADES: &[&str] = &["装卸搬运", "快递分拣", "保洁", "钢筋工", "咖啡采摘", "茶叶采摘", "其他"];

fn query_strategy() -> impl Strategy<Value = (SearchQuery, i64)> {
    let near = prop_oneof![
        Just(GeoPoint::new(24.50, 118.13)),
        (24.40f64..24.80, 117.95f64..118.35).prop_map(|(a, b)| GeoPoint::new(a, b)),
        Just(GeoPoint::new(22.78, 100.97)),
    ];
    let sort = prop_oneof![
        Just(SortOrder::Distance),
        Just(SortOrder::Wage),
        Just(SortOrder::Start),
        Just(SortOrder::Newest)
    ];
    let start = prop_oneof![
        Just(None),
        Just(Some(StartWindow::Today)),
        Just(Some(StartWindow::Tomorrow)),
        Just(Some(StartWindow::Week))
    ];
    (
        (near, prop::option::of(prop_oneof![200.0f64..3_000.0, 3_000.0f64..30_000.0])),
        prop::sample::subsequence(TRADES, 0..=2),
        prop::sample::subsequence(&Settlement::ALL[..], 0..=2),
        (
            prop::option::of(15.0f64..300.0),
            prop::option::weighted(0.2, prop::sample::select(&WageUnit::ALL[..])),
        ),
        start,
        prop::option::weighted(0.5, prop::sample::select(TEXTS)),
        sort,
        (1usize..60, prop_oneof![Just(0usize), 0usize..40]),
        -3i64..3,
    )
        .prop_map(
            |(
                (near, within),
                trades,
                settlements,
                (min_wage, unit),
                start,
                text,
                sort,
                (limit, offset),
                day,
            )| {
                let q = SearchQuery {
                    near,
                    within_m: within,
                    trades: trades.into_iter().map(str::to_string).collect(),
                    settlements,
                    min_wage,
                    wage_unit: unit,
                    start,
                    text: text.and_then(TextQuery::parse),
                    sort,
                    limit,
                    offset,
                };
                (q, day)
            },
        )
}

fn plans_for(q: &SearchQuery, extent: f64) -> Vec<Plan> {
    let mut plans = vec![Plan::Ordered, Plan::GeoBox];
    if q.text.is_some() {
        plans.push(Plan::Candidates { driver: Driver::Text });
    }
    if !q.trades.is_empty() {
        plans.push(Plan::Candidates { driver: Driver::Trade });
    }
    if q.sort == SortOrder::Distance {
        let max = q.within_m.map_or(extent, |w| w.min(extent)).max(200.0);
        for first in [150.0, 900.0, 25_000.0] {
            for text_set in [false, true] {
                plans.push(Plan::Rings { first_radius_m: first, max_radius_m: max, text_set });
            }
        }
    }
    plans
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_plan_matches_the_full_scan((q, day) in query_strategy()) {
        let store = store().lock().unwrap();
        let now = reference() + Duration::days(day) + Duration::hours(3);
        let expected = store.search_naive(&q, now).unwrap();
        let est = store.search_estimates(&q).unwrap();
        for plan in plans_for(&q, est.extent_radius_m) {
            let got = store.search_with_plan(&q, now, &plan).unwrap();
            prop_assert_eq!(&got, &expected, "plan {:?} for {:?}", plan, q);
        }
        let auto = store.search(&q, now).unwrap();
        prop_assert_eq!(&auto.hits, &expected, "chosen plan {:?}", auto.plan);
    }
}

#[test]
fn results_obey_every_filter() {
    let store = store().lock().unwrap();
    let now = reference() + Duration::hours(2);
    let mut q = SearchQuery::near(GeoPoint::new(24.50, 118.13));
    q.within_m = Some(3_000.0);
    q.text = TextQuery::parse("装卸");
    q.limit = 200;
    let hits = store.search(&q, now).unwrap().hits;
    assert!(hits.len() >= 20, "a realistic city has many loading jobs within 3 km: {}", hits.len());
    for pair in hits.windows(2) {
        assert!(pair[0].distance_m <= pair[1].distance_m, "nearest first");
    }
    for h in &hits {
        assert!(h.distance_m <= 3_000);
        assert!(h.valid_through > now, "never expired");
        assert_ne!(h.openings_left, Some(0), "never full");
        let p = store.posting(&h.identifier).unwrap().unwrap();
        let text = format!("{}{}{}{}{}", p.title, p.description, p.trade, p.employer.name, p.address.full());
        assert!(text.contains("装卸"), "{text}");
        // The reported distance is the haversine distance, rounded.
        let d = p.location.distance_m(&q.near);
        assert!((d - h.distance_m as f64).abs() <= 0.5, "{d} vs {}", h.distance_m);
    }
}

#[test]
fn chinese_queries_of_every_length() {
    let store = store().lock().unwrap();
    let now = reference();
    let count = |t: &str| {
        let mut q = SearchQuery::near(GeoPoint::new(24.50, 118.13));
        q.text = TextQuery::parse(t);
        q.limit = 1000;
        store.search(&q, now).unwrap().hits.len()
    };
    // One character finds more than two, two more than four.
    let (one, two, four) = (count("工"), count("装卸"), count("仓库装卸"));
    assert!(one > two && two > four && four > 0, "{one} {two} {four}");
    assert_eq!(count("钢琴"), 0, "no piano jobs in the demo set");
    assert!(count("咖啡") > 0, "Pu'er coffee picking is found from Xiamen too");
}

/// Bulk loads (imports that at least double the cache) drop and rebuild the
/// indexes: after two of them and some ordinary churn, the schema is exactly
/// the migrations' and every plan still agrees with the full scan.
#[test]
fn bulk_loads_leave_the_same_indexes_and_results() {
    use gig_kiosk::store::BULK_MIN;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.db");
    let mut s = Store::open(&path).unwrap();
    let first = BULK_MIN + 500;
    for (place, n, seed) in [(&places::XIAMEN_HULI, first, 21), (&places::PUER_SIMAO, first + 100, 22)] {
        let opts = Options::new(place, n, 0, seed, reference());
        // Identifiers of the two places differ (DEMO-XIAMEN-…, DEMO-PUER-…).
        let doc = demo::document(&opts, demo::postings(&opts));
        let r = import_value(&mut s, &doc);
        assert_eq!(r.imported, n);
    }
    // Ordinary (non-bulk) writes on top: rewrite and remove a few.
    let opts = Options::new(&places::XIAMEN_HULI, 300, 0, 21, reference());
    let mut items = demo::postings(&opts);
    for p in items.iter_mut() {
        p["title"] = format!("钢琴{}", p["title"].as_str().unwrap()).into();
    }
    let removed: Vec<_> = items.drain(200..).map(|p| p["identifier"].clone()).collect();
    let page = serde_json::json!({"items": items, "removed": removed});
    let r = import_value(&mut s, &page);
    assert_eq!((r.updated, r.removed), (200, 100));

    let fresh = dir.path().join("fresh.db");
    drop(Store::open(&fresh).unwrap());
    let schema = |p: &std::path::Path| -> Vec<(String, String)> {
        let c = rusqlite::Connection::open(p).unwrap();
        let mut st = c.prepare("SELECT name, coalesce(sql, '') FROM sqlite_schema ORDER BY name").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(schema(&path), schema(&fresh), "every index is back, as defined by the migrations");
    assert!(s.integrity_check().unwrap().is_empty());

    let now = reference() + Duration::hours(1);
    let mut queries = Vec::new();
    for (near, text, trade, sort) in [
        (GeoPoint::new(24.50, 118.13), None, None, SortOrder::Distance),
        (GeoPoint::new(22.78, 100.97), Some("咖啡"), None, SortOrder::Distance),
        (GeoPoint::new(24.50, 118.13), Some("钢琴"), None, SortOrder::Distance),
        (GeoPoint::new(24.50, 118.13), Some("保洁"), None, SortOrder::Newest),
        (GeoPoint::new(24.50, 118.13), None, Some("装卸搬运"), SortOrder::Wage),
        (GeoPoint::new(22.78, 100.97), Some("采"), Some("茶叶采摘"), SortOrder::Start),
    ] {
        let mut q = SearchQuery::near(near);
        q.text = text.and_then(TextQuery::parse);
        q.trades = trade.map(|t| vec![t.to_string()]).unwrap_or_default();
        q.sort = sort;
        q.limit = 40;
        queries.push(q.clone());
        q.within_m = Some(4_000.0);
        queries.push(q);
    }
    for q in &queries {
        let expected = s.search_naive(q, now).unwrap();
        assert!(!expected.is_empty(), "{q:?} finds something");
        let est = s.search_estimates(q).unwrap();
        for plan in plans_for(q, est.extent_radius_m) {
            assert_eq!(s.search_with_plan(q, now, &plan).unwrap(), expected, "plan {plan:?} for {q:?}");
        }
    }
    // The rewritten postings are found by their new title, and the removed
    // ones are gone from every index.
    let mut q = SearchQuery::near(GeoPoint::new(24.50, 118.13));
    q.text = TextQuery::parse("钢琴");
    q.limit = 1000;
    assert_eq!(s.search(&q, now).unwrap().hits.len(), s.search_naive(&q, now).unwrap().len());
    assert!(s.search_naive(&q, now).unwrap().len() <= 200);
    for id in &removed {
        assert!(s.posting(id.as_str().unwrap()).unwrap().is_none());
    }
}
