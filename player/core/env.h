// The file system, behind an interface (leveldb's Env): reading whole files and
// ranges, small files read without ever blocking, atomic replacement, appends that
// are synced, listing, sizes, deletion and advisory locks. Everything the player
// reads or writes on its own goes through it (the journal, the central log's files,
// the uplink's reader and cursor, evidence pictures, last good playlists, playlist
// and config files, time zones, message catalogs), so tests can inject faults (a
// full disk part-way through a line, a failing truncate, a file that cannot be read:
// core/faulty_env.h) and every error has a kind (core/error.h).
//
// Paths are plain std::filesystem paths; nothing here knows any file format.
// Errors name the file and carry the OS reason (strerror) and its ErrorKind
// (ENOENT -> not_found, EACCES -> permission, ENOSPC -> no_space, ...).
//
// Thread: PosixEnv serialises its calls with a mutex, so one instance (e.g.
// real_env()) may be shared by several threads and users.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace signage {

// An advisory lock on a file, held until this object is destroyed or released (it
// is movable, not copyable). A default-made FileLock holds nothing.
class FileLock {
 public:
  FileLock() = default;
  // `release` is called once, when the lock is given up.
  explicit FileLock(std::function<void()> release) : release_(std::move(release)) {}
  ~FileLock() { release(); }
  FileLock(FileLock&& other) noexcept : release_(std::exchange(other.release_, nullptr)) {}
  FileLock& operator=(FileLock&& other) noexcept {
    if (this != &other) {
      release();
      release_ = std::exchange(other.release_, nullptr);
    }
    return *this;
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  bool held() const { return static_cast<bool>(release_); }
  void release() {
    if (release_) std::exchange(release_, nullptr)();
  }

 private:
  std::function<void()> release_;
};

// What a path is (symbolic links followed).
enum class FileType {
  none,     // nothing there
  regular,  // a regular file
  folder,
  fifo,     // a named pipe
  device,   // a character or block device
  other,    // a socket, ...
};

// What Env::read_regular_file() found at a path.
struct RegularFileRead {
  FileType type = FileType::regular;  // never none (a missing file is an error)
  bool too_large = false;             // regular, but over the limit: not read
  std::string bytes;                  // the content: only a regular file within the limit
};

class Env {
 public:
  virtual ~Env() = default;

