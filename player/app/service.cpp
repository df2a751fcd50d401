#include "app/service.h"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>

#include "core/i18n.h"

namespace signage {

ServiceNotifier::ServiceNotifier(const MonotonicClock& mono) : mono_(mono) {
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
  const MonoTime now = mono_.now();
  if (last_ping_ && now - *last_ping_ < *period_ / 2) return;
  last_ping_ = now;
  sd_notify(0, "WATCHDOG=1");
}

void ServiceNotifier::status(const std::string& showing, const std::string& journal_error) {
  journal_error_ = journal_error;
  if (!enabled_) return;
  const std::string text =
      journal_error.empty()
          ? showing
          : fmt(_("ERROR: the journal cannot be written, plays are not recorded: {1}"), journal_error) + "; " +
                showing;
  sd_notifyf(0, "STATUS=%s", text.c_str());
}

void ServiceNotifier::stopping() {
  if (enabled_) sd_notify(0, "STOPPING=1");
}

}  // namespace signage
