// An Env that wraps another and fails on purpose, the way leveldb's fault-injecting
// test Env does: a disk that fills part-way through a line, truncates that fail, a
// path that cannot be read, listed, written or deleted.
// Tests only. The faults may be set and cleared from another thread than the one
// writing (a test's timer); the calls themselves are serialised by a mutex.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "core/env.h"

namespace signage {

class FaultyEnv final : public Env {
 public:
  explicit FaultyEnv(Env& base) : base_(base) {}

  // After `bytes` more bytes have been appended, appends fail with `error_number`
  // (default ENOSPC): the append that crosses the limit writes the bytes that still
  // fit, then fails, as a real full disk does. With EACCES or EPERM (a file owned by
  // someone else) reclaim() ends the fault, as taking the file over does.
  void fail_appends_after(std::uint64_t bytes, int error_number = 28 /* ENOSPC */);
  // The next `count` truncate() calls fail with EIO.
  void fail_truncates(int count) {
    std::lock_guard lock(mu_);
    failing_truncates_ = count;
  }
  // Every later call on `path` (reading, looking at, listing, writing or deleting it;
  // for list_*, the folder listed) fails with `error_number`, as the OS would say it:
  // "PATH: cannot read: Input/output error", of that errno's kind. Until clear_faults().
  void fail_path(const std::filesystem::path& path, int error_number = 5 /* EIO */) {
    std::lock_guard lock(mu_);
    failing_paths_[path] = error_number;
  }
  // Back to normal: everything goes to the base.
  void clear_faults();
  // How many calls failed because of fail_path() so far.
  int failed_path_calls() const {
    std::lock_guard lock(mu_);
    return failed_path_calls_;
  }

  std::uint64_t appended_bytes() const {
    std::lock_guard lock(mu_);
    return appended_;
  }
  // How many appends failed on purpose so far.
  int failed_appends() const {
    std::lock_guard lock(mu_);
    return failed_appends_;
  }

  Result<std::string> read_file(const std::filesystem::path& file) override;
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
  // The injected failure of a call `what` on `path`, if fail_path() asked for one.
  std::optional<Error> path_fault(const std::filesystem::path& path, const char* what);

  Env& base_;
  std::map<std::filesystem::path, int> failing_paths_;  // path -> errno
  int failed_path_calls_ = 0;
  bool limited_ = false;
  std::uint64_t budget_ = 0;
  int errno_ = 0;
  int failing_truncates_ = 0;
  std::uint64_t appended_ = 0;
  int failed_appends_ = 0;
  mutable std::mutex mu_;  // the fault settings and counters above
};

}  // namespace signage
