//! Running a search plan (`search::plan`) in SQL.
//!
//! Every plan builds the same `WHERE` (the filters and the "open" rule) and
//! the same `ORDER BY`; plans differ only in where candidate rows come from
//! (the R*Tree, the full-text index, the trade index, an ordered index).
//! That is what makes them interchangeable, and `tests/search_equivalence.rs`
//! checks every plan against a plain full scan.

use std::cell::Ref;
use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::types::Value;
use rusqlite::{Row, ToSql};

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
    /// Postings per (trade, settlement).
    by_trade: HashMap<(String, Option<String>), u64>,
    extent: Option<BoundingBox>,
}

/// Where candidate rows come from.
enum Source<'a> {
    /// Every row, no index: the baseline.
    FullScan,
    /// Let SQLite choose (it picks the index matching ORDER BY).
    Table,
    TradeIndex,
    Geo(BoundingBox),
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
        Source::Geo(b) => {
            sql.text.push_str(" FROM posting_geo g JOIN postings p ON p.id = g.id");
            conds.push(
                "g.max_lat >= :g0 AND g.min_lat <= :g1 AND g.max_lon >= :g2 AND g.min_lon <= :g3".into(),
            );
            sql.bind(":g0", b.min_lat);
            sql.bind(":g1", b.max_lat);
            sql.bind(":g2", b.min_lon);
            sql.bind(":g3", b.max_lon);
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
        match plan {
            Plan::Rings { first_radius_m, max_radius_m } => {
                let need = q.needed();
                let mut r = first_radius_m.min(*max_radius_m);
                let mut rows;
                loop {
                    let sql = build(q, now, &Source::Geo(q.near.bounding_box(r)), Some(r));
                    rows = self.run(sql, need, 0)?;
                    if rows.len() >= need || r >= *max_radius_m {
                        break;
                    }
                    r = plan::next_ring(r, rows.len(), need, *max_radius_m);
                }
                Ok(rows.into_iter().skip(q.offset).take(limit).collect())
            }
            Plan::Candidates { driver: Driver::Text } => match &q.text {
                Some(t) => self.run(build(q, now, &Source::Fts(&t.fts_expression()), None), limit, q.offset),
                None => self.run(build(q, now, &Source::Table, None), limit, q.offset),
            },
            Plan::Candidates { driver: Driver::Trade } if !q.trades.is_empty() => {
                self.run(build(q, now, &Source::TradeIndex, None), limit, q.offset)
            }
            Plan::GeoBox => {
                let source = match q.within_m {
                    Some(r) => Source::Geo(q.near.bounding_box(r)),
                    None => Source::Table,
                };
                self.run(build(q, now, &source, None), limit, q.offset)
            }
            Plan::Candidates { .. } | Plan::Ordered => {
                self.run(build(q, now, &Source::Table, None), limit, q.offset)
            }
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
        let fts;
        let (source, ring) = match plan {
            Plan::Rings { first_radius_m, .. } => {
                (Source::Geo(q.near.bounding_box(*first_radius_m)), Some(*first_radius_m))
            }
            Plan::Candidates { driver: Driver::Text } if q.text.is_some() => {
                fts = q.text.as_ref().map(|t| t.fts_expression()).unwrap_or_default();
                (Source::Fts(&fts), None)
            }
            Plan::Candidates { driver: Driver::Trade } => (Source::TradeIndex, None),
            Plan::GeoBox if q.within_m.is_some() => {
                (Source::Geo(q.near.bounding_box(q.within_m.unwrap_or_default())), None)
            }
            _ => (Source::Table, None),
        };
        let mut sql = build(q, now, &source, ring);
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
        let trade_rows = (!q.trades.is_empty()).then(|| {
            counts
                .by_trade
                .iter()
                .filter(|((t, s), _)| {
                    q.trades.contains(t)
                        && (q.settlements.is_empty()
                            || s.as_deref().is_some_and(|s| q.settlements.iter().any(|x| x.code() == s)))
                })
                .map(|(_, n)| n)
                .sum()
        });
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
        let mut by_trade = HashMap::new();
        let mut total = 0;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT trade, settlement, count(*) FROM postings GROUP BY trade, settlement")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let n: u64 = r.get(2).map_err(|e| self.err(e))?;
            total += n;
            by_trade.insert((r.get(0).map_err(|e| self.err(e))?, r.get(1).map_err(|e| self.err(e))?), n);
        }
        let extent = self
            .conn
            .query_row(
                "SELECT min(latitude), max(latitude), min(longitude), max(longitude) FROM postings",
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
            .map_err(|e| self.err(e))?;
        Ok(CachedCounts { version, total, by_trade, extent })
    }
}
