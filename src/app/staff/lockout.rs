//! The PIN pad's lockout schedule, as a plain value: five wrong PINs in a
//! row lock the pad for 5 minutes; each further lockout in a row lasts twice
//! as long as the last (10, 20, 40 minutes …), up to a day. The right PIN
//! ends the series. Times are wall-clock Unix seconds, because the lockout
//! is stored (`staff_lockout`) and must survive a restart, when a
//! monotonic clock starts again from zero.

use crate::store::staff::LockoutRow;

/// Wrong PINs in a row that lock the pad.
pub const TRIES: u32 = 5;
/// The first lockout.
pub const FIRST_LOCK_S: i64 = 5 * 60;
/// No lockout lasts longer: a station must not lose its staff mode for
/// days because someone played with the pad over a weekend.
pub const MAX_LOCK_S: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lockout {
    /// Wrong PINs since the last lockout (or the last right PIN).
    pub failures: u32,
    /// Lockouts in a row (not ended by a right PIN).
    pub lockouts: u32,
    /// Unix seconds; 0 when never locked.
    pub locked_until: i64,
}

/// What a wrong PIN led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrong {
    /// This many tries are left before the pad locks.
    TriesLeft(u32),
    /// The pad is locked for this many seconds.
    Locked(i64),
}

/// How long the `n`th lockout in a row lasts (n ≥ 1).
pub fn duration(n: u32) -> i64 {
    let doublings = n.saturating_sub(1).min(20);
    (FIRST_LOCK_S << doublings).min(MAX_LOCK_S)
}

impl Lockout {
    /// From the stored row. A lock ending further ahead than its own length
    /// means the clock was set back since (a Pi without a real-time clock
    /// that booted before it knew the time): it is cut to its length from
    /// now, never made endless.
    pub fn from_row(r: LockoutRow, now: i64) -> Lockout {
        let mut l =
            Lockout { failures: r.failures.min(TRIES), lockouts: r.lockouts, locked_until: r.locked_until };
        if l.lockouts > 0 && l.locked_until - now > duration(l.lockouts) {
            l.locked_until = now + duration(l.lockouts);
        }
        l
    }

    pub fn row(&self) -> LockoutRow {
        LockoutRow { failures: self.failures, lockouts: self.lockouts, locked_until: self.locked_until }
    }

    /// Seconds until the pad opens again, while it is locked.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        (self.locked_until > now).then(|| self.locked_until - now)
    }

    /// A wrong PIN at `now` (only counted while not locked).
    pub fn wrong(&mut self, now: i64) -> Wrong {
        if let Some(s) = self.locked_for(now) {
            return Wrong::Locked(s);
        }
        self.failures += 1;
        if self.failures < TRIES {
            return Wrong::TriesLeft(TRIES - self.failures);
        }
        self.failures = 0;
        self.lockouts += 1;
        let d = duration(self.lockouts);
        self.locked_until = now + d;
        Wrong::Locked(d)
    }

    /// The right PIN: the series ends.
    pub fn right(&mut self) {
        *self = Lockout::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_lock_for_five_minutes_then_doubling() {
        let mut l = Lockout::default();
        let t = 1_000_000;
        for left in [4, 3, 2, 1] {
            assert_eq!(l.wrong(t), Wrong::TriesLeft(left));
        }
        assert_eq!(l.wrong(t), Wrong::Locked(300));
        assert_eq!(l.locked_for(t + 299), Some(1));
        // Tries while locked are not counted.
        assert_eq!(l.wrong(t + 10), Wrong::Locked(290));
        assert_eq!(l.failures, 0);
        assert_eq!(l.locked_for(t + 300), None);
        // The next five wrong: 10 minutes, then 20, 40 …
        for (n, expect) in [(2, 600), (3, 1200), (4, 2400)] {
            let at = l.locked_until;
            for _ in 0..4 {
                assert!(matches!(l.wrong(at), Wrong::TriesLeft(_)));
            }
            assert_eq!(l.wrong(at), Wrong::Locked(expect), "lockout {n}");
        }
        assert_eq!(duration(9), 76_800);
        assert_eq!(duration(10), MAX_LOCK_S);
        assert_eq!(duration(u32::MAX), MAX_LOCK_S);
    }

    #[test]
    fn the_right_pin_ends_the_series() {
        let mut l = Lockout::default();
        for _ in 0..5 {
            l.wrong(0);
        }
        l.right();
        assert_eq!(l, Lockout::default());
        for _ in 0..4 {
            l.wrong(1000);
        }
        assert_eq!(l.wrong(1000), Wrong::Locked(300), "back to 5 minutes");
    }

    #[test]
    fn stored_and_read_back_and_a_clock_set_back_does_not_lock_forever() {
        let mut l = Lockout::default();
        for _ in 0..5 {
            l.wrong(2_000_000_000);
        }
        // Restart at the same time: still locked.
        let back = Lockout::from_row(l.row(), 2_000_000_100);
        assert_eq!(back.locked_for(2_000_000_100), Some(200));
        // Restart with the clock at 1970 (no RTC, not synced yet).
        let reset = Lockout::from_row(l.row(), 60);
        assert_eq!(reset.locked_for(60), Some(300));
    }
}
