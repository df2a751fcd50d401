// Playback statistics of one run (`signage play --stats FILE`): frames presented and
// dropped, the longest interval between presents while frames were due, the longest
// gap at an item switch, black frames at switches (read back from the display), the
// time to the first frame, and one entry per finished play. Frames dropped by video
// decoders are counted in every run (the heartbeat reports them), --stats or not.
//
// The kiosk tells it what happens (switched, presented, play_ended); it does no
// timing of its own: every instant is passed in (monotonic time).
//
// Ownership: plain values; borrows nothing. Thread: the main thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/time.h"
#include "render/display.h"
#include "video/stats.h"

namespace signage {

// A frame that is almost all black (99 % of its pixels darker than 8 in R, G and B)
// is the gap a viewer would see at a switch.
bool nearly_black(const Image& frame);

class PlayStats {
 public:
  // `detailed`: --stats was asked for (per-play entries, black-frame checks).
  explicit PlayStats(bool detailed) : detailed_(detailed) {}

  // A new item went up; the switch was due at `due` (the end of the showing
  // before, or when an unplanned switch was decided).
  void switched(MonoTime due);
  // Whether the frame just drawn should be checked for black (the first frames
  // after a switch, with --stats); counts the check.
  bool check_due();
  // The frame drawn at a switch, read back from the display.
  void checked(const Image& frame);
  // A frame was presented at `at`. `continuous`: frames were due within a frame
  // or two (a fade, a video), so the interval since the previous present counts.
  void presented(MonoTime at, bool continuous);
  void first_frame(std::chrono::duration<double, std::milli> after_start);

  // The play on screen ended. `live`: the decoder's figures for it (videos);
  // `outcome`: as recorded ("complete", ...) or "not shown".
  void play_ended(std::string id, std::string type, const std::optional<ItemPlayStats>& live,
                  const std::string& outcome);
  // Frames a video dropped when its play ends without play_ended (a playlist swap).
  void add_dropped(std::uint64_t frames) { dropped_finished_ += frames; }
  // Frames dropped in this run: finished plays plus `live_dropped` (the play on screen).
  std::uint64_t dropped_total(std::uint64_t live_dropped) const { return dropped_finished_ + live_dropped; }

  const PlaybackStats& figures() const { return stats_; }
  std::uint64_t black_frames() const { return black_frames_; }
  std::uint64_t frames_checked() const { return switch_frames_checked_; }

  // The --stats JSON: the figures plus the process's CPU time and peak RSS,
  // `wall` since start and the display's description.
  nlohmann::json to_json(std::chrono::duration<double> wall, const std::string& display) const;
  Status write(const std::filesystem::path& file, std::chrono::duration<double> wall,
               const std::string& display) const;

 private:
  bool detailed_;
  PlaybackStats stats_;
  std::uint64_t black_frames_ = 0;
  std::uint64_t switch_frames_checked_ = 0;
  int check_frames_left_ = 0;                // frames still to check after a switch
  std::uint64_t presents_at_show_ = 0;       // stats_.frames_presented when the play began
  bool switch_pending_ = false;              // a new view waits for its first present
  MonoTime switch_due_{};
  std::optional<MonoTime> last_present_;
  std::uint64_t dropped_finished_ = 0;       // video frames dropped by finished plays
};

}  // namespace signage
