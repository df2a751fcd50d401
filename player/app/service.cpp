#include "app/service.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>

namespace signage {

ServiceNotifier::ServiceNotifier() {
  enabled_ = std::getenv("NOTIFY_SOCKET") != nullptr;
  std::uint64_t usec = 0;
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    period_ = std::chrono::milliseconds(static_cast<long long>(usec / 2000));
  }
}

void ServiceNotifier::ready() {
  if (enabled_) sd_notify(0, "READY=1");
}

void ServiceNotifier::watchdog() {
  if (!enabled_ || !period_) return;
  // The loop may call this every frame; a ping every quarter period is plenty.
  const auto now = std::chrono::steady_clock::now();
  if (last_ping_ && now - *last_ping_ < *period_ / 2) return;
  last_ping_ = now;
  sd_notify(0, "WATCHDOG=1");
}

void ServiceNotifier::status(const std::string& text) {
  if (enabled_) sd_notifyf(0, "STATUS=%s", text.c_str());
}

void ServiceNotifier::stopping() {
  if (enabled_) sd_notify(0, "STOPPING=1");
}

}  // namespace signage
