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
  // Between two presents while frames were due continuously (a video, a fade).
  double longest_present_interval_ms = 0;
  // From the later of the last present and the moment a switch was due (the end of
  // the showing before; for a switch nobody planned, such as a playlist swap, when
  // it was decided) to the new item's first present. A static item's long still
  // frame before a switch does not count; a late switch does.
  double longest_switch_interval_ms = 0;
  double time_to_first_frame_ms = 0;
  std::vector<ItemPlayStats> items;
};

}  // namespace signage
