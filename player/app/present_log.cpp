#include "app/present_log.h"

#include <cerrno>
#include <cinttypes>
#include <cstring>

#include "core/i18n.h"

namespace signage {

Result<std::unique_ptr<PresentLog>> PresentLog::open(const std::filesystem::path& file, PreciseWallClock wall) {
  std::FILE* f = std::fopen(file.c_str(), "w");
  if (!f) {
    return Error(file.string() + ": " + _("cannot write the present log") + ": " + std::strerror(errno));
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  std::fputs("unix_ms,campaign/item,position_ms\n", f);
  return std::unique_ptr<PresentLog>(new PresentLog(f, std::move(wall)));
}

PresentLog::~PresentLog() { std::fclose(file_); }

void PresentLog::presented(std::string_view what, std::optional<std::chrono::microseconds> position) {
  const std::int64_t us = wall_().time_since_epoch().count();
  std::fprintf(file_, "%" PRId64 ".%03" PRId64 ",%.*s,", us / 1000, us % 1000, static_cast<int>(what.size()),
               what.data());
  if (position) {
    const std::int64_t p = position->count();
    std::fprintf(file_, "%" PRId64 ".%03" PRId64, p / 1000, (p % 1000 + 1000) % 1000);
  }
  std::fputc('\n', file_);
}

}  // namespace signage
