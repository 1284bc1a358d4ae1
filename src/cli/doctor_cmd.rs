//! `kiosk doctor`: every on-site check with ✓/✗/–, what was found and what
//! to do (src/doctor). Exit status 0 only when nothing failed.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::app::Lang;
use crate::doctor::{self, checks};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Language of the report: zh (default) or en
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// Print {"checks": [{"name", "status", "detail", "fix"}, …]} for scripts
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, a: &DoctorArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let lang = Lang::from_code(&a.lang).unwrap_or(Lang::Zh);
    let opts = checks::Options {
        sources: ctx.sources.clone(),
        now: ctx.now,
        dev: std::path::PathBuf::from("/dev"),
        lang,
    };
    let results = checks::run(&opts);
    if a.json {
        writeln!(out, "{}", doctor::render_json(&results))?;
    } else {
        write!(out, "{}", doctor::render_text(&results, lang))?;
    }
    Ok(if doctor::all_passed(&results) { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
