// Wall time with microseconds, for measurement logs (`signage play --present-log`):
// the Clock interface counts milliseconds, too coarse to compare two screens frame by
// frame. Injected as a function, so that tests pass their own.
// Thread: any.
#pragma once

#include <chrono>
#include <functional>

namespace signage {

using PreciseInstant = std::chrono::sys_time<std::chrono::microseconds>;
using PreciseWallClock = std::function<PreciseInstant()>;

// The system's real-time clock (CLOCK_REALTIME), as the kernel keeps it in step.
PreciseWallClock system_precise_clock();

}  // namespace signage
