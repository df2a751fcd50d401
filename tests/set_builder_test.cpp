// SetBuilder::build on its own: a drop folder on disk, a SettleTracker driven with a
// fake steady clock (no watcher thread, no waiting), and the Update it makes.
#include <gtest/gtest.h>

#include <string>

#include "core/digest.h"
#include "media/image.h"
#include "support/files.h"
#include "watch/folder_scan.h"
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

// A drop folder, a builder and a tracker on a clock that moves only when told.
struct Drop {
  test::TempDir dir{"set-builder"};
  SetBuilder builder{SetBuilderOptions{dir.path(), LoadOptions{dir.path()}, 100, {}}};
  SettleTracker tracker{kSettle};
  SettleTracker::TimePoint now{};

  // Scans twice, a settle interval apart: everything there now is settled.
  void settle() {
    tracker.observe(scan_drop_folder(dir.path(), dir.path()), now);
    now += kSettle;
    tracker.observe(scan_drop_folder(dir.path(), dir.path()), now);
    now += 1ms;
  }
  SetBuilder::Outcome build() {
    settle();
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
  SetBuilder builder{SetBuilderOptions{gone, LoadOptions{gone}, 100, {}}};
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

}  // namespace
}  // namespace signage
