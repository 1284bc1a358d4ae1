//! The core's behaviour, driven with inline devices and a manual clock.

use super::*;
use crate::app::command::{FilterChange, SimCommand};
use crate::app::session::{Lang, PrintProblem, PrintState};
use crate::app::views::{AppliedStatus, JobRow};
use crate::app::{Parts, build};
use crate::clock::ManualClock;
use crate::devices::card_reader::samples::Sample;
use crate::devices::gpio::StatusLed;
use crate::devices::setup::Threading;
use crate::domain::Settlement;
use crate::test_support::fixture_now;

fn demo_core(dir: &std::path::Path) -> (Core, ManualClock) {
    let cfg = crate::config::Builder::new(crate::config::Mode::Demo).build().unwrap().config;
    let mut store = Store::open_in_dir(dir).unwrap();
    crate::import::load_demo(&mut store, fixture_now()).unwrap();
    let clock = ManualClock::new(fixture_now());
    let parts = Parts {
        store,
        clock: Arc::new(clock.clone()),
        threading: Threading::Inline,
        demo: true,
        base: crate::config::Base::demo(dir),
    };
    (build(&cfg, dir, parts).unwrap(), clock)
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
    // Only the keyed hash of the number is kept beside the application.
    let key = DeviceKey::load_or_create(dir.path()).unwrap();
    let h = key.person_hash("resident", "350206196803121233");
    let n: i64 = rusqlite::Connection::open(dir.path().join("kiosk.db"))
        .unwrap()
        .query_row("SELECT count(*) FROM applications WHERE person_hash = ?1", [&h], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
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
        lamp(c)
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

/// The status LED shows green (amber or red otherwise).
fn lamp(c: &Core) -> bool {
    c.devices.sim.gpio.as_ref().unwrap().status() == Some(StatusLed::Ok)
}

fn led(c: &Core) -> StatusLed {
    c.devices.sim.gpio.as_ref().unwrap().status().unwrap()
}

#[test]
fn the_status_led_is_amber_while_the_printer_has_no_paper() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    let first = jobs(&core.initial()).unwrap().1[0].id.clone();
    core.pump();
    assert_eq!(led(&core), StatusLed::Ok);
    core.handle(Command::Sim(SimCommand::TogglePaper));
    core.handle(Command::Session(Input::OpenJob(first)));
    core.handle(Command::Session(Input::PrintTapped));
    assert_eq!(led(&core), StatusLed::Degraded);
}

#[test]
fn the_help_button_calls_staff_and_presence_counts_one_visit() {
    use crate::devices::gpio::Input as Pin;
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    core.initial();
    let visits = |c: &Core| c.store.stat_count(StatKind::Visit, 0).unwrap();
    let gpio = core.devices.sim.gpio.clone().unwrap();
    // Someone walks up: the sensor's level holds past its debounce window.
    for t in (0..=400).step_by(10) {
        gpio.input(Pin::Presence, true, t);
    }
    core.pump();
    assert!(core.someone_near && core.status_view().someone_near);
    assert_eq!(visits(&core), 1);
    // They touch the screen: the same visit.
    core.handle(Command::Session(Input::Touch));
    assert_eq!(visits(&core), 1);
    // The help button (active low) bounces, is held 80 ms, bounces on
    // release; sampled every 5 ms as the Pi's poller does. One press calls
    // staff once.
    let level_at = |t: u64| match t {
        1000..1015 => (t / 5) % 2 == 1,
        1015..1095 => false,
        1095..1110 => (t / 5).is_multiple_of(2),
        _ => true,
    };
    for t in (990..1200).step_by(5) {
        gpio.input(Pin::HelpButton, level_at(t), t);
    }
    core.pump();
    assert_eq!(core.session().page(), Page::Help);
    assert!(gpio.help_lamp());
    assert_eq!(core.store.stat_count(StatKind::Help, 0).unwrap(), 1);
    assert!(core.status_view().help_called);
}

/// A printer driver gone wrong: it never returns (until the test drops the
/// sender), or it panics.
enum BadPrinter {
    Stuck(std::sync::Mutex<std::sync::mpsc::Receiver<()>>),
    Panics,
}

impl crate::devices::printer::SlipPrinter for BadPrinter {
    fn status(&mut self) -> PrinterStatus {
        PrinterStatus::Ready
    }
    fn print(
        &mut self,
        _: &crate::slip::Slip,
    ) -> Result<crate::devices::printer::Printed, crate::devices::printer::PrintError> {
        match self {
            BadPrinter::Stuck(held) => {
                let _ = held.get_mut().unwrap().recv();
                Err(crate::devices::printer::PrintError::Failed("released at the end of the test".into()))
            }
            BadPrinter::Panics => panic!("driver bug"),
        }
    }
    fn describe(&self) -> String {
        "bad".into()
    }
    fn budget(&self) -> crate::devices::printer::Budget {
        crate::devices::printer::Budget {
            fixed: Duration::from_secs(20),
            per_byte: None,
            opts: Default::default(),
        }
    }
}

/// Puts `printer` in the core, on its own thread, reporting to the core.
fn give_printer(core: &mut Core, printer: BadPrinter) {
    let tx = core.sender();
    let done: crate::devices::EventSink<crate::devices::printer::worker::PrintOutcome> = Arc::new(move |o| {
        let _ = tx.send(Command::Printed(o));
    });
    core.devices.printer =
        Some(crate::devices::printer::worker::PrinterWorker::spawn(Box::new(printer), done));
}

#[test]
fn a_print_that_never_finishes_times_out_and_the_idle_timer_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, clock) = demo_core(dir.path());
    let (_release, held) = std::sync::mpsc::channel();
    give_printer(&mut core, BadPrinter::Stuck(std::sync::Mutex::new(held)));
    let first = jobs(&core.initial()).unwrap().1[0].id.clone();
    core.handle(Command::Sim(SimCommand::PlaceCard(Sample::Resident)));
    core.handle(Command::Session(Input::OpenJob(first)));
    core.handle(Command::Session(Input::PrintTapped));
    assert_eq!(core.session_view().print, PrintState::Printing);
    // While printing, the idle timer waits: the person is waiting too.
    clock.advance(19_000);
    core.handle(Command::Tick);
    assert_eq!(core.session_view().print, PrintState::Printing);
    assert_eq!(core.session_view().warning_s, None);
    assert!(!core.session_view().person_id.is_empty());
    // Past the budget: the printer-problem page, the printer counted as not
    // answering and started again.
    clock.advance(2_000);
    core.handle(Command::Tick);
    assert_eq!(core.session_view().print, PrintState::Failed(PrintProblem::Offline));
    assert_eq!(core.status_view().printer, "no-answer");
    assert!(!lamp(&core));
    assert_ne!(core.devices.printer.as_ref().unwrap().describe(), "bad", "rebuilt from the configuration");
    // The idle timer runs again: warning, then the session ends and the
    // person's data leaves the screen.
    clock.advance(50_000);
    core.handle(Command::Tick);
    assert_eq!(core.session_view().warning_s, Some(10));
    clock.advance(10_000);
    core.handle(Command::Tick);
    let v = core.session_view();
    assert_eq!(v.page, Page::Attract);
    assert!(v.person_id.is_empty() && v.person_name.is_empty());
}

