//! Slips: what a worker takes away on paper.
//!
//! Terms: a [`Slip`] is a printer-independent layout, a list of [`Item`]s
//! (lines of text with a size, weight and alignment, rules, a QR code,
//! feeds). Widths are counted in **columns**: a thermal printer's font A
//! cell is 12 dots wide, so 58 mm paper (384 dots) has 32 columns and 80 mm
//! paper (576 dots) 48; an ASCII character takes one column, a hanzi two,
//! and double-size text twice as many. [`wrap`] breaks text by display
//! width and never inside a character, so no line is wider than the paper.

pub mod canvas;
pub mod escpos;
pub mod virtual_printer;

use chrono::{DateTime, FixedOffset};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::domain::{GeoPoint, Posting, Settlement, time};
use crate::search::query::format_distance_zh;

/// Paper the printer holds, as dots across at 203 dpi.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    /// 58 mm: 384 dots, 32 columns.
    Mm58,
    /// 80 mm: 576 dots, 48 columns.
    Mm80,
    /// 80 mm paper on printers that print only 512 dots: 42 columns.
    Mm80Narrow,
}

impl Paper {
    pub fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
            Paper::Mm80Narrow => 512,
        }
    }

    /// Columns of normal-size text (12 dots each).
    pub fn columns(self) -> usize {
        (self.dots() / 12) as usize
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Normal,
    /// Double width and height.
    Double,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// One printed line; never wider than the paper (see [`wrap`]).
    Text { text: String, size: Size, bold: bool, align: Align },
    /// A horizontal rule.
    Rule,
    /// A QR code of this text, centred.
    Qr(String),
    /// Blank lines.
    Feed(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slip {
    pub paper: Paper,
    pub items: Vec<Item>,
}

impl Slip {
    pub fn new(paper: Paper) -> Slip {
        Slip { paper, items: Vec::new() }
    }

    /// Adds `text`, wrapped to the paper's width at `size`.
    pub fn text(&mut self, text: &str, size: Size, bold: bool, align: Align) -> &mut Slip {
        let cols = match size {
            Size::Normal => self.paper.columns(),
            Size::Double => self.paper.columns() / 2,
        };
        for line in wrap(text, cols) {
            self.items.push(Item::Text { text: line, size, bold, align });
        }
        self
    }

    /// A "label: value" line; continuation lines are indented under the value.
    pub fn field(&mut self, label: &str, value: &str) -> &mut Slip {
        let cols = self.paper.columns();
        let indent = label.width();
        let lines = wrap(value, cols.saturating_sub(indent).max(8));
        for (i, line) in lines.iter().enumerate() {
            let text =
                if i == 0 { format!("{label}{line}") } else { format!("{}{line}", " ".repeat(indent)) };
            self.items.push(Item::Text { text, size: Size::Normal, bold: false, align: Align::Left });
        }
        self
    }

    pub fn push(&mut self, item: Item) -> &mut Slip {
        self.items.push(item);
        self
    }

    /// The text of every line, for tests and read-outs.
    pub fn plain_text(&self) -> String {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                Item::Rule => Some("--------"),
                Item::Qr(data) => Some(data.as_str()),
                Item::Feed(_) => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A picture of the slip as the printer would print it: the slip encoded
/// to ESC/POS and the bytes rendered by the virtual printer.
pub fn picture(
    slip: &Slip,
    opts: &escpos::Options,
) -> Result<virtual_printer::Rendered, canvas::CanvasError> {
    virtual_printer::render(&escpos::encode(slip, opts), slip.paper.dots())
}

/// Breaks `text` into lines of at most `cols` display columns (hanzi and
/// full-width forms count two). Breaks at spaces when a word fits, else
/// between characters; never inside one. Newlines are kept.
/// Brackets whose short contents stay on one line with them.
const OPENERS: &str = "（「『【《〈(";
const CLOSERS: &str = "）」』】》〉)";
/// Characters that must not begin a line (closing brackets and stops).
const NO_LINE_START: &str = "）」』】》〉，。、；：！？,.;:!?)]”’";

pub fn wrap(text: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(2);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut width = 0;
        for token in tokens(para) {
            let w = token.width();
            if width + w <= cols {
                line.push_str(token);
                width += w;
                continue;
            }
            if !line.is_empty() {
                out.push(line.trim_end().to_string());
                line.clear();
                width = 0;
            }
            if token == " " {
                continue;
            }
            if w <= cols {
                line.push_str(token);
                width = w;
                continue;
            }
            // A token longer than a whole line is broken where it must be.
            for c in token.chars() {
                let cw = c.width().unwrap_or(0);
                if width + cw > cols {
                    out.push(std::mem::take(&mut line));
                    width = 0;
                }
                line.push(c);
                width += cw;
            }
        }
        out.push(line.trim_end().to_string());
    }
    out
}

/// Breakable units: a single space, a run of non-space narrow characters
/// (a number or an English word), or one wide character. Closing punctuation
/// sticks to the unit before it and opening brackets to the unit after, so
/// neither ever starts or ends a line alone.
fn tokens(s: &str) -> Vec<&str> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let mut end = i + c.len_utf8();
        if c != ' ' && c.width() != Some(2) {
            while let Some(&(j, d)) = iter.peek() {
                if d == ' ' || d.width() == Some(2) {
                    break;
                }
                end = j + d.len_utf8();
                iter.next();
            }
        }
        // A short bracketed group ("（日结）") is kept whole when it can be.
        if OPENERS.contains(c) {
            let rest = &s[i + c.len_utf8()..];
            if let Some((j, close)) = rest.char_indices().take(8).find(|(_, d)| CLOSERS.contains(*d)) {
                let group_end = i + c.len_utf8() + j + close.len_utf8();
                while iter.peek().is_some_and(|&(k, _)| k < group_end) {
                    iter.next();
                }
                out.push((i, group_end));
                continue;
            }
        }
        let glue_to_prev = NO_LINE_START.contains(c) && !out.is_empty();
        let prev_opens = out.last().is_some_and(|&(a, b)| {
            let t = &s[a..b];
            t.chars().count() == 1 && "（「『【《〈“‘(".contains(t)
        });
        match out.last_mut() {
            Some(last) if glue_to_prev || prev_opens => last.1 = end,
            _ => out.push((i, end)),
        }
    }
    out.into_iter().map(|(a, b)| &s[a..b]).collect()
}

/// What the slip is printed for.
#[derive(Debug, Clone)]
pub struct SlipContext {
    pub station_name: String,
    pub station_location: GeoPoint,
    pub printed_at: DateTime<FixedOffset>,
    pub paper: Paper,
}

impl SlipContext {
    /// A slip printed at `station` now, on `paper`.
    pub fn at_station(
        station: &crate::config::Station,
        paper: Paper,
        now: DateTime<FixedOffset>,
    ) -> SlipContext {
        SlipContext {
            station_name: station.name.clone(),
            station_location: station.location(),
            printed_at: now,
            paper,
        }
    }
}

/// Printed when the worker has applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub application_no: String,
    /// Already masked: the slip never sees a full number.
    pub masked_id: String,
}

