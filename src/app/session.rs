//! The walk-in session as a plain value: which page is showing, who is
//! identified, what they asked for, and when the idle timer runs out.
//!
//! Terms:
//! - *stage*: idle → browsing → identified → applied/printed → idle, the
//!   coarse state the issue and `kiosk-ux.md` talk about.
//! - *page*: what the screen shows; several pages belong to one stage.
//! - *wipe*: the end of a session (idle timeout, card lifted, "finish"):
//!   every personal field is dropped (the card's strings are zeroised on
//!   drop) and the screen returns to the attract page.
//!
//! [`Session::handle`] takes an [`Input`] and the time (milliseconds on a
//! monotonic clock) and returns the [`Effect`]s the core must carry out; it
//! does no I/O and knows nothing about Slint, SQL or serial ports.

use chrono::NaiveDate;

use crate::domain::card::IdCard;

/// What the screen shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    Attract,
    Jobs,
    Filters,
    Detail,
    Identify,
    Apply,
    Applied,
    Print,
    Rights,
    Help,
}

impl Page {
    pub const ALL: [Page; 10] = [
        Page::Attract,
        Page::Jobs,
        Page::Filters,
        Page::Detail,
        Page::Identify,
        Page::Apply,
        Page::Applied,
        Page::Print,
        Page::Rights,
        Page::Help,
    ];

    /// The page's name on the command line (`kiosk screenshot --page`) and
    /// in the Slint UI.
    pub fn name(self) -> &'static str {
        match self {
            Page::Attract => "attract",
            Page::Jobs => "jobs",
            Page::Filters => "filters",
            Page::Detail => "detail",
            Page::Identify => "identify",
            Page::Apply => "apply",
            Page::Applied => "applied",
            Page::Print => "print",
            Page::Rights => "rights",
            Page::Help => "help",
        }
    }

    pub fn from_name(s: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// The coarse session state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Idle,
    Browsing,
    Identified,
    Applied,
    Printed,
}

/// Screen language. Chinese is the default and what every session starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    pub fn from_code(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "zh_CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Why a card cannot be used to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardProblem {
    Expired,
    BadCheckDigit,
    /// A card whose layout is not public (the 2023 permanent residence
    /// card): nothing on it is trusted.
    UnknownType,
}

/// The person at the kiosk, while identified.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub card: IdCard,
    pub problem: Option<CardProblem>,
}

/// The result of an application, as the worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyOutcome {
    /// Written to the outbox; `sent` once the platform acknowledged it.
    Recorded { application_no: String, sent: bool },
    /// This person already applied for this job (from this kiosk).
    AlreadyApplied { application_no: String },
    /// The job filled up or expired since the list was shown.
    Closed,
    /// The kiosk could not record it (disk full, database damaged).
    Failed,
}

impl ApplyOutcome {
    pub fn application_no(&self) -> Option<&str> {
        match self {
            ApplyOutcome::Recorded { application_no, .. }
            | ApplyOutcome::AlreadyApplied { application_no } => Some(application_no),
            _ => None,
        }
    }
}

/// Why printing did not work, in terms the worker can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintProblem {
    PaperOut,
    CoverOpen,
    /// Off, unplugged, or not answering (a job that never came back).
    Offline,
    /// This kiosk has no printer configured.
    NoPrinter,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintState {
    Idle,
    Printing,
    Done,
    Failed(PrintProblem),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WipeReason {
    Timeout,
    CardRemoved,
    Finished,
    /// A different card was placed while someone was identified.
    NewCard,
}

/// Things that happen to a session.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Any touch or key: keeps the session alive and cancels the warning.
    Touch,
    /// Go to a page reachable from anywhere (top bar, buttons).
    Go(Page),
    Back,
    OpenJob(String),
    /// "Apply" on a job's page.
    ApplyTapped,
    CardPlaced(Box<IdCard>),
    CardRemoved,
    /// "Continue without a card" on the identify page.
    Guest,
    ConfirmApply,
    ApplyFinished(ApplyOutcome),
    PrintTapped,
    PrintFinished(Result<(), PrintProblem>),
    SetLang(Lang),
    ToggleElder,
    /// "Finish" in the top bar.
    Finish,
    /// The clock moved; checks the idle timer.
    Tick,
}

