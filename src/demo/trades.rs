//! What each trade's postings look like: titles, duties, pay and how it is
//! settled, hours, physical demands, and the employers that post them.
//!
//! Pay figures are typical of 2025–2026 postings in Chinese gig markets for
//! the trade (daily labour 150–300 元/天 in a coastal city, skilled trades
//! more, farm picking less), not statistics.

use crate::domain::{Settlement, WageUnit};

#[derive(Debug, Clone, Copy)]
pub struct Pay {
    pub unit: WageUnit,
    /// Lowest and highest bottom of the range.
    pub low: f64,
    pub high: f64,
    /// Width of the range (0: a single figure).
    pub spread: f64,
    /// Amounts are multiples of this.
    pub step: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct TradeSpec {
    pub name: &'static str,
    pub titles: &'static [&'static str],
    pub duties: &'static [&'static str],
    pub pay: &'static [Pay],
    pub settlements: &'static [(Settlement, u32)],
    pub hours: &'static [&'static str],
    pub physical: &'static [&'static str],
    /// The business line in employer names: 物流, 物业管理…
    pub employer_kinds: &'static [&'static str],
    pub openings: (u32, u32),
    /// Percent chance of each badge: meals, lodging, transport, injury insurance.
    pub benefits: [u8; 4],
    /// Worked on farms: employers are cooperatives and farms.
    pub farm: bool,
}

const fn day(low: f64, high: f64, spread: f64) -> Pay {
    Pay { unit: WageUnit::Day, low, high, spread, step: 10.0 }
}
const fn hour(low: f64, high: f64, spread: f64) -> Pay {
    Pay { unit: WageUnit::Hour, low, high, spread, step: 1.0 }
}
const fn month(low: f64, high: f64, spread: f64) -> Pay {
    Pay { unit: WageUnit::Month, low, high, spread, step: 100.0 }
}
const fn piece(low: f64, high: f64, step: f64) -> Pay {
    Pay { unit: WageUnit::Piece, low, high, spread: 0.0, step }
}

use Settlement::{Daily, Monthly, OnCompletion, Piece as PieceRate, Weekly};

