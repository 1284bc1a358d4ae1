//! The card's 256-byte text block (`idcard-protocol.md`, "The 256-byte text
//! block"): UCS-2 little-endian fixed-width fields padded with spaces, in
//! one of three layouts chosen by bytes 248–249. Parsing is pure and never
//! guesses: a layout that is not public becomes [`CardType::Unknown`] with
//! no personal fields.

use chrono::NaiveDate;
use zeroize::Zeroizing;

use crate::domain::card::{CardType, IdCard, Personal, Sex, Validity, ethnicity_name};

/// Bytes in the text block.
pub const TEXT_LEN: usize = 256;
/// Where the card-type marker sits.
const TYPE_AT: usize = 248;

/// `(offset, bytes)` of each field, per layout.
mod at {
    pub const NAME: (usize, usize) = (0, 30);
    pub const SEX: (usize, usize) = (30, 2);
    pub const ETHNICITY: (usize, usize) = (32, 4);
    pub const BIRTH: (usize, usize) = (36, 16);
    pub const ADDRESS: (usize, usize) = (52, 70);
    pub const ID: (usize, usize) = (122, 36);
    pub const ISSUER: (usize, usize) = (158, 30);
    pub const VALID_FROM: (usize, usize) = (188, 16);
    pub const VALID_TO: (usize, usize) = (204, 16);
    /// 'J' only.
    pub const PERMIT: (usize, usize) = (220, 18);
    pub const ISSUE_COUNT: (usize, usize) = (238, 4);
    /// 'I' (foreign permanent resident, 2017).
    pub mod foreign {
        pub const ENGLISH_NAME: (usize, usize) = (0, 120);
        pub const SEX: (usize, usize) = (120, 2);
        pub const NUMBER: (usize, usize) = (122, 30);
        pub const NATIONALITY: (usize, usize) = (152, 6);
        pub const NAME: (usize, usize) = (158, 30);
        pub const VALID_FROM: (usize, usize) = (188, 16);
        pub const VALID_TO: (usize, usize) = (204, 16);
        pub const BIRTH: (usize, usize) = (220, 16);
        pub const VERSION: (usize, usize) = (236, 4);
        pub const AUTHORITY: (usize, usize) = (240, 8);
    }
}

/// Which layout the marker selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Resident,
    /// 'I'.
    ForeignPermanent,
    /// 'J'.
    HmtResidence,
    /// Any other marker: a layout that is not public.
    Other(u16),
}

impl Layout {
    fn marker(self) -> u16 {
        match self {
            Layout::Resident => 0x0020,
            Layout::ForeignPermanent => u16::from(b'I'),
            Layout::HmtResidence => u16::from(b'J'),
            Layout::Other(m) => m,
        }
    }

