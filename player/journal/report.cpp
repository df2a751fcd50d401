#include "journal/report.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "journal/central_db.h"
#include "journal/journal.h"

namespace signage {

namespace fs = std::filesystem;
using nlohmann::json;

Instant default_as_of(Date to, Instant now, const TimeZone& zone) {
  const Date after(std::chrono::sys_days(to) + std::chrono::days(1));
  return std::min(now, zone.to_instant(after, std::chrono::milliseconds(0)));
}

namespace {

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool safe_relative(const fs::path& p) {
  if (p.empty() || p.is_absolute()) return false;
  return std::none_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; });
}

// The picture a record names, when it is there (inside the folder).
fs::path evidence_of(const json& j, const fs::path& dir) {
  const fs::path rel = str(j, "evidence");
  if (!safe_relative(rel)) return {};
  std::error_code ec;
  const fs::path pic = dir / rel;
  return fs::is_regular_file(pic, ec) ? pic : fs::path();
}

// One journal folder into the builder. Events carry no `screen`: they belong to the
// screen of the records around them (the folder's name until one says).
Result<ScreenChain> read_journal(const fs::path& dir, const ReportRequest& req, ReportBuilder& builder,
                                 Env& io) {
  const ReportLabels& L = report_labels(req.lang);
  ScreenChain chain;
  chain.dir = dir;
  chain.verify = verify_journal(dir, io);
  auto files = list_journal_files(dir, io);
  if (!files) return Error(fill(L.e_unreadable, {{"path", dir.string()}, {"why", files.error().what()}}));
  // The day before `from` too: a session that began then and ran into the range.
  const Date first(std::chrono::sys_days(req.from) - std::chrono::days(1));
  std::vector<json> waiting;  // records before the first that names its screen
  std::string screen;
  for (const auto& jf : *files) {
    if (jf.date < first) continue;  // a record is written at or after its start, never before
    auto content = io.read_file(jf.path);
    if (!content) return Error(fill(L.e_unreadable, {{"path", jf.path.string()}, {"why", content.error().what()}}));
    std::size_t pos = 0;
    while (pos < content->size()) {
      std::size_t nl = content->find('\n', pos);
      if (nl == std::string::npos) nl = content->size();
      json j = json::parse(std::string_view(*content).substr(pos, nl - pos), nullptr, false);
      pos = nl + 1;
      if (!j.is_object()) continue;  // flagged by verify
      if (const std::string s = str(j, "screen"); !s.empty()) {
        if (chain.screen.empty()) chain.site = str(j, "site");
        if (chain.screen.empty()) chain.screen = s;
        screen = s;
        for (const auto& w : waiting) builder.add_record(screen, w, evidence_of(w, dir));
        waiting.clear();
      }
      if (screen.empty()) {
        waiting.push_back(std::move(j));
      } else {
        builder.add_record(screen, j, evidence_of(j, dir));
      }
    }
  }
  if (chain.screen.empty()) chain.screen = dir.filename().string();
  for (const auto& w : waiting) builder.add_record(chain.screen, w, evidence_of(w, dir));
  return chain;
}

// A screen of the central log (files or database) as the report lists it.
ScreenChain central_chain(CentralScreen cs, const fs::path& dir) {
  ScreenChain chain;
  chain.dir = dir;
  chain.screen = cs.screen;  // the sender's name, as the central log files it
  chain.site = cs.site;
  chain.verify.ok = cs.intact();
  chain.verify.records = cs.records;
  chain.verify.first_seq = cs.first_seq;
  chain.verify.last_seq = cs.last_seq;
  if (!chain.verify.ok) chain.verify.reason = cs.summary();
  chain.central = std::move(cs);
  return chain;
}

