//! Devices: the ID-card reader, the slip printer and GPIO (presence sensor,
//! help button, lamps). Each is a trait with a real and a simulated
//! implementation, chosen at start-up from configuration; demo mode and the
//! tests use the simulated ones, which behave like the hardware (delays,
//! paper out, unplugging) so the rest of the kiosk cannot tell.

pub mod card_reader;
pub mod gpio;
pub mod printer;
pub mod setup;
pub mod speech;

/// Where a device delivers its events (to the app core's command queue).
pub type EventSink<E> = std::sync::Arc<dyn Fn(E) + Send + Sync>;

/// Device files in `dir` whose names start with `prefix` (`event`, `lp`),
/// sorted; none when `dir` cannot be read.
pub fn device_files(dir: &std::path::Path, prefix: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
