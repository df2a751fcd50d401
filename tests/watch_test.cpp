// Tests of the drop-folder watcher (player/watch): a real temporary folder, real file
// operations (slow chunked copies, temp names then rename, rsync's .name.XXXXXX,
// in-place rewrites, deletions, bursts) and the real inotify watcher, with short
// settle and debounce intervals. Each case checks the Updates the main loop would
// get: how many, the set (through the scheduler), and what would be journaled.
// Also: the settle rules with a fake clock, temporary names, and `describe_drop`.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/files.h"
#include "support/wait.h"
#include "core/digest.h"
#include "core/faulty_env.h"
#include "media/image.h"
#include "schedule/scheduler.h"
#include "watch/drop_report.h"
#include "watch/folder_scan.h"
#include "watch/folder_watcher.h"
#include "watch/last_good.h"
#include "watch/media_hasher.h"
#include "watch/set_builder.h"

namespace signage {
namespace {

// A fresh drop folder (with its media subfolder) per test.
struct TempDir : signage::test::TempDir {
  TempDir() : signage::test::TempDir("signage-watch") { std::filesystem::create_directories(path() / "media"); }
};
using signage::test::read_file;
using signage::test::write_file;

namespace fs = std::filesystem;
namespace chr = std::chrono;
using namespace std::chrono_literals;

constexpr auto kSettle = 200ms;
constexpr auto kDebounce = 20ms;
constexpr auto kChunkGap = 30ms;       // a slow writer's pause, well under kSettle
constexpr auto kQuiet = 700ms;         // "no more updates" once this passes without one
constexpr auto kUpdateTimeout = 5s;



// Makes a file look old, as files already there at start-up are.
void age(const fs::path& p) { fs::last_write_time(p, fs::file_time_type::clock::now() - 1h); }

std::string slogan(const std::string& id, const std::string& text, int priority = 0) {
  return "[campaign]\nid = \"" + id + "\"\npriority = " + std::to_string(priority) +
         "\n\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"" + text + "\"\n";
}

std::string with_image(const std::string& id, const std::string& file) {
  return "[campaign]\nid = \"" + id + "\"\n\n[[item]]\nid = \"hello\"\ntype = \"slogan\"\ntext = \"hi\"\n\n" +
         "[[item]]\nid = \"banner\"\ntype = \"image\"\nfile = \"" + file + "\"\n";
}

std::string png_bytes(const TempDir& t, std::uint8_t shade) {
  Image img;
  img.width = 64;
  img.height = 32;
  img.rgba.assign(static_cast<std::size_t>(64 * 32 * 4), shade);
  const fs::path tmp = t / "png-scratch.bin";
  EXPECT_TRUE(write_png(img, tmp).ok());
  std::string bytes = read_file(tmp);
  fs::remove(tmp);
  return bytes;
}

// Writes `data` in `chunks` pieces with a pause between them, as a slow copy over
// SMB or USB does, checking after each piece that the watcher delivered nothing.
void slow_write(const fs::path& p, std::string_view data, int chunks, FolderWatcher& w, bool expect_quiet = true) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  const std::size_t step = (data.size() + static_cast<std::size_t>(chunks) - 1) / static_cast<std::size_t>(chunks);
  for (std::size_t off = 0; off < data.size(); off += step) {
    f.write(data.data() + off, static_cast<std::streamsize>(std::min(step, data.size() - off)));
    f.flush();
    std::this_thread::sleep_for(kChunkGap);
    if (!expect_quiet) continue;
    auto early = w.poll();
    EXPECT_FALSE(early.has_value()) << "an update arrived while " << p << " was still being written";
  }
}

WatchOptions options_for(const TempDir& t) {
  WatchOptions o;
  o.playlists = t.path();
  o.load.media_root = t.path();
  o.settle = kSettle;
  o.debounce = kDebounce;
  o.rescan = 5s;
  o.emergency_level = 100;
  return o;
}

Update next_update(FolderWatcher& w) {
  auto u = w.wait(kUpdateTimeout);
  EXPECT_TRUE(u.has_value()) << "no update within " << kUpdateTimeout.count() << " s";
  return u ? std::move(*u) : Update{};
}

// Updates until none arrives for kQuiet.
std::vector<Update> drain(FolderWatcher& w) {
  std::vector<Update> out;
  while (auto u = w.wait(kQuiet)) out.push_back(std::move(*u));
  return out;
}

std::string showing_id(const PlaylistSet& set) {
  const auto zone = fixed_offset_zone(8h);
  const Instant now = chr::time_point_cast<chr::milliseconds>(chr::system_clock::now());
  const auto r = schedule_at(set, now, *zone);
  if (!r.showing) return "idle";
  const Campaign& c = set.campaigns[r.showing->campaign];
  return c.id + "/" + c.items[r.showing->item].id;
}

const Campaign* find(const PlaylistSet& set, const std::string& id) {
  for (const Campaign& c : set.campaigns) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// ---- pure parts ----

TEST(TemporaryName, CopyToolAndEditorNames) {
  for (const char* n : {".a.toml.Xy12Ab", ".hidden.toml", "a.toml.tmp", "banner.png.part", "~$plan.toml",
                        ".a.toml.swp", "a.toml~", "video.mp4.crdownload", ""}) {
    EXPECT_TRUE(is_temporary_name(n)) << n;
  }
  for (const char* n : {"a.toml", "banner.png", "2024-安全月.toml", "tmp.toml", "part1.mp4"}) {
    EXPECT_FALSE(is_temporary_name(n)) << n;
  }
}

TEST(SettleTracker, SettlesOnlyAfterUnchangedForTheInterval) {
  SettleTracker tr(300ms);
  const auto t0 = chr::steady_clock::time_point{} + 1h;
  FolderScan scan;
  scan.playlists_readable = true;
  scan.playlists["/d/a.toml"] = FileStamp{10, 1, 1, 7};
  EXPECT_TRUE(tr.observe(scan, t0));  // the folder became readable; the file is not settled
  EXPECT_TRUE(tr.settled_playlists().empty());
  EXPECT_EQ(tr.pending_playlists().size(), 1u);
  ASSERT_TRUE(tr.next_deadline().has_value());
  EXPECT_EQ(*tr.next_deadline(), t0 + 300ms);

  scan.playlists["/d/a.toml"].size = 20;  // still growing
  EXPECT_FALSE(tr.observe(scan, t0 + 200ms));
  EXPECT_FALSE(tr.observe(scan, t0 + 450ms));  // unchanged for 250 ms only
  EXPECT_TRUE(tr.settled_playlists().empty());
  EXPECT_TRUE(tr.observe(scan, t0 + 500ms));
  EXPECT_EQ(tr.settled_playlists().size(), 1u);
  EXPECT_FALSE(tr.next_deadline().has_value());

  scan.media["/d/media/b.png"] = FileStamp{5, 2, 2, 8};
  EXPECT_FALSE(tr.observe(scan, t0 + 600ms));
  EXPECT_TRUE(tr.is_pending_media("/d/media/b.png"));
  EXPECT_TRUE(tr.observe(scan, t0 + 900ms));
  EXPECT_EQ(tr.settled_media().size(), 1u);

  // Rewritten in place: unsettled again (its item must leave), then settles.
  scan.media["/d/media/b.png"].mtime_ns = 3;
  EXPECT_TRUE(tr.observe(scan, t0 + 1000ms));
  EXPECT_TRUE(tr.settled_media().empty());
  scan.media.clear();
  scan.playlists.clear();
  EXPECT_TRUE(tr.observe(scan, t0 + 1100ms));  // a.toml removed
  EXPECT_TRUE(tr.settled_playlists().empty());
}

TEST(SettleTracker, AtStartUpOldFilesCountAsSettled) {
  SettleTracker tr(300ms);
  const auto wall = chr::system_clock::now();
  const auto ns = [](chr::system_clock::time_point t) {
    return static_cast<std::int64_t>(chr::duration_cast<chr::nanoseconds>(t.time_since_epoch()).count());
  };
  FolderScan scan;
  scan.playlists_readable = true;
  scan.playlists["/d/old.toml"] = FileStamp{10, ns(wall - 1h), 0, 1};
  scan.playlists["/d/new.toml"] = FileStamp{10, ns(wall - 100ms), 0, 2};
  EXPECT_TRUE(tr.observe(scan, chr::steady_clock::now(), chr::time_point_cast<chr::milliseconds>(wall)));
  EXPECT_EQ(tr.settled_playlists().count("/d/old.toml"), 1u);
  EXPECT_EQ(tr.pending_playlists(), std::vector<fs::path>{"/d/new.toml"});
}

TEST(FolderScan, ListsPlaylistsAndMediaButNotTemporaryNames) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "x"));
  write_file(t / ".a.toml.Xy12Ab", "partial");
  write_file(t / "b.toml.part", "partial");
  write_file(t / "notes.txt", "not a playlist");
  fs::create_directories(t / "media" / "sub");
  write_file(t / "media" / "sub" / "c.png", "x");
  write_file(t / "media" / "~$c.png", "x");
  fs::create_directories(t / ".stversions");
  write_file(t / ".stversions" / "old.png", "x");
  const FolderScan s = scan_drop_folder(t.path(), t.path());
  EXPECT_TRUE(s.playlists_readable);
  ASSERT_EQ(s.playlists.size(), 1u);
  EXPECT_EQ(s.playlists.begin()->first, (t / "a.toml").lexically_normal());
  EXPECT_EQ(s.media.size(), 2u);  // notes.txt and media/sub/c.png
  EXPECT_TRUE(s.media.contains((t / "media" / "sub" / "c.png").lexically_normal()));
  EXPECT_EQ(s.folders.size(), 3u);  // root, media, media/sub
}

