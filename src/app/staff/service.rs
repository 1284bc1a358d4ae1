//! The core's side of staff mode: routing the staff pages' commands,
//! checking the PIN against its hash and the lockout, applying a setting
//! at once (checked by the whole configuration, written to the staff layer
//! with its audit line in one transaction, devices rebuilt), undo, test
//! prints and the daily summary, "sync now", and the audit trail.

use zeroize::Zeroizing;

use super::lockout::{Lockout, Wrong};
use super::mode::{LeaveReason, StaffEffect, StaffInput, StaffMode, StaffPage};
use super::numbers::{self, Numbers};
use super::{StaffCommand, pin, setup};
use crate::app::core::{Core, CoreConfig};
use crate::app::error::CoreError;
use crate::app::print::PrintJob;
use crate::app::session::{Lang, PrintProblem};
use crate::app::views::UiUpdate;
use crate::config::{self, Config, Layer};
use crate::devices::printer::worker::PrintOutcome;
use crate::devices::printer::{PrintError, PrinterStatus};
use crate::slip::{SlipContext, daily_summary, test_page};
use crate::store::staff::AuditRow;

/// What the PIN pad says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PadNote {
    Enter,
    Wrong { left: u32 },
    Locked,
    NoPin,
    BadHash,
}

/// What a staff print is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PrintWhat {
    TestPage,
    Summary,
}

/// The result of the last action, said at the top of the staff pages.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Notice {
    Changed { key: String, value: String },
    Undone { key: String, value: String },
    Refused { key: String, reason: String },
    Printing(PrintWhat),
    Printed(PrintWhat),
    PrintFailed(PrintWhat, PrintProblem),
    Syncing,
    NoSync,
}

/// Staff mode's state in the core.
pub struct StaffState {
    pub(super) mode: StaffMode,
    pub(super) lockout: Lockout,
    pub(super) pad: PadNote,
    pub(super) notice: Option<Notice>,
    /// Changes of this staff session, newest last: (key, staff value before).
    pub(super) undo: Vec<(String, Option<String>)>,
    /// The last card read while staff mode was open, masked.
    pub(super) test_read: Option<String>,
    pub(super) print: Option<(PrintJob, PrintWhat)>,
    pub(super) numbers: Numbers,
    pub(super) log: Vec<AuditRow>,
    /// The layers the configuration is rebuilt from.
    pub(super) base: config::Base,
    /// [`crate::clock::Clock::now_ms`] when the core started (uptime).
    pub(super) started_ms: u64,
    /// When the last card was read (for the status page).
    pub(in crate::app) last_read: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// The PIN's hash as the configuration has it, re-read each time the
    /// pad opens (`kiosk staff set-pin` may have set it meanwhile).
    pub(super) pin_hash: String,
}

impl StaffState {
    pub fn new(base: config::Base, warning_ms: u64, started_ms: u64) -> StaffState {
        StaffState {
            mode: StaffMode::new(warning_ms),
            lockout: Lockout::default(),
            pad: PadNote::Enter,
            notice: None,
            undo: Vec::new(),
            test_read: None,
            print: None,
            numbers: Numbers::default(),
            log: Vec::new(),
            base,
            started_ms,
            last_read: None,
            pin_hash: String::new(),
        }
    }

    pub fn active(&self) -> bool {
        self.mode.active()
    }

    pub fn mode(&self) -> &StaffMode {
        &self.mode
    }
}

/// Audit lines shown on the log page.
const LOG_LINES: usize = 50;

impl Core {
    /// A command from the staff pages; true when every view must be redrawn.
    pub(in crate::app) fn staff_command(&mut self, c: StaffCommand, out: &mut Vec<UiUpdate>) -> bool {
        let now_ms = self.clock.now_ms();
        let input = match c {
            // Only from the attract page, never into a worker's session.
            StaffCommand::Hold(true) if self.session.page() != crate::app::Page::Attract => return false,
            StaffCommand::Hold(h) => StaffInput::Hold(h),
            StaffCommand::Digit(d) => StaffInput::Digit(d),
            StaffCommand::Erase => StaffInput::Erase,
            StaffCommand::Submit => StaffInput::Submit,
            StaffCommand::Go(p) => {
                if matches!(p, StaffPage::Numbers | StaffPage::Log | StaffPage::Status) {
                    self.staff_reload();
                }
                StaffInput::Go(p)
            }
            StaffCommand::Leave => StaffInput::Leave,
            other => {
                if !self.staff.mode.open() {
                    tracing::warn!("staff command while staff mode is closed: {other:?}");
                    return false;
                }
                self.staff.mode.handle(StaffInput::Touch, now_ms);
                return self.staff_action(other);
            }
        };
        let fx = self.staff.mode.handle(input, now_ms);
        self.staff_effects(fx, out)
    }

