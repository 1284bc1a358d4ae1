//! A 1-bit canvas the width of the paper, drawn the way a thermal printer
//! draws: text on a grid of 12-dot half-width and 24-dot full-width cells
//! (twice that in double size), rules, QR codes from their module matrix.
//! The simulated printer renders slips with it and the virtual ESC/POS
//! printer renders byte streams with it, so what a person sees in a PNG is
//! what the paper would show.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use unicode_width::UnicodeWidthChar;

use super::{Align, Size};

/// The kiosk's fonts (see `assets/fonts/README.md`).
pub const FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/KioskSans-Regular.ttf");
pub const FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/KioskSans-Bold.ttf");

/// Height of a normal text cell, and the printer's default line pitch.
pub const CELL_H: u32 = 24;
pub const LINE_PITCH: u32 = 30;
const CELL_W: u32 = 12;

#[derive(Debug, thiserror::Error)]
pub enum CanvasError {
    #[error("the embedded font could not be read: {0}")]
    Font(String),
    #[error("writing the PNG failed: {0}")]
    Png(String),
}

/// Black-and-white pixels, `true` = black.
pub struct Canvas {
    width: u32,
    rows: Vec<Vec<bool>>,
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

impl Canvas {
    pub fn new(width: u32) -> Result<Canvas, CanvasError> {
        let font = |bytes: &'static [u8]| {
            FontRef::try_from_slice(bytes).map_err(|e| CanvasError::Font(e.to_string()))
        };
        Ok(Canvas { width, rows: Vec::new(), regular: font(FONT_REGULAR)?, bold: font(FONT_BOLD)? })
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.rows.len() as u32
    }

    /// Whether the dot at (x, y) is black.
    pub fn get(&self, x: u32, y: u32) -> bool {
        self.rows.get(y as usize).and_then(|r| r.get(x as usize)).copied().unwrap_or(false)
    }

    /// Appends `dots` white rows.
    pub fn feed(&mut self, dots: u32) {
        for _ in 0..dots {
            self.rows.push(vec![false; self.width as usize]);
        }
    }

    fn set(&mut self, x: i64, y: usize, black: bool) {
        if x >= 0
            && (x as u32) < self.width
            && let Some(row) = self.rows.get_mut(y)
        {
            row[x as usize] = black;
        }
    }

    /// Draws one line of text in cells (a character takes as many cells as
    /// its display width) and advances by the line pitch. Characters beyond
    /// the paper's edge are dropped, as a printer drops them.
    pub fn text(&mut self, text: &str, size: Size, bold: bool, align: Align) {
        let mag = if size == Size::Double { 2 } else { 1 };
        let (cell_w, cell_h) = (CELL_W * mag, CELL_H * mag);
        let total: u32 = text.chars().map(|c| c.width().unwrap_or(0) as u32 * cell_w).sum();
        let mut x = match align {
            Align::Left => 0,
            Align::Center => self.width.saturating_sub(total) / 2,
            Align::Right => self.width.saturating_sub(total),
        } as i64;
        let top = self.rows.len();
        self.feed(LINE_PITCH * mag);
        let font = if bold { self.bold.clone() } else { self.regular.clone() };
        let scale = PxScale::from(cell_h as f32);
        let scaled = font.as_scaled(scale);
        // Centre the font's ascent..descent band in the cell.
        let band = scaled.ascent() - scaled.descent();
        let baseline = top as f32
            + (cell_h as f32 - band) / 2.0
            + scaled.ascent()
            + ((LINE_PITCH - CELL_H) * mag) as f32 / 2.0;
        for c in text.chars() {
            let cells = c.width().unwrap_or(0) as u32;
            let w = cells * cell_w;
            if c != ' ' && cells > 0 {
                let glyph = scaled.scaled_glyph(c);
                let advance = scaled.h_advance(glyph.id);
                let gx = x as f32 + (w as f32 - advance).max(0.0) / 2.0;
                let positioned = glyph.clone();
                let mut g = positioned;
                g.position = ab_glyph::point(gx, baseline);
                if let Some(outline) = font.outline_glyph(g) {
                    let b = outline.px_bounds();
                    let mut dots = Vec::new();
                    outline.draw(|px, py, coverage| {
                        if coverage >= 0.5 {
                            dots.push((b.min.x as i64 + px as i64, (b.min.y as i64 + py as i64) as usize));
                        }
                    });
                    for (dx, dy) in dots {
                        self.set(dx, dy, true);
                    }
                }
            }
            x += w as i64;
        }
    }

    /// A two-dot rule across the paper with a small margin.
    pub fn rule(&mut self) {
        let top = self.rows.len();
        self.feed(LINE_PITCH);
        let y = top + (LINE_PITCH as usize) / 2;
        for dy in 0..2 {
            for x in 4..self.width.saturating_sub(4) {
                // Dashed, like the "----" a printer prints.
                if (x / 8) % 2 == 0 {
                    self.set(x as i64, y + dy, true);
                }
            }
        }
    }

    /// Appends a 1-bit image `width` dots wide, placed by `align`.
    pub fn bitmap(&mut self, rows: &[Vec<bool>], width: u32, align: Align) {
        let left = match align {
            Align::Left => 0,
            Align::Center => self.width.saturating_sub(width) / 2,
            Align::Right => self.width.saturating_sub(width),
        } as i64;
        let top = self.rows.len();
        self.feed(rows.len() as u32);
        for (y, row) in rows.iter().enumerate() {
            for (x, black) in row.iter().enumerate() {
                if *black {
                    self.set(left + x as i64, top + y, true);
                }
            }
        }
    }

    /// Grey pixels (0 = black, 255 = white), row by row.
    pub fn to_gray(&self) -> Vec<u8> {
        self.rows.iter().flat_map(|r| r.iter().map(|b| if *b { 0 } else { 255 })).collect()
    }

    /// Encodes the canvas as a greyscale PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, CanvasError> {
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, self.width, self.height().max(1));
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().map_err(|e| CanvasError::Png(e.to_string()))?;
            let mut data = self.to_gray();
            if data.is_empty() {
                data = vec![255; self.width as usize];
            }
            w.write_image_data(&data).map_err(|e| CanvasError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn black_in(c: &Canvas, x0: u32, x1: u32, y0: u32, y1: u32) -> usize {
        (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))).filter(|&(x, y)| c.get(x, y)).count()
    }

    #[test]
    fn text_lands_in_its_cells() {
        let mut c = Canvas::new(384).unwrap();
        c.text("工", Size::Normal, false, Align::Left);
        // A hanzi fills its 24-dot cell, and nothing spills past it.
        assert!(black_in(&c, 0, 24, 0, 30) > 40);
        assert_eq!(black_in(&c, 26, 384, 0, 30), 0);
        let mut c = Canvas::new(384).unwrap();
        c.text("工", Size::Normal, false, Align::Right);
        assert_eq!(black_in(&c, 0, 358, 0, 30), 0);
        assert!(black_in(&c, 360, 384, 0, 30) > 40);
    }

    #[test]
    fn bold_is_blacker() {
        let mut r = Canvas::new(384).unwrap();
        r.text("日结装卸", Size::Double, false, Align::Left);
        let mut b = Canvas::new(384).unwrap();
        b.text("日结装卸", Size::Double, true, Align::Left);
        let (nr, nb) = (black_in(&r, 0, 384, 0, 60), black_in(&b, 0, 384, 0, 60));
        assert!(nb as f64 > nr as f64 * 1.15, "{nb} vs {nr}");
    }
}
