// SetBuilder::build on its own: a drop folder on disk, a SettleTracker driven with a
// fake steady clock (no watcher thread, no waiting), and the Update it makes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "core/digest.h"
#include "core/i18n.h"
#include "media/image.h"
#include "support/files.h"
#include "support/made_once.h"
#include "support/wait.h"
#include "watch/folder_scan.h"
#include "watch/media_hasher.h"
#include "watch/set_builder.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kSettle = 300ms;

std::string slogan_campaign(const std::string& id, int priority = 10) {
  return "[campaign]\nid = \"" + id + "\"\npriority = " + std::to_string(priority) +
         "\n\n[[item]]\nid = \"hello\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n";
}

std::string with_image(const std::string& id, const std::string& file) {
  return slogan_campaign(id) + "\n[[item]]\nid = \"banner\"\ntype = \"image\"\nfile = \"" + file + "\"\n";
}

void write_picture(const fs::path& file, std::uint8_t shade) {
  Image img;
  img.width = 16;
  img.height = 8;
  img.rgba.assign(static_cast<std::size_t>(16 * 8 * 4), shade);
  fs::create_directories(file.parent_path());
  ASSERT_TRUE(write_png(img, file).ok());
}

// A drop folder, a builder and a tracker on a clock that moves only when told. Media
// are hashed by a real MediaHasher before each build (build_now() does not wait).
struct Drop {
  test::TempDir dir{"set-builder"};
  MediaHasher hasher;
  SetBuilder builder{SetBuilderOptions{dir.path(), LoadOptions{dir.path()}, 100, {}}, hasher};
  SettleTracker tracker{kSettle};
  SettleTracker::TimePoint now{};

  // Scans twice, a settle interval apart: everything there now is settled.
  void settle() {
    tracker.observe(scan_drop_folder(dir.path(), dir.path()), now);
    now += kSettle;
    tracker.observe(scan_drop_folder(dir.path(), dir.path()), now);
    now += 1ms;
  }
  // Settles, has every settled media file hashed, then builds.
  SetBuilder::Outcome build() {
    settle();
    for (const auto& [file, stamp] : tracker.settled_media()) hasher.digest(file, stamp, false);
    EXPECT_TRUE(test::wait_until([&] { return hasher.idle(); }, 30s));
    return builder.build(tracker);
  }
};

TEST(SetBuilder, TheFirstBuildIsTheBaselineWithEveryMediaHash) {
  Drop d;
  const fs::path playlist = d.dir.write("a.toml", with_image("a", "media/banner.png"));
  write_picture(d.dir / "media/banner.png", 80);
  auto out = d.build();
  EXPECT_TRUE(out.stale.empty());
  ASSERT_TRUE(out.update);
  const Update& u = *out.update;
  EXPECT_TRUE(u.initial);
  EXPECT_EQ(u.seq, 1u);
  ASSERT_TRUE(u.set);
  ASSERT_EQ(u.set->campaigns.size(), 1u);
  EXPECT_FALSE(u.set->campaigns[0].items[1].media_missing);
  ASSERT_EQ(u.applied.size(), 1u);
  EXPECT_EQ(u.applied[0].sha256, *sha256_file(playlist));
  const auto sha = u.media_sha256.find((d.dir / "media/banner.png").lexically_normal());
  ASSERT_NE(sha, u.media_sha256.end());
  EXPECT_EQ(sha->second, *sha256_file(d.dir / "media/banner.png"));
  EXPECT_TRUE(u.items.empty());  // no item changes in a baseline
  // The same files again: nothing to apply or report.
  EXPECT_FALSE(d.build().update);
}

