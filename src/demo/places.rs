//! Places the generator can write demo data for.
//!
//! Each place is a real city with its real districts and sub-districts
//! (街道/镇), approximate neighbourhood centres, and road names of the kind
//! found there. Coordinates are neighbourhood-level (a few hundred metres),
//! good for a realistic spread of distances, not for navigation. Street
//! numbers, employers and phone numbers are invented (phones use the
//! 555 exchange that is never assigned).

use crate::domain::GeoPoint;

/// The station a place's demo kiosk stands in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoStation {
    pub id: &'static str,
    pub name: &'static str,
    pub address: &'static str,
    pub location: GeoPoint,
}

/// A neighbourhood where jobs are: a sub-district or a park within one.
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub district: &'static str,
    pub subdistrict: &'static str,
    pub center: (f64, f64),
    /// Standard deviation of the scatter around the centre.
    pub spread_km: f64,
    /// Relative share of the place's postings.
    pub weight: u32,
    pub roads: &'static [&'static str],
    /// Farms and orchards rather than streets: fields, not house numbers.
    pub rural: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// Name on the command line: `--place xiamen-huli`.
    pub key: &'static str,
    pub region: &'static str,
    pub locality: &'static str,
    /// Short city name used in employer names: 厦门.
    pub city_short: &'static str,
    pub phone_area: &'static str,
    /// First six characters of local employers' credit codes (91 + region code).
    pub credit_prefix: &'static str,
    pub station: DemoStation,
    pub areas: &'static [Area],
    /// Trade name (see `demo::trades`) and relative weight in this place.
    pub trades: &'static [(&'static str, u32)],
    /// Link prefix of the platform's posting pages.
    pub url_base: &'static str,
}

