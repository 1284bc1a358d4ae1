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

/// The core with its devices, chosen from the configuration: `[reader]
/// port = "simulated"` runs the simulated module on a pseudo-terminal read
/// by the real serial driver when devices are threaded (the kiosk), or the
/// in-process simulated reader (tests, screenshots); any other port runs
/// the serial driver on it. `[printer] port = "simulated"` prints to PNGs
/// through the virtual printer; any other port drives an ESC/POS printer.
pub fn build(cfg: &Config, data_dir: &Path, parts: Parts) -> Core {
    let channel = Core::channel();
    let reader = reader_setup(cfg, data_dir, parts.threaded);
    let devices =
        Devices::new(&channel.0, data_dir.join("slips"), parts.threaded, reader, printer_setup(cfg));
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

fn printer_setup(cfg: &Config) -> core::PrinterSetup {
    use crate::devices::printer::transport::{Flow, Target};
    let opts = cfg.printer.escpos();
    match cfg.printer.port.as_str() {
        "simulated" => core::PrinterSetup::Simulated(opts),
        port => core::PrinterSetup::EscPos(
            Target::parse(port, cfg.printer.baud, Flow::parse(&cfg.printer.flow_control)),
            opts,
        ),
    }
}

fn reader_setup(cfg: &Config, data_dir: &Path, threaded: bool) -> core::ReaderSetup {
    use crate::devices::card_reader::serial::{PortChoice, ReaderConfig};
    match cfg.reader.port.as_str() {
        "simulated" if threaded && cfg!(unix) => core::ReaderSetup::Pty(data_dir.join("idcard-reader.pty")),
        "simulated" => core::ReaderSetup::InProcess,
        port => core::ReaderSetup::Serial(ReaderConfig::new(PortChoice::parse(port), cfg.reader.baud)),
    }
}
