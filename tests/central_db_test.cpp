// The central log in PostgreSQL, end to end: a PostgreSQL and an rsyslogd of the
// test's own, the shipped schema (packaging/central/schema.sql) and the shipped
// rsyslog configuration (packaging/central/signage-central-pgsql.conf), and the real
// `signage` binary playing a fast simulated morning. Proves that
//  - every record arrives in the database once, byte for byte the journal line, and
//    the heartbeats in their table, while the files are written as before;
//  - PostgreSQL stopped while the screen plays, and rsyslog restarted during that
//    outage, lose nothing: the database action's disk-assisted queue delivers it all
//    once PostgreSQL is back;
//  - the whole journal sent a second time (the uplink's cursor lost) is stored once:
//    repeats are counted, not stored; a different copy of a seq goes to conflicts;
//  - `signage report --db` gives the very CSV that `signage report` gives over the
//    central files; `signage verify --db` passes, and names a record edited in the
//    database;
//  - the checks done in SQL (gaps, chain breaks, conflicts, anchors, dark screens)
//    say what the file reader says about the same messages.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/time.h"
#include "journal/central.h"
#include "journal/central_db.h"
#include "journal/journal.h"
#include "core/env.h"
#include "pg_fixture.h"
#include "rsyslog_fixture.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using test::read_file;
using test::wait_until;
using test::write_file;

// How often a wait asks the database again (a connection each time: cheap), and how
// often one that starts a shell to count the lines in the central files.
constexpr std::chrono::milliseconds kDbPoll{50};
constexpr std::chrono::milliseconds kShellPoll{200};

// packaging/central/signage-central-pgsql.conf as shipped, with its folders under
// `root`, its RELP port `port` and its database `url`.
std::string pgsql_conf(const fs::path& root, std::uint16_t port, const std::string& url) {
  std::string conf = read_file(fs::path(SIGNAGE_SOURCE_DIR) / "packaging/central/signage-central-pgsql.conf");
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (std::size_t at = conf.find(from); at != std::string::npos; at = conf.find(from, at + to.size())) {
      conf.replace(at, from.size(), to);
    }
  };
  replace_all("/var/log/signage", (root / "logs").string());
  replace_all("/var/spool/rsyslog", (root / "spool").string());
  replace_all("port=\"2514\"", "port=\"" + std::to_string(port) + "\"");
  replace_all("postgresql://rsyslog@localhost/signage", url);
  fs::create_directories(root / "logs");
  fs::create_directories(root / "spool");
  return "global(workDirectory=\"" + (root / "spool").string() + "\")\n" + conf;
}

// seq -> line of a journal folder.
std::map<std::uint64_t, std::string> journal_lines(const fs::path& dir) {
  std::map<std::uint64_t, std::string> out;
  PosixEnv io(false);
  auto files = list_journal_files(dir, io);
  if (!files) return out;
  for (const auto& f : *files) {
    std::ifstream in(f.path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      const json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("seq")) out[j["seq"].get<std::uint64_t>()] = line;
    }
  }
  return out;
}

struct Screen {
  fs::path config, playlists, journal;
  Screen(const fs::path& root, std::uint16_t port)
      : config(root / "signage.toml"), playlists(root / "playlists"), journal(root / "journal") {
    write_file(config, "[screen]\nid = \"lobby-1\"\nsite = \"plant 2\"\n[uplink]\ntarget = \"relp://127.0.0.1:" +
                           std::to_string(port) + "\"\nheartbeat = \"1s\"\n");
    write_file(playlists / "c.toml",
               "[campaign]\nid = \"c\"\ntitle = \"安全月 'quoted' \\\\ back\"\n[defaults]\nduration = \"6s\"\n"
               "transition = \"cut\"\n"
               "[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全第一\"\n"
               "[[item]]\nid = \"b\"\ntype = \"slogan\"\ntext = \"预防为主 it's\"\n");
  }
  std::vector<std::string> play(const std::string& clock, const std::string& exit_after) const {
    return {SIGNAGE_BINARY, "play",   "--config", config.string(), "--headless", "--size",       "160x90",
            "--playlists",  playlists.string(),   "--journal", journal.string(), "--clock", clock, "--speed", "60",
            "--exit-after", exit_after};
  }
};

// `signage ARGS...`: {stdout and stderr, exit code}.
std::pair<std::string, int> signage(const std::vector<std::string>& args, const fs::path& tmp) {
  std::vector<std::string> a{SIGNAGE_BINARY};
  a.insert(a.end(), args.begin(), args.end());
  test::Child c(a, tmp / "signage.out");
  const auto rc = c.wait(120s);
  return {read_file(tmp / "signage.out"), rc.value_or(-1)};
}