TEST(SetBuilder, AMissingPictureHoldsItsItemBackUntilItArrives) {
  Drop d;
  d.dir.write("a.toml", with_image("a", "media/banner.png"));
  auto first = d.build();
  ASSERT_TRUE(first.update && first.update->set);
  EXPECT_TRUE(first.update->set->campaigns[0].items[1].media_missing);
  ASSERT_EQ(first.update->held_back.size(), 1u);
  EXPECT_EQ(first.update->held_back[0].item, "banner");

  write_picture(d.dir / "media/banner.png", 80);
  auto second = d.build();
  ASSERT_TRUE(second.update && second.update->set);
  EXPECT_FALSE(second.update->initial);
  EXPECT_FALSE(second.update->set->campaigns[0].items[1].media_missing);
  ASSERT_EQ(second.update->items.size(), 1u);
  EXPECT_EQ(second.update->items[0].kind, ItemChange::Kind::joined);
  EXPECT_EQ(second.update->items[0].reason, "media file complete and usable");
  EXPECT_EQ(second.update->items[0].media_sha256, *sha256_file(d.dir / "media/banner.png"));
}

TEST(SetBuilder, ARefusedFileKeepsItsLastGoodVersionAndIsReportedOnce) {
  Drop d;
  d.dir.write("a.toml", slogan_campaign("a"));
  ASSERT_TRUE(d.build().update);
  d.dir.write("a.toml", "[campaign]\nid = \"a\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\n");  // no text
  auto out = d.build();
  ASSERT_TRUE(out.update);
  EXPECT_FALSE(out.update->set);  // the kept version is what plays already
  ASSERT_EQ(out.update->rejected.size(), 1u);
  EXPECT_EQ(out.update->rejected[0].kept_campaign, "a");
  EXPECT_FALSE(out.update->rejected[0].diagnostics.empty());
  EXPECT_EQ(d.builder.current().campaigns.size(), 1u);
  EXPECT_FALSE(d.build().update);  // the same bytes are not reported again
}

TEST(SetBuilder, AnEmergencyFileSaysItStartedAndARemovedOneThatItEnded) {
  Drop d;
  d.dir.write("a.toml", slogan_campaign("a"));
  ASSERT_TRUE(d.build().update);
  d.dir.write("fire.toml", slogan_campaign("fire", 500));
  auto started = d.build();
  ASSERT_TRUE(started.update && started.update->set);
  EXPECT_EQ(started.update->campaigns_added, std::vector<std::string>{"fire"});
  EXPECT_EQ(started.update->emergency_started, std::vector<std::string>{"fire"});
  fs::remove(d.dir / "fire.toml");
  auto ended = d.build();
  ASSERT_TRUE(ended.update && ended.update->set);
  EXPECT_EQ(ended.update->campaigns_removed, std::vector<std::string>{"fire"});
  EXPECT_EQ(ended.update->emergency_ended, std::vector<std::string>{"fire"});
}

TEST(SetBuilder, AFileChangedAfterItSettledIsStaleAndNothingIsBuilt) {
  Drop d;
  d.dir.write("a.toml", slogan_campaign("a"));
  d.settle();
  d.dir.write("a.toml", slogan_campaign("a") + "# edited after the scan\n");
  const auto out = d.builder.build(d.tracker);
  EXPECT_FALSE(out.update);
  ASSERT_EQ(out.stale.size(), 1u);
  EXPECT_EQ(out.stale[0], (d.dir / "a.toml").lexically_normal());
}

TEST(SetBuilder, AnUnreadablePlaylistFolderIsReportedOnceAndKeepsTheSet) {
  test::TempDir dir{"set-builder"};
  const fs::path gone = dir / "not-there";
  MediaHasher hasher;
  SetBuilder builder{SetBuilderOptions{gone, LoadOptions{gone}, 100, {}}, hasher};
  SettleTracker tracker{kSettle};
  tracker.observe(scan_drop_folder(gone, gone), SettleTracker::TimePoint{});
  auto out = builder.build(tracker);
  ASSERT_TRUE(out.update);
  EXPECT_FALSE(out.update->set);
  ASSERT_EQ(out.update->rejected.size(), 1u);
  EXPECT_EQ(out.update->rejected[0].file, gone);
  ASSERT_TRUE(out.update->folder);
  EXPECT_FALSE(out.update->folder->readable) << "the idle screen says the folder is missing";
  EXPECT_FALSE(builder.build(tracker).update);
}

