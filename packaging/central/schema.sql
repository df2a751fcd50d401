-- signage central database: every screen's journal records and heartbeats, as
-- rsyslog receives them (packaging/central/signage-central-pgsql.conf writes them
-- here with ompgsql, beside the JSON-line files). PostgreSQL 12 or later (tested
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

CREATE INDEX IF NOT EXISTS records_at ON records (at);
CREATE INDEX IF NOT EXISTS records_campaign_at ON records (campaign, at);
-- The last start or stop of a screen before a report's range (its running time).
CREATE INDEX IF NOT EXISTS records_sessions ON records (screen, at) WHERE type IN ('start', 'stop');

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
            CASE WHEN b->>'interval_s' ~ '^[0-9.]+$' AND (b->>'interval_s')::float8 > 0
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
          CASE WHEN jsonb_typeof(b->'shown_s') = 'number' THEN (b->>'shown_s')::float8 END,
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
         CASE WHEN jsonb_typeof(r.b->'shown_s') = 'number' THEN (r.b->>'shown_s')::float8 END,
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
