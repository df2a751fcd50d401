// Media files hashed (SHA-256) on a worker thread of their own, so that a large video
// never holds up the watcher thread: the set builder asks for a file's digest and,
// while it is not known yet, builds the set without that file's items (they join
// when it is).
//
// Rules:
//  - Results are cached per file and stamp (size, mtime, ctime, inode): asking again
//    for an unchanged file costs a map lookup; a changed stamp hashes it again.
//  - Files are hashed a slice (16 MiB) at a time; before each slice the worker takes
//    the most pressing job: urgent ones (an emergency's media) first, then the one
//    with the fewest bytes left. A small picture dropped while an 8 GiB video is being
//    hashed is done in milliseconds; the video resumes where it stopped.
//  - Files are opened without following them into a block (O_NONBLOCK, regular files
//    only). A file whose stamp differs from the one asked for, before or after it was
//    read, is reported `changed` once (the caller lets it settle again).
//  - Stopping is checked between 1 MiB reads: the destructor returns within one read,
//    even in the middle of a large file.
//
// Ownership: a MediaHasher owns its worker thread, its queue and open files, and its
// results. `done` is called on the worker thread after each result, without locks
// held; it must be thread-safe and quick (the watcher writes to an eventfd).
// Thread: digest(), keep_only() and idle() may be called from any thread (the
// watcher thread calls them); construct and destroy from one thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "watch/folder_scan.h"

namespace signage {

struct MediaDigest {
  enum class State {
    pending,   // queued or being hashed; asked again later it will be known
    ready,     // sha256 is the file's content at the stamp asked for
    failed,    // the file cannot be read: error says why
    changed,   // the file is not (or no longer) at the stamp asked for
  };
  State state = State::pending;
  std::string sha256;
  std::string error;
};

// Where the set builder gets media digests from: a MediaHasher, or a fake in tests.
class MediaDigests {
 public:
  virtual ~MediaDigests() = default;
  // The digest of `file` as it is at `stamp`. Not known yet: its hashing is queued
  // (or moved ahead when `urgent`) and `pending` comes back.
  virtual MediaDigest digest(const std::filesystem::path& file, const FileStamp& stamp, bool urgent) = 0;
  // Forgets every file but these (results dropped, jobs cancelled).
  virtual void keep_only(const std::set<std::filesystem::path>& files) = 0;
};

class MediaHasher final : public MediaDigests {
 public:
  // Starts the worker. `done` (may be empty) is called after each result.
  explicit MediaHasher(std::function<void()> done = {});
  // Stops the worker, abandoning a file in the middle; returns within one read.
  ~MediaHasher() override;
  MediaHasher(const MediaHasher&) = delete;
  MediaHasher& operator=(const MediaHasher&) = delete;

  MediaDigest digest(const std::filesystem::path& file, const FileStamp& stamp, bool urgent) override;
  void keep_only(const std::set<std::filesystem::path>& files) override;
  // Nothing queued or being hashed.
  bool idle() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signage
