// The JSON renderer (report_render.h); keys in docs/journal-format.md.
#include <nlohmann/json.hpp>

#include "journal/report_render.h"
#include "journal/report_tables.h"

namespace signage {

namespace {

using nlohmann::ordered_json;

// Minutes as the CSV prints them (two decimals), as a number.
double minutes(std::int64_t ms) { return ReportCell::minutes(ms).value; }

ordered_json outcomes(const Tally& t) {
  return {{"plays", t.plays()},         {"complete", t.complete}, {"partial", t.partial},
          {"interrupted", t.interrupted}, {"skipped", t.skipped},   {"minutes", minutes(t.shown_ms)}};
}

ordered_json content_json(const Content& c) {
  ordered_json j = {{"kind", to_string(c.kind)}, {"campaign", c.campaign}, {"item", c.item},
                    {"item_type", c.item_type},  {"content", content_text(c, ReportLang::en)}};
  if (!c.text.empty()) j["text"] = c.text;
  if (!c.media.empty()) j["media"] = c.media;
  if (c.media_duration_s) j["media_duration_s"] = *c.media_duration_s;
  return j;
}

ordered_json day_json(const Report& r, const ScreenDay& d) {
  ordered_json items = ordered_json::array(), bands = ordered_json::array();
  for (const auto& x : d.items) {
    const Content& c = r.items[x.content].content;
    ordered_json j = {{"campaign", c.campaign}, {"item", c.item}, {"content", content_text(c, ReportLang::en)}};
    j.update(outcomes(x.tally));
    items.push_back(std::move(j));
  }
  for (const auto& x : d.bands) {
    const Content& c = r.bands[x.content].content;
    bands.push_back({{"kind", to_string(c.kind)}, {"campaign", c.campaign}, {"item", c.item}, {"text", c.text},
                     {"passes", x.tally.plays()}, {"minutes", minutes(x.tally.shown_ms)}});
  }
  ordered_json j = {{"screen", d.screen},
                    {"date", format_date(d.date)},
                    {"operating_minutes", minutes(d.running_ms)},
                    {"main_minutes", minutes(d.main.shown_ms)},
                    {"bands_minutes", minutes(d.bands_ms())},
                    {"ticker_minutes", minutes(d.ticker_ms)},
                    {"header_minutes", minutes(d.header_ms)},
                    {"within_operating", d.within()}};
  j.update(outcomes(d.main));
  j["band_passes"] = d.band_passes;
  j["items"] = std::move(items);
  j["bands"] = std::move(bands);
  return j;
}

ordered_json screen_json(const Report& r, const ScreenRow& s) {
  ordered_json basis = ordered_json::array();
  if (s.basis.start_stop) basis.push_back("start_stop");
  if (s.basis.span) basis.push_back("span");
  if (s.basis.heartbeats) basis.push_back("heartbeats");
  ordered_json chains = ordered_json::array();
  for (const std::size_t c : s.chains) {
    const ScreenChain& ch = r.chains[c];
    ordered_json j = {{"source", ch.central ? "central" : "journal"}, {"path", ch.dir.string()},
                      {"intact", ch.verify.ok}, {"summary", chain_text(ch, ReportLang::en)}};
    if (ch.central) j["dark"] = ch.central->dark;
    chains.push_back(std::move(j));
  }
  ordered_json j = {{"screen", s.who.screen},          {"site", s.who.site},
                    {"organisation", s.who.organisation}, {"location", s.who.location},
                    {"contact", s.who.contact},         {"operating_minutes", minutes(s.running_ms)},
                    {"main_minutes", minutes(s.main.shown_ms)}, {"bands_minutes", minutes(s.bands_ms)},
                    {"band_passes", s.band_passes},     {"days_on_air", s.days_on_air}};
  j.update(outcomes(s.main));
  j["operating_from"] = std::move(basis);
  j["chains"] = std::move(chains);
  return j;
}

ordered_json contents_json(const std::vector<ContentRow>& rows) {
  ordered_json out = ordered_json::array();
  for (const auto& x : rows) {
    ordered_json j = content_json(x.content);
    j.update(outcomes(x.total));
    j["first_shown"] = x.total.first_shown;
    j["last_shown"] = x.total.last_shown;
    ordered_json days = ordered_json::array();
    for (const auto& [date, t] : x.by_day) {
      ordered_json d = {{"date", format_date(date)}};
      d.update(outcomes(t));
      days.push_back(std::move(d));
    }
    j["days"] = std::move(days);
    out.push_back(std::move(j));
  }
  return out;
}

ordered_json summary_json(const Report& r) {
  const Summary& s = r.summary;
  ordered_json breaches = ordered_json::array();
  for (const ScreenDay* d : r.breaches()) breaches.push_back({{"screen", d->screen}, {"date", format_date(d->date)}});
  ordered_json dark = ordered_json::array();
  for (const ScreenChain* c : r.dark_screens()) dark.push_back(c->screen);
  ordered_json clocks = ordered_json::array();
  for (const ClockPeak& p : r.clock_peaks) {
    clocks.push_back({{"screen", p.screen}, {"max_offset_ms", p.offset_ms}, {"at", p.time}, {"source", p.source},
                      {"out_of_step", p.offset_ms > Report::kOutOfStepMs}});
  }
  return {{"contents", s.contents},  {"slogans", s.slogans},   {"images", s.images},
          {"videos", s.videos},      {"plays", s.plays},       {"minutes", minutes(s.shown_ms)},
          {"screens", s.screens},    {"days", s.days},         {"operating_minutes", minutes(s.running_ms)},
          {"band_passes", s.band_passes}, {"bands_minutes", minutes(s.bands_ms)},
          {"chains_intact", r.all_chains_intact()}, {"breaches", std::move(breaches)}, {"dark_screens", std::move(dark)},
          {"clock_offsets", std::move(clocks)}};
}

}  // namespace

std::string report_json(const Report& r) {
  ordered_json j;
  j["from"] = format_date(r.from);
  j["to"] = format_date(r.to);
  j["campaign"] = r.campaign ? ordered_json(*r.campaign) : ordered_json(nullptr);
  j["unit"] = {{"organisation", r.unit.organisation}, {"contact", r.unit.contact}};
  j["summary"] = summary_json(r);
  ordered_json screens = ordered_json::array(), days = ordered_json::array(), dates = ordered_json::array(),
               campaigns = ordered_json::array();
  for (const auto& s : r.screens) screens.push_back(screen_json(r, s));
  for (const auto& d : r.screen_days) days.push_back(day_json(r, d));
  for (const auto& d : r.days) {
    ordered_json x = {{"date", format_date(d.date)}, {"operating_minutes", minutes(d.running_ms)},
                      {"main_minutes", minutes(d.main.shown_ms)}, {"bands_minutes", minutes(d.bands_ms)},
                      {"band_passes", d.band_passes}, {"screens", d.screens}};
    x.update(outcomes(d.main));
    dates.push_back(std::move(x));
  }
  for (const auto& c : r.campaigns) {
    ordered_json x = {{"campaign", c.id}, {"title", c.title}, {"days_on_air", c.days_on_air},
                      {"band_passes", c.band_passes}};
    x.update(outcomes(c.main));
    campaigns.push_back(std::move(x));
  }
  j["screens"] = std::move(screens);
  j["days"] = std::move(days);
  j["dates"] = std::move(dates);
  j["items"] = contents_json(r.items);
  j["bands"] = contents_json(r.bands);
  j["campaigns"] = std::move(campaigns);
  return j.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace signage
