// The scheduler: which item of which campaign the screen shows at an instant.
//
// How it works (see scheduler.h for the rules):
//  1. The "playable state" at an instant t is the rotation sequence in force at t:
//     the winning campaigns (highest priority with a playable item, in set order) and,
//     for each, its playable items in order. It is a pure function of the local
//     reading of t, evaluated by `StateEval`.
//  2. The state can only change at "candidate" instants: local midnights (when some
//     When depends on the date), the start and end of every time window of every
//     campaign and item, and the instant a zone changes its UTC offset (the wall clock
//     jumps). `DayCandidates` lists them for one local date, through the TimeZone only
//     (never assuming 24-hour days). With no candidates at all nothing ever changes
//     and the rotation runs from the Unix epoch.
//  3. Between two consecutive candidates the state is constant, so scanning the
//     candidates backwards from `now` and evaluating the state just before each one
//     finds the anchor (the last change), and scanning forwards finds the next change.
//  4. The rotation runs from the anchor: elapsed time modulo the cycle length picks
//     the item and its start.
//
// Everything here is a pure function of its arguments; it is safe to call from any
// thread as long as the TimeZone is (TimeZone promises that).
#include "schedule/scheduler.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace signage {

namespace chr = std::chrono;
using chr::milliseconds;

namespace {

// How far the scans for the anchor and for the next change look.
constexpr auto kHorizon = chr::days(8);
// The answer's lifetime when nothing changes within the horizon.
constexpr auto kNoChangeHold = chr::hours(24);

Date next_date(Date d) { return Date(chr::sys_days(d) + chr::days(1)); }

bool contains(const std::vector<Date>& dates, Date d) {
  return std::find(dates.begin(), dates.end(), d) != dates.end();
}

// A local reading with what every When check needs computed once.
struct Reading {
  Date date;
  Date prev;           // the date before: over-midnight windows belong to it
  unsigned weekday;    // of `date`, 0 = Sunday
  unsigned prev_weekday;
  milliseconds tod;
};

Reading make_reading(Date date, milliseconds tod) {
  const chr::sys_days day(date);
  const unsigned wd = chr::weekday(day).c_encoding();
  return Reading{date, Date(day - chr::days(1)), wd, (wd + 6) % 7, tod};
}

// The date part of a When: starts/ends, dates, except, weekdays.
bool date_holds(const When& w, Date d, unsigned weekday) {
  if (w.starts && d < *w.starts) return false;
  if (w.ends && d > *w.ends) return false;
  if (((static_cast<unsigned>(w.weekdays) >> weekday) & 1U) == 0) return false;
  if (!w.dates.empty() && !contains(w.dates, d)) return false;
  if (contains(w.except, d)) return false;
  return true;
}

// Whether a When has any date constraint (so it may change at a local midnight).
bool has_date_constraint(const When& w) {
  return w.starts || w.ends || (w.weekdays & 0x7F) != 0x7F || !w.dates.empty() || !w.except.empty();
}

bool holds(const When& w, const Reading& r) {
  int today = -1;  // date checks are done at most once, and only when needed
  const auto today_ok = [&] {
    if (today < 0) today = date_holds(w, r.date, r.weekday) ? 1 : 0;
    return today == 1;
  };
  if (w.hours.empty()) return today_ok();
  int yesterday = -1;
  const auto yesterday_ok = [&] {
    if (yesterday < 0) yesterday = date_holds(w, r.prev, r.prev_weekday) ? 1 : 0;
    return yesterday == 1;
  };
  for (const TimeWindow& win : w.hours) {
    if (win.start < win.end) {
      if (r.tod >= win.start && r.tod < win.end && today_ok()) return true;
    } else {  // over midnight: belongs to the date it starts on
      if (r.tod >= win.start && today_ok()) return true;
      if (r.tod < win.end && yesterday_ok()) return true;
    }
  }
  return false;
}

// Flat encoding of a playable state: for each winning campaign, a marker word
// (kCampaignBit | campaign index) followed by the indices of its playable items.
// Two states are the same rotation sequence exactly when their encodings are equal.
using State = std::vector<std::uint32_t>;
constexpr std::uint32_t kCampaignBit = 0x8000'0000U;

// The zones a set's campaigns are read in: the screen's, and each campaign's own
// ([campaign] timezone); campaigns map to an index into `zones`.
struct Zones {
  std::vector<const TimeZone*> zones;      // [0] is the screen's zone
  std::vector<std::size_t> of_campaign;    // campaign index -> zone index

