//! Simulated GPIO: lamp states kept where the demo drawer and tests can see
//! them, and input levels fed through the same debouncing as the Pi's.

use std::sync::{Arc, Mutex};

use super::{Gpio, GpioEvent, Input, Inputs, StatusLed};
use crate::config;
use crate::devices::EventSink;

#[derive(Clone)]
pub struct SimGpio {
    state: Arc<Mutex<State>>,
    sink: EventSink<GpioEvent>,
    /// Why the simulated GPIO stands in (start-up line, `kiosk doctor`).
    why: String,
}

struct State {
    help_lamp: bool,
    status: Option<StatusLed>,
    inputs: Inputs,
}

impl SimGpio {
    pub fn new(cfg: &config::Gpio, sink: EventSink<GpioEvent>, why: impl Into<String>) -> SimGpio {
        let state = State { help_lamp: false, status: None, inputs: Inputs::new(cfg) };
        SimGpio { state: Arc::new(Mutex::new(state)), sink, why: why.into() }
    }

    pub fn help_lamp(&self) -> bool {
        self.state.lock().map(|s| s.help_lamp).unwrap_or(false)
    }

    /// `None` until the core first sets it.
    pub fn status(&self) -> Option<StatusLed> {
        self.state.lock().ok().and_then(|s| s.status)
    }

    /// A pin level as the Pi would read it at `now_ms`; events go to the sink.
    pub fn input(&self, input: Input, high: bool, now_ms: u64) {
        let event = match self.state.lock() {
            Ok(mut s) => s.inputs.sample(input, high, now_ms),
            Err(_) => None,
        };
        if let Some(e) = event {
            (self.sink)(e);
        }
    }
}

impl Gpio for SimGpio {
    fn set_help_lamp(&mut self, on: bool) {
        if let Ok(mut s) = self.state.lock() {
            s.help_lamp = on;
        }
    }

    fn set_status(&mut self, status: StatusLed) {
        if let Ok(mut s) = self.state.lock() {
            s.status = Some(status);
        }
    }

    fn describe(&self) -> String {
        format!("simulated ({})", self.why)
    }
}
