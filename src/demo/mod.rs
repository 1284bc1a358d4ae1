//! Realistic demo postings and courses for a real place, at any size.
//!
//! `kiosk demo generate` writes them as schema.org JSON-LD, exactly as a
//! platform would publish them, so demo data goes through the same import
//! path as real data. The bundled set in `assets/demo/` was made with the
//! command recorded in `assets/demo/README.md`.
//!
//! A generated file records the instant it was generated for
//! (`x-gig-demo-reference`). Demo mode moves every date by the days between
//! then and today ([`shift_days`], [`rebase`]), so the bundled jobs are
//! "today's jobs" whenever the demo runs; a plain `kiosk import` of the
//! same file keeps the dates as written.

pub mod places;
pub mod trades;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Timelike};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

pub use places::{DemoStation, PLACES, Place, XIAMEN_HULI};

use crate::domain::posting::amount_json;
use crate::domain::{Settlement, WageUnit, time};
use trades::{Pay, TradeSpec};

/// The station demo mode runs as.
pub const DEMO_STATION: DemoStation = XIAMEN_HULI.station;

/// Top-level key of a generated document holding its reference instant.
pub const REFERENCE_KEY: &str = "x-gig-demo-reference";

/// The bundled demo postings, compiled in so demo mode works from any
/// working directory.
pub const BUNDLED_POSTINGS: &[u8] = include_bytes!("../../assets/demo/postings.jsonld");
/// The bundled demo courses.
pub const BUNDLED_COURSES: &[u8] = include_bytes!("../../assets/demo/courses.jsonld");

#[derive(Debug, Clone)]
pub struct Options {
    pub place: &'static Place,
    pub postings: usize,
    pub courses: usize,
    pub seed: u64,
    /// "Now" for the generated data: postings are posted before it, most
    /// are valid after it.
    pub reference: DateTime<FixedOffset>,
    /// Share of postings already expired at the reference instant.
    pub expired_share: f64,
    /// Share of postings with every opening filled.
    pub full_share: f64,
}

impl Options {
    pub fn new(
        place: &'static Place,
        postings: usize,
        courses: usize,
        seed: u64,
        reference: DateTime<FixedOffset>,
    ) -> Options {
        Options { place, postings, courses, seed, reference, expired_share: 0.08, full_share: 0.05 }
    }
}