/// The rights lines at the foot of every job slip.
/// Each line fits 58 mm paper (32 columns) and breaks at a phrase.
pub const RIGHTS_FOOTER: &[&str] = &[
    "不交押金、报名费、培训费。",
    "被拖欠工资，请拨打 12333，",
    "或微信搜索“国务院客户端”小程序，",
    "进入“全国根治欠薪线索反映平台”",
    "反映情况。",
];

/// The slip for one job posting.
pub fn job_slip(p: &Posting, ctx: &SlipContext, applied: Option<&Applied>) -> Slip {
    let mut s = Slip::new(ctx.paper);
    s.text(&ctx.station_name, Size::Normal, true, Align::Center);
    s.text(
        &format!("打印时间 {}", ctx.printed_at.format("%Y-%m-%d %H:%M")),
        Size::Normal,
        false,
        Align::Center,
    );
    s.push(Item::Rule);
    s.text(&p.title, Size::Double, true, Align::Left);
    s.field("工种：", &p.trade);
    let wage = p.wage.map_or("面议".to_string(), |w| w.label_zh());
    s.text(&wage, Size::Double, true, Align::Left);
    if let Some(settlement) = p.settlement {
        // 日结 is what most walk-in workers look for: print it large.
        let size = if settlement == Settlement::Daily { Size::Double } else { Size::Normal };
        s.text(&format!("【{}】", settlement.label_zh()), size, true, Align::Left);
    }
    let start = p.effective_start();
    let mut when = format!("{}月{}日", start.format("%-m"), start.format("%-d"));
    if let Some(h) = &p.work_hours {
        when.push_str("  ");
        when.push_str(h);
    }
    s.field("开工：", &when);
    s.field("地点：", &p.address.short());
    let d = p.location.distance_m(&ctx.station_location).round() as u32;
    s.field("      ", &format!("离本驿站 {}", format_distance_zh(d)));
    if !p.employer.name.is_empty() {
        s.field("单位：", &p.employer.name);
    }
    if let Some(tel) = &p.employer.telephone {
        s.field("电话：", tel);
    }
    match p.openings_left() {
        Some(n) => s.field("还招：", &format!("{n} 人")),
        None => s.field("还招：", "人数不限"),
    };
    let vt = p.valid_through.with_timezone(&time::china());
    s.field("有效至：", &vt.format("%Y-%m-%d %H:%M").to_string());
    if let Some(a) = applied {
        s.push(Item::Rule);
        s.text("已报名", Size::Double, true, Align::Left);
        s.field("报名编号：", &a.application_no);
        s.field("证件号码：", &a.masked_id);
    }
    if let Some(url) = &p.url {
        s.push(Item::Rule);
        s.text("手机扫码查看岗位", Size::Normal, false, Align::Center);
        s.push(Item::Qr(url.clone()));
    }
    s.push(Item::Rule);
    for line in RIGHTS_FOOTER {
        s.text(line, Size::Normal, line.contains("12333"), Align::Left);
    }
    s.push(Item::Feed(3));
    s
}