// ---- the watcher on a real folder ----

TEST(FolderWatcher, InitialUpdateIsTheBaselineAndOldFilesNeedNoSettling) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "one"));
  age(t / "a.toml");
  std::atomic<int> wakes{0};
  const auto t0 = chr::steady_clock::now();
  FolderWatcher w(options_for(t), [&] { ++wakes; });
  Update u = next_update(w);
  EXPECT_LT(chr::steady_clock::now() - t0, kSettle);  // not held for settling
  EXPECT_TRUE(u.initial);
  EXPECT_EQ(u.seq, 1u);
  ASSERT_TRUE(u.set.has_value());
  ASSERT_EQ(u.applied.size(), 1u);
  EXPECT_EQ(u.applied[0].campaign, "a");
  EXPECT_EQ(u.applied[0].sha256, sha256_hex(read_file(t / "a.toml")));
  EXPECT_EQ(showing_id(*u.set), "a/s");
  EXPECT_TRUE(drain(w).empty());
  EXPECT_EQ(wakes.load(), 1);  // called after the mailbox is filled, so checked after a quiet spell
}

TEST(FolderWatcher, SlowCopyIsNotReadUntilSettledThenExactlyOneUpdate) {
  TempDir t;
  FolderWatcher w(options_for(t), nullptr);
  Update first = next_update(w);
  ASSERT_TRUE(first.set.has_value());
  EXPECT_TRUE(first.set->campaigns.empty());
  // Any prefix of this file is invalid TOML or an incomplete playlist: if the watcher
  // read it mid-copy, a rejection would show up.
  std::string text = slogan("slow", std::string(400, 'x'));
  slow_write(t / "slow.toml", text, 8, w);
  const auto closed = chr::steady_clock::now();
  Update u = next_update(w);
  EXPECT_GE(chr::steady_clock::now() - closed, kSettle / 2);
  EXPECT_TRUE(u.rejected.empty());
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(u.campaigns_added, std::vector<std::string>{"slow"});
  EXPECT_EQ(showing_id(*u.set), "slow/s");
  EXPECT_TRUE(drain(w).empty()) << "more than one update for one copy";
}

