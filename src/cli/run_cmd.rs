//! `kiosk` / `kiosk run`: the kiosk itself.
//!
//! The touch UI arrives with its own issue; until then this prepares
//! everything the UI will stand on (configuration, database, demo data) and
//! reports what it would show.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::import;

#[derive(Debug, Args, Default)]
pub struct RunArgs {}

pub fn run(ctx: &Context, _a: &RunArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (loaded, mut store) = ctx.open()?;
    let cfg = &loaded.config;
    if loaded.is_demo() {
        writeln!(out, "gig-kiosk {} — demo mode (no configuration file)", env!("CARGO_PKG_VERSION"))?;
        if store.posting_counts(ctx.now)?.total == 0 {
            let (p, c) = import::load_demo(&mut store, ctx.now)?;
            writeln!(out, "loaded the bundled demo data: postings {}; courses {}", p.summary(), c.summary())?;
        }
    } else {
        writeln!(out, "gig-kiosk {}", env!("CARGO_PKG_VERSION"))?;
    }
    let counts = store.posting_counts(ctx.now)?;
    writeln!(out, "station:  {} ({}) at {}", cfg.station.name, cfg.station.id, cfg.station.location())?;
    writeln!(out, "data:     {}", store.path().display())?;
    writeln!(
        out,
        "postings: {} open of {} cached ({} expired, {} full); courses: {}",
        counts.open,
        counts.total,
        counts.expired,
        counts.full,
        store.course_count()?
    )?;
    writeln!(out, "The touch UI is not built yet. Try: kiosk search --within-km 3")?;
    Ok(ExitCode::SUCCESS)
}