    pub fn of(text: &[u8]) -> Layout {
        match u16::from_le_bytes([text[TYPE_AT], text[TYPE_AT + 1]]) {
            0x0049 => Layout::ForeignPermanent,
            0x004A => Layout::HmtResidence,
            // Reserved bytes of a resident card: spaces (or zeros).
            0x0020 | 0x0000 => Layout::Resident,
            m => Layout::Other(m),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the text block has {0} bytes, not 256")]
    Length(usize),
    #[error("the text block is blank")]
    Blank,
}

/// Reads a text block into a card. The photo never gets here.
pub fn parse_text(text: &[u8]) -> Result<IdCard, TextError> {
    if text.len() < TEXT_LEN {
        return Err(TextError::Length(text.len()));
    }
    let text = &text[..TEXT_LEN];
    if text.iter().all(|b| *b == 0) || text.chunks(2).all(|c| c == [0x20, 0x00]) {
        return Err(TextError::Blank);
    }
    let f = |(at, n): (usize, usize)| field(text, at, n);
    Ok(match Layout::of(text) {
        Layout::Resident | Layout::HmtResidence if f(at::ID).starts_with('9') => unknown(),
        Layout::Resident => IdCard::new(
            CardType::Resident,
            Personal {
                name: take(f(at::NAME)),
                address: take(f(at::ADDRESS)),
                id_number: take(f(at::ID)),
                ..Personal::default()
            },
            Sex::from_code(&f(at::SEX)),
            ethnicity_name(&f(at::ETHNICITY)).map(str::to_string),
            None,
            date(&f(at::BIRTH)),
            take(f(at::ISSUER)),
            date(&f(at::VALID_FROM)),
            validity(&f(at::VALID_TO)),
            None,
        ),
        Layout::HmtResidence => IdCard::new(
            CardType::HmtResidence,
            Personal {
                name: take(f(at::NAME)),
                address: take(f(at::ADDRESS)),
                id_number: take(f(at::ID)),
                permit_number: Some(take(f(at::PERMIT))).filter(|p| !p.is_empty()),
                english_name: None,
            },
            Sex::from_code(&f(at::SEX)),
            None,
            None,
            date(&f(at::BIRTH)),
            take(f(at::ISSUER)),
            date(&f(at::VALID_FROM)),
            validity(&f(at::VALID_TO)),
            f(at::ISSUE_COUNT).parse().ok(),
        ),
        Layout::ForeignPermanent => {
            use at::foreign as ff;
            IdCard::new(
                CardType::ForeignPermanent,
                Personal {
                    name: take(f(ff::NAME)),
                    english_name: Some(take(f(ff::ENGLISH_NAME))),
                    address: String::new(),
                    id_number: take(f(ff::NUMBER)),
                    permit_number: None,
                },
                Sex::from_code(&f(ff::SEX)),
                None,
                Some(f(ff::NATIONALITY).to_string()).filter(|n| !n.is_empty()),
                date(&f(ff::BIRTH)),
                // The card carries the issuing authority as a code.
                f(ff::AUTHORITY).to_string(),
                date(&f(ff::VALID_FROM)),
                validity(&f(ff::VALID_TO)),
                None,
            )
        }
        Layout::Other(_) => unknown(),
    })
}

/// A card whose layout is not public: nothing read from it is trusted.
fn unknown() -> IdCard {
    IdCard::new(
        CardType::Unknown,
        Personal::default(),
        Sex::Unknown,
        None,
        None,
        None,
        String::new(),
        None,
        None,
        None,
    )
}

/// One field: UTF-16LE, padding spaces and NULs trimmed.
fn field(text: &[u8], at: usize, n: usize) -> Zeroizing<String> {
    let units: Zeroizing<Vec<u16>> =
        Zeroizing::new(text[at..at + n].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect());
    let s = Zeroizing::new(String::from_utf16_lossy(&units));
    Zeroizing::new(s.trim_matches(|c| c == ' ' || c == '\0' || c == '\u{3000}').to_string())
}

/// Moves a field's text out (the card zeroises it from then on).
fn take(mut s: Zeroizing<String>) -> String {
    std::mem::take(&mut *s)
}

fn date(s: &str) -> Option<NaiveDate> {
    if s.len() != 8 {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

fn validity(s: &str) -> Option<Validity> {
    if s == "长期" { Some(Validity::LongTerm) } else { date(s).map(Validity::Until) }
}

/// The values to write into a text block: what a reader's card holds. For
/// the simulators, the samples and the tests; the kiosk never builds one
/// from a person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFields {
    pub layout: Option<Layout>,
    pub name: String,
    pub english_name: String,
    /// GB/T 2261.1 code: "1", "2", …
    pub sex: String,
    /// GB 3304 code: "01" …
    pub ethnicity: String,
    pub birth: String,
    pub address: String,
    pub id_number: String,
    pub issuer: String,
    pub valid_from: String,
    /// `YYYYMMDD` or `长期`.
    pub valid_to: String,
    pub nationality: String,
    pub permit_number: String,
    pub issue_count: String,
}

/// Writes a text block in the fields' layout; text longer than its field
/// is cut at the field's end.
pub fn encode_text(c: &CardFields) -> Zeroizing<Vec<u8>> {
    // Unused bytes are spaces, as on a card.
    let mut t = Zeroizing::new([0x20, 0x00].repeat(TEXT_LEN / 2));
    let mut put = |(at, n): (usize, usize), s: &str| {
        let units: Vec<u16> = s.encode_utf16().take(n / 2).collect();
        for i in 0..n / 2 {
            let u = units.get(i).copied().unwrap_or(0x20);
            t[at + 2 * i..at + 2 * i + 2].copy_from_slice(&u.to_le_bytes());
        }
    };
    let layout = c.layout.unwrap_or(Layout::Resident);
    match layout {
        Layout::ForeignPermanent => {
            use at::foreign as ff;
            put(ff::ENGLISH_NAME, &c.english_name);
            put(ff::SEX, &c.sex);
            put(ff::NUMBER, &c.id_number);
            put(ff::NATIONALITY, &c.nationality);
            put(ff::NAME, &c.name);
            put(ff::VALID_FROM, &c.valid_from);
            put(ff::VALID_TO, &c.valid_to);
            put(ff::BIRTH, &c.birth);
            put(ff::VERSION, "20");
            put(ff::AUTHORITY, &c.issuer);
        }
        _ => {
            put(at::NAME, &c.name);
            put(at::SEX, &c.sex);
            put(at::ETHNICITY, &c.ethnicity);
            put(at::BIRTH, &c.birth);
            put(at::ADDRESS, &c.address);
            put(at::ID, &c.id_number);
            put(at::ISSUER, &c.issuer);
            put(at::VALID_FROM, &c.valid_from);
            put(at::VALID_TO, &c.valid_to);
            if layout == Layout::HmtResidence {
                put(at::PERMIT, &c.permit_number);
                put(at::ISSUE_COUNT, &c.issue_count);
            }
        }
    }
    t[TYPE_AT..TYPE_AT + 2].copy_from_slice(&layout.marker().to_le_bytes());
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::card_reader::samples::Sample;

    #[test]
    fn every_sample_round_trips_through_its_text_block() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for s in Sample::ALL.into_iter().filter(|s| *s != Sample::NewPermanent) {
            let fields = s.fields();
            let card = parse_text(&encode_text(&fields)).unwrap();
            assert_eq!(card.name(), fields.name, "{s:?}");
            assert_eq!(card.id_number_for_submission(), fields.id_number, "{s:?}");
            assert_eq!(card.is_expired(today), s == Sample::Expired);
        }
    }

    #[test]
    fn resident_fields_land_at_the_spec_offsets() {
        let t = encode_text(&Sample::Resident.fields());
        // Name "王建国" at 0, UTF-16LE, then spaces.
        assert_eq!(&t[0..8], &[0x8B, 0x73, 0xFA, 0x5E, 0xFD, 0x56, 0x20, 0x00]);
        assert_eq!(field(&t, 30, 2).as_str(), "1");
        assert_eq!(field(&t, 32, 4).as_str(), "01");
        assert_eq!(field(&t, 36, 16).as_str(), "19680312");
        assert_eq!(field(&t, 122, 36).as_str(), "350206196803121233");
        assert_eq!(field(&t, 204, 16).as_str(), "长期");
        assert_eq!(Layout::of(&t), Layout::Resident);
        let c = parse_text(&t).unwrap();
        assert_eq!(c.valid_to, Some(Validity::LongTerm));
        assert_eq!(c.ethnicity.as_deref(), Some("汉"));
        assert_eq!(c.sex, Sex::Male);
        assert_eq!(c.birth_date, NaiveDate::from_ymd_opt(1968, 3, 12));
    }

    #[test]
    fn foreign_and_hmt_layouts() {
        let t = encode_text(&Sample::ForeignPermanent.fields());
        assert_eq!(&t[248..250], &[0x49, 0x00]);
        let c = parse_text(&t).unwrap();
        assert_eq!(c.card_type, CardType::ForeignPermanent);
        assert_eq!(c.english_name(), Some("SMITH, JOHN"));
        assert_eq!(c.nationality.as_deref(), Some("USA"));
        assert_eq!(c.masked_id(), "USA3*******1204");
        assert_eq!(c.checksum_ok(), None);

        let t = encode_text(&Sample::HongKongPermit.fields());
        assert_eq!(&t[248..250], &[0x4A, 0x00]);
        let c = parse_text(&t).unwrap();
        assert_eq!(c.card_type, CardType::HmtResidence);
        assert_eq!(c.permit_number_masked().as_deref(), Some("H123*5678"));
        assert_eq!(c.issue_count, Some(1));
        assert_eq!(c.ethnicity, None);
        assert_eq!(c.checksum_ok(), Some(true));
    }

    #[test]
    fn layouts_that_are_not_public_are_not_guessed() {
        let mut f = Sample::Resident.fields();
        f.layout = Some(Layout::Other(u16::from(b'Y')));
        let c = parse_text(&encode_text(&f)).unwrap();
        assert_eq!(c.card_type, CardType::Unknown);
        assert_eq!((c.name(), c.masked_id().as_str(), c.birth_date), ("", "", None));
        // A 2023 permanent-residence number in the resident layout.
        let mut f = Sample::Resident.fields();
        f.id_number = "932682198501010017".into();
        let c = parse_text(&encode_text(&f)).unwrap();
        assert_eq!(c.card_type, CardType::Unknown);
        assert_eq!(c.name(), "");
    }

    #[test]
    fn bad_blocks() {
        assert_eq!(parse_text(&[0u8; 100]), Err(TextError::Length(100)));
        assert_eq!(parse_text(&[0u8; 256]), Err(TextError::Blank));
        assert_eq!(parse_text(&[0x20, 0x00].repeat(128)), Err(TextError::Blank));
        // Unpaired surrogates and nonsense dates decode without a panic.
        let mut t = encode_text(&Sample::Resident.fields());
        t[0..2].copy_from_slice(&[0x00, 0xD8]);
        t[36..52].copy_from_slice(&"19681399".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<_>>());
        let c = parse_text(&t).unwrap();
        assert!(c.name().starts_with('\u{FFFD}'));
        assert_eq!(c.birth_date, None);
    }
}
