//! `kiosk doctor` on a configured kiosk whose devices are the test's: a
//! simulated reader module and a thermal printer on pseudo-terminals (real
//! protocols), the loopback platform, and a virtual X display. Each fault a
//! technician meets on site turns exactly its check red, with what to do,
//! and the exit status says whether anything failed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::PtyPrinter;
use common::platform::TestPlatform;
use common::xvfb::Xvfb;
use gig_kiosk::devices::card_reader::ptysim::PtyReaderSim;
use serde_json::Value;

const TOKEN: &str = "doctor-test-token";

struct Site {
    dir: tempfile::TempDir,
    x: Xvfb,
    reader: Option<PtyReaderSim>,
    printer: PtyPrinter,
    platform: TestPlatform,
}

impl Site {
    fn new() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        let reader = PtyReaderSim::start(dir.path().join("reader"), 0).unwrap();
        let site = Site {
            x: Xvfb::start(800, 600),
            reader: Some(reader),
            printer: PtyPrinter::start(),
            platform: TestPlatform::start(TOKEN),
            dir,
        };
        site.configure(&site.platform.url.clone(), TOKEN);
        // The database exists once the kiosk has run; an import makes it.
        let jobs = site.dir.path().join("jobs.json");
        std::fs::write(&jobs, serde_json::to_string(&common::platform::posting(1)).unwrap()).unwrap();
        let o = site.kiosk().arg("import").arg(&jobs).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        site
    }

    fn configure(&self, url: &str, token: &str) {
        std::fs::write(
            self.config(),
            format!(
                "[station]\nid = \"doc-01\"\nname = \"测试驿站\"\nlatitude = 24.5\nlongitude = 118.1\n\n\
                 [storage]\ndata_dir = \"{}\"\n\n[reader]\nport = \"{}\"\n\n\
                 [printer]\nport = \"{}\"\nbaud = 9600\n\n[platform]\nurl = \"{url}\"\ntoken = \"{token}\"\n",
                self.dir.path().join("data").display(),
                self.dir.path().join("reader").display(),
                self.printer.port.display(),
            ),
        )
        .unwrap();
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("kiosk.toml")
    }

    fn kiosk(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.env_clear()
            .env("HOME", self.dir.path())
            .env("KIOSK_CONFIG", self.config())
            .env("DISPLAY", &self.x.display);
        c
    }

    /// `kiosk doctor --json`: exit code and each check's (status, detail, fix) by name.
    fn doctor(&self) -> (Option<i32>, Vec<Value>) {
        let mut c = self.kiosk();
        c.args(["doctor", "--json"]);
        let o = common::output_within(c, Duration::from_secs(60));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
        });
        (o.status.code(), v["checks"].as_array().unwrap().clone())
    }
}

fn find<'a>(checks: &'a [Value], name: &str) -> &'a Value {
    checks.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check {name}: {checks:?}"))
}

fn statuses(checks: &[Value]) -> Vec<(String, String)> {
    checks
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c["status"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn a_healthy_kiosk_passes_with_every_check_in_the_report() {
    let site = Site::new();
    let (code, checks) = site.doctor();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "config",
            "data_dir",
            "database",
            "device_key",
            "display",
            "touch",
            "reader",
            "printer",
            "gpio",
            "platform",
            "clock",
            "fleet"
        ]
    );
    for c in &checks {
        let keys: Vec<&String> = c.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["name", "status", "detail", "fix"], "{c}");
        let s = c["status"].as_str().unwrap();
        assert!(["ok", "warn", "skip"].contains(&s), "{c}");
        // Whatever is not fine says what to do.
        if s == "warn" {
            assert!(!c["fix"].as_str().unwrap().is_empty(), "{c}");
        }
    }
    assert_eq!(code, Some(0), "{:?}", statuses(&checks));
    for ok in ["config", "data_dir", "database", "display", "reader", "printer", "platform", "clock"] {
        assert_eq!(find(&checks, ok)["status"], "ok", "{}", find(&checks, ok));
    }
    assert!(find(&checks, "reader")["detail"].as_str().unwrap().contains("05.01-"), "the SAM id");
    assert!(find(&checks, "database")["detail"].as_str().unwrap().contains("1 条招聘信息"));
    // No device key before the kiosk's first start: a warning with the way on.
    assert_eq!(find(&checks, "device_key")["status"], "warn");
    // The token is never printed.
    let all = serde_json::to_string(&checks).unwrap();
    assert!(!all.contains(TOKEN));
}

