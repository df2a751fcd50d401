#include "video/media_clock.h"

#include <algorithm>
#include <cmath>

namespace signage {

namespace chr = std::chrono;
using chr::microseconds;

microseconds MediaClock::position(microseconds target, MonoTime now, double speed) {
  const auto target_us = static_cast<double>(target.count());
  if (!at_) {
    at_ = now;
    pos_us_ = target_us;
    rate_ = 1.0;
    error_ = microseconds(0);
    return target;
  }
  const double elapsed_us = chr::duration<double, std::micro>(now - *at_).count();
  const double free_us = pos_us_ + std::max(0.0, elapsed_us) * speed * rate_;
  const double err_us = target_us - free_us;
  at_ = now;
  if (std::abs(err_us) >= static_cast<double>(opt_.jump.count())) {
    // A step: follow it at once.
    ++jumps_;
    pos_us_ = target_us;
    rate_ = 1.0;
    error_ = microseconds(0);
    return target;
  }
  pos_us_ = free_us;
  if (std::abs(err_us) < static_cast<double>(opt_.dead_band.count())) {
    rate_ = 1.0;
  } else {
    const double want = err_us / static_cast<double>(opt_.slew_horizon.count());
    rate_ = 1.0 + std::clamp(want, -opt_.max_slew, opt_.max_slew);
  }
  error_ = microseconds(std::llround(err_us));
  return microseconds(std::llround(free_us));
}

}  // namespace signage
