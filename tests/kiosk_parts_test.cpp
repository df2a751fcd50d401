// The kiosk's parts, each on its own, without a display loop: ClockWatch,
// PlayStats, HeartbeatReporter, SetSwapper and ProofOfPlay.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/clock_watch.h"
#include "app/heartbeat_reporter.h"
#include "app/idle_reason.h"
#include "app/play_stats.h"
#include "app/proof_of_play.h"
#include "app/set_swapper.h"
#include "app/stop_signals.h"
#include "core/digest.h"
#include "core/text_util.h"
#include "core/faulty_env.h"
#include "journal/report.h"
#include "journal/verify.h"
#include "watch/folder_scan.h"
#include "watch/set_builder.h"
#include "support/files.h"
#include "support/zones.h"

namespace signage {
namespace {

namespace chr = std::chrono;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

const Instant kNoon = chr::sys_days{chr::year{2024} / 6 / 16} + 4h;  // 12:00 in Shanghai

// ---- ClockWatch -------------------------------------------------------------

ClockSync synced(bool on) {
  ClockSync s;
  s.synced = on;
  return s;
}

TEST(ClockWatch, ClocksMovingTogetherIsNoJump) {
  ManualMonotonicClock mono;
  ClockWatch w(mono, 1.0, [] { return synced(true); });
  EXPECT_FALSE(w.tick(kNoon, mono.now()));
  mono.advance(60s);
  EXPECT_FALSE(w.tick(kNoon + 61s, mono.now()));  // within the threshold
}

TEST(ClockWatch, AStepOfTheWallClockIsAJumpFromWhereItShouldHaveBeen) {
  ManualMonotonicClock mono;
  ClockWatch w(mono, 1.0, [] { return synced(true); });
  ASSERT_FALSE(w.tick(kNoon, mono.now()));
  mono.advance(10s);
  const auto jump = w.tick(kNoon + 10s - 1h, mono.now());
  ASSERT_TRUE(jump);
  EXPECT_EQ(jump->from, kNoon + 10s);
  EXPECT_EQ(jump->by, -1h);
  // Measured from the new reading on.
  mono.advance(1s);
  EXPECT_FALSE(w.tick(kNoon + 11s - 1h, mono.now()));
}

TEST(ClockWatch, ASimulatedClockRunningFasterIsNoJump) {
  ManualMonotonicClock mono;
  ClockWatch w(mono, 60.0, [] { return synced(true); });
  ASSERT_FALSE(w.tick(kNoon, mono.now()));
  mono.advance(10s);
  EXPECT_FALSE(w.tick(kNoon + 10min, mono.now()));
  mono.advance(10s);
  EXPECT_TRUE(w.tick(kNoon + 10min + 10s, mono.now()));  // stood still: 9m50s behind
}

// Who keeps the clock, and how far off it may be, from the kernel's own figures
// (adjtimex) and the daemons' run-time files.
TEST(ClockSync, SourceAndOffsetFromTheKernelAndTheDaemonsFiles) {
  const auto only = [](const char* file) {
    return [file](const char* path) { return std::string_view(path) == file; };
  };
  KernelClock k{.synced = true, .offset_ms = -1.5, .est_error_ms = 0.25, .max_error_ms = 12};
  ClockSync s = clock_sync_from(k, only("/run/chrony/chronyd.pid"));
  EXPECT_TRUE(s.synced);
  EXPECT_EQ(s.source, "chrony");
  ASSERT_TRUE(s.offset_ms);
  EXPECT_DOUBLE_EQ(*s.offset_ms, 1.75);  // |slewing| + estimated error
  EXPECT_EQ(s.max_error_ms, 12.0);
  EXPECT_EQ(clock_sync_from(k, only("/run/systemd/timesync/synchronized")).source, "timesyncd");
  EXPECT_EQ(clock_sync_from(k, only("/run/ntpd.pid")).source, "ntpd");
  EXPECT_EQ(clock_sync_from(k, only("/nowhere")).source, "kernel");
  // Not synchronised: the daemon may run, but no figure is worth sending.
  k.synced = false;
  s = clock_sync_from(k, only("/run/chrony/chronyd.pid"));
  EXPECT_FALSE(s.synced);
  EXPECT_EQ(s.source, "chrony");
  EXPECT_FALSE(s.offset_ms);
  EXPECT_FALSE(s.max_error_ms);
  EXPECT_EQ(clock_sync_from(k, only("/nowhere")).source, "none");
  // This machine's own reading is one of those.
  const ClockSync here = read_clock_sync();
  EXPECT_TRUE(here.source == "chrony" || here.source == "timesyncd" || here.source == "ntpd" ||
              here.source == "kernel" || here.source == "none");
  EXPECT_EQ(here.offset_ms.has_value(), here.synced);
}

TEST(ClockWatch, SyncStateIsAskedOncePerIntervalAndAgainAfterAJump) {
  ManualMonotonicClock mono;
  int asked = 0;
  bool answer = false;
  ClockWatch w(mono, 1.0, [&] { ++asked; return synced(answer); }, 10s);
  EXPECT_FALSE(w.synced());
  answer = true;
  EXPECT_FALSE(w.synced());  // cached
  EXPECT_EQ(asked, 1);
  mono.advance(10s);
  EXPECT_TRUE(w.synced());
  EXPECT_EQ(asked, 2);
  answer = false;
  ASSERT_FALSE(w.tick(kNoon, mono.now()));
  mono.advance(1s);
  ASSERT_TRUE(w.tick(kNoon + 1h, mono.now()));
  EXPECT_FALSE(w.synced());  // the jump made it ask again
  EXPECT_EQ(asked, 3);
}

// ---- PlayStats --------------------------------------------------------------

Image solid(std::uint8_t v, int w = 10, int h = 10) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.assign(static_cast<std::size_t>(w * h * 4), v);
  return img;
}

TEST(PlayStats, NearlyBlackMeansNinetyNinePercentDark) {
  EXPECT_TRUE(nearly_black(solid(0)));
  EXPECT_FALSE(nearly_black(solid(40)));
  Image img = solid(0);
  img.rgba[0] = 200;  // 1 of 100 pixels lit: still black
  EXPECT_TRUE(nearly_black(img));
  img.rgba[4] = 200;  // 2 of 100: not
  EXPECT_FALSE(nearly_black(img));
  EXPECT_FALSE(nearly_black(Image{}));
}

TEST(PlayStats, SwitchIntervalCountsFromWhenTheSwitchWasDue) {
  PlayStats s(true);
  const MonoTime t0{};
  s.presented(t0, false);
  // A still picture for 10 s, then a switch due at 10 s that presents at 10.040 s.
  s.switched(t0 + 10s);
  s.presented(t0 + 10040ms, false);
  EXPECT_DOUBLE_EQ(s.figures().longest_switch_interval_ms, 40.0);
  // Not continuous: the still frame's 10 s do not count as a present interval.
  EXPECT_DOUBLE_EQ(s.figures().longest_present_interval_ms, 0.0);
  s.presented(t0 + 10073ms, true);
  EXPECT_DOUBLE_EQ(s.figures().longest_present_interval_ms, 33.0);
  EXPECT_DOUBLE_EQ(s.figures().longest_switch_interval_ms, 40.0);  // no switch pending
  EXPECT_EQ(s.figures().frames_presented, 3u);
}

TEST(PlayStats, ThreeFramesAreCheckedAfterEachSwitchWithStatsOnly) {
  PlayStats detailed(true), plain(false);
  detailed.switched(MonoTime{});
  plain.switched(MonoTime{});
  int checks = 0;
  for (int i = 0; i < 5; ++i) {
    if (detailed.check_due()) {
      ++checks;
      detailed.checked(solid(i == 0 ? 0 : 200));
    }
    EXPECT_FALSE(plain.check_due());
  }
  EXPECT_EQ(checks, 3);
  EXPECT_EQ(detailed.frames_checked(), 3u);
  EXPECT_EQ(detailed.black_frames(), 1u);
}

TEST(PlayStats, DroppedFramesCountInEveryRunPlaysOnlyWithStats) {
  ItemPlayStats video;
  video.decoder = "h264";
  video.frames_presented = 300;
  video.frames_dropped = 4;
  PlayStats plain(false), detailed(true);
  for (PlayStats* s : {&plain, &detailed}) {
    s->switched(MonoTime{});
    s->presented(MonoTime{}, false);
    s->play_ended("c/clip", "video", video, "complete");
    s->add_dropped(2);
  }
  EXPECT_EQ(plain.dropped_total(1), 7u);
  EXPECT_TRUE(plain.figures().items.empty());
  ASSERT_EQ(detailed.figures().items.size(), 1u);
  EXPECT_EQ(detailed.figures().items[0].frames_presented, 300u);  // the decoder's count for a video
  EXPECT_EQ(detailed.figures().frames_dropped, 4u);
  // A picture counts the frames presented while it was up.
  detailed.switched(MonoTime{});
  detailed.presented(MonoTime{} + 1s, false);
  detailed.presented(MonoTime{} + 2s, false);
  detailed.play_ended("c/pic", "image", std::nullopt, "interrupted");
  EXPECT_EQ(detailed.figures().items[1].frames_presented, 2u);
  const auto j = detailed.to_json(3s, "null");
  EXPECT_EQ(j["items"].size(), 2u);
  EXPECT_EQ(j["items"][1]["outcome"], "interrupted");
  EXPECT_DOUBLE_EQ(j["wall_seconds"].get<double>(), 3.0);
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 0.0);
}

