// The file operations the journal needs, behind an interface so that tests can
// inject faults (a full disk part-way through a line, a failing truncate) the way
// leveldb's Env and its fault-injecting test Env do.
//
// Paths are plain std::filesystem paths; nothing here knows the journal format.
// Errors name the file and carry the OS reason (strerror).
//
// Thread: PosixJournalIo serialises its calls with a mutex, so one instance (e.g.
// real_journal_io()) may be shared by several journals and threads. FaultyJournalIo
// is for tests and is not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace signage {

class JournalIo {
 public:
  virtual ~JournalIo() = default;

  // The whole file. A missing file is an error.
  virtual Result<std::string> read_file(const std::filesystem::path& file) = 0;
  // The whole file into `out`, reusing its memory (a reader of many files, e.g.
  // verify, touches fresh pages once instead of once per file). By default read_file().
  virtual Status read_file_into(const std::filesystem::path& file, std::string& out);
  // The size of the file in bytes; 0 when it does not exist.
  virtual Result<std::uint64_t> file_size(const std::filesystem::path& file) = 0;
  // Names (not paths) of the regular files directly in `dir`, in no particular order.
  virtual Result<std::vector<std::string>> list_dir(const std::filesystem::path& dir) = 0;
  // Creates `dir` and its parents when missing.
  virtual Status create_dir(const std::filesystem::path& dir) = 0;
  // Appends `bytes` to `file` (created when missing) and, unless the implementation
  // was made without sync, fdatasync()s it before returning. On error part of
  // `bytes` may have been written: the caller truncates it away.
  virtual Status append(const std::filesystem::path& file, std::string_view bytes) = 0;
  // Cuts `file` to `size` bytes (and syncs it).
  virtual Status truncate(const std::filesystem::path& file, std::uint64_t size) = 0;
  // Replaces `file` with `bytes` atomically: a temporary file beside it, synced,
  // then renamed over it; readers see the old or the new content, never a mix.
  virtual Status write_file_atomic(const std::filesystem::path& file, std::string_view bytes) = 0;
};

// POSIX implementation. The file last appended to stays open (O_APPEND|O_CLOEXEC)
// between appends; writes loop over EINTR and short writes.
class PosixJournalIo final : public JournalIo {
 public:
  // sync = false skips fdatasync/fsync (benchmarks and tests that do not need
  // durability); the journal format is the same.
  explicit PosixJournalIo(bool sync = true);
  ~PosixJournalIo() override;
  PosixJournalIo(const PosixJournalIo&) = delete;
  PosixJournalIo& operator=(const PosixJournalIo&) = delete;

  Result<std::string> read_file(const std::filesystem::path& file) override;
  Status read_file_into(const std::filesystem::path& file, std::string& out) override;
  Result<std::uint64_t> file_size(const std::filesystem::path& file) override;
  Result<std::vector<std::string>> list_dir(const std::filesystem::path& dir) override;
  Status create_dir(const std::filesystem::path& dir) override;
  Status append(const std::filesystem::path& file, std::string_view bytes) override;
  Status truncate(const std::filesystem::path& file, std::uint64_t size) override;
  Status write_file_atomic(const std::filesystem::path& file, std::string_view bytes) override;

 private:
  void close_locked();

  const bool sync_;
  std::mutex mu_;
  std::filesystem::path open_path_;  // guarded by mu_
  int fd_ = -1;                      // guarded by mu_; open on open_path_, or -1
};

// The process's real file system, with fdatasync. Shared; see the thread note above.
JournalIo& real_journal_io();

// Wraps another JournalIo and makes it fail on purpose. Tests only. The faults may be
// set and cleared from another thread than the one writing (a test's timer).
class FaultyJournalIo final : public JournalIo {
 public:
  explicit FaultyJournalIo(JournalIo& base) : base_(base) {}

  // After `bytes` more bytes have been appended, appends fail with `error_number`
  // (default ENOSPC): the append that crosses the limit writes the bytes that still
  // fit, then fails, as a real full disk does.
  void fail_appends_after(std::uint64_t bytes, int error_number = 28 /* ENOSPC */);
  // The next `count` truncate() calls fail with EIO.
  void fail_truncates(int count) {
    std::lock_guard lock(mu_);
    failing_truncates_ = count;
  }
  // Back to normal: everything goes to the base.
  void clear_faults();

  std::uint64_t appended_bytes() const {
    std::lock_guard lock(mu_);
    return appended_;
  }
  // How many appends failed on purpose so far.
  int failed_appends() const {
    std::lock_guard lock(mu_);
    return failed_appends_;
  }

  Result<std::string> read_file(const std::filesystem::path& file) override { return base_.read_file(file); }
  Result<std::uint64_t> file_size(const std::filesystem::path& file) override { return base_.file_size(file); }
  Result<std::vector<std::string>> list_dir(const std::filesystem::path& dir) override {
    return base_.list_dir(dir);
  }
  Status create_dir(const std::filesystem::path& dir) override { return base_.create_dir(dir); }
  Status append(const std::filesystem::path& file, std::string_view bytes) override;
  Status truncate(const std::filesystem::path& file, std::uint64_t size) override;
  Status write_file_atomic(const std::filesystem::path& file, std::string_view bytes) override;

 private:
  JournalIo& base_;
  bool limited_ = false;
  std::uint64_t budget_ = 0;
  int errno_ = 0;
  int failing_truncates_ = 0;
  std::uint64_t appended_ = 0;
  int failed_appends_ = 0;
  mutable std::mutex mu_;  // the fault settings and counters above
};

}  // namespace signage