std::uint64_t count(const test::PgServer& pg, const std::string& sql) {
  const auto [out, ok] = pg.psql(sql);
  return ok && !out.empty() ? std::stoull(out) : 0;
}

class CentralDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_POSTGRES();
    REQUIRE_RSYSLOGD();
    if (!test::rsyslog_module_present("ompgsql")) {
      if (test::postgres_required() || test::rsyslog_required()) GTEST_FAIL() << "apt-get install rsyslog-pgsql";
      GTEST_SKIP() << "apt-get install rsyslog-pgsql";
    }
    pg_ = std::make_unique<test::PgServer>(root_.path() / "pg");
    if (const fs::path from = test::pg_template(); !from.empty()) {
      ASSERT_TRUE(pg_->init_from(from)) << pg_->log();
      return;
    }
    ASSERT_TRUE(pg_->init()) << pg_->log();
    const auto [out, ok] = pg_->psql_file(fs::path(SIGNAGE_SOURCE_DIR) / "packaging/central/schema.sql");
    ASSERT_TRUE(ok) << out;
  }

  // Steps 4 and 5 of the end-to-end test (below), on the data it stored.
  void reports_match_and_verify_finds_edits(const std::map<std::uint64_t, std::string>& lines);
  // `report --db` against `report` over root_/central, CSV, for each range's arguments.
  void expect_db_report_is_file_report(const std::vector<std::vector<std::string>>& ranges);

  test::TempDir root_{"signage_db"};
  std::unique_ptr<test::PgServer> pg_;
};

void CentralDbTest::reports_match_and_verify_finds_edits(const std::map<std::uint64_t, std::string>& lines) {
  // 4. The report from the database is the report from the files, byte for byte.
  const std::string as_of = "2024-06-16T09:00:00+08:00";
  const std::vector<std::string> common = {"--from", "2024-06-16", "--to", "2024-06-16", "--as-of", as_of,
                                           "--format", "csv"};
  std::vector<std::string> files_args = {"report", (root_.path() / "central" / "logs").string()};
  files_args.insert(files_args.end(), common.begin(), common.end());
  std::vector<std::string> db_args = {"report", "--db", pg_->url()};
  db_args.insert(db_args.end(), common.begin(), common.end());
  const auto [from_files, rc_files] = signage(files_args, root_.path());
  const auto [from_db, rc_db] = signage(db_args, root_.path());
  ASSERT_EQ(rc_files, 0) << from_files;
  ASSERT_EQ(rc_db, 0) << from_db;
  EXPECT_EQ(from_db, from_files);
  EXPECT_NE(from_db.find("安全第一"), std::string::npos) << from_db;

  // 5. verify --db: intact; then a different copy of a stored seq is a conflict, and
  // a record edited in the database is named.
  auto [ok_out, ok_rc] = signage({"verify", "--db", pg_->url()}, root_.path());
  EXPECT_EQ(ok_rc, 0) << ok_out;
  EXPECT_NE(ok_out.find("lobby-1: central copy: " + std::to_string(lines.size()) + " records"), std::string::npos)
      << ok_out;
  const std::string other = lines.at(3).substr(0, lines.at(3).size() - 1) + ",\"extra\":1}";
  ASSERT_TRUE(pg_->psql("SELECT signage_ingest('lobby-1', 'play', '', '{}', $q$" + other + "$q$)").second);
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM conflicts WHERE seq = 3"), 1u);
  EXPECT_EQ(pg_->psql("SELECT line FROM records WHERE seq = 3").first, lines.at(3)) << "the stored copy stays";
  ASSERT_TRUE(pg_->psql("UPDATE records SET body = jsonb_set(body, '{shown_s}', '600'), "
                        "line = replace(line, '\"seq\":5,', '\"seq\":5, ') WHERE screen = 'lobby-1' AND seq = 5")
                  .second);
  auto [bad_out, bad_rc] = signage({"verify", "--db", pg_->url(), "--screen", "lobby-1"}, root_.path());
  EXPECT_EQ(bad_rc, 1) << bad_out;
  EXPECT_NE(bad_out.find("lobby-1: seq 5: "), std::string::npos) << bad_out;
  EXPECT_NE(bad_out.find("seq 3 arrived with two different contents"), std::string::npos) << bad_out;
}

// The template cluster of the test run (pg_fixture.h): initdb, the database with the
// shipped schema, stopped cleanly. ctest runs this before the other cases.
TEST(CentralDbTemplate, Make) {
  REQUIRE_POSTGRES();
  const fs::path dir = test::pg_template();
  if (dir.empty()) GTEST_SKIP() << "SIGNAGE_PG_TEMPLATE is not set: each case makes its own cluster";
  fs::remove_all(dir);
  test::PgServer pg(dir);
  ASSERT_TRUE(pg.init()) << pg.log();
  const auto [out, ok] = pg.psql_file(fs::path(SIGNAGE_SOURCE_DIR) / "packaging/central/schema.sql");
  ASSERT_TRUE(ok) << out;
  pg.stop();
  EXPECT_FALSE(pg.running());
  EXPECT_FALSE(fs::exists(dir / "data" / "postmaster.pid")) << "stopped cleanly\n" << pg.log();
}

