//! Today's numbers and the last 7 days', from the statistics table: visits
//! (sessions started by a touch, a card or the presence sensor), card
//! reads, searches, job views, applications, prints and help calls. Pure:
//! the store's per-day counts in, the table staff see out.

use chrono::{Days, NaiveDate};

use crate::slip::DailyCounts;
use crate::store::staff::DayCount;

/// Days on the numbers page and the summary slip (today included).
pub const DAYS: u64 = 7;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Numbers {
    /// The last [`DAYS`] days, oldest first, each with its counts (days
    /// without any event included, as zeros).
    pub days: Vec<(NaiveDate, DailyCounts)>,
}

/// Days since 1970-01-01 of a date (the store's `day` column).
pub fn day_number(d: NaiveDate) -> i64 {
    d.signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days()
}

/// The first instant (unix seconds) the table needs, for `today`.
pub fn since(today: NaiveDate) -> i64 {
    let first = today.checked_sub_days(Days::new(DAYS - 1)).unwrap_or(today);
    crate::domain::time::start_of_china_day(first).timestamp()
}

impl Numbers {
    pub fn of(today: NaiveDate, counts: &[DayCount]) -> Numbers {
        let days = (0..DAYS)
            .rev()
            .filter_map(|back| today.checked_sub_days(Days::new(back)))
            .map(|d| {
                let n = day_number(d);
                let mut c = DailyCounts::default();
                for dc in counts.iter().filter(|dc| dc.day == n) {
                    c.add(&dc.kind, dc.count);
                }
                (d, c)
            })
            .collect();
        Numbers { days }
    }

    pub fn today(&self) -> DailyCounts {
        self.days.last().map(|(_, c)| *c).unwrap_or_default()
    }

    /// The sum of the days shown.
    pub fn week(&self) -> DailyCounts {
        let mut w = DailyCounts::default();
        for (_, c) in &self.days {
            w += *c;
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dc(kind: &str, day: NaiveDate, count: u64) -> DayCount {
        DayCount { kind: kind.into(), day: day_number(day), count }
    }

    #[test]
    fn seven_days_oldest_first_with_empty_days_and_totals() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let d = |n: u32| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
        let counts = vec![
            dc("visit", d(25), 99), // 8 days ago: outside the week
            dc("visit", d(26), 3),
            dc("apply", d(26), 1),
            dc("visit", today, 10),
            dc("card_read", today, 4),
            dc("help", today, 2),
            dc("register", today, 5), // not on this page
        ];
        let n = Numbers::of(today, &counts);
        assert_eq!(n.days.len(), 7);
        assert_eq!(n.days[0].0, d(26));
        assert_eq!(n.days[6].0, today);
        assert_eq!(n.days[3].1, DailyCounts::default(), "a day without events shows zeros");
        let t = n.today();
        assert_eq!((t.visits, t.card_reads, t.help_calls, t.applications), (10, 4, 2, 0));
        let w = n.week();
        assert_eq!((w.visits, w.applications, w.card_reads), (13, 1, 4));
        assert_eq!(since(today), crate::domain::time::start_of_china_day(d(26)).timestamp());
    }
}
