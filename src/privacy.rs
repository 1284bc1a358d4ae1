//! The device key and the person hash: how the kiosk recognises a person
//! again (a second application for the same job, the sender's scrubbed
//! copy of a submission) without keeping their ID number.
//!
//! Terms:
//! - *device key*: 32 random bytes in `<data dir>/device.key` (mode 0600),
//!   made once from the operating system's random source and never
//!   replaced by the kiosk: every person hash in the database depends on it.
//! - *person hash*: HMAC-SHA-256 of card type and ID number under the device
//!   key, hex. Keyed, so the tables alone cannot be searched for a known ID
//!   number.

use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// File name of the key inside the data directory.
pub const KEY_FILE: &str = "device.key";
/// Length of a device key in bytes (256 bits).
pub const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(
        "cannot read the device key {path}: {source}. The kiosk will not replace it, because the duplicate \
         check of every earlier application depends on it. Make it readable by the kiosk's user (mode 0600), \
         or restore it from a backup."
    )]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error(
        "the device key {path} is damaged: {len} bytes instead of {KEY_LEN}. Restore it from a backup. \
         If it is lost for good, move the file aside: the kiosk then makes a new key, and applications made \
         before can no longer be recognised as duplicates."
    )]
    Malformed { path: PathBuf, len: usize },
    #[error("cannot create the device key {path}: {source}. Check that the data directory is writable.")]
    Create { path: PathBuf, source: std::io::Error },
}

/// The kiosk's secret key; its bytes are wiped when dropped.
#[derive(Clone)]
pub struct DeviceKey(Zeroizing<Vec<u8>>);

/// The key stays out of every `{:?}`.
impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceKey(<secret>)")
    }
}

impl DeviceKey {
    /// Reads `<data_dir>/device.key`, creating it when (and only when) it
    /// does not exist. An unreadable or malformed key is an error, never
    /// overwritten.
    pub fn load_or_create(data_dir: &Path) -> Result<DeviceKey, KeyError> {
        let path = data_dir.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => DeviceKey::from_file_bytes(&path, bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DeviceKey::create(data_dir, &path),
            Err(source) => Err(KeyError::Unreadable { path, source }),
        }
    }

    /// The key if there is one, never creating it (`kiosk doctor`).
    pub fn load(data_dir: &Path) -> Result<Option<DeviceKey>, KeyError> {
        let path = data_dir.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => DeviceKey::from_file_bytes(&path, bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(KeyError::Unreadable { path, source }),
        }
    }

    fn from_file_bytes(path: &Path, bytes: Vec<u8>) -> Result<DeviceKey, KeyError> {
        let bytes = Zeroizing::new(bytes);
        if bytes.len() != KEY_LEN {
            return Err(KeyError::Malformed { path: path.to_path_buf(), len: bytes.len() });
        }
        Ok(DeviceKey(bytes))
    }

    /// Writes a fresh key beside the final name, then links it into place:
    /// a power cut leaves either no key or a whole one, and a second process
    /// creating one at the same moment keeps the first process's key.
    fn create(data_dir: &Path, path: &Path) -> Result<DeviceKey, KeyError> {
        let err = |source| KeyError::Create { path: path.to_path_buf(), source };
        std::fs::create_dir_all(data_dir).map_err(err)?;
        let mut key = Zeroizing::new(vec![0u8; KEY_LEN]);
        fill_random(&mut key).map_err(err)?;
        let tmp = data_dir.join(format!(".{KEY_FILE}.{}.tmp", std::process::id()));
        let written = (|| {
            use std::os::unix::fs::OpenOptionsExt;
            let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
            f.write_all(&key)?;
            f.sync_all()?;
            give_to_directory_owner(&f, data_dir)?;
            match std::fs::hard_link(&tmp, path) {
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
                other => other.map(|_| true),
            }
        })();
        let _ = std::fs::remove_file(&tmp);
        match written.map_err(err)? {
            true => {
                if let Ok(d) = std::fs::File::open(data_dir) {
                    let _ = d.sync_all();
                }
                tracing::info!("made a new device key {}", path.display());
                Ok(DeviceKey(key))
            }
            // Another process made one first: use that one.
            false => DeviceKey::load_or_create(data_dir),
        }
    }

