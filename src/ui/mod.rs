//! The Slint side: the generated components and the adapters that bind
//! the core's updates to them. This is the only module that names Slint
//! types; the core never sees them.
//!
//! Two drivers:
//! - [`Inline`]: the core runs on the UI thread and each callback is
//!   handled before it returns (screenshots, UI tests).
//! - [`run_kiosk`]: the core runs on its own thread; callbacks only send a
//!   command, and updates come back through `slint::invoke_from_event_loop`,
//!   so a slow device never blocks a frame.

slint::include_modules!();

pub mod backend;
mod run;
pub mod screenshot;
mod staff;

pub use run::{RunError, RunOptions, run_kiosk};

use std::cell::RefCell;
use std::rc::Rc;

use slint::{ComponentHandle, Image, ModelRc, Rgb8Pixel, SharedPixelBuffer, SharedString, VecModel};

use crate::app::core::{DISTANCES_KM, MIN_WAGES};
use crate::app::session::{CardProblem, PrintProblem, PrintState};
use crate::app::views::{
    AppliedStatus, FilterView, JobDetail as CoreDetail, JobRow as CoreRow, SessionView, StatusView,
};
use crate::app::{Command, Core, FilterChange, Input, Lang, Page, SimCommand, UiUpdate};
use crate::devices::card_reader::samples::Sample;
use crate::devices::printer::Preview;
use crate::domain::Settlement;
use crate::search::{SortOrder, StartWindow};

/// Sends a command to the core, wherever it runs.
pub type CommandFn = Rc<dyn Fn(Command)>;

/// Connects every callback of the window to `send`.
pub fn bind(ui: &AppWindow, send: CommandFn) {
    let s = ui.global::<SessionAdapter>();
    let cmd = |f: fn() -> Command| {
        let send = send.clone();
        move || send(f())
    };
    s.on_touched(cmd(|| Command::Session(Input::Touch)));
    s.on_back(cmd(|| Command::Session(Input::Back)));
    s.on_apply(cmd(|| Command::Session(Input::ApplyTapped)));
    s.on_confirm_apply(cmd(|| Command::Session(Input::ConfirmApply)));
    s.on_guest_mode(cmd(|| Command::Session(Input::Guest)));
    s.on_print_slip(cmd(|| Command::Session(Input::PrintTapped)));
    s.on_finish(cmd(|| Command::Session(Input::Finish)));
    s.on_toggle_elder(cmd(|| Command::Session(Input::ToggleElder)));
    s.on_call_staff(cmd(|| Command::CallStaff));
    {
        let send = send.clone();
        s.on_go(move |page| match Page::from_name(&page) {
            Some(p) => send(Command::Session(Input::Go(p))),
            None => tracing::error!("the UI asked for an unknown page {page:?}"),
        });
    }
    {
        let send = send.clone();
        s.on_open_job(move |id| send(Command::Session(Input::OpenJob(id.to_string()))));
    }
    {
        let send = send.clone();
        s.on_set_lang(move |code| {
            if let Some(l) = Lang::from_code(&code) {
                send(Command::Session(Input::SetLang(l)));
            }
        });
    }
    {
        let send = send.clone();
        s.on_read_aloud(move |text| send(Command::ReadAloud(text.to_string())));
    }
    {
        let send = send.clone();
        ui.global::<JobsAdapter>().on_set_filter(move |kind, key| match filter_change(&kind, &key) {
            Some(c) => send(Command::Filter(c)),
            None => tracing::error!("unknown filter {kind}:{key}"),
        });
    }
    let sim = ui.global::<SimAdapter>();
    {
        let send = send.clone();
        sim.on_place_card(move |key| match Sample::from_key(&key) {
            Some(s) => send(Command::Sim(SimCommand::PlaceCard(s))),
            None => tracing::error!("no sample card {key:?}"),
        });
    }
    sim.on_remove_card(cmd(|| Command::Sim(SimCommand::RemoveCard)));
    sim.on_toggle_paper(cmd(|| Command::Sim(SimCommand::TogglePaper)));
    sim.on_toggle_network(cmd(|| Command::Sim(SimCommand::ToggleNetwork)));
    sim.on_toggle_slow(cmd(|| Command::Sim(SimCommand::ToggleSlow)));
    sim.on_toggle_presence(cmd(|| Command::Sim(SimCommand::TogglePresence)));
    sim.on_toggle_reader_cable(cmd(|| Command::Sim(SimCommand::ToggleReaderCable)));
    sim.on_toggle_token(cmd(|| Command::Sim(SimCommand::ToggleToken)));
    staff::bind(ui, send);
    set_rights(ui, Lang::Zh);
}

