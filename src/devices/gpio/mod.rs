//! GPIO: the presence sensor and help button (inputs), the status and help
//! lamps (outputs). The Raspberry Pi implementation comes with the hardware
//! issue; the simulated one records lamp states for the demo drawer.

pub mod sim;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lamp {
    /// Steady: ready; off: out of order.
    Status,
    /// Lit when a worker asked for help.
    Help,
}

/// Inputs the core receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpioEvent {
    /// Someone stepped in front of the kiosk (or left).
    Presence(bool),
    /// The physical help button was pressed.
    HelpButton,
}

pub trait Gpio: Send {
    fn set_lamp(&mut self, lamp: Lamp, on: bool);
}
