//! The core: owns the session, the store and the devices, turns
//! [`Command`]s into [`UiUpdate`]s. No Slint type appears here; the UI
//! adapters (`src/ui/`) translate updates into Slint properties.
//!
//! It runs either on its own thread ([`Core::run`], the kiosk) or driven
//! step by step on the caller's thread ([`Core::handle`] + [`Core::pump`],
//! the screenshot command and tests). Device events arrive through the same
//! command channel in both cases, so the two behave alike.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::labels;
use super::session::{
    ApplyOutcome, CardProblem, Effect, Input, Lang, Page, PrintProblem, PrintState, Session, Stage, Timeouts,
};
use crate::config::Station;
use crate::devices::card_reader::ptysim::PtyReaderSim;
use crate::devices::card_reader::samples::Sample;
use crate::devices::card_reader::serial::{PortChoice, ReaderConfig, SerialCardReader};
use crate::devices::card_reader::sim::{SimCardReader, SimReader};
use crate::devices::card_reader::{CardEvent, ReaderStatus};
use crate::devices::gpio::{Gpio, Lamp};
use crate::devices::printer::sim::SimPrinterControls;
use crate::devices::printer::worker::{PrintOutcome, PrinterWorker};
use crate::devices::printer::{Preview, PrintError, PrinterStatus};
use crate::domain::{Posting, Settlement, time};
use crate::search::{SearchHit, SearchQuery, SortOrder, StartWindow};
use crate::slip::{Applied, Paper, SlipContext, job_slip};
use crate::store::{ApplicationRecord, NewApplication, StatKind, Store};

/// Rows the job list holds at most; the count says "1000+" beyond.
pub const LIST_CAP: usize = SearchQuery::MAX_LIMIT;
/// Jobs the attract screen cycles through.
pub const ATTRACT_JOBS: usize = 8;
/// Minimum daily wage buttons (yuan per day).
pub const MIN_WAGES: [u32; 4] = [150, 200, 250, 300];
/// Distance buttons (km): the "15-minute circle" and a little beyond.
pub const DISTANCES_KM: [u32; 4] = [1, 3, 5, 10];

/// Time as the core sees it: a monotonic millisecond count for the idle
/// timer and the wall clock (China time) for data.
pub trait Clock: Send {
    fn now_ms(&self) -> u64;
    fn wall(&self) -> DateTime<FixedOffset>;
}

/// The machine's clocks; `wall0` pins the wall clock's start (`--now`).
pub struct SystemClock {
    start: Instant,
    wall0: Option<DateTime<FixedOffset>>,
}

impl SystemClock {
    pub fn new(wall0: Option<DateTime<FixedOffset>>) -> SystemClock {
        SystemClock { start: Instant::now(), wall0 }
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }
    fn wall(&self) -> DateTime<FixedOffset> {
        match self.wall0 {
            Some(w) => w + chrono::Duration::milliseconds(self.now_ms() as i64),
            None => time::in_china(chrono::Utc::now()),
        }
    }
}

/// A clock the caller moves (tests, screenshots).
#[derive(Clone)]
pub struct ManualClock(std::sync::Arc<std::sync::Mutex<(u64, DateTime<FixedOffset>)>>);

impl ManualClock {
    pub fn new(wall: DateTime<FixedOffset>) -> ManualClock {
        ManualClock(std::sync::Arc::new(std::sync::Mutex::new((0, wall))))
    }
    pub fn advance(&self, ms: u64) {
        if let Ok(mut g) = self.0.lock() {
            g.0 += ms;
            g.1 += chrono::Duration::milliseconds(ms as i64);
        }
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.lock().map(|g| g.0).unwrap_or(0)
    }
    fn wall(&self) -> DateTime<FixedOffset> {
        self.0.lock().map(|g| g.1).unwrap_or_else(|_| time::in_china(chrono::Utc::now()))
    }
}

/// Filter buttons' state. Reset with the session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub trade: Option<String>,
    pub settlement: Option<Settlement>,
    pub within_km: Option<u32>,
    pub start: Option<StartWindow>,
    pub min_daily_wage: Option<u32>,
    pub sort: SortOrder,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FilterChange {
    Trade(Option<String>),
    Settlement(Option<Settlement>),
    WithinKm(Option<u32>),
    Start(Option<StartWindow>),
    MinDailyWage(Option<u32>),
    Sort(SortOrder),
    Clear,
}

/// The demo drawer's controls.
#[derive(Debug, Clone, PartialEq)]
pub enum SimCommand {
    PlaceCard(Sample),
    RemoveCard,
    TogglePaper,
    ToggleNetwork,
    /// Make the reader and printer slow (to show the UI never waits).
    ToggleSlow,
    /// Pull out (or plug back in) the reader's cable.
    ToggleReaderCable,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Session(Input),
    Filter(FilterChange),
    Card(CardEvent),
    Printed(PrintOutcome),
    CallStaff,
    /// Ask for the current page to be read aloud (the UI says which text).
    Sim(SimCommand),
    /// Re-read the job list (new data arrived).
    Refresh,
    /// The background sync finished a round.
    Sync(crate::sync::worker::SyncStatus),
    Tick,
    Quit,
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
}