/// `kind` and `key` of a filter button (`"settlement"`, `"settlement:daily"`).
fn filter_change(kind: &str, key: &str) -> Option<FilterChange> {
    let value = key.split_once(':').map(|(_, v)| v);
    let any = key == "any" || key.is_empty();
    Some(match kind {
        "clear" => FilterChange::Clear,
        "trade" => FilterChange::Trade(if any { None } else { Some(value?.to_string()) }),
        "settlement" => {
            FilterChange::Settlement(if any { None } else { Some(Settlement::from_code(value?)?) })
        }
        "distance" => FilterChange::WithinKm(if any { None } else { Some(value?.parse().ok()?) }),
        "start" => FilterChange::Start(if any { None } else { Some(lookup(&STARTS, value?)?) }),
        "wage" => FilterChange::MinDailyWage(if any { None } else { Some(value?.parse().ok()?) }),
        "sort" => FilterChange::Sort(lookup(&SORTS, value?)?),
        _ => return None,
    })
}

/// Writes the core's updates into the window.
pub fn apply(ui: &AppWindow, updates: Vec<UiUpdate>) {
    for u in updates {
        match u {
            UiUpdate::Session(v) => apply_session(ui, &v),
            UiUpdate::Jobs { rows, count, capped, failed } => {
                let j = ui.global::<JobsAdapter>();
                j.set_rows(model(rows.iter().map(job_row).collect()));
                j.set_count(count as i32);
                j.set_capped(capped);
                j.set_failed(failed);
            }
            UiUpdate::Attract(rows) => {
                ui.global::<JobsAdapter>().set_attract(model(rows.iter().map(job_row).collect()))
            }
            UiUpdate::Detail(d) => {
                let j = ui.global::<JobsAdapter>();
                j.set_has_detail(d.is_some());
                if let Some(d) = d {
                    j.set_detail(job_detail(&d));
                }
            }
            UiUpdate::Filters(f) => apply_filters(ui, &f),
            UiUpdate::Status(s) => apply_status(ui, &s),
            UiUpdate::Staff(v) => staff::apply(ui, &v),
            UiUpdate::Slip(p) => {
                let s = ui.global::<SessionAdapter>();
                s.set_has_slip(p.is_some());
                s.set_slip(p.map(|p| slip_image(&p)).unwrap_or_default());
            }
        }
    }
}

fn apply_session(ui: &AppWindow, v: &SessionView) {
    let s = ui.global::<SessionAdapter>();
    if s.get_lang().as_str() != v.lang.code() {
        let bundle = match v.lang {
            Lang::Zh => "",
            Lang::En => "en",
        };
        if let Err(e) = slint::select_bundled_translation(bundle) {
            tracing::error!("cannot switch the language to {bundle}: {e}");
        }
        set_rights(ui, v.lang);
    }
    s.set_lang(v.lang.code().into());
    ui.global::<Theme>().set_elder(v.elder);
    s.set_page(v.page.name().into());
    s.set_can_back(v.can_back);
    s.set_identified(!v.person_id.is_empty());
    s.set_guest(v.guest);
    s.set_can_apply(v.can_apply);
    s.set_person_name(v.person_name.as_str().into());
    s.set_person_id(v.person_id.as_str().into());
    s.set_person_card(v.person_card.as_str().into());
    s.set_card_problem(
        match v.card_problem {
            None => "",
            Some(CardProblem::Expired) => "expired",
            Some(CardProblem::BadCheckDigit) => "bad-check-digit",
            Some(CardProblem::UnknownType) => "unknown-type",
        }
        .into(),
    );
    s.set_submitting(v.submitting);
    s.set_warning_s(v.warning_s.unwrap_or(0) as i32);
    s.set_application_no(v.application_no.as_str().into());
    s.set_applied(
        match v.applied {
            None => "",
            Some(AppliedStatus::Sent) => "sent",
            Some(AppliedStatus::Waiting) => "waiting",
            Some(AppliedStatus::Duplicate) => "duplicate",
            Some(AppliedStatus::Closed) => "closed",
            Some(AppliedStatus::Failed) => "failed",
        }
        .into(),
    );
    s.set_print(
        match v.print {
            PrintState::Idle => "idle",
            PrintState::Printing => "printing",
            PrintState::Done => "done",
            PrintState::Failed(PrintProblem::PaperOut) => "paper-out",
            PrintState::Failed(PrintProblem::CoverOpen) => "cover-open",
            PrintState::Failed(PrintProblem::Offline) => "offline",
            PrintState::Failed(PrintProblem::NoPrinter) => "no-printer",
            PrintState::Failed(PrintProblem::Other) => "failed",
        }
        .into(),
    );
}

