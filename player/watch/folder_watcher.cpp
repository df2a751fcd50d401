#include "watch/folder_watcher.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "watch/folder_scan.h"
#include "watch/media_hasher.h"

namespace signage {

namespace fs = std::filesystem;
namespace chr = std::chrono;
using Steady = chr::steady_clock;

namespace {

// Owns a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

constexpr std::uint32_t kWatchMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM |
                                     IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

}  // namespace

struct FolderWatcher::Impl {
  WatchOptions options;
  std::function<void()> wake;
  SystemClock system_clock;  // the file clock when none is given
  const MonotonicClock& mono() const { return options.mono ? *options.mono : SteadyClock::instance(); }

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Update> mailbox;  // guarded by mu

  // Below: the watcher thread's only.
  UniqueFd stop_fd;
  UniqueFd hashed_fd;  // written by the media hasher's thread when a hash is done
  std::atomic<bool> stopping{false};
  UniqueFd inotify;
  std::map<int, fs::path> watches;  // watch descriptor -> folder
  bool watch_limit_noted = false;
  std::vector<std::string> notices;  // to attach to the next Update
  std::thread thread;

  void run();
  void push(Update u);
  void reconcile_watches(const FolderScan& scan);
  // Reads the pending events. Returns true when a scan is needed; sets `overflow`
  // when the kernel dropped events (then only a full rescan knows the state).
  bool drain_events(bool& overflow);
};

void FolderWatcher::Impl::push(Update u) {
  {
    std::lock_guard lock(mu);
    mailbox.push_back(std::move(u));
  }
  cv.notify_all();
  if (wake) wake();
}

void FolderWatcher::Impl::reconcile_watches(const FolderScan& scan) {
  if (!inotify) return;
  // Adding a watch on a folder already watched returns its descriptor: so the new
  // map is exactly what the folders are now, whatever was renamed or removed.
  std::map<int, fs::path> now;
  for (const fs::path& folder : scan.folders) {
    const int wd = ::inotify_add_watch(inotify.get(), folder.c_str(), kWatchMask);
    if (wd >= 0) {
      now[wd] = folder;
    } else if (errno == ENOSPC && !watch_limit_noted) {
      watch_limit_noted = true;
      notices.push_back("inotify watch limit reached at " + folder.string() + "; changes there are seen by the " +
                        std::to_string(options.rescan.count()) +
                        " ms rescan only (raise fs.inotify.max_user_watches)");
    }
  }
  for (const auto& [wd, folder] : watches) {
    if (!now.contains(wd)) ::inotify_rm_watch(inotify.get(), wd);
  }
  watches = std::move(now);
}

bool FolderWatcher::Impl::drain_events(bool& overflow) {
  alignas(inotify_event) std::array<char, 64 * 1024> buf{};
  bool relevant = false;
  for (;;) {
    const ssize_t n = ::read(inotify.get(), buf.data(), buf.size());
    if (n <= 0) break;  // EAGAIN: drained
    std::size_t off = 0;
    while (off + sizeof(inotify_event) <= static_cast<std::size_t>(n)) {
      inotify_event ev{};
      std::memcpy(&ev, buf.data() + off, sizeof ev);
      const std::string name = ev.len > 0 ? std::string(buf.data() + off + sizeof ev) : std::string();
      off += sizeof ev + ev.len;
      if ((ev.mask & IN_Q_OVERFLOW) != 0) {
        overflow = true;
        relevant = true;
        continue;
      }
      if ((ev.mask & IN_IGNORED) != 0) {
        watches.erase(ev.wd);
        relevant = true;
        continue;
      }
      // A temporary name being written changes nothing that is read; its rename
      // to the final name does (IN_MOVED_TO with that name).
      if (!name.empty() && is_temporary_name(name)) continue;
      relevant = true;
    }
  }
  return relevant;
}

void FolderWatcher::Impl::run() {
  // Declared first, destroyed last: the builder uses it.
  MediaHasher hasher([fd = hashed_fd.get()] {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = fd >= 0 ? ::write(fd, &one, sizeof one) : 0;
  });
  SetBuilderOptions build_options{options.playlists, options.load, options.emergency_level, options.last_good};
  build_options.max_media_bytes = options.max_media_bytes;
  SetBuilder builder(std::move(build_options), hasher);
  SettleTracker tracker(options.settle);
  bool dirty = true;  // the settled view changed since the last set was built
  // When to scan after inotify events; max: none due. (Not an optional: GCC 12 at -O3
  // takes std::optional<time_point> for maybe-uninitialized here.)
  constexpr Steady::time_point kNoScan = Steady::time_point::max();
  Steady::time_point scan_due = kNoScan;
  Steady::time_point next_rescan;

  auto scan = [&](bool initial) {
    const FolderScan s = scan_drop_folder(options.playlists, options.load.media_root);
    reconcile_watches(s);
    const auto now = mono().now();
    const Clock& files = options.file_clock ? *options.file_clock : system_clock;
    if (tracker.observe(s, now, initial ? std::optional<Instant>(files.now()) : std::nullopt)) dirty = true;
    next_rescan = now + options.rescan;
    scan_due = kNoScan;
  };
  scan(true);

  for (;;) {
    if (dirty && tracker.pending_playlists().empty()) {
      SetBuilder::Outcome out = builder.build(tracker);
      if (!out.stale.empty()) {
        // Something changed while it was read: it must settle again.
        const auto now = mono().now();
        for (const fs::path& f : out.stale) tracker.unsettle(f, now);
        scan_due = now;
      } else {
        dirty = false;
        if (out.update) {
          for (std::string& n : notices) out.update->notices.push_back(std::move(n));
          notices.clear();
          push(std::move(*out.update));
        }
      }
    }

    auto deadline = next_rescan;
    deadline = std::min(deadline, scan_due);
    if (auto d = tracker.next_deadline()) deadline = std::min(deadline, *d);
    const auto left = chr::ceil<chr::milliseconds>(deadline - mono().now());
    const int timeout = static_cast<int>(std::clamp<chr::milliseconds::rep>(left.count(), 0, 60'000));

    std::array<pollfd, 3> fds{};
    fds[0] = pollfd{stop_fd.get(), POLLIN, 0};
    fds[1] = pollfd{hashed_fd.get(), POLLIN, 0};
    nfds_t nfds = 2;
    if (inotify) {
      fds[2] = pollfd{inotify.get(), POLLIN, 0};
      nfds = 3;
    }
    const int ready = ::poll(fds.data(), nfds, timeout);
    if (ready < 0 && errno != EINTR) {
      notices.push_back(std::string("watcher: poll failed: ") + std::strerror(errno));
    }
    if ((fds[0].revents & POLLIN) != 0 || stopping.load()) return;
    if ((fds[1].revents & POLLIN) != 0) {
      // A media hash is known: its items may join.
      std::uint64_t count = 0;
      [[maybe_unused]] const ssize_t n = ::read(hashed_fd.get(), &count, sizeof count);
      dirty = true;
    }
    if (inotify && (fds[2].revents & POLLIN) != 0) {
      bool overflow = false;
      if (drain_events(overflow)) {
        const auto now = mono().now();
        // Overflow: events were lost, so scan everything now.
        if (overflow) {
          scan_due = now;
        } else if (scan_due == kNoScan) {
          scan_due = now + options.debounce;
        }
      }
    }
    const auto now = mono().now();
    const auto settle_at = tracker.next_deadline();
    if (now >= scan_due || now >= next_rescan || (settle_at && now >= *settle_at)) scan(false);
  }
}

FolderWatcher::FolderWatcher(WatchOptions options, std::function<void()> wake) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->wake = std::move(wake);
  impl_->stop_fd = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  impl_->hashed_fd = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (impl_->options.use_inotify) {
    impl_->inotify = UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!impl_->inotify) {
      impl_->notices.push_back(std::string("inotify unavailable (") + std::strerror(errno) +
                               "); the drop folder is rescanned every " +
                               std::to_string(impl_->options.rescan.count()) + " ms");
    }
  }
  Impl* impl = impl_.get();
  impl_->thread = std::thread([impl] { impl->run(); });
  ::pthread_setname_np(impl_->thread.native_handle(), "signage-watch");
}

FolderWatcher::~FolderWatcher() {
  impl_->stopping = true;
  const std::uint64_t one = 1;
  if (impl_->stop_fd) {
    [[maybe_unused]] const ssize_t n = ::write(impl_->stop_fd.get(), &one, sizeof one);
  }
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::optional<Update> FolderWatcher::poll() {
  std::lock_guard lock(impl_->mu);
  if (impl_->mailbox.empty()) return std::nullopt;
  Update u = std::move(impl_->mailbox.front());
  impl_->mailbox.pop_front();
  return u;
}

std::optional<Update> FolderWatcher::wait(chr::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  if (!impl_->cv.wait_for(lock, timeout, [&] { return !impl_->mailbox.empty(); })) return std::nullopt;
  Update u = std::move(impl_->mailbox.front());
  impl_->mailbox.pop_front();
  return u;
}

}  // namespace signage
