// What is in the drop folder, and which of it has stopped changing.
//
// scan_drop_folder() lists the playlist files (`*.toml` directly in the playlists
// folder) and every media file (recursively under the media folder), each with a
// FileStamp (size, mtime, ctime, inode). Temporary names that copy tools and editors
// use while writing are left out: they are not the files' final names, and the
// final name appears (by rename) when the copy is done.
//
// SettleTracker decides when a file may be read: a file is *settled* once its stamp
// has been seen unchanged for the settle interval (two scans at least that far
// apart). A file still being written keeps changing size or mtime, so it is never
// settled mid-copy as long as the writer pauses less than the interval.
//
// Pure apart from the stat() calls of the scan; time is passed in. Thread: any;
// a SettleTracker belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "core/file_stamp.h"
#include "core/time.h"

namespace signage {

// Names that mean "still being written, not final": hidden names (`.x`, rsync's
// `.name.XXXXXX`, Syncthing's `.syncthing.*.tmp`), `*.tmp`, `*.part`,
// `*.crdownload`, `*.swp`, `*~`, and Office's lock files `~$*`.
bool is_temporary_name(std::string_view file_name);

struct FolderScan {
  bool playlists_readable = false;                        // the playlists folder is a readable folder
  std::map<std::filesystem::path, FileStamp> playlists;   // playlist files, lexically normal paths
  std::map<std::filesystem::path, FileStamp> media;       // every other regular file under the media folder
  std::vector<std::filesystem::path> folders;             // folders to watch: both roots, media subfolders
};

// Lists `playlists` (non-recursive, `*.toml`) and `media_root` (recursive; hidden
// folders and symlinked folders are not entered). The two may be the same folder.
FolderScan scan_drop_folder(const std::filesystem::path& playlists, const std::filesystem::path& media_root);

class SettleTracker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit SettleTracker(std::chrono::milliseconds settle) : settle_(settle) {}

  // Feeds a scan taken at `now`. With `trust_old_mtime_at` (the first scan at
  // start-up: the wall clock's time then) a file whose mtime is at least the settle
  // interval before it counts as settled at once, so that a screen starting up does
  // not wait for its own files. Returns true when the settled view
  // (settled_playlists/settled_media) changed.
  bool observe(const FolderScan& scan, TimePoint now, std::optional<Instant> trust_old_mtime_at = std::nullopt);

  // Files seen unchanged for the settle interval, with their stamps.
  const std::map<std::filesystem::path, FileStamp>& settled_playlists() const { return settled_playlists_; }
  const std::map<std::filesystem::path, FileStamp>& settled_media() const { return settled_media_; }
  // Files there but still changing.
  std::vector<std::filesystem::path> pending_playlists() const;
  bool is_pending_media(const std::filesystem::path& file) const;
  bool playlists_readable() const { return playlists_readable_; }

  // When the earliest pending file may settle: scan again then. nullopt: none pending.
  std::optional<TimePoint> next_deadline() const;

  // Forgets that `file` was settled (it changed under a reader): it must settle again.
  void unsettle(const std::filesystem::path& file, TimePoint now);

 private:
  struct Entry {
    FileStamp stamp;
    TimePoint changed_at;
    bool settled = false;
    bool playlist = false;
  };
  bool observe_one(const std::filesystem::path& file, const FileStamp& stamp, bool playlist, TimePoint now,
                   std::optional<Instant> trust_old_mtime_at);
  void rebuild_views();

  std::chrono::milliseconds settle_;
  std::map<std::filesystem::path, Entry> entries_;
  std::map<std::filesystem::path, FileStamp> settled_playlists_;
  std::map<std::filesystem::path, FileStamp> settled_media_;
  bool playlists_readable_ = false;
};

}  // namespace signage
