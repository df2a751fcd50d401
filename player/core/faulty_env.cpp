#include "core/faulty_env.h"

#include <cerrno>

namespace signage {

namespace fs = std::filesystem;

namespace {

Error os_error(const fs::path& file, const std::string& what, int err) {
  return errno_error(file.string() + ": " + what, err);
}

}  // namespace

void FaultyEnv::fail_appends_after(std::uint64_t bytes, int error_number) {
  std::lock_guard lock(mu_);
  limited_ = true;
  budget_ = bytes;
  errno_ = error_number;
}

void FaultyEnv::clear_faults() {
  std::lock_guard lock(mu_);
  limited_ = false;
  failing_truncates_ = 0;
}

Status FaultyEnv::append(const fs::path& file, std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (limited_ && bytes.size() > budget_) {
    const auto fits = static_cast<std::size_t>(budget_);
    if (fits > 0) {
      if (auto s = base_.append(file, bytes.substr(0, fits)); !s) return s;
      appended_ += fits;
      budget_ = 0;
    }
    ++failed_appends_;
    return os_error(file, "cannot write", errno_);
  }
  if (auto s = base_.append(file, bytes); !s) return s;
  appended_ += bytes.size();
  if (limited_) budget_ -= bytes.size();
  return {};
}

Status FaultyEnv::truncate(const fs::path& file, std::uint64_t size) {
  std::lock_guard lock(mu_);
  if (failing_truncates_ > 0) {
    --failing_truncates_;
    return os_error(file, "cannot truncate", EIO);
  }
  return base_.truncate(file, size);
}

Status FaultyEnv::write_file_atomic(const fs::path& file, std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (limited_ && bytes.size() > budget_) return os_error(file, "cannot write", errno_);
  if (auto s = base_.write_file_atomic(file, bytes); !s) return s;
  if (limited_) budget_ -= bytes.size();
  return {};
}

Result<bool> FaultyEnv::reclaim(const fs::path& file) {
  {
    std::lock_guard lock(mu_);
    if (limited_ && (errno_ == EACCES || errno_ == EPERM)) {
      limited_ = false;
      return true;
    }
  }
  return base_.reclaim(file);
}

}  // namespace signage
