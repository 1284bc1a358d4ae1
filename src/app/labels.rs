//! Words the core puts on screen from data: wage units, settlements,
//! distances, dates, trades, card types. Fixed UI text lives in `ui/` under
//! `@tr()`; these are the pieces built from values, so they are made here in
//! the session's language. Every function covers every language (a match
//! without a wildcard), so a new language cannot be half added.

use chrono::{Datelike, NaiveDate};

use super::session::Lang;
use crate::domain::card::CardType;
use crate::domain::{Settlement, Wage, WageUnit, posting::fmt_amount};

pub fn wage_unit(u: WageUnit, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => u.label_zh(),
        Lang::En => match u {
            WageUnit::Hour => " yuan/hour",
            WageUnit::Day => " yuan/day",
            WageUnit::Week => " yuan/week",
            WageUnit::Month => " yuan/month",
            WageUnit::Piece => " yuan/piece",
        },
    }
}

/// The amount alone (`180-220`) and the unit alone (`元/天`), for a big
/// figure next to a smaller unit.
pub fn wage_parts(w: Option<Wage>, lang: Lang) -> (String, String) {
    match w {
        Some(w) if w.min == w.max => (fmt_amount(w.max), wage_unit(w.unit, lang).trim().to_string()),
        Some(w) => (
            format!("{}-{}", fmt_amount(w.min), fmt_amount(w.max)),
            wage_unit(w.unit, lang).trim().to_string(),
        ),
        None => (
            match lang {
                Lang::Zh => "面议".into(),
                Lang::En => "Negotiable".into(),
            },
            String::new(),
        ),
    }
}

pub fn settlement(s: Option<Settlement>, lang: Lang) -> String {
    let Some(s) = s else {
        return match lang {
            Lang::Zh => "结算方式面议".into(),
            Lang::En => "Payment terms negotiable".into(),
        };
    };
    match lang {
        Lang::Zh => s.label_zh().into(),
        Lang::En => match s {
            Settlement::Daily => "Paid daily",
            Settlement::Weekly => "Paid weekly",
            Settlement::Monthly => "Paid monthly",
            Settlement::OnCompletion => "Paid on completion",
            Settlement::Piece => "Paid by piece",
        }
        .into(),
    }
}

pub fn distance(m: u32, lang: Lang) -> String {
    match lang {
        Lang::Zh => crate::search::query::format_distance_zh(m),
        Lang::En if m < 1000 => format!("{m} m"),
        Lang::En => format!("{:.1} km", m as f64 / 1000.0).replace(".0 km", " km"),
    }
}

/// `今天` / `明天` / `11月26日`.
pub fn start_day(d: NaiveDate, today: NaiveDate, lang: Lang) -> String {
    let days = (d - today).num_days();
    match (lang, days) {
        (Lang::Zh, ..=0) => "今天开工".into(),
        (Lang::Zh, 1) => "明天开工".into(),
        (Lang::Zh, _) => format!("{}月{}日开工", d.month(), d.day()),
        (Lang::En, ..=0) => "Starts today".into(),
        (Lang::En, 1) => "Starts tomorrow".into(),
        (Lang::En, _) => format!("Starts {}", d.format("%b %-d")),
    }
}

pub fn openings(left: Option<u32>, lang: Lang) -> String {
    match (lang, left) {
        (Lang::Zh, Some(n)) => format!("还招{n}人"),
        (Lang::Zh, None) => "人数不限".into(),
        (Lang::En, Some(1)) => "1 opening left".into(),
        (Lang::En, Some(n)) => format!("{n} openings left"),
        (Lang::En, None) => "Open headcount".into(),
    }
}

pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

/// English names of the trades of `domain::trade::TRADES`; data in other
/// words is shown as it is.
pub fn trade(t: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        return t.to_string();
    }
    let en = match t {
        "装卸搬运" => "Loading",
        "快递分拣" => "Parcel sorting",
        "保洁" => "Cleaning",
        "家政" => "Housekeeping",
        "养老护理" => "Elderly care",
        "钢筋工" => "Rebar work",
        "水电安装" => "Plumbing & wiring",
        "建筑小工" => "Building labour",
        "餐饮帮厨" => "Kitchen help",
        "服务员" => "Waiting staff",
        "搬家" => "Removals",
        "咖啡采摘" => "Coffee picking",
        "茶叶采摘" => "Tea picking",
        "烤烟" => "Tobacco curing",
        "水果采摘" => "Fruit picking",
        "绿化养护" => "Gardening",
        "电子厂普工" => "Factory line",
        "外卖配送" => "Delivery",
        "服装加工" => "Garment work",
        "保安" => "Security",
        "其他" => "Other",
        other => return other.to_string(),
    };
    en.to_string()
}

pub fn card_type(t: CardType, lang: Lang) -> &'static str {
    match (lang, t) {
        (Lang::Zh, CardType::Resident) => "居民身份证",
        (Lang::Zh, CardType::ForeignPermanent) => "外国人永久居留身份证",
        (Lang::Zh, CardType::HmtResidence) => "港澳台居民居住证",
        (Lang::Zh, CardType::Unknown) => "身份证件",
        (Lang::En, CardType::Resident) => "Resident ID card",
        (Lang::En, CardType::ForeignPermanent) => "Foreign permanent resident ID card",
        (Lang::En, CardType::HmtResidence) => "HK/Macao/Taiwan residence permit",
        (Lang::En, CardType::Unknown) => "ID card",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::trade::TRADES;

    #[test]
    fn every_trade_has_an_english_name() {
        for (t, _) in TRADES {
            let en = trade(t, Lang::En);
            assert!(en.is_ascii(), "{t} has no English name");
        }
    }

    #[test]
    fn values_read_naturally() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(distance(1250, Lang::En), "1.2 km");
        assert_eq!(distance(3000, Lang::En), "3 km");
        assert_eq!(distance(640, Lang::Zh), "640米");
        assert_eq!(start_day(d(11, 25), d(11, 23), Lang::Zh), "11月25日开工");
        assert_eq!(start_day(d(11, 24), d(11, 23), Lang::En), "Starts tomorrow");
        let w = Wage { min: 180.0, max: 220.0, unit: WageUnit::Day };
        assert_eq!(wage_parts(Some(w), Lang::Zh), ("180-220".into(), "元/天".into()));
        assert_eq!(wage_parts(Some(w), Lang::En), ("180-220".into(), "yuan/day".into()));
        assert_eq!(openings(Some(1), Lang::En), "1 opening left");
    }
}
