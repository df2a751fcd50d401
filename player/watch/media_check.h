// Reading media files the way the drop folder needs: their SHA-256 (to notice a
// file replaced in place) and a cheap check that a complete file is usable before
// its item joins the rotation. Internal to the watch module.
// Thread: any; no shared state.
#pragma once

#include <filesystem>
#include <string>

#include "core/error.h"
#include "playlist/model.h"

namespace signage {

// Lowercase hex SHA-256 of the file's bytes, read in chunks.
Result<std::string> sha256_file(const std::filesystem::path& file);

// Images: the header must probe (media/image.h probe_image). Videos: the file must
// not be empty (a full probe comes with the video decoder). Errors name the file.
Status check_media_file(ItemType type, const std::filesystem::path& file);

}  // namespace signage