TEST(FolderWatcher, CopyViaTemporaryNameThenRename) {
  TempDir t;
  FolderWatcher w(options_for(t), nullptr);
  next_update(w);
  slow_write(t / "a.toml.part", slogan("a", "renamed in"), 4, w);
  std::this_thread::sleep_for(kSettle + 100ms);
  EXPECT_FALSE(w.poll().has_value()) << "a .part file was read";
  fs::rename(t / "a.toml.part", t / "a.toml");
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(u.campaigns_added, std::vector<std::string>{"a"});
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, RsyncStyleTemporaryFileThenRename) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "old"));
  age(t / "a.toml");
  FolderWatcher w(options_for(t), nullptr);
  next_update(w);
  // rsync writes ".a.toml.Xy12Ab" next to the target, then renames over it.
  slow_write(t / ".a.toml.Xy12Ab", slogan("a", "new"), 4, w);
  std::this_thread::sleep_for(kSettle + 100ms);
  EXPECT_FALSE(w.poll().has_value()) << "rsync's temporary file was read";
  fs::rename(t / ".a.toml.Xy12Ab", t / "a.toml");
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(u.set->campaigns.at(0).items.at(0).text, "new");
  EXPECT_TRUE(u.campaigns_added.empty());
  EXPECT_TRUE(u.campaigns_removed.empty());
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, PlaylistReplacedWhilePlaying) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "one"));
  age(t / "a.toml");
  FolderWatcher w(options_for(t), nullptr);
  const Update first = next_update(w);
  ASSERT_TRUE(first.set.has_value());
  const std::string old_sha = first.applied.at(0).sha256;
  write_file(t / "a.toml", slogan("a", "two"));  // rewritten in place
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(u.set->campaigns.at(0).items.at(0).text, "two");
  EXPECT_NE(u.applied.at(0).sha256, old_sha);
  EXPECT_EQ(u.applied.at(0).sha256, sha256_hex(read_file(t / "a.toml")));
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, DeletedPlaylistEndsItsCampaign) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "stays", 1));
  write_file(t / "b.toml", slogan("b", "goes", 5));
  age(t / "a.toml");
  age(t / "b.toml");
  FolderWatcher w(options_for(t), nullptr);
  const Update first = next_update(w);
  ASSERT_TRUE(first.set.has_value());
  EXPECT_EQ(showing_id(*first.set), "b/s");
  fs::remove(t / "b.toml");
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(u.campaigns_removed, std::vector<std::string>{"b"});
  EXPECT_EQ(u.set->campaigns.size(), 1u);
  EXPECT_EQ(showing_id(*u.set), "a/s");
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, BurstOfFiftyChangesIsCoalesced) {
  TempDir t;
  FolderWatcher w(options_for(t), nullptr);
  next_update(w);
  // 50 writes in about a second, over 5 files, each file rewritten every ~100 ms.
  for (int i = 0; i < 50; ++i) {
    const std::string id = "c" + std::to_string(i % 5);
    write_file(t / (id + ".toml"), slogan(id, "v" + std::to_string(i), i % 5));
    std::this_thread::sleep_for(20ms);
  }
  const std::vector<Update> ups = drain(w);
  ASSERT_FALSE(ups.empty());
  EXPECT_LE(ups.size(), 3u) << "50 changes were not coalesced";
  const Update& last = ups.back();
  ASSERT_TRUE(last.set.has_value());
  ASSERT_EQ(last.set->campaigns.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    const Campaign* c = find(*last.set, "c" + std::to_string(k));
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->items.at(0).text, "v" + std::to_string(45 + k));
  }
  EXPECT_EQ(showing_id(*last.set), "c4/s");
}

