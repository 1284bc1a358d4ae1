//! What the screen shows, as plain values: the view models the UI adapters
//! copy into Slint properties, and how the core builds them from its state.
//! Only values a person may see are here: names and ID numbers masked.

use super::command::Filters;
use super::core::Core;
use super::error::CoreError;
use super::labels;
use super::session::{ApplyOutcome, CardProblem, Lang, Page, PrintState, Stage};
use crate::devices::gpio::StatusLed;
use crate::devices::printer::{Preview, PrinterStatus};
use crate::domain::{Posting, Settlement, time};
use crate::search::SearchHit;
use crate::store::OutboxState;

/// The outbox as last read (see `Core::read_outbox`).
#[derive(Debug, Clone, Default)]
pub(super) struct OutboxView {
    pub pending: u64,
    /// The state of the application on screen.
    pub applied: Option<OutboxState>,
}

/// One row of the job list or the attract carousel.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub id: String,
    pub title: String,
    pub trade: String,
    pub wage: String,
    pub wage_unit: String,
    pub settlement: String,
    pub daily_pay: bool,
    pub distance: String,
    pub start: String,
    pub openings: String,
    pub employer: String,
    pub verified: bool,
    pub meals: bool,
    pub lodging: bool,
    pub transport: bool,
    pub insurance: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobDetail {
    pub row: JobRow,
    pub description: String,
    pub physical: String,
    pub hours: String,
    pub address: String,
    pub phone: String,
    pub valid_until: String,
}

/// What the filter page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterView {
    pub filters: Filters,
    /// Trade buttons: (trade as stored, label in the session's language).
    pub trades: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AppliedStatus {
    Sent,
    Waiting,
    Duplicate,
    Closed,
    Failed,
}

/// Everything about the session that is on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    pub page: Page,
    pub stage: Stage,
    pub lang: Lang,
    pub elder: bool,
    pub can_back: bool,
    /// Masked name, masked ID and card kind while someone is identified.
    pub person_name: String,
    pub person_id: String,
    pub person_card: String,
    pub card_problem: Option<CardProblem>,
    pub guest: bool,
    pub can_apply: bool,
    pub submitting: bool,
    pub warning_s: Option<u64>,
    pub application_no: String,
    pub applied: Option<AppliedStatus>,
    pub print: PrintState,
}

/// Top bar and device state.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusView {
    pub station: String,
    pub clock: String,
    pub date: String,
    pub online: bool,
    /// "HH:MM" while offline.
    pub offline_since: String,
    pub reader_ready: bool,
    /// [`ReaderStatus::code`]: `ready`, `missing`, `module-fault`,
    /// `read-failed`, `not-id-card`.
    pub reader: String,
    pub printer_ready: bool,
    /// `ready`, `paper-near-end`, `paper-out`, `cover-open`, `offline`, `no-answer`.
    pub printer: String,
    /// "" when sync is fine or off; `unauthorized` (the platform refused
    /// the token) or `clock` (the local clock is wrong; the platform's is used).
    pub sync_problem: String,
    pub help_called: bool,
    pub outbox_pending: u64,
    pub demo: bool,
    pub sim_slow: bool,
    pub sim_paper_out: bool,
    /// The sample card on the simulated reader (its key), if any.
    pub sim_card: String,
    pub sim_reader_unplugged: bool,
    /// Something is being read aloud.
    pub reading_aloud: bool,
    /// Read-aloud was asked for and cannot work on this kiosk.
    pub speech_unavailable: bool,
    /// "" when the service works; else what the worker sees: `store` (the
    /// database failed: "service trouble, please call staff") or `task`
    /// (a background task failed and is being restarted).
    pub service_problem: String,
    /// This kiosk has no printer configured.
    pub no_printer: bool,
    /// The presence sensor sees someone (the attract page greets them).
    pub someone_near: bool,
    /// The status LED: `ok` (green), `degraded` (amber), `fault` (red).
    pub status_led: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UiUpdate {
    Session(SessionView),
    /// `failed`: the search itself failed (not "no jobs").
    Jobs {
        rows: Vec<JobRow>,
        count: usize,
        capped: bool,
        failed: bool,
    },
    Attract(Vec<JobRow>),
    Detail(Option<Box<JobDetail>>),
    Filters(FilterView),
    Status(StatusView),
    Slip(Option<Preview>),
    Staff(Box<super::staff::view::StaffView>),
}