  Zones(const PlaylistSet& set, const TimeZone& screen) : zones{&screen} {
    for (const Campaign& c : set.campaigns) {
      const TimeZone* z = c.zone ? c.zone.get() : &screen;
      const auto it = std::find(zones.begin(), zones.end(), z);
      of_campaign.push_back(static_cast<std::size_t>(it - zones.begin()));
      if (it == zones.end()) zones.push_back(z);
    }
  }
};

class StateEval {
 public:
  StateEval(const PlaylistSet& set, const Zones& zones) : set_(set), zones_(zones) {
    order_.resize(set.campaigns.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    // Highest priority first; equal priorities keep set order (stable).
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      return set.campaigns[a].priority > set.campaigns[b].priority;
    });
    // Per item: 0 = never playable (media missing), 1 = always, 2 = check its When.
    for (const Campaign& c : set.campaigns) {
      first_item_.push_back(item_kind_.size());
      for (const Item& item : c.items) {
        const bool always = item.when.hours.empty() && !has_date_constraint(item.when);
        item_kind_.push_back(item.media_missing ? 0 : always ? 1 : 2);
      }
    }
  }

  // Fills `out` with the playable state at `t`; `out`'s storage is reused.
  void eval(Instant t, State& out) const {
    out.clear();
    readings_.clear();
    for (const TimeZone* z : zones_.zones) {
      const LocalTime lt = z->to_local(t);
      readings_.push_back(make_reading(lt.date, lt.time_of_day));
    }
    std::size_t g = 0;
    while (g < order_.size()) {
      const int prio = set_.campaigns[order_[g]].priority;
      std::size_t g_end = g;
      while (g_end < order_.size() && set_.campaigns[order_[g_end]].priority == prio) ++g_end;
      for (std::size_t k = g; k < g_end; ++k) {
        const std::size_t ci = order_[k];
        const Campaign& c = set_.campaigns[ci];
        const Reading& r = readings_[zones_.of_campaign[ci]];
        if (!holds(c.when, r)) continue;
        const std::size_t mark = out.size();
        out.push_back(kCampaignBit | static_cast<std::uint32_t>(ci));
        const std::uint8_t* kind = item_kind_.data() + first_item(ci);
        for (std::size_t ii = 0; ii < c.items.size(); ++ii) {
          if (kind[ii] == 1 || (kind[ii] == 2 && holds(c.items[ii].when, r))) {
            out.push_back(static_cast<std::uint32_t>(ii));
          }
        }
        if (out.size() == mark + 1) out.pop_back();  // no playable item: not a candidate
      }
      if (!out.empty()) return;  // the highest priority with a candidate wins
      g = g_end;
    }
  }

 private:
  std::size_t first_item(std::size_t ci) const { return first_item_[ci]; }

  const PlaylistSet& set_;
  const Zones& zones_;
  mutable std::vector<Reading> readings_;  // per zone, for the instant being evaluated
  std::vector<std::size_t> order_;
  std::vector<std::uint8_t> item_kind_;
  std::vector<std::size_t> first_item_;
};

// The times of day at which some When may change: every distinct window boundary of
// every campaign and item, and midnight (0) when some When depends on the date or has
// a boundary there (24:00 is the next midnight). Empty: nothing ever changes.
std::vector<milliseconds> boundary_times(const PlaylistSet& set, const Zones& zones, std::size_t zone) {
  std::vector<milliseconds> tods;
  bool midnight = false;
  const auto add = [&](const When& w) {
    midnight = midnight || has_date_constraint(w);
    for (const TimeWindow& win : w.hours) {
      for (const milliseconds tod : {win.start, win.end}) {
        if (tod > milliseconds(0) && tod < chr::hours(24)) {
          tods.push_back(tod);
        } else {
          midnight = true;
        }
      }
    }
  };
  for (std::size_t ci = 0; ci < set.campaigns.size(); ++ci) {
    if (zones.of_campaign[ci] != zone) continue;
    const Campaign& c = set.campaigns[ci];
    add(c.when);
    for (const Item& item : c.items) add(item.when);
  }
  if (midnight) tods.push_back(milliseconds(0));
  std::sort(tods.begin(), tods.end());
  tods.erase(std::unique(tods.begin(), tods.end()), tods.end());
  return tods;
}

