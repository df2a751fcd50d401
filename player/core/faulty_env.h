// An Env that wraps another and fails on purpose, the way leveldb's fault-injecting
// test Env does: a disk that fills part-way through a line, truncates that fail.
// Tests only. The faults may be set and cleared from another thread than the one
// writing (a test's timer); the calls themselves are serialised by a mutex.
#pragma once

#include <cstdint>
#include <mutex>

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
  Result<std::string> read_range(const std::filesystem::path& file, std::uint64_t offset,
                                 std::size_t max_bytes) override {
    return base_.read_range(file, offset, max_bytes);
  }
  Result<std::uint64_t> file_size(const std::filesystem::path& file) override { return base_.file_size(file); }
  Result<std::vector<std::string>> list_dir(const std::filesystem::path& dir) override {
    return base_.list_dir(dir);
  }
  Status create_dir(const std::filesystem::path& dir) override { return base_.create_dir(dir); }
  Status append(const std::filesystem::path& file, std::string_view bytes) override;
  Status truncate(const std::filesystem::path& file, std::uint64_t size) override;
  Status write_file_atomic(const std::filesystem::path& file, std::string_view bytes) override;
  Result<bool> reclaim(const std::filesystem::path& file) override;
  Result<FileLock> lock_file(const std::filesystem::path& file) override { return base_.lock_file(file); }

 private:
  Env& base_;
  bool limited_ = false;
  std::uint64_t budget_ = 0;
  int errno_ = 0;
  int failing_truncates_ = 0;
  std::uint64_t appended_ = 0;
  int failed_appends_ = 0;
  mutable std::mutex mu_;  // the fault settings and counters above
};

}  // namespace signage
