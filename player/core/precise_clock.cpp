#include "core/precise_clock.h"

namespace signage {

PreciseWallClock system_precise_clock() {
  return [] { return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now()); };
}

}  // namespace signage
