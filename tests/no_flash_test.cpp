// No flashes, end to end: the real binary plays on a simulated clock while the test
// changes its drop folder (a picture arriving late, an emergency dropped and removed,
// an ordinary playlist dropped over an unchanged item), then reads the day's journal
// back. Each test aims its drop at the moment the rule is for: when the showing due
// has less than 3 s of its slot left.
//
// All items last 6 s or more, so the rule's min(3 s, half the planned time) is 3 s,
// and every campaign runs on the epoch's grid (no `when`), so the test knows where
// each slot begins.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "media/image.h"
#include "support/files.h"
#include "support/journal_records.h"
#include "support/player_process.h"
#include "support/wait.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
namespace chr = std::chrono;
using namespace std::chrono_literals;
using nlohmann::json;

const auto kZone = fixed_offset_zone(8h);

Instant at(const std::string& iso) {
  auto t = parse_iso8601(iso, *kZone);
  EXPECT_TRUE(t) << iso;
  return t ? *t : Instant{};
}

// The first instant at or after `after` that is `phase` into a slot of `slot` on the
// epoch's grid.
Instant next_phase(Instant after, chr::milliseconds slot, chr::milliseconds phase) {
  const Instant base = after - after.time_since_epoch() % slot;
  const Instant t = base + phase;
  return t >= after ? t : t + slot;
}

chr::milliseconds phase_of(Instant t, chr::milliseconds slot) { return t.time_since_epoch() % slot; }

double seconds_between(Instant a, Instant b) { return chr::duration<double>(b - a).count(); }

// A player on a drop folder and a journal of a temporary folder, and the clock it
// plays on as seen from its log.
class Rig {
 public:
  Rig() {
    fs::create_directories(drop_ / "media");
  }

  fs::path drop() const { return drop_; }
  fs::path journal() const { return dir_ / "journal"; }

  void start(const std::string& clock, double speed) {
    speed_ = speed;
    player_ = std::make_unique<test::PlayerProcess>(
        SIGNAGE_BINARY,
        std::vector<std::string>{"play", "--headless", "--size", "160x90", "--playlists", drop_.string(), "--journal",
                                 journal().string(), "--clock", clock, "--speed", std::to_string(speed)},
        dir_ / "player.log");
  }

  // Waits for `text` in the log after `from` and reads the player's clock from the
  // start of that line ("2024-06-16T10:00:04.457+08:00 show ..."), seen now.
  // Returns the offset just past it (nullopt: not seen in time, clock unchanged).
  std::optional<std::size_t> wait_for(const std::string& text, std::size_t from = 0,
                                      chr::milliseconds timeout = 15s) {
    const auto found = player_->wait_for(text, timeout, from);
    if (!found) return std::nullopt;
    const auto seen = chr::steady_clock::now();
    const std::string log = player_->log();
    const std::size_t line = log.rfind('\n', *found);
    const std::size_t begin = line == std::string::npos ? 0 : line + 1;
    const std::size_t space = log.find(' ', begin);
    if (auto t = parse_iso8601(log.substr(begin, space - begin), *kZone)) {
      seen_clock_ = *t;
      seen_real_ = seen;
    }
    return *found + text.size();
  }

  // The player's clock now (from the last line read: a little behind, never ahead).
  Instant clock_now() const {
    const auto real = chr::duration<double>(chr::steady_clock::now() - seen_real_) * speed_;
    return seen_clock_ + chr::duration_cast<chr::milliseconds>(real);
  }
  // Paces a drop: returns when the player's clock is at `t` (a moment to act, not a
  // condition to wait for).
  void sleep_until_clock(Instant t) const {
    const auto real = chr::duration<double>(t - seen_clock_) / speed_;
    std::this_thread::sleep_until(seen_real_ + chr::duration_cast<chr::steady_clock::duration>(real));
  }
  // What the watcher's settle interval (300 ms of real time) and building the set take
  // before a dropped file reaches the kiosk, in clock time.
  chr::milliseconds drop_latency() const {
    return chr::duration_cast<chr::milliseconds>(chr::duration<double>(0.35) * speed_);
  }

  // Writes a file into the drop folder the way a copy tool does: under a temporary
  // name, then renamed into place.
  void drop_file(const std::string& rel, const std::string& content) const {
    const fs::path part = drop_ / (rel + ".part");
    test::write_file(part, content);
    fs::rename(part, drop_ / rel);
  }
  void drop_picture(const std::string& rel) const {
    Image img;
    img.width = 64;
    img.height = 36;
    img.rgba.assign(64 * 36 * 4, 180);
    const fs::path part = drop_ / (rel + ".part.png");
    ASSERT_TRUE(write_png(img, part).ok());
    fs::rename(part, drop_ / rel);
  }

