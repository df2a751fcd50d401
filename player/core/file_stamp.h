// A file's identity on disk, as stat() gives it: enough to notice that a file was
// written to or replaced (the drop folder's watcher, the picture cache).
// Thread: any; no shared state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace signage {

struct FileStamp {
  std::uintmax_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::uint64_t device = 0;
  friend bool operator==(const FileStamp&, const FileStamp&) = default;
};

// stat() of `file` (symlinks followed); nullopt when it is not a regular file now.
std::optional<FileStamp> stamp_of(const std::filesystem::path& file);

}  // namespace signage
