#include "journal/central_db.h"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/i18n.h"

namespace signage {

using nlohmann::json;

namespace {

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

// The URL without its password: "postgresql://u:secret@h/db" -> "postgresql://u@h/db",
// "... password=secret ..." -> "... password=*** ...".
std::string without_password(const std::string& url) {
  std::string s = url;
  if (const auto scheme = s.find("://"); scheme != std::string::npos) {
    const auto at = s.find('@', scheme + 3);
    const auto colon = s.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at) s.erase(colon, at - colon);
    return s;
  }
  if (const auto p = s.find("password="); p != std::string::npos) {
    const auto end = s.find(' ', p);
    s.replace(p + 9, (end == std::string::npos ? s.size() : end) - p - 9, "***");
  }
  return s;
}

std::uint64_t to_u64(const char* s) {
  std::uint64_t v = 0;
  if (s != nullptr) std::from_chars(s, s + std::char_traits<char>::length(s), v);
  return v;
}

std::string date_text(Date d) { return format_date(d); }

Date shift(Date d, int days) { return Date(std::chrono::sys_days(d) + std::chrono::days(days)); }

std::string instant_text(Instant t) { return format_iso8601(fixed_offset_zone(std::chrono::seconds(0))->to_local(t)); }

// "{1,5,9}" (a bigint[] as text) -> numbers.
std::vector<std::uint64_t> bigint_array(const char* text) {
  std::vector<std::uint64_t> out;
  if (text == nullptr) return out;
  const std::string_view s(text);
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] < '0' || s[i] > '9')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j > i) {
      std::uint64_t v = 0;
      std::from_chars(s.data() + i, s.data() + j, v);
      out.push_back(v);
    }
    i = j;
  }
  return out;
}

// The per-screen checks, one statement each. $1: the screen, or NULL for all.
constexpr const char* kCounts = R"sql(
  SELECT c.screen, count(*), min(c.seq), max(c.seq), sum(c.deliveries - 1),
         count(*) FILTER (WHERE c.prev IS NULL),
         (SELECT count(*) FROM conflicts k WHERE k.screen = c.screen),
         (SELECT array_agg(DISTINCT k.seq) FROM conflicts k WHERE k.screen = c.screen)
    FROM chain c WHERE $1::text IS NULL OR c.screen = $1 GROUP BY c.screen)sql";

// Gaps: every seq missing between 1 and the highest stored.
constexpr const char* kGaps = R"sql(
  SELECT screen, before + 1, seq - 1 FROM (
    SELECT screen, seq, coalesce(lag(seq) OVER (PARTITION BY screen ORDER BY seq), 0) AS before
      FROM chain WHERE $1::text IS NULL OR screen = $1) g
   WHERE seq > before + 1 ORDER BY screen, seq)sql";

// Links between stored neighbours whose lines were both read whole.
constexpr const char* kLinks = R"sql(
  SELECT screen, count(*), array_agg(seq ORDER BY seq) FILTER (WHERE prev <> before_sha) FROM (
    SELECT screen, seq, prev, lag(seq) OVER w AS before_seq, lag(line_sha256) OVER w AS before_sha,
           lag(prev) OVER w AS before_prev
      FROM chain WHERE $1::text IS NULL OR screen = $1
    WINDOW w AS (PARTITION BY screen ORDER BY seq)) l
   WHERE before_seq = seq - 1 AND prev IS NOT NULL AND before_prev IS NOT NULL GROUP BY screen)sql";

// Heartbeats: how many, and their anchors (the journal head they name).
constexpr const char* kAnchors = R"sql(
  SELECT h.screen, count(*),
         count(*) FILTER (WHERE h.journal_seq > 0 AND h.journal_hash IS NOT NULL AND c.prev IS NOT NULL
                                AND c.line_sha256 = lower(h.journal_hash)),
         count(*) FILTER (WHERE h.journal_seq > 0 AND h.journal_hash IS NOT NULL AND c.prev IS NULL)
    FROM heartbeats h LEFT JOIN chain c ON c.screen = h.screen AND c.seq = h.journal_seq
   WHERE $1::text IS NULL OR h.screen = $1 GROUP BY h.screen)sql";