  int stop() { return player_->stop(); }
  std::string log() const { return player_->log(); }
  test::PlayerProcess& player() { return *player_; }

 private:
  test::TempDir dir_{"no-flash"};
  fs::path drop_ = dir_ / "drop";
  double speed_ = 1;
  std::unique_ptr<test::PlayerProcess> player_;
  Instant seen_clock_{};
  chr::steady_clock::time_point seen_real_{};
};

bool main_zone(const json& r) {
  if (r["type"] != "play") return false;
  const std::string type = r["item_type"];
  return type == "slogan" || type == "image" || type == "video";
}

std::vector<json> main_zone_plays(const fs::path& journal) {
  std::vector<json> out;
  for (auto& r : test::journal_records(journal)) {
    if (main_zone(r)) out.push_back(std::move(r));
  }
  return out;
}

std::string describe(const std::vector<json>& plays) {
  std::string out;
  for (const auto& p : plays) {
    out += p["campaign"].get<std::string>() + "/" + p["item"].get<std::string>() + " " + p["start"].get<std::string>() +
           " shown " + std::to_string(p["shown_s"].get<double>()) + " of " +
           std::to_string(p["planned_s"].get<double>()) + " " + p["outcome"].get<std::string>() + " " +
           p.value("partial_reason", "") + " " + p.value("reason", "") + "\n";
  }
  return out;
}

// The first frame of a showing is presented a moment after the kiosk decided to start
// it (preparing it takes real time, which the simulated clock multiplies).
constexpr double kFirstFrame = 0.5;

// The no-flash and outcome rules, read back from the main zone's play records
// (docs/journal-format.md#outcomes):
//  - `complete` = on screen for its planned time within 0.5 s;
//  - a showing is not started when less than min(3 s, half its planned time) of its
//    slot is left, so a play that ran to its slot's end (complete, or partial because
//    it began late) was on screen that long, less kFirstFrame.
// Plays cut before their end are returned for the test to account for: `interrupted`
// (an emergency preempted it, or the player stopped) and `partial` with
// `playlist_change` (a playlist change took the item away: it leaves at once).
std::vector<json> expect_no_flash(const std::vector<json>& plays) {
  std::vector<json> cut;
  for (const auto& p : plays) {
    const double shown = p["shown_s"], planned = p["planned_s"];
    const std::string outcome = p["outcome"];
    const std::string what = p["campaign"].get<std::string>() + "/" + p["item"].get<std::string>() + " from " +
                             p["start"].get<std::string>() + ": shown " + std::to_string(shown) + " s of " +
                             std::to_string(planned);
    if (outcome == "complete") {
      EXPECT_GE(shown, planned - 0.5) << what << "\n" << describe(plays);
    }
    const bool cut_short =
        outcome == "interrupted" || (outcome == "partial" && p.value("partial_reason", "") == "playlist_change");
    if (cut_short) {
      cut.push_back(p);
      continue;
    }
    EXPECT_TRUE(outcome == "complete" || outcome == "partial") << what << " " << outcome;
    EXPECT_GE(shown, std::min(3.0, planned / 2) - kFirstFrame) << "a flash: " << what << "\n" << describe(plays);
  }
  return cut;
}

std::vector<json> plays_of(const std::vector<json>& plays, const std::string& campaign, const std::string& item) {
  std::vector<json> out;
  for (const auto& p : plays) {
    if (p["campaign"] == campaign && p["item"] == item) out.push_back(p);
  }
  return out;
}

std::vector<Instant> applied_times(const fs::path& journal) {
  std::vector<Instant> out;
  for (const auto& r : test::journal_records(journal)) {
    if (r["type"] == "playlist_applied" && r.value("reason", "") == "drop folder") out.push_back(at(r["time"]));
  }
  return out;
}

constexpr chr::milliseconds kSlot = 6s;

