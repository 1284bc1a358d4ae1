//! The application core: the walk-in session ([`session`]), the labels it
//! puts on screen ([`labels`]) and the core that runs both against the
//! store and the devices ([`core`], with its services in [`apply`],
//! [`print`], [`read_aloud`], [`sim`], its health in [`health`] and its
//! view models in [`views`]). Nothing here knows about Slint, SQL or
//! serial ports.

mod apply;
pub mod command;
pub mod core;
pub mod error;
mod gpio;
mod health;
pub mod labels;
mod print;
mod read_aloud;
pub mod session;
mod sim;
pub mod staff;
pub mod views;

pub use self::command::{Command, FilterChange, Filters, SimCommand};
pub use self::core::{Core, CoreConfig};
pub use self::error::{BuildError, CoreError, Trouble};
pub use self::views::UiUpdate;
pub use session::{Input, Lang, Page};

use std::path::Path;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::devices::EventSink;
use crate::devices::setup::{Devices, Setup, Sinks, Threading};
use crate::privacy::DeviceKey;
use crate::store::Store;

/// What the core is built from, besides the configuration.
pub struct Parts {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// Devices answer on their own threads (the kiosk) or at once (tests,
    /// screenshots).
    pub threading: Threading,
    pub demo: bool,
    /// The configuration's layers below the device's: staff changes are
    /// applied over them (`config::Base::demo` in tests).
    pub base: crate::config::Base,
}

/// An event sink that turns a device's events into commands for the core.
fn sink<E: 'static>(tx: &std::sync::mpsc::Sender<Command>, f: fn(E) -> Command) -> EventSink<E> {
    let tx = tx.clone();
    Arc::new(move |e| {
        let _ = tx.send(f(e));
    })
}

/// The core with its devices, chosen from the configuration
/// (`devices::setup`). Fails only when the device key cannot be used: the
/// kiosk must not start and silently forget who applied for what.
pub fn build(cfg: &Config, data_dir: &Path, parts: Parts) -> Result<Core, BuildError> {
    let device_key = DeviceKey::load_or_create(data_dir)?;
    let channel = Core::channel();
    let sinks = Sinks {
        card: sink(&channel.0, Command::Card),
        printed: sink(&channel.0, Command::Printed),
        speech: sink(&channel.0, Command::Speech),
        gpio: sink(&channel.0, Command::Gpio),
    };
    let setup =
        Setup { threading: parts.threading, demo: parts.demo, data_dir: data_dir.to_path_buf(), sinks };
    let devices = Devices::build(cfg, setup);
    Ok(Core::new(
        CoreConfig::of(cfg, parts.demo),
        parts.store,
        parts.clock,
        devices,
        device_key,
        channel,
        parts.base,
    ))
}

/// An event sink for the supervisor's task reports.
pub fn task_sink(tx: &std::sync::mpsc::Sender<Command>) -> EventSink<crate::tasks::TaskReport> {
    sink(tx, Command::Task)
}

/// An event sink for the background sync's status.
pub fn sync_sink(tx: &std::sync::mpsc::Sender<Command>) -> EventSink<crate::sync::worker::SyncStatus> {
    sink(tx, Command::Sync)
}
