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
CREATE INDEX postings_expiry     ON postings (valid_through);

-- Points on an R*Tree (32-bit float boxes, rounded outwards): candidates
-- for "nearest" and "within N km". Exact distances come from the REAL
-- columns of postings.
CREATE VIRTUAL TABLE posting_geo USING rtree (id, min_lat, max_lat, min_lon, max_lon);
INSERT INTO posting_geo (id, min_lat, max_lat, min_lon, max_lon)
    SELECT id, latitude, latitude, longitude, longitude FROM postings;

-- Chinese full-text index of unigrams and bigrams (src/search/text.rs).
-- Contentless: the text lives in postings.search_text; detail=none because
-- queries never need token positions.
CREATE VIRTUAL TABLE posting_fts USING fts5 (
    terms, content = '', contentless_delete = 1, detail = none, tokenize = 'unicode61'
);
INSERT INTO posting_fts (rowid, terms) SELECT id, kiosk_fts_terms(search_text) FROM postings;
CREATE VIRTUAL TABLE posting_vocab USING fts5vocab (posting_fts, 'row');

-- The indexes follow the table whichever code path writes it.
CREATE TRIGGER postings_indexed_insert AFTER INSERT ON postings BEGIN
    INSERT INTO posting_geo (id, min_lat, max_lat, min_lon, max_lon)
        VALUES (new.id, new.latitude, new.latitude, new.longitude, new.longitude);
    INSERT INTO posting_fts (rowid, terms) VALUES (new.id, kiosk_fts_terms(new.search_text));
END;

CREATE TRIGGER postings_indexed_delete AFTER DELETE ON postings BEGIN
    DELETE FROM posting_geo WHERE id = old.id;
    DELETE FROM posting_fts WHERE rowid = old.id;
END;

CREATE TRIGGER postings_indexed_text AFTER UPDATE OF search_text ON postings
WHEN old.search_text IS NOT new.search_text BEGIN
    DELETE FROM posting_fts WHERE rowid = old.id;
    INSERT INTO posting_fts (rowid, terms) VALUES (new.id, kiosk_fts_terms(new.search_text));
END;

CREATE TRIGGER postings_indexed_geo AFTER UPDATE OF latitude, longitude ON postings
WHEN old.latitude IS NOT new.latitude OR old.longitude IS NOT new.longitude BEGIN
    UPDATE posting_geo
       SET min_lat = new.latitude, max_lat = new.latitude,
           min_lon = new.longitude, max_lon = new.longitude
     WHERE id = new.id;
END;
