//! The checks of the kiosk's hardware: display and touch, the ID-card
//! reader, the slip printer, the Pi's pins. Each looks without changing
//! anything (a reader port in use by the running kiosk is reported, not
//! taken).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::checks::check;
use super::probes;
use super::{Check, Status, Words};
use crate::config::Config;
use crate::devices::card_reader::ports::{self, PortChoice, STABLE_PRINTER};
use crate::devices::gpio::Gpio as _;
use crate::devices::printer::transport::Target;
use crate::devices::printer::{PrinterStatus, SlipPrinter as _};
use crate::devices::setup::PrinterChoice;
use crate::ui::backend::{self, Backend};

pub(super) fn display_checks(cfg: &Config, dev: &Path, w: Words) -> Vec<Check> {
    let choice = match backend::choose(&cfg.screen, &backend::Env::read(dev)) {
        Ok(c) => c,
        Err(e) => {
            return vec![
                check(
                    "display",
                    Status::Fail,
                    w.t("没有显示屏：没有桌面会话，也没有显示设备（/dev/dri/card*、/dev/fb*）", &e.0),
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

pub(super) fn reader_check(cfg: &Config, demo: bool, dev: &Path, w: Words) -> Check {
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
                return missing("reader", &p, ("读卡器", "reader"), w);
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

pub(super) fn printer_check(cfg: &Config, demo: bool, w: Words) -> Check {
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
    if let Target::Serial { path, .. } | Target::UsbLp(path) = &target
        && !path.exists()
    {
        return missing("printer", path, ("打印机", "printer"), w);
    }
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

pub(super) fn gpio_check(cfg: &Config, w: Words) -> Check {
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

/// A device that is not there: unplugged, switched off, or not named by the
/// udev rules. `name` is also its role under /dev/gig-kiosk/.
fn missing(name: &'static str, path: &Path, (zh, en): (&str, &str), w: Words) -> Check {
    check(
        name,
        Status::Fail,
        w.t(
            &format!("{} 不存在：{zh}没插好？", path.display()),
            &format!("{} does not exist: is the {en} plugged in?", path.display()),
        ),
        w.t(
            &format!("插好{zh}的 USB 线并接通电源；`ls -l /dev/gig-kiosk/` 应有 {name}（udev 规则见 docs/install.md）"),
            &format!(
                "plug in the {en}'s USB cable and power; `ls -l /dev/gig-kiosk/` should show {name} (udev rules: docs/install.md)"
            ),
        ),
    )
}
