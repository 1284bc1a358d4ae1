//! GPIO: the presence sensor and help button (inputs), the help lamp and the
//! two-colour status LED (outputs). [`pi::PiGpio`] drives a Raspberry Pi's
//! header through rppal; [`sim::SimGpio`] stands in everywhere else (demo
//! mode, tests, a machine that is not a Pi, or `[gpio] enabled = false`).
//! Both feed raw input levels through the same [`Inputs`] logic, so
//! debouncing and the active levels are tested without a Pi.

pub mod debounce;
pub mod pi;
pub mod sim;

use crate::config;
use debounce::Debouncer;

/// What the status LED shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusLed {
    /// Green: everything works.
    Ok,
    /// Amber (green + red): the kiosk works with a problem: no paper,
    /// offline, reader missing, a background task failing.
    Degraded,
    /// Red: out of order (the database cannot be used).
    Fault,
}

impl StatusLed {
    /// The (green, red) legs of a two-colour LED.
    pub fn legs(self) -> (bool, bool) {
        match self {
            StatusLed::Ok => (true, false),
            StatusLed::Degraded => (true, true),
            StatusLed::Fault => (false, true),
        }
    }
}

/// Inputs the core receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpioEvent {
    /// Someone stepped in front of the kiosk (true) or left (false).
    Presence(bool),
    /// The physical help button was pressed.
    HelpButton,
}

pub trait Gpio: Send {
    fn set_help_lamp(&mut self, on: bool);
    fn set_status(&mut self, status: StatusLed);
    /// For start-up lines and `kiosk doctor`.
    fn describe(&self) -> String;
}

/// Which input a level belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Presence,
    HelpButton,
}

/// How long a level must hold before it counts. A button bounces for a few
/// milliseconds; a PIR sensor's output may flicker as someone moves.
pub const BUTTON_DEBOUNCE_MS: u64 = 30;
pub const PRESENCE_DEBOUNCE_MS: u64 = 300;

/// Raw pin levels in, events out: active levels applied, then debounced.
#[derive(Debug, Clone)]
pub struct Inputs {
    presence: Debouncer,
    presence_high: bool,
    button: Debouncer,
    button_high: bool,
}

impl Inputs {
    pub fn new(cfg: &config::Gpio) -> Inputs {
        Inputs {
            presence: Debouncer::new(PRESENCE_DEBOUNCE_MS),
            presence_high: cfg.presence_active != "low",
            button: Debouncer::new(BUTTON_DEBOUNCE_MS),
            button_high: cfg.help_button_active == "high",
        }
    }

    /// A sample of `input`'s pin level (`high`) at `now_ms`.
    pub fn sample(&mut self, input: Input, high: bool, now_ms: u64) -> Option<GpioEvent> {
        match input {
            Input::Presence => {
                self.presence.sample(high == self.presence_high, now_ms).map(GpioEvent::Presence)
            }
            Input::HelpButton => match self.button.sample(high == self.button_high, now_ms) {
                Some(true) => Some(GpioEvent::HelpButton),
                _ => None,
            },
        }
    }
}

/// The level a pin is driven to for "lit", from `outputs_active`.
pub fn output_level(cfg: &config::Gpio, lit: bool) -> bool {
    if cfg.outputs_active == "low" { !lit } else { lit }
}
