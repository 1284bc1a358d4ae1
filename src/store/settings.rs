//! Settings staff changed on the device: `section.key` → a TOML value
//! (`24.5`, `"湖里驿站"`), one configuration layer (see `config`).

use rusqlite::params;

use super::{Store, StoreError};

impl Store {
    /// Every staff setting, sorted by key.
    pub fn staff_settings(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.conn
            .prepare_cached("SELECT key, value FROM settings ORDER BY key")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.err(e))
    }

    /// Sets (or with `None`, removes) one staff setting.
    pub fn set_staff_setting(
        &mut self,
        key: &str,
        value: Option<&str>,
        by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            match value {
                Some(v) => tx.exec(
                    "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                        updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                    params![key, v, now, by],
                ),
                None => tx.exec("DELETE FROM settings WHERE key = ?1", [key]),
            }
            .map(drop)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replace_remove() {
        let mut s = Store::open_in_memory().unwrap();
        s.set_staff_setting("station.name", Some("\"A\""), "staff", 1).unwrap();
        s.set_staff_setting("station.name", Some("\"B\""), "staff", 2).unwrap();
        s.set_staff_setting("station.latitude", Some("24.5"), "staff", 2).unwrap();
        assert_eq!(
            s.staff_settings().unwrap(),
            vec![("station.latitude".into(), "24.5".into()), ("station.name".into(), "\"B\"".into())]
        );
        s.set_staff_setting("station.name", None, "staff", 3).unwrap();
        assert_eq!(s.staff_settings().unwrap().len(), 1);
    }
}
