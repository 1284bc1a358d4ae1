//! The request bodies of the platform's submission calls
//! (`platform-api.md`, "Submissions"), built in one place for the kiosk and
//! the command line alike. A body that carries personal data comes back in
//! a [`Zeroizing`] string: it lives in memory only until it is written to
//! the outbox.

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde_json::json;
use zeroize::Zeroizing;

use crate::domain::card::IdCard;

/// The outbox kind of an application (`POST /api/v1/applications`).
pub const APPLICATION: &str = "application";

/// `POST /api/v1/applications`: the card holder applies for `posting_id`.
pub fn application(
    posting_id: &str,
    card: &IdCard,
    station_id: &str,
    at: DateTime<FixedOffset>,
) -> Zeroizing<String> {
    Zeroizing::new(
        json!({
            "posting_id": posting_id,
            "applicant": applicant(card),
            "station_id": station_id,
            "applied_at": at.to_rfc3339_opts(SecondsFormat::Secs, false),
        })
        .to_string(),
    )
}

/// The `applicant` object shared by applications and enrolments.
fn applicant(card: &IdCard) -> serde_json::Value {
    json!({
        "id_number": card.id_number_for_submission(),
        "name": card.name(),
        "card_type": card.card_type.code(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::card_reader::samples::Sample;

    #[test]
    fn an_application_is_exactly_the_contracts_shape() {
        let at = crate::test_support::fixture_now();
        let body = application("HL-1", &Sample::Resident.card(), "XM-HL-01", at);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            v,
            json!({
                "posting_id": "HL-1",
                "applicant": {"id_number": "350206196803121233", "name": "王建国", "card_type": "resident"},
                "station_id": "XM-HL-01",
                "applied_at": "2026-11-23T09:00:00+08:00",
            })
        );
    }
}
