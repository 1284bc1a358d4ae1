//! An identity card read at the kiosk, and the rules about its number.
//!
//! Terms: the **ID number** is the 18-character citizen identity number
//! (公民身份号码, GB 11643) of a resident card or a Hong Kong/Macao/Taiwan
//! residence permit, or the 15-character number of a 2017 foreign permanent
//! resident card. The **masked** form keeps the first 4 and last 4
//! characters (`3502**********1234`): the only form that may appear on a
//! screen, a slip or in a log.
//!
//! Privacy by construction: `Debug` and `Display` print only masked values;
//! the full number is reachable through one accessor,
//! [`IdCard::id_number_for_submission`], used where a submission to the
//! platform is built; name, address and numbers are zeroised in memory when
//! the card value is dropped (session end).

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;
use zeroize::Zeroizing;

/// What kind of card this is (the text block's bytes 248–249).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CardType {
    /// 居民身份证.
    Resident,
    /// 外国人永久居留身份证 (2017 edition).
    ForeignPermanent,
    /// 港澳台居民居住证.
    HmtResidence,
    /// A card whose layout is not public (for example the 2023 permanent
    /// residence card): only what is safe to decode is filled in.
    Unknown,
}

impl CardType {
    /// The platform's code (`platform-api.md`, applicant `card_type`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::ForeignPermanent => "foreign_permanent",
            Self::HmtResidence => "hmt_residence",
            Self::Unknown => "unknown",
        }
    }
}

/// Sex as coded on the card (GB/T 2261.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Unknown,
    Male,
    Female,
    Unstated,
}

impl Sex {
    pub fn from_code(c: &str) -> Sex {
        match c.trim() {
            "1" => Sex::Male,
            "2" => Sex::Female,
            "9" => Sex::Unstated,
            _ => Sex::Unknown,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
            Sex::Unstated => "未说明",
            Sex::Unknown => "未知",
        }
    }
}

/// How long a card is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    Until(NaiveDate),
    /// 长期: no expiry.
    LongTerm,
}

/// Everything read from a card's text block (the photo is never kept).
#[derive(Clone, PartialEq, Eq)]
pub struct IdCard {
    pub card_type: CardType,
    name: Zeroizing<String>,
    english_name: Option<Zeroizing<String>>,
    pub sex: Sex,
    /// Ethnicity name (汉, 回, …) for resident cards.
    pub ethnicity: Option<String>,
    /// GB/T 2659 three-letter code, for foreign permanent resident cards.
    pub nationality: Option<String>,
    pub birth_date: Option<NaiveDate>,
    address: Zeroizing<String>,
    id_number: Zeroizing<String>,
    /// 签发机关.
    pub issuer: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<Validity>,
    /// The Mainland travel permit number of a HK/Macao/Taiwan residence permit.
    permit_number: Option<Zeroizing<String>>,
    /// How many times a HK/Macao/Taiwan residence permit has been issued.
    pub issue_count: Option<u32>,
}

/// The personal fields of a card, for [`IdCard::new`].
#[derive(Debug, Clone, Default)]
pub struct Personal {
    pub name: String,
    pub english_name: Option<String>,
    pub address: String,
    pub id_number: String,
    pub permit_number: Option<String>,
}

impl IdCard {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        card_type: CardType,
        personal: Personal,
        sex: Sex,
        ethnicity: Option<String>,
        nationality: Option<String>,
        birth_date: Option<NaiveDate>,
        issuer: String,
        valid_from: Option<NaiveDate>,
        valid_to: Option<Validity>,
        issue_count: Option<u32>,
    ) -> IdCard {
        IdCard {
            card_type,
            name: Zeroizing::new(personal.name),
            english_name: personal.english_name.map(Zeroizing::new),
            sex,
            ethnicity,
            nationality,
            birth_date,
            address: Zeroizing::new(personal.address),
            id_number: Zeroizing::new(personal.id_number),
            issuer,
            valid_from,
            valid_to,
            permit_number: personal.permit_number.map(Zeroizing::new),
            issue_count,
        }
    }

    /// The name as printed on the card (shown on screen to greet the holder).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn english_name(&self) -> Option<&str> {
        self.english_name.as_deref().map(String::as_str)
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    /// The full ID number. Only for building a submission to the platform;
    /// everywhere else use [`IdCard::masked_id`].
    pub fn id_number_for_submission(&self) -> &str {
        &self.id_number
    }

    /// `3502**********1234`.
    pub fn masked_id(&self) -> String {
        mask(&self.id_number)
    }

    pub fn permit_number_masked(&self) -> Option<String> {
        self.permit_number.as_deref().map(|p| mask(p))
    }

    /// Whether the GB 11643 check digit is right. `None` for numbers that
    /// have no such check digit (the 15-character 2017 foreign permanent
    /// resident card).
    pub fn checksum_ok(&self) -> Option<bool> {
        (self.id_number.chars().count() == 18).then(|| gb11643_valid(&self.id_number))
    }

    /// Whether the card has expired by `today` (its last valid day passed).
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        matches!(self.valid_to, Some(Validity::Until(d)) if d < today)
    }

    /// The address with all but its first three characters (the province)
    /// hidden: enough for a technician to see the text decoded right.
    pub fn address_masked(&self) -> String {
        mask_after(&self.address, 3)
    }

    /// The name with all but its first character hidden, for logs: `王**`.
    pub fn name_masked(&self) -> String {
        mask_after(&self.name, 1)
    }
}

