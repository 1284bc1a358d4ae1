//! schema.org `JobPosting` (with the platform's optional `x-gig` extension)
//! to [`Posting`]. The field rules are in `platform-api.md`; what this adds
//! is the validation that keeps broken records out of the cache.

use chrono::{DateTime, Duration, FixedOffset};
use serde_json::{Map, Value};

use super::fields::{self, RecordError, Result, get, limits};
use crate::domain::posting::fmt_amount;
use crate::domain::{Address, Benefits, Employer, Posting, Settlement, Wage, WageUnit, trade};

/// A posting that gives no `validThrough` stays open this long after
/// `datePosted`: long enough to be useful, short enough that a stale record
/// from a one-off import does not linger for months.
pub const DEFAULT_VALIDITY_DAYS: i64 = 30;

/// Largest opening count taken seriously.
pub const MAX_OPENINGS: u32 = 100_000;

/// Reads one `JobPosting` node. `now` stands in for a missing `datePosted`.
pub fn from_json(v: &Value, now: DateTime<FixedOffset>) -> Result<Posting> {
    let o = match v {
        Value::Object(o) => o,
        Value::Array(_) => return Err(RecordError::NotAnObject("a list")),
        Value::String(_) => return Err(RecordError::NotAnObject("text")),
        Value::Number(_) => return Err(RecordError::NotAnObject("a number")),
        Value::Bool(_) => return Err(RecordError::NotAnObject("true/false")),
        Value::Null => return Err(RecordError::NotAnObject("null")),
    };
    fields::check_type(o, "JobPosting", &["JobPosting"])?;
    let identifier =
        fields::identifier(o, "identifier", "identifier")?.ok_or(RecordError::Missing("identifier"))?;
    let title = fields::required_text(o, "title", "title", limits::TITLE)?;
    let description = fields::text(o, "description", "description", limits::DESCRIPTION)?.unwrap_or_default();

    let place_v = get(o, "jobLocation").ok_or(RecordError::Missing("jobLocation"))?;
    let place = fields::first_object(place_v, "jobLocation")?;
    let location = fields::geo(place, "jobLocation")?.ok_or(RecordError::Missing("jobLocation.geo"))?;
    let address = address(place)?;

    let employer = employer(o)?;
    let wage = wage(o)?;

    let date_posted = fields::instant(o, "datePosted", "datePosted", false)?.unwrap_or(now);
    let valid_through = match fields::instant(o, "validThrough", "validThrough", true)? {
        Some(t) => t,
        // Plausible dates (see `fields::instant`) leave room for this.
        None => date_posted.checked_add_signed(Duration::days(DEFAULT_VALIDITY_DAYS)).unwrap_or(date_posted),
    };
    if valid_through < date_posted {
        return Err(RecordError::Invalid {
            field: "validThrough".into(),
            value: valid_through.to_rfc3339(),
            what: "after datePosted",
        });
    }
    let start_date = fields::date(o, "jobStartDate", "jobStartDate")?;
    let work_hours = fields::text(o, "workHours", "workHours", limits::SHORT)?;
    let total_openings = fields::count(o, "totalJobOpenings", "totalJobOpenings", MAX_OPENINGS)?;
    let physical_requirement = fields::text(o, "physicalRequirement", "physicalRequirement", limits::SHORT)?;
    let url = url(o)?;
    let occupational_category =
        fields::text(o, "occupationalCategory", "occupationalCategory", limits::SHORT)?;
    let employment_type = employment_type(o)?;

    let gig = match get(o, "x-gig") {
        None => None,
        Some(Value::Object(g)) => Some(g),
        Some(v) => {
            return Err(RecordError::WrongValueType {
                field: "x-gig".into(),
                expected: "an object",
                found: fields::type_name(v),
            });
        }
    };
    let empty = Map::new();
    let g = gig.unwrap_or(&empty);
    let trade = match fields::text(g, "trade", "x-gig.trade", limits::SHORT)? {
        Some(t) => t,
        None => trade::infer(&title, &description).to_string(),
    };
    let settlement = match fields::text(g, "settlement", "x-gig.settlement", limits::SHORT)? {
        Some(s) => Some(Settlement::from_code(&s).ok_or_else(|| RecordError::Invalid {
            field: "x-gig.settlement".into(),
            value: format!("\"{s}\""),
            what: "one of daily, weekly, monthly, on_completion, piece",
        })?),
        None => infer_settlement(&title),
    };
    let filled = fields::count(g, "filled", "x-gig.filled", MAX_OPENINGS)?.unwrap_or(0);
    let benefits = Benefits {
        meals: fields::flag(g, "meals", "x-gig.meals")?,
        lodging: fields::flag(g, "lodging", "x-gig.lodging")?,
        transport: fields::flag(g, "transport", "x-gig.transport")?,
        work_injury_insurance: fields::flag(g, "work_injury_insurance", "x-gig.work_injury_insurance")?,
        verified_employer: fields::flag(g, "verified_employer", "x-gig.verified_employer")?,
    };

    Ok(Posting {
        identifier,
        title,
        description,
        trade,
        settlement,
        wage,
        employer,
        address,
        location,
        date_posted,
        valid_through,
        start_date,
        work_hours,
        total_openings,
        filled,
        physical_requirement,
        url,
        occupational_category,
        employment_type,
        benefits,
    })
}

