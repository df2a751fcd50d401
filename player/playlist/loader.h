// Reads playlist files (TOML) into Campaigns, checking everything an admin can get
// wrong and reporting each problem with file:line:col. A file with any error is
// refused whole; warnings (a media file not there yet) leave the file usable.
// Pure apart from reading the files it is given and checking media existence.
// Thread: any; no shared state.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "playlist/model.h"

namespace signage {

struct LoadOptions {
  // Media paths in items resolve against this folder and must stay inside it.
  std::filesystem::path media_root;
  // Used for items and campaigns that set none.
  std::chrono::milliseconds default_duration{12'000};
  Transition default_transition = Transition::fade;
  // Where `[campaign] timezone` names are looked up (IANA TZif files).
  std::filesystem::path zoneinfo = "/usr/share/zoneinfo";
};

struct PlaylistFileResult {
  std::optional<Campaign> campaign;      // set when there are no errors
  std::vector<Diagnostic> diagnostics;   // in file order
};

// `display_name` is what diagnostics call the file.
PlaylistFileResult load_playlist_text(std::string_view toml_text, const std::string& display_name,
                                      const LoadOptions& options);
PlaylistFileResult load_playlist_file(const std::filesystem::path& file, const LoadOptions& options);

struct PlaylistSetResult {
  PlaylistSet set;                        // the valid files' campaigns
  std::vector<Diagnostic> diagnostics;    // every file's, files in name order
  std::vector<std::filesystem::path> refused;  // files left out because of errors
};

// Every regular `*.toml` file directly in `folder` (hidden and temporary names
// skipped), in name order. Two files with the same campaign id: the second is refused.
PlaylistSetResult load_playlist_folder(const std::filesystem::path& folder, const LoadOptions& options);

}  // namespace signage