// ---- HeartbeatReporter ------------------------------------------------------

struct HeartbeatRig {
  DeviceConfig config;
  std::shared_ptr<const TimeZone> zone = fixed_offset_zone(8h);
  std::ostringstream log;
  std::vector<Heartbeat> sent;
  UplinkStatus status;
  HeartbeatRig() {
    config.screen_id = "lobby-01";
    config.site = "洛江万达广场";
    config.heartbeat = 60s;
  }
  HeartbeatReporter make(MonoTime started) {
    return HeartbeatReporter(
        config, *zone, started, log, [this](Heartbeat hb) { sent.push_back(std::move(hb)); },
        [this] { return status; });
  }
};

TEST(HeartbeatReporter, FirstAtOnceThenEveryIntervalOfMonotonicTime) {
  HeartbeatRig rig;
  const MonoTime t0{};
  auto r = rig.make(t0);
  PlaylistSet set;
  auto snap = [&] {
    HeartbeatReporter::Snapshot s;
    s.set = &set;
    return s;
  };
  EXPECT_TRUE(r.due(t0));
  EXPECT_EQ(r.maybe_send(snap, kNoon, t0), t0 + 60s);
  EXPECT_EQ(r.maybe_send(snap, kNoon + 59s, t0 + 59s), t0 + 60s);
  EXPECT_EQ(rig.sent.size(), 1u);
  // The wall clock does not matter (it may jump); monotonic time does.
  EXPECT_EQ(r.maybe_send(snap, kNoon - 1h, t0 + 60s), t0 + 120s);
  ASSERT_EQ(rig.sent.size(), 2u);
  EXPECT_EQ(rig.sent[1].time, "2024-06-16T11:00:00.000+08:00");
  EXPECT_DOUBLE_EQ(rig.sent[1].uptime_s, 60.0);
  EXPECT_DOUBLE_EQ(rig.sent[1].interval_s, 60.0);
  EXPECT_EQ(rig.sent[1].screen, "lobby-01");
}

