//! The checks, in the order a technician works through them. Each returns
//! one [`Check`]; a check that needs something an earlier one could not
//! provide is skipped with the reason. Nothing here creates a database, a
//! device key or a configuration: the doctor looks, it does not repair.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone};

use super::devices::{display_checks, gpio_check, printer_check, reader_check};
use super::probes;
use super::{Check, Status, Words};
use crate::app::Lang;
use crate::config::{self, Config, Loaded, Sources};
use crate::store::Store;

pub struct Options {
    pub sources: Sources,
    pub now: DateTime<FixedOffset>,
    /// Where devices live (`/dev`).
    pub dev: PathBuf,
    pub lang: Lang,
}

/// Free space below which the kiosk is in trouble (it cannot download an
/// update or keep a large cache), and below which it soon will be.
const FAIL_FREE: u64 = 100 << 20;
const WARN_FREE: u64 = 1 << 30;
/// The token in deploy/kiosk.toml.example, which a technician replaces.
const PLACEHOLDER_TOKEN: &str = "replace-with-the-device-token";
/// How far the platform's clock may differ before it is worth a warning.
const CLOCK_SLACK_S: i64 = 120;

pub(super) fn check(name: &'static str, status: Status, detail: String, fix: String) -> Check {
    Check { name, status, detail, fix }
}

pub fn run(o: &Options) -> Vec<Check> {
    let w = Words(o.lang);
    let mut out = Vec::new();
    let env: Vec<(String, String)> = std::env::vars().collect();
    let builder = config::load(&o.sources, env);
    let first = match builder.clone().build() {
        Ok(l) => l,
        Err(e) => {
            let problems: Vec<String> = e.problems.iter().map(ToString::to_string).collect();
            out.push(check(
                "config",
                Status::Fail,
                problems.join("; "),
                w.t(
                    "用 `kiosk config check 文件` 逐条修改配置文件",
                    "fix the file: `kiosk config check FILE` lists each problem",
                ),
            ));
            let why = w.t("配置文件无法读取，未检查", "not checked: the configuration cannot be read");
            for name in [
                "data_dir",
                "database",
                "device_key",
                "display",
                "reader",
                "printer",
                "gpio",
                "platform",
                "clock",
                "fleet",
            ] {
                out.push(check(name, Status::Skip, why.clone(), String::new()));
            }
            return out;
        }
    };
    out.push(config_check(&first, w));
    let data_dir = first.config.storage.data_dir.clone();
    let dir_ok = data_dir_check(&data_dir, w);
    let dir_usable = dir_ok.status != Status::Fail;
    out.push(dir_ok);
    let (db, store) = database_check(&data_dir, dir_usable, o.now, w);
    out.push(db);
    // The staff settings on the device change what the kiosk uses.
    let loaded = match store.as_ref().map(Store::staff_settings) {
        Some(Ok(staff)) => {
            config::with_device_layers(builder, &staff, &data_dir, &o.sources).build().unwrap_or(first)
        }
        _ => first,
    };
    let cfg = &loaded.config;
    let demo = loaded.is_demo();
    out.push(device_key_check(&data_dir, w));
    out.extend(display_checks(cfg, &o.dev, w));
    out.push(reader_check(cfg, demo, &o.dev, w));
    out.push(printer_check(cfg, demo, w));
    out.push(gpio_check(cfg, w));
    let (platform, server_time) = platform_check(cfg, demo, w);
    out.push(platform);
    out.push(clock_check(o.now, server_time, w));
    out.push(check(
        "fleet",
        Status::Skip,
        w.t(
            "本版本还没有远程更新（[fleet] 未配置）",
            "fleet updates are not configured (this version has none)",
        ),
        String::new(),
    ));
    out
}

fn config_check(l: &Loaded, w: Words) -> Check {
    let warnings: Vec<String> = l.warnings.iter().map(ToString::to_string).collect();
    match &l.mode {
        config::Mode::Demo => check(
            "config",
            Status::Warn,
            w.t(
                &format!("演示模式：没有配置文件 {}", config::DEFAULT_CONFIG_FILE),
                &format!("demo mode: there is no configuration file {}", config::DEFAULT_CONFIG_FILE),
            ),
            w.t(
                "驿站的机器需要配置文件：按 docs/install.md 填写 /etc/gig-kiosk/kiosk.toml",
                "a station's kiosk needs one: fill in /etc/gig-kiosk/kiosk.toml as docs/install.md says",
            ),
        ),
        config::Mode::Configured(path) if warnings.is_empty() => {
            check("config", Status::Ok, path.display().to_string(), String::new())
        }
        config::Mode::Configured(path) => check(
            "config",
            Status::Warn,
            format!("{}: {}", path.display(), warnings.join("; ")),
            w.t("按上面的提示修改配置文件", "change the file as the warnings say"),
        ),
    }
}

