// SIGTERM and SIGINT as a request to stop `signage play`, honoured within a second
// whatever the loop is doing (systemd's stop, Ctrl-C).
//
// The handlers (sigaction) only set an atomic flag and write a byte to a pipe, both
// async-signal-safe. The flag is what the kiosk loop, the waits inside it and long
// text layouts (FontSet::set_stop_flag) check; a small thread of this module waits
// on the pipe and calls `wake` (wake_display) so that a loop asleep until its next
// deadline sees the flag at once. SDL installs no handlers of its own (render sets
// SDL_HINT_NO_SIGNAL_HANDLERS). A second SIGTERM or SIGINT while the player stops
// ends it at once (the default action).
//
// Ownership: one StopSignals at a time in a process (handlers are the process's);
// it restores the handlers it replaced and joins its thread when destroyed. The
// flag lives as long as the process, so a FontSet or a Kiosk may keep its address.
// Thread: create and destroy it on one thread; requested(), which() and flag() from
// any thread; `wake` runs on the module's thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"

namespace signage {

class StopSignals {
 public:
  // Installs the handlers. An error when another StopSignals is alive or the pipe
  // or a handler cannot be made (nothing is left installed then).
  static Result<std::unique_ptr<StopSignals>> install(std::function<void()> wake);
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  ~StopSignals();

  // True once SIGTERM or SIGINT came (it stays true).
  bool requested() const;
  // "SIGTERM" or "SIGINT" (the first that came), or "" before.
  std::string which() const;
  // The flag itself, for FontSet::set_stop_flag and the kiosk.
  static const std::atomic<bool>& flag();

  struct Impl;

 private:
  explicit StopSignals(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace signage