#[derive(Debug, Clone, PartialEq)]
pub enum UiUpdate {
    Session(SessionView),
    Jobs { rows: Vec<JobRow>, count: usize, capped: bool },
    Attract(Vec<JobRow>),
    Detail(Option<Box<JobDetail>>),
    Filters(FilterView),
    Status(StatusView),
    Slip(Option<Preview>),
}

/// The devices the core drives.
pub struct Devices {
    /// The serial card reader's polling thread (a real reader, or the
    /// simulated module on a pseudo-terminal); dropped first, so it stops
    /// before the simulator behind it.
    pub reader: Option<SerialCardReader>,
    pub printer: PrinterWorker,
    pub gpio: Box<dyn Gpio>,
    pub sim: Option<SimDevices>,
}

/// The simulated devices' controls (demo mode and tests).
pub struct SimDevices {
    /// `None` when a real reader is configured.
    pub reader: Option<SimReader>,
    /// `None` when a real printer is configured.
    pub printer: Option<SimPrinterControls>,
    /// The lamps, as the simulated GPIO last set them.
    pub gpio: crate::devices::gpio::sim::SimGpio,
}

/// Which card reader to run.
#[derive(Debug, Clone, PartialEq)]
pub enum ReaderSetup {
    /// The in-process simulated reader (tests, screenshots).
    InProcess,
    /// The simulated module on a pseudo-terminal at this path, read by the
    /// serial driver (demo mode); falls back to in-process if no terminal
    /// can be made.
    Pty(PathBuf),
    /// A real reader.
    Serial(ReaderConfig),
}

/// Which printer to drive.
#[derive(Debug, Clone, PartialEq)]
pub enum PrinterSetup {
    /// The virtual printer: slips become PNGs (demo mode, tests).
    Simulated(crate::slip::escpos::Options),
    /// A real ESC/POS printer.
    EscPos(crate::devices::printer::transport::Target, crate::slip::escpos::Options),
}

/// Where the card reader's events go.
fn card_sink(tx: &Sender<Command>) -> crate::devices::EventSink<CardEvent> {
    let tx = tx.clone();
    std::sync::Arc::new(move |e| {
        let _ = tx.send(Command::Card(e));
    })
}

impl Devices {
    /// Simulated reader (in-process), printer (PNG slips into `slip_dir`)
    /// and GPIO. `threaded`: devices work on their own threads, as real
    /// ones do; otherwise they answer at once (screenshots, tests).
    pub fn simulated(tx: &Sender<Command>, slip_dir: PathBuf, threaded: bool) -> Devices {
        Devices::new(
            tx,
            slip_dir,
            threaded,
            ReaderSetup::InProcess,
            PrinterSetup::Simulated(Default::default()),
        )
    }

    pub fn new(
        tx: &Sender<Command>,
        slip_dir: PathBuf,
        threaded: bool,
        reader: ReaderSetup,
        printer: PrinterSetup,
    ) -> Devices {
        let (reader, sim_reader) = match reader {
            ReaderSetup::InProcess => (None, Some(SimReader::InProcess(SimCardReader::new(card_sink(tx))))),
            ReaderSetup::Pty(link) => match PtyReaderSim::start(&link, 115_200) {
                Ok(sim) => {
                    let cfg = ReaderConfig::new(PortChoice::Path(sim.path().to_path_buf()), 115_200);
                    (Some(SerialCardReader::spawn(cfg, card_sink(tx))), Some(SimReader::Pty(sim)))
                }
                Err(e) => {
                    tracing::warn!(
                        "no pseudo-terminal for the simulated reader ({e}); simulating in-process"
                    );
                    (None, Some(SimReader::InProcess(SimCardReader::new(card_sink(tx)))))
                }
            },
            ReaderSetup::Serial(cfg) => (Some(SerialCardReader::spawn(cfg, card_sink(tx))), None),
        };
        let gpio = crate::devices::gpio::sim::SimGpio::default();
        let (printer, controls): (Box<dyn crate::devices::printer::SlipPrinter>, _) = match printer {
            PrinterSetup::Simulated(opts) => {
                let controls = SimPrinterControls::default();
                let p = crate::devices::printer::sim::SimPrinter::new(slip_dir, controls.clone())
                    .with_options(opts);
                (Box::new(p), Some(controls))
            }
            PrinterSetup::EscPos(target, opts) => {
                (Box::new(crate::devices::printer::escpos::EscPosPrinter::new(target, opts)), None)
            }
        };
        let print_tx = tx.clone();
        let done: crate::devices::EventSink<PrintOutcome> = std::sync::Arc::new(move |o| {
            let _ = print_tx.send(Command::Printed(o));
        });
        let printer =
            if threaded { PrinterWorker::spawn(printer, done) } else { PrinterWorker::inline(printer, done) };
        Devices {
            reader,
            printer,
            gpio: Box::new(gpio.clone()),
            sim: Some(SimDevices { reader: sim_reader, printer: controls, gpio }),
        }
    }
}