TEST(FolderWatcher, SyntaxErrorIsRejectedWithPositionAndLastGoodKept) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "good"));
  write_file(t / "b.toml", slogan("b", "b1"));
  age(t / "a.toml");
  age(t / "b.toml");
  FolderWatcher w(options_for(t), nullptr);
  const Update first = next_update(w);
  ASSERT_TRUE(first.set.has_value());

  // A broken a.toml alone: refused, nothing to apply.
  write_file(t / "a.toml", "[campaign]\nid = \"a\"\n\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"unterminated\n");
  Update u = next_update(w);
  EXPECT_FALSE(u.set.has_value()) << "the running set must stay untouched";
  ASSERT_EQ(u.rejected.size(), 1u);
  const RejectedFile& r = u.rejected[0];
  EXPECT_EQ(r.file, t / "a.toml");
  EXPECT_EQ(r.kept_campaign, "a");
  EXPECT_EQ(r.sha256, sha256_hex(read_file(t / "a.toml")));
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_GT(r.diagnostics[0].where.line, 0);
  EXPECT_GT(r.diagnostics[0].where.column, 0);
  EXPECT_EQ(r.diagnostics[0].format().rfind((t / "a.toml").string() + ":7:", 0), 0u) << r.diagnostics[0].format();

  // Another file changes: it applies, a.toml's last good version stays, and the
  // refusal of the same bytes is not reported again.
  write_file(t / "b.toml", slogan("b", "b2"));
  Update v = next_update(w);
  ASSERT_TRUE(v.set.has_value());
  EXPECT_TRUE(v.rejected.empty());
  ASSERT_NE(find(*v.set, "a"), nullptr);
  EXPECT_EQ(find(*v.set, "a")->items.at(0).text, "good");
  EXPECT_EQ(find(*v.set, "b")->items.at(0).text, "b2");
  ASSERT_EQ(v.applied.size(), 2u);
  EXPECT_TRUE(v.applied[0].kept_last_good);
  EXPECT_EQ(v.applied[0].sha256, first.applied.at(0).sha256);
  EXPECT_FALSE(v.applied[1].kept_last_good);

  // Fixed: applies.
  write_file(t / "a.toml", slogan("a", "fixed"));
  Update x = next_update(w);
  ASSERT_TRUE(x.set.has_value());
  EXPECT_EQ(find(*x.set, "a")->items.at(0).text, "fixed");
  EXPECT_FALSE(x.applied[0].kept_last_good);
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, NewInvalidFileIsRejectedAndOthersKeepPlaying) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "good"));
  age(t / "a.toml");
  FolderWatcher w(options_for(t), nullptr);
  next_update(w);
  write_file(t / "z.toml", "[campaign]\nid = \"z\"\npriority = 5000\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"x\"\n");
  Update u = next_update(w);
  EXPECT_FALSE(u.set.has_value());
  ASSERT_EQ(u.rejected.size(), 1u);
  EXPECT_FALSE(u.rejected[0].kept_campaign.has_value());
  ASSERT_FALSE(u.rejected[0].diagnostics.empty());
  EXPECT_EQ(u.rejected[0].diagnostics[0].where.line, 3);
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, MissingMediaArrivesLaterAndJoins) {
  TempDir t;
  write_file(t / "a.toml", with_image("a", "media/banner.png"));
  age(t / "a.toml");
  FolderWatcher w(options_for(t), nullptr);
  Update first = next_update(w);
  ASSERT_TRUE(first.set.has_value());
  ASSERT_EQ(first.held_back.size(), 1u);
  EXPECT_EQ(first.held_back[0].item, "banner");
  EXPECT_NE(first.held_back[0].reason.find("not found"), std::string::npos) << first.held_back[0].reason;
  EXPECT_TRUE(first.set->campaigns.at(0).items.at(1).media_missing);

  // The picture arrives slowly; a half-written PNG must never join.
  const std::string png = png_bytes(t, 0x80);
  slow_write(t / "media" / "banner.png", png, 5, w);
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_TRUE(u.held_back.empty());
  EXPECT_FALSE(u.set->campaigns.at(0).items.at(1).media_missing);
  ASSERT_EQ(u.items.size(), 1u);
  EXPECT_EQ(u.items[0].kind, ItemChange::Kind::joined);
  EXPECT_EQ(u.items[0].item, "banner");
  EXPECT_EQ(u.items[0].media_sha256, sha256_hex(png));
  EXPECT_EQ(u.media_sha256.at((t / "media" / "banner.png").lexically_normal()), sha256_hex(png));
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, CorruptMediaIsHeldBack) {
  TempDir t;
  write_file(t / "a.toml", with_image("a", "media/banner.png"));
  write_file(t / "media" / "banner.png", "this is not a picture");
  age(t / "a.toml");
  age(t / "media" / "banner.png");
  FolderWatcher w(options_for(t), nullptr);
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  ASSERT_EQ(u.held_back.size(), 1u);
  EXPECT_NE(u.held_back[0].reason.find("banner.png"), std::string::npos) << u.held_back[0].reason;
  EXPECT_EQ(showing_id(*u.set), "a/hello");
}

TEST(FolderWatcher, MediaReplacedInPlaceIsPickedUpByHash) {
  TempDir t;
  const std::string red = png_bytes(t, 0x20);
  const std::string blue = png_bytes(t, 0xE0);
  ASSERT_NE(sha256_hex(red), sha256_hex(blue));
  write_file(t / "a.toml", with_image("a", "media/banner.png"));
  write_file(t / "media" / "banner.png", red);
  age(t / "a.toml");
  age(t / "media" / "banner.png");
  FolderWatcher w(options_for(t), nullptr);
  Update first = next_update(w);
  ASSERT_TRUE(first.set.has_value());
  EXPECT_TRUE(first.held_back.empty());
  const fs::path key = (t / "media" / "banner.png").lexically_normal();
  EXPECT_EQ(first.media_sha256.at(key), sha256_hex(red));

  // Same name, new bytes; the item may leave while the file is rewritten.
  slow_write(t / "media" / "banner.png", blue, 3, w, /*expect_quiet=*/false);
  const std::vector<Update> ups = drain(w);
  ASSERT_FALSE(ups.empty());
  const Update& last = ups.back();
  ASSERT_TRUE(last.set.has_value());
  EXPECT_EQ(last.media_sha256.at(key), sha256_hex(blue));
  EXPECT_FALSE(last.set->campaigns.at(0).items.at(1).media_missing);
  ASSERT_FALSE(last.items.empty());
  const ItemChange& c = last.items.back();
  EXPECT_EQ(c.item, "banner");
  EXPECT_EQ(c.media_sha256, sha256_hex(blue));
  EXPECT_TRUE(c.kind == ItemChange::Kind::media_replaced ||
              (c.kind == ItemChange::Kind::joined && c.reason.find("replaced") != std::string::npos))
      << c.reason;
  // Never ready with a half-written file: any intermediate update holds it back.
  for (std::size_t i = 0; i + 1 < ups.size(); ++i) {
    if (ups[i].set) {
      EXPECT_TRUE(ups[i].set->campaigns.at(0).items.at(1).media_missing);
    }
  }
}

TEST(FolderWatcher, EmergencyFileDroppedAndRemoved) {
  TempDir t;
  write_file(t / "normal.toml", slogan("normal", "rotation", 10));
  age(t / "normal.toml");
  FolderWatcher w(options_for(t), nullptr);
  const Update first = next_update(w);
  ASSERT_TRUE(first.set.has_value());
  EXPECT_TRUE(first.emergency_started.empty());

  write_file(t / "fire.toml", slogan("fire", "请立即疏散", 900));
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(u.emergency_started, std::vector<std::string>{"fire"});
  EXPECT_EQ(u.campaigns_added, std::vector<std::string>{"fire"});
  EXPECT_TRUE(is_emergency(*find(*u.set, "fire"), 100));
  EXPECT_EQ(showing_id(*u.set), "fire/s");

  fs::remove(t / "fire.toml");
  Update v = next_update(w);
  ASSERT_TRUE(v.set.has_value());
  EXPECT_EQ(v.emergency_ended, std::vector<std::string>{"fire"});
  EXPECT_EQ(v.campaigns_removed, std::vector<std::string>{"fire"});
  EXPECT_EQ(showing_id(*v.set), "normal/s");
  EXPECT_TRUE(drain(w).empty());
}

