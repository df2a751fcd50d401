#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <vector>

#include "core/diagnostic.h"
#include "core/env.h"
#include "core/error.h"
#include "core/faulty_env.h"
#include "core/i18n.h"
#include "core/log_queue.h"
#include "core/repeat_limit.h"
#include "core/text_util.h"
#include "core/time.h"
#include "support/files.h"

namespace signage {
namespace {

using namespace std::chrono;

TEST(Error, KeepsItsCauseChain) {
  const Error e("cannot show banner.png", Error("cannot decode image", Error("Invalid data")));
  EXPECT_EQ(e.message(), "cannot show banner.png");
  ASSERT_NE(e.cause(), nullptr);
  EXPECT_EQ(e.cause()->message(), "cannot decode image");
  EXPECT_EQ(e.what(), "cannot show banner.png: cannot decode image: Invalid data");
}

TEST(Error, HasAKindThatWrappersKeep) {
  EXPECT_EQ(Error("plain").kind(), ErrorKind::other);
  const Error missing = errno_error("x.toml: cannot open", ENOENT);
  EXPECT_EQ(missing.kind(), ErrorKind::not_found);
  EXPECT_EQ(missing.what(), std::string("x.toml: cannot open: ") + std::strerror(ENOENT));
  // A wrapper takes its cause's kind unless it is given one.
  EXPECT_EQ(Error("cannot load the playlists", missing).kind(), ErrorKind::not_found);
  EXPECT_EQ(Error(ErrorKind::invalid, "not a cursor", missing).kind(), ErrorKind::invalid);
  EXPECT_EQ(error_kind_of_errno(EACCES), ErrorKind::permission);
  EXPECT_EQ(error_kind_of_errno(EPERM), ErrorKind::permission);
  EXPECT_EQ(error_kind_of_errno(ENOSPC), ErrorKind::no_space);
  EXPECT_EQ(error_kind_of_errno(EWOULDBLOCK), ErrorKind::busy);
  EXPECT_EQ(error_kind_of_errno(EIO), ErrorKind::io);
  EXPECT_EQ(error_code_error("gone", std::make_error_code(std::errc::no_such_file_or_directory)).kind(),
            ErrorKind::not_found);
  EXPECT_STREQ(to_string(ErrorKind::busy), "busy");
}

TEST(PosixEnv, ReadsWritesAndListsWithKinds) {
  test::TempDir d;
  PosixEnv env(false);
  const auto f = d.path() / "sub" / "a.txt";
  ASSERT_TRUE(env.create_dir(f.parent_path()).ok());
  ASSERT_TRUE(env.write_file_atomic(f, "hello world\n").ok());
  EXPECT_FALSE(std::filesystem::exists(d.path() / "sub" / "a.txt.tmp"));
  EXPECT_EQ(*env.read_file(f), "hello world\n");
  EXPECT_EQ(*env.file_size(f), 12u);
  EXPECT_EQ(*env.read_range(f, 6, 5), "world");
  EXPECT_EQ(*env.read_range(f, 6, 100), "world\n");
  EXPECT_EQ(*env.read_range(f, 50, 10), "");
  ASSERT_TRUE(env.append(f, "more\n").ok());
  EXPECT_EQ(*env.read_file(f), "hello world\nmore\n");
  ASSERT_TRUE(env.truncate(f, 5).ok());
  EXPECT_EQ(*env.read_file(f), "hello");
  std::filesystem::create_directory(d.path() / "sub" / "folder");
  auto names = env.list_dir(f.parent_path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"a.txt"});  // regular files only

  auto missing = env.read_file(d.path() / "none");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind(), ErrorKind::not_found) << missing.error().what();
  EXPECT_EQ(env.read_range(d.path() / "none", 0, 1).error().kind(), ErrorKind::not_found);
  EXPECT_EQ(*env.file_size(d.path() / "none"), 0u);
  EXPECT_EQ(env.list_dir(d.path() / "none").error().kind(), ErrorKind::not_found);
  // A file in the way of a folder.
  EXPECT_FALSE(env.create_dir(f / "x").ok());
}

TEST(PosixEnv, ASecondLockOnAFileIsBusyUntilTheFirstIsReleased) {
  test::TempDir d;
  PosixEnv env(false);
  const auto f = d.path() / ".lock";
  auto first = env.lock_file(f);
  ASSERT_TRUE(first.ok()) << first.error().what();
  EXPECT_TRUE(first->held());
  EXPECT_EQ(*env.read_file(f), std::to_string(::getpid()) + "\n");
  // flock: a second open file conflicts even within this process.
  auto second = env.lock_file(f);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind(), ErrorKind::busy) << second.error().what();
  EXPECT_NE(second.error().what().find(f.string()), std::string::npos) << second.error().what();
  // Moving the lock keeps it held; releasing it frees the file.
  FileLock moved = std::move(*first);
  EXPECT_TRUE(moved.held());
  EXPECT_FALSE(env.lock_file(f).ok());
  moved.release();
  EXPECT_FALSE(moved.held());
  auto third = env.lock_file(f);
  ASSERT_TRUE(third.ok()) << third.error().what();
}

