// Proof-of-play journal: the hash chain across restarts and days, tamper detection
// at the right file and line, crash repair at every byte offset, a full disk,
// evidence pictures, and the report (totals against hand-computed numbers, CSV
// round trip, HTML structure).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/files.h"
#include "core/digest.h"
#include "core/faulty_env.h"
#include "journal/central.h"
#include "journal/evidence.h"
#include "journal/journal.h"
#include "journal/play_state.h"
#include "journal/report.h"
#include "journal/report_render.h"
#include "journal/report_tables.h"
#include "journal/verify.h"
#include "journal/line_scan.h"

#include <array>

namespace signage {
namespace {

using signage::test::TempDir;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;


std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void spit(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << s;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) nl = s.size() - 1;
    out.push_back(s.substr(pos, nl + 1 - pos));
    pos = nl + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x;
  return s;
}

class JournalTest : public ::testing::Test {
 protected:
  std::unique_ptr<TimeZone> zone = fixed_offset_zone(8h);
  PosixEnv io{false};  // no fdatasync: same bytes, faster tests
  TempDir tmp;

  Instant at(const char* iso) {
    auto t = parse_iso8601(iso, *zone);
    EXPECT_TRUE(t.ok()) << iso;
    return *t;
  }

  Journal open_journal(Instant now) {
    auto j = Journal::open(tmp.path(), *zone, io, now);
    EXPECT_TRUE(j.ok()) << (j.ok() ? "" : j.error().what());
    return std::move(j).value();
  }

  json play(Instant start, double shown, const std::string& item = "theme") {
    PlayRecord p;
    p.screen = "luojiang-wanda-lobby-01";
    p.site = "洛江万达广场";
    p.campaign = "2024-safety-month";
    p.campaign_title = "2024年安全生产月";
    p.item = item;
    p.item_type = "slogan";
    p.text = "人人讲安全、个个会应急\n畅通生命通道";
    p.start = format_iso8601(zone->to_local(start));
    p.end = format_iso8601(zone->to_local(start + std::chrono::milliseconds(static_cast<long long>(shown * 1000))));
    p.planned_s = 12;
    p.shown_s = shown;
    p.player_version = "0.1.0";
    return play_record(p);
  }

  // `per_day` plays on each of `days` days from 2024-06-15, one journal session per day.
  void write_days(int days, int per_day) {
    Instant t = at("2024-06-15T09:00+08:00");
    for (int d = 0; d < days; ++d) {
      Journal j = open_journal(t);
      for (int i = 0; i < per_day; ++i) {
        ASSERT_TRUE(j.append(play(t, 12.0), t + 12s).ok());
        t += 1min;
      }
      t += 24h - std::chrono::minutes(per_day);
    }
  }

  fs::path day(const char* date) const { return tmp.path() / (std::string(date) + ".jsonl"); }
};

// ------------------------------------------------------------------ the chain

TEST_F(JournalTest, GenesisIsTheDocumentedConstant) {
  EXPECT_EQ(genesis_prev(), "3d053f6ec830da90745efadae97ccc0e3805d25782da31d49dff928cca200cc2");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(JournalTest, LineHasSeqTypeFirstPrevLastAndChainsFromGenesis) {
  Journal j = open_journal(at("2024-06-16T08:00+08:00"));
  auto seq = j.append(event_record("start", zone->to_local(at("2024-06-16T08:00+08:00")), {{"version", "0.1.0"}}),
                      at("2024-06-16T08:00+08:00"));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 1u);
  const std::string text = slurp(day("2024-06-16"));
  EXPECT_EQ(text.rfind("{\"seq\":1,\"type\":\"start\",", 0), 0u) << text;
  EXPECT_NE(text.find(",\"prev\":\"" + genesis_prev() + "\"}\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\"time\":\"2024-06-16T08:00:00.000+08:00\""), std::string::npos) << text;
  ASSERT_TRUE(j.append(play(at("2024-06-16T08:00+08:00"), 12), at("2024-06-16T08:00:12+08:00")).ok());
  const auto lines = lines_of(slurp(day("2024-06-16")));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[1])["prev"], sha256_hex(lines[0]));
  EXPECT_EQ(json::parse(lines[1])["text"], "人人讲安全、个个会应急\n畅通生命通道");
}

TEST_F(JournalTest, RejectsARecordWithoutType) {
  Journal j = open_journal(at("2024-06-16T08:00+08:00"));
  EXPECT_FALSE(j.append(json{{"x", 1}}, at("2024-06-16T08:00+08:00")).ok());
  EXPECT_FALSE(j.append(json::array(), at("2024-06-16T08:00+08:00")).ok());
  EXPECT_EQ(j.next_seq(), 1u);
}

TEST_F(JournalTest, ASecondJournalOnTheSameFolderIsRefusedWhileTheFirstIsOpen) {
  const Instant t = at("2024-06-16T08:00+08:00");
  std::optional<Journal> first = open_journal(t);
  auto second = Journal::open(tmp.path(), *zone, io, t);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind(), ErrorKind::busy) << second.error().what();
  // The message names the folder and the process holding it (this one).
  EXPECT_NE(second.error().what().find(tmp.path().string()), std::string::npos) << second.error().what();
  EXPECT_NE(second.error().what().find(std::to_string(::getpid())), std::string::npos) << second.error().what();
  // The lock file is no day file: the chain and verify do not see it.
  ASSERT_TRUE(first->append(play(t, 12), t + 12s).ok());
  EXPECT_TRUE(fs::exists(tmp.path() / kJournalLockFile));
  EXPECT_TRUE(verify_journal(tmp.path(), io).ok);
  first.reset();
  auto again = Journal::open(tmp.path(), *zone, io, t + 1min);
  ASSERT_TRUE(again.ok()) << again.error().what();
  EXPECT_EQ(again->next_seq(), 2u);
}

TEST_F(JournalTest, ChainVerifiesAfterLongRunWithRestartsAndDayChanges) {
  Instant t = at("2024-06-14T22:00+08:00");
  std::uint64_t expected_seq = 1;
  std::set<std::string> dates;
  for (int session = 0; session < 12; ++session) {
    Journal j = open_journal(t);
    EXPECT_EQ(j.next_seq(), expected_seq);
    ASSERT_TRUE(j.append(event_record("start", zone->to_local(t)), t).ok());
    ++expected_seq;
    for (int i = 0; i < 60; ++i) {
      auto seq = j.append(play(t, 30.0, i % 2 ? "theme" : "evacuation-psa"), t + 30s);
      ASSERT_TRUE(seq.ok()) << seq.error().what();
      EXPECT_EQ(*seq, expected_seq++);
      dates.insert(format_date(zone->to_local(t + 30s).date));
      t += 2min;
    }
    ASSERT_TRUE(j.append(event_record("stop", zone->to_local(t)), t).ok());
    ++expected_seq;
    t += 1h;  // player off for an hour, then restarted
  }
  // Every record is in the file of its local date.
  auto files = list_journal_files(tmp.path(), io);
  ASSERT_TRUE(files.ok());
  for (const auto& f : *files) {
    for (const auto& line : lines_of(slurp(f.path))) {
      const json r = json::parse(line);
      const std::string when = r.contains("time") ? r["time"].get<std::string>() : r["end"].get<std::string>();
      EXPECT_EQ(when.substr(0, 10), format_date(f.date));
    }
  }
  const VerifyResult v = verify_journal(tmp.path());
  ASSERT_TRUE(v.ok) << v.summary();
  EXPECT_EQ(v.records, expected_seq - 1);
  EXPECT_EQ(v.first_seq, 1u);
  EXPECT_EQ(v.last_seq, expected_seq - 1);
  EXPECT_GE(v.files, 3u);
  EXPECT_EQ(v.first_time, "2024-06-14T22:00:00.000+08:00");
  EXPECT_NE(v.summary().find("intact"), std::string::npos);
}

TEST_F(JournalTest, ClockGoingBackKeepsWritingTheNewestFile) {
  Journal j = open_journal(at("2024-06-16T08:00+08:00"));
  ASSERT_TRUE(j.append(play(at("2024-06-16T08:00+08:00"), 12), at("2024-06-16T08:00:12+08:00")).ok());
  ASSERT_TRUE(j.append(event_record("clock_jump", zone->to_local(at("2024-06-15T08:00+08:00"))),
                       at("2024-06-15T08:00+08:00"))
                  .ok());
  EXPECT_FALSE(fs::exists(day("2024-06-15")));
  EXPECT_EQ(lines_of(slurp(day("2024-06-16"))).size(), 2u);
  EXPECT_TRUE(verify_journal(tmp.path()).ok);
}

// ------------------------------------------------------------------ tampering

struct Broken {
  std::string file;
  std::size_t line;
};

class TamperTest : public JournalTest {
 protected:
  void SetUp() override { write_days(3, 10); }
  Broken check(const char* must_mention) {
    const VerifyResult v = verify_journal(tmp.path());
    EXPECT_FALSE(v.ok);
    EXPECT_NE(v.reason.find(must_mention), std::string::npos) << v.summary();
    return {v.broken_file.filename().string(), v.broken_line};
  }
  std::vector<std::string> day2() { return lines_of(slurp(day("2024-06-16"))); }
  void set_day2(const std::vector<std::string>& l) { spit(day("2024-06-16"), join(l)); }
};

TEST_F(TamperTest, IntactJournalVerifies) {
  const VerifyResult v = verify_journal(tmp.path());
  EXPECT_TRUE(v.ok) << v.summary();
  EXPECT_EQ(v.records, 30u);
  EXPECT_EQ(v.files, 3u);
}

TEST_F(TamperTest, EditedFieldIsFoundAtItsLine) {
  auto l = day2();
  const auto pos = l[4].find("\"shown_s\":12.0");
  ASSERT_NE(pos, std::string::npos) << l[4];
  l[4].replace(pos, 14, "\"shown_s\":99.0");
  set_day2(l);
  const Broken b = check("changed after it was written");
  EXPECT_EQ(b.file, "2024-06-16.jsonl");
  EXPECT_EQ(b.line, 5u);
}

TEST_F(TamperTest, EditedLastLineOfADayIsFoundThroughTheNextDay) {
  auto l = lines_of(slurp(day("2024-06-15")));
  l[9].replace(l[9].find("theme"), 5, "THEME");
  spit(day("2024-06-15"), join(l));
  const Broken b = check("changed after it was written");
  EXPECT_EQ(b.file, "2024-06-15.jsonl");
  EXPECT_EQ(b.line, 10u);
}

TEST_F(TamperTest, DeletedLineIsFoundWhereItWas) {
  auto l = day2();
  l.erase(l.begin() + 4);
  set_day2(l);
  const Broken b = check("are missing");
  EXPECT_EQ(b.file, "2024-06-16.jsonl");
  EXPECT_EQ(b.line, 5u);
}

TEST_F(TamperTest, ForgedInsertedLineIsFound) {
  auto l = day2();
  // A careful forger: right prev, the seq of the line it displaces.
  json forged = json::parse(l[4]);
  forged["item"] = "never-shown";
  forged["prev"] = sha256_hex(l[3]);
  l.insert(l.begin() + 4, forged.dump() + "\n");
  set_day2(l);
  const Broken b = check("was inserted");
  EXPECT_EQ(b.file, "2024-06-16.jsonl");
  EXPECT_EQ(b.line, 5u);
}

TEST_F(TamperTest, CopiedLineIsFound) {
  auto l = day2();
  l.insert(l.begin() + 5, l[4]);
  set_day2(l);
  const Broken b = check("copy");
  EXPECT_EQ(b.file, "2024-06-16.jsonl");
  EXPECT_EQ(b.line, 6u);
}

TEST_F(TamperTest, ReorderedLinesAreFound) {
  auto l = day2();
  std::swap(l[3], l[4]);
  set_day2(l);
  const Broken b = check("reordered");
  EXPECT_EQ(b.file, "2024-06-16.jsonl");
  EXPECT_EQ(b.line, 4u);
}

