// The CSV renderer (report_render.h): one rectangular table of every level.
#include <algorithm>
#include <map>
#include <optional>

#include "journal/report_render.h"
#include "journal/report_tables.h"

namespace signage {

namespace {

// RFC 4180 quoting, and a leading ' before what a spreadsheet would run as a
// formula (OWASP: =, +, -, @, TAB, CR).
std::string csv_field(const std::string& raw) {
  std::string v = raw;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
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

struct Line {
  std::string level;
  PlayKind kind = PlayKind::item;
  std::string screen, site, campaign, title, item, type, content, date;
  Tally tally;
  std::optional<std::int64_t> running_ms;
  std::optional<std::size_t> days;
  std::string chain, heartbeat;
};

Line make(std::string level, PlayKind kind, const Tally& tally) {
  Line x;
  x.level = std::move(level);
  x.kind = kind;
  x.tally = tally;
  return x;
}

// A row about a campaign's or an item's plays.
Line about(std::string level, PlayKind kind, const Tally& tally, std::string campaign, std::string title,
           std::string item = {}, std::string type = {}, std::string content = {}, std::string date = {}) {
  Line x = make(std::move(level), kind, tally);
  x.campaign = std::move(campaign);
  x.title = std::move(title);
  x.item = std::move(item);
  x.type = std::move(type);
  x.content = std::move(content);
  x.date = std::move(date);
  return x;
}

// A row about a screen or a day.
Line at(std::string level, PlayKind kind, const Tally& tally, std::string screen, std::string date) {
  Line x = make(std::move(level), kind, tally);
  x.screen = std::move(screen);
  x.date = std::move(date);
  return x;
}

constexpr PlayKind kBandKinds[] = {PlayKind::ticker, PlayKind::header};

// The band tallies of one kind among `bands` (indexes into Report::bands); the
// minutes are `band_ms`, the time the band showed (overlapping passes once).
std::optional<Tally> band_tally(const Report& r, const std::vector<ContentDay>& bands, PlayKind kind,
                                std::int64_t band_ms) {
  Tally t;
  bool any = false;
  for (const auto& b : bands) {
    if (r.bands[b.content].content.kind != kind) continue;
    t.add(b.tally);
    any = true;
  }
  if (!any && band_ms == 0) return std::nullopt;
  t.shown_ms = band_ms;
  return t;
}

class CsvWriter {
 public:
  CsvWriter(const Report& r, ReportLang lang) : r_(r), lang_(lang), central_(r.has_central()) {}

  std::string write() {
    head();
    campaigns();
    contents(r_.items);
    contents(r_.bands);
    screens();
    screen_days();
    days();
    totals();
    return out_;
  }

 private:
  const Report& r_;
  ReportLang lang_;
  bool central_;
  std::string out_ = "\xEF\xBB\xBF";

  void head() {
    const ReportLabels& L = report_labels(lang_);
    std::vector<std::string> h = {L.h_level,     L.h_kind,    L.h_screen,      L.h_site,    L.h_campaign,
                                  L.h_campaign_title, L.h_item, L.h_type,   L.h_content, L.h_date,
                                  L.h_plays,     L.h_complete, L.h_partial,    L.h_interrupted, L.h_skipped,
                                  L.h_minutes,   L.h_running, L.h_days_on_air, L.h_first,   L.h_last,
                                  L.chain};
    if (central_) h.emplace_back(L.h_heartbeat);
    csv_row(out_, h);
  }

  void emit(const Line& x) {
    const Tally& t = x.tally;
    std::vector<std::string> f = {x.level, to_string(x.kind), x.screen, x.site, x.campaign, x.title, x.item, x.type,
                                  x.content, x.date, std::to_string(t.plays()), std::to_string(t.complete),
                                  std::to_string(t.partial), std::to_string(t.interrupted), std::to_string(t.skipped),
                                  report_minutes(t.shown_ms), x.running_ms ? report_minutes(*x.running_ms) : "",
                                  x.days ? std::to_string(*x.days) : "", t.first_shown, t.last_shown, x.chain};
    if (central_) f.push_back(x.heartbeat);
    csv_row(out_, f);
  }

  std::string title_of(const std::string& campaign) const {
    for (const auto& c : r_.campaigns) {
      if (c.id == campaign) return c.title;
    }
    return {};
  }

  void campaigns() {
    for (const auto& c : r_.campaigns) {
      Line x = about("campaign", PlayKind::item, c.main, c.id, c.title);
      x.days = c.days_on_air;
      emit(x);
      for (const PlayKind kind : kBandKinds) {
        Tally t;
        bool any = false;
        for (const auto& b : r_.bands) {
          if (b.content.campaign == c.id && b.content.kind == kind) {
            t.add(b.total);
            any = true;
          }
        }
        if (any) emit(about("campaign", kind, t, c.id, c.title));
      }
    }
  }

  void contents(const std::vector<ContentRow>& rows) {
    for (const auto& x : rows) {
      const Content& c = x.content;
      const std::string text = c.kind == PlayKind::item ? content_text(c, lang_) : c.text;
      const std::size_t days = static_cast<std::size_t>(
          std::count_if(x.by_day.begin(), x.by_day.end(), [](const auto& d) { return d.second.plays() > 0; }));
      const std::string title = title_of(c.campaign);
      Line line = about("item", c.kind, x.total, c.campaign, title, c.item, c.item_type, text);
      line.days = days;
      emit(line);
      for (const auto& [date, t] : x.by_day) {
        emit(about("item_day", c.kind, t, c.campaign, title, c.item, c.item_type, text, format_date(date)));
      }
    }
  }

  std::pair<std::string, std::string> chain_texts(const ScreenRow& s) const {
    std::pair<std::string, std::string> t;
    for (const std::size_t c : s.chains) {
      t.first += (t.first.empty() ? "" : " / ") + chain_text(r_.chains[c], lang_);
      if (r_.chains[c].central) t.second = heartbeat_text(r_.chains[c], lang_);
    }
    return t;
  }

  void screens() {
    for (const auto& s : r_.screens) {
      const auto [chain, heartbeat] = chain_texts(s);
      Line x = at("screen", PlayKind::item, s.main, s.who.screen, "");
      x.site = s.who.location.empty() ? s.who.site : s.who.location;
      x.running_ms = s.running_ms;
      x.days = s.days_on_air;
      x.chain = chain;
      x.heartbeat = heartbeat;
      emit(x);
      for (const PlayKind kind : kBandKinds) {
        std::vector<ContentDay> bands;
        std::int64_t ms = 0;
        for (const auto& d : r_.screen_days) {
          if (d.screen != s.who.screen) continue;
          bands.insert(bands.end(), d.bands.begin(), d.bands.end());
          ms += kind == PlayKind::ticker ? d.ticker_ms : d.header_ms;
        }
        if (auto t = band_tally(r_, bands, kind, ms)) {
          Line b = at("screen", kind, *t, s.who.screen, "");
          b.site = x.site;
          emit(b);
        }
      }
    }
  }

  void screen_days() {
    for (const auto& d : r_.screen_days) {
      Line x = at("screen_day", PlayKind::item, d.main, d.screen, format_date(d.date));
      x.running_ms = d.running_ms;
      emit(x);
      for (const PlayKind kind : kBandKinds) {
        if (auto t = band_tally(r_, d.bands, kind, kind == PlayKind::ticker ? d.ticker_ms : d.header_ms)) {
          emit(at("screen_day", kind, *t, d.screen, x.date));
        }
      }
    }
  }

  void days() {
    for (const auto& day : r_.days) {
      Line x = at("day", PlayKind::item, day.main, "", format_date(day.date));
      x.running_ms = day.running_ms;
      emit(x);
      for (const PlayKind kind : kBandKinds) {
        std::vector<ContentDay> bands;
        std::int64_t ms = 0;
        for (const auto& d : r_.screen_days) {
          if (d.date != day.date) continue;
          bands.insert(bands.end(), d.bands.begin(), d.bands.end());
          ms += kind == PlayKind::ticker ? d.ticker_ms : d.header_ms;
        }
        if (auto t = band_tally(r_, bands, kind, ms)) emit(at("day", kind, *t, "", x.date));
      }
    }
  }

  void totals() {
    const ReportLabels& L = report_labels(lang_);
    Tally main;
    for (const auto& i : r_.items) main.add(i.total);
    Line x = at("total", PlayKind::item, main, "", format_date(r_.from) + "/" + format_date(r_.to));
    x.running_ms = r_.summary.running_ms;
    x.days = r_.summary.days;
    x.chain = r_.all_chains_intact() ? L.intact : L.broken;
    if (central_) x.heartbeat = std::to_string(r_.dark_screens().size()) + " " + L.offline;
    emit(x);
    for (const PlayKind kind : kBandKinds) {
      std::vector<ContentDay> bands;
      std::int64_t ms = 0;
      for (const auto& d : r_.screen_days) {
        bands.insert(bands.end(), d.bands.begin(), d.bands.end());
        ms += kind == PlayKind::ticker ? d.ticker_ms : d.header_ms;
      }
      if (auto t = band_tally(r_, bands, kind, ms)) emit(at("total", kind, *t, "", x.date));
    }
  }
};

}  // namespace

std::string report_csv(const Report& report, ReportLang lang) { return CsvWriter(report, lang).write(); }

}  // namespace signage
