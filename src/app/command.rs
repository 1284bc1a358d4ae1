//! What reaches the core: the UI's commands and the devices' and background
//! tasks' events, all through one channel (`Core::sender`), so the core
//! handles them one at a time in the order they came.

use crate::app::session::Input;
use crate::devices::card_reader::CardEvent;
use crate::devices::card_reader::samples::Sample;
use crate::devices::printer::worker::PrintOutcome;
use crate::devices::speech::SpeechEvent;
use crate::domain::Settlement;
use crate::search::{SortOrder, StartWindow};
use crate::sync::worker::SyncStatus;
use crate::tasks::TaskReport;

/// Filter buttons' state. Reset with the session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub trade: Option<String>,
    pub settlement: Option<Settlement>,
    pub within_km: Option<u32>,
    pub start: Option<StartWindow>,
    pub min_daily_wage: Option<u32>,
    pub sort: SortOrder,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FilterChange {
    Trade(Option<String>),
    Settlement(Option<Settlement>),
    WithinKm(Option<u32>),
    Start(Option<StartWindow>),
    MinDailyWage(Option<u32>),
    Sort(SortOrder),
    Clear,
}

impl Filters {
    pub fn change(&mut self, c: FilterChange) {
        match c {
            FilterChange::Trade(t) => self.trade = t,
            FilterChange::Settlement(s) => self.settlement = s,
            FilterChange::WithinKm(k) => self.within_km = k,
            FilterChange::Start(s) => self.start = s,
            FilterChange::MinDailyWage(w) => self.min_daily_wage = w,
            FilterChange::Sort(s) => self.sort = s,
            FilterChange::Clear => *self = Filters { sort: self.sort, ..Filters::default() },
        }
    }
}

/// The demo drawer's controls.
#[derive(Debug, Clone, PartialEq)]
pub enum SimCommand {
    PlaceCard(Sample),
    RemoveCard,
    TogglePaper,
    ToggleNetwork,
    /// Make the reader and printer slow (to show the UI never waits).
    ToggleSlow,
    /// Pull out (or plug back in) the reader's cable.
    ToggleReaderCable,
    /// Someone steps in front of the presence sensor (or leaves).
    TogglePresence,
    /// The platform refuses (or accepts again) this kiosk's token.
    ToggleToken,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Session(Input),
    Filter(FilterChange),
    Card(CardEvent),
    Printed(PrintOutcome),
    CallStaff,
    /// Read this text aloud (the UI says which: the page's main content),
    /// or stop if something is being read.
    ReadAloud(String),
    Speech(SpeechEvent),
    /// The presence sensor or the help button (GPIO).
    Gpio(crate::devices::gpio::GpioEvent),
    Sim(SimCommand),
    /// From the staff pages.
    Staff(crate::app::staff::StaffCommand),
    /// Re-read the job list (new data arrived).
    Refresh,
    /// The background sync finished a round.
    Sync(SyncStatus),
    /// A background task failed, or runs again.
    Task(TaskReport),
    Tick,
    Quit,
}
