//! ESC/POS: a [`Slip`] to the bytes a Chinese thermal printer prints
//! ([`encode`]), and those bytes back to a list of commands ([`parse`]) for
//! the virtual printer, the golden files' readable listings ([`listing`])
//! and the tests. Pure functions; see `escpos-notes` in `docs/printing.md`.
//!
//! Text goes out in GB18030 or GBK, one or two bytes a character: a
//! character either encoding would need four bytes for (emoji, rare
//! characters) is replaced by `?` rather than sent, since printers print
//! four-byte sequences as garbage.

use std::fmt::Write as _;

use encoding_rs::{GB18030, GBK};

use super::{Align, Item, Paper, Size, Slip};

/// How text is encoded for the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Gb18030,
    Gbk,
}

/// How QR codes are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrMode {
    /// The printer draws it (`GS ( k`, model 2, level M): ~50 bytes.
    Native,
    /// Drawn here and sent as a raster image, for printers without native QR.
    Raster,
}

/// What happens at the end of a slip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Feed and cut fully.
    Cut,
    /// Feed and cut leaving a tab.
    PartialCut,
    /// Feed past the tear bar (printers without a cutter).
    TearBar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub charset: Charset,
    pub qr: QrMode,
    pub finish: Finish,
}

impl Default for Options {
    fn default() -> Options {
        Options { charset: Charset::Gb18030, qr: QrMode::Native, finish: Finish::PartialCut }
    }
}

/// Largest raster piece sent at once: bigger images over serial overflow
/// the printer's buffer.
pub const RASTER_PIECE_ROWS: usize = 256;
/// Lines fed before cutting, so the last printed line clears the cutter.
const FEED_BEFORE_CUT: u8 = 4;

/// The bytes of a slip.
pub fn encode(slip: &Slip, o: &Options) -> Vec<u8> {
    let mut b = Vec::with_capacity(1024);
    b.extend([0x1B, 0x40]); // initialise
    b.extend([0x1C, 0x26]); // Chinese mode
    // ESC @ leaves the printer left-aligned, normal size, not bold.
    let mut state = Style { align: Align::Left, bold: false, size: Size::Normal };
    for item in &slip.items {
        match item {
            Item::Text { text, size, bold, align } => {
                state.apply(&mut b, *align, *bold, *size);
                b.extend(encode_text(text, o.charset));
                b.push(0x0A);
            }
            Item::Rule => {
                state.apply(&mut b, Align::Left, false, Size::Normal);
                b.extend(std::iter::repeat_n(b'-', slip.paper.columns()));
                b.push(0x0A);
            }
            Item::Qr(data) => {
                state.apply(&mut b, Align::Center, false, Size::Normal);
                match o.qr {
                    QrMode::Native => native_qr(&mut b, data, slip.paper),
                    QrMode::Raster => raster_qr(&mut b, data, slip.paper),
                }
            }
            Item::Feed(n) => b.extend([0x1B, 0x64, *n]),
        }
    }
    state.apply(&mut b, Align::Left, false, Size::Normal);
    match o.finish {
        Finish::Cut => b.extend([0x1B, 0x64, FEED_BEFORE_CUT, 0x1D, 0x56, 0x00]),
        Finish::PartialCut => b.extend([0x1B, 0x64, FEED_BEFORE_CUT, 0x1D, 0x56, 0x01]),
        Finish::TearBar => b.extend([0x1B, 0x64, FEED_BEFORE_CUT]),
    }
    b
}

struct Style {
    align: Align,
    bold: bool,
    size: Size,
}

impl Style {
    /// Emits only what changed.
    fn apply(&mut self, b: &mut Vec<u8>, align: Align, bold: bool, size: Size) {
        if align != self.align {
            set_align(b, align);
            self.align = align;
        }
        if bold != self.bold {
            b.extend([0x1B, 0x45, u8::from(bold)]);
            self.bold = bold;
        }
        if size != self.size {
            let (gs, fs) = match size {
                Size::Normal => (0x00, 0x00),
                // GS ! 11 for ASCII; FS ! 0C (double width + height) for
                // hanzi, which some models size separately.
                Size::Double => (0x11, 0x0C),
            };
            b.extend([0x1D, 0x21, gs, 0x1C, 0x21, fs]);
            self.size = size;
        }
    }
}

fn set_align(b: &mut Vec<u8>, a: Align) {
    b.extend([
        0x1B,
        0x61,
        match a {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        },
    ]);
}

/// Text in the printer's charset; characters that would need four bytes
/// (or cannot be encoded) become `?`, control characters are dropped.
pub fn encode_text(text: &str, charset: Charset) -> Vec<u8> {
    let enc = match charset {
        Charset::Gb18030 => GB18030,
        Charset::Gbk => GBK,
    };
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        if c.is_control() {
            continue;
        }
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let (bytes, _, unmappable) = enc.encode(c.encode_utf8(&mut buf));
        match (&*bytes, unmappable) {
            ([a, b2], false) if *a >= 0x81 => out.extend([*a, *b2]),
            _ => out.push(b'?'),
        }
    }
    out
}

