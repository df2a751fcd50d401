#include "journal/report.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "journal/journal.h"

namespace signage {

namespace fs = std::filesystem;
using nlohmann::json;

bool Report::all_chains_intact() const {
  return std::all_of(screens.begin(), screens.end(), [](const ScreenChain& s) { return s.verify.ok; });
}

namespace {

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double num(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::optional<Date> date_of(const std::string& iso) {
  if (iso.size() < 10) return std::nullopt;
  return parse_journal_file_name(iso.substr(0, 10) + ".jsonl");
}

void add(PlayTotals& t, const std::string& outcome, double shown_s, Date date, const std::string& start) {
  if (outcome == "skipped") {
    ++t.skipped;
    return;
  }
  ++t.plays;
  if (outcome == "complete") ++t.complete;
  t.minutes += shown_s / 60.0;
  t.days.insert(date);
  // ISO 8601 strings with the same offset sort as times; across offsets this is
  // approximate, which is fine for "first/last shown" on screens in one zone.
  if (t.first_shown.empty() || start < t.first_shown) t.first_shown = start;
  if (t.last_shown.empty() || start > t.last_shown) t.last_shown = start;
}

}  // namespace

bool Report::has_central() const {
  return std::any_of(screens.begin(), screens.end(), [](const ScreenChain& s) { return s.central.has_value(); });
}

std::vector<const ScreenChain*> Report::dark_screens() const {
  std::vector<const ScreenChain*> out;
  for (const auto& s : screens) {
    if (s.central && s.central->dark) out.push_back(&s);
  }
  return out;
}

Instant default_as_of(Date to, Instant now, const TimeZone& zone) {
  const Date after(std::chrono::sys_days(to) + std::chrono::days(1));
  return std::min(now, zone.to_instant(after, std::chrono::milliseconds(0)));
}

Result<Report> build_report(const std::vector<fs::path>& dirs, Date from, Date to,
                            std::optional<std::string> campaign, std::optional<Instant> as_of) {
  if (from > to) {
    return Error("report: --from " + format_date(from) + " is after --to " + format_date(to));
  }
  if (dirs.empty()) return Error("report: no journal folder given");
  Report report;
  report.from = from;
  report.to = to;
  report.campaign = campaign;
  report.as_of = as_of.value_or(
      Instant(std::chrono::sys_days(to) + std::chrono::days(1)));

  using Key3 = std::tuple<std::string, std::string, std::string>;
  std::map<std::string, ReportRow> by_campaign;
  std::map<std::pair<std::string, std::string>, ReportRow> by_item;
  std::map<std::pair<std::string, std::string>, ReportRow> by_screen;
  std::map<Date, PlayTotals> by_day;
  std::set<std::pair<std::string, std::uint64_t>> seen;
  std::set<Key3> shot_taken;
  PosixJournalIo io(false);

  // One journal record, from a journal folder `dir` (empty for the central log,
  // which has no pictures). `chain` learns the screen and site.
  auto count_record = [&](const json& j, const fs::path& dir, ScreenChain& chain) {
    if (!j.is_object()) return;  // flagged by verify
    const std::string screen = str(j, "screen");
    if (chain.screen.empty() && !screen.empty()) {
      chain.screen = screen;
      chain.site = str(j, "site");
    }
    if (str(j, "type") != "play") return;
    const std::string camp = str(j, "campaign");
    if (campaign && camp != *campaign) return;
    const std::string start = str(j, "start");
    const auto date = date_of(start);
    if (!date || *date < from || *date > to) return;
    const auto seq_it = j.find("seq");
    if (seq_it != j.end() && seq_it->is_number_unsigned() &&
        !seen.insert({screen, seq_it->get<std::uint64_t>()}).second) {
      return;
    }
    const std::string item = str(j, "item");
    const std::string title = str(j, "campaign_title");
    const std::string outcome = str(j, "outcome");
    const double shown = num(j, "shown_s");

    auto& c = by_campaign[camp];
    c.campaign = camp;
    if (!title.empty()) c.campaign_title = title;
    add(c.totals, outcome, shown, *date, start);

    auto& i = by_item[{camp, item}];
    i.campaign = camp;
    if (!title.empty()) i.campaign_title = title;
    i.item = item;
    i.item_type = str(j, "item_type");
    add(i.totals, outcome, shown, *date, start);

    auto& s = by_screen[{screen, camp}];
    s.screen = screen;
    s.site = str(j, "site");
    s.campaign = camp;
    if (!title.empty()) s.campaign_title = title;
    add(s.totals, outcome, shown, *date, start);

    add(by_day[*date], outcome, shown, *date, start);
    add(report.total, outcome, shown, *date, start);

    const std::string evidence = str(j, "evidence");
    if (!dir.empty() && !evidence.empty() && !shot_taken.count({screen, camp, item})) {
      std::error_code ec;
      const fs::path pic = dir / evidence;
      if (fs::is_regular_file(pic, ec)) {
        shot_taken.insert({screen, camp, item});
        report.evidence.push_back({pic, screen, camp, item, start});
      }
    }
  };

  std::vector<fs::path> central_paths;
  for (const auto& dir : dirs) {
    if (is_central_log(dir)) {
      central_paths.push_back(dir);
      continue;
    }
    ScreenChain chain;
    chain.dir = dir;
    chain.verify = verify_journal(dir, io);
    auto files = list_journal_files(dir, io);
    if (!files) return Error("report: cannot read journal folder " + dir.string(), files.error());
    for (const auto& jf : *files) {
      if (jf.date < from) continue;  // a play is written when it ends, never before its start date
      auto content = io.read_file(jf.path);
      if (!content) return Error("report: cannot read a journal file", content.error());
      std::size_t pos = 0;
      while (pos < content->size()) {
        std::size_t nl = content->find('\n', pos);
        if (nl == std::string::npos) nl = content->size();
        count_record(json::parse(std::string_view(*content).substr(pos, nl - pos), nullptr, false), dir, chain);
        pos = nl + 1;
      }
    }
    if (chain.screen.empty()) chain.screen = dir.filename().string();
    report.screens.push_back(std::move(chain));
  }

  if (!central_paths.empty()) {
    ScreenChain unused;  // the central screens' names and sites come from read_central_log
    auto central = read_central_log(central_paths, report.as_of,
                                    [&](const std::string&, std::uint64_t, const json& record) {
                                      count_record(record, fs::path(), unused);
                                    });
    if (!central) return Error("report", central.error());
    report.problems = central->problems;
    for (auto& cs : central->screens) {
      ScreenChain chain;
      chain.dir = central_paths.size() == 1 ? central_paths.front() : fs::path();
      chain.screen = cs.screen;  // the sender's name, as the central log files it
      chain.site = cs.site;
      chain.verify.ok = cs.intact();
      chain.verify.records = cs.records;
      chain.verify.first_seq = cs.first_seq;
      chain.verify.last_seq = cs.last_seq;
      if (!chain.verify.ok) chain.verify.reason = cs.summary();
      chain.central = std::move(cs);
      report.screens.push_back(std::move(chain));
    }
  }

  for (const auto& [k, row] : by_campaign) report.by_campaign.push_back(row);
  // One title per campaign everywhere: the one its per-campaign row ended with.
  for (auto& [k, row] : by_item) {
    row.campaign_title = by_campaign[row.campaign].campaign_title;
    report.by_item.push_back(std::move(row));
  }
  for (auto& [k, row] : by_screen) {
    row.campaign_title = by_campaign[row.campaign].campaign_title;
    report.by_screen.push_back(std::move(row));
  }
  for (auto d = std::chrono::sys_days(from); d <= std::chrono::sys_days(to); d += std::chrono::days(1)) {
    const Date date(d);
    const auto it = by_day.find(date);
    report.by_day.push_back({date, it == by_day.end() ? PlayTotals{} : it->second});
  }
  return report;
}

// ---------------------------------------------------------------- rendering

namespace {

std::string fixed2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string chain_text(const ScreenChain& s) {
  if (s.central) {
    return std::string(s.central->intact() ? "完整 intact (" : "已损坏 BROKEN (") + s.central->summary() + ")";
  }
  if (s.verify.ok) return "完整 intact (" + std::to_string(s.verify.records) + " records)";
  return "已损坏 BROKEN: " + s.verify.summary();
}

std::string source_text(const ScreenChain& s) { return s.central ? "中央日志 central log" : "本机日志 journal"; }

std::string as_of_text(const Report& r) {
  return format_iso8601(fixed_offset_zone(std::chrono::seconds(0))->to_local(r.as_of), false);
}

std::string dark_list(const Report& r) {
  std::string out;
  for (const ScreenChain* s : r.dark_screens()) out += (out.empty() ? "" : ", ") + s->screen;
  return out.empty() ? "无 none" : out;
}

// "在线 online: last heartbeat …" / "离线 DARK: …", for screens of the central log.
std::string heartbeat_text(const ScreenChain& s) {
  if (!s.central) return "";
  return std::string(s.central->dark ? "离线 " : "在线 online: ") + s.central->heartbeat_summary();
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (const char c : v) {
    if (c == '"') out += "\"\"";
    else out.push_back(c);
  }
  out += "\"";
  return out;
}

void csv_row(std::string& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += csv_field(fields[i]);
  }
  out += "\r\n";
}

std::vector<std::string> totals_fields(const PlayTotals& t) {
  return {std::to_string(t.plays), std::to_string(t.complete), std::to_string(t.skipped), fixed2(t.minutes),
          std::to_string(t.days.size()), t.first_shown, t.last_shown};
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n' || c == '\r') out += ' ';
    else out.push_back(c);
  }
  return out;
}

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string titles(const Report& r) {
  std::string s;
  for (const auto& c : r.by_campaign) {
    if (!s.empty()) s += "; ";
    s += c.campaign_title.empty() ? c.campaign : c.campaign_title + " (" + c.campaign + ")";
  }
  if (s.empty()) s = r.campaign ? *r.campaign : "—";
  return s;
}

const char* kTotalsHeads[] = {"播放次数 Plays",        "完整播放 Complete plays", "跳过 Skipped",
                              "播放分钟 Minutes shown", "在播天数 Days on air",    "首次播放 First shown",
                              "最后播放 Last shown"};

}  // namespace

