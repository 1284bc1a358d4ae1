//! `kiosk sync --once` (pull the feeds, send the outbox, say how it went)
//! and `kiosk outbox list` (what is queued or refused, without personal data).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use std::time::Duration;

use super::Context;
use super::table::{Align, Column, render};
use crate::clock::{Clock, SystemClock};
use crate::domain::time;
use crate::privacy::DeviceKey;
use crate::store::sync::Feed;
use crate::sync::SyncStore;
use crate::sync::client::Platform;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// One round, then exit: status 0 when every feed reached its end and every queued submission was
    /// tried; 1 if the platform could not be reached or refused the token; 3 if the round is incomplete
    #[arg(long)]
    once: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Queued and failed submissions (no personal data)
    List {
        /// Include acknowledged ones
        #[arg(long)]
        all: bool,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Exit status of `kiosk sync --once` when the platform answered but the
/// round is incomplete: a feed did not reach its end, or queued items were
/// left untried. (1: the platform could not be reached, or refused the token.)
pub const INCOMPLETE: u8 = 3;

pub fn sync(ctx: &Context, a: &SyncArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (loaded, store) = ctx.open()?;
    let cfg = loaded.config;
    let Some(platform) = Platform::new(&cfg.platform)? else {
        writeln!(
            out,
            "sync is off: no [platform] url is configured (the kiosk serves its cache and keeps submissions queued)"
        )?;
        return Ok(ExitCode::SUCCESS);
    };
    if !a.once {
        anyhow::bail!("the kiosk syncs in the background by itself; use --once for one round now");
    }
    let key = DeviceKey::load_or_create(&cfg.storage.data_dir)?;
    let clock = SystemClock::new(ctx.pinned_now);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let cx = crate::sync::Context {
        clock: &clock,
        device_key: &key,
        wait_retry_after: Duration::from_secs(30),
        all_pending: true,
    };
    let store = SyncStore::new(store);
    let s = rt.block_on(crate::sync::sync_once(&store, &platform, &cx));
    writeln!(
        out,
        "feeds: {} page(s), {} record(s) updated, {} removed, {} skipped as malformed{}{}",
        s.pages,
        s.applied.upserted,
        s.applied.removed,
        s.applied.skipped,
        if s.not_modified > 0 { format!(", {} unchanged", s.not_modified) } else { String::new() },
        if s.snapshots > 0 { format!(", {} fresh snapshot(s)", s.snapshots) } else { String::new() },
    )?;
    let waiting = rt.block_on(store.run(|st| st.outbox_pending()))?;
    writeln!(out, "outbox: {} sent, {} refused, {} still waiting", s.sent, s.refused, waiting)?;
    for e in &s.errors {
        writeln!(out, "problem: {e}")?;
    }
    if s.unauthorized {
        eprintln!("the platform refused this kiosk's token: check [platform] token and kiosk_id");
        return Ok(ExitCode::FAILURE);
    }
    if !s.reached {
        eprintln!("the platform could not be reached");
        return Ok(ExitCode::FAILURE);
    }
    if !s.complete() {
        let unfinished: Vec<&str> =
            Feed::ALL.iter().filter(|f| !s.feeds_complete.contains(f)).map(|f| f.code()).collect();
        let mut what = Vec::new();
        if !unfinished.is_empty() {
            what.push(format!("the {} feed did not reach its end", unfinished.join(" and ")));
        }
        if s.unattempted > 0 {
            what.push(format!("{} queued submission(s) were not tried", s.unattempted));
        }
        eprintln!("incomplete: {}; run it again later (exit status {INCOMPLETE})", what.join("; "));
        return Ok(ExitCode::from(INCOMPLETE));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn outbox(ctx: &Context, c: &OutboxCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let OutboxCommand::List { all, json } = c;
    let (_, store) = ctx.open()?;
    let rows = store.outbox_list(*all)?;
    let when = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| time::in_china(d).format("%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    if *json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id, "kind": r.kind, "state": r.state, "attempts": r.attempts,
                    "created_at": r.created_at, "next_attempt_at": r.next_attempt_at,
                    "error_code": r.error_code, "last_error": r.last_error,
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(out, "the outbox is empty: everything was sent")?;
        return Ok(ExitCode::SUCCESS);
    }
    let columns = [
        Column { header: "id", align: Align::Right, max_width: 20 },
        Column { header: "kind", align: Align::Left, max_width: 20 },
        Column { header: "state", align: Align::Left, max_width: 20 },
        Column { header: "tries", align: Align::Right, max_width: 20 },
        Column { header: "queued", align: Align::Left, max_width: 20 },
        Column { header: "next try", align: Align::Left, max_width: 20 },
        Column { header: "last error", align: Align::Left, max_width: 60 },
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.kind.clone(),
                r.state.clone(),
                r.attempts.to_string(),
                when(r.created_at),
                if r.state == "pending" { when(r.next_attempt_at) } else { String::new() },
                r.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    write!(out, "{}", render(&columns, &table))?;
    Ok(ExitCode::SUCCESS)
}

/// `kiosk churn` (hidden; for the crash test): queue applications and send
/// them, one after another, until killed.
#[derive(Debug, Args)]
pub struct ChurnArgs {
    /// Applications to queue (each sent before the next is queued)
    #[arg(long, default_value_t = 1000)]
    count: u32,
}

pub fn churn(ctx: &Context, a: &ChurnArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (loaded, mut store) = ctx.open()?;
    let cfg = loaded.config;
    let platform = Platform::new(&cfg.platform)?.context("churn needs a [platform] url")?;
    let key = DeviceKey::load_or_create(&cfg.storage.data_dir)?;
    let clock = SystemClock::new(None);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let card = crate::devices::card_reader::samples::Sample::Resident.card();
    for i in 0..a.count {
        let posting = format!("CHURN-{}", uuid::Uuid::new_v4());
        let at = clock.wall();
        let body = crate::sync::bodies::application(&posting, &card, &cfg.station.id, at);
        store.record_application(&crate::store::NewApplication {
            posting_id: &posting,
            person_hash: &format!("churn-{i}"),
            idempotency_key: &uuid::Uuid::new_v4().to_string(),
            body: &body,
            at,
        })?;
        let cx = crate::sync::Context {
            clock: &clock,
            device_key: &key,
            wait_retry_after: Duration::ZERO,
            all_pending: false,
        };
        let shared = SyncStore::new(store);
        rt.block_on(crate::sync::sync_once(&shared, &platform, &cx));
        store = match std::sync::Arc::try_unwrap(shared.into_inner()) {
            Ok(m) => m.into_inner().unwrap_or_else(|p| p.into_inner()),
            Err(_) => anyhow::bail!("the store is still in use"),
        };
    }
    writeln!(out, "queued and sent {} applications", a.count)?;
    Ok(ExitCode::SUCCESS)
}