// The central database's records and heartbeats into the builder; one ScreenChain
// per screen, checked in SQL.
Result<std::vector<ScreenChain>> read_db(const std::string& url, Instant as_of, const ReportRequest& req,
                                         ReportBuilder& builder) {
  auto db = CentralDb::connect(url);
  if (!db) return db.error();
  auto screens = db->screens(as_of);
  if (!screens) return screens.error();
  auto add = [&](const std::string& screen, std::uint64_t, const json& record) {
    const std::string own = str(record, "screen");
    builder.add_record(own.empty() ? screen : own, record);
  };
  // With no other source the plays are aggregated in SQL; with journals or central
  // files as well every record comes, so that the builder drops the duplicates.
  bool aggregated = false;
  if (req.paths.empty()) {
    auto done = db->report_rows(req.from, req.to,
                                {add, [&](const PlayGroup& g) { builder.add_play_group(g); },
                                 [&](const std::string& screen, std::uint64_t seq, Instant a, Instant b,
                                     std::chrono::seconds offset) { builder.add_play_span(screen, seq, a, b, offset); },
                                 [&](const std::string& screen, const std::string& site, std::uint64_t seq) {
                                   builder.add_site(screen, site, seq);
                                 }});
    if (!done) return done.error();
    aggregated = *done;
  }
  Status st;
  if (!aggregated) st = db->records(req.from, req.to, add);
  if (!st) return st.error();
  st = db->heartbeats(req.from, req.to, [&](const std::string& screen, const LastHeartbeat& hb) {
    builder.add_heartbeat(screen, hb);
  });
  if (!st) return st.error();
  std::vector<ScreenChain> out;
  for (auto& cs : *screens) out.push_back(central_chain(std::move(cs), db->name()));
  return out;
}

// The central log's screens into the builder; one ScreenChain per screen.
Result<std::vector<ScreenChain>> read_central(const std::vector<fs::path>& paths, Instant as_of,
                                              const ReportRequest& req, ReportBuilder& builder,
                                              std::vector<std::string>& problems, Env& io) {
  auto central = read_central_log(
      paths, as_of,
      [&](const std::string& screen, std::uint64_t, const json& record) {
        const std::string own = str(record, "screen");
        builder.add_record(own.empty() ? screen : own, record);
      },
      [&](const std::string& screen, const LastHeartbeat& hb) { builder.add_heartbeat(screen, hb); }, io);
  if (!central) {
    const ReportLabels& L = report_labels(req.lang);
    return Error(fill(L.e_unreadable, {{"path", paths.front().string()}, {"why", central.error().what()}}));
  }
  problems = central->problems;
  std::vector<ScreenChain> out;
  for (auto& cs : central->screens) {
    out.push_back(central_chain(std::move(cs), paths.size() == 1 ? paths.front() : fs::path()));
  }
  return out;
}

std::optional<Error> check_request(const ReportRequest& req) {
  const ReportLabels& L = report_labels(req.lang);
  if (req.from > req.to) {
    return Error(fill(L.e_from_after_to, {{"from", format_date(req.from)}, {"to", format_date(req.to)}}));
  }
  if (req.paths.empty() && !req.db) return Error(L.e_no_paths);
  for (const auto& p : req.paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) return Error(fill(L.e_missing, {{"path", p.string()}}));
  }
  return std::nullopt;
}

Error no_such_campaign(const ReportRequest& req, const std::set<std::string>& there) {
  const ReportLabels& L = report_labels(req.lang);
  std::string list;
  for (const auto& c : there) list += (list.empty() ? "" : L.list_sep) + c;
  const std::string from = report_date(req.from, req.lang), to = report_date(req.to, req.lang);
  if (there.empty()) return Error(fill(L.e_no_campaign_none, {{"id", *req.campaign}, {"from", from}, {"to", to}}));
  return Error(fill(L.e_no_campaign, {{"id", *req.campaign}, {"from", from}, {"to", to}, {"list", list}}));
}

}  // namespace

Result<Report> build_report(const ReportRequest& req) {
  if (auto e = check_request(req)) return *e;
  const Instant as_of =
      req.as_of.value_or(Instant(std::chrono::sys_days(req.to) + std::chrono::days(1)));
  ReportBuilder builder(req.from, req.to, req.campaign);
  PosixEnv io(false);
  std::vector<ScreenChain> chains;
  std::vector<fs::path> central_paths;
  for (const auto& path : req.paths) {
    if (is_central_log(path, io)) {
      central_paths.push_back(path);
      continue;
    }
    auto chain = read_journal(path, req, builder, io);
    if (!chain) return chain.error();
    chains.push_back(std::move(*chain));
  }
  std::vector<std::string> problems;
  if (!central_paths.empty()) {
    auto central = read_central(central_paths, as_of, req, builder, problems, io);
    if (!central) return central.error();
    for (auto& c : *central) chains.push_back(std::move(c));
  }
  if (req.db) {
    auto db = read_db(*req.db, as_of, req, builder);
    if (!db) return db.error();
    for (auto& c : *db) chains.push_back(std::move(c));
  }
  if (req.campaign && builder.campaigns_in_range().count(*req.campaign) == 0) {
    return no_such_campaign(req, builder.campaigns_in_range());
  }
  Report report = builder.finish(std::move(chains), req.identities);
  report.as_of = as_of;
  report.problems = std::move(problems);
  return report;
}

}  // namespace signage
