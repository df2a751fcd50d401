-- signage central database: every screen's journal records and heartbeats, as
-- rsyslog receives them (packaging/central/signage-central-pgsql.conf writes them
-- here with ompgsql, beside the JSON-line files). PostgreSQL 13 or later (tested
-- with 15, Debian 12); docs/central-log.md has the set-up.
--
--   psql -d signage -f schema.sql      (idempotent: safe to run again after an upgrade)
--
-- rsyslog calls one function per message, signage_ingest(screen, msgid,
-- reported, sd, msg), which
--  - keeps each (screen, seq) once: `chain` has it as its primary key and every
--    record goes through INSERT ... ON CONFLICT DO NOTHING there first. (PostgreSQL
--    cannot enforce a unique key across the monthly partitions of `records` unless
--    the key holds the partition column, so the key that stops duplicates lives in
--    this small unpartitioned table; `records` has UNIQUE (screen, seq, at) per
--    partition.) A repeat with the same line only counts a delivery; one with a
--    different line goes to `conflicts`, and the stored copy stays as it was;
--  - stores the line as received (`line`: its SHA-256 is the journal's chain), the
--    record as jsonb (`body`, NULL when the line was cut or is not JSON) and the
--    columns a report filters on;
--  - puts heartbeats in `heartbeats`;
--  - creates the month's partition when the first row of a month arrives.
-- `signage report --db` and `signage verify --db` read these tables.

CREATE TABLE IF NOT EXISTS chain (
  screen      text        NOT NULL,
  seq         bigint      NOT NULL,
  at          timestamptz NOT NULL,           -- the record's `at` (below): finds it in `records`
  line_sha256 text        NOT NULL,           -- sha256 of the line and its '\n', hex
  prev        text,                           -- the line's `prev`; NULL when the line is unreadable
  deliveries  integer     NOT NULL DEFAULT 1, -- copies received with this very line
  PRIMARY KEY (screen, seq)
);

CREATE TABLE IF NOT EXISTS records (
  screen      text        NOT NULL,           -- the sender (rsyslog's HOSTNAME)
  seq         bigint      NOT NULL,
  type        text        NOT NULL,           -- play, start, stop, ... (the record's `type`)
  at          timestamptz NOT NULL,           -- `start` of a play, `time` of an event, else the syslog time
  campaign    text,
  item        text,
  outcome     text,
  shown_s     double precision,
  body        jsonb,                          -- the record; NULL when the line is cut or unreadable
  line        text        NOT NULL,           -- the journal line as received, without '\n'
  line_sha256 text        NOT NULL,
  prev        text,
  received    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (screen, seq, at)
) PARTITION BY RANGE (at);

-- The report's fields of each record as columns, so that `signage report --db`
-- reads no jsonb: computed from `body` (and `screen`, `shown_s`) whenever a row is
-- stored, by whatever stores it (signage_ingest(), signage_ingest_staged(), a loader
-- of one's own), with the rules the file report applies (the functions below).
--   counted             a play the report counts in SQL: a `start` (and `end`, if
--                       any) that is a plain time stamp (signage_plain_stamp()), its
--                       `screen` (if any) the sender's, not a band pass (ticker,
--                       header), `shown_s` and `planned_s` plain numbers below 1e9;
--                       false for every other record, which the report reads whole
--   play_start          its `start` as written (first and last shown)
--   play_local_ms       that start in local time, ms since 1970-01-01T00:00 (local)
--   play_offset_s       its UTC offset in seconds
--   play_end_ms         its `end` in ms since the epoch (UTC), NULL without an end
--   play_class          0 complete, 1 partial (so said, or shown 0.5 s less than
--                       planned), 2 interrupted, 3 skipped
--   play_campaign, play_item, play_item_type, play_text, play_media,
--   play_media_duration, play_title, play_site
--                       the content's fields ('' when absent or not a string;
--                       media_duration_s as its JSON text; play_site NULL when empty)
--   names_other_screen  the record's `screen` is not its sender's (such a fleet is
--                       read record by record)
-- A database made before these columns gets them when this file is run again
-- (below; docs/central-log.md, "Upgrading").

-- Whether a text is a time stamp the report reads in SQL: the plain ones of the
-- report's own reader, "YYYY-MM-DDTHH:MM:SS[.f{1,3}](Z|+HH:MM|-HH:MM)", a year from
-- 1970, a real calendar day.
CREATE OR REPLACE FUNCTION signage_plain_stamp(x text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN x ~ '^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,3})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$'
              THEN substr(x, 9, 2) <= '28'
                   OR substr(x, 9, 2)::int <= extract(day FROM make_date(substr(x, 1, 4)::int, substr(x, 6, 2)::int, 1)
                                                               + interval '1 month' - interval '1 day')
              ELSE false END
$$;

-- The offset of a plain stamp in seconds; NULL for any other text.
CREATE OR REPLACE FUNCTION signage_stamp_offset_s(x text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN NOT signage_plain_stamp(x) THEN NULL WHEN right(x, 1) = 'Z' THEN 0
              ELSE (CASE WHEN substr(x, length(x) - 5, 1) = '-' THEN -1 ELSE 1 END)
                   * (substr(x, length(x) - 4, 2)::int * 3600 + substr(x, length(x) - 1, 2)::int * 60) END
$$;

-- The local time a plain stamp writes, in ms since 1970-01-01T00:00 (local); NULL
-- for any other text.
CREATE OR REPLACE FUNCTION signage_stamp_local_ms(x text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN signage_plain_stamp(x) THEN
    (make_date(substr(x, 1, 4)::int, substr(x, 6, 2)::int, substr(x, 9, 2)::int) - DATE '1970-01-01')::bigint * 86400000
    + substr(x, 12, 2)::bigint * 3600000 + substr(x, 15, 2)::bigint * 60000 + substr(x, 18, 2)::bigint * 1000
    + (CASE WHEN substr(x, 20, 1) = '.'
            THEN rpad(substr(x, 21, length(x) - 20 - (CASE WHEN right(x, 1) = 'Z' THEN 1 ELSE 6 END)), 3, '0')::int
            ELSE 0 END) END
$$;

-- Seconds to whole milliseconds as the report rounds them (half away from zero);
-- 0 for anything not above 0.
CREATE OR REPLACE FUNCTION signage_ms(s double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN s > 0 THEN trunc(s * 1000)::bigint + (CASE WHEN s * 1000 - trunc(s * 1000) >= 0.5 THEN 1 ELSE 0 END)
              ELSE 0 END
$$;

-- A JSON number as a double; NULL when it is not a number or is beyond ±1e15. JSON
-- numbers have no range (1e400 is one) and a cast error would fail rsyslog's whole
-- batch, which it retries for ever: nothing after it would reach the database.
CREATE OR REPLACE FUNCTION signage_num(j jsonb) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(j) = 'number' THEN CASE WHEN abs(j::numeric) < 1e15 THEN j::numeric::float8 END END
$$;

-- Whether the report counts this record in SQL (`counted` above).
CREATE OR REPLACE FUNCTION signage_counted(body jsonb, sender text, shown_s double precision) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(body->>'type' = 'play' AND jsonb_typeof(body->'start') = 'string'
                  AND signage_plain_stamp(body->>'start')
                  AND (jsonb_typeof(body->'end') IS DISTINCT FROM 'string' OR signage_plain_stamp(body->>'end'))
                  AND (jsonb_typeof(body->'screen') IS DISTINCT FROM 'string' OR body->>'screen' IN ('', sender))
                  AND (jsonb_typeof(body->'item_type') IS DISTINCT FROM 'string'
                       OR body->>'item_type' NOT IN ('ticker', 'header'))
                  AND coalesce(shown_s, 0) < 1e9
                  AND (jsonb_typeof(body->'shown_s') IS DISTINCT FROM 'number' OR shown_s IS NOT NULL)
                  AND (jsonb_typeof(body->'planned_s') IS DISTINCT FROM 'number'
                       OR (length(body->>'planned_s') <= 20 AND signage_num(body->'planned_s') < 1e9)), false)
$$;

-- A string field of a record, '' when absent or not a string (as the report reads it).
CREATE OR REPLACE FUNCTION signage_field(body jsonb, key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(body->key) = 'string' THEN body->>key ELSE '' END
$$;

-- The outcome class of a play (`play_class` above).
CREATE OR REPLACE FUNCTION signage_play_class(body jsonb, shown_s double precision) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE WHEN body->>'outcome' = 'skipped' THEN 3 WHEN body->>'outcome' = 'interrupted' THEN 2
               WHEN body->>'outcome' = 'partial' THEN 1
               WHEN jsonb_typeof(body->'planned_s') = 'number' AND length(body->>'planned_s') <= 20
                    AND signage_ms(signage_num(body->'planned_s')) > 0
                    AND signage_ms(shown_s) < signage_ms(signage_num(body->'planned_s')) - 500 THEN 1
               ELSE 0 END)::smallint
$$;

-- The columns, set from the row by a trigger on every INSERT and UPDATE (a stored
-- generated column would do the same, but PostgreSQL prepares generation
-- expressions again for every statement, which made signage_ingest(), one INSERT
-- per message, nine times slower; the trigger's expressions are planned once per
-- connection). An UPDATE recomputes them from `body`, so they cannot be set apart
-- from it. The first run of this file on an older database adds them and fills
-- them for every stored record (one UPDATE of `records`, a third of the time their
-- bulk load took; the old row versions stay until VACUUM).
CREATE OR REPLACE FUNCTION signage_report_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  b jsonb := NEW.body;
  st text := CASE WHEN NEW.body->>'type' = 'play' AND jsonb_typeof(NEW.body->'start') = 'string'
                  THEN NEW.body->>'start' END;
  en text := CASE WHEN NEW.body->>'type' = 'play' AND jsonb_typeof(NEW.body->'end') = 'string'
                  THEN NEW.body->>'end' END;
BEGIN
  NEW.counted := signage_counted(b, NEW.screen, NEW.shown_s);
  NEW.play_start := st;
  NEW.play_local_ms := signage_stamp_local_ms(st);
  NEW.play_offset_s := signage_stamp_offset_s(st);
  NEW.play_end_ms := signage_stamp_local_ms(en) - signage_stamp_offset_s(en)::bigint * 1000;
  NEW.play_class := CASE WHEN b->>'type' = 'play' THEN signage_play_class(b, NEW.shown_s) END;
  NEW.play_campaign := signage_field(b, 'campaign');
  NEW.play_item := signage_field(b, 'item');
  NEW.play_item_type := signage_field(b, 'item_type');
  NEW.play_text := signage_field(b, 'text');
  NEW.play_media := signage_field(b, 'media');
  NEW.play_media_duration := CASE WHEN jsonb_typeof(b->'media_duration_s') = 'number' THEN b->>'media_duration_s' END;
  NEW.play_title := signage_field(b, 'campaign_title');
  NEW.play_site := nullif(signage_field(b, 'site'), '');
  NEW.names_other_screen := coalesce(jsonb_typeof(b->'screen') = 'string' AND b->>'screen' NOT IN ('', NEW.screen), false);
  RETURN NEW;
END $$;

DO $$
DECLARE
  older boolean := NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'records'::regclass
                                  AND attname = 'counted' AND NOT attisdropped);
BEGIN
  ALTER TABLE records
    ADD COLUMN IF NOT EXISTS counted boolean,
    ADD COLUMN IF NOT EXISTS play_start text,
    ADD COLUMN IF NOT EXISTS play_local_ms bigint,
    ADD COLUMN IF NOT EXISTS play_offset_s integer,
    ADD COLUMN IF NOT EXISTS play_end_ms bigint,
    ADD COLUMN IF NOT EXISTS play_class smallint,
    ADD COLUMN IF NOT EXISTS play_campaign text,
    ADD COLUMN IF NOT EXISTS play_item text,
    ADD COLUMN IF NOT EXISTS play_item_type text,
    ADD COLUMN IF NOT EXISTS play_text text,
    ADD COLUMN IF NOT EXISTS play_media text,
    ADD COLUMN IF NOT EXISTS play_media_duration text,
    ADD COLUMN IF NOT EXISTS play_title text,
    ADD COLUMN IF NOT EXISTS play_site text,
    ADD COLUMN IF NOT EXISTS names_other_screen boolean;
  IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'records'::regclass
                    AND tgname = 'signage_report_columns' AND tgparentid = 0) THEN
    CREATE TRIGGER signage_report_columns BEFORE INSERT OR UPDATE ON records
      FOR EACH ROW EXECUTE FUNCTION signage_report_columns();
  END IF;
  IF older THEN
    UPDATE records SET body = body;
    ANALYZE records;
  END IF;
END $$;

CREATE INDEX IF NOT EXISTS records_at ON records (at);
CREATE INDEX IF NOT EXISTS records_campaign_at ON records (campaign, at);
-- The last start or stop of a screen before a report's range (its running time).
CREATE INDEX IF NOT EXISTS records_sessions ON records (screen, at) WHERE type IN ('start', 'stop');
-- What a report reads whole (few: sessions, events, band passes) and the records
-- that name another screen.
CREATE INDEX IF NOT EXISTS records_uncounted ON records (at) WHERE NOT counted;
CREATE INDEX IF NOT EXISTS records_other_screen ON records (at) WHERE names_other_screen;

CREATE TABLE IF NOT EXISTS conflicts (
  screen      text        NOT NULL,
  seq         bigint      NOT NULL,
  line        text        NOT NULL,           -- the other copy
  line_sha256 text        NOT NULL,
  received    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS conflicts_screen_seq ON conflicts (screen, seq);

CREATE TABLE IF NOT EXISTS heartbeats (
  id          bigserial,
  screen      text        NOT NULL,
  at          timestamptz NOT NULL,           -- the heartbeat's `time` (the screen's clock)
  time        text        NOT NULL,           -- as the screen wrote it
  interval_s  double precision NOT NULL DEFAULT 60,
  journal_seq bigint,
  journal_hash text,
  body        jsonb,
  received    timestamptz NOT NULL DEFAULT now()
) PARTITION BY RANGE (at);
CREATE INDEX IF NOT EXISTS heartbeats_screen_at ON heartbeats (screen, at);

-- The month of `at` as a partition of `parent` (records or heartbeats), made when missing.
CREATE OR REPLACE FUNCTION signage_month(parent text, at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  first date := date_trunc('month', at AT TIME ZONE 'UTC')::date;
  name text := parent || '_' || to_char(first, 'YYYY_MM');
BEGIN
  IF to_regclass(name) IS NULL THEN
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                   name, parent, first::timestamp AT TIME ZONE 'UTC',
                   (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
  END IF;
END $$;

-- A text that is a time stamp, or NULL.
CREATE OR REPLACE FUNCTION signage_time(t text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF t IS NULL OR t !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d' THEN RETURN NULL; END IF;
  RETURN t::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- A text that is a JSON value, or NULL.
CREATE OR REPLACE FUNCTION signage_json(t text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN t::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

-- One message from rsyslog. `in_sd` is the [signage@32473 ...] element as JSON text
-- (all values strings), `in_msg` the journal line or the heartbeat.
CREATE OR REPLACE FUNCTION signage_ingest(in_screen text, in_msgid text, in_reported text, in_sd text, in_msg text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  b jsonb;
  s jsonb;
  h text := encode(sha256(convert_to(in_msg || E'\n', 'UTF8')), 'hex');
  n bigint;
  t timestamptz;
  p text;
  old text;
BEGIN
  b := signage_json(in_msg);
  IF jsonb_typeof(b) IS DISTINCT FROM 'object' THEN b := NULL; END IF;
  s := coalesce(signage_json(in_sd), '{}');
  IF in_msgid = 'heartbeat' THEN
    b := coalesce(b, s);
    t := coalesce(signage_time(b->>'time'), signage_time(in_reported), now());
    PERFORM signage_month('heartbeats', t);
    INSERT INTO heartbeats (screen, at, time, interval_s, journal_seq, journal_hash, body)
    VALUES (in_screen, t, coalesce(b->>'time', in_reported, ''),
            CASE WHEN b->>'interval_s' ~ '^[0-9]{1,9}(\.[0-9]{1,9})?$' AND (b->>'interval_s')::float8 > 0
                 THEN (b->>'interval_s')::float8 ELSE 60 END,
            CASE WHEN b->>'journal_seq' ~ '^[0-9]{1,18}$' THEN (b->>'journal_seq')::bigint END,
            nullif(b->>'journal_hash', ''), b);
    RETURN;
  END IF;
  -- A record: its seq from the line, else (a cut line) from the structured data.
  IF b IS NOT NULL AND jsonb_typeof(b->'seq') = 'number' AND b->>'seq' ~ '^[0-9]{1,18}$' THEN
    n := (b->>'seq')::bigint;
    p := CASE WHEN b->>'prev' ~ '^[0-9a-f]{64}$' THEN b->>'prev' END;
  ELSE
    b := NULL;
    IF s->>'seq' ~ '^[0-9]{1,18}$' THEN n := (s->>'seq')::bigint; END IF;
  END IF;
  IF n IS NULL THEN
    RAISE WARNING 'signage: a % message from % without seq', in_msgid, in_screen;
    RETURN;
  END IF;
  t := coalesce(signage_time(b->>'start'), signage_time(b->>'time'), signage_time(in_reported), now());
  INSERT INTO chain (screen, seq, at, line_sha256, prev) VALUES (in_screen, n, t, h, p)
  ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    SELECT c.line_sha256 INTO old FROM chain c WHERE c.screen = in_screen AND c.seq = n;
    IF old = h THEN
      UPDATE chain c SET deliveries = c.deliveries + 1 WHERE c.screen = in_screen AND c.seq = n;
    ELSE
      INSERT INTO conflicts (screen, seq, line, line_sha256) VALUES (in_screen, n, in_msg, h);
    END IF;
    RETURN;
  END IF;
  PERFORM signage_month('records', t);
  INSERT INTO records (screen, seq, type, at, campaign, item, outcome, shown_s, body, line, line_sha256, prev)
  VALUES (in_screen, n, coalesce(b->>'type', in_msgid), t, b->>'campaign', b->>'item', b->>'outcome',
          signage_num(b->'shown_s'),
          b, in_msg, h, p)
  ON CONFLICT DO NOTHING;
END $$;

-- Many messages at once: the lines of rsyslog's central files (one JSON message
-- each, packaging/central/signage-central-pgsql.conf's signage_json template) in
-- the session's temporary table signage_staged (n bigint, line text), n their order.
-- Records whose (screen, seq) the database lacks are stored set-based (one INSERT
-- into chain and one into records for them all, in place of two per message);
-- within the batch the first copy of a seq is stored and later ones count as
-- deliveries or go to `conflicts`, as signage_ingest() would have it. Records
-- already stored are left alone (their delivery counts too), so a batch can be
-- loaded again. Heartbeats the database lacks ((screen, time)) go through
-- signage_ingest(). Returns the number of records stored.
-- packaging/central/signage-central-backfill uses it; so can a loader that COPYs.
CREATE OR REPLACE FUNCTION signage_ingest_staged() RETURNS bigint
LANGUAGE plpgsql SET jit = off SET work_mem = '64MB' AS $$
DECLARE
  stored bigint;
BEGIN
  DROP TABLE IF EXISTS signage_m, signage_r, signage_new;
  CREATE TEMP TABLE signage_m ON COMMIT DROP AS
    SELECT n, j->>'screen' AS screen, j->>'msgid' AS msgid, j->>'timestamp' AS reported,
           CASE WHEN jsonb_typeof(j->'sd') = 'object' THEN j->'sd' ELSE '{}' END AS sd, j->>'msg' AS msg
      FROM (SELECT n, CASE WHEN line LIKE '{%}' THEN signage_json(line) END AS j FROM signage_staged OFFSET 0) s
     WHERE jsonb_typeof(j) = 'object' AND jsonb_typeof(j->'msg') = 'string' AND j->>'screen' IS NOT NULL;
  PERFORM signage_ingest(m.screen, m.msgid, m.reported, m.sd::text, m.msg)
     FROM (SELECT * FROM signage_m ORDER BY n) m
    WHERE m.msgid = 'heartbeat' AND NOT EXISTS (
          SELECT 1 FROM heartbeats h WHERE h.screen = m.screen
             AND h.time = coalesce(coalesce(signage_json(m.msg), m.sd)->>'time', m.reported, ''));
  -- The records, read as signage_ingest() reads one. (OFFSET 0 keeps each level's
  -- values computed once: a level pulled up would call signage_json() for each use.)
  CREATE TEMP TABLE signage_r ON COMMIT DROP AS
    SELECT n, screen, msgid, msg, h, b, seq, prev,
           coalesce(signage_time(b->>'start'), signage_time(b->>'time'), signage_time(reported), now()) AS at
      FROM (SELECT n, screen, msgid, reported, msg, h, b,
                   CASE WHEN b IS NOT NULL THEN (b->>'seq')::bigint
                        WHEN sd->>'seq' ~ '^[0-9]{1,18}$' THEN (sd->>'seq')::bigint END AS seq,
                   CASE WHEN b->>'prev' ~ '^[0-9a-f]{64}$' THEN b->>'prev' END AS prev
              FROM (SELECT n, screen, msgid, reported, sd, msg,
                           encode(sha256(convert_to(msg || E'\n', 'UTF8')), 'hex') AS h,
                           CASE WHEN jsonb_typeof(pb) = 'object' AND jsonb_typeof(pb->'seq') = 'number'
                                     AND pb->>'seq' ~ '^[0-9]{1,18}$' THEN pb END AS b
                      FROM (SELECT m.*, signage_json(m.msg) AS pb FROM signage_m m WHERE m.msgid <> 'heartbeat'
                            OFFSET 0) p OFFSET 0) q OFFSET 0) x
     WHERE seq IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chain c WHERE c.screen = x.screen AND c.seq = x.seq);
  PERFORM signage_month('records', min(at)) FROM signage_r GROUP BY date_trunc('month', at AT TIME ZONE 'UTC');
  CREATE TEMP TABLE signage_new (n bigint) ON COMMIT DROP;
  WITH f AS (SELECT DISTINCT ON (screen, seq) * FROM signage_r ORDER BY screen, seq, n),
       i AS (INSERT INTO chain (screen, seq, at, line_sha256, prev)
             SELECT screen, seq, at, h, prev FROM f ON CONFLICT DO NOTHING RETURNING screen, seq)
  INSERT INTO signage_new SELECT f.n FROM f JOIN i ON i.screen = f.screen AND i.seq = f.seq;
  INSERT INTO records (screen, seq, type, at, campaign, item, outcome, shown_s, body, line, line_sha256, prev)
  SELECT r.screen, r.seq, coalesce(r.b->>'type', r.msgid), r.at, r.b->>'campaign', r.b->>'item', r.b->>'outcome',
         signage_num(r.b->'shown_s'),
         r.b, r.msg, r.h, r.prev
    FROM signage_r r JOIN signage_new USING (n)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS stored = ROW_COUNT;
  -- Later copies in the batch: the same line is one more delivery, another is a conflict.
  UPDATE chain c SET deliveries = c.deliveries + d.k
    FROM (SELECT r.screen, r.seq, count(*) AS k FROM signage_r r JOIN chain c2 ON c2.screen = r.screen AND c2.seq = r.seq
           WHERE r.n NOT IN (SELECT n FROM signage_new) AND r.h = c2.line_sha256 GROUP BY r.screen, r.seq) d
   WHERE c.screen = d.screen AND c.seq = d.seq;
  INSERT INTO conflicts (screen, seq, line, line_sha256)
  SELECT r.screen, r.seq, r.msg, r.h FROM signage_r r JOIN chain c ON c.screen = r.screen AND c.seq = r.seq
   WHERE r.n NOT IN (SELECT n FROM signage_new) AND r.h <> c.line_sha256 ORDER BY r.n;
  RETURN stored;
END $$;