impl fmt::Debug for IdCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdCard")
            .field("card_type", &self.card_type)
            .field("name", &self.name_masked())
            .field("id", &self.masked_id())
            .field("valid_to", &self.valid_to)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for IdCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.name_masked(), self.masked_id())
    }
}

/// The first `keep` characters, the rest as `*` (names, addresses).
pub fn mask_after(s: &str, keep: usize) -> String {
    s.chars().enumerate().map(|(i, c)| if i < keep { c } else { '*' }).collect()
}

/// First 4 and last 4 characters, the rest as `*`. Shorter strings are
/// masked entirely.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars.iter().enumerate().map(|(i, c)| if i < 4 || i >= n - 4 { *c } else { '*' }).collect()
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character for the first 17 digits, or `None` if
/// they are not 17 digits.
pub fn gb11643_check_char(first17: &str) -> Option<char> {
    let digits: Vec<u32> = first17.chars().map(|c| c.to_digit(10)).collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let s: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    Some(CHECK[(s % 11) as usize])
}

/// Whether an 18-character number has a valid GB 11643 check character
/// (`x` is accepted for `X`).
pub fn gb11643_valid(number: &str) -> bool {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let first: String = chars[..17].iter().collect();
    gb11643_check_char(&first) == Some(chars[17].to_ascii_uppercase())
}

/// Ethnicity names by GB 3304 code.
/// The GB 3304 code (`01`) of an ethnicity name (`汉`).
pub fn ethnicity_code(name: &str) -> Option<String> {
    (1..=56u8).map(|n| format!("{n:02}")).find(|c| ethnicity_name(c) == Some(name))
}

pub fn ethnicity_name(code: &str) -> Option<&'static str> {
    const NAMES: [&str; 56] = [
        "汉",
        "蒙古",
        "回",
        "藏",
        "维吾尔",
        "苗",
        "彝",
        "壮",
        "布依",
        "朝鲜",
        "满",
        "侗",
        "瑶",
        "白",
        "土家",
        "哈尼",
        "哈萨克",
        "傣",
        "黎",
        "傈僳",
        "佤",
        "畲",
        "高山",
        "拉祜",
        "水",
        "东乡",
        "纳西",
        "景颇",
        "柯尔克孜",
        "土",
        "达斡尔",
        "仫佬",
        "羌",
        "布朗",
        "撒拉",
        "毛南",
        "仡佬",
        "锡伯",
        "阿昌",
        "普米",
        "塔吉克",
        "怒",
        "乌孜别克",
        "俄罗斯",
        "鄂温克",
        "德昂",
        "保安",
        "裕固",
        "京",
        "塔塔尔",
        "独龙",
        "鄂伦春",
        "赫哲",
        "门巴",
        "珞巴",
        "基诺",
    ];
    match code.trim().parse::<usize>().ok()? {
        n @ 1..=56 => Some(NAMES[n - 1]),
        97 => Some("其他"),
        98 => Some("外国血统中国籍人士"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str) -> IdCard {
        IdCard::new(
            CardType::Resident,
            Personal {
                name: "王建国".into(),
                address: "福建省厦门市湖里区".into(),
                id_number: number.into(),
                ..Personal::default()
            },
            Sex::Male,
            Some("汉".into()),
            None,
            None,
            "厦门市公安局湖里分局".into(),
            None,
            Some(Validity::Until(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap())),
            None,
        )
    }

    #[test]
    fn check_digits_from_the_spec() {
        assert!(gb11643_valid("11010519491231002X"));
        assert!(gb11643_valid("11010519491231002x"));
        assert!(gb11643_valid("932682198501010017"));
        assert!(!gb11643_valid("110105194912310021"));
        assert!(!gb11643_valid("1101051949123100"));
        assert_eq!(gb11643_check_char("11010519491231002"), Some('X'));
    }

    #[test]
    fn the_full_number_never_leaks_through_formatting() {
        let c = card("11010519491231002X");
        assert_eq!(c.masked_id(), "1101**********002X");
        let shown = format!("{c} {c:?} {c:#?}");
        assert!(!shown.contains("11010519491231002X"), "{shown}");
        assert!(!shown.contains("王建国"), "{shown}");
        assert!(shown.contains("1101**********002X"));
        assert_eq!(c.id_number_for_submission(), "11010519491231002X");
        assert_eq!(c.name_masked(), "王**");
        assert_eq!(c.checksum_ok(), Some(true));
        assert_eq!(card("110105194912310021").checksum_ok(), Some(false));
        assert_eq!(card("USA350068091204").checksum_ok(), None);
    }

    #[test]
    fn expiry_and_long_term() {
        let mut c = card("11010519491231002X");
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert!(!c.is_expired(day(2030, 1, 1)), "valid through its last day");
        assert!(c.is_expired(day(2030, 1, 2)));
        c.valid_to = Some(Validity::LongTerm);
        assert!(!c.is_expired(day(2099, 1, 1)));
    }

    #[test]
    fn masks_and_ethnicities() {
        assert_eq!(mask("H12345678"), "H123*5678");
        assert_eq!(mask("12345678"), "********");
        assert_eq!(ethnicity_name("01"), Some("汉"));
        assert_eq!(ethnicity_name("56"), Some("基诺"));
        assert_eq!(ethnicity_name("98"), Some("外国血统中国籍人士"));
        assert_eq!(ethnicity_name("77"), None);
    }
}
