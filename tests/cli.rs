//! The `kiosk` program end to end: import, search, configuration, demo data,
//! and what it says when input is bad. Expected results are computed here
//! from the source files, independently of the store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/postings.jsonld");
/// An hour into the bundled demo set's reference day.
const NOW: &str = "2026-11-23T09:00:00+08:00";

struct Kiosk {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Kiosk {
    /// A configured kiosk (station at 24.50,118.13) with its own data dir.
    fn new() -> Kiosk {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kiosk.toml");
        std::fs::write(
            &config,
            format!(
                "[station]\nid = \"test-01\"\nname = \"测试驿站\"\nlatitude = 24.50\nlongitude = 118.13\n\n[storage]\ndata_dir = \"{}\"\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        Kiosk { dir, config }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.env_clear().env("HOME", self.dir.path()).env("KIOSK_CONFIG", &self.config).arg("--now").arg(NOW);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "kiosk {args:?} failed:\n{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let out = self.ok(args);
        serde_json::from_str::<Vec<Value>>(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Great-circle distance, written independently of the kiosk's code
/// (spherical law of cosines, fine at these distances in f64).
fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (a, b) = (lat1.to_radians(), lat2.to_radians());
    let c = a.sin() * b.sin() + a.cos() * b.cos() * (lon2 - lon1).to_radians().cos();
    6_371_008.8 * c.clamp(-1.0, 1.0).acos()
}

/// The demo file's postings that a worker may be offered at `NOW`.
fn open_demo_postings() -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&std::fs::read(DEMO).unwrap()).unwrap();
    let now = chrono::DateTime::parse_from_rfc3339(NOW).unwrap();
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            let vt = chrono::DateTime::parse_from_rfc3339(p["validThrough"].as_str().unwrap()).unwrap();
            let total = p["totalJobOpenings"].as_u64().unwrap();
            vt > now && p["x-gig"]["filled"].as_u64().unwrap() < total
        })
        .cloned()
        .collect()
}

fn geo(p: &Value) -> (f64, f64) {
    let g = &p["jobLocation"]["geo"];
    (g["latitude"].as_f64().unwrap(), g["longitude"].as_f64().unwrap())
}

#[test]
fn import_then_nearest_within_3km_lists_every_open_posting_nearest_first() {
    let k = Kiosk::new();
    let out = k.ok(&["import", DEMO]);
    assert!(out.contains("320 records: 320 imported, 0 updated, 0 skipped"), "{out}");

    let hits = k.json(&["search", "--near", "24.50,118.13", "--within-km", "3", "--limit", "1000", "--json"]);
    let mut expected: Vec<(u32, String)> = open_demo_postings()
        .iter()
        .map(|p| {
            let (lat, lon) = geo(p);
            (
                distance_m(24.50, 118.13, lat, lon).round() as u32,
                p["identifier"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(d, _)| *d <= 3_000)
        .collect();
    expected.sort();
    assert!(expected.len() >= 30, "the demo station has plenty of work nearby: {}", expected.len());
    let got: Vec<(u32, String)> = hits
        .iter()
        .map(|h| (h["distance_m"].as_u64().unwrap() as u32, h["identifier"].as_str().unwrap().to_string()))
        .collect();
    // Same postings, nearest first; distances agree to the metre.
    assert_eq!(got.len(), expected.len());
    for ((gd, gi), (ed, ei)) in got.iter().zip(&expected) {
        assert!(gd.abs_diff(*ed) <= 1, "{gi}: {gd} m vs {ed} m");
        if gi != ei {
            assert!(gd.abs_diff(*ed) <= 1, "order differs beyond a rounding tie: {gi} vs {ei}");
        }
    }
    assert!(got.windows(2).all(|w| w[0].0 <= w[1].0));
    // The fields the issue names are all there.
    for key in [
        "identifier",
        "title",
        "trade",
        "employer",
        "distance_m",
        "wage",
        "settlement",
        "openings_left",
        "start_date",
        "valid_through",
        "url",
    ] {
        assert!(hits[0].get(key).is_some(), "{key} missing in {}", hits[0]);
    }
    let unit = hits[0]["wage"]["unit"].as_str().unwrap();
    assert!(["HOUR", "DAY", "WEEK", "MONTH", "PIECE"].contains(&unit));
}

#[test]
fn an_empty_cache_says_so() {
    let k = Kiosk::new();
    let out = k.ok(&["search", "--text", "保洁", "--within-km", "3"]);
    assert_eq!(out, "缓存里还没有岗位。先导入：kiosk import FILE，或载入演示数据：kiosk demo load\n");
    assert_eq!(k.json(&["search", "--json"]), Vec::<Value>::new());
}

#[test]
fn station_location_is_the_default_point_and_env_overrides_it() {
    let k = Kiosk::new();
    k.ok(&["import", DEMO]);
    let from_station = k.json(&["search", "--limit", "5", "--json"]);
    let explicit = k.json(&["search", "--near", "24.50,118.13", "--limit", "5", "--json"]);
    assert_eq!(from_station, explicit);
    let o = k
        .cmd()
        .env("KIOSK__STATION__LATITUDE", "24.58")
        .args(["search", "--limit", "5", "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let moved: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_ne!(moved, from_station, "KIOSK__STATION__LATITUDE moves the station");
}

/// Whether a demo posting's searchable text contains `q` (substring).
fn demo_text_has(p: &Value, q: &str) -> bool {
    let a = &p["jobLocation"]["address"];
    let text = [
        &p["title"],
        &p["description"],
        &p["x-gig"]["trade"],
        &p["hiringOrganization"]["name"],
        &a["addressRegion"],
        &a["addressLocality"],
        &a["streetAddress"],
    ]
    .iter()
    .map(|v| v.as_str().unwrap_or(""))
    .collect::<Vec<_>>()
    .join("\n");
    text.contains(q)
}

#[test]
fn chinese_text_queries_of_every_length_find_exactly_the_right_postings() {
    let k = Kiosk::new();
    k.ok(&["import", DEMO]);
    let open = open_demo_postings();
    for q in ["工", "保洁", "日结", "仓库装卸", "湖里区", "钟点工（家庭保洁）"] {
        let hits = k.json(&["search", "--text", q, "--limit", "1000", "--json"]);
        let mut got: Vec<&str> = hits.iter().map(|h| h["identifier"].as_str().unwrap()).collect();
        let mut want: Vec<&str> =
            open.iter().filter(|p| demo_text_has(p, q)).map(|p| p["identifier"].as_str().unwrap()).collect();
        got.sort();
        want.sort();
        assert!(!want.is_empty(), "{q} occurs in the demo set");
        assert_eq!(got, want, "query {q}");
    }
    let none = k.json(&["search", "--text", "钢琴调音", "--json"]);
    assert!(none.is_empty());
}

#[test]
fn filters_and_sorts() {
    let k = Kiosk::new();
    k.ok(&["import", DEMO]);
    let hits = k.json(&[
        "search",
        "--trade",
        "装卸搬运",
        "--settlement",
        "daily",
        "--sort",
        "wage",
        "--limit",
        "1000",
        "--json",
    ]);
    assert!(hits.len() >= 5);
    let rank = |h: &Value| -> f64 {
        let w = &h["wage"];
        let max = w["max"].as_f64().unwrap();
        match w["unit"].as_str().unwrap() {
            "HOUR" => max * 8.0,
            "DAY" => max,
            "WEEK" => max / 5.0,
            "MONTH" => max / 21.75,
            _ => -1.0,
        }
    };
    for h in &hits {
        assert_eq!(h["trade"], "装卸搬运");
        assert_eq!(h["settlement"], "daily");
    }
    assert!(hits.windows(2).all(|w| rank(&w[0]) >= rank(&w[1])), "highest daily equivalent first");

    let day = k.json(&["search", "--unit", "DAY", "--min-wage", "250", "--limit", "1000", "--json"]);
    assert!(!day.is_empty());
    assert!(day.iter().all(|h| h["wage"]["unit"] == "DAY" && h["wage"]["max"].as_f64().unwrap() >= 250.0));

    let today = k.json(&["search", "--start", "today", "--limit", "1000", "--json"]);
    assert!(!today.is_empty());
    assert!(today.iter().all(|h| h["start_date"].as_str().unwrap() <= "2026-11-23"));
}

#[test]
fn table_output_lines_up() {
    let k = Kiosk::new();
    k.ok(&["import", DEMO]);
    let out = k.ok(&["search", "--limit", "12"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].trim_start().starts_with("距离  工种"), "{}", lines[0]);
    // Every column starts at the same display offset on every row: check
    // with the position of the wage unit column (right-aligned wages end
    // at the same width).
    let wage_end = |l: &str| {
        let i = l.find("元/").unwrap();
        let after = &l[i..];
        let unit_end = i + after.find(' ').unwrap();
        l[..unit_end].width()
    };
    let ends: Vec<usize> = lines[2..14].iter().map(|l| wage_end(l)).collect();
    assert!(ends.windows(2).all(|w| w[0] == w[1]), "{ends:?}\n{out}");
    assert!(lines[14].starts_with("12 条，由近到远"), "{}", lines[14]);
}

#[test]
fn bad_records_are_skipped_with_reasons_and_the_rest_imported() {
    let k = Kiosk::new();
    let good: Value = serde_json::from_str(include_str!("fixtures/posting-contract-example.json")).unwrap();
    let mut swapped = good.clone();
    swapped["identifier"] = "BAD-GEO".into();
    swapped["jobLocation"]["geo"] = serde_json::json!({"latitude": 118.1251, "longitude": 24.5037});
    let mut absurd = good.clone();
    absurd["identifier"] = "BAD-WAGE".into();
    absurd["baseSalary"]["value"]["maxValue"] = 22000.into();
    let mut no_id = good.clone();
    no_id.as_object_mut().unwrap().remove("identifier");
    let mut second = good.clone();
    second["identifier"] = "GOOD-2".into();
    let file = k.path("mixed.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&vec![good, swapped, absurd, no_id, 42.into(), second]).unwrap(),
    )
    .unwrap();

    let o = k.run(&["import", file.to_str().unwrap()]);
    assert!(o.status.success(), "bad records alone do not fail the import");
    let err = stderr(&o);
    let name = file.display();
    for line in [
        format!(
            "{name}: record 2 (BAD-GEO): skipped: jobLocation: 118.1251,24.5037 lies outside China (latitude and longitude swapped?)"
        ),
        format!(
            "{name}: record 3 (BAD-WAGE): skipped: baseSalary: 22000 元/天 is not a plausible wage (expected 30 to 3000 元/天)"
        ),
        format!("{name}: record 4: skipped: identifier is missing"),
        format!("{name}: record 5: skipped: the record is a number, not an object"),
    ] {
        assert!(err.contains(&line), "missing {line:?} in\n{err}");
    }
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("6 records: 2 imported, 0 updated, 4 skipped"), "{out}");
    assert_eq!(k.json(&["search", "--limit", "100", "--json"]).len(), 2);
}

#[test]
fn files_that_are_not_json_fail_and_change_nothing() {
    let k = Kiosk::new();
    k.ok(&["import", DEMO]);
    let before = k.ok(&["search", "--limit", "1000", "--json"]);

    let truncated = k.path("truncated.json");
    let demo = std::fs::read(DEMO).unwrap();
    std::fs::write(&truncated, &demo[..demo.len() / 2]).unwrap();
    let gbk = k.path("gbk.json");
    // "[{\"title\": \"保洁\"}]" with the hanzi in GBK.
    std::fs::write(&gbk, b"[{\"title\": \"\xb1\xa3\xbd\xe0\"}]").unwrap();
    let missing = k.path("no-such-file.json");

    for (file, msg) in
        [(&truncated, "not JSON: EOF while parsing"), (&gbk, "not UTF-8 text"), (&missing, "cannot read")]
    {
        let o = k.run(&["import", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{}", file.display());
        assert!(stderr(&o).contains(msg), "{msg:?} not in {}", stderr(&o));
    }
    assert_eq!(k.ok(&["search", "--limit", "1000", "--json"]), before, "the cache is intact");
}

#[test]
fn feed_page_removes_postings() {
    let k = Kiosk::new();
    k.ok(&["import", DEMO]);
    let first = k.json(&["search", "--limit", "1", "--json"]);
    let id = first[0]["identifier"].as_str().unwrap();
    let page = k.path("page.json");
    std::fs::write(
        &page,
        serde_json::json!({"items": [], "removed": [id], "cursor": "c2", "more": false}).to_string(),
    )
    .unwrap();
    let out = k.ok(&["import", page.to_str().unwrap()]);
    assert!(out.contains("0 records: 0 imported, 0 updated, 0 skipped, 1 removed"), "{out}");
    let after = k.json(&["search", "--limit", "1", "--json"]);
    assert_ne!(after[0]["identifier"], first[0]["identifier"]);
}

#[test]
fn config_check_reports_each_error_with_its_line() {
    let k = Kiosk::new();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/kiosk.toml.example");
    let out = k.ok(&["config", "check", example]);
    assert!(out.ends_with("kiosk.toml.example: OK\n"), "{out}");

    let bad = k.path("bad.toml");
    std::fs::write(
        &bad,
        "[station]\nid = \"x\"\nname = \"驿站\"\nlatitude = 118.13\nlongitude = 24.5\nlattitude = 1\n",
    )
    .unwrap();
    let o = k.run(&["config", "check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let b = bad.display();
    for line in [
        format!(
            "{b}:4:12: error: station.latitude: 118.13 is outside 3 to 54 (is the station in China, and are latitude and longitude the right way round?)"
        ),
        format!("{b}:5:13: error: station.longitude: 24.5 is outside 73 to 136"),
        format!("{b}:6:1: error: station.lattitude: unknown key (did you mean `station.latitude`?)"),
    ] {
        assert!(err.contains(&line), "missing {line:?} in\n{err}");
    }
}

#[test]
fn the_example_configuration_documents_every_key() {
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/kiosk.toml.example")).unwrap();
    let k = Kiosk::new();
    let keys = k.ok(&["config", "keys"]);
    for line in keys.lines() {
        let path = line.split_whitespace().next().unwrap();
        let (section, name) = path.rsplit_once('.').unwrap();
        assert!(example.contains(&format!("[{section}]")), "[{section}] missing from the example");
        assert!(
            example.lines().any(|l| l.trim_start_matches('#').trim_start().starts_with(&format!("{name} ="))),
            "{path} missing from the example"
        );
    }
}

#[test]
fn broken_configuration_stops_commands_with_a_clear_message() {
    let k = Kiosk::new();
    std::fs::write(&k.config, "[station\nid = 1\n").unwrap();
    let o = k.run(&["search"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("kiosk.toml:1:9: error: not valid TOML"), "{err}");
    assert!(err.contains("kiosk config check FILE"), "says what to do next: {err}");
}

#[test]
fn newer_database_is_refused_clearly() {
    let k = Kiosk::new();
    k.ok(&["import", DEMO]);
    let db = k.path("data/kiosk.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.pragma_update(None, "user_version", 99).unwrap();
    drop(c);
    let o = k.run(&["search"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("was written by a newer kiosk (schema version 99"), "{}", stderr(&o));
}

#[test]
fn every_subcommand_has_help() {
    let k = Kiosk::new();
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["import", "--help"],
        vec!["search", "--help"],
        vec!["config", "--help"],
        vec!["config", "check", "--help"],
        vec!["config", "show", "--help"],
        vec!["config", "keys", "--help"],
        vec!["demo", "--help"],
        vec!["demo", "generate", "--help"],
        vec!["demo", "load", "--help"],
    ] {
        let out = k.ok(&args);
        assert!(out.contains("Usage:"), "{args:?}: {out}");
    }
}

#[test]
fn demo_mode_without_configuration_loads_the_bundled_jobs() {
    let k = Kiosk::new();
    let xdg = k.path("xdg");
    let run = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.env_clear().env("HOME", k.dir.path()).env("XDG_DATA_HOME", &xdg).args(args);
        c.output().unwrap()
    };
    if Path::new(gig_kiosk::config::DEFAULT_CONFIG_FILE).exists() {
        panic!(
            "this machine has {}: demo mode cannot be tested here",
            gig_kiosk::config::DEFAULT_CONFIG_FILE
        );
    }
    // With no display (the environment is cleared) the window cannot open:
    // a clear message, after the demo data is in place.
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).lines().any(|l| l.starts_with("kiosk: no display: ")), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(out.contains("demo mode"), "{out}");
    assert!(
        stderr(&o).contains("loaded the bundled demo data for today: postings 320 imported"),
        "{}",
        stderr(&o)
    );
    let o = run(&["run", "--check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("of 320 cached"), "{out}");
    assert!(out.contains("printer:  simulated") && out.contains("reader:   simulated"), "{out}");
    assert!(xdg.join("gig-kiosk-demo/kiosk.db").exists());
    // Dates were moved to today, so today's jobs are open whenever this runs.
    let o = run(&["search", "--start", "today", "--json", "--limit", "5"]);
    let hits: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(hits.len(), 5, "{}", stderr(&o));
}

#[test]
fn the_readmes_demo_commands_work_on_a_fresh_machine() {
    // Nothing run before: no data directory, no configuration.
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.env_clear().env("HOME", home.path()).args(args);
        c.output().unwrap()
    };
    let o = run(&["search", "--within-km", "3", "--json", "--limit", "3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("loaded the bundled demo data for today"), "{}", stderr(&o));
    let hits: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(hits.len(), 3);
    let o = run(&["search", "--text", "保洁", "--sort", "wage"]);
    assert!(o.status.success() && !stderr(&o).contains("loaded"), "loaded once a day: {}", stderr(&o));
    let id = hits[0]["identifier"].as_str().unwrap();
    let o = run(&["print", "--job", id]);
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(said.contains("printed on the simulated printer") && said.contains(".png"), "{said}");
    // Today's jobs are open whenever this runs: the data is dated to today.
    let o = run(&["search", "--start", "today", "--json", "--limit", "5"]);
    assert_eq!(serde_json::from_slice::<Vec<Value>>(&o.stdout).unwrap().len(), 5);
}

#[test]
fn generator_writes_importable_data_of_any_size() {
    let k = Kiosk::new();
    let out_dir = k.path("gen");
    k.ok(&[
        "demo",
        "generate",
        "--place",
        "puer-simao",
        "--postings",
        "2500",
        "--courses",
        "7",
        "--seed",
        "5",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let out = k.ok(&["import", out_dir.join("postings.jsonld").to_str().unwrap()]);
    assert!(out.contains("2500 records: 2500 imported, 0 updated, 0 skipped"), "{out}");
    let out = k.ok(&["import", "--courses", out_dir.join("courses.jsonld").to_str().unwrap()]);
    assert!(out.contains("7 records: 7 imported"), "{out}");
    let coffee = k.json(&["search", "--near", "22.78,100.97", "--trade", "咖啡采摘", "--json"]);
    assert!(!coffee.is_empty());
    let o = k.run(&["demo", "generate", "--place", "atlantis", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("known places: xiamen-huli, puer-simao"));
}

#[test]
fn screenshot_renders_a_page_to_png_without_a_display() {
    let k = Kiosk::new();
    let out = k.path("detail.png");
    let o = k.run(&[
        "screenshot",
        "--page",
        "detail",
        "--size",
        "1920x1080",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), (1920, 1080));
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    // Not a blank frame: the top bar is dark, the page light.
    let px = |x: usize, y: usize| buf[(y * 1920 + x) * 4];
    assert!(px(10, 10) < 60 && px(960, 700) > 200, "top bar {} page {}", px(10, 10), px(960, 700));
    let bad = k.run(&["screenshot", "--page", "nowhere", "--out", out.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("pages: attract, jobs"), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("staff-pin, staff-locked"), "{}", stderr(&bad));

    // A staff page, reached through the gesture and the PIN: its selected
    // tab ("设备状态") is the action blue where the attract page has a job.
    let staff = k.path("staff.png");
    k.ok(&["screenshot", "--page", "staff-status", "--out", staff.to_str().unwrap()]);
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&staff).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    let at = (150 * 1080 + 60) * 4;
    assert_eq!(&buf[at..at + 3], &[0x0b, 0x5c, 0xad], "the status tab is selected");
}

#[test]
fn run_check_reports_without_opening_a_window() {
    let k = Kiosk::new();
    let text = k.ok(&["run", "--check"]);
    assert!(text.contains("station:  测试驿站") && text.contains("postings: 0 open"), "{text}");
    // Each device as it will run: a configured kiosk with no printer named
    // says so before anyone taps "print".
    assert!(text.contains("printer:  none — this kiosk cannot print slips"), "{text}");
    assert!(text.contains("reader:   auto-detected serial port, 115200 baud"), "{text}");
    assert!(text.contains("sync:     off — no [platform] url"), "{text}");
    // And `config check` warns about it, without calling the file wrong.
    let o = k.run(&["config", "check", k.config.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning: printer.port: no printer"), "{}", stderr(&o));
}

#[test]
fn slips_print_to_a_file_and_render_through_the_virtual_printer() {
    let k = Kiosk::new();
    k.ok(&["demo", "load"]);
    let hits: Value = serde_json::from_str(&k.ok(&["search", "--limit", "1", "--json"])).unwrap();
    let id = hits[0]["identifier"].as_str().unwrap().to_string();
    let url = hits[0]["url"].as_str().unwrap().to_string();
    let dir = k.dir.path();
    let (bin, png) = (dir.join("slip.bin"), dir.join("slip.png"));
    let said = k.ok(&["print", "--job", &id, "--width", "58", "--out", bin.to_str().unwrap()]);
    assert!(said.starts_with("wrote "), "{said}");
    let bytes = std::fs::read(&bin).unwrap();
    assert_eq!(&bytes[..4], &[0x1B, 0x40, 0x1C, 0x26], "initialise, Chinese mode");
    let said = k.ok(&[
        "slip",
        "render",
        "--bytes",
        bin.to_str().unwrap(),
        "--width",
        "58",
        "--out",
        png.to_str().unwrap(),
    ]);
    assert!(said.contains("384×"), "{said}");
    // The rendered QR reads back to the posting's link, from the bytes and from the job.
    for args in [
        vec!["slip", "render", "--bytes", bin.to_str().unwrap(), "--width", "58"],
        vec!["slip", "render", "--job", &id, "--raster-qr"],
    ] {
        let mut a = args.clone();
        a.extend(["--out", png.to_str().unwrap()]);
        k.ok(&a);
        let img = image_gray(&png);
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(img.0, img.1, |x, y| img.2[y * img.0 + x]);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "{args:?}");
        assert_eq!(grids[0].decode().unwrap().1, url);
    }
    // The test page, and what happens when nothing is listening.
    k.ok(&["print", "test", "--out", bin.to_str().unwrap()]);
    let o = k.run(&["print", "--job", &id, "--tcp", "127.0.0.1:9"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("the printer does not answer"), "{o:?}");
    let o = k.run(&["print", "--job", "NO-SUCH-JOB", "--out", bin.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("no posting \"NO-SUCH-JOB\""));
    // A configured kiosk with no printer named says so, and fails.
    let o = k.run(&["print", "--job", &id]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("this kiosk has no printer"), "{}", stderr(&o));
    assert!(!k.path("data/slips").exists(), "nothing was 'printed' to PNG files");
    // An explicitly simulated printer writes a PNG into the data directory.
    let o = k.cmd().env("KIOSK__PRINTER__PORT", "simulated").args(["print", "--job", &id]).output().unwrap();
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("simulated printer") && said.contains(".png"), "{said}");
}

/// A greyscale PNG's width, height and pixels.
fn image_gray(path: &Path) -> (usize, usize, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width as usize, info.height as usize, buf)
}

/// `kiosk gpio test` says why it cannot test, and fails: GPIO off in the
/// configuration, or a machine that is not a Raspberry Pi (this one).
#[test]
fn gpio_test_fails_with_the_reason_off_a_pi() {
    let k = Kiosk::new();
    let o = k.run(&["gpio", "test", "--seconds", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("[gpio] enabled = false"), "{o:?}");
    let mut c = k.cmd();
    c.env("KIOSK__GPIO__ENABLED", "true").args(["gpio", "test", "--seconds", "1"]);
    let o = c.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.starts_with("cannot use GPIO: ") && !out.contains("blinking"), "{out}");
}

/// `kiosk staff set-pin` with the PIN on standard input (as a script gives it).
fn set_pin(k: &Kiosk, pin: &str) -> Output {
    use std::io::Write as _;
    let mut c = k.cmd();
    c.args(["staff", "set-pin"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
    c.stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{pin}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn staff_set_pin_stores_only_a_hash_and_config_show_names_the_staff_layer() {
    let k = Kiosk::new();
    let o = set_pin(&k, "1234");
    assert_eq!(o.status.code(), Some(1), "a trivial PIN is refused");
    assert!(stderr(&o).contains("too easy to guess"), "{}", stderr(&o));
    let o = set_pin(&k, "2580");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("staff PIN set"));
    // Stored as an Argon2id hash in the staff layer, never the PIN.
    let db = rusqlite::Connection::open(k.path("data/kiosk.db")).unwrap();
    let stored: String =
        db.query_row("SELECT value FROM settings WHERE key = 'staff.pin_hash'", [], |r| r.get(0)).unwrap();
    assert!(stored.starts_with("\"$argon2id$v=19$"), "{stored}");
    assert!(!stored.contains("2580"));
    let show = k.ok(&["config", "show"]);
    assert!(show.contains("pin_hash = \"<set>\"  # staff settings"), "{show}");
    assert!(!show.contains("argon2"), "the hash is not shown: {show}");
    // A staff change on the screen shows the same way.
    db.execute(
        "INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('printer.paper', '\"58mm\"', 0, 'staff')",
        [],
    )
    .unwrap();
    let show = k.ok(&["config", "show"]);
    assert!(show.contains("paper = \"58mm\"  # staff settings"), "{show}");
    let log = k.ok(&["staff", "log"]);
    assert!(log.contains("pin_set"), "{log}");
    let json: Value =
        serde_json::from_str(k.ok(&["staff", "log", "--json"]).lines().next().unwrap()).unwrap();
    assert_eq!(json["action"], "pin_set");
    // --print-hash prints a hash for a configuration file and stores nothing new.
    let mut c = k.cmd();
    c.args(["staff", "set-pin", "--print-hash"]).stdin(std::process::Stdio::piped());
    c.stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"73915\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("$argon2id$"));
    assert_eq!(k.ok(&["staff", "log"]).matches("pin_set").count(), 1);
    assert!(k.ok(&["staff", "unlock"]).contains("was not locked"));
}
