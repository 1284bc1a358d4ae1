//! "Now", in one place: a monotonic millisecond count (for timers: idle
//! timeout, print time-out) and the wall clock in China time (for data:
//! what is open, today's date, timestamps). Every part of the kiosk asks a
//! [`Clock`]; `--now` pins the wall clock's start for diagnostics and tests,
//! and tests move a [`ManualClock`] by hand.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, FixedOffset};

use crate::domain::time;

pub trait Clock: Send + Sync {
    /// Milliseconds since the clock started; never goes back.
    fn now_ms(&self) -> u64;
    /// The wall clock, in China Standard Time.
    fn wall(&self) -> DateTime<FixedOffset>;
}

/// The machine's clocks; with `pinned`, the wall clock starts there (`--now`)
/// and runs on from it.
pub struct SystemClock {
    start: Instant,
    pinned: Option<DateTime<FixedOffset>>,
}

impl SystemClock {
    pub fn new(pinned: Option<DateTime<FixedOffset>>) -> SystemClock {
        SystemClock { start: Instant::now(), pinned }
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }
    fn wall(&self) -> DateTime<FixedOffset> {
        match self.pinned {
            Some(w) => w + chrono::Duration::milliseconds(self.now_ms() as i64),
            None => time::in_china(chrono::Utc::now()),
        }
    }
}

/// A clock the caller moves (tests, screenshots); clones share it.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<(u64, DateTime<FixedOffset>)>>);

impl ManualClock {
    pub fn new(wall: DateTime<FixedOffset>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new((0, wall))))
    }

    pub fn advance(&self, ms: u64) {
        let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += ms;
        g.1 += chrono::Duration::milliseconds(ms as i64);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).0
    }
    fn wall(&self) -> DateTime<FixedOffset> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).1
    }
}
