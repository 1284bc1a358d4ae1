//! What can go wrong inside the core, and what the person at the kiosk sees
//! of it. A failed read or write is never turned into an empty result that
//! looks like "no work today": it is logged, the status lamp goes out, the
//! screen says "service trouble, please call staff", and staff see the
//! reason.

use crate::privacy::KeyError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no posting {0:?} in the cache")]
    NoSuchPosting(String),
}

/// Why the core could not be built (the kiosk does not start; the message
/// says what to do).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    DeviceKey(#[from] KeyError),
}

/// A trouble shown to staff: which part of the service and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    /// What the core was doing (`search`, `apply`, `count a visit` …).
    pub doing: &'static str,
    pub error: String,
    /// Trying again may help without anyone acting.
    pub transient: bool,
}

impl CoreError {
    pub fn is_transient(&self) -> bool {
        match self {
            CoreError::Store(e) => e.is_transient(),
            CoreError::NoSuchPosting(_) => false,
        }
    }
}