/// The QR module size in dots for `data` on `paper`: the largest that keeps
/// the symbol within half the paper's width (a phone reads it easily and
/// it leaves room), 3 to 8 dots.
pub fn qr_module_dots(data: &str, paper: Paper) -> u8 {
    module_dots(qr_code(data.as_bytes()).map_or(41, |c| c.width()), paper)
}

/// The module size for a symbol `modules` wide (see [`qr_module_dots`]).
fn module_dots(modules: usize, paper: Paper) -> u8 {
    ((paper.dots() / 2) / (modules as u32 + 8)).clamp(3, 8) as u8
}

fn qr_code(data: &[u8]) -> Option<qrcode::QrCode> {
    qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M).ok()
}

fn native_qr(b: &mut Vec<u8>, data: &str, paper: Paper) {
    let bytes = data.as_bytes();
    let n = qr_module_dots(data, paper);
    b.extend([0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]); // model 2
    b.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, n]); // module size
    b.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]); // error level M
    let len = bytes.len() + 3;
    b.extend([0x1D, 0x28, 0x6B, (len & 0xFF) as u8, (len >> 8) as u8, 0x31, 0x50, 0x30]);
    b.extend(bytes);
    b.extend([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]); // print
}

/// Module size of a raster QR: at most 4 dots (0.5 mm, which phones read
/// easily), since every dot is sent: at the native size an 80 mm slip's QR
/// would be 10 KB, 11 s at 9600 baud; at 4 dots it is about 3.4 KB.
pub const RASTER_QR_MAX_MODULE: u8 = 4;

/// A 1-bit image: `width` dots across, rows of `true` = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width: usize,
    pub rows: Vec<Vec<bool>>,
}

/// The QR drawn with `qrcode` (module size as for the native code, at most
/// [`RASTER_QR_MAX_MODULE`]), quiet zone included.
pub fn qr_bitmap(data: &str, paper: Paper) -> Option<Bitmap> {
    let code = qr_code(data.as_bytes())?;
    let m = module_dots(code.width(), paper).min(RASTER_QR_MAX_MODULE);
    Some(draw_qr(&code, usize::from(m)))
}

/// A QR symbol (level M) with `m`-dot modules and its 4-module quiet zone,
/// as a printer draws it.
pub fn qr_symbol(data: &[u8], m: usize) -> Option<Bitmap> {
    Some(draw_qr(&qr_code(data)?, m))
}

fn draw_qr(code: &qrcode::QrCode, m: usize) -> Bitmap {
    let n = code.width();
    let dark: Vec<bool> = code.to_colors().iter().map(|c| *c == qrcode::Color::Dark).collect();
    let m = m.max(1);
    let quiet = 4;
    let side = (n + 2 * quiet) * m;
    let rows = (0..side)
        .map(|y| {
            (0..side)
                .map(|x| {
                    let (mx, my) = ((x / m).wrapping_sub(quiet), (y / m).wrapping_sub(quiet));
                    mx < n && my < n && dark[my * n + mx]
                })
                .collect()
        })
        .collect();
    Bitmap { width: side, rows }
}

fn raster_qr(b: &mut Vec<u8>, data: &str, paper: Paper) {
    if let Some(bmp) = qr_bitmap(data, paper) {
        raster(b, &bmp);
    }
}

/// `GS v 0` in pieces of at most [`RASTER_PIECE_ROWS`] rows.
pub fn raster(b: &mut Vec<u8>, bmp: &Bitmap) {
    let wb = bmp.width.div_ceil(8);
    for piece in bmp.rows.chunks(RASTER_PIECE_ROWS) {
        b.extend([0x1D, 0x76, 0x30, 0x00, (wb & 0xFF) as u8, (wb >> 8) as u8]);
        b.extend([(piece.len() & 0xFF) as u8, (piece.len() >> 8) as u8]);
        for row in piece {
            for byte in 0..wb {
                let mut v = 0u8;
                for bit in 0..8 {
                    if row.get(byte * 8 + bit).copied().unwrap_or(false) {
                        v |= 0x80 >> bit;
                    }
                }
                b.push(v);
            }
        }
    }
}