// A picture item whose file is not there yet is held back: the screen is idle. The
// file arrives in the last 3 s of the picture's slot: it does not flash up for the
// rest of that slot, it goes up at once as the next slot's showing.
TEST(NoFlash, APictureArrivingLateInItsSlotGoesUpForTheNextSlotNotAsAFlash) {
  Rig rig;
  test::write_file(rig.drop() / "notice.toml",
                   "[campaign]\nid = \"notice\"\n[[item]]\nid = \"poster\"\ntype = \"image\"\n"
                   "file = \"media/notice.png\"\nduration = \"6s\"\ntransition = \"cut\"\n");
  rig.start("2024-06-16T10:00:00+08:00", 2);
  ASSERT_TRUE(rig.wait_for(" show idle screen")) << rig.log();

  // 4.5 s into the picture's slot (1.5 s left) when the kiosk gets it.
  const Instant aim = next_phase(rig.clock_now() + 1500ms + rig.drop_latency(), kSlot, 4500ms);
  rig.sleep_until_clock(aim - rig.drop_latency());
  rig.drop_picture("media/notice.png");
  const auto shown = rig.wait_for(" show notice/poster");
  ASSERT_TRUE(shown) << rig.log();
  // Its first showing over: the next one begins.
  ASSERT_TRUE(rig.wait_for(" show notice/poster", *shown)) << rig.log();
  EXPECT_EQ(rig.stop(), 0);

  const auto plays = main_zone_plays(rig.journal());
  const auto poster = plays_of(plays, "notice", "poster");
  ASSERT_GE(poster.size(), 1u) << describe(plays);
  const auto arrived = phase_of(at(poster[0]["start"]), kSlot);
  RecordProperty("arrived_ms_into_slot", static_cast<int>(arrived.count()));
  ASSERT_GE(arrived, 3000ms) << "the picture arrived " << arrived.count()
                             << " ms into its slot: the test aims at the last 3 s (a very slow box?)\n"
                             << rig.log();
  EXPECT_EQ(poster[0]["outcome"], "complete") << describe(plays);
  EXPECT_GE(poster[0]["shown_s"].get<double>(), 6.0) << "to the end of the next slot: " << describe(plays);
  const auto cut = expect_no_flash(plays);
  ASSERT_EQ(cut.size(), 1u) << describe(plays);
  EXPECT_EQ(cut[0]["reason"], "the player stopped (SIGTERM)") << describe(plays);
}

// An emergency dropped 4.5 s into an item (1.5 s left of the emergency's own slot)
// preempts it at once, but with the emergency's next slot, not a 1.5 s flash; removed
// later, the item it interrupted is shown again in full.
TEST(NoFlash, AnEmergencyDroppedMidItemAndRemovedLaterLeavesNoFlash) {
  Rig rig;
  test::write_file(rig.drop() / "month.toml",
                   "[campaign]\nid = \"month\"\n[defaults]\nduration = \"6s\"\ntransition = \"cut\"\n"
                   "[[item]]\nid = \"theme\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n"
                   "[[item]]\nid = \"exits\"\ntype = \"slogan\"\ntext = \"畅通生命通道\"\n");
  rig.start("2024-06-16T10:00:00+08:00", 2);
  ASSERT_TRUE(rig.wait_for(" show month/")) << rig.log();

  const Instant aim = next_phase(rig.clock_now() + 1500ms + rig.drop_latency(), kSlot, 4500ms);
  rig.sleep_until_clock(aim - rig.drop_latency());
  rig.drop_file("fire.toml",
                "[campaign]\nid = \"fire\"\npriority = 900\n[[item]]\nid = \"evacuate\"\ntype = \"slogan\"\n"
                "text = \"消防演练 请有序撤离\"\nduration = \"6s\"\ntransition = \"cut\"\n");
  const auto first = rig.wait_for(" show fire/evacuate");
  ASSERT_TRUE(first) << rig.log();
  const auto second = rig.wait_for(" show fire/evacuate", *first);
  ASSERT_TRUE(second) << rig.log();
  fs::remove(rig.drop() / "fire.toml");
  const auto resumed = rig.wait_for(" show month/", *second);
  ASSERT_TRUE(resumed) << rig.log();
  // The item after the resumed one (its start is the rule's too), and its record.
  const auto after = rig.wait_for(" show ", *resumed);
  ASSERT_TRUE(after) << rig.log();
  ASSERT_TRUE(rig.wait_for(" show ", *after, 20s)) << rig.log();
  EXPECT_EQ(rig.stop(), 0);

  const auto plays = main_zone_plays(rig.journal());
  const auto fire = plays_of(plays, "fire", "evacuate");
  ASSERT_GE(fire.size(), 2u) << describe(plays);
  const auto preempted = phase_of(at(fire[0]["start"]), kSlot);
  RecordProperty("preempted_ms_into_slot", static_cast<int>(preempted.count()));
  ASSERT_GE(preempted, 3000ms) << "the emergency came " << preempted.count()
                               << " ms into its slot: the test aims at the last 3 s (a very slow box?)\n"
                               << rig.log();
  EXPECT_EQ(fire[0]["outcome"], "complete") << describe(plays);
  EXPECT_GE(fire[0]["shown_s"].get<double>(), 6.0) << describe(plays);

  const auto cut = expect_no_flash(plays);
  // Cut short: the item the emergency preempted, the emergency's showing its removal
  // took away, and whatever was on screen when the player stopped.
  ASSERT_EQ(cut.size(), 3u) << describe(plays);
  EXPECT_EQ(cut[0]["outcome"], "interrupted") << describe(plays);
  EXPECT_EQ(cut[0]["campaign"], "month") << describe(plays);
  EXPECT_EQ(cut[0]["reason"], "interrupted by the emergency campaign 'fire'") << describe(plays);
  EXPECT_EQ(cut[1]["campaign"], "fire") << describe(plays);
  EXPECT_EQ(cut[1]["start"], fire[1]["start"]) << "the second showing, cut by the removal: " << describe(plays);
  EXPECT_EQ(cut[2]["reason"], "the player stopped (SIGTERM)") << describe(plays);
  // The interrupted item again, in full.
  const auto again = std::find_if(plays.begin(), plays.end(),
                                  [&](const json& p) { return p["start"].get<std::string>() > fire[1]["start"]; });
  ASSERT_NE(again, plays.end()) << describe(plays);
  EXPECT_EQ((*again)["item"], cut[0]["item"]) << describe(plays);
  EXPECT_EQ((*again)["outcome"], "complete") << describe(plays);
}