/// What the core needs to know from the configuration.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    pub station: Station,
    pub timeouts: Timeouts,
    pub paper: Paper,
    pub demo: bool,
    /// `<data dir>/device.key`: the key of the person hash.
    pub device_key_file: PathBuf,
}

pub struct Core {
    cfg: CoreConfig,
    session: Session,
    filters: Filters,
    store: Store,
    clock: Box<dyn Clock>,
    devices: Devices,
    device_key: Vec<u8>,
    tx: Sender<Command>,
    rx: Receiver<Command>,
    /// The current list (≤ LIST_CAP hits) and its query.
    hits: Vec<SearchHit>,
    detail: Option<Posting>,
    print_job: Option<u64>,
    reader: ReaderStatus,
    printer: PrinterStatus,
    /// The last sync round's report (`None`: no sync configured, or none yet).
    sync: Option<crate::sync::worker::SyncStatus>,
    /// Nudges the background sync (an application was just queued).
    sync_handle: Option<crate::sync::worker::SyncHandle>,
    /// The outbox item of the application on screen, to show it "sent" live.
    applied_outbox: Option<i64>,
    online: bool,
    offline_since: Option<DateTime<FixedOffset>>,
    help_called: bool,
    sim_slow: bool,
    last_view: Option<SessionView>,
    last_status: Option<StatusView>,
    trades: Vec<String>,
}

impl Core {
    /// The command channel to hand to devices before the core exists.
    pub fn channel() -> (Sender<Command>, Receiver<Command>) {
        mpsc::channel()
    }

    pub fn new(
        cfg: CoreConfig,
        store: Store,
        clock: Box<dyn Clock>,
        devices: Devices,
        (tx, rx): (Sender<Command>, Receiver<Command>),
    ) -> Core {
        let device_key = load_or_create_key(&cfg.device_key_file);
        let mut devices = devices;
        devices.gpio.set_lamp(Lamp::Status, true);
        let mut session = Session::new(cfg.timeouts);
        session.set_today(time::china_date(clock.wall()));
        let trades = store.trades_by_count(clock.wall()).unwrap_or_default();
        Core {
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
            sim_slow: false,
            last_view: None,
            last_status: None,
            trades,
            cfg,
        }
    }

    /// The time for every decision: the wall clock, corrected by the
    /// platform's when the local clock is implausible (a Pi without a
    /// real-time clock that booted offline).
    fn wall(&self) -> DateTime<FixedOffset> {
        let offset = self.sync.as_ref().and_then(|s| s.clock_offset_s).unwrap_or(0);
        self.clock.wall() + chrono::Duration::seconds(offset)
    }

    /// Lets the core nudge the background sync when something is queued.
    pub fn set_sync(&mut self, h: crate::sync::worker::SyncHandle) {
        self.sync_handle = Some(h);
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

    fn drain(&mut self, out: &mut Vec<UiUpdate>) {
        while let Ok(cmd) = self.rx.try_recv() {
            self.step(cmd, out);
        }
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
            self.drain(&mut out);
            if !out.is_empty() {
                sink(out);
            }
        }
    }