    /// The clock moved: the hold gesture and the timeouts.
    pub(in crate::app) fn staff_tick(&mut self, out: &mut Vec<UiUpdate>) -> bool {
        let fx = self.staff.mode.handle(StaffInput::Tick, self.clock.now_ms());
        let full = self.staff_effects(fx, out);
        self.staff_check_print_deadline();
        full
    }

    /// A touch anywhere while staff mode owns the screen.
    pub(in crate::app) fn staff_touch(&mut self) {
        self.staff.mode.handle(StaffInput::Touch, self.clock.now_ms());
    }

    fn staff_effects(&mut self, fx: Vec<StaffEffect>, out: &mut Vec<UiUpdate>) -> bool {
        let mut full = false;
        for e in fx {
            match e {
                StaffEffect::PadOpened => {
                    self.staff.notice = None;
                    let now = self.wall().timestamp();
                    let r = self.store.staff_lockout().map_err(CoreError::from);
                    if let Some(row) = self.checked("read the PIN lockout", r) {
                        self.staff.lockout = Lockout::from_row(row, now);
                    }
                    self.staff.pin_hash = self.cfg.config.staff.pin_hash.clone();
                    let r = self.store.staff_settings().map_err(CoreError::from);
                    if let Some(settings) = self.checked("read the staff settings", r) {
                        match self.staff.base.with_staff(&settings) {
                            Ok(l) => self.staff.pin_hash = l.config.staff.pin_hash,
                            Err(e) => tracing::error!("staff mode: the configuration does not build: {e}"),
                        }
                    }
                    self.staff.pad = self.pad_note_at_rest(now);
                }
                StaffEffect::CheckPin(p) => self.check_pin(p, out),
                StaffEffect::Entered => {
                    self.audit(AuditRow::new(self.wall().timestamp(), "entered"));
                    self.staff_reload();
                }
                StaffEffect::Closed(why) => {
                    let action = match why {
                        LeaveReason::Left => Some("left"),
                        LeaveReason::Timeout => Some("timeout"),
                        LeaveReason::PadClosed => None,
                    };
                    if let Some(a) = action {
                        self.audit(AuditRow::new(self.wall().timestamp(), a));
                    }
                    // Nothing of this staff session stays on screen.
                    self.staff.notice = None;
                    self.staff.undo.clear();
                    self.staff.test_read = None;
                    self.staff.log.clear();
                    self.staff.pad = PadNote::Enter;
                    full = true;
                }
            }
        }
        full
    }

    /// What the pad says before anyone types.
    fn pad_note_at_rest(&self, now: i64) -> PadNote {
        let hash = &self.staff.pin_hash;
        if hash.is_empty() {
            PadNote::NoPin
        } else if pin::check_hash(hash).is_err() {
            PadNote::BadHash
        } else if self.staff.lockout.locked_for(now).is_some() {
            PadNote::Locked
        } else {
            PadNote::Enter
        }
    }

