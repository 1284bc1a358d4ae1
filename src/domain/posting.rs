//! A job posting as the kiosk understands it.
//!
//! Terms: the platform's wire form is a schema.org `JobPosting` (see
//! `platform-api.md`); [`crate::jsonld`] turns that into a [`Posting`],
//! validating as it goes, so a `Posting` value is always complete enough to
//! show, place on the map and print. "Open" means not past `validThrough`
//! and with openings left (or an unknown number of openings).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use super::geo::GeoPoint;

/// The unit a wage is paid in (`baseSalary.value.unitText`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WageUnit {
    Hour,
    Day,
    Week,
    Month,
    Piece,
}

impl WageUnit {
    pub const ALL: [WageUnit; 5] = [Self::Hour, Self::Day, Self::Week, Self::Month, Self::Piece];

    /// The platform's code: `HOUR`, `DAY`, `WEEK`, `MONTH`, `PIECE`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Hour => "HOUR",
            Self::Day => "DAY",
            Self::Week => "WEEK",
            Self::Month => "MONTH",
            Self::Piece => "PIECE",
        }
    }

    /// Accepts the platform codes case-insensitively.
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code().eq_ignore_ascii_case(s.trim()))
    }

    /// How a wage in this unit is written in Chinese: 元/天 etc.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Hour => "元/小时",
            Self::Day => "元/天",
            Self::Week => "元/周",
            Self::Month => "元/月",
            Self::Piece => "元/件",
        }
    }

    /// The range of amounts (元) that a real posting in this unit can carry.
    /// Anything outside is a data-entry error (a monthly wage typed into a
    /// daily field, a missing decimal point) and is refused at import.
    pub fn plausible_range(self) -> (f64, f64) {
        match self {
            Self::Hour => (5.0, 500.0),
            Self::Day => (30.0, 3_000.0),
            Self::Week => (150.0, 15_000.0),
            Self::Month => (800.0, 60_000.0),
            Self::Piece => (0.01, 2_000.0),
        }
    }

    /// Working days in one unit, per the Labour Law's standard working time
    /// (8 hours a day, 5 days a week) and the statutory 21.75 paid days a
    /// month (劳社部发〔2008〕3号). Piece rates have no time basis.
    fn days(self) -> Option<f64> {
        match self {
            Self::Hour => Some(1.0 / 8.0),
            Self::Day => Some(1.0),
            Self::Week => Some(5.0),
            Self::Month => Some(21.75),
            Self::Piece => None,
        }
    }
}

/// When a job pays (`x-gig.settlement`). 日结 (daily) is what most walk-in
/// workers look for first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settlement {
    Daily,
    Weekly,
    Monthly,
    OnCompletion,
    Piece,
}

impl Settlement {
    pub const ALL: [Settlement; 5] =
        [Self::Daily, Self::Weekly, Self::Monthly, Self::OnCompletion, Self::Piece];

    pub fn code(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::OnCompletion => "on_completion",
            Self::Piece => "piece",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Daily => "日结",
            Self::Weekly => "周结",
            Self::Monthly => "月结",
            Self::OnCompletion => "完工结",
            Self::Piece => "计件",
        }
    }
}

/// A wage: a single amount (`min == max`) or a range, in yuan per unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Wage {
    pub min: f64,
    pub max: f64,
    pub unit: WageUnit,
}

impl Wage {
    /// The top of the range expressed per working day, used to sort postings
    /// of different units against each other. `None` for piece rates, which
    /// sort after every time-based wage.
    pub fn daily_equivalent(&self) -> Option<f64> {
        self.unit.days().map(|d| self.max / d)
    }

    /// `180-220元/天`, `25元/小时`.
    pub fn label_zh(&self) -> String {
        if self.min == self.max {
            format!("{}{}", fmt_amount(self.max), self.unit.label_zh())
        } else {
            format!("{}-{}{}", fmt_amount(self.min), fmt_amount(self.max), self.unit.label_zh())
        }
    }
}

/// Amounts print without a decimal point unless they have jiao or fen:
/// `180`, `22.5`, `0.35`.
pub fn fmt_amount(v: f64) -> String {
    if (v - v.round()).abs() < 0.005 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.2}").trim_end_matches('0').to_string()
    }
}

/// An amount as a JSON number: an integer when whole (`180`, not `180.0`).
pub fn amount_json(v: f64) -> serde_json::Value {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        serde_json::Value::from(v as i64)
    } else {
        serde_json::Value::from(v)
    }
}

/// A postal address split as schema.org's `PostalAddress` does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// Province: 福建省.
    pub region: String,
    /// City: 厦门市.
    pub locality: String,
    /// Everything below the city, as written: 湖里区港中路100号.
    pub street: String,
}

impl Address {
    /// Chinese order, largest unit first, without repeating a part that the
    /// street line already starts with: 福建省厦门市湖里区港中路100号.
    pub fn full(&self) -> String {
        let parts = [&self.region, &self.locality, &self.street];
        let mut out = String::new();
        for (i, part) in parts.iter().enumerate() {
            out.push_str(strip_parts(part, &parts[..i]));
        }
        out
    }