constexpr const char* kBadAnchors = R"sql(
  SELECT DISTINCT ON (h.screen, h.journal_seq) h.screen, h.journal_seq, h.time
    FROM heartbeats h JOIN chain c ON c.screen = h.screen AND c.seq = h.journal_seq
   WHERE ($1::text IS NULL OR h.screen = $1) AND h.journal_seq > 0 AND h.journal_hash IS NOT NULL
     AND c.prev IS NOT NULL AND c.line_sha256 <> lower(h.journal_hash)
   ORDER BY h.screen, h.journal_seq, h.id)sql";

// The last heartbeat at or before $2, and whether the screen is dark then.
constexpr const char* kLastHeartbeat = R"sql(
  SELECT DISTINCT ON (screen) screen, time, extract(epoch FROM at) * 1000, interval_s, body::text,
         at + make_interval(secs => round(3 * interval_s * 1000) / 1000.0) < $2::timestamptz
    FROM heartbeats WHERE ($1::text IS NULL OR screen = $1) AND at <= $2::timestamptz
   ORDER BY screen, at DESC, id)sql";

// The site a screen's records or heartbeats name.
constexpr const char* kSites = R"sql(
  SELECT screen, coalesce(
      (SELECT r.body->>'site' FROM records r WHERE r.screen = s.screen AND r.body ? 'site' ORDER BY r.seq LIMIT 1),
      (SELECT h.body->>'site' FROM heartbeats h WHERE h.screen = s.screen AND h.body ? 'site' ORDER BY h.id LIMIT 1))
    FROM (SELECT screen FROM chain UNION SELECT screen FROM heartbeats) s
   WHERE $1::text IS NULL OR screen = $1)sql";

}  // namespace

struct CentralDb::Conn {
  PgConnPtr pg;
  std::string name;
  bool play_columns = false;  // `records` has the report's columns (schema.sql's `counted` and the rest)

  Result<PgResultPtr> query(const char* sql, const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PgResultPtr r(PQexecParams(pg.get(), sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                               nullptr, 0));
    const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return error();
    return r;
  }

  // Row by row (libpq's single-row mode), so a week of a fleet is never in memory.
  Status stream(const char* sql, const std::vector<std::optional<std::string>>& params,
                const std::function<void(const PGresult*)>& row) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    if (PQsendQueryParams(pg.get(), sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr,
                          0) != 1 ||
        PQsetSingleRowMode(pg.get()) != 1) {
      return error();
    }
    std::optional<Error> failed;
    while (PGresult* raw = PQgetResult(pg.get())) {
      PgResultPtr r(raw);
      const auto status = PQresultStatus(raw);
      if (status == PGRES_SINGLE_TUPLE) {
        row(raw);
      } else if (status != PGRES_TUPLES_OK && !failed) {
        failed = error();
      }
    }
    if (failed) return *failed;
    return {};
  }

  Error error() const {
    std::string why = PQerrorMessage(pg.get());
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Error(fmt(_("central database {1}: {2}"), name, why));
  }
};

CentralDb::CentralDb(std::unique_ptr<Conn> conn) : c_(std::move(conn)) {}
CentralDb::~CentralDb() = default;
CentralDb::CentralDb(CentralDb&&) noexcept = default;
CentralDb& CentralDb::operator=(CentralDb&&) noexcept = default;

const std::string& CentralDb::name() const { return c_->name; }

Result<CentralDb> CentralDb::connect(const std::string& url) {
  auto conn = std::make_unique<Conn>();
  conn->name = without_password(url);
  conn->pg.reset(PQconnectdb(url.c_str()));
  if (!conn->pg || PQstatus(conn->pg.get()) != CONNECTION_OK) {
    std::string why = conn->pg ? PQerrorMessage(conn->pg.get()) : "out of memory";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Error(fmt(_("cannot connect to the central database {1}: {2}. Check the URL "
                       "(postgresql://USER@HOST:PORT/DATABASE) and that the server is running."),
                     conn->name, why));
  }
  auto schema = conn->query("SELECT to_regclass('chain') IS NOT NULL AND to_regclass('records') IS NOT NULL "
                            "AND to_regclass('heartbeats') IS NOT NULL",
                            {});
  if (!schema) return schema.error();
  if (std::string_view(PQgetvalue(schema->get(), 0, 0)) != "t") {
    return Error(fmt(_("central database {1}: the signage tables are missing. Load the schema first: "
                       "psql -d DATABASE -f /usr/share/signage/central/schema.sql"),
                     conn->name));
  }
  auto columns = conn->query("SELECT count(*) = 2 FROM pg_attribute WHERE attrelid = 'records'::regclass "
                             "AND attname IN ('counted', 'names_other_screen') AND NOT attisdropped",
                             {});
  if (!columns) return columns.error();
  conn->play_columns = std::string_view(PQgetvalue(columns->get(), 0, 0)) == "t";
  return CentralDb(std::move(conn));
}

