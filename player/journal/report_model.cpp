#include "journal/report_model.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

#include "core/text_util.h"
#include "journal/report_time.h"

namespace signage {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;

const char* to_string(PlayKind kind) {
  switch (kind) {
    case PlayKind::item: return "item";
    case PlayKind::ticker: return "ticker";
    case PlayKind::header: return "header";
  }
  return "item";
}

PlayKind play_kind(const std::string& item_type) {
  if (item_type == "ticker") return PlayKind::ticker;
  if (item_type == "header") return PlayKind::header;
  return PlayKind::item;
}

void Tally::add(const Tally& o) {
  complete += o.complete;
  partial += o.partial;
  interrupted += o.interrupted;
  skipped += o.skipped;
  shown_ms += o.shown_ms;
  if (!o.first_shown.empty() && (first_shown.empty() || o.first_shown < first_shown)) first_shown = o.first_shown;
  if (!o.last_shown.empty() && (last_shown.empty() || o.last_shown > last_shown)) last_shown = o.last_shown;
}

bool ScreenRow::intact(const std::vector<ScreenChain>& all) const {
  return std::all_of(chains.begin(), chains.end(), [&](std::size_t i) { return all[i].verify.ok; });
}

bool Report::all_chains_intact() const {
  return std::all_of(chains.begin(), chains.end(), [](const ScreenChain& s) { return s.verify.ok; });
}

bool Report::has_central() const {
  return std::any_of(chains.begin(), chains.end(), [](const ScreenChain& s) { return s.central.has_value(); });
}

std::vector<const ScreenDay*> Report::breaches() const {
  std::vector<const ScreenDay*> out;
  for (const auto& d : screen_days) {
    if (!d.within()) out.push_back(&d);
  }
  return out;
}

std::vector<const ClockPeak*> Report::out_of_step() const {
  std::vector<const ClockPeak*> out;
  for (const ClockPeak& p : clock_peaks) {
    if (p.offset_ms > kOutOfStepMs) out.push_back(&p);
  }
  return out;
}

std::vector<const ScreenChain*> Report::dark_screens() const {
  std::vector<const ScreenChain*> out;
  for (const auto& s : chains) {
    if (s.central && s.central->dark) out.push_back(&s);
  }
  return out;
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

std::int64_t to_ms(double seconds) {
  if (!(seconds > 0)) return 0;
  return std::llround(seconds * 1000.0);
}

// "人人讲安全、个个会应急 畅通生命通道": the first 30 characters, line breaks as spaces.
std::string text_label(const std::string& text) {
  std::u32string u = utf8_to_u32(text);
  for (auto& c : u) {
    if (c == U'\n' || c == U'\r' || c == U'\t') c = U' ';
  }
  const auto first = u.find_first_not_of(U' ');
  if (first == std::u32string::npos) return {};
  u = u.substr(first, u.find_last_not_of(U' ') - first + 1);
  constexpr std::size_t kMax = 30;
  if (u.size() <= kMax) return u32_to_utf8(u);
  return u32_to_utf8(u.substr(0, kMax)) + "…";
}

// The label and file name of a content whose fields are set.
Content labelled(Content c) {
  c.media_name = c.media.empty() ? std::string() : fs::path(c.media).filename().string();
  c.label = text_label(c.text);
  if (c.label.empty()) c.label = c.media_name;
  if (c.label.empty()) c.label = c.item;
  return c;
}

Content content_of(const json& j, PlayKind kind) {
  Content c;
  c.kind = kind;
  c.campaign = str(j, "campaign");
  c.item = str(j, "item");
  c.item_type = str(j, "item_type");
  c.text = str(j, "text");
  c.media = str(j, "media");
  if (const auto it = j.find("media_duration_s"); it != j.end() && it->is_number() && it->get<double>() > 0) {
    c.media_duration_s = it->get<double>();
  }
  return labelled(std::move(c));
}

using ContentKey = std::tuple<int, std::string, std::string, std::string, std::string, double>;

ContentKey key_of(const Content& c) {
  return {static_cast<int>(c.kind), c.campaign, c.item, c.text, c.media, c.media_duration_s.value_or(-1)};
}

// What a record says about when the player ran.
struct Mark {
  enum Kind { other, start, stop, jump } kind = other;
  std::optional<std::uint64_t> seq;
  Instant a{};  // the record's start (or time)
  Instant b{};  // its end (or time)
  std::chrono::seconds offset{0};
};

struct Heartbeat {
  Instant at{};
  double interval_s = 60;
  std::chrono::seconds offset{0};
};

struct ScreenAcc {
  ScreenIdentity who;           // from start records and plays
  std::string who_from;         // `time` of the start record it came from
  std::uint64_t site_seq = 0;   // seq of the record who.site came from (0: none said)
  std::vector<Mark> marks;
  std::vector<Heartbeat> heartbeats;
  std::vector<Interval> ticker;  // band passes
  std::vector<Interval> header;
  std::optional<ClockPeak> clock_peak;  // the largest offset its heartbeats in the range said
};

using FactKey = std::tuple<std::string, Date, std::size_t>;  // screen, date, content

// The outcome a reviewer can rely on: `complete` only when shown for the planned
// time within the tolerance.
enum class Outcome { complete, partial, interrupted, skipped };

Outcome classify(const std::string& outcome, std::int64_t shown_ms, std::int64_t planned_ms) {
  if (outcome == "skipped") return Outcome::skipped;
  if (outcome == "interrupted") return Outcome::interrupted;
  if (outcome == "partial") return Outcome::partial;
  if (planned_ms > 0 && shown_ms < planned_ms - kCompleteToleranceMs) return Outcome::partial;
  return Outcome::complete;
}

void count(Tally& t, Outcome o, const std::string& start) {
  switch (o) {
    case Outcome::skipped: ++t.skipped; return;
    case Outcome::interrupted: ++t.interrupted; break;
    case Outcome::partial: ++t.partial; break;
    case Outcome::complete: ++t.complete; break;
  }
  // ISO 8601 strings with the same offset sort as times; across offsets this is
  // approximate, which is fine for "first/last shown" on screens of one zone.
  if (t.first_shown.empty() || start < t.first_shown) t.first_shown = start;
  if (t.last_shown.empty() || start > t.last_shown) t.last_shown = start;
}

}  // namespace

struct ReportBuilder::State {
  Date from;
  Date to;
  std::optional<std::string> campaign;
  std::set<std::pair<std::string, std::uint64_t>> seen;
  std::map<std::string, ScreenAcc> screens;
  std::vector<Content> contents;
  std::map<ContentKey, std::size_t> content_index;
  std::map<FactKey, Tally> facts;
  std::map<std::string, std::string> titles;
  std::map<std::string, std::pair<std::string, std::uint64_t>> title_at;  // (screen, seq) of the title
  std::set<std::string> in_range;
  std::set<std::tuple<std::string, std::string, std::string>> shot_taken;
  std::vector<EvidenceShot> evidence;