TEST_F(CentralDbTest, PlaysArriveOnceThroughOutagesAndReportsMatchTheFiles) {
  const std::uint16_t port = test::free_port();
  test::Rsyslogd rs(root_.path() / "rsyslog", pgsql_conf(root_.path() / "central", port, pg_->url()), {port});
  ASSERT_TRUE(rs.start()) << rs.log();
  Screen screen(root_.path() / "screen", port);

  // 1. A first run: every record and heartbeat arrives, once, byte for byte.
  {
    test::Child player(screen.play("2024-06-16T07:59:30+08:00", "3s"), root_.path() / "player1.log");
    ASSERT_EQ(player.wait(60s), 0) << read_file(root_.path() / "player1.log");
  }
  auto lines = journal_lines(screen.journal);
  ASSERT_GT(lines.size(), 5u);
  ASSERT_TRUE(wait_until([&] { return count(*pg_, "SELECT count(*) FROM chain") == lines.size(); }, 30s, kDbPoll))
      << count(*pg_, "SELECT count(*) FROM chain") << " of " << lines.size() << "\n" << rs.log() << pg_->log();
  for (const auto& [seq, line] : lines) {
    const auto [stored, ok] = pg_->psql("SELECT line FROM records WHERE screen = 'lobby-1' AND seq = " +
                                        std::to_string(seq));
    ASSERT_TRUE(ok);
    EXPECT_EQ(stored, line) << "seq " << seq;
  }
  EXPECT_GT(count(*pg_, "SELECT count(*) FROM heartbeats WHERE screen = 'lobby-1'"), 1u);
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records WHERE body IS NULL"), 0u);

  // 2. PostgreSQL goes down while the screen plays; rsyslog is restarted during the
  // outage (its queue goes to disk and comes back); then PostgreSQL returns.
  test::Child player(screen.play("2024-06-16T08:10:00+08:00", "8s"), root_.path() / "player2.log");
  std::this_thread::sleep_for(1500ms);
  pg_->stop();
  std::this_thread::sleep_for(2000ms);
  rs.stop();
  ASSERT_TRUE(rs.start()) << rs.log();
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(pg_->start()) << pg_->log();
  ASSERT_EQ(player.wait(60s), 0) << read_file(root_.path() / "player2.log");
  lines = journal_lines(screen.journal);
  // Everything reaches the files. The database gets everything too, except that
  // rsyslog stopped while its database action waits for PostgreSQL can drop the one
  // message that action holds (rsyslog 8.2302, memory or disk queue alike); the
  // files have it, and the shipped backfill stores what the database lacks.
  auto in_files = [&] {
    return test::shell("cat " + (root_.path() / "central/logs/lobby-1").string() + "/*.jsonl | grep -c '\"msgid\":\"heartbeat\"' -v");
  };
  ASSERT_TRUE(wait_until([&] { return std::stoull(in_files()) >= lines.size(); }, 60s, kShellPoll)) << in_files();
  // All but that one message, then a moment for it: it comes with the others or not
  // at all. Should it come after the backfill stored it, it counts as a second
  // delivery of the same record, which changes nothing below.
  ASSERT_TRUE(wait_until([&] { return count(*pg_, "SELECT count(*) FROM chain") + 1 >= lines.size(); }, 60s,
                         kDbPoll))
      << count(*pg_, "SELECT count(*) FROM chain") << " of " << lines.size() << "\n" << rs.log();
  wait_until([&] { return count(*pg_, "SELECT count(*) FROM chain") == lines.size(); }, 3s, kDbPoll);
  const std::uint64_t before_backfill = count(*pg_, "SELECT count(*) FROM chain");
  EXPECT_GE(before_backfill + 1, lines.size()) << "at most the one message in the waiting action";
  int rc = 0;
  const std::string backfill =
      test::shell(std::string(SIGNAGE_SOURCE_DIR) + "/packaging/central/signage-central-backfill " + pg_->url() +
                         " " + (root_.path() / "central/logs").string(),
                     &rc);
  ASSERT_EQ(rc, 0) << backfill;
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM chain"), lines.size())
      << before_backfill << " before the backfill; " << backfill << "\n" << rs.log();
  std::cout << "backfill after the outage (" << before_backfill << " of " << lines.size()
            << " records in the database before it): " << backfill;
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records"), lines.size());
  EXPECT_EQ(count(*pg_, "SELECT max(seq) FROM chain"), lines.rbegin()->first);

  // 3. The uplink's cursor lost: the whole journal is sent again. Stored once.
  const std::uint64_t before = lines.size();
  fs::remove(screen.journal / "uplink.cursor");
  {
    test::Child again(screen.play("2024-06-16T08:30:00+08:00", "2s"), root_.path() / "player3.log");
    ASSERT_EQ(again.wait(60s), 0) << read_file(root_.path() / "player3.log");
  }
  lines = journal_lines(screen.journal);
  ASSERT_TRUE(wait_until(
      [&] {
        return count(*pg_, "SELECT count(*) FROM chain") == lines.size() &&
               count(*pg_, "SELECT sum(deliveries - 1) FROM chain") >= before;
      },
      60s, kDbPoll))
      << rs.log();
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records"), lines.size()) << "each seq stored once";
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM conflicts"), 0u);
  rs.stop();  // everything is in; the files are complete too

  reports_match_and_verify_finds_edits(lines);
}