pub const XIAMEN_HULI: Place = Place {
    key: "xiamen-huli",
    region: "福建省",
    locality: "厦门市",
    city_short: "厦门",
    phone_area: "0592",
    credit_prefix: "913502",
    station: DemoStation {
        id: "demo-xm-huli-01",
        name: "湖里街道零工驿站（演示）",
        address: "福建省厦门市湖里区湖里街道（演示）",
        location: GeoPoint::new(24.5000, 118.1300),
    },
    areas: &[
        Area {
            district: "湖里区",
            subdistrict: "湖里街道",
            center: (24.5060, 118.1120),
            spread_km: 0.9,
            weight: 14,
            roads: &["湖里大道", "华荣路", "兴隆路", "长乐路", "安岭路"],
            rural: false,
        },
        Area {
            district: "湖里区",
            subdistrict: "殿前街道",
            center: (24.5290, 118.1080),
            spread_km: 0.8,
            weight: 9,
            roads: &["殿前一路", "高崎北路", "嘉禾路", "寨上路"],
            rural: false,
        },
        Area {
            district: "湖里区",
            subdistrict: "禾山街道",
            center: (24.5060, 118.1480),
            spread_km: 0.9,
            weight: 10,
            roads: &["枋湖北二路", "金尚路", "云顶北路", "禾山路"],
            rural: false,
        },
        Area {
            district: "湖里区",
            subdistrict: "江头街道",
            center: (24.4960, 118.1390),
            spread_km: 0.7,
            weight: 8,
            roads: &["吕岭路", "江头北路", "台湾街", "县后路"],
            rural: false,
        },
        Area {
            district: "湖里区",
            subdistrict: "金山街道",
            center: (24.5160, 118.1700),
            spread_km: 0.9,
            weight: 7,
            roads: &["五缘湾道", "金山路", "环岛东路", "钟宅路"],
            rural: false,
        },
        Area {
            district: "湖里区",
            subdistrict: "东渡港区",
            center: (24.4900, 118.0850),
            spread_km: 0.6,
            weight: 7,
            roads: &["东渡路", "港中路", "象屿路", "海天路"],
            rural: false,
        },
        Area {
            district: "湖里区",
            subdistrict: "火炬高新区",
            center: (24.5330, 118.1340),
            spread_km: 0.7,
            weight: 6,
            roads: &["火炬北路", "翔云一路", "高崎南五路", "岐山路"],
            rural: false,
        },
        Area {
            district: "思明区",
            subdistrict: "鹭江街道",
            center: (24.4570, 118.0840),
            spread_km: 0.6,
            weight: 5,
            roads: &["中山路", "思明南路", "镇海路", "鹭江道"],
            rural: false,
        },
        Area {
            district: "思明区",
            subdistrict: "嘉莲街道",
            center: (24.4840, 118.1300),
            spread_km: 0.7,
            weight: 6,
            roads: &["嘉禾路", "湖滨南路", "莲前西路", "体育路"],
            rural: false,
        },
        Area {
            district: "思明区",
            subdistrict: "筼筜街道",
            center: (24.4830, 118.1000),
            spread_km: 0.7,
            weight: 5,
            roads: &["湖滨北路", "禾祥西路", "厦禾路", "湖滨中路"],
            rural: false,
        },
        Area {
            district: "思明区",
            subdistrict: "莲前街道",
            center: (24.4720, 118.1600),
            spread_km: 0.9,
            weight: 5,
            roads: &["莲前东路", "前埔路", "观日路", "环岛东路"],
            rural: false,
        },
        Area {
            district: "思明区",
            subdistrict: "滨海街道",
            center: (24.4390, 118.1200),
            spread_km: 0.8,
            weight: 3,
            roads: &["环岛南路", "演武路", "曾厝垵路", "黄厝路"],
            rural: false,
        },
        Area {
            district: "集美区",
            subdistrict: "杏林街道",
            center: (24.5650, 118.0450),
            spread_km: 1.0,
            weight: 4,
            roads: &["杏林湾路", "杏滨路", "锦园路", "杏林南路"],
            rural: false,
        },
        Area {
            district: "集美区",
            subdistrict: "集美街道",
            center: (24.5750, 118.1000),
            spread_km: 0.9,
            weight: 3,
            roads: &["集美大道", "嘉庚路", "银江路", "石鼓路"],
            rural: false,
        },
        Area {
            district: "集美区",
            subdistrict: "灌口镇",
            center: (24.6100, 117.9950),
            spread_km: 1.4,
            weight: 2,
            roads: &["灌口中路", "灌南工业区", "安仁大道"],
            rural: false,
        },
        Area {
            district: "海沧区",
            subdistrict: "新阳街道",
            center: (24.5300, 118.0250),
            spread_km: 1.1,
            weight: 3,
            roads: &["新阳路", "马青路", "新阳工业区"],
            rural: false,
        },
        Area {
            district: "海沧区",
            subdistrict: "海沧街道",
            center: (24.4900, 118.0350),
            spread_km: 1.0,
            weight: 2,
            roads: &["海沧大道", "角嵩路", "沧林路"],
            rural: false,
        },
        Area {
            district: "翔安区",
            subdistrict: "新店街道",
            center: (24.6200, 118.2500),
            spread_km: 1.3,
            weight: 2,
            roads: &["翔安大道", "洪钟大道", "新店路"],
            rural: false,
        },
        Area {
            district: "翔安区",
            subdistrict: "内厝镇",
            center: (24.6400, 118.3000),
            spread_km: 1.6,
            weight: 1,
            roads: &["内厝果蔬基地", "官路村", "莲塘村"],
            rural: true,
        },
        Area {
            district: "同安区",
            subdistrict: "祥平街道",
            center: (24.7300, 118.1550),
            spread_km: 1.2,
            weight: 1,
            roads: &["同安大道", "环城南路", "祥平路"],
            rural: false,
        },
        Area {
            district: "同安区",
            subdistrict: "汀溪镇",
            center: (24.8000, 118.1300),
            spread_km: 1.8,
            weight: 1,
            roads: &["汀溪茶园", "造水村", "前格村"],
            rural: true,
        },
        Area {
            district: "同安区",
            subdistrict: "莲花镇",
            center: (24.7800, 117.9900),
            spread_km: 2.0,
            weight: 1,
            roads: &["莲花高山茶园", "军营村", "白交祠村"],
            rural: true,
        },
    ],
    trades: &[
        ("装卸搬运", 18),
        ("快递分拣", 13),
        ("保洁", 11),
        ("家政", 7),
        ("养老护理", 5),
        ("建筑小工", 8),
        ("钢筋工", 3),
        ("水电安装", 4),
        ("餐饮帮厨", 7),
        ("服务员", 6),
        ("搬家", 3),
        ("绿化养护", 3),
        ("电子厂普工", 5),
        ("外卖配送", 3),
        ("服装加工", 2),
        ("保安", 3),
        ("水果采摘", 2),
        ("茶叶采摘", 1),
    ],
    url_base: "https://jobs.example.gov.cn/xm/p/",
};

