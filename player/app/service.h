// Talks to systemd when the player runs as a Type=notify service: READY=1 once the
// first frame is on screen, WATCHDOG=1 from the render loop (so a frozen screen is
// restarted), STATUS= with what is playing. Without systemd (NOTIFY_SOCKET unset)
// every call does nothing.
//
// Ownership: borrows the monotonic clock (the watchdog's spacing), which must
// outlive it.
// Thread: the main thread (the render loop), so a watchdog ping proves it is alive.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/time.h"

namespace signage {

class ServiceNotifier {
 public:
  explicit ServiceNotifier(const MonotonicClock& mono);
  void ready();
  void watchdog();
  // STATUS=: what is on screen (`showing`); a journal that cannot be written
  // (`journal_error`, empty: it can) comes first, as `systemctl status` shows it.
  void status(const std::string& showing, const std::string& journal_error = {});
  // The journal error the status line says now (empty: none).
  const std::string& status_journal_error() const { return journal_error_; }
  void stopping();
  // How often the loop must call watchdog(): half of WatchdogSec, or nullopt.
  std::optional<std::chrono::milliseconds> watchdog_period() const { return period_; }

 private:
  const MonotonicClock& mono_;
  bool enabled_ = false;
  std::optional<std::chrono::milliseconds> period_;
  std::optional<MonoTime> last_ping_;
  std::string journal_error_;
};

}  // namespace signage