/// What the core must do after an input.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Record an application for the identified person.
    Submit {
        posting_id: String,
    },
    /// Print a slip for a job (with the application, when there is one).
    Print {
        posting_id: String,
        application_no: Option<String>,
    },
    /// The session ended: clear every personal field and reset filters.
    Wiped(WipeReason),
    /// A session began (someone touched the attract screen or placed a card).
    Visit,
    CardRead,
    ViewedJob(String),
}

/// Idle timeout settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub idle_ms: u64,
    pub warning_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { idle_ms: 60_000, warning_ms: 10_000 }
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    timeouts: Timeouts,
    page: Page,
    history: Vec<Page>,
    person: Option<Person>,
    guest: bool,
    job: Option<String>,
    /// The identify page was opened to apply for `job`.
    identify_to_apply: bool,
    submitting: bool,
    applied: Option<(String, ApplyOutcome)>,
    print: PrintState,
    printed: bool,
    last_touch_ms: u64,
    lang: Lang,
    elder: bool,
    /// Elder mode at the start of every visit (`[screen] elder_default`).
    elder_default: bool,
    /// Today in China, for card expiry; kept by the core.
    today: NaiveDate,
}

impl Session {
    pub fn new(timeouts: Timeouts) -> Session {
        Session {
            timeouts,
            page: Page::Attract,
            history: Vec::new(),
            person: None,
            guest: false,
            job: None,
            identify_to_apply: false,
            submitting: false,
            applied: None,
            print: PrintState::Idle,
            printed: false,
            last_touch_ms: 0,
            lang: Lang::Zh,
            elder: false,
            elder_default: false,
            today: NaiveDate::MIN,
        }
    }

    /// New settings from staff: the idle timer, and elder mode by default
    /// (which the attract page takes at once when nobody is using it).
    pub fn configure(&mut self, timeouts: Timeouts, elder_default: bool) {
        self.timeouts = timeouts;
        if self.page == Page::Attract && self.elder == self.elder_default {
            self.elder = elder_default;
        }
        self.elder_default = elder_default;
    }

    /// Tells the session the date (for card expiry).
    pub fn set_today(&mut self, today: NaiveDate) {
        self.today = today;
    }

