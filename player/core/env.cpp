#include "core/env.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace signage {

namespace fs = std::filesystem;

namespace {

Error os_error(const fs::path& file, const std::string& what, int err) {
  return errno_error(file.string() + ": " + what, err);
}

// Closes a file descriptor when it goes out of scope.
struct FdCloser {
  int fd = -1;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

Status write_all(int fd, const fs::path& file, std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(file, "cannot write", errno);
    }
    if (n == 0) return os_error(file, "cannot write", EIO);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return {};
}

Status sync_dir(const fs::path& dir) {
  const fs::path d = dir.empty() ? fs::path(".") : dir;
  const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return os_error(d, "cannot open folder to sync it", errno);
  FdCloser closer{fd};
  if (::fsync(fd) != 0) return os_error(d, "cannot sync folder", errno);
  return {};
}

}  // namespace

PosixEnv::PosixEnv(bool sync) : sync_(sync) {}

PosixEnv::~PosixEnv() {
  std::lock_guard lock(mu_);
  close_locked();
}

void PosixEnv::close_locked() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  open_path_.clear();
}

Status Env::read_file_into(const fs::path& file, std::string& out) {
  auto content = read_file(file);
  if (!content) return content.error();
  out = std::move(*content);
  return {};
}

Status PosixEnv::read_file_into(const fs::path& file, std::string& out) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error(file, "cannot open", errno);
  FdCloser closer{fd};
  struct stat st {};
  const std::size_t expected = ::fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) : 0;
  out.resize(expected + 1);  // one byte more, to see the end without another read when the size holds
  std::size_t have = 0;
  for (;;) {
    if (have == out.size()) out.resize(out.size() * 2 + 4096);
    const ssize_t n = ::read(fd, out.data() + have, out.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(file, "cannot read", errno);
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  out.resize(have);
  return {};
}

Result<std::string> PosixEnv::read_file(const fs::path& file) {
  std::string out;
  if (auto s = read_file_into(file, out); !s) return s.error();
  return out;
}

Result<std::string> PosixEnv::read_range(const fs::path& file, std::uint64_t offset, std::size_t max_bytes) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return os_error(file, "cannot open", errno);
  FdCloser closer{fd};
  std::string out(max_bytes, '\0');
  std::size_t have = 0;
  while (have < max_bytes) {
    const ssize_t n = ::pread(fd, out.data() + have, max_bytes - have, static_cast<off_t>(offset + have));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(file, "cannot read", errno);
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  out.resize(have);
  return out;
}

Result<FileLock> PosixEnv::lock_file(const fs::path& file) {
  // Writable when we can (to leave our pid for whoever finds it locked); a lock file
  // made by another user (a root run) still locks when opened for reading.
  bool writable = true;
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 && (errno == EACCES || errno == EPERM)) {
    writable = false;
    fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) return os_error(file, "cannot open the lock file", errno);
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    return os_error(file, "is locked", err);
  }
  if (writable) {
    const std::string pid = std::to_string(::getpid()) + "\n";
    // Only a hint for a message; a failure here does not undo the lock.
    if (::ftruncate(fd, 0) == 0) (void)write_all(fd, file, pid);
  }
  return FileLock([fd] { ::close(fd); });  // closing the file releases the flock
}

namespace {

FileType type_of_mode(mode_t mode) {
  if (S_ISREG(mode)) return FileType::regular;
  if (S_ISDIR(mode)) return FileType::folder;
  if (S_ISFIFO(mode)) return FileType::fifo;
  if (S_ISCHR(mode) || S_ISBLK(mode)) return FileType::device;
  return FileType::other;
}

}  // namespace

Result<RegularFileRead> PosixEnv::read_regular_file(const fs::path& file, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer;
  // O_NOCTTY: a terminal never becomes ours.
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return os_error(file, "cannot open", errno);
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return os_error(file, "cannot stat", errno);
  RegularFileRead out;
  out.type = type_of_mode(st.st_mode);
  if (out.type != FileType::regular) return out;
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    out.too_large = true;
    return out;
  }
  // Back to blocking reads: a regular file never blocks, and a short read must not
  // be taken for the end.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::string& data = out.bytes;
  data.resize(static_cast<std::size_t>(st.st_size) + 1);  // one more: the end seen without another read
  std::size_t have = 0;
  for (;;) {
    if (have == data.size()) {
      if (have > max_bytes) break;  // grew past the limit while being read
      data.resize(std::min(data.size() * 2 + 4096, max_bytes + 1));
    }
    const ssize_t n = ::read(fd, data.data() + have, data.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error(file, "cannot read", errno);
    }
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  if (have > max_bytes) {
    out.too_large = true;
    data.clear();
    return out;
  }
  data.resize(have);
  return out;
}

