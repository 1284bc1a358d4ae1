//! The real Slint window (compiled with debug info) under Slint's testing
//! backend, with the real core, demo data and simulated devices, for the UI
//! tests (`tests/ui.rs`, `tests/staff.rs`). Buttons are found and pressed by
//! their accessible labels, as a screen reader would; visible text is read
//! back the same way.

use gig_kiosk::app::{Command, Parts, build};
use gig_kiosk::clock::ManualClock;
use gig_kiosk::devices::setup::Threading;
use gig_kiosk::store::Store;
use gig_kiosk::ui::{Inline, JobsAdapter, SessionAdapter};
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use slint::{ComponentHandle, Model};

pub struct Kiosk {
    pub k: Inline,
    pub clock: ManualClock,
    pub dir: tempfile::TempDir,
    threaded: bool,
}

pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-11-23T09:00:00+08:00").unwrap()
}

pub fn kiosk(threaded: bool) -> Kiosk {
    kiosk_with(threaded, |_| {})
}

/// A kiosk whose configuration `tune` changed first.
pub fn kiosk_with(threaded: bool, tune: impl FnOnce(&mut gig_kiosk::config::Config)) -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    gig_kiosk::import::load_demo(&mut store, now()).unwrap();
    drop(store);
    open(dir, ManualClock::new(now()), threaded, tune)
}

/// A demo kiosk whose staff PIN is `pin` (set as `kiosk staff set-pin`
/// does), or without a PIN.
pub fn kiosk_with_pin(pin: Option<&str>) -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_dir(dir.path()).unwrap();
    gig_kiosk::import::load_demo(&mut store, now()).unwrap();
    if let Some(pin) = pin {
        let hash = gig_kiosk::app::staff::pin::hash(pin).unwrap();
        let value = toml::Value::String(hash).to_string();
        let audit = gig_kiosk::store::staff::AuditRow::new(now().timestamp(), "pin_set");
        store.change_staff_setting(gig_kiosk::app::staff::pin::PIN_KEY, Some(&value), &audit).unwrap();
    }
    drop(store);
    open(dir, ManualClock::new(now()), false, |_| {})
}

/// The kiosk in `dir` (its data already there), with the staff layer of
/// the configuration read from the database as the real kiosk does.
fn open(
    dir: tempfile::TempDir,
    clock: ManualClock,
    threaded: bool,
    tune: impl FnOnce(&mut gig_kiosk::config::Config),
) -> Kiosk {
    thread_local!(static INIT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    // Once per test thread: a restarted kiosk reuses the backend.
    if !INIT.with(|i| i.replace(true)) {
        i_slint_backend_testing::init_no_event_loop();
    }
    let store = Store::open_in_dir(dir.path()).unwrap();
    let base = gig_kiosk::config::Base::demo(dir.path());
    let mut cfg = base.with_staff(&store.staff_settings().unwrap()).unwrap().config;
    tune(&mut cfg);
    let threading = if threaded { Threading::Threaded } else { Threading::Inline };
    let parts = Parts { store, clock: std::sync::Arc::new(clock.clone()), threading, demo: true, base };
    let k = Inline::new(build(&cfg, dir.path(), parts).unwrap()).unwrap();
    k.ui.window().set_size(slint::PhysicalSize::new(1080, 1920));
    k.ui.show().unwrap();
    Kiosk { k, clock, dir, threaded }
}

impl Kiosk {
    /// The kiosk stopped and started again on the same data (a restart or
    /// a power cut); the clock goes on.
    pub fn restart(self) -> Kiosk {
        let Kiosk { k, clock, dir, threaded } = self;
        let _ = k.ui.hide();
        drop(k);
        open(dir, clock, threaded, |_| {})
    }

    /// Presses the enabled button whose accessible label is exactly `label`.
    pub fn press(&self, label: &str) {
        let found: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&self.k.ui, label)
            .filter(|e| matches!(e.accessible_role(), Some(AccessibleRole::Button | AccessibleRole::Tab)))
            .collect();
        let Some(b) = found.first() else {
            panic!("no button {label:?} on page {}; text: {:?}", self.page(), self.texts())
        };
        assert_ne!(b.accessible_enabled(), Some(false), "button {label:?} is disabled");
        b.invoke_accessible_default_action();
    }

    /// Whether a button with this label is on screen.
    pub fn has_button(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(&self.k.ui, label)
            .any(|e| matches!(e.accessible_role(), Some(AccessibleRole::Button | AccessibleRole::Tab)))
    }

    /// Every text element's content (what is drawn).
    pub fn texts(&self) -> Vec<String> {
        ElementQuery::from_root(&self.k.ui)
            .match_descendants()
            .match_accessible_role(AccessibleRole::Text)
            .find_all()
            .into_iter()
            .filter_map(|e| e.accessible_label().map(|s| s.to_string()))
            .collect()
    }

    pub fn all_text(&self) -> String {
        self.texts().join("\n")
    }

    pub fn page(&self) -> String {
        self.k.ui.global::<SessionAdapter>().get_page().to_string()
    }

    pub fn count(&self) -> i32 {
        self.k.ui.global::<JobsAdapter>().get_count()
    }

    pub fn first_job_label(&self) -> String {
        let rows = self.k.ui.global::<JobsAdapter>().get_rows();
        let r = rows.row_data(0).expect("a job in the list");
        format!("{}, {}{}, {}", r.title, r.wage, r.wage_unit, r.distance)
    }

    pub fn tick(&self, ms: u64) {
        self.clock.advance(ms);
        self.k.send(Command::Tick);
    }
}
