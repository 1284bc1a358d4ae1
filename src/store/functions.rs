//! SQL functions the kiosk registers on every connection.
//!
//! Migrations and triggers call these, so their names and meaning are part
//! of the schema: never rename one, and change what one computes only
//! together with a migration that recomputes the stored values.

use std::sync::Arc;

use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;

use crate::domain::{WageUnit, geo, time};
use crate::search::text::{self, TextQuery};

const DETERMINISTIC: FunctionFlags = FunctionFlags::SQLITE_UTF8
    .union(FunctionFlags::SQLITE_DETERMINISTIC)
    .union(FunctionFlags::SQLITE_INNOCUOUS);

/// The normalised text a posting is searched by.
#[allow(clippy::too_many_arguments)]
pub fn posting_search_text(
    title: &str,
    description: &str,
    trade: &str,
    employer: &str,
    region: &str,
    locality: &str,
    street: &str,
) -> String {
    text::search_text(&[title, description, trade, employer, &format!("{region}{locality}{street}")])
}

/// The daily-equivalent wage used for sorting, or `None`.
pub fn wage_rank(max: Option<f64>, unit: Option<&str>) -> Option<f64> {
    let unit = WageUnit::from_code(unit?)?;
    crate::domain::Wage { min: max?, max: max?, unit }.daily_equivalent()
}

fn str_arg<'a>(ctx: &'a Context<'_>, i: usize) -> rusqlite::Result<&'a str> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(""),
        v => v.as_str().map_err(|e| rusqlite::Error::UserFunctionError(e.into())),
    }
}

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("kiosk_search_text", 7, DETERMINISTIC, |ctx| {
        Ok(posting_search_text(
            str_arg(ctx, 0)?,
            str_arg(ctx, 1)?,
            str_arg(ctx, 2)?,
            str_arg(ctx, 3)?,
            str_arg(ctx, 4)?,
            str_arg(ctx, 5)?,
            str_arg(ctx, 6)?,
        ))
    })?;
    conn.create_scalar_function("kiosk_fts_terms", 1, DETERMINISTIC, |ctx| {
        Ok(text::index_terms(str_arg(ctx, 0)?))
    })?;
    conn.create_scalar_function("kiosk_wage_rank", 2, DETERMINISTIC, |ctx| {
        let max: Option<f64> = ctx.get(0)?;
        let unit: Option<String> = ctx.get(1)?;
        Ok(wage_rank(max, unit.as_deref()))
    })?;
    conn.create_scalar_function("kiosk_china_date", 1, DETERMINISTIC, |ctx| {
        let secs: i64 = ctx.get(0)?;
        Ok(time::china_date(time::from_unix(secs)).to_string())
    })?;
    conn.create_scalar_function("kiosk_dist_m", 4, DETERMINISTIC, |ctx| {
        let v: [f64; 4] = [ctx.get(0)?, ctx.get(1)?, ctx.get(2)?, ctx.get(3)?];
        Ok(geo::haversine_m(v[0], v[1], v[2], v[3]))
    })?;
    // kiosk_text_match(search_text, query): the query is parsed once per
    // statement and cached as SQLite auxiliary data on argument 1.
    conn.create_scalar_function("kiosk_text_match", 2, DETERMINISTIC, |ctx| {
        let q: Arc<Option<TextQuery>> = ctx.get_or_create_aux(1, |v| -> Result<_, rusqlite::Error> {
            Ok(TextQuery::parse(v.as_str().unwrap_or("")))
        })?;
        Ok(match q.as_ref() {
            None => true,
            Some(q) => q.matches(str_arg(ctx, 0)?),
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_callable_from_sql() {
        let c = Connection::open_in_memory().unwrap();
        register(&c).unwrap();
        let rank: Option<f64> = c.query_row("SELECT kiosk_wage_rank(25, 'HOUR')", [], |r| r.get(0)).unwrap();
        assert_eq!(rank, Some(200.0));
        let rank: Option<f64> = c.query_row("SELECT kiosk_wage_rank(2, 'PIECE')", [], |r| r.get(0)).unwrap();
        assert_eq!(rank, None);
        let day: String = c.query_row("SELECT kiosk_china_date(1795366800)", [], |r| r.get(0)).unwrap();
        assert_eq!(day, "2026-11-23", "2026-11-22T17:00Z is the 23rd in China");
        let m: bool = c
            .query_row(
                "SELECT kiosk_text_match(kiosk_search_text('仓库装卸工','','','','','',''), '装卸')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(m);
        let terms: String = c.query_row("SELECT kiosk_fts_terms('保洁')", [], |r| r.get(0)).unwrap();
        assert_eq!(terms, "保洁 洁");
    }
}
