//! What the staff pages show, built from the core's state: the status page
//! (every device and the platform, each problem in plain words with what
//! to do), the setup rows, the numbers, the log, the pad and the notice.

use chrono::{DateTime, FixedOffset};

use super::mode::StaffPage;
use super::service::{Notice, PadNote, PrintWhat, effective};
use super::setup::{self, Editor, SETTINGS};
use super::view::{DayBar, LogLine, NumberRow, SettingRow, StaffView, StatusItem};
use crate::app::core::Core;
use crate::app::session::{Lang, PrintProblem};
use crate::devices::card_reader::ReaderStatus;
use crate::devices::printer::PrinterStatus;
use crate::devices::setup::PrinterChoice;
use crate::store::staff::AuditRow;

/// Less free disk than this is a problem (the outbox, slips, downloads).
const LOW_DISK: u64 = 200 * 1024 * 1024;
/// A submission waiting longer than this means sending is stuck.
const STUCK_S: i64 = 3600;

impl Core {
    fn t(&self, zh: &str, en: &str) -> String {
        self.pick(zh, en)
    }

    fn zh(&self) -> bool {
        self.session.lang() == Lang::Zh
    }

    /// `HH:MM` today, else `MM-DD HH:MM`.
    fn when(&self, t: DateTime<FixedOffset>) -> String {
        let now = self.wall();
        if crate::domain::time::china_date(t) == crate::domain::time::china_date(now) {
            t.format("%H:%M").to_string()
        } else {
            t.format("%m-%d %H:%M").to_string()
        }
    }

    /// A duration for people: `3 分钟`, `2 小时 5 分`, `4 天`.
    fn span(&self, secs: i64) -> String {
        let s = secs.max(0);
        let (d, h, m) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
        match (self.zh(), d, h) {
            (true, 0, 0) => format!("{} 分钟", m.max(if s > 0 { 1 } else { 0 })),
            (true, 0, _) => format!("{h} 小时 {m} 分"),
            (true, _, _) => format!("{d} 天 {h} 小时"),
            (false, 0, 0) => format!("{} min", m.max(if s > 0 { 1 } else { 0 })),
            (false, 0, _) => format!("{h} h {m} min"),
            (false, _, _) => format!("{d} d {h} h"),
        }
    }

    pub fn staff_view(&self) -> StaffView {
        let m = self.staff.mode();
        let Some(page) = m.page() else {
            return StaffView { holding: m.holding(), ..StaffView::default() };
        };
        let mut v = StaffView {
            page: page.name().to_string(),
            pad_digits: m.entered(),
            printing: self.staff.print.is_some(),
            ..StaffView::default()
        };
        if page == StaffPage::Pin {
            (v.pad_state, v.pad_message) = self.pad_words();
            return v;
        }
        (v.notice, v.notice_bad) = self.notice_words();
        v.undo = self.staff.undo.last().map(|(k, _)| self.setting_name(k)).unwrap_or_default();
        match page {
            StaffPage::Status => {
                v.status = self.status_items();
                let faults = v.status.iter().filter(|i| i.level == "fault").count();
                let warns = v.status.iter().filter(|i| i.level == "warn").count();
                (v.summary, v.summary_level) = match (faults, warns) {
                    (0, 0) => (self.t("一切正常", "Everything works"), "ok"),
                    (0, w) => (
                        self.t(
                            &format!("可以使用，有 {w} 个问题要注意"),
                            &format!("Working, with {w} thing(s) to look at"),
                        ),
                        "warn",
                    ),
                    (f, w) => (
                        self.t(
                            &format!("有 {} 个问题需要处理", f + w),
                            &format!("{} problem(s) to deal with", f + w),
                        ),
                        "fault",
                    ),
                };
            }
            StaffPage::Setup => {
                v.setup = self.setup_rows();
                v.test_read =
                    self.staff.test_read.clone().unwrap_or_else(|| {
                        self.t("请在读卡器上放一张身份证", "Place an ID card on the reader")
                    });
            }
            StaffPage::Numbers => (v.numbers, v.days) = self.number_rows(),
            StaffPage::Log => v.log = self.staff.log.iter().map(|r| self.log_line(r)).collect(),
            StaffPage::Pin => {}
        }
        v
    }

