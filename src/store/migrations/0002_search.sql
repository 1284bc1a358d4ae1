-- 0002: search indexes.
--
-- Derived columns are computed by the kiosk's own functions (registered on
-- every connection, see src/store/functions.rs), the same code that fills
-- them when postings are written, so rows from schema 1 get exactly the
-- values new rows get.
--
--   search_text    normalised title/description/trade/employer/address
--   wage_rank      top of the wage range per working day (NULL: piece rate
--                  or no wage), for sorting different units together
--   start_day      jobStartDate, or the day it was posted
--   openings_left  total_openings - filled, NULL when unknown

ALTER TABLE postings ADD COLUMN search_text   TEXT NOT NULL DEFAULT '';
ALTER TABLE postings ADD COLUMN wage_rank     REAL;
ALTER TABLE postings ADD COLUMN start_day     TEXT NOT NULL DEFAULT '';
ALTER TABLE postings ADD COLUMN openings_left INTEGER;

UPDATE postings SET
    search_text   = kiosk_search_text(title, description, trade, employer_name,
                                      addr_region, addr_locality, addr_street),
    wage_rank     = kiosk_wage_rank(wage_max, wage_unit),
    start_day     = coalesce(start_date, kiosk_china_date(date_posted)),
    openings_left = CASE WHEN total_openings IS NULL THEN NULL
                         ELSE max(total_openings - filled, 0) END;

-- Ordered walks for the non-distance sorts; the first also serves trade
-- and trade+settlement filters.
CREATE INDEX postings_trade_wage ON postings (trade, settlement, wage_rank DESC);
CREATE INDEX postings_wage       ON postings (wage_rank DESC);
CREATE INDEX postings_start      ON postings (start_day);
CREATE INDEX postings_posted     ON postings (date_posted DESC);

-- Points on an R*Tree (32-bit float boxes, rounded outwards): candidates
-- for "nearest" and "within N km". Exact distances come from the REAL
-- columns of postings.
CREATE VIRTUAL TABLE posting_geo USING rtree (id, min_lat, max_lat, min_lon, max_lon);
INSERT INTO posting_geo (id, min_lat, max_lat, min_lon, max_lon)
    SELECT id, latitude, latitude, longitude, longitude FROM postings;

-- Chinese full-text index of unigrams and bigrams (src/search/text.rs).
-- Contentless: the text lives in postings.search_text; detail=none because
-- queries never need token positions; the 'ascii' tokenizer because the
-- terms arrive normalised and space-separated, so unicode61's character
-- classes and diacritic folding would be wasted work on every insert.
CREATE VIRTUAL TABLE posting_fts USING fts5 (
    terms, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii'
);
INSERT INTO posting_fts (rowid, terms) SELECT id, kiosk_fts_terms(search_text) FROM postings;
CREATE VIRTUAL TABLE posting_vocab USING fts5vocab (posting_fts, 'row');

-- No triggers keep these indexes in step with postings: the store's write
-- path (src/store/postings.rs, the only code that writes postings) does.
-- FTS5 flushes its buffered terms to disk at every statement savepoint,
-- and any trigger on postings turns each INSERT into a multi-write
-- statement with a savepoint, so with triggers FTS5 writes one tiny segment
-- per row and then merges them all: imports ran 3x slower (measured).
