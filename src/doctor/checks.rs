//! The checks, in the order a technician works through them. Each returns
//! one [`Check`]; a check that needs something an earlier one could not
//! provide is skipped with the reason. Nothing here creates a database, a
//! device key or a configuration: the doctor looks, it does not repair.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone};

use super::probes;
use super::{Check, Status, Words};
use crate::app::Lang;
use crate::config::{self, Config, Loaded, Sources};
use crate::devices::card_reader::ports::{self, PortChoice, STABLE_PRINTER};
use crate::devices::gpio::Gpio as _;
use crate::devices::printer::{PrinterStatus, SlipPrinter as _};
use crate::devices::setup::PrinterChoice;
use crate::store::Store;
use crate::ui::backend::{self, Backend};

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
/// How far the platform's clock may differ before it is worth a warning.
const CLOCK_SLACK_S: i64 = 120;

fn check(name: &'static str, status: Status, detail: String, fix: String) -> Check {
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

fn display_checks(cfg: &Config, dev: &Path, w: Words) -> Vec<Check> {
    let choice = match backend::choose(&cfg.screen, &backend::Env::read(dev)) {
        Ok(c) => c,
        Err(e) => {
            return vec![
                check(
                    "display",
                    Status::Fail,
                    e.0,
                    w.t(
                        "接好屏幕的线并开机；`ls /dev/dri` 应列出 card0",
                        "connect the screen and switch it on; `ls /dev/dri` should list card0",
                    ),
                ),
                check("touch", Status::Skip, w.t("没有显示屏", "no display"), String::new()),
            ];
        }
    };
    if !choice.is_kms() && !matches!(&choice.backend, Backend::FromEnv(n) if !n.starts_with("winit")) {
        let c = match probes::desktop_answers() {
            Ok(s) => check("display", Status::Ok, format!("{choice}; {s}"), String::new()),
            Err(e) => check(
                "display",
                Status::Fail,
                format!("{choice}: {e}"),
                w.t(
                    "桌面会话没有响应：检查 DISPLAY，或改用 linuxkms",
                    "the desktop session does not answer: check DISPLAY, or use linuxkms",
                ),
            ),
        };
        let touch = check(
            "touch",
            Status::Skip,
            w.t("由桌面会话处理", "the desktop session handles input"),
            String::new(),
        );
        return vec![c, touch];
    }
    if !choice.is_kms() {
        return vec![
            check(
                "display",
                Status::Warn,
                format!("{choice}"),
                w.t("SLINT_BACKEND 指定了其他后端", "SLINT_BACKEND names another backend"),
            ),
            check("touch", Status::Skip, String::new(), String::new()),
        ];
    }
    let devices = backend::display_devices(dev);
    let opened: Vec<(PathBuf, std::io::Result<()>)> =
        devices.iter().map(|d| (d.clone(), probes::open_rw(d))).collect();
    let display = match opened.iter().find(|(_, r)| r.is_ok()) {
        Some((d, _)) => check("display", Status::Ok, format!("{choice}; {}", d.display()), String::new()),
        None => check(
            "display",
            Status::Fail,
            opened
                .iter()
                .map(|(d, r)| {
                    format!(
                        "{}: {}",
                        d.display(),
                        r.as_ref().err().map(ToString::to_string).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            w.t(
                "kiosk 用户需要 video 组（软件包会加上）：usermod -aG video,render kiosk",
                "the kiosk user needs the video group (the package adds it): usermod -aG video,render kiosk",
            ),
        ),
    };
    let inputs = probes::input_devices(dev);
    let readable = inputs.iter().filter(|p| std::fs::File::open(p).is_ok()).count();
    let touch = match (inputs.len(), readable) {
        (0, _) => check(
            "touch",
            Status::Warn,
            w.t(
                "没有输入设备：触摸屏没接好？",
                "no input devices: is the touch screen's USB cable connected?",
            ),
            w.t("插好触摸屏的 USB 线", "plug in the touch screen's USB cable"),
        ),
        (n, 0) => check(
            "touch",
            Status::Fail,
            w.t(&format!("{n} 个输入设备都不能读"), &format!("none of {n} input devices can be read")),
            w.t(
                "kiosk 用户需要 input 组：usermod -aG input kiosk",
                "the kiosk user needs the input group: usermod -aG input kiosk",
            ),
        ),
        (n, r) => check(
            "touch",
            Status::Ok,
            w.t(&format!("{r}/{n} 个输入设备可读"), &format!("{r} of {n} input devices readable")),
            String::new(),
        ),
    };
    vec![display, touch]
}

fn reader_check(cfg: &Config, demo: bool, dev: &Path, w: Words) -> Check {
    if cfg.reader.port.trim() == "simulated" {
        return if demo {
            check("reader", Status::Ok, w.t("模拟读卡器（演示模式）", "simulated (demo mode)"), String::new())
        } else {
            check(
                "reader",
                Status::Warn,
                w.t("配置的是模拟读卡器", "the simulated reader is configured"),
                w.t(
                    "把 [reader] port 设为 /dev/gig-kiosk/reader",
                    "set [reader] port to /dev/gig-kiosk/reader",
                ),
            )
        };
    }
    let ports = match PortChoice::parse(&cfg.reader.port) {
        PortChoice::Auto => {
            let mut exclude: Vec<PathBuf> =
                PrinterChoice::of(cfg).device().map(Path::to_path_buf).into_iter().collect();
            exclude.push(dev.join(STABLE_PRINTER));
            let mut c = ports::candidates(dev, true);
            c.retain(|p| !crate::devices::card_reader::serial::is_excluded(p, &exclude));
            c
        }
        PortChoice::Path(p) => {
            if !p.exists() {
                return check(
                    "reader",
                    Status::Fail,
                    w.t(&format!("{} 不存在：读卡器没插好？", p.display()), &format!("{} does not exist: is the reader plugged in?", p.display())),
                    w.t(
                        "插好读卡器的 USB 线；`ls -l /dev/gig-kiosk/` 应有 reader（udev 规则见 docs/install.md）",
                        "plug in the reader's USB cable; `ls -l /dev/gig-kiosk/` should show reader (udev rules: docs/install.md)",
                    ),
                );
            }
            vec![p]
        }
    };
    if ports.is_empty() {
        return check(
            "reader",
            Status::Fail,
            w.t("没有找到串口：读卡器没插好？", "no serial ports found: is the reader plugged in?"),
            w.t(
                "插好读卡器的 USB 线，再运行 `kiosk card detect`",
                "plug in the reader's USB cable, then run `kiosk card detect`",
            ),
        );
    }
    let probes = ports::detect(&ports, cfg.reader.baud, Duration::from_millis(800));
    if let Some(p) = probes.iter().find(|p| p.result.is_ok()) {
        let a = p.result.as_ref().ok();
        let sam = a.and_then(|a| a.sam_id.clone()).unwrap_or_default();
        return check(
            "reader",
            Status::Ok,
            format!("{} {sam}", p.port.display()).trim().to_string(),
            String::new(),
        );
    }
    let tried: Vec<String> = probes
        .iter()
        .map(|p| format!("{}: {}", p.port.display(), p.result.as_ref().err().cloned().unwrap_or_default()))
        .collect();
    let busy = tried.iter().any(|t| t.contains("busy") || t.contains("Busy"));
    check(
        "reader",
        if busy { Status::Warn } else { Status::Fail },
        w.t(
            &format!("读卡器没有应答（{}）", tried.join("; ")),
            &format!("no reader answered ({})", tried.join("; ")),
        ),
        if busy {
            w.t(
                "串口正被运行中的自助机使用：先 systemctl stop gig-kiosk 再检查",
                "the port is in use by the running kiosk: systemctl stop gig-kiosk, then check again",
            )
        } else {
            w.t(
                "检查读卡器的线和电源、波特率 [reader] baud；`kiosk card detect` 列出所有串口",
                "check the reader's cable and power and [reader] baud; `kiosk card detect` lists every port",
            )
        },
    )
}

fn printer_check(cfg: &Config, demo: bool, w: Words) -> Check {
    let target = match PrinterChoice::of(cfg) {
        PrinterChoice::None => {
            return check(
                "printer",
                Status::Warn,
                w.t("没有配置打印机：工人不能打印凭条", "no printer configured: workers cannot print slips"),
                w.t(
                    "把 [printer] port 设为 /dev/gig-kiosk/printer",
                    "set [printer] port to /dev/gig-kiosk/printer",
                ),
            );
        }
        PrinterChoice::Simulated => {
            let (status, fix) = if demo {
                (Status::Ok, String::new())
            } else {
                (
                    Status::Warn,
                    w.t("把 [printer] port 设为真实打印机", "set [printer] port to the real printer"),
                )
            };
            return check(
                "printer",
                status,
                w.t("模拟打印机（凭条存为图片）", "simulated (slips become PNG files)"),
                fix,
            );
        }
        PrinterChoice::EscPos(t) => t,
    };
    let described = target.to_string();
    let mut p = crate::devices::printer::escpos::EscPosPrinter::new(target, cfg.printer.escpos());
    let status = p.status();
    let (s, zh, en) = match status {
        PrinterStatus::Ready => (Status::Ok, "正常，有纸", "ready, paper loaded"),
        PrinterStatus::PaperNearEnd => (Status::Warn, "纸快用完了", "paper running low"),
        PrinterStatus::PaperOut => (Status::Fail, "没纸了", "out of paper"),
        PrinterStatus::CoverOpen => (Status::Fail, "盖子开着", "the cover is open"),
        PrinterStatus::Offline => (Status::Fail, "打印机脱机（出错或暂停）", "offline (error or paused)"),
        PrinterStatus::NoAnswer => (Status::Fail, "没有应答", "does not answer"),
    };
    let fix = match status {
        PrinterStatus::Ready => String::new(),
        PrinterStatus::PaperNearEnd | PrinterStatus::PaperOut => w.t("换一卷热敏纸", "load a new roll of thermal paper"),
        PrinterStatus::CoverOpen => w.t("把打印机盖子关好", "close the printer's cover"),
        PrinterStatus::Offline => w.t("看打印机的指示灯，关机再开", "look at the printer's lights; switch it off and on"),
        PrinterStatus::NoAnswer => w.t(
            "检查打印机的电源和线；串口打印机还要核对 [printer] baud；`kiosk print test` 打印测试页",
            "check the printer's power and cable (and [printer] baud for serial); `kiosk print test` prints a test page",
        ),
    };
    check("printer", s, format!("{described}: {}", w.t(zh, en)), fix)
}

fn gpio_check(cfg: &Config, w: Words) -> Check {
    if !cfg.gpio.enabled {
        return check(
            "gpio",
            Status::Skip,
            w.t("未启用（[gpio] enabled = false）", "off ([gpio] enabled = false)"),
            String::new(),
        );
    }
    match crate::devices::gpio::pi::PiGpio::open(&cfg.gpio, Arc::new(|_| {})) {
        Ok(g) => check("gpio", Status::Ok, g.describe(), w.t("`kiosk gpio test` 逐个试灯和按钮", "`kiosk gpio test` tries each lamp and input")),
        Err(e) => check(
            "gpio",
            Status::Fail,
            e.to_string(),
            w.t(
                "不是树莓派就设 [gpio] enabled = false；是树莓派就把 kiosk 用户加入 gpio 组",
                "on a machine that is not a Pi set [gpio] enabled = false; on a Pi add the kiosk user to the gpio group",
            ),
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
    let built = crate::BUILD_EPOCH.parse::<i64>().ok().and_then(|s| chrono::Utc.timestamp_opt(s, 0).single());
    let fix = w.t(
        "联网让系统自动对时（timedatectl 显示 synchronized: yes）",
        "connect the network so the clock is set (timedatectl: synchronized: yes)",
    );
    if let Some(b) = built.filter(|b| now < *b) {
        return check(
            "clock",
            Status::Fail,
            w.t(
                &format!("时钟是 {now}，比软件的编译时间 {b} 还早"),
                &format!("the clock reads {now}, before this software was built ({b})"),
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
            w.t(&format!("{now}，与平台一致"), &format!("{now}, agrees with the platform")),
            String::new(),
        ),
        None => check("clock", Status::Ok, now.to_string(), String::new()),
    }
}