fn data_dir_check(dir: &Path, w: Words) -> Check {
    if !dir.is_dir() {
        return check(
            "data_dir",
            Status::Fail,
            w.t(&format!("{} 不存在", dir.display()), &format!("{} does not exist", dir.display())),
            w.t(
                "重新安装软件包（它会建立这个目录），或改 [storage] data_dir",
                "reinstall the package (it creates the directory), or change [storage] data_dir",
            ),
        );
    }
    if let Err(e) = probes::writable(dir) {
        return check(
            "data_dir",
            Status::Fail,
            w.t(
                &format!("{} 不能写入：{e}", dir.display()),
                &format!("{} is not writable: {e}", dir.display()),
            ),
            w.t(
                "以 kiosk 用户运行，或修改目录的属主：chown -R kiosk: 目录",
                "run as the kiosk user, or give the directory to it: chown -R kiosk: DIR",
            ),
        );
    }
    match probes::free_bytes(dir) {
        Ok(free) => {
            let gb = free as f64 / f64::from(1u32 << 30);
            let detail = w.t(
                &format!("{}，剩余 {gb:.1} GB", dir.display()),
                &format!("{}, {gb:.1} GB free", dir.display()),
            );
            let fix = w.t(
                "清理存储卡上的文件（例如 journalctl --vacuum-size=100M），或换更大的存储卡",
                "free space on the card (e.g. journalctl --vacuum-size=100M) or use a larger card",
            );
            match free {
                f if f < FAIL_FREE => check("data_dir", Status::Fail, detail, fix),
                f if f < WARN_FREE => check("data_dir", Status::Warn, detail, fix),
                _ => check("data_dir", Status::Ok, detail, String::new()),
            }
        }
        Err(e) => check("data_dir", Status::Warn, format!("{}: {e}", dir.display()), String::new()),
    }
}

fn database_check(dir: &Path, dir_ok: bool, now: DateTime<FixedOffset>, w: Words) -> (Check, Option<Store>) {
    let path = dir.join(crate::store::DB_FILE);
    if !dir_ok {
        return (
            check(
                "database",
                Status::Skip,
                w.t("数据目录不可用", "the data directory is unusable"),
                String::new(),
            ),
            None,
        );
    }
    if !path.exists() {
        let c = check(
            "database",
            Status::Warn,
            w.t(
                &format!("还没有数据库 {}", path.display()),
                &format!("no database yet at {}", path.display()),
            ),
            w.t("自助机第一次启动时会建立数据库", "the kiosk creates it when it first starts"),
        );
        return (c, None);
    }
    let store = match Store::open(&path) {
        Ok(s) => s,
        Err(e) => {
            let c = check(
                "database",
                Status::Fail,
                e.to_string(),
                w.t(
                    "把文件移走后重新启动，缓存会从平台重新下载",
                    "move the file aside and restart: the cache is fetched again",
                ),
            );
            return (c, None);
        }
    };
    let facts = store.integrity_check().and_then(|bad| {
        let counts = store.posting_counts(now)?;
        let queued = store.outbox_pending()?;
        Ok((bad, counts, queued, store.schema_version()?))
    });
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let c = match facts {
        Ok((bad, _, _, _)) if !bad.is_empty() => check(
            "database",
            Status::Fail,
            w.t(&format!("数据库损坏：{}", bad.join("; ")), &format!("the database is damaged: {}", bad.join("; "))),
            w.t("请技术人员备份后重建数据库（docs/install.md）", "a technician backs it up and rebuilds it (docs/install.md)"),
        ),
        Ok((_, counts, queued, version)) => check(
            "database",
            Status::Ok,
            w.t(
                &format!(
                    "完好（第 {version} 版，{size:.1} MB）：{} 条招聘信息（{} 条可报名），{queued} 条待发送",
                    counts.total, counts.open
                ),
                &format!(
                    "intact (schema {version}, {size:.1} MB): {} postings ({} open), {queued} submissions queued",
                    counts.total, counts.open
                ),
            ),
            String::new(),
        ),
        Err(e) => check("database", Status::Fail, e.to_string(), String::new()),
    };
    (c, Some(store))
}

fn device_key_check(dir: &Path, w: Words) -> Check {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(crate::privacy::KEY_FILE);
    match crate::privacy::DeviceKey::load(dir) {
        Ok(Some(_)) => {
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
            if mode & 0o077 != 0 {
                check(
                    "device_key",
                    Status::Warn,
                    w.t(
                        &format!("{} 别人也能读（权限 {mode:o}）", path.display()),
                        &format!("{} is readable by others (mode {mode:o})", path.display()),
                    ),
                    format!("chmod 600 {}", path.display()),
                )
            } else {
                check("device_key", Status::Ok, path.display().to_string(), String::new())
            }
        }
        Ok(None) => check(
            "device_key",
            Status::Warn,
            w.t("还没有设备密钥", "no device key yet"),
            w.t(
                "自助机第一次启动时会生成；请随数据目录一起备份",
                "the kiosk makes one when it first starts; back it up with the data directory",
            ),
        ),
        Err(e) => check(
            "device_key",
            Status::Fail,
            e.to_string(),
            w.t("从备份恢复设备密钥", "restore the device key from a backup"),
        ),
    }
}

