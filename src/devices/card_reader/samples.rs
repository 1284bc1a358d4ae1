//! Sample cards for demo mode, the simulators and the tests. Every person
//! and number here is invented; the numbers use the Huli district area code
//! (350206) or the Hong Kong one (810000) and, but for the one that is meant
//! to be wrong, carry correct GB 11643 check digits.

use zeroize::Zeroizing;

use super::text::{CardFields, Layout, encode_text, parse_text};
use crate::domain::card::IdCard;

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
    /// A card whose layout is not public (standing in for the 2023
    /// permanent residence card: type marker 'Y'); the kiosk must not guess.
    NewPermanent,
}

impl Sample {
    pub const ALL: [Sample; 6] = [
        Sample::Resident,
        Sample::ForeignPermanent,
        Sample::HongKongPermit,
        Sample::Expired,
        Sample::BadCheckDigit,
        Sample::NewPermanent,
    ];

    /// A short name for menus and the command line.
    pub fn key(self) -> &'static str {
        match self {
            Sample::Resident => "resident",
            Sample::ForeignPermanent => "foreign",
            Sample::HongKongPermit => "hk",
            Sample::Expired => "expired",
            Sample::BadCheckDigit => "bad-check",
            Sample::NewPermanent => "new-permanent",
        }
    }

    pub fn from_key(key: &str) -> Option<Sample> {
        Sample::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The card as the reader decodes it: the sample's text block through
    /// the same parser real cards go through.
    pub fn card(self) -> IdCard {
        parse_text(&self.text()).expect("sample text blocks are valid (tested)")
    }

    /// The sample's 256-byte text block, as its chip holds it.
    pub fn text(self) -> Zeroizing<Vec<u8>> {
        encode_text(&self.fields())
    }

    /// What is printed on the sample card.
    pub fn fields(self) -> CardFields {
        let s = |v: &str| v.to_string();
        match self {
            Sample::Resident => CardFields {
                name: s("王建国"),
                sex: s("1"),
                ethnicity: s("01"),
                birth: s("19680312"),
                address: s("福建省厦门市湖里区金山街道金湖路18号"),
                id_number: s("350206196803121233"),
                issuer: s("厦门市公安局湖里分局"),
                valid_from: s("20190520"),
                valid_to: s("长期"),
                ..CardFields::default()
            },
            Sample::ForeignPermanent => CardFields {
                layout: Some(Layout::ForeignPermanent),
                name: s("史密斯"),
                english_name: s("SMITH, JOHN"),
                sex: s("1"),
                nationality: s("USA"),
                birth: s("19800912"),
                id_number: s("USA350068091204"),
                // The 2017 card carries its authority as a code.
                issuer: s("1500"),
                valid_from: s("20200108"),
                valid_to: s("20300108"),
                ..CardFields::default()
            },
            Sample::HongKongPermit => CardFields {
                layout: Some(Layout::HmtResidence),
                name: s("陈美玲"),
                sex: s("2"),
                birth: s("19920506"),
                address: s("福建省厦门市思明区鹭江道8号"),
                id_number: s("810000199205061248"),
                issuer: s("厦门市公安局"),
                valid_from: s("20220801"),
                valid_to: s("20270801"),
                permit_number: s("H12345678"),
                issue_count: s("01"),
                ..CardFields::default()
            },
            Sample::Expired => CardFields {
                name: s("李秀英"),
                sex: s("2"),
                ethnicity: s("01"),
                birth: s("19900715"),
                address: s("福建省厦门市湖里区殿前街道高崎南路6号"),
                id_number: s("350206199007152040"),
                issuer: s("厦门市公安局湖里分局"),
                valid_from: s("20060301"),
                valid_to: s("20160301"),
                ..CardFields::default()
            },
            Sample::BadCheckDigit => CardFields {
                name: s("张伟"),
                sex: s("1"),
                ethnicity: s("03"),
                birth: s("19850220"),
                address: s("福建省厦门市湖里区江头街道吕岭路9号"),
                // The correct check digit is 5; 1 is a misread.
                id_number: s("350206198502203011"),
                issuer: s("厦门市公安局湖里分局"),
                valid_from: s("20150601"),
                valid_to: s("20350601"),
                ..CardFields::default()
            },
            Sample::NewPermanent => CardFields {
                layout: Some(Layout::Other(u16::from(b'Y'))),
                name: s("安娜"),
                sex: s("2"),
                birth: s("19880417"),
                id_number: s("932682198804170026"),
                valid_from: s("20240301"),
                valid_to: s("20340301"),
                ..CardFields::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::card::CardType;
    use chrono::NaiveDate;

    #[test]
    fn samples_are_what_they_say() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for s in Sample::ALL {
            let c = s.card();
            let checksum = c.checksum_ok();
            match s {
                Sample::BadCheckDigit => assert_eq!(checksum, Some(false)),
                Sample::ForeignPermanent | Sample::NewPermanent => assert_eq!(checksum, None),
                _ => assert_eq!(checksum, Some(true), "{s:?}"),
            }
            assert_eq!(c.is_expired(today), s == Sample::Expired, "{s:?}");
            assert_eq!(c.card_type == CardType::Unknown, s == Sample::NewPermanent, "{s:?}");
            assert_eq!(Sample::from_key(s.key()), Some(s));
        }
    }
}