TEST(FaultyEnv, FillsTheDiskPartWayThroughAnAppend) {
  test::TempDir d;
  PosixEnv base(false);
  FaultyEnv env(base);
  const auto f = d.path() / "log";
  env.fail_appends_after(4);
  auto s = env.append(f, "abcdef");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind(), ErrorKind::no_space);
  EXPECT_EQ(*env.read_file(f), "abcd");
  EXPECT_EQ(env.failed_appends(), 1);
  env.fail_truncates(1);
  EXPECT_EQ(env.truncate(f, 0).error().kind(), ErrorKind::io);
  env.clear_faults();
  ASSERT_TRUE(env.truncate(f, 0).ok());
  ASSERT_TRUE(env.append(f, "ok").ok());
  EXPECT_EQ(*env.read_file(f), "ok");
}

// Small files are read without ever waiting: only a regular file within the limit is
// read; a FIFO (no writer), a folder or a device comes back with its type at once.
TEST(PosixEnv, ReadsOnlyRegularFilesWithinTheLimitAndNeverBlocks) {
  test::TempDir d;
  PosixEnv env(false);
  const auto f = d.path() / "a.toml";
  ASSERT_TRUE(env.write_file_atomic(f, "id = 1\n").ok());
  auto small = env.read_regular_file(f, 100);
  ASSERT_TRUE(small.ok()) << small.error().what();
  EXPECT_EQ(small->type, FileType::regular);
  EXPECT_FALSE(small->too_large);
  EXPECT_EQ(small->bytes, "id = 1\n");
  auto exact = env.read_regular_file(f, 7);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->bytes, "id = 1\n");
  auto big = env.read_regular_file(f, 6);
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->too_large);
  EXPECT_TRUE(big->bytes.empty());

  const auto fifo = d.path() / "pipe.toml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto piped = env.read_regular_file(fifo, 100);  // would block forever if it waited for a writer
  ASSERT_TRUE(piped.ok()) << piped.error().what();
  EXPECT_EQ(piped->type, FileType::fifo);
  EXPECT_TRUE(piped->bytes.empty());
  auto folder = env.read_regular_file(d.path(), 100);
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(folder->type, FileType::folder);
  auto device = env.read_regular_file("/dev/null", 100);
  ASSERT_TRUE(device.ok());
  EXPECT_EQ(device->type, FileType::device);
  auto missing = env.read_regular_file(d.path() / "none", 100);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind(), ErrorKind::not_found);
  EXPECT_NE(missing.error().what().find((d.path() / "none").string()), std::string::npos);

  EXPECT_EQ(*env.file_type(f), FileType::regular);
  EXPECT_EQ(*env.file_type(fifo), FileType::fifo);
  EXPECT_EQ(*env.file_type(d.path()), FileType::folder);
  EXPECT_EQ(*env.file_type(d.path() / "none"), FileType::none);
  EXPECT_EQ(*env.file_type(f / "under-a-file"), FileType::none);
}

TEST(PosixEnv, ListsFoldersAndDeletes) {
  test::TempDir d;
  PosixEnv env(false);
  ASSERT_TRUE(env.create_dir(d.path() / "2024-06-16" / "deep").ok());
  ASSERT_TRUE(env.create_dir(d.path() / "2024-06-17").ok());
  ASSERT_TRUE(env.write_file_atomic(d.path() / "2024-06-16" / "deep" / "x.jpg", "x").ok());
  ASSERT_TRUE(env.write_file_atomic(d.path() / "file", "y").ok());
  auto folders = env.list_folders(d.path());
  ASSERT_TRUE(folders.ok());
  std::sort(folders->begin(), folders->end());
  EXPECT_EQ(*folders, (std::vector<std::string>{"2024-06-16", "2024-06-17"}));  // folders only
  EXPECT_EQ(env.list_folders(d.path() / "none").error().kind(), ErrorKind::not_found);

  ASSERT_TRUE(env.remove_all(d.path() / "2024-06-16").ok());
  EXPECT_FALSE(std::filesystem::exists(d.path() / "2024-06-16"));
  ASSERT_TRUE(env.remove_all(d.path() / "2024-06-16").ok());  // already gone
  ASSERT_TRUE(env.remove(d.path() / "file").ok());
  EXPECT_FALSE(std::filesystem::exists(d.path() / "file"));
  ASSERT_TRUE(env.remove(d.path() / "file").ok());  // already gone
  ASSERT_TRUE(env.write_file_atomic(d.path() / "2024-06-17" / "y.jpg", "y").ok());
  auto not_empty = env.remove(d.path() / "2024-06-17");
  ASSERT_FALSE(not_empty.ok());
  EXPECT_NE(not_empty.error().what().find("2024-06-17"), std::string::npos) << not_empty.error().what();
}