/// One command of a byte stream, as the virtual printer understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Init,
    ChineseMode(bool),
    Align(Align),
    Bold(bool),
    /// GS ! : width and height multipliers for ASCII.
    Size {
        w: u8,
        h: u8,
    },
    /// FS ! : hanzi double width / height.
    HanziSize {
        w: u8,
        h: u8,
    },
    /// Printable bytes up to the next command or line feed.
    Text(Vec<u8>),
    LineFeed,
    FeedLines(u8),
    Cut {
        partial: bool,
    },
    QrModel(u8),
    QrModule(u8),
    QrLevel(u8),
    QrStore(Vec<u8>),
    QrPrint,
    Raster(Bitmap),
    /// DLE EOT n: a real-time status request.
    StatusRequest(u8),
    /// A command this printer does not know, skipped (its bytes).
    Unknown(Vec<u8>),
}

/// Splits a byte stream into commands. Tolerant: an unknown `ESC`/`GS`/`FS`
/// command is skipped with its first parameter byte, a truncated one ends
/// the stream; nothing panics.
pub fn parse(bytes: &[u8]) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut i = 0;
    let at = |i: usize| bytes.get(i).copied();
    while i < bytes.len() {
        let b = bytes[i];
        let (op, used) = match (b, at(i + 1)) {
            (0x0A, _) => (Op::LineFeed, 1),
            (0x0D, _) => (Op::Unknown(vec![0x0D]), 1),
            (0x1B, Some(0x40)) => (Op::Init, 2),
            (0x1B, Some(0x61)) => match at(i + 2) {
                Some(n) => (
                    Op::Align(match n {
                        1 | b'1' => Align::Center,
                        2 | b'2' => Align::Right,
                        _ => Align::Left,
                    }),
                    3,
                ),
                None => break,
            },
            (0x1B, Some(0x45)) => match at(i + 2) {
                Some(n) => (Op::Bold(n & 1 == 1), 3),
                None => break,
            },
            (0x1B, Some(0x64)) => match at(i + 2) {
                Some(n) => (Op::FeedLines(n), 3),
                None => break,
            },
            (0x1D, Some(0x21)) => match at(i + 2) {
                Some(n) => (Op::Size { w: (n >> 4) + 1, h: (n & 0x0F) + 1 }, 3),
                None => break,
            },
            (0x1C, Some(0x21)) => match at(i + 2) {
                Some(n) => (Op::HanziSize { w: 1 + ((n >> 2) & 1), h: 1 + ((n >> 3) & 1) }, 3),
                None => break,
            },
            (0x1C, Some(0x26)) => (Op::ChineseMode(true), 2),
            (0x1C, Some(0x2E)) => (Op::ChineseMode(false), 2),
            (0x1D, Some(0x56)) => match at(i + 2) {
                Some(m) => {
                    // GS V 65/66 n carries a feed count.
                    let used = if m >= 65 { 4 } else { 3 };
                    (Op::Cut { partial: m % 2 == 1 }, used)
                }
                None => break,
            },
            (0x10, Some(0x04)) => match at(i + 2) {
                Some(n) => (Op::StatusRequest(n), 3),
                None => break,
            },
            (0x1D, Some(0x28)) if at(i + 2) == Some(0x6B) => {
                let (Some(pl), Some(ph)) = (at(i + 3), at(i + 4)) else { break };
                let len = pl as usize + 256 * ph as usize;
                let Some(body) = bytes.get(i + 5..i + 5 + len) else { break };
                let op = match body {
                    [0x31, 0x41, n, ..] => Op::QrModel(n.saturating_sub(0x30)),
                    [0x31, 0x43, n] => Op::QrModule(*n),
                    [0x31, 0x45, n] => Op::QrLevel(*n),
                    [0x31, 0x50, 0x30, data @ ..] => Op::QrStore(data.to_vec()),
                    [0x31, 0x51, 0x30] => Op::QrPrint,
                    _ => Op::Unknown(bytes[i..i + 5 + len].to_vec()),
                };
                (op, 5 + len)
            }
            (0x1D, Some(0x76)) if at(i + 2) == Some(0x30) => {
                let Some(h) = bytes.get(i + 4..i + 8) else { break };
                let wb = h[0] as usize + 256 * h[1] as usize;
                let rows = h[2] as usize + 256 * h[3] as usize;
                let Some(data) = bytes.get(i + 8..i + 8 + wb * rows) else { break };
                let bmp = Bitmap {
                    width: wb * 8,
                    rows: data
                        .chunks(wb.max(1))
                        .take(rows)
                        .map(|r| (0..wb * 8).map(|x| r[x / 8] & (0x80 >> (x % 8)) != 0).collect())
                        .collect(),
                };
                (Op::Raster(bmp), 8 + wb * rows)
            }
            (0x1B | 0x1C | 0x1D | 0x10, _) => {
                let n = if at(i + 1).is_some() && at(i + 2).is_some() { 3 } else { bytes.len() - i };
                (Op::Unknown(bytes[i..i + n].to_vec()), n)
            }
            (c, _) if c < 0x20 => (Op::Unknown(vec![c]), 1),
            _ => {
                let end = bytes[i..].iter().position(|&c| c < 0x20).map_or(bytes.len(), |p| i + p);
                (Op::Text(bytes[i..end].to_vec()), end - i)
            }
        };
        ops.push(op);
        i += used;
    }
    ops
}