    fn check_pin(&mut self, typed: Zeroizing<String>, out: &mut Vec<UiUpdate>) {
        let now = self.wall().timestamp();
        let at_rest = self.pad_note_at_rest(now);
        if at_rest != PadNote::Enter {
            self.staff.pad = at_rest;
            return;
        }
        let ok = pin::verify(&typed, &self.staff.pin_hash);
        drop(typed);
        match ok {
            Ok(true) => {
                if self.staff.lockout != Lockout::default() {
                    self.staff.lockout.right();
                    self.save_lockout(None);
                }
                self.staff.pad = PadNote::Enter;
                let fx = self.staff.mode.handle(StaffInput::PinAccepted, self.clock.now_ms());
                self.staff_effects(fx, out);
            }
            Ok(false) => {
                let w = self.staff.lockout.wrong(now);
                tracing::warn!("staff mode: wrong PIN ({w:?})");
                let mut audit = AuditRow::new(now, "wrong_pin");
                self.staff.pad = match w {
                    Wrong::TriesLeft(left) => PadNote::Wrong { left },
                    Wrong::Locked(secs) => {
                        audit.action = "locked".into();
                        audit.new_value = Some(format!("{secs}"));
                        PadNote::Locked
                    }
                };
                if matches!(w, Wrong::Locked(_)) {
                    // The fifth wrong PIN is also a wrong PIN.
                    self.audit(AuditRow::new(now, "wrong_pin"));
                }
                self.save_lockout(Some(&audit));
            }
            Err(e) => {
                tracing::error!("staff mode: {e}");
                self.staff.pad = PadNote::BadHash;
            }
        }
    }

    fn save_lockout(&mut self, audit: Option<&AuditRow>) {
        let row = self.staff.lockout.row();
        let r = self.store.set_staff_lockout(&row, audit).map_err(CoreError::from);
        self.checked("store the PIN lockout", r);
    }

    pub(super) fn audit(&mut self, row: AuditRow) {
        let r = self.store.append_audit(&row).map_err(CoreError::from);
        self.checked("write the staff log", r);
    }

    /// Re-reads the numbers and the log.
    fn staff_reload(&mut self) {
        let today = crate::domain::time::china_date(self.wall());
        let r = self.store.stats_by_day(numbers::since(today)).map_err(CoreError::from);
        if let Some(c) = self.checked("count today's numbers", r) {
            self.staff.numbers = Numbers::of(today, &c);
        }
        let r = self.store.audit_log(LOG_LINES).map_err(CoreError::from);
        if let Some(l) = self.checked("read the staff log", r) {
            self.staff.log = l;
        }
    }

    fn staff_action(&mut self, c: StaffCommand) -> bool {
        match c {
            StaffCommand::Set { key, value } => return self.staff_set(&key, Some(value), false),
            StaffCommand::SetNumber { key, typed } => match setup::number(&typed) {
                Some(v) => return self.staff_set(&key, Some(v), false),
                None => {
                    let reason = self.pick("请输入一个数字，例如 24.4798", "type a number, e.g. 24.4798");
                    self.staff.notice = Some(Notice::Refused { key, reason });
                }
            },
            StaffCommand::Undo => {
                if let Some((key, before)) = self.staff.undo.pop() {
                    return self.staff_set(&key, before, true);
                }
            }
            StaffCommand::SyncNow => {
                self.audit(AuditRow::new(self.wall().timestamp(), "sync_now"));
                if self.has_sync() {
                    self.nudge_sync();
                    self.staff.notice = Some(Notice::Syncing);
                } else {
                    self.staff.notice = Some(Notice::NoSync);
                }
            }
            StaffCommand::TestPrint => self.staff_print(PrintWhat::TestPage),
            StaffCommand::PrintSummary => self.staff_print(PrintWhat::Summary),
            StaffCommand::TestRead => {
                self.audit(AuditRow::new(self.wall().timestamp(), "test_read"));
                self.staff.test_read = None;
            }
            // Handled by the mode.
            StaffCommand::Hold(_)
            | StaffCommand::Digit(_)
            | StaffCommand::Erase
            | StaffCommand::Submit
            | StaffCommand::Go(_)
            | StaffCommand::Leave => {}
        }
        false
    }

    pub(super) fn pick(&self, zh: &str, en: &str) -> String {
        match self.session.lang() {
            Lang::Zh => zh.to_string(),
            Lang::En => en.to_string(),
        }
    }

    /// The value staff set for `key`, as stored (None: not set by staff).
    fn staff_value(&mut self, key: &str) -> Option<Option<String>> {
        let r = self.store.staff_settings().map_err(CoreError::from);
        self.checked("read the staff settings", r)
            .map(|all| all.into_iter().find(|(k, _)| k == key).map(|(_, v)| v))
    }

