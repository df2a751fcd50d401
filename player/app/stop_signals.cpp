#include "app/stop_signals.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace signage {

namespace {

// What the handler touches: lock-free atomics only (async-signal-safe).
static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};       // the first that came
std::atomic<int> g_wake_fd{-1};     // the pipe's write end while installed
std::atomic<bool> g_installed{false};

// The pipe lives as long as the process: a handler running on another thread while
// the object goes never writes into a closed (or reused) descriptor.
int g_pipe[2] = {-1, -1};

constexpr char kSignalled = 1;
constexpr char kQuit = 0;

extern "C" void on_stop_signal(int sig) {
  const int saved = errno;
  int none = 0;
  if (!g_signal.compare_exchange_strong(none, sig)) {
    // The second one: the default action (the process ends) once this returns.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
    raise(sig);
  }
  g_stop.store(true);
  if (const int fd = g_wake_fd.load(); fd >= 0) {
    const ssize_t n = write(fd, &kSignalled, 1);
    (void)n;  // a full pipe already wakes the thread
  }
  errno = saved;
}

Error os_error(const std::string& what) { return Error(what, Error(std::strerror(errno))); }

}  // namespace

struct StopSignals::Impl {
  struct sigaction old_term {};
  struct sigaction old_int {};
  std::thread relay;
};

Result<std::unique_ptr<StopSignals>> StopSignals::install(std::function<void()> wake) {
  if (g_installed.exchange(true)) return Error("stop signals: already installed");
  if (g_pipe[0] < 0 && pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    g_installed = false;
    return os_error("stop signals: cannot make a pipe");
  }
  char drain[64];
  while (read(g_pipe[0], drain, sizeof drain) > 0) {
  }
  g_stop = false;
  g_signal = 0;
  auto impl = std::make_unique<Impl>();
  impl->relay = std::thread([fd = g_pipe[0], wake = std::move(wake)] {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, -1) < 0 && errno != EINTR) return;
      char buf[64];
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) continue;
      if (std::memchr(buf, kQuit, static_cast<std::size_t>(n)) != nullptr) return;
      if (wake) wake();
    }
  });
  g_wake_fd = g_pipe[1];
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGINT);
  sa.sa_flags = SA_RESTART;  // other system calls go on as if nothing happened
  std::unique_ptr<StopSignals> s(new StopSignals(std::move(impl)));
  if (sigaction(SIGTERM, &sa, &s->impl_->old_term) != 0 || sigaction(SIGINT, &sa, &s->impl_->old_int) != 0) {
    return os_error("stop signals: cannot install a handler");  // the destructor undoes the rest
  }
  return s;
}

StopSignals::StopSignals(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StopSignals::~StopSignals() {
  sigaction(SIGTERM, &impl_->old_term, nullptr);
  sigaction(SIGINT, &impl_->old_int, nullptr);
  g_wake_fd = -1;
  while (write(g_pipe[1], &kQuit, 1) < 0 && errno == EINTR) {
  }
  impl_->relay.join();
  g_installed = false;
}

bool StopSignals::requested() const { return g_stop.load(); }

std::string StopSignals::which() const {
  switch (g_signal.load()) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return {};
  }
}

const std::atomic<bool>& StopSignals::flag() { return g_stop; }

}  // namespace signage
