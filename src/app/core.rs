//! The core: owns the session, the store and the devices, turns
//! [`Command`]s into [`UiUpdate`]s. No Slint type appears here; the UI
//! adapters (`src/ui/`) translate updates into Slint properties.
//!
//! It runs either on its own thread ([`Core::run`], the kiosk) or driven
//! step by step on the caller's thread ([`Core::handle`] + [`Core::pump`],
//! the screenshot command and tests). Device events arrive through the same
//! command channel in both cases, so the two behave alike.
//!
//! The core is split by responsibility: this file dispatches commands and
//! carries out the session's effects; [`super::views`] builds what the
//! screen shows; [`super::apply`] records applications; [`super::print`]
//! prints slips and times out lost jobs; [`super::sim`] drives the demo's
//! simulated devices; [`super::health`] keeps device, task and service
//! health.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use super::command::{Command, Filters, SimCommand};
use super::error::{CoreError, Trouble};
use super::print::PrintJob;
use super::session::{Effect, Input, Page, Session, Timeouts};
use super::views::{SessionView, StatusView, UiUpdate};
use crate::clock::Clock;
use crate::config::{Config, Station};
use crate::devices::card_reader::{CardEvent, ReaderStatus};
use crate::devices::printer::PrinterStatus;
use crate::devices::setup::Devices;
use crate::devices::speech::SpeechEvent;
use crate::domain::{Posting, time};
use crate::privacy::DeviceKey;
use crate::search::{SearchHit, SearchQuery, StartWindow};
use crate::slip::Paper;
use crate::store::{StatKind, Store};
use crate::sync::worker::{SyncHandle, SyncStatus};
use crate::tasks::TaskState;

/// Rows the job list holds at most; the count says "1000+" beyond.
pub const LIST_CAP: usize = SearchQuery::MAX_LIMIT;
/// Jobs the attract screen cycles through.
pub const ATTRACT_JOBS: usize = 8;
/// Minimum daily wage buttons (yuan per day).
pub const MIN_WAGES: [u32; 4] = [150, 200, 250, 300];
/// Distance buttons (km): the "15-minute circle" and a little beyond.
pub const DISTANCES_KM: [u32; 4] = [1, 3, 5, 10];

/// What the core needs to know from the configuration.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub station: Station,
    pub timeouts: Timeouts,
    pub paper: Paper,
    pub demo: bool,
    /// The whole configuration, to rebuild a device from.
    pub config: Config,
}

impl CoreConfig {
    pub fn of(cfg: &Config, demo: bool) -> CoreConfig {
        CoreConfig {
            station: cfg.station.clone(),
            timeouts: Timeouts {
                idle_ms: u64::from(cfg.screen.idle_timeout_s) * 1000,
                warning_ms: u64::from(cfg.screen.idle_warning_s.min(cfg.screen.idle_timeout_s)) * 1000,
            },
            paper: cfg.printer.paper(),
            demo,
            config: cfg.clone(),
        }
    }
}

pub struct Core {
    pub(super) cfg: CoreConfig,
    pub(super) session: Session,
    pub(super) filters: Filters,
    pub(super) store: Store,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) devices: Devices,
    pub(super) device_key: DeviceKey,
    tx: Sender<Command>,
    rx: Receiver<Command>,
    /// The current list (≤ LIST_CAP hits) and its query.
    pub(super) hits: Vec<SearchHit>,
    pub(super) detail: Option<Posting>,
    pub(super) print_job: Option<PrintJob>,
    pub(super) reader: ReaderStatus,
    pub(super) printer: PrinterStatus,
    /// The last sync round's report (`None`: no sync configured, or none yet).
    pub(super) sync: Option<SyncStatus>,
    /// Nudges the background sync (an application was just queued).
    pub(super) sync_handle: Option<SyncHandle>,
    /// The outbox item of the application on screen, to show it "sent" live.
    pub(super) applied_outbox: Option<i64>,
    pub(super) online: bool,
    pub(super) offline_since: Option<DateTime<FixedOffset>>,
    pub(super) help_called: bool,
    /// The presence sensor sees someone.
    pub(super) someone_near: bool,
    /// The presence sensor counted this visit (a touch that follows is the same visit).
    pub(super) presence_visit: bool,
    pub(super) sim_slow: bool,
    pub(super) last_view: Option<SessionView>,
    pub(super) last_status: Option<StatusView>,
    pub(super) trades: Vec<String>,
    /// Store failures by what the core was doing, each until that works again.
    pub(super) troubles: BTreeMap<&'static str, Trouble>,
    /// Background tasks that failed and wait to run again, by name.
    pub(super) tasks: BTreeMap<&'static str, TaskState>,
    /// The outbox as the screen shows it.
    pub(super) outbox: super::views::OutboxView,
    /// The utterance being read aloud.
    pub(super) reading: Option<u64>,
    /// Read-aloud was asked for and this kiosk cannot speak (logged why).
    pub(super) speech_unavailable: bool,
    /// Staff mode (`staff/`).
    pub(super) staff: super::staff::StaffState,
    pub(super) last_staff: Option<super::staff::view::StaffView>,
}