Result<std::vector<CentralScreen>> CentralDb::screens(Instant as_of, const std::optional<std::string>& screen) {
  std::map<std::string, CentralScreen> by;
  auto at = [&](const char* name) -> CentralScreen& {
    CentralScreen& c = by[name];
    c.screen = name;
    return c;
  };
  const std::vector<std::optional<std::string>> one = {screen};
  const std::vector<std::optional<std::string>> two = {screen, instant_text(as_of)};
  auto counts = c_->query(kCounts, one);
  if (!counts) return counts.error();
  for (int i = 0; i < PQntuples(counts->get()); ++i) {
    const PGresult* r = counts->get();
    CentralScreen& c = at(PQgetvalue(r, i, 0));
    c.records = to_u64(PQgetvalue(r, i, 1));
    c.first_seq = to_u64(PQgetvalue(r, i, 2));
    c.last_seq = to_u64(PQgetvalue(r, i, 3));
    c.duplicates = to_u64(PQgetvalue(r, i, 4)) + to_u64(PQgetvalue(r, i, 6));
    c.unverifiable = to_u64(PQgetvalue(r, i, 5));
    c.conflicts = bigint_array(PQgetvalue(r, i, 7));
    c.messages = c.records + c.duplicates;
  }
  auto gaps = c_->query(kGaps, one);
  if (!gaps) return gaps.error();
  for (int i = 0; i < PQntuples(gaps->get()); ++i) {
    at(PQgetvalue(gaps->get(), i, 0)).gaps.push_back({to_u64(PQgetvalue(gaps->get(), i, 1)),
                                                      to_u64(PQgetvalue(gaps->get(), i, 2))});
  }
  auto links = c_->query(kLinks, one);
  if (!links) return links.error();
  for (int i = 0; i < PQntuples(links->get()); ++i) {
    CentralScreen& c = at(PQgetvalue(links->get(), i, 0));
    c.links_checked = to_u64(PQgetvalue(links->get(), i, 1));
    c.broken_links = bigint_array(PQgetvalue(links->get(), i, 2));
  }
  auto anchors = c_->query(kAnchors, one);
  if (!anchors) return anchors.error();
  for (int i = 0; i < PQntuples(anchors->get()); ++i) {
    CentralScreen& c = at(PQgetvalue(anchors->get(), i, 0));
    c.heartbeats = to_u64(PQgetvalue(anchors->get(), i, 1));
    c.anchors_checked = to_u64(PQgetvalue(anchors->get(), i, 2));
    c.anchors_pending = to_u64(PQgetvalue(anchors->get(), i, 3));
  }
  auto bad = c_->query(kBadAnchors, one);
  if (!bad) return bad.error();
  for (int i = 0; i < PQntuples(bad->get()); ++i) {
    at(PQgetvalue(bad->get(), i, 0))
        .anchor_problems.push_back(std::string("the heartbeat of ") + PQgetvalue(bad->get(), i, 2) + " anchors seq " +
                                   PQgetvalue(bad->get(), i, 1) +
                                   " with a hash the central copy's line does not have");
  }
  auto last = c_->query(kLastHeartbeat, two);
  if (!last) return last.error();
  for (int i = 0; i < PQntuples(last->get()); ++i) {
    const PGresult* r = last->get();
    CentralScreen& c = at(PQgetvalue(r, i, 0));
    LastHeartbeat hb;
    hb.time = PQgetvalue(r, i, 1);
    hb.at = Instant(std::chrono::milliseconds(std::llround(std::strtod(PQgetvalue(r, i, 2), nullptr))));
    hb.interval_s = std::strtod(PQgetvalue(r, i, 3), nullptr);
    const json b = json::parse(PQgetvalue(r, i, 4), nullptr, false);
    if (b.is_object()) {
      auto s = [&](const char* k) { return b.contains(k) && b[k].is_string() ? b[k].get<std::string>() : ""; };
      auto u = [&](const char* k) {
        if (!b.contains(k)) return std::uint64_t{0};
        return b[k].is_number_unsigned() ? b[k].get<std::uint64_t>() : to_u64(s(k).c_str());
      };
      hb.showing = s("showing");
      hb.version = s("version");
      hb.journal_seq = u("journal_seq");
      hb.acked_seq = u("acked_seq");
      hb.free_disk_bytes = u("free_disk_bytes");
      hb.clock_synced = b.contains("clock_synced") && (b["clock_synced"] == true || b["clock_synced"] == "true");
    }
    c.last_heartbeat = hb;
    c.dark = std::string_view(PQgetvalue(r, i, 5)) == "t";
  }
  auto sites = c_->query(kSites, one);
  if (!sites) return sites.error();
  for (int i = 0; i < PQntuples(sites->get()); ++i) at(PQgetvalue(sites->get(), i, 0)).site = PQgetvalue(sites->get(), i, 1);
  std::vector<CentralScreen> out;
  for (auto& [name, c] : by) {
    if (!c.last_heartbeat) c.dark = true;
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

// The records a report over [from, to] reads, by `at`: from two days before (the
// session running at `from`) to three days after (plays that end past midnight).
std::vector<std::optional<std::string>> record_window(Date from, Date to) {
  return {date_text(shift(from, -2)) + "T00:00:00Z", date_text(shift(to, 3)) + "T00:00:00Z"};
}

// The session running when the window opens ($1): each screen's last start or stop
// before it, when that is a start.
constexpr const char* kSessionAtWindowStart = R"sql(
        SELECT screen, seq, body::text FROM (
          SELECT DISTINCT ON (screen) screen, seq, type, body FROM records
           WHERE type IN ('start', 'stop') AND at < $1::timestamptz AND prev IS NOT NULL AND body IS NOT NULL
           ORDER BY screen, at DESC, seq DESC) s
         WHERE type = 'start' ORDER BY screen)sql";

}  // namespace