fn apply_status(ui: &AppWindow, v: &StatusView) {
    let s = ui.global::<StatusAdapter>();
    s.set_station(v.station.as_str().into());
    s.set_clock(v.clock.as_str().into());
    s.set_date(v.date.as_str().into());
    s.set_online(v.online);
    s.set_offline_since(v.offline_since.as_str().into());
    s.set_reader_ready(v.reader_ready);
    s.set_reader(v.reader.as_str().into());
    s.set_printer_ready(v.printer_ready);
    s.set_printer(v.printer.as_str().into());
    s.set_sync_problem(v.sync_problem.as_str().into());
    s.set_help_called(v.help_called);
    s.set_outbox_pending(v.outbox_pending.min(i32::MAX as u64) as i32);
    s.set_demo(v.demo);
    s.set_reading_aloud(v.reading_aloud);
    s.set_speech_unavailable(v.speech_unavailable);
    s.set_service_problem(v.service_problem.as_str().into());
    s.set_someone_near(v.someone_near);
    s.set_status_led(v.status_led.as_str().into());
    let sim = ui.global::<SimAdapter>();
    sim.set_paper_out(v.sim_paper_out);
    sim.set_slow(v.sim_slow);
    sim.set_reader_unplugged(v.sim_reader_unplugged);
    sim.set_card_on_reader(v.sim_card.as_str().into());
}

/// Keys of the start and sort buttons (`start:today`), both ways.
const STARTS: [(&str, StartWindow); 3] =
    [("today", StartWindow::Today), ("tomorrow", StartWindow::Tomorrow), ("week", StartWindow::Week)];
const SORTS: [(&str, SortOrder); 4] = [
    ("distance", SortOrder::Distance),
    ("wage", SortOrder::Wage),
    ("start", SortOrder::Start),
    ("newest", SortOrder::Newest),
];
/// The settlements offered as buttons (piece rates are rare at stations).
const SETTLEMENTS: [Settlement; 4] =
    [Settlement::Daily, Settlement::Weekly, Settlement::Monthly, Settlement::OnCompletion];

fn lookup<T: Copy>(table: &[(&str, T)], key: &str) -> Option<T> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// A group of filter buttons: "any" first (selected when nothing is), then
/// one button per option, keyed `group:key`; `label` empty means the UI
/// names it (`Words.choice`).
fn choices<T: PartialEq>(
    group: &str,
    options: impl IntoIterator<Item = (String, String, T)>,
    current: Option<&T>,
) -> ModelRc<Choice> {
    let mut out = vec![Choice { key: "any".into(), label: SharedString::new(), selected: current.is_none() }];
    out.extend(options.into_iter().map(|(k, label, v)| Choice {
        key: format!("{group}:{k}").into(),
        label: label.into(),
        selected: current == Some(&v),
    }));
    model(out)
}

fn apply_filters(ui: &AppWindow, v: &FilterView) {
    let f = &v.filters;
    let j = ui.global::<JobsAdapter>();
    j.set_trades(choices(
        "trade",
        v.trades.iter().map(|(t, l)| (t.clone(), l.clone(), t.clone())),
        f.trade.as_ref(),
    ));
    j.set_settlements(choices(
        "settlement",
        SETTLEMENTS.map(|s| (s.code().to_string(), String::new(), s)),
        f.settlement.as_ref(),
    ));
    j.set_distances(choices(
        "distance",
        DISTANCES_KM.map(|k| (k.to_string(), String::new(), k)),
        f.within_km.as_ref(),
    ));
    j.set_starts(choices("start", STARTS.map(|(k, w)| (k.to_string(), String::new(), w)), f.start.as_ref()));
    j.set_wages(choices(
        "wage",
        MIN_WAGES.map(|w| (w.to_string(), String::new(), w)),
        f.min_daily_wage.as_ref(),
    ));
    let sorts = SORTS
        .iter()
        .map(|(k, s)| Choice {
            key: format!("sort:{k}").into(),
            label: SharedString::new(),
            selected: f.sort == *s,
        })
        .collect();
    j.set_sorts(model(sorts));
    let active = usize::from(f.trade.is_some())
        + usize::from(f.settlement.is_some())
        + usize::from(f.within_km.is_some())
        + usize::from(f.start.is_some())
        + usize::from(f.min_daily_wage.is_some());
    j.set_active_filters(active as i32);
}

