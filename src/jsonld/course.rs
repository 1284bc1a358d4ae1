//! The platform's course record (`platform-api.md`, "A course") to
//! [`Course`]. Accepts a schema.org `Course`/`CourseInstance` node as well.

use serde_json::Value;

use super::fields::{self, RecordError, Result, get, limits};
use crate::domain::{Address, Course};

pub const MAX_SEATS: u32 = 100_000;

pub fn from_json(v: &Value) -> Result<Course> {
    let Value::Object(o) = v else {
        return Err(RecordError::NotAnObject(match v {
            Value::Array(_) => "a list",
            Value::String(_) => "text",
            Value::Number(_) => "a number",
            Value::Bool(_) => "true/false",
            _ => "null",
        }));
    };
    fields::check_type(o, "course", &["Course", "CourseInstance", "EducationalOccupationalProgram"])?;
    let identifier =
        fields::identifier(o, "identifier", "identifier")?.ok_or(RecordError::Missing("identifier"))?;
    let name = fields::required_text(o, "name", "name", limits::TITLE)?;
    let description = fields::text(o, "description", "description", limits::DESCRIPTION)?.unwrap_or_default();
    let provider = fields::name_of(o, "provider", "provider")?.unwrap_or_default();
    let start_date = fields::date(o, "startDate", "startDate")?;
    let end_date = fields::date(o, "endDate", "endDate")?;
    if let (Some(s), Some(e)) = (start_date, end_date)
        && e < s
    {
        return Err(RecordError::Invalid {
            field: "endDate".into(),
            value: e.to_string(),
            what: "on or after startDate",
        });
    }
    let (address, location) = match get(o, "location") {
        None => (Address::default(), None),
        Some(Value::String(_)) => (
            Address {
                street: fields::text(o, "location", "location", limits::SHORT)?.unwrap_or_default(),
                ..Address::default()
            },
            None,
        ),
        Some(v) => {
            let place = fields::first_object(v, "location")?;
            let address = match get(place, "address") {
                Some(_) => super::posting::address(place)?,
                None => Address::default(),
            };
            (address, fields::geo(place, "location")?)
        }
    };
    let subsidy = fields::text(o, "subsidy", "subsidy", limits::SHORT)?.unwrap_or_default();
    let seats = fields::count(o, "seats", "seats", MAX_SEATS)?;
    let enrolled = fields::count(o, "enrolled", "enrolled", MAX_SEATS)?.unwrap_or(0);
    let url = fields::text(o, "url", "url", limits::URL)?;
    if let Some(u) = &url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(RecordError::Invalid {
            field: "url".into(),
            value: format!("\"{u}\""),
            what: "an http(s) link",
        });
    }
    Ok(Course {
        identifier,
        name,
        description,
        provider,
        start_date,
        end_date,
        address,
        location,
        subsidy,
        seats,
        enrolled,
        url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_course() {
        let c = from_json(&json!({
            "identifier": "C-1", "name": "养老护理员（初级）", "description": "五天",
            "provider": {"name": "湖里区职业技能培训中心"},
            "startDate": "2026-12-01", "endDate": "2026-12-05",
            "location": {"address": {"addressLocality": "厦门市", "streetAddress": "湖里区金尚路1号"},
                         "geo": {"latitude": 24.51, "longitude": 118.15}},
            "subsidy": "免费，结业发证", "seats": 30, "enrolled": 12,
            "url": "https://jobs.example.gov.cn/c/C-1"
        }))
        .unwrap();
        assert_eq!(c.provider, "湖里区职业技能培训中心");
        assert_eq!(c.seats_left(), Some(18));
        assert_eq!(c.address.full(), "厦门市湖里区金尚路1号");
        assert!(c.location.is_some());
    }

    #[test]
    fn refuses_courses_without_name_or_with_backwards_dates() {
        assert_eq!(from_json(&json!({"identifier": "C"})).unwrap_err().to_string(), "name is missing");
        let e = from_json(
            &json!({"identifier": "C", "name": "x", "startDate": "2026-12-05", "endDate": "2026-12-01"}),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "endDate: 2026-12-01 is not on or after startDate");
    }
}
