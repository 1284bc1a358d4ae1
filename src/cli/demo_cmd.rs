//! `kiosk demo generate` and `kiosk demo load`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset};
use clap::Subcommand;
use serde_json::Value;

use super::{Context, parse_time};
use crate::demo::{self, Options};
use crate::import;

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Write realistic demo postings and courses (schema.org JSON-LD) for a real place
    Generate {
        /// Place to generate for: xiamen-huli (a city) or puer-simao (coffee, tea and tobacco farms)
        #[arg(long, default_value = "xiamen-huli", value_parser = parse_place)]
        place: &'static demo::Place,
        /// Number of job postings
        #[arg(long, default_value_t = 320)]
        postings: usize,
        /// Number of training courses
        #[arg(long, default_value_t = 24)]
        courses: usize,
        /// Random seed: the same seed and reference time give the same files
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// "Now" for the generated data [default: --now, else the current time]
        #[arg(long, value_name = "T", value_parser = parse_time)]
        reference_time: Option<DateTime<FixedOffset>>,
        /// Directory to write postings.jsonld and courses.jsonld into
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Load the bundled demo postings and courses into the data directory, dated to today
    Load,
}

fn parse_place(s: &str) -> Result<&'static demo::Place, String> {
    demo::places::find(s).ok_or_else(|| {
        let keys: Vec<&str> = demo::PLACES.iter().map(|p| p.key).collect();
        format!("unknown place {s:?}; known places: {}", keys.join(", "))
    })
}

/// Writes a generated document with one record per line: compact for large
/// sets, and readable and diffable for the bundled one.
fn write_document(path: &Path, doc: &Value) -> anyhow::Result<()> {
    let mut out = Vec::new();
    let obj = doc.as_object().context("document is an object")?;
    out.extend_from_slice(b"{\n");
    for (k, v) in obj.iter().filter(|(k, _)| *k != "@graph") {
        writeln!(out, "  {}: {},", serde_json::to_string(k)?, serde_json::to_string(v)?)?;
    }
    out.extend_from_slice(b"  \"@graph\": [\n");
    let records = obj.get("@graph").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (i, r) in records.iter().enumerate() {
        out.extend_from_slice(b"    ");
        serde_json::to_writer(&mut out, r)?;
        out.extend_from_slice(if i + 1 < records.len() { b",\n" } else { b"\n" });
    }
    out.extend_from_slice(b"  ]\n}\n");
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

pub fn run(ctx: &Context, c: &DemoCommand, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match c {
        DemoCommand::Generate { place, postings, courses, seed, reference_time, out: dir } => {
            let opts = Options::new(place, *postings, *courses, *seed, reference_time.unwrap_or(ctx.now));
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let p = dir.join("postings.jsonld");
            write_document(&p, &demo::document(&opts, demo::postings(&opts)))?;
            let c = dir.join("courses.jsonld");
            write_document(&c, &demo::document(&opts, demo::courses(&opts)))?;
            writeln!(
                out,
                "{}: {postings} postings; {}: {courses} courses ({}, seed {seed}, reference {})",
                p.display(),
                c.display(),
                place.key,
                opts.reference.to_rfc3339()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        DemoCommand::Load => {
            let (_loaded, mut store) = ctx.open()?;
            let (p, c) = import::load_demo(&mut store, ctx.now)?;
            writeln!(out, "demo postings: {}", p.summary())?;
            writeln!(out, "demo courses: {}", c.summary())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
