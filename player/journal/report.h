// `signage report`: the activity statistics table (统计表) the district bureau asks
// for, built from one or more screens' journals and/or the central log.
//
//   build_report (this file: reads folders, verifies them)
//     -> Report (report_model.h: plain values, per screen, day, item, bands apart)
//     -> renderers (report_render.h: CSV, Markdown, HTML, Excel, JSON)
//
// The counting rules are in report_model.h and docs/journal-format.md. Reading:
//  - every folder is verified first; a broken chain does not hide its records, it is
//    flagged on that screen in every output format;
//  - records are de-duplicated by (screen, seq), so passing a folder twice, or a
//    journal and its central copy, counts nothing twice;
//  - a path may also be the central log (journal/central.h), told apart from a
//    journal by its content; each of its screens gets the continuity, chain and
//    heartbeat-anchor checks in place of `verify`, and is listed as dark when its
//    last heartbeat before `as_of` is older than 3 heartbeat intervals;
//  - `db` reads the central log from PostgreSQL instead (or as well): the same
//    checks, done in SQL, and the same records, so the same tables;
//  - who a screen belongs to (unit, location, contact) comes from --config files
//    (ReportRequest::identities) and, for screens no config names, from the screens'
//    own `start` records.
// Thread: any; the functions only read files and build values.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "journal/report_labels.h"
#include "journal/report_model.h"

namespace signage {

struct ReportRequest {
  std::vector<std::filesystem::path> paths;  // journal folders, central log folders or files
  std::optional<std::string> db;             // the central database (journal/central_db.h), a libpq URL
  Date from;
  Date to;
  std::optional<std::string> campaign;       // only this campaign
  std::optional<Instant> as_of;              // central logs: nullopt = the end of `to` in UTC
  std::vector<ScreenIdentity> identities;    // from --config; the first is the reporting unit
  ReportLang lang = ReportLang::zh;          // of the error messages
};

// The default `as_of`: the end of `to` (midnight after it in `zone`), or `now` if
// that is earlier.
Instant default_as_of(Date to, Instant now, const TimeZone& zone);

// Fails, with one message in the request's language, when a path does not exist or
// cannot be read, when from > to, or when `campaign` names no campaign with a play
// in the range (the message lists those that have one). A broken chain is not a
// failure (see ScreenChain::verify).
Result<Report> build_report(const ReportRequest& request);

}  // namespace signage