pub const TRADES: &[TradeSpec] = &[
    TradeSpec {
        name: "装卸搬运",
        titles: &[
            "仓库装卸工（日结）",
            "物流园卸货工",
            "夜班装卸工",
            "冷库搬运工",
            "建材装卸工",
            "码头理货搬运工",
        ],
        duties: &[
            "负责货物装卸、码放和分拣，按班组长安排干活。",
            "卸集装箱、搬运纸箱，每箱约15-25公斤。",
            "配合叉车装车卸车，清点数量，整理库位。",
        ],
        pay: &[day(170.0, 240.0, 40.0), hour(22.0, 30.0, 5.0)],
        settlements: &[(Daily, 80), (Weekly, 15), (OnCompletion, 5)],
        hours: &["08:00-17:00", "20:00-次日06:00", "07:00-19:00", "按车次，随叫随到"],
        physical: &["能搬运25公斤", "能搬运30公斤，长时间站立", "身体健康，能吃苦"],
        employer_kinds: &["物流", "仓储服务", "供应链管理", "港务服务"],
        openings: (3, 30),
        benefits: [55, 15, 10, 45],
        farm: false,
    },
    TradeSpec {
        name: "快递分拣",
        titles: &["快递分拣员（日结）", "夜班快递分拣", "电商仓打包员", "包裹扫描分拣工"],
        duties: &[
            "在分拣线上按区域分拣包裹、扫码。",
            "电商订单拣货、打包、贴单，有人带。",
            "包裹卸车、上线、分拣，简单易学。",
        ],
        pay: &[hour(18.0, 26.0, 4.0), day(160.0, 220.0, 30.0)],
        settlements: &[(Daily, 70), (Weekly, 25), (Monthly, 5)],
        hours: &["19:00-次日07:00", "08:00-20:00", "18:00-次日02:00"],
        physical: &["能上夜班，长时间站立", "手脚麻利，会用手机扫码", "能搬运15公斤"],
        employer_kinds: &["快递服务", "电子商务", "供应链管理"],
        openings: (5, 50),
        benefits: [60, 20, 15, 40],
        farm: false,
    },
    TradeSpec {
        name: "保洁",
        titles: &["写字楼保洁员", "商场保洁（日结）", "开荒保洁", "小区保洁员", "酒店客房保洁"],
        duties: &[
            "负责公共区域地面、卫生间清洁，工具公司提供。",
            "新房开荒清洁：擦玻璃、清理装修垃圾。",
            "客房清扫、更换布草，有人培训。",
        ],
        pay: &[day(130.0, 180.0, 30.0), hour(20.0, 28.0, 4.0)],
        settlements: &[(Daily, 60), (OnCompletion, 20), (Monthly, 20)],
        hours: &["07:00-15:00", "08:00-17:00", "06:30-11:30", "按工程量"],
        physical: &["能弯腰、长时间走动", "不恐高（擦窗需登梯）", "身体健康"],
        employer_kinds: &["物业管理", "清洁服务", "酒店管理"],
        openings: (2, 15),
        benefits: [45, 5, 5, 30],
        farm: false,
    },
    TradeSpec {
        name: "家政",
        titles: &["钟点工（家庭保洁）", "住家保姆", "育儿嫂", "做饭阿姨（钟点）"],
        duties: &[
            "上门做家务：打扫、洗衣、做饭。",
            "照顾一岁半宝宝，兼做简单家务。",
            "每天做午饭和晚饭，家庭三口人。",
        ],
        pay: &[hour(35.0, 50.0, 10.0), month(5000.0, 8000.0, 1500.0)],
        settlements: &[(Daily, 40), (Weekly, 20), (Monthly, 40)],
        hours: &["每次4小时，时间可商量", "住家，每月休4天", "10:00-13:00, 16:00-19:00"],
        physical: &["身体健康，有健康证优先", "会做闽南菜优先", "细心有耐心"],
        employer_kinds: &["家政服务"],
        openings: (1, 5),
        benefits: [40, 20, 10, 20],
        farm: false,
    },
    TradeSpec {
        name: "养老护理",
        titles: &["养老院护理员", "居家养老陪护", "医院护工（日结）"],
        duties: &[
            "照顾老人起居、喂饭、翻身，有培训。",
            "上门陪护失能老人，做简单护理。",
            "医院陪护病人，24小时轮班。",
        ],
        pay: &[day(180.0, 260.0, 40.0), month(4500.0, 6500.0, 1000.0)],
        settlements: &[(Daily, 40), (Weekly, 20), (Monthly, 40)],
        hours: &["白班08:00-20:00", "24小时陪护", "08:00-17:00"],
        physical: &["能搀扶老人，有耐心", "有护理证优先", "能上夜班"],
        employer_kinds: &["养老服务", "护理服务", "健康管理"],
        openings: (1, 10),
        benefits: [70, 40, 5, 50],
        farm: false,
    },
    TradeSpec {
        name: "建筑小工",
        titles: &["工地小工（日结）", "装修小工", "搬砖和灰小工", "工地杂工"],
        duties: &[
            "跟师傅打下手：搬材料、和砂浆、清理现场。",
            "装修现场搬运材料、清理垃圾。",
            "工地杂活，听班组长安排。",
        ],
        pay: &[day(200.0, 280.0, 40.0)],
        settlements: &[(Daily, 75), (OnCompletion, 20), (Weekly, 5)],
        hours: &["07:00-18:00", "07:30-17:30"],
        physical: &["能搬运30公斤，能登高", "身体健康，55岁以下", "能吃苦"],
        employer_kinds: &["建筑工程", "劳务", "装饰工程"],
        openings: (3, 20),
        benefits: [50, 30, 10, 60],
        farm: false,
    },
    TradeSpec {
        name: "钢筋工",
        titles: &["钢筋工（熟手）", "钢筋绑扎工", "钢筋工班组招人"],
        duties: &["按图纸绑扎钢筋，有经验优先。", "钢筋下料、绑扎，按方量或按天算。"],
        pay: &[day(320.0, 450.0, 50.0)],
        settlements: &[(Daily, 45), (OnCompletion, 50), (Monthly, 5)],
        hours: &["07:00-18:00", "06:30-17:30"],
        physical: &["会看图纸，能登高", "有钢筋工经验"],
        employer_kinds: &["建筑工程", "劳务"],
        openings: (2, 12),
        benefits: [40, 50, 10, 70],
        farm: false,
    },
    TradeSpec {
        name: "水电安装",
        titles: &["水电工（熟手）", "装修水电安装", "维修电工（日结）"],
        duties: &["住宅装修水电布线、开槽、安装。", "物业水电维修，需持电工证。"],
        pay: &[day(280.0, 400.0, 60.0)],
        settlements: &[(OnCompletion, 50), (Daily, 40), (Monthly, 10)],
        hours: &["08:00-18:00", "按工程量"],
        physical: &["持低压电工证", "有三年以上经验"],
        employer_kinds: &["水电安装工程", "装饰工程", "物业管理"],
        openings: (1, 6),
        benefits: [30, 10, 20, 60],
        farm: false,
    },
    TradeSpec {
        name: "餐饮帮厨",
        titles: &["后厨帮厨（日结）", "洗碗工", "切配工", "食堂帮厨"],
        duties: &["择菜、洗菜、切配，协助厨师。", "洗碗、收拾后厨卫生。", "单位食堂帮厨，做大锅菜。"],
        pay: &[day(150.0, 200.0, 30.0), hour(18.0, 25.0, 3.0)],
        settlements: &[(Daily, 65), (Weekly, 15), (Monthly, 20)],
        hours: &["09:00-14:00, 16:30-20:30", "06:00-14:00", "10:00-22:00（中间休息）"],
        physical: &["有健康证", "手脚麻利，能长时间站立"],
        employer_kinds: &["餐饮管理", "餐饮服务", "团餐服务"],
        openings: (1, 8),
        benefits: [90, 30, 5, 30],
        farm: false,
    },
    TradeSpec {
        name: "服务员",
        titles: &["餐厅服务员（日结）", "宴会服务员", "酒店传菜员", "奶茶店店员"],
        duties: &["点菜、上菜、收拾桌面。", "婚宴、会议服务，有人带。", "传菜、摆台、打扫。"],
        pay: &[hour(18.0, 25.0, 3.0), day(150.0, 200.0, 30.0)],
        settlements: &[(Daily, 65), (Weekly, 20), (Monthly, 15)],
        hours: &["10:00-14:00, 17:00-21:00", "17:00-22:00", "11:00-21:00"],
        physical: &["能长时间站立", "会说普通话"],
        employer_kinds: &["餐饮管理", "酒店管理", "餐饮服务"],
        openings: (2, 20),
        benefits: [90, 20, 5, 25],
        farm: false,
    },
    TradeSpec {
        name: "搬家",
        titles: &["搬家工（日结）", "搬家跟车工", "公司搬迁搬运工"],
        duties: &["跟车搬家，搬运家具和纸箱。", "写字楼搬迁，拆装办公家具。"],
        pay: &[day(200.0, 300.0, 50.0), hour(30.0, 45.0, 5.0)],
        settlements: &[(Daily, 70), (OnCompletion, 30)],
        hours: &["08:00-18:00", "按单，一天2-4单"],
        physical: &["能搬运40公斤，能爬楼梯", "身体强壮"],
        employer_kinds: &["搬家服务", "物流"],
        openings: (2, 8),
        benefits: [50, 5, 40, 40],
        farm: false,
    },
    TradeSpec {
        name: "咖啡采摘",
        titles: &["咖啡鲜果采摘工", "咖啡园采摘（包吃住）", "咖啡豆晾晒工"],
        duties: &["采摘成熟咖啡红果，按公斤称重。", "咖啡鲜果采摘、运送到处理厂。", "翻晒咖啡豆、挑拣杂质。"],
        pay: &[day(100.0, 150.0, 30.0), piece(1.0, 1.6, 0.1)],
        settlements: &[(Daily, 45), (PieceRate, 40), (Weekly, 15)],
        hours: &["07:00-18:00", "07:30-17:00"],
        physical: &["能走山路", "身体健康"],
        employer_kinds: &["咖啡专业合作社", "咖啡庄园", "农业开发"],
        openings: (10, 60),
        benefits: [80, 70, 40, 20],
        farm: true,
    },
    TradeSpec {
        name: "茶叶采摘",
        titles: &["采茶工", "春茶采摘（包吃住）", "茶厂制茶帮工"],
        duties: &["采摘一芽一叶或一芽二叶，按斤计价。", "茶园采茶，有人教。", "协助摊青、杀青、揉捻。"],
        pay: &[day(120.0, 180.0, 30.0), piece(3.0, 8.0, 0.5)],
        settlements: &[(Daily, 50), (PieceRate, 40), (Weekly, 10)],
        hours: &["06:30-17:00", "07:00-18:00"],
        physical: &["能走山路，长时间弯腰", "手巧"],
        employer_kinds: &["茶业专业合作社", "茶叶", "生态茶园"],
        openings: (5, 40),
        benefits: [80, 60, 30, 15],
        farm: true,
    },
    TradeSpec {
        name: "烤烟",
        titles: &["烤烟采收工", "烟叶编烟工", "烤房看火工"],
        duties: &["采收成熟烟叶、运送到烤房。", "编烟、装炕，按竿计价或按天。", "烤房看火，控制温度湿度。"],
        pay: &[day(150.0, 220.0, 30.0), piece(0.4, 0.8, 0.1)],
        settlements: &[(Daily, 60), (PieceRate, 30), (OnCompletion, 10)],
        hours: &["06:00-18:00", "夜班看火"],
        physical: &["能下地劳动", "有烤烟经验优先"],
        employer_kinds: &["烟叶专业合作社", "农业开发"],
        openings: (5, 30),
        benefits: [85, 60, 30, 20],
        farm: true,
    },
    TradeSpec {
        name: "水果采摘",
        titles: &["果园采摘工", "龙眼荔枝采摘", "水果分拣装箱工"],
        duties: &["采摘水果、装筐，轻拿轻放。", "水果按大小分拣、装箱、打包。"],
        pay: &[day(120.0, 180.0, 30.0), piece(0.5, 1.5, 0.1)],
        settlements: &[(Daily, 70), (PieceRate, 25), (Weekly, 5)],
        hours: &["06:30-17:30", "07:00-17:00"],
        physical: &["能登梯采摘", "身体健康"],
        employer_kinds: &["果蔬专业合作社", "家庭农场", "农业开发"],
        openings: (5, 40),
        benefits: [75, 40, 30, 15],
        farm: true,
    },
    TradeSpec {
        name: "绿化养护",
        titles: &["绿化养护工", "园林修剪工", "草坪养护（日结）"],
        duties: &["修剪草坪、浇水、清理落叶。", "绿篱修剪、施肥、除草。"],
        pay: &[day(150.0, 200.0, 30.0)],
        settlements: &[(Daily, 60), (Monthly, 30), (OnCompletion, 10)],
        hours: &["07:00-17:00", "07:30-16:30"],
        physical: &["能长时间户外作业", "会用割草机优先"],
        employer_kinds: &["园林绿化工程", "物业管理", "市政工程"],
        openings: (2, 15),
        benefits: [40, 10, 20, 40],
        farm: false,
    },
    TradeSpec {
        name: "电子厂普工",
        titles: &["电子厂普工（小时工）", "流水线操作工", "质检包装工"],
        duties: &["流水线插件、组装，坐着干活。", "产品外观检查、包装。", "简单操作，当天上岗。"],
        pay: &[hour(20.0, 25.0, 3.0)],
        settlements: &[(Weekly, 45), (Daily, 30), (Monthly, 25)],
        hours: &["08:00-20:00（两班倒）", "08:00-17:30"],
        physical: &["视力好，手脚灵活", "18-50岁"],
        employer_kinds: &["电子", "光电科技", "精密制造"],
        openings: (10, 80),
        benefits: [80, 60, 40, 60],
        farm: false,
    },
    TradeSpec {
        name: "外卖配送",
        titles: &["外卖骑手（日结）", "同城跑腿配送员", "众包骑手"],
        duties: &["配送外卖订单，公司提供电动车租赁。", "同城跑腿送件，按单结算。"],
        pay: &[piece(5.0, 9.0, 0.5), day(180.0, 250.0, 50.0)],
        settlements: &[(PieceRate, 40), (Weekly, 40), (Daily, 20)],
        hours: &["10:00-14:00, 17:00-21:00", "时间自由"],
        physical: &["会骑电动车，会用导航", "有智能手机"],
        employer_kinds: &["网络科技", "配送服务"],
        openings: (10, 100),
        benefits: [10, 5, 0, 50],
        farm: false,
    },
    TradeSpec {
        name: "服装加工",
        titles: &["服装厂车工", "剪线头包装工（计件）", "服装尾部包装"],
        duties: &["平车缝纫，多劳多得。", "剪线头、折叠、装袋，计件。"],
        pay: &[piece(0.3, 2.0, 0.1), day(150.0, 220.0, 30.0)],
        settlements: &[(PieceRate, 50), (Weekly, 30), (Monthly, 20)],
        hours: &["08:00-18:00", "08:00-21:00"],
        physical: &["会平车优先", "坐着干活"],
        employer_kinds: &["服装", "服饰", "制衣"],
        openings: (3, 30),
        benefits: [70, 40, 5, 30],
        farm: false,
    },
    TradeSpec {
        name: "保安",
        titles: &["活动临时安保（日结）", "小区保安", "工地门卫"],
        duties: &["大型活动现场秩序维护。", "小区门岗、巡逻，登记来访。", "工地门卫，夜班值守。"],
        pay: &[day(150.0, 200.0, 30.0), month(3800.0, 5000.0, 600.0)],
        settlements: &[(Daily, 50), (Monthly, 50)],
        hours: &["07:00-19:00", "19:00-次日07:00", "按活动时间"],
        physical: &["身高165以上，55岁以下", "有保安证优先"],
        employer_kinds: &["保安服务", "物业管理"],
        openings: (2, 30),
        benefits: [60, 30, 10, 50],
        farm: false,
    },
];

pub fn find(name: &str) -> Option<&'static TradeSpec> {
    TRADES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_place_trade_has_a_spec_and_known_name() {
        for place in super::super::places::PLACES {
            for (t, _) in place.trades {
                assert!(find(t).is_some(), "{} has no spec for {t}", place.key);
                assert!(
                    crate::domain::trade::TRADES.iter().any(|(n, _)| n == t),
                    "{t} is not a filter trade"
                );
            }
        }
    }

    #[test]
    fn pay_lies_in_the_plausible_range() {
        for t in TRADES {
            for p in t.pay {
                let (lo, hi) = p.unit.plausible_range();
                assert!(p.low >= lo && p.high + p.spread <= hi, "{}: {p:?}", t.name);
            }
            assert!(!t.titles.is_empty() && !t.duties.is_empty() && !t.settlements.is_empty());
        }
    }
}