Status CentralDb::records(Date from, Date to, const CentralRecordFn& on_record) {
  const std::vector<std::optional<std::string>> window = record_window(from, to);
  auto emit = [&](const PGresult* r) {
    const json body = json::parse(PQgetvalue(r, 0, 2), nullptr, false);
    if (body.is_object()) on_record(PQgetvalue(r, 0, 0), to_u64(PQgetvalue(r, 0, 1)), body);
  };
  // The session running when the window opens: the last start or stop before it.
  if (auto st = c_->stream(kSessionAtWindowStart,
                           {window[0]}, emit);
      !st) {
    return st;
  }
  return c_->stream(R"sql(
      SELECT screen, seq, body::text FROM records
       WHERE at >= $1::timestamptz AND at < $2::timestamptz AND prev IS NOT NULL AND body IS NOT NULL
       ORDER BY screen, seq)sql",
                    window, emit);
}

namespace {

// Whether a record in the window names a screen other than its sender's.
// $1, $2: the window of `at`.
constexpr const char* kOtherScreen = R"sql(
  SELECT EXISTS (SELECT 1 FROM records
                  WHERE at >= $1::timestamptz AND at < $2::timestamptz AND prev IS NOT NULL AND body IS NOT NULL
                    AND names_other_screen))sql";

// The records of the window the report reads whole: those not `counted` (schema.sql).
constexpr const char* kWhole = R"sql(
  SELECT screen, seq, body::text FROM records
   WHERE at >= $1::timestamptz AND at < $2::timestamptz AND prev IS NOT NULL AND body IS NOT NULL AND NOT counted
   ORDER BY screen, seq)sql";