TEST(FolderWatcher, PeriodicRescanWorksWithoutInotify) {
  TempDir t;
  WatchOptions o = options_for(t);
  o.use_inotify = false;
  o.rescan = 150ms;
  FolderWatcher w(o, nullptr);
  next_update(w);
  write_file(t / "a.toml", slogan("a", "seen by rescan"));
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(u.campaigns_added, std::vector<std::string>{"a"});
  fs::remove(t / "a.toml");
  Update v = next_update(w);
  EXPECT_EQ(v.campaigns_removed, std::vector<std::string>{"a"});
}

// The watcher reads only the clocks it is given (WatchOptions::mono and file_clock):
// a file settles when the manual monotonic clock has moved on by the settle interval,
// never by real time passing, and a file already there at start is judged old or new
// by its mtime against the given file clock.
TEST(FolderWatcher, SettlesByTheClocksItIsGiven) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "fake clocks"));
  const Instant written = chr::time_point_cast<chr::milliseconds>(chr::sys_days{chr::year{2024} / 6 / 16} + 2h);
  fs::last_write_time(t / "a.toml", fs::file_time_type::clock::from_sys(written));
  ManualMonotonicClock mono;
  // By this file clock the file was written just now: it must settle first (by the
  // system's clock it is years old and would count as settled at once).
  const ManualClock just_written(written + kSettle / 2);
  WatchOptions o = options_for(t);
  o.use_inotify = false;
  o.rescan = 10ms;  // on the manual clock; the watcher looks at it every 10 ms of real time
  o.mono = &mono;
  o.file_clock = &just_written;
  {
    FolderWatcher w(o, nullptr);
    // The manual clock stands still: twice the settle interval of real time changes nothing.
    EXPECT_FALSE(w.wait(2 * kSettle).has_value()) << "staged by real time or by the system's clock";
    mono.advance(kSettle - 1ms);
    EXPECT_FALSE(w.wait(kSettle).has_value()) << "staged before the settle interval had passed";
    mono.advance(1ms);
    Update u = next_update(w);
    EXPECT_TRUE(u.initial);
    ASSERT_TRUE(u.set.has_value());
    ASSERT_EQ(u.set->campaigns.size(), 1u);
    EXPECT_EQ(u.set->campaigns[0].id, "a");
  }
  // By this file clock the file is an hour old: trusted at start, no settling, with
  // the monotonic clock not moved at all.
  const ManualClock an_hour_later(written + 1h);
  o.file_clock = &an_hour_later;
  ManualMonotonicClock still;
  o.mono = &still;
  FolderWatcher w(o, nullptr);
  Update u = next_update(w);
  EXPECT_TRUE(u.initial);
  ASSERT_TRUE(u.set.has_value());
  ASSERT_EQ(u.set->campaigns.size(), 1u);
  EXPECT_EQ(u.set->campaigns[0].id, "a");
}

TEST(FolderWatcher, MediaInNewSubfolderIsWatched) {
  TempDir t;
  write_file(t / "a.toml", with_image("a", "media/2024/june/banner.png"));
  age(t / "a.toml");
  FolderWatcher w(options_for(t), nullptr);
  ASSERT_EQ(next_update(w).held_back.size(), 1u);
  fs::create_directories(t / "media" / "2024" / "june");
  std::this_thread::sleep_for(100ms);
  write_file(t / "media" / "2024" / "june" / "banner.png", png_bytes(t, 0x40));
  Update u = next_update(w);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_TRUE(u.held_back.empty());
}

TEST(FolderWatcher, PlaylistFolderGoneKeepsTheRunningSet) {
  TempDir t;
  fs::create_directories(t / "pl");
  write_file(t / "pl" / "a.toml", slogan("a", "x"));
  age(t / "pl" / "a.toml");
  WatchOptions o = options_for(t);
  o.playlists = t / "pl";
  o.rescan = 200ms;
  FolderWatcher w(o, nullptr);
  ASSERT_TRUE(next_update(w).set.has_value());
  fs::rename(t / "pl", t / "pl-away");  // share unmounted, folder renamed
  Update u = next_update(w);
  EXPECT_FALSE(u.set.has_value());
  ASSERT_EQ(u.rejected.size(), 1u);
  EXPECT_EQ(u.rejected[0].file, t / "pl");
  ASSERT_TRUE(u.folder);
  EXPECT_FALSE(u.folder->readable);
  fs::rename(t / "pl-away", t / "pl");
  // Back with the same content: nothing to apply, nothing more to report; only the
  // folder's state (the idle screen no longer says it is missing).
  const std::vector<Update> back = drain(w);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_FALSE(back[0].set.has_value());
  EXPECT_TRUE(back[0].rejected.empty());
  ASSERT_TRUE(back[0].folder);
  EXPECT_TRUE(back[0].folder->readable);
  EXPECT_EQ(back[0].folder->files, 1u);
}