std::string report_csv(const Report& r) {
  std::string out = "\xEF\xBB\xBF";
  std::vector<std::string> head = {"级别 Level",  "屏幕 Screen", "场所 Site", "活动 Campaign", "活动名称 Campaign title",
                                   "内容 Item",   "类型 Type",   "日期 Date"};
  for (const char* h : kTotalsHeads) head.emplace_back(h);
  head.emplace_back("日志校验 Journal chain");
  const bool central = r.has_central();
  if (central) head.emplace_back("心跳 Heartbeat");
  csv_row(out, head);
  auto row = [&](const std::string& level, const ReportRow& x, const std::string& date, const std::string& chain,
                 const std::string& heartbeat) {
    std::vector<std::string> f = {level, x.screen, x.site, x.campaign, x.campaign_title, x.item, x.item_type, date};
    for (auto& t : totals_fields(x.totals)) f.push_back(std::move(t));
    f.push_back(chain);
    if (central) f.push_back(heartbeat);
    csv_row(out, f);
  };
  // A screen's journal and its central copy may both be there: both statuses.
  auto screen_texts = [&](const std::string& screen) {
    std::pair<std::string, std::string> t;
    for (const auto& s : r.screens) {
      if (s.screen != screen) continue;
      t.first += (t.first.empty() ? "" : " / ") + chain_text(s);
      if (s.central) t.second = heartbeat_text(s);
    }
    return t;
  };
  for (const auto& x : r.by_campaign) row("campaign", x, "", "", "");
  for (const auto& x : r.by_item) row("item", x, "", "", "");
  for (const auto& x : r.by_screen) {
    const auto [chain, heartbeat] = screen_texts(x.screen);
    row("screen", x, "", chain, heartbeat);
  }
  std::set<std::string> done;
  for (const auto& s : r.screens) {
    // Screens with no plays in range still show their chain status.
    const bool listed = std::any_of(r.by_screen.begin(), r.by_screen.end(),
                                    [&](const ReportRow& x) { return x.screen == s.screen; });
    if (!listed && done.insert(s.screen).second) {
      ReportRow x;
      x.screen = s.screen;
      x.site = s.site;
      const auto [chain, heartbeat] = screen_texts(s.screen);
      row("screen", x, "", chain, heartbeat);
    }
  }
  for (const auto& d : r.by_day) {
    ReportRow x;
    x.totals = d.totals;
    row("day", x, format_date(d.date), "", "");
  }
  ReportRow total;
  total.totals = r.total;
  row("total", total, format_date(r.from) + " to " + format_date(r.to),
      r.all_chains_intact() ? "完整 intact" : "已损坏 BROKEN",
      central ? std::to_string(r.dark_screens().size()) + " 离线 dark" : "");
  return out;
}