#[test]
fn a_printer_driver_that_panics_fails_the_job_and_its_thread_takes_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    give_printer(&mut core, BadPrinter::Panics);
    let first = jobs(&core.initial()).unwrap().1[0].id.clone();
    core.handle(Command::Session(Input::OpenJob(first)));
    for attempt in 0..2 {
        core.handle(Command::Session(Input::PrintTapped));
        // The outcome comes from the printer's thread: wait for it (a hang
        // would end in the print time-out on the manual clock, which this test never moves).
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while core.session_view().print == PrintState::Printing {
            assert!(std::time::Instant::now() < deadline, "attempt {attempt}: no outcome");
            std::thread::sleep(Duration::from_millis(5));
            core.pump();
        }
        assert_eq!(core.session_view().print, PrintState::Failed(PrintProblem::Other), "attempt {attempt}");
    }
}

#[test]
fn a_configured_kiosk_without_a_printer_says_so_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cfg_file = dir.path().join("kiosk.toml");
    std::fs::write(
        &cfg_file,
        "[station]\nid = \"t\"\nname = \"测试驿站\"\nlatitude = 24.5\nlongitude = 118.13\n",
    )
    .unwrap();
    let mut b = crate::config::Builder::new(crate::config::Mode::Configured(cfg_file.clone()));
    b.file(
        crate::config::Layer::File(cfg_file),
        &std::fs::read_to_string(dir.path().join("kiosk.toml")).unwrap(),
    );
    let cfg = b.build().unwrap().config;
    assert_eq!(cfg.printer.port, "none");
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    crate::import::load_demo(&mut store, fixture_now()).unwrap();
    let parts = Parts {
        store,
        clock: Arc::new(ManualClock::new(fixture_now())),
        threading: Threading::Inline,
        demo: false,
        base: crate::config::Base::demo(dir.path()),
    };
    let mut core = build(&cfg, dir.path(), parts).unwrap();
    assert!(core.devices.printer.is_none());
    let first = jobs(&core.initial()).unwrap().1[0].id.clone();
    let s = core.status_view();
    assert_eq!((s.printer.as_str(), s.printer_ready, s.no_printer), ("none", false, true));
    core.handle(Command::Session(Input::OpenJob(first)));
    core.handle(Command::Session(Input::PrintTapped));
    assert_eq!(core.session_view().print, PrintState::Failed(PrintProblem::NoPrinter));
    assert!(!dir.path().join("slips").exists(), "no PNG 'slip' behind the worker's back");
    // The worker can call staff from there.
    core.handle(Command::CallStaff);
    assert_eq!(core.session().page(), Page::Help);
}