TEST(HeartbeatReporter, SaysWhatIsShownAndDroppedFramesSinceTheLastOne) {
  HeartbeatRig rig;
  auto r = rig.make(MonoTime{});
  PlaylistSet set;
  Campaign active, later;
  active.id = "safety-month";
  active.source_sha256 = "aa";
  later.id = "july";
  later.when.starts = chr::year{2024} / 7 / 1;
  set.campaigns = {active, later};
  HeartbeatReporter::Snapshot s;
  s.set = &set;
  s.showing = "safety-month/clip";
  s.decoder = "h264 (vaapi)";
  s.hw_decode = true;
  s.frames_dropped_total = 5;
  s.journal_seq = 12;
  s.journal_hash = "ff";
  s.clock.synced = true;
  s.clock.source = "chrony";
  s.clock.offset_ms = 0.25;
  Heartbeat a = r.build(s, kNoon, MonoTime{});
  EXPECT_EQ(a.showing, "safety-month/clip");
  EXPECT_EQ(a.decoder, "h264 (vaapi)");
  EXPECT_TRUE(a.hw_decode);
  EXPECT_EQ(a.frames_dropped, 5u);
  EXPECT_EQ(a.journal_seq, 12u);
  EXPECT_TRUE(a.clock_synced);
  EXPECT_EQ(a.clock_source, "chrony");
  EXPECT_EQ(a.clock_offset_ms, 0.25);
  ASSERT_EQ(a.campaigns.size(), 1u);
  EXPECT_EQ(a.campaigns[0].id, "safety-month");
  s.frames_dropped_total = 8;
  s.showing.clear();  // the idle screen: no decoder
  Heartbeat b = r.build(s, kNoon, MonoTime{});
  EXPECT_EQ(b.frames_dropped, 3u);
  EXPECT_EQ(b.decoder, "");
}

TEST(HeartbeatReporter, NamesTheLastRefusedPlaylistWithItsErrorsCapped) {
  HeartbeatRig rig;
  auto r = rig.make(MonoTime{});
  nlohmann::json errors = nlohmann::json::array();
  for (int i = 0; i < 100; ++i) errors.push_back("bad.toml:" + std::to_string(i) + ":1: error: something is wrong");
  r.rejected("bad.toml", errors);
  const Heartbeat hb = r.build({}, kNoon, MonoTime{});
  EXPECT_EQ(hb.last_rejected_playlist, "bad.toml");
  EXPECT_EQ(hb.last_rejected_reason.rfind("bad.toml:0:1: error", 0), 0u);
  EXPECT_LT(hb.last_rejected_reason.size(), 1100u);
}

TEST(HeartbeatReporter, LogsTheUplinksStateOncePerChange) {
  HeartbeatRig rig;
  auto r = rig.make(MonoTime{});
  auto snap = [] { return HeartbeatReporter::Snapshot{}; };
  rig.status.last_error = "connection refused";
  rig.status.backlog = 7;
  MonoTime t{};
  for (int i = 0; i < 3; ++i, t += 60s) (void)r.maybe_send(snap, kNoon, t);
  rig.status.last_error.clear();
  rig.status.acked_seq = 40;
  for (int i = 0; i < 2; ++i, t += 60s) (void)r.maybe_send(snap, kNoon, t);
  EXPECT_EQ(rig.log.str(),
            "signage: central log: connection refused (7 record(s) waiting; they are kept and sent later)\n"
            "signage: central log: delivering again (acknowledged up to seq 40)\n");
}

// ---- SetSwapper -------------------------------------------------------------

PlaylistSet one_campaign(const std::string& id, const std::string& sha, int priority = 10) {
  PlaylistSet set;
  Campaign c;
  c.id = id;
  c.source_sha256 = sha;
  c.priority = priority;
  Item i;
  i.id = "theme";
  i.text = "人人讲安全";
  c.items.push_back(i);
  set.campaigns.push_back(c);
  return set;
}

PlaylistSet video_set();

Update update_with(PlaylistSet set, bool initial = false) {
  Update u;
  u.initial = initial;
  u.set = std::move(set);
  u.media_sha256[fs::path("/media/a.mp4")] = "abc";
  return u;
}

TEST(SetSwapper, ABaselineThatRepeatsTheRunningSetIsNoSwapButBringsItsHashes) {
  SetSwapper s(100);
  const PlaylistSet running = one_campaign("a", "1");
  Update u = update_with(one_campaign("a", "1"), true);
  const auto hashes = s.offer(u, running, kNoon);
  ASSERT_TRUE(hashes);
  EXPECT_EQ(hashes->at("/media/a.mp4"), "abc");
  EXPECT_FALSE(s.pending());
}

// A file dropped while the player started reaches it in the watcher's baseline: it is
// a drop like any other, recorded (not quiet); an item the watcher held back is not.
TEST(SetSwapper, ABaselineWithOtherFilesIsRecordedOneWithItemsHeldBackIsQuiet) {
  SetSwapper s(100);
  Update dropped = update_with(one_campaign("a", "2"), true);
  (void)s.offer(dropped, one_campaign("a", "1"), kNoon);
  ASSERT_TRUE(s.pending());
  EXPECT_FALSE(s.take().quiet);
  PlaylistSet held = one_campaign("a", "1");
  held.campaigns[0].items[0].media_missing = true;
  Update baseline = update_with(held, true);
  (void)s.offer(baseline, one_campaign("a", "1"), kNoon);
  ASSERT_TRUE(s.pending());
  EXPECT_TRUE(s.take().quiet);
}

TEST(SetSwapper, UnderASloganANewSetWaitsAtMostMaxSwapWait) {
  SetSwapper s(100);
  Update u = update_with(one_campaign("a", "2"));
  EXPECT_FALSE(s.offer(u, one_campaign("a", "1"), kNoon));
  ASSERT_TRUE(s.pending());
  const SetSwapper::OnScreen slogan{true, false, kNoon + 10s};
  EXPECT_FALSE(s.due(kNoon + 499ms, slogan));
  EXPECT_TRUE(s.due(kNoon + 500ms, slogan));
  EXPECT_EQ(s.deadline(), kNoon + SetSwapper::kMaxSwapWait);
  // A second set before the first went up replaces it; the wait counts from the first.
  Update again = update_with(one_campaign("a", "3"));
  (void)s.offer(again, one_campaign("a", "1"), kNoon + 200ms);
  EXPECT_EQ(s.deadline(), kNoon + SetSwapper::kMaxSwapWait);
  const SetSwapper::Swap swap = s.take();
  EXPECT_EQ(swap.set.campaigns[0].source_sha256, "3");
  EXPECT_FALSE(swap.quiet);
  EXPECT_EQ(swap.media_sha256.at("/media/a.mp4"), "abc");
  EXPECT_FALSE(s.pending());
}