namespace {

// The per-campaign, per-item and per-screen tables, shared by the Markdown and HTML
// renderers: a title, the key column heads, and each row's keys with its totals.
using TotalsRows = std::vector<std::pair<std::vector<std::string>, const PlayTotals*>>;
struct BreakdownTable {
  std::string title;
  std::vector<std::string> heads;
  TotalsRows rows;
};

std::vector<BreakdownTable> breakdown_tables(const Report& r) {
  std::vector<BreakdownTable> t(3);
  t[0] = {"按活动 By campaign", {"活动 Campaign", "活动名称 Title"}, {}};
  for (const auto& x : r.by_campaign) t[0].rows.push_back({{x.campaign, x.campaign_title}, &x.totals});
  t[1] = {"按内容 By item", {"活动 Campaign", "内容 Item", "类型 Type"}, {}};
  for (const auto& x : r.by_item) t[1].rows.push_back({{x.campaign, x.item, x.item_type}, &x.totals});
  t[2] = {"按屏幕 By screen", {"屏幕 Screen", "场所 Site", "活动 Campaign"}, {}};
  for (const auto& x : r.by_screen) t[2].rows.push_back({{x.screen, x.site, x.campaign}, &x.totals});
  return t;
}

// Per day, every date of the range, then the grand total.
BreakdownTable day_table(const Report& r) {
  BreakdownTable t{"按日 By day", {"日期 Date"}, {}};
  for (const auto& d : r.by_day) t.rows.push_back({{format_date(d.date)}, &d.totals});
  t.rows.push_back({{"合计 Total"}, &r.total});
  return t;
}

}  // namespace

