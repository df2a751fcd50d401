// Playlist swaps: a valid new set from the drop folder waits here for the next item
// boundary, at most kMaxSwapWait (clock time) while a slogan or picture is on screen,
// until the end of a video, and not at all when an emergency campaign appeared,
// nothing is playing, or the new set has the item on screen unchanged (it finishes
// its showing whatever the swap). It also remembers the item an emergency interrupted, so it can
// be shown again once the emergency is over.
//
// The kiosk offers every Update (offer), asks due() each loop iteration, and take()s
// the set when it is due; the swap itself (new Lineup, what stays on screen) is the
// kiosk's.
//
// Ownership: owns the pending set. Thread: the main thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time.h"
#include "playlist/model.h"
#include "watch/set_builder.h"

namespace signage {

// The same files (by hash), in the same order.
bool same_files(const PlaylistSet& a, const PlaylistSet& b);
// The same files with the same items held back.
bool same_content(const PlaylistSet& a, const PlaylistSet& b);
// Whether `after` (in a new set) is `before` unchanged: shown (not held back), the same
// type, text, file, duration and style, and a picture or video with the same media
// hash (`before_hash`, `after_hash`: the watcher's; empty: unknown, so changed).
bool same_item(const Item& before, const std::string& before_hash, const Item& after, const std::string& after_hash);

class SetSwapper {
 public:
  // A valid new set waits at most this long for the item on screen to end (not under
  // a video), so a dropped file is on screen within a second of settling.
  static constexpr std::chrono::milliseconds kMaxSwapWait{500};

  // `emergency_level`: the priority at or above which a campaign is an emergency.
  explicit SetSwapper(int emergency_level) : emergency_level_(emergency_level) {}

  bool emergency(const Campaign& campaign) const { return campaign.priority >= emergency_level_; }

  // Takes the set of `update` (if any) to swap in later; a baseline (initial)
  // Update that repeats `running` is no change, one with other files is recorded
  // like any drop. Returns media hashes that apply to
  // the running set at once (that baseline's), else nullopt.
  std::optional<std::map<std::filesystem::path, std::string>> offer(Update& update, const PlaylistSet& running,
                                                                     Instant now);
  bool pending() const { return pending_.has_value(); }

  // What is on screen, as the swap rule needs it.
  struct OnScreen {
    bool playing = false;           // an item, not the idle screen
    bool video = false;             // that item is a video
    std::optional<Instant> until;   // when the schedule changes next (nullopt: unknown)
  };
  // The item on screen: its ids (campaign, item), the item, its media hash.
  struct ItemOnScreen {
    std::pair<std::string, std::string> ids;
    const Item* item;
    std::string hash;
  };
  // Whether the pending set should go up at `now`. An item on screen (`item`, null:
  // not said) that the pending set has unchanged finishes its showing whatever the
  // swap, so then the set goes up at once.
  bool due(Instant now, const OnScreen& screen, const ItemOnScreen* item = nullptr) const;
  // Whether the pending set has `item` unchanged.
  bool keeps(const ItemOnScreen& item) const;
  // When the pending set is due at the latest while no video plays (nullopt: none pending).
  std::optional<Instant> deadline() const;

  struct Swap {
    PlaylistSet set;
    std::vector<AppliedFile> applied;
    std::map<std::filesystem::path, std::string> media_sha256;
    bool quiet = false;             // the watcher's baseline with start-up's files: no journal line
  };
  // The pending set (call only when pending()).
  Swap take();

  // The emergency campaign `emergency` cuts the item `on_screen` (campaign id, item
  // id): it is remembered, to be shown again when the emergency is over. Returns
  // the reason for the cut item's record.
  std::string interrupt(std::pair<std::string, std::string> on_screen, const std::string& emergency);
  // When an emergency ends (`emergency_on_screen` and not `emergency_next`): the item
  // it interrupted (once), else nullopt.
  std::optional<std::pair<std::string, std::string>> resume(bool emergency_on_screen, bool emergency_next);

 private:
  int emergency_level_;
  std::optional<Swap> pending_;
  bool urgent_ = false;             // an emergency campaign appeared
  Instant since_{};
  std::optional<std::pair<std::string, std::string>> resume_;
};

// Where `item` (on screen in the running set) is unchanged (same_item) in `set`, whose
// media hashes are `hashes`: its campaign's and its own index there; nullopt: it is
// not in `set`, or changed.
std::optional<std::pair<std::size_t, std::size_t>> find_unchanged(
    const PlaylistSet& set, const std::map<std::filesystem::path, std::string>& hashes,
    const SetSwapper::ItemOnScreen& item);

}  // namespace signage