// The counted plays of the window, grouped. $1, $2: the window of `at`; $3, $4: the
// day before `from` and `to`, as days since 1970-01-01. Reads only the columns that
// ingestion filled from the record (schema.sql), no jsonb, and no window function or
// set-returning function per play, so the scan and the first grouping can run in
// parallel workers:
//  - a run is the plays of a screen between two records read whole: its number is
//    how many of those come before the play (width_bucket() over the screen's
//    sorted seqs of them);
//  - the first grouping (g) is by run, content, day the play starts (d0) and the
//    number of midnights it crosses (nd, 0 for most): a play's time on the day it
//    starts is summed there, and for the plays crossing nd midnights the sum of their
//    ends, from which the time on their last day follows (full days in between);
//  - then each group is spread over the days its plays cover (few rows) and grouped
//    two ways: R (screen, run, offset, site) the running time and F (screen, day,
//    content, title) the facts, only for plays starting from the day before `from`
//    to `to` (fok). A play counts on the day it starts; its time on every day.
constexpr const char* kGroups = R"sql(
  SELECT GROUPING(r_screen, f_screen), coalesce(r_screen, f_screen), min(min_seq), r_site,
         f_day, f_campaign, f_item, f_type, f_text, f_media, f_dur, f_title,
         sum(c0), sum(c1), sum(c2), sum(c3), sum(ms),
         min(first_shown COLLATE "C"), max(last_shown COLLATE "C"), max(f_seq), min(a), max(b), r_off, max(max_seq)
    FROM (
      SELECT g.r_screen, g.r_run, g.r_off, g.r_site, CASE WHEN fok THEN g.r_screen END AS f_screen,
             g.d0 + k AS f_day, g.campaign AS f_campaign, g.item AS f_item, g.it AS f_type, g.text AS f_text,
             g.media AS f_media, g.dur AS f_dur, g.title AS f_title,
             CASE WHEN k = 0 THEN c0 ELSE 0 END AS c0, CASE WHEN k = 0 THEN c1 ELSE 0 END AS c1,
             CASE WHEN k = 0 THEN c2 ELSE 0 END AS c2, CASE WHEN k = 0 THEN c3 ELSE 0 END AS c3,
             CASE WHEN k = 0 THEN ms0 WHEN k < nd THEN spills * 86400000
                  ELSE ends - spills * (g.d0 + nd) * 86400000 END AS ms,
             CASE WHEN k = 0 THEN first_shown END AS first_shown, CASE WHEN k = 0 THEN last_shown END AS last_shown,
             f_seq, min_seq, max_seq, a, b
        FROM (
          SELECT screen AS r_screen, run AS r_run, off AS r_off, site AS r_site, fok, d0, nd,
                 campaign, item, it, text, media, dur, title,
                 count(*) FILTER (WHERE cls = 0) AS c0, count(*) FILTER (WHERE cls = 1) AS c1,
                 count(*) FILTER (WHERE cls = 2) AS c2, count(*) FILTER (WHERE cls = 3) AS c3,
                 coalesce(sum(least(la + sh, (d0 + 1) * 86400000) - la) FILTER (WHERE cls < 3 AND sh > 0), 0) AS ms0,
                 count(*) FILTER (WHERE nd > 0) AS spills, sum(la + sh) FILTER (WHERE nd > 0) AS ends,
                 min(st) FILTER (WHERE cls < 3) AS first_shown,
                 max(st) FILTER (WHERE cls < 3) AS last_shown,
                 max(seq) AS f_seq, min(seq) AS min_seq, max(seq) AS max_seq, min(a) AS a, max(b) AS b
            FROM (
              SELECT r.screen COLLATE "C" AS screen, r.seq, coalesce(width_bucket(r.seq, c.cuts), 0) AS run, r.play_offset_s AS off,
                     r.play_site COLLATE "C" AS site, x.fok, CASE WHEN x.fok THEN x.d0 END AS d0,
                     CASE WHEN x.fok AND r.play_class < 3 AND x.sh > 0
                          THEN (r.play_local_ms + x.sh - 1) / 86400000 - x.d0 ELSE 0 END AS nd,
                     CASE WHEN x.fok THEN r.play_campaign COLLATE "C" END AS campaign, CASE WHEN x.fok THEN r.play_item COLLATE "C" END AS item,
                     CASE WHEN x.fok THEN r.play_item_type COLLATE "C" END AS it, CASE WHEN x.fok THEN r.play_text COLLATE "C" END AS text,
                     CASE WHEN x.fok THEN r.play_media COLLATE "C" END AS media,
                     CASE WHEN x.fok THEN r.play_media_duration COLLATE "C" END AS dur,
                     CASE WHEN x.fok THEN r.play_title COLLATE "C" END AS title,
                     CASE WHEN x.fok THEN r.play_start COLLATE "C" END AS st, CASE WHEN x.fok THEN r.play_class END AS cls,
                     r.play_local_ms AS la, x.sh, x.a, greatest(x.a, coalesce(r.play_end_ms, x.a), x.a + x.sh) AS b
                FROM records r
                LEFT JOIN (SELECT screen, array_agg(seq ORDER BY seq) AS cuts FROM records
                            WHERE at >= $1::timestamptz AND at < $2::timestamptz AND prev IS NOT NULL
                              AND body IS NOT NULL AND NOT counted
                            GROUP BY screen) c ON c.screen = r.screen
               CROSS JOIN LATERAL (SELECT signage_ms(r.shown_s) AS sh, r.play_local_ms / 86400000 AS d0,
                                          r.play_local_ms - r.play_offset_s * 1000::bigint AS a,
                                          r.play_local_ms / 86400000 BETWEEN $3::bigint AND $4::bigint AS fok) x
               WHERE r.at >= $1::timestamptz AND r.at < $2::timestamptz AND r.prev IS NOT NULL
                 AND r.body IS NOT NULL AND r.counted) p
           GROUP BY screen, run, off, site, fok, d0, nd, campaign, item, it, text, media, dur, title) g
       CROSS JOIN LATERAL generate_series(0, g.nd) AS k
       WHERE k = 0 OR g.d0 + k <= $4::bigint) s
   GROUP BY GROUPING SETS ((r_screen, r_run, r_off, r_site),
                           (f_screen, f_day, f_campaign, f_item, f_type, f_text, f_media, f_dur, f_title))
   ORDER BY 1, 2, 3, 20)sql";

