-- Platform sync (platform-api.md).
--
-- A fresh snapshot after `410 Gone` must replace the cache only once it is
-- complete: its pages wait here, in arrival order, and are applied in one
-- transaction when the last page (`more: false`) has arrived. Pages of a
-- snapshot that never completes are dropped when the next one starts.
CREATE TABLE feed_staging (
    feed   TEXT    NOT NULL CHECK (feed IN ('postings', 'courses')),
    seq    INTEGER NOT NULL,
    body   BLOB    NOT NULL,
    PRIMARY KEY (feed, seq)
);

-- Why an outbox item is failing, in the platform's words (`error` code of a
-- 409 or other 4xx), so a worker and staff can be told plainly.
ALTER TABLE outbox ADD COLUMN error_code TEXT;
