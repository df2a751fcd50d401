// Time arithmetic of the report: the times records carry, spans of time, and
// splitting them into the screen's local days.
// Thread: any; pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace signage {

// A record's time, "2024-06-16T10:02:03.120+08:00": the instant, the offset it was
// written with, and the local date it names.
struct Stamp {
  Instant at{};
  std::chrono::seconds offset{0};
  Date date;
};
// "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)"; nullopt for anything else.
std::optional<Stamp> parse_stamp(std::string_view text);
// The date of the first 10 characters ("2024-06-16…"), for records whose time is
// not a full stamp.
std::optional<Date> date_prefix(std::string_view text);

// [a, b) on the time line, with the offset of the screen's local days.
struct Interval {
  Instant a{};
  Instant b{};
  std::chrono::seconds offset{0};
};

// Milliseconds of [a, b) on each local day (UTC + offset) it touches, in date order.
std::vector<std::pair<Date, std::int64_t>> split_by_day(Instant a, Instant b, std::chrono::seconds offset);

// The union of `spans`: overlapping or touching spans merged, sorted by start. Each
// merged span keeps the offset of the earliest span in it.
std::vector<Interval> merge_intervals(std::vector<Interval> spans);

}  // namespace signage
