//! Trades: the kinds of work gig stations see, in their own words.
//!
//! The platform names a posting's trade in `x-gig.trade`. Plain schema.org
//! postings from other sources have no such field; for those the trade is
//! inferred from the title (then the description) by keyword, so that the
//! trade filter buttons still find them.

/// Trades offered as filter buttons, most common first, with the keywords
/// that identify each in a title. Order matters: more specific entries come
/// before the ones whose keywords they contain (钢筋 before 建筑).
pub const TRADES: &[(&str, &[&str])] = &[
    ("装卸搬运", &["装卸", "搬运", "卸货", "理货"]),
    ("快递分拣", &["分拣", "快递", "包裹"]),
    ("保洁", &["保洁", "清洁", "清洗"]),
    ("家政", &["家政", "保姆", "月嫂", "育儿嫂"]),
    ("养老护理", &["养老", "护理", "护工", "陪护"]),
    ("钢筋工", &["钢筋"]),
    ("水电安装", &["水电", "电工", "水管"]),
    ("建筑小工", &["小工", "建筑", "工地", "泥工", "木工"]),
    ("餐饮帮厨", &["帮厨", "厨房", "洗碗", "切配"]),
    ("服务员", &["服务员", "传菜", "收银"]),
    ("搬家", &["搬家"]),
    ("咖啡采摘", &["咖啡"]),
    ("茶叶采摘", &["采茶", "茶叶", "茶园"]),
    ("烤烟", &["烤烟", "烟叶", "烟草"]),
    ("水果采摘", &["水果", "采摘", "果园"]),
    ("绿化养护", &["绿化", "园林", "草坪", "修剪"]),
    ("电子厂普工", &["普工", "电子厂", "流水线"]),
    ("外卖配送", &["外卖", "骑手", "配送"]),
    ("服装加工", &["服装", "缝纫", "车工", "包装"]),
    ("保安", &["保安", "安保", "门卫"]),
];

/// The trade used when nothing identifies one.
pub const OTHER: &str = "其他";

/// The trade for a posting that does not name one.
pub fn infer(title: &str, description: &str) -> &'static str {
    for text in [title, description] {
        for (trade, keywords) in TRADES {
            if keywords.iter().any(|k| text.contains(k)) {
                return trade;
            }
        }
    }
    OTHER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_from_title_then_description() {
        assert_eq!(infer("仓库装卸工（日结）", ""), "装卸搬运");
        assert_eq!(infer("工地钢筋工", ""), "钢筋工", "钢筋 wins over 工地");
        assert_eq!(infer("临时工", "负责写字楼保洁"), "保洁");
        assert_eq!(infer("临时工", "什么都干"), OTHER);
    }

    #[test]
    fn trade_names_are_unique() {
        let mut names: Vec<_> = TRADES.iter().map(|t| t.0).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TRADES.len());
    }
}
