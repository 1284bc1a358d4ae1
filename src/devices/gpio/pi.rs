//! The Raspberry Pi's GPIO header through rppal (`/dev/gpiomem`; the Pi 5's
//! RP1 chip too). Inputs are read every [`POLL`] on a thread of their own
//! and go through [`Inputs`] (active levels, debouncing); outputs are set
//! at once. On anything that is not a Pi, [`PiGpio::open`] fails and the
//! caller falls back to the simulated GPIO with a log line.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rppal::gpio::{InputPin, Level, OutputPin};

use super::{Gpio, GpioEvent, Input, Inputs, StatusLed, output_level};
use crate::config;
use crate::devices::EventSink;

/// How often the inputs are read: well inside the debounce windows.
pub const POLL: Duration = Duration::from_millis(5);

pub struct PiGpio {
    cfg: config::Gpio,
    help_lamp: Option<OutputPin>,
    green: Option<OutputPin>,
    red: Option<OutputPin>,
    stop: Arc<AtomicBool>,
    model: String,
}

/// Why the Pi's GPIO could not be opened, in words for the log and doctor.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct GpioError(String);

impl PiGpio {
    /// Opens the pins `cfg` names; inputs report to `sink`.
    pub fn open(cfg: &config::Gpio, sink: EventSink<GpioEvent>) -> Result<PiGpio, GpioError> {
        let gpio = rppal::gpio::Gpio::new().map_err(|e| GpioError(explain(&e)))?;
        let model = rppal::system::DeviceInfo::new()
            .map(|d| d.model().to_string())
            .unwrap_or_else(|_| "Raspberry Pi".into());
        let pin = |n: u8| gpio.get(n).map_err(|e| GpioError(format!("pin {n}: {}", explain(&e))));
        let high_active = |word: &str| word == "high";
        let input = |n: Option<u8>, active_high: bool| -> Result<Option<InputPin>, GpioError> {
            n.map(|n| {
                // Pull the line to its inactive level so an open input reads idle.
                pin(n).map(|p| if active_high { p.into_input_pulldown() } else { p.into_input_pullup() })
            })
            .transpose()
        };
        let presence = input(cfg.presence_pin, high_active(&cfg.presence_active))?;
        let button = input(cfg.help_button_pin, high_active(&cfg.help_button_active))?;
        let output = |n: Option<u8>| -> Result<Option<OutputPin>, GpioError> {
            n.map(|n| {
                pin(n).map(|p| {
                    let mut o = p.into_output();
                    o.write(level(output_level(cfg, false)));
                    o
                })
            })
            .transpose()
        };
        let stop = Arc::new(AtomicBool::new(false));
        let pi = PiGpio {
            cfg: cfg.clone(),
            help_lamp: output(cfg.help_lamp_pin)?,
            green: output(cfg.led_green_pin)?,
            red: output(cfg.led_red_pin)?,
            stop: stop.clone(),
            model,
        };
        if presence.is_some() || button.is_some() {
            let mut inputs = Inputs::new(cfg);
            std::thread::Builder::new()
                .name("gpio".into())
                .spawn(move || {
                    let start = Instant::now();
                    while !stop.load(Ordering::Relaxed) {
                        let now = start.elapsed().as_millis() as u64;
                        let pins = [(Input::Presence, &presence), (Input::HelpButton, &button)];
                        for (which, pin) in pins {
                            if let Some(p) = pin
                                && let Some(e) = inputs.sample(which, p.is_high(), now)
                            {
                                sink(e);
                            }
                        }
                        std::thread::sleep(POLL);
                    }
                })
                .map_err(|e| GpioError(format!("cannot start the GPIO thread: {e}")))?;
        }
        Ok(pi)
    }

    /// Outputs in the order `kiosk gpio test` blinks them.
    pub fn outputs(&mut self) -> Vec<(&'static str, &mut OutputPin)> {
        let mut v = Vec::new();
        for (name, pin) in
            [("help lamp", &mut self.help_lamp), ("LED green", &mut self.green), ("LED red", &mut self.red)]
        {
            if let Some(p) = pin.as_mut() {
                v.push((name, p));
            }
        }
        v
    }

    pub fn lit(&self, lit: bool) -> Level {
        level(output_level(&self.cfg, lit))
    }
}

impl Drop for PiGpio {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn level(high: bool) -> Level {
    if high { Level::High } else { Level::Low }
}

/// rppal's errors in a technician's words.
fn explain(e: &rppal::gpio::Error) -> String {
    match e {
        rppal::gpio::Error::UnknownModel => "this machine is not a Raspberry Pi (unknown model)".into(),
        rppal::gpio::Error::PermissionDenied(path) => {
            format!("permission denied on {path}: the kiosk's user needs the gpio group")
        }
        other => other.to_string(),
    }
}

impl Gpio for PiGpio {
    fn set_help_lamp(&mut self, on: bool) {
        let l = self.lit(on);
        if let Some(p) = self.help_lamp.as_mut() {
            p.write(l);
        }
    }

    fn set_status(&mut self, status: StatusLed) {
        let (g, r) = status.legs();
        let (g, r) = (self.lit(g), self.lit(r));
        if let Some(p) = self.green.as_mut() {
            p.write(g);
        }
        if let Some(p) = self.red.as_mut() {
            p.write(r);
        }
    }

    fn describe(&self) -> String {
        let pins = |name: &str, p: Option<u8>| p.map(|n| format!("{name} {n}"));
        let c = &self.cfg;
        let list: Vec<String> = [
            pins("presence", c.presence_pin),
            pins("help button", c.help_button_pin),
            pins("help lamp", c.help_lamp_pin),
            pins("LED green", c.led_green_pin),
            pins("LED red", c.led_red_pin),
        ]
        .into_iter()
        .flatten()
        .collect();
        format!(
            "{} GPIO (BCM pins: {})",
            self.model,
            if list.is_empty() { "none".into() } else { list.join(", ") }
        )
    }
}