    /// The person hash of a card (see the module docs).
    pub fn person_hash(&self, card_type: &str, id_number: &str) -> String {
        person_hash(&self.0, card_type, id_number)
    }

    /// A key from given bytes (tests, benchmarks).
    #[doc(hidden)]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> DeviceKey {
        DeviceKey(Zeroizing::new(bytes.to_vec()))
    }
}

/// HMAC-SHA-256 of `card_type:id_number` under `key`, lower-case hex.
fn person_hash(key: &[u8], card_type: &str, id_number: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else { return String::new() };
    mac.update(card_type.as_bytes());
    mac.update(b":");
    mac.update(id_number.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Fills `buf` from the kernel's random source (getrandom(2)).
fn fill_random(buf: &mut [u8]) -> std::io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        // SAFETY: the pointer and length describe the unfilled rest of `buf`.
        let n = unsafe { libc::getrandom(buf[done..].as_mut_ptr().cast(), buf.len() - done, 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
        } else {
            done += n as usize;
        }
    }
    Ok(())
}

/// When root makes the key (a technician running `kiosk sync --once`), the
/// file goes to the data directory's owner, the user the kiosk runs as.
fn give_to_directory_owner(f: &std::fs::File, dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(());
    }
    let m = std::fs::metadata(dir)?;
    std::os::unix::fs::fchown(f, Some(m.uid()), Some(m.gid()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_missing_key_is_made_once_with_256_random_bits_and_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let a = DeviceKey::load_or_create(dir.path()).unwrap();
        let file = dir.path().join(KEY_FILE);
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(bytes.len(), KEY_LEN);
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(*a.0, bytes);
        // Read back, not made again.
        let b = DeviceKey::load_or_create(dir.path()).unwrap();
        assert_eq!(a.person_hash("resident", "1"), b.person_hash("resident", "1"));
        // Another directory, another key.
        let other = tempfile::tempdir().unwrap();
        let c = DeviceKey::load_or_create(other.path()).unwrap();
        assert_ne!(a.person_hash("resident", "1"), c.person_hash("resident", "1"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn a_short_or_long_key_is_an_error_and_left_as_it_is() {
        for len in [0, 16, 31, 33, 64] {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join(KEY_FILE);
            std::fs::write(&file, vec![7u8; len]).unwrap();
            let e = DeviceKey::load_or_create(dir.path()).unwrap_err();
            assert!(matches!(e, KeyError::Malformed { len: l, .. } if l == len), "{e}");
            assert!(e.to_string().contains("Restore it from a backup"), "{e}");
            assert_eq!(std::fs::read(&file).unwrap(), vec![7u8; len], "never overwritten");
        }
    }

    #[test]
    fn an_unreadable_key_is_an_error_and_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the key should be: reading it fails for any user.
        std::fs::create_dir(dir.path().join(KEY_FILE)).unwrap();
        let e = DeviceKey::load_or_create(dir.path()).unwrap_err();
        assert!(matches!(e, KeyError::Unreadable { .. }), "{e}");
        assert!(e.to_string().contains("will not replace it"), "{e}");
        assert!(dir.path().join(KEY_FILE).is_dir());
    }

    #[test]
    fn the_hash_is_keyed_and_never_shows_the_number() {
        let k = DeviceKey::from_bytes([1; KEY_LEN]);
        let h = k.person_hash("resident", "350206196803121233");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("350206"));
        assert_ne!(h, DeviceKey::from_bytes([2; KEY_LEN]).person_hash("resident", "350206196803121233"));
        assert_ne!(h, k.person_hash("hmt_residence", "350206196803121233"));
        assert_eq!(format!("{k:?}"), "DeviceKey(<secret>)");
    }
}