fn pick<'a, T>(rng: &mut impl Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn pick_weighted<'a, T>(rng: &mut impl Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// A normally distributed number (Box–Muller).
fn normal(rng: &mut impl Rng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn round_to(v: f64, step: f64) -> f64 {
    ((v / step).round() * step * 100.0).round() / 100.0
}

const BRANDS: &[&str] = &[
    "鑫源", "宏达", "恒通", "嘉利", "永盛", "华美", "信达", "海晟", "同创", "裕丰", "金禾", "润泽", "联拓",
    "鸿运", "天成", "顺和", "明远", "佳禾", "瑞祥", "福源", "安泰", "众诚", "百川", "兴隆", "新辰", "立方",
    "博远", "合力",
];

const CREDIT_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Postings as schema.org `JobPosting` objects.
pub fn postings(opts: &Options) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let place = opts.place;
    let code = place.key.split('-').next().unwrap_or("demo").to_uppercase();
    (0..opts.postings)
        .map(|i| {
            let trade_name = pick_weighted(&mut rng, place.trades);
            let spec = trades::find(trade_name).expect("every place trade has a spec (tested)");
            let identifier = format!("DEMO-{code}-{}-{:06}", opts.reference.format("%Y"), i + 1);
            posting(&mut rng, opts, spec, identifier)
        })
        .collect()
}

fn posting(rng: &mut ChaCha8Rng, opts: &Options, spec: &TradeSpec, identifier: String) -> Value {
    let place = opts.place;
    // Farm work happens in the rural areas when the place has any.
    let areas: Vec<(usize, u32)> = place
        .areas
        .iter()
        .enumerate()
        .filter(|(_, a)| a.rural == spec.farm || !place.areas.iter().any(|b| b.rural == spec.farm))
        .map(|(i, a)| (i, a.weight))
        .collect();
    let area = &place.areas[*pick_weighted(rng, &areas)];
    let (lat, lon) = {
        let dy = normal(rng) * area.spread_km;
        let dx = normal(rng) * area.spread_km;
        let lat = area.center.0 + dy / 111.2;
        (lat, area.center.1 + dx / (111.2 * lat.to_radians().cos()))
    };
    let road = pick(rng, area.roads);
    let street = if area.rural {
        format!("{}{}{}", area.district, area.subdistrict, road)
    } else {
        format!("{}{}{}号", area.district, road, rng.random_range(1..=600))
    };

    let brand = pick(rng, BRANDS);
    let kind = pick(rng, spec.employer_kinds);
    let employer = if kind.ends_with("合作社")
        || kind.ends_with("农场")
        || kind.ends_with("茶园")
        || kind.ends_with("庄园")
    {
        format!("{}{}{}", area.subdistrict, brand, kind)
    } else {
        format!("{}{}{}有限公司", place.city_short, brand, kind)
    };
    let phone = format!("{}-555{:04}", place.phone_area, rng.random_range(0..10_000));
    let credit: String = (0..3).map(|_| *pick(rng, CREDIT_CHARS) as char).collect();
    let credit = format!("{}MA{credit}XXXXXXX", place.credit_prefix);

    // Pay and settlement that agree: piece rates settle per piece or weekly,
    // time rates never "per piece".
    let pay: &Pay = pick(rng, spec.pay);
    let settlements: Vec<(Settlement, u32)> = spec
        .settlements
        .iter()
        .copied()
        .filter(|(s, _)| pay.unit == WageUnit::Piece || *s != Settlement::Piece)
        .filter(|(s, _)| pay.unit != WageUnit::Month || *s == Settlement::Monthly)
        .collect();
    let settlement = if settlements.is_empty() {
        if pay.unit == WageUnit::Month { Settlement::Monthly } else { Settlement::Daily }
    } else {
        *pick_weighted(rng, &settlements)
    };
    let min = round_to(rng.random_range(pay.low..=pay.high), pay.step);
    let max = round_to(min + rng.random_range(0.0..=pay.spread), pay.step).max(min);
    let value = if (max - min).abs() < f64::EPSILON {
        json!({"@type": "QuantitativeValue", "value": amount_json(min), "unitText": pay.unit.code()})
    } else {
        json!({"@type": "QuantitativeValue", "minValue": amount_json(min), "maxValue": amount_json(max), "unitText": pay.unit.code()})
    };

    // Dates around the reference instant.
    let reference = opts.reference;
    let expired = rng.random_bool(opts.expired_share);
    let (date_posted, valid_through) = if expired {
        let vt = reference - Duration::minutes(rng.random_range(60..72 * 60));
        (vt - Duration::hours(rng.random_range(48..240)), vt)
    } else {
        let posted = reference - Duration::minutes(rng.random_range(30..7 * 24 * 60));
        let days = match rng.random_range(0..10) {
            0..=2 => rng.random_range(3..14),
            3..=7 => rng.random_range(14..60),
            _ => rng.random_range(60..120),
        };
        let vt = at_hour(posted + Duration::days(days), 18);
        (posted, vt.max(reference + Duration::days(2)))
    };
    let today = time::china_date(reference);
    let start_offset: i64 = match rng.random_range(0..20) {
        0..=6 => 0,
        7..=11 => 1,
        12..=15 => rng.random_range(2..7),
        16..=17 => -rng.random_range(1..6),
        _ => rng.random_range(7..21),
    };
    let start = (today + Duration::days(start_offset))
        .min(time::china_date(valid_through))
        .max(time::china_date(date_posted));

    let total = rng.random_range(spec.openings.0..=spec.openings.1);
    let filled = if rng.random_bool(opts.full_share) {
        total
    } else if rng.random_bool(0.6) {
        0
    } else {
        rng.random_range(0..total)
    };
    let mut employment_type = vec!["TEMPORARY"];
    if settlement == Settlement::Daily {
        employment_type.push("PER_DIEM");
    }
    let [meals, lodging, transport, injury] = spec.benefits.map(|p| rng.random_range(0..100) < p);
    let title = title_for(pick::<&str>(rng, spec.titles), settlement);
    let duty = pick(rng, spec.duties);
    let pay_line = match settlement {
        Settlement::Daily => "当天干完当天结工资。",
        Settlement::Weekly => "工资每周结一次。",
        Settlement::Monthly => "工资按月发放。",
        Settlement::OnCompletion => "活干完一次性结清。",
        Settlement::Piece => "按件计酬，多劳多得。",
    };
    let description = format!("{duty}工作地点在{}{}附近。{pay_line}", area.subdistrict, road);

    json!({
        "@type": "JobPosting",
        "identifier": identifier,
        "title": title,
        "description": description,
        "datePosted": date_posted.to_rfc3339(),
        "validThrough": valid_through.to_rfc3339(),
        "jobStartDate": start.to_string(),
        "workHours": pick(rng, spec.hours),
        "employmentType": employment_type,
        "totalJobOpenings": total,
        "physicalRequirement": pick(rng, spec.physical),
        "url": format!("{}{identifier}", place.url_base),
        "hiringOrganization": {
            "@type": "Organization", "name": employer, "telephone": phone, "identifier": credit
        },
        "jobLocation": {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress", "addressRegion": place.region,
                "addressLocality": place.locality, "streetAddress": street
            },
            "geo": {"@type": "GeoCoordinates", "latitude": round6(lat), "longitude": round6(lon)}
        },
        "baseSalary": {"@type": "MonetaryAmount", "currency": "CNY", "value": value},
        "x-gig": {
            "trade": spec.name, "settlement": settlement.code(), "filled": filled,
            "meals": meals, "lodging": lodging, "transport": transport,
            "work_injury_insurance": injury, "verified_employer": rng.random_bool(0.7)
        }
    })
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn at_hour(t: DateTime<FixedOffset>, hour: u32) -> DateTime<FixedOffset> {
    t.with_hour(hour).and_then(|t| t.with_minute(0)).and_then(|t| t.with_second(0)).unwrap_or(t)
}

/// (name, description, days, subsidy)
const COURSES: &[(&str, &str, i64, &str)] = &[
    (
        "养老护理员（初级）",
        "老人生活照料、基础护理、安全防护，考核合格发职业技能等级证书。",
        15,
        "免费，结业发证",
    ),
    ("家政服务员", "家居清洁、衣物洗涤、家庭烹饪、母婴护理基础。", 10, "全额补贴，另发生活补贴每天50元"),
    ("育婴员（五级）", "婴幼儿生活照料、保健护理、早期发展。", 12, "免费，结业发证"),
    (
        "低压电工作业（特种作业操作证）",
        "电工基础、安全用电、实操考核，考试合格取得特种作业操作证。",
        10,
        "取证后按规定申领技能提升补贴",
    ),
    ("焊工（电焊）", "手工电弧焊、气割基础与安全操作。", 20, "补贴后个人承担200元"),
    ("中式烹调师（初级）", "刀工、火候、家常菜与大锅菜制作。", 20, "免费，结业发证"),
    ("保安员证培训", "保安法规、勤务技能、应急处置，考试合格发保安员证。", 7, "免费"),
    ("叉车司机（场内机动车辆）", "叉车构造、安全驾驶、装卸作业，考证。", 10, "补贴后个人承担300元"),
    ("电商直播与短视频", "手机拍摄剪辑、直播带货基础。", 5, "免费"),
    ("茶艺师（五级）", "茶叶知识、冲泡技艺、茶席布置。", 10, "免费，结业发证"),
    ("果树修剪与嫁接", "常见果树修剪、嫁接、病虫害防治。", 5, "免费，现场实操"),
    ("建筑架子工", "脚手架搭设与拆除、高处作业安全。", 15, "取证后按规定申领技能提升补贴"),
    ("网约配送员安全培训", "交通安全、平台规则、劳动权益保护。", 2, "免费"),
    ("保洁员技能提升", "清洁剂使用、石材养护、开荒保洁技巧。", 3, "免费"),
    ("手机使用与反诈骗", "用手机查工作、导航、防范求职诈骗。", 1, "免费，适合中老年"),
    ("美容美发（初级）", "洗剪吹、基础护理与卫生规范。", 30, "补贴后个人承担500元"),
    ("咖啡初加工", "咖啡鲜果采收标准、脱皮发酵、晾晒。", 5, "免费，结业发证"),
    ("面点师（初级）", "包子、馒头、花卷等面点制作。", 15, "免费，结业发证"),
    ("创业培训（SYB）", "创业意识、市场评估、开办小生意。", 10, "免费，合格可申请创业担保贷款"),
    ("水电工实操", "家装水电布线、开槽、管路安装。", 15, "补贴后个人承担200元"),
    ("园林绿化工", "苗木栽植、草坪养护、绿篱修剪。", 7, "免费"),
    ("服装缝纫工", "平车操作、常见工序与质量要求。", 15, "免费，推荐就业"),
];

/// Courses as records of the platform's course format.
pub fn courses(opts: &Options) -> Vec<Value> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xC0_75E5);
    let place = opts.place;
    let code = place.key.split('-').next().unwrap_or("demo").to_uppercase();
    let town: Vec<_> = place.areas.iter().filter(|a| !a.rural).collect();
    let today = time::china_date(opts.reference);
    (0..opts.courses)
        .map(|i| {
            let (name, description, days, subsidy) = COURSES[i % COURSES.len()];
            let area = town[rng.random_range(0..town.len())];
            let provider = match rng.random_range(0..3) {
                0 => format!("{}职业技能培训中心", area.district),
                1 => format!("{}市{}职业培训学校", place.city_short, pick(&mut rng, BRANDS)),
                _ => format!("{}公共就业服务中心", area.district),
            };
            let start = today + Duration::days(rng.random_range(2..45));
            let seats = rng.random_range(2..=6) * 10;
            let enrolled = if rng.random_bool(0.1) { seats } else { rng.random_range(0..seats) };
            let identifier = format!("DEMO-{code}-C-{:04}", i + 1);
            let road = pick(&mut rng, area.roads);
            json!({
                "@type": "Course",
                "identifier": identifier,
                "name": name,
                "description": description,
                "provider": {"@type": "Organization", "name": provider},
                "startDate": start.to_string(),
                "endDate": (start + Duration::days(days - 1)).to_string(),
                "location": {
                    "@type": "Place",
                    "address": {"@type": "PostalAddress", "addressRegion": place.region,
                        "addressLocality": place.locality,
                        "streetAddress": format!("{}{}{}号", area.district, road, rng.random_range(1..=300))},
                    "geo": {"@type": "GeoCoordinates",
                        "latitude": round6(area.center.0 + normal(&mut rng) * area.spread_km / 111.2),
                        "longitude": round6(area.center.1 + normal(&mut rng) * area.spread_km / 105.0)}
                },
                "subsidy": subsidy,
                "seats": seats,
                "enrolled": enrolled,
                "url": format!("{}{identifier}", place.url_base.replace("/p/", "/c/")),
            })
        })
        .collect()
}

