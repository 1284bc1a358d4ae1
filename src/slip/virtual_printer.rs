//! The virtual printer: renders an ESC/POS byte stream to a picture at
//! printer resolution, the way a thermal printer would put it on paper —
//! GB18030 text in the embedded CJK font, sizes, bold, alignment, native QR
//! codes (regenerated from the stored data at the stored module size) and
//! raster images. It reads the bytes, not the layout, so it tests the
//! encoder; commands it does not know are skipped, as a printer skips them.

use super::canvas::{Canvas, CanvasError, LINE_PITCH};
use super::escpos::{Op, decode_text, parse, qr_symbol};
use super::{Align, Size};

/// What the stream drew, and what it asked that the picture cannot show.
pub struct Rendered {
    pub canvas: Canvas,
    pub cuts: usize,
    /// Data of each QR code printed (native), in order.
    pub qr_data: Vec<String>,
    pub unknown_commands: usize,
}

/// Renders `bytes` on paper `dots` wide.
pub fn render(bytes: &[u8], dots: u32) -> Result<Rendered, CanvasError> {
    let mut c = Canvas::new(dots)?;
    c.feed(12);
    let mut st = State::initial();
    let mut line: Vec<u8> = Vec::new();
    let mut qr: Option<Vec<u8>> = None;
    let (mut cuts, mut qr_data, mut unknown_commands) = (0, Vec::new(), 0);
    for op in parse(bytes) {
        match op {
            Op::Text(t) => line.extend(t),
            Op::LineFeed => flush(&mut c, &mut line, &st, true),
            Op::FeedLines(n) => {
                if !line.is_empty() {
                    flush(&mut c, &mut line, &st, true);
                    c.feed(LINE_PITCH * u32::from(n.saturating_sub(1)));
                } else {
                    c.feed(LINE_PITCH * u32::from(n));
                }
            }
            Op::Init => {
                st = State::initial();
                line.clear();
            }
            Op::Align(a) => st.align = a,
            Op::Bold(b) => st.bold = b,
            Op::Size { w, h } => st.size = (w, h),
            Op::HanziSize { w, h } => st.hanzi = (w, h),
            Op::ChineseMode(_) | Op::QrModel(_) | Op::QrLevel(_) | Op::StatusRequest(_) => {}
            Op::QrModule(n) => st.qr_module = n.clamp(1, 16),
            Op::QrStore(d) => qr = Some(d),
            Op::QrPrint => {
                if let Some(d) = &qr {
                    let text = String::from_utf8_lossy(d).into_owned();
                    if let Some(b) = qr_symbol(d, usize::from(st.qr_module)) {
                        c.bitmap(&b.rows, b.width as u32, st.align);
                    }
                    qr_data.push(text);
                }
            }
            Op::Raster(b) => c.bitmap(&b.rows, b.width as u32, st.align),
            Op::Cut { .. } => {
                flush(&mut c, &mut line, &st, false);
                cuts += 1;
            }
            Op::Unknown(_) => unknown_commands += 1,
        }
    }
    flush(&mut c, &mut line, &st, false);
    Ok(Rendered { canvas: c, cuts, qr_data, unknown_commands })
}

struct State {
    align: Align,
    bold: bool,
    size: (u8, u8),
    hanzi: (u8, u8),
    qr_module: u8,
}

impl State {
    /// As after `ESC @`.
    fn initial() -> State {
        State { align: Align::Left, bold: false, size: (1, 1), hanzi: (1, 1), qr_module: 3 }
    }
}

/// Prints the buffered line (an empty line feeds one line when `feed_empty`).
fn flush(c: &mut Canvas, line: &mut Vec<u8>, st: &State, feed_empty: bool) {
    if line.is_empty() {
        if feed_empty {
            c.feed(LINE_PITCH);
        }
        return;
    }
    let text = decode_text(line);
    let double = st.size.0 >= 2 || st.size.1 >= 2 || st.hanzi.0 >= 2 || st.hanzi.1 >= 2;
    c.text(&text, if double { Size::Double } else { Size::Normal }, st.bold, st.align);
    line.clear();
}