// An ordinary (not emergency) playlist dropped while an item is on screen that the new
// set keeps unchanged: the set is recorded as applied within a second, the item
// finishes its showing, and the new campaign's slot that is due then with too little
// left is not started (the item stays on until its end).
TEST(NoFlash, AnOrdinaryDropLetsTheUnchangedItemFinishAndIsAppliedWithinASecond) {
  Rig rig;
  test::write_file(rig.drop() / "month.toml",
                   "[campaign]\nid = \"month\"\n[defaults]\nduration = \"6s\"\ntransition = \"cut\"\n"
                   "[[item]]\nid = \"theme\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n"
                   "[[item]]\nid = \"exits\"\ntype = \"slogan\"\ntext = \"畅通生命通道\"\n");
  // One second before `theme`'s slot: too little of `exits`' slot left to start it, so
  // `theme` goes up at once (at the clock's pace: 1 s of clock is 1 s).
  rig.start("2024-06-16T09:59:59+08:00", 1);
  const auto shown = rig.wait_for(" show month/theme until ");
  ASSERT_TRUE(shown) << rig.log();
  const std::string log = rig.log();
  const Instant theme_end = at(log.substr(*shown, log.find('\n', *shown) - *shown));
  ASSERT_GE(seconds_between(rig.clock_now(), theme_end), 3.0) << "room to drop while it shows\n" << log;

  // A higher-priority campaign whose item's slot, on the epoch's grid, has 1 or 2 s left
  // when `theme` ends.
  long notice_s = 7;
  while (notice_s < 40) {
    const auto left = chr::seconds(notice_s) - phase_of(theme_end, chr::seconds(notice_s));
    if (left >= 1s && left <= 2s) break;
    ++notice_s;
  }
  ASSERT_LT(notice_s, 40);
  const Instant dropped = rig.clock_now();
  rig.drop_file("notice.toml", "[campaign]\nid = \"notice\"\npriority = 10\n[[item]]\nid = \"hotline\"\n"
                               "type = \"slogan\"\ntext = \"举报电话 12350\"\ntransition = \"cut\"\nduration = \"" +
                                   std::to_string(notice_s) + "s\"\n");
  ASSERT_TRUE(rig.wait_for(" show notice/hotline", *shown)) << rig.log();
  EXPECT_EQ(rig.stop(), 0);

  const auto applied = applied_times(rig.journal());
  ASSERT_EQ(applied.size(), 1u) << test::read_file(rig.journal() / "2024-06-16.jsonl") << rig.log();
  RecordProperty("drop_to_applied_ms", static_cast<int>((applied[0] - dropped).count()));
  EXPECT_LE(seconds_between(dropped, applied[0]), 1.0) << "validated and recorded within a second of the drop";
  EXPECT_LT(applied[0], theme_end) << "while the unchanged item was on screen";

  const auto plays = main_zone_plays(rig.journal());
  const auto theme = plays_of(plays, "month", "theme");
  ASSERT_EQ(theme.size(), 1u) << describe(plays);
  EXPECT_EQ(theme[0]["outcome"], "complete") << describe(plays);
  EXPECT_GE(at(theme[0]["end"]), theme_end) << "it finished its showing: " << describe(plays);
  EXPECT_GE(seconds_between(theme_end, at(theme[0]["end"])), 0.9) << "and stayed while the new slot was too short";
  const auto cut = expect_no_flash(plays);
  ASSERT_EQ(cut.size(), 1u) << describe(plays);
  EXPECT_EQ(cut[0]["item"], "hotline");
  EXPECT_EQ(cut[0]["reason"], "the player stopped (SIGTERM)") << describe(plays);
}

}  // namespace
}  // namespace signage
