//! Time as the kiosk sees it.
//!
//! Every station is in mainland China, which keeps one civil time zone,
//! UTC+08:00, with no daylight saving. "Today", "tomorrow" and the dates
//! printed on slips are calendar days in that zone, whatever time zone the
//! machine's operating system happens to be set to (a Raspberry Pi image is
//! often left on UTC). Instants are stored as Unix seconds.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};

/// Years a date from outside (a feed, a file) may fall in. Anything else is
/// a broken export or an attack on date arithmetic, not a job: chrono cannot
/// even represent the end of some of those days in China.
pub const PLAUSIBLE_YEARS: std::ops::RangeInclusive<i32> = 1970..=2199;

/// Whether an instant lies in [`PLAUSIBLE_YEARS`] (in China).
pub fn plausible(t: DateTime<FixedOffset>) -> bool {
    PLAUSIBLE_YEARS.contains(&china_date(t).year())
}

/// China Standard Time, UTC+08:00.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// An instant expressed in China Standard Time.
pub fn in_china(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&china())
}

/// The instant from Unix seconds, in China Standard Time. Out-of-range
/// values (which only a corrupted row could hold) clamp to the epoch.
pub fn from_unix(secs: i64) -> DateTime<FixedOffset> {
    china()
        .timestamp_opt(secs, 0)
        .single()
        .unwrap_or_else(|| china().timestamp_opt(0, 0).single().expect("epoch"))
}

/// The calendar day in China of an instant.
pub fn china_date(t: DateTime<FixedOffset>) -> NaiveDate {
    t.with_timezone(&china()).date_naive()
}

/// The end of a calendar day in China (23:59:59), as an instant. Used when a
/// posting gives `validThrough` as a bare date: it stays valid all that day.
/// Days at the very edge of what chrono represents clamp to that edge.
pub fn end_of_china_day(d: NaiveDate) -> DateTime<FixedOffset> {
    at_china_time(d, 23, 59, 59)
}

/// The start of a calendar day in China (00:00:00), as an instant (clamped
/// like [`end_of_china_day`]).
pub fn start_of_china_day(d: NaiveDate) -> DateTime<FixedOffset> {
    at_china_time(d, 0, 0, 0)
}

fn at_china_time(d: NaiveDate, h: u32, m: u32, s: u32) -> DateTime<FixedOffset> {
    let naive = d.and_hms_opt(h, m, s).unwrap_or_else(|| d.and_time(chrono::NaiveTime::MIN));
    match china().from_local_datetime(&naive).single() {
        Some(t) => t,
        // Only the first or last hours chrono can hold land here.
        None if d.year() < 0 => DateTime::<Utc>::MIN_UTC.with_timezone(&china()),
        None => DateTime::<Utc>::MAX_UTC.with_timezone(&china()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_day_boundaries() {
        // 2026-11-23T17:00:00Z is already the 24th in Beijing.
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap();
        assert_eq!(china_date(in_china(t)), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        let d = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert_eq!(end_of_china_day(d).to_rfc3339(), "2026-11-25T23:59:59+08:00");
        assert_eq!(start_of_china_day(d).timestamp() + 86_399, end_of_china_day(d).timestamp());
        assert_eq!(from_unix(end_of_china_day(d).timestamp()), end_of_china_day(d));
    }

    #[test]
    fn the_edges_of_the_calendar_clamp_instead_of_panicking() {
        assert_eq!(start_of_china_day(NaiveDate::MIN), DateTime::<Utc>::MIN_UTC.with_timezone(&china()));
        assert!(end_of_china_day(NaiveDate::MAX) <= DateTime::<Utc>::MAX_UTC.with_timezone(&china()));
        assert!(!plausible(end_of_china_day(NaiveDate::MAX)));
        assert!(!plausible(start_of_china_day(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap())));
        assert!(plausible(start_of_china_day(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())));
    }
}
