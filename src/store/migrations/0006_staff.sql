-- 0006: staff mode.
--
-- What station staff did on the kiosk's screen, for whoever asks later
-- (`kiosk staff log`, the staff log page): entered, left, changed a
-- setting from one value to another, printed, synced, a wrong PIN. Never
-- personal data: a test card read is logged as "test card read", not who.
CREATE TABLE staff_audit (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,             -- unix seconds
    action     TEXT    NOT NULL,             -- entered, left, changed, undone, test_print, ...
    key        TEXT,                         -- the setting, for changed/undone
    old_value  TEXT,                         -- TOML values; NULL: not set before
    new_value  TEXT
);
CREATE INDEX staff_audit_at ON staff_audit (at);

-- The PIN pad's lockout, one row, so that it survives a restart: wrong
-- PINs in a row, lockouts in a row (each twice as long as the last) and
-- the end of the current one (unix seconds; 0: not locked).
CREATE TABLE staff_lockout (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    failures      INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    lockouts      INTEGER NOT NULL DEFAULT 0 CHECK (lockouts >= 0),
    locked_until  INTEGER NOT NULL DEFAULT 0
);

-- Statistics not yet queued for the platform (`POST /api/v1/events`).
CREATE INDEX stats_events_unreported ON stats_events (reported, id);
