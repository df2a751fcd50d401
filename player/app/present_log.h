// `signage play --present-log FILE`: one CSV line per presented frame, to measure how
// closely screens are in step (bench/sync compares two players' logs):
//
//   unix_ms,campaign/item,position_ms
//   1719799200123.456,2024-safety-month/evacuation-psa,4200.000
//
// unix_ms: the real wall time of the present (system clock, microseconds, not a
// simulated --clock); campaign/item: what is on screen (empty for the idle screen);
// position_ms: the media position of the video frame presented, empty for other
// items. Lines are buffered and written in blocks; the file is flushed when the log
// closes.
//
// Ownership: owns the file. Thread: the main thread.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/precise_clock.h"

namespace signage {

class PresentLog {
 public:
  // Creates (truncates) `file` and writes the header line. Errors name the file.
  static Result<std::unique_ptr<PresentLog>> open(const std::filesystem::path& file, PreciseWallClock wall);
  ~PresentLog();
  PresentLog(const PresentLog&) = delete;
  PresentLog& operator=(const PresentLog&) = delete;

  // A frame was presented just now, showing `what` ("campaign/item", or "" for the
  // idle screen) at media `position` (videos).
  void presented(std::string_view what, std::optional<std::chrono::microseconds> position);

 private:
  PresentLog(std::FILE* f, PreciseWallClock wall) : file_(f), wall_(std::move(wall)) {}
  std::FILE* file_;
  PreciseWallClock wall_;
};

}  // namespace signage