TEST(FolderWatcher, StopsPromptly) {
  TempDir t;
  const auto t0 = chr::steady_clock::now();
  {
    FolderWatcher w(options_for(t), nullptr);
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_LT(chr::steady_clock::now() - t0, 1s);
}

// ---- large media: hashed on a worker of its own ----

// A sparse file: instant to make and no disk used, but every byte is read when hashed
// (about 1 GiB a second here).
void sparse_file(const fs::path& file, std::uintmax_t size) {
  fs::create_directories(file.parent_path());
  { std::ofstream(file, std::ios::binary); }
  fs::resize_file(file, size);
}

constexpr std::uintmax_t kGiB = std::uintmax_t{1} << 30;

std::string with_video(const std::string& id, const std::string& file) {
  return "[campaign]\nid = \"" + id + "\"\n\n[[item]]\nid = \"hello\"\ntype = \"slogan\"\ntext = \"hi\"\n\n" +
         "[[item]]\nid = \"clip\"\ntype = \"video\"\nfile = \"" + file + "\"\n";
}

// Drops an emergency slogan (written under a temporary name, then renamed into
// place, as copy tools do) and waits for the Update that starts it. Returns how
// long after the rename it came, and that Update.
std::pair<chr::milliseconds, Update> drop_emergency(FolderWatcher& w, const TempDir& t) {
  write_file(t / ".fire.toml.part", slogan("fire", "请立即疏散", 900));
  const auto dropped = chr::steady_clock::now();
  fs::rename(t / ".fire.toml.part", t / "fire.toml");
  while (auto u = w.wait(kUpdateTimeout)) {
    if (std::find(u->emergency_started.begin(), u->emergency_started.end(), "fire") != u->emergency_started.end()) {
      return {chr::duration_cast<chr::milliseconds>(chr::steady_clock::now() - dropped), std::move(*u)};
    }
  }
  ADD_FAILURE() << "the emergency was never staged";
  return {chr::duration_cast<chr::milliseconds>(kUpdateTimeout), Update{}};
}

TEST(FolderWatcher, AnEmergencyIsStagedWithin500msOfItsDrop) {
  TempDir t;
  write_file(t / "normal.toml", slogan("normal", "rotation", 10));
  age(t / "normal.toml");
  FolderWatcher w(options_for(t), nullptr);
  ASSERT_TRUE(next_update(w).set.has_value());
  const auto [latency, u] = drop_emergency(w, t);
  std::cout << "emergency staged " << latency.count() << " ms after its drop\n";
  EXPECT_LE(latency, 500ms);
}

TEST(FolderWatcher, AnEmergencyDroppedWhileABigFileIsHashedIsStagedWithin500msAndStopIsPrompt) {
  TempDir t;
  write_file(t / "normal.toml", slogan("normal", "rotation", 10));
  age(t / "normal.toml");
  std::optional<FolderWatcher> w;
  w.emplace(options_for(t), nullptr);
  ASSERT_TRUE(next_update(*w).set.has_value());

  // 3 GiB: under the 4 GiB limit, so it is hashed, which takes seconds.
  sparse_file(t / "media" / "big.mp4", 3 * kGiB);
  write_file(t / "big.toml", with_video("big", "media/big.mp4"));
  Update staged = next_update(*w);
  ASSERT_TRUE(staged.set.has_value());
  ASSERT_EQ(staged.held_back.size(), 1u);
  EXPECT_TRUE(staged.held_back[0].hashing) << staged.held_back[0].reason;
  EXPECT_FALSE(find(*staged.set, "big")->items.at(0).media_missing);  // its slogan plays already

  const auto [latency, u] = drop_emergency(*w, t);
  std::cout << "emergency staged " << latency.count() << " ms after its drop, a 3 GiB file being hashed\n";
  EXPECT_LE(latency, 500ms);
  ASSERT_TRUE(u.set.has_value());
  EXPECT_EQ(showing_id(*u.set), "fire/s");
  // The big file was still being hashed: its item had not joined.
  EXPECT_TRUE(find(*u.set, "big")->items.at(1).media_missing);

  const auto stop = chr::steady_clock::now();
  w.reset();
  const auto took = chr::duration_cast<chr::milliseconds>(chr::steady_clock::now() - stop);
  std::cout << "watcher stopped in " << took.count() << " ms in the middle of hashing\n";
  EXPECT_LT(took, 1s);
}

TEST(FolderWatcher, AMediaFileBeingHashedJoinsWhenDone) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "hi", 10));
  age(t / "a.toml");
  FolderWatcher w(options_for(t), nullptr);
  ASSERT_TRUE(next_update(w).set.has_value());

  // 64 MiB: long enough to be seen waiting, short enough for a busy machine.
  sparse_file(t / "media" / "clip.mp4", 64 << 20);
  write_file(t / "b.toml", with_video("b", "media/clip.mp4"));
  // The item waits for its hash, like media that has not arrived, then joins.
  const Update staged = next_update(w);
  ASSERT_TRUE(staged.set.has_value());
  EXPECT_EQ(staged.campaigns_added, std::vector<std::string>{"b"});
  EXPECT_TRUE(find(*staged.set, "b")->items.at(1).media_missing);
  ASSERT_EQ(staged.held_back.size(), 1u);
  EXPECT_TRUE(staged.held_back[0].hashing);
  auto hashed = w.wait(30s);
  ASSERT_TRUE(hashed.has_value()) << "the item did not join within 30 s";
  const Update& joined = *hashed;
  ASSERT_TRUE(joined.set.has_value());
  EXPECT_FALSE(find(*joined.set, "b")->items.at(1).media_missing);
  EXPECT_TRUE(joined.held_back.empty());
  ASSERT_EQ(joined.items.size(), 1u);
  EXPECT_EQ(joined.items[0].kind, ItemChange::Kind::joined);
  EXPECT_EQ(joined.items[0].item, "clip");
  const auto sha = sha256_file(t / "media" / "clip.mp4");
  ASSERT_TRUE(sha);
  EXPECT_EQ(joined.items[0].media_sha256, *sha);
  EXPECT_TRUE(drain(w).empty());
}

TEST(MediaHasher, HashesOnItsOwnThreadAndCachesByStamp) {
  TempDir t;
  const fs::path file = t / "media" / "a.bin";
  write_file(file, "first content");
  MediaHasher h;
  auto stamp = stamp_of(file);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(h.digest(file, *stamp, false).state, MediaDigest::State::pending);
  ASSERT_TRUE(test::wait_until([&] { return h.digest(file, *stamp, false).state != MediaDigest::State::pending; }));
  EXPECT_EQ(h.digest(file, *stamp, false).sha256, sha256_hex("first content"));

  write_file(file, "second, longer content");
  stamp = stamp_of(file);
  ASSERT_TRUE(stamp);
  ASSERT_TRUE(test::wait_until([&] { return h.digest(file, *stamp, false).state == MediaDigest::State::ready; }));
  EXPECT_EQ(h.digest(file, *stamp, false).sha256, sha256_hex("second, longer content"));
}

