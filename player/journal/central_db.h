// The central log in PostgreSQL (packaging/central/schema.sql, filled by rsyslog's
// ompgsql through packaging/central/signage-central-pgsql.conf), read back with
// libpq for `signage report --db URL` and `signage verify --db URL`.
//
// The checks of journal/central.h, done by the database: per screen, the records
// stored (one per (screen, seq)), the repeats and conflicting copies received, the
// seq gaps from 1 to the highest seq, the chain between neighbours (a record's prev
// against the previous record's line_sha256), the heartbeat anchors and whether the
// screen is dark at `as_of`; all in SQL (window functions and joins), so the answer
// is the same CentralScreen the file reader builds, and the report built from it is
// the file report's, format for format.
//
// verify --db also checks what is stored against itself: every record's line still
// hashes to its line_sha256, the jsonb copy is still the line, and the key table
// agrees with the records table. An edit made in the database shows there; an edit
// that rewrote the hashes as well breaks the chain at the next record.
//
// URL: a libpq connection string or URI ("postgresql://user@host:port/db",
// "host=/run/postgresql dbname=signage"); libpq's environment (PGPASSWORD, PGSSLMODE,
// ~/.pgpass) applies.
// Thread: a CentralDb is one connection, used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "journal/central.h"
#include "journal/report_model.h"

namespace signage {

// A stored record that no longer matches itself (verify --db).
struct StoredProblem {
  std::string screen;
  std::uint64_t seq = 0;
  std::string what;  // for a person
};

class CentralDb {
 public:
  // Connects, and checks that the schema is there. The error names the URL (without
  // its password) and says what to do.
  static Result<CentralDb> connect(const std::string& url);
  ~CentralDb();
  CentralDb(CentralDb&&) noexcept;
  CentralDb& operator=(CentralDb&&) noexcept;

  // The URL as given, its password (if any) left out: for messages and reports.
  const std::string& name() const;

  // Every screen (or only `screen`) with the central checks done in SQL, by id.
  Result<std::vector<CentralScreen>> screens(Instant as_of, const std::optional<std::string>& screen = {});

  // Streams the records a report over [from, to] needs, by screen then seq: those
  // stored with `at` from two days before `from` to two days after `to` (times of
  // any offset, and a play running over midnight), and each screen's last `start`
  // before that when no `stop` followed it (the session that was running). Only
  // records whose line was read whole (as the file reader passes on).
  Status records(Date from, Date to, const CentralRecordFn& on_record);
  // The report's plays aggregated in SQL to the finest grain (screen, day, content:
  // journal/report_model.h), over the same window as records(): what reaches the
  // client is one row per group, one per run of plays between two other records
  // (the running time) and the records that need a rule only the report builder
  // has, which are
  //  - every record that is not a play (start, stop, events: a few a day),
  //  - band plays (ticker, header: their time is merged across overlaps),
  //  - plays whose `start` or `end` is not a plain time stamp (seconds, at most
  //    three decimals, Z or +HH:MM, a year from 1970), whose shown_s or planned_s
  //    is not a plain number below 10^9, or whose `screen` is not the sender's;
  // those arrive first, by screen and seq, through on_record. The statement reads
  // the columns ingestion fills from each record (schema.sql: `counted`, `play_*`),
  // no jsonb. Returns false, having passed nothing on, when a record names a screen
  // other than its sender's (such a fleet is read with records(): they may
  // duplicate another screen's seqs), or when the schema predates those columns.
  struct ReportRows {
    CentralRecordFn on_record;
    std::function<void(const PlayGroup&)> on_group;
    std::function<void(const std::string& screen, std::uint64_t first_seq, Instant a, Instant b,
                       std::chrono::seconds offset)>
        on_span;
    std::function<void(const std::string& screen, const std::string& site, std::uint64_t seq)> on_site;
  };
  Result<bool> report_rows(Date from, Date to, const ReportRows& rows);
  // Streams the heartbeats of the same window, by screen, in the order received.
  Status heartbeats(Date from, Date to, const CentralHeartbeatFn& on_heartbeat);

  // Stored records that do not match themselves (see above), by screen and seq.
  Result<std::vector<StoredProblem>> stored_problems(const std::optional<std::string>& screen = {});

 private:
  struct Conn;
  explicit CentralDb(std::unique_ptr<Conn> conn);
  std::unique_ptr<Conn> c_;
};

}  // namespace signage