    pub fn page(&self) -> Page {
        self.page
    }
    pub fn person(&self) -> Option<&Person> {
        self.person.as_ref()
    }
    pub fn is_guest(&self) -> bool {
        self.guest
    }
    pub fn job(&self) -> Option<&str> {
        self.job.as_deref()
    }
    pub fn lang(&self) -> Lang {
        self.lang
    }
    pub fn elder(&self) -> bool {
        self.elder
    }
    pub fn print_state(&self) -> PrintState {
        self.print
    }
    pub fn submitting(&self) -> bool {
        self.submitting
    }
    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }
    /// Whether a job can be opened by "back" from the current page.
    pub fn can_go_back(&self) -> bool {
        !self.history.is_empty()
    }

    /// The outcome of applying for the current job, if the person did.
    pub fn applied(&self) -> Option<&ApplyOutcome> {
        match (&self.applied, &self.job) {
            (Some((id, o)), Some(job)) if id == job => Some(o),
            _ => None,
        }
    }

    pub fn stage(&self) -> Stage {
        if self.page == Page::Attract {
            Stage::Idle
        } else if self.printed {
            Stage::Printed
        } else if self.applied.is_some() {
            Stage::Applied
        } else if self.person.as_ref().is_some_and(|p| p.problem.is_none()) {
            Stage::Identified
        } else {
            Stage::Browsing
        }
    }

    /// Whether the person can apply (identified with a usable card).
    pub fn can_apply(&self) -> bool {
        self.person.as_ref().is_some_and(|p| p.problem.is_none())
    }

    /// Busy with a device or the store: the person is waiting, so the idle
    /// timer does not run.
    fn busy(&self) -> bool {
        self.submitting || self.print == PrintState::Printing
    }

    /// Seconds until the session ends, while the warning shows.
    pub fn warning_left_s(&self, now_ms: u64) -> Option<u64> {
        if self.page == Page::Attract || self.busy() {
            return None;
        }
        let idle = now_ms.saturating_sub(self.last_touch_ms);
        let warn_at = self.timeouts.idle_ms.saturating_sub(self.timeouts.warning_ms);
        (idle >= warn_at && idle < self.timeouts.idle_ms)
            .then(|| (self.timeouts.idle_ms - idle).div_ceil(1000))
    }

    pub fn handle(&mut self, input: Input, now_ms: u64) -> Vec<Effect> {
        let mut fx = Vec::new();
        match input {
            Input::Tick => {
                if self.busy() {
                    self.last_touch_ms = now_ms;
                } else if self.page == Page::Attract {
                    // Someone chose a language or elder mode on the attract
                    // screen and walked away: back to the defaults.
                    if (self.lang != Lang::Zh || self.elder != self.elder_default)
                        && now_ms.saturating_sub(self.last_touch_ms) >= self.timeouts.idle_ms
                    {
                        self.lang = Lang::Zh;
                        self.elder = self.elder_default;
                    }
                } else if self.page != Page::Attract
                    && now_ms.saturating_sub(self.last_touch_ms) >= self.timeouts.idle_ms
                {
                    self.wipe(WipeReason::Timeout, &mut fx);
                }
                return fx;
            }
            Input::CardRemoved => {
                if self.person.is_some() {
                    self.wipe(WipeReason::CardRemoved, &mut fx);
                }
                return fx;
            }
            // Chosen on the attract screen, these set up the visit to come
            // without starting it (the signage keeps running, in that
            // language or size).
            Input::SetLang(_) | Input::ToggleElder if self.page == Page::Attract => {
                self.last_touch_ms = now_ms;
                match input {
                    Input::SetLang(l) => self.lang = l,
                    _ => self.elder = !self.elder,
                }
                return fx;
            }
            _ => {}
        }
        // Everything else but a device's answer is the person acting.
        if !matches!(input, Input::ApplyFinished(_) | Input::PrintFinished(_)) {
            self.touch(now_ms, &mut fx);
        }
        match input {
            Input::Touch | Input::Tick | Input::CardRemoved => {}
            Input::Go(Page::Attract) => self.wipe(WipeReason::Finished, &mut fx),
            Input::Go(page) => self.go(page),
            Input::Back => {
                let to = self.history.pop().unwrap_or(Page::Jobs);
                self.page = to;
                if to == Page::Jobs || to == Page::Filters {
                    self.job = None;
                }
            }
            Input::OpenJob(id) => {
                fx.push(Effect::ViewedJob(id.clone()));
                self.job = Some(id);
                self.print = PrintState::Idle;
                self.go(Page::Detail);
            }
            Input::ApplyTapped => {
                if self.job.is_none() {
                    return fx;
                }
                if self.can_apply() {
                    self.go(Page::Apply);
                } else {
                    self.identify_to_apply = true;
                    self.go(Page::Identify);
                }
            }
            Input::CardPlaced(card) => self.identify(*card, now_ms, &mut fx),
            Input::Guest => {
                self.guest = true;
                self.identify_to_apply = false;
                // Back to what they were looking at.
                let to = if self.job.is_some() { Page::Detail } else { Page::Jobs };
                self.replace_page(to);
            }
            Input::ConfirmApply => {
                if let (Some(job), true, false) = (self.job.clone(), self.can_apply(), self.submitting) {
                    self.submitting = true;
                    fx.push(Effect::Submit { posting_id: job });
                }
            }
            Input::ApplyFinished(outcome) => {
                self.submitting = false;
                if self.person.is_none() {
                    // The card was lifted while the store was writing: the
                    // application stands, but nobody is here to see it.
                    return fx;
                }
                if let Some(job) = self.job.clone() {
                    self.applied = Some((job, outcome));
                    self.replace_page(Page::Applied);
                }
            }
            Input::PrintTapped => {
                if let (Some(job), false) = (self.job.clone(), self.print == PrintState::Printing) {
                    let application_no = self.applied().and_then(|o| o.application_no()).map(str::to_string);
                    self.print = PrintState::Printing;
                    self.go(Page::Print);
                    fx.push(Effect::Print { posting_id: job, application_no });
                }
            }
            Input::PrintFinished(r) => {
                self.print = match r {
                    Ok(()) => {
                        self.printed = true;
                        PrintState::Done
                    }
                    Err(p) => PrintState::Failed(p),
                };
            }
            Input::SetLang(l) => self.lang = l,
            Input::ToggleElder => self.elder = !self.elder,
            Input::Finish => self.wipe(WipeReason::Finished, &mut fx),
        }
        fx
    }

    fn touch(&mut self, now_ms: u64, fx: &mut Vec<Effect>) {
        self.last_touch_ms = now_ms;
        if self.page == Page::Attract {
            fx.push(Effect::Visit);
            self.page = Page::Jobs;
            self.history.clear();
        }
    }

    fn go(&mut self, page: Page) {
        if page != self.page {
            // Pages that only show a result are not returned to by "back".
            if !matches!(self.page, Page::Print | Page::Identify | Page::Apply) {
                self.history.push(self.page);
            }
            if self.history.len() > 16 {
                self.history.remove(0);
            }
            self.page = page;
        }
    }

    fn replace_page(&mut self, page: Page) {
        self.page = page;
    }

    fn identify(&mut self, card: IdCard, now_ms: u64, fx: &mut Vec<Effect>) {
        if self.person.is_some() {
            // One identified person at a time: a new card starts afresh.
            self.wipe(WipeReason::NewCard, fx);
            self.touch(now_ms, fx);
        }
        fx.push(Effect::CardRead);
        let today = self.today;
        let problem = if card.card_type == crate::domain::card::CardType::Unknown {
            Some(CardProblem::UnknownType)
        } else if card.checksum_ok() == Some(false) {
            Some(CardProblem::BadCheckDigit)
        } else if card.is_expired(today) {
            Some(CardProblem::Expired)
        } else {
            None
        };
        self.person = Some(Person { card, problem });
        self.guest = false;
        if problem.is_some() {
            self.go(Page::Identify);
        } else if self.identify_to_apply && self.job.is_some() {
            self.identify_to_apply = false;
            self.replace_page(Page::Apply);
        } else if self.page == Page::Identify {
            let to = if self.job.is_some() { Page::Detail } else { Page::Jobs };
            self.replace_page(to);
        }
    }

    fn wipe(&mut self, why: WipeReason, fx: &mut Vec<Effect>) {
        let (timeouts, today, elder) = (self.timeouts, self.today, self.elder_default);
        // Dropping the old session drops the card, whose personal strings
        // are zeroised.
        *self = Session::new(timeouts);
        self.today = today;
        self.elder_default = elder;
        self.elder = elder;
        fx.push(Effect::Wiped(why));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::card_reader::samples::Sample;

    fn session() -> Session {
        let mut s = Session::new(Timeouts::default());
        s.set_today(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        s
    }

    fn card(s: Sample) -> Input {
        Input::CardPlaced(Box::new(s.card()))
    }

    #[test]
    fn a_whole_visit_goes_idle_browsing_identified_applied_printed_idle() {
        let mut s = session();
        assert_eq!(s.stage(), Stage::Idle);
        assert_eq!(s.handle(Input::Touch, 1_000), vec![Effect::Visit]);
        assert_eq!((s.stage(), s.page()), (Stage::Browsing, Page::Jobs));
        assert_eq!(s.handle(Input::OpenJob("J1".into()), 2_000), vec![Effect::ViewedJob("J1".into())]);
        assert_eq!(s.page(), Page::Detail);
        // Not identified yet: "apply" asks for the card first.
        s.handle(Input::ApplyTapped, 3_000);
        assert_eq!(s.page(), Page::Identify);
        assert_eq!(s.handle(card(Sample::Resident), 4_000), vec![Effect::CardRead]);
        assert_eq!((s.stage(), s.page()), (Stage::Identified, Page::Apply));
        assert_eq!(s.handle(Input::ConfirmApply, 5_000), vec![Effect::Submit { posting_id: "J1".into() }]);
        // A second tap while the first is being written does nothing.
        assert_eq!(s.handle(Input::ConfirmApply, 5_100), vec![]);
        let outcome = ApplyOutcome::Recorded { application_no: "261123-0001".into(), sent: false };
        s.handle(Input::ApplyFinished(outcome.clone()), 5_200);
        assert_eq!((s.stage(), s.page()), (Stage::Applied, Page::Applied));
        assert_eq!(s.applied(), Some(&outcome));
        let fx = s.handle(Input::PrintTapped, 6_000);
        assert_eq!(
            fx,
            vec![Effect::Print { posting_id: "J1".into(), application_no: Some("261123-0001".into()) }]
        );
        assert_eq!((s.page(), s.print_state()), (Page::Print, PrintState::Printing));
        s.handle(Input::PrintFinished(Ok(())), 7_000);
        assert_eq!((s.stage(), s.print_state()), (Stage::Printed, PrintState::Done));
        assert_eq!(s.handle(Input::CardRemoved, 8_000), vec![Effect::Wiped(WipeReason::CardRemoved)]);
        assert_eq!((s.stage(), s.page()), (Stage::Idle, Page::Attract));
        assert!(s.person().is_none() && s.job().is_none() && s.applied().is_none());
    }

    #[test]
    fn idle_timeout_warns_then_wipes_and_a_touch_cancels() {
        let mut s = session();
        s.handle(Input::Touch, 0);
        s.handle(card(Sample::Resident), 1_000);
        s.handle(Input::SetLang(Lang::En), 1_000);
        s.handle(Input::ToggleElder, 1_000);
        assert_eq!(s.warning_left_s(50_000), None);
        assert_eq!(s.warning_left_s(51_000), Some(10));
        assert_eq!(s.warning_left_s(60_500), Some(1));
        s.handle(Input::Tick, 55_000);
        assert!(s.person().is_some(), "still inside the warning");
        // Any touch cancels the warning and restarts the minute.
        s.handle(Input::Touch, 58_000);
        assert_eq!(s.warning_left_s(60_000), None);
        assert_eq!(s.handle(Input::Tick, 117_999), vec![]);
        assert_eq!(s.handle(Input::Tick, 118_000), vec![Effect::Wiped(WipeReason::Timeout)]);
        assert!(s.person().is_none());
        assert_eq!((s.page(), s.lang(), s.elder()), (Page::Attract, Lang::Zh, false));
        // Ticks on the attract page never "end" anything.
        assert_eq!(s.handle(Input::Tick, 500_000), vec![]);
    }

    #[test]
    fn language_and_size_chosen_on_the_attract_screen_wait_for_the_visit() {
        let mut s = session();
        s.handle(Input::SetLang(Lang::En), 1_000);
        s.handle(Input::ToggleElder, 2_000);
        assert_eq!((s.page(), s.lang(), s.elder()), (Page::Attract, Lang::En, true));
        assert_eq!(s.handle(Input::Touch, 3_000), vec![Effect::Visit]);
        assert_eq!((s.page(), s.lang(), s.elder()), (Page::Jobs, Lang::En, true));
        // Chosen and abandoned: back to Chinese, normal size.
        s.handle(Input::Go(Page::Attract), 4_000);
        s.handle(Input::SetLang(Lang::En), 5_000);
        s.handle(Input::Tick, 64_999);
        assert_eq!(s.lang(), Lang::En);
        s.handle(Input::Tick, 65_000);
        assert_eq!((s.lang(), s.elder()), (Lang::Zh, false));
    }

    #[test]
    fn the_timer_waits_while_the_printer_works() {
        let mut s = session();
        s.handle(Input::Touch, 0);
        s.handle(Input::OpenJob("J1".into()), 0);
        s.handle(Input::PrintTapped, 1_000);
        for t in (2_000..=120_000).step_by(1_000) {
            assert_eq!(s.handle(Input::Tick, t), vec![]);
        }
        assert_eq!(s.warning_left_s(120_000), None);
        s.handle(Input::PrintFinished(Err(PrintProblem::PaperOut)), 120_000);
        assert_eq!(s.print_state(), PrintState::Failed(PrintProblem::PaperOut));
        assert_eq!(s.handle(Input::Tick, 180_000), vec![Effect::Wiped(WipeReason::Timeout)]);
    }

    #[test]
    fn problem_cards_explain_and_offer_guest_mode() {
        use crate::devices::card_reader::text::{Layout, encode_text, parse_text};
        let mut new_card = Sample::Resident.fields();
        new_card.layout = Some(Layout::Other(u16::from(b'Y')));
        let new_card = parse_text(&encode_text(&new_card)).unwrap();
        for (placed, problem) in [
            (Sample::Expired.card(), CardProblem::Expired),
            (Sample::BadCheckDigit.card(), CardProblem::BadCheckDigit),
            (new_card, CardProblem::UnknownType),
        ] {
            let mut s = session();
            s.handle(Input::Touch, 0);
            s.handle(Input::OpenJob("J1".into()), 0);
            s.handle(Input::CardPlaced(Box::new(placed)), 0);
            assert_eq!(s.page(), Page::Identify);
            assert_eq!(s.person().unwrap().problem, Some(problem));
            assert!(!s.can_apply());
            s.handle(Input::ApplyTapped, 0);
            assert_eq!(s.page(), Page::Identify, "no way to apply with a bad card");
            assert_eq!(s.handle(Input::ConfirmApply, 0), vec![], "not even by a stray confirm");
            s.handle(Input::Guest, 0);
            assert!(s.is_guest());
            assert_eq!(s.page(), Page::Detail);
            // A guest can still print.
            assert!(matches!(
                s.handle(Input::PrintTapped, 0)[..],
                [Effect::Print { application_no: None, .. }]
            ));
        }
    }

    #[test]
    fn other_cards_are_accepted_and_one_person_at_a_time() {
        let mut s = session();
        s.handle(card(Sample::ForeignPermanent), 0);
        assert_eq!(s.stage(), Stage::Identified, "placing a card on the attract screen starts a visit");
        s.handle(card(Sample::HongKongPermit), 10);
        assert_eq!(s.person().unwrap().card, Sample::HongKongPermit.card());
        s.handle(Input::OpenJob("J2".into()), 20);
        s.handle(Input::ApplyTapped, 30);
        assert_eq!(s.page(), Page::Apply, "already identified: straight to confirmation");
        let fx = s.handle(card(Sample::Resident), 40);
        assert_eq!(fx[0], Effect::Wiped(WipeReason::NewCard));
        assert_eq!(s.job(), None, "the new person does not inherit the last one's job");
    }

    #[test]
    fn an_application_finishing_after_the_card_left_shows_nothing() {
        let mut s = session();
        s.handle(card(Sample::Resident), 0);
        s.handle(Input::OpenJob("J1".into()), 0);
        s.handle(Input::ApplyTapped, 0);
        s.handle(Input::ConfirmApply, 0);
        s.handle(Input::CardRemoved, 10);
        s.handle(Input::ApplyFinished(ApplyOutcome::Closed), 20);
        assert_eq!(s.page(), Page::Attract);
        assert!(s.applied().is_none());
    }

    #[test]
    fn back_returns_through_the_pages_seen() {
        let mut s = session();
        s.handle(Input::Touch, 0);
        s.handle(Input::Go(Page::Filters), 0);
        s.handle(Input::Go(Page::Jobs), 0);
        s.handle(Input::OpenJob("J1".into()), 0);
        s.handle(Input::Go(Page::Help), 0);
        s.handle(Input::Back, 0);
        assert_eq!(s.page(), Page::Detail);
        s.handle(Input::Back, 0);
        assert_eq!(s.page(), Page::Jobs);
        assert_eq!(s.job(), None);
        assert_eq!(s.handle(Input::Go(Page::Attract), 0), vec![Effect::Wiped(WipeReason::Finished)]);
        for p in Page::ALL {
            assert_eq!(Page::from_name(p.name()), Some(p));
        }
    }
}
