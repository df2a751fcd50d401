// Cheap checks that a complete media file is usable before its item joins the
// rotation (hashes come from watch/media_hasher.h). Used by the set builder and by
// `check` (watch/drop_report.h), so both say the same. Internal to the watch module.
// Thread: any; no shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "playlist/model.h"

namespace signage {

// The default size limit of one media file: 4 GiB ([limits] max_media_gib).
inline constexpr std::uintmax_t kDefaultMaxMediaBytes = std::uintmax_t{4} << 30;

// Images: the header must probe (media/image.h probe_image). Videos: the file must
// not be empty (a full probe comes with the video decoder). Errors name the file.
Status check_media_file(ItemType type, const std::filesystem::path& file);

// A file of `size` bytes over `max_bytes` is refused, with both sizes in the message
// (message language): it would take the screen minutes to hash and play.
Status check_media_size(const std::filesystem::path& file, std::uintmax_t size, std::uintmax_t max_bytes);

// "8.0 GiB", "512.0 MiB", "900.5 KiB", "12 bytes".
std::string human_size(std::uintmax_t bytes);

}  // namespace signage
