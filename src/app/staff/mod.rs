//! Staff mode: station staff set up, test and watch the kiosk on its own
//! screen (docs/staff.md).
//!
//! - [`mode`]: the pages and timers, a plain value (the hidden gesture, the
//!   PIN pad, the 3-minute staff timeout).
//! - [`lockout`]: five wrong PINs lock the pad for 5 minutes, doubling.
//! - [`pin`]: what a PIN may be; its Argon2id hash.
//! - [`setup`]: the settings staff may change, and how each is offered.
//! - [`numbers`]: today's and the last 7 days' service numbers.
//! - [`service`]: the core's side — commands, PIN checks, applying a
//!   setting at once, test prints, the audit trail.
//! - [`status`]: the status page, each problem with what to do.
//! - [`view`]: what the pages show.
//!
//! Staff mode opens only from the attract page, so a worker's session is
//! never entered; while it is open, touches and cards belong to it, and it
//! always ends on the attract page.

pub mod lockout;
pub mod mode;
pub mod numbers;
pub mod pin;
mod service;
pub mod setup;
mod status;
pub mod view;

pub use mode::{StaffMode, StaffPage};
pub use service::StaffState;

/// What the staff pages send to the core.
#[derive(Debug, Clone, PartialEq)]
pub enum StaffCommand {
    /// The station name pressed or let go (the hidden gesture).
    Hold(bool),
    Digit(u8),
    Erase,
    Submit,
    Go(StaffPage),
    Leave,
    /// Set a setting to a value (TOML text, as `setup` offers it).
    Set {
        key: String,
        value: String,
    },
    /// A number typed on the number pad for a setting.
    SetNumber {
        key: String,
        typed: String,
    },
    Undo,
    SyncNow,
    TestPrint,
    PrintSummary,
    /// Clear the last test read and ask for a card.
    TestRead,
}