Result<FileType> PosixEnv::file_type(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return FileType::none;
    return os_error(path, "cannot stat", errno);
  }
  return type_of_mode(st.st_mode);
}

Result<std::uint64_t> PosixEnv::file_size(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::uint64_t{0};
    return os_error(file, "cannot stat", errno);
  }
  return static_cast<std::uint64_t>(st.st_size);
}

namespace {

// Names of the entries directly in `dir` for which `keep` holds.
Result<std::vector<std::string>> list_entries(const fs::path& dir,
                                              bool (*keep)(const fs::directory_entry&, std::error_code&)) {
  std::error_code ec;
  std::vector<std::string> names;
  fs::directory_iterator it(dir, ec);
  if (ec) return error_code_error(dir.string() + ": cannot list folder", ec);
  for (const auto& entry : it) {
    std::error_code type_ec;
    if (keep(entry, type_ec)) names.push_back(entry.path().filename().string());
  }
  return names;
}

}  // namespace

Result<std::vector<std::string>> PosixEnv::list_dir(const fs::path& dir) {
  return list_entries(dir, [](const fs::directory_entry& e, std::error_code& ec) { return e.is_regular_file(ec); });
}

Result<std::vector<std::string>> PosixEnv::list_folders(const fs::path& dir) {
  return list_entries(dir, [](const fs::directory_entry& e, std::error_code& ec) { return e.is_directory(ec); });
}

Status PosixEnv::remove(const fs::path& path) {
  std::lock_guard lock(mu_);
  if (open_path_ == path) close_locked();
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return error_code_error(path.string() + ": cannot delete", ec);
  return {};
}

Status PosixEnv::remove_all(const fs::path& dir) {
  std::lock_guard lock(mu_);
  // The file kept open for appending may be inside.
  if (!open_path_.empty()) {
    const auto rel = open_path_.lexically_relative(dir);
    if (!rel.empty() && *rel.begin() != "..") close_locked();
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return error_code_error(dir.string() + ": cannot delete", ec);
  return {};
}

Status PosixEnv::create_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return error_code_error(dir.string() + ": cannot create folder", ec);
  return {};
}

Status PosixEnv::append(const fs::path& file, std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (fd_ < 0 || open_path_ != file) {
    close_locked();
    struct stat st {};
    const bool existed = ::stat(file.c_str(), &st) == 0;
    const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return os_error(file, "cannot open for appending", errno);
    fd_ = fd;
    open_path_ = file;
    // A new file's name must survive a power cut too.
    if (!existed && sync_) {
      if (auto s = sync_dir(file.parent_path()); !s) return s;
    }
  }
  if (auto s = write_all(fd_, file, bytes); !s) return s;
  if (sync_ && ::fdatasync(fd_) != 0) return os_error(file, "cannot sync (fdatasync)", errno);
  return {};
}

Status PosixEnv::truncate(const fs::path& file, std::uint64_t size) {
  std::lock_guard lock(mu_);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return os_error(file, "cannot open to truncate", errno);
  FdCloser closer{fd};
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return os_error(file, "cannot truncate", errno);
  if (sync_ && ::fdatasync(fd) != 0) return os_error(file, "cannot sync (fdatasync)", errno);
  return {};
}

Status PosixEnv::write_file_atomic(const fs::path& file, std::string_view bytes) {
  fs::path tmp = file;
  tmp += ".tmp";
  {
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return os_error(tmp, "cannot create", errno);
    FdCloser closer{fd};
    if (auto s = write_all(fd, tmp, bytes); !s) {
      ::unlink(tmp.c_str());
      return s;
    }
    if (sync_ && ::fsync(fd) != 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      return os_error(tmp, "cannot sync", err);
    }
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return os_error(file, "cannot rename " + tmp.filename().string() + " over it", err);
  }
  if (sync_) return sync_dir(file.parent_path());
  return {};
}

Result<bool> PosixEnv::reclaim(const fs::path& file) {
  {
    std::lock_guard lock(mu_);
    const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd >= 0) {
      ::close(fd);
      return false;
    }
    if (errno != EACCES && errno != EPERM) return false;
    if (open_path_ == file) close_locked();
  }
  auto bytes = read_file(file);
  if (!bytes) return Error(file.string() + ": cannot take over a file of another user", bytes.error());
  if (auto s = write_file_atomic(file, *bytes); !s) {
    return Error(file.string() + ": cannot take over a file of another user", s.error());
  }
  return true;
}

Env& real_env() {
  static PosixEnv env(true);
  return env;
}

}  // namespace signage
