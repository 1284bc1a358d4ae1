//! Read-aloud: a device like the others, behind the core. The real one
//! runs `espeak-ng` ([`espeak`]); the simulated one records what it was
//! asked to say and "plays" it for a while ([`sim`]).
//!
//! Terms: an *utterance* is one [`Speech::say`]; its number comes back in
//! [`SpeechEvent::Finished`] when it ends by itself or is stopped, so the
//! core's "reading aloud" indicator is true exactly while one plays.

pub mod espeak;
pub mod sim;

/// Which voice (the session's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// Mandarin (espeak-ng `cmn`).
    Mandarin,
    English,
}

/// One thing to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    pub text: String,
    pub voice: Voice,
    /// Words per minute; elder mode reads more slowly.
    pub rate_wpm: u32,
}

/// Normal and elder-mode reading speeds (espeak-ng's default is 175).
pub const RATE_NORMAL: u32 = 150;
pub const RATE_ELDER: u32 = 115;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpeechEvent {
    /// Utterance `n` stopped playing (finished, stopped, or failed).
    Finished(u64),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpeechError {
    #[error("read-aloud is not available on this kiosk: {0}")]
    Unavailable(String),
}

pub trait Speech: Send {
    /// Starts saying `u`, stopping anything still playing; its number.
    fn say(&mut self, u: Utterance) -> Result<u64, SpeechError>;
    /// Stops whatever plays (its `Finished` still arrives).
    fn stop(&mut self);
    /// For logs and the staff page.
    fn describe(&self) -> String;
}

/// A kiosk without a speech engine: says so when asked.
pub struct NoSpeech(pub String);

impl Speech for NoSpeech {
    fn say(&mut self, _: Utterance) -> Result<u64, SpeechError> {
        Err(SpeechError::Unavailable(self.0.clone()))
    }
    fn stop(&mut self) {}
    fn describe(&self) -> String {
        format!("none ({})", self.0)
    }
}

/// Utterance numbers, unique in the process.
fn next_utterance() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}