/// The staff's printer test page: widths, sizes, alignment, the character
/// set and a QR code, to check a printer's settings at a glance.
pub fn test_page(ctx: &SlipContext, printer: &str) -> Slip {
    let mut s = Slip::new(ctx.paper);
    let cols = ctx.paper.columns();
    s.text(&ctx.station_name, Size::Normal, true, Align::Center);
    s.text("打印机测试页", Size::Double, true, Align::Center);
    s.text(&ctx.printed_at.format("%Y-%m-%d %H:%M").to_string(), Size::Normal, false, Align::Center);
    s.push(Item::Rule);
    s.field("打印机：", printer);
    s.field("纸宽：", &format!("{} 点，每行 {cols} 个字母或 {} 个汉字", ctx.paper.dots(), cols / 2));
    // A ruler exactly one line wide: a short last line means a wrong paper setting.
    let ruler: String = (1..=cols).map(|i| char::from(b'0' + (i % 10) as u8)).collect();
    s.push(Item::Text { text: ruler, size: Size::Normal, bold: false, align: Align::Left });
    s.push(Item::Text { text: "测".repeat(cols / 2), size: Size::Normal, bold: false, align: Align::Left });
    s.text("左对齐 Left", Size::Normal, false, Align::Left);
    s.text("居中 Centre", Size::Normal, false, Align::Center);
    s.text("右对齐 Right", Size::Normal, false, Align::Right);
    s.text("粗体 日结 Bold", Size::Normal, true, Align::Left);
    s.text("大字 日结", Size::Double, true, Align::Left);
    s.text("生僻字与符号：镕 喆 堃 ￥ 《》", Size::Normal, false, Align::Left);
    s.push(Item::Rule);
    s.text("扫码应显示：零工驿站打印机测试", Size::Normal, false, Align::Center);
    s.push(Item::Qr("零工驿站打印机测试 gig-kiosk printer test".into()));
    s.push(Item::Feed(2));
    s
}

/// A day's (or several days') service numbers: what staff see on the
/// numbers page and print as the daily summary. No personal data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DailyCounts {
    pub visits: u64,
    pub card_reads: u64,
    pub searches: u64,
    pub job_views: u64,
    pub applications: u64,
    pub prints: u64,
    pub help_calls: u64,
}

impl DailyCounts {
    /// Counts `n` events of a statistics kind (`visit`, `card_read`, …, as
    /// `stats_events` and the platform's events call name them); kinds not
    /// shown here (`register`, `enrol`) are left out.
    pub fn add(&mut self, kind: &str, n: u64) {
        let slot = match kind {
            "visit" => &mut self.visits,
            "card_read" => &mut self.card_reads,
            "search" => &mut self.searches,
            "view" => &mut self.job_views,
            "apply" => &mut self.applications,
            "print" => &mut self.prints,
            "help" => &mut self.help_calls,
            _ => return,
        };
        *slot += n;
    }

