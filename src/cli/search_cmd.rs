//! `kiosk search`: the cached postings, as a table or JSON.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::Context;
use super::table::{Align, Column, render};
use crate::domain::posting::amount_json;
use crate::domain::{GeoPoint, Settlement, WageUnit};
use crate::search::{SearchHit, SearchQuery, SortOrder, StartWindow, TextQuery};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Measure distances from LAT,LON [default: the station]
    #[arg(long, value_name = "LAT,LON")]
    near: Option<GeoPoint>,
    /// Only jobs at most this many kilometres away
    #[arg(long, value_name = "KM", value_parser = positive_km)]
    within_km: Option<f64>,
    /// Only this trade (repeat for several): 装卸搬运, 保洁, …
    #[arg(long, value_name = "TRADE")]
    trade: Vec<String>,
    /// Only this settlement (repeat for several)
    #[arg(long, value_name = "WHEN", value_parser = parse_settlement)]
    settlement: Vec<Settlement>,
    /// Only wages whose top is at least N yuan, in the posting's own unit (combine with --unit)
    #[arg(long, value_name = "N")]
    min_wage: Option<f64>,
    /// Only wages paid per HOUR, DAY, WEEK, MONTH or PIECE
    #[arg(long, value_name = "UNIT", value_parser = parse_unit)]
    unit: Option<WageUnit>,
    /// Only jobs one can start by today, tomorrow, or within the week
    #[arg(long, value_enum, value_name = "WHEN")]
    start: Option<StartWindow>,
    /// Words to look for in title, description, trade, employer and address (Chinese works at any length)
    #[arg(long, value_name = "Q")]
    text: Option<String>,
    /// Order of the results
    #[arg(long, value_enum, default_value_t = SortOrder::Distance)]
    sort: SortOrder,
    /// Number of results
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    limit: u16,
    /// Skip this many results (paging)
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Print a JSON array instead of a table
    #[arg(long)]
    json: bool,
    /// Also print the chosen plan and SQLite's query plan (on standard error)
    #[arg(long)]
    explain: bool,
}

fn positive_km(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 20_000.0 => Ok(v),
        _ => Err(format!("{s:?} is not a distance in kilometres (greater than 0)")),
    }
}

fn parse_settlement(s: &str) -> Result<Settlement, String> {
    Settlement::from_code(s)
        .ok_or_else(|| format!("{s:?} is not one of daily, weekly, monthly, on_completion, piece"))
}

fn parse_unit(s: &str) -> Result<WageUnit, String> {
    WageUnit::from_code(s).ok_or_else(|| format!("{s:?} is not one of HOUR, DAY, WEEK, MONTH, PIECE"))
}

pub fn hit_json(h: &SearchHit) -> serde_json::Value {
    json!({
        "identifier": h.identifier,
        "title": h.title,
        "trade": h.trade,
        "employer": h.employer,
        "distance_m": h.distance_m,
        "wage": h.wage.map(|w| json!({"min": amount_json(w.min), "max": amount_json(w.max), "unit": w.unit.code()})),
        "settlement": h.settlement.map(Settlement::code),
        "openings_left": h.openings_left,
        "start_date": h.start_date.to_string(),
        "valid_through": h.valid_through.to_rfc3339(),
        "date_posted": h.date_posted.to_rfc3339(),
        "url": h.url,
        "address": h.address,
        "benefits": h.benefits,
    })
}

pub fn run(ctx: &Context, a: &SearchArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (loaded, store) = ctx.open()?;
    let text = match &a.text {
        Some(t) => match TextQuery::parse(t) {
            Some(q) => Some(q),
            None => {
                anyhow::bail!("--text {t:?} has nothing to search for (only spaces or punctuation)")
            }
        },
        None => None,
    };
    let q = SearchQuery {
        near: a.near.unwrap_or_else(|| loaded.config.station.location()),
        within_m: a.within_km.map(|k| k * 1000.0),
        trades: a.trade.clone(),
        settlements: a.settlement.clone(),
        min_wage: a.min_wage,
        wage_unit: a.unit,
        start: a.start,
        text,
        sort: a.sort,
        limit: a.limit as usize,
        offset: a.offset,
    };
    let outcome = store.search(&q, ctx.now)?;
    if a.explain {
        eprintln!("plan: {}", serde_json::to_string(&outcome.plan)?);
        for step in store.explain_search(&q, ctx.now, &outcome.plan)? {
            eprintln!("  {step}");
        }
    }
    if a.json {
        let arr: Vec<_> = outcome.hits.iter().map(hit_json).collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&arr)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if outcome.hits.is_empty() {
        let counts = store.posting_counts(ctx.now)?;
        if counts.total == 0 {
            writeln!(out, "缓存里还没有岗位。先导入：kiosk import FILE，或载入演示数据：kiosk demo load")?;
        } else {
            writeln!(out, "没有符合条件的岗位（缓存共 {} 条，其中 {} 条在招）。", counts.total, counts.open)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let columns = [
        Column { header: "距离", align: Align::Right, max_width: 10 },
        Column { header: "工种", align: Align::Left, max_width: 10 },
        Column { header: "职位", align: Align::Left, max_width: 24 },
        Column { header: "工资", align: Align::Right, max_width: 18 },
        Column { header: "结算", align: Align::Left, max_width: 6 },
        Column { header: "空缺", align: Align::Right, max_width: 6 },
        Column { header: "开工", align: Align::Left, max_width: 10 },
        Column { header: "招工单位", align: Align::Left, max_width: 26 },
        Column { header: "编号", align: Align::Left, max_width: 32 },
    ];
    let rows: Vec<Vec<String>> = outcome
        .hits
        .iter()
        .map(|h| {
            vec![
                h.distance_label_zh(),
                h.trade.clone(),
                h.title.clone(),
                h.wage_label_zh(),
                h.settlement.map_or("-", Settlement::label_zh).to_string(),
                h.openings_left.map_or("不限".to_string(), |n| n.to_string()),
                h.start_date.format("%m-%d").to_string(),
                h.employer.clone(),
                h.identifier.clone(),
            ]
        })
        .collect();
    write!(out, "{}", render(&columns, &rows))?;
    let order = match q.sort {
        SortOrder::Distance => "由近到远",
        SortOrder::Wage => "工资由高到低",
        SortOrder::Start => "开工由早到晚",
        SortOrder::Newest => "最新发布在前",
    };
    writeln!(out, "{} 条，{order}，距离从 {} 算起。", outcome.hits.len(), q.near)?;
    Ok(ExitCode::SUCCESS)
}
