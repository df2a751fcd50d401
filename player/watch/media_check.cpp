#include "watch/media_check.h"

#include <system_error>

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
  if (ec) return Error(file.string() + ": cannot read: " + ec.message());
  if (size == 0) return Error(file.string() + ": the file is empty; copy it again");
  return {};
}

}  // namespace signage
