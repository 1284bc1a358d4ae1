//! Choosing how to answer a search: a pure function of the query and a few
//! cheap counts, so that every choice can be tested by name.
//!
//! Terms:
//! - **candidates**: rows a strategy reads and checks against every filter.
//!   Strategies differ only in where candidates come from; the checks, and
//!   therefore the results, are identical (see `store::search`).
//! - **driver**: a selective index that lists candidates directly: the
//!   full-text index for a text query, the trade index for a trade filter.
//! - **need**: `offset + limit`, the rows a strategy must find.
//!
//! The cost model counts candidates. Taking every row of a driver costs its
//! size `n`. Walking an unselective order instead (rings outward from the
//! station, or an index in sort order) and filtering as we go costs about
//! `need / (n / total)` rows until `need` matches have turned up. The driver
//! wins when `n² ≤ need × total`: at 100 000 postings and a page of 50, when
//! it lists at most about 2 200 rows.

use serde::Serialize;

use super::query::{SearchQuery, SortOrder};

/// A selective index that can list candidates by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Driver {
    /// The full-text index (unigrams/bigrams, see `search::text`).
    Text,
    /// The `(trade, settlement, wage)` index.
    Trade,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "plan")]
pub enum Plan {
    /// Grow a circle around the query point on the geographic (R*Tree)
    /// index (see [`next_ring`]) until `need` matches lie inside it or the
    /// circle reaches `max_radius_m`. Only for nearest-first order: a match
    /// inside radius r is nearer than anything outside it.
    Rings {
        first_radius_m: f64,
        max_radius_m: f64,
        /// Keep only R*Tree candidates that the full-text index lists, before
        /// reading their rows: SQLite builds that set once per ring, which
        /// pays when it is not huge and the text is not spread evenly
        /// around the station (warehouse jobs cluster by the port).
        text_set: bool,
    },
    /// Read every candidate the driver lists, check, sort, cut.
    Candidates { driver: Driver },
    /// Read the postings inside the radius's bounding box, check, sort, cut.
    GeoBox,
    /// Walk the index that holds the sort order, checking each row, and stop
    /// after `need` matches.
    Ordered,
}

/// Cheap facts about the cache that the planner weighs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Estimates {
    /// Postings in the cache (open or not).
    pub total: u64,
    /// Documents holding the rarest index term of the text query.
    pub text_docs: Option<u64>,
    /// Postings of the requested trades (and settlements), counted at most
    /// up to the point where more would not change the plan.
    pub trade_rows: Option<u64>,
    /// Distance from the query point to the farthest corner of the box
    /// around all cached postings: no posting is farther away.
    pub extent_radius_m: f64,
}

/// Radius of the first ring. Postings cluster around stations (that is why
/// stations are where they are), so any estimate from the average density
/// over the whole cache starts far too wide, and a ring that is too wide
/// costs every row inside it. Too narrow costs one cheap extra query, so:
/// start small and let [`next_ring`] grow from what was actually found.
pub const FIRST_RING_M: f64 = 250.0;

/// How much dearer reading and checking a ring candidate's row is than
/// adding one full-text match to the set of [`Plan::Rings`] (`text_set`):
/// about 1.5 µs against 0.1 µs per ring, measured (`docs/performance.md`).
/// The set pays when `n² ≤ TEXT_SET_FACTOR × need × total`: rarer text
/// (`仓库装卸`, 3 % of postings, clustered by the port) builds it, common
/// text (`保洁`, 12 %) is cheaper to check row by row.
pub const TEXT_SET_FACTOR: f64 = 8.0;

/// The radius of the next ring after one of radius `r` found `found` of the
/// `need` matches: aim for `need` assuming the density seen so far, with a
/// margin, growing at least 1.5× and at most 8× (the area at most 64×).
pub fn next_ring(r: f64, found: usize, need: usize, max: f64) -> f64 {
    let grow = if found == 0 { 8.0 } else { ((need as f64 / found as f64).sqrt() * 1.25).clamp(1.5, 8.0) };
    (r * grow).min(max)
}