    fn step(&mut self, cmd: Command, out: &mut Vec<UiUpdate>) {
        let now_ms = self.clock.now_ms();
        self.session.set_today(time::china_date(self.wall()));
        let lang_before = self.session.lang();
        let mut full = false;
        match cmd {
            Command::Session(input) => {
                let fx = self.session.handle(input, now_ms);
                full |= self.effects(fx, out);
            }
            Command::Filter(change) => {
                self.session.handle(Input::Touch, now_ms);
                self.change_filter(change);
                self.stat(StatKind::Search, None);
                self.search(out);
                out.push(self.filter_view());
            }
            Command::Card(CardEvent::Placed(card)) => {
                let fx = self.session.handle(Input::CardPlaced(card), now_ms);
                full |= self.effects(fx, out);
            }
            Command::Card(CardEvent::Removed) => {
                let fx = self.session.handle(Input::CardRemoved, now_ms);
                full |= self.effects(fx, out);
            }
            Command::Card(CardEvent::Status(s)) => {
                // A card could not be read: show the worker why, wherever they are.
                if matches!(s, ReaderStatus::ReadFailed(_))
                    && self.session.person().is_none()
                    && self.session.page() != Page::Identify
                {
                    let fx = self.session.handle(Input::Go(Page::Identify), now_ms);
                    full |= self.effects(fx, out);
                }
                self.reader = s;
                // The status lamp goes out while the reader is out of order.
                self.update_lamp();
            }
            Command::Printed(o) => {
                if self.print_job == Some(o.job) {
                    self.print_job = None;
                    let r = match o.result {
                        Ok(printed) => {
                            self.set_printer(PrinterStatus::Ready);
                            self.stat(StatKind::Print, self.session.job().map(str::to_string).as_deref());
                            out.push(UiUpdate::Slip(printed.preview));
                            Ok(())
                        }
                        Err(e) => {
                            tracing::warn!("printing failed: {e}");
                            self.set_printer(match e {
                                PrintError::PaperOut => PrinterStatus::PaperOut,
                                PrintError::CoverOpen => PrinterStatus::CoverOpen,
                                PrintError::Offline => PrinterStatus::Offline,
                                PrintError::NoAnswer => PrinterStatus::NoAnswer,
                                // The printer answered; the job failed.
                                PrintError::Failed(_) => self.printer,
                            });
                            Err(match e {
                                PrintError::PaperOut => PrintProblem::PaperOut,
                                PrintError::CoverOpen => PrintProblem::CoverOpen,
                                PrintError::Offline | PrintError::NoAnswer => PrintProblem::Offline,
                                PrintError::Failed(_) => PrintProblem::Other,
                            })
                        }
                    };
                    let fx = self.session.handle(Input::PrintFinished(r), now_ms);
                    full |= self.effects(fx, out);
                }
            }
            Command::CallStaff => {
                self.session.handle(Input::Touch, now_ms);
                self.help_called = true;
                self.devices.gpio.set_lamp(Lamp::Help, true);
                self.stat(StatKind::Help, None);
                if self.session.page() != Page::Help {
                    let fx = self.session.handle(Input::Go(Page::Help), now_ms);
                    full |= self.effects(fx, out);
                }
            }
            Command::Sim(c) => self.sim(c),
            Command::Refresh => {
                self.trades = self.store.trades_by_count(self.wall()).unwrap_or_default();
                self.search(out);
                self.attract(out);
                out.push(self.filter_view());
            }
            Command::Tick => {
                let fx = self.session.handle(Input::Tick, now_ms);
                full |= self.effects(fx, out);
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
                if st.cache_changed {
                    self.trades = self.store.trades_by_count(self.wall()).unwrap_or_default();
                    self.search(out);
                    self.attract(out);
                    out.push(self.filter_view());
                }
                self.sync = Some(st);
            }
            Command::Quit => {}
        }
        if self.session.lang() != lang_before {
            full = true;
        }
        if full {
            self.search(out);
            self.attract(out);
            out.push(self.filter_view());
            out.push(UiUpdate::Detail(self.detail.as_ref().map(|p| Box::new(self.detail_view(p)))));
        }
        self.views(out, false);
    }

    /// Carries out the session's effects; true when every view must be redrawn.
    fn effects(&mut self, fx: Vec<Effect>, out: &mut Vec<UiUpdate>) -> bool {
        let mut full = false;
        for e in fx {
            match e {
                Effect::Visit => self.stat(StatKind::Visit, None),
                Effect::CardRead => self.stat(StatKind::CardRead, None),
                Effect::ViewedJob(id) => {
                    self.stat(StatKind::View, Some(&id));
                    self.detail = self.store.posting(&id).ok().flatten();
                    out.push(UiUpdate::Detail(self.detail.as_ref().map(|p| Box::new(self.detail_view(p)))));
                    out.push(UiUpdate::Slip(None));
                }
                Effect::Submit { posting_id } => {
                    let outcome = self.apply(&posting_id);
                    let more = self.session.handle(Input::ApplyFinished(outcome), self.clock.now_ms());
                    full |= self.effects(more, out);
                    // The application changed the openings count.
                    if let Ok(Some(p)) = self.store.posting(&posting_id) {
                        self.detail = Some(p);
                    }
                }
                Effect::Print { posting_id, application_no } => self.print(&posting_id, application_no, out),
                Effect::Wiped(why) => {
                    tracing::info!("session ended: {why:?}");
                    self.filters = Filters::default();
                    self.detail = None;
                    self.applied_outbox = None;
                    self.help_called = false;
                    self.devices.gpio.set_lamp(Lamp::Help, false);
                    out.push(UiUpdate::Slip(None));
                    full = true;
                }
            }
        }
        full
    }

    fn stat(&mut self, kind: StatKind, posting: Option<&str>) {
        let at = self.wall().timestamp();
        if let Err(e) = self.store.record_stat(kind, at, posting) {
            tracing::warn!("cannot count a {} event: {e}", kind.code());
        }
    }

