#include "app/clock_watch.h"

#include <sys/timex.h>

namespace signage {

namespace chr = std::chrono;

bool clock_synchronised() {
  timex tx{};
  // modes = 0: read only, allowed without privileges.
  const int state = adjtimex(&tx);
  return state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

ClockWatch::ClockWatch(const MonotonicClock& mono, double rate, std::function<bool()> probe,
                       chr::milliseconds sync_ttl)
    : mono_(mono), rate_(rate), probe_(std::move(probe)), ttl_(sync_ttl) {}

std::optional<ClockWatch::Jump> ClockWatch::tick(Instant now, MonoTime mono_now) {
  std::optional<Jump> jump;
  if (last_) {
    const auto wall = now - last_->first;
    const auto real = chr::duration_cast<chr::milliseconds>(mono_now - last_->second);
    const auto expected =
        chr::milliseconds(static_cast<long long>(static_cast<double>(real.count()) * rate_));
    const auto diff = chr::duration_cast<chr::milliseconds>(wall - expected);
    if (chr::abs(diff) > kJumpThreshold) {
      jump = Jump{last_->first + expected, diff};
      synced_at_.reset();  // a step often comes with a change of sync state: ask again
    }
  }
  last_ = std::make_pair(now, mono_now);
  return jump;
}

bool ClockWatch::synced() {
  const MonoTime t = mono_.now();
  if (!synced_at_ || t - *synced_at_ >= ttl_) {
    synced_ = probe_ ? probe_() : false;
    synced_at_ = t;
  }
  return synced_;
}

}  // namespace signage