// FaultyEnv::fail_path: every call on one path fails as the OS would say it, naming
// the path, of its errno's kind; the other paths are untouched.
TEST(FaultyEnv, FailsEveryCallOnOnePath) {
  test::TempDir d;
  PosixEnv base(false);
  FaultyEnv env(base);
  const auto bad = d.path() / "bad";
  const auto good = d.path() / "good";
  ASSERT_TRUE(env.write_file_atomic(bad, "b").ok());
  ASSERT_TRUE(env.write_file_atomic(good, "g").ok());
  env.fail_path(bad);
  for (const Error& e : {env.read_file(bad).error(), env.read_regular_file(bad, 10).error(),
                         env.read_range(bad, 0, 1).error(), env.file_type(bad).error(), env.remove(bad).error(),
                         env.write_file_atomic(bad, "x").error()}) {
    EXPECT_EQ(e.kind(), ErrorKind::io) << e.what();
    EXPECT_NE(e.what().find(bad.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(env.failed_path_calls(), 6);
  EXPECT_EQ(*env.read_file(good), "g");
  env.fail_path(d.path(), EACCES);
  EXPECT_EQ(env.list_dir(d.path()).error().kind(), ErrorKind::permission);
  EXPECT_EQ(env.list_folders(d.path()).error().kind(), ErrorKind::permission);
  env.clear_faults();
  EXPECT_EQ(*env.read_file(bad), "b");
}

// Time zone files go through the Env: a zone file that cannot be read is an error
// of the Env's kind that names the file, not "unknown zone" from a missing file.
TEST(TimeZone, ZoneFilesAreReadThroughTheEnv) {
  PosixEnv base(false);
  FaultyEnv env(base);
  const std::filesystem::path file = "/usr/share/zoneinfo/Asia/Shanghai";
  env.fail_path(file);
  auto zone = time_zone_named("Asia/Shanghai", "/usr/share/zoneinfo", env);
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().kind(), ErrorKind::io) << zone.error().what();
  EXPECT_NE(zone.error().what().find(file.string()), std::string::npos) << zone.error().what();
  EXPECT_EQ(env.failed_path_calls(), 1);
  // TZ=":/path" and /etc/localtime are read through it too.
  auto by_path = time_zone_from_tz(":/usr/share/zoneinfo/Asia/Shanghai", "/usr/share/zoneinfo", "/nowhere", env);
  ASSERT_FALSE(by_path.ok());
  EXPECT_EQ(by_path.error().kind(), ErrorKind::io) << by_path.error().what();
  auto local = time_zone_from_tz(nullptr, "/usr/share/zoneinfo", file, env);
  ASSERT_FALSE(local.ok());
  EXPECT_EQ(local.error().kind(), ErrorKind::io) << local.error().what();
  EXPECT_NE(local.error().what().find(file.string()), std::string::npos) << local.error().what();
  env.clear_faults();
  auto read = time_zone_named("Asia/Shanghai", "/usr/share/zoneinfo", env);
  ASSERT_TRUE(read.ok()) << read.error().what();
  // A folder of zones is no zone, and a FIFO is refused without waiting for a writer.
  EXPECT_EQ(time_zone_named("Asia", "/usr/share/zoneinfo", env).error().kind(), ErrorKind::not_found);
  test::TempDir d;
  ASSERT_EQ(::mkfifo((d.path() / "Pipe").c_str(), 0600), 0);
  EXPECT_EQ(time_zone_named("Pipe", d.path(), env).error().kind(), ErrorKind::not_found);
}

// The message catalog is read through the Env as well.
TEST(Catalog, IsReadThroughTheEnv) {
  test::TempDir d;
  PosixEnv base(false);
  FaultyEnv env(base);
  const auto mo = d.path() / "signage.mo";
  const auto paths = catalog_paths(Language::zh_CN);
  std::string bytes;
  for (const auto& p : paths) {
    if (auto r = base.read_file(p)) {
      bytes = std::move(*r);
      break;
    }
  }
  ASSERT_FALSE(bytes.empty()) << "no built catalog";
  ASSERT_TRUE(base.write_file_atomic(mo, bytes).ok());
  auto loaded = Catalog::load(mo, env);
  ASSERT_TRUE(loaded.ok()) << loaded.error().what();
  EXPECT_GT(loaded->size(), 100u);
  env.fail_path(mo);
  auto failed = Catalog::load(mo, env);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind(), ErrorKind::io) << failed.error().what();
  EXPECT_NE(failed.error().what().find(mo.string()), std::string::npos) << failed.error().what();
  EXPECT_EQ(Catalog::load(d.path() / "none.mo", env).error().kind(), ErrorKind::not_found);
  EXPECT_EQ(Catalog::load(d.path(), env).error().kind(), ErrorKind::invalid);  // a folder
}

TEST(Result, HoldsValueOrError) {
  Result<int> good = 7;
  Result<int> bad = Error("nope");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "nope");
  Status s;
  EXPECT_TRUE(s.ok());
  Status f = Error("x");
  EXPECT_FALSE(f.ok());
}