#[test]
fn each_fault_on_site_fails_its_own_check_with_what_to_do() {
    let mut site = Site::new();
    site.printer.paper.store(0x72, Ordering::SeqCst);
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    let printer = find(&checks, "printer");
    assert_eq!(printer["status"], "fail", "{printer}");
    assert!(printer["detail"].as_str().unwrap().contains("没纸"), "{printer}");
    assert!(printer["fix"].as_str().unwrap().contains("热敏纸"), "{printer}");
    assert_eq!(find(&checks, "reader")["status"], "ok", "only the printer is wrong");
    site.printer.paper.store(0x12, Ordering::SeqCst);

    // The printer's cable pulled out: its device is gone.
    let away = site.printer.port.with_extension("away");
    std::fs::rename(&site.printer.port, &away).unwrap();
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    let printer = find(&checks, "printer");
    assert_eq!(printer["status"], "fail", "{printer}");
    assert!(printer["detail"].as_str().unwrap().contains("不存在"), "{printer}");
    assert!(printer["fix"].as_str().unwrap().contains("/dev/gig-kiosk/"), "{printer}");
    std::fs::rename(&away, &site.printer.port).unwrap();

    // The reader's cable pulled out: its stable name is gone.
    site.reader = None;
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    let reader = find(&checks, "reader");
    assert_eq!(reader["status"], "fail", "{reader}");
    assert!(reader["detail"].as_str().unwrap().contains("不存在"), "{reader}");
    assert_eq!(find(&checks, "printer")["status"], "ok", "{:?}", statuses(&checks));
    site.reader = Some(PtyReaderSim::start(site.dir.path().join("reader"), 0).unwrap());

    // The platform refuses the token.
    site.configure(&site.platform.url, "a-token-the-platform-never-issued");
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    let platform = find(&checks, "platform");
    assert_eq!(platform["status"], "fail", "{platform}");
    assert!(platform["detail"].as_str().unwrap().contains("令牌"), "{platform}");
    assert!(platform["fix"].as_str().unwrap().contains("[platform] token"), "{platform}");

    // The package's example token, never replaced: said before asking.
    site.configure(&site.platform.url, "replace-with-the-device-token");
    let requests = site.platform.state.lock().unwrap().requests;
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    let platform = find(&checks, "platform");
    assert!(platform["detail"].as_str().unwrap().contains("还没有填写"), "{platform}");
    assert_eq!(site.platform.state.lock().unwrap().requests, requests, "the platform was not asked");

    // The network is down (nothing listens there).
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    site.configure(&url, TOKEN);
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    let platform = find(&checks, "platform");
    assert_eq!(platform["status"], "fail", "{platform}");
    assert!(platform["detail"].as_str().unwrap().contains("连不上"), "{platform}");
    assert_eq!(find(&checks, "reader")["status"], "ok", "the reader is back: {:?}", statuses(&checks));
}

#[test]
fn the_text_report_is_chinese_by_default_and_english_on_request() {
    let site = Site::new();
    site.printer.paper.store(0x72, Ordering::SeqCst);
    let run = |args: &[&str]| {
        let mut c = site.kiosk();
        c.arg("doctor").args(args);
        common::output_within(c, Duration::from_secs(60))
    };
    let zh = run(&[]);
    let text = String::from_utf8(zh.stdout).unwrap();
    assert_eq!(zh.status.code(), Some(1), "{text}");
    let line = text.lines().find(|l| l.contains("打印机")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains('✗') && line.contains("没纸"), "{text}");
    assert!(text.contains('✓'), "{text}");
    assert!(text.contains("1 项失败"), "{text}");
    let en = run(&["--lang", "en"]);
    let text = String::from_utf8(en.stdout).unwrap();
    assert_eq!(en.status.code(), Some(1));
    assert!(text.contains("out of paper") && text.contains("load a new roll"), "{text}");
    assert!(text.contains("1 check(s) failed"), "{text}");
}

#[test]
fn a_broken_configuration_fails_and_skips_the_rest() {
    let site = Site::new();
    std::fs::write(site.config(), "[station\nid = 3\n").unwrap();
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    assert_eq!(find(&checks, "config")["status"], "fail");
    assert!(checks.iter().skip(1).all(|c| c["status"] == "skip"), "{:?}", statuses(&checks));
    assert!(!find(&checks, "config")["fix"].as_str().unwrap().is_empty());
}

#[test]
fn a_data_directory_that_is_missing_fails_with_the_fix() {
    let site = Site::new();
    let data = site.dir.path().join("data");
    std::fs::rename(&data, site.dir.path().join("moved")).unwrap();
    let (code, checks) = site.doctor();
    assert_eq!(code, Some(1));
    let d = find(&checks, "data_dir");
    assert_eq!(d["status"], "fail", "{d}");
    assert!(d["detail"].as_str().unwrap().contains(&*data.to_string_lossy()));
    assert_eq!(find(&checks, "database")["status"], "skip");
    // The doctor looks; it does not repair: nothing was created.
    assert!(!Path::new(&data).exists());
}

/// The demo (no configuration file): simulated devices, no platform. The
/// doctor passes but warns that this is not a station's configuration.
#[test]
fn the_demo_set_up_passes_with_a_warning_that_it_is_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let x = Xvfb::start(800, 600);
    let kiosk = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kiosk"));
        c.env_clear().env("HOME", dir.path()).env("DISPLAY", &x.display);
        c
    };
    // The first command of the day loads the demo data.
    let mut search = kiosk();
    search.args(["search", "--limit", "1"]);
    assert!(common::output_within(search, Duration::from_secs(60)).status.success());
    let mut c = kiosk();
    c.args(["doctor", "--json"]);
    let o = common::output_within(c, Duration::from_secs(60));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let checks = v["checks"].as_array().unwrap();
    assert_eq!(o.status.code(), Some(0), "{:?}", statuses(checks));
    let config = find(checks, "config");
    assert_eq!(config["status"], "warn");
    assert!(config["detail"].as_str().unwrap().contains("演示模式"), "{config}");
    assert!(config["fix"].as_str().unwrap().contains("/etc/gig-kiosk/kiosk.toml"), "{config}");
    for (name, status) in [("reader", "ok"), ("printer", "ok"), ("platform", "skip"), ("display", "ok")] {
        assert_eq!(find(checks, name)["status"], status, "{}", find(checks, name));
    }
    assert!(find(checks, "reader")["detail"].as_str().unwrap().contains("模拟"));
}
