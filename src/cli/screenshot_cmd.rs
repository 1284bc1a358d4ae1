//! `kiosk screenshot`: renders one page of the touch UI with demo data
//! through the software renderer, without a display.
//!
//! It works in a fresh temporary data directory (demo data, simulated
//! devices), drives the session there the way a person would (touch, open
//! the first job, place a sample card, apply, print) and renders the page.
//! Nothing personal is real: the cards are the simulator's samples.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::Context;
use crate::app::session::{Input, Lang, Page};
use crate::app::staff::StaffPage;
use crate::app::{Command, FilterChange, Parts, SimCommand, build};
use crate::clock::ManualClock;
use crate::devices::card_reader::samples::Sample;
use crate::devices::card_reader::{CardEvent, ReadProblem, ReaderStatus};
use crate::devices::setup::Threading;
use crate::domain::Settlement;
use crate::store::Store;
use crate::ui::{Inline, screenshot};

/// A page to render: a worker's page, or one of staff mode's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shot {
    Worker(Page),
    Staff(StaffShot),
}

/// Staff mode's pages as `kiosk screenshot` names them (`staff-…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffShot {
    /// The PIN pad, two digits typed.
    Pin,
    /// The pad after five wrong PINs.
    Locked,
    /// The pad on a kiosk without a PIN.
    NoPin,
    Page(StaffPage),
}

const STAFF_SHOTS: [(&str, StaffShot); 7] = [
    ("staff-pin", StaffShot::Pin),
    ("staff-locked", StaffShot::Locked),
    ("staff-nopin", StaffShot::NoPin),
    ("staff-status", StaffShot::Page(StaffPage::Status)),
    ("staff-setup", StaffShot::Page(StaffPage::Setup)),
    ("staff-numbers", StaffShot::Page(StaffPage::Numbers)),
    ("staff-log", StaffShot::Page(StaffPage::Log)),
];

#[derive(Debug, Args)]
pub struct ScreenshotArgs {
    /// attract, jobs, filters, detail, identify, apply, applied, print, rights, help; staff mode:
    /// staff-pin, staff-locked, staff-nopin, staff-status, staff-setup, staff-numbers, staff-log
    #[arg(long, value_parser = parse_page)]
    pub page: Shot,
    /// Window size in pixels: 1080x1920 (portrait) or 1920x1080 (landscape)
    #[arg(long, default_value = "1080x1920", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Screen language
    #[arg(long, default_value = "zh", value_parser = ["zh", "en"])]
    pub lang: String,
    /// Elder mode (larger type and buttons)
    #[arg(long)]
    pub elder: bool,
    /// The sample card placed for identify/apply/applied/print: resident,
    /// foreign, hk, expired, bad-check
    #[arg(long, default_value = "resident")]
    pub card: String,
    /// The simulated printer is out of paper (for --page print)
    #[arg(long)]
    pub paper_out: bool,
    /// The kiosk has no printer configured (for --page print)
    #[arg(long)]
    pub no_printer: bool,
    /// The network is down (shown in the top bar)
    #[arg(long)]
    pub offline: bool,
    /// The platform refuses the kiosk's token (shown in the top bar and on staff-status)
    #[arg(long)]
    pub token_refused: bool,
    /// The card reader's state: ready, missing, module-fault, read-failed or not-id-card
    #[arg(long, default_value = "ready", value_parser = parse_reader)]
    pub reader: ReaderStatus,
    /// Where to write the PNG
    #[arg(long, value_name = "FILE.png")]
    pub out: PathBuf,
}

fn parse_page(s: &str) -> Result<Shot, String> {
    if let Some(p) = Page::from_name(s) {
        return Ok(Shot::Worker(p));
    }
    if let Some((_, st)) = STAFF_SHOTS.iter().find(|(n, _)| *n == s) {
        return Ok(Shot::Staff(*st));
    }
    let names: Vec<&str> =
        Page::ALL.iter().map(|p| p.name()).chain(STAFF_SHOTS.iter().map(|(n, _)| *n)).collect();
    Err(format!("no page {s:?}; pages: {}", names.join(", ")))
}