// The same messages in central files and in the database: the SQL checks say what
// the file reader says (gaps, a broken link, a conflict, a bad anchor, darkness).
TEST_F(CentralDbTest, SqlChecksAgreeWithTheFileReader) {
  // A journal of 12 records, chained.
  const auto zone = fixed_offset_zone(8h);
  PosixEnv io(false);
  const fs::path jdir = root_.path() / "journal";
  const Instant t0 = Instant(std::chrono::sys_days(2024y / 6 / 16)) + 1h;
  auto j = Journal::open(jdir, *zone, io, t0);
  ASSERT_TRUE(j.ok());
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(j->append(json{{"type", "event"}, {"event", "x"}, {"screen", "s1"},
                               {"time", format_iso8601(zone->to_local(t0 + std::chrono::seconds(i)))}},
                          t0 + std::chrono::seconds(i))
                    .ok());
  }
  auto lines = journal_lines(jdir);
  ASSERT_EQ(lines.size(), 12u);
  // What arrived: seq 4-5 never; seq 8 edited after the fact (its successor's prev no
  // longer matches); seq 2 twice; seq 6 twice with different bytes; two heartbeats,
  // one anchoring seq 10 rightly, one anchoring seq 11 with a wrong hash.
  struct Msg {
    std::string screen, msgid, msg;
  };
  std::vector<Msg> msgs;
  for (const auto& [seq, line] : lines) {
    if (seq == 4 || seq == 5) continue;
    std::string l = line;
    if (seq == 8) l.replace(l.find("\"x\""), 3, "\"y\"");
    msgs.push_back({"s1", "event", l});
    if (seq == 2) msgs.push_back({"s1", "event", l});
    if (seq == 6) msgs.push_back({"s1", "event", l.substr(0, l.size() - 1) + ",\"z\":1}"});
  }
  auto heartbeat = [&](const std::string& time, std::uint64_t seq, const std::string& hash, const json& clock) {
    json hb{{"type", "heartbeat"}, {"time", time}, {"interval_s", 60}, {"journal_seq", seq}, {"journal_hash", hash}};
    hb.update(clock);
    return hb.dump();
  };
  msgs.push_back({"s1", "heartbeat",
                  heartbeat("2024-06-16T09:00:20+08:00", 10, sha256_hex(lines.at(10) + "\n"),
                            {{"clock_source", "chrony"}, {"clock_offset_ms", 61.5}})});
  msgs.push_back({"s1", "heartbeat",
                  heartbeat("2024-06-16T09:01:00+08:00", 11, std::string(64, 'a'),
                            {{"clock_source", "chrony"}, {"clock_offset_ms", 0.125}})});
  msgs.push_back({"s2", "heartbeat",
                  heartbeat("2024-06-16T08:00:00+08:00", 0, "", {{"clock_source", "none"}, {"clock_offset_ms", nullptr}})});

  std::string file;
  for (const auto& m : msgs) {
    file += json{{"received", "2024-06-16T01:00:00Z"}, {"screen", m.screen}, {"msgid", m.msgid},
                 {"timestamp", "2024-06-16T01:00:00Z"}, {"sd", json::object()}, {"msg", m.msg}}
                .dump() +
            "\n";
    ASSERT_TRUE(pg_->psql("SELECT signage_ingest('" + m.screen + "', '" + m.msgid +
                          "', '2024-06-16T01:00:00Z', '{}', $q$" + m.msg + "$q$)")
                    .second);
  }
  write_file(root_.path() / "central" / "s1" / "2024-06-16.jsonl", file);

  const Instant as_of = Instant(std::chrono::sys_days(2024y / 6 / 16)) + 1h + 2min;  // 09:02 at +08:00
  // Each heartbeat's clock as the report sees it, from the files and from the database.
  using Clock = std::tuple<std::string, std::string, std::string, std::optional<double>>;
  std::vector<Clock> clocks_in_files, clocks_in_db;
  auto from_files = read_central_log({root_.path() / "central"}, as_of, {},
                                     [&](const std::string& screen, const LastHeartbeat& hb) {
                                       clocks_in_files.emplace_back(screen, hb.time, hb.clock_source, hb.clock_offset_ms);
                                     });
  ASSERT_TRUE(from_files.ok()) << from_files.error().what();
  auto db = CentralDb::connect(pg_->url());
  ASSERT_TRUE(db.ok()) << db.error().what();
  auto from_db = db->screens(as_of);
  ASSERT_TRUE(from_db.ok()) << from_db.error().what();
  ASSERT_TRUE(db->heartbeats(Date{2024y / 6 / 16}, Date{2024y / 6 / 16},
                             [&](const std::string& screen, const LastHeartbeat& hb) {
                               clocks_in_db.emplace_back(screen, hb.time, hb.clock_source, hb.clock_offset_ms);
                             })
                  .ok());
  std::sort(clocks_in_files.begin(), clocks_in_files.end());
  std::sort(clocks_in_db.begin(), clocks_in_db.end());
  EXPECT_EQ(clocks_in_db, clocks_in_files);
  ASSERT_EQ(clocks_in_db.size(), 3u);
  EXPECT_EQ(std::get<3>(clocks_in_db[0]), 61.5);
  EXPECT_FALSE(std::get<3>(clocks_in_db[2]).has_value()) << "s2: not synchronised, no offset";
  ASSERT_EQ(from_db->size(), from_files->screens.size());
  for (std::size_t i = 0; i < from_db->size(); ++i) {
    const CentralScreen& f = from_files->screens[i];
    const CentralScreen& d = (*from_db)[i];
    EXPECT_EQ(d.screen, f.screen);
    EXPECT_EQ(d.summary(), f.summary()) << f.screen;
    EXPECT_EQ(d.heartbeat_summary(), f.heartbeat_summary()) << f.screen;
    EXPECT_EQ(d.dark, f.dark) << f.screen;
    EXPECT_EQ(d.anchor_problems, f.anchor_problems) << f.screen;
    EXPECT_EQ(d.anchors_checked, f.anchors_checked) << f.screen;
  }
  const CentralScreen& s1 = (*from_db)[0];
  ASSERT_EQ(s1.gaps.size(), 1u);
  EXPECT_EQ(s1.gaps[0].first, 4u);
  EXPECT_EQ(s1.gaps[0].last, 5u);
  EXPECT_EQ(s1.broken_links, std::vector<std::uint64_t>{9});
  EXPECT_EQ(s1.conflicts, std::vector<std::uint64_t>{6});
  EXPECT_EQ(s1.duplicates, 2u);
  EXPECT_FALSE(s1.dark);
  EXPECT_TRUE((*from_db)[1].dark) << "s2's last heartbeat is an hour old";
}