// The candidate change instants that fall on one local date, ascending. They all lie
// in [start of the date, start of the next date], so dates give them in order.
class DayCandidates {
 public:
  DayCandidates(const TimeZone& zone, const std::vector<milliseconds>& tods)
      : zone_(zone), tods_(tods) {}

  const std::vector<Instant>& for_date(Date d) {
    out_.clear();
    const Instant day_start = midnight(d);
    const Instant day_end = midnight(next_date(d));
    const chr::seconds off_start = zone_.to_local(day_start).utc_offset;
    const chr::seconds off_end = zone_.to_local(day_end - milliseconds(1)).utc_offset;
    const auto day_wall = chr::sys_days(d);
    if (off_start == off_end) {
      // The usual day: one offset throughout, every reading happens exactly once.
      for (const milliseconds tod : tods_) {
        out_.push_back(Instant((day_wall + tod - off_start).time_since_epoch()));
      }
      return out_;
    }
    // The offset changes on this date. The change itself moves the wall clock, and a
    // reading may happen twice (clocks go back: both count) or never (clocks go
    // forward: to_instant gives the instant the clock jumps past it).
    Instant lo = day_start;
    Instant hi = day_end - milliseconds(1);
    while (hi - lo > milliseconds(1)) {  // first instant with the new offset
      const Instant mid = lo + (hi - lo) / 2;
      if (zone_.to_local(mid).utc_offset == off_end) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    out_.push_back(hi);
    for (const milliseconds tod : tods_) {
      const auto wall = day_wall + tod;
      out_.push_back(zone_.to_instant(d, tod));
      for (const chr::seconds off : {off_start, off_end}) {
        const Instant cand((wall - off).time_since_epoch());
        if (zone_.to_local(cand).wall() == wall) out_.push_back(cand);
      }
    }
    std::sort(out_.begin(), out_.end());
    out_.erase(std::unique(out_.begin(), out_.end()), out_.end());
    return out_;
  }

 private:
  // The start of a local date; the scans ask for each one twice (as the start of a
  // date and the end of the one before), so they are kept.
  Instant midnight(Date d) {
    for (const auto& [date, instant] : midnights_) {
      if (date == d) return instant;
    }
    const Instant m = zone_.to_instant(d, milliseconds(0));
    midnights_.emplace_back(d, m);
    return m;
  }

  const TimeZone& zone_;
  const std::vector<milliseconds>& tods_;
  std::vector<Instant> out_;
  std::vector<std::pair<Date, Instant>> midnights_;
};

struct Entry {
  std::size_t campaign;
  std::size_t item;
  milliseconds duration;
};

// Expands a state into the rotation sequence: item k of each winner in turn, a
// shorter list wrapping around. Also fills `winners`.
void build_sequence(const PlaylistSet& set, const State& state, std::vector<Entry>& seq,
                    std::vector<std::size_t>& winners) {
  struct Span {
    std::size_t campaign, begin, len;
  };
  std::vector<Span> spans;
  std::size_t max_len = 0;
  for (std::size_t i = 0; i < state.size();) {
    const std::size_t ci = state[i] & ~kCampaignBit;
    std::size_t j = i + 1;
    while (j < state.size() && (state[j] & kCampaignBit) == 0) ++j;
    spans.push_back({ci, i + 1, j - i - 1});
    winners.push_back(ci);
    max_len = std::max(max_len, j - i - 1);
    i = j;
  }
  seq.reserve(max_len * spans.size());
  for (std::size_t k = 0; k < max_len; ++k) {
    for (const Span& s : spans) {
      const std::size_t ii = state[s.begin + k % s.len];
      // A non-positive duration would stall the rotation; it shows for 1 ms instead.
      const milliseconds d = std::max(set.campaigns[s.campaign].items[ii].duration, milliseconds(1));
      seq.push_back({s.campaign, ii, d});
    }
  }
}

}  // namespace

bool when_holds(const When& when, const LocalTime& t) {
  return holds(when, make_reading(t.date, t.time_of_day));
}

