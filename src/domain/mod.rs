//! Domain values shared by every part of the kiosk. No I/O, no SQL, no UI
//! types: plain data with the rules that belong to it.

pub mod card;
pub mod course;
pub mod geo;
pub mod posting;
pub mod time;
pub mod trade;

pub use course::Course;

/// The two kinds of record the kiosk caches; each has its own platform feed
/// (`platform-api.md`, "Feeds") and its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Postings,
    Courses,
}

impl RecordKind {
    pub const ALL: [RecordKind; 2] = [RecordKind::Postings, RecordKind::Courses];

    /// The feed's name in the database and in messages.
    pub fn code(self) -> &'static str {
        match self {
            RecordKind::Postings => "postings",
            RecordKind::Courses => "courses",
        }
    }
}
pub use geo::GeoPoint;
pub use posting::{Address, Benefits, Employer, Posting, Settlement, Source, Wage, WageUnit};
