// The last good version of each playlist file, kept on disk, so that a start while
// a file is being rewritten in place (an editor saving over it, a copy tool writing
// it) plays that version instead of leaving its campaign out.
//
//   <dir>/2024-safety-month.toml   byte copy of the last version of that file that
//                                  loaded without errors (same file name)
//
// remember() keeps a copy of each campaign's file of a set in play (only when the
// bytes on disk still hash to the campaign's source_sha256, so a file changing
// meanwhile is never kept by mistake); fill_in() puts the copy of each file the
// start-up load refused back into the set, loaded with the same options (media from
// the drop folder), as the watcher does with its in-memory last good versions. A
// file that is gone from the drop folder is never brought back: only refused files
// are filled in, and forget_missing() drops the copies of removed files.
//
// Files: read, written (atomically: a temporary file, fsync, rename), listed and
// deleted through an Env (core/env.h), the drop folder's files as well.
// Ownership: owns its folder's path; borrows the Env, which must outlive it.
// Thread: any, one call at a time.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/error.h"
#include "playlist/loader.h"
#include "playlist/model.h"

namespace signage {

class LastGoodPlaylists {
 public:
  explicit LastGoodPlaylists(std::filesystem::path dir, Env& env = real_env())
      : dir_(std::move(dir)), env_(&env) {}

  // Keeps a copy of every campaign's source file in `set` whose copy is missing or
  // older. Returns how many copies were written; fails on the first write error.
  Result<int> remember(const PlaylistSet& set) const;

  // The copy of `file` (by file name) loaded with `options`, its source set to
  // `file`; nullopt when there is no copy or it no longer loads.
  std::optional<Campaign> load(const std::filesystem::path& file, const LoadOptions& options) const;

  // For each refused file of `loaded` with a copy whose campaign id is not in the set
  // yet: that copy's campaign joins the set (in file-name order) and the file is
  // returned. Its refusal diagnostics stay in `loaded` (they are still true).
  std::vector<std::filesystem::path> fill_in(PlaylistSetResult& loaded, const LoadOptions& options) const;

  // Every copy whose file is still in `playlists`, loaded with `options`: that file
  // (playlists / name) -> its last good campaign (the watcher's start-up memory).
  std::map<std::filesystem::path, Campaign> load_all(const std::filesystem::path& playlists,
                                                     const LoadOptions& options) const;

  // Deletes the copies whose file is no longer in `playlists` (all of them when
  // `playlists` is gone). Returns how many went; fails on the first that cannot be
  // looked at or deleted.
  Result<int> forget_missing(const std::filesystem::path& playlists) const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  // The names of the copies (`*.toml`, not hidden) in the folder; none when it is missing.
  std::vector<std::string> copies() const;

  std::filesystem::path dir_;
  Env* env_;
};

}  // namespace signage
