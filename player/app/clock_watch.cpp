#include "app/clock_watch.h"

#include <sys/timex.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace signage {

namespace chr = std::chrono;

KernelClock read_kernel_clock() {
  timex tx{};
  // modes = 0: read only, allowed without privileges.
  const int state = adjtimex(&tx);
  KernelClock k;
  if (state < 0) return k;
  k.synced = state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
  // `offset` is in ns with STA_NANO, else in µs; the errors are always in µs.
  k.offset_ms = static_cast<double>(tx.offset) / ((tx.status & STA_NANO) != 0 ? 1e6 : 1e3);
  k.est_error_ms = static_cast<double>(tx.esterror) / 1e3;
  k.max_error_ms = static_cast<double>(tx.maxerror) / 1e3;
  return k;
}

ClockSync clock_sync_from(const KernelClock& kernel, const std::function<bool(const char*)>& exists) {
  ClockSync s;
  s.synced = kernel.synced;
  if (exists("/run/chrony/chronyd.pid")) {
    s.source = "chrony";
  } else if (exists("/run/systemd/timesync/synchronized")) {
    s.source = "timesyncd";
  } else if (exists("/run/ntpd.pid")) {
    s.source = "ntpd";
  } else {
    s.source = kernel.synced ? "kernel" : "none";
  }
  if (kernel.synced) {
    s.offset_ms = std::abs(kernel.offset_ms) + std::max(0.0, kernel.est_error_ms);
    if (kernel.max_error_ms > 0) s.max_error_ms = kernel.max_error_ms;
  }
  return s;
}

ClockSync read_clock_sync() {
  return clock_sync_from(read_kernel_clock(), [](const char* path) { return ::access(path, F_OK) == 0; });
}

ClockWatch::ClockWatch(const MonotonicClock& mono, double rate, std::function<ClockSync()> probe,
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

const ClockSync& ClockWatch::sync() {
  const MonoTime t = mono_.now();
  if (!synced_at_ || t - *synced_at_ >= ttl_) {
    sync_ = probe_ ? probe_() : ClockSync{};
    synced_at_ = t;
  }
  return sync_;
}

}  // namespace signage
