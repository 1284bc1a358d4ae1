//! The simulated speech engine (tests, screenshots): records each utterance
//! and plays it until [`SimSpeech::finish`] or a stop; in `auto` mode it
//! finishes after a time proportional to the text, as a voice would.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{Speech, SpeechError, SpeechEvent, Utterance, next_utterance};
use crate::devices::EventSink;

#[derive(Default)]
struct State {
    said: Vec<Utterance>,
    playing: Option<u64>,
}

/// The engine and its controls; clones share them.
#[derive(Clone)]
pub struct SimSpeech {
    sink: EventSink<SpeechEvent>,
    state: Arc<Mutex<State>>,
    /// Finish by itself after this long per character (`None`: only when told).
    per_char: Option<Duration>,
}

impl SimSpeech {
    pub fn new(sink: EventSink<SpeechEvent>, per_char: Option<Duration>) -> SimSpeech {
        SimSpeech { sink, state: Arc::default(), per_char }
    }

    /// Everything it was asked to say, in order.
    pub fn said(&self) -> Vec<Utterance> {
        self.state.lock().map(|s| s.said.clone()).unwrap_or_default()
    }

    /// Whether an utterance is playing.
    pub fn playing(&self) -> bool {
        self.state.lock().is_ok_and(|s| s.playing.is_some())
    }

    /// Ends the utterance playing as if it had been read to the end.
    pub fn finish(&self) {
        self.end(None);
    }

    /// Ends `only` (or whatever plays) and reports it.
    fn end(&self, only: Option<u64>) {
        let ended = self.state.lock().ok().and_then(|mut s| match (s.playing, only) {
            (Some(p), Some(o)) if p != o => None,
            (p, _) => {
                s.playing = None;
                p
            }
        });
        if let Some(n) = ended {
            (self.sink)(SpeechEvent::Finished(n));
        }
    }
}

impl Speech for SimSpeech {
    fn say(&mut self, u: Utterance) -> Result<u64, SpeechError> {
        self.stop();
        let n = next_utterance();
        let chars = u.text.chars().count() as u32;
        if let Ok(mut s) = self.state.lock() {
            s.said.push(u);
            s.playing = Some(n);
        }
        if let Some(per) = self.per_char {
            let me = self.clone();
            std::thread::spawn(move || {
                std::thread::sleep(per * chars);
                me.end(Some(n));
            });
        }
        Ok(n)
    }

    fn stop(&mut self) {
        self.end(None);
    }

    fn describe(&self) -> String {
        "simulated".into()
    }
}