    /// The part worth showing in a list row: the street line without the
    /// province and city it may repeat.
    pub fn short(&self) -> String {
        strip_parts(&self.street, &[&self.region, &self.locality]).to_string()
    }
}

/// `part` without the larger units that it repeats at its start, e.g.
/// `湖里区港中路100号` after `湖里区` has been written.
fn strip_parts<'a>(part: &'a str, before: &[&String]) -> &'a str {
    let mut p = part;
    for prev in before {
        if !prev.is_empty() {
            p = p.strip_prefix(prev.as_str()).unwrap_or(p);
        }
    }
    p
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Employer {
    pub name: String,
    pub telephone: Option<String>,
    /// Unified social credit code (统一社会信用代码) when the platform gives it.
    pub identifier: Option<String>,
}

/// The yes/no facts shown as badges on a job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benefits {
    pub meals: bool,
    pub lodging: bool,
    pub transport: bool,
    pub work_injury_insurance: bool,
    pub verified_employer: bool,
}

/// Where a posting came from; staff-entered postings wait for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Import,
    Feed,
    Staff,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Self::Import => "import",
            Self::Feed => "feed",
            Self::Staff => "staff",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [Self::Import, Self::Feed, Self::Staff].into_iter().find(|v| v.code() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posting {
    pub identifier: String,
    pub title: String,
    pub description: String,
    /// The kind of work in the gig stations' own words: 装卸搬运, 保洁, …
    pub trade: String,
    pub settlement: Option<Settlement>,
    pub wage: Option<Wage>,
    pub employer: Employer,
    pub address: Address,
    pub location: GeoPoint,
    pub date_posted: DateTime<FixedOffset>,
    pub valid_through: DateTime<FixedOffset>,
    pub start_date: Option<NaiveDate>,
    pub work_hours: Option<String>,
    pub total_openings: Option<u32>,
    pub filled: u32,
    pub physical_requirement: Option<String>,
    pub url: Option<String>,
    pub occupational_category: Option<String>,
    pub employment_type: Vec<String>,
    pub benefits: Benefits,
}

impl Posting {
    /// Openings left, or `None` when the posting does not say how many
    /// people it wants (such postings count as open).
    pub fn openings_left(&self) -> Option<u32> {
        self.total_openings.map(|t| t.saturating_sub(self.filled))
    }

    /// Whether a worker may be offered this job at `now`.
    pub fn is_open(&self, now: DateTime<FixedOffset>) -> bool {
        self.valid_through > now && self.openings_left() != Some(0)
    }

    /// The day work starts; postings that do not say start when posted.
    pub fn effective_start(&self) -> NaiveDate {
        self.start_date.unwrap_or_else(|| super::time::china_date(self.date_posted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_equivalents_follow_statutory_time() {
        let w = |max, unit| Wage { min: max, max, unit };
        assert_eq!(w(25.0, WageUnit::Hour).daily_equivalent(), Some(200.0));
        assert_eq!(w(200.0, WageUnit::Day).daily_equivalent(), Some(200.0));
        assert_eq!(w(1000.0, WageUnit::Week).daily_equivalent(), Some(200.0));
        assert_eq!(w(4350.0, WageUnit::Month).daily_equivalent(), Some(200.0));
        assert_eq!(w(2.0, WageUnit::Piece).daily_equivalent(), None);
    }

    #[test]
    fn wage_labels() {
        let w = Wage { min: 180.0, max: 220.0, unit: WageUnit::Day };
        assert_eq!(w.label_zh(), "180-220元/天");
        let w = Wage { min: 22.5, max: 22.5, unit: WageUnit::Hour };
        assert_eq!(w.label_zh(), "22.5元/小时");
        assert_eq!(fmt_amount(0.35), "0.35");
        assert_eq!(amount_json(180.0).to_string(), "180");
        assert_eq!(amount_json(1.6).to_string(), "1.6");
        assert_eq!(WageUnit::from_code("day"), Some(WageUnit::Day));
        assert_eq!(WageUnit::from_code("YEAR"), None);
        assert_eq!(Settlement::from_code("on_completion"), Some(Settlement::OnCompletion));
    }

    #[test]
    fn full_address_does_not_repeat_parts() {
        let a = Address {
            region: "福建省".into(),
            locality: "厦门市".into(),
            street: "湖里区港中路100号".into(),
        };
        assert_eq!(a.full(), "福建省厦门市湖里区港中路100号");
        assert_eq!(a.short(), "湖里区港中路100号");
        let b = Address { street: "福建省厦门市湖里区港中路100号".into(), ..a.clone() };
        assert_eq!(b.full(), "福建省厦门市湖里区港中路100号");
        assert_eq!(b.short(), "湖里区港中路100号");
    }
}
