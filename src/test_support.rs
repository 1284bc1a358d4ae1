//! Fixtures shared by the unit tests.

use chrono::{DateTime, FixedOffset, TimeZone};
use serde_json::Value;

use crate::domain::{Posting, time};

/// The example posting of `platform-api.md`, verbatim.
pub fn contract_example() -> Value {
    serde_json::from_str(include_str!("../tests/fixtures/posting-contract-example.json"))
        .expect("fixture is JSON")
}

/// 2026-11-23 09:00 in China: an hour after the example was posted.
pub fn fixture_now() -> DateTime<FixedOffset> {
    time::china().with_ymd_and_hms(2026, 11, 23, 9, 0, 0).single().expect("valid time")
}

/// The contract example as a [`Posting`].
pub fn sample_posting() -> Posting {
    crate::jsonld::posting::from_json(&contract_example(), fixture_now()).expect("fixture is valid")
}
