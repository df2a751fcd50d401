// The wall clock, watched: notices when it jumps (someone set it, NTP stepped it)
// by comparing how far it moved with how far monotonic time moved, and says whether
// the kernel considers it synchronised (NTP, chrony, timesyncd), asking the kernel
// at most once per `sync_ttl` rather than for every record.
//
// Ownership: borrows the monotonic clock (it must outlive the watch); owns the
// last readings. Thread: one thread at a time (the main thread).
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "core/time.h"

namespace signage {

// Whether the kernel says the system clock is synchronised (adjtimex, read only).
bool clock_synchronised();

class ClockWatch {
 public:
  // A wall clock that moves this much more or less than monotonic time jumped.
  static constexpr std::chrono::milliseconds kJumpThreshold{2000};

  // `rate`: wall-clock milliseconds per real millisecond (Clock::rate()). `probe`
  // asks whether the clock is synchronised (tests pass their own).
  ClockWatch(const MonotonicClock& mono, double rate, std::function<bool()> probe = clock_synchronised,
             std::chrono::milliseconds sync_ttl = std::chrono::seconds(10));

  struct Jump {
    Instant from;                    // where the wall clock should have been
    std::chrono::milliseconds by;    // how far it jumped (negative: backwards)
  };
  // One reading of the wall clock, `now`, taken at monotonic time `mono_now`.
  // Returns the jump since the previous reading, if it is over kJumpThreshold.
  std::optional<Jump> tick(Instant now, MonoTime mono_now);

  // Whether the clock is synchronised, as of at most sync_ttl ago.
  bool synced();

 private:
  const MonotonicClock& mono_;
  double rate_;
  std::function<bool()> probe_;
  std::chrono::milliseconds ttl_;
  std::optional<std::pair<Instant, MonoTime>> last_;
  std::optional<MonoTime> synced_at_;
  bool synced_ = false;
};

}  // namespace signage
