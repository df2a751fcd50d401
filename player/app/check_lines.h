// `signage check --lines`: how each slogan will be broken, without a screen. For
// every slogan of the playlists given (files or folders), and each header title,
// the zone it gets on an output of the given size (the campaign's [layout] bands,
// the device's rotation), the font size the player chooses and its lines, laid out
// by the player's own code. And what plain `check` says about scrolling strip
// slogans too long for their duration.
// Thread: the caller's (it opens fonts).
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "config/device_config.h"
#include "core/diagnostic.h"
#include "playlist/model.h"
#include "text/text.h"

namespace signage {

struct CheckLinesOptions {
  std::vector<std::string> paths;   // playlist files or folders
  std::string media;                // as check's --media
  int width = 1920, height = 1080;  // the output, before rotation
  bool json = false;                // JSON Lines instead of text
};

// Prints one block (or one JSON object per line) per slogan, and per header title
// for a campaign whose layout has a header band, to `out`; diagnostics (the
// loader's, and strip_pass_warnings') to `err`. 0 when every playlist loaded, 1
// otherwise.
int run_check_lines(const CheckLinesOptions& options, const DeviceConfig& config, std::ostream& out,
                    std::ostream& err);

// The size the player lays out on for an output of width x height: the config's
// [display] region if any, turned for a rotation of 90 or 270.
std::pair<int, int> laid_out_size(const DeviceConfig& config, int width, int height);

// A warning for each slogan of `c` that scrolls on a strip of the output (w x h,
// laid out) and cannot complete one full pass within its duration even at twice
// the normal speed: the duration it needs and what to do.
std::vector<Diagnostic> strip_pass_warnings(FontSet& fonts, const Campaign& c, const DeviceConfig& config, int w,
                                            int h);

}  // namespace signage
