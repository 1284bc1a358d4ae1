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

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod devices;
pub mod domain;
pub mod import;
pub mod jsonld;
pub mod search;
pub mod slip;
pub mod store;
pub mod sync;
pub mod ui;

#[cfg(test)]
mod test_support;