impl Core {
    /// The command channel to hand to devices before the core exists.
    pub fn channel() -> (Sender<Command>, Receiver<Command>) {
        mpsc::channel()
    }

    pub fn new(
        cfg: CoreConfig,
        store: Store,
        clock: Arc<dyn Clock>,
        devices: Devices,
        device_key: DeviceKey,
        (tx, rx): (Sender<Command>, Receiver<Command>),
        base: crate::config::Base,
    ) -> Core {
        let mut session = Session::new(cfg.timeouts);
        session.configure(cfg.timeouts, cfg.config.screen.elder_default);
        session.set_today(time::china_date(clock.wall()));
        let staff = super::staff::StaffState::new(base, cfg.timeouts.warning_ms, clock.now_ms());
        let mut core = Core {
            session,
            filters: Filters::default(),
            store,
            clock,
            devices,
            device_key,
            tx,
            rx,
            hits: Vec::new(),
            detail: None,
            print_job: None,
            reader: ReaderStatus::Ready,
            printer: PrinterStatus::Ready,
            sync: None,
            sync_handle: None,
            applied_outbox: None,
            online: true,
            offline_since: None,
            help_called: false,
            someone_near: false,
            presence_visit: false,
            sim_slow: false,
            last_view: None,
            last_status: None,
            trades: Vec::new(),
            troubles: BTreeMap::new(),
            tasks: BTreeMap::new(),
            reading: None,
            speech_unavailable: false,
            outbox: Default::default(),
            staff,
            last_staff: None,
            cfg,
        };
        core.reload_trades();
        core.update_lamp();
        core
    }

    /// The time for every decision: the wall clock, corrected by the
    /// platform's when the local clock is implausible (a Pi without a
    /// real-time clock that booted offline).
    pub(super) fn wall(&self) -> DateTime<FixedOffset> {
        let offset = self.sync.as_ref().and_then(|s| s.clock_offset_s).unwrap_or(0);
        let w = self.clock.wall();
        w.checked_add_signed(chrono::Duration::seconds(offset)).unwrap_or(w)
    }

    /// Lets the core nudge the background sync when something is queued.
    pub fn set_sync(&mut self, h: SyncHandle) {
        self.sync_handle = Some(h);
    }

    pub(super) fn nudge_sync(&self) {
        if let Some(h) = &self.sync_handle {
            h.nudge();
        }
    }