// Plays written the way the report's rules are tested hardest (a play over midnight,
// one from the day before the range, partial plays that say `complete`, skips,
// interruptions, overlapping ticker passes, times with and without fractions and in
// three offsets, a stamp SQL leaves to the client, a campaign renamed half-way, days
// without a start record): the report computed in SQL is the file report, byte for
// byte, in every range and with a campaign filter; and only the records that need
// the client's rules reach it whole.
TEST_F(CentralDbTest, ReportAggregatedInSqlIsTheFileReport) {
  struct Line {
    std::string screen;
    json record;
  };
  std::vector<Line> lines;
  auto play = [&](const std::string& screen, const std::string& start, double shown, double planned,
                  const std::string& outcome, const std::string& campaign, const std::string& item,
                  const std::string& type, json extra = json::object()) {
    json r{{"type", "play"}, {"screen", screen}, {"site", "site " + screen}, {"campaign", campaign},
           {"campaign_title", "title " + campaign}, {"item", item}, {"item_type", type}, {"start", start},
           {"planned_s", planned}, {"shown_s", shown}, {"outcome", outcome}};
    if (type == "slogan" || type == "ticker") r["text"] = "安全第一 " + item;
    if (type == "video") {
      r["media"] = "media/" + item + ".mp4";
      r["media_duration_s"] = 30;
    }
    if (type == "image") r["media"] = "media/" + item + ".png";
    r.update(extra);
    lines.push_back({screen, r});
  };
  auto event = [&](const std::string& screen, const std::string& type, const std::string& time, json extra = {}) {
    json r{{"type", type}, {"time", time}};
    if (type == "start") r.update(json{{"screen", screen}, {"site", "site " + screen}, {"organisation", "org"}});
    if (extra.is_object()) r.update(extra);
    lines.push_back({screen, r});
  };
  // Screen a, +08:00.
  event("a", "start", "2024-06-15T08:00:00.000+08:00");
  play("a", "2024-06-15T12:00:00.000+08:00", 12, 12, "complete", "c1", "v", "video");
  play("a", "2024-06-15T23:59:50.500+08:00", 20.25, 30, "complete", "c1", "v", "video");  // over midnight, partial
  play("a", "2024-06-16T08:00:00.000+08:00", 12.02, 12, "complete", "c1", "s", "slogan",
       {{"end", "2024-06-16T08:00:12.020+08:00"}});
  play("a", "2024-06-16T08:00:12.1+08:00", 5, 12, "complete", "c1", "s", "slogan");  // really partial
  play("a", "2024-06-16T08:00:30.12+08:00", 0, 10, "skipped", "c1", "p", "image");
  play("a", "2024-06-16T08:01:00.000+08:00", 3.5, 10, "interrupted", "c2", "p", "image");
  play("a", "2024-06-16T08:01:00.000+08:00", 60, 60, "complete", "c1", "t", "ticker");
  play("a", "2024-06-16T08:01:30.000+08:00", 60, 60, "complete", "c1", "t", "ticker");  // overlaps the last
  event("a", "emergency", "2024-06-16T09:00:00.000+08:00", {{"action", "on"}});
  play("a", "2024-06-16T09:00:00.123456+08:00", 12, 12, "complete", "c1", "s", "slogan");  // left to the client
  play("a", "2024-06-16T09:00:20.000+08:00", 12, 12, "partial", "c1", "s", "slogan", {{"campaign_title", "renamed"}});
  event("a", "stop", "2024-06-16T22:00:00.000+08:00");
  play("a", "2024-06-16T23:59:59.000+08:00", 10, 10, "complete", "c2", "p", "image");  // no session: a span
  play("a", "2024-06-17T10:00:00.000+08:00", 10, 10, "complete", "c2", "p", "image");
  // Screen b, UTC, one record in another offset, a stamp with a space.
  event("b", "start", "2024-06-16T00:30:00Z");
  play("b", "2024-06-15T23:00:00Z", 180000, 180000, "complete", "c2", "v", "video");  // over three midnights
  play("b", "2024-06-16T01:00:00Z", 12, 12, "complete", "c1", "s", "slogan");
  play("b", "2024-06-16 02:00:00.5Z", 12, 12, "complete", "c1", "s", "slogan");
  play("b", "2024-06-16T09:00:00-05:00", 30, 30, "complete", "c2", "v", "video");
  play("b", "2024-06-17T23:59:00Z", 120, 120, "complete", "c2", "v", "video");  // into the day after the range

  std::map<std::string, std::pair<std::uint64_t, std::string>> head;  // screen -> (seq, prev)
  std::map<std::string, std::string> files;
  std::string sql;
  std::size_t whole = 0;  // records SQL leaves to the client
  for (auto& l : lines) {
    auto& [seq, prev] = head.try_emplace(l.screen, 0, std::string(64, '0')).first->second;
    json r{{"seq", ++seq}};
    r.update(l.record);
    r["prev"] = prev;
    const std::string line = r.dump();
    prev = sha256_hex(line + "\n");
    const std::string type = r["type"];
    const std::string start = r.value("start", "");
    if (type != "play" || r["item_type"] == "ticker" || start.find(".123456") != std::string::npos) ++whole;
    files[l.screen] += json{{"received", "2024-06-16T01:00:00Z"}, {"screen", l.screen}, {"msgid", type},
                            {"timestamp", "2024-06-16T01:00:00Z"}, {"sd", {{"seq", std::to_string(seq)}}},
                            {"msg", line}}
                           .dump() +
                       "\n";
    sql += "SELECT signage_ingest('" + l.screen + "', '" + type + "', '2024-06-16T01:00:00Z', '{}', $q$" + line +
           "$q$);\n";
  }
  for (const auto& [screen, text] : files) write_file(root_.path() / "central" / screen / "2024-06-16.jsonl", text);
  ASSERT_TRUE(pg_->psql(sql).second);
  ASSERT_EQ(count(*pg_, "SELECT count(*) FROM records"), lines.size());

  auto db = CentralDb::connect(pg_->url());
  ASSERT_TRUE(db.ok()) << db.error().what();
  std::size_t passed_whole = 0, groups = 0, spans = 0;
  auto done = db->report_rows(Date{2024y / 6 / 16}, Date{2024y / 6 / 17},
                              {[&](const std::string&, std::uint64_t, const json&) { ++passed_whole; },
                               [&](const PlayGroup&) { ++groups; },
                               [&](const std::string&, std::uint64_t, Instant, Instant, std::chrono::seconds) { ++spans; },
                               [&](const std::string&, const std::string&, std::uint64_t) {}});
  ASSERT_TRUE(done.ok()) << done.error().what();
  EXPECT_TRUE(*done);
  EXPECT_EQ(passed_whole, whole);
  EXPECT_GT(groups, 8u);
  EXPECT_GE(spans, 5u);

  const std::vector<std::vector<std::string>> ranges = {
      {"--from", "2024-06-16", "--to", "2024-06-17"},
      {"--from", "2024-06-16", "--to", "2024-06-17", "--campaign", "c1"},
      {"--from", "2024-06-17", "--to", "2024-06-17", "--campaign", "c2"},
      {"--from", "2024-06-16", "--to", "2024-06-16"}};
  expect_db_report_is_file_report(ranges);

  // A database made with the schema before the report's columns: read record by
  // record, the same report; schema.sql run again fills the columns of the stored
  // rows, and the report is aggregated again, still the same.
  ASSERT_TRUE(pg_->psql("DROP TRIGGER signage_report_columns ON records; ALTER TABLE records DROP COLUMN counted, DROP COLUMN play_start, DROP COLUMN play_local_ms, "
                        "DROP COLUMN play_offset_s, DROP COLUMN play_end_ms, DROP COLUMN play_class, "
                        "DROP COLUMN play_campaign, DROP COLUMN play_item, DROP COLUMN play_item_type, "
                        "DROP COLUMN play_text, DROP COLUMN play_media, DROP COLUMN play_media_duration, "
                        "DROP COLUMN play_title, DROP COLUMN play_site, DROP COLUMN names_other_screen")
                  .second);
  auto old = CentralDb::connect(pg_->url());
  ASSERT_TRUE(old.ok()) << old.error().what();
  auto old_done = old->report_rows(Date{2024y / 6 / 16}, Date{2024y / 6 / 17}, {});
  ASSERT_TRUE(old_done.ok()) << old_done.error().what();
  EXPECT_FALSE(*old_done);
  expect_db_report_is_file_report({ranges[0]});
  ASSERT_TRUE(pg_->psql_file(fs::path(SIGNAGE_SOURCE_DIR) / "packaging/central/schema.sql").second);
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records WHERE counted"), lines.size() - whole);
  auto again = CentralDb::connect(pg_->url());
  ASSERT_TRUE(again.ok()) << again.error().what();
  std::size_t groups_again = 0;
  auto done_again = again->report_rows(Date{2024y / 6 / 16}, Date{2024y / 6 / 17},
                                       {[&](const std::string&, std::uint64_t, const json&) {},
                                        [&](const PlayGroup&) { ++groups_again; },
                                        [&](const std::string&, std::uint64_t, Instant, Instant, std::chrono::seconds) {},
                                        [&](const std::string&, const std::string&, std::uint64_t) {}});
  ASSERT_TRUE(done_again.ok()) << done_again.error().what();
  EXPECT_TRUE(*done_again);
  EXPECT_EQ(groups_again, groups);
  expect_db_report_is_file_report(ranges);
}

