//! Reading single fields out of a JSON-LD node, leniently where real
//! publishers vary (a number written as a string, an object where schema.org
//! also allows text) and strictly where a wrong value would mislead a worker.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde_json::{Map, Value};

use crate::domain::geo::GeoPoint;
use crate::domain::time;

/// Why one record was skipped. Every message names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    #[error("the record is {0}, not an object")]
    NotAnObject(&'static str),
    #[error("not a {expected} (@type is {found})")]
    WrongType { expected: &'static str, found: String },
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{field}: expected {expected}, found {found}")]
    WrongValueType { field: String, expected: &'static str, found: String },
    #[error("{field}: {len} characters, more than the {max} allowed")]
    TooLong { field: String, len: usize, max: usize },
    #[error("{field}: {value} is not {what}")]
    Invalid { field: String, value: String, what: &'static str },
    #[error("{field}: {lat},{lon} lies outside China (latitude and longitude swapped?)")]
    OutsideChina { field: &'static str, lat: f64, lon: f64 },
    /// Reading the record failed inside the kiosk (a bug, logged).
    #[error("the kiosk could not read this record ({0}); it was skipped")]
    Unreadable(String),
    #[error("baseSalary: {amount} {unit} is not a plausible wage (expected {lo} to {hi} {unit})")]
    AbsurdWage { amount: String, unit: &'static str, lo: String, hi: String },
}

pub type Result<T> = std::result::Result<T, RecordError>;

/// Longest values accepted, in characters. Longer text is not cut but the
/// record refused: a 50 000-character "title" is a broken export, not a job.
pub mod limits {
    pub const IDENTIFIER: usize = 128;
    pub const TITLE: usize = 200;
    pub const DESCRIPTION: usize = 8_000;
    pub const SHORT: usize = 200;
    pub const PHONE: usize = 40;
    pub const URL: usize = 2_048;
}

/// A JSON type's name for messages.
pub fn type_name(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(20).collect();
            if short.len() < s.len() { format!("\"{short}…\"") } else { format!("\"{s}\"") }
        }
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn wrong(field: &str, expected: &'static str, v: &Value) -> RecordError {
    RecordError::WrongValueType { field: field.to_string(), expected, found: type_name(v) }
}

fn check_len(field: &str, s: String, max: usize) -> Result<String> {
    let len = s.chars().count();
    if len > max {
        return Err(RecordError::TooLong { field: field.to_string(), len, max });
    }
    Ok(s)
}

/// `obj[key]`, treating JSON `null` as absent.
pub fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

/// Text. Empty or whitespace-only text counts as absent. Control characters
/// other than newline and tab are removed (they would garble a slip).
pub fn text(obj: &Map<String, Value>, key: &str, field: &str, max: usize) -> Result<Option<String>> {
    match get(obj, key) {
        None => Ok(None),
        Some(Value::String(s)) => {
            let cleaned: String =
                s.trim().chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
            if cleaned.is_empty() { Ok(None) } else { check_len(field, cleaned, max).map(Some) }
        }
        Some(v) => Err(wrong(field, "text", v)),
    }
}

/// Text that must be present.
pub fn required_text(obj: &Map<String, Value>, key: &str, field: &'static str, max: usize) -> Result<String> {
    text(obj, key, field, max)?.ok_or(RecordError::Missing(field))
}

/// An identifier: text, a number, or a schema.org `PropertyValue` whose
/// `value` is one of those.
pub fn identifier(obj: &Map<String, Value>, key: &str, field: &'static str) -> Result<Option<String>> {
    let s = match get(obj, key) {
        None => return Ok(None),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(_)) => return text(obj, key, field, limits::IDENTIFIER),
        Some(Value::Object(pv)) => return identifier(pv, "value", field),
        Some(v) => return Err(wrong(field, "an identifier", v)),
    };
    check_len(field, s, limits::IDENTIFIER).map(Some)
}

/// A number, or a string holding one (`"180"`), finite.
pub fn number(obj: &Map<String, Value>, key: &str, field: &str) -> Result<Option<f64>> {
    let v = match get(obj, key) {
        None => return Ok(None),
        Some(v) => v,
    };
    let n = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if !s.trim().is_empty() => s.trim().parse::<f64>().ok(),
        Value::String(_) => return Ok(None),
        _ => None,
    };
    match n {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(wrong(field, "a number", v)),
    }
}

/// A whole number in `0..=max`.
pub fn count(obj: &Map<String, Value>, key: &str, field: &str, max: u32) -> Result<Option<u32>> {
    match number(obj, key, field)? {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (0.0..=max as f64).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(RecordError::Invalid {
            field: field.to_string(),
            value: format!("{n}"),
            what: "a whole number in range",
        }),
    }
}

/// A yes/no flag; absent is no.
pub fn flag(obj: &Map<String, Value>, key: &str, field: &str) -> Result<bool> {
    match get(obj, key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(wrong(field, "true or false", v)),
    }
}

/// An instant: RFC 3339 with an offset; a date and time without offset
/// (taken as China time); or a bare date, which means the start of that day
/// in China or, with `end_of_day`, its end.
pub fn instant(
    obj: &Map<String, Value>,
    key: &str,
    field: &str,
    end_of_day: bool,
) -> Result<Option<DateTime<FixedOffset>>> {
    let Some(s) = text(obj, key, field, 64)? else {
        return Ok(None);
    };
    let t = parse_instant(&s, end_of_day).ok_or_else(|| RecordError::Invalid {
        field: field.to_string(),
        value: format!("\"{s}\""),
        what: "a date or time",
    })?;
    if !time::plausible(t) {
        return Err(RecordError::Invalid {
            field: field.to_string(),
            value: format!("\"{s}\""),
            what: "a date between the years 1970 and 2199",
        });
    }
    Ok(Some(t))
}

fn parse_instant(s: &str, end_of_day: bool) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt)
            && let Some(t) = time::china().from_local_datetime(&n).single()
        {
            return Some(t);
        }
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(if end_of_day { time::end_of_china_day(d) } else { time::start_of_china_day(d) })
}

/// A calendar date; a date-time gives its day in China.
pub fn date(obj: &Map<String, Value>, key: &str, field: &str) -> Result<Option<NaiveDate>> {
    Ok(instant(obj, key, field, false)?.map(time::china_date))
}

/// Text, or the `name` of an object (schema.org often allows both).
pub fn name_of(obj: &Map<String, Value>, key: &str, field: &str) -> Result<Option<String>> {
    match get(obj, key) {
        Some(Value::Object(o)) => text(o, "name", field, limits::SHORT),
        _ => text(obj, key, field, limits::SHORT),
    }
}

/// The first object of a value that may be one object or a list of them.
pub fn first_object<'a>(v: &'a Value, field: &str) -> Result<&'a Map<String, Value>> {
    match v {
        Value::Object(o) => Ok(o),
        Value::Array(a) => a.iter().find_map(Value::as_object).ok_or_else(|| wrong(field, "an object", v)),
        _ => Err(wrong(field, "an object", v)),
    }
}