// A slogan without text: refused.
const char* const kBroken = "[campaign]\nid = \"b\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\n";

TEST(SetBuilder, ARefusedFileThatLoadsLaterIsAcceptedOnce) {
  Drop d;
  d.dir.write("a.toml", slogan_campaign("a"));
  const fs::path b = d.dir.write("b.toml", kBroken);
  auto first = d.build();
  ASSERT_TRUE(first.update);
  EXPECT_TRUE(first.update->accepted.empty());
  ASSERT_EQ(first.update->rejected.size(), 1u);

  d.dir.write("b.toml", slogan_campaign("b"));
  auto fixed = d.build();
  ASSERT_TRUE(fixed.update);
  ASSERT_EQ(fixed.update->accepted.size(), 1u);
  EXPECT_EQ(fixed.update->accepted[0].file, b);
  EXPECT_EQ(fixed.update->accepted[0].campaign, "b");
  EXPECT_EQ(fixed.update->accepted[0].sha256, *sha256_file(b));
  ASSERT_TRUE(fixed.update->set);
  EXPECT_EQ(fixed.update->set->campaigns.size(), 2u);
  EXPECT_FALSE(d.build().update) << "accepted once";
}

TEST(SetBuilder, AFileFixedBackToItsLastGoodVersionIsAcceptedWithoutANewSet) {
  Drop d;
  d.dir.write("a.toml", slogan_campaign("a"));
  ASSERT_TRUE(d.build().update);
  d.dir.write("a.toml", kBroken);
  auto refused = d.build();
  ASSERT_TRUE(refused.update);
  ASSERT_EQ(refused.update->rejected.size(), 1u);
  d.dir.write("a.toml", slogan_campaign("a"));
  auto fixed = d.build();
  ASSERT_TRUE(fixed.update) << "an acceptance alone is an Update";
  EXPECT_FALSE(fixed.update->set) << "the last good version plays already";
  ASSERT_EQ(fixed.update->accepted.size(), 1u);
  EXPECT_EQ(fixed.update->accepted[0].campaign, "a");
  EXPECT_FALSE(d.build().update);
}

TEST(SetBuilder, FilesThatLookLikePlaylistsAreReportedOnceWhenTheyAppear) {
  Drop d;
  d.dir.write("a.toml", slogan_campaign("a"));
  d.dir.write("notice.toml.txt", slogan_campaign("n"));
  auto first = d.build();
  ASSERT_TRUE(first.update);
  ASSERT_EQ(first.update->ignored.size(), 1u);
  EXPECT_EQ(first.update->ignored[0].file.filename(), "notice.toml.txt");
  EXPECT_FALSE(first.update->ignored[0].reason.empty());

  d.dir.write("NOTICE.TOML", slogan_campaign("m"));
  auto second = d.build();
  ASSERT_TRUE(second.update) << "a newly ignored file alone is an Update";
  EXPECT_FALSE(second.update->set);
  ASSERT_EQ(second.update->ignored.size(), 1u);
  EXPECT_EQ(second.update->ignored[0].file.filename(), "NOTICE.TOML");
  EXPECT_FALSE(d.build().update) << "each once";

  fs::remove(d.dir / "notice.toml.txt");
  EXPECT_FALSE(d.build().update);
  d.dir.write("notice.toml.txt", slogan_campaign("n"));
  auto back = d.build();
  ASSERT_TRUE(back.update);
  ASSERT_EQ(back.update->ignored.size(), 1u) << "back again: said again";
  EXPECT_EQ(back.update->ignored[0].file.filename(), "notice.toml.txt");
}