/// `PostalAddress` fields, or plain text taken as the street line.
pub(crate) fn address(place: &Map<String, Value>) -> Result<Address> {
    match get(place, "address") {
        None => Err(RecordError::Missing("jobLocation.address")),
        Some(Value::String(_)) => Ok(Address {
            street: fields::required_text(place, "address", "jobLocation.address", limits::SHORT)?,
            ..Address::default()
        }),
        Some(v) => {
            let a = fields::first_object(v, "jobLocation.address")?;
            let part = |k: &str, f: &str| -> Result<String> {
                Ok(fields::text(a, k, f, limits::SHORT)?.unwrap_or_default())
            };
            let address = Address {
                region: part("addressRegion", "address.addressRegion")?,
                locality: part("addressLocality", "address.addressLocality")?,
                street: part("streetAddress", "address.streetAddress")?,
            };
            if address.full().is_empty() {
                return Err(RecordError::Missing("jobLocation.address"));
            }
            Ok(address)
        }
    }
}

fn employer(o: &Map<String, Value>) -> Result<Employer> {
    match get(o, "hiringOrganization") {
        None => Ok(Employer::default()),
        Some(Value::String(_)) => Ok(Employer {
            name: fields::text(o, "hiringOrganization", "hiringOrganization", limits::SHORT)?
                .unwrap_or_default(),
            ..Employer::default()
        }),
        Some(v) => {
            let h = fields::first_object(v, "hiringOrganization")?;
            Ok(Employer {
                name: fields::text(h, "name", "hiringOrganization.name", limits::SHORT)?.unwrap_or_default(),
                telephone: fields::text(h, "telephone", "hiringOrganization.telephone", limits::PHONE)?,
                identifier: fields::identifier(h, "identifier", "hiringOrganization.identifier")?,
            })
        }
    }
}

