// The drop folder, watched: a thread of its own notices changes (inotify on the
// playlists folder and the media folder with its subfolders, plus a periodic rescan
// for network file systems that send no events), waits until the changed files
// settle (watch/folder_scan.h), builds the next set (watch/set_builder.h) and leaves each
// Update in a mailbox for the main thread, then calls `wake`. Media files are hashed on
// a second thread (watch/media_hasher.h); each hash it finishes wakes the watcher
// thread to build again, so a large file never holds up the other files.
//
// Usage (main thread):
//   FolderWatcher watcher(options, [] { wake_display(); });
//   ... every loop iteration:  while (auto u = watcher.poll()) { apply and journal *u; }
// The first Update with a set (initial = true) is the baseline from the files present
// at start: files whose mtime is older than the settle interval count as settled at
// once. (If the playlists folder cannot be read at start, a rejection comes first.)
// Updates are deltas against the previous one: apply them all, in order.
//
// Ownership: the watcher owns its thread, inotify descriptor, set builder and media
// hasher; the destructor stops and joins both threads (within one read of a file being
// hashed). `wake` is called on the watcher thread and
// must be thread-safe (wake_display() is). Thread: construct, poll and destroy from
// one thread (the main thread); the folder is never read on that thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "playlist/loader.h"
#include "watch/set_builder.h"

namespace signage {

struct WatchOptions {
  std::filesystem::path playlists;             // the drop folder's playlists
  LoadOptions load;                            // load.media_root: the media folder (may be the same)
  int emergency_level = 100;                   // priority at or above which a campaign is an emergency
  std::chrono::milliseconds settle{300};       // unchanged this long before a file is read
  std::chrono::milliseconds debounce{50};      // events within this window make one scan
  std::chrono::milliseconds rescan{5'000};     // scan this often even without events
  bool use_inotify = true;                     // false: periodic rescan only (tests, exotic mounts)
  std::filesystem::path last_good;             // last good playlist copies (SetBuilderOptions::last_good)
  std::uintmax_t max_media_bytes = kDefaultMaxMediaBytes;  // larger media files are refused
  // The clocks it reads (null: the system's; each must outlive the watcher and be
  // safe from its thread): `mono` for settling, debounce and rescans; `file_clock`,
  // the wall time a file's mtime is compared with at start (a real clock, not the
  // simulated one of `play --clock`).
  const MonotonicClock* mono = nullptr;
  const Clock* file_clock = nullptr;
};

class FolderWatcher {
 public:
  // Starts the watcher thread. If inotify cannot be used the watcher rescans
  // periodically and says so in a notice of its first Update.
  FolderWatcher(WatchOptions options, std::function<void()> wake);
  ~FolderWatcher();
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

  // The oldest Update not yet taken, without blocking.
  std::optional<Update> poll();

  // Blocks up to `timeout` for the next Update (tests and benchmarks; the main loop
  // uses poll() and the wake callback instead).
  std::optional<Update> wait(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signage