std::string report_markdown(const Report& r) {
  std::string out = "# 播放统计表 Play statistics\n\n";
  out += "- 活动 Campaigns: " + md_escape(titles(r)) + "\n";
  out += "- 日期 Dates: " + format_date(r.from) + " to " + format_date(r.to) + "\n";
  out += "- 日志校验 Journal chain: " + std::string(r.all_chains_intact() ? "完整 intact" : "已损坏 BROKEN") + "\n";
  const bool central = r.has_central();
  if (central) {
    out += "- 截至 As of: " + as_of_text(r) + "\n";
    out += "- 离线屏幕 Dark screens: " + md_escape(dark_list(r)) + "\n";
  }
  out += "\n## 屏幕日志 Screens\n\n| 屏幕 Screen | 场所 Site | 来源 Source | 日志校验 Journal chain |";
  out += central ? " 心跳 Heartbeat |\n|---|---|---|---|---|\n" : "\n|---|---|---|---|\n";
  for (const auto& s : r.screens) {
    out += "| " + md_escape(s.screen) + " | " + md_escape(s.site) + " | " + source_text(s) + " | " +
           md_escape(chain_text(s)) + " |";
    if (central) out += " " + md_escape(heartbeat_text(s)) + " |";
    out += "\n";
  }
  auto table = [&](const std::string& title, const std::vector<std::string>& keys,
                   const std::vector<std::pair<std::vector<std::string>, const PlayTotals*>>& rows) {
    out += "\n## " + title + "\n\n|";
    for (const auto& k : keys) out += " " + k + " |";
    for (const char* h : kTotalsHeads) out += " " + std::string(h) + " |";
    out += "\n|";
    for (std::size_t i = 0; i < keys.size() + std::size(kTotalsHeads); ++i) out += "---|";
    out += "\n";
    for (const auto& [k, t] : rows) {
      out += "|";
      for (const auto& v : k) out += " " + md_escape(v) + " |";
      for (const auto& v : totals_fields(*t)) out += " " + md_escape(v) + " |";
      out += "\n";
    }
  };
  for (const auto& t : breakdown_tables(r)) table(t.title, t.heads, t.rows);
  const BreakdownTable days = day_table(r);
  table(days.title, days.heads, days.rows);
  return out;
}

