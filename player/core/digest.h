// SHA-256, the one hash the project uses (playlist and media identity, the
// journal's chain, evidence pictures). Thread: any.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.h"

namespace signage {

// 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);
// Of a file's bytes, read in chunks (fine for large videos).
Result<std::string> sha256_file(const std::filesystem::path& file);

}  // namespace signage