impl Core {
    pub(super) fn row(&self, h: &SearchHit) -> JobRow {
        let lang = self.session.lang();
        let today = time::china_date(self.wall());
        let (wage, wage_unit) = labels::wage_parts(h.wage, lang);
        JobRow {
            id: h.identifier.clone(),
            title: h.title.clone(),
            trade: labels::trade(&h.trade, lang),
            wage,
            wage_unit,
            settlement: labels::settlement(h.settlement, lang),
            daily_pay: h.settlement == Some(Settlement::Daily),
            distance: labels::distance(h.distance_m, lang),
            start: labels::start_day(h.start_date, today, lang),
            openings: labels::openings(h.openings_left, lang),
            employer: h.employer.clone(),
            verified: h.benefits.verified_employer,
            meals: h.benefits.meals,
            lodging: h.benefits.lodging,
            transport: h.benefits.transport,
            insurance: h.benefits.work_injury_insurance,
        }
    }

    pub(super) fn detail_view(&self, p: &Posting) -> JobDetail {
        let lang = self.session.lang();
        JobDetail {
            row: self.row(&SearchHit::of_posting(p, &self.cfg.station.location())),
            description: p.description.clone(),
            physical: p.physical_requirement.clone().unwrap_or_default(),
            hours: p.work_hours.clone().unwrap_or_default(),
            address: p.address.full(),
            phone: p.employer.telephone.clone().unwrap_or_default(),
            valid_until: labels::date(time::china_date(p.valid_through), lang),
        }
    }

    pub(super) fn filter_view(&self) -> UiUpdate {
        let lang = self.session.lang();
        UiUpdate::Filters(FilterView {
            filters: self.filters.clone(),
            trades: self.trades.iter().map(|t| (t.clone(), labels::trade(t, lang))).collect(),
        })
    }

    /// Pushes the session and status views when they changed (or `force`).
    /// What the screen shows of the outbox, read where a failure can be
    /// shown as service trouble (a failed read keeps the last values).
    fn read_outbox(&mut self) {
        let r = self.store.outbox_pending().map_err(CoreError::from);
        if let Some(n) = self.checked("count the queued submissions", r) {
            self.outbox.pending = n;
        }
        self.outbox.applied = match self.applied_outbox {
            None => None,
            Some(id) => {
                let r = self.store.outbox_state(id).map_err(CoreError::from);
                self.checked("read an application's state", r).flatten().or(self.outbox.applied.take())
            }
        };
    }

    pub(super) fn views(&mut self, out: &mut Vec<UiUpdate>, force: bool) {
        self.read_outbox();
        let v = self.session_view();
        if force || self.last_view.as_ref() != Some(&v) {
            self.last_view = Some(v.clone());
            out.push(UiUpdate::Session(v));
        }
        let s = self.status_view();
        if force || self.last_status.as_ref() != Some(&s) {
            self.last_status = Some(s.clone());
            out.push(UiUpdate::Status(s));
        }
        let st = self.staff_view();
        if force || self.last_staff.as_ref() != Some(&st) {
            self.last_staff = Some(st.clone());
            out.push(UiUpdate::Staff(Box::new(st)));
        }
    }