TEST(MediaHasher, AFileNotAtTheStampAskedForIsReportedChangedOnce) {
  TempDir t;
  const fs::path file = t / "a.bin";
  write_file(file, "content");
  MediaHasher h;
  FileStamp old = *stamp_of(file);
  old.size += 1;  // as it was before the last write
  MediaDigest d;
  ASSERT_TRUE(test::wait_until([&] {
    d = h.digest(file, old, false);
    return d.state != MediaDigest::State::pending;
  }));
  EXPECT_EQ(d.state, MediaDigest::State::changed);
  EXPECT_TRUE(d.sha256.empty());
  // Said once: asked again, it is queued anew.
  EXPECT_EQ(h.digest(file, old, false).state, MediaDigest::State::pending);
}

TEST(MediaHasher, ASmallFileAskedAfterABigOneIsDoneFirst) {
  TempDir t;
  const fs::path big = t / "big.mp4";
  const fs::path small = t / "small.png";
  sparse_file(big, 2 * kGiB);
  write_file(small, "a small picture");
  MediaHasher h;
  const FileStamp big_stamp = *stamp_of(big);
  const FileStamp small_stamp = *stamp_of(small);
  const auto t0 = chr::steady_clock::now();
  ASSERT_EQ(h.digest(big, big_stamp, false).state, MediaDigest::State::pending);
  ASSERT_TRUE(test::wait_until([&] { return h.digest(small, small_stamp, false).state == MediaDigest::State::ready; }));
  const auto small_after = chr::duration_cast<chr::milliseconds>(chr::steady_clock::now() - t0);
  std::cout << "a small file hashed " << small_after.count() << " ms after a 2 GiB one was queued\n";
  EXPECT_EQ(h.digest(big, big_stamp, false).state, MediaDigest::State::pending);
  EXPECT_LT(small_after, 500ms);
}

TEST(MediaHasher, StopsWithinOneReadInTheMiddleOfAFile) {
  TempDir t;
  const fs::path big = t / "big.mp4";
  sparse_file(big, 2 * kGiB);
  std::optional<MediaHasher> h;
  h.emplace();
  ASSERT_EQ(h->digest(big, *stamp_of(big), false).state, MediaDigest::State::pending);
  std::this_thread::sleep_for(200ms);  // well into the file (2 GiB take seconds)
  ASSERT_FALSE(h->idle());
  const auto t0 = chr::steady_clock::now();
  h.reset();
  const auto took = chr::duration_cast<chr::milliseconds>(chr::steady_clock::now() - t0);
  std::cout << "hasher stopped in " << took.count() << " ms in the middle of a 2 GiB file\n";
  EXPECT_LT(took, 1s);
}

// ---- signage check DIR ----

// ---------------------------------------------------------------- last good playlists

TEST(LastGoodPlaylists, AStartDuringAnInPlaceRewritePlaysTheLastGoodVersion) {
  TempDir t;
  fs::create_directories(t / "playlists");
  const std::string good = slogan("month", "安全生产月");
  write_file(t / "playlists/month.toml", good);
  write_file(t / "playlists/other.toml", slogan("other", "other"));
  LoadOptions o;
  o.media_root = t / "playlists";
  LastGoodPlaylists store(t / "journal/last-good");

  auto first = load_playlist_folder(t / "playlists", o);
  ASSERT_EQ(first.set.campaigns.size(), 2u);
  auto kept = store.remember(first.set);
  ASSERT_TRUE(kept.ok()) << kept.error().what();
  EXPECT_EQ(*kept, 2);
  EXPECT_EQ(read_file(t / "journal/last-good/month.toml"), good);
  EXPECT_EQ(*store.remember(first.set), 0) << "unchanged copies are not written again";

  // The next start finds the file cut half-way by an editor saving over it.
  write_file(t / "playlists/month.toml", good.substr(0, good.size() / 2));
  auto second = load_playlist_folder(t / "playlists", o);
  ASSERT_EQ(second.refused.size(), 1u);
  ASSERT_EQ(second.set.campaigns.size(), 1u);
  const auto filled = store.fill_in(second, o);
  ASSERT_EQ(filled.size(), 1u);
  EXPECT_EQ(filled[0], t / "playlists/month.toml");
  ASSERT_EQ(second.set.campaigns.size(), 2u);
  EXPECT_EQ(second.set.campaigns[0].id, "month") << "in file-name order";
  EXPECT_EQ(second.set.campaigns[0].source, t / "playlists/month.toml");
  EXPECT_EQ(second.set.campaigns[0].source_sha256, sha256_hex(good));
  EXPECT_EQ(second.set.campaigns[0].items.at(0).text, "安全生产月");
  EXPECT_EQ(*store.remember(second.set), 0) << "the half-written file is never kept";
  EXPECT_EQ(read_file(t / "journal/last-good/month.toml"), good);
}

TEST(LastGoodPlaylists, RemovedFilesAndTakenIdsAreNotBroughtBack) {
  TempDir t;
  fs::create_directories(t / "playlists");
  LoadOptions o;
  o.media_root = t / "playlists";
  LastGoodPlaylists store(t / "last-good");
  write_file(t / "playlists/a.toml", slogan("a", "A"));
  write_file(t / "playlists/b.toml", slogan("b", "B"));
  ASSERT_TRUE(store.remember(load_playlist_folder(t / "playlists", o).set).ok());

  // a.toml is now broken, and b.toml has taken its campaign id meanwhile.
  write_file(t / "playlists/a.toml", "[campaign\n");
  write_file(t / "playlists/b.toml", slogan("a", "A from b"));
  auto r = load_playlist_folder(t / "playlists", o);
  ASSERT_EQ(r.refused.size(), 1u);
  EXPECT_TRUE(store.fill_in(r, o).empty()) << "campaign id 'a' already plays";
  ASSERT_EQ(r.set.campaigns.size(), 1u);
  EXPECT_EQ(r.set.campaigns[0].items.at(0).text, "A from b");

  // A file deleted from the drop folder loses its copy, so it never comes back.
  fs::remove(t / "playlists/b.toml");
  ASSERT_TRUE(store.forget_missing(t / "playlists").ok());
  EXPECT_FALSE(fs::exists(t / "last-good/b.toml"));
  EXPECT_TRUE(fs::exists(t / "last-good/a.toml"));
}

