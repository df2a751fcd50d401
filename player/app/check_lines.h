// `signage check --lines`: how each slogan will be broken, without a screen. For
// every slogan of the playlists given (files or folders), the zone it gets on an
// output of the given size (the campaign's [layout] bands, the device's rotation),
// the font size the player chooses and its lines, laid out by the player's own code.
// Thread: the caller's (it opens fonts).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/device_config.h"

namespace signage {

struct CheckLinesOptions {
  std::vector<std::string> paths;   // playlist files or folders
  std::string media;                // as check's --media
  int width = 1920, height = 1080;  // the output, before rotation
  bool json = false;                // JSON Lines instead of text
};

// Prints one block (or one JSON object per line) per slogan to `out`, diagnostics to
// `err`. 0 when every playlist loaded, 1 otherwise.
int run_check_lines(const CheckLinesOptions& options, const DeviceConfig& config, std::ostream& out,
                    std::ostream& err);

}  // namespace signage
