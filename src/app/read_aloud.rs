//! Read-aloud through the speech device: the UI names the page's main
//! text, the core picks the voice and speed (elder mode reads more slowly)
//! and keeps the indicator true to what plays. Reading stops when the page
//! changes or the session ends.

use super::core::Core;
use super::session::Lang;
use crate::devices::speech::{RATE_ELDER, RATE_NORMAL, Utterance, Voice};

impl Core {
    /// Starts reading `text`, or stops if something is being read.
    pub(super) fn read_aloud(&mut self, text: String) {
        if self.reading.is_some() {
            self.stop_reading();
            return;
        }
        if text.trim().is_empty() {
            return;
        }
        let voice = match self.session.lang() {
            Lang::Zh => Voice::Mandarin,
            Lang::En => Voice::English,
        };
        let rate_wpm = if self.session.elder() { RATE_ELDER } else { RATE_NORMAL };
        match self.devices.speech.say(Utterance { text, voice, rate_wpm }) {
            Ok(n) => {
                self.reading = Some(n);
                self.speech_unavailable = false;
            }
            Err(e) => {
                tracing::warn!("{e}");
                self.speech_unavailable = true;
            }
        }
    }

    pub(super) fn stop_reading(&mut self) {
        if self.reading.take().is_some() {
            self.devices.speech.stop();
        }
    }
}
