//! A level debouncer: a new level counts once it has held for the window.
//! Sampled (the Pi's inputs are read every few milliseconds), so a bounce
//! that ends in the old level never produces an event, and a short press
//! is never lost in a lock-out.

#[derive(Debug, Clone)]
pub struct Debouncer {
    window_ms: u64,
    /// The level last reported (inactive at start).
    stable: bool,
    /// The level seen most recently and since when.
    candidate: bool,
    since_ms: u64,
}

impl Debouncer {
    pub fn new(window_ms: u64) -> Debouncer {
        Debouncer { window_ms, stable: false, candidate: false, since_ms: 0 }
    }

    /// The level at `now_ms` (active = true); `Some(level)` when the
    /// debounced level changes.
    pub fn sample(&mut self, active: bool, now_ms: u64) -> Option<bool> {
        if active != self.candidate {
            self.candidate = active;
            self.since_ms = now_ms;
        }
        if self.candidate != self.stable && now_ms.saturating_sub(self.since_ms) >= self.window_ms {
            self.stable = self.candidate;
            return Some(self.stable);
        }
        None
    }

    pub fn level(&self) -> bool {
        self.stable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds (time, level) samples; returns the events with their times.
    fn run(d: &mut Debouncer, samples: &[(u64, bool)]) -> Vec<(u64, bool)> {
        samples.iter().filter_map(|&(t, l)| d.sample(l, t).map(|e| (t, e))).collect()
    }

    #[test]
    fn a_bouncing_press_is_one_press() {
        let mut d = Debouncer::new(30);
        // Contact bounce for 8 ms, then held; sampled every 2 ms.
        let mut s = vec![(0, true), (2, false), (4, true), (6, false), (8, true)];
        s.extend((10..=60).step_by(2).map(|t| (t, true)));
        s.extend([(62, false), (63, true), (64, false)]);
        s.extend((66..=120).step_by(2).map(|t| (t, false)));
        assert_eq!(run(&mut d, &s), vec![(38, true), (94, false)]);
    }

    #[test]
    fn a_spike_shorter_than_the_window_is_ignored() {
        let mut d = Debouncer::new(30);
        let s: Vec<(u64, bool)> = (0..100).map(|t| (t, (40..60).contains(&t))).collect();
        assert_eq!(run(&mut d, &s), vec![]);
        assert!(!d.level());
    }

    #[test]
    fn a_short_press_after_a_long_one_is_not_lost() {
        let mut d = Debouncer::new(10);
        let s: Vec<(u64, bool)> =
            (0..200).map(|t| (t, (0..50).contains(&t) || (100..115).contains(&t))).collect();
        assert_eq!(run(&mut d, &s), vec![(10, true), (60, false), (110, true), (125, false)]);
    }
}
