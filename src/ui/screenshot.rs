//! Headless rendering: any page, any size, through Slint's software
//! renderer into a PNG, with no display. Used by `kiosk screenshot` and by
//! the frame-time benchmark.

use std::rc::Rc;

use slint::ComponentHandle;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};

use super::AppWindow;

struct Headless {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Headless {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// Installs the headless platform for this process (once, before any window).
pub fn init() -> Result<Rc<MinimalSoftwareWindow>, slint::PlatformError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Headless { window: window.clone() }))
        .map_err(|e| slint::PlatformError::Other(format!("cannot install the headless platform: {e}")))?;
    Ok(window)
}

/// Shows `ui` at `width`×`height` and renders one frame.
pub fn snapshot(
    ui: &AppWindow,
    window: &MinimalSoftwareWindow,
    width: u32,
    height: u32,
) -> Result<slint::SharedPixelBuffer<slint::Rgba8Pixel>, slint::PlatformError> {
    window.set_size(slint::PhysicalSize::new(width, height));
    ui.show()?;
    // Let timers and animations settle into their first state.
    slint::platform::update_timers_and_animations();
    ui.window().take_snapshot()
}

/// Writes an RGBA buffer as PNG.
pub fn write_png(
    buf: &slint::SharedPixelBuffer<slint::Rgba8Pixel>,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), buf.width(), buf.height());
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.write_header()?.write_image_data(buf.as_bytes())?;
    Ok(())
}
