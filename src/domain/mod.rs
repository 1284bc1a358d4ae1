//! Domain values shared by every part of the kiosk. No I/O, no SQL, no UI
//! types: plain data with the rules that belong to it.

pub mod card;
pub mod course;
pub mod geo;
pub mod posting;
pub mod time;
pub mod trade;

pub use course::Course;
pub use geo::GeoPoint;
pub use posting::{Address, Benefits, Employer, Posting, Settlement, Source, Wage, WageUnit};