namespace {

// Vertical bars, one per label. Values in minutes.
std::string svg_columns(const std::vector<std::pair<std::string, double>>& bars, const std::string& title) {
  const double max = std::max(1e-9, std::max_element(bars.begin(), bars.end(), [](auto& a, auto& b) {
                                      return a.second < b.second;
                                    })->second);
  const int bw = 28, gap = 6, h = 160, top = 24, bottom = 60, left = 40;
  const int width = left + static_cast<int>(bars.size()) * (bw + gap) + 10;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + std::to_string(width) +
                  "\" height=\"" + std::to_string(h + top + bottom) + "\"><title>" + html_escape(title) + "</title>";
  s += "<text x=\"0\" y=\"14\" class=\"axis\">" + fixed2(max) + " min</text>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int bh = static_cast<int>(bars[i].second / max * h + 0.5);
    const int x = left + static_cast<int>(i) * (bw + gap);
    s += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(top + h - bh) + "\" width=\"" +
         std::to_string(bw) + "\" height=\"" + std::to_string(bh) + "\"><title>" + html_escape(bars[i].first) +
         ": " + fixed2(bars[i].second) + " min</title></rect>";
    s += "<text class=\"axis\" transform=\"translate(" + std::to_string(x + bw / 2) + "," +
         std::to_string(top + h + 8) + ") rotate(60)\">" + html_escape(bars[i].first) + "</text>";
  }
  s += "</svg>";
  return s;
}

// Horizontal bars with the label on the left.
std::string svg_rows(const std::vector<std::pair<std::string, double>>& bars, const std::string& title) {
  double max = 1e-9;
  for (const auto& b : bars) max = std::max(max, b.second);
  const int bh = 20, gap = 6, label = 320, w = 360;
  const int height = static_cast<int>(bars.size()) * (bh + gap) + 10;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" + std::to_string(label + w + 90) +
                  "\" height=\"" + std::to_string(height) + "\"><title>" + html_escape(title) + "</title>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int y = static_cast<int>(i) * (bh + gap) + 4;
    const int len = static_cast<int>(bars[i].second / max * w + 0.5);
    s += "<text class=\"axis\" x=\"" + std::to_string(label - 6) + "\" y=\"" + std::to_string(y + 15) +
         "\" text-anchor=\"end\">" + html_escape(bars[i].first) + "</text>";
    s += "<rect x=\"" + std::to_string(label) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(len) +
         "\" height=\"" + std::to_string(bh) + "\"/>";
    s += "<text class=\"axis\" x=\"" + std::to_string(label + len + 4) + "\" y=\"" + std::to_string(y + 15) + "\">" +
         fixed2(bars[i].second) + "</text>";
  }
  s += "</svg>";
  return s;
}

}  // namespace

