//! The kiosk window with the core on its own thread: callbacks only send a
//! command, and updates come back through `slint::invoke_from_event_loop`,
//! so a slow device never blocks a frame.
//!
//! Also the service side of the UI thread: the first frame (measured, and
//! `READY=1`), `WATCHDOG=1` from this event loop, `STATUS=` lines.
//!
//! **The first frame.** Slint's rendering notifier exists for OpenGL only,
//! so the kiosk measures the same way for every renderer: the window holds
//! a one-pixel rectangle whose colour is a pure callback (`FrameProbe`)
//! of a property set once the core's first view (the jobs) is applied, so
//! a renderer evaluates it again while drawing the first frame that shows
//! the jobs. The callback schedules a timer with zero delay, which runs
//! once the event loop is back from that render — after the frame was
//! handed to the display (softbuffer's present under winit, the DRM page
//! flip or the GL swap under LinuxKMS). That moment is the start-up figure
//! and `READY=1`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::ComponentHandle;

use super::backend::Choice;
use super::{AppWindow, CommandFn, FrameProbe, apply, bind};
use crate::app::{Command, Core, UiUpdate};
use crate::service;

/// Why the kiosk window stopped other than by being closed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot draw on the display ({backend}): {detail}")]
    Display { backend: String, detail: String },
    #[error("the kiosk's core stopped unexpectedly (a bug): {0}")]
    Core(String),
    #[error("cannot start the core's thread: {0}")]
    Thread(#[from] std::io::Error),
}

pub struct RunOptions {
    pub fullscreen: bool,
    /// When the process started its work: the start-up figure counts from here.
    pub started: Instant,
    pub display: Choice,
}

thread_local! {
    /// The last `STATUS=` sent, so an unchanged status is not sent again.
    static LAST_STATUS: RefCell<String> = const { RefCell::new(String::new()) };
    static READY: Cell<bool> = const { Cell::new(false) };
}

/// Runs the kiosk window until it closes.
pub fn run_kiosk(core: Core, opts: RunOptions) -> Result<(), RunError> {
    let display_error = |e: slint::PlatformError| RunError::Display {
        backend: opts.display.to_string(),
        // Slint's messages may span lines; the journal gets one.
        detail: e
            .to_string()
            .split('\n')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
    };
    opts.display.select().map_err(display_error)?;
    service::status("drawing the first frame");
    let ui = AppWindow::new().map_err(display_error)?;
    let started = opts.started;
    {
        let drawn = Cell::new(false);
        ui.global::<FrameProbe>().on_drawn(move |content| {
            // The first frame that shows the core's first view (the jobs),
            // not an empty window drawn before the data arrived.
            if content && !drawn.replace(true) {
                // Runs when the event loop is back from this render: the
                // frame has been presented.
                slint::Timer::single_shot(Duration::ZERO, move || first_frame(started.elapsed()));
            }
            slint::Brush::default()
        });
    }
    // Kept alive while the window runs.
    let _watchdog = service::watchdog_interval().map(|every| {
        let t = slint::Timer::default();
        service::watchdog();
        t.start(slint::TimerMode::Repeated, every, service::watchdog);
        tracing::info!("feeding the service watchdog every {every:?} from the UI thread");
        t
    });
    hang_for_tests();
    if opts.fullscreen {
        ui.window().set_fullscreen(true);
    }
    let tx = core.sender();
    let send: CommandFn = {
        let tx = tx.clone();
        Rc::new(move |cmd| {
            if tx.send(cmd).is_err() {
                tracing::error!("the core has stopped");
            }
        })
    };
    bind(&ui, send);
    let weak = ui.as_weak();
    // The core holds the session: if it ever panics, the kiosk stops with
    // an error (and the service manager starts it again) rather than show a
    // screen nobody answers.
    let core_thread = std::thread::Builder::new().name("core".into()).spawn(move || {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            core.run(move |updates| {
                let _ = weak.upgrade_in_event_loop(move |ui| {
                    report_status(&updates);
                    apply(&ui, updates);
                    ui.global::<FrameProbe>().set_content(true);
                });
            })
        }));
        let _ = slint::invoke_from_event_loop(|| {
            let _ = slint::quit_event_loop();
        });
        run.map_err(|p| crate::panic_message(&*p))
    })?;
    ui.run().map_err(display_error)?;
    service::status("stopping");
    let _ = tx.send(Command::Quit);
    match core_thread.join() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(panic)) => Err(RunError::Core(panic)),
        Err(_) => Err(RunError::Core("its thread could not be joined".into())),
    }
}

/// The first frame is on screen: log the figure, tell systemd.
fn first_frame(after: Duration) {
    let ms = after.as_secs_f64() * 1e3;
    tracing::info!(target: "kiosk::startup", "first frame on screen after {ms:.0} ms");
    READY.set(true);
    let status = LAST_STATUS.with_borrow(|s| if s.is_empty() { "serving".to_string() } else { s.clone() });
    service::ready(&status);
    if std::env::var_os("KIOSK_EXIT_AFTER_FIRST_FRAME").is_some() {
        // For benches/first_frame.py, which measures from before the spawn.
        let wall = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        eprintln!("first frame after {ms:.0} ms at {:.6}", wall.as_secs_f64());
        let _ = slint::quit_event_loop();
    }
}

/// `STATUS=` when what the kiosk can do changed.
fn report_status(updates: &[UiUpdate]) {
    let Some(view) = updates.iter().rev().find_map(|u| match u {
        UiUpdate::Status(s) => Some(s),
        _ => None,
    }) else {
        return;
    };
    let line = service::status_line(view);
    let changed = LAST_STATUS.with_borrow_mut(|last| {
        let changed = *last != line;
        *last = line.clone();
        changed
    });
    if changed && READY.get() {
        service::status(&line);
    }
}

/// `KIOSK_TEST_HANG_UI_AFTER_MS=N`: the UI thread stops answering N ms
/// after start, as a hung driver would, so the watchdog test (and a
/// technician trying the service's `WatchdogSec=`) can see systemd act.
fn hang_for_tests() {
    let Some(ms) = std::env::var("KIOSK_TEST_HANG_UI_AFTER_MS").ok().and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    tracing::warn!("KIOSK_TEST_HANG_UI_AFTER_MS is set: the UI will hang after {ms} ms");
    slint::Timer::single_shot(Duration::from_millis(ms), || {
        tracing::warn!("the UI thread hangs now (KIOSK_TEST_HANG_UI_AFTER_MS)");
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    });
}