// `report --db` prints what `report` prints over the central files, for each range.
void CentralDbTest::expect_db_report_is_file_report(const std::vector<std::vector<std::string>>& ranges) {
  for (const auto& range : ranges) {
    std::vector<std::string> common = range;
    for (const char* a : {"--as-of", "2024-06-18T00:00:00+08:00", "--format", "csv"}) common.emplace_back(a);
    std::vector<std::string> files_args = {"report", (root_.path() / "central").string()};
    files_args.insert(files_args.end(), common.begin(), common.end());
    std::vector<std::string> db_args = {"report", "--db", pg_->url()};
    db_args.insert(db_args.end(), common.begin(), common.end());
    const auto [from_files, rc_files] = signage(files_args, root_.path());
    const auto [from_db, rc_db] = signage(db_args, root_.path());
    ASSERT_EQ(rc_files, 0) << from_files;
    ASSERT_EQ(rc_db, 0) << from_db;
    EXPECT_EQ(from_db, from_files) << range[1] << " " << range[3];
    EXPECT_NE(from_db.find(range.size() > 4 ? "title " + range[5] : "安全第一"), std::string::npos) << from_db;
  }
}


// The backfill stores in bulk what signage_ingest() would store message by message:
// each seq once, a repeat in the batch as a delivery, another copy as a conflict, a
// heartbeat once; run again it stores nothing.
// Numbers no double holds (JSON has no limit: 1e400) and a malformed heartbeat
// interval are stored without them, never a cast error: an error fails rsyslog's
// whole batch, which it retries for ever, and nothing after it would reach the
// database. Such a play is not counted in SQL: the report reads it whole.
TEST_F(CentralDbTest, NumbersOutOfRangeDoNotStopIngestion) {
  const std::string huge =
      R"({"seq":1,"type":"play","screen":"lobby-1","start":"2024-06-16T10:00:00.000+08:00",)"
      R"("end":"2024-06-16T10:00:10.000+08:00","campaign":"c","item":"i","item_type":"slogan",)"
      R"("outcome":"complete","planned_s":1e400,"shown_s":1e400})";
  auto [out, ok] = pg_->psql("SELECT signage_ingest('lobby-1', 'play', '', '{}', $q$" + huge + "$q$)");
  ASSERT_TRUE(ok) << out;
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records WHERE screen = 'lobby-1' AND seq = 1 AND shown_s IS NULL "
                        "AND NOT counted"),
            1u);
  const std::string planned = R"({"seq":2,"type":"play","screen":"lobby-1","start":"2024-06-16T10:00:10.000+08:00",)"
                              R"("outcome":"complete","planned_s":-1e400,"shown_s":10})";
  std::tie(out, ok) = pg_->psql("SELECT signage_ingest('lobby-1', 'play', '', '{}', $q$" + planned + "$q$)");
  ASSERT_TRUE(ok) << out;
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records WHERE screen = 'lobby-1' AND seq = 2 AND NOT counted"), 1u);
  std::tie(out, ok) = pg_->psql(
      "SELECT signage_ingest('lobby-1', 'heartbeat', '2024-06-16T10:00:00+08:00', "
      "$q${\"interval_s\":\"1.2.3\",\"time\":\"2024-06-16T10:00:00+08:00\"}$q$, 'not json')");
  ASSERT_TRUE(ok) << out;
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM heartbeats WHERE screen = 'lobby-1' AND interval_s = 60"), 1u);
  EXPECT_EQ(pg_->psql("SELECT signage_num('1e400'), signage_num('-1e400'), signage_num('12.5'), "
                      "signage_num('\"12\"') IS NULL").first,
            "||12.5|t");
}