// Built member by member: GCC 12 at -O3 takes the nested brace initialisation
// Diagnostic{s, {file, line, col}, message} for a string that may be used
// uninitialised on the path where the message throws (-Wmaybe-uninitialized).
Diagnostic diagnostic(Severity severity, std::string file, int line, int column, std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.where.file = std::move(file);
  d.where.line = line;
  d.where.column = column;
  d.message = std::move(message);
  return d;
}

TEST(Diagnostic, FormatsLikeACompiler) {
  const Diagnostic d = diagnostic(Severity::error, "playlists/a.toml", 12, 9, "unknown key 'colour'");
  EXPECT_EQ(d.format(), "playlists/a.toml:12:9: error: unknown key 'colour'");
  const Diagnostic w = diagnostic(Severity::warning, "a.toml", 3, 0, "m");
  EXPECT_EQ(w.format(), "a.toml:3: warning: m");
  EXPECT_TRUE(has_errors({w, d}));
  EXPECT_FALSE(has_errors({w}));
}

TEST(Diagnostic, ChineseKeepsTheEditorsPositionAndSaysItInWords) {
  const ScopedMessageLanguage zh(Language::zh_CN);
  const Diagnostic d = diagnostic(Severity::error, "a.toml", 3, 12, "这里用了全角冒号“：”");
  EXPECT_EQ(d.format(), "a.toml:3:12: 错误：第 3 行第 12 列：这里用了全角冒号“：”");
  const Diagnostic w = diagnostic(Severity::warning, "a.toml", 3, 0, "m");
  EXPECT_EQ(w.format(), "a.toml:3: 警告：第 3 行：m");
  const Diagnostic f = diagnostic(Severity::error, "a.toml", 0, 0, "m");
  EXPECT_EQ(f.format(), "a.toml: 错误：m");
}

TEST(Time, ParsesAndFormatsWithOffset) {
  auto zone = fixed_offset_zone(hours(8));
  auto t = parse_iso8601("2024-06-16T10:02:03.120+08:00", *zone);
  ASSERT_TRUE(t.ok()) << t.error().what();
  EXPECT_EQ(format_iso8601(zone->to_local(*t)), "2024-06-16T10:02:03.120+08:00");
  auto local = parse_iso8601("2024-06-16T10:00", *zone);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(*local, *parse_iso8601("2024-06-16T02:00:00Z", *zone));
  EXPECT_FALSE(parse_iso8601("2024-13-01T00:00", *zone).ok());
  EXPECT_FALSE(parse_iso8601("2024-06-16T25:00", *zone).ok());
  EXPECT_FALSE(parse_iso8601("yesterday", *zone).ok());
}

TEST(Time, LocalTimeKnowsWeekday) {
  auto zone = fixed_offset_zone(hours(8));
  const auto lt = zone->to_local(*parse_iso8601("2024-06-16T23:59:59+08:00", *zone));
  EXPECT_EQ(lt.weekday, Sunday);
  EXPECT_EQ(lt.time_of_day, hours(23) + minutes(59) + seconds(59));
  EXPECT_EQ(lt.date, year(2024) / June / 16);
}

TEST(Time, DurationsAndTimesOfDay) {
  EXPECT_EQ(*parse_duration("12s"), milliseconds(12000));
  EXPECT_EQ(*parse_duration("1m30s"), milliseconds(90000));
  EXPECT_EQ(*parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(*parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*parse_duration("2h"), hours(2));
  EXPECT_FALSE(parse_duration("12").ok());
  EXPECT_FALSE(parse_duration("s").ok());
  EXPECT_FALSE(parse_duration("1.2.3s").ok());
  EXPECT_EQ(*parse_time_of_day("08:00"), hours(8));
  EXPECT_EQ(*parse_time_of_day("24:00"), hours(24));
  EXPECT_EQ(*parse_time_of_day("23:59:59"), hours(23) + minutes(59) + seconds(59));
  EXPECT_FALSE(parse_time_of_day("24:01").ok());
  EXPECT_FALSE(parse_time_of_day("8:00").ok());
}

// The system zone with a DST rule, given as a POSIX TZ string so no zone data is needed.
class SystemZoneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TZ");
    saved_ = old ? old : "";
    had_ = old != nullptr;
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    zone_ = system_time_zone();
  }
  void TearDown() override {
    if (had_) setenv("TZ", saved_.c_str(), 1); else unsetenv("TZ");
    tzset();
  }
  std::string saved_;
  bool had_ = false;
  std::unique_ptr<TimeZone> zone_;
};

TEST_F(SystemZoneTest, OffsetFollowsDst) {
  auto winter = parse_iso8601("2024-01-10T12:00:00Z", *zone_);
  auto summer = parse_iso8601("2024-07-10T12:00:00Z", *zone_);
  EXPECT_EQ(zone_->to_local(*winter).utc_offset, hours(1));
  EXPECT_EQ(zone_->to_local(*summer).utc_offset, hours(2));
  EXPECT_EQ(format_iso8601(zone_->to_local(*summer), false), "2024-07-10T14:00:00+02:00");
}