// The item on screen finishes its showing when the new set has it unchanged: nothing
// to wait for, the set goes up (and is recorded) at once.
TEST(SetSwapper, ANewSetThatKeepsTheItemOnScreenUnchangedGoesUpAtOnce) {
  const PlaylistSet running = one_campaign("a", "1");
  SetSwapper s(100);
  Update u = update_with(one_campaign("a", "2"));
  (void)s.offer(u, running, kNoon);
  const SetSwapper::OnScreen slogan{true, false, kNoon + 10s};
  const SetSwapper::ItemOnScreen theme{{"a", "theme"}, &running.campaigns[0].items[0], ""};
  EXPECT_TRUE(s.keeps(theme));
  EXPECT_TRUE(s.due(kNoon, slogan, &theme));
  EXPECT_FALSE(s.due(kNoon, slogan)) << "not said: the boundary rule";
  // Its text changed: it leaves, at the next boundary or kMaxSwapWait.
  PlaylistSet changed = one_campaign("a", "3");
  changed.campaigns[0].items[0].text = "个个会应急";
  Update v = update_with(changed);
  (void)s.offer(v, running, kNoon);
  EXPECT_FALSE(s.keeps(theme));
  EXPECT_FALSE(s.due(kNoon, slogan, &theme));
  // A video with the same media hash stays; with another, the set waits for its end.
  const PlaylistSet clip = video_set();
  SetSwapper w(100);
  Update same = update_with(video_set());
  same.media_sha256 = {{fs::path("/nonexistent/media/clip.mp4"), "cafe"}};
  (void)w.offer(same, clip, kNoon);
  const SetSwapper::OnScreen video{true, true, kNoon + 30s};
  SetSwapper::ItemOnScreen playing{{"safety-month", "clip"}, &clip.campaigns[0].items[0], "cafe"};
  EXPECT_TRUE(w.due(kNoon, video, &playing));
  playing.hash = "beef";
  EXPECT_FALSE(w.due(kNoon + 29s, video, &playing));
  EXPECT_TRUE(same_item(clip.campaigns[0].items[0], "cafe", clip.campaigns[0].items[0], "cafe"));
  EXPECT_FALSE(same_item(clip.campaigns[0].items[0], "", clip.campaigns[0].items[0], "")) << "unknown hash";
}

TEST(SetSwapper, UnderAVideoANewSetWaitsForItsEnd) {
  SetSwapper s(100);
  Update u = update_with(one_campaign("a", "2"));
  (void)s.offer(u, one_campaign("a", "1"), kNoon);
  const SetSwapper::OnScreen video{true, true, kNoon + 30s};
  EXPECT_FALSE(s.due(kNoon + 29s, video));
  EXPECT_TRUE(s.due(kNoon + 30s, video));
}

TEST(SetSwapper, AnEmergencyOrAnIdleScreenSwapsAtOnce) {
  SetSwapper s(100);
  Update u = update_with(one_campaign("fire", "2", 200));
  u.emergency_started = {"fire"};
  (void)s.offer(u, one_campaign("a", "1"), kNoon);
  EXPECT_TRUE(s.due(kNoon, {true, true, kNoon + 30s}));
  (void)s.take();
  Update v = update_with(one_campaign("a", "3"));
  (void)s.offer(v, one_campaign("a", "1"), kNoon);
  EXPECT_FALSE(s.due(kNoon, {true, false, kNoon + 30s}));  // urgency went with the taken set
  EXPECT_TRUE(s.due(kNoon, {false, false, kNoon + 30s}));
  EXPECT_TRUE(s.due(kNoon, {true, false, std::nullopt}));
}

TEST(SetSwapper, RemembersWhatAnEmergencyInterruptedOnce) {
  SetSwapper s(100);
  EXPECT_TRUE(s.emergency(one_campaign("fire", "", 100).campaigns[0]));
  EXPECT_FALSE(s.emergency(one_campaign("a", "", 99).campaigns[0]));
  EXPECT_EQ(s.interrupt({"a", "theme"}, "fire"), "interrupted by the emergency campaign 'fire'");
  EXPECT_FALSE(s.resume(false, false));  // no emergency on screen
  EXPECT_FALSE(s.resume(true, true));    // the emergency goes on
  EXPECT_EQ(s.resume(true, false), std::make_pair(std::string("a"), std::string("theme")));
  EXPECT_FALSE(s.resume(true, false));   // once
}

TEST(SetSwapper, SameContentComparesFilesAndHeldBackItems) {
  PlaylistSet a = one_campaign("a", "1");
  PlaylistSet b = a;
  EXPECT_TRUE(same_content(a, b));
  b.campaigns[0].items[0].media_missing = true;
  EXPECT_FALSE(same_content(a, b));
  EXPECT_FALSE(same_content(a, one_campaign("a", "2")));
  EXPECT_FALSE(same_content(a, PlaylistSet{}));
}

// ---- ProofOfPlay ------------------------------------------------------------

