// Talks to systemd when the player runs as a Type=notify service: READY=1 once the
// first frame is on screen, WATCHDOG=1 from the render loop (so a frozen screen is
// restarted), STATUS= with what is playing. Without systemd (NOTIFY_SOCKET unset)
// every call does nothing.
// Thread: the main thread (the render loop), so a watchdog ping proves it is alive.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace signage {

class ServiceNotifier {
 public:
  ServiceNotifier();
  void ready();
  void watchdog();
  void status(const std::string& text);
  void stopping();
  // How often the loop must call watchdog(): half of WatchdogSec, or nullopt.
  std::optional<std::chrono::milliseconds> watchdog_period() const { return period_; }

 private:
  bool enabled_ = false;
  std::optional<std::chrono::milliseconds> period_;
  std::optional<std::chrono::steady_clock::time_point> last_ping_;
};

}  // namespace signage