TEST(SetBuilder, TheFolderStateSaysWhatTheIdleScreenExplains) {
  Drop d;
  auto empty = d.build();
  ASSERT_TRUE(empty.update && empty.update->folder);
  EXPECT_TRUE(empty.update->folder->readable);
  EXPECT_EQ(empty.update->folder->files, 0u);

  d.dir.write("b.toml", kBroken);
  auto refused = d.build();
  ASSERT_TRUE(refused.update && refused.update->folder);
  EXPECT_EQ(refused.update->folder->files, 1u);
  ASSERT_EQ(refused.update->folder->refused.size(), 1u);
  EXPECT_EQ(refused.update->folder->first_error.rfind("b.toml:", 0), 0u) << refused.update->folder->first_error;
  EXPECT_NE(refused.update->folder->first_error.find("text"), std::string::npos) << refused.update->folder->first_error;

  d.dir.write("b.toml", slogan_campaign("b"));
  auto fixed = d.build();
  ASSERT_TRUE(fixed.update && fixed.update->folder);
  EXPECT_TRUE(fixed.update->folder->refused.empty());
  EXPECT_FALSE(d.build().update) << "an unchanged folder is not sent again";
}


// Digests known only when the test says so, and who asked for what.
struct FakeDigests final : MediaDigests {
  std::map<fs::path, std::string> ready;   // file -> sha256
  std::map<fs::path, bool> asked;          // file -> asked as urgent (at least once)
  MediaDigest digest(const fs::path& file, const FileStamp&, bool urgent) override {
    asked[file] = asked[file] || urgent;
    MediaDigest d;
    if (const auto r = ready.find(file); r != ready.end()) {
      d.state = MediaDigest::State::ready;
      d.sha256 = r->second;
    }
    return d;
  }
  void keep_only(const std::set<fs::path>&) override {}
};

// A drop folder whose media hashes come from a FakeDigests.
struct SlowDrop {
  test::TempDir dir{"set-builder-hash"};
  FakeDigests digests;
  SetBuilder builder;
  SettleTracker tracker{kSettle};
  SettleTracker::TimePoint now{};
  explicit SlowDrop(std::uintmax_t max_media_bytes = kDefaultMaxMediaBytes)
      : builder(options(dir.path(), max_media_bytes), digests) {}
  static SetBuilderOptions options(const fs::path& dir, std::uintmax_t max_media_bytes) {
    SetBuilderOptions o{dir, LoadOptions{dir}, 100, {}};
    o.max_media_bytes = max_media_bytes;
    return o;
  }
  SetBuilder::Outcome build() {
    tracker.observe(scan_drop_folder(dir.path(), dir.path()), now);
    now += kSettle;
    tracker.observe(scan_drop_folder(dir.path(), dir.path()), now);
    now += 1ms;
    return builder.build(tracker);
  }
  fs::path media(const std::string& rel) const { return (dir / rel).lexically_normal(); }
};

std::string with_video(const std::string& id, const std::string& file, int priority = 10) {
  return slogan_campaign(id, priority) + "\n[[item]]\nid = \"clip\"\ntype = \"video\"\nfile = \"" + file + "\"\n";
}