    /// Sets (or with `None` removes) a staff setting: checked against the
    /// whole configuration, written with its audit line, applied at once.
    /// Refused with the reason when the value or the key cannot be used.
    fn staff_set(&mut self, key: &str, value: Option<String>, undoing: bool) -> bool {
        let refuse = |core: &mut Core, reason: String| {
            tracing::info!("staff setting {key} refused: {reason}");
            core.staff.notice = Some(Notice::Refused { key: key.to_string(), reason });
            false
        };
        if setup::find(key).is_none() {
            let reason = self.pick("这一项不能在屏幕上修改", "this setting cannot be changed on the screen");
            return refuse(self, reason);
        }
        let Some(before) = self.staff_value(key) else { return false };
        let mut settings = match self.store.staff_settings() {
            Ok(s) => s,
            Err(e) => {
                self.checked::<()>("read the staff settings", Err(e.into()));
                return false;
            }
        };
        settings.retain(|(k, _)| k != key);
        if let Some(v) = &value {
            settings.push((key.to_string(), v.clone()));
        }
        let loaded = match self.staff.base.with_staff(&settings) {
            Ok(l) => l,
            Err(e) => {
                let why = e
                    .problems
                    .iter()
                    .find(|p| p.key.as_deref() == Some(key))
                    .or(e.problems.first())
                    .map(|p| p.message.clone())
                    .unwrap_or_default();
                let reason =
                    self.pick(&format!("这个值不能用：{why}"), &format!("this value cannot be used: {why}"));
                return refuse(self, reason);
            }
        };
        if let Some(o) = loaded.origins.get(key)
            && value.is_some()
            && !matches!(o.layer, Layer::Staff)
        {
            let reason = self.pick(
                &format!("这一项由 {o} 设定，在这里改不会生效；请在那里修改"),
                &format!("this setting is set by {o}, which wins over a change here; change it there"),
            );
            return refuse(self, reason);
        }
        let old_effective = effective(&self.cfg.config, key);
        let new_effective = effective(&loaded.config, key);
        let mut audit = AuditRow::new(self.wall().timestamp(), if undoing { "undone" } else { "changed" });
        audit.key = Some(key.to_string());
        audit.old_value = Some(old_effective);
        audit.new_value = Some(new_effective.clone());
        let r = self.store.change_staff_setting(key, value.as_deref(), &audit).map_err(CoreError::from);
        if self.checked("save a staff setting", r).is_none() {
            let reason = self.pick("保存失败，请看状态页", "could not be saved; see the status page");
            return refuse(self, reason);
        }
        tracing::info!(
            "staff changed {key}: {} -> {new_effective}",
            audit.old_value.as_deref().unwrap_or("")
        );
        if !undoing {
            self.staff.undo.push((key.to_string(), before));
        }
        let label = setup::label(key, &new_effective, self.session.lang());
        self.staff.notice = Some(if undoing {
            Notice::Undone { key: key.to_string(), value: label }
        } else {
            Notice::Changed { key: key.to_string(), value: label }
        });
        self.apply_config(loaded.config)
    }

    /// Puts a new configuration to work without a restart: the session's
    /// timers, the printer and the reader rebuilt when theirs changed, the
    /// station's place (distances) re-read. True when every view must be
    /// redrawn.
    fn apply_config(&mut self, new: Config) -> bool {
        let demo = self.cfg.demo;
        let old = std::mem::replace(&mut self.cfg, CoreConfig::of(&new, demo));
        self.session.configure(self.cfg.timeouts, new.screen.elder_default);
        self.staff.mode.set_warning_ms(self.cfg.timeouts.warning_ms);
        let old = old.config;
        if old.printer != new.printer {
            tracing::info!("printer settings changed: the printer is started again");
            self.devices.rebuild_printer(&new);
            self.staff.print = None;
            self.set_printer(PrinterStatus::Ready);
        }
        if old.reader != new.reader || old.printer.port != new.printer.port {
            tracing::info!("reader settings changed: the reader is started again");
            self.devices.rebuild_reader(&new);
        }
        old.station != new.station || old.screen != new.screen
    }

    fn has_sync(&self) -> bool {
        self.sync_handle.is_some()
    }