struct ProofRig {
  test::TempDir dir{"proof-of-play"};
  DeviceConfig config;
  std::shared_ptr<const TimeZone> zone = fixed_offset_zone(8h);
  std::ostringstream log;
  PosixEnv base{false};
  FaultyEnv io{base};
  std::optional<Journal> journal;
  int recorded = 0;
  ProofRig() {
    config.screen_id = "lobby-01";
    auto j = Journal::open(dir.path() / "journal", *zone, io, kNoon);
    EXPECT_TRUE(j) << j.error().what();
    journal.emplace(std::move(*j));
  }
  ProofOfPlay make() {
    return ProofOfPlay(config, *zone, &*journal, nullptr, log, [] { return true; }, [this] { ++recorded; });
  }
  std::vector<nlohmann::json> records() {
    std::vector<nlohmann::json> out;
    auto files = list_journal_files(dir.path() / "journal", base);
    EXPECT_TRUE(files);
    for (const auto& f : *files) {
      std::istringstream in(test::read_file(f.path));
      for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }
};

PlaylistSet video_set() {
  PlaylistSet set = one_campaign("safety-month", "pp");
  Item& v = set.campaigns[0].items[0];
  v.id = "clip";
  v.type = ItemType::video;
  v.file = "media/clip.mp4";
  v.path = "/nonexistent/media/./clip.mp4";
  v.text.clear();
  return set;
}

TEST(ProofOfPlay, APlayIsRecordedOnceSeenWithTheWatchersMediaHash) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  const PlaylistSet set = video_set();
  p.media_hashes({{fs::path("/nonexistent/media/clip.mp4"), "cafe"}});
  p.begin(set, Showing{0, 0, kNoon, kNoon + 30s}, kNoon + 30s, kNoon);
  ASSERT_TRUE(p.playing());
  EXPECT_FALSE(p.current_record(set, "", kNoon + 1s, PlayOutcome::complete, ""));  // not seen yet
  p.presented(kNoon + 20ms);
  p.presented(kNoon + 60ms);  // the first frame counts
  auto rec = p.current_record(set, "h264", kNoon + 30s, PlayOutcome::complete, "");
  ASSERT_TRUE(rec);
  p.end(rec, kNoon + 30s);
  EXPECT_FALSE(p.play());
  const auto r = rig.records();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["type"], "play");
  EXPECT_EQ(r[0]["media_sha256"], "cafe");
  EXPECT_EQ(r[0]["decoder"], "h264");
  EXPECT_EQ(r[0]["start"], "2024-06-16T12:00:00.020+08:00");
  EXPECT_DOUBLE_EQ(r[0]["shown_s"].get<double>(), 29.98);
  EXPECT_EQ(r[0]["outcome"], "complete");
  EXPECT_EQ(rig.recorded, 1) << log;
}

// The render thread reads no media file for a record: a file there to read, but no
// hash from the watcher yet, is recorded without one; the video's own length is the
// set's (Item::media_length), not the file's (this one is no video at all).
TEST(ProofOfPlay, ARecordReadsNoFileTheHashComesFromTheWatcherAndTheLengthFromTheSet) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  PlaylistSet set = video_set();
  Item& clip = set.campaigns[0].items[0];
  clip.path = rig.dir.write("media/clip.mp4", "not a video, but a file that could be hashed");
  clip.media_length = 7250ms;
  const auto play = [&](Instant at) {
    p.begin(set, Showing{0, 0, at, at + 10s}, at + 10s, at);
    p.presented(at);
    auto rec = p.current_record(set, "", at + 10s, PlayOutcome::complete, "");
    ASSERT_TRUE(rec);
    p.end(rec, at + 10s);
  };
  play(kNoon);
  p.media_hashes({{clip.path.lexically_normal(), "cafe"}});
  play(kNoon + 10s);
  clip.media_length = 0ms;  // the set could not tell
  play(kNoon + 20s);
  const auto r = rig.records();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_FALSE(r[0].contains("media_sha256")) << r[0];  // not known yet: unknown
  EXPECT_DOUBLE_EQ(r[0]["media_duration_s"].get<double>(), 7.25);
  EXPECT_EQ(r[1]["media_sha256"], "cafe");
  EXPECT_FALSE(r[2].contains("media_duration_s")) << r[2];
}

TEST(ProofOfPlay, AnEarlyEndIsPartialWithItsReasons) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  const PlaylistSet set = video_set();
  p.begin(set, Showing{0, 0, kNoon, kNoon + 30s}, kNoon + 30s, kNoon);
  p.presented(kNoon);
  auto late_enough = p.current_record(set, "", kNoon + 29800ms, PlayOutcome::complete, "cut");
  EXPECT_EQ(late_enough->outcome, PlayOutcome::complete);  // within the slack
  EXPECT_EQ(late_enough->reason, "");
  EXPECT_EQ(late_enough->decoder, "none");
  EXPECT_EQ(late_enough->media_sha256, "");  // no watcher hash, no file
  auto early = p.current_record(set, "", kNoon + 10s, PlayOutcome::complete, "cut");
  EXPECT_EQ(early->outcome, PlayOutcome::partial);
  EXPECT_EQ(early->partial_reason, "late_start");
  EXPECT_EQ(early->reason, "cut");
  p.partial_reason("playlist_change");
  EXPECT_EQ(p.current_record(set, "", kNoon + 10s, PlayOutcome::complete, "cut")->partial_reason, "playlist_change");
  auto stopped = p.current_record(set, "", kNoon + 10s, PlayOutcome::interrupted, "stop");
  EXPECT_EQ(stopped->outcome, PlayOutcome::interrupted) << "a stop or an emergency stays interrupted";

  // Put up on time, but its first frame came 2 s late (the media was not ready).
  p.begin(set, Showing{0, 0, kNoon, kNoon + 30s}, kNoon + 30s, kNoon);
  p.presented(kNoon + 2s);
  auto late = p.current_record(set, "", kNoon + 30s, PlayOutcome::complete, "");
  EXPECT_EQ(late->outcome, PlayOutcome::partial);
  EXPECT_EQ(late->partial_reason, "late_media");
  EXPECT_DOUBLE_EQ(late->shown_s, 28.0);
}