TEST(SetBuilder, AnItemWhoseMediaIsBeingHashedWaitsAndTheRestIsStagedAtOnce) {
  SlowDrop d;
  d.dir.write("a.toml", slogan_campaign("a"));
  ASSERT_TRUE(d.build().update);  // the baseline
  d.dir.write("b.toml", with_video("b", "media/big.mp4"));
  d.dir.write("media/big.mp4", "not hashed yet");
  d.dir.write("e.toml", slogan_campaign("e", 200));  // an emergency slogan: nothing to hash
  auto out = d.build();
  ASSERT_TRUE(out.update && out.update->set);
  EXPECT_EQ(out.hashing, 1u);
  const Update& u = *out.update;
  EXPECT_EQ(u.emergency_started, std::vector<std::string>{"e"});
  ASSERT_EQ(u.set->campaigns.size(), 3u);
  EXPECT_FALSE(u.set->campaigns[1].items[0].media_missing);  // b's slogan plays
  EXPECT_TRUE(u.set->campaigns[1].items[1].media_missing);   // its video waits
  ASSERT_EQ(u.held_back.size(), 1u);
  EXPECT_TRUE(u.held_back[0].hashing);
  EXPECT_NE(u.held_back[0].reason.find("being hashed"), std::string::npos) << u.held_back[0].reason;

  // Still being hashed: nothing new.
  EXPECT_FALSE(d.build().update);
  // Hashed: the video joins, like media that arrives late.
  d.digests.ready[d.media("media/big.mp4")] = std::string(64, 'b');
  auto joined = d.build();
  ASSERT_TRUE(joined.update && joined.update->set);
  EXPECT_EQ(joined.hashing, 0u);
  EXPECT_FALSE(joined.update->set->campaigns[1].items[1].media_missing);
  ASSERT_EQ(joined.update->items.size(), 1u);
  EXPECT_EQ(joined.update->items[0].kind, ItemChange::Kind::joined);
  EXPECT_EQ(joined.update->items[0].item, "clip");
  EXPECT_EQ(joined.update->items[0].reason, "media file complete and usable");
  EXPECT_EQ(joined.update->items[0].media_sha256, std::string(64, 'b'));
  EXPECT_EQ(joined.update->media_sha256.at(d.media("media/big.mp4")), std::string(64, 'b'));
}

TEST(SetBuilder, AnEmergencysMediaIsHashedFirst) {
  SlowDrop d;
  d.dir.write("a.toml", with_video("a", "media/a.mp4"));
  d.dir.write("e.toml", with_video("e", "media/e.mp4", 200));
  d.dir.write("media/a.mp4", "a");
  d.dir.write("media/e.mp4", "e");
  d.build();
  EXPECT_FALSE(d.digests.asked.at(d.media("media/a.mp4")));
  EXPECT_TRUE(d.digests.asked.at(d.media("media/e.mp4")));
}

TEST(SetBuilder, TheBaselineWaitsForItsHashesUnlessAnEmergencyIsThere) {
  SlowDrop d;
  d.dir.write("a.toml", with_video("a", "media/a.mp4"));
  d.dir.write("media/a.mp4", "a");
  auto waiting = d.build();
  EXPECT_FALSE(waiting.update);  // start-up plays what it loaded meanwhile
  EXPECT_EQ(waiting.hashing, 1u);
  d.digests.ready[d.media("media/a.mp4")] = std::string(64, 'a');
  auto baseline = d.build();
  ASSERT_TRUE(baseline.update && baseline.update->set);
  EXPECT_TRUE(baseline.update->initial);
  EXPECT_FALSE(baseline.update->set->campaigns[0].items[1].media_missing);

  SlowDrop e;
  e.dir.write("a.toml", with_video("a", "media/a.mp4"));
  e.dir.write("media/a.mp4", "a");
  e.dir.write("e.toml", slogan_campaign("e", 200));
  auto at_once = e.build();
  ASSERT_TRUE(at_once.update && at_once.update->set);
  EXPECT_TRUE(at_once.update->initial);
  EXPECT_EQ(at_once.update->emergency_started, std::vector<std::string>{"e"});
  ASSERT_EQ(at_once.update->held_back.size(), 1u);
  EXPECT_TRUE(at_once.update->held_back[0].hashing);
}

// A sparse file: its size on disk is nothing, and it is never read here.
void sparse_file(const fs::path& file, std::uintmax_t size) {
  fs::create_directories(file.parent_path());
  { std::ofstream(file, std::ios::binary); }
  fs::resize_file(file, size);
}

