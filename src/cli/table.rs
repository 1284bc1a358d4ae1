//! Plain-text tables that line up with Chinese text: a hanzi takes two
//! terminal columns, so widths are display widths, never byte or char counts.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

pub struct Column {
    pub header: &'static str,
    pub align: Align,
    /// Longer cells are cut to this width with an ellipsis.
    pub max_width: usize,
}

/// Cuts `s` to at most `max` columns, ending in `…` when cut; never splits a
/// character.
pub fn truncate(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

fn pad(s: &str, width: usize, align: Align) -> String {
    let fill = " ".repeat(width.saturating_sub(s.width()));
    match align {
        Align::Left => format!("{s}{fill}"),
        Align::Right => format!("{fill}{s}"),
    }
}

/// Renders rows under a header line and a rule.
pub fn render(columns: &[Column], rows: &[Vec<String>]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().zip(columns).map(|(c, col)| truncate(c, col.max_width)).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, col)| cells.iter().map(|r| r[i].width()).chain([col.header.width()]).max().unwrap_or(0))
        .collect();
    let line = |r: Vec<String>| -> String {
        r.iter()
            .zip(columns)
            .zip(&widths)
            .map(|((c, col), w)| pad(c, *w, col.align))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(columns.iter().map(|c| c.header.to_string()).collect());
    out.push('\n');
    out.push_str(&widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("  "));
    out.push('\n');
    for r in cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_cells_line_up() {
        let cols = [
            Column { header: "工种", align: Align::Left, max_width: 10 },
            Column { header: "距离", align: Align::Right, max_width: 10 },
        ];
        let out =
            render(&cols, &[vec!["装卸搬运".into(), "850米".into()], vec!["保洁".into(), "12公里".into()]]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "工种        距离");
        assert_eq!(lines[2], "装卸搬运   850米");
        assert_eq!(lines[3], "保洁      12公里");
        // Every row has the same display width.
        assert_eq!(lines[2].width(), lines[3].width());
    }

    #[test]
    fn truncation_respects_double_width() {
        assert_eq!(truncate("仓库装卸工日结", 7), "仓库装…");
        assert_eq!(truncate("仓库装卸工日结", 14), "仓库装卸工日结");
        assert!(truncate("仓库装卸工日结", 8).width() <= 8);
    }
}
