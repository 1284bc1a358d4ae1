-- 0001: the kiosk's local data model.
--
-- Released migrations are never edited: tests/migrations.rs compares each
-- against src/store/migrations/migrations.lock. Change the schema by adding
-- the next numbered file.
--
-- Instants are Unix seconds (UTC); calendar dates are 'YYYY-MM-DD' in China
-- time (see src/domain/time.rs).

-- Job postings cached from the platform, imported, or entered by staff.
CREATE TABLE postings (
    id                    INTEGER PRIMARY KEY,
    identifier            TEXT    NOT NULL UNIQUE,
    source                TEXT    NOT NULL CHECK (source IN ('import', 'feed', 'staff')),
    title                 TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    trade                 TEXT    NOT NULL,
    settlement            TEXT    CHECK (settlement IN ('daily', 'weekly', 'monthly', 'on_completion', 'piece')),
    wage_min              REAL,
    wage_max              REAL,
    wage_unit             TEXT    CHECK (wage_unit IN ('HOUR', 'DAY', 'WEEK', 'MONTH', 'PIECE')),
    employer_name         TEXT    NOT NULL,
    employer_phone        TEXT,
    employer_id           TEXT,
    addr_region           TEXT    NOT NULL,
    addr_locality         TEXT    NOT NULL,
    addr_street           TEXT    NOT NULL,
    latitude              REAL    NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude             REAL    NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    date_posted           INTEGER NOT NULL,
    valid_through         INTEGER NOT NULL,
    start_date            TEXT,
    work_hours            TEXT,
    total_openings        INTEGER CHECK (total_openings >= 0),
    filled                INTEGER NOT NULL DEFAULT 0 CHECK (filled >= 0),
    physical_requirement  TEXT,
    url                   TEXT,
    occupational_category TEXT,
    employment_type       TEXT    NOT NULL DEFAULT '[]',  -- JSON array of text
    meals                 INTEGER NOT NULL DEFAULT 0,
    lodging               INTEGER NOT NULL DEFAULT 0,
    transport             INTEGER NOT NULL DEFAULT 0,
    work_injury_insurance INTEGER NOT NULL DEFAULT 0,
    verified_employer     INTEGER NOT NULL DEFAULT 0,
    updated_at            INTEGER NOT NULL
);

-- Training courses.
CREATE TABLE courses (
    id             INTEGER PRIMARY KEY,
    identifier     TEXT    NOT NULL UNIQUE,
    name           TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    start_date     TEXT,
    end_date       TEXT,
    addr_region    TEXT    NOT NULL,
    addr_locality  TEXT    NOT NULL,
    addr_street    TEXT    NOT NULL,
    latitude       REAL,
    longitude      REAL,
    subsidy        TEXT    NOT NULL,
    seats          INTEGER CHECK (seats >= 0),
    enrolled       INTEGER NOT NULL DEFAULT 0 CHECK (enrolled >= 0),
    url            TEXT,
    updated_at     INTEGER NOT NULL
);

-- Where each platform feed stands. A cursor is written in the same
-- transaction as the page it follows.
CREATE TABLE feed_cursors (
    feed        TEXT    PRIMARY KEY CHECK (feed IN ('postings', 'courses')),
    cursor      TEXT,
    etag        TEXT,
    updated_at  INTEGER NOT NULL
);

-- Submissions waiting for (or answered by) the platform. An item is written
-- here in one transaction before any attempt to send it, and leaves only by
-- being acknowledged ('done') or refused for good ('failed').
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL CHECK (kind IN ('application', 'worker', 'enrolment', 'posting', 'events')),
    body             TEXT    NOT NULL,            -- JSON request body
    created_at       INTEGER NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    response         TEXT,                        -- JSON answer, once final
    finished_at      INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Service statistics: one row per event, no personal data.
CREATE TABLE stats_events (
    id          INTEGER PRIMARY KEY,
    type        TEXT    NOT NULL CHECK (type IN ('visit', 'card_read', 'search', 'view', 'apply', 'print', 'register', 'enrol', 'help')),
    at          INTEGER NOT NULL,
    posting_id  TEXT,
    reported    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stats_events_at ON stats_events (at);

-- Settings changed on the device by staff: 'section.key' -> TOML value.
CREATE TABLE settings (
    key         TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT
);
