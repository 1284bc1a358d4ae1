//! Postings and courses: writing (inside a [`Tx`]) and reading.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{OptionalExtension, Row, params};

use super::functions::{posting_search_text, wage_rank};
use super::{Store, StoreError, Tx};
use crate::domain::{
    Address, Benefits, Course, Employer, GeoPoint, Posting, Settlement, Source, Wage, WageUnit, time,
};

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
}

/// Postings in the cache at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PostingCounts {
    pub total: u64,
    /// Not expired and with openings left: what workers can be offered.
    pub open: u64,
    pub expired: u64,
    pub full: u64,
}

const POSTING_COLUMNS: &str = "identifier, source, title, description, trade, settlement, \
    wage_min, wage_max, wage_unit, employer_name, employer_phone, employer_id, \
    addr_region, addr_locality, addr_street, latitude, longitude, date_posted, valid_through, \
    start_date, work_hours, total_openings, filled, physical_requirement, url, \
    occupational_category, employment_type, meals, lodging, transport, work_injury_insurance, \
    verified_employer, search_text, wage_rank, start_day, openings_left, updated_at";

const POSTING_PARAMS: &str = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, \
    ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, \
    ?35, ?36, ?37";

static INSERT_SQL: LazyLock<String> =
    LazyLock::new(|| format!("INSERT INTO postings ({POSTING_COLUMNS}) VALUES ({POSTING_PARAMS})"));

static UPDATE_SQL: LazyLock<String> = LazyLock::new(|| {
    let sets: Vec<String> =
        POSTING_COLUMNS.split(", ").enumerate().map(|(i, c)| format!("{} = ?{}", c.trim(), i + 1)).collect();
    format!("UPDATE postings SET {} WHERE identifier = ?1", sets.join(", "))
});

/// The values a posting's row holds besides the posting itself. Pure and
/// the costly part of a write (normalising the search text), so importers
/// compute it on another thread than the one writing.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    search_text: String,
    wage_rank: Option<f64>,
    employment_type: String,
}

impl Derived {
    pub fn of(p: &Posting) -> Derived {
        Derived {
            search_text: posting_search_text(
                &p.title,
                &p.description,
                &p.trade,
                &p.employer.name,
                &p.address.region,
                &p.address.locality,
                &p.address.street,
            ),
            wage_rank: wage_rank(p.wage.map(|w| w.max), p.wage.map(|w| w.unit.code())),
            employment_type: serde_json::to_string(&p.employment_type).unwrap_or_else(|_| "[]".into()),
        }
    }
}

/// Imports that at least double the cache, and add at least this many
/// postings, load in bulk.
pub const BULK_MIN: usize = 10_000;

/// State of a bulk load: the search indexes were dropped and are rebuilt
/// for rows above `max_id` before the transaction commits.
pub(super) struct Bulk {
    max_id: i64,
    /// `CREATE INDEX` statements of the dropped indexes, from the schema.
    indexes: Vec<String>,
}