TEST_F(TamperTest, MissingDayFileIsFound) {
  fs::remove(day("2024-06-16"));
  const Broken b = check("2024-06-15 and 2024-06-17");
  EXPECT_EQ(b.file, "2024-06-17.jsonl");
  EXPECT_EQ(b.line, 1u);
}

TEST_F(TamperTest, MissingFirstDayFileIsFound) {
  fs::remove(day("2024-06-15"));
  const Broken b = check("genesis");
  EXPECT_EQ(b.file, "2024-06-16.jsonl");
  EXPECT_EQ(b.line, 1u);
}

TEST_F(TamperTest, GarbageLineIsFound) {
  auto l = day2();
  l[6] = "{not json\n";
  set_day2(l);
  const Broken b = check("not a valid JSON object");
  EXPECT_EQ(b.line, 7u);
}

TEST_F(JournalTest, ChangedOrDeletedEvidencePictureIsFound) {
  EvidenceStore store(tmp.path(), *zone);
  Image frame;
  frame.width = 64;
  frame.height = 36;
  frame.rgba.assign(64 * 36 * 4, 200);
  const Instant t = at("2024-06-16T10:00+08:00");
  auto pic = store.save(frame, "2024-safety-month/theme", t);
  ASSERT_TRUE(pic.ok()) << pic.error().what();
  Journal j = open_journal(t);
  ASSERT_TRUE(j.append(play(t - 1min, 12), t).ok());
  json rec = play(t, 12);
  rec["evidence"] = pic->name;
  rec["evidence_sha256"] = pic->sha256;
  ASSERT_TRUE(j.append(rec, t + 12s).ok());
  ASSERT_TRUE(j.append(play(t + 1min, 12), t + 72s).ok());
  VerifyResult v = verify_journal(tmp.path());
  ASSERT_TRUE(v.ok) << v.summary();
  EXPECT_EQ(v.pictures_checked, 1u);

  const fs::path file = tmp.path() / pic->name;
  std::string bytes = slurp(file);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x55);
  spit(file, bytes);
  v = verify_journal(tmp.path());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_file.filename(), "2024-06-16.jsonl");
  EXPECT_EQ(v.broken_line, 2u);
  EXPECT_NE(v.reason.find("does not match"), std::string::npos) << v.reason;

  fs::remove(file);
  v = verify_journal(tmp.path());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_line, 2u);
  EXPECT_NE(v.reason.find("missing"), std::string::npos) << v.reason;

  // Pruned by retention (the whole day folder gone): counted, not an error.
  fs::remove_all(file.parent_path());
  v = verify_journal(tmp.path());
  EXPECT_TRUE(v.ok) << v.summary();
  EXPECT_EQ(v.pictures_pruned, 1u);
}

// ------------------------------------------------------------------ crash repair

// Truncates the newest file at every byte offset of its last record and reopens.
void crash_at_every_offset(Env& io, const TimeZone& zone, const fs::path& dir, Instant now) {
  auto files = *list_journal_files(dir, io);
  const fs::path newest = files.back().path;
  std::map<fs::path, std::string> original;
  for (const auto& f : files) original[f.path] = slurp(f.path);
  const std::string& text = original[newest];
  const auto lines = lines_of(text);
  const std::size_t start = text.size() - lines.back().size();
  const std::uint64_t last_seq = json::parse(lines.back())["seq"].get<std::uint64_t>();
  for (std::size_t k = 0; k <= lines.back().size(); ++k) {
    SCOPED_TRACE("cut at byte " + std::to_string(k) + " of the last record");
    for (const auto& [p, s] : original) spit(p, s);
    fs::resize_file(newest, start + k);
    auto j = Journal::open(dir, zone, io, now);
    ASSERT_TRUE(j.ok()) << j.error().what();
    const std::string after = slurp(newest);
    ASSERT_EQ(after.substr(0, start), text.substr(0, start)) << "an earlier record was lost";
    for (const auto& [p, s] : original) {
      if (p != newest) {
        ASSERT_EQ(slurp(p), s);
      }
    }
    const auto now_lines = lines_of(after);
    if (k == 0) {
      // The record was lost whole: nothing to repair.
      EXPECT_EQ(j->next_seq(), last_seq);
      EXPECT_EQ(after.size(), start);
    } else if (k == lines.back().size()) {
      EXPECT_EQ(j->next_seq(), last_seq + 1);
      EXPECT_EQ(after, text);
    } else {
      const fs::path repaired_file = j->current_file();
      const std::string rtext = slurp(repaired_file);
      const json rep = json::parse(lines_of(rtext).back());
      EXPECT_EQ(rep["type"], "journal_repaired");
      EXPECT_EQ(rep["seq"], last_seq);
      EXPECT_EQ(rep["cut_bytes"], k);
      EXPECT_EQ(rep["offset"], start);
      EXPECT_EQ(rep["file"], newest.filename().string());
      EXPECT_EQ(rep["cut_sha256"], sha256_hex(text.substr(start, k)));
    }
    const VerifyResult v = verify_journal(dir);
    ASSERT_TRUE(v.ok) << v.summary();
    // And the journal goes on.
    ASSERT_TRUE(j->append(event_record("start", zone.to_local(now)), now).ok());
    ASSERT_TRUE(verify_journal(dir).ok);
  }
}

TEST_F(JournalTest, CrashAtEveryByteOfTheLastRecordIsRepaired) {
  write_days(2, 5);
  crash_at_every_offset(io, *zone, tmp.path(), at("2024-06-16T20:00+08:00"));
}

TEST_F(JournalTest, CrashAtEveryByteOfADaysFirstRecordIsRepaired) {
  write_days(2, 5);
  {  // closed before the crashes (a crashed player's lock ends with it)
    Journal j = open_journal(at("2024-06-17T08:00+08:00"));
    ASSERT_TRUE(j.append(play(at("2024-06-17T08:00+08:00"), 12), at("2024-06-17T08:00:12+08:00")).ok());
  }
  crash_at_every_offset(io, *zone, tmp.path(), at("2024-06-17T09:00+08:00"));
}

TEST_F(JournalTest, CorruptButCompleteLastLineIsCutToo) {
  write_days(1, 3);
  const std::string before = slurp(day("2024-06-15"));
  {  // zeros after a power cut, then a line end
    std::ofstream out(day("2024-06-15"), std::ios::binary | std::ios::trunc);
    out << before;
    out.write("\0\0\0\0\n", 5);
  }
  Journal j = open_journal(at("2024-06-15T20:00+08:00"));
  const auto l = lines_of(slurp(day("2024-06-15")));
  ASSERT_EQ(l.size(), 4u);
  const json rep = json::parse(l[3]);
  EXPECT_EQ(rep["type"], "journal_repaired");
  EXPECT_EQ(rep["cut_bytes"], 5);
  EXPECT_EQ(rep["seq"], 4);
  EXPECT_TRUE(verify_journal(tmp.path()).ok);
}

TEST_F(JournalTest, TornTailShowsInVerifyBeforeRepair) {
  write_days(1, 3);
  const std::string text = slurp(day("2024-06-15"));
  spit(day("2024-06-15"), text.substr(0, text.size() - 7));
  const VerifyResult v = verify_journal(tmp.path());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_line, 3u);
  EXPECT_NE(v.reason.find("incomplete"), std::string::npos);
}

// ------------------------------------------------------------------ full disk

TEST_F(JournalTest, FullDiskGivesAClearErrorAndTheNextAppendWorks) {
  FaultyEnv faulty(io);
  auto opened = Journal::open(tmp.path(), *zone, faulty, at("2024-06-16T08:00+08:00"));
  ASSERT_TRUE(opened.ok());
  Journal& j = *opened;
  Instant t = at("2024-06-16T08:00+08:00");
  for (int i = 0; i < 5; ++i, t += 1min) ASSERT_TRUE(j.append(play(t, 12), t + 12s).ok());
  const std::string before = slurp(day("2024-06-16"));

  faulty.fail_appends_after(40);  // the next line gets 40 bytes in, then ENOSPC
  auto failed = j.append(play(t, 12), t + 12s);
  ASSERT_FALSE(failed.ok());
  const std::string msg = failed.error().what();
  EXPECT_NE(msg.find("2024-06-16.jsonl"), std::string::npos) << msg;
  EXPECT_EQ(failed.error().kind(), ErrorKind::no_space) << msg;
  EXPECT_NE(msg.find("seq 6"), std::string::npos) << msg;
  EXPECT_EQ(slurp(day("2024-06-16")), before) << "the partly written line was not cut away";
  EXPECT_FALSE(j.append(play(t, 12), t + 12s).ok());  // still full

  faulty.clear_faults();
  t += 1min;
  auto seq = j.append(play(t, 12), t + 12s);
  ASSERT_TRUE(seq.ok()) << seq.error().what();
  EXPECT_EQ(*seq, 6u);
  const VerifyResult v = verify_journal(tmp.path());
  EXPECT_TRUE(v.ok) << v.summary();
  EXPECT_EQ(v.records, 6u);
}

TEST_F(JournalTest, FullDiskAndFailingTruncateIsCleanedUpOnTheNextAppend) {
  FaultyEnv faulty(io);
  auto opened = Journal::open(tmp.path(), *zone, faulty, at("2024-06-16T08:00+08:00"));
  ASSERT_TRUE(opened.ok());
  Journal& j = *opened;
  const Instant t = at("2024-06-16T08:00+08:00");
  ASSERT_TRUE(j.append(play(t, 12), t + 12s).ok());
  faulty.fail_appends_after(25);
  faulty.fail_truncates(1);
  ASSERT_FALSE(j.append(play(t + 1min, 12), t + 72s).ok());
  EXPECT_FALSE(verify_journal(tmp.path()).ok);  // the torn bytes are still there
  faulty.clear_faults();
  ASSERT_TRUE(j.append(play(t + 2min, 12), t + 132s).ok());
  const VerifyResult v = verify_journal(tmp.path());
  EXPECT_TRUE(v.ok) << v.summary();
  EXPECT_EQ(v.records, 2u);
}

TEST_F(JournalTest, RepairRecordWaitsForSpaceWhenTheDiskIsFullAtStart) {
  write_days(1, 3);
  const std::string text = slurp(day("2024-06-15"));
  spit(day("2024-06-15"), text.substr(0, text.size() - 10));
  FaultyEnv faulty(io);
  faulty.fail_appends_after(0);
  auto opened = Journal::open(tmp.path(), *zone, faulty, at("2024-06-15T20:00+08:00"));
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(lines_of(slurp(day("2024-06-15"))).size(), 2u);  // cut, repair not yet written
  faulty.clear_faults();
  ASSERT_TRUE(opened->append(event_record("start", zone->to_local(at("2024-06-15T20:01+08:00"))),
                             at("2024-06-15T20:01+08:00"))
                  .ok());
  const auto l = lines_of(slurp(day("2024-06-15")));
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(json::parse(l[2])["type"], "journal_repaired");
  EXPECT_EQ(json::parse(l[3])["type"], "start");
  EXPECT_TRUE(verify_journal(tmp.path()).ok);
}

TEST_F(JournalTest, ADayFileOfAnotherUserIsTakenOverAndWrittenOn) {
  const Instant t = at("2024-06-16T10:00+08:00");
  FaultyEnv faulty(io);
  auto opened = Journal::open(tmp.path(), *zone, faulty, t);
  ASSERT_TRUE(opened.ok());
  Journal j = std::move(*opened);
  ASSERT_TRUE(j.append(play(t, 12), t + 12s).ok());
  faulty.fail_appends_after(0, EACCES);  // as a root-owned day file answers the service
  auto seq = j.append(play(t + 12s, 12), t + 24s);
  ASSERT_TRUE(seq.ok()) << seq.error().what();
  EXPECT_EQ(*seq, 3u) << "the takeover is seq 2";
  const auto lines = lines_of(slurp(day("2024-06-16")));
  ASSERT_EQ(lines.size(), 3u);
  const json event = json::parse(lines[1]);
  EXPECT_EQ(event["type"], "journal_file_reclaimed");
  EXPECT_EQ(event["file"], "2024-06-16.jsonl");
  EXPECT_NE(event["reason"].get<std::string>().find("Permission denied"), std::string::npos) << lines[1];
  EXPECT_TRUE(verify_journal(tmp.path()).ok) << verify_journal(tmp.path()).summary();

  // Another failure (a full disk) is not a takeover: the record is lost, said so.
  faulty.fail_appends_after(0);
  EXPECT_FALSE(j.append(play(t + 24s, 12), t + 36s).ok());
  EXPECT_EQ(lines_of(slurp(day("2024-06-16"))).size(), 3u);
}

