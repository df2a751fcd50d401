// Which media position a video shows at each moment, so that screens whose wall
// clocks agree show the same frame, and a wall clock that is corrected does not make
// the picture jump.
//
// The position runs on monotonic time (times the player clock's rate, for --speed)
// and follows a target that the caller derives from the wall clock (where the item's
// slot says the video should be now). A difference under `jump` (100 ms) is absorbed
// by running at most `max_slew` (0.5 %) faster or slower, so no frame is skipped or
// shown twice in a burst; a larger one (a stepped wall clock, a late start) is taken
// at once: the clock re-anchors on the target.
//
// Plain value; no clock of its own (the caller passes both times in).
// Thread: one at a time (the main thread, in the video's view).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "core/time.h"

namespace signage {

class MediaClock {
 public:
  struct Options {
    double max_slew = 0.005;                      // the most the rate moves from 1
    std::chrono::microseconds jump{100'000};      // from this difference on: re-anchor
    std::chrono::microseconds dead_band{500};     // below this: no slewing
    std::chrono::microseconds slew_horizon{1'000'000};  // rate = difference / horizon, capped
  };

  MediaClock() = default;
  explicit MediaClock(Options o) : opt_(o) {}

  // The position to show at monotonic time `now`, where the wall clock puts it at
  // `target`. `speed`: how many media microseconds pass per monotonic one (the player
  // clock's rate). The first call anchors on the target.
  std::chrono::microseconds position(std::chrono::microseconds target, MonoTime now, double speed = 1.0);

  // How the last position() differed from its target (target minus position).
  std::chrono::microseconds error() const { return error_; }
  // The slew now in effect: 1.0, or up to 1 +- max_slew.
  double rate() const { return rate_; }
  // How many times the clock re-anchored after the first anchor.
  std::uint64_t jumps() const { return jumps_; }

 private:
  Options opt_;
  std::optional<MonoTime> at_;  // the anchor: monotonic time ...
  double pos_us_ = 0;           // ... and the position then
  double rate_ = 1.0;
  std::chrono::microseconds error_{0};
  std::uint64_t jumps_ = 0;
};

}  // namespace signage
