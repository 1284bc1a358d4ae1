-- Applications made at this kiosk. No personal data: the person is a keyed
-- hash (HMAC-SHA-256 with the device's own key, `<data dir>/device.key`) of
-- card type and ID number, enough to refuse a duplicate and nothing more.
-- The full ID number travels only inside the outbox item's body, which is
-- the submission itself, until the platform acknowledges it.
CREATE TABLE applications (
    id              INTEGER PRIMARY KEY,
    application_no  TEXT    NOT NULL UNIQUE,     -- shown and printed: YYMMDD-NNNN
    posting_id      TEXT    NOT NULL,
    person_hash     TEXT    NOT NULL,
    outbox_id       INTEGER REFERENCES outbox (id),
    created_at      INTEGER NOT NULL,
    UNIQUE (person_hash, posting_id)
);