TEST_F(JournalTest, WriteFileAtomicReplacesTheFile) {
  const fs::path f = tmp.path() / "out.html";
  ASSERT_TRUE(io.write_file_atomic(f, "old").ok());
  ASSERT_TRUE(io.write_file_atomic(f, "new content").ok());
  EXPECT_EQ(slurp(f), "new content");
  EXPECT_FALSE(fs::exists(tmp.path() / "out.html.tmp"));
  EXPECT_FALSE(io.write_file_atomic(tmp.path() / "no" / "such" / "dir.txt", "x").ok());
}

// ------------------------------------------------------------------ evidence

TEST(Downscale, AveragesTheSourcePixelsEachOutputPixelCovers) {
  Image img;
  img.width = 4;
  img.height = 2;
  // Row 0: 0, 100, 200, 40; row 1: 20, 60, 0, 0 (grey, alpha 255).
  const std::uint8_t v[8] = {0, 100, 200, 40, 20, 60, 0, 0};
  for (std::uint8_t x : v) img.rgba.insert(img.rgba.end(), {x, x, x, 255});
  const Image out = downscale_to_width(img, 2);
  ASSERT_EQ(out.width, 2);
  ASSERT_EQ(out.height, 1);
  EXPECT_EQ(out.rgba[0], 45);  // (0+100+20+60)/4
  EXPECT_EQ(out.rgba[4], 60);  // (200+40+0+0)/4
  EXPECT_EQ(out.rgba[3], 255);
  EXPECT_EQ(downscale_to_width(img, 480).width, 4);  // never scaled up
}

// Every output pixel is the rounded mean of the source pixels under it, whatever the
// sizes: uneven column spans, a division done by multiplying (few pixels under each)
// and by dividing (tens of thousands), compared with the mean worked out plainly.
TEST(Downscale, IsTheRoundedMeanOfTheCoveredPixelsAtAnySize) {
  struct Case {
    int w, h, max_width;
  };
  std::mt19937 rng(7);
  auto at = [](int x, int y, int width, int ch) {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 4 +
           static_cast<std::size_t>(ch);
  };
  for (const Case c : {Case{640, 360, 480}, Case{1920, 1080, 480}, Case{1366, 768, 480}, Case{1001, 999, 13},
                       Case{8000, 37, 7}, Case{300, 300, 1}, Case{5, 3, 4}}) {
    SCOPED_TRACE(std::to_string(c.w) + "x" + std::to_string(c.h) + " to " + std::to_string(c.max_width));
    Image img;
    img.width = c.w;
    img.height = c.h;
    img.rgba.resize(at(0, c.h, c.w, 0));
    for (auto& b : img.rgba) b = static_cast<std::uint8_t>(rng());
    const Image out = downscale_to_width(img, c.max_width);
    ASSERT_EQ(out.width, c.max_width);
    ASSERT_EQ(out.height, std::max(1, static_cast<int>((static_cast<long long>(c.h) * c.max_width + c.w / 2) / c.w)));
    int wrong = 0;
    for (int y = 0; y < out.height; ++y) {
      const int y0 = static_cast<int>(static_cast<long long>(y) * c.h / out.height);
      const int y1 = std::max(y0 + 1, static_cast<int>(static_cast<long long>(y + 1) * c.h / out.height));
      for (int x = 0; x < out.width; ++x) {
        const int x0 = static_cast<int>(static_cast<long long>(x) * c.w / out.width);
        const int x1 = static_cast<int>(static_cast<long long>(x + 1) * c.w / out.width);
        for (int ch = 0; ch < 4; ++ch) {
          unsigned long long sum = 0;
          for (int sy = y0; sy < y1; ++sy) {
            for (int sx = x0; sx < x1; ++sx) sum += img.rgba[at(sx, sy, c.w, ch)];
          }
          const auto n = static_cast<unsigned long long>(x1 - x0) * static_cast<unsigned long long>(y1 - y0);
          if (out.rgba[at(x, y, out.width, ch)] != (sum + n / 2) / n) ++wrong;
        }
      }
    }
    EXPECT_EQ(wrong, 0);
  }
}

// ------------------------------------------------------------------ crash evidence

class PlayStateTest : public JournalTest {
 protected:
  PlayRecord slogan(Instant shown) {
    PlayRecord p;
    p.screen = "lobby-1";
    p.campaign = "2024-safety-month";
    p.item = "theme";
    p.item_type = "slogan";
    p.text = "人人讲安全、个个会应急";
    p.start = format_iso8601(zone->to_local(shown));
    p.planned_s = 12;
    return p;
  }
  // What a start after the run before would append, then appended (as the player does).
  std::vector<json> restart(Journal& j, Instant now) {
    PlayStateFile state(tmp.path(), *zone, io);
    auto recs = state.recover(now);
    EXPECT_TRUE(recs.ok()) << (recs.ok() ? "" : recs.error().what());
    for (const auto& r : *recs) EXPECT_TRUE(j.append(r, now).ok());
    return *recs;
  }
};

TEST_F(PlayStateTest, FirstStartAndCleanStopRecordNothing) {
  const Instant t0 = at("2024-06-16T10:00:00+08:00");
  Journal j = open_journal(t0);
  EXPECT_TRUE(restart(j, t0).empty()) << "no file: first start";
  PlayStateFile state(tmp.path(), *zone, io);
  ASSERT_TRUE(state.recover(t0).ok());
  ASSERT_TRUE(state.playing(slogan(t0), t0).ok());
  ASSERT_TRUE(state.stopped(t0 + 5s).ok());
  EXPECT_TRUE(restart(j, t0 + 10s).empty()) << slurp(state.path());
}

TEST_F(PlayStateTest, KilledMidPlayGivesUncleanStopAndAnEstimatedInterruptedPlay) {
  const Instant t0 = at("2024-06-16T10:00:00+08:00");
  {
    Journal j = open_journal(t0);
    ASSERT_TRUE(j.append(event_record("start", zone->to_local(t0)), t0).ok());
    PlayStateFile state(tmp.path(), *zone, io, 1s);
    ASSERT_TRUE(state.recover(t0).ok());
    ASSERT_TRUE(state.playing(slogan(t0 + 100ms), t0 + 100ms).ok());
    ASSERT_TRUE(state.alive(t0 + 3s).ok());
    ASSERT_TRUE(state.alive(t0 + 3500ms).ok()) << "not written: within the interval";
    // A ticker pass written later than the state file's last update.
    ASSERT_TRUE(j.append(event_record("media_error", zone->to_local(t0 + 4200ms)), t0 + 4200ms).ok());
  }  // kill -9: nothing more is written
  Journal j = open_journal(t0 + 60s);
  const auto recs = restart(j, t0 + 60s);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["type"], "unclean_stop");
  EXPECT_EQ(recs[0]["last_alive"], "2024-06-16T10:00:04.200+08:00") << "the journal's last line is later";
  EXPECT_EQ(recs[0]["last_alive_from"], "journal");
  EXPECT_EQ(recs[0]["previous_start"], "2024-06-16T10:00:00.000+08:00");
  EXPECT_EQ(recs[1]["type"], "play");
  EXPECT_EQ(recs[1]["outcome"], "interrupted");
  EXPECT_EQ(recs[1]["item"], "theme");
  EXPECT_EQ(recs[1]["text"], "人人讲安全、个个会应急");
  EXPECT_EQ(recs[1]["start"], "2024-06-16T10:00:00.100+08:00");
  EXPECT_EQ(recs[1]["end"], "2024-06-16T10:00:04.200+08:00");
  EXPECT_DOUBLE_EQ(recs[1]["shown_s"].get<double>(), 4.1);
  EXPECT_EQ(recs[1]["end_estimated"], true);
  EXPECT_TRUE(verify_journal(tmp.path()).ok) << verify_journal(tmp.path()).summary();
  const auto again = restart(j, t0 + 70s);  // the run that recovered never stopped either
  ASSERT_EQ(again.size(), 1u) << "the interrupted play is recorded once";
  EXPECT_EQ(again[0]["type"], "unclean_stop");
}

TEST_F(PlayStateTest, EstimateNeverPassesThePlannedEndNorRepeatsARecordedPlay) {
  const Instant t0 = at("2024-06-16T10:00:00+08:00");
  {
    PlayStateFile state(tmp.path(), *zone, io, 1s);
    ASSERT_TRUE(state.recover(t0).ok());
    ASSERT_TRUE(state.playing(slogan(t0), t0).ok());
    ASSERT_TRUE(state.alive(t0 + 40s).ok());  // a frozen loop's last write, past the 12 s
  }
  Journal j = open_journal(t0 + 60s);
  auto recs = restart(j, t0 + 60s);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0]["last_alive_from"], "state file");
  EXPECT_DOUBLE_EQ(recs[1]["shown_s"].get<double>(), 12.0);

  // Killed after the play's own record was written, before the next play began.
  {
    PlayStateFile state(tmp.path(), *zone, io, 1s);
    ASSERT_TRUE(state.recover(t0 + 100s).ok());
    PlayRecord p = slogan(t0 + 100s);
    ASSERT_TRUE(state.playing(p, t0 + 100s).ok());
    p.end = format_iso8601(zone->to_local(t0 + 112s));
    p.shown_s = 12;
    ASSERT_TRUE(j.append(play_record(p), t0 + 112s).ok());
  }
  recs = restart(j, t0 + 200s);
  ASSERT_EQ(recs.size(), 1u) << "the unclean stop only: the play is in the journal";
  EXPECT_EQ(recs[0]["type"], "unclean_stop");
}

TEST_F(PlayStateTest, ATornStateFileStillSaysTheStopWasUnclean) {
  const Instant t0 = at("2024-06-16T10:00:00+08:00");
  spit(tmp.path() / kPlayStateFile, "{\"state\":\"play");
  Journal j = open_journal(t0);
  const auto recs = restart(j, t0);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0]["type"], "unclean_stop");
  EXPECT_EQ(recs[0]["state"], "unreadable");
}

TEST_F(JournalTest, EvidencePictureIsSmallRateLimitedAndPruned) {
  EvidenceOptions opt;
  opt.interval = 10min;
  EvidenceStore store(tmp.path(), *zone, opt);
  Image frame;
  frame.width = 1920;
  frame.height = 1080;
  frame.rgba.resize(1920u * 1080u * 4u);
  for (std::size_t i = 0; i < frame.rgba.size(); i += 4) {
    frame.rgba[i] = 200;
    frame.rgba[i + 1] = 16;
    frame.rgba[i + 2] = 46;
    frame.rgba[i + 3] = 255;
  }
  const Instant t = at("2024-06-14T10:02:03.120+08:00");
  EXPECT_TRUE(store.due("2024-safety-month/theme", t));
  auto pic = store.save(frame, "2024-safety-month/theme", t);
  ASSERT_TRUE(pic.ok()) << pic.error().what();
  EXPECT_EQ(pic->name, "shots/2024-06-14/100203-120-2024-safety-month_theme.jpg");
  const fs::path file = tmp.path() / pic->name;
  EXPECT_EQ(sha256_hex(slurp(file)), pic->sha256);
  auto info = probe_image(file);
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->width, 480);
  EXPECT_EQ(info->height, 270);
  auto decoded = decode_image(file, 1'000'000);
  ASSERT_TRUE(decoded.ok());
  EXPECT_NEAR(decoded->rgba[0], 200, 6);  // the colour survived scaling and JPEG

  EXPECT_FALSE(store.due("2024-safety-month/theme", t + 9min));
  EXPECT_TRUE(store.due("2024-safety-month/other", t + 9min));
  EXPECT_TRUE(store.due("2024-safety-month/theme", t + 10min));

  // Same item again within the same millisecond: a second name, not an overwrite.
  auto again = store.save(frame, "2024-safety-month/theme", t);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->name, pic->name);

  // Pictures of 06-16 and a journal file; prune with 48h retention on 06-17 noon
  // removes the 06-14 folder only (06-15 ended 36h ago, 06-16 has not).
  ASSERT_TRUE(store.save(frame, "x", at("2024-06-15T12:00+08:00")).ok());
  ASSERT_TRUE(store.save(frame, "x", at("2024-06-16T12:00+08:00")).ok());
  spit(tmp.path() / "2024-06-14.jsonl", "{}\n");
  auto removed = store.prune(at("2024-06-17T12:00+08:00"), 48h);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(fs::exists(tmp.path() / "shots" / "2024-06-14"));
  EXPECT_TRUE(fs::exists(tmp.path() / "shots" / "2024-06-15"));
  EXPECT_TRUE(fs::exists(tmp.path() / "shots" / "2024-06-16"));
  EXPECT_TRUE(fs::exists(tmp.path() / "2024-06-14.jsonl"));
}

