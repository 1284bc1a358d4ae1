//! The staff PIN: what a PIN may be, and its Argon2id hash (the only form
//! in which it is stored: `staff.pin_hash` in the staff layer of the
//! configuration). Hashing uses the `argon2` crate's defaults (Argon2id,
//! 19 MiB, 2 passes: OWASP's minimum), which take a fraction of a second
//! on a Pi (docs/performance.md) — slow enough to make guessing a copied
//! hash costly, fast enough for a PIN pad.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The configuration key holding the hash.
pub const PIN_KEY: &str = "staff.pin_hash";
pub const MIN_LEN: usize = 4;
pub const MAX_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is {MIN_LEN} to {MAX_LEN} digits (0–9)")]
    Shape,
    #[error("too easy to guess (one digit repeated, or a run like 1234 or 4321): choose another")]
    Trivial,
    #[error("the stored PIN hash is not an Argon2id hash; set the PIN again with `kiosk staff set-pin`")]
    BadHash,
    #[error("hashing failed: {0}")]
    Hash(String),
}

/// Checks that `pin` may be used as a PIN.
pub fn check(pin: &str) -> Result<(), PinError> {
    let d: Vec<u8> = pin.bytes().collect();
    if !(MIN_LEN..=MAX_LEN).contains(&d.len()) || !d.iter().all(u8::is_ascii_digit) {
        return Err(PinError::Shape);
    }
    let steps: Vec<i16> = d.windows(2).map(|w| i16::from(w[1]) - i16::from(w[0])).collect();
    if steps.iter().all(|s| *s == 0) || steps.iter().all(|s| *s == 1) || steps.iter().all(|s| *s == -1) {
        return Err(PinError::Trivial);
    }
    Ok(())
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of a PIN,
/// with a fresh random salt.
pub fn hash(pin: &str) -> Result<String, PinError> {
    check(pin)?;
    Argon2::default()
        .hash_password(pin.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// Whether the stored hash is usable (an Argon2id PHC string).
pub fn check_hash(stored: &str) -> Result<(), PinError> {
    let h = PasswordHash::new(stored).map_err(|_| PinError::BadHash)?;
    if h.algorithm.as_str() != "argon2id" {
        return Err(PinError::BadHash);
    }
    Ok(())
}

/// Whether `pin` matches the stored hash.
pub fn verify(pin: &str, stored: &str) -> Result<bool, PinError> {
    check_hash(stored)?;
    let h = PasswordHash::new(stored).map_err(|_| PinError::BadHash)?;
    Ok(Argon2::default().verify_password(pin.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_four_to_eight_digits_and_not_trivial() {
        assert_eq!(check("2580"), Ok(()));
        assert_eq!(check("73915024"), Ok(()));
        for bad in ["", "123", "123456789", "12a4", "１２３４"] {
            assert_eq!(check(bad), Err(PinError::Shape), "{bad}");
        }
        for easy in ["0000", "1234", "98765", "77777777"] {
            assert_eq!(check(easy), Err(PinError::Trivial), "{easy}");
        }
    }

    #[test]
    fn hash_is_argon2id_salted_and_verifies_only_the_pin() {
        let h = hash("2580").unwrap();
        assert!(h.starts_with("$argon2id$v=19$"), "{h}");
        assert!(!h.contains("2580"));
        assert_ne!(h, hash("2580").unwrap(), "a fresh salt each time");
        assert_eq!(verify("2580", &h), Ok(true));
        assert_eq!(verify("2581", &h), Ok(false));
        assert_eq!(verify("2580", "2580"), Err(PinError::BadHash), "a PIN stored in clear is refused");
        let argon2i = h.replacen("argon2id", "argon2i", 1);
        assert_eq!(check_hash(&argon2i), Err(PinError::BadHash));
    }
}
