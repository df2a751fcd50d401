// Time zones for tests, as objects: never through the process's TZ, so tests of
// several zones can run side by side. `zone("Europe/Berlin")` reads the IANA
// database; a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3") works where no name
// fits. The test fails (and gets UTC) when neither can be read.
// Thread: any.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "core/time.h"

namespace signage::test {

inline std::shared_ptr<const TimeZone> zone(std::string_view name_or_posix) {
  if (auto named = time_zone_named(name_or_posix)) return *named;
  if (auto posix = posix_time_zone(name_or_posix)) return *posix;
  ADD_FAILURE() << "no time zone " << name_or_posix;
  return utc_time_zone();
}

// Whether the zone database has `name` (tests skip what the box cannot show).
inline bool have_zone(std::string_view name) { return time_zone_named(name).ok(); }

}  // namespace signage::test