#[test]
fn a_broken_database_is_service_trouble_not_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    let (all, _) = jobs(&core.initial()).unwrap();
    assert!(all > 0 && lamp(&core));
    // The postings table disappears under the running kiosk.
    let other = rusqlite::Connection::open(dir.path().join("kiosk.db")).unwrap();
    other.execute_batch("ALTER TABLE postings RENAME TO postings_gone").unwrap();
    let u = core.handle(Command::Filter(FilterChange::WithinKm(Some(3))));
    let failed = u.iter().rev().find_map(|u| match u {
        UiUpdate::Jobs { failed, count, .. } => Some((*failed, *count)),
        _ => None,
    });
    assert_eq!(failed, Some((true, 0)), "the list says the search failed");
    let s = core.status_view();
    assert_eq!(s.service_problem, "store");
    assert_eq!(led(&core), StatusLed::Fault, "the status LED turns red");
    let t = core.trouble().unwrap();
    assert_eq!(t.doing, "search the jobs");
    assert!(t.error.contains("postings"), "{t:?}");
    // Repaired: the next search works and the trouble is over.
    other.execute_batch("ALTER TABLE postings_gone RENAME TO postings").unwrap();
    let u = core.handle(Command::Filter(FilterChange::WithinKm(None)));
    assert_eq!(jobs(&u).unwrap().0, all);
    assert_eq!(core.status_view().service_problem, "");
    assert!(core.trouble().is_none() && lamp(&core));
}

#[test]
fn a_failed_background_task_shows_until_it_runs_again() {
    use crate::tasks::{TaskReport, TaskState};
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    core.initial();
    core.pump();
    assert!(lamp(&core));
    let failed =
        TaskState::Failed { error: "panicked: boom".into(), failures: 1, retry_in: Duration::from_secs(1) };
    core.handle(Command::Task(TaskReport { name: "sync", state: failed }));
    assert_eq!(core.status_view().service_problem, "task");
    assert!(!lamp(&core));
    core.handle(Command::Task(TaskReport { name: "sync", state: TaskState::Running }));
    assert_eq!(core.status_view().service_problem, "");
    assert!(lamp(&core));
}