Date epoch_day(std::int64_t n) { return Date(std::chrono::sys_days(std::chrono::days(n))); }

std::int64_t to_i64(const char* s) {
  std::int64_t v = 0;
  if (s != nullptr) std::from_chars(s, s + std::char_traits<char>::length(s), v);
  return v;
}

}  // namespace

Result<bool> CentralDb::report_rows(Date from, Date to, const ReportRows& rows) {
  // A database whose schema predates the report's columns is read record by record.
  if (!c_->play_columns) return false;
  const std::vector<std::optional<std::string>> window = record_window(from, to);
  auto other = c_->query(kOtherScreen, window);
  if (!other) return other.error();
  if (std::string_view(PQgetvalue(other->get(), 0, 0)) == "t") return false;
  auto whole = [&](const PGresult* r) {
    const json body = json::parse(PQgetvalue(r, 0, 2), nullptr, false);
    if (body.is_object()) rows.on_record(PQgetvalue(r, 0, 0), to_u64(PQgetvalue(r, 0, 1)), body);
  };
  // The session running when the window opens (as records() gives it), then the
  // records read whole, by screen and seq.
  if (auto st = c_->stream(kSessionAtWindowStart, {window[0]}, whole); !st) return st.error();
  if (auto st = c_->stream(kWhole, window, whole); !st) return st.error();
  // The statement runs once: compiling it (JIT) costs more than it saves; its
  // hashes hold a fleet-week's groups in memory.
  if (auto set = c_->query("SET jit = off", {}); !set) return set.error();
  if (auto set = c_->query("SET work_mem = '256MB'", {}); !set) return set.error();
  const auto days = [](Date d) { return std::to_string(std::chrono::sys_days(d).time_since_epoch().count()); };
  const std::vector<std::optional<std::string>> params = {window[0], window[1], days(shift(from, -1)), days(to)};
  auto st = c_->stream(kGroups, params, [&](const PGresult* r) {
    if (PQgetisnull(r, 0, 1)) return;  // the plays outside the facts' days, in no F group
    const int set = std::atoi(PQgetvalue(r, 0, 0));
    auto text = [&](int col) { return std::string(PQgetvalue(r, 0, col)); };
    const std::string screen = text(1);
    if (set == 1) {  // R: a run of plays
      rows.on_span(screen, to_u64(PQgetvalue(r, 0, 2)), Instant(std::chrono::milliseconds(to_i64(PQgetvalue(r, 0, 20)))),
                   Instant(std::chrono::milliseconds(to_i64(PQgetvalue(r, 0, 21)))),
                   std::chrono::seconds(to_i64(PQgetvalue(r, 0, 22))));
      if (!PQgetisnull(r, 0, 3)) rows.on_site(screen, text(3), to_u64(PQgetvalue(r, 0, 23)));
    } else if (set == 2) {  // F: plays of one content on one screen and day
      PlayGroup g;
      g.screen = screen;
      g.date = epoch_day(to_i64(PQgetvalue(r, 0, 4)));
      g.campaign = text(5);
      g.item = text(6);
      g.item_type = text(7);
      g.text = text(8);
      g.media = text(9);
      if (!PQgetisnull(r, 0, 10)) g.media_duration_s = std::strtod(PQgetvalue(r, 0, 10), nullptr);
      g.campaign_title = text(11);
      g.tally.complete = to_u64(PQgetvalue(r, 0, 12));
      g.tally.partial = to_u64(PQgetvalue(r, 0, 13));
      g.tally.interrupted = to_u64(PQgetvalue(r, 0, 14));
      g.tally.skipped = to_u64(PQgetvalue(r, 0, 15));
      g.tally.shown_ms = to_i64(PQgetvalue(r, 0, 16));
      g.tally.first_shown = text(17);
      g.tally.last_shown = text(18);
      g.last_seq = to_u64(PQgetvalue(r, 0, 19));
      rows.on_group(g);
    }
  });
  if (!st) return st.error();
  return true;
}