// Pruning lists and deletes through the store's Env: a folder that cannot be deleted
// is an error of the Env's kind naming it, and the folder is still there.
TEST_F(JournalTest, EvidencePruningGoesThroughTheEnv) {
  PosixEnv base(false);
  FaultyEnv env(base);
  EvidenceStore store(tmp.path(), *zone, EvidenceOptions{}, env);
  Image frame;
  frame.width = 16;
  frame.height = 9;
  frame.rgba.assign(16u * 9u * 4u, 128);
  ASSERT_TRUE(store.save(frame, "x", at("2024-06-14T12:00+08:00")).ok());
  ASSERT_TRUE(store.save(frame, "x", at("2024-06-16T12:00+08:00")).ok());
  const fs::path old = tmp.path() / "shots" / "2024-06-14";
  env.fail_path(old);
  auto failed = store.prune(at("2024-06-17T12:00+08:00"), 48h);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind(), ErrorKind::io) << failed.error().what();
  EXPECT_NE(failed.error().what().find(old.string()), std::string::npos) << failed.error().what();
  EXPECT_TRUE(fs::exists(old));
  env.clear_faults();
  env.fail_path(tmp.path() / "shots", EACCES);
  EXPECT_EQ(store.prune(at("2024-06-17T12:00+08:00"), 48h).error().kind(), ErrorKind::permission);
  env.clear_faults();
  auto removed = store.prune(at("2024-06-17T12:00+08:00"), 48h);
  ASSERT_TRUE(removed.ok()) << removed.error().what();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(fs::exists(old));
  EXPECT_TRUE(fs::exists(tmp.path() / "shots" / "2024-06-16"));
  // No picture folder yet: nothing to prune, no error.
  TempDir fresh;
  EvidenceStore none(fresh.path(), *zone, EvidenceOptions{}, env);
  EXPECT_EQ(*none.prune(at("2024-06-17T12:00+08:00"), 48h), 0);
}

// ------------------------------------------------------------------ report

// A small RFC 4180 parser (quoted fields, doubled quotes, CRLF), written here so
// the test does not trust the writer's idea of CSV.
std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, in_quotes = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      quoted = false;
      rows.emplace_back();
      ++i;
    } else {
      EXPECT_NE(c, '\n') << "bare LF outside quotes at byte " << i;
      field += c;
    }
  }
  EXPECT_TRUE(rows.back().empty() && field.empty()) << "the file does not end with CRLF";
  rows.pop_back();
  return rows;
}

// The fixture: two screens, hand-written plays (docs/journal-format.md, "Report").
class ReportTest : public JournalTest {
 protected:
  TempDir screen_b;
  void add(Journal& j, const char* screen, const char* campaign, const char* title, const char* item,
           const char* start, double shown, PlayOutcome outcome) {
    PlayRecord p;
    p.screen = screen;
    p.site = std::string(screen) == "lobby-a" ? "洛江万达广场" : "泉州站, 东广场";
    p.campaign = campaign;
    p.campaign_title = title;
    p.item = item;
    p.item_type = "slogan";
    const Instant s = at(start);
    p.start = format_iso8601(zone->to_local(s));
    p.end = format_iso8601(zone->to_local(s + std::chrono::milliseconds(static_cast<long long>(shown * 1000))));
    p.planned_s = shown;
    p.shown_s = shown;
    p.outcome = outcome;
    ASSERT_TRUE(j.append(play_record(p), s + 1min).ok());
  }
  void SetUp() override {
    const char* sm = "2024-safety-month";
    const char* smt = "2024年安全生产月";
    const char* fw = "fire-week";
    const char* fwt = "消防\"宣传\",周";  // quotes and a comma: CSV quoting
    using O = PlayOutcome;
    {
      Journal a = open_journal(at("2024-06-14T08:00+08:00"));
      add(a, "lobby-a", sm, smt, "theme", "2024-06-14T09:00+08:00", 12, O::complete);  // before --from
      add(a, "lobby-a", sm, smt, "theme", "2024-06-15T09:00+08:00", 12, O::complete);
      add(a, "lobby-a", sm, smt, "theme", "2024-06-15T09:10+08:00", 12, O::complete);
      add(a, "lobby-a", sm, smt, "theme", "2024-06-15T09:20+08:00", 12, O::complete);
      add(a, "lobby-a", sm, smt, "psa", "2024-06-15T10:00+08:00", 30, O::complete);
      add(a, "lobby-a", sm, smt, "psa", "2024-06-15T10:10+08:00", 30, O::complete);
      add(a, "lobby-a", sm, smt, "psa", "2024-06-15T10:20+08:00", 10, O::interrupted);
      add(a, "lobby-a", sm, smt, "theme", "2024-06-16T09:00+08:00", 12, O::complete);
      add(a, "lobby-a", sm, smt, "theme", "2024-06-16T09:10+08:00", 12, O::complete);
      add(a, "lobby-a", sm, smt, "psa", "2024-06-16T10:00+08:00", 0, O::skipped);
      add(a, "lobby-a", fw, fwt, "poster", "2024-06-16T11:00+08:00", 60, O::complete);
    }
    auto b = Journal::open(screen_b.path(), *zone, io, at("2024-06-16T08:00+08:00"));
    ASSERT_TRUE(b.ok());
    for (int i = 0; i < 5; ++i) {
      const std::string start = "2024-06-16T12:0" + std::to_string(i) + "+08:00";
      add(*b, "station-b", sm, smt, "theme", start.c_str(), 12, O::complete);
    }
    add(*b, "station-b", sm, smt, "theme", "2024-06-17T09:00+08:00", 12, O::complete);  // after --to
  }
  static ReportRequest request(std::vector<fs::path> paths, Date from, Date to,
                               std::optional<std::string> campaign = std::nullopt) {
    ReportRequest q;
    q.paths = std::move(paths);
    q.from = from;
    q.to = to;
    q.campaign = std::move(campaign);
    return q;
  }
  Report build(std::optional<std::string> campaign = std::nullopt) {
    auto r = build_report(request({tmp.path(), screen_b.path()}, Date{2024y / 6 / 15}, Date{2024y / 6 / 16}, campaign));
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what());
    return std::move(r).value();
  }
  static const ScreenRow& screen(const Report& r, const std::string& id) {
    for (const auto& s : r.screens) {
      if (s.who.screen == id) return s;
    }
    ADD_FAILURE() << "no screen " << id;
    return r.screens.front();
  }
};

