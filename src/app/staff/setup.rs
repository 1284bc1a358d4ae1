//! The device settings staff may change on the screen: which keys, how
//! each is offered (a row of choices, or the number pad), and how values
//! are named for people. Values travel as TOML text (`"58mm"`, `9600`,
//! `true`, `24.5`), the form the staff layer stores (`store/settings.rs`).
//! Checking is the configuration's own (`config::Base::with_staff`), so a
//! value staff may set is exactly a value the file may hold.

use std::path::Path;

use crate::app::session::Lang;
use crate::config::schema::{self, Kind};
use crate::devices::card_reader::ports;

/// One setting on the setup page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Applied while the kiosk runs; false: at the next start (said on screen).
    pub live: bool,
}

const fn s(key: &'static str, zh: &'static str, en: &'static str) -> Setting {
    Setting { key, zh, en, live: true }
}

/// In the order of the setup page: reader, printer, screen, station.
pub const SETTINGS: &[Setting] = &[
    s("reader.port", "读卡器端口", "Reader port"),
    s("reader.baud", "读卡器波特率", "Reader baud"),
    s("printer.port", "打印机端口", "Printer port"),
    s("printer.baud", "打印机波特率", "Printer baud"),
    s("printer.flow_control", "流控", "Flow control"),
    s("printer.paper", "纸宽", "Paper width"),
    s("printer.qr", "二维码", "QR code"),
    s("printer.finish", "切纸", "Cut"),
    s("screen.idle_timeout_s", "无人操作返回首页", "Idle timeout"),
    // Slint's LinuxKMS backend reads the rotation once, when it starts.
    Setting { key: "screen.rotation", zh: "屏幕旋转", en: "Rotation", live: false },
    s("screen.elder_default", "默认长辈版", "Elder mode by default"),
    s("station.latitude", "驿站纬度", "Station latitude"),
    s("station.longitude", "驿站经度", "Station longitude"),
];

pub fn find(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// Idle timeouts offered (seconds); the schema allows 20–600.
const IDLE_CHOICES: [i64; 6] = [30, 60, 90, 120, 180, 300];

/// How a setting is edited.
#[derive(Debug, Clone, PartialEq)]
pub enum Editor {
    /// One button per value (TOML text).
    Choices(Vec<String>),
    /// The number pad, within these limits.
    Number { min: f64, max: f64 },
}

/// How `key` is offered. Ports: what is plugged in now (`dev`, normally
/// `/dev`), the udev rules' stable name, and the current value even if it
/// is not found (so staff see it and can move off it).
pub fn editor(key: &str, current: &str, dev: &Path, demo: bool) -> Editor {
    let quote = |v: &str| toml::Value::String(v.to_string()).to_string();
    let mut out: Vec<String> = match key {
        "reader.port" => {
            let mut v = vec![quote("auto")];
            v.extend(ports::candidates(dev, false).iter().map(|p| quote(&p.display().to_string())));
            v
        }
        "printer.port" => {
            let mut v = vec![quote("none")];
            let stable = dev.join(ports::STABLE_PRINTER);
            if stable.exists() {
                v.push(quote(&stable.display().to_string()));
            }
            v.extend(
                crate::devices::device_files(&dev.join("usb"), "lp")
                    .iter()
                    .map(|p| quote(&p.display().to_string())),
            );
            v.extend(ports::candidates(dev, false).iter().map(|p| quote(&p.display().to_string())));
            v
        }
        "screen.idle_timeout_s" => IDLE_CHOICES.iter().map(i64::to_string).collect(),
        _ => match schema::find(key).map(|k| k.kind) {
            Some(Kind::Choice(words)) => words.iter().map(|w| quote(w)).collect(),
            Some(Kind::IntChoice(n)) => n.iter().map(i64::to_string).collect(),
            Some(Kind::Bool) => vec!["true".into(), "false".into()],
            Some(Kind::Float { min, max }) => return Editor::Number { min, max },
            Some(Kind::Int { min, max }) => return Editor::Number { min: min as f64, max: max as f64 },
            _ => Vec::new(),
        },
    };
    if key.ends_with(".port") && demo {
        out.insert(1, quote("simulated"));
    }
    if !current.is_empty() && !out.iter().any(|v| v == current) {
        out.push(current.to_string());
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|v| seen.insert(v.clone()));
    Editor::Choices(out)
}

/// The TOML text of a number typed on the pad, if it is one.
pub fn number(typed: &str) -> Option<String> {
    let t = typed.trim();
    let f: f64 = t.parse().ok()?;
    f.is_finite().then(|| if t.contains('.') { format!("{f}") } else { format!("{f:.1}") })
}

/// A value as people read it, in `lang`.
pub fn label(key: &str, value: &str, lang: Lang) -> String {
    let word = value.trim_matches('"');
    let zh = lang == Lang::Zh;
    let pick = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
    match (key, word) {
        (_, "auto") => pick("自动查找", "auto-detect"),
        (_, "none") if key == "printer.port" => pick("无打印机", "no printer"),
        (_, "none") => pick("无", "none"),
        (_, "simulated") => pick("模拟（演示）", "simulated (demo)"),
        (_, "true") => pick("开", "on"),
        (_, "false") => pick("关", "off"),
        ("printer.qr", "native") => pick("打印机生成", "printer's own"),
        ("printer.qr", "raster") => pick("图片", "as a picture"),
        ("printer.finish", "partial-cut") => pick("半切", "partial cut"),
        ("printer.finish", "cut") => pick("全切", "full cut"),
        ("printer.finish", "tear-bar") => pick("手撕", "tear off"),
        ("printer.paper", "80mm-narrow") => pick("80mm（窄边）", "80mm (narrow)"),
        ("screen.idle_timeout_s", n) => pick(&format!("{n} 秒"), &format!("{n} s")),
        ("screen.rotation", n) => format!("{n}°"),
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_a_known_key_that_staff_may_set() {
        for s in SETTINGS {
            let k = schema::find(s.key).unwrap_or_else(|| panic!("{} is not in the schema", s.key));
            assert_eq!(k.scope, schema::Scope::Any, "{}", s.key);
        }
    }

    #[test]
    fn choices_come_from_the_schema_and_the_ports_plugged_in() {
        let dev = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dev.path().join("usb")).unwrap();
        std::fs::write(dev.path().join("usb/lp0"), "").unwrap();
        std::fs::write(dev.path().join("ttyUSB0"), "").unwrap();
        let p = |s: &str| format!("\"{}\"", dev.path().join(s).display());
        assert_eq!(
            editor("printer.paper", "\"80mm\"", dev.path(), false),
            Editor::Choices(vec!["\"58mm\"".into(), "\"80mm\"".into(), "\"80mm-narrow\"".into()])
        );
        assert_eq!(
            editor("printer.port", "\"/dev/ttyS9\"", dev.path(), true),
            Editor::Choices(vec![
                "\"none\"".into(),
                "\"simulated\"".into(),
                p("usb/lp0"),
                p("ttyUSB0"),
                "\"/dev/ttyS9\"".into()
            ])
        );
        assert_eq!(
            editor("station.latitude", "24.5", dev.path(), false),
            Editor::Number { min: 3.0, max: 54.0 }
        );
        assert_eq!(number("24.48"), Some("24.48".into()));
        assert_eq!(number("118"), Some("118.0".into()));
        assert_eq!(number("24..4"), None);
        assert_eq!(label("printer.finish", "\"tear-bar\"", Lang::Zh), "手撕");
        assert_eq!(label("screen.idle_timeout_s", "90", Lang::En), "90 s");
    }
}