    fn change_filter(&mut self, c: FilterChange) {
        let f = &mut self.filters;
        match c {
            FilterChange::Trade(t) => f.trade = t,
            FilterChange::Settlement(s) => f.settlement = s,
            FilterChange::WithinKm(k) => f.within_km = k,
            FilterChange::Start(s) => f.start = s,
            FilterChange::MinDailyWage(w) => f.min_daily_wage = w,
            FilterChange::Sort(s) => f.sort = s,
            FilterChange::Clear => *f = Filters { sort: f.sort, ..Filters::default() },
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

    fn search(&mut self, out: &mut Vec<UiUpdate>) {
        let now = self.wall();
        self.hits = match self.store.search(&self.query(), now) {
            Ok(o) => o.hits,
            Err(e) => {
                tracing::error!("search failed: {e}");
                Vec::new()
            }
        };
        let rows = self.hits.iter().map(|h| self.row(h)).collect();
        out.push(UiUpdate::Jobs { rows, count: self.hits.len(), capped: self.hits.len() >= LIST_CAP });
    }

    fn attract(&mut self, out: &mut Vec<UiUpdate>) {
        let mut q = SearchQuery::near(self.cfg.station.location());
        q.start = Some(StartWindow::Today);
        q.limit = ATTRACT_JOBS;
        let hits = self.store.search(&q, self.wall()).map(|o| o.hits).unwrap_or_default();
        out.push(UiUpdate::Attract(hits.iter().map(|h| self.row(h)).collect()));
    }

    fn row(&self, h: &SearchHit) -> JobRow {
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

    fn detail_view(&self, p: &Posting) -> JobDetail {
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

    fn filter_view(&self) -> UiUpdate {
        let lang = self.session.lang();
        UiUpdate::Filters(FilterView {
            filters: self.filters.clone(),
            trades: self.trades.iter().map(|t| (t.clone(), labels::trade(t, lang))).collect(),
        })
    }

    /// Pushes the session and status views when they changed (or `force`).
    fn views(&mut self, out: &mut Vec<UiUpdate>, force: bool) {
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
            warning_s: s.warning_left_s(self.clock.now_ms()),
            application_no: applied.and_then(|a| a.application_no()).unwrap_or_default().to_string(),
            applied: applied.map(|a| match a {
                ApplyOutcome::Recorded { sent: true, .. } => AppliedStatus::Sent,
                // Live: what the platform has said since.
                ApplyOutcome::Recorded { sent: false, .. } => {
                    match self.applied_outbox.and_then(|id| self.store.outbox_state(id).ok().flatten()) {
                        Some((state, _)) if state == "done" => AppliedStatus::Sent,
                        Some((state, code)) if state == "failed" => match code.as_deref() {
                            Some("already_applied") => AppliedStatus::Duplicate,
                            Some("posting_closed") => AppliedStatus::Closed,
                            _ => AppliedStatus::Failed,
                        },
                        _ => AppliedStatus::Waiting,
                    }
                }
                ApplyOutcome::AlreadyApplied { .. } => AppliedStatus::Duplicate,
                ApplyOutcome::Closed => AppliedStatus::Closed,
                ApplyOutcome::Failed => AppliedStatus::Failed,
            }),
            print: s.print_state(),
        }
    }

    fn status_view(&self) -> StatusView {
        let now = self.wall();
        let sim = self.devices.sim.as_ref();
        let paper_out = sim
            .and_then(|s| s.printer.as_ref())
            .is_some_and(|p| p.paper_out.load(std::sync::atomic::Ordering::SeqCst));
        StatusView {
            station: self.cfg.station.name.clone(),
            clock: now.format("%H:%M").to_string(),
            date: labels::date(time::china_date(now), self.session.lang()),
            online: self.online,
            offline_since: self.offline_since.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
            reader_ready: self.reader.is_ready(),
            reader: self.reader.code().to_string(),
            printer_ready: self.printer.can_print(),
            printer: printer_code(self.printer).to_string(),
            sync_problem: match &self.sync {
                Some(s) if s.unauthorized => "unauthorized",
                Some(s) if s.clock_offset_s.is_some() => "clock",
                _ => "",
            }
            .to_string(),
            help_called: self.help_called,
            outbox_pending: self.store.outbox_pending().unwrap_or(0),
            demo: self.cfg.demo,
            sim_slow: self.sim_slow,
            sim_paper_out: paper_out,
            sim_card: sim
                .and_then(|s| s.reader.as_ref()?.on_reader())
                .map(|s| s.key().to_string())
                .unwrap_or_default(),
            sim_reader_unplugged: sim.and_then(|s| s.reader.as_ref()).is_some_and(|r| !r.plugged_in()),
        }
    }

    fn sim(&mut self, c: SimCommand) {
        let Some(sim) = &self.devices.sim else {
            tracing::warn!("simulator command without simulated devices: {c:?}");
            return;
        };
        let reader = sim.reader.as_ref();
        let mut printer = None;
        match c {
            SimCommand::PlaceCard(s) => reader.into_iter().for_each(|r| r.place(s)),
            SimCommand::RemoveCard => reader.into_iter().for_each(SimReader::remove),
            SimCommand::ToggleReaderCable => {
                reader.into_iter().for_each(|r| r.set_plugged_in(!r.plugged_in()));
            }
            SimCommand::TogglePaper => {
                if let Some(p) = &sim.printer {
                    let was_out = p.paper_out.fetch_xor(true, std::sync::atomic::Ordering::SeqCst);
                    printer = Some(if was_out { PrinterStatus::Ready } else { PrinterStatus::PaperOut });
                }
            }
            SimCommand::ToggleNetwork => {
                self.online = !self.online;
                self.offline_since = (!self.online).then(|| self.wall());
            }
            SimCommand::ToggleSlow => {
                self.sim_slow = !self.sim_slow;
                let ms = if self.sim_slow { 3000 } else { self.demo_print_ms() };
                if let Some(p) = &sim.printer {
                    p.delay_ms.store(ms, std::sync::atomic::Ordering::SeqCst);
                }
                reader.into_iter().for_each(|r| r.set_slow(self.sim_slow, Duration::from_secs(3)));
            }
        }
        if let Some(p) = printer {
            self.set_printer(p);
        }
    }

    fn set_printer(&mut self, s: PrinterStatus) {
        self.printer = s;
        self.update_lamp();
    }

    /// The status lamp is lit while the reader and the printer can both work.
    fn update_lamp(&mut self) {
        let ok = self.reader.is_ready() && self.printer.can_print();
        self.devices.gpio.set_lamp(Lamp::Status, ok);
    }

    fn demo_print_ms(&self) -> u64 {
        if self.cfg.demo { 1200 } else { 0 }
    }

    /// Makes the simulated reader take this long to read a card (demo mode).
    pub fn set_sim_read_delay(&self, d: Duration) {
        if let Some(SimReader::InProcess(r)) = self.devices.sim.as_ref().and_then(|s| s.reader.as_ref()) {
            r.set_read_delay(d);
        }
    }

    /// Makes the simulated printer as slow as a real one (demo mode).
    pub fn set_sim_print_delay(&self, ms: u64) {
        if let Some(p) = self.devices.sim.as_ref().and_then(|s| s.printer.as_ref()) {
            p.delay_ms.store(ms, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn apply(&mut self, posting_id: &str) -> ApplyOutcome {
        let now = self.wall();
        match self.store.posting(posting_id) {
            Ok(Some(p)) if p.is_open(now) => {}
            Ok(_) => return ApplyOutcome::Closed,
            Err(e) => {
                tracing::error!("cannot read the job to apply: {e}");
                return ApplyOutcome::Failed;
            }
        }
        let Some(person) = self.session.person() else { return ApplyOutcome::Failed };
        let card = &person.card;
        let person_hash =
            person_hash(&self.device_key, card.card_type.code(), card.id_number_for_submission());
        let body = serde_json::json!({
            "posting_id": posting_id,
            "applicant": {
                "id_number": card.id_number_for_submission(),
                "name": card.name(),
                "card_type": card.card_type.code(),
            },
            "station_id": self.cfg.station.id,
            "applied_at": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        })
        .to_string();
        let body = zeroize::Zeroizing::new(body);
        let key = uuid::Uuid::new_v4().to_string();
        let today = time::china_date(now);
        let rec = self.store.record_application(&NewApplication {
            posting_id,
            person_hash: &person_hash,
            idempotency_key: &key,
            body: &body,
            now: now.timestamp(),
            day_start: time::start_of_china_day(today).timestamp(),
            day_label: &today.format("%y%m%d").to_string(),
        });
        match rec {
            Ok(ApplicationRecord::New { application_no, outbox_id }) => {
                tracing::info!("application {application_no} queued (outbox {outbox_id})");
                self.applied_outbox = Some(outbox_id);
                if let Some(h) = &self.sync_handle {
                    h.nudge();
                }
                let sent = self.store.outbox_done(outbox_id).unwrap_or(false);
                ApplyOutcome::Recorded { application_no, sent }
            }
            Ok(ApplicationRecord::Duplicate { application_no }) => {
                ApplyOutcome::AlreadyApplied { application_no }
            }
            Err(e) => {
                tracing::error!("cannot record an application: {e}");
                ApplyOutcome::Failed
            }
        }
    }

    fn print(&mut self, posting_id: &str, application_no: Option<String>, out: &mut Vec<UiUpdate>) {
        let posting = match self.store.posting(posting_id) {
            Ok(Some(p)) => p,
            _ => {
                let fx =
                    self.session.handle(Input::PrintFinished(Err(PrintProblem::Other)), self.clock.now_ms());
                self.effects(fx, out);
                return;
            }
        };
        let ctx = SlipContext {
            station_name: self.cfg.station.name.clone(),
            station_location: self.cfg.station.location(),
            printed_at: self.wall(),
            paper: self.cfg.paper,
        };
        let applied = application_no.map(|no| Applied {
            application_no: no,
            masked_id: self.session.person().map(|p| p.card.masked_id()).unwrap_or_default(),
        });
        let slip = job_slip(&posting, &ctx, applied.as_ref());
        // The job number is known before an inline printer answers.
        self.print_job = Some(self.devices.printer.next_job());
        self.devices.printer.submit(slip);
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

/// HMAC-SHA-256 of card type and number under the device key, hex.
pub fn person_hash(key: &[u8], card_type: &str, id_number: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else { return String::new() };
    mac.update(card_type.as_bytes());
    mac.update(b":");
    mac.update(id_number.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the device key, creating it (32 random bytes, mode 0600) on first use.
pub fn load_or_create_key(path: &std::path::Path) -> Vec<u8> {
    if let Ok(k) = std::fs::read(path)
        && k.len() >= 32
    {
        return k;
    }
    let mut k = Vec::with_capacity(32);
    k.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    k.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    let written = (|| -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, &k)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        // Duplicates are then only detected until the kiosk restarts.
        tracing::error!("cannot write the device key {}: {e}", path.display());
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Parts, build};
    use crate::test_support::fixture_now;

    fn demo_core(dir: &std::path::Path) -> (Core, ManualClock) {
        let cfg = crate::config::Builder::new(crate::config::Mode::Demo).build().unwrap().config;
        let mut store = Store::open_in_dir(dir).unwrap();
        crate::import::load_demo(&mut store, fixture_now()).unwrap();
        let clock = ManualClock::new(fixture_now());
        let parts = Parts { store, clock: Box::new(clock.clone()), threaded: false, demo: true };
        (build(&cfg, dir, parts), clock)
    }

    fn jobs(u: &[UiUpdate]) -> Option<(usize, Vec<JobRow>)> {
        u.iter().rev().find_map(|u| match u {
            UiUpdate::Jobs { rows, count, .. } => Some((*count, rows.clone())),
            _ => None,
        })
    }

    #[test]
    fn apply_writes_one_outbox_item_and_the_hash_hides_the_number() {
        let dir = tempfile::tempdir().unwrap();
        let (mut core, _) = demo_core(dir.path());
        let first = jobs(&core.initial()).unwrap().1[0].id.clone();
        core.handle(Command::Sim(SimCommand::PlaceCard(Sample::Resident)));
        core.handle(Command::Session(Input::OpenJob(first.clone())));
        core.handle(Command::Session(Input::ApplyTapped));
        assert_eq!(core.session().page(), Page::Apply);
        core.handle(Command::Session(Input::ConfirmApply));
        let v = core.session_view();
        assert_eq!(v.page, Page::Applied);
        assert_eq!(v.applied, Some(AppliedStatus::Waiting));
        assert_eq!(v.application_no, "261123-0001");
        assert_eq!(v.person_id, "3502**********1233");
        let (kind, body) = core.store().outbox_body(1).unwrap().unwrap();
        assert_eq!(kind, "application");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["posting_id"], first.as_str());
        assert_eq!(body["applicant"]["id_number"], "350206196803121233");
        assert_eq!(body["applicant"]["card_type"], "resident");
        assert_eq!(body["station_id"], crate::demo::DEMO_STATION.id);
        // A second try is refused kindly, with the first number.
        core.handle(Command::Session(Input::Back));
        core.handle(Command::Session(Input::ApplyTapped));
        core.handle(Command::Session(Input::ConfirmApply));
        assert_eq!(core.session_view().applied, Some(AppliedStatus::Duplicate));
        assert_eq!(core.session_view().application_no, "261123-0001");
        assert_eq!(core.store().outbox_pending().unwrap(), 1);
        let key = std::fs::read(dir.path().join("device.key")).unwrap();
        let h = person_hash(&key, "resident", "350206196803121233");
        assert_eq!(h.len(), 64);
        assert_ne!(h, person_hash(b"another kiosk's key.............", "resident", "350206196803121233"));
    }

    #[test]
    fn filters_narrow_and_clear_widens() {
        let dir = tempfile::tempdir().unwrap();
        let (mut core, _) = demo_core(dir.path());
        let (all, _) = jobs(&core.initial()).unwrap();
        let (near, rows) = jobs(&core.handle(Command::Filter(FilterChange::WithinKm(Some(1))))).unwrap();
        assert!(0 < near && near < all, "{near} of {all}");
        assert!(rows.iter().all(|r| r.distance.ends_with('米') || r.distance == "1公里"), "{rows:?}");
        let (daily, rows) =
            jobs(&core.handle(Command::Filter(FilterChange::Settlement(Some(Settlement::Daily))))).unwrap();
        assert!(daily <= near && rows.iter().all(|r| r.daily_pay));
        assert_eq!(jobs(&core.handle(Command::Filter(FilterChange::Clear))).unwrap().0, all);
    }

    #[test]
    fn timeout_wipes_personal_fields_and_resets_language() {
        let dir = tempfile::tempdir().unwrap();
        let (mut core, clock) = demo_core(dir.path());
        core.initial();
        core.handle(Command::Sim(SimCommand::PlaceCard(Sample::Resident)));
        core.handle(Command::Session(Input::SetLang(Lang::En)));
        assert_eq!(core.session_view().person_card, "Resident ID card");
        clock.advance(50_000);
        core.handle(Command::Tick);
        assert_eq!(core.session_view().warning_s, Some(10));
        clock.advance(10_000);
        let u = core.handle(Command::Tick);
        let v = core.session_view();
        assert_eq!((v.page, v.lang), (Page::Attract, Lang::Zh));
        assert!(v.person_name.is_empty() && v.person_id.is_empty() && v.person_card.is_empty());
        assert!(u.iter().any(|u| matches!(u, UiUpdate::Session(s) if s.person_id.is_empty())));
    }

    #[test]
    fn a_job_leaves_the_list_when_its_time_runs_out() {
        let dir = tempfile::tempdir().unwrap();
        let (mut core, clock) = demo_core(dir.path());
        let (count, _) = jobs(&core.initial()).unwrap();
        core.handle(Command::Session(Input::Touch));
        // The soonest validThrough among the listed jobs.
        let soonest = core.hits.iter().map(|h| h.valid_through).min().unwrap();
        let id = core.hits.iter().find(|h| h.valid_through == soonest).unwrap().identifier.clone();
        let ms = (soonest - core.wall()).num_milliseconds().max(0) as u64 + 1000;
        clock.advance(ms);
        let u = core.handle(Command::Tick);
        let (after, rows) = jobs(&u).expect("the list was re-read on the tick");
        assert!(after < count, "{after} of {count}");
        assert!(!rows.iter().any(|r| r.id == id), "{id} expired and is gone");
    }

    #[test]
    fn sync_reports_reach_the_top_bar_and_the_applied_page() {
        use crate::sync::worker::SyncStatus;
        let dir = tempfile::tempdir().unwrap();
        let (mut core, _) = demo_core(dir.path());
        let first = jobs(&core.initial()).unwrap().1[0].id.clone();
        core.handle(Command::Sim(SimCommand::PlaceCard(Sample::Resident)));
        core.handle(Command::Session(Input::OpenJob(first)));
        core.handle(Command::Session(Input::ApplyTapped));
        core.handle(Command::Session(Input::ConfirmApply));
        assert_eq!(core.session_view().applied, Some(AppliedStatus::Waiting));
        // Offline since the round that could not reach the platform.
        let at = fixture_now();
        core.handle(Command::Sync(SyncStatus {
            online: false,
            offline_since: Some(at),
            ..SyncStatus::default()
        }));
        let s = core.status_view();
        assert_eq!((s.online, s.offline_since.as_str()), (false, "09:00"));
        // The sync (its own connection) sends it; the page says so.
        let mut other = Store::open_in_dir(dir.path()).unwrap();
        other.write(|tx| tx.outbox_acknowledge(1, "{}", "{}", at.timestamp())).unwrap();
        core.handle(Command::Sync(SyncStatus { online: true, ..SyncStatus::default() }));
        assert_eq!(core.session_view().applied, Some(AppliedStatus::Sent));
        assert!(core.status_view().online);
        // A refused token shows in the top bar.
        core.handle(Command::Sync(SyncStatus { online: true, unauthorized: true, ..SyncStatus::default() }));
        assert_eq!(core.status_view().sync_problem, "unauthorized");
    }

    #[test]
    fn the_status_lamp_goes_out_while_the_reader_is_out_of_order() {
        use crate::devices::card_reader::ReadProblem;
        let dir = tempfile::tempdir().unwrap();
        let (mut core, _) = demo_core(dir.path());
        core.initial();
        // The simulated reader's first report.
        core.pump();
        fn core_lamp(c: &Core) -> bool {
            c.devices.sim.as_ref().unwrap().gpio.lamp(Lamp::Status)
        }
        assert!(core_lamp(&core));
        for (status, on, code) in [
            (ReaderStatus::Missing, false, "missing"),
            (ReaderStatus::Ready, true, "ready"),
            (ReaderStatus::ModuleFault(0x66), false, "module-fault"),
            (ReaderStatus::ReadFailed(ReadProblem::NotAnIdCard), true, "not-id-card"),
        ] {
            core.handle(Command::Card(CardEvent::Status(status.clone())));
            assert_eq!(core_lamp(&core), on, "{status:?}");
            assert_eq!(core.status_view().reader, code);
        }
        // A card that could not be read brings the worker to the page that says why.
        assert_eq!(core.session().page(), Page::Identify);
    }

    #[test]
    fn printing_renders_a_slip_and_paper_out_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (mut core, _) = demo_core(dir.path());
        let first = jobs(&core.initial()).unwrap().1[0].id.clone();
        core.handle(Command::Session(Input::OpenJob(first)));
        let u = core.handle(Command::Session(Input::PrintTapped));
        assert_eq!(core.session_view().print, PrintState::Done);
        assert!(u.iter().any(|u| matches!(u, UiUpdate::Slip(Some(p)) if p.height > 400)));
        assert_eq!(std::fs::read_dir(dir.path().join("slips")).unwrap().count(), 1);
        core.handle(Command::Sim(SimCommand::TogglePaper));
        core.handle(Command::Session(Input::Back));
        core.handle(Command::Session(Input::PrintTapped));
        assert_eq!(core.session_view().print, PrintState::Failed(PrintProblem::PaperOut));
        assert!(!core.status_view().printer_ready);
    }
}
