//! Staff mode's pages and timers as a plain value, like the worker's
//! session (`session.rs`): no I/O, the time passed in.
//!
//! - *hold*: the hidden gesture. Holding the station name on the attract
//!   page for [`HOLD_MS`] opens the PIN pad; letting go earlier does
//!   nothing. The core passes the hold on only from the attract page, so a
//!   worker's session is never entered.
//! - *pad*: the PIN pad (also showing "locked" or "no PIN set"). It closes
//!   after [`PAD_IDLE_MS`] untouched: a pad left open must not keep workers
//!   from the jobs.
//! - *open*: the staff pages. [`STAFF_IDLE_MS`] without a touch ends the
//!   staff session, after the same warning a worker gets.
//!
//! Leaving, in every way, lands on the attract page.

use zeroize::Zeroizing;

use super::pin::MAX_LEN;

/// How long the station name must be held.
pub const HOLD_MS: u64 = 5_000;
/// The PIN pad closes when nobody touched it for this long.
pub const PAD_IDLE_MS: u64 = 30_000;
/// A staff session ends after this long without a touch.
pub const STAFF_IDLE_MS: u64 = 180_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffPage {
    Pin,
    Status,
    Setup,
    Numbers,
    Log,
}

impl StaffPage {
    pub const OPEN: [StaffPage; 4] =
        [StaffPage::Status, StaffPage::Setup, StaffPage::Numbers, StaffPage::Log];