TEST(ProofOfPlay, TheIdleScreenIsAnEventNotAPlay) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  p.begin(PlaylistSet{}, std::nullopt, kNoon + 1h, kNoon);
  EXPECT_FALSE(p.playing());
  ASSERT_TRUE(p.play());
  p.presented(kNoon);
  EXPECT_FALSE(p.current_record(PlaylistSet{}, "", kNoon + 1h, PlayOutcome::complete, ""));
  const auto r = rig.records();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["type"], "display_idle");
  EXPECT_EQ(r[0]["until"], "2024-06-16T13:00:00.000+08:00");
}

TEST(ProofOfPlay, ASkippedItemIsAMediaErrorAndASkippedPlay) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  const PlaylistSet set = video_set();
  p.skipped(set.campaigns[0], set.campaigns[0].items[0], Error("cannot open"), kNoon);
  const auto r = rig.records();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0]["type"], "media_error");
  EXPECT_EQ(r[0]["error"], "cannot open");
  EXPECT_EQ(r[1]["outcome"], "skipped");
  EXPECT_EQ(r[1]["shown_s"], 0);
}

TEST(ProofOfPlay, AFailingJournalIsLoggedOncePerOutage) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  p.stopped("quit", kNoon);
  EXPECT_EQ(p.journal_error(), "");
  rig.io.fail_appends_after(0);
  for (int i = 0; i < 3; ++i) p.stopped("quit", kNoon);
  EXPECT_NE(p.journal_error().find("No space left on device"), std::string::npos) << "for heartbeat and status";
  rig.io.clear_faults();
  p.stopped("quit", kNoon);
  EXPECT_EQ(p.journal_error(), "");
  const std::string log = rig.log.str();
  EXPECT_EQ(log.find("signage: ERROR: the journal cannot be written, plays are not recorded: "), 0u) << log;
  EXPECT_NE(log.find("No space left on device"), std::string::npos) << log;
  const auto again = log.find("signage: the journal is written again\n");
  ASSERT_NE(again, std::string::npos) << log;
  EXPECT_EQ(log.find("signage: ", 1), again) << log;  // one message per change
  EXPECT_EQ(rig.recorded, 2);
  EXPECT_EQ(rig.records().size(), 2u);
}

TEST(ProofOfPlay, UpdatesRecordRefusalsAndItemChangesButTheBaselineOnlyItsHeldBackItems) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  Update u;
  RejectedFile bad;
  bad.file = "/drop/bad.toml";
  bad.diagnostics.push_back(Diagnostic{Severity::error, SourcePos{"/drop/bad.toml", 3, 5}, "bad key"});
  u.rejected.push_back(bad);
  u.items.push_back(ItemChange{ItemChange::Kind::left, "a", "clip", "/drop/media/clip.mp4", "", "gone"});
  const auto refused = p.updated(u, kNoon);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].file, "bad.toml");
  Update baseline = u;
  baseline.initial = true;
  baseline.set = PlaylistSet{};
  baseline.held_back.push_back(HeldItem{"a", "clip", "/drop/media/clip.mp4", "still being copied"});
  // Only waiting for its hash (an emergency made the baseline go early): no error.
  baseline.held_back.push_back(
      HeldItem{"a", "big", "/drop/media/big.mp4", "media file big.mp4 is being hashed", true});
  EXPECT_TRUE(p.updated(baseline, kNoon).empty());
  const auto r = rig.records();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["type"], "playlist_rejected");
  EXPECT_EQ(r[1]["type"], "item_left");
  EXPECT_EQ(r[1]["file"], "clip.mp4");
  EXPECT_EQ(r[2]["type"], "media_error");
  EXPECT_EQ(r[2]["held_back"], true);
}

// The watcher's side without its thread: a drop folder, a SetBuilder and the settle
// tracker on a clock moved by hand; each Update goes to ProofOfPlay::updated.
struct DropRig {
  test::TempDir drop{"proof-drop"};
  MediaHasher hasher;  // slogans only: nothing to hash
  SetBuilder builder{SetBuilderOptions{drop.path(), LoadOptions{drop.path()}, 100, {}}, hasher};
  SettleTracker tracker{300ms};
  SettleTracker::TimePoint now{};
  int updates = 0;
  void deliver(ProofOfPlay& p, Instant at) {
    for (int i = 0; i < 2; ++i) {
      tracker.observe(scan_drop_folder(drop.path(), drop.path()), now);
      now += 301ms;
    }
    auto out = builder.build(tracker);
    EXPECT_TRUE(out.stale.empty());
    if (!out.update) return;
    ++updates;
    p.updated(*out.update, at);
  }
};

std::size_t count_type(const std::vector<nlohmann::json>& records, const std::string& type) {
  return static_cast<std::size_t>(
      std::count_if(records.begin(), records.end(), [&](const nlohmann::json& r) { return r["type"] == type; }));
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ProofOfPlay, ARefusedPlaylistFixedLaterIsAcceptedOnceInTheLogAndTheJournal) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  DropRig d;
  const std::string good = "[campaign]\nid = \"b\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"安全\"\n";
  d.drop.write("a.toml", "[campaign]\nid = \"a\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"a\"\n");
  d.drop.write("b.toml", "[campaign]\nid = \"b\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\n");  // no text
  d.deliver(p, kNoon);        // the baseline
  d.deliver(p, kNoon + 1s);   // nothing new
  EXPECT_EQ(count_type(rig.records(), "playlist_accepted"), 0u);
  d.drop.write("b.toml", good);
  d.deliver(p, kNoon + 2s);
  d.deliver(p, kNoon + 3s);   // still valid: nothing to say
  EXPECT_EQ(d.updates, 2);
  const auto r = rig.records();
  ASSERT_EQ(count_type(r, "playlist_accepted"), 1u);
  const auto it = std::find_if(r.begin(), r.end(), [](const auto& j) { return j["type"] == "playlist_accepted"; });
  EXPECT_EQ((*it)["file"], "b.toml");
  EXPECT_EQ((*it)["campaign"], "b");
  EXPECT_EQ((*it)["sha256"], *sha256_file(d.drop / "b.toml"));
  EXPECT_EQ((*it)["time"], "2024-06-16T12:00:02.000+08:00");
  const std::string log = rig.log.str();
  EXPECT_EQ(count_of(log, "accepted "), 1u) << log;
  EXPECT_NE(log.find("2024-06-16T12:00:02.000+08:00 accepted " + (d.drop / "b.toml").string() +
                     ": the refused playlist loads now (campaign 'b')\n"),
            std::string::npos)
      << log;

  // The record is a journal record like any other: verify and report take it.
  const VerifyResult v = verify_journal(rig.dir.path() / "journal");
  EXPECT_TRUE(v.ok) << v.summary();
  EXPECT_EQ(v.records, r.size());
  ReportRequest req;
  req.paths = {rig.dir.path() / "journal"};
  req.from = req.to = Date{chr::year{2024}, chr::month{6}, chr::day{16}};
  auto report = build_report(req);
  ASSERT_TRUE(report) << report.error().what();
  EXPECT_TRUE(report->all_chains_intact());
  EXPECT_TRUE(report->problems.empty());
}