fn parse_reader(s: &str) -> Result<ReaderStatus, String> {
    Ok(match s {
        "ready" => ReaderStatus::Ready,
        "missing" => ReaderStatus::Missing,
        "module-fault" => ReaderStatus::ModuleFault(0x60),
        "read-failed" => ReaderStatus::ReadFailed(ReadProblem::Unreadable(0x41)),
        "not-id-card" => ReaderStatus::ReadFailed(ReadProblem::NotAnIdCard),
        _ => return Err("one of ready, missing, module-fault, read-failed, not-id-card".into()),
    })
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once(['x', 'X']).ok_or("expected WIDTHxHEIGHT, e.g. 1080x1920")?;
    let n = |v: &str| v.trim().parse::<u32>().ok().filter(|n| (320..=4096).contains(n));
    match (n(w), n(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err("width and height must be 320 to 4096 pixels".into()),
    }
}

pub fn run(ctx: &Context, a: &ScreenshotArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let sample = Sample::from_key(&a.card)
        .ok_or_else(|| anyhow::anyhow!("no sample card {:?} (try resident, expired, …)", a.card))?;
    let window = screenshot::init()?;
    let dir = tempfile::tempdir()?;
    let mut cfg = crate::config::Builder::new(crate::config::Mode::Demo).build()?.config;
    if a.no_printer {
        cfg.printer.port = "none".into();
    }
    let mut store = Store::open_in_dir(dir.path())?;
    crate::import::load_demo(&mut store, ctx.now)?;
    if let Shot::Staff(st) = a.page {
        super::screenshot_staff::prepare(&mut store, st, ctx.now)?;
    }
    let clock = ManualClock::new(ctx.now);
    let parts = Parts {
        store,
        clock: std::sync::Arc::new(clock.clone()),
        threading: Threading::Inline,
        demo: true,
        base: crate::config::Base::demo(dir.path()),
    };
    let kiosk = Inline::new(build(&cfg, dir.path(), parts)?)?;
    match a.page {
        Shot::Worker(page) => drive(&kiosk, a, page, sample),
        Shot::Staff(st) => {
            drive(&kiosk, a, Page::Attract, sample);
            super::screenshot_staff::drive(&kiosk, &clock, st);
        }
    }
    let started = std::time::Instant::now();
    let buf = screenshot::snapshot(&kiosk.ui, &window, a.size.0, a.size.1)?;
    let took = started.elapsed();
    screenshot::write_png(&buf, &a.out)?;
    writeln!(
        out,
        "{} ({}×{}, rendered in {:.1} ms)",
        a.out.display(),
        a.size.0,
        a.size.1,
        took.as_secs_f64() * 1e3
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Walks the session to `a.page` as a person would.
fn drive(k: &Inline, a: &ScreenshotArgs, page: Page, sample: Sample) {
    let send = |c| k.send(c);
    if a.lang == "en" {
        send(Command::Session(Input::SetLang(Lang::En)));
    }
    if a.elder {
        send(Command::Session(Input::ToggleElder));
    }
    if a.offline {
        send(Command::Sim(SimCommand::ToggleNetwork));
    }
    if a.paper_out {
        send(Command::Sim(SimCommand::TogglePaper));
    }
    if a.token_refused {
        send(Command::Sim(SimCommand::ToggleToken));
    }
    let first_job = || k.core.borrow().first_job_id();
    let open_first = || {
        if let Some(id) = first_job() {
            send(Command::Session(Input::OpenJob(id)));
        }
    };
    match page {
        Page::Attract => {}
        Page::Jobs => send(Command::Session(Input::Touch)),
        Page::Filters => {
            send(Command::Filter(FilterChange::Settlement(Some(Settlement::Daily))));
            send(Command::Filter(FilterChange::WithinKm(Some(5))));
            send(Command::Session(Input::Go(Page::Filters)));
        }
        Page::Detail => {
            send(Command::Session(Input::Touch));
            open_first();
        }
        Page::Identify => {
            send(Command::Session(Input::Touch));
            open_first();
            if sample != Sample::Resident {
                send(Command::Sim(SimCommand::PlaceCard(sample)));
            }
            send(Command::Session(Input::ApplyTapped));
            send(Command::Card(CardEvent::Status(a.reader.clone())));
        }
        Page::Apply | Page::Applied | Page::Print => {
            send(Command::Session(Input::Touch));
            open_first();
            send(Command::Sim(SimCommand::PlaceCard(sample)));
            send(Command::Session(Input::ApplyTapped));
            if page != Page::Apply {
                send(Command::Session(Input::ConfirmApply));
            }
            if page == Page::Print {
                send(Command::Session(Input::PrintTapped));
            }
        }
        Page::Rights => send(Command::Session(Input::Go(Page::Rights))),
        Page::Help => send(Command::CallStaff),
    }
    if page != Page::Identify {
        send(Command::Card(CardEvent::Status(a.reader.clone())));
    }
    k.pump();
}