#[test]
fn read_aloud_goes_through_the_speech_device_and_the_indicator_follows_it() {
    use crate::devices::speech::{RATE_ELDER, RATE_NORMAL, Voice};
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    core.initial();
    let speech = core.devices.sim.speech.clone().unwrap();
    core.handle(Command::Session(Input::Touch));
    core.handle(Command::ReadAloud("共 42 个工作".into()));
    assert!(core.status_view().reading_aloud && speech.playing());
    // It reads to the end by itself: the indicator goes off.
    speech.finish();
    core.pump();
    assert!(!core.status_view().reading_aloud);
    // Stopped by a second tap.
    core.handle(Command::ReadAloud("共 42 个工作".into()));
    core.handle(Command::ReadAloud("共 42 个工作".into()));
    assert!(!core.status_view().reading_aloud && !speech.playing());
    // Elder mode reads slowly; English in English; a page change stops it.
    core.handle(Command::Session(Input::ToggleElder));
    core.handle(Command::ReadAloud("慢一点".into()));
    core.handle(Command::Session(Input::Go(Page::Rights)));
    assert!(!core.status_view().reading_aloud && !speech.playing());
    core.handle(Command::Session(Input::SetLang(Lang::En)));
    core.handle(Command::ReadAloud("42 jobs".into()));
    let said = speech.said();
    let got: Vec<(&str, Voice, u32)> = said.iter().map(|u| (u.text.as_str(), u.voice, u.rate_wpm)).collect();
    assert_eq!(
        got,
        [
            ("共 42 个工作", Voice::Mandarin, RATE_NORMAL),
            ("共 42 个工作", Voice::Mandarin, RATE_NORMAL),
            ("慢一点", Voice::Mandarin, RATE_ELDER),
            ("42 jobs", Voice::English, RATE_ELDER),
        ]
    );
    // The session ends: silence.
    core.handle(Command::Session(Input::Finish));
    assert!(!speech.playing());
}

#[test]
fn an_unusable_device_key_stops_the_kiosk_instead_of_being_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("device.key"), b"short").unwrap();
    let cfg = crate::config::Builder::new(crate::config::Mode::Demo).build().unwrap().config;
    let store = Store::open_in_dir(dir.path()).unwrap();
    let parts = Parts {
        store,
        clock: Arc::new(ManualClock::new(fixture_now())),
        threading: Threading::Inline,
        demo: true,
        base: crate::config::Base::demo(dir.path()),
    };
    let Err(e) = build(&cfg, dir.path(), parts) else { panic!("built with a damaged key") };
    assert!(e.to_string().contains("is damaged: 5 bytes instead of 32"), "{e}");
    assert_eq!(std::fs::read(dir.path().join("device.key")).unwrap(), b"short");
}

#[test]
fn read_aloud_without_a_speech_engine_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    core.initial();
    core.devices.speech = Box::new(crate::devices::speech::NoSpeech("espeak-ng is not installed".into()));
    core.handle(Command::Session(Input::Touch));
    assert!(!core.status_view().speech_unavailable);
    core.handle(Command::ReadAloud("共 42 个工作".into()));
    let s = core.status_view();
    assert!(s.speech_unavailable && !s.reading_aloud);
}

#[test]
fn the_demo_drawer_stands_in_for_the_presence_sensor_and_shows_the_led() {
    let dir = tempfile::tempdir().unwrap();
    let (mut core, _) = demo_core(dir.path());
    core.initial();
    core.pump();
    assert_eq!(core.status_view().status_led, "ok");
    core.handle(Command::Sim(SimCommand::TogglePresence));
    assert!(core.status_view().someone_near);
    assert_eq!(core.store.stat_count(StatKind::Visit, 0).unwrap(), 1);
    core.handle(Command::Sim(SimCommand::TogglePresence));
    assert!(!core.status_view().someone_near);
    core.handle(Command::Sim(SimCommand::TogglePaper));
    assert_eq!(core.status_view().status_led, "degraded");
}

/// Quit behind other commands (the window closed while the core was busy,
/// as with a large cache) still ends the core: it was once swallowed by the
/// loop that handles what is waiting, and the kiosk never exited.
#[test]
fn quit_behind_other_commands_ends_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let (core, _) = demo_core(dir.path());
    let tx = core.sender();
    for _ in 0..3 {
        tx.send(Command::Refresh).unwrap();
    }
    tx.send(Command::Quit).unwrap();
    let (done_tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        core.run(|_| {});
        let _ = done_tx.send(());
    });
    // The sender is still alive: only Quit can end the loop.
    assert!(done.recv_timeout(std::time::Duration::from_secs(20)).is_ok(), "the core ignored Quit");
    drop(tx);
}