/// Text bytes back to Unicode (GB18030 is a superset of GBK).
pub fn decode_text(bytes: &[u8]) -> String {
    GB18030.decode_without_bom_handling(bytes).0.into_owned()
}

/// Whether `bytes` contain a four-byte GB18030 sequence (lead byte
/// 81–FE followed by a digit 30–39), walking the stream as a printer does.
pub fn has_four_byte_sequence(text: &[u8]) -> bool {
    let mut i = 0;
    while i < text.len() {
        if text[i] >= 0x81 && text[i] <= 0xFE {
            if matches!(text.get(i + 1), Some(0x30..=0x39)) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// A readable listing of a byte stream, one command a line, for the
/// golden files and technicians.
pub fn listing(bytes: &[u8]) -> String {
    let mut out = String::new();
    for op in parse(bytes) {
        let _ = match &op {
            Op::Text(t) => writeln!(out, "TEXT {:?}", decode_text(t)),
            Op::Raster(b) => writeln!(out, "RASTER {}x{} dots", b.width, b.rows.len()),
            Op::QrStore(d) => writeln!(out, "QR STORE {:?}", String::from_utf8_lossy(d)),
            Op::Unknown(b) => writeln!(out, "UNKNOWN {}", hex(b)),
            other => writeln!(out, "{other:?}"),
        };
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_two_byte_gb_and_four_byte_characters_are_replaced() {
        assert_eq!(encode_text("日结 ok", Charset::Gb18030), vec![0xC8, 0xD5, 0xBD, 0xE1, b' ', b'o', b'k']);
        assert_eq!(encode_text("日结", Charset::Gbk), vec![0xC8, 0xD5, 0xBD, 0xE1]);
        // An emoji and a rare character outside the two-byte area.
        let t = encode_text("好😀𠀀", Charset::Gb18030);
        assert_eq!(t, vec![0xBA, 0xC3, b'?', b'?']);
        assert!(!has_four_byte_sequence(&t));
        assert!(has_four_byte_sequence(&[0x81, 0x30, 0x81, 0x30]));
        assert_eq!(encode_text("a\u{7}b\n", Charset::Gbk), b"ab");
    }

    #[test]
    fn native_qr_bytes_follow_the_notes() {
        let mut s = Slip::new(Paper::Mm58);
        s.push(Item::Qr("https://e.cn/p/1".into()));
        let b = encode(&s, &Options { finish: Finish::TearBar, ..Options::default() });
        let model = [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00];
        assert!(b.windows(model.len()).any(|w| w == model), "model 2");
        let level = [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31];
        assert!(b.windows(level.len()).any(|w| w == level), "level M");
        let ops = parse(&b);
        assert!(ops.contains(&Op::QrStore(b"https://e.cn/p/1".to_vec())));
        assert!(ops.contains(&Op::QrPrint));
        assert!(!ops.iter().any(|o| matches!(o, Op::Cut { .. })), "tear bar: no cut");
        assert!(!ops.iter().any(|o| matches!(o, Op::Unknown(_))), "{ops:?}");
    }

    #[test]
    fn raster_goes_in_pieces_and_parses_back() {
        let bmp = Bitmap {
            width: 20,
            rows: (0..600).map(|y| (0..20).map(|x| (x + y) % 3 == 0).collect()).collect(),
        };
        let mut b = Vec::new();
        raster(&mut b, &bmp);
        let pieces: Vec<Bitmap> = parse(&b)
            .into_iter()
            .map(|o| match o {
                Op::Raster(p) => p,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(pieces.iter().map(|p| p.rows.len()).collect::<Vec<_>>(), [256, 256, 88]);
        let rows: Vec<Vec<bool>> =
            pieces.into_iter().flat_map(|p| p.rows).map(|r| r[..20].to_vec()).collect();
        assert_eq!(rows, bmp.rows);
    }

    #[test]
    fn parsing_never_panics_on_truncated_or_unknown_commands() {
        let s = {
            let mut s = Slip::new(Paper::Mm80);
            s.text("仓库装卸工", Size::Double, true, Align::Center);
            s.push(Item::Qr("https://e.cn/p/1".into()));
            s
        };
        let b = encode(&s, &Options { qr: QrMode::Raster, ..Options::default() });
        for cut in 0..b.len() {
            let _ = parse(&b[..cut]);
        }
        let ops = parse(&[0x1B, 0x74, 0x00, b'a', 0x1D, 0x28, 0x6B, 0xFF, 0xFF, 0x31]);
        assert_eq!(ops[0], Op::Unknown(vec![0x1B, 0x74, 0x00]));
        assert_eq!(ops[1], Op::Text(b"a".to_vec()));
    }
}