TEST_F(SystemZoneTest, GapAndOverlap) {
  // 2024-03-31: 02:00 CET jumps to 03:00 CEST. 02:30 never happens: 03:00 is next.
  const Instant gap = zone_->to_instant(year(2024) / March / 31, hours(2) + minutes(30));
  EXPECT_EQ(gap, *parse_iso8601("2024-03-31T01:00:00Z", *zone_));
  // 2024-10-27: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice: earlier one.
  const Instant overlap = zone_->to_instant(year(2024) / October / 27, hours(2) + minutes(30));
  EXPECT_EQ(overlap, *parse_iso8601("2024-10-27T00:30:00Z", *zone_));
  // Ordinary reading.
  EXPECT_EQ(zone_->to_instant(year(2024) / July / 1, hours(8)),
            *parse_iso8601("2024-07-01T06:00:00Z", *zone_));
}

TEST(TextUtil, RoundTripsAndReplacesBadBytes) {
  const std::string s = "人人讲安全 12350!";
  EXPECT_EQ(u32_to_utf8(utf8_to_u32(s)), s);
  EXPECT_EQ(utf8_to_u32(s).size(), 12u);
  EXPECT_TRUE(is_valid_utf8(s));
  EXPECT_FALSE(is_valid_utf8("\xff\xfe"));
  EXPECT_EQ(utf8_to_u32("a\xe4\xbd"), std::u32string(U"a\uFFFD"));
}

// ---- messages in Chinese (core/i18n.h) ----

TEST(I18n, ParsesLanguagesAsPeopleWriteThem) {
  for (const char* zh : {"zh", "zh-CN", "zh_CN", "zh_CN.UTF-8", "ZH-cn", "zh_TW.Big5", "zh_CN.GB18030"}) {
    EXPECT_EQ(parse_language(zh), Language::zh_CN) << zh;
  }
  for (const char* en : {"en", "en_US.UTF-8", "C", "C.UTF-8", "POSIX"}) {
    EXPECT_EQ(parse_language(en), Language::en) << en;
  }
  EXPECT_EQ(parse_language("fr_FR.UTF-8"), std::nullopt);
  EXPECT_EQ(parse_language(""), std::nullopt);
  EXPECT_EQ(language_tag(Language::zh_CN), "zh-CN");
}

TEST(I18n, EnvironmentAsGettextReadsIt) {
  struct Case {
    std::map<std::string, std::string> env;
    Language want;
  };
  const Case cases[] = {
      {{}, Language::en},
      {{{"LANG", "zh_CN.UTF-8"}}, Language::zh_CN},
      {{{"LANG", "en_US.UTF-8"}, {"LC_MESSAGES", "zh_CN.GBK"}}, Language::zh_CN},
      {{{"LANG", "zh_CN.UTF-8"}, {"LC_ALL", "en_US.UTF-8"}}, Language::en},
      {{{"LANG", "en_US.UTF-8"}, {"LANGUAGE", "zh_CN:en"}}, Language::zh_CN},
      {{{"LANGUAGE", "fr:zh"}}, Language::zh_CN},
      {{{"LANGUAGE", "zh_CN"}}, Language::zh_CN},
      // LC_ALL=C asks for untranslated output: LANGUAGE is not looked at (as in gettext).
      {{{"LANGUAGE", "zh_CN"}, {"LC_ALL", "C"}}, Language::en},
      {{{"LANG", "de_DE.UTF-8"}}, Language::en},
  };
  for (const Case& c : cases) {
    const auto lang = language_from_environment([&](const char* name) -> const char* {
      const auto it = c.env.find(name);
      return it == c.env.end() ? nullptr : it->second.c_str();
    });
    std::string shown;
    for (const auto& [k, v] : c.env) shown += k + "=" + v + " ";
    EXPECT_EQ(lang, c.want) << shown;
  }
}

// The build tree's catalog is found and read without any zh_CN locale: this box has
// none generated (locale -a lists C, C.UTF-8 and POSIX), which is the point.
TEST(I18n, TranslatesFromTheBuildTreeCatalogWithoutALocale) {
  const Catalog* zh = catalog_for(Language::zh_CN);
  ASSERT_NE(zh, nullptr) << "signage.mo not found; looked in " << catalog_paths(Language::zh_CN).front();
  EXPECT_STREQ(translate(Language::zh_CN, "Usage"), "用法");
  EXPECT_STREQ(translate(Language::en, "Usage"), "Usage");
  EXPECT_STREQ(translate(Language::zh_CN, "no such message, kept as written"), "no such message, kept as written");
  {
    const ScopedMessageLanguage zh_messages(Language::zh_CN);
    EXPECT_STREQ(_("Usage"), "用法");
  }
  EXPECT_STREQ(_("Usage"), "Usage");
}