  bool in(Date d) const { return d >= from && d <= to; }
  std::size_t content(Content c);
  void mark(ScreenAcc& acc, const json& j, const std::string& type);
  void play(ScreenAcc& acc, const std::string& screen, const json& j, const fs::path& evidence_file);
};

std::size_t ReportBuilder::State::content(Content c) {
  const ContentKey key = key_of(c);
  const auto it = content_index.find(key);
  if (it != content_index.end()) return it->second;
  contents.push_back(std::move(c));
  content_index.emplace(key, contents.size() - 1);
  return contents.size() - 1;
}

void ReportBuilder::State::mark(ScreenAcc& acc, const json& j, const std::string& type) {
  Mark m;
  if (const auto it = j.find("seq"); it != j.end() && it->is_number_unsigned()) m.seq = it->get<std::uint64_t>();
  const bool is_play = type == "play";
  auto t0 = parse_stamp(str(j, is_play ? "start" : "time"));
  if (!t0) return;
  m.a = m.b = t0->at;
  m.offset = t0->offset;
  if (is_play) {
    if (auto t1 = parse_stamp(str(j, "end"))) m.b = std::max(m.a, t1->at);
    m.b = std::max(m.b, m.a + milliseconds(to_ms(num(j, "shown_s"))));
  } else if (type == "start") {
    m.kind = Mark::start;
  } else if (type == "stop") {
    m.kind = Mark::stop;
  } else if (type == "clock_jump") {
    // The old time line ended at `from`; the new one starts at `time`.
    m.kind = Mark::jump;
    if (auto f = parse_stamp(str(j, "from"))) m.a = f->at;
  }
  acc.marks.push_back(m);
}

void ReportBuilder::State::play(ScreenAcc& acc, const std::string& screen, const json& j,
                                const fs::path& evidence_file) {
  const std::string camp = str(j, "campaign");
  const std::string start = str(j, "start");
  const auto stamp = parse_stamp(start);
  const auto date = stamp ? std::optional<Date>(stamp->date) : date_prefix(start);
  if (!date) return;
  if (in(*date)) in_range.insert(camp);
  if (campaign && camp != *campaign) return;
  const Date before(std::chrono::sys_days(from) - std::chrono::days(1));
  if (*date < before || *date > to) return;

  const PlayKind kind = play_kind(str(j, "item_type"));
  const std::int64_t shown = to_ms(num(j, "shown_s"));
  const Outcome outcome = classify(str(j, "outcome"), shown, to_ms(num(j, "planned_s")));
  const std::size_t ci = content(content_of(j, kind));
  if (const std::string title = str(j, "campaign_title"); !title.empty()) {
    titles[camp] = title;
    const auto seq = j.find("seq");
    title_at[camp] = {screen, seq != j.end() && seq->is_number_unsigned() ? seq->get<std::uint64_t>() : 0};
  }
  if (in(*date)) count(facts[{screen, *date, ci}], outcome, start);
  if (outcome != Outcome::skipped && shown > 0) {
    if (stamp) {
      for (const auto& [day, ms] : split_by_day(stamp->at, stamp->at + milliseconds(shown), stamp->offset)) {
        if (in(day)) facts[{screen, day, ci}].shown_ms += ms;
      }
      if (kind != PlayKind::item) {
        (kind == PlayKind::ticker ? acc.ticker : acc.header)
            .push_back({stamp->at, stamp->at + milliseconds(shown), stamp->offset});
      }
    } else if (in(*date)) {
      facts[{screen, *date, ci}].shown_ms += shown;
    }
  }
  if (kind == PlayKind::item && in(*date) && !evidence_file.empty() &&
      shot_taken.insert({screen, camp, str(j, "item")}).second) {
    evidence.push_back({evidence_file, screen, camp, str(j, "item"), contents[ci].label, start});
  }
}

ReportBuilder::ReportBuilder(Date from, Date to, std::optional<std::string> campaign)
    : s_(std::make_unique<State>()) {
  s_->from = from;
  s_->to = to;
  s_->campaign = std::move(campaign);
}

ReportBuilder::~ReportBuilder() = default;

std::set<std::string> ReportBuilder::campaigns_in_range() const { return s_->in_range; }

void ReportBuilder::add_record(const std::string& screen, const json& j, const fs::path& evidence_file) {
  if (!j.is_object()) return;  // flagged by verify
  if (const auto it = j.find("seq"); it != j.end() && it->is_number_unsigned() &&
                                     !s_->seen.insert({screen, it->get<std::uint64_t>()}).second) {
    return;
  }
  ScreenAcc& acc = s_->screens[screen];
  acc.who.screen = screen;
  const std::string type = str(j, "type");
  if (const std::string site = str(j, "site"); !site.empty()) {
    acc.who.site = site;
    const auto seq = j.find("seq");
    acc.site_seq = seq != j.end() && seq->is_number_unsigned() ? seq->get<std::uint64_t>() : 0;
  }
  if (type == "start") {
    const std::string time = str(j, "time");
    if (acc.who_from.empty() || time >= acc.who_from) {
      acc.who_from = time;
      for (const auto& [key, field] : {std::pair{"organisation", &ScreenIdentity::organisation},
                                       std::pair{"location", &ScreenIdentity::location},
                                       std::pair{"contact", &ScreenIdentity::contact}}) {
        acc.who.*field = str(j, key);
      }
    }
  }
  s_->mark(acc, j, type);
  if (type == "play") s_->play(acc, screen, j, evidence_file);
}

void ReportBuilder::add_play_group(const PlayGroup& g) {
  ScreenAcc& acc = s_->screens[g.screen];
  acc.who.screen = g.screen;
  const bool counted = g.tally.plays() + g.tally.skipped > 0;
  if (counted && s_->in(g.date)) s_->in_range.insert(g.campaign);
  if (s_->campaign && g.campaign != *s_->campaign) return;
  if (!g.campaign_title.empty()) {
    // The title of the last play, in (screen, seq) order, as records in that order give it.
    auto at = s_->title_at.find(g.campaign);
    const std::pair<std::string, std::uint64_t> here{g.screen, g.last_seq};
    if (at == s_->title_at.end() || here > at->second) {
      s_->titles[g.campaign] = g.campaign_title;
      s_->title_at[g.campaign] = here;
    }
  }
  Content c;
  c.kind = play_kind(g.item_type);
  c.campaign = g.campaign;
  c.item = g.item;
  c.item_type = g.item_type;
  c.text = g.text;
  c.media = g.media;
  if (g.media_duration_s && *g.media_duration_s > 0) c.media_duration_s = g.media_duration_s;
  // Made for plays of the day before `from` too, as add_record() does: the content is listed.
  const std::size_t ci = s_->content(labelled(std::move(c)));
  if (!s_->in(g.date)) return;
  s_->facts[{g.screen, g.date, ci}].add(g.tally);
}

void ReportBuilder::add_play_span(const std::string& screen, std::uint64_t first_seq, Instant a, Instant b,
                                  std::chrono::seconds offset) {
  ScreenAcc& acc = s_->screens[screen];
  acc.who.screen = screen;
  Mark m;
  m.seq = first_seq;
  m.a = a;
  m.b = std::max(a, b);
  m.offset = offset;
  acc.marks.push_back(m);
}

void ReportBuilder::add_site(const std::string& screen, const std::string& site, std::uint64_t seq) {
  ScreenAcc& acc = s_->screens[screen];
  acc.who.screen = screen;
  if (!site.empty() && seq > acc.site_seq) {
    acc.who.site = site;
    acc.site_seq = seq;
  }
}

void ReportBuilder::add_heartbeat(const std::string& screen, const LastHeartbeat& hb) {
  const auto t = parse_stamp(hb.time);
  if (!t) return;
  ScreenAcc& acc = s_->screens[screen];
  acc.who.screen = screen;
  acc.heartbeats.push_back({t->at, hb.interval_s > 0 ? hb.interval_s : 60, t->offset});
  if (hb.clock_offset_ms && t->date >= s_->from && t->date <= s_->to &&  // the screen's own day
      (!acc.clock_peak || *hb.clock_offset_ms > acc.clock_peak->offset_ms)) {
    acc.clock_peak = ClockPeak{screen, *hb.clock_offset_ms, hb.time, hb.clock_source};
  }
}

// ------------------------------------------------------------------ finish

namespace {

using DayKey = std::pair<std::string, Date>;
using ScreenDays = std::map<DayKey, ScreenDay>;

ScreenDay& day_of(ScreenDays& days, const std::string& screen, Date date) {
  ScreenDay& d = days[{screen, date}];
  d.screen = screen;
  d.date = date;
  return d;
}

bool content_less(const Content& x, const Content& y) {
  return std::tie(x.campaign, x.item, x.label, x.text, x.media) < std::tie(y.campaign, y.item, y.label, y.text, y.media);
}

// Sorts the contents into items and bands; returns where each one went.
std::vector<std::size_t> sort_contents(const std::vector<Content>& contents, Report& r) {
  std::vector<std::size_t> order(contents.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return content_less(contents[a], contents[b]); });
  std::vector<std::size_t> where(contents.size());
  for (const std::size_t i : order) {
    auto& rows = contents[i].kind == PlayKind::item ? r.items : r.bands;
    where[i] = rows.size();
    rows.push_back({contents[i], {}, {}, {}});
  }
  return where;
}

// The facts (screen, date, content) into the content rows and the screen days.
void add_facts(const std::map<FactKey, Tally>& facts, const std::vector<Content>& contents,
               const std::vector<std::size_t>& where, Report& r, ScreenDays& days) {
  for (const auto& [key, tally] : facts) {
    const auto& [screen, date, ci] = key;
    const bool band = contents[ci].kind != PlayKind::item;
    ContentRow& row = (band ? r.bands : r.items)[where[ci]];
    row.total.add(tally);
    row.by_day[date].add(tally);
    if (tally.plays() > 0) row.screens.insert(screen);
    ScreenDay& d = day_of(days, screen, date);
    (band ? d.bands : d.items).push_back({where[ci], tally});
    if (band) {
      d.band_passes += tally.plays();
    } else {
      d.main.add(tally);
    }
  }
  for (auto& [key, d] : days) {
    auto by_index = [](const ContentDay& a, const ContentDay& b) { return a.content < b.content; };
    std::sort(d.items.begin(), d.items.end(), by_index);
    std::sort(d.bands.begin(), d.bands.end(), by_index);
  }
}

// The spans a screen ran, from its records and heartbeats (report_model.h).
std::vector<Interval> running_spans(ScreenAcc& acc, RunningBasis& basis) {
  // Chain order (seq) where every record has one, else time order.
  const bool by_seq = std::all_of(acc.marks.begin(), acc.marks.end(), [](const Mark& m) { return m.seq.has_value(); });
  std::stable_sort(acc.marks.begin(), acc.marks.end(),
                   [&](const Mark& x, const Mark& y) { return by_seq ? *x.seq < *y.seq : x.a < y.a; });
  std::vector<Interval> spans;
  std::optional<Interval> open;
  auto close = [&] {
    if (open) spans.push_back(*open);
    open.reset();
  };
  for (const Mark& m : acc.marks) {
    if (m.kind == Mark::start || m.kind == Mark::jump) {
      if (open && m.kind == Mark::jump) open->b = std::max(open->b, m.a);
      close();
      open = Interval{m.b, m.b, m.offset};
      basis.start_stop = basis.start_stop || m.kind == Mark::start;
      continue;
    }
    if (!open) {
      open = Interval{m.a, m.b, m.offset};
      basis.span = true;
    }
    open->a = std::min(open->a, m.a);
    open->b = std::max(open->b, m.b);
    if (m.kind == Mark::stop) close();
  }
  close();
  std::sort(acc.heartbeats.begin(), acc.heartbeats.end(),
            [](const Heartbeat& x, const Heartbeat& y) { return x.at < y.at; });
  for (std::size_t i = 0; i + 1 < acc.heartbeats.size(); ++i) {
    const Heartbeat& h = acc.heartbeats[i];
    const Heartbeat& n = acc.heartbeats[i + 1];
    if (n.at - h.at <= milliseconds(std::llround(3 * h.interval_s * 1000))) {
      spans.push_back({h.at, n.at, h.offset});
      basis.heartbeats = true;
    }
  }
  return merge_intervals(std::move(spans));
}

// Adds the milliseconds of `spans` on each day of the range to `field` of the screen day.
void add_by_day(const std::vector<Interval>& spans, const Report& r, ScreenDays& days, const std::string& screen,
                std::int64_t ScreenDay::*field) {
  for (const Interval& s : spans) {
    for (const auto& [date, ms] : split_by_day(s.a, s.b, s.offset)) {
      if (date >= r.from && date <= r.to && ms > 0) day_of(days, screen, date).*field += ms;
    }
  }
}

void add_screens(std::map<std::string, ScreenAcc>& screens, const std::vector<ScreenIdentity>& identities,
                 Report& r, ScreenDays& days) {
  std::map<std::string, ScreenRow> rows;
  for (auto& [name, acc] : screens) {
    RunningBasis basis;
    add_by_day(running_spans(acc, basis), r, days, name, &ScreenDay::running_ms);
    add_by_day(merge_intervals(acc.ticker), r, days, name, &ScreenDay::ticker_ms);
    add_by_day(merge_intervals(acc.header), r, days, name, &ScreenDay::header_ms);
    ScreenRow& row = rows[name];
    row.who = acc.who;
    row.basis = basis;
  }
  for (std::size_t i = 0; i < r.chains.size(); ++i) {
    ScreenRow& row = rows[r.chains[i].screen];
    row.who.screen = r.chains[i].screen;
    if (row.who.site.empty()) row.who.site = r.chains[i].site;
    row.chains.push_back(i);
  }
  for (const ScreenIdentity& id : identities) {
    const auto it = rows.find(id.screen);
    if (it == rows.end()) continue;
    for (auto field : {&ScreenIdentity::site, &ScreenIdentity::organisation, &ScreenIdentity::location,
                       &ScreenIdentity::contact}) {
      if (!(id.*field).empty()) it->second.who.*field = id.*field;
    }
  }
  for (const auto& [key, d] : days) {
    ScreenRow& row = rows[d.screen];
    row.running_ms += d.running_ms;
    row.main.add(d.main);
    row.band_passes += d.band_passes;
    row.bands_ms += d.bands_ms();
    if (d.main.plays() > 0) ++row.days_on_air;
  }
  for (auto& [name, row] : rows) {
    // A screen that only appears in a --config, or with no record at all in the
    // range and no folder of its own, is not listed.
    if (!row.chains.empty() || row.running_ms > 0 || row.main.plays() + row.main.skipped > 0 || row.band_passes > 0) {
      r.screens.push_back(std::move(row));
    }
  }
}

// The reporting unit: the first --config's, else what the screens agree on.
ScreenIdentity unit_of(const Report& r, const std::vector<ScreenIdentity>& identities) {
  if (!identities.empty() && !identities.front().organisation.empty()) return identities.front();
  ScreenIdentity u;
  auto join = [](std::string& to, const std::string& v) {
    if (v.empty() || to == v || to.find(v) != std::string::npos) return;
    to += (to.empty() ? "" : "、") + v;
  };
  for (const auto& s : r.screens) {
    join(u.organisation, s.who.organisation);
    join(u.contact, s.who.contact);
  }
  if (!identities.empty() && u.contact.empty()) u.contact = identities.front().contact;
  return u;
}

void add_campaigns(const std::map<std::string, std::string>& titles, Report& r) {
  std::map<std::string, CampaignRow> rows;
  for (const auto& row : r.items) {
    CampaignRow& c = rows[row.content.campaign];
    c.main.add(row.total);
  }
  for (const auto& row : r.bands) {
    CampaignRow& c = rows[row.content.campaign];
    c.band_passes += row.total.plays();
    c.band_ms += row.total.shown_ms;
  }
  std::map<std::string, std::set<Date>> days;
  for (const auto& row : r.items) {
    for (const auto& [date, t] : row.by_day) {
      if (t.plays() > 0) days[row.content.campaign].insert(date);
    }
  }
  for (auto& [id, c] : rows) {
    c.id = id;
    if (const auto it = titles.find(id); it != titles.end()) c.title = it->second;
    c.days_on_air = days[id].size();
    r.campaigns.push_back(std::move(c));
  }
}

void add_days_and_summary(Report& r) {
  std::map<Date, DayRow> by_date;
  for (auto d = std::chrono::sys_days(r.from); d <= std::chrono::sys_days(r.to); d += std::chrono::days(1)) {
    by_date[Date(d)].date = Date(d);
  }
  Summary& s = r.summary;
  for (const auto& sd : r.screen_days) {
    DayRow& d = by_date[sd.date];
    d.main.add(sd.main);
    d.running_ms += sd.running_ms;
    d.band_passes += sd.band_passes;
    d.bands_ms += sd.bands_ms();
    if (sd.main.plays() > 0) ++d.screens;
    s.running_ms += sd.running_ms;
    s.bands_ms += sd.bands_ms();
    s.band_passes += sd.band_passes;
  }
  for (auto& [date, d] : by_date) {
    if (d.main.plays() > 0) ++s.days;
    r.days.push_back(std::move(d));
  }
  for (const auto& row : r.items) {
    if (row.total.plays() == 0) continue;
    ++s.contents;
    const std::string& t = row.content.item_type;
    (t == "video" ? s.videos : t == "image" ? s.images : s.slogans) += 1;
  }
  for (const auto& row : r.items) {
    s.plays += row.total.plays();
    s.shown_ms += row.total.shown_ms;
  }
  s.screens = static_cast<std::size_t>(std::count_if(r.screens.begin(), r.screens.end(),
                                                     [](const ScreenRow& x) { return x.main.plays() > 0; }));
}

}  // namespace

Report ReportBuilder::finish(std::vector<ScreenChain> chains, const std::vector<ScreenIdentity>& identities) {
  Report r;
  r.from = s_->from;
  r.to = s_->to;
  r.campaign = s_->campaign;
  r.chains = std::move(chains);
  const auto where = sort_contents(s_->contents, r);
  ScreenDays days;
  add_facts(s_->facts, s_->contents, where, r, days);
  add_screens(s_->screens, identities, r, days);
  for (auto& [key, d] : days) r.screen_days.push_back(std::move(d));
  for (const auto& [name, acc] : s_->screens) {
    if (acc.clock_peak) r.clock_peaks.push_back(*acc.clock_peak);
  }
  add_campaigns(s_->titles, r);
  add_days_and_summary(r);
  r.unit = unit_of(r, identities);
  r.evidence = std::move(s_->evidence);
  return r;
}

}  // namespace signage
