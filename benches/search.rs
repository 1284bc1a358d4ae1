//! Search and import speed at 10 000 and 100 000 cached postings.
//!
//! Run: `cargo bench --bench search` (about 6 minutes). Two parts:
//!
//! 1. A percentile pass: each query many times in a row, reporting p50 and
//!    p99 per query, indexed and as a naive full scan (no index, same SQL
//!    filters), plus import throughput of a 100 000-posting file. Printed
//!    and written to `target/bench-search.md`.
//! 2. Criterion groups for the same queries (means with confidence
//!    intervals, regression tracking between runs).
//!
//! `BENCH_SIZES=10000` limits the sizes; the data is the demo generator's
//! Xiamen set (seed 1), so every run measures the same postings.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset, TimeZone};
use criterion::{BenchmarkId, Criterion};
use gig_kiosk::demo::{self, Options, places};
use gig_kiosk::domain::{Settlement, time};
use gig_kiosk::import;
use gig_kiosk::search::{SearchQuery, SortOrder, TextQuery};
use gig_kiosk::store::Store;

fn reference() -> DateTime<FixedOffset> {
    time::china().with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

fn now() -> DateTime<FixedOffset> {
    reference() + chrono::Duration::hours(2)
}

fn sizes() -> Vec<usize> {
    std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

/// Writes the generated postings file for `n` postings.
fn write_file(dir: &Path, n: usize) -> std::path::PathBuf {
    let opts = Options::new(&places::XIAMEN_HULI, n, 0, 1, reference());
    let doc = demo::document(&opts, demo::postings(&opts));
    let path = dir.join(format!("postings-{n}.jsonld"));
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    path
}

/// Imports `file` into a new database in `dir`; returns the store and the
/// seconds the import took (read + parse + validate + write + commit).
fn import_file(dir: &Path, file: &Path, name: &str) -> (Store, f64) {
    let db = dir.join(name);
    let _ = std::fs::remove_file(&db);
    let mut store = Store::open(&db).unwrap();
    let t = Instant::now();
    let bytes = std::fs::read(file).unwrap();
    let r = import::import_bytes(&mut store, &bytes, &import::Options::postings(), now()).unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert!(r.skipped.is_empty());
    (store, secs)
}

struct Query {
    name: &'static str,
    q: SearchQuery,
}

fn queries() -> Vec<Query> {
    let station = places::XIAMEN_HULI.station.location;
    let mut nearest = SearchQuery::near(station);
    nearest.within_m = Some(5_000.0);
    let mut trade = SearchQuery::near(station);
    trade.trades = vec!["装卸搬运".into()];
    trade.settlements = vec![Settlement::Daily];
    trade.sort = SortOrder::Wage;
    let mut text = SearchQuery::near(station);
    text.text = TextQuery::parse("保洁");
    // Not one of the three: rarer text whose postings cluster away
    // from the station (warehouses by the port), the case `text_set` is for.
    let mut clustered = SearchQuery::near(station);
    clustered.text = TextQuery::parse("仓库装卸");
    vec![
        Query { name: "nearest 50 within 5 km", q: nearest },
        Query { name: "trade+settlement by wage", q: trade },
        Query { name: "text 保洁 (2 chars)", q: text },
        Query { name: "text 仓库装卸 (4 chars, clustered)", q: clustered },
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn time_runs(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, Duration, usize) {
    for _ in 0..runs.min(20) {
        f();
    }
    let mut samples = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs {
        let t = Instant::now();
        found = std::hint::black_box(f());
        samples.push(t.elapsed());
    }
    samples.sort();
    (percentile(&samples, 0.50), percentile(&samples, 0.99), found)
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn percentile_pass(stores: &[(usize, Store)], import_rates: &[(usize, Vec<f64>)]) {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| postings | query | indexed p50 ms | indexed p99 ms | naive p50 ms | naive p99 ms | naive/indexed (p50) | plan |"
    );
    let _ = writeln!(md, "|---:|---|---:|---:|---:|---:|---:|---|");
    let mut nearest_p99 = Vec::new();
    for (n, store) in stores {
        for query in queries() {
            let plan = store.search(&query.q, now()).unwrap().plan;
            let (p50, p99, found) = time_runs(2_000, || store.search(&query.q, now()).unwrap().hits.len());
            let naive_runs = if *n >= 100_000 { 60 } else { 300 };
            let (np50, np99, nfound) =
                time_runs(naive_runs, || store.search_naive(&query.q, now()).unwrap().len());
            assert_eq!(found, nfound, "indexed and naive agree on the result count");
            if query.name.starts_with("nearest") {
                nearest_p99.push((*n, p99));
            }
            let _ = writeln!(
                md,
                "| {n} | {} | {} | {} | {} | {} | {:.0}× | {} |",
                query.name,
                ms(p50),
                ms(p99),
                ms(np50),
                ms(np99),
                np50.as_secs_f64() / p50.as_secs_f64(),
                serde_json::to_string(&plan).unwrap()
            );
        }
    }
    if let [(a, small), .., (b, big)] = nearest_p99.as_slice() {
        let _ = writeln!(
            md,
            "\nNearest-50 p99 growth from {a} to {b} postings: {:.2}×",
            big.as_secs_f64() / small.as_secs_f64()
        );
    }
    for (n, rates) in import_rates {
        let mut r = rates.clone();
        r.sort_by(f64::total_cmp);
        let _ = writeln!(
            md,
            "\nImport of a {n}-posting file: median {:.0} postings/s over {} runs (min {:.0}, max {:.0})",
            r[r.len() / 2],
            r.len(),
            r[0],
            r[r.len() - 1]
        );
    }
    println!("\n{md}");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-search.md");
    let _ = std::fs::write(out, md);
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut stores = Vec::new();
    let mut import_rates = Vec::new();
    for n in sizes() {
        eprintln!("generating and importing {n} postings…");
        let file = write_file(dir.path(), n);
        let runs = if n >= 100_000 { 3 } else { 5 };
        let mut rates = Vec::new();
        let mut store = None;
        for i in 0..runs {
            let (s, secs) = import_file(dir.path(), &file, &format!("db-{n}-{i}.db"));
            rates.push(n as f64 / secs);
            store = Some(s);
        }
        import_rates.push((n, rates));
        stores.push((n, store.unwrap()));
    }
    percentile_pass(&stores, &import_rates);

    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    for query in queries() {
        let mut g = c.benchmark_group(query.name);
        for (n, store) in &stores {
            g.sample_size(50);
            g.bench_with_input(BenchmarkId::new("indexed", n), store, |b, s| {
                b.iter(|| s.search(&query.q, now()).unwrap().hits.len())
            });
            g.sample_size(10);
            g.bench_with_input(BenchmarkId::new("naive", n), store, |b, s| {
                b.iter(|| s.search_naive(&query.q, now()).unwrap().len())
            });
        }
        g.finish();
    }
    c.final_summary();
}