Status CentralDb::heartbeats(Date from, Date to, const CentralHeartbeatFn& on_heartbeat) {
  const std::vector<std::optional<std::string>> window = record_window(from, to);
  return c_->stream(R"sql(
      SELECT screen, time, interval_s, body->>'clock_source', body->>'clock_offset_ms' FROM heartbeats
       WHERE at >= $1::timestamptz AND at < $2::timestamptz ORDER BY screen, id)sql",
                    window, [&](const PGresult* r) {
                      LastHeartbeat hb;
                      hb.time = PQgetvalue(r, 0, 1);
                      hb.interval_s = std::strtod(PQgetvalue(r, 0, 2), nullptr);
                      hb.clock_source = PQgetvalue(r, 0, 3);
                      // Offsets are never negative: a NULL or empty one reads as "not said".
                      if (!PQgetisnull(r, 0, 4) && *PQgetvalue(r, 0, 4) != '\0') {
                        hb.clock_offset_ms = std::strtod(PQgetvalue(r, 0, 4), nullptr);
                      }
                      on_heartbeat(PQgetvalue(r, 0, 0), hb);
                    });
}

Result<std::vector<StoredProblem>> CentralDb::stored_problems(const std::optional<std::string>& screen) {
  auto rows = c_->query(R"sql(
      SELECT r.screen, r.seq,
             encode(sha256(convert_to(r.line || E'\n', 'UTF8')), 'hex') <> r.line_sha256,
             CASE WHEN r.body IS NULL THEN false ELSE r.body <> r.line::jsonb END,
             c.line_sha256 IS DISTINCT FROM r.line_sha256 OR c.prev IS DISTINCT FROM r.prev
        FROM records r LEFT JOIN chain c ON c.screen = r.screen AND c.seq = r.seq
       WHERE ($1::text IS NULL OR r.screen = $1)
         AND (encode(sha256(convert_to(r.line || E'\n', 'UTF8')), 'hex') <> r.line_sha256
              OR CASE WHEN r.body IS NULL THEN false ELSE r.body <> r.line::jsonb END
              OR c.line_sha256 IS DISTINCT FROM r.line_sha256 OR c.prev IS DISTINCT FROM r.prev)
       ORDER BY r.screen, r.seq)sql",
                        {screen});
  if (!rows) return rows.error();
  std::vector<StoredProblem> out;
  for (int i = 0; i < PQntuples(rows->get()); ++i) {
    const PGresult* r = rows->get();
    StoredProblem p{PQgetvalue(r, i, 0), to_u64(PQgetvalue(r, i, 1)), {}};
    if (std::string_view(PQgetvalue(r, i, 2)) == "t") {
      p.what = _("the stored line no longer has the SHA-256 it arrived with: it was edited in the database");
    } else if (std::string_view(PQgetvalue(r, i, 3)) == "t") {
      p.what = _("the stored record (body) differs from its line: it was edited in the database");
    } else {
      p.what = _("the key table (chain) and the records table disagree about this record's hashes");
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace signage
