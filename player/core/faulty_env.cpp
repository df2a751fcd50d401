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
  failing_paths_.clear();
}

std::optional<Error> FaultyEnv::path_fault(const fs::path& path, const char* what) {
  std::lock_guard lock(mu_);
  const auto it = failing_paths_.find(path);
  if (it == failing_paths_.end()) return std::nullopt;
  ++failed_path_calls_;
  return os_error(path, what, it->second);
}

Result<std::string> FaultyEnv::read_file(const fs::path& file) {
  if (auto e = path_fault(file, "cannot read")) return *e;
  return base_.read_file(file);
}

Result<std::string> FaultyEnv::read_range(const fs::path& file, std::uint64_t offset, std::size_t max_bytes) {
  if (auto e = path_fault(file, "cannot read")) return *e;
  return base_.read_range(file, offset, max_bytes);
}

Result<RegularFileRead> FaultyEnv::read_regular_file(const fs::path& file, std::size_t max_bytes) {
  if (auto e = path_fault(file, "cannot read")) return *e;
  return base_.read_regular_file(file, max_bytes);
}

Result<FileType> FaultyEnv::file_type(const fs::path& path) {
  if (auto e = path_fault(path, "cannot stat")) return *e;
  return base_.file_type(path);
}

Result<std::uint64_t> FaultyEnv::file_size(const fs::path& file) {
  if (auto e = path_fault(file, "cannot stat")) return *e;
  return base_.file_size(file);
}

Result<std::vector<std::string>> FaultyEnv::list_dir(const fs::path& dir) {
  if (auto e = path_fault(dir, "cannot list folder")) return *e;
  return base_.list_dir(dir);
}

Result<std::vector<std::string>> FaultyEnv::list_folders(const fs::path& dir) {
  if (auto e = path_fault(dir, "cannot list folder")) return *e;
  return base_.list_folders(dir);
}

Status FaultyEnv::remove(const fs::path& path) {
  if (auto e = path_fault(path, "cannot delete")) return *e;
  return base_.remove(path);
}

Status FaultyEnv::remove_all(const fs::path& dir) {
  if (auto e = path_fault(dir, "cannot delete")) return *e;
  return base_.remove_all(dir);
}

Status FaultyEnv::create_dir(const fs::path& dir) {
  if (auto e = path_fault(dir, "cannot create folder")) return *e;
  return base_.create_dir(dir);
}

Result<FileLock> FaultyEnv::lock_file(const fs::path& file) {
  if (auto e = path_fault(file, "cannot open the lock file")) return *e;
  return base_.lock_file(file);
}

Status FaultyEnv::append(const fs::path& file, std::string_view bytes) {
  if (auto e = path_fault(file, "cannot write")) return *e;
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
  if (auto e = path_fault(file, "cannot truncate")) return *e;
  std::lock_guard lock(mu_);
  if (failing_truncates_ > 0) {
    --failing_truncates_;
    return os_error(file, "cannot truncate", EIO);
  }
  return base_.truncate(file, size);
}

Status FaultyEnv::write_file_atomic(const fs::path& file, std::string_view bytes) {
  if (auto e = path_fault(file, "cannot write")) return *e;
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