    fn pad_words(&self) -> (String, String) {
        let now = self.wall().timestamp();
        match self.staff.pad {
            PadNote::Enter => ("enter".into(), self.t("请输入工作人员密码", "Enter the staff PIN")),
            PadNote::Wrong { left } => (
                "wrong".into(),
                self.t(&format!("密码不对，还可以试 {left} 次"), &format!("Wrong PIN: {left} tries left")),
            ),
            PadNote::Locked => {
                let left = self.staff.lockout.locked_for(now).unwrap_or(0);
                let (mins, secs) = (left / 60, left % 60);
                (
                    "locked".into(),
                    self.t(
                        &format!("密码错误次数太多，已锁定。请 {mins} 分 {secs:02} 秒后再试"),
                        &format!("Too many wrong PINs: locked. Try again in {mins}:{secs:02}"),
                    ),
                )
            }
            PadNote::NoPin if self.cfg.demo => (
                "no-pin".into(),
                self.t(
                    "演示机还没有工作人员密码。请在终端运行 kiosk staff set-pin（源代码中：cargo run --release -- staff set-pin）设置一个",
                    "This demo kiosk has no staff PIN yet. Set one in a terminal with kiosk staff set-pin (from the source: cargo run --release -- staff set-pin)",
                ),
            ),
            PadNote::NoPin => (
                "no-pin".into(),
                self.t(
                    "还没有设置工作人员密码。请技术人员在本机运行：sudo -u kiosk kiosk staff set-pin",
                    "No staff PIN is set yet. A technician sets one on this machine with: sudo -u kiosk kiosk staff set-pin",
                ),
            ),
            PadNote::BadHash => (
                "bad-hash".into(),
                self.t(
                    "保存的密码无法读取。请技术人员运行 kiosk staff set-pin 重新设置",
                    "The stored PIN cannot be read. A technician sets it again with kiosk staff set-pin",
                ),
            ),
        }
    }

    fn setting_name(&self, key: &str) -> String {
        setup::find(key)
            .map(|s| if self.zh() { s.zh } else { s.en }.to_string())
            .unwrap_or_else(|| key.to_string())
    }

    fn notice_words(&self) -> (String, bool) {
        let what = |w: PrintWhat| match w {
            PrintWhat::TestPage => self.t("测试页", "test page"),
            PrintWhat::Summary => self.t("今日统计", "daily summary"),
        };
        let Some(n) = &self.staff.notice else { return (String::new(), false) };
        match n {
            Notice::Changed { key, value } => {
                let restart = setup::find(key).is_some_and(|s| !s.live);
                let tail = if restart {
                    self.t("（重启后生效）", " (after a restart)")
                } else {
                    self.t("，已生效", ", in effect now")
                };
                (
                    self.t(
                        &format!("{} 已改为 {value}{tail}", self.setting_name(key)),
                        &format!("{} set to {value}{tail}", self.setting_name(key)),
                    ),
                    false,
                )
            }
            Notice::Undone { key, value } => (
                self.t(
                    &format!("已撤销：{} 恢复为 {value}", self.setting_name(key)),
                    &format!("Undone: {} back to {value}", self.setting_name(key)),
                ),
                false,
            ),
            Notice::Refused { key, reason } => (
                self.t(
                    &format!("{} 没有修改：{reason}", self.setting_name(key)),
                    &format!("{} not changed: {reason}", self.setting_name(key)),
                ),
                true,
            ),
            Notice::Printing(w) => {
                (self.t(&format!("正在打印{}…", what(*w)), &format!("Printing the {}…", what(*w))), false)
            }
            Notice::Printed(w) => {
                (self.t(&format!("{}已打印", what(*w)), &format!("The {} was printed", what(*w))), false)
            }
            Notice::PrintFailed(w, p) => {
                let why = match p {
                    PrintProblem::PaperOut => {
                        self.t("打印机缺纸，请装纸", "the printer is out of paper: load paper")
                    }
                    PrintProblem::CoverOpen => {
                        self.t("打印机盖子开着，请盖好", "the printer's cover is open: close it")
                    }
                    PrintProblem::Offline => self.t(
                        "打印机没有响应，请检查电源和连线",
                        "the printer does not answer: check its power and cable",
                    ),
                    PrintProblem::NoPrinter => self.t(
                        "本机没有设置打印机（设置页：打印机端口）",
                        "no printer is set (setup: printer port)",
                    ),
                    PrintProblem::Other => self.t("打印失败，请再试一次", "printing failed: try again"),
                };
                (
                    self.t(
                        &format!("{}没有打印：{why}", what(*w)),
                        &format!("The {} was not printed: {why}", what(*w)),
                    ),
                    true,
                )
            }
            Notice::Syncing => (self.t("正在与平台同步…", "Syncing with the platform…"), false),
            Notice::NoSync => (
                if self.cfg.demo {
                    self.t("演示模式不连接平台", "Demo mode does not connect to a platform")
                } else {
                    self.t(
                        "本机没有设置平台地址（[platform] url），无法同步",
                        "No platform is set ([platform] url): nothing to sync with",
                    )
                },
                true,
            ),
        }
    }