TEST(I18n, EveryTranslationKeepsItsPlaceholders) {
  const Catalog* zh = catalog_for(Language::zh_CN);
  ASSERT_NE(zh, nullptr);
  EXPECT_GT(zh->size(), 10u);
  for (const auto& [id, str] : zh->entries()) {
    if (id.empty() || str.empty()) continue;
    std::string_view forms = str;
    while (true) {
      const auto nul = forms.find('\0');
      EXPECT_EQ(placeholders_of(forms.substr(0, nul)), placeholders_of(id)) << id << " -> " << str;
      if (nul == std::string_view::npos) break;
      forms.remove_prefix(nul + 1);
    }
  }
}

TEST(I18n, FormatsNumberedPlaceholdersInAnyOrder) {
  EXPECT_EQ(fmt("{1}: cannot open {2}", "a.toml", "media/x.png"), "a.toml: cannot open media/x.png");
  EXPECT_EQ(fmt("打不开 {2}（{1}）", "a.toml", "media/x.png"), "打不开 media/x.png（a.toml）");
  EXPECT_EQ(fmt("line {1}, {2} s, {3}", 12, 1.5, std::string("x")), "line 12, 1.5 s, x");
  EXPECT_EQ(fmt("{1} and {3}", "a"), "a and {3}");  // no argument: left as written
  EXPECT_EQ(placeholders_of("{2} x {1} {2}"), (std::vector<int>{1, 2}));
}

// A .mo file as msgfmt writes it, in either byte order, with a plural entry.
std::string make_mo(const std::vector<std::pair<std::string, std::string>>& entries, bool big_endian) {
  auto word = [&](std::uint32_t v) {
    std::string w(4, '\0');
    for (int i = 0; i < 4; ++i) {
      const int shift = big_endian ? 24 - 8 * i : 8 * i;
      w[static_cast<std::size_t>(i)] = static_cast<char>((v >> shift) & 0xFF);
    }
    return w;
  };
  const auto n = static_cast<std::uint32_t>(entries.size());
  const std::uint32_t originals = 28, translations = originals + 8 * n;
  std::uint32_t data = translations + 8 * n;
  std::string head = word(0x950412de) + word(0) + word(n) + word(originals) + word(translations) + word(0) + word(0);
  std::string tables_o, tables_t, strings;
  for (const auto& [id, str] : entries) {
    tables_o += word(static_cast<std::uint32_t>(id.size())) + word(data);
    strings += id + '\0';
    data += static_cast<std::uint32_t>(id.size() + 1);
  }
  for (const auto& [id, str] : entries) {
    tables_t += word(static_cast<std::uint32_t>(str.size())) + word(data);
    strings += str + '\0';
    data += static_cast<std::uint32_t>(str.size() + 1);
  }
  return head + tables_o + tables_t + strings;
}

TEST(I18n, ReadsMoFilesInBothByteOrders) {
  using namespace std::string_literals;
  const std::vector<std::pair<std::string, std::string>> entries = {
      {"", "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n"},
      {"{1} item\0{1} items"s, "{1} 个节目"},
      {"Usage", "用法"},
      {"untranslated", ""},
  };
  for (const bool be : {false, true}) {
    auto c = Catalog::parse(make_mo(entries, be));
    ASSERT_TRUE(c.ok()) << c.error().what();
    EXPECT_STREQ(c->find("Usage"), "用法");
    EXPECT_EQ(c->find("untranslated"), nullptr);
    EXPECT_EQ(c->find("absent"), nullptr);
    EXPECT_STREQ(c->find_plural("{1} item", 5), "{1} 个节目");
  }
  EXPECT_FALSE(Catalog::parse("not a catalog at all").ok());
  std::string truncated = make_mo(entries, false);
  truncated.resize(40);
  EXPECT_FALSE(Catalog::parse(truncated).ok());
}

// ---- time zones from the IANA database (TZif) and POSIX TZ strings ----

Instant utc(const char* text) {
  auto t = parse_iso8601(text, *fixed_offset_zone(seconds(0)));
  EXPECT_TRUE(t.ok()) << text;
  return *t;
}

std::shared_ptr<const TimeZone> named(const char* name) {
  auto z = time_zone_named(name);
  EXPECT_TRUE(z.ok()) << name << ": " << (z ? "" : z.error().what());
  return z ? *z : utc_time_zone();
}

TEST(TimeZone, AsiaShanghaiWhateverTheBoxSays) {
  const auto sh = named("Asia/Shanghai");
  EXPECT_EQ(sh->name(), "Asia/Shanghai");
  EXPECT_EQ(format_iso8601(sh->to_local(utc("2024-06-16T02:00:00Z")), false), "2024-06-16T10:00:00+08:00");
  EXPECT_EQ(sh->to_instant(year(2024) / June / 16, hours(8)), utc("2024-06-16T00:00:00Z"));
  // China kept summer time from 1986 to 1991.
  EXPECT_EQ(sh->to_local(utc("1988-07-01T00:00:00Z")).utc_offset, hours(9));
  // Past the table: the footer (CST-8).
  EXPECT_EQ(sh->to_local(utc("2150-01-01T00:00:00Z")).utc_offset, hours(8));
}

