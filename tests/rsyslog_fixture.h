// Test helpers for the central log: a real rsyslogd of our own on loopback ports
// (never the system's service), free ports, child processes that
// die with the test, and a throwaway PKI made with the `openssl` command.
//
// Cleanup: every process started here gets PR_SET_PDEATHSIG, so it goes when the
// test process goes, even on a crash; the objects' destructors stop them and remove
// their folders on every normal or failed (ASSERT) path.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/files.h"
#include "support/wait.h"

namespace signage::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// 127.0.0.1:`port` (0: any port) as the socket calls take it.
inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

// A TCP port on 127.0.0.1 for a server a test starts (rsyslogd, PostgreSQL), kept
// for this test process alone until it exits. Ports are taken below the kernel's
// ephemeral range (ip_local_port_range, where every outgoing connection and every
// bind to port 0 gets its port), so no client socket of a test running beside can
// hold it; and each is reserved with an flock on a file in /tmp/signage-test-ports,
// so two tests started at the same moment never pick the same one. A port another
// program has bound already is skipped. The lock goes when the process goes, even
// on a crash.
inline std::uint16_t free_port() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / "signage-test-ports";
    std::error_code ec;
    fs::create_directories(d, ec);
    fs::permissions(d, fs::perms::all, fs::perm_options::add, ec);  // shared by every user's tests
    return d;
  }();
  // Below the ephemeral range: [low - 12000, low - 2000), e.g. 20768-30768 for the
  // kernel's default 32768.
  int low = 32768;
  if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    if (std::fscanf(f, "%d", &low) != 1) low = 32768;
    std::fclose(f);
  }
  const int first = std::max(1024, low - 12000), count = std::max(100, low - 2000 - first);
  static std::uint32_t state = static_cast<std::uint32_t>(::getpid()) * 2654435761u ^
                               static_cast<std::uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  for (int attempt = 0; attempt < 1000; ++attempt) {
    state = state * 1664525u + 1013904223u;
    const auto port = static_cast<std::uint16_t>(first + static_cast<int>((state >> 8) % static_cast<std::uint32_t>(count)));
    const int lock = ::open((dir / (std::to_string(port) + ".lock")).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (lock < 0) continue;
    if (::flock(lock, LOCK_EX | LOCK_NB) != 0) {
      ::close(lock);
      continue;
    }
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(port);
    const bool bindable = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (!bindable) {
      ::close(lock);
      continue;
    }
    return port;  // `lock` stays open (and locked) until the process exits
  }
  ADD_FAILURE() << "no free TCP port below the ephemeral range";
  return 0;
}