TEST_F(ReportTest, TotalsMatchTheHandComputedFixture) {
  const Report r = build();
  ASSERT_EQ(r.chains.size(), 2u);
  EXPECT_TRUE(r.all_chains_intact());
  EXPECT_EQ(r.chains[0].screen, "lobby-a");
  EXPECT_EQ(r.chains[1].screen, "station-b");

  ASSERT_EQ(r.campaigns.size(), 2u);
  const auto& sm = r.campaigns[0];
  EXPECT_EQ(sm.id, "2024-safety-month");
  EXPECT_EQ(sm.title, "2024年安全生产月");
  EXPECT_EQ(sm.main.plays(), 13u);    // a: 3+3+2 (skipped not counted), b: 5
  EXPECT_EQ(sm.main.complete, 12u);   // one psa interrupted
  EXPECT_EQ(sm.main.interrupted, 1u);
  EXPECT_EQ(sm.main.skipped, 1u);
  EXPECT_EQ(sm.main.shown_ms, 190'000);  // 36+70+24+60 s
  EXPECT_EQ(sm.days_on_air, 2u);
  EXPECT_EQ(sm.main.first_shown, "2024-06-15T09:00:00.000+08:00");
  EXPECT_EQ(sm.main.last_shown, "2024-06-16T12:04:00.000+08:00");
  const auto& fw = r.campaigns[1];
  EXPECT_EQ(fw.id, "fire-week");
  EXPECT_EQ(fw.main.plays(), 1u);
  EXPECT_EQ(fw.main.shown_ms, 60'000);
  EXPECT_EQ(fw.days_on_air, 1u);

  ASSERT_EQ(r.items.size(), 3u);  // sm/psa, sm/theme, fw/poster
  EXPECT_TRUE(r.bands.empty());
  EXPECT_EQ(r.items[0].content.item, "psa");
  EXPECT_EQ(r.items[0].content.label, "psa") << "no text, no file: the id";
  EXPECT_EQ(r.items[0].total.plays(), 3u);
  EXPECT_EQ(r.items[0].total.complete, 2u);
  EXPECT_EQ(r.items[0].total.shown_ms, 70'000);
  EXPECT_EQ(r.items[1].content.item, "theme");
  EXPECT_EQ(r.items[1].total.plays(), 10u);
  EXPECT_EQ(r.items[1].total.shown_ms, 120'000);
  EXPECT_EQ(r.items[1].screens.size(), 2u);
  EXPECT_EQ(r.items[1].by_day.at(Date{2024y / 6 / 16}).plays(), 7u);
  EXPECT_EQ(r.items[2].content.item, "poster");

  ASSERT_EQ(r.screens.size(), 2u);
  EXPECT_EQ(screen(r, "lobby-a").who.site, "洛江万达广场");
  EXPECT_EQ(screen(r, "lobby-a").main.plays(), 9u);
  EXPECT_EQ(screen(r, "lobby-a").days_on_air, 2u);
  EXPECT_EQ(screen(r, "station-b").who.site, "泉州站, 东广场");
  EXPECT_EQ(screen(r, "station-b").main.shown_ms, 60'000);

  ASSERT_EQ(r.days.size(), 2u);
  EXPECT_EQ(r.days[0].main.plays(), 6u);
  EXPECT_EQ(r.days[0].main.shown_ms, 106'000);
  EXPECT_EQ(r.days[1].main.plays(), 8u);
  EXPECT_EQ(r.days[1].main.skipped, 1u);
  EXPECT_EQ(r.days[1].main.shown_ms, 144'000);
  EXPECT_EQ(r.days[1].screens, 2u);
  EXPECT_EQ(r.summary.plays, 14u);
  EXPECT_EQ(r.summary.contents, 3u);
  EXPECT_EQ(r.summary.slogans, 3u);
  EXPECT_EQ(r.summary.screens, 2u);
  EXPECT_EQ(r.summary.days, 2u);
  EXPECT_TRUE(r.breaches().empty());
  for (const auto& d : r.screen_days) EXPECT_LE(d.main.shown_ms, d.running_ms) << d.screen;
}

TEST_F(ReportTest, CampaignFilterAndDuplicateFoldersAndBadRange) {
  const Report r = build("fire-week");
  ASSERT_EQ(r.campaigns.size(), 1u);
  EXPECT_EQ(r.summary.plays, 1u);
  auto twice = build_report(request({tmp.path(), tmp.path()}, Date{2024y / 6 / 15}, Date{2024y / 6 / 16}));
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->summary.plays, 9u);  // lobby-a's plays, once
  auto bad = build_report(request({tmp.path()}, Date{2024y / 6 / 16}, Date{2024y / 6 / 15}));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().what(), "报表：开始日期 2024-06-16 晚于结束日期 2024-06-15。请让 --from 不晚于 --to。");
}

TEST_F(ReportTest, UnknownCampaignListsTheCampaignsThereAndFails) {
  auto r = build_report(request({tmp.path(), screen_b.path()}, Date{2024y / 6 / 15}, Date{2024y / 6 / 16},
                                "2024-safety-mnth"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(),
            "报表：2024年6月15日至2024年6月16日期间没有宣传活动“2024-safety-mnth”的播放记录。这期间有这些活动："
            "2024-safety-month、fire-week。请在 --campaign 后写其中之一，或者不写 --campaign。");
  auto q = request({tmp.path()}, Date{2024y / 7 / 1}, Date{2024y / 7 / 2}, "fire-week");
  q.lang = ReportLang::en;
  r = build_report(q);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("and no play of any campaign in that range"), std::string::npos) << r.error().what();
}

TEST_F(ReportTest, MissingFolderIsNamedOnce) {
  const fs::path missing = tmp.path() / "no-such-journal";
  auto q = request({tmp.path(), missing}, Date{2024y / 6 / 15}, Date{2024y / 6 / 16});
  q.lang = ReportLang::en;
  auto r = build_report(q);
  ASSERT_FALSE(r.ok());
  const std::string what = r.error().what();
  EXPECT_EQ(what.find(missing.string()), what.rfind(missing.string())) << what;
  EXPECT_EQ(what, "report: " + missing.string() +
                      " does not exist. Check the path; a screen's journal is usually /var/lib/signage/journal.");
}

TEST_F(ReportTest, BrokenChainIsFlaggedNotHidden) {
  const fs::path f = screen_b.path() / "2024-06-16.jsonl";
  auto l = lines_of(slurp(f));
  l.erase(l.begin() + 1);
  spit(f, join(l));
  const Report r = build();
  EXPECT_FALSE(r.all_chains_intact());
  EXPECT_TRUE(r.chains[0].verify.ok);
  EXPECT_FALSE(r.chains[1].verify.ok);
  EXPECT_EQ(screen(r, "station-b").main.plays(), 4u);  // still counted
  EXPECT_NE(report_csv(r).find("已损坏"), std::string::npos);
  EXPECT_NE(report_markdown(r).find("已损坏"), std::string::npos);
  EXPECT_NE(report_csv(r, ReportLang::en).find("BROKEN"), std::string::npos);
  EXPECT_NE(report_html(r).find("class=\"bad\""), std::string::npos);
  EXPECT_FALSE(json::parse(report_json(r))["summary"]["chains_intact"].get<bool>());
}

TEST_F(ReportTest, CsvRoundTripsWithBomKindAndChineseText) {
  const Report r = build();
  const std::string csv = report_csv(r);
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  const auto rows = parse_csv(csv.substr(3));
  ASSERT_GE(rows.size(), 2u);
  const auto& head = rows[0];
  for (const auto& row : rows) ASSERT_EQ(row.size(), head.size());
  auto col = [&](const std::string& name) {
    const auto it = std::find(head.begin(), head.end(), name);
    EXPECT_NE(it, head.end()) << name;
    return static_cast<std::size_t>(it - head.begin());
  };
  const std::size_t level = col("级别"), kind = col("种类"), camp = col("活动编号"), title = col("活动名称"),
                    plays = col("播放次数"), minutes = col("播放时长（分钟）"), site = col("场所"), item = col("内容编号"),
                    date = col("日期"), partial = col("部分");
  std::map<std::string, int> levels;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ++levels[rows[i][level]];
    EXPECT_EQ(rows[i][kind], "item") << "no bands in this fixture";
    EXPECT_EQ(rows[i][partial], "0");
  }
  EXPECT_EQ(levels["campaign"], 2);
  EXPECT_EQ(levels["item"], 3);
  EXPECT_EQ(levels["screen"], 2);
  EXPECT_EQ(levels["day"], 2);
  EXPECT_EQ(levels["total"], 1);
  EXPECT_EQ(rows[1][level], "campaign");
  EXPECT_EQ(rows[1][camp], "2024-safety-month");
  EXPECT_EQ(rows[1][title], "2024年安全生产月");
  EXPECT_EQ(rows[1][plays], "13");
  EXPECT_EQ(rows[1][minutes], "3.17");
  EXPECT_EQ(rows[2][title], "消防\"宣传\",周");
  bool saw_site = false;
  for (const auto& row : rows) saw_site = saw_site || (row[level] == "screen" && row[site] == "泉州站, 东广场");
  EXPECT_TRUE(saw_site);
  EXPECT_EQ(rows[3][item], "psa");
  EXPECT_EQ(rows.back()[level], "total");
  EXPECT_EQ(rows.back()[plays], "14");
  EXPECT_EQ(rows.back()[date], "2024-06-15/2024-06-16");
}

TEST_F(ReportTest, HtmlAndMarkdownHaveTheTablesChartsAndPictures) {
  // One play with an evidence picture on screen B.
  {
    auto b = Journal::open(screen_b.path(), *zone, io, at("2024-06-17T10:00+08:00"));
    ASSERT_TRUE(b.ok());
    EvidenceStore store(screen_b.path(), *zone);
    Image frame;
    frame.width = 32;
    frame.height = 18;
    frame.rgba.assign(32 * 18 * 4, 128);
    auto pic = store.save(frame, "2024-safety-month/theme", at("2024-06-16T13:00+08:00"));
    ASSERT_TRUE(pic.ok());
    PlayRecord p;
    p.screen = "station-b";
    p.campaign = "2024-safety-month";
    p.item = "theme";
    p.start = "2024-06-16T13:00:00.000+08:00";
    p.end = "2024-06-16T13:00:12.000+08:00";
    p.shown_s = 12;
    p.evidence = pic->name;
    p.evidence_sha256 = pic->sha256;
    ASSERT_TRUE(b->append(play_record(p), at("2024-06-17T10:00+08:00")).ok());
  }
  const Report r = build();
  ASSERT_EQ(r.evidence.size(), 1u);
  const std::string html = report_html(r);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"zh-CN\">"), std::string::npos);
  EXPECT_NE(html.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(html.find("<td>2024-safety-month</td><td>2024年安全生产月</td><td class=\"n\">14</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>fire-week</td><td>消防&quot;宣传&quot;,周</td><td class=\"n\">1</td>"), std::string::npos);
  EXPECT_NE(html.find("<td><span class=\"when\">2024年6月15日</span></td><td class=\"n\">6</td>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"when\">2024年6月15日 09:00</span>"), std::string::npos) << "first shown";
  for (const char* words : {"电子屏宣传", "播放次数", "播放时长", "屏幕数", "天数", "填报单位（盖章）", "审核人",
                            "填报日期", "序号", "@page wide{size:A4 landscape", "@page{size:A4 portrait"}) {
    EXPECT_NE(html.find(words), std::string::npos) << words;
  }
  std::size_t svgs = 0;
  for (std::size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) ++svgs;
  EXPECT_EQ(svgs, 2u);
  EXPECT_NE(html.find("data:image/jpeg;base64,/9j/"), std::string::npos);  // a JPEG starts FF D8 FF
  EXPECT_EQ(html.find("src=\"shots/"), std::string::npos) << "pictures must be embedded";
  EXPECT_LT(html.rfind("<table class=\"data\">"), html.find("<figure>")) << "the pictures come after the tables";
  EXPECT_LT(html.rfind("<figure>"), html.find("填报单位（盖章）")) << "the block to sign comes last";
  EXPECT_NE(html.find("class=\"ok\""), std::string::npos);
  EXPECT_EQ(html.find("class=\"bad\""), std::string::npos);

  const std::string en = report_html(r, ReportLang::en);
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(en.find("Minutes shown"), std::string::npos);
  EXPECT_EQ(en.find("播放次数"), std::string::npos) << "no Chinese labels in the English page";

  const std::string md = report_markdown(r);
  EXPECT_NE(md.find("| 2024-safety-month | 2024年安全生产月 | 14 | 13 | 0 | 1 | 1 | 3.37 | 2 | 0 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| fire-week | 消防&quot;宣传&quot;,周 |"), std::string::npos);
}

// A screen's day as the player writes it: start, plays, a ticker beside them, stop.
class ReportDayTest : public JournalTest {
 protected:
  Journal j = open_journal(at("2024-06-16T07:59+08:00"));
  void event(const char* type, const char* time, json fields = json::object()) {
    ASSERT_TRUE(j.append(event_record(type, zone->to_local(at(time)), std::move(fields)), at(time)).ok());
  }
  void item(const char* start, double planned, double shown, PlayOutcome outcome, const std::string& id = "theme",
            const std::string& type = "slogan") {
    PlayRecord p;
    p.screen = "lobby-a";
    p.campaign = "2024-safety-month";
    p.campaign_title = "2024年安全生产月";
    p.item = id;
    p.item_type = type;
    if (type == "slogan") p.text = "人人讲安全、个个会应急\n畅通生命通道——生命通道就是生命线，疏散通道严禁堵塞";
    if (type == "image") p.media = "media/0616-consultation-day.png";
    if (type == "video") {
      p.media = "media/evacuation.mp4";
      p.media_duration_s = 30;
    }
    if (type == "ticker") p.text = "发现安全生产风险隐患，请拨打举报电话 12350";
    const Instant s = at(start);
    const auto shown_ms = std::chrono::milliseconds(std::llround(shown * 1000));
    p.start = format_iso8601(zone->to_local(s));
    p.end = format_iso8601(zone->to_local(s + shown_ms));
    p.planned_s = planned;
    p.shown_s = shown;
    p.outcome = outcome;
    ASSERT_TRUE(j.append(play_record(p), s + shown_ms).ok());
  }
  Report build(Date from = Date{2024y / 6 / 16}, Date to = Date{2024y / 6 / 16}) {
    ReportRequest q;
    q.paths = {tmp.path()};
    q.from = from;
    q.to = to;
    auto r = build_report(q);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().what());
    return std::move(r).value();
  }
};

TEST_F(ReportDayTest, OutcomesMeanWhatTheySay) {
  event("start", "2024-06-16T08:00+08:00", {{"screen", "lobby-a"}});
  using O = PlayOutcome;
  item("2024-06-16T08:00:00+08:00", 12, 12, O::complete);                   // complete
  item("2024-06-16T08:00:12+08:00", 12, 11.6, O::complete);                 // within 0.5 s: complete
  item("2024-06-16T08:00:24+08:00", 3, 0.185, O::complete, "consult-day", "image");  // a flash: partial
  item("2024-06-16T08:00:25+08:00", 10, 3.55, O::complete);                 // old journals: partial
  item("2024-06-16T08:00:30+08:00", 12, 5, O::interrupted);
  item("2024-06-16T08:00:35+08:00", 12, 0, O::skipped, "consult-day", "image");
  json partial = play_record([] {
    PlayRecord p;
    p.screen = "lobby-a";
    p.campaign = "2024-safety-month";
    p.item = "theme";
    p.item_type = "slogan";
    p.text = "人人讲安全、个个会应急\n畅通生命通道——生命通道就是生命线，疏散通道严禁堵塞";
    p.start = "2024-06-16T08:00:40.000+08:00";
    p.end = "2024-06-16T08:00:50.000+08:00";
    p.planned_s = 12;
    p.shown_s = 10;
    return p;
  }());
  partial["outcome"] = "partial";  // as the player writes it
  partial["partial_reason"] = "late_media";
  ASSERT_TRUE(j.append(partial, at("2024-06-16T08:00:50+08:00")).ok());
  event("stop", "2024-06-16T08:01:00+08:00");
  const Report r = build();
  ASSERT_EQ(r.items.size(), 2u);
  const ContentRow& image = r.items[0];
  const ContentRow& theme = r.items[1];
  EXPECT_EQ(image.content.label, "0616-consultation-day.png");
  EXPECT_EQ(image.total.partial, 1u);
  EXPECT_EQ(image.total.skipped, 1u);
  EXPECT_EQ(image.total.complete, 0u);
  EXPECT_EQ(theme.content.label, "人人讲安全、个个会应急 畅通生命通道——生命通道就是生命线，…")
      << "30 characters, the line break as a space";
  EXPECT_EQ(theme.total.complete, 2u);
  EXPECT_EQ(theme.total.partial, 2u);
  EXPECT_EQ(theme.total.interrupted, 1u);
  const ScreenDay& d = r.screen_days.at(0);
  EXPECT_EQ(d.running_ms, 60'000);  // start 08:00 to stop 08:01
  EXPECT_TRUE(d.within());
  const json rep = json::parse(report_json(r));
  const json& items = rep["days"][0]["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1]["complete"], 2);
  EXPECT_EQ(items[1]["partial"], 2);
  EXPECT_EQ(items[1]["interrupted"], 1);
  EXPECT_EQ(items[1]["skipped"], 0);
  EXPECT_EQ(items[0]["content"], "0616-consultation-day.png");
}

TEST_F(ReportDayTest, BandsAreCountedApartAndMainTimeFitsTheRunningTime) {
  event("start", "2024-06-16T08:00+08:00", {{"screen", "lobby-a"}, {"organisation", "洛江万达广场商业管理有限公司"},
                                           {"location", "一楼大堂"}, {"contact", "张三 0595-22630156"}});
  using O = PlayOutcome;
  // Ten minutes of 12 s items, and ticker passes of 36 s every 21 s, overlapping.
  Instant t = at("2024-06-16T08:00+08:00");
  for (int i = 0; i < 50; ++i, t += 12s) item(format_iso8601(zone->to_local(t)).c_str(), 12, 12, O::complete);
  for (Instant p = at("2024-06-16T08:00+08:00"); p + 36s <= at("2024-06-16T08:10+08:00"); p += 21s) {
    item(format_iso8601(zone->to_local(p)).c_str(), 36, 36, O::complete, "hotlines", "ticker");
  }
  item("2024-06-16T08:10:00+08:00", 30, 30, O::complete, "evacuation-psa", "video");
  event("stop", "2024-06-16T08:10:30+08:00");
  const Report r = build();
  ASSERT_EQ(r.items.size(), 2u);
  ASSERT_EQ(r.bands.size(), 1u);
  EXPECT_EQ(r.bands[0].content.kind, PlayKind::ticker);
  EXPECT_EQ(r.bands[0].total.plays(), 27u);  // 08:00:00 .. 08:09:06 every 21 s
  EXPECT_EQ(r.summary.plays, 51u) << "ticker passes are not plays";
  EXPECT_EQ(r.summary.shown_ms, 630'000);
  EXPECT_EQ(r.summary.band_passes, 27u);
  const ScreenDay& d = r.screen_days.at(0);
  EXPECT_EQ(d.running_ms, 630'000);
  EXPECT_EQ(d.main.shown_ms, 630'000);
  EXPECT_TRUE(d.within());
  EXPECT_EQ(d.ticker_ms, (26 * 21 + 36) * 1000) << "overlapping passes count once";
  EXPECT_LE(d.ticker_ms, d.running_ms);
  EXPECT_EQ(content_text(r.items[0].content, ReportLang::zh), "evacuation.mp4（30 秒）");
  EXPECT_EQ(content_text(r.items[0].content, ReportLang::en), "evacuation.mp4 (30 s)");
  EXPECT_EQ(r.summary.videos, 1u);
  EXPECT_EQ(r.summary.slogans, 1u);
  EXPECT_EQ(r.screens.at(0).who.organisation, "洛江万达广场商业管理有限公司");
  EXPECT_EQ(r.unit.organisation, "洛江万达广场商业管理有限公司");
  EXPECT_TRUE(r.screens.at(0).basis.start_stop);

  const json rep = json::parse(report_json(r));
  const json& day = rep["days"][0];
  EXPECT_EQ(day["screen"], "lobby-a");
  EXPECT_EQ(day["date"], "2024-06-16");
  EXPECT_EQ(day["operating_minutes"], 10.5);
  EXPECT_EQ(day["main_minutes"], 10.5);
  EXPECT_DOUBLE_EQ(day["bands_minutes"].get<double>(), 9.7);
  for (const auto& x : day["items"]) {
    for (const char* key : {"campaign", "item", "content", "plays", "complete", "partial", "interrupted", "skipped",
                            "minutes"}) {
      EXPECT_TRUE(x.contains(key)) << key;
    }
    EXPECT_NE(x["item"], "hotlines");
  }
  EXPECT_EQ(day["bands"][0]["passes"], 27);

  // The CSV: every row has its kind; the ticker rows are apart.
  const auto rows = parse_csv(report_csv(r, ReportLang::en).substr(3));
  const auto kind = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "Kind") - rows[0].begin());
  const auto level = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), "Level") - rows[0].begin());
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 1; i < rows.size(); ++i) seen.insert({rows[i][level], rows[i][kind]});
  for (const char* l : {"campaign", "item", "item_day", "screen", "screen_day", "day", "total"}) {
    EXPECT_TRUE(seen.count({l, "item"})) << l;
    EXPECT_TRUE(seen.count({l, "ticker"})) << l;
  }
  // The HTML: a section of its own for the bands.
  const std::string html = report_html(r);
  const auto bands_at = html.find("七、滚动字幕与标题栏");
  ASSERT_NE(bands_at, std::string::npos);
  EXPECT_NE(html.find("发现安全生产风险隐患，请拨打举报电话 12350", bands_at), std::string::npos);
  EXPECT_EQ(html.find("发现安全生产风险隐患"), html.find("发现安全生产风险隐患", bands_at)) << "not among the items";
}

TEST_F(ReportDayTest, RunningTimeFromStartStopCrashClockJumpAndMidnight) {
  using O = PlayOutcome;
  event("start", "2024-06-15T23:00+08:00", {{"screen", "lobby-a"}});
  item("2024-06-15T23:59:55+08:00", 12, 12, O::complete);  // across midnight: 5 s + 7 s
  event("stop", "2024-06-16T00:30+08:00");
  event("start", "2024-06-16T08:00+08:00", {{"screen", "lobby-a"}});
  item("2024-06-16T09:59:48+08:00", 12, 12, O::complete);  // then a power cut: no stop
  event("start", "2024-06-16T12:00+08:00", {{"screen", "lobby-a"}});
  event("clock_jump", "2024-06-16T14:00+08:00", {{"from", "2024-06-16T13:00:00.000+08:00"}, {"jump_s", 3600}});
  event("stop", "2024-06-16T14:30+08:00");
  const Report r = build(Date{2024y / 6 / 15}, Date{2024y / 6 / 16});
  ASSERT_EQ(r.screen_days.size(), 2u);
  EXPECT_EQ(r.screen_days[0].running_ms, 60 * 60'000);
  EXPECT_EQ(r.screen_days[0].main.shown_ms, 5'000);
  EXPECT_EQ(r.screen_days[0].main.plays(), 1u);
  // 00:00-00:30, 08:00-10:00, 12:00-13:00, 14:00-14:30.
  EXPECT_EQ(r.screen_days[1].running_ms, (30 + 120 + 60 + 30) * 60'000);
  EXPECT_EQ(r.screen_days[1].main.shown_ms, 19'000);
  EXPECT_EQ(r.screen_days[1].main.plays(), 1u);
  EXPECT_TRUE(r.breaches().empty());
}

TEST_F(ReportDayTest, OverlappingPlaysBreakTheInvariantAndTheReportSaysSo) {
  event("start", "2024-06-16T08:00+08:00", {{"screen", "lobby-a"}});
  using O = PlayOutcome;
  item("2024-06-16T08:00:00+08:00", 60, 60, O::complete);
  item("2024-06-16T08:00:00+08:00", 60, 60, O::complete);  // the same minute again, another seq
  event("stop", "2024-06-16T08:01+08:00");
  const Report r = build();
  ASSERT_EQ(r.breaches().size(), 1u);
  EXPECT_EQ(r.breaches()[0]->main.shown_ms, 120'000);
  EXPECT_EQ(r.breaches()[0]->running_ms, 60'000);
  EXPECT_NE(report_html(r).find("✗ 超出运行时长"), std::string::npos);
  EXPECT_NE(report_markdown(r).find("有 1 个屏幕日的播放时长超过运行时长"), std::string::npos);
  EXPECT_FALSE(json::parse(report_json(r))["days"][0]["within_operating"].get<bool>());
}

TEST_F(ReportDayTest, ConfigIdentityWinsOverRecordsAndOldJournalsStillReport) {
  // An old journal: no start record, no text, no file.
  PlayRecord p;
  p.screen = "lobby-a";
  p.campaign = "2024-safety-month";
  p.item = "0616";
  p.item_type = "image";
  p.start = "2024-06-16T08:00:00.000+08:00";
  p.end = "2024-06-16T08:00:30.000+08:00";
  p.planned_s = 30;
  p.shown_s = 30;
  ASSERT_TRUE(j.append(play_record(p), at("2024-06-16T08:00:30+08:00")).ok());
  ReportRequest q;
  q.paths = {tmp.path()};
  q.from = q.to = Date{2024y / 6 / 16};
  q.identities.push_back({"lobby-a", "洛江万达广场", "洛江万达广场商业管理有限公司", "一楼大堂", "张三 0595-22630156"});
  auto r = build_report(q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items.at(0).content.label, "0616");
  EXPECT_EQ(r->screens.at(0).who.location, "一楼大堂");
  EXPECT_EQ(r->unit.contact, "张三 0595-22630156");
  EXPECT_TRUE(r->screens.at(0).basis.span);
  EXPECT_EQ(r->screen_days.at(0).running_ms, 30'000);
  const std::string html = report_html(*r);
  EXPECT_NE(html.find("<td colspan=\"3\">洛江万达广场商业管理有限公司</td>"), std::string::npos) << "filled in the block";
}

TEST_F(ReportDayTest, ContentCannotBecomeMarkupOrAFormula) {
  event("start", "2024-06-16T08:00+08:00", {{"screen", "lobby-a"}});
  PlayRecord p;
  p.screen = "lobby-a";
  p.campaign = "x";
  p.item_type = "slogan";
  p.start = "2024-06-16T08:00:00.000+08:00";
  p.end = "2024-06-16T08:00:12.000+08:00";
  p.planned_s = p.shown_s = 12;
  const char* texts[] = {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[点这里](javascript:alert(1))",
                         "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)"};
  int i = 0;
  for (const char* text : texts) {
    p.item = i == 0 ? "\tTAB" : i == 1 ? "\r=CR" : "i" + std::to_string(i);
    ++i;
    p.text = text;
    ASSERT_TRUE(j.append(play_record(p), at("2024-06-16T08:00:12+08:00")).ok());
  }
  const Report r = build();
  const std::string md = report_markdown(r);
  for (const char* bad : {"<script", "<img", "](", "javascript:"}) EXPECT_EQ(md.find(bad), std::string::npos) << bad;
  EXPECT_NE(md.find("&lt;script&gt;alert\\(1\\)&lt;/script&gt;"), std::string::npos) << md;
  const std::string html = report_html(r);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img src=x"), std::string::npos);
  const auto rows = parse_csv(report_csv(r).substr(3));
  std::set<std::string> contents;
  for (const char* head : {"宣传内容", "内容编号"}) {
    const auto col = static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), head) - rows[0].begin());
    for (const auto& row : rows) contents.insert(row[col]);
  }
  for (const char* cell : {"'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTAB", "'\r=CR"}) {
    EXPECT_TRUE(contents.count(cell)) << cell;
  }
}

// ---------------------------------------------------------------- the central log

// Central log files as packaging/rsyslog/signage-central.conf writes them, made from
// a screen's journal lines (`pick` chooses which seqs, each as many times as listed).
class CentralTest : public ReportTest {
 protected:
  TempDir central;

  static std::map<std::uint64_t, std::string> lines_by_seq(const fs::path& dir) {
    std::map<std::uint64_t, std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().extension() != ".jsonl") continue;
      for (auto line : lines_of(slurp(e.path()))) {
        line.pop_back();
        out[json::parse(line)["seq"].get<std::uint64_t>()] = line;
      }
    }
    return out;
  }
  static std::string record_message(const std::string& screen, const std::string& line) {
    const json rec = json::parse(line);
    json sd = json::object();
    for (auto it = rec.begin(); it != rec.end(); ++it) sd[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
    return json{{"received", "2024-06-16T12:00:00.000000+08:00"}, {"from", "10.0.0.7"}, {"screen", screen},
                {"msgid", rec["type"]}, {"timestamp", "2024-06-16T12:00:00.000+08:00"}, {"sd", sd}, {"msg", line}}
               .dump() + "\n";
  }
  static std::string heartbeat_message(const std::string& screen, const std::string& time, std::uint64_t seq,
                                       const std::string& hash, double interval_s = 60,
                                       const json& extra = json::object()) {
    json hb = {{"type", "heartbeat"}, {"time", time}, {"screen", screen}, {"site", "plant"},
               {"journal_seq", seq}, {"journal_hash", hash}, {"acked_seq", seq}, {"interval_s", interval_s}};
    hb.update(extra);
    json sd = json::object();
    for (auto it = hb.begin(); it != hb.end(); ++it) sd[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
    return json{{"received", time}, {"from", "10.0.0.7"}, {"screen", screen}, {"msgid", "heartbeat"},
                {"timestamp", time}, {"sd", sd}, {"msg", hb.dump()}}
               .dump() + "\n";
  }
  // Appends to <central>/<screen>/<day>.jsonl.
  void append(const std::string& screen, const std::string& text, const std::string& day = "2024-06-16") {
    fs::create_directories(central.path() / screen);
    std::ofstream(central.path() / screen / (day + ".jsonl"), std::ios::binary | std::ios::app) << text;
  }
  std::string hash_of(const std::string& line) { return sha256_hex(line + "\n"); }
  Instant utc(const char* iso) { return at(iso); }
};

TEST_F(CentralTest, TellsCentralFilesFromJournals) {
  const auto a = lines_by_seq(tmp.path());
  append("lobby-a", record_message("lobby-a", a.at(1)));
  EXPECT_TRUE(is_central_log(central.path()));                                // the root
  EXPECT_TRUE(is_central_log(central.path() / "lobby-a"));                    // one screen
  EXPECT_TRUE(is_central_log(central.path() / "lobby-a" / "2024-06-16.jsonl"));  // one file
  EXPECT_FALSE(is_central_log(tmp.path()));                                   // a journal
  EXPECT_FALSE(is_central_log(tmp.path() / "2024-06-14.jsonl"));
  TempDir empty;
  EXPECT_FALSE(is_central_log(empty.path()));
}

TEST_F(CentralTest, DuplicatesGapsChainAndAnchors) {
  const auto a = lines_by_seq(tmp.path());
  ASSERT_EQ(a.size(), 11u);
  // 1..11 without 5 and 6; 2, 3 and 9 twice (an outage's resend).
  for (std::uint64_t seq : {1u, 2u, 3u, 2u, 3u, 4u, 7u, 8u, 9u, 9u, 10u, 11u}) append("lobby-a", record_message("lobby-a", a.at(seq)));
  append("lobby-a", heartbeat_message("lobby-a", "2024-06-16T12:00:00.000+08:00", 11, hash_of(a.at(11))));
  append("lobby-a", heartbeat_message("lobby-a", "2024-06-16T12:01:00.000+08:00", 4, hash_of(a.at(3))));  // wrong
  append("lobby-a", heartbeat_message("lobby-a", "2024-06-16T12:02:00.000+08:00", 12, "ab"));  // not here yet
  std::map<std::uint64_t, int> passed;  // what the report would count
  auto log = read_central_log({central.path()}, utc("2024-06-16T12:03:00+08:00"),
                              [&](const std::string& screen, std::uint64_t seq, const json& record) {
                                EXPECT_EQ(screen, "lobby-a");
                                EXPECT_EQ(record["seq"], seq);
                                ++passed[seq];
                              });
  ASSERT_TRUE(log.ok()) << log.error().what();
  ASSERT_EQ(log->screens.size(), 1u);
  const CentralScreen& c = log->screens[0];
  EXPECT_EQ(c.screen, "lobby-a");
  EXPECT_EQ(c.site, "洛江万达广场");
  EXPECT_EQ(c.messages, 12u);
  EXPECT_EQ(c.duplicates, 3u);
  EXPECT_EQ(c.records, 9u);
  EXPECT_EQ(c.first_seq, 1u);
  EXPECT_EQ(c.last_seq, 11u);
  ASSERT_EQ(c.gaps.size(), 1u);
  EXPECT_EQ(c.gaps[0].first, 5u);
  EXPECT_EQ(c.gaps[0].last, 6u);
  EXPECT_TRUE(c.conflicts.empty());
  EXPECT_EQ(c.links_checked, 7u);  // 1-2 2-3 3-4 7-8 8-9 9-10 10-11
  EXPECT_TRUE(c.broken_links.empty());
  EXPECT_EQ(c.heartbeats, 3u);
  EXPECT_EQ(c.anchors_checked, 1u);
  EXPECT_EQ(c.anchors_pending, 1u);
  ASSERT_EQ(c.anchor_problems.size(), 1u);
  EXPECT_NE(c.anchor_problems[0].find("anchors seq 4"), std::string::npos) << c.anchor_problems[0];
  EXPECT_FALSE(c.intact());
  EXPECT_NE(c.summary().find("MISSING 2 (seq 5-6)"), std::string::npos) << c.summary();
  EXPECT_NE(c.summary().find("3 duplicates removed"), std::string::npos) << c.summary();
  EXPECT_EQ(passed.size(), 9u);
  for (const auto& [seq, n] : passed) EXPECT_EQ(n, 1) << "seq " << seq << " passed on once";
  EXPECT_FALSE(c.dark);  // the last heartbeat, 12:02, is a minute old; 3 intervals are 3 minutes
}

// The central files are listed and read through an Env, a MiB at a time: lines cut
// by a chunk's end are whole again, and a file that cannot be read is an error of
// the Env's kind that names it.
TEST_F(CentralTest, FilesAreReadThroughTheEnvInChunks) {
  const auto a = lines_by_seq(tmp.path());
  std::string many;
  std::uint64_t messages = 0;
  while (many.size() < (std::size_t{5} << 19)) {  // 2.5 MiB: three reads, lines cut at both ends
    for (std::uint64_t seq = 1; seq <= 11; ++seq, ++messages) many += record_message("lobby-a", a.at(seq));
  }
  many.pop_back();  // the last line without its newline is still read
  append("lobby-a", many);
  const fs::path file = central.path() / "lobby-a" / "2024-06-16.jsonl";
  PosixEnv base(false);
  FaultyEnv env(base);
  EXPECT_TRUE(is_central_log(central.path(), env));
  auto log = read_central_log({central.path()}, utc("2024-06-16T12:00:00+08:00"), {}, {}, env);
  ASSERT_TRUE(log.ok()) << log.error().what();
  EXPECT_TRUE(log->problems.empty()) << log->problems.front();
  ASSERT_EQ(log->screens.size(), 1u);
  EXPECT_EQ(log->screens[0].messages, messages);
  EXPECT_EQ(log->screens[0].records, 11u);
  EXPECT_EQ(log->screens[0].duplicates, messages - 11);
  EXPECT_EQ(log->screens[0].unverifiable, 0u);
  EXPECT_TRUE(log->screens[0].intact()) << log->screens[0].summary();

  env.fail_path(file);
  EXPECT_FALSE(is_central_log(file, env));
  auto failed = read_central_log({central.path()}, utc("2024-06-16T12:00:00+08:00"), {}, {}, env);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind(), ErrorKind::io) << failed.error().what();
  EXPECT_NE(failed.error().what().find(file.string()), std::string::npos) << failed.error().what();
  env.clear_faults();
  env.fail_path(central.path() / "lobby-a", EACCES);  // a screen's folder that cannot be listed is left out
  auto without = read_central_log({central.path()}, utc("2024-06-16T12:00:00+08:00"), {}, {}, env);
  ASSERT_TRUE(without.ok()) << without.error().what();
  EXPECT_TRUE(without->screens.empty());
  auto root = read_central_log({central.path() / "lobby-a"}, utc("2024-06-16T12:00:00+08:00"), {}, {}, env);
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.error().kind(), ErrorKind::permission) << root.error().what();
}

TEST_F(CentralTest, ConflictingCopyAndEditedLineBreakTheChain) {
  const auto a = lines_by_seq(tmp.path());
  for (std::uint64_t seq = 1; seq <= 11; ++seq) {
    std::string line = a.at(seq);
    if (seq == 6) line.replace(line.find("\"item\":\"psa\""), 12, "\"item\":\"psb\"");  // edited on the way
    append("lobby-a", record_message("lobby-a", line));
  }
  std::string other = a.at(3);
  other.replace(other.find("09:10"), 5, "09:11");
  append("lobby-a", record_message("lobby-a", other), "2024-06-17");  // the same seq, other bytes
  auto log = read_central_log({central.path()}, utc("2024-06-16T12:00:00+08:00"));
  ASSERT_TRUE(log.ok());
  const CentralScreen& c = log->screens.at(0);
  EXPECT_TRUE(c.gaps.empty());
  ASSERT_EQ(c.conflicts.size(), 1u);
  EXPECT_EQ(c.conflicts[0], 3u);
  ASSERT_EQ(c.broken_links.size(), 1u);
  EXPECT_EQ(c.broken_links[0], 7u) << "seq 7's prev is the hash of the original line 6";
  EXPECT_FALSE(c.intact());
}

// rsyslog cut a message longer than its maxMessageSize: the record is there (no
// gap), but neither counted nor used for the chain.
TEST_F(CentralTest, CutLineIsPresentButUnverifiable) {
  const auto a = lines_by_seq(tmp.path());
  for (std::uint64_t seq = 1; seq <= 5; ++seq) {
    std::string m = record_message("lobby-a", a.at(seq));
    if (seq == 3) {
      json j = json::parse(m);
      j["msg"] = a.at(3).substr(0, 100);
      m = j.dump() + "\n";
    }
    append("lobby-a", m);
  }
  int counted = 0;
  auto log = read_central_log({central.path()}, utc("2024-06-16T12:00:00+08:00"),
                              [&](const std::string&, std::uint64_t seq, const json&) {
                                EXPECT_NE(seq, 3u);
                                ++counted;
                              });
  ASSERT_TRUE(log.ok());
  const CentralScreen& c = log->screens.at(0);
  EXPECT_EQ(counted, 4);
  EXPECT_EQ(c.records, 5u);
  EXPECT_TRUE(c.gaps.empty());
  EXPECT_EQ(c.unverifiable, 1u);
  EXPECT_EQ(c.links_checked, 2u);  // 1-2 and 4-5; 2-3 and 3-4 cannot be checked
  EXPECT_TRUE(c.intact());
}

TEST_F(CentralTest, DarkScreensAreThoseSilentForThreeIntervals) {
  const auto a = lines_by_seq(tmp.path());
  append("lobby-a", record_message("lobby-a", a.at(1)));
  append("alive", heartbeat_message("alive", "2024-06-16T11:58:00.000+08:00", 0, ""));
  append("alive", heartbeat_message("alive", "2024-06-16T12:30:00.000+08:00", 0, ""));  // after as_of: not seen
  append("dark", heartbeat_message("dark", "2024-06-16T11:56:59.000+08:00", 0, ""));
  append("fast", heartbeat_message("fast", "2024-06-16T11:59:56.000+08:00", 0, "", 1));  // every second
  auto log = read_central_log({central.path()}, utc("2024-06-16T12:00:00+08:00"));
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->screens.size(), 4u);
  std::map<std::string, const CentralScreen*> by;
  for (const auto& c : log->screens) by[c.screen] = &c;
  EXPECT_FALSE(by.at("alive")->dark);
  EXPECT_EQ(by.at("alive")->last_heartbeat->time, "2024-06-16T11:58:00.000+08:00");
  EXPECT_TRUE(by.at("dark")->dark);  // 3 min 1 s > 3 x 60 s
  EXPECT_TRUE(by.at("fast")->dark);  // 4 s > 3 x 1 s
  EXPECT_TRUE(by.at("lobby-a")->dark) << "never sent a heartbeat";
  EXPECT_EQ(by.at("lobby-a")->heartbeat_summary(), "DARK: no heartbeat");
  EXPECT_EQ(by.at("dark")->heartbeat_summary(), "DARK: last heartbeat 2024-06-16T11:56:59.000+08:00 (every 60 s)");
}

TEST_F(CentralTest, ReportCountsTheCentralCopyOnceAndListsDarkScreens) {
  const auto a = lines_by_seq(tmp.path());
  const auto b = lines_by_seq(screen_b.path());
  for (const auto& [seq, line] : a) append("lobby-a", record_message("lobby-a", line));
  for (const auto& [seq, line] : b) append("station-b", record_message("station-b", line));
  for (const auto& [seq, line] : b) append("station-b", record_message("station-b", line));  // all twice
  append("lobby-a", heartbeat_message("lobby-a", "2024-06-16T23:59:00.000+08:00", a.rbegin()->first,
                                      hash_of(a.rbegin()->second)));
  const Date from{2024y / 6 / 15}, to{2024y / 6 / 16};
  const Instant as_of = default_as_of(to, utc("2030-01-01T00:00+08:00"), *zone);
  EXPECT_EQ(as_of, utc("2024-06-17T00:00+08:00"));
  auto req = [&](std::vector<fs::path> paths) {
    ReportRequest q = request(std::move(paths), from, to);
    q.as_of = as_of;
    return q;
  };
  auto journals = build_report(req({tmp.path(), screen_b.path()}));
  auto centrals = build_report(req({central.path()}));
  auto both = build_report(req({central.path(), tmp.path(), screen_b.path()}));
  ASSERT_TRUE(journals.ok() && centrals.ok() && both.ok());
  EXPECT_EQ(centrals->summary.plays, journals->summary.plays);
  EXPECT_EQ(both->summary.plays, journals->summary.plays) << "journal and central copy count once";
  EXPECT_EQ(centrals->summary.shown_ms, journals->summary.shown_ms);
  ASSERT_EQ(centrals->chains.size(), 2u);
  EXPECT_TRUE(centrals->has_central());
  EXPECT_TRUE(centrals->all_chains_intact());
  EXPECT_EQ(centrals->chains[0].screen, "lobby-a");
  EXPECT_EQ(centrals->chains[0].site, "洛江万达广场");
  EXPECT_EQ(centrals->chains[0].central->anchors_checked, 1u);
  EXPECT_EQ(centrals->chains[1].central->duplicates, b.size());
  ASSERT_EQ(centrals->dark_screens().size(), 1u);
  EXPECT_EQ(centrals->dark_screens()[0]->screen, "station-b");
  ASSERT_EQ(both->screens.size(), 2u);
  EXPECT_EQ(both->screens[0].chains.size(), 2u) << "lobby-a: its journal and its central copy";

  const std::string md = report_markdown(*centrals, ReportLang::en);
  EXPECT_NE(md.find("- Dark screens: station-b"), std::string::npos) << md;
  EXPECT_NE(md.find("intact \\(central copy&#58; 11 records, seq 1-11"), std::string::npos) << md;
  EXPECT_NE(md.find("online&#58; last heartbeat 2024-06-16 23:59 \\(every 60 s\\)"), std::string::npos) << md;
  EXPECT_NE(md.find("DARK&#58; no heartbeat"), std::string::npos) << md;
  EXPECT_NE(report_html(*centrals).find("<tr><th>离线屏幕</th><td><span class=\"bad\">station-b</span></td></tr>"),
            std::string::npos);
  const auto rows = parse_csv(report_csv(*centrals).substr(3));
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].back(), "心跳");
  for (const auto& row : rows) ASSERT_EQ(row.size(), rows[0].size());
  EXPECT_EQ(rows[rows.size() - 1].back(), "1 离线");
  // Journals alone: no heartbeat column, as before.
  EXPECT_EQ(parse_csv(report_csv(*journals).substr(3))[0].back(), "日志校验");

  // A missing record is a gap, flagged like a broken chain.
  fs::remove_all(central.path() / "lobby-a");
  for (const auto& [seq, line] : a) {
    if (seq != 4) append("lobby-a", record_message("lobby-a", line));
  }
  auto gap = build_report(req({central.path()}));
  ASSERT_TRUE(gap.ok());
  EXPECT_FALSE(gap->all_chains_intact());
  EXPECT_NE(report_markdown(*gap).find("已损坏（中央副本 10 条记录，序号 1-11; 缺少 1 条（序号 4）"), std::string::npos)
      << report_markdown(*gap);
}

}  // namespace
}  // namespace signage

