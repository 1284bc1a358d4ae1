//! What the staff pages show, as plain values (the UI adapters copy them
//! into `StaffAdapter`). Texts are in the screen's language; nothing
//! personal: a test card read shows the masked name and number only.

/// One line of the status page: what, its state, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusItem {
    pub name: String,
    pub value: String,
    /// `ok`, `warn` (works, with a problem), `fault` (does not work), `info`.
    pub level: &'static str,
    /// What to do about it, in plain words ("" when nothing).
    pub advice: String,
}

/// One setting on the setup page.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingRow {
    pub key: String,
    pub label: String,
    /// The current value, for people.
    pub value: String,
    /// Buttons: (TOML value, label, selected). Empty for number-pad keys.
    pub choices: Vec<(String, String, bool)>,
    /// Edited with the number pad.
    pub number: bool,
    /// Applies at the next start only (said on screen).
    pub restart: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NumberRow {
    pub label: String,
    pub today: u64,
    pub week: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DayBar {
    /// `12-02` or `今天`.
    pub label: String,
    pub visits: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub time: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaffView {
    /// `""` (closed), `pin`, `status`, `setup`, `numbers`, `log`.
    pub page: String,
    /// The station name is being held (the gesture in progress).
    pub holding: bool,
    pub pad_digits: usize,
    /// `enter`, `wrong`, `locked`, `no-pin`, `bad-hash`.
    pub pad_state: String,
    pub pad_message: String,
    pub status: Vec<StatusItem>,
    /// The status page in one line ("一切正常", "有 2 个问题需要处理").
    pub summary: String,
    /// `ok`, `warn` or `fault`.
    pub summary_level: &'static str,
    pub setup: Vec<SettingRow>,
    pub numbers: Vec<NumberRow>,
    pub days: Vec<DayBar>,
    pub log: Vec<LogLine>,
    /// The result of the last action (changed, refused, printed …).
    pub notice: String,
    pub notice_bad: bool,
    /// "Undo" and what it would undo.
    pub undo: String,
    /// The last test card read, masked; or the prompt to place one.
    pub test_read: String,
    /// A staff print (test page, summary) is on its way.
    pub printing: bool,
}
