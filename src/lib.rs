//! gig-kiosk: the software inside the self-service job kiosks of China's gig
//! stations (零工驿站) and gig markets (零工市场).
//!
//! Map of the crate (see `docs/architecture.md` for the whole picture):
//! - [`domain`]: postings, courses, wages, places, ID cards and time, with their rules.
//! - [`jsonld`]: schema.org JSON/JSON-LD in, validated domain values out.
//! - [`search`]: queries, Chinese text matching and the choice of plan.
//! - [`store`]: the SQLite database; all SQL lives there.
//! - [`import`]: files into the store, with a per-record report; the
//!   parse → upsert step the feed shares.
//! - [`config`]: layered configuration and its checker.
//! - [`clock`]: "now", in one place.
//! - [`privacy`]: the device key and the person hash.
//! - [`app`]: the walk-in session and the core that runs it against the
//!   store and the devices.
//! - [`ui`]: the Slint window and its adapters.
//! - [`devices`]: card reader, slip printer, GPIO, speech — traits, drivers,
//!   simulators, and `devices::setup`, which builds them from configuration.
//! - [`slip`]: slip layouts, ESC/POS bytes and the virtual printer.
//! - [`sync`]: the platform client, feeds, outbox sender and background loop.
//! - [`tasks`]: the supervisor of background tasks.
//! - [`demo`]: the generator of realistic demo postings and courses.
//! - [`cli`]: the `kiosk` command line.

/// When this build was made (seconds since 1970, UTC): no honest clock reads earlier.
pub const BUILD_EPOCH: &str = env!("KIOSK_BUILD_EPOCH");

/// The text of a caught panic's payload (`&*payload`: the value inside the
/// box, not the box), for logs and reports.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod devices;
pub mod doctor;
pub mod domain;
pub mod import;
pub mod jsonld;
pub mod privacy;
pub mod search;
pub mod service;
pub mod slip;
pub mod store;
pub mod sync;
pub mod tasks;
pub mod ui;

#[cfg(test)]
mod test_support;
