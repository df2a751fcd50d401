// The wall clock, watched: notices when it jumps (someone set it, NTP stepped it)
// by comparing how far it moved with how far monotonic time moved, and says whether
// the kernel considers it synchronised (NTP, chrony, timesyncd), by whom, and how far
// off it may be, asking the kernel at most once per `sync_ttl` rather than for every
// record.
//
// Ownership: borrows the monotonic clock (it must outlive the watch); owns the
// last readings. Thread: one thread at a time (the main thread).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/time.h"

namespace signage {

// What the kernel says of the system clock (adjtimex, read only), in milliseconds.
struct KernelClock {
  bool synced = false;       // not TIME_ERROR and STA_UNSYNC clear
  double offset_ms = 0;      // the offset the kernel is still slewing away (PLL mode)
  double est_error_ms = 0;   // the daemon's estimate of the clock's error
  double max_error_ms = 0;   // its bound (root distance), grown by the kernel while unsynced
};
KernelClock read_kernel_clock();

// The clock's synchronisation as a heartbeat reports it.
struct ClockSync {
  bool synced = false;
  // Who keeps the clock: "chrony", "timesyncd", "ntpd", "kernel" (synchronised, by
  // something else) or "none".
  std::string source = "none";
  // How far the clock may be from true time: the offset still being slewed plus the
  // daemon's estimated error (absolute, ms). Unknown when not synchronised.
  std::optional<double> offset_ms;
  std::optional<double> max_error_ms;  // the bound the daemon gives; unknown when unsynced
};

// `kernel` and the daemons' run-time files (`exists` asks whether one is there):
// /run/chrony/chronyd.pid, /run/systemd/timesync/synchronized, /run/ntpd.pid.
ClockSync clock_sync_from(const KernelClock& kernel, const std::function<bool(const char*)>& exists);
// The system's own, read now.
ClockSync read_clock_sync();

class ClockWatch {
 public:
  // A wall clock that moves this much more or less than monotonic time jumped.
  static constexpr std::chrono::milliseconds kJumpThreshold{2000};

  // `rate`: wall-clock milliseconds per real millisecond (Clock::rate()). `probe`
  // reads the clock's synchronisation (tests pass their own).
  ClockWatch(const MonotonicClock& mono, double rate, std::function<ClockSync()> probe = read_clock_sync,
             std::chrono::milliseconds sync_ttl = std::chrono::seconds(10));

  struct Jump {
    Instant from;                    // where the wall clock should have been
    std::chrono::milliseconds by;    // how far it jumped (negative: backwards)
  };
  // One reading of the wall clock, `now`, taken at monotonic time `mono_now`.
  // Returns the jump since the previous reading, if it is over kJumpThreshold.
  std::optional<Jump> tick(Instant now, MonoTime mono_now);

  // The clock's synchronisation, as of at most sync_ttl ago.
  const ClockSync& sync();
  // Whether the clock is synchronised, as of at most sync_ttl ago.
  bool synced() { return sync().synced; }

 private:
  const MonotonicClock& mono_;
  double rate_;
  std::function<ClockSync()> probe_;
  std::chrono::milliseconds ttl_;
  std::optional<std::pair<Instant, MonoTime>> last_;
  std::optional<MonoTime> synced_at_;
  ClockSync sync_;
};

}  // namespace signage