    /// A sender for the UI (and anything else) to reach the core.
    pub fn sender(&self) -> Sender<Command> {
        self.tx.clone()
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn devices(&self) -> &Devices {
        &self.devices
    }

    /// The first job of the current list.
    pub fn first_job_id(&self) -> Option<String> {
        self.hits.first().map(|h| h.identifier.clone())
    }

    /// Everything the screen needs, from scratch.
    pub fn initial(&mut self) -> Vec<UiUpdate> {
        let mut out = Vec::new();
        self.search(&mut out);
        self.attract(&mut out);
        out.push(self.filter_view());
        out.push(UiUpdate::Detail(None));
        out.push(UiUpdate::Slip(None));
        self.views(&mut out, true);
        out
    }

    /// Handles one command, then whatever the devices answered meanwhile.
    pub fn handle(&mut self, cmd: Command) -> Vec<UiUpdate> {
        let mut out = Vec::new();
        self.step(cmd, &mut out);
        self.drain(&mut out);
        out
    }

    /// Handles commands already waiting (device events) without blocking.
    pub fn pump(&mut self) -> Vec<UiUpdate> {
        let mut out = Vec::new();
        self.drain(&mut out);
        out
    }

    /// Handles every command already waiting; false when [`Command::Quit`]
    /// was among them (what came after it is left).
    fn drain(&mut self, out: &mut Vec<UiUpdate>) -> bool {
        while let Ok(cmd) = self.rx.try_recv() {
            if matches!(cmd, Command::Quit) {
                return false;
            }
            self.step(cmd, out);
        }
        true
    }

    /// Runs until [`Command::Quit`] or every sender is gone, ticking every
    /// 250 ms; updates go to `sink` (which hands them to the UI thread).
    pub fn run(mut self, sink: impl Fn(Vec<UiUpdate>)) {
        sink(self.initial());
        loop {
            let cmd = match self.rx.recv_timeout(Duration::from_millis(250)) {
                Ok(Command::Quit) => return,
                Ok(cmd) => cmd,
                Err(RecvTimeoutError::Timeout) => Command::Tick,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut out = Vec::new();
            self.step(cmd, &mut out);
            let go_on = self.drain(&mut out);
            if !out.is_empty() {
                sink(out);
            }
            if !go_on {
                return;
            }
        }
    }

    fn step(&mut self, cmd: Command, out: &mut Vec<UiUpdate>) {
        let now_ms = self.clock.now_ms();
        self.session.set_today(time::china_date(self.wall()));
        let (lang_before, page_before) = (self.session.lang(), self.session.page());
        let mut full = false;
        let staff = self.staff.active();
        match cmd {
            // While staff mode owns the screen, touches are the staff's and
            // no worker's session starts; language and size still switch.
            Command::Session(Input::Touch) if staff => self.staff_touch(),
            Command::Session(input @ (Input::SetLang(_) | Input::ToggleElder)) if staff => {
                self.staff_touch();
                full |= self.input(input, out);
            }
            Command::Session(input) if staff => tracing::debug!("staff mode: {input:?} ignored"),
            Command::Filter(_) | Command::CallStaff | Command::ReadAloud(_) if staff => {}
            Command::Card(CardEvent::Placed(card)) if staff => {
                self.staff.last_read = Some(self.wall());
                if self.staff.mode().open() {
                    self.staff_card(&card);
                }
            }
            Command::Card(CardEvent::Removed) if staff => {}
            Command::Gpio(crate::devices::gpio::GpioEvent::HelpButton) if staff => {}
            Command::Staff(c) => full |= self.staff_command(c, out),
            Command::Session(input) => full |= self.input(input, out),
            Command::Filter(change) => {
                self.session.handle(Input::Touch, now_ms);
                self.filters.change(change);
                self.stat(StatKind::Search, None);
                self.search(out);
                out.push(self.filter_view());
            }
            Command::Card(CardEvent::Placed(card)) => {
                self.staff.last_read = Some(self.wall());
                full |= self.input(Input::CardPlaced(card), out)
            }
            Command::Card(CardEvent::Removed) => full |= self.input(Input::CardRemoved, out),
            Command::Card(CardEvent::Status(s)) => {
                // A card could not be read: show the worker why, wherever they are.
                if matches!(s, ReaderStatus::ReadFailed(_))
                    && self.session.person().is_none()
                    && self.session.page() != Page::Identify
                {
                    full |= self.input(Input::Go(Page::Identify), out);
                }
                self.reader = s;
                self.update_lamp();
            }
            Command::Printed(o) => full |= self.printed(o, out),
            Command::CallStaff => full |= self.call_staff(out),
            Command::Gpio(e) => full |= self.gpio_event(e, out),
            Command::ReadAloud(text) => {
                self.session.handle(Input::Touch, now_ms);
                self.read_aloud(text);
            }
            Command::Speech(SpeechEvent::Finished(n)) => {
                if self.reading == Some(n) {
                    self.reading = None;
                }
            }
            Command::Sim(SimCommand::TogglePresence) => {
                full |= self.gpio_event(crate::devices::gpio::GpioEvent::Presence(!self.someone_near), out)
            }
            Command::Sim(c) => self.sim(c),
            Command::Refresh => self.refresh(out),
            Command::Tick => {
                full |= self.staff_tick(out);
                full |= self.input(Input::Tick, out);
                full |= self.check_print_deadline(out);
                // A job whose time ran out leaves the list when it does.
                let now = self.wall();
                if self.hits.iter().any(|h| h.valid_through <= now) {
                    self.search(out);
                    self.attract(out);
                }
            }
            Command::Sync(st) => {
                if st.online {
                    self.offline_since = None;
                } else if self.online || self.offline_since.is_none() {
                    self.offline_since = Some(st.offline_since.unwrap_or_else(|| self.wall()));
                }
                self.online = st.online;
                let changed = st.cache_changed;
                self.sync = Some(st);
                self.update_lamp();
                if changed {
                    self.refresh(out);
                }
            }
            Command::Task(r) => self.task_report(r),
            Command::Quit => {}
        }
        if self.session.lang() != lang_before {
            full = true;
        }
        if self.session.page() != page_before {
            // What was being read belongs to the page that went away.
            self.stop_reading();
        }
        if full {
            self.search(out);
            self.attract(out);
            out.push(self.filter_view());
            out.push(UiUpdate::Detail(self.detail.as_ref().map(|p| Box::new(self.detail_view(p)))));
        }
        self.views(out, false);
    }

    /// Feeds the session an input and carries out its effects; true when
    /// every view must be redrawn.
    pub(super) fn input(&mut self, input: Input, out: &mut Vec<UiUpdate>) -> bool {
        let fx = self.session.handle(input, self.clock.now_ms());
        self.effects(fx, out)
    }

    /// Carries out the session's effects; true when every view must be redrawn.
    fn effects(&mut self, fx: Vec<Effect>, out: &mut Vec<UiUpdate>) -> bool {
        let mut full = false;
        for e in fx {
            match e {
                // A visit the presence sensor already counted is not counted twice.
                Effect::Visit if std::mem::take(&mut self.presence_visit) => {}
                Effect::Visit => self.stat(StatKind::Visit, None),
                Effect::CardRead => self.stat(StatKind::CardRead, None),
                Effect::ViewedJob(id) => {
                    self.stat(StatKind::View, Some(&id));
                    self.detail = self.posting(&id);
                    out.push(UiUpdate::Detail(self.detail.as_ref().map(|p| Box::new(self.detail_view(p)))));
                    out.push(UiUpdate::Slip(None));
                }
                Effect::Submit { posting_id } => {
                    let outcome = self.apply(&posting_id);
                    full |= self.input(Input::ApplyFinished(outcome), out);
                    // The application changed the openings count.
                    if let Some(p) = self.posting(&posting_id) {
                        self.detail = Some(p);
                    }
                }
                Effect::Print { posting_id, application_no } => {
                    full |= self.print(&posting_id, application_no, out)
                }
                Effect::Wiped(why) => {
                    tracing::info!("session ended: {why:?}");
                    self.filters = Filters::default();
                    self.detail = None;
                    self.applied_outbox = None;
                    self.help_called = false;
                    self.devices.gpio.set_help_lamp(false);
                    self.stop_reading();
                    out.push(UiUpdate::Slip(None));
                    full = true;
                }
            }
        }
        full
    }

    /// A posting from the store; a failed read is shown as service trouble.
    fn posting(&mut self, id: &str) -> Option<Posting> {
        let r = self.store.posting(id);
        self.checked("read a job", r.map_err(CoreError::from)).flatten()
    }

    pub(super) fn stat(&mut self, kind: StatKind, posting: Option<&str>) {
        let at = self.wall().timestamp();
        let r = self.store.record_stat(kind, at, posting);
        self.checked("count a service event", r.map_err(CoreError::from));
    }

    /// Re-reads the trades, the list and the attract jobs (new data).
    fn refresh(&mut self, out: &mut Vec<UiUpdate>) {
        self.reload_trades();
        self.search(out);
        self.attract(out);
        out.push(self.filter_view());
    }

    fn reload_trades(&mut self) {
        let r = self.store.trades_by_count(self.wall());
        if let Some(t) = self.checked("list the trades", r.map_err(CoreError::from)) {
            self.trades = t;
        }
    }

    pub fn query(&self) -> SearchQuery {
        let f = &self.filters;
        let mut q = SearchQuery::near(self.cfg.station.location());
        q.trades = f.trade.iter().cloned().collect();
        q.settlements = f.settlement.into_iter().collect();
        q.within_m = f.within_km.map(|k| k as f64 * 1000.0);
        q.start = f.start;
        if let Some(w) = f.min_daily_wage {
            q.min_wage = Some(w as f64);
            q.wage_unit = Some(crate::domain::WageUnit::Day);
        }
        q.sort = f.sort;
        q.limit = LIST_CAP;
        q
    }

    /// Runs the list's query. A failed search is not "no jobs": the list
    /// says the service is in trouble.
    fn search(&mut self, out: &mut Vec<UiUpdate>) {
        let now = self.wall();
        let r = self.store.search(&self.query(), now).map_err(CoreError::from);
        let failed = match self.checked("search the jobs", r) {
            Some(o) => {
                self.hits = o.hits;
                false
            }
            None => {
                self.hits.clear();
                true
            }
        };
        let rows = self.hits.iter().map(|h| self.row(h)).collect();
        out.push(UiUpdate::Jobs {
            rows,
            count: self.hits.len(),
            capped: self.hits.len() >= LIST_CAP,
            failed,
        });
    }

    fn attract(&mut self, out: &mut Vec<UiUpdate>) {
        let mut q = SearchQuery::near(self.cfg.station.location());
        q.start = Some(StartWindow::Today);
        q.limit = ATTRACT_JOBS;
        let r = self.store.search(&q, self.wall()).map_err(CoreError::from);
        let hits = self.checked("choose the attract jobs", r).map(|o| o.hits).unwrap_or_default();
        out.push(UiUpdate::Attract(hits.iter().map(|h| self.row(h)).collect()));
    }
}

#[cfg(test)]
mod tests;