    fn item(&self, name: (&str, &str), value: String, level: &'static str, advice: String) -> StatusItem {
        StatusItem { name: self.t(name.0, name.1), value, level, advice }
    }

    fn status_items(&self) -> Vec<StatusItem> {
        let cfg = &self.cfg.config;
        let mut v = Vec::new();
        // The card reader.
        let last =
            self.staff.last_read.map(|t| self.when(t)).unwrap_or_else(|| self.t("今天还没有", "none yet"));
        let port = setup::label("reader.port", &cfg.reader.port, self.session.lang());
        let (level, state, advice) = match &self.reader {
            ReaderStatus::Missing => (
                "fault",
                self.t("未连接", "not connected"),
                self.t(
                    "检查读卡器的 USB 线，或在设置页换一个端口",
                    "Check the reader's USB cable, or choose another port on the setup page",
                ),
            ),
            ReaderStatus::ModuleFault(_) => (
                "fault",
                self.t("故障", "fault"),
                self.t(
                    "拔下读卡器再插上；仍不行请联系技术人员",
                    "Unplug the reader and plug it in again; if it stays, call a technician",
                ),
            ),
            ReaderStatus::ReadFailed(_) => (
                "warn",
                self.t("上一张卡没读出来", "the last card could not be read"),
                self.t(
                    "请持卡人把卡平放在读卡区再试",
                    "Ask the person to lay the card flat on the reader again",
                ),
            ),
            _ => ("ok", self.t("正常", "working"), String::new()),
        };
        v.push(self.item(
            ("读卡器", "Card reader"),
            self.t(
                &format!("{state} · {port} · 上次读卡 {last}"),
                &format!("{state} · {port} · last read {last}"),
            ),
            level,
            advice,
        ));
        // The printer.
        let choice = PrinterChoice::of(cfg);
        let (level, state, advice) = match (&choice, self.printer) {
            (PrinterChoice::None, _) => (
                "warn",
                self.t("本机没有打印机", "none set"),
                self.t(
                    "有打印机时在设置页选择它的端口",
                    "If there is a printer, choose its port on the setup page",
                ),
            ),
            (_, PrinterStatus::Ready) => ("ok", self.t("正常", "working"), String::new()),
            (_, PrinterStatus::PaperNearEnd) => {
                ("warn", self.t("纸快用完了", "paper low"), self.t("准备换纸卷", "Have a new roll ready"))
            }
            (_, PrinterStatus::PaperOut) => (
                "fault",
                self.t("缺纸", "out of paper"),
                self.t(
                    "打开打印机盖，装入新纸卷，再按“打印测试页”",
                    "Open the cover, load a new roll, then press \"Test print\"",
                ),
            ),
            (_, PrinterStatus::CoverOpen) => (
                "fault",
                self.t("盖子开着", "cover open"),
                self.t("盖好打印机盖", "Close the printer's cover"),
            ),
            (_, PrinterStatus::Offline | PrinterStatus::NoAnswer) => (
                "fault",
                self.t("没有响应", "not answering"),
                self.t(
                    "检查打印机电源和连线，或在设置页检查端口和波特率",
                    "Check the printer's power and cable, or its port and baud on the setup page",
                ),
            ),
        };
        let port = setup::label("printer.port", &cfg.printer.port, self.session.lang());
        v.push(self.item(
            ("打印机", "Printer"),
            format!("{state} · {port} · {}", cfg.printer.paper),
            level,
            advice,
        ));
        // GPIO.
        let gpio = match &self.devices.sim.gpio {
            // Simulated: the reason is for technicians (demo mode, GPIO off, not a Pi).
            Some(_) => {
                format!("{} ({})", self.t("未接感应器和指示灯", "none wired"), self.devices.gpio.describe())
            }
            None => self.devices.gpio.describe(),
        };
        v.push(self.item(("感应器和指示灯", "Sensor and lamps"), gpio, "info", String::new()));
        // The platform.
        v.extend(self.sync_items());
        // The machine.
        // The directory the database is really in (a screenshot's or a
        // test's may differ from the configured one).
        let data = self.store.path().parent().unwrap_or(&cfg.storage.data_dir);
        match crate::doctor::probes::free_bytes(data) {
            Ok(free) => {
                let low = free < LOW_DISK;
                let advice = if low {
                    self.t("磁盘快满了：请联系技术人员清理", "The disk is nearly full: call a technician")
                } else {
                    String::new()
                };
                v.push(self.item(
                    ("磁盘剩余", "Disk free"),
                    mib(free),
                    if low { "fault" } else { "ok" },
                    advice,
                ));
            }
            Err(e) => v.push(self.item(("磁盘剩余", "Disk free"), e.to_string(), "warn", String::new())),
        }
        let db = self.store.path();
        let size: u64 = [db.to_path_buf(), db.with_extension("db-wal")]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        v.push(self.item(("数据库", "Database"), mib(size), "info", String::new()));
        if let Some(t) = self.trouble() {
            v.push(self.item(
                ("服务故障", "Service trouble"),
                format!("{}: {}", t.doing, t.error),
                "fault",
                self.t("请联系技术人员（kiosk doctor）", "Call a technician (kiosk doctor)"),
            ));
        }
        for (name, state) in &self.tasks {
            v.push(self.item(
                ("后台任务", "Background task"),
                format!("{name}: {state:?}"),
                "warn",
                self.t("正在自动重启", "Restarting by itself"),
            ));
        }
        let up = self.clock.now_ms().saturating_sub(self.staff.started_ms) as i64 / 1000;
        v.push(self.item(
            ("软件版本", "Software"),
            format!("gig-kiosk {} · {} {}", env!("CARGO_PKG_VERSION"), self.t("已运行", "up"), self.span(up)),
            "info",
            String::new(),
        ));
        v
    }