// The last good copies are read, written, listed and deleted through the store's
// Env: a failure is an error of the Env's kind naming the file.
TEST(LastGoodPlaylists, CopiesGoThroughTheEnv) {
  TempDir t;
  fs::create_directories(t / "playlists");
  write_file(t / "playlists/a.toml", slogan("a", "A"));
  write_file(t / "playlists/b.toml", slogan("b", "B"));
  LoadOptions o;
  o.media_root = t / "playlists";
  PosixEnv base(false);
  FaultyEnv env(base);
  LastGoodPlaylists store(t / "last-good", env);
  const auto loaded = load_playlist_folder(t / "playlists", o);
  ASSERT_EQ(loaded.set.campaigns.size(), 2u);

  env.fail_path(t / "last-good/a.toml", ENOSPC);
  auto full = store.remember(loaded.set);
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.error().kind(), ErrorKind::no_space) << full.error().what();
  EXPECT_NE(full.error().what().find((t / "last-good/a.toml").string()), std::string::npos) << full.error().what();
  env.clear_faults();
  ASSERT_EQ(*store.remember(loaded.set), 2);
  EXPECT_EQ(store.load_all(t / "playlists", o).size(), 2u);

  env.fail_path(t / "last-good/a.toml");  // the copy cannot be read: not loaded
  EXPECT_FALSE(store.load(t / "playlists/a.toml", o));
  EXPECT_EQ(store.load_all(t / "playlists", o).size(), 1u);
  env.clear_faults();

  fs::remove(t / "playlists/b.toml");
  env.fail_path(t / "last-good/b.toml", EACCES);
  auto kept = store.forget_missing(t / "playlists");
  ASSERT_FALSE(kept.ok());
  EXPECT_EQ(kept.error().kind(), ErrorKind::permission) << kept.error().what();
  EXPECT_NE(kept.error().what().find((t / "last-good/b.toml").string()), std::string::npos) << kept.error().what();
  EXPECT_TRUE(fs::exists(t / "last-good/b.toml"));
  env.clear_faults();
  auto gone = store.forget_missing(t / "playlists");
  ASSERT_TRUE(gone.ok()) << gone.error().what();
  EXPECT_EQ(*gone, 1);
  EXPECT_FALSE(fs::exists(t / "last-good/b.toml"));
  EXPECT_TRUE(fs::exists(t / "last-good/a.toml"));
}

TEST(DescribeDrop, ReportsEveryFileHeldItemsAndWhatShowsNow) {
  TempDir t;
  write_file(t / "a.toml", slogan("a", "low", 1));
  write_file(t / "b.toml", "[campaign]\nid = \"b\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\n");
  write_file(t / "c.toml", with_image("c", "media/missing.png"));
  write_file(t / ".c.toml.Ab12Cd", "partial");
  const auto zone = fixed_offset_zone(8h);
  auto now = parse_iso8601("2024-06-16T10:00:00+08:00", *zone);
  ASSERT_TRUE(now.ok());
  LoadOptions lo;
  lo.media_root = t.path();
  const DropReport r = describe_drop(t.path(), lo, *now, *zone);
  ASSERT_EQ(r.files.size(), 3u);
  EXPECT_TRUE(r.files[0].valid);
  EXPECT_EQ(r.files[0].campaign, "a");
  EXPECT_EQ(r.files[0].sha256, sha256_hex(read_file(t / "a.toml")));
  EXPECT_FALSE(r.files[1].valid);
  ASSERT_FALSE(r.files[1].diagnostics.empty());
  EXPECT_GT(r.files[1].diagnostics[0].where.line, 0);
  EXPECT_TRUE(r.files[2].valid);
  ASSERT_EQ(r.held_back.size(), 1u);
  EXPECT_EQ(r.held_back[0].campaign, "c");
  EXPECT_EQ(r.held_back[0].item, "banner");
  EXPECT_EQ(r.ignored, std::vector<fs::path>{t / ".c.toml.Ab12Cd"});
  // a (priority 1) beats c (priority 0).
  EXPECT_EQ(r.on_screen_campaign, "a");
  EXPECT_EQ(r.on_screen_item, "s");
}

TEST(DescribeDrop, AMediaFileOverTheSizeLimitIsAnErrorWithItsSize) {
  TempDir t;
  write_file(t / "a.toml", with_video("a", "media/huge.mp4"));
  sparse_file(t / "media" / "huge.mp4", 8 * kGiB);  // never read: refused by its size
  const auto zone = fixed_offset_zone(8h);
  LoadOptions lo;
  lo.media_root = t.path();
  const DropReport r = describe_drop(t.path(), lo, Instant{}, *zone);
  ASSERT_EQ(r.held_back.size(), 1u);
  EXPECT_NE(r.held_back[0].reason.find("8.0 GiB (8589934592 bytes), over the limit of 4.0 GiB"), std::string::npos)
      << r.held_back[0].reason;
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_EQ(r.files[0].unusable, 1u);  // an error, not "may still arrive"
  fs::remove(t / "media" / "huge.mp4");
}

TEST(DescribeDrop, UnreadableFolderIsReported) {
  TempDir t;
  const auto zone = fixed_offset_zone(8h);
  LoadOptions lo;
  const DropReport r = describe_drop(t / "nope", lo, Instant{}, *zone);
  EXPECT_TRUE(r.files.empty());
  ASSERT_EQ(r.folder_diagnostics.size(), 1u);
  EXPECT_FALSE(r.on_screen_campaign.has_value());
}

}  // namespace
}  // namespace signage
