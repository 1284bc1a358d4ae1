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
