// Playback figures the player collects for `--stats` and the journal: what was
// shown, how smoothly, and by which decoder. Plain values, copied freely.
// Thread: whoever owns the struct (the main thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace signage {

// One play of one item.
struct ItemPlayStats {
  std::string id;
  std::string type;           // "video", "image", "slogan"
  std::string decoder;        // "h264 (vaapi)"; empty for non-video items
  bool hardware = false;
  std::uint64_t frames_presented = 0;
  std::uint64_t frames_dropped = 0;
  std::string outcome;        // "complete", "error: <why>", "skipped: <why>"
};

struct PlaybackStats {
  std::uint64_t frames_presented = 0;
  std::uint64_t frames_dropped = 0;
  double longest_present_interval_ms = 0;
  double longest_switch_interval_ms = 0;
  double time_to_first_frame_ms = 0;
  std::vector<ItemPlayStats> items;
};

}  // namespace signage
