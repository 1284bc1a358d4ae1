//! Writers of one database file in this process take turns in the order
//! they asked.
//!
//! SQLite lets one writer in at a time and makes the others retry after
//! growing sleeps (up to 100 ms each); it keeps no queue. A writer that
//! commits many short transactions back to back — the sync applying a
//! 100 000-posting snapshot page by page — slips its next transaction into
//! the gap before a sleeping writer wakes, again and again: the kiosk's core
//! then waited seconds to record one tap, though no transaction took more
//! than 50 ms. With a ticket queue in front of SQLite's lock, the core waits
//! for at most the one transaction in progress. Other processes (a
//! technician's `kiosk import`) still meet SQLite's busy timeout.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The queue of one database file.
#[derive(Default)]
pub struct Turns {
    /// (next ticket to hand out, ticket whose turn it is)
    state: Mutex<(u64, u64)>,
    changed: Condvar,
}

/// The queue for `path` (every connection to the same file shares one;
/// an in-memory database gets its own).
pub fn for_path(path: &Path) -> Arc<Turns> {
    static QUEUES: Mutex<Option<HashMap<PathBuf, Arc<Turns>>>> = Mutex::new(None);
    if path.as_os_str() == ":memory:" {
        return Arc::default();
    }
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut all = lock(&QUEUES);
    all.get_or_insert_with(HashMap::new).entry(key).or_default().clone()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The state is two counters: still right after a panic elsewhere.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A writer's turn; the next one's starts when it is dropped.
pub struct Turn<'a>(&'a Turns);

impl Turns {
    /// Waits until every writer that asked earlier is done.
    pub fn take(&self) -> Turn<'_> {
        let mut s = lock(&self.state);
        let mine = s.0;
        s.0 += 1;
        while s.1 != mine {
            s = self.changed.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        lock(&self.0.state).1 += 1;
        self.0.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turns_are_taken_in_the_order_asked() {
        let t = Arc::new(Turns::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let first = t.take();
        let mut waiting = Vec::new();
        for i in 0..4 {
            let (tt, order) = (t.clone(), order.clone());
            waiting.push(std::thread::spawn(move || {
                let _turn = tt.take();
                order.lock().unwrap().push(i);
            }));
            // The next thread asks only once this one holds its ticket.
            while lock(&t.state).0 < i + 2 {
                std::thread::yield_now();
            }
        }
        drop(first);
        waiting.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(*order.lock().unwrap(), [0, 1, 2, 3]);
    }

    #[test]
    fn connections_to_one_file_share_a_queue() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kiosk.db"), b"").unwrap();
        let a = for_path(&dir.path().join("./kiosk.db"));
        assert!(Arc::ptr_eq(&a, &for_path(&dir.path().join("kiosk.db"))), "one file, one queue");
        assert!(!Arc::ptr_eq(&a, &for_path(&dir.path().join("other.db"))));
        assert!(!Arc::ptr_eq(&for_path(Path::new(":memory:")), &for_path(Path::new(":memory:"))));
    }
}