TEST(ProofOfPlay, TheAcceptanceIsInChineseInAChineseLog) {
  const ScopedMessageLanguage zh(Language::zh_CN);
  ProofRig rig;
  ProofOfPlay p = rig.make();
  p.accepted(AcceptedFile{"/drop/b.toml", "b", "00"}, kNoon);
  EXPECT_NE(rig.log.str().find("已采用 /drop/b.toml：之前不予采用的播放列表现在可以加载（活动“b”）"), std::string::npos)
      << rig.log.str();
}

TEST(ProofOfPlay, AFileRefusedAtStartAndFixedBeforeTheWatchersFirstLookIsAccepted) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  const auto display = open_null_display(64, 36);
  PlaylistSetResult loaded;
  loaded.refused.push_back("/drop/b.toml");
  loaded.diagnostics.push_back(Diagnostic{Severity::error, SourcePos{"/drop/b.toml", 2, 1}, "bad"});
  p.started(*display, loaded, loaded.set, kNoon);
  Update baseline;
  baseline.initial = true;
  baseline.set.emplace();
  baseline.applied.push_back(AppliedFile{"/drop/./b.toml", "b", "ff", false});
  p.updated(baseline, kNoon + 1s);
  p.updated(baseline, kNoon + 2s);  // a later initial Update (never happens) says nothing more
  const auto r = rig.records();
  ASSERT_EQ(count_type(r, "playlist_accepted"), 1u);
  EXPECT_EQ(r.back()["type"], "playlist_accepted");
  EXPECT_EQ(r.back()["file"], "b.toml");
}

TEST(ProofOfPlay, AFileThePlayerIgnoresIsLoggedOnceWhenItAppears) {
  ProofRig rig;
  ProofOfPlay p = rig.make();
  DropRig d;
  d.drop.write("a.toml", "[campaign]\nid = \"a\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"a\"\n");
  d.deliver(p, kNoon);
  d.drop.write("x.toml.txt", "[campaign]\nid = \"x\"\n");
  d.deliver(p, kNoon + 1s);
  d.deliver(p, kNoon + 2s);
  const std::string log = rig.log.str();
  const std::string name = (d.drop / "x.toml.txt").string();
  EXPECT_EQ(count_of(log, name), 1u) << log;
  EXPECT_NE(log.find(name + ": warning: "), std::string::npos) << log;
}

// ---- IdleReason: the idle screen's why ----

// A campaign every day from 08:00 to 18:00 from 2024-06-16, in the screen's zone.
PlaylistSet mornings() {
  PlaylistSet set = one_campaign("safety-month", "1");
  set.campaigns[0].when.starts = Date{chr::year{2024}, chr::month{6}, chr::day{16}};
  set.campaigns[0].when.hours = {TimeWindow{8h, 18h}};
  return set;
}

struct IdleTexts {
  std::string en, zh;
};
IdleTexts texts(const IdleReason& r, const TimeZone& zone, Instant now) {
  return {idle_reason_text(r, Language::en, zone, now), idle_reason_text(r, Language::zh_CN, zone, now)};
}

TEST(IdleReason, TheFolderIsMissing) {
  const auto zone = test::zone("Asia/Shanghai");
  FolderState folder;
  folder.readable = false;
  const IdleReason r = idle_reason(folder, PlaylistSet{}, kNoon, *zone);
  EXPECT_EQ(r.cause, IdleCause::folder_missing);
  const IdleTexts t = texts(r, *zone, kNoon);
  EXPECT_EQ(t.en, "The playlist folder is missing or cannot be read");
  EXPECT_EQ(t.zh, "播放列表文件夹不存在或无法读取");
}

TEST(IdleReason, ThereAreNoPlaylists) {
  const auto zone = test::zone("Asia/Shanghai");
  const IdleReason r = idle_reason(FolderState{}, PlaylistSet{}, kNoon, *zone);
  EXPECT_EQ(r.cause, IdleCause::no_playlists);
  const IdleTexts t = texts(r, *zone, kNoon);
  EXPECT_EQ(t.en, "The playlist folder has no playlists (.toml files)");
  EXPECT_EQ(t.zh, "播放列表文件夹中没有播放列表（.toml 文件）");
}

