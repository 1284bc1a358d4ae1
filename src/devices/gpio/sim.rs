//! Simulated GPIO: lamp states kept where the demo drawer can show them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Gpio, Lamp};

#[derive(Debug, Clone, Default)]
pub struct SimGpio {
    lamps: Arc<Mutex<HashMap<Lamp, bool>>>,
}

impl SimGpio {
    pub fn lamp(&self, lamp: Lamp) -> bool {
        self.lamps.lock().map(|l| l.get(&lamp).copied().unwrap_or(false)).unwrap_or(false)
    }
}

impl Gpio for SimGpio {
    fn set_lamp(&mut self, lamp: Lamp, on: bool) {
        if let Ok(mut l) = self.lamps.lock() {
            l.insert(lamp, on);
        }
    }
}