/// A coffee-, tea- and tobacco-growing area in Yunnan: the rural trades.
pub const PUER_SIMAO: Place = Place {
    key: "puer-simao",
    region: "云南省",
    locality: "普洱市",
    city_short: "普洱",
    phone_area: "0879",
    credit_prefix: "915308",
    station: DemoStation {
        id: "demo-pe-simao-01",
        name: "思茅区零工市场（演示）",
        address: "云南省普洱市思茅区思茅街道（演示）",
        location: GeoPoint::new(22.7800, 100.9770),
    },
    areas: &[
        Area {
            district: "思茅区",
            subdistrict: "思茅街道",
            center: (22.7830, 100.9750),
            spread_km: 1.0,
            weight: 12,
            roads: &["振兴大道", "月光路", "人民东路", "思亭路"],
            rural: false,
        },
        Area {
            district: "思茅区",
            subdistrict: "南屏镇",
            center: (22.7550, 100.9550),
            spread_km: 1.8,
            weight: 8,
            roads: &["茶城大道", "普洱大道", "南屏路"],
            rural: false,
        },
        Area {
            district: "思茅区",
            subdistrict: "倚象镇",
            center: (22.8150, 100.9300),
            spread_km: 2.5,
            weight: 8,
            roads: &["倚象咖啡基地", "大寨村", "纳吉村"],
            rural: true,
        },
        Area {
            district: "思茅区",
            subdistrict: "思茅港镇",
            center: (22.5900, 100.8800),
            spread_km: 3.0,
            weight: 4,
            roads: &["思茅港咖啡园", "那澜村", "小橄榄坝村"],
            rural: true,
        },
        Area {
            district: "思茅区",
            subdistrict: "六顺镇",
            center: (22.6700, 100.7700),
            spread_km: 3.0,
            weight: 3,
            roads: &["六顺茶园", "联合村", "坝卡村"],
            rural: true,
        },
        Area {
            district: "思茅区",
            subdistrict: "龙潭乡",
            center: (22.9300, 100.9100),
            spread_km: 3.0,
            weight: 3,
            roads: &["龙潭烤烟基地", "龙潭村", "老黄寨村"],
            rural: true,
        },
    ],
    trades: &[
        ("咖啡采摘", 14),
        ("茶叶采摘", 12),
        ("烤烟", 8),
        ("水果采摘", 5),
        ("装卸搬运", 8),
        ("建筑小工", 7),
        ("保洁", 4),
        ("餐饮帮厨", 4),
        ("服务员", 3),
        ("绿化养护", 3),
        ("快递分拣", 2),
        ("家政", 2),
    ],
    url_base: "https://jobs.example.gov.cn/pe/p/",
};

pub const PLACES: &[&Place] = &[&XIAMEN_HULI, &PUER_SIMAO];

pub fn find(key: &str) -> Option<&'static Place> {
    PLACES.iter().copied().find(|p| p.key == key)
}
