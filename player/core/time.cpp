#include "core/time.h"

#include "core/i18n.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <algorithm>
#include <optional>

namespace signage {

namespace chr = std::chrono;
using std::chrono::milliseconds;

chr::sys_time<milliseconds> LocalTime::wall() const {
  return chr::sys_days(date) + time_of_day;
}

namespace {

LocalTime from_wall(chr::sys_time<milliseconds> wall, chr::seconds offset) {
  const auto day = chr::floor<chr::days>(wall);
  LocalTime lt;
  lt.date = Date(day);
  lt.time_of_day = wall - day;
  lt.weekday = chr::weekday(day);
  lt.utc_offset = offset;
  return lt;
}

class FixedZone final : public TimeZone {
 public:
  explicit FixedZone(chr::seconds offset) : offset_(offset) {}
  LocalTime to_local(Instant t) const override { return from_wall(t + offset_, offset_); }
  std::string name() const override {
    const long long off = offset_.count();
    const long long a = off < 0 ? -off : off;
    char buf[32];
    std::snprintf(buf, sizeof buf, "UTC%c%02lld:%02lld", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
    return buf;
  }

 private:
  chr::seconds offset_;
};

}  // namespace

Instant TimeZone::to_instant(Date date, milliseconds time_of_day) const {
  const auto wall = chr::sys_days(date) + time_of_day;
  // Offsets in force around that reading; a zone changes offset at most once a day
  // in practice, so the offsets a day before and after cover both sides.
  const auto as_utc = Instant(wall.time_since_epoch());
  const auto off_before = to_local(as_utc - chr::hours(26)).utc_offset;
  const auto off_after = to_local(as_utc + chr::hours(26)).utc_offset;
  std::optional<Instant> best;
  for (const auto off : {off_before, off_after}) {
    const Instant cand = as_utc - off;
    if (to_local(cand).wall() == wall && (!best || cand < *best)) best = cand;
  }
  if (best) return *best;
  // A gap: find the first instant whose reading is at or after `wall`.
  Instant lo = as_utc - std::max(off_before, off_after);
  Instant hi = as_utc - std::min(off_before, off_after);
  if (lo > hi) std::swap(lo, hi);
  while (hi - lo > milliseconds(1)) {
    const Instant mid = lo + (hi - lo) / 2;
    if (to_local(mid).wall() >= wall) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

std::unique_ptr<TimeZone> fixed_offset_zone(chr::seconds offset) {
  return std::make_unique<FixedZone>(offset);
}

Instant SystemClock::now() const {
  return chr::time_point_cast<milliseconds>(chr::system_clock::now());
}

MonoTime SteadyClock::now() const { return chr::steady_clock::now(); }

const SteadyClock& SteadyClock::instance() {
  static const SteadyClock clock;
  return clock;
}

std::string format_date(Date d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

std::string format_iso8601(const LocalTime& t, bool with_ms) {
  const auto total_ms = t.time_of_day.count();
  const long long h = total_ms / 3'600'000;
  const long long m = total_ms / 60'000 % 60;
  const long long s = total_ms / 1000 % 60;
  const long long ms = total_ms % 1000;
  const long long off = t.utc_offset.count();
  const long long aoff = off < 0 ? -off : off;
  char buf[64];
  if (with_ms) {
    std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lld.%03lld%c%02lld:%02lld", h, m, s, ms,
                  off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
  } else {
    std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lld%c%02lld:%02lld", h, m, s,
                  off < 0 ? '-' : '+', aoff / 3600, aoff / 60 % 60);
  }
  return format_date(t.date) + buf;
}

namespace {

// A tiny cursor over the text for the hand-written parsers below.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  // Exactly n digits.
  std::optional<int> digits(int n) {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      if (done() || !std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      v = v * 10 + (s[i++] - '0');
    }
    return v;
  }
};

}  // namespace

Result<Instant> parse_iso8601(std::string_view text, const TimeZone& zone) {
  const Error bad(fmt(_("'{1}' is not a time; write it like 2024-06-16T10:00:00+08:00"), text));
  Cursor c{text};
  const auto y = c.digits(4);
  if (!y || !c.eat('-')) return bad;
  const auto mo = c.digits(2);
  if (!mo || !c.eat('-')) return bad;
  const auto d = c.digits(2);
  if (!d) return bad;
  const Date date{chr::year(*y), chr::month(static_cast<unsigned>(*mo)),
                  chr::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return bad;
  milliseconds tod{0};
  if (c.eat('T') || c.eat('t') || c.eat(' ')) {
    const auto hh = c.digits(2);
    if (!hh || !c.eat(':')) return bad;
    const auto mm = c.digits(2);
    if (!mm || *hh > 23 || *mm > 59) return bad;
    tod = chr::hours(*hh) + chr::minutes(*mm);
    if (c.eat(':')) {
      const auto ss = c.digits(2);
      if (!ss || *ss > 59) return bad;
      tod += chr::seconds(*ss);
      if (c.eat('.')) {
        int frac = 0;
        int scale = 100;
        bool any = false;
        while (!c.done() && std::isdigit(static_cast<unsigned char>(c.peek()))) {
          frac += (c.s[c.i++] - '0') * scale;
          scale /= 10;
          any = true;
        }
        if (!any) return bad;
        tod += milliseconds(frac);
      }
    }
  }
  std::optional<chr::seconds> offset;
  if (c.eat('Z') || c.eat('z')) {
    offset = chr::seconds(0);
  } else if (c.peek() == '+' || c.peek() == '-') {
    const int sign = c.peek() == '-' ? -1 : 1;
    ++c.i;
    const auto oh = c.digits(2);
    if (!oh) return bad;
    c.eat(':');
    const auto om = c.done() ? std::optional<int>(0) : c.digits(2);
    if (!om || *oh > 18 || *om > 59) return bad;
    offset = chr::seconds(sign * (*oh * 3600 + *om * 60));
  }
  if (!c.done()) return bad;
  if (offset) return Instant((chr::sys_days(date) + tod - *offset).time_since_epoch());
  return zone.to_instant(date, tod);
}

Result<milliseconds> parse_duration(std::string_view text) {
  const Error bad(fmt(_("'{1}' is not a duration; write it like 12s, 1m30s or 500ms"), text));
  if (text.empty()) return bad;
  double total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) ++j;
    if (j == i) return bad;
    const std::string number(text.substr(i, j - i));
    if (number.find('.') != number.rfind('.')) return bad;
    const double v = std::strtod(number.c_str(), nullptr);
    size_t k = j;
    while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) ++k;
    const std::string_view unit = text.substr(j, k - j);
    double scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m" || unit == "min") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else return bad;
    total_ms += v * scale;
    i = k;
  }
  if (!std::isfinite(total_ms) || total_ms > 1e12) return bad;
  return milliseconds(static_cast<long long>(std::llround(total_ms)));
}

Result<milliseconds> parse_time_of_day(std::string_view text) {
  const Error bad(fmt(_("'{1}' is not a time of day; write it like 08:00 or 22:30:00"), text));
  Cursor c{text};
  const auto hh = c.digits(2);
  if (!hh || !c.eat(':')) return bad;
  const auto mm = c.digits(2);
  if (!mm || *mm > 59) return bad;
  int ss = 0;
  if (c.eat(':')) {
    const auto s = c.digits(2);
    if (!s || *s > 59) return bad;
    ss = *s;
  }
  if (!c.done()) return bad;
  if (*hh > 24 || (*hh == 24 && (*mm != 0 || ss != 0))) return bad;
  return milliseconds(chr::hours(*hh) + chr::minutes(*mm) + chr::seconds(ss));
}

}  // namespace signage