    /// The numbers with their Chinese names, in the order staff read them.
    pub fn rows(&self) -> [(&'static str, u64); 7] {
        [
            ("来访人次", self.visits),
            ("刷身份证", self.card_reads),
            ("查找工作", self.searches),
            ("查看岗位", self.job_views),
            ("报名", self.applications),
            ("打印凭条", self.prints),
            ("呼叫工作人员", self.help_calls),
        ]
    }
}

impl std::ops::AddAssign for DailyCounts {
    fn add_assign(&mut self, o: DailyCounts) {
        self.visits += o.visits;
        self.card_reads += o.card_reads;
        self.searches += o.searches;
        self.job_views += o.job_views;
        self.applications += o.applications;
        self.prints += o.prints;
        self.help_calls += o.help_calls;
    }
}

/// The daily summary slip (printed from staff mode): today's numbers and
/// the last 7 days' (today included), and what still waits to be sent.
pub fn daily_summary(
    ctx: &SlipContext,
    day: chrono::NaiveDate,
    today: &DailyCounts,
    week: &DailyCounts,
    outbox_pending: u64,
) -> Slip {
    let mut s = Slip::new(ctx.paper);
    s.text(&ctx.station_name, Size::Normal, true, Align::Center);
    s.text("今日统计", Size::Double, true, Align::Center);
    s.text(&day.format("%Y-%m-%d").to_string(), Size::Normal, false, Align::Center);
    s.push(Item::Rule);
    let cols = ctx.paper.columns();
    // Label, then two right-aligned columns: today and the last 7 days.
    let line = |label: &str, a: &str, b: &str| {
        let right = |t: &str, w: usize| format!("{}{t}", " ".repeat(w.saturating_sub(t.width())));
        let nums = right(a, 6) + &right(b, 8);
        let gap = cols.saturating_sub(label.width() + nums.width()).max(1);
        Item::Text {
            text: format!("{label}{}{nums}", " ".repeat(gap)),
            size: Size::Normal,
            bold: false,
            align: Align::Left,
        }
    };
    s.push(line("", "今天", "近7天"));
    for ((label, n), (_, w)) in today.rows().into_iter().zip(week.rows()) {
        s.push(line(label, &n.to_string(), &w.to_string()));
    }
    s.push(Item::Rule);
    if outbox_pending > 0 {
        s.text(
            &format!("还有 {outbox_pending} 条记录等待发送（联网后自动发送）"),
            Size::Normal,
            true,
            Align::Left,
        );
    } else {
        s.text("记录已全部发送", Size::Normal, false, Align::Left);
    }
    s.text(&format!("打印时间 {}", ctx.printed_at.format("%H:%M")), Size::Normal, false, Align::Left);
    s.push(Item::Feed(2));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture_now, sample_posting};

    #[test]
    fn wrap_counts_hanzi_as_two_and_never_splits_them() {
        assert_eq!(wrap("仓库装卸工日结", 6), vec!["仓库装", "卸工日", "结"]);
        assert_eq!(wrap("仓库装卸工日结", 7), vec!["仓库装", "卸工日", "结"], "a hanzi never straddles");
        // A word longer than a whole line is broken where it starts.
        assert_eq!(wrap("call 0592-5550123 now", 10), vec!["call", "0592-55501", "23 now"]);
        assert_eq!(wrap("电话 0592-5550123", 12), vec!["电话", "0592-5550123"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("装卸工（日结）", 12), vec!["装卸工", "（日结）"], "a short bracket stays whole");
        assert_eq!(
            wrap("装卸（白班夜班都有的那种）", 12),
            vec!["装卸（白班夜", "班都有的那", "种）"],
            "）never starts a line"
        );
        assert_eq!(wrap("热线 12333，或", 8), vec!["热线", "12333，", "或"], "numbers stay whole");
        for line in wrap(&"工".repeat(100), 32) {
            assert!(line.width() <= 32);
        }
    }

    #[test]
    fn job_slip_has_what_a_worker_needs_and_fits_the_paper() {
        let p = sample_posting();
        for paper in [Paper::Mm58, Paper::Mm80, Paper::Mm80Narrow] {
            let ctx = SlipContext {
                station_name: "湖里街道零工驿站".into(),
                station_location: GeoPoint::new(24.50, 118.13),
                printed_at: fixture_now(),
                paper,
            };
            let applied =
                Applied { application_no: "261123-0042".into(), masked_id: "3502**********1233".into() };
            let slip = job_slip(&p, &ctx, Some(&applied));
            let text = slip.plain_text();
            assert!(text.contains("仓库装卸工（日") || text.contains("仓库装卸工\n（日"), "{text}");
            assert!(!text.lines().any(|l| l.starts_with('）')), "{paper:?}: a line starts with ）\n{text}");
            for want in [
                "180-220元/天",
                "【日结】",
                "港中路100号",
                "厦门某物流有限公司",
                "0592-5550123",
                "7 人",
                "261123-0042",
                "3502**********1233",
                "https://jobs.example.gov.cn/p/HL-2026-004211",
                "12333",
                "全国根治欠薪线索反映平台",
            ] {
                assert!(text.replace('\n', "").contains(want), "{paper:?}: {want} missing from\n{text}");
            }
            for item in &slip.items {
                if let Item::Text { text, size, .. } = item {
                    let cols = if *size == Size::Double { paper.columns() / 2 } else { paper.columns() };
                    assert!(text.width() <= cols, "{paper:?}: {text:?} is wider than {cols}");
                }
            }
        }
    }
}