namespace {

// Every candidate change instant c with lo < c <= hi, of every zone, ascending.
class Candidates {
 public:
  Candidates(const PlaylistSet& set, const Zones& zones) {
    for (std::size_t z = 0; z < zones.zones.size(); ++z) {
      tods_.push_back(boundary_times(set, zones, z));
    }
    for (std::size_t z = 0; z < zones.zones.size(); ++z) days_.emplace_back(*zones.zones[z], tods_[z]);
    zones_ = zones.zones;
  }
  bool none() const {
    return std::all_of(tods_.begin(), tods_.end(), [](const auto& t) { return t.empty(); });
  }
  std::vector<Instant> between(Instant lo, Instant hi) {
    std::vector<Instant> out;
    for (std::size_t z = 0; z < zones_.size(); ++z) {
      if (tods_[z].empty()) continue;
      const Date last = zones_[z]->to_local(hi).date;
      for (Date d = zones_[z]->to_local(lo).date; d <= last; d = next_date(d)) {
        for (const Instant c : days_[z].for_date(d)) {
          if (c > lo && c <= hi) out.push_back(c);
        }
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

 private:
  std::vector<std::vector<milliseconds>> tods_;  // per zone (stable: days_ keep references)
  std::vector<DayCandidates> days_;
  std::vector<const TimeZone*> zones_;
};

}  // namespace

ScheduleResult schedule_at(const PlaylistSet& set, Instant now, const TimeZone& zone) {
  const Zones zones(set, zone);
  const StateEval eval(set, zones);
  Candidates candidates(set, zones);

  State current;
  eval.eval(now, current);
  State probe;
  probe.reserve(current.capacity());

  // Anchor: the latest candidate in (now - horizon, now] where the state just before
  // differs from the state at it. Between candidates the state is constant, so the
  // state at a candidate equals the state just before the next later one.
  const Instant back_limit = now - kHorizon;
  std::optional<Instant> anchor;
  if (!candidates.none()) {
    State at = current;  // the state at the candidate being looked at
    const std::vector<Instant> back = candidates.between(back_limit, now);
    for (auto it = back.rbegin(); it != back.rend(); ++it) {
      const Instant c = *it;
      eval.eval(c - milliseconds(1), probe);
      if (probe != at) {
        anchor = c;
        break;
      }
      std::swap(at, probe);
    }
  }

  // Next change: the first candidate in (now, now + horizon] with a different state.
  const Instant forward_limit = now + kHorizon;
  std::optional<Instant> next_change;
  if (!candidates.none()) {
    for (const Instant c : candidates.between(now, forward_limit)) {
      eval.eval(c, probe);
      if (probe != current) {
        next_change = c;
        break;
      }
    }
  }

  Instant until = next_change ? *next_change : now + kNoChangeHold;
  // The anchor leaves the look-back horizon at anchor + horizon; from then on the
  // rotation is anchored at the epoch, so the answer cannot hold past that.
  if (anchor) until = std::min(until, *anchor + kHorizon);

  ScheduleResult result;
  if (current.empty()) {
    result.until = until;
    return result;
  }

  std::vector<Entry> seq;
  build_sequence(set, current, seq, result.winners);
  milliseconds cycle{0};
  for (const Entry& e : seq) cycle += e.duration;

  const Instant start_of_rotation = anchor ? *anchor : Instant{};
  milliseconds offset = (now - start_of_rotation) % cycle;
  if (offset < milliseconds(0)) offset += cycle;  // instants before the epoch
  milliseconds acc{0};
  for (const Entry& e : seq) {
    if (offset < acc + e.duration) {
      Showing s;
      s.campaign = e.campaign;
      s.item = e.item;
      s.start = now - (offset - acc);
      s.end = s.start + e.duration;
      result.showing = s;
      break;
    }
    acc += e.duration;
  }
  result.until = std::min(until, result.showing->end);
  return result;
}

std::optional<Instant> next_showing_start(const PlaylistSet& set, Instant from, Instant to, const TimeZone& zone) {
  Instant t = from;
  for (int steps = 0; t < to && steps < 1000; ++steps) {
    const ScheduleResult r = schedule_at(set, t, zone);
    if (r.showing) return t;
    t = r.until;
  }
  return std::nullopt;
}

}  // namespace signage
