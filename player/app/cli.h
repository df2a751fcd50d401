// The `signage` command line: play, check, preview, --version. Parses options,
// loads the device config and playlists, prints diagnostics, and calls player.h.
// Exit codes: 0 ok; 1 invalid input or a failure; 2 usage error.
#pragma once

#include <iosfwd>

namespace signage {

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace signage
