#include "journal/report_tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace signage {

namespace {

using Cell = ReportCell;
using Row = std::vector<ReportCell>;

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::round(s * 10) / 10);
  return buf;
}

// The outcome columns and the minutes of a tally.
void outcome_cells(Row& row, const Tally& t) {
  row.push_back(Cell::count(t.plays()));
  row.push_back(Cell::count(t.complete));
  row.push_back(Cell::count(t.partial));
  row.push_back(Cell::count(t.interrupted));
  row.push_back(Cell::count(t.skipped));
  row.push_back(Cell::minutes(t.shown_ms));
}

void outcome_heads(std::vector<std::string>& heads, const ReportLabels& L) {
  for (const char* h : {L.h_plays, L.h_complete, L.h_partial, L.h_interrupted, L.h_skipped, L.h_minutes}) {
    heads.emplace_back(h);
  }
}

std::string basis_text(const RunningBasis& b, const ReportLabels& L) {
  std::string s;
  for (const auto& [on, text] : {std::pair{b.start_stop, L.basis_start_stop}, std::pair{b.span, L.basis_span},
                                 std::pair{b.heartbeats, L.basis_heartbeats}}) {
    if (on) s += (s.empty() ? "" : L.list_sep) + std::string(text);
  }
  return s.empty() ? L.none : s;
}

ReportTable make_table(std::string sheet, std::string title, bool total_row, std::size_t keys, std::size_t group,
                       bool wide) {
  ReportTable t;
  t.sheet = std::move(sheet);
  t.title = std::move(title);
  t.total_row = total_row;
  t.keys = keys;
  t.group = group;
  t.wide = wide;
  return t;
}