inline bool port_open(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// A listening socket that completes TCP handshakes (the kernel does) but never
// reads or answers: a receiver that hangs.
class SilentReceiver {
 public:
  SilentReceiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentReceiver() { ::close(fd_); }
  SilentReceiver(const SilentReceiver&) = delete;
  SilentReceiver& operator=(const SilentReceiver&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A child process with stdout and stderr in `log`, killed with the test process.
class Child {
 public:
  Child() = default;
  Child(const std::vector<std::string>& args, const fs::path& log, bool append = false) { spawn(args, log, append); }
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void spawn(const std::vector<std::string>& args, const fs::path& log, bool append = false) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string log_path = log.string();
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    ASSERT_GE(pid_, 0);
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
      const int devnull = ::open("/dev/null", O_RDONLY);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      if (devnull >= 0) ::dup2(devnull, 0);
      ::execve(argv[0], argv.data(), environ);
      ::_exit(127);
    }
  }

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // Sends `sig` and waits for the exit (SIGKILL after `grace`). Returns the exit
  // code, or 128 + the signal.
  int stop(int sig = SIGTERM, std::chrono::milliseconds grace = 10s) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    const auto end = std::chrono::steady_clock::now() + grace;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(5ms);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Waits for the process to end by itself; nullopt after `limit` (then it is killed).
  std::optional<int> wait(std::chrono::milliseconds limit) {
    if (pid_ <= 0) return std::nullopt;
    int status = 0;
    const auto end = std::chrono::steady_clock::now() + limit;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) {
        stop(SIGKILL);
        return std::nullopt;
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
};

inline std::string rsyslogd_path() {
  for (const char* p : {"/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/local/sbin/rsyslogd"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return {};
}

inline bool rsyslog_module_present(const std::string& name) {
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu/rsyslog", "/usr/lib/aarch64-linux-gnu/rsyslog",
                          "/usr/lib/rsyslog", "/usr/lib64/rsyslog"}) {
    if (fs::exists(fs::path(dir) / (name + ".so"))) return true;
  }
  // Unknown layout: let rsyslogd itself say.
  return !fs::exists("/usr/lib/x86_64-linux-gnu/rsyslog") && !fs::exists("/usr/lib/aarch64-linux-gnu/rsyslog");
}

// Skips the test when rsyslogd is not installed; fails it instead when
// SIGNAGE_REQUIRE_RSYSLOG is set (CI: .ci/run), so the central-log tests cannot
// silently not run there.
inline bool rsyslog_required() { return std::getenv("SIGNAGE_REQUIRE_RSYSLOG") != nullptr; }

#define SIGNAGE_SKIP_OR_FAIL(why)                                         \
  do {                                                                    \
    if (::signage::test::rsyslog_required()) {                         \
      GTEST_FAIL() << (why);                                              \
    }                                                                     \
    GTEST_SKIP() << (why);                                                \
  } while (false)

#define REQUIRE_RSYSLOGD()                                                                                \
  do {                                                                                                    \
    if (::signage::test::rsyslogd_path().empty()) {                                                   \
      SIGNAGE_SKIP_OR_FAIL("rsyslogd is not installed (apt-get install rsyslog rsyslog-relp; scripts/setup does)"); \
    }                                                                                                     \
  } while (false)

// One rsyslogd of our own: `-n -f <dir>/rsyslog.conf -i <dir>/rsyslogd.pid`, its
// complaints in <dir>/rsyslogd.log. start() waits until every port in `ports`
// accepts connections. Can be stopped and started again on the same ports.
class Rsyslogd {
 public:
  Rsyslogd(fs::path dir, std::string conf, std::vector<std::uint16_t> ports)
      : dir_(std::move(dir)), ports_(std::move(ports)) {
    fs::create_directories(dir_ / "work");
    write_file(dir_ / "rsyslog.conf", conf);
  }
  ~Rsyslogd() { stop(); }

  bool start() {
    proc_.spawn({rsyslogd_path(), "-n", "-f", (dir_ / "rsyslog.conf").string(), "-i", (dir_ / "rsyslogd.pid").string()},
                dir_ / "rsyslogd.log", /*append=*/true);
    return wait_until([&] {
      for (auto p : ports_) {
        if (!port_open(p)) return false;
      }
      return true;
    }, 30s);
  }
  // SIGTERM: rsyslogd drains its queues (a disk-assisted one saves what is left).
  void stop() {
    if (proc_.running()) proc_.stop(SIGTERM);
  }
  void kill() {
    if (proc_.running()) proc_.stop(SIGKILL);
  }
  bool running() const { return proc_.running(); }
  std::string log() const { return read_file(dir_ / "rsyslogd.log"); }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  std::vector<std::uint16_t> ports_;
  Child proc_;
};

// packaging/rsyslog/signage-central.conf as shipped, with its folders moved under
// `root` (logs/, spool/) and its RELP port changed to `relp_port`; `extra` is added
// at the end (more inputs, e.g. TLS ones, bound to the "signage" ruleset).
inline std::string central_conf(const fs::path& root, std::uint16_t relp_port, const std::string& extra = {}) {
  std::string conf = read_file(fs::path(SIGNAGE_SOURCE_DIR) / "packaging/rsyslog/signage-central.conf");
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t at = conf.find(from); at != std::string::npos; at = conf.find(from, at + to.size())) {
      conf.replace(at, from.size(), to);
    }
  };
  replace_all("/var/log/signage", (root / "logs").string());
  replace_all("/var/spool/rsyslog", (root / "spool").string());
  replace_all("port=\"2514\"", "port=\"" + std::to_string(relp_port) + "\"");
  fs::create_directories(root / "logs");
  fs::create_directories(root / "spool");
  return "global(workDirectory=\"" + (root / "spool").string() + "\")\n" + conf + "\n" + extra;
}

// A throwaway CA with a server certificate for 127.0.0.1/localhost and a client
// certificate, made with the openssl command (EC P-256 keys, unencrypted PEM).
struct TestPki {
  fs::path ca, ca_key, server_cert, server_key, client_cert, client_key;
  fs::path other_ca;  // a second CA that signed nothing here
};

inline bool openssl_present() { return std::system("openssl version >/dev/null 2>&1") == 0; }

inline std::optional<TestPki> make_test_pki(const fs::path& dir) {
  fs::create_directories(dir);
  TestPki p{dir / "ca.pem",     dir / "ca.key",     dir / "server.pem", dir / "server.key",
            dir / "client.pem", dir / "client.key", dir / "other-ca.pem"};
  write_file(dir / "server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  write_file(dir / "client.ext", "subjectAltName=DNS:lobby-1.screens.test\nextendedKeyUsage=clientAuth\n");
  const std::string d = dir.string();
  const std::string cmd =
      "cd '" + d + "' && "
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem "
      "-days 2 -subj '/CN=signage test CA' && "
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other-ca.key "
      "-out other-ca.pem -days 2 -subj '/CN=another CA' && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr "
      "-subj '/CN=localhost' && "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 "
      "-extfile server.ext && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -out client.csr "
      "-subj '/CN=lobby-1.screens.test' && "
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 "
      "-extfile client.ext";
  if (std::system(("(" + cmd + ") >'" + d + "/openssl.log' 2>&1").c_str()) != 0) {
    ADD_FAILURE() << "openssl failed: " << read_file(dir / "openssl.log");
    return std::nullopt;
  }
  // rsyslogd may run as another user in CI containers: readable keys.
  for (const auto& f : {p.ca_key, p.server_key, p.client_key}) {
    fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read);
  }
  return p;
}

}  // namespace signage::test
