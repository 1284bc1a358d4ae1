//! A training course offered to workers (the "1 training offer" of the
//! stations' service pledge). Wire form: `platform-api.md`, "A course".

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::geo::GeoPoint;
use super::posting::Address;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub identifier: String,
    pub name: String,
    pub description: String,
    pub provider: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub address: Address,
    pub location: Option<GeoPoint>,
    /// Free text such as 免费，结业发证.
    pub subsidy: String,
    pub seats: Option<u32>,
    pub enrolled: u32,
    pub url: Option<String>,
}

impl Course {
    pub fn seats_left(&self) -> Option<u32> {
        self.seats.map(|s| s.saturating_sub(self.enrolled))
    }
}