pub fn plan(q: &SearchQuery, est: &Estimates) -> Plan {
    let need = q.needed().max(1) as f64;
    let total = est.total.max(1) as f64;
    let driver = [(Driver::Text, est.text_docs), (Driver::Trade, est.trade_rows)]
        .into_iter()
        .filter_map(|(d, n)| n.map(|n| (d, n as f64)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    // Rows an unselective walk reads before finding `need` matches.
    let walk_cost = |matching: f64| need * total / matching.max(1.0);
    let max_radius = q.within_m.map_or(est.extent_radius_m, |r| r.min(est.extent_radius_m)).max(FIRST_RING_M);

    if let Some((d, n)) = driver
        && n <= walk_cost(n)
    {
        return Plan::Candidates { driver: d };
    }
    match q.sort {
        SortOrder::Distance => Plan::Rings {
            first_radius_m: FIRST_RING_M.min(max_radius),
            max_radius_m: max_radius,
            text_set: est.text_docs.is_some_and(|n| (n as f64).powi(2) <= TEXT_SET_FACTOR * need * total),
        },
        _ => match q.within_m {
            // Same trade-off with the circle as the driver: its size is
            // estimated as if postings were spread evenly over the extent.
            Some(r) => {
                let share = (r / est.extent_radius_m.max(1.0)).powi(2).min(1.0);
                let in_circle = total * share;
                if in_circle <= walk_cost(in_circle) { Plan::GeoBox } else { Plan::Ordered }
            }
            None => Plan::Ordered,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::GeoPoint;
    use crate::search::text::TextQuery;

    fn query() -> SearchQuery {
        SearchQuery::near(GeoPoint::new(24.5, 118.13))
    }

    fn est(total: u64) -> Estimates {
        Estimates { total, text_docs: None, trade_rows: None, extent_radius_m: 40_000.0 }
    }

    #[test]
    fn nearest_without_filters_uses_rings() {
        let p = plan(&query(), &est(100_000));
        assert_eq!(p, Plan::Rings { first_radius_m: FIRST_RING_M, max_radius_m: 40_000.0, text_set: false });
    }

    #[test]
    fn rings_stop_at_the_requested_radius() {
        let mut q = query();
        q.within_m = Some(5_000.0);
        let Plan::Rings { max_radius_m, .. } = plan(&q, &est(100_000)) else { panic!() };
        assert_eq!(max_radius_m, 5_000.0);
    }

    #[test]
    fn rare_text_is_driven_by_the_text_index() {
        let mut q = query();
        q.text = TextQuery::parse("钢琴");
        let e = Estimates { text_docs: Some(12), ..est(100_000) };
        assert_eq!(plan(&q, &e), Plan::Candidates { driver: Driver::Text });
    }

    #[test]
    fn common_text_nearest_first_uses_rings() {
        // 保洁 in 8 % of 100 000 postings: walking outward finds 50 after
        // ~600 rows, cheaper than reading 8 000 candidates.
        let mut q = query();
        q.text = TextQuery::parse("保洁");
        let e = Estimates { text_docs: Some(8_000), ..est(100_000) };
        assert!(matches!(plan(&q, &e), Plan::Rings { text_set: false, .. }));
        // 3 % of postings: worth listing the matches to filter the rings.
        q.text = TextQuery::parse("仓库装卸");
        let e = Estimates { text_docs: Some(2_900), ..est(100_000) };
        assert!(matches!(plan(&q, &e), Plan::Rings { text_set: true, .. }));
    }

    #[test]
    fn the_cheaper_driver_wins() {
        let mut q = query();
        q.text = TextQuery::parse("工");
        q.trades = vec!["钢筋工".into()];
        let e = Estimates { text_docs: Some(90_000), trade_rows: Some(300), ..est(100_000) };
        assert_eq!(plan(&q, &e), Plan::Candidates { driver: Driver::Trade });
    }

    #[test]
    fn wage_order_walks_the_index_when_filters_are_broad() {
        let mut q = query();
        q.sort = SortOrder::Wage;
        q.trades = vec!["装卸搬运".into()];
        let e = Estimates { trade_rows: Some(15_000), ..est(100_000) };
        assert_eq!(plan(&q, &e), Plan::Ordered);
    }

    #[test]
    fn small_circle_with_other_order_reads_the_box() {
        let mut q = query();
        q.sort = SortOrder::Newest;
        q.within_m = Some(1_000.0);
        assert_eq!(plan(&q, &est(100_000)), Plan::GeoBox);
        q.within_m = Some(30_000.0);
        assert_eq!(plan(&q, &est(100_000)), Plan::Ordered);
    }

    #[test]
    fn rings_grow_by_what_they_found() {
        // Nothing yet: widen fast.
        assert_eq!(next_ring(250.0, 0, 50, 40_000.0), 2_000.0);
        // 10 of 50 in 250 m: density says ~560 m; with margin ~700 m.
        let r = next_ring(250.0, 10, 50, 40_000.0);
        assert!((650.0..750.0).contains(&r), "{r}");
        // Nearly there: still grow at least 1.5x.
        assert_eq!(next_ring(1_000.0, 49, 50, 40_000.0), 1_500.0);
        // Never beyond the maximum.
        assert_eq!(next_ring(30_000.0, 0, 50, 40_000.0), 40_000.0);
    }

    #[test]
    fn tiny_and_empty_caches_do_not_divide_by_zero() {
        let p = plan(&query(), &Estimates::default());
        let Plan::Rings { first_radius_m, max_radius_m, .. } = p else { panic!("{p:?}") };
        assert!(first_radius_m.is_finite() && max_radius_m >= first_radius_m);
    }
}