/// Coordinates of a schema.org `Place`: `geo.latitude/longitude` or the
/// place's own `latitude/longitude`. Must lie in China.
pub fn geo(place: &Map<String, Value>, field: &'static str) -> Result<Option<GeoPoint>> {
    let holder = match get(place, "geo") {
        Some(g) => first_object(g, field)?,
        None => place,
    };
    let lat = number(holder, "latitude", &format!("{field}.latitude"))?;
    let lon = number(holder, "longitude", &format!("{field}.longitude"))?;
    match (lat, lon) {
        (Some(lat), Some(lon)) => {
            let p = GeoPoint::new(lat, lon);
            if p.in_china() { Ok(Some(p)) } else { Err(RecordError::OutsideChina { field, lat, lon }) }
        }
        (None, None) => Ok(None),
        _ => Err(RecordError::Missing(if lat.is_none() { "latitude" } else { "longitude" })),
    }
}

/// Whether a node's `@type` is (or includes) one of `accepted`. A node
/// without `@type` is accepted: plain feeds often leave it out.
pub fn check_type(obj: &Map<String, Value>, expected: &'static str, accepted: &[&str]) -> Result<()> {
    let ok = |s: &str| accepted.iter().any(|a| a.eq_ignore_ascii_case(s) || s.ends_with(&format!("/{a}")));
    match get(obj, "@type") {
        None => Ok(()),
        Some(Value::String(s)) if ok(s) => Ok(()),
        Some(Value::Array(a)) if a.iter().any(|t| t.as_str().is_some_and(ok)) => Ok(()),
        Some(v) => Err(RecordError::WrongType { expected, found: type_name(v) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn text_trims_and_rejects_other_types() {
        let o = obj(json!({"a": "  hi\u{0007} ", "b": 42, "c": "   ", "d": null}));
        assert_eq!(text(&o, "a", "a", 10).unwrap().as_deref(), Some("hi"));
        assert_eq!(text(&o, "b", "b", 10).unwrap_err().to_string(), "b: expected text, found the number 42");
        assert_eq!(text(&o, "c", "c", 10).unwrap(), None);
        assert_eq!(text(&o, "d", "d", 10).unwrap(), None);
        assert_eq!(required_text(&o, "zz", "title", 10).unwrap_err(), RecordError::Missing("title"));
        assert!(matches!(text(&o, "a", "a", 1), Err(RecordError::TooLong { len: 2, max: 1, .. })));
    }

    #[test]
    fn numbers_accept_numeric_strings() {
        let o = obj(json!({"a": "180", "b": 12.5, "c": "twelve", "d": [1]}));
        assert_eq!(number(&o, "a", "a").unwrap(), Some(180.0));
        assert_eq!(number(&o, "b", "b").unwrap(), Some(12.5));
        assert!(number(&o, "c", "c").is_err());
        assert!(number(&o, "d", "d").is_err());
        assert_eq!(count(&o, "a", "a", 1000).unwrap(), Some(180));
        assert!(count(&o, "b", "b", 1000).is_err(), "fractional count");
    }

    #[test]
    fn instants_in_all_accepted_forms() {
        let o = obj(json!({
            "rfc": "2026-11-24T07:30:00+08:00",
            "utc": "2026-11-23T23:30:00Z",
            "local": "2026-11-24 07:30:00",
            "day": "2026-11-25",
            "bad": "next tuesday"
        }));
        let want = "2026-11-24T07:30:00+08:00";
        for k in ["rfc", "local"] {
            assert_eq!(instant(&o, k, k, false).unwrap().unwrap().to_rfc3339(), want);
        }
        assert_eq!(
            instant(&o, "utc", "utc", false).unwrap().unwrap().timestamp(),
            DateTime::parse_from_rfc3339(want).unwrap().timestamp()
        );
        assert_eq!(
            instant(&o, "day", "day", true).unwrap().unwrap().to_rfc3339(),
            "2026-11-25T23:59:59+08:00"
        );
        assert_eq!(
            instant(&o, "bad", "validThrough", true).unwrap_err().to_string(),
            "validThrough: \"next tuesday\" is not a date or time"
        );
    }

    #[test]
    fn geo_in_both_places_and_outside_china() {
        let p = obj(json!({"geo": {"latitude": 24.5, "longitude": "118.1"}}));
        assert_eq!(geo(&p, "jobLocation").unwrap(), Some(GeoPoint::new(24.5, 118.1)));
        let p = obj(json!({"latitude": 24.5, "longitude": 118.1}));
        assert_eq!(geo(&p, "jobLocation").unwrap(), Some(GeoPoint::new(24.5, 118.1)));
        let p = obj(json!({"geo": {"latitude": 118.1, "longitude": 24.5}}));
        assert!(matches!(geo(&p, "jobLocation"), Err(RecordError::OutsideChina { .. })));
        let p = obj(json!({"geo": {"latitude": 24.5}}));
        assert_eq!(geo(&p, "jobLocation").unwrap_err(), RecordError::Missing("longitude"));
    }

    #[test]
    fn types() {
        let ok = obj(json!({"@type": "JobPosting"}));
        assert!(check_type(&ok, "JobPosting", &["JobPosting"]).is_ok());
        let ok = obj(json!({"@type": ["Thing", "http://schema.org/JobPosting"]}));
        assert!(check_type(&ok, "JobPosting", &["JobPosting"]).is_ok());
        let bad = obj(json!({"@type": "Organization"}));
        assert_eq!(
            check_type(&bad, "JobPosting", &["JobPosting"]).unwrap_err().to_string(),
            "not a JobPosting (@type is \"Organization\")"
        );
    }
}
