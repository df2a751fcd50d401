#include "watch/media_check.h"

#include <cstdio>
#include <system_error>

#include "core/i18n.h"
#include "media/image.h"

namespace signage {

Status check_media_file(ItemType type, const std::filesystem::path& file) {
  if (type == ItemType::image) {
    auto info = probe_image(file);
    if (!info) return info.error();
    return {};
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return error_code_error(file.string() + ": cannot read", ec);
  if (size == 0) return Error(ErrorKind::invalid, file.string() + ": the file is empty; copy it again");
  return {};
}

std::string human_size(std::uintmax_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " bytes";
  double v = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  while (v >= 1024.0 && unit + 1 < std::size(kUnits)) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

Status check_media_size(const std::filesystem::path& file, std::uintmax_t size, std::uintmax_t max_bytes) {
  if (size <= max_bytes) return {};
  return Error(fmt(_("media file {1} is {2} ({3} bytes), over the limit of {4} for one media file; make it "
                     "smaller or raise [limits] max_media_gib"),
                   file.string(), human_size(size), std::to_string(size), human_size(max_bytes)));
}

}  // namespace signage
