//! `kiosk doctor`: every check a technician makes on site, each with a
//! status, what was found and what to do, in Chinese or English. The checks
//! are in [`checks`]; this module holds the result types and the two ways
//! of printing them (a list for people, JSON for scripts).
//!
//! Exit status: 0 only when no check failed (warnings and skipped checks
//! do not fail the run).

pub mod checks;
mod devices;
pub mod probes;

use serde::Serialize;

use crate::app::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    /// Not applicable here (not configured, or an earlier check failed).
    Skip,
}

impl Status {
    pub fn mark(self) -> &'static str {
        match self {
            Status::Ok => "✓",
            Status::Warn => "!",
            Status::Fail => "✗",
            Status::Skip => "–",
        }
    }
}

/// One check's result. `detail` and `fix` are in the report's language;
/// `fix` is empty when there is nothing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub detail: String,
    pub fix: String,
}

/// Text in the report's language.
#[derive(Debug, Clone, Copy)]
pub struct Words(pub Lang);

impl Words {
    pub fn t(self, zh: &str, en: &str) -> String {
        match self.0 {
            Lang::Zh => zh.to_string(),
            Lang::En => en.to_string(),
        }
    }
}

/// The check's heading in the report.
pub fn title(name: &str, lang: Lang) -> &'static str {
    let (zh, en) = match name {
        "config" => ("配置文件", "configuration"),
        "data_dir" => ("数据目录", "data directory"),
        "database" => ("数据库", "database"),
        "device_key" => ("设备密钥", "device key"),
        "display" => ("显示屏", "display"),
        "touch" => ("触摸屏", "touch input"),
        "reader" => ("身份证读卡器", "ID-card reader"),
        "printer" => ("凭条打印机", "slip printer"),
        "gpio" => ("GPIO（感应器、按钮、指示灯）", "GPIO (sensor, button, lamps)"),
        "clock" => ("系统时钟", "clock"),
        "platform" => ("就业服务平台", "platform"),
        "fleet" => ("远程更新服务器", "fleet server"),
        _ => ("", ""),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Exit status for scripts: success only when nothing failed.
pub fn all_passed(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.status != Status::Fail)
}

/// `✓ 数据库  ok (12 345 postings)` and, indented, what to do.
pub fn render_text(checks: &[Check], lang: Lang) -> String {
    let mut out = String::new();
    for c in checks {
        out.push_str(&format!("{} {}: {}\n", c.status.mark(), title(c.name, lang), c.detail));
        if !c.fix.is_empty() {
            let arrow = if lang == Lang::Zh { "  → 处理：" } else { "  → fix: " };
            out.push_str(&format!("{arrow}{}\n", c.fix));
        }
    }
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let (fail, warn) = (count(Status::Fail), count(Status::Warn));
    out.push_str(&match lang {
        Lang::Zh if fail == 0 && warn == 0 => "全部正常。\n".to_string(),
        Lang::Zh if fail == 0 => format!("可以使用，有 {warn} 项需要注意。\n"),
        Lang::Zh => format!("{fail} 项失败，{warn} 项需要注意：请按上面的提示处理。\n"),
        Lang::En if fail == 0 && warn == 0 => "All checks passed.\n".to_string(),
        Lang::En if fail == 0 => format!("Usable; {warn} warning(s).\n"),
        Lang::En => format!("{fail} check(s) failed, {warn} warning(s): see the fixes above.\n"),
    });
    out
}

pub fn render_json(checks: &[Check]) -> String {
    #[derive(Serialize)]
    struct Report<'a> {
        checks: &'a [Check],
    }
    serde_json::to_string_pretty(&Report { checks }).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