namespace signage {
namespace {

// The verifiers' scanner: the members asked for, as written; anything that is not
// one well-formed JSON object refused, whatever part of it is broken.
TEST(LineScan, ReadsMembersAndRefusesWhatIsNotOneObject) {
  const std::array<std::string_view, 3> keys = {"seq", "prev", "text"};
  std::array<std::string_view, 3> v;
  const std::string line =
      R"({"seq":812,"a":[1,2.5e-3,{"b":null}],"text":"人人讲安全、个个会应急\n畅通 \"生命\" 通道 \u00e9","ok":true,"prev":"ab"})";
  ASSERT_TRUE(scan_object(line, keys, v));
  EXPECT_EQ(scanned_unsigned(v[0]), 812u);
  EXPECT_EQ(scanned_plain_string(v[1]), std::string_view("ab"));
  EXPECT_EQ(scanned_plain_string(v[2]), std::nullopt) << "escapes: not plain";
  EXPECT_EQ(scanned_string(v[2]), nlohmann::json::parse(line)["text"].get<std::string>());
  EXPECT_TRUE(scan_object(" {} ", keys, v));
  EXPECT_TRUE(v[0].empty());
  for (const char* bad : {"", "[]", "{", "{\"a\":1", "{\"a\":1}x", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":\"x}",
                          "{\"a\":\"\x01\"}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":tru}", "{\"a\":-}",
                          "{\"a\":1.}", "{\"a\":[1,]}", "{\"a\":{\"b\"}}", "{a:1}", "{\"a\":1}{\"b\":2}"}) {
    EXPECT_FALSE(scan_object(bad, keys, v)) << bad;
    EXPECT_FALSE(nlohmann::json::parse(bad, nullptr, false).is_object()) << "nlohmann agrees: " << bad;
  }
  // Long strings are skipped 8 bytes at a time: a stop byte at every position is seen.
  for (std::size_t at = 0; at < 24; ++at) {
    std::string s(24, 'x');
    s[at] = '\x01';
    EXPECT_FALSE(scan_object("{\"a\":\"" + s + "\"}", keys, v)) << at;
    s[at] = '"';
    EXPECT_FALSE(scan_object("{\"a\":\"" + s + "\"}", keys, v)) << at;
  }
  EXPECT_EQ(scanned_unsigned("-1"), std::nullopt);
  EXPECT_EQ(scanned_unsigned("1.5"), std::nullopt);
  EXPECT_EQ(scanned_unsigned("\"1\""), std::nullopt);
  EXPECT_EQ(scanned_unsigned("18446744073709551616"), std::nullopt);
  const std::string hash = sha256_hex("x");
  ASSERT_TRUE(sha256_of_hex(hash).has_value());
  EXPECT_EQ(hex_of(*sha256_of_hex(hash)), hash);
  EXPECT_EQ(sha256_of_hex(std::string(63, 'a')), std::nullopt);
  EXPECT_EQ(sha256_of_hex(std::string(64, 'A')), std::nullopt);
  EXPECT_EQ(sha256_of_hex(std::string(63, 'a') + "g"), std::nullopt);
  LineHasher hasher;
  EXPECT_EQ(hex_of(hasher.digest("x")), hash);
  EXPECT_EQ(hex_of(hasher.digest("abc", "\n")), sha256_hex("abc\n"));
}