  // The whole file. A missing file is an error (kind not_found).
  virtual Result<std::string> read_file(const std::filesystem::path& file) = 0;
  // The whole file into `out`, reusing its memory (a reader of many files, e.g.
  // verify, touches fresh pages once instead of once per file). By default read_file().
  virtual Status read_file_into(const std::filesystem::path& file, std::string& out);
  // Up to `max_bytes` of the file from `offset` (fewer at its end; none past it).
  virtual Result<std::string> read_range(const std::filesystem::path& file, std::uint64_t offset,
                                         std::size_t max_bytes) = 0;
  // A small file whole, never waiting: it is opened without blocking (a FIFO with no
  // writer, a device) and looked at (fstat) before a byte is read. Only a regular file
  // of at most `max_bytes` is read; anything else comes back with its type (or
  // too_large) and no bytes, for the caller to name. Errors: it cannot be opened (kind
  // not_found, permission, ...) or read.
  virtual Result<RegularFileRead> read_regular_file(const std::filesystem::path& file, std::size_t max_bytes) = 0;
  // What `path` is; FileType::none when nothing is there. Errors: it cannot be looked
  // at (a folder on the way that cannot be searched).
  virtual Result<FileType> file_type(const std::filesystem::path& path) = 0;
  // The size of the file in bytes; 0 when it does not exist.
  virtual Result<std::uint64_t> file_size(const std::filesystem::path& file) = 0;
  // Names (not paths) of the regular files directly in `dir`, in no particular order.
  virtual Result<std::vector<std::string>> list_dir(const std::filesystem::path& dir) = 0;
  // Names of the folders directly in `dir` (symbolic links to folders included), in
  // no particular order.
  virtual Result<std::vector<std::string>> list_folders(const std::filesystem::path& dir) = 0;
  // Deletes the file (or empty folder) `path`; one already gone is no error.
  virtual Status remove(const std::filesystem::path& path) = 0;
  // Deletes the folder `dir` and everything in it (a file: just that file); one
  // already gone is no error. On error part of it may be deleted already.
  virtual Status remove_all(const std::filesystem::path& dir) = 0;
  // Creates `dir` and its parents when missing.
  virtual Status create_dir(const std::filesystem::path& dir) = 0;
  // Appends `bytes` to `file` (created when missing) and, unless the implementation
  // was made without sync, fdatasync()s it before returning. On error part of
  // `bytes` may have been written: the caller truncates it away.
  virtual Status append(const std::filesystem::path& file, std::string_view bytes) = 0;
  // Cuts `file` to `size` bytes (and syncs it).
  virtual Status truncate(const std::filesystem::path& file, std::uint64_t size) = 0;
  // Replaces `file` with `bytes` atomically: a temporary file beside it, synced,
  // then renamed over it, and the folder synced; readers see the old or the new
  // content, never a mix.
  virtual Status write_file_atomic(const std::filesystem::path& file, std::string_view bytes) = 0;
  // Takes `file` over when it cannot be opened for appending because it belongs to
  // someone else (a day file written by a root run) but its folder is ours: the same
  // bytes are written to a new file of ours that replaces it atomically. True when it
  // was taken over; false when the file can be appended to already or the reason is
  // another (a full disk, a read-only file system); an error when taking it over failed.
  virtual Result<bool> reclaim(const std::filesystem::path& file) {
    (void)file;
    return false;
  }
  // Locks `file` (created when missing) for this holder alone, without waiting, and
  // writes this process's id into it when the file is writable. Another lock on the
  // same file, from this process or another, fails with kind busy until this one is
  // released; the lock also ends with the process.
  virtual Result<FileLock> lock_file(const std::filesystem::path& file) = 0;
};

// POSIX implementation. The file last appended to stays open (O_APPEND|O_CLOEXEC)
// between appends; writes loop over EINTR and short writes. Locks are flock(2)
// locks, which conflict between two open files even within one process.
class PosixEnv final : public Env {
 public:
  // sync = false skips fdatasync/fsync (benchmarks and tests that do not need
  // durability); what is written is the same.
  explicit PosixEnv(bool sync = true);
  ~PosixEnv() override;
  PosixEnv(const PosixEnv&) = delete;
  PosixEnv& operator=(const PosixEnv&) = delete;

  Result<std::string> read_file(const std::filesystem::path& file) override;
  Status read_file_into(const std::filesystem::path& file, std::string& out) override;
  Result<std::string> read_range(const std::filesystem::path& file, std::uint64_t offset,
                                 std::size_t max_bytes) override;
  Result<RegularFileRead> read_regular_file(const std::filesystem::path& file, std::size_t max_bytes) override;
  Result<FileType> file_type(const std::filesystem::path& path) override;
  Result<std::uint64_t> file_size(const std::filesystem::path& file) override;
  Result<std::vector<std::string>> list_dir(const std::filesystem::path& dir) override;
  Result<std::vector<std::string>> list_folders(const std::filesystem::path& dir) override;
  Status remove(const std::filesystem::path& path) override;
  Status remove_all(const std::filesystem::path& dir) override;
  Status create_dir(const std::filesystem::path& dir) override;
  Status append(const std::filesystem::path& file, std::string_view bytes) override;
  Status truncate(const std::filesystem::path& file, std::uint64_t size) override;
  Status write_file_atomic(const std::filesystem::path& file, std::string_view bytes) override;
  Result<bool> reclaim(const std::filesystem::path& file) override;
  Result<FileLock> lock_file(const std::filesystem::path& file) override;

 private:
  void close_locked();

  const bool sync_;
  std::mutex mu_;
  std::filesystem::path open_path_;  // guarded by mu_
  int fd_ = -1;                      // guarded by mu_; open on open_path_, or -1
};

// The process's real file system, with fsync. Shared; see the thread note above.
Env& real_env();

}  // namespace signage
