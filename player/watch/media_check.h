// A cheap check that a complete media file is usable before its item joins the
// rotation (hashes come from core/digest.h). Internal to the watch module.
// Thread: any; no shared state.
#pragma once

#include <filesystem>

#include "core/error.h"
#include "playlist/model.h"

namespace signage {

// Images: the header must probe (media/image.h probe_image). Videos: the file must
// not be empty (a full probe comes with the video decoder). Errors name the file.
Status check_media_file(ItemType type, const std::filesystem::path& file);

}  // namespace signage