std::string report_html(const Report& r) {
  std::string o;
  o += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  o += "<title>播放统计表 Play statistics " + format_date(r.from) + " – " + format_date(r.to) + "</title>\n";
  o += "<style>\n"
       "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}\n"
       "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}\n"
       "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}\n"
       "th{background:#f0f0f0}td.n{text-align:right}.ok{color:#176b17}.bad{color:#b00020;font-weight:bold}\n"
       "svg rect{fill:#c8102e}svg .axis{font-size:11px;fill:#444}\n"
       "figure{display:inline-block;margin:.5em;font-size:.8em}figure img{max-width:240px;border:1px solid #999}\n"
       ".note{color:#555;font-size:.9em}\n"
       "</style>\n</head>\n<body>\n";
  o += "<h1>播放统计表 Play statistics</h1>\n";
  o += "<p>活动 Campaigns: <b>" + html_escape(titles(r)) + "</b><br>日期 Dates: <b>" + format_date(r.from) +
       " – " + format_date(r.to) + "</b><br>日志校验 Journal chain: " +
       (r.all_chains_intact() ? "<span class=\"ok\">完整 intact</span>" : "<span class=\"bad\">已损坏 BROKEN</span>");
  const bool central = r.has_central();
  if (central) {
    o += "<br>截至 As of: " + html_escape(as_of_text(r)) + "<br>离线屏幕 Dark screens: " +
         (r.dark_screens().empty() ? "<span class=\"ok\">" : "<span class=\"bad\">") + html_escape(dark_list(r)) +
         "</span>";
  }
  o += "</p>\n";
  o += "<p class=\"note\">每条播放记录都带有前一条记录的 SHA-256，任何修改、删除或插入都会被发现。"
       " Every play record carries the SHA-256 of the record before it, so any edit, deletion or insertion is "
       "detected. 播放次数 counts items that were on screen (complete or interrupted); 播放分钟 is the time on "
       "screen.</p>\n";

  o += "<h2>屏幕日志 Screens</h2>\n<table>\n<tr><th>屏幕 Screen</th><th>场所 Site</th><th>来源 Source</th><th>日志校验 "
       "Journal chain</th>";
  o += central ? "<th>心跳 Heartbeat</th></tr>\n" : "</tr>\n";
  for (const auto& s : r.screens) {
    o += "<tr><td>" + html_escape(s.screen) + "</td><td>" + html_escape(s.site) + "</td><td>" +
         html_escape(source_text(s)) + "</td><td class=\"" + (s.verify.ok ? "ok" : "bad") + "\">" +
         html_escape(chain_text(s)) + "</td>";
    if (central) {
      o += std::string("<td class=\"") + (s.central && s.central->dark ? "bad" : "ok") + "\">" +
           html_escape(heartbeat_text(s)) + "</td>";
    }
    o += "</tr>\n";
  }
  o += "</table>\n";

  auto table = [&](const std::string& title, const std::vector<std::string>& keys,
                   const std::vector<std::pair<std::vector<std::string>, const PlayTotals*>>& rows) {
    o += "<h2>" + html_escape(title) + "</h2>\n<table>\n<tr>";
    for (const auto& k : keys) o += "<th>" + html_escape(k) + "</th>";
    for (const char* h : kTotalsHeads) o += "<th>" + html_escape(h) + "</th>";
    o += "</tr>\n";
    for (const auto& [k, t] : rows) {
      o += "<tr>";
      for (const auto& v : k) o += "<td>" + html_escape(v) + "</td>";
      const auto f = totals_fields(*t);
      for (std::size_t i = 0; i < f.size(); ++i) o += (i < 5 ? "<td class=\"n\">" : "<td>") + html_escape(f[i]) + "</td>";
      o += "</tr>\n";
    }
    o += "</table>\n";
  };
  for (const auto& t : breakdown_tables(r)) table(t.title, t.heads, t.rows);

  o += "<h2>每日播放分钟 Minutes shown per day</h2>\n";
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& d : r.by_day) bars.push_back({format_date(d.date), d.totals.minutes});
  o += svg_columns(bars, "Minutes shown per day") + "\n";
  o += "<h2>每项内容播放分钟 Minutes shown per item</h2>\n";
  bars.clear();
  for (const auto& x : r.by_item) bars.push_back({x.campaign + " / " + x.item, x.totals.minutes});
  o += (bars.empty() ? std::string("<p>—</p>") : svg_rows(bars, "Minutes shown per item")) + "\n";

  const BreakdownTable days = day_table(r);
  table(days.title, days.heads, days.rows);

  o += "<h2>播放画面截图 Evidence pictures</h2>\n";
  if (r.evidence.empty()) o += "<p>—</p>\n";
  for (const auto& e : r.evidence) {
    std::string bytes;
    if (FILE* f = std::fopen(e.file.c_str(), "rb")) {
      char buf[1 << 15];
      std::size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
      std::fclose(f);
    }
    if (bytes.empty()) continue;
    o += "<figure><img alt=\"" + html_escape(e.item) + "\" src=\"data:image/jpeg;base64," + base64(bytes) +
         "\"><figcaption>" + html_escape(e.screen) + "<br>" + html_escape(e.campaign + " / " + e.item) + "<br>" +
         html_escape(e.start) + "</figcaption></figure>\n";
  }
  o += "</body>\n</html>\n";
  return o;
}

}  // namespace signage