    fn staff_print(&mut self, what: PrintWhat) {
        let now = self.wall();
        self.audit(AuditRow::new(
            now.timestamp(),
            match what {
                PrintWhat::TestPage => "test_print",
                PrintWhat::Summary => "summary_print",
            },
        ));
        if self.staff.print.is_some() {
            return;
        }
        let ctx = SlipContext::at_station(&self.cfg.station, self.cfg.paper, now);
        let slip = match what {
            PrintWhat::TestPage => {
                let desc = crate::devices::setup::PrinterChoice::of(&self.cfg.config).to_string();
                test_page(&ctx, &desc)
            }
            PrintWhat::Summary => {
                self.staff_reload();
                let n = &self.staff.numbers;
                let pending = self.outbox.pending;
                daily_summary(&ctx, crate::domain::time::china_date(now), &n.today(), &n.week(), pending)
            }
        };
        let now_ms = self.clock.now_ms();
        let Some(printer) = &mut self.devices.printer else {
            self.staff.notice = Some(Notice::PrintFailed(what, PrintProblem::NoPrinter));
            return;
        };
        let deadline_ms = now_ms + printer.budget(&slip).as_millis() as u64;
        let job = printer.submit(slip);
        self.staff.print = Some((PrintJob { job, deadline_ms }, what));
        self.staff.notice = Some(Notice::Printing(what));
    }

    /// A print outcome that belongs to staff mode (true: handled here).
    pub(in crate::app) fn staff_printed(&mut self, o: &PrintOutcome) -> bool {
        let Some((job, what)) = self.staff.print else { return false };
        if job.job != o.job {
            return false;
        }
        self.staff.print = None;
        self.staff.notice = Some(match &o.result {
            Ok(_) => {
                self.set_printer(PrinterStatus::Ready);
                Notice::Printed(what)
            }
            Err(e) => {
                let (status, problem) = match e {
                    PrintError::PaperOut => (PrinterStatus::PaperOut, PrintProblem::PaperOut),
                    PrintError::CoverOpen => (PrinterStatus::CoverOpen, PrintProblem::CoverOpen),
                    PrintError::Offline => (PrinterStatus::Offline, PrintProblem::Offline),
                    PrintError::NoAnswer => (PrinterStatus::NoAnswer, PrintProblem::Offline),
                    PrintError::Failed(_) => (self.printer, PrintProblem::Other),
                };
                self.set_printer(status);
                Notice::PrintFailed(what, problem)
            }
        });
        true
    }

    fn staff_check_print_deadline(&mut self) {
        let Some((job, what)) = self.staff.print else { return };
        if self.clock.now_ms() < job.deadline_ms {
            return;
        }
        tracing::error!("staff print job {} did not finish in time; the printer is started again", job.job);
        self.staff.print = None;
        self.set_printer(PrinterStatus::NoAnswer);
        let cfg = self.cfg.config.clone();
        self.devices.rebuild_printer(&cfg);
        self.staff.notice = Some(Notice::PrintFailed(what, PrintProblem::Offline));
    }

    /// A card placed while staff mode is open: a test read, shown masked.
    pub(in crate::app) fn staff_card(&mut self, card: &crate::domain::card::IdCard) {
        let lang = self.session.lang();
        let kind = crate::app::labels::card_type(card.card_type, lang);
        let today = crate::domain::time::china_date(self.wall());
        let state = match (card.checksum_ok(), card.is_expired(today)) {
            (Some(false), _) => self.pick("校验位错误", "bad check digit"),
            (_, true) => self.pick("已过期", "expired"),
            _ => self.pick("有效", "valid"),
        };
        self.staff.test_read =
            Some(format!("{} · {} · {} · {}", kind, card.name_masked(), card.masked_id(), state));
    }
}

/// The effective value of `key` in `cfg`, as TOML text ("" when unset).
pub(super) fn effective(cfg: &Config, key: &str) -> String {
    let Ok(t) = toml::Table::try_from(cfg) else { return String::new() };
    let (section, name) = key.rsplit_once('.').unwrap_or(("", key));
    section
        .split('.')
        .try_fold(&t, |t, part| t.get(part)?.as_table())
        .and_then(|t| t.get(name))
        .map(toml::Value::to_string)
        .unwrap_or_default()
}
