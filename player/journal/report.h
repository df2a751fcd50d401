// `signage report`: the activity statistics table the district bureau asks for,
// built from one or more screens' journals.
//
// Counting rules (also in docs/journal-format.md):
//  - only `play` records count; a play belongs to the local date of its `start`,
//    and is in the report when that date is within [from, to];
//  - plays = outcome complete or interrupted (the item was on screen); complete =
//    outcome complete; skipped plays are counted apart and add no minutes;
//  - minutes = sum of shown_s / 60 of the plays; days on air = distinct dates with
//    at least one play; first/last shown = earliest/latest `start`;
//  - every folder is verified first; a broken chain does not hide its records, it is
//    flagged on that screen in every output format;
//  - records are de-duplicated by (screen, seq), so passing a folder twice, or a
//    copy of it, counts nothing twice;
//  - a path may also be the central log (journal/central.h: the files rsyslog writes
//    with packaging/rsyslog/signage-central.conf: the root, one screen's folder or one
//    file), told apart from a journal by its content. Its records count like a
//    journal's (and a screen's journal and its central copy together count once);
//    each screen in it gets its continuity, chain and heartbeat-anchor checks in
//    place of `verify`, and is listed as dark when its last heartbeat before `as_of`
//    is older than 3 heartbeat intervals.
// Thread: any; the functions only read files and build values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "journal/central.h"
#include "journal/verify.h"

namespace signage {

struct PlayTotals {
  std::uint64_t plays = 0;
  std::uint64_t complete = 0;
  std::uint64_t skipped = 0;
  double minutes = 0;
  std::set<Date> days;      // dates with a play; days on air = days.size()
  std::string first_shown;  // local start, as in the record
  std::string last_shown;
};

struct ReportRow {
  std::string screen;  // empty in per-campaign and per-item rows
  std::string site;
  std::string campaign;
  std::string campaign_title;
  std::string item;    // empty in per-campaign and per-screen rows
  std::string item_type;
  PlayTotals totals;
};

struct DayRow {
  Date date;
  PlayTotals totals;
};

struct ScreenChain {
  std::filesystem::path dir;
  std::string screen;  // from its records (the folder name when it has none)
  std::string site;
  VerifyResult verify;  // for a central copy: ok = central->intact(), reason = its summary
  std::optional<CentralScreen> central;  // set when the screen comes from the central log
};

// A thumbnail for the HTML report: the first picture of each item on each screen.
struct EvidenceShot {
  std::filesystem::path file;  // absolute
  std::string screen;
  std::string campaign;
  std::string item;
  std::string start;
};

struct Report {
  Date from;
  Date to;
  std::optional<std::string> campaign;  // the filter, if any
  std::vector<ScreenChain> screens;     // in the order of the folders given
  std::vector<ReportRow> by_campaign;   // sorted by campaign id
  std::vector<ReportRow> by_item;       // by campaign, then item
  std::vector<ReportRow> by_screen;     // by screen, then campaign
  std::vector<DayRow> by_day;           // every date from `from` to `to`, plays or not
  PlayTotals total;
  std::vector<EvidenceShot> evidence;
  Instant as_of{};                      // the moment dark screens are judged at
  std::vector<std::string> problems;    // central log lines that could not be read

  bool all_chains_intact() const;
  bool has_central() const;
  // Screens of the central log whose heartbeat stopped (see CentralScreen::dark).
  std::vector<const ScreenChain*> dark_screens() const;
};

// The default `as_of`: the end of `to` (midnight after it in `zone`), or `now` if
// that is earlier.
Instant default_as_of(Date to, Instant now, const TimeZone& zone);

// Fails when a folder cannot be read at all, or when from > to. A broken chain is
// not a failure (see ScreenChain::verify). `as_of` only matters for central logs;
// nullopt: the end of `to` in UTC.
Result<Report> build_report(const std::vector<std::filesystem::path>& dirs, Date from, Date to,
                            std::optional<std::string> campaign, std::optional<Instant> as_of = std::nullopt);

// One rectangular table (a "level" column says campaign / item / screen / day /
// total), UTF-8 with a BOM and CRLF line ends, quoted per RFC 4180, so that a
// spreadsheet opens it with the Chinese text intact.
std::string report_csv(const Report& report);
std::string report_markdown(const Report& report);
// One self-contained page: inline CSS, inline SVG charts, thumbnails as data: URIs.
std::string report_html(const Report& report);

}  // namespace signage
