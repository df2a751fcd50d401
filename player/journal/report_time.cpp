#include "journal/report_time.h"

#include <algorithm>

namespace signage {

namespace chr = std::chrono;

namespace {

// Digits text[at, at + n) as a number; nullopt when any is not a digit.
std::optional<int> digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<Date> date_prefix(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  const Date date{chr::year(*y), chr::month(static_cast<unsigned>(*m)), chr::day(static_cast<unsigned>(*d))};
  if (!date.ok()) return std::nullopt;
  return date;
}

std::optional<Stamp> parse_stamp(std::string_view text) {
  const auto date = date_prefix(text);
  if (!date || text.size() < 20 || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  const auto hh = digits(text, 11, 2), mm = digits(text, 14, 2), ss = digits(text, 17, 2);
  if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (text[pos] == '.') {
    std::size_t n = 0;
    while (pos + 1 + n < text.size() && text[pos + 1 + n] >= '0' && text[pos + 1 + n] <= '9') ++n;
    if (n == 0) return std::nullopt;
    const auto frac = digits(text, pos + 1, std::min<std::size_t>(n, 3));
    ms = *frac * (n == 1 ? 100 : n == 2 ? 10 : 1);
    pos += 1 + n;
  }
  Stamp s;
  if (pos + 1 == text.size() && text[pos] == 'Z') {
    s.offset = chr::seconds(0);
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    const auto oh = digits(text, pos + 1, 2), om = digits(text, pos + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    s.offset = chr::seconds((*oh * 3600 + *om * 60) * (text[pos] == '-' ? -1 : 1));
  } else {
    return std::nullopt;
  }
  const auto local = chr::sys_days(*date) + chr::hours(*hh) + chr::minutes(*mm) + chr::seconds(*ss) +
                     chr::milliseconds(ms);
  s.at = chr::time_point_cast<chr::milliseconds>(local - s.offset);
  s.date = *date;
  return s;
}

std::vector<std::pair<Date, std::int64_t>> split_by_day(Instant a, Instant b, chr::seconds offset) {
  std::vector<std::pair<Date, std::int64_t>> out;
  while (a < b) {
    const auto local = a + offset;
    const chr::sys_days day = chr::floor<chr::days>(local);
    const Instant midnight = chr::time_point_cast<chr::milliseconds>(day + chr::days(1) - offset);
    const Instant end = std::min(b, midnight);
    out.emplace_back(Date(day), (end - a).count());
    a = end;
  }
  return out;
}

std::vector<Interval> merge_intervals(std::vector<Interval> spans) {
  std::sort(spans.begin(), spans.end(), [](const Interval& x, const Interval& y) { return x.a < y.a; });
  std::vector<Interval> out;
  for (const auto& s : spans) {
    if (s.b < s.a) continue;
    if (!out.empty() && s.a <= out.back().b) {
      out.back().b = std::max(out.back().b, s.b);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace signage