TEST(IdleReason, EveryPlaylistWasRefusedWithTheFirstErrorShortened) {
  const auto zone = test::zone("Asia/Shanghai");
  FolderState folder;
  folder.files = 2;
  folder.refused = {"/drop/a.toml", "/drop/b.toml"};
  folder.first_error = "a.toml:3:8: 这里用了中文引号 “ ”，请把输入法切换到英文后重新输入引号，例如 text = \"人人讲安全\"，"
                       "然后保存文件再放回文件夹；其他几个文件也有同样的问题，请逐个修改";
  const IdleReason r = idle_reason(folder, PlaylistSet{}, kNoon, *zone);
  EXPECT_EQ(r.cause, IdleCause::all_refused);
  EXPECT_EQ(utf8_to_u32(r.first_error).size(), kIdleErrorChars);
  EXPECT_EQ(r.first_error.rfind("a.toml:3:8: 这里用了中文引号", 0), 0u) << r.first_error;
  EXPECT_TRUE(r.first_error.ends_with("\u2026")) << r.first_error;
  const IdleTexts t = texts(r, *zone, kNoon);
  EXPECT_EQ(t.en, "Every playlist was refused: " + r.first_error);
  EXPECT_EQ(t.zh, "所有播放列表都不予采用：" + r.first_error);
  // A short one stays whole.
  folder.first_error = "a.toml:1:1: bad";
  EXPECT_EQ(idle_reason(folder, PlaylistSet{}, kNoon, *zone).first_error, "a.toml:1:1: bad");
}

TEST(IdleReason, NoneIsActiveNowWithTheNextStartInTheScreensZone) {
  const auto shanghai = test::zone("Asia/Shanghai");
  const Instant evening = *parse_iso8601("2024-06-15T22:00+08:00", *shanghai);
  FolderState folder;
  folder.files = 1;
  const IdleReason r = idle_reason(folder, mornings(), evening, *shanghai);
  EXPECT_EQ(r.cause, IdleCause::none_active);
  ASSERT_TRUE(r.next_start);
  EXPECT_EQ(*r.next_start, *parse_iso8601("2024-06-16T08:00+08:00", *shanghai));
  const IdleTexts t = texts(r, *shanghai, evening);
  EXPECT_EQ(t.en, "No campaign is scheduled now; next start: 16 June 08:00");
  EXPECT_EQ(t.zh, "现在没有安排播放的活动，下次开始：6月16日 08:00");
  // The screen's zone says when: the same campaign on a UTC screen starts at 08:00 UTC.
  const auto utc = test::zone("UTC");
  const IdleReason u = idle_reason(folder, mornings(), evening, *utc);
  ASSERT_TRUE(u.next_start);
  EXPECT_EQ(*u.next_start, *parse_iso8601("2024-06-16T08:00Z", *utc));
  EXPECT_EQ(idle_reason_text(u, Language::zh_CN, *shanghai, evening), "现在没有安排播放的活动，下次开始：6月16日 16:00");
  // Refused files beside a set that plays: the set is why.
  folder.refused = {"/drop/b.toml"};
  EXPECT_EQ(idle_reason(folder, mornings(), evening, *shanghai).cause, IdleCause::none_active);
}

TEST(IdleReason, NothingWithinAYearAndANextYearsStartSayTheirYear) {
  const auto zone = test::zone("Asia/Shanghai");
  PlaylistSet set = mornings();
  set.campaigns[0].when.ends = Date{chr::year{2024}, chr::month{6}, chr::day{30}};
  const Instant july = *parse_iso8601("2024-07-01T09:00+08:00", *zone);
  const IdleReason none = idle_reason(FolderState{}, set, july, *zone);
  EXPECT_FALSE(none.next_start);
  EXPECT_EQ(texts(none, *zone, july).en, "No campaign is scheduled now, nor within a year");
  EXPECT_EQ(texts(none, *zone, july).zh, "现在及一年内都没有安排播放的活动");
  const LocalTime next = zone->to_local(*parse_iso8601("2025-01-02T07:30+08:00", *zone));
  EXPECT_EQ(day_and_time(next, zone->to_local(july), Language::zh_CN), "2025年1月2日 07:30");
  EXPECT_EQ(day_and_time(next, zone->to_local(july), Language::en), "2 January 2025 07:30");
}

}  // namespace
// ---- StopSignals ----

namespace {
std::atomic<int> g_before_calls{0};
extern "C" void handler_before(int) { ++g_before_calls; }
}  // namespace

TEST(StopSignals, ASignalSetsTheFlagWakesTheLoopAndNamesItself) {
  struct sigaction before {}, restored {};
  before.sa_handler = handler_before;
  sigemptyset(&before.sa_mask);
  ASSERT_EQ(sigaction(SIGTERM, &before, nullptr), 0);
  ASSERT_EQ(sigaction(SIGINT, &before, nullptr), 0);
  {
    std::atomic<int> wakes{0};
    auto s = StopSignals::install([&] { ++wakes; });
    ASSERT_TRUE(s) << s.error().what();
    EXPECT_FALSE(StopSignals::install({})) << "one at a time";
    EXPECT_FALSE((*s)->requested());
    EXPECT_EQ((*s)->which(), "");
    // SIGINT from another thread, as a signal arrives on any thread.
    std::thread([] { kill(getpid(), SIGINT); }).join();
    for (int i = 0; i < 200 && wakes == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_TRUE((*s)->requested());
    EXPECT_TRUE(StopSignals::flag().load());
    EXPECT_EQ((*s)->which(), "SIGINT");
    EXPECT_EQ(wakes.load(), 1) << "the wake-up runs once per signal, off the handler";
    EXPECT_EQ(g_before_calls.load(), 0) << "the handler replaced the one before";
  }
  // Gone: the handlers before it are back.
  ASSERT_EQ(sigaction(SIGTERM, nullptr, &restored), 0);
  EXPECT_EQ(restored.sa_handler, &handler_before);
  raise(SIGTERM);
  EXPECT_EQ(g_before_calls.load(), 1);
  // A new one starts with the flag down.
  auto again = StopSignals::install({});
  ASSERT_TRUE(again);
  EXPECT_FALSE((*again)->requested());
  raise(SIGTERM);
  EXPECT_EQ((*again)->which(), "SIGTERM");
  again->reset();
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
}

TEST(StopSignals, ASecondSignalEndsTheProcessAtOnce) {
  EXPECT_EXIT(
      {
        auto s = StopSignals::install({});
        raise(SIGTERM);
        if ((*s)->requested()) raise(SIGTERM);  // the default action now
        std::exit(0);
      },
      testing::KilledBySignal(SIGTERM), "");
}

}  // namespace signage