/// The platform answers and accepts the token; also its clock, if it said.
fn platform_check(cfg: &Config, demo: bool, w: Words) -> (Check, Option<DateTime<FixedOffset>>) {
    if demo {
        return (
            check("platform", Status::Skip, w.t("演示模式不联网", "demo mode does not sync"), String::new()),
            None,
        );
    }
    let platform = match crate::sync::client::Platform::with_timeout(&cfg.platform, Duration::from_secs(10)) {
        Ok(Some(p)) => p,
        Ok(None) => {
            let c = check(
                "platform",
                Status::Warn,
                w.t(
                    "没有配置 [platform] url：报名都留在本机",
                    "no [platform] url: submissions stay queued here",
                ),
                w.t("填写平台地址和设备令牌", "set the platform's url and this kiosk's token"),
            );
            return (c, None);
        }
        Err(e) => {
            return (
                check("platform", Status::Fail, e.to_string(), w.t("修改 [platform] 配置", "fix [platform]")),
                None,
            );
        }
    };
    if cfg.platform.token.trim() == PLACEHOLDER_TOKEN {
        let c = check(
            "platform",
            Status::Fail,
            w.t("还没有填写本机的设备令牌", "this kiosk's device token is not filled in yet"),
            w.t(
                "向平台管理员要本机的设备令牌，填到 /etc/gig-kiosk/kiosk.toml 的 [platform] token",
                "ask the platform's administrator for this kiosk's token and set [platform] token in /etc/gig-kiosk/kiosk.toml",
            ),
        );
        return (c, None);
    }
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return (check("platform", Status::Fail, e.to_string(), String::new()), None),
    };
    let answer = rt.block_on(platform.feed(crate::domain::RecordKind::Postings, None, None, 1));
    use crate::sync::client::Failure;
    let url = cfg.platform.url.trim();
    match answer {
        Ok((_, date)) => (check("platform", Status::Ok, w.t(&format!("{url}：可以连接，令牌有效"), &format!("{url}: reachable, token accepted")), String::new()), date),
        Err(Failure::Unauthorized(code)) => (
            check(
                "platform",
                Status::Fail,
                w.t(&format!("{url}：平台拒绝了本机的令牌（HTTP {code}）"), &format!("{url}: the platform refused this kiosk's token (HTTP {code})")),
                w.t("向平台管理员要本机的设备令牌，填到 [platform] token", "ask the platform's administrator for this kiosk's token and set [platform] token"),
            ),
            None,
        ),
        Err(Failure::RetryAfter(d)) => (
            check("platform", Status::Warn, w.t(&format!("{url}：平台忙，要求等待 {} 秒", d.as_secs()), &format!("{url}: busy, asks to wait {} s", d.as_secs())), String::new()),
            None,
        ),
        Err(Failure::Transient(e)) => (
            check(
                "platform",
                Status::Fail,
                w.t(&format!("{url}：连不上（{e}）"), &format!("{url}: unreachable ({e})")),
                w.t("检查网线或无线网络、DNS 和防火墙；报名会留在本机，联网后自动发送", "check the network cable or Wi-Fi, DNS and firewall; submissions wait and are sent once online"),
            ),
            None,
        ),
    }
}

fn clock_check(now: DateTime<FixedOffset>, server: Option<DateTime<FixedOffset>>, w: Words) -> Check {
    const SHOWN: &str = "%Y-%m-%d %H:%M:%S %:z";
    let built = crate::BUILD_EPOCH.parse::<i64>().ok().and_then(|s| chrono::Utc.timestamp_opt(s, 0).single());
    let fix = w.t(
        "联网让系统自动对时（timedatectl 显示 synchronized: yes）",
        "connect the network so the clock is set (timedatectl: synchronized: yes)",
    );
    let shown = now.format(SHOWN);
    if let Some(b) = built.filter(|b| now < *b) {
        let b = b.format(SHOWN);
        return check(
            "clock",
            Status::Fail,
            w.t(
                &format!("时钟是 {shown}，比软件的编译时间 {b} 还早"),
                &format!("the clock reads {shown}, before this software was built ({b})"),
            ),
            fix,
        );
    }
    match server {
        Some(s) if (s - now).num_seconds().abs() > CLOCK_SLACK_S => {
            let off = (s - now).num_seconds();
            check(
                "clock",
                Status::Warn,
                w.t(&format!("比平台的时钟差 {off} 秒"), &format!("{off} s off the platform's clock")),
                fix,
            )
        }
        Some(_) => check(
            "clock",
            Status::Ok,
            w.t(&format!("{shown}，与平台一致"), &format!("{shown}, agrees with the platform")),
            String::new(),
        ),
        None => check("clock", Status::Ok, shown.to_string(), String::new()),
    }
}
