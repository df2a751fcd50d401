// Restarts that lose nothing (the real binary, started and killed as systemd would):
// a root run that would take the service's journal away is refused, kill -9 mid-play
// leaves an `unclean_stop` and an estimated `interrupted` play, a start while a
// playlist is being rewritten in place plays its last good version.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/root_guard.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("signage_restart_test_" + std::to_string(getpid()) + "_" +
                                         std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The real binary in the background, its stderr in a file.
class Player {
 public:
  Player(std::vector<std::string> args, fs::path log) : log_(std::move(log)) {
    args.insert(args.begin(), SIGNAGE_BINARY);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    EXPECT_EQ(posix_spawn(&pid_, SIGNAGE_BINARY, &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Player() {
    if (pid_ > 0) signal_and_wait(SIGKILL);
  }
  std::optional<std::size_t> wait_for(const std::string& text, std::chrono::milliseconds timeout,
                                      std::size_t from = 0) const {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      const std::string s = read_all(log_);
      if (auto at = s.find(text, from); at != std::string::npos) return at;
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }
  // The exit code, or 128 + the signal.
  int signal_and_wait(int sig) {
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string log() const { return read_all(log_); }

 private:
  fs::path log_;
  pid_t pid_ = -1;
};

struct BinaryRun {
  int code = -1;
  std::string out;
};

BinaryRun run_binary(const std::string& args) {
  const std::string cmd = "env LANG=C.UTF-8 '" SIGNAGE_BINARY "' " + args + " 2>&1";
  BinaryRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const char* kShop =
    "[campaign]\nid = \"shop\"\npriority = 5\n"
    "[[item]]\nid = \"exits\"\ntype = \"slogan\"\ntext = \"安全出口 严禁堵塞\"\nduration = \"1h\"\n";

// ------------------------------------------------------------- root and the journal

TEST(RootGuard, OnlyRootWritingAnotherUsersFolderIsRefused) {
  FolderOwner service{"/var/lib/signage/journal", 998, "signage"};
  FolderOwner root{"/srv/journal", 0, "root"};
  EXPECT_FALSE(root_journal_refusal(998, "/var/lib/signage/journal", service)) << "the service itself";
  EXPECT_FALSE(root_journal_refusal(0, "/srv/journal", root)) << "a root-owned journal is root's";
  const auto refusal = root_journal_refusal(0, "/var/lib/signage/journal", service);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("--journal"), std::string::npos) << *refusal;
  EXPECT_NE(refusal->find("sudo -u signage"), std::string::npos) << *refusal;
}

TEST(RootGuard, OwnerOfAMissingFolderIsItsNearestParents) {
  TempDir t;
  auto o = folder_owner(t / "journal/not/yet");
  ASSERT_TRUE(o.ok()) << o.error().what();
  EXPECT_EQ(o->folder, fs::absolute(t.path()));
  EXPECT_EQ(o->uid, static_cast<std::uint32_t>(::geteuid()));
}

TEST(RootGuard, RootRunAgainstTheServicesJournalIsRefusedAndWritesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  TempDir t;
  fs::create_directories(t / "drop");
  std::ofstream(t / "drop/shop.toml") << kShop;
  fs::create_directories(t / "journal");
  ASSERT_EQ(::chown((t / "journal").c_str(), 65534, 65534), 0);  // the service user's folder
  const std::string common = "play --headless --size 160x90 --playlists '" + (t / "drop").string() +
                             "' --exit-after 300ms --journal ";
  const BinaryRun refused = run_binary(common + "'" + (t / "journal").string() + "'");
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_NE(refused.out.find("--journal"), std::string::npos) << refused.out;
  EXPECT_TRUE(fs::is_empty(t / "journal")) << "nothing written as root";
  // A test run with a journal of its own plays.
  const BinaryRun test_run = run_binary(common + "'" + (t / "test-journal").string() + "'");
  EXPECT_EQ(test_run.code, 0) << test_run.out;
}

}  // namespace
}  // namespace signage
