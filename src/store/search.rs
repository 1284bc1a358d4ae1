//! Running a search plan (`search::plan`) in SQL.
//!
//! Every plan builds the same `WHERE` (the filters and the "open" rule) and
//! the same `ORDER BY`; plans differ only in where candidate rows come from
//! (the R*Tree, the full-text index, the trade index, an ordered index).
//! That is what makes them interchangeable, and `tests/search_equivalence.rs`
//! checks every plan against a plain full scan.

use std::cell::Ref;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, ToSql};

use super::{Store, StoreError};
use crate::domain::geo::BoundingBox;
use crate::domain::{Benefits, GeoPoint, Settlement, Wage, WageUnit, time};
use crate::search::plan::{self, Driver, Estimates, Plan};
use crate::search::text::IndexKey;
use crate::search::{SearchHit, SearchQuery, SortOrder};

/// What a search found and how.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchOutcome {
    pub hits: Vec<SearchHit>,
    pub plan: Plan,
}

/// Counts the planner needs, cached until the data changes.
pub(super) struct CachedCounts {
    version: (u64, i64),
    total: u64,
    extent: Option<BoundingBox>,
}

/// Where candidate rows come from.
enum Source<'a> {
    /// Every row, no index: the baseline.
    FullScan,
    /// Let SQLite choose (it picks the index matching ORDER BY).
    Table,
    TradeIndex,
    /// The R*Tree, optionally restricted to the full-text index's matches.
    Geo(BoundingBox, Option<&'a str>),
    Fts(&'a str),
}

const SELECT: &str = "SELECT p.identifier, p.title, p.trade, p.employer_name, p.wage_min, \
    p.wage_max, p.wage_unit, p.settlement, p.openings_left, p.start_day, p.valid_through, \
    p.date_posted, p.url, p.addr_region, p.addr_locality, p.addr_street, p.meals, p.lodging, \
    p.transport, p.work_injury_insurance, p.verified_employer, \
    kiosk_dist_m(p.latitude, p.longitude, :lat, :lon) AS d";

struct Sql {
    text: String,
    params: Vec<(String, Value)>,
}

impl Sql {
    fn bind(&mut self, name: &str, v: impl Into<Value>) {
        self.params.push((name.to_string(), v.into()));
    }
}

/// `ring_m`: only rows within this distance (the current ring).
fn build(q: &SearchQuery, now: DateTime<FixedOffset>, from: &Source<'_>, ring_m: Option<f64>) -> Sql {
    let mut sql = Sql { text: String::from(SELECT), params: Vec::new() };
    sql.bind(":lat", q.near.lat);
    sql.bind(":lon", q.near.lon);
    let mut conds: Vec<String> =
        vec!["p.valid_through > :now".into(), "coalesce(p.openings_left, 1) > 0".into()];
    sql.bind(":now", now.timestamp());
    match from {
        Source::FullScan => sql.text.push_str(" FROM postings p NOT INDEXED"),
        Source::Table => sql.text.push_str(" FROM postings p"),
        Source::TradeIndex => sql.text.push_str(" FROM postings p INDEXED BY postings_trade_wage"),
        Source::Geo(b, fts) => {
            sql.text.push_str(" FROM posting_geo g JOIN postings p ON p.id = g.id");
            conds.push(
                "g.max_lat >= :g0 AND g.min_lat <= :g1 AND g.max_lon >= :g2 AND g.min_lon <= :g3".into(),
            );
            sql.bind(":g0", b.min_lat);
            sql.bind(":g1", b.max_lat);
            sql.bind(":g2", b.min_lon);
            sql.bind(":g3", b.max_lon);
            if let Some(expr) = fts {
                // `+` keeps SQLite from handing this to the R*Tree as a
                // rowid lookup (one lookup per text match, box checked
                // after); as written it filters the box's candidates.
                conds.push("+g.id IN (SELECT rowid FROM posting_fts WHERE posting_fts MATCH :gfts)".into());
                sql.bind(":gfts", expr.to_string());
            }
        }
        Source::Fts(expr) => {
            sql.text.push_str(" FROM postings p");
            conds.push("p.id IN (SELECT rowid FROM posting_fts WHERE posting_fts MATCH :fts)".into());
            sql.bind(":fts", expr.to_string());
        }
    }
    if !q.trades.is_empty() {
        let names: Vec<String> = (0..q.trades.len()).map(|i| format!(":t{i}")).collect();
        conds.push(format!("p.trade IN ({})", names.join(", ")));
        for (n, t) in names.iter().zip(&q.trades) {
            sql.bind(n, t.clone());
        }
    }
    if !q.settlements.is_empty() {
        let names: Vec<String> = (0..q.settlements.len()).map(|i| format!(":s{i}")).collect();
        conds.push(format!("p.settlement IN ({})", names.join(", ")));
        for (n, s) in names.iter().zip(&q.settlements) {
            sql.bind(n, s.code().to_string());
        }
    }
    if let Some(w) = q.min_wage {
        conds.push("p.wage_max >= :min_wage".into());
        sql.bind(":min_wage", w);
    }
    if let Some(u) = q.wage_unit {
        conds.push("p.wage_unit = :unit".into());
        sql.bind(":unit", u.code().to_string());
    }
    if let Some(s) = q.start {
        conds.push("p.start_day <= :last_day".into());
        sql.bind(":last_day", s.last_day(now).to_string());
    }
    if let Some(r) = ring_m {
        conds.push("d <= :ring".into());
        sql.bind(":ring", r);
    } else if let Some(r) = q.within_m {
        // The plain box on the columns is a cheap pre-check before the
        // distance function.
        let b = q.near.bounding_box(r);
        conds.push(
            "p.latitude BETWEEN :w0 AND :w1 AND p.longitude BETWEEN :w2 AND :w3 AND d <= :within".into(),
        );
        sql.bind(":w0", b.min_lat);
        sql.bind(":w1", b.max_lat);
        sql.bind(":w2", b.min_lon);
        sql.bind(":w3", b.max_lon);
        sql.bind(":within", r);
    }
    // Last: the most expensive check runs on the fewest rows.
    if let Some(t) = &q.text {
        conds.push("kiosk_text_match(p.search_text, :text)".into());
        sql.bind(":text", t.as_str().to_string());
    }
    sql.text.push_str(" WHERE ");
    sql.text.push_str(&conds.join(" AND "));
    sql.text.push_str(match q.sort {
        SortOrder::Distance => " ORDER BY d, p.identifier",
        SortOrder::Wage => " ORDER BY p.wage_rank DESC, p.wage_max DESC, d, p.identifier",
        SortOrder::Start => " ORDER BY p.start_day, d, p.identifier",
        SortOrder::Newest => " ORDER BY p.date_posted DESC, d, p.identifier",
    });
    sql.text.push_str(" LIMIT :limit OFFSET :offset");
    sql
}

/// The statement a plan runs; for rings, the ring of radius `ring_m`.
/// `fts` is the query's full-text expression, if it has text.
fn plan_sql(q: &SearchQuery, now: DateTime<FixedOffset>, plan: &Plan, fts: Option<&str>, ring_m: f64) -> Sql {
    let source = match plan {
        Plan::Rings { text_set, .. } => {
            let source = Source::Geo(q.near.bounding_box(ring_m), fts.filter(|_| *text_set));
            return build(q, now, &source, Some(ring_m));
        }
        Plan::Candidates { driver: Driver::Text } => fts.map_or(Source::Table, Source::Fts),
        Plan::Candidates { driver: Driver::Trade } if !q.trades.is_empty() => Source::TradeIndex,
        Plan::GeoBox => q.within_m.map_or(Source::Table, |r| Source::Geo(q.near.bounding_box(r), None)),
        Plan::Candidates { .. } | Plan::Ordered => Source::Table,
    };
    build(q, now, &source, None)
}

fn hit_from_row(r: &Row<'_>) -> rusqlite::Result<SearchHit> {
    let wage = match (r.get::<_, Option<f64>>(4)?, r.get::<_, Option<f64>>(5)?) {
        (Some(min), Some(max)) => r
            .get::<_, Option<String>>(6)?
            .and_then(|u| WageUnit::from_code(&u))
            .map(|unit| Wage { min, max, unit }),
        _ => None,
    };
    let start: String = r.get(9)?;
    let region: String = r.get(13)?;
    let locality: String = r.get(14)?;
    let street: String = r.get(15)?;
    let d: f64 = r.get(21)?;
    Ok(SearchHit {
        identifier: r.get(0)?,
        title: r.get(1)?,
        trade: r.get(2)?,
        employer: r.get(3)?,
        wage,
        settlement: r.get::<_, Option<String>>(7)?.and_then(|s| Settlement::from_code(&s)),
        openings_left: r.get(8)?,
        start_date: NaiveDate::parse_from_str(&start, "%Y-%m-%d").unwrap_or_default(),
        valid_through: time::from_unix(r.get(10)?),
        date_posted: time::from_unix(r.get(11)?),
        url: r.get(12)?,
        address: crate::domain::Address { region, locality, street }.short(),
        benefits: Benefits {
            meals: r.get(16)?,
            lodging: r.get(17)?,
            transport: r.get(18)?,
            work_injury_insurance: r.get(19)?,
            verified_employer: r.get(20)?,
        },
        distance_m: d.round().clamp(0.0, u32::MAX as f64) as u32,
    })
}

impl Store {
    /// Searches the cache: plans the query, then runs the plan.
    pub fn search(&self, q: &SearchQuery, now: DateTime<FixedOffset>) -> Result<SearchOutcome, StoreError> {
        let est = self.search_estimates(q)?;
        let plan = plan::plan(q, &est);
        let hits = self.search_with_plan(q, now, &plan)?;
        Ok(SearchOutcome { hits, plan })
    }

    /// Runs a given plan. Every plan returns the same postings for the same
    /// query; this entry point exists so tests can hold them to that.
    pub fn search_with_plan(
        &self,
        q: &SearchQuery,
        now: DateTime<FixedOffset>,
        plan: &Plan,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let limit = q.limit.min(SearchQuery::MAX_LIMIT);
        let fts = q.text.as_ref().map(|t| t.fts_expression());
        let Plan::Rings { first_radius_m, max_radius_m, .. } = plan else {
            return self.run(plan_sql(q, now, plan, fts.as_deref(), 0.0), limit, q.offset);
        };
        let need = q.needed();
        let mut r = first_radius_m.min(*max_radius_m);
        loop {
            let rows = self.run(plan_sql(q, now, plan, fts.as_deref(), r), need, 0)?;
            if rows.len() >= need || r >= *max_radius_m {
                return Ok(rows.into_iter().skip(q.offset).take(limit).collect());
            }
            r = plan::next_ring(r, rows.len(), need, *max_radius_m);
        }
    }

    /// The same search as a plain full scan with no index: the baseline the
    /// benchmarks compare against, and the oracle of the equivalence tests.
    pub fn search_naive(
        &self,
        q: &SearchQuery,
        now: DateTime<FixedOffset>,
    ) -> Result<Vec<SearchHit>, StoreError> {
        self.run(build(q, now, &Source::FullScan, None), q.limit.min(SearchQuery::MAX_LIMIT), q.offset)
    }

    /// SQLite's `EXPLAIN QUERY PLAN` for the first statement of a plan, one
    /// line per step (for tests that check which index a plan uses).
    pub fn explain_search(
        &self,
        q: &SearchQuery,
        now: DateTime<FixedOffset>,
        plan: &Plan,
    ) -> Result<Vec<String>, StoreError> {
        let fts = q.text.as_ref().map(|t| t.fts_expression());
        let first_ring = match plan {
            Plan::Rings { first_radius_m, .. } => *first_radius_m,
            _ => 0.0,
        };
        let mut sql = plan_sql(q, now, plan, fts.as_deref(), first_ring);
        sql.text.insert_str(0, "EXPLAIN QUERY PLAN ");
        sql.bind(":limit", 1i64);
        sql.bind(":offset", 0i64);
        let params: Vec<(&str, &dyn ToSql)> =
            sql.params.iter().map(|(n, v)| (n.as_str(), v as &dyn ToSql)).collect();
        let mut stmt = self.conn.prepare(&sql.text).map_err(|e| self.err(e))?;
        stmt.query_map(params.as_slice(), |r| r.get::<_, String>(3))
            .and_then(|rows| rows.collect())
            .map_err(|e| self.err(e))
    }

    fn run(&self, mut sql: Sql, limit: usize, offset: usize) -> Result<Vec<SearchHit>, StoreError> {
        sql.bind(":limit", limit as i64);
        sql.bind(":offset", offset as i64);
        let params: Vec<(&str, &dyn ToSql)> =
            sql.params.iter().map(|(n, v)| (n.as_str(), v as &dyn ToSql)).collect();
        let mut stmt = self.conn.prepare_cached(&sql.text).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params.as_slice(), hit_from_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| self.err(e))
    }

    /// The planner's inputs for `q`.
    pub fn search_estimates(&self, q: &SearchQuery) -> Result<Estimates, StoreError> {
        let counts = self.cached_counts()?;
        let text_docs = match &q.text {
            Some(t) => {
                let mut min: Option<u64> = None;
                for key in t.index_keys() {
                    let n = self.vocab_docs(&key)?;
                    min = Some(min.map_or(n, |m| m.min(n)));
                }
                min
            }
            None => None,
        };
        let trade_rows = match q.trades.is_empty() {
            true => None,
            // The plan only asks whether n² ≤ need × total (see
            // `search::plan`), so counting past that point is wasted.
            false => {
                let cap = ((q.needed().max(1) as f64) * counts.total as f64).sqrt().ceil() as u64 + 1;
                Some(self.trade_rows(q, cap)?)
            }
        };
        let extent_radius_m = counts.extent.map_or(0.0, |b| {
            [(b.min_lat, b.min_lon), (b.min_lat, b.max_lon), (b.max_lat, b.min_lon), (b.max_lat, b.max_lon)]
                .iter()
                .map(|&(lat, lon)| q.near.distance_m(&GeoPoint::new(lat, lon)))
                .fold(0.0, f64::max)
                + 1.0
        });
        Ok(Estimates { total: counts.total, text_docs, trade_rows, extent_radius_m })
    }

    fn vocab_docs(&self, key: &IndexKey) -> Result<u64, StoreError> {
        let r = match key {
            IndexKey::Exact(t) => self
                .conn
                .prepare_cached("SELECT coalesce(sum(doc), 0) FROM posting_vocab WHERE term = ?1")
                .and_then(|mut s| s.query_row([t], |r| r.get(0))),
            IndexKey::Prefix(p) => self
                .conn
                .prepare_cached(
                    "SELECT coalesce(sum(doc), 0) FROM
                        (SELECT doc FROM posting_vocab WHERE term >= ?1 AND term < ?1 || char(1114111) LIMIT 1000)",
                )
                .and_then(|mut s| s.query_row([p], |r| r.get(0))),
        };
        r.map_err(|e| self.err(e))
    }

    fn cached_counts(&self) -> Result<Ref<'_, CachedCounts>, StoreError> {
        let data_version: i64 =
            self.conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        let version = (self.own_writes.get(), data_version);
        let fresh = self.estimates.borrow().as_ref().is_some_and(|c| c.version == version);
        if !fresh {
            let counts = self.count_for_planner(version)?;
            *self.estimates.borrow_mut() = Some(counts);
        }
        Ok(Ref::map(self.estimates.borrow(), |c| c.as_ref().expect("filled above")))
    }

    fn count_for_planner(&self, version: (u64, i64)) -> Result<CachedCounts, StoreError> {
        let total: u64 = self
            .conn
            .query_row("SELECT count(*) FROM postings", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        // The R*Tree's root node lists boxes that together cover every
        // posting: reading it costs microseconds where scanning the table
        // for min/max costs tens of milliseconds at 100 000 postings.
        let root: Option<String> = self
            .conn
            .query_row("SELECT rtreenode(2, data) FROM posting_geo_node WHERE nodeno = 1", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map_err(|e| self.err(e))?
            .flatten();
        let extent = match root.as_deref().map(parse_rtree_node) {
            Some(Some(b)) => Some(b),
            // An empty tree, or a format this code does not know: scan.
            _ if total == 0 => None,
            _ => self
                .conn
                .query_row(
                    "SELECT min(min_lat), max(max_lat), min(min_lon), max(max_lon) FROM posting_geo",
                    [],
                    |r| {
                        Ok(match (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?) {
                            (Some(a), Some(b), Some(c), Some(d)) => {
                                Some(BoundingBox { min_lat: a, max_lat: b, min_lon: c, max_lon: d })
                            }
                            _ => None,
                        })
                    },
                )
                .map_err(|e| self.err(e))?,
        };
        Ok(CachedCounts { version, total, extent })
    }

    /// Postings of the query's trades (and settlements), counted only up to
    /// `cap`: past that the plan no longer changes.
    fn trade_rows(&self, q: &SearchQuery, cap: u64) -> Result<u64, StoreError> {
        let mut sql = String::from(
            "SELECT count(*) FROM (SELECT 1 FROM postings INDEXED BY postings_trade_wage WHERE trade IN (",
        );
        sql.push_str(&vec!["?"; q.trades.len()].join(", "));
        sql.push(')');
        if !q.settlements.is_empty() {
            sql.push_str(" AND settlement IN (");
            sql.push_str(&vec!["?"; q.settlements.len()].join(", "));
            sql.push(')');
        }
        sql.push_str(" LIMIT ?)");
        let mut params: Vec<Value> = q.trades.iter().map(|t| Value::from(t.clone())).collect();
        params.extend(q.settlements.iter().map(|s| Value::from(s.code().to_string())));
        params.push(Value::from(cap as i64));
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(params), |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}

/// The union of the boxes in `rtreenode()` output (`{id a b c d} …`),
/// widened by 0.01° (about 1 km) because the function prints about six
/// significant digits. `None` if the text is empty or not understood.
fn parse_rtree_node(text: &str) -> Option<BoundingBox> {
    let mut out: Option<BoundingBox> = None;
    for entry in text.split('}') {
        let fields: Vec<f64> =
            entry.trim().trim_start_matches('{').split_whitespace().filter_map(|f| f.parse().ok()).collect();
        match fields.as_slice() {
            [] => continue,
            [_, a, b, c, d] => {
                let e = out.get_or_insert(BoundingBox { min_lat: *a, max_lat: *b, min_lon: *c, max_lon: *d });
                e.min_lat = e.min_lat.min(*a);
                e.max_lat = e.max_lat.max(*b);
                e.min_lon = e.min_lon.min(*c);
                e.max_lon = e.max_lon.max(*d);
            }
            _ => return None,
        }
    }
    out.map(|b| BoundingBox {
        min_lat: b.min_lat - 0.01,
        max_lat: b.max_lat + 0.01,
        min_lon: b.min_lon - 0.01,
        max_lon: b.max_lon + 0.01,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtree_root_boxes_are_united_and_padded() {
        let b =
            parse_rtree_node("{1804 24.4169 24.4981 118.001 118.191} {1803 24.4944 24.8562 117.923 118.368}")
                .unwrap();
        assert!((b.min_lat - 24.4069).abs() < 1e-9 && (b.max_lat - 24.8662).abs() < 1e-9);
        assert!((b.min_lon - 117.913).abs() < 1e-9 && (b.max_lon - 118.378).abs() < 1e-9);
        assert_eq!(parse_rtree_node(""), None);
        assert_eq!(parse_rtree_node("{1 2 3}"), None, "unknown format falls back to a scan");
    }
}