/// `baseSalary`: a `MonetaryAmount` whose `value` is a number or a
/// `QuantitativeValue` with `value` or `minValue`/`maxValue` and `unitText`.
fn wage(o: &Map<String, Value>) -> Result<Option<Wage>> {
    let Some(bs) = get(o, "baseSalary") else {
        return Ok(None);
    };
    let bs = match bs {
        Value::Number(_) | Value::String(_) => {
            return Err(RecordError::Missing("baseSalary.value.unitText"));
        }
        v => fields::first_object(v, "baseSalary")?,
    };
    if let Some(cur) = fields::text(bs, "currency", "baseSalary.currency", 8)?
        && !cur.eq_ignore_ascii_case("CNY")
        && cur != "RMB"
        && cur != "人民币"
    {
        return Err(RecordError::Invalid {
            field: "baseSalary.currency".into(),
            value: format!("\"{cur}\""),
            what: "CNY (the kiosk shows wages in yuan)",
        });
    }
    let (qv, unit_holder) = match get(bs, "value") {
        Some(Value::Object(qv)) => (Some(qv), qv),
        Some(_) => (None, bs),
        None => return Err(RecordError::Missing("baseSalary.value")),
    };
    let single = match qv {
        Some(qv) => fields::number(qv, "value", "baseSalary.value.value")?,
        None => fields::number(bs, "value", "baseSalary.value")?,
    };
    let (min, max) = match qv {
        Some(qv) => (
            fields::number(qv, "minValue", "baseSalary.value.minValue")?,
            fields::number(qv, "maxValue", "baseSalary.value.maxValue")?,
        ),
        None => (None, None),
    };
    let (min, max) = match (single, min, max) {
        (_, Some(lo), Some(hi)) => (lo, hi),
        (_, Some(v), None) | (_, None, Some(v)) | (Some(v), None, None) => (v, v),
        (None, None, None) => return Err(RecordError::Missing("baseSalary.value")),
    };
    let unit_text = fields::text(unit_holder, "unitText", "baseSalary.value.unitText", 16)?
        .or(fields::text(bs, "unitText", "baseSalary.unitText", 16)?)
        .ok_or(RecordError::Missing("baseSalary.value.unitText"))?;
    let unit = WageUnit::from_code(&unit_text).ok_or_else(|| RecordError::Invalid {
        field: "baseSalary.value.unitText".into(),
        value: format!("\"{unit_text}\""),
        what: "one of HOUR, DAY, WEEK, MONTH, PIECE",
    })?;
    let (lo, hi) = unit.plausible_range();
    for amount in [min, max] {
        if !(lo..=hi).contains(&amount) {
            return Err(RecordError::AbsurdWage {
                amount: fmt_amount(amount),
                unit: unit.label_zh(),
                lo: fmt_amount(lo),
                hi: fmt_amount(hi),
            });
        }
    }
    if min > max {
        return Err(RecordError::Invalid {
            field: "baseSalary.value".into(),
            value: format!("{}-{}", fmt_amount(min), fmt_amount(max)),
            what: "a range with minValue ≤ maxValue",
        });
    }
    Ok(Some(Wage { min, max, unit }))
}

fn url(o: &Map<String, Value>) -> Result<Option<String>> {
    let Some(u) = fields::text(o, "url", "url", limits::URL)? else {
        return Ok(None);
    };
    if u.starts_with("https://") || u.starts_with("http://") {
        Ok(Some(u))
    } else {
        Err(RecordError::Invalid { field: "url".into(), value: format!("\"{u}\""), what: "an http(s) link" })
    }
}

fn employment_type(o: &Map<String, Value>) -> Result<Vec<String>> {
    match get(o, "employmentType") {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.trim().to_string()]),
        Some(Value::Array(a)) => a
            .iter()
            .take(16)
            .map(|t| match t {
                Value::String(s) if s.chars().count() <= 64 => Ok(s.trim().to_string()),
                v => Err(RecordError::WrongValueType {
                    field: "employmentType".into(),
                    expected: "short text",
                    found: fields::type_name(v),
                }),
            })
            .collect(),
        Some(v) => Err(RecordError::WrongValueType {
            field: "employmentType".into(),
            expected: "text or a list of text",
            found: fields::type_name(v),
        }),
    }
}