    fn sync_items(&self) -> Vec<StatusItem> {
        let mut v = Vec::new();
        let pending = self.outbox.pending;
        let oldest = self.store.outbox_oldest_pending().ok().flatten();
        let now = self.wall().timestamp();
        let age = oldest.map(|o| now - o);
        let stuck = age.is_some_and(|a| a > STUCK_S);
        let queue = match age {
            Some(a) if pending > 0 => self.t(
                &format!("{pending} 条等待发送，最早的已等 {}", self.span(a)),
                &format!("{pending} waiting, the oldest for {}", self.span(a)),
            ),
            _ => self.t("没有等待发送的记录", "nothing waiting"),
        };
        let Some(s) = &self.sync else {
            let (value, level) = if self.cfg.demo {
                (self.t("演示模式：不连接平台", "demo mode: no platform"), "info")
            } else if self.cfg.config.platform.url.trim().is_empty() {
                (
                    self.t(
                        "没有设置平台地址，报名只保存在本机",
                        "no platform set: submissions stay on this kiosk",
                    ),
                    "warn",
                )
            } else {
                (self.t("还没有同步过", "not synced yet"), "info")
            };
            v.push(self.item(("平台同步", "Platform sync"), value, level, String::new()));
            v.push(self.item(("待发送", "Outbox"), queue, if stuck { "warn" } else { "ok" }, String::new()));
            return v;
        };
        let last = s.last_success.map(|t| self.when(t)).unwrap_or_else(|| self.t("从未成功", "never"));
        let (level, state, advice) = if s.unauthorized {
            (
                "fault",
                self.t("平台拒绝了本机的令牌", "the platform refused this kiosk's token"),
                self.t(
                    "令牌错误或已被停用：请管理员在配置中更新 [platform] token",
                    "The token is wrong or revoked: an administrator updates [platform] token",
                ),
            )
        } else if !s.online {
            let since = self.offline_since.map(|t| self.when(t)).unwrap_or_default();
            (
                "warn",
                self.t(&format!("离线（{since} 起）"), &format!("offline since {since}")),
                self.t(
                    "检查网线或路由器；报名都保存在本机，联网后自动发送",
                    "Check the network cable or router; submissions are kept and sent when it is back",
                ),
            )
        } else {
            ("ok", self.t("在线", "online"), String::new())
        };
        v.push(self.item(
            ("平台同步", "Platform sync"),
            self.t(&format!("{state} · 上次成功 {last}"), &format!("{state} · last success {last}")),
            level,
            advice,
        ));
        let advice = if stuck && !s.unauthorized && s.online {
            self.t("按“立即同步”；仍不动请联系技术人员", "Press \"Sync now\"; if it stays, call a technician")
        } else {
            String::new()
        };
        v.push(self.item(("待发送", "Outbox"), queue, if stuck { "warn" } else { "ok" }, advice));
        if let Some(e) = &s.last_error {
            v.push(self.item(("上次错误", "Last error"), e.clone(), "info", String::new()));
        }
        if let Some(off) = s.clock_offset_s {
            v.push(self.item(
                ("本机时钟", "Clock"),
                self.t(
                    &format!("慢了或快了 {}，已用平台时间", self.span(off.abs())),
                    &format!("off by {}; the platform's time is used", self.span(off.abs())),
                ),
                "warn",
                self.t("检查本机的网络时间（NTP）", "Check the machine's network time (NTP)"),
            ));
        }
        v
    }