/// Wraps records in a JSON-LD container that records how they were made.
pub fn document(opts: &Options, records: Vec<Value>) -> Value {
    json!({
        "@context": "https://schema.org",
        REFERENCE_KEY: opts.reference.to_rfc3339(),
        "x-gig-demo-place": opts.place.key,
        "x-gig-demo-seed": opts.seed.to_string(),
        "@graph": records,
    })
}

/// Days to add to a generated document's dates so that its reference day
/// becomes `today` (both in China).
pub fn shift_days(reference: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> i64 {
    (time::china_date(now) - time::china_date(reference)).num_days()
}

/// A title that names a way of pay ("（日结）", "（计件）") keeps it only
/// when the posting pays that way: a worker would rightly distrust a
/// "日结" job that pays monthly.
fn title_for(title: &str, settlement: Settlement) -> String {
    let says = [("（日结）", Settlement::Daily), ("（计件）", Settlement::Piece)];
    says.iter()
        .find(|(tag, s)| title.contains(tag) && *s != settlement)
        .map_or_else(|| title.to_string(), |(tag, _)| title.replace(tag, ""))
}

/// Moves every date of a posting or course record by `days`.
pub fn rebase(record: &mut Value, days: i64) {
    if days == 0 {
        return;
    }
    let Some(o) = record.as_object_mut() else {
        return;
    };
    for key in ["datePosted", "validThrough"] {
        if let Some(Value::String(s)) = o.get_mut(key)
            && let Ok(t) = DateTime::parse_from_rfc3339(s)
            && let Some(t) = t.checked_add_signed(Duration::days(days))
        {
            *s = t.to_rfc3339();
        }
    }
    for key in ["jobStartDate", "startDate", "endDate"] {
        if let Some(Value::String(s)) = o.get_mut(key)
            && let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
            && let Some(d) = d.checked_add_signed(Duration::days(days))
        {
            *s = d.to_string();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Posting;
    use crate::test_support::fixture_now;

    fn generated(n: usize) -> (Options, Vec<Posting>) {
        let opts = Options::new(&XIAMEN_HULI, n, 0, 7, fixture_now());
        let ps = postings(&opts)
            .iter()
            .map(|v| {
                crate::jsonld::posting::from_json(v, fixture_now()).expect("generated postings are valid")
            })
            .collect();
        (opts, ps)
    }

    #[test]
    fn same_seed_same_data() {
        let opts = Options::new(&XIAMEN_HULI, 20, 5, 42, fixture_now());
        assert_eq!(postings(&opts), postings(&opts));
        assert_eq!(courses(&opts), courses(&opts));
        let other = Options { seed: 43, ..opts.clone() };
        assert_ne!(postings(&opts), postings(&other));
    }

    #[test]
    fn postings_look_like_a_gig_market() {
        let (opts, ps) = generated(2000);
        let now = opts.reference;
        let station = opts.place.station.location;
        let within_10km = ps.iter().filter(|p| p.location.distance_m(&station) <= 10_000.0).count();
        assert!(within_10km * 100 / ps.len() >= 70, "most within 10 km: {within_10km}");
        let expired = ps.iter().filter(|p| p.valid_through <= now).count();
        let full = ps.iter().filter(|p| p.openings_left() == Some(0) && p.valid_through > now).count();
        assert!((100..=230).contains(&expired), "about 8 % expired: {expired}");
        assert!((40..=180).contains(&full), "about 5 % full: {full}");
        let daily = ps.iter().filter(|p| p.settlement == Some(Settlement::Daily)).count();
        for s in Settlement::ALL.iter().filter(|s| **s != Settlement::Daily) {
            let n = ps.iter().filter(|p| p.settlement == Some(*s)).count();
            assert!(daily > n, "日结 is the most common: {daily} vs {s:?} {n}");
        }
        // A title that says how it pays says the truth.
        for p in &ps {
            if p.title.contains("日结") {
                assert_eq!(p.settlement, Some(Settlement::Daily), "{}", p.title);
            }
            if p.title.contains("计件") {
                assert_eq!(p.settlement, Some(Settlement::Piece), "{}", p.title);
            }
        }
        let today = time::china_date(now);
        let starting_today = ps.iter().filter(|p| p.effective_start() <= today).count();
        assert!(starting_today * 100 / ps.len() >= 30, "many start today: {starting_today}");
        for p in &ps {
            assert!(p.location.in_china());
            assert!(p.address.full().starts_with("福建省厦门市"), "{}", p.address.full());
            assert!(p.date_posted < p.valid_through);
        }
    }

    #[test]
    fn farm_trades_go_to_rural_areas() {
        let opts = Options::new(&places::PUER_SIMAO, 300, 0, 1, fixture_now());
        for v in postings(&opts) {
            if v["x-gig"]["trade"] == "咖啡采摘" {
                let street = v["jobLocation"]["address"]["streetAddress"].as_str().unwrap();
                assert!(!street.ends_with('号'), "farm address {street}");
            }
        }
    }

    #[test]
    fn courses_are_valid() {
        let opts = Options::new(&XIAMEN_HULI, 0, 30, 3, fixture_now());
        for v in courses(&opts) {
            let c = crate::jsonld::course::from_json(&v).unwrap();
            assert!(c.start_date.unwrap() > time::china_date(opts.reference));
            assert!(c.enrolled <= c.seats.unwrap());
        }
    }

    #[test]
    fn rebase_moves_every_date() {
        let opts = Options::new(&XIAMEN_HULI, 1, 1, 3, fixture_now());
        let mut p = postings(&opts).remove(0);
        let before = crate::jsonld::posting::from_json(&p, fixture_now()).unwrap();
        rebase(&mut p, 10);
        let after = crate::jsonld::posting::from_json(&p, fixture_now()).unwrap();
        assert_eq!(after.date_posted - before.date_posted, Duration::days(10));
        assert_eq!(after.valid_through - before.valid_through, Duration::days(10));
        assert_eq!(after.start_date.unwrap() - before.start_date.unwrap(), Duration::days(10));
        let later = fixture_now() + Duration::days(3) + Duration::hours(20);
        assert_eq!(shift_days(fixture_now(), later), 4, "09:00 + 3 d 20 h is 05:00 four days on");
    }
}