    /// The name in the UI and after `staff-` in `kiosk screenshot --page`.
    pub fn name(self) -> &'static str {
        match self {
            StaffPage::Pin => "pin",
            StaffPage::Status => "status",
            StaffPage::Setup => "setup",
            StaffPage::Numbers => "numbers",
            StaffPage::Log => "log",
        }
    }

    pub fn from_name(s: &str) -> Option<StaffPage> {
        [StaffPage::Pin].into_iter().chain(StaffPage::OPEN).find(|p| p.name() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveReason {
    /// "Leave staff mode".
    Left,
    /// Nobody touched the open pages for [`STAFF_IDLE_MS`].
    Timeout,
    /// The pad was left alone, or closed with "cancel".
    PadClosed,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StaffInput {
    /// The station name pressed (true) or let go (false).
    Hold(bool),
    Digit(u8),
    Erase,
    /// "OK" on the pad.
    Submit,
    /// The PIN checked out: open the status page.
    PinAccepted,
    Go(StaffPage),
    Leave,
    Touch,
    Tick,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StaffEffect {
    /// The pad appeared.
    PadOpened,
    /// Check this PIN (the core knows the hash and the lockout).
    CheckPin(Zeroizing<String>),
    Entered,
    Closed(LeaveReason),
}

#[derive(Debug, Clone)]
pub struct StaffMode {
    page: Option<StaffPage>,
    hold_since: Option<u64>,
    /// The digits typed on the pad, wiped when checked or the pad closes.
    entry: Zeroizing<String>,
    last_touch_ms: u64,
    /// The warning before the timeout: the worker's (`[screen] idle_warning_s`).
    warning_ms: u64,
}

impl StaffMode {
    pub fn new(warning_ms: u64) -> StaffMode {
        StaffMode { page: None, hold_since: None, entry: Zeroizing::default(), last_touch_ms: 0, warning_ms }
    }

    pub fn set_warning_ms(&mut self, ms: u64) {
        self.warning_ms = ms;
    }

    /// The staff page showing, if any.
    pub fn page(&self) -> Option<StaffPage> {
        self.page
    }

    /// Staff mode owns the screen (pad or pages).
    pub fn active(&self) -> bool {
        self.page.is_some()
    }

    /// Staff pages are open (the PIN was right).
    pub fn open(&self) -> bool {
        self.page.is_some_and(|p| p != StaffPage::Pin)
    }

    /// Digits typed so far (the pad shows dots).
    pub fn entered(&self) -> usize {
        self.entry.len()
    }

    /// The station name is being held.
    pub fn holding(&self) -> bool {
        self.hold_since.is_some()
    }

    /// Seconds left while the timeout warning shows.
    pub fn warning_left_s(&self, now_ms: u64) -> Option<u64> {
        if !self.open() {
            return None;
        }
        let idle = now_ms.saturating_sub(self.last_touch_ms);
        let warn_at = STAFF_IDLE_MS.saturating_sub(self.warning_ms);
        (idle >= warn_at && idle < STAFF_IDLE_MS).then(|| (STAFF_IDLE_MS - idle).div_ceil(1000))
    }

    pub fn handle(&mut self, input: StaffInput, now_ms: u64) -> Vec<StaffEffect> {
        let mut fx = Vec::new();
        match input {
            StaffInput::Hold(true) if self.page.is_none() => self.hold_since = Some(now_ms),
            StaffInput::Hold(_) => self.hold_since = None,
            StaffInput::Tick => {
                if let Some(since) = self.hold_since
                    && now_ms.saturating_sub(since) >= HOLD_MS
                {
                    self.hold_since = None;
                    self.page = Some(StaffPage::Pin);
                    self.last_touch_ms = now_ms;
                    fx.push(StaffEffect::PadOpened);
                }
                let idle = now_ms.saturating_sub(self.last_touch_ms);
                match self.page {
                    Some(StaffPage::Pin) if idle >= PAD_IDLE_MS => {
                        self.close(LeaveReason::PadClosed, &mut fx)
                    }
                    Some(_) if self.open() && idle >= STAFF_IDLE_MS => {
                        self.close(LeaveReason::Timeout, &mut fx)
                    }
                    _ => {}
                }
            }
            _ if self.page.is_none() => {}
            StaffInput::Touch => self.last_touch_ms = now_ms,
            StaffInput::Digit(d) => {
                self.last_touch_ms = now_ms;
                if self.page == Some(StaffPage::Pin) && d <= 9 && self.entry.len() < MAX_LEN {
                    self.entry.push(char::from(b'0' + d));
                }
            }
            StaffInput::Erase => {
                self.last_touch_ms = now_ms;
                self.entry.pop();
            }
            StaffInput::Submit => {
                self.last_touch_ms = now_ms;
                if self.page == Some(StaffPage::Pin) && !self.entry.is_empty() {
                    let pin = std::mem::take(&mut self.entry);
                    fx.push(StaffEffect::CheckPin(pin));
                }
            }
            StaffInput::PinAccepted => {
                self.last_touch_ms = now_ms;
                if self.page == Some(StaffPage::Pin) {
                    self.page = Some(StaffPage::Status);
                    fx.push(StaffEffect::Entered);
                }
            }
            StaffInput::Go(p) => {
                self.last_touch_ms = now_ms;
                // The pages open only through the PIN.
                if self.open() && p != StaffPage::Pin {
                    self.page = Some(p);
                }
            }
            StaffInput::Leave => {
                let why = if self.open() { LeaveReason::Left } else { LeaveReason::PadClosed };
                self.close(why, &mut fx);
            }
        }
        fx
    }

    fn close(&mut self, why: LeaveReason, fx: &mut Vec<StaffEffect>) {
        *self = StaffMode::new(self.warning_ms);
        fx.push(StaffEffect::Closed(why));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened_pad() -> StaffMode {
        let mut m = StaffMode::new(10_000);
        m.handle(StaffInput::Hold(true), 1_000);
        assert_eq!(m.handle(StaffInput::Tick, 6_000), vec![StaffEffect::PadOpened]);
        m
    }

    #[test]
    fn holding_five_seconds_opens_the_pad_and_a_short_press_does_not() {
        let mut m = StaffMode::new(10_000);
        m.handle(StaffInput::Hold(true), 0);
        assert_eq!(m.handle(StaffInput::Tick, 4_999), vec![]);
        m.handle(StaffInput::Hold(false), 4_999);
        assert_eq!(m.handle(StaffInput::Tick, 10_000), vec![]);
        assert!(!m.active());
        assert_eq!(opened_pad().page(), Some(StaffPage::Pin));
    }

    #[test]
    fn digits_are_checked_then_forgotten_and_pages_need_the_pin() {
        let mut m = opened_pad();
        m.handle(StaffInput::Go(StaffPage::Setup), 6_100);
        assert_eq!(m.page(), Some(StaffPage::Pin), "no page without the PIN");
        for d in [2, 5, 8, 0] {
            m.handle(StaffInput::Digit(d), 6_200);
        }
        assert_eq!(m.entered(), 4);
        m.handle(StaffInput::Erase, 6_300);
        m.handle(StaffInput::Digit(0), 6_300);
        let fx = m.handle(StaffInput::Submit, 6_400);
        assert_eq!(fx, vec![StaffEffect::CheckPin(Zeroizing::new("2580".to_string()))]);
        assert_eq!(m.entered(), 0);
        assert_eq!(m.handle(StaffInput::PinAccepted, 6_500), vec![StaffEffect::Entered]);
        m.handle(StaffInput::Go(StaffPage::Setup), 6_600);
        assert_eq!(m.page(), Some(StaffPage::Setup));
        assert_eq!(m.handle(StaffInput::Leave, 7_000), vec![StaffEffect::Closed(LeaveReason::Left)]);
        assert!(!m.active());
    }

    #[test]
    fn three_quiet_minutes_warn_then_end_the_staff_session() {
        let mut m = opened_pad();
        m.handle(StaffInput::PinAccepted, 6_000);
        assert_eq!(m.warning_left_s(6_000 + 169_999), None);
        assert_eq!(m.warning_left_s(6_000 + 170_000), Some(10));
        m.handle(StaffInput::Touch, 6_000 + 175_000);
        assert_eq!(m.warning_left_s(6_000 + 180_000), None, "a touch cancels the warning");
        assert_eq!(m.handle(StaffInput::Tick, 181_000 + 179_999), vec![]);
        assert_eq!(
            m.handle(StaffInput::Tick, 181_000 + 180_000),
            vec![StaffEffect::Closed(LeaveReason::Timeout)]
        );
        assert_eq!(m.page(), None);
    }

    #[test]
    fn a_pad_left_alone_closes_after_thirty_seconds() {
        let mut m = opened_pad();
        m.handle(StaffInput::Digit(1), 10_000);
        assert_eq!(m.handle(StaffInput::Tick, 39_999), vec![]);
        assert_eq!(m.handle(StaffInput::Tick, 40_000), vec![StaffEffect::Closed(LeaveReason::PadClosed)]);
        assert_eq!(m.entered(), 0, "typed digits are gone");
    }
}