    fn setup_rows(&self) -> Vec<SettingRow> {
        let lang = self.session.lang();
        let dev = std::path::Path::new("/dev");
        SETTINGS
            .iter()
            .map(|s| {
                let current = effective(&self.cfg.config, s.key);
                let (choices, number) = match setup::editor(s.key, &current, dev, self.cfg.demo) {
                    Editor::Choices(c) => (
                        c.into_iter()
                            .map(|v| {
                                let l = setup::label(s.key, &v, lang);
                                let sel = v == current;
                                (v, l, sel)
                            })
                            .collect(),
                        false,
                    ),
                    Editor::Number { .. } => (Vec::new(), true),
                };
                SettingRow {
                    key: s.key.to_string(),
                    label: if lang == Lang::Zh { s.zh } else { s.en }.to_string(),
                    value: setup::label(s.key, &current, lang),
                    choices,
                    number,
                    restart: !s.live,
                }
            })
            .collect()
    }

    fn number_rows(&self) -> (Vec<NumberRow>, Vec<DayBar>) {
        let n = &self.staff.numbers;
        let (today, week) = (n.today(), n.week());
        let en =
            ["Visits", "Card reads", "Searches", "Job views", "Applications", "Slips printed", "Help calls"];
        let rows = today
            .rows()
            .into_iter()
            .zip(week.rows())
            .zip(en)
            .map(|(((zh, t), (_, w)), en)| NumberRow { label: self.t(zh, en), today: t, week: w })
            .collect();
        let last = n.days.len().saturating_sub(1);
        let days = n
            .days
            .iter()
            .enumerate()
            .map(|(i, (d, c))| DayBar {
                label: if i == last { self.t("今天", "today") } else { d.format("%m-%d").to_string() },
                visits: c.visits,
            })
            .collect();
        (rows, days)
    }

    fn log_line(&self, r: &AuditRow) -> LogLine {
        let time = self.when(crate::domain::time::from_unix(r.at));
        let key = r.key.as_deref().map(|k| self.setting_name(k)).unwrap_or_default();
        let val = |v: &Option<String>| {
            v.as_deref()
                .map(|v| setup::label(r.key.as_deref().unwrap_or(""), v, self.session.lang()))
                .unwrap_or_else(|| "—".into())
        };
        let text = match r.action.as_str() {
            "entered" => self.t("进入工作人员模式", "entered staff mode"),
            "left" => self.t("退出工作人员模式", "left staff mode"),
            "timeout" => self.t("无人操作，自动退出", "left after 3 quiet minutes"),
            "changed" => self.t(
                &format!("修改 {key}：{} → {}", val(&r.old_value), val(&r.new_value)),
                &format!("changed {key}: {} → {}", val(&r.old_value), val(&r.new_value)),
            ),
            "undone" => self.t(
                &format!("撤销 {key}：{} → {}", val(&r.old_value), val(&r.new_value)),
                &format!("undid {key}: {} → {}", val(&r.old_value), val(&r.new_value)),
            ),
            "test_print" => self.t("打印测试页", "test print"),
            "summary_print" => self.t("打印今日统计", "printed the daily summary"),
            "test_read" => self.t("测试读卡", "test card read"),
            "sync_now" => self.t("立即同步", "sync now"),
            "wrong_pin" => self.t("密码错误", "wrong PIN"),
            "locked" => {
                let mins = r.new_value.as_deref().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0) / 60;
                self.t(
                    &format!("密码错误次数太多，锁定 {mins} 分钟"),
                    &format!("too many wrong PINs: locked for {mins} min"),
                )
            }
            "pin_set" => self.t("设置了新密码（命令行）", "a new PIN was set (command line)"),
            "unlocked" => {
                self.t("技术人员解除了锁定（命令行）", "a technician lifted the lockout (command line)")
            }
            other => other.to_string(),
        };
        LogLine { time, text }
    }
}

fn mib(bytes: u64) -> String {
    if bytes >= 10 * 1024 * 1024 * 1024 {
        format!("{} GB", bytes / (1024 * 1024 * 1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}
