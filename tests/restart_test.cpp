// Restarts that lose nothing (the real binary, started and killed as systemd would):
// a root run that would take the service's journal away is refused, kill -9 mid-play
// leaves an `unclean_stop` and an estimated `interrupted` play, a start while a
// playlist is being rewritten in place plays its last good version, and SIGTERM or
// SIGINT in the middle of the slowest text there is ends it cleanly within a second.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/root_guard.h"
#include "support/journal_records.h"
#include "support/player_process.h"

#include "support/files.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

using test::TempDir;

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct BinaryRun {
  int code = -1;
  std::string out;
};

// `prefix` runs it another way (e.g. as another user).
BinaryRun run_binary(const std::string& args, const std::string& prefix = "") {
  const std::string cmd = "env LANG=C.UTF-8 " + prefix + " '" SIGNAGE_BINARY "' " + args + " 2>&1";
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

using test::journal_records;

// ------------------------------------------------------------- kill -9 and restarts

TEST(Restart, KillNineMidPlayLeavesAnUncleanStopAndAnInterruptedPlay) {
  TempDir t;
  fs::create_directories(t / "drop");
  std::ofstream(t / "drop/shop.toml") << kShop;
  const std::string journal = (t / "journal").string();
  {
    test::PlayerProcess p(SIGNAGE_BINARY,
                          {"play", "--headless", "--size", "160x90", "--playlists", (t / "drop").string(),
                           "--journal", journal, "--clock", "2024-06-16T10:00:00+08:00"},
                          t / "log1");
    ASSERT_TRUE(p.wait_for("first frame after", 10s)) << p.log();
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(p.signal_and_wait(SIGKILL), 128 + SIGKILL);
  }
  const BinaryRun again = run_binary("play --headless --size 160x90 --playlists '" + (t / "drop").string() +
                                     "' --journal '" + journal +
                                     "' --exit-after 500ms --clock 2024-06-16T10:05:00+08:00");
  ASSERT_EQ(again.code, 0) << again.out;
  const auto recs = journal_records(journal);
  std::optional<json> unclean, interrupted;
  for (const auto& r : recs) {
    if (r["type"] == "unclean_stop") unclean = r;
    if (r["type"] == "play" && r.value("end_estimated", false)) interrupted = r;
  }
  ASSERT_TRUE(unclean) << again.out;
  EXPECT_EQ(unclean->value("estimated", false), true);
  ASSERT_TRUE(interrupted) << again.out;
  EXPECT_EQ((*interrupted)["outcome"], "interrupted");
  EXPECT_EQ((*interrupted)["item"], "exits");
  EXPECT_EQ((*interrupted)["text"], "安全出口 严禁堵塞");
  EXPECT_EQ((*interrupted)["start"].get<std::string>().substr(0, 16), "2024-06-16T10:00");
  EXPECT_GE((*interrupted)["shown_s"].get<double>(), 0.0);
  EXPECT_EQ(std::count_if(recs.begin(), recs.end(), [](const json& r) { return r["type"] == "stop"; }), 1)
      << "only the second run stopped";
  const BinaryRun verify = run_binary("verify '" + journal + "'");
  EXPECT_EQ(verify.code, 0) << verify.out;
}

TEST(Restart, AStartDuringAnInPlaceRewritePlaysTheLastGoodVersion) {
  TempDir t;
  fs::create_directories(t / "drop");
  const std::string shop = kShop;
  std::ofstream(t / "drop/shop.toml") << shop;
  const std::string args = "play --headless --size 160x90 --playlists '" + (t / "drop").string() +
                           "' --journal '" + (t / "journal").string() + "' --exit-after ";
  ASSERT_EQ(run_binary(args + "500ms").code, 0);
  // An editor saving over the file in place: the next start finds half of it, and the
  // watcher finds it still half-written when it settles.
  std::ofstream(t / "drop/shop.toml", std::ios::trunc) << shop.substr(0, shop.size() / 2);
  const BinaryRun run = run_binary(args + "2s");
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_NE(run.out.find("show shop/exits"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("show idle screen"), std::string::npos) << "never the idle screen: " << run.out;
}

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

// The packaging case: a test run as root left a root-owned day file in the service's
// journal folder. The service (here: the same binary as user nobody) takes the file
// over and goes on recording; the chain still verifies.
TEST(RootGuard, ARootOwnedDayFileDoesNotStopTheServicesJournal) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs setpriv (util-linux)";
  TempDir t;
  // The service user must reach the journal folder inside (mkdtemp makes it 0700).
  fs::permissions(t.path(), fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                                fs::perms::others_exec,
                  fs::perm_options::add);
  fs::create_directories(t / "drop");
  std::ofstream(t / "drop/shop.toml") << kShop;
  const std::string journal = (t / "journal").string();
  const std::string args = "play --headless --size 160x90 --playlists '" + (t / "drop").string() +
                           "' --exit-after 700ms --clock 2024-06-16T10:00:00+08:00 --journal '" + journal + "'";
  const BinaryRun as_root = run_binary(args);  // the journal folder is root's here: allowed
  ASSERT_EQ(as_root.code, 0) << as_root.out;
  const fs::path day = t / "journal/2024-06-16.jsonl";
  ASSERT_TRUE(fs::exists(day));
  // The folder goes to the service user (as the package does); the day file stays root's.
  ASSERT_EQ(::chown(journal.c_str(), 65534, 65534), 0);
  const std::string before = read_all(day);
  const BinaryRun service = run_binary("--lang en " + args, "setpriv --reuid=65534 --regid=65534 --clear-groups");
  EXPECT_EQ(service.code, 0) << service.out;
  struct stat st {};
  ASSERT_EQ(::stat(day.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 65534u) << "taken over";
  const std::string after = read_all(day);
  ASSERT_GT(after.size(), before.size()) << service.out;
  EXPECT_EQ(after.substr(0, before.size()), before) << "the root run's records are kept as they were";
  EXPECT_NE(after.find("\"type\":\"journal_file_reclaimed\""), std::string::npos) << after;
  EXPECT_NE(after.find("\"type\":\"stop\"", before.size()), std::string::npos) << after;
  const BinaryRun verify = run_binary("verify '" + journal + "'");
  EXPECT_EQ(verify.code, 0) << verify.out;
}

// ------------------------------------------------------------- stop signals

// The slowest text within the limits: a slogan of 1 000 unbreakable A's and a ticker
// of 50 texts of 2 000 characters each (rendering the ticker takes about a minute of
// one core at 1920x1080; it is done on the text thread, once per ticker).
std::string slow_text_playlist() {
  std::string ticker;
  for (int i = 0; i < 50; ++i) {
    std::string text;
    for (int k = 0; k < 250; ++k) text += "安全生产人人有责";
    ticker += (i ? ", \"" : "\"") + text + "\"";
  }
  // An emergency (priority 100 and up): it goes on screen at once.
  return "[campaign]\nid = \"slow\"\npriority = 900\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"" +
         std::string(1000, 'A') + "\"\nduration = \"1h\"\n[ticker]\ntext = [" + ticker + "]\n";
}

// Starts a player on a plain playlist, waits for its first frame (the loop runs),
// drops the slow playlist in, and sends `sig` while the new item's text is being
// laid out and drawn: the player ends within a second, with status 0, a `stop`
// record naming the signal last in its journal, and a journal that verifies.
void stops_within_a_second(int sig, const std::string& name) {
  TempDir t;
  fs::create_directories(t / "drop");
  std::ofstream(t / "drop" / "shop.toml") << kShop;
  const std::string journal = (t / "journal").string();
  test::PlayerProcess p(
      SIGNAGE_BINARY,
      {"play", "--headless", "--size", "1920x1080", "--playlists", (t / "drop").string(), "--journal", journal},
      t / "log");
  ASSERT_TRUE(p.wait_for("first frame after", 30s)) << p.log();
  std::ofstream(t / "drop" / ".slow.toml.part") << slow_text_playlist();
  fs::rename(t / "drop" / ".slow.toml.part", t / "drop" / "slow.toml");
  // Logged by the loop just before it lays the item and its ticker out.
  ASSERT_TRUE(p.wait_for("show slow/a", 30s)) << p.log();
  std::this_thread::sleep_for(300ms);  // well into the minute of ticker rendering
  ASSERT_FALSE(p.wait_for("signage: stopped", 0ms)) << p.log();
  const auto sent = std::chrono::steady_clock::now();
  const int code = p.signal_and_wait(sig);
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  EXPECT_EQ(code, 0) << p.log();
  std::printf("%s: exited %.3f s after the signal\n", name.c_str(), took);
  EXPECT_LE(took, 1.0) << name << " honoured after " << took << " s\n" << p.log();
  EXPECT_NE(p.log().find("signage: stopped"), std::string::npos) << p.log();
  const auto recs = journal_records(journal);
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs.back().value("type", ""), "stop") << recs.back().dump();
  EXPECT_EQ(recs.back().value("reason", ""), name) << recs.back().dump();
  for (const auto& r : recs) EXPECT_NE(r.value("type", ""), "media_error") << "a stop is no item's fault: " << r.dump();
  const BinaryRun verify = run_binary("verify '" + journal + "'");
  EXPECT_EQ(verify.code, 0) << verify.out;
}

TEST(StopSignal, SigtermDuringTheSlowestTextEndsCleanlyWithinASecond) { stops_within_a_second(SIGTERM, "SIGTERM"); }

TEST(StopSignal, SigintDuringTheSlowestTextEndsCleanlyWithinASecond) { stops_within_a_second(SIGINT, "SIGINT"); }

}  // namespace
}  // namespace signage