TEST(TimeZone, EuropeBerlinChangesBothWays) {
  const auto be = named("Europe/Berlin");
  // 2024-03-31 01:00 UTC: 02:00 CET becomes 03:00 CEST.
  EXPECT_EQ(be->to_local(utc("2024-03-31T00:59:59Z")).utc_offset, hours(1));
  EXPECT_EQ(be->to_local(utc("2024-03-31T01:00:00Z")).utc_offset, hours(2));
  // 2024-10-27 01:00 UTC: 03:00 CEST becomes 02:00 CET.
  EXPECT_EQ(be->to_local(utc("2024-10-27T00:59:59Z")).utc_offset, hours(2));
  EXPECT_EQ(be->to_local(utc("2024-10-27T01:00:00Z")).utc_offset, hours(1));
  // Gap: 02:30 never happens, 03:00 is next; overlap: the earlier 02:30.
  EXPECT_EQ(be->to_instant(year(2024) / March / 31, hours(2) + minutes(30)), utc("2024-03-31T01:00:00Z"));
  EXPECT_EQ(be->to_instant(year(2024) / October / 27, hours(2) + minutes(30)), utc("2024-10-27T00:30:00Z"));
  // Far past the table (slim files stop early; the POSIX footer gives the rule).
  EXPECT_EQ(be->to_local(utc("2100-07-01T12:00:00Z")).utc_offset, hours(2));
  EXPECT_EQ(be->to_local(utc("2100-12-01T12:00:00Z")).utc_offset, hours(1));
  EXPECT_EQ(be->to_local(utc("2100-03-28T00:59:59Z")).utc_offset, hours(1));
  EXPECT_EQ(be->to_local(utc("2100-03-28T01:00:00Z")).utc_offset, hours(2));
}

TEST(TimeZone, AmericaNewYork) {
  const auto ny = named("America/New_York");
  EXPECT_EQ(ny->to_local(utc("2024-03-10T06:59:59Z")).utc_offset, hours(-5));
  EXPECT_EQ(ny->to_local(utc("2024-03-10T07:00:00Z")).utc_offset, hours(-4));
  EXPECT_EQ(ny->to_local(utc("2024-11-03T05:59:59Z")).utc_offset, hours(-4));
  EXPECT_EQ(ny->to_local(utc("2024-11-03T06:00:00Z")).utc_offset, hours(-5));
  EXPECT_EQ(format_iso8601(ny->to_local(utc("2024-06-16T14:00:00Z")), false), "2024-06-16T10:00:00-04:00");
  EXPECT_EQ(ny->to_local(utc("2090-07-04T12:00:00Z")).utc_offset, hours(-4));
}

TEST(TimeZone, PosixStrings) {
  auto cet = posix_time_zone("CET-1CEST,M3.5.0,M10.5.0/3");
  ASSERT_TRUE(cet.ok()) << cet.error().what();
  const auto be = named("Europe/Berlin");
  for (const char* t : {"2024-03-31T00:59:59Z", "2024-03-31T01:00:00Z", "2024-10-27T00:59:59Z",
                        "2024-10-27T01:00:00Z", "2031-06-01T00:00:00Z", "2099-12-31T23:00:00Z"}) {
    EXPECT_EQ((*cet)->to_local(utc(t)).utc_offset, be->to_local(utc(t)).utc_offset) << t;
  }
  auto sydney = posix_time_zone("AEST-10AEDT,M10.1.0,M4.1.0/3");  // southern: summer over new year
  ASSERT_TRUE(sydney.ok());
  EXPECT_EQ((*sydney)->to_local(utc("2024-01-15T00:00:00Z")).utc_offset, hours(11));
  EXPECT_EQ((*sydney)->to_local(utc("2024-07-15T00:00:00Z")).utc_offset, hours(10));
  auto tehran = posix_time_zone("<+0330>-3:30");
  ASSERT_TRUE(tehran.ok());
  EXPECT_EQ((*tehran)->to_local(utc("2024-07-15T00:00:00Z")).utc_offset, hours(3) + minutes(30));
  auto cst = posix_time_zone("CST-8");
  ASSERT_TRUE(cst.ok());
  EXPECT_EQ((*cst)->to_local(utc("2024-07-15T00:00:00Z")).utc_offset, hours(8));
  EXPECT_FALSE(posix_time_zone("8").ok());
  EXPECT_FALSE(posix_time_zone("CET-1CEST,M13.5.0,M10.5.0").ok());
}

TEST(TimeZone, UnknownNamesAreErrorsThatSayWhatToWrite) {
  for (const char* bad : {"Asia/Shangai", "", "../../etc/passwd", "/etc/localtime", "Asia/Shanghai ", "北京"}) {
    auto z = time_zone_named(bad);
    ASSERT_FALSE(z.ok()) << bad;
    EXPECT_EQ(z.error().message(), std::string("unknown time zone '") + bad +
                                       "'; write an IANA time zone name such as Asia/Shanghai");
  }
  const ScopedMessageLanguage zh(Language::zh_CN);
  auto z = time_zone_named("Asia/Shangai");
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.error().message(), "没有名为“Asia/Shangai”的时区，请写 IANA 时区名，例如 Asia/Shanghai");
}

