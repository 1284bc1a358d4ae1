//! Time as the kiosk sees it.
//!
//! Every station is in mainland China, which keeps one civil time zone,
//! UTC+08:00, with no daylight saving. "Today", "tomorrow" and the dates
//! printed on slips are calendar days in that zone, whatever time zone the
//! machine's operating system happens to be set to (a Raspberry Pi image is
//! often left on UTC). Instants are stored as Unix seconds.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

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
pub fn end_of_china_day(d: NaiveDate) -> DateTime<FixedOffset> {
    let naive = d.and_hms_opt(23, 59, 59).expect("23:59:59 exists");
    china().from_local_datetime(&naive).single().expect("a fixed offset has no gaps")
}

/// The start of a calendar day in China (00:00:00), as an instant.
pub fn start_of_china_day(d: NaiveDate) -> DateTime<FixedOffset> {
    let naive = d.and_hms_opt(0, 0, 0).expect("00:00:00 exists");
    china().from_local_datetime(&naive).single().expect("a fixed offset has no gaps")
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
}