    pub fn session_view(&self) -> SessionView {
        let s = &self.session;
        let lang = s.lang();
        let person = s.person();
        let applied = s.applied();
        SessionView {
            page: s.page(),
            stage: s.stage(),
            lang,
            elder: s.elder(),
            can_back: s.can_go_back(),
            person_name: person.map(|p| p.card.name_masked()).unwrap_or_default(),
            person_id: person.map(|p| p.card.masked_id()).unwrap_or_default(),
            person_card: person
                .map(|p| labels::card_type(p.card.card_type, lang).to_string())
                .unwrap_or_default(),
            card_problem: person.and_then(|p| p.problem),
            guest: s.is_guest(),
            can_apply: s.can_apply(),
            submitting: s.submitting(),
            // The same warning for staff as for workers.
            warning_s: if self.staff.active() {
                self.staff.mode().warning_left_s(self.clock.now_ms())
            } else {
                s.warning_left_s(self.clock.now_ms())
            },
            application_no: applied.and_then(|a| a.application_no()).unwrap_or_default().to_string(),
            applied: applied.map(|a| match a {
                ApplyOutcome::Recorded { sent: true, .. } => AppliedStatus::Sent,
                // Live: what the platform has said since.
                ApplyOutcome::Recorded { sent: false, .. } => match &self.outbox.applied {
                    Some(OutboxState::Done) => AppliedStatus::Sent,
                    Some(OutboxState::Failed { code }) => match code.as_deref() {
                        Some("already_applied") => AppliedStatus::Duplicate,
                        Some("posting_closed") => AppliedStatus::Closed,
                        _ => AppliedStatus::Failed,
                    },
                    Some(OutboxState::Pending) | None => AppliedStatus::Waiting,
                },
                ApplyOutcome::AlreadyApplied { .. } => AppliedStatus::Duplicate,
                ApplyOutcome::Closed => AppliedStatus::Closed,
                ApplyOutcome::Failed => AppliedStatus::Failed,
            }),
            print: s.print_state(),
        }
    }

    pub fn status_view(&self) -> StatusView {
        let now = self.wall();
        let sim = &self.devices.sim;
        let card_sim = self.devices.card_simulator();
        let paper_out =
            sim.printer.as_ref().is_some_and(|p| p.paper_out.load(std::sync::atomic::Ordering::SeqCst));
        StatusView {
            station: self.cfg.station.name.clone(),
            clock: now.format("%H:%M").to_string(),
            date: labels::date(time::china_date(now), self.session.lang()),
            online: self.online,
            offline_since: self.offline_since.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
            reader_ready: self.reader.is_ready(),
            reader: self.reader.code().to_string(),
            printer_ready: self.devices.printer.is_some() && self.printer.can_print(),
            printer: if self.devices.printer.is_some() { printer_code(self.printer) } else { "none" }
                .to_string(),
            sync_problem: match &self.sync {
                Some(s) if s.unauthorized => "unauthorized",
                Some(s) if s.clock_offset_s.is_some() => "clock",
                _ => "",
            }
            .to_string(),
            help_called: self.help_called,
            outbox_pending: self.outbox.pending,
            demo: self.cfg.demo,
            sim_slow: self.sim_slow,
            sim_paper_out: paper_out,
            sim_card: card_sim.and_then(|r| r.on_reader()).map(|s| s.key().to_string()).unwrap_or_default(),
            sim_reader_unplugged: card_sim.is_some_and(|r| !r.plugged_in()),
            reading_aloud: self.reading.is_some(),
            speech_unavailable: self.speech_unavailable,
            service_problem: if !self.troubles.is_empty() {
                "store"
            } else if !self.tasks.is_empty() {
                "task"
            } else {
                ""
            }
            .to_string(),
            no_printer: self.devices.printer.is_none(),
            someone_near: self.someone_near,
            status_led: match self.status_led() {
                StatusLed::Ok => "ok",
                StatusLed::Degraded => "degraded",
                StatusLed::Fault => "fault",
            }
            .to_string(),
        }
    }
}

fn printer_code(s: PrinterStatus) -> &'static str {
    match s {
        PrinterStatus::Ready => "ready",
        PrinterStatus::PaperNearEnd => "paper-near-end",
        PrinterStatus::PaperOut => "paper-out",
        PrinterStatus::CoverOpen => "cover-open",
        PrinterStatus::Offline => "offline",
        PrinterStatus::NoAnswer => "no-answer",
    }
}