fn model<T: Clone + 'static>(v: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(v))
}

fn job_row(r: &CoreRow) -> JobRow {
    JobRow {
        id: r.id.as_str().into(),
        title: r.title.as_str().into(),
        trade: r.trade.as_str().into(),
        wage: r.wage.as_str().into(),
        wage_unit: r.wage_unit.as_str().into(),
        settlement: r.settlement.as_str().into(),
        daily_pay: r.daily_pay,
        distance: r.distance.as_str().into(),
        start: r.start.as_str().into(),
        openings: r.openings.as_str().into(),
        employer: r.employer.as_str().into(),
        verified: r.verified,
        meals: r.meals,
        lodging: r.lodging,
        transport: r.transport,
        insurance: r.insurance,
    }
}

fn job_detail(d: &CoreDetail) -> JobDetail {
    JobDetail {
        row: job_row(&d.row),
        description: d.description.as_str().into(),
        physical: d.physical.as_str().into(),
        hours: d.hours.as_str().into(),
        address: d.address.as_str().into(),
        phone: d.phone.as_str().into(),
        valid_until: d.valid_until.as_str().into(),
    }
}

fn slip_image(p: &Preview) -> Image {
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(p.width, p.height);
    for (px, g) in buf.make_mut_slice().iter_mut().zip(&p.gray) {
        *px = Rgb8Pixel { r: *g, g: *g, b: *g };
    }
    Image::from_rgb8(buf)
}

/// The rights and subsidies articles (`assets/content/rights.json`).
pub const RIGHTS_JSON: &str = include_str!("../../assets/content/rights.json");

/// The articles in `lang`: (title, body).
pub fn rights_articles(lang: Lang) -> Vec<(String, String)> {
    let parsed: serde_json::Value = match serde_json::from_str(RIGHTS_JSON) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("the rights content is not valid JSON: {e}");
            return Vec::new();
        }
    };
    let empty = Vec::new();
    parsed["articles"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter_map(|a| {
            let a = &a[lang.code()];
            Some((a["title"].as_str()?.to_string(), a["body"].as_str()?.to_string()))
        })
        .collect()
}

fn set_rights(ui: &AppWindow, lang: Lang) {
    let articles =
        rights_articles(lang).into_iter().map(|(t, b)| Article { title: t.into(), body: b.into() }).collect();
    ui.global::<ContentAdapter>().set_rights(model(articles));
}

/// The core on the UI thread: each command is handled at once.
pub struct Inline {
    pub ui: AppWindow,
    pub core: Rc<RefCell<Core>>,
}

impl Inline {
    pub fn new(core: Core) -> Result<Inline, slint::PlatformError> {
        let ui = AppWindow::new()?;
        let core = Rc::new(RefCell::new(core));
        let weak = ui.as_weak();
        let c = core.clone();
        let send: CommandFn = Rc::new(move |cmd| {
            // A callback fired while an update is applied would re-enter;
            // that cannot happen (setting properties runs no callbacks).
            let updates = match c.try_borrow_mut() {
                Ok(mut core) => core.handle(cmd),
                Err(_) => {
                    tracing::error!("re-entrant UI command dropped: {cmd:?}");
                    return;
                }
            };
            if let Some(ui) = weak.upgrade() {
                apply(&ui, updates);
            }
        });
        bind(&ui, send);
        let first = core.borrow_mut().initial();
        apply(&ui, first);
        Ok(Inline { ui, core })
    }

    /// Sends a command as the UI would.
    pub fn send(&self, cmd: Command) {
        let updates = self.core.borrow_mut().handle(cmd);
        apply(&self.ui, updates);
    }

    /// Delivers device answers that arrived meanwhile.
    pub fn pump(&self) {
        let updates = self.core.borrow_mut().pump();
        apply(&self.ui, updates);
    }
}