/// Postings without `x-gig` often say the settlement in the title: 日结.
fn infer_settlement(title: &str) -> Option<Settlement> {
    Settlement::ALL.into_iter().find(|s| title.contains(s.label_zh()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_support::{contract_example, fixture_now as now};

    #[test]
    fn reads_the_contract_example() {
        let p = from_json(&contract_example(), now()).unwrap();
        assert_eq!(p.identifier, "HL-2026-004211");
        assert_eq!(p.trade, "装卸搬运");
        assert_eq!(p.settlement, Some(Settlement::Daily));
        assert_eq!(p.wage, Some(Wage { min: 180.0, max: 220.0, unit: WageUnit::Day }));
        assert_eq!(p.openings_left(), Some(7));
        assert_eq!(p.address.full(), "福建省厦门市湖里区港中路100号");
        assert_eq!(p.employer.telephone.as_deref(), Some("0592-5550123"));
        assert_eq!(p.valid_through.to_rfc3339(), "2026-11-25T18:00:00+08:00");
        assert_eq!(p.start_date.unwrap().to_string(), "2026-11-24");
        assert!(p.benefits.meals && p.benefits.work_injury_insurance && !p.benefits.lodging);
        assert_eq!(p.employment_type, vec!["TEMPORARY", "PER_DIEM"]);
    }

    #[test]
    fn plain_schema_org_without_x_gig() {
        let mut v = contract_example();
        let o = v.as_object_mut().unwrap();
        o.remove("x-gig");
        o.remove("validThrough");
        o.insert("hiringOrganization".into(), json!("某公司"));
        o.insert("baseSalary".into(), json!({"currency": "CNY", "value": 25, "unitText": "hour"}));
        let p = from_json(&v, now()).unwrap();
        assert_eq!(p.trade, "装卸搬运", "inferred from the title");
        assert_eq!(p.settlement, Some(Settlement::Daily), "日结 in the title");
        assert_eq!(p.employer.name, "某公司");
        assert_eq!(p.wage, Some(Wage { min: 25.0, max: 25.0, unit: WageUnit::Hour }));
        assert_eq!(p.valid_through, p.date_posted + Duration::days(DEFAULT_VALIDITY_DAYS));
        assert_eq!(p.openings_left(), Some(12));
    }

    #[test]
    fn dates_chrono_cannot_hold_are_refused_not_panicked_on() {
        // Each of these once panicked in date arithmetic and took the whole
        // file (or the sync task) down with it.
        for (key, value, drop_valid_through) in [
            ("datePosted", "-262143-01-01", false),
            ("datePosted", "+262142-12-31", true),
            ("validThrough", "+262142-12-31", false),
            ("jobStartDate", "-262143-01-01", false),
            ("datePosted", "9999-12-31T23:59:59-12:00", true),
            ("validThrough", "0001-01-01", false),
        ] {
            let why = refused(|o| {
                o.insert(key.into(), json!(value));
                if drop_valid_through {
                    o.remove("validThrough");
                }
            });
            assert_eq!(why, format!("{key}: \"{value}\" is not a date between the years 1970 and 2199"));
        }
    }

    fn refused(edit: impl FnOnce(&mut Map<String, Value>)) -> String {
        let mut v = contract_example();
        edit(v.as_object_mut().unwrap());
        from_json(&v, now()).unwrap_err().to_string()
    }

    #[test]
    fn refuses_broken_records_with_reasons() {
        assert_eq!(
            refused(|o| {
                o.remove("identifier");
            }),
            "identifier is missing"
        );
        assert_eq!(
            refused(|o| {
                o.remove("title");
            }),
            "title is missing"
        );
        assert_eq!(
            refused(|o| {
                o.remove("jobLocation");
            }),
            "jobLocation is missing"
        );
        assert_eq!(
            refused(|o| {
                o.insert("title".into(), json!(42));
            }),
            "title: expected text, found the number 42"
        );
        assert_eq!(
            refused(|o| {
                o.insert("totalJobOpenings".into(), json!("twelve"));
            }),
            "totalJobOpenings: expected a number, found \"twelve\""
        );
        assert_eq!(
            refused(|o| {
                o.insert(
                    "jobLocation".into(),
                    json!({"address": "x", "geo": {"latitude": 118.12, "longitude": 24.5}}),
                );
            }),
            "jobLocation: 118.12,24.5 lies outside China (latitude and longitude swapped?)"
        );
        assert_eq!(
            refused(|o| {
                o["baseSalary"]["value"]["maxValue"] = json!(22000);
            }),
            "baseSalary: 22000 元/天 is not a plausible wage (expected 30 to 3000 元/天)"
        );
        assert_eq!(
            refused(|o| {
                o.insert("title".into(), json!("工".repeat(201)));
            }),
            "title: 201 characters, more than the 200 allowed"
        );
        assert_eq!(
            refused(|o| {
                o.insert("@type".into(), json!("Organization"));
            }),
            "not a JobPosting (@type is \"Organization\")"
        );
        assert_eq!(
            refused(|o| {
                o["x-gig"]["settlement"] = json!("yearly");
            }),
            "x-gig.settlement: \"yearly\" is not one of daily, weekly, monthly, on_completion, piece"
        );
        assert_eq!(
            refused(|o| {
                o.insert("validThrough".into(), json!("2026-11-01"));
            }),
            "validThrough: 2026-11-01T23:59:59+08:00 is not after datePosted"
        );
        assert_eq!(
            refused(|o| {
                o["baseSalary"]["currency"] = json!("USD");
            }),
            "baseSalary.currency: \"USD\" is not CNY (the kiosk shows wages in yuan)"
        );
        assert!(from_json(&json!([1]), now()).is_err());
    }
}
