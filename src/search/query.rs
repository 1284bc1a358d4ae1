//! What a worker (or `kiosk search`) asks for, and what comes back.

use chrono::{DateTime, Days, FixedOffset, NaiveDate};
use serde::Serialize;

use super::text::TextQuery;
use crate::domain::{Benefits, GeoPoint, Settlement, Wage, WageUnit, time};

/// Result orderings. Ties are broken by distance, then identifier, so the
/// same query always lists the same postings in the same order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Nearest first.
    #[default]
    Distance,
    /// Highest pay first, comparing wages of different units by their
    /// daily equivalent (8 h a day, 5 days a week, 21.75 days a month).
    /// Piece rates and postings without a wage come last.
    Wage,
    /// Soonest start first.
    Start,
    /// Most recently posted first.
    Newest,
}

/// "When can I start": each window includes jobs that have already started
/// and are still open, since a worker can join those too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StartWindow {
    /// Starting today or already under way.
    Today,
    /// Starting by tomorrow.
    Tomorrow,
    /// Starting within the next seven days (today and six more).
    Week,
}

impl StartWindow {
    /// The last start date (in China) that falls inside the window.
    pub fn last_day(self, now: DateTime<FixedOffset>) -> NaiveDate {
        let today = time::china_date(now);
        let add = match self {
            Self::Today => 0,
            Self::Tomorrow => 1,
            Self::Week => 6,
        };
        today.checked_add_days(Days::new(add)).unwrap_or(today)
    }
}

/// A search over the cached postings. Expired postings and postings with no
/// openings left are never returned, whatever the filters.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    /// Distances are measured from here (normally the station).
    pub near: GeoPoint,
    /// Only postings at most this far away.
    pub within_m: Option<f64>,
    /// Any of these trades (empty: all).
    pub trades: Vec<String>,
    /// Any of these settlements (empty: all).
    pub settlements: Vec<Settlement>,
    /// The top of the posting's wage range is at least this many yuan, in
    /// the posting's own unit.
    pub min_wage: Option<f64>,
    /// Only wages paid in this unit.
    pub wage_unit: Option<WageUnit>,
    pub start: Option<StartWindow>,
    pub text: Option<TextQuery>,
    pub sort: SortOrder,
    pub limit: usize,
    pub offset: usize,
}

impl SearchQuery {
    /// Largest page a single query returns.
    pub const MAX_LIMIT: usize = 1000;

    /// Everything open near `near`, nearest first, 50 at a time.
    pub fn near(near: GeoPoint) -> Self {
        SearchQuery {
            near,
            within_m: None,
            trades: Vec::new(),
            settlements: Vec::new(),
            min_wage: None,
            wage_unit: None,
            start: None,
            text: None,
            sort: SortOrder::Distance,
            limit: 50,
            offset: 0,
        }
    }

    /// How many rows the query must find before it can skip `offset`.
    pub fn needed(&self) -> usize {
        self.limit.min(Self::MAX_LIMIT).saturating_add(self.offset)
    }
}

/// One posting in a result list: what a list row or `kiosk search` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub identifier: String,
    pub title: String,
    pub trade: String,
    pub employer: String,
    /// Great-circle distance from the query's `near` point, whole metres.
    pub distance_m: u32,
    pub wage: Option<Wage>,
    pub settlement: Option<Settlement>,
    /// `None` when the posting does not say how many people it wants.
    pub openings_left: Option<u32>,
    /// The day work starts (the posting date when the posting gives none).
    pub start_date: NaiveDate,
    pub valid_through: DateTime<FixedOffset>,
    pub date_posted: DateTime<FixedOffset>,
    pub url: Option<String>,
    pub address: String,
    pub benefits: Benefits,
}

impl SearchHit {
    /// The list entry of a posting, as a search from `near` would return it.
    pub fn of_posting(p: &crate::domain::Posting, near: &GeoPoint) -> SearchHit {
        SearchHit {
            identifier: p.identifier.clone(),
            title: p.title.clone(),
            trade: p.trade.clone(),
            employer: p.employer.name.clone(),
            distance_m: p.location.distance_m(near).round().clamp(0.0, u32::MAX as f64) as u32,
            wage: p.wage,
            settlement: p.settlement,
            openings_left: p.openings_left(),
            start_date: p.effective_start(),
            valid_through: p.valid_through,
            date_posted: p.date_posted,
            url: p.url.clone(),
            address: p.address.short(),
            benefits: p.benefits,
        }
    }

    /// `1.2公里` / `850米`.
    pub fn distance_label_zh(&self) -> String {
        format_distance_zh(self.distance_m)
    }

    pub fn wage_label_zh(&self) -> String {
        self.wage.map_or_else(|| "面议".to_string(), |w| w.label_zh())
    }
}

/// Metres under a kilometre, one decimal under ten kilometres, whole
/// kilometres beyond: `850米`, `1.2公里`, `12公里`.
pub fn format_distance_zh(m: u32) -> String {
    if m < 1000 {
        return format!("{m}米");
    }
    let tenths = (m as f64 / 100.0).round() as u64;
    if tenths < 100 && !tenths.is_multiple_of(10) {
        format!("{}.{}公里", tenths / 10, tenths % 10)
    } else {
        format!("{}公里", (m as f64 / 1000.0).round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn start_windows_are_china_days() {
        // 23:30 Beijing on the 23rd: "today" is still the 23rd.
        let now = time::china().with_ymd_and_hms(2026, 11, 23, 23, 30, 0).unwrap();
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        assert_eq!(StartWindow::Today.last_day(now), d(23));
        assert_eq!(StartWindow::Tomorrow.last_day(now), d(24));
        assert_eq!(StartWindow::Week.last_day(now), d(29));
    }

    #[test]
    fn distance_labels() {
        assert_eq!(format_distance_zh(850), "850米");
        assert_eq!(format_distance_zh(1000), "1公里");
        assert_eq!(format_distance_zh(1249), "1.2公里");
        assert_eq!(format_distance_zh(9_960), "10公里");
        assert_eq!(format_distance_zh(12_345), "12公里");
    }
}
