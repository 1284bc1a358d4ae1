//! Sample cards for demo mode, the simulators and the tests. Every person
//! and number here is invented; the numbers use the Huli district area code
//! (350206) or the Hong Kong one (810000) and, but for the one that is meant
//! to be wrong, carry correct GB 11643 check digits.

use chrono::NaiveDate;

use crate::domain::card::{CardType, IdCard, Personal, Sex, Validity};

/// A card the simulator can present, with what it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// A resident card valid for the long term (holder over 45).
    Resident,
    /// A 2017 foreign permanent resident card ('I').
    ForeignPermanent,
    /// A Hong Kong residents' residence permit ('J').
    HongKongPermit,
    /// A resident card that expired in 2016.
    Expired,
    /// A resident card whose check digit is wrong.
    BadCheckDigit,
}

impl Sample {
    pub const ALL: [Sample; 5] = [
        Sample::Resident,
        Sample::ForeignPermanent,
        Sample::HongKongPermit,
        Sample::Expired,
        Sample::BadCheckDigit,
    ];

    /// A short name for menus and the command line.
    pub fn key(self) -> &'static str {
        match self {
            Sample::Resident => "resident",
            Sample::ForeignPermanent => "foreign",
            Sample::HongKongPermit => "hk",
            Sample::Expired => "expired",
            Sample::BadCheckDigit => "bad-check",
        }
    }

    pub fn from_key(key: &str) -> Option<Sample> {
        Sample::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn card(self) -> IdCard {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
        match self {
            Sample::Resident => IdCard::new(
                CardType::Resident,
                Personal {
                    name: "王建国".into(),
                    address: "福建省厦门市湖里区金山街道金湖路18号".into(),
                    id_number: "350206196803121233".into(),
                    ..Personal::default()
                },
                Sex::Male,
                Some("汉".into()),
                None,
                d(1968, 3, 12),
                "厦门市公安局湖里分局".into(),
                d(2019, 5, 20),
                Some(Validity::LongTerm),
                None,
            ),
            Sample::ForeignPermanent => IdCard::new(
                CardType::ForeignPermanent,
                Personal {
                    name: "史密斯".into(),
                    english_name: Some("SMITH, JOHN".into()),
                    address: String::new(),
                    id_number: "USA350068091204".into(),
                    permit_number: None,
                },
                Sex::Male,
                None,
                Some("USA".into()),
                d(1980, 9, 12),
                "中华人民共和国国家移民管理局".into(),
                d(2020, 1, 8),
                d(2030, 1, 8).map(Validity::Until),
                None,
            ),
            Sample::HongKongPermit => IdCard::new(
                CardType::HmtResidence,
                Personal {
                    name: "陈美玲".into(),
                    address: "福建省厦门市思明区鹭江道8号".into(),
                    id_number: "810000199205061248".into(),
                    permit_number: Some("H12345678".into()),
                    english_name: None,
                },
                Sex::Female,
                None,
                None,
                d(1992, 5, 6),
                "厦门市公安局".into(),
                d(2022, 8, 1),
                d(2027, 8, 1).map(Validity::Until),
                Some(1),
            ),
            Sample::Expired => IdCard::new(
                CardType::Resident,
                Personal {
                    name: "李秀英".into(),
                    address: "福建省厦门市湖里区殿前街道高崎南路6号".into(),
                    id_number: "350206199007152040".into(),
                    ..Personal::default()
                },
                Sex::Female,
                Some("汉".into()),
                None,
                d(1990, 7, 15),
                "厦门市公安局湖里分局".into(),
                d(2006, 3, 1),
                d(2016, 3, 1).map(Validity::Until),
                None,
            ),
            Sample::BadCheckDigit => IdCard::new(
                CardType::Resident,
                Personal {
                    name: "张伟".into(),
                    address: "福建省厦门市湖里区江头街道吕岭路9号".into(),
                    // The correct check digit is 5; 1 is a misread.
                    id_number: "350206198502203011".into(),
                    ..Personal::default()
                },
                Sex::Male,
                Some("回".into()),
                None,
                d(1985, 2, 20),
                "厦门市公安局湖里分局".into(),
                d(2015, 6, 1),
                d(2035, 6, 1).map(Validity::Until),
                None,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_what_they_say() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for s in Sample::ALL {
            let c = s.card();
            let checksum = c.checksum_ok();
            match s {
                Sample::BadCheckDigit => assert_eq!(checksum, Some(false)),
                Sample::ForeignPermanent => assert_eq!(checksum, None),
                _ => assert_eq!(checksum, Some(true), "{s:?}"),
            }
            assert_eq!(c.is_expired(today), s == Sample::Expired, "{s:?}");
            assert_eq!(Sample::from_key(s.key()), Some(s));
        }
    }
}