ReportTable screens_table(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  const bool central = r.has_central();
  ReportTable t = make_table(lang == ReportLang::zh ? "屏幕" : "Screens", L.sec_screens, false, 0, 0, true);
  t.heads = {L.h_no, L.h_screen, L.h_organisation, L.h_location, L.h_contact, L.h_running, L.h_plays,
             L.h_minutes, L.h_days_on_air, L.h_band_passes, L.h_basis, L.chain};
  if (central) t.heads.emplace_back(L.h_heartbeat);
  for (std::size_t i = 0; i < r.screens.size(); ++i) {
    const ScreenRow& s = r.screens[i];
    Row row = {Cell::count(i + 1), Cell::str(s.who.screen), Cell::str(s.who.organisation),
               Cell::str(s.who.location.empty() ? s.who.site : s.who.location), Cell::str(s.who.contact),
               Cell::minutes(s.running_ms), Cell::count(s.main.plays()), Cell::minutes(s.main.shown_ms),
               Cell::count(s.days_on_air), Cell::count(s.band_passes), Cell::str(basis_text(s.basis, L))};
    std::string chain, heartbeat;
    for (const std::size_t c : s.chains) {
      chain += (chain.empty() ? "" : " / ") + chain_text(r.chains[c], lang);
      if (r.chains[c].central) heartbeat = heartbeat_text(r.chains[c], lang);
    }
    row.push_back(Cell::str(chain));
    row.back().bad = !s.intact(r.chains);
    if (central) {
      row.push_back(Cell::str(heartbeat));
      row.back().bad = std::any_of(s.chains.begin(), s.chains.end(), [&](std::size_t c) {
        return r.chains[c].central && r.chains[c].central->dark;
      });
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

ReportTable items_table(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  ReportTable t = make_table(lang == ReportLang::zh ? "宣传内容" : "Items", L.sec_items, true, 0, 0, true);
  t.heads = {L.h_no, L.h_content, L.h_type, L.h_campaign, L.h_item};
  outcome_heads(t.heads, L);
  t.heads.emplace_back(L.h_first);
  t.heads.emplace_back(L.h_last);
  Tally total;
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    const ContentRow& x = r.items[i];
    Row row = {Cell::count(i + 1), Cell::str(content_text(x.content, lang)), Cell::str(type_text(x.content.item_type, lang)),
               Cell::str(x.content.campaign), Cell::str(x.content.item)};
    outcome_cells(row, x.total);
    row.push_back(Cell::when(report_time(x.total.first_shown, lang)));
    row.push_back(Cell::when(report_time(x.total.last_shown, lang)));
    t.rows.push_back(std::move(row));
    total.add(x.total);
  }
  Row row = {Cell::str(L.h_total), Cell::str(""), Cell::str(""), Cell::str(""), Cell::str("")};
  outcome_cells(row, total);
  row.push_back(Cell::when(report_time(total.first_shown, lang)));
  row.push_back(Cell::when(report_time(total.last_shown, lang)));
  t.rows.push_back(std::move(row));
  return t;
}

ReportTable item_days_table(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  ReportTable t = make_table(lang == ReportLang::zh ? "逐日播放" : "Items by day", L.sec_item_days, true, 3, 2, true);
  t.heads = {L.h_no, L.h_content, L.h_item};
  for (const auto& d : r.days) {
    t.heads.push_back(report_short_date(d.date, lang) + " " + L.h_times);
    t.heads.push_back(report_short_date(d.date, lang) + " " + L.h_day_minutes);
  }
  t.heads.push_back(std::string(L.h_total) + " " + L.h_times);
  t.heads.push_back(std::string(L.h_total) + " " + L.h_day_minutes);
  for (const auto& d : r.days) t.group_titles.push_back(report_short_date(d.date, lang));
  t.group_titles.emplace_back(L.h_total);
  t.sub_heads = {L.h_times, L.h_day_minutes};
  std::vector<Tally> totals(r.days.size() + 1);
  auto add_row = [&](Row row, auto&& tally_of) {
    for (std::size_t k = 0; k <= r.days.size(); ++k) {
      const Tally tally = tally_of(k);
      row.push_back(Cell::count(tally.plays()));
      row.push_back(Cell::minutes(tally.shown_ms));
    }
    t.rows.push_back(std::move(row));
  };
  for (std::size_t i = 0; i < r.items.size(); ++i) {
    const ContentRow& x = r.items[i];
    add_row({Cell::count(i + 1), Cell::str(content_text(x.content, lang)), Cell::str(x.content.item)},
            [&](std::size_t k) {
              Tally tally = x.total;
              if (k < r.days.size()) {
                const auto it = x.by_day.find(r.days[k].date);
                tally = it == x.by_day.end() ? Tally{} : it->second;
              }
              totals[k].add(tally);
              return tally;
            });
  }
  add_row({Cell::str(L.h_total), Cell::str(""), Cell::str("")}, [&](std::size_t k) { return totals[k]; });
  return t;
}

ReportTable days_table(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  ReportTable t = make_table(lang == ReportLang::zh ? "每日汇总" : "Days", L.sec_days, true, 0, 0, true);
  t.heads = {L.h_date};
  outcome_heads(t.heads, L);
  for (const char* h : {L.h_running, L.h_screens, L.h_band_passes, L.h_bands_minutes}) t.heads.emplace_back(h);
  DayRow total;
  for (const auto& d : r.days) {
    Row row = {Cell::when(report_date(d.date, lang))};
    outcome_cells(row, d.main);
    row.push_back(Cell::minutes(d.running_ms));
    row.push_back(Cell::count(d.screens));
    row.push_back(Cell::count(d.band_passes));
    row.push_back(Cell::minutes(d.bands_ms));
    t.rows.push_back(std::move(row));
    total.main.add(d.main);
    total.running_ms += d.running_ms;
    total.band_passes += d.band_passes;
    total.bands_ms += d.bands_ms;
  }
  Row row = {Cell::str(L.h_total)};
  outcome_cells(row, total.main);
  row.push_back(Cell::minutes(total.running_ms));
  row.push_back(Cell::count(r.summary.screens));
  row.push_back(Cell::count(total.band_passes));
  row.push_back(Cell::minutes(total.bands_ms));
  t.rows.push_back(std::move(row));
  return t;
}

ReportTable screen_days_table(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  ReportTable t = make_table(lang == ReportLang::zh ? "运行核对" : "Running check", L.sec_screen_days, false, 0, 0, true);
  t.heads = {L.h_no, L.h_screen, L.h_date, L.h_running, L.h_plays, L.h_minutes, L.h_band_passes, L.h_bands_minutes,
             L.h_check};
  for (std::size_t i = 0; i < r.screen_days.size(); ++i) {
    const ScreenDay& d = r.screen_days[i];
    Row row = {Cell::count(i + 1),          Cell::str(d.screen),           Cell::when(report_date(d.date, lang)),
               Cell::minutes(d.running_ms), Cell::count(d.main.plays()),   Cell::minutes(d.main.shown_ms),
               Cell::count(d.band_passes),  Cell::minutes(d.bands_ms()),   Cell::str(d.within() ? L.within : L.over)};
    row.back().bad = !d.within();
    t.rows.push_back(std::move(row));
  }
  return t;
}

ReportTable bands_table(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  ReportTable t = make_table(lang == ReportLang::zh ? "滚动字幕" : "Bands", L.sec_bands, true, 0, 0, true);
  t.heads = {L.h_no, L.h_text, L.h_type, L.h_campaign, L.h_item, L.h_band_passes, L.h_pass_minutes, L.h_first,
             L.h_last};
  Tally total;
  auto add = [&](Row row, const Tally& x) {
    row.push_back(Cell::count(x.plays()));
    row.push_back(Cell::minutes(x.shown_ms));
    row.push_back(Cell::when(report_time(x.first_shown, lang)));
    row.push_back(Cell::when(report_time(x.last_shown, lang)));
    t.rows.push_back(std::move(row));
  };
  for (std::size_t i = 0; i < r.bands.size(); ++i) {
    const ContentRow& x = r.bands[i];
    const std::string text = x.content.text.empty() ? x.content.label : x.content.text;
    add({Cell::count(i + 1), Cell::str(text), Cell::str(type_text(x.content.item_type, lang)),
         Cell::str(x.content.campaign), Cell::str(x.content.item)},
        x.total);
    total.add(x.total);
  }
  add({Cell::str(L.h_total), Cell::str(""), Cell::str(""), Cell::str(""), Cell::str("")}, total);
  return t;
}

ReportTable campaigns_table(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  ReportTable t = make_table(lang == ReportLang::zh ? "按活动" : "Campaigns", L.sec_campaigns, false, 0, 0, true);
  t.heads = {L.h_campaign, L.h_campaign_title};
  outcome_heads(t.heads, L);
  t.heads.emplace_back(L.h_days_on_air);
  t.heads.emplace_back(L.h_band_passes);
  for (const auto& c : r.campaigns) {
    Row row = {Cell::str(c.id), Cell::str(c.title)};
    outcome_cells(row, c.main);
    row.push_back(Cell::count(c.days_on_air));
    row.push_back(Cell::count(c.band_passes));
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace

ReportCell ReportCell::minutes(std::int64_t ms) {
  ReportCell c{Type::minutes, report_minutes(ms), 0, false};
  c.value = std::stod(c.text);
  return c;
}

std::string content_text(const Content& c, ReportLang lang) {
  if (!c.text.empty() || c.media_name.empty()) return c.label;
  std::string s = c.media_name;
  if (c.media_duration_s) s += fill(report_labels(lang).seconds_pattern, {{"s", seconds_text(*c.media_duration_s)}});
  return s;
}

std::string type_text(const std::string& item_type, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  if (item_type == "slogan") return L.t_slogan;
  if (item_type == "image") return L.t_image;
  if (item_type == "video") return L.t_video;
  if (item_type == "ticker") return L.t_ticker;
  if (item_type == "header") return L.t_header;
  return item_type;
}

std::string chain_text(const ScreenChain& s, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  auto paren = [&](const std::string& x) { return lang == ReportLang::zh ? "（" + x + "）" : " (" + x + ")"; };
  if (!s.central) {
    if (s.verify.ok) {
      return L.intact + paren(fill(L.journal_ok_pattern, {{"records", std::to_string(s.verify.records)},
                                                          {"pictures", std::to_string(s.verify.pictures_checked)}}));
    }
    std::string where = s.verify.broken_file.filename().string();
    if (s.verify.broken_line > 0) where += ":" + std::to_string(s.verify.broken_line);
    return std::string(L.broken) + (lang == ReportLang::zh ? "：" : ": ") +
           fill(L.journal_broken_pattern, {{"where", where}, {"why", s.verify.reason}});
  }
  const CentralScreen& c = *s.central;
  std::vector<std::string> parts = {fill(L.central_pattern, {{"records", std::to_string(c.records)},
                                                             {"first", std::to_string(c.first_seq)},
                                                             {"last", std::to_string(c.last_seq)}})};
  if (c.duplicates > 0) parts.push_back(fill(L.central_duplicates, {{"n", std::to_string(c.duplicates)}}));
  if (!c.gaps.empty()) {
    std::uint64_t missing = 0;
    std::string list;
    for (std::size_t i = 0; i < c.gaps.size(); ++i) {
      missing += c.gaps[i].last - c.gaps[i].first + 1;
      if (i < 5) {
        list += (i > 0 ? L.list_sep : "") + std::to_string(c.gaps[i].first);
        if (c.gaps[i].last != c.gaps[i].first) list += "-" + std::to_string(c.gaps[i].last);
      }
    }
    parts.push_back(fill(L.central_missing, {{"n", std::to_string(missing)}, {"list", list}}));
  }
  if (!c.conflicts.empty()) parts.push_back(fill(L.central_conflict, {{"seq", std::to_string(c.conflicts.front())}}));
  if (!c.broken_links.empty()) {
    parts.push_back(fill(L.central_broken_link, {{"seq", std::to_string(c.broken_links.front())}}));
  }
  if (!c.anchor_problems.empty()) parts.push_back(fill(L.central_anchor, {{"seq", "?"}}));
  if (c.intact()) {
    parts.push_back(fill(L.central_ok, {{"links", std::to_string(c.links_checked)},
                                        {"anchors", std::to_string(c.anchors_checked)}}));
  }
  std::string joined;
  for (const auto& p : parts) joined += (joined.empty() ? "" : "; ") + p;
  return (c.intact() ? L.intact : L.broken) + paren(joined);
}

std::string heartbeat_text(const ScreenChain& s, ReportLang lang) {
  if (!s.central) return "";
  const ReportLabels& L = report_labels(lang);
  const CentralScreen& c = *s.central;
  const std::string state = std::string(c.dark ? L.offline : L.online) + (lang == ReportLang::zh ? "：" : ": ");
  if (!c.last_heartbeat) return state + L.no_heartbeat;
  return state + fill(L.last_heartbeat_pattern, {{"time", report_time(c.last_heartbeat->time, lang)},
                                                 {"interval", seconds_text(c.last_heartbeat->interval_s)}});
}

std::string campaigns_text(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  std::string s;
  for (const auto& c : r.campaigns) {
    if (!s.empty()) s += L.list_sep;
    s += c.title.empty() ? c.id : c.title + " (" + c.id + ")";
  }
  if (s.empty()) s = r.campaign ? *r.campaign : "—";
  return s;
}

std::string dark_text(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  std::string out;
  for (const ScreenChain* s : r.dark_screens()) out += (out.empty() ? "" : L.list_sep) + s->screen;
  return out.empty() ? L.none : out;
}

std::vector<ReportTable> report_tables(const Report& r, ReportLang lang) {
  return {screens_table(r, lang), items_table(r, lang),       item_days_table(r, lang), days_table(r, lang),
          screen_days_table(r, lang), bands_table(r, lang), campaigns_table(r, lang)};
}

namespace {

std::string milliseconds_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ms);
  return buf;
}

// Whether the screens' clocks kept them in step: the ones off by more than
// Report::kOutOfStepMs, each with its largest offset, or the largest of all.
SummaryLine clock_line(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  const std::string limit = milliseconds_text(Report::kOutOfStepMs);
  const auto out = r.out_of_step();
  if (out.empty()) {
    double largest = 0;
    for (const ClockPeak& p : r.clock_peaks) largest = std::max(largest, p.offset_ms);
    return {L.sum_clock, fill(L.clock_ok_pattern, {{"limit", limit}, {"largest", milliseconds_text(largest)}}), 0};
  }
  std::string list;
  for (const ClockPeak* p : out) {
    list += (list.empty() ? "" : L.list_sep) +
            fill(L.clock_peak_pattern, {{"screen", p->screen}, {"ms", milliseconds_text(p->offset_ms)},
                                        {"time", report_time(p->time, lang)}, {"source", p->source.empty() ? "—" : p->source}});
  }
  return {L.sum_clock,
          fill(L.clock_bad_pattern, {{"n", std::to_string(out.size())}, {"limit", limit}, {"list", list}}),
          static_cast<double>(out.size()), true};
}

}  // namespace

std::vector<SummaryLine> summary_lines(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  const Summary& s = r.summary;
  auto n = [](auto v) { return std::to_string(v); };
  const std::int64_t whole_minutes = (s.shown_ms + 30000) / 60000;
  std::vector<SummaryLine> out;
  out.push_back({L.sum_contents, fill(L.sum_contents_pattern, {{"n", n(s.contents)}, {"slogans", n(s.slogans)},
                                                                {"images", n(s.images)}, {"videos", n(s.videos)}}),
                 static_cast<double>(s.contents)});
  out.push_back({L.sum_plays, fill(L.sum_plays_pattern, {{"n", n(s.plays)}}), static_cast<double>(s.plays)});
  out.push_back({L.sum_time, fill(L.sum_time_pattern, {{"hours", n(whole_minutes / 60)}, {"minutes", n(whole_minutes % 60)},
                                                       {"total", report_minutes(s.shown_ms)}}),
                 ReportCell::minutes(s.shown_ms).value});
  out.push_back({L.sum_screens, fill(L.sum_screens_pattern, {{"n", n(s.screens)}}), static_cast<double>(s.screens)});
  out.push_back({L.sum_days, fill(L.sum_days_pattern, {{"n", n(s.days)}}), static_cast<double>(s.days)});
  out.push_back({L.sum_running, report_minutes(s.running_ms) + (lang == ReportLang::zh ? " 分钟" : " minutes"),
                 ReportCell::minutes(s.running_ms).value});
  out.push_back({L.sum_bands, fill(L.sum_bands_pattern, {{"passes", n(s.band_passes)}, {"minutes", report_minutes(s.bands_ms)}}),
                 static_cast<double>(s.band_passes)});
  const std::size_t breaches = r.breaches().size();
  out.push_back({L.sum_check, breaches == 0 ? L.check_ok : fill(L.check_bad_pattern, {{"n", n(breaches)}}),
                 static_cast<double>(breaches), breaches > 0});
  if (!r.clock_peaks.empty()) out.push_back(clock_line(r, lang));
  return out;
}

}  // namespace signage
