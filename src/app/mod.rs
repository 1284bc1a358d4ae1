//! The application core: the walk-in session ([`session`]), the labels it
//! puts on screen ([`labels`]) and the core that runs both against the
//! store and the devices ([`core`]). Nothing here knows about Slint.

pub mod core;
pub mod labels;
pub mod session;

pub use self::core::{Command, Core, CoreConfig, Devices, UiUpdate};
pub use session::{Input, Lang, Page};

use std::path::Path;

use crate::config::Config;
use crate::store::Store;

/// What the core is built from, besides the configuration.
pub struct Parts {
    pub store: Store,
    pub clock: Box<dyn core::Clock>,
    /// Devices answer on their own threads (the kiosk) or at once (tests,
    /// screenshots).
    pub threaded: bool,
    pub demo: bool,
}

/// The core with simulated devices (demo mode, tests, screenshots). Real
/// devices are chosen here from the configuration once they exist.
pub fn build(cfg: &Config, data_dir: &Path, parts: Parts) -> Core {
    let channel = Core::channel();
    let devices = Devices::simulated(&channel.0, data_dir.join("slips"), parts.threaded);
    let core_cfg = CoreConfig {
        station: cfg.station.clone(),
        timeouts: session::Timeouts {
            idle_ms: u64::from(cfg.screen.idle_timeout_s) * 1000,
            warning_ms: u64::from(cfg.screen.idle_warning_s.min(cfg.screen.idle_timeout_s)) * 1000,
        },
        paper: cfg.printer.paper(),
        demo: parts.demo,
        device_key_file: data_dir.join("device.key"),
    };
    Core::new(core_cfg, parts.store, parts.clock, devices, channel)
}
