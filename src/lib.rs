//! gig-kiosk: the software inside the self-service job kiosks of China's gig
//! stations (零工驿站) and gig markets (零工市场).
//!
//! Map of the crate (see `docs/architecture.md` for the whole picture):
//! - [`domain`]: postings, courses, wages, places and time, with their rules.
//! - [`jsonld`]: schema.org JSON/JSON-LD in, validated domain values out.
//! - [`search`]: queries, Chinese text matching and the choice of plan.
//! - [`store`]: the SQLite database; all SQL lives there.
//! - [`import`]: files into the store, with a per-record report.
//! - [`config`]: layered configuration and its checker.
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
pub mod domain;
pub mod import;
pub mod jsonld;
pub mod privacy;
pub mod search;
pub mod slip;
pub mod store;
pub mod sync;
pub mod tasks;
pub mod ui;

#[cfg(test)]
mod test_support;
