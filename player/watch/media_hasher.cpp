#include "watch/media_hasher.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/digest.h"
#include "core/error.h"

namespace signage {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kRead = std::size_t{1} << 20;    // stop is checked between reads
constexpr std::size_t kSlice = std::size_t{16} << 20;  // the most pressing job is chosen again after each slice

// Owns a file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// A file being hashed: where it stopped, so that it can resume after other jobs.
struct Job {
  fs::path file;
  FileStamp stamp;
  bool urgent = false;
  std::uint64_t seq = 0;          // order of asking, the last tie-break
  Fd fd;
  Sha256Stream sha;
  std::uintmax_t offset = 0;
  std::uintmax_t left() const { return stamp.size > offset ? stamp.size - offset : 0; }
};

// Whether `a` is more pressing than `b`.
bool before(const Job& a, const Job& b) {
  if (a.urgent != b.urgent) return a.urgent;
  if (a.left() != b.left()) return a.left() < b.left();
  return a.seq < b.seq;
}

MediaDigest failed(const fs::path& file, int err) {
  MediaDigest d;
  d.state = MediaDigest::State::failed;
  d.error = Error("cannot read " + file.string(), Error(std::strerror(err))).what();
  return d;
}

MediaDigest changed() {
  MediaDigest d;
  d.state = MediaDigest::State::changed;
  return d;
}

}  // namespace

struct MediaHasher::Impl {
  std::function<void()> done;

  mutable std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu:
  std::map<fs::path, Job> queued;
  std::map<fs::path, std::pair<FileStamp, MediaDigest>> known;
  std::optional<fs::path> running;  // the job out of the queue, in the worker's hands
  FileStamp running_stamp;
  bool running_urgent = false;
  bool running_abandoned = false;   // its file was forgotten or asked for at another stamp
  std::uint64_t seq = 0;

  std::atomic<bool> stop{false};
  std::vector<char> buffer = std::vector<char>(kRead);  // the worker's
  std::thread thread;

  void run();
  // Hashes up to one slice of `job`: its digest when it is done, nullopt when there
  // is more to read (or on stop).
  std::optional<MediaDigest> slice(Job& job);
};

std::optional<MediaDigest> MediaHasher::Impl::slice(Job& job) {
  if (!job.fd) {
    // O_NONBLOCK: a FIFO put in place of the file never blocks the open.
    job.fd = Fd(::open(job.file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!job.fd) return failed(job.file, errno);
    struct stat st {};
    if (::fstat(job.fd.get(), &st) != 0) return failed(job.file, errno);
    if (!S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_ino) != job.stamp.inode) return changed();
    if (const auto now = stamp_of(job.file); !now || !(*now == job.stamp)) return changed();
  }
  std::size_t read = 0;
  while (read < kSlice) {
    if (stop.load(std::memory_order_relaxed)) return std::nullopt;
    const ssize_t n = ::pread(job.fd.get(), buffer.data(), buffer.size(), static_cast<off_t>(job.offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return failed(job.file, errno);
    }
    if (n == 0) {
      // The end: the bytes read must be the file at the stamp asked for.
      const auto now = stamp_of(job.file);
      if (job.offset != job.stamp.size || !now || !(*now == job.stamp)) return changed();
      MediaDigest d;
      d.state = MediaDigest::State::ready;
      d.sha256 = job.sha.finish();
      return d;
    }
    job.sha.update(buffer.data(), static_cast<std::size_t>(n));
    job.offset += static_cast<std::uintmax_t>(n);
    read += static_cast<std::size_t>(n);
    if (job.offset > job.stamp.size) return changed();  // it grew
  }
  return std::nullopt;
}

void MediaHasher::Impl::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return stop.load() || !queued.empty(); });
      if (stop.load()) return;
      auto best = queued.begin();
      for (auto it = queued.begin(); it != queued.end(); ++it) {
        if (before(it->second, best->second)) best = it;
      }
      job = std::move(best->second);
      queued.erase(best);
      running = job.file;
      running_stamp = job.stamp;
      running_urgent = job.urgent;
      running_abandoned = false;
    }
    std::optional<MediaDigest> result = slice(job);
    {
      std::lock_guard lock(mu);
      running.reset();
      if (stop.load()) return;
      if (running_abandoned) continue;
      job.urgent = running_urgent;
      if (!result) {
        fs::path file = job.file;
        queued.emplace(std::move(file), std::move(job));
        continue;
      }
      known.insert_or_assign(job.file, std::make_pair(job.stamp, std::move(*result)));
    }
    if (done) done();
  }
}

MediaHasher::MediaHasher(std::function<void()> done) : impl_(std::make_unique<Impl>()) {
  impl_->done = std::move(done);
  Impl* impl = impl_.get();
  impl_->thread = std::thread([impl] { impl->run(); });
  ::pthread_setname_np(impl_->thread.native_handle(), "signage-hash");
}

MediaHasher::~MediaHasher() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stop = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

MediaDigest MediaHasher::digest(const fs::path& file, const FileStamp& stamp, bool urgent) {
  std::lock_guard lock(impl_->mu);
  if (auto k = impl_->known.find(file); k != impl_->known.end() && k->second.first == stamp) {
    MediaDigest d = k->second.second;
    // Said once: the caller lets the file settle again, and asks anew.
    if (d.state == MediaDigest::State::changed) impl_->known.erase(k);
    return d;
  }
  if (impl_->running && *impl_->running == file) {
    if (impl_->running_stamp == stamp) {
      impl_->running_urgent = impl_->running_urgent || urgent;
      return {};
    }
    impl_->running_abandoned = true;
  }
  if (auto q = impl_->queued.find(file); q != impl_->queued.end() && q->second.stamp == stamp) {
    q->second.urgent = q->second.urgent || urgent;
    return {};
  }
  Job job;
  job.file = file;
  job.stamp = stamp;
  job.urgent = urgent;
  job.seq = ++impl_->seq;
  impl_->queued.insert_or_assign(file, std::move(job));
  impl_->cv.notify_one();
  return {};
}

void MediaHasher::keep_only(const std::set<fs::path>& files) {
  std::lock_guard lock(impl_->mu);
  std::erase_if(impl_->queued, [&](const auto& kv) { return !files.contains(kv.first); });
  std::erase_if(impl_->known, [&](const auto& kv) { return !files.contains(kv.first); });
  if (impl_->running && !files.contains(*impl_->running)) impl_->running_abandoned = true;
}

bool MediaHasher::idle() const {
  std::lock_guard lock(impl_->mu);
  return impl_->queued.empty() && !impl_->running;
}

}  // namespace signage