impl Tx<'_> {
    /// Announces that about `incoming` postings are about to be written.
    /// When that is many compared with the cache, the secondary indexes are
    /// dropped now and built once, sorted, just before the transaction
    /// commits, and the geographic and full-text indexes are filled with one
    /// statement each: several times faster than updating every index for
    /// every row. All of it happens inside this transaction, so a failure
    /// leaves the cache exactly as it was.
    pub fn expect_postings(&self, incoming: usize) -> Result<(), StoreError> {
        if incoming < BULK_MIN || self.bulk.borrow().is_some() {
            return Ok(());
        }
        let (count, max_id): (i64, i64) = self
            .tx
            .query_row("SELECT count(*), coalesce(max(id), 0) FROM postings", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(|e| self.err(e))?;
        if (incoming as i64) < count {
            return Ok(());
        }
        let indexes: Vec<(String, String)> = self
            .tx
            .prepare(
                "SELECT name, sql FROM sqlite_schema
                  WHERE type = 'index' AND tbl_name = 'postings' AND sql IS NOT NULL",
            )
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.err(e))?;
        for (name, _) in &indexes {
            self.tx.execute_batch(&format!("DROP INDEX \"{name}\"")).map_err(|e| self.err(e))?;
        }
        *self.bulk.borrow_mut() =
            Some(Bulk { max_id, indexes: indexes.into_iter().map(|(_, sql)| sql).collect() });
        Ok(())
    }

    /// Completes a bulk load, if one is in progress: called by
    /// [`Store::write`] before every commit.
    pub(super) fn finish_bulk(&self) -> Result<(), StoreError> {
        let Some(bulk) = self.bulk.borrow_mut().take() else {
            return Ok(());
        };
        self.tx
            .execute(
                "INSERT INTO posting_geo (id, min_lat, max_lat, min_lon, max_lon)
                 SELECT id, latitude, latitude, longitude, longitude FROM postings WHERE id > ?1",
                [bulk.max_id],
            )
            .and_then(|_| {
                self.tx.execute(
                    "INSERT INTO posting_fts (rowid, terms)
                     SELECT id, kiosk_fts_terms(search_text) FROM postings WHERE id > ?1",
                    [bulk.max_id],
                )
            })
            .map_err(|e| self.err(e))?;
        for sql in &bulk.indexes {
            self.tx.execute_batch(sql).map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// Inserts a posting, or replaces the one with the same identifier.
    pub fn upsert_posting(&self, p: &Posting, source: Source, now: i64) -> Result<Upsert, StoreError> {
        self.upsert_derived(p, &Derived::of(p), source, now)
    }

    /// [`Tx::upsert_posting`] with the derived values already computed
    /// (by a thread that is not the one writing).
    pub fn upsert_derived(
        &self,
        p: &Posting,
        d: &Derived,
        source: Source,
        now: i64,
    ) -> Result<Upsert, StoreError> {
        let existing: Option<(i64, String, f64, f64)> = self
            .tx
            .prepare_cached("SELECT id, search_text, latitude, longitude FROM postings WHERE identifier = ?1")
            .and_then(|mut s| {
                s.query_row([&p.identifier], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional()
            })
            .map_err(|e| self.err(e))?;
        let sql: &str = if existing.is_some() { &UPDATE_SQL } else { &INSERT_SQL };
        let search_text = &d.search_text;
        let employment_type = &d.employment_type;
        let b = &p.benefits;
        self.tx
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.execute(params![
                    p.identifier,
                    source.code(),
                    p.title,
                    p.description,
                    p.trade,
                    p.settlement.map(Settlement::code),
                    p.wage.map(|w| w.min),
                    p.wage.map(|w| w.max),
                    p.wage.map(|w| w.unit.code()),
                    p.employer.name,
                    p.employer.telephone,
                    p.employer.identifier,
                    p.address.region,
                    p.address.locality,
                    p.address.street,
                    p.location.lat,
                    p.location.lon,
                    p.date_posted.timestamp(),
                    p.valid_through.timestamp(),
                    p.start_date.map(|d| d.to_string()),
                    p.work_hours,
                    p.total_openings,
                    p.filled,
                    p.physical_requirement,
                    p.url,
                    p.occupational_category,
                    employment_type,
                    b.meals,
                    b.lodging,
                    b.transport,
                    b.work_injury_insurance,
                    b.verified_employer,
                    search_text,
                    d.wage_rank,
                    p.effective_start().to_string(),
                    p.openings_left(),
                    now,
                ])
            })
            .map_err(|e| self.err(e))?;
        // The search indexes are kept here, not by triggers (see 0002).
        match existing {
            // In a bulk load, new rows are indexed at the end.
            None if self.bulk.borrow().is_some() => Ok(Upsert::Inserted),
            None => {
                let id = self.tx.last_insert_rowid();
                self.geo_insert(id, p.location)?;
                self.fts_insert(id, search_text)?;
                Ok(Upsert::Inserted)
            }
            Some((id, old_text, lat, lon)) => {
                if (lat, lon) != (p.location.lat, p.location.lon) {
                    self.geo_delete(id)?;
                    self.geo_insert(id, p.location)?;
                }
                if old_text != *search_text {
                    self.fts_delete(id)?;
                    self.fts_insert(id, search_text)?;
                }
                Ok(Upsert::Updated)
            }
        }
    }

    fn geo_insert(&self, id: i64, at: GeoPoint) -> Result<(), StoreError> {
        let sql =
            "INSERT INTO posting_geo (id, min_lat, max_lat, min_lon, max_lon) VALUES (?1, ?2, ?2, ?3, ?3)";
        self.exec(sql, params![id, at.lat, at.lon]).map(drop)
    }

    fn geo_delete(&self, id: i64) -> Result<(), StoreError> {
        self.exec("DELETE FROM posting_geo WHERE id = ?1", [id]).map(drop)
    }

    fn fts_insert(&self, id: i64, search_text: &str) -> Result<(), StoreError> {
        let terms = crate::search::text::index_terms(search_text);
        self.exec("INSERT INTO posting_fts (rowid, terms) VALUES (?1, ?2)", params![id, terms]).map(drop)
    }

    fn fts_delete(&self, id: i64) -> Result<(), StoreError> {
        self.exec("DELETE FROM posting_fts WHERE rowid = ?1", [id]).map(drop)
    }

    /// Deletes a posting; `false` when there was none with that identifier.
    pub fn remove_posting(&self, identifier: &str) -> Result<bool, StoreError> {
        let id: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM postings WHERE identifier = ?1")
            .and_then(|mut s| s.query_row([identifier], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?;
        let Some(id) = id else { return Ok(false) };
        self.fts_delete(id)?;
        self.geo_delete(id)?;
        self.exec("DELETE FROM postings WHERE id = ?1", [id]).map(|n| n > 0)
    }

    /// Inserts a course, or replaces the one with the same identifier.
    pub fn upsert_course(&self, c: &Course, now: i64) -> Result<Upsert, StoreError> {
        let existed: bool = self
            .tx
            .prepare_cached("SELECT 1 FROM courses WHERE identifier = ?1")
            .and_then(|mut s| s.exists([&c.identifier]))
            .map_err(|e| self.err(e))?;
        self.tx
            .prepare_cached(
                "INSERT INTO courses (identifier, name, description, provider, start_date, end_date,
                    addr_region, addr_locality, addr_street, latitude, longitude, subsidy, seats,
                    enrolled, url, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT (identifier) DO UPDATE SET
                    name = excluded.name, description = excluded.description,
                    provider = excluded.provider, start_date = excluded.start_date,
                    end_date = excluded.end_date, addr_region = excluded.addr_region,
                    addr_locality = excluded.addr_locality, addr_street = excluded.addr_street,
                    latitude = excluded.latitude, longitude = excluded.longitude,
                    subsidy = excluded.subsidy, seats = excluded.seats,
                    enrolled = excluded.enrolled, url = excluded.url,
                    updated_at = excluded.updated_at",
            )
            .and_then(|mut s| {
                s.execute(params![
                    c.identifier,
                    c.name,
                    c.description,
                    c.provider,
                    c.start_date.map(|d| d.to_string()),
                    c.end_date.map(|d| d.to_string()),
                    c.address.region,
                    c.address.locality,
                    c.address.street,
                    c.location.map(|p| p.lat),
                    c.location.map(|p| p.lon),
                    c.subsidy,
                    c.seats,
                    c.enrolled,
                    c.url,
                    now,
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(if existed { Upsert::Updated } else { Upsert::Inserted })
    }

    pub fn remove_course(&self, identifier: &str) -> Result<bool, StoreError> {
        self.exec("DELETE FROM courses WHERE identifier = ?1", [identifier]).map(|n| n > 0)
    }
}

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn posting_from_row(r: &Row<'_>) -> rusqlite::Result<Posting> {
    let wage = match (r.get::<_, Option<f64>>("wage_min")?, r.get::<_, Option<f64>>("wage_max")?) {
        (Some(min), Some(max)) => r
            .get::<_, Option<String>>("wage_unit")?
            .and_then(|u| WageUnit::from_code(&u))
            .map(|unit| Wage { min, max, unit }),
        _ => None,
    };
    let employment_type: String = r.get("employment_type")?;
    Ok(Posting {
        identifier: r.get("identifier")?,
        title: r.get("title")?,
        description: r.get("description")?,
        trade: r.get("trade")?,
        settlement: r.get::<_, Option<String>>("settlement")?.and_then(|s| Settlement::from_code(&s)),
        wage,
        employer: Employer {
            name: r.get("employer_name")?,
            telephone: r.get("employer_phone")?,
            identifier: r.get("employer_id")?,
        },
        address: Address {
            region: r.get("addr_region")?,
            locality: r.get("addr_locality")?,
            street: r.get("addr_street")?,
        },
        location: GeoPoint::new(r.get("latitude")?, r.get("longitude")?),
        date_posted: time::from_unix(r.get("date_posted")?),
        valid_through: time::from_unix(r.get("valid_through")?),
        start_date: parse_date(r.get("start_date")?),
        work_hours: r.get("work_hours")?,
        total_openings: r.get("total_openings")?,
        filled: r.get("filled")?,
        physical_requirement: r.get("physical_requirement")?,
        url: r.get("url")?,
        occupational_category: r.get("occupational_category")?,
        employment_type: serde_json::from_str(&employment_type).unwrap_or_default(),
        benefits: Benefits {
            meals: r.get("meals")?,
            lodging: r.get("lodging")?,
            transport: r.get("transport")?,
            work_injury_insurance: r.get("work_injury_insurance")?,
            verified_employer: r.get("verified_employer")?,
        },
    })
}

fn course_from_row(r: &Row<'_>) -> rusqlite::Result<Course> {
    let location = match (r.get::<_, Option<f64>>("latitude")?, r.get::<_, Option<f64>>("longitude")?) {
        (Some(lat), Some(lon)) => Some(GeoPoint::new(lat, lon)),
        _ => None,
    };
    Ok(Course {
        identifier: r.get("identifier")?,
        name: r.get("name")?,
        description: r.get("description")?,
        provider: r.get("provider")?,
        start_date: parse_date(r.get("start_date")?),
        end_date: parse_date(r.get("end_date")?),
        address: Address {
            region: r.get("addr_region")?,
            locality: r.get("addr_locality")?,
            street: r.get("addr_street")?,
        },
        location,
        subsidy: r.get("subsidy")?,
        seats: r.get("seats")?,
        enrolled: r.get("enrolled")?,
        url: r.get("url")?,
    })
}

impl Store {
    /// One posting by identifier, whether open or not.
    pub fn posting(&self, identifier: &str) -> Result<Option<Posting>, StoreError> {
        self.conn
            .prepare_cached("SELECT * FROM postings WHERE identifier = ?1")
            .and_then(|mut s| s.query_row([identifier], posting_from_row).optional())
            .map_err(|e| self.err(e))
    }

    /// Where a posting came from.
    pub fn posting_source(&self, identifier: &str) -> Result<Option<Source>, StoreError> {
        self.conn
            .prepare_cached("SELECT source FROM postings WHERE identifier = ?1")
            .and_then(|mut s| s.query_row([identifier], |r| r.get::<_, String>(0)).optional())
            .map(|s| s.and_then(|s| Source::from_code(&s)))
            .map_err(|e| self.err(e))
    }

    pub fn posting_counts(&self, now: DateTime<FixedOffset>) -> Result<PostingCounts, StoreError> {
        self.conn
            .query_row(
                "SELECT count(*),
                        count(*) FILTER (WHERE valid_through > ?1 AND coalesce(openings_left, 1) > 0),
                        count(*) FILTER (WHERE valid_through <= ?1),
                        count(*) FILTER (WHERE valid_through > ?1 AND openings_left = 0)
                   FROM postings",
                [now.timestamp()],
                |r| {
                    Ok(PostingCounts {
                        total: r.get(0)?,
                        open: r.get(1)?,
                        expired: r.get(2)?,
                        full: r.get(3)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// Trades of open postings, most postings first (the filter buttons).
    pub fn trades_by_count(&self, now: DateTime<FixedOffset>) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT trade FROM postings
                  WHERE valid_through > ?1 AND coalesce(openings_left, 1) > 0
                  GROUP BY trade ORDER BY count(*) DESC, trade LIMIT 16",
            )
            .and_then(|mut s| s.query_map([now.timestamp()], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))
    }

    /// One course by identifier.
    pub fn course(&self, identifier: &str) -> Result<Option<Course>, StoreError> {
        self.conn
            .prepare_cached("SELECT * FROM courses WHERE identifier = ?1")
            .and_then(|mut s| s.query_row([identifier], course_from_row).optional())
            .map_err(|e| self.err(e))
    }

    /// Courses that have not ended by `today`, soonest first.
    pub fn upcoming_courses(&self, today: NaiveDate, limit: usize) -> Result<Vec<Course>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT * FROM courses WHERE coalesce(end_date, start_date, '9999') >= ?1
                 ORDER BY coalesce(start_date, '0000'), identifier LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![today.to_string(), limit as i64], course_from_row)?.collect()
            })
            .map_err(|e| self.err(e))
    }

    pub fn course_count(&self) -> Result<u64, StoreError> {
        self.conn.query_row("SELECT count(*) FROM courses", [], |r| r.get(0)).map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::sample_posting as sample;

    #[test]
    fn posting_round_trips() {
        let mut s = Store::open_in_memory().unwrap();
        let p = sample();
        let r = s.write(|tx| tx.upsert_posting(&p, Source::Feed, 1)).unwrap();
        assert_eq!(r, Upsert::Inserted);
        assert_eq!(s.posting(&p.identifier).unwrap().unwrap(), p);
        assert_eq!(s.posting_source(&p.identifier).unwrap(), Some(Source::Feed));
        let mut changed = p.clone();
        changed.title = "夜班装卸工".into();
        changed.filled = 12;
        let r = s.write(|tx| tx.upsert_posting(&changed, Source::Import, 2)).unwrap();
        assert_eq!(r, Upsert::Updated);
        assert_eq!(s.posting(&p.identifier).unwrap().unwrap(), changed);
        assert!(s.write(|tx| tx.remove_posting(&p.identifier)).unwrap());
        assert!(!s.write(|tx| tx.remove_posting(&p.identifier)).unwrap());
        assert_eq!(s.posting(&p.identifier).unwrap(), None);
    }

    #[test]
    fn counts_split_open_expired_full() {
        let mut s = Store::open_in_memory().unwrap();
        let open = sample();
        let mut full = sample();
        full.identifier = "full".into();
        full.filled = 12;
        let mut expired = sample();
        expired.identifier = "expired".into();
        let now = open.date_posted;
        expired.valid_through = now;
        s.write(|tx| {
            for p in [&open, &full, &expired] {
                tx.upsert_posting(p, Source::Import, 0)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(s.posting_counts(now).unwrap(), PostingCounts { total: 3, open: 1, expired: 1, full: 1 });
    }

    #[test]
    fn courses_round_trip_and_upcoming_ones_come_soonest_first() {
        let mut s = Store::open_in_memory().unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let course = |id: &str, start, end| Course {
            identifier: id.into(),
            name: format!("课程{id}"),
            description: String::new(),
            provider: "湖里区职业技能培训中心".into(),
            start_date: Some(day(start)),
            end_date: Some(day(end)),
            address: Address {
                region: "福建省".into(),
                locality: "厦门市".into(),
                street: "湖里区金尚路1号".into(),
            },
            location: Some(GeoPoint::new(24.51, 118.15)),
            subsidy: "免费".into(),
            seats: Some(30),
            enrolled: 30,
            url: None,
        };
        let (ended, later, sooner) = (course("A", 1, 3), course("B", 20, 25), course("C", 10, 12));
        s.write(|tx| {
            for c in [&ended, &later, &sooner] {
                assert_eq!(tx.upsert_course(c, 0)?, Upsert::Inserted);
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(s.course("B").unwrap().unwrap(), later);
        assert_eq!(s.course("B").unwrap().unwrap().seats_left(), Some(0));
        let ids: Vec<String> =
            s.upcoming_courses(day(5), 10).unwrap().into_iter().map(|c| c.identifier).collect();
        assert_eq!(ids, vec!["C", "B"], "ended courses are left out");
        assert!(s.write(|tx| tx.remove_course("A")).unwrap());
        assert_eq!(s.course_count().unwrap(), 2);
    }

    #[test]
    fn failed_write_rolls_back() {
        let mut s = Store::open_in_memory().unwrap();
        let p = sample();
        let r: Result<(), StoreError> = s.write(|tx| {
            tx.upsert_posting(&p, Source::Import, 0)?;
            Err(StoreError::DiskFull { path: "x".into() })
        });
        assert!(r.is_err());
        assert_eq!(s.posting(&p.identifier).unwrap(), None);
    }
}