TEST(SetBuilder, AMediaFileOverTheSizeLimitIsRefusedWithItsSize) {
  SlowDrop d;  // the default limit, 4 GiB
  d.dir.write("a.toml", with_video("a", "media/huge.mp4"));
  sparse_file(d.dir / "media/huge.mp4", std::uintmax_t{8} << 30);
  auto out = d.build();
  ASSERT_TRUE(out.update && out.update->set);  // refused, not waiting for a hash
  EXPECT_EQ(out.hashing, 0u);
  ASSERT_EQ(out.update->held_back.size(), 1u);
  const HeldItem& h = out.update->held_back[0];
  EXPECT_FALSE(h.hashing);
  EXPECT_NE(h.reason.find("8.0 GiB (8589934592 bytes)"), std::string::npos) << h.reason;
  EXPECT_NE(h.reason.find("over the limit of 4.0 GiB"), std::string::npos) << h.reason;
  EXPECT_FALSE(d.digests.asked.contains(d.media("media/huge.mp4")));  // never read
  fs::remove(d.dir / "media/huge.mp4");

  // The limit is an option: one byte over a lowered limit, in Chinese too.
  ScopedMessageLanguage zh(Language::zh_CN);
  SlowDrop low(1000);
  low.dir.write("a.toml", with_video("a", "media/clip.mp4"));
  low.dir.write("media/clip.mp4", std::string(1001, 'x'));
  auto refused = low.build();
  ASSERT_TRUE(refused.update);
  ASSERT_EQ(refused.update->held_back.size(), 1u);
  EXPECT_NE(refused.update->held_back[0].reason.find("1001"), std::string::npos);
  EXPECT_NE(refused.update->held_back[0].reason.find("超过"), std::string::npos) << refused.update->held_back[0].reason;
}

// Video lengths come with the set: the builder reads each video's header (once per
// file stamp) so that neither the swap nor a play record probes the file on the
// render thread. A video without its own duration plays for the file's length; one
// with a duration keeps it, with the file's length beside it for the record.
TEST(SetBuilder, AVideosLengthIsReadFromItsFileIntoTheSet) {
  Drop d;
  const fs::path clip = d.dir / "media/clip.mp4";
  fs::create_directories(clip.parent_path());
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=64x36:rate=10 -t 3 -c:v libx264 -preset ultrafast "
                                "-pix_fmt yuv420p",
                                clip));
  d.dir.write("v.toml",
              "[campaign]\nid = \"v\"\n[[item]]\nid = \"whole\"\ntype = \"video\"\nfile = \"media/clip.mp4\"\n"
              "[[item]]\nid = \"cut\"\ntype = \"video\"\nfile = \"media/clip.mp4\"\nduration = \"1s\"\n");
  auto out = d.build();
  ASSERT_TRUE(out.update && out.update->set);
  const auto& items = out.update->set->campaigns.at(0).items;
  ASSERT_EQ(items.size(), 2u);
  EXPECT_FALSE(items[0].media_missing);
  EXPECT_NEAR(double(items[0].media_length.count()), 3000.0, 100.0);
  EXPECT_EQ(items[0].duration, items[0].media_length);
  EXPECT_EQ(items[1].duration, 1000ms) << "its own duration wins";
  EXPECT_EQ(items[1].media_length, items[0].media_length);
}

// A file that is no video (or cannot tell its length) keeps the default duration.
TEST(SetBuilder, AVideoWhoseLengthCannotBeReadKeepsTheDefaultDuration) {
  Drop d;
  d.dir.write("media/junk.mp4", "not a video");
  d.dir.write("v.toml", "[campaign]\nid = \"v\"\n[[item]]\nid = \"junk\"\ntype = \"video\"\nfile = \"media/junk.mp4\"\n");
  auto out = d.build();
  ASSERT_TRUE(out.update && out.update->set);
  const Item& item = out.update->set->campaigns.at(0).items.at(0);
  EXPECT_EQ(item.media_length, 0ms);
  EXPECT_EQ(item.duration, Item{}.duration);
}

}  // namespace
}  // namespace signage