// Heartbeats carry the clock's estimated offset and who keeps it; the report over the
// central log names the screens whose offset went over 50 ms in the range (out of
// step with their neighbours), each with its largest offset, and says so in Chinese.
TEST_F(CentralTest, ScreensWhoseClockWasOffByMoreThan50MsAreListed) {
  const auto a = lines_by_seq(tmp.path());
  for (const auto& [seq, line] : a) append("lobby-a", record_message("lobby-a", line));
  const auto hb = [&](const std::string& screen, const std::string& time, const json& clock) {
    append(screen, heartbeat_message(screen, time, a.rbegin()->first, hash_of(a.rbegin()->second), 60, clock),
           time.substr(0, 10));
  };
  hb("lobby-a", "2024-06-16T10:00:00.000+08:00", {{"clock_source", "chrony"}, {"clock_offset_ms", 0.4}});
  hb("lobby-a", "2024-06-16T11:00:00.000+08:00", {{"clock_source", "timesyncd"}, {"clock_offset_ms", 73.4}});
  hb("lobby-a", "2024-06-16T12:00:00.000+08:00", {{"clock_source", "chrony"}, {"clock_offset_ms", 12}});
  hb("lobby-a", "2024-06-17T09:00:00.000+08:00", {{"clock_source", "none"}, {"clock_offset_ms", 900}});  // after the range
  hb("hall-b", "2024-06-16T10:00:00.000+08:00", {{"clock_source", "chrony"}, {"clock_offset_ms", "3.5"}});  // as SD gives it
  hb("hall-c", "2024-06-16T10:00:00.000+08:00", {{"clock_source", "none"}, {"clock_offset_ms", nullptr}});  // unsynced

  ReportRequest q = request({central.path()}, Date{2024y / 6 / 16}, Date{2024y / 6 / 16});
  q.as_of = utc("2024-06-16T12:01:00+08:00");
  auto r = build_report(q);
  ASSERT_TRUE(r.ok()) << r.error().what();
  ASSERT_EQ(r->clock_peaks.size(), 2u);  // hall-c said nothing of its offset
  EXPECT_EQ(r->clock_peaks[0].screen, "hall-b");
  EXPECT_DOUBLE_EQ(r->clock_peaks[0].offset_ms, 3.5);
  const auto out = r->out_of_step();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->screen, "lobby-a");
  EXPECT_DOUBLE_EQ(out[0]->offset_ms, 73.4);
  EXPECT_EQ(out[0]->time, "2024-06-16T11:00:00.000+08:00");
  EXPECT_EQ(out[0]->source, "timesyncd");

  const std::string md = report_markdown(*r, ReportLang::en);
  EXPECT_NE(md.find("Clocks in step: 1 screens' clocks were off by more than 50.0 ms"), std::string::npos) << md;
  EXPECT_NE(md.find("lobby-a \\(73.4 ms at 2024-06-16 11:00, timesyncd\\)"),
            std::string::npos) << md;
  const std::string html = report_html(*r);
  EXPECT_NE(html.find("有 1 块屏幕的时钟偏差超过 50.0 毫秒，与相邻屏幕播放不同步：lobby-a（"), std::string::npos) << html;
  const json j = json::parse(report_json(*r));
  ASSERT_EQ(j["summary"]["clock_offsets"].size(), 2u) << j.dump();
  EXPECT_EQ(j["summary"]["clock_offsets"][1]["screen"], "lobby-a");
  EXPECT_EQ(j["summary"]["clock_offsets"][1]["out_of_step"], true);

  // Within the limit everywhere: one line that says so, with the largest offset.
  fs::remove_all(central.path() / "lobby-a");
  auto calm = build_report(q);
  ASSERT_TRUE(calm.ok());
  EXPECT_TRUE(calm->out_of_step().empty());
  EXPECT_NE(report_markdown(*calm, ReportLang::en).find("every screen's clock within 50.0 ms \\(largest offset 3.5 ms\\)"),
            std::string::npos);
}

}  // namespace
}  // namespace signage