TEST_F(CentralDbTest, BackfillInBulkKeepsTheIngestRules) {
  std::string file;
  std::string prev(64, '0');
  std::vector<std::string> lines;
  for (int seq = 1; seq <= 5; ++seq) {
    const std::string line = json{{"seq", seq}, {"type", "event"}, {"time", "2024-06-16T08:00:0" + std::to_string(seq) + "+08:00"},
                                  {"prev", prev}}.dump();
    prev = sha256_hex(line + "\n");
    lines.push_back(line);
  }
  auto message = [](const std::string& msgid, const std::string& msg, int seq) {
    return json{{"received", "2024-06-16T01:00:00Z"}, {"screen", "s1"}, {"msgid", msgid},
                {"timestamp", "2024-06-16T00:00:00Z"}, {"sd", {{"seq", std::to_string(seq)}}}, {"msg", msg}}
               .dump() + "\n";
  };
  for (std::size_t i = 0; i < 5; ++i) file += message("event", lines[i], static_cast<int>(i) + 1);
  file += message("event", lines[1], 2);                                              // a repeat
  file += message("event", lines[2].substr(0, lines[2].size() - 1) + ",\"z\":1}", 3);  // another copy
  file += message("heartbeat", json{{"time", "2024-06-16T08:01:00+08:00"}, {"interval_s", 60}}.dump(), 0);
  file += "{\"cut\n";
  write_file(root_.path() / "central" / "s1" / "2024-06-16.jsonl", file);
  const std::string backfill = std::string(SIGNAGE_SOURCE_DIR) + "/packaging/central/signage-central-backfill " +
                               pg_->url() + " " + (root_.path() / "central").string();
  int rc = 0;
  const std::string out = test::shell(backfill, &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("5 records stored"), std::string::npos) << out;
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records"), 5u);
  EXPECT_EQ(count(*pg_, "SELECT sum(deliveries) FROM chain"), 6u);
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM conflicts WHERE seq = 3"), 1u);
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM heartbeats"), 1u);
  EXPECT_EQ(pg_->psql("SELECT line FROM records WHERE seq = 3").first, lines[2]);
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM records r JOIN chain c USING (screen, seq) WHERE r.prev = c.prev "
                        "AND r.line_sha256 = c.line_sha256 AND r.at = '2024-06-16T00:00:05Z'"), 1u);
  const std::string again = test::shell(backfill, &rc);
  ASSERT_EQ(rc, 0) << again;
  EXPECT_NE(again.find(" 0 records stored"), std::string::npos) << again;
  EXPECT_EQ(count(*pg_, "SELECT sum(deliveries) FROM chain"), 6u);
  EXPECT_EQ(count(*pg_, "SELECT count(*) FROM heartbeats"), 1u);
  auto [verify, vrc] = signage({"verify", "--db", pg_->url()}, root_.path());
  EXPECT_NE(verify.find("seq 3 arrived with two different contents"), std::string::npos) << verify;
}

}  // namespace
}  // namespace signage