TEST(TimeZone, TzAsTheCLibraryReadsIt) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("signage_zone_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto link = dir / "localtime";
  std::filesystem::create_symlink("/usr/share/zoneinfo/Asia/Shanghai", link);
  auto local = time_zone_from_tz(nullptr, "/usr/share/zoneinfo", link);
  ASSERT_TRUE(local.ok()) << local.error().what();
  EXPECT_EQ((*local)->name(), "Asia/Shanghai");
  EXPECT_EQ((*local)->to_local(utc("2024-06-16T02:00:00Z")).utc_offset, hours(8));
  std::filesystem::remove_all(dir);

  EXPECT_EQ((*time_zone_from_tz("", "/usr/share/zoneinfo", link))->to_local(utc("2024-06-16T02:00:00Z")).utc_offset,
            seconds(0));
  EXPECT_EQ((*time_zone_from_tz(":Europe/Berlin", "/usr/share/zoneinfo", link))->name(), "Europe/Berlin");
  EXPECT_EQ((*time_zone_from_tz("CST-8", "/usr/share/zoneinfo", link))->to_local(utc("2024-01-01T00:00:00Z")).utc_offset,
            hours(8));
  EXPECT_FALSE(time_zone_from_tz("Nowhere/City", "/usr/share/zoneinfo", link).ok());
  EXPECT_FALSE(time_zone_from_tz(":Nowhere/City", "/usr/share/zoneinfo", link).ok());
}

// Our reading of the database agrees with the C library's, instant by instant, over
// two centuries, in zones with every kind of history (and the footer's years).
TEST(TimeZone, AgreesWithTheCLibrary) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  for (const char* name : {"Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Sydney",
                           "America/Sao_Paulo", "Asia/Kolkata", "Europe/London", "Pacific/Chatham"}) {
    const auto zone = named(name);
    setenv("TZ", name, 1);
    tzset();
    int checked = 0;
    for (std::int64_t s = -2'000'000'000; s < 4'000'000'000; s += 86'400 * 3 + 3'607) {
      const std::time_t tt = static_cast<std::time_t>(s);
      std::tm tm{};
      localtime_r(&tt, &tm);
      const Instant t{seconds(s)};
      ASSERT_EQ(zone->to_local(t).utc_offset, seconds(tm.tm_gmtoff)) << name << " at " << s;
      ++checked;
    }
    EXPECT_GT(checked, 20'000);
  }
  if (old) setenv("TZ", saved.c_str(), 1); else unsetenv("TZ");
  tzset();
}

TEST(TimeZone, SystemZoneFollowsTz) {
  // test_main sets TZ=Asia/Shanghai.
  const auto zone = system_time_zone();
  EXPECT_EQ(zone->name(), "Asia/Shanghai");
  EXPECT_EQ(zone->to_local(utc("2024-06-16T02:00:00Z")).utc_offset, hours(8));
}

// Lines from other threads wait for the log's own thread; the first one wakes it.
TEST(LogQueue, KeepsOrderWakesOnceAndCountsWhatItDrops) {
  int wakes = 0;
  LogQueue q([&wakes] { ++wakes; }, 3);
  q.push("a");
  q.push("b");
  EXPECT_EQ(wakes, 1) << "only a line into an empty queue wakes";
  q.push("c");
  q.push("d");
  q.push("e");
  EXPECT_EQ(q.take(), (std::vector<std::string>{"a", "b", "c", "2 more log lines dropped (too many at once)"}));
  EXPECT_TRUE(q.take().empty());
  q.push("f");
  EXPECT_EQ(wakes, 2);
}

TEST(RepeatLimit, FirstLinesThenOneCountPerWindowAndAfreshAfterAQuietWindow) {
  ManualMonotonicClock clock;
  RepeatLimit limit(clock, RepeatLimit::Options{2, std::chrono::seconds(10)});
  EXPECT_TRUE(limit.admit("a"));
  EXPECT_TRUE(limit.admit("a"));
  EXPECT_FALSE(limit.admit("a"));
  EXPECT_TRUE(limit.admit("b")) << "each key on its own";
  clock.advance(std::chrono::seconds(5));
  EXPECT_FALSE(limit.admit("a"));
  EXPECT_TRUE(limit.take_held().empty()) << "not yet a window since the first line held";
  clock.advance(std::chrono::seconds(5));
  auto held = limit.take_held();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].key, "a");
  EXPECT_EQ(held[0].count, 2u);
  EXPECT_FALSE(limit.admit("a")) << "still coming: counted, not printed";
  EXPECT_EQ(limit.take_held(true).size(), 1u) << "all: at the end";
  clock.advance(std::chrono::seconds(11));
  EXPECT_TRUE(limit.admit("a")) << "quiet for a window: a new incident";
}

}  // namespace
}  // namespace signage
