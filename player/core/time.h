// Time as the rest of the player sees it. Nothing outside this module reads the
// wall clock or the time zone directly: both are injected, so schedules, DST changes
// and clock jumps can be tested deterministically.
//
// Instant: a point on the UTC time line, in milliseconds.
// LocalTime: what the wall clock in the screen's zone shows at an Instant, with the
// offset kept so records can print "2024-06-16T10:02:03.120+08:00".
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/env.h"

namespace signage {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;
using Date = std::chrono::year_month_day;

struct LocalTime {
  Date date;
  std::chrono::milliseconds time_of_day{0};  // since local midnight, in [0, 24h)
  std::chrono::weekday weekday;
  std::chrono::seconds utc_offset{0};        // local = UTC + offset

  // The wall-clock reading as if it were UTC: date and time of day in one number.
  // Used to compare wall-clock readings, never as a real instant.
  std::chrono::sys_time<std::chrono::milliseconds> wall() const;
};

// Maps instants to wall-clock readings in one time zone. Implementations must be
// safe to call from any thread.
class TimeZone {
 public:
  virtual ~TimeZone() = default;
  virtual LocalTime to_local(Instant t) const = 0;

  // The instant at which the wall clock shows `date` at `time_of_day` (which may be
  // 24h: the next midnight). When that reading happens twice (clocks go back), the
  // earlier; when it never happens (clocks go forward), the instant the clock jumps
  // past it, so that a window "02:30-04:00" on a spring-forward night starts at 03:00.
  Instant to_instant(Date date, std::chrono::milliseconds time_of_day) const;

  // "Asia/Shanghai", "UTC+08:00", a POSIX TZ string: what the zone is called in
  // messages and logs.
  virtual std::string name() const { return {}; }
};

// Zones are objects, read from the IANA time zone database (TZif files, RFC 8536,
// version 2 and later with their POSIX footer for instants past the table) or POSIX
// TZ strings; nothing here goes through localtime_r or the process's TZ, so several
// zones work at once, from any thread.
//
// Zone files are read through an Env (core/env.h; real_env() by default), never
// waiting on a FIFO or a device, and only when they are regular files of at most 1 MiB.
//
// A zone by IANA name ("Asia/Shanghai", "Europe/Berlin", "UTC") from `zoneinfo`.
// Errors (translated) say the name is unknown and what to write; one that could not
// be read (not a missing file) keeps the file's error, of its kind, as its cause.
Result<std::shared_ptr<const TimeZone>> time_zone_named(std::string_view name,
                                                        const std::filesystem::path& zoneinfo = "/usr/share/zoneinfo",
                                                        Env& env = real_env());
// A zone from the bytes of a TZif file; `name` is what it is called.
Result<std::shared_ptr<const TimeZone>> time_zone_from_tzif(std::string_view bytes, std::string name);
// A zone from a POSIX TZ string: "CST-8", "CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30".
Result<std::shared_ptr<const TimeZone>> posix_time_zone(std::string_view tz);
// UTC.
std::shared_ptr<const TimeZone> utc_time_zone();
// The zone a TZ value means, as the C library reads it: nullptr (unset) -> the
// TZif file `localtime`; "" -> UTC; ":NAME" or "/path" -> that file; "NAME" -> the
// zone of that name in `zoneinfo`, else a POSIX TZ string.
Result<std::shared_ptr<const TimeZone>> time_zone_from_tz(const char* tz, const std::filesystem::path& zoneinfo,
                                                           const std::filesystem::path& localtime,
                                                           Env& env = real_env());
// The zone of the box: time_zone_from_tz(getenv("TZ"), "/usr/share/zoneinfo",
// "/etc/localtime"), as an object read once (UTC when it cannot be read, as the C
// library does).
std::unique_ptr<TimeZone> system_time_zone();
// A zone with a constant offset (tests, and zones without DST).
std::unique_ptr<TimeZone> fixed_offset_zone(std::chrono::seconds offset);

// The source of "now". The player reads it; tests drive a ManualClock.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
  // How many clock milliseconds pass per real millisecond (1 for real clocks).
  virtual double rate() const { return 1.0; }
};

class SystemClock final : public Clock {
 public:
  Instant now() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant t) : t_(t) {}
  Instant now() const override { return t_; }
  void set(Instant t) { t_ = t; }
  void advance(std::chrono::milliseconds d) { t_ += d; }

 private:
  Instant t_;
};

// Monotonic time: deadlines, pacing, timeouts and back-off. It never jumps when the
// wall clock is set, and says nothing about what the wall clock shows. Code that waits
// or measures takes a `const MonotonicClock&` (injected like `Clock`), so tests can
// drive waits with a ManualMonotonicClock instead of sleeping.
using MonoTime = std::chrono::steady_clock::time_point;

class MonotonicClock {
 public:
  virtual ~MonotonicClock() = default;
  virtual MonoTime now() const = 0;
};

// The process's steady clock. Safe from any thread.
class SteadyClock final : public MonotonicClock {
 public:
  MonoTime now() const override;
  // One shared instance, for code whose only use is a timeout it sets and checks itself
  // (an FFmpeg interrupt callback); everything that paces or schedules takes a clock.
  static const SteadyClock& instance();
};

// A monotonic clock that moves only when told to (tests). Safe from any thread.
class ManualMonotonicClock final : public MonotonicClock {
 public:
  explicit ManualMonotonicClock(MonoTime t = MonoTime{}) : ns_(t.time_since_epoch().count()) {}
  MonoTime now() const override { return MonoTime(MonoTime::duration(ns_.load())); }
  void advance(std::chrono::nanoseconds d) { ns_ += std::chrono::duration_cast<MonoTime::duration>(d).count(); }

 private:
  std::atomic<MonoTime::rep> ns_;
};

// A clock that starts at `start` and runs `speed` times faster than `base`:
// `signage play --clock 2024-06-16T07:30+08:00 --speed 60` plays a day in 24 minutes
// (demos, tests). rate() tells the main loop how to turn waits into real time.
class SimulatedClock final : public Clock {
 public:
  SimulatedClock(const Clock& base, Instant start, double speed)
      : base_(base), base0_(base.now()), start_(start), speed_(speed) {}
  Instant now() const override {
    const auto real = base_.now() - base0_;
    return start_ + std::chrono::milliseconds(static_cast<long long>(static_cast<double>(real.count()) * speed_));
  }
  double rate() const override { return speed_; }

 private:
  const Clock& base_;
  Instant base0_;
  Instant start_;
  double speed_;
};

// "2024-06-16T10:02:03.120+08:00" (milliseconds only when `with_ms`).
std::string format_iso8601(const LocalTime& t, bool with_ms = true);
// "2024-06-16" 
std::string format_date(Date d);

// Accepts "YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM|-HH:MM]". Without an offset the
// reading is taken in `zone`. A space may stand for the 'T'.
Result<Instant> parse_iso8601(std::string_view text, const TimeZone& zone);

// "12s", "1m30s", "500ms", "2h", "1.5s": a duration as written in config files.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);
// "HH:MM" or "HH:MM:SS", 00:00 to 24:00.
Result<std::chrono::milliseconds> parse_time_of_day(std::string_view text);

}  // namespace signage
