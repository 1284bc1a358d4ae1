//! `kiosk import FILE...`

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{Context, read_file};
use crate::import::{self, ImportError, Options, Report};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON or JSON-LD files: a JobPosting, an array, a JSON-LD @graph, or a feed page {"items", "removed"}
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// The files hold training courses, not job postings
    #[arg(long)]
    courses: bool,
    /// Print at most this many skipped-record messages per file
    #[arg(long, default_value_t = 50, value_name = "N")]
    max_messages: usize,
}

pub fn run(ctx: &Context, a: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let (_loaded, mut store) = ctx.open()?;
    let opts = if a.courses { Options::courses() } else { Options::postings() };
    let mut total = Report::default();
    let mut failed_files = 0;
    for path in &a.files {
        let name = path.display();
        let bytes = match read_file(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{name}: error: {e:#}");
                failed_files += 1;
                continue;
            }
        };
        match import::import_bytes(&mut store, &bytes, &opts, ctx.now) {
            Ok(r) => {
                for s in r.skipped.iter().take(a.max_messages) {
                    let id = s.identifier.as_ref().map(|i| format!(" ({i})")).unwrap_or_default();
                    eprintln!("{name}: record {}{id}: skipped: {}", s.position, s.reason);
                }
                if r.skipped.len() > a.max_messages {
                    eprintln!("{name}: … and {} more skipped records", r.skipped.len() - a.max_messages);
                }
                if r.records == 0 {
                    eprintln!(
                        "{name}: warning: no records found (expected a JobPosting, an array, a @graph or a feed page)"
                    );
                }
                writeln!(out, "{name}: {} records: {}", r.records, r.summary())?;
                total.add(&r);
            }
            Err(ImportError::Document(e)) => {
                eprintln!("{name}: error: {e}; nothing imported from this file");
                failed_files += 1;
            }
            // The store cannot take writes: later files would fail alike.
            Err(e @ (ImportError::Store(_) | ImportError::ReaderFailed)) => {
                let before = if total.imported + total.updated > 0 {
                    " (the files before it were imported)"
                } else {
                    ""
                };
                anyhow::bail!("{name}: {e}\nnothing was imported from this file{before}");
            }
        }
    }
    if a.files.len() > 1 {
        writeln!(out, "total: {} files, {}", a.files.len(), total.summary())?;
    }
    Ok(if failed_files > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
