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
#include "core/env.h"
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
  // The file system playlist files and zone files are read through (null:
  // real_env()); it must outlive the load. Tests inject faults here.
  Env* env = nullptr;
};

struct PlaylistFileResult {
  std::optional<Campaign> campaign;      // set when there are no errors
  std::vector<Diagnostic> diagnostics;   // in file order
};

// `display_name` is what diagnostics call the file.
PlaylistFileResult load_playlist_text(std::string_view toml_text, const std::string& display_name,
                                      const LoadOptions& options);
PlaylistFileResult load_playlist_file(const std::filesystem::path& file, const LoadOptions& options);

// A file of the playlist folder that looks like a playlist but is not read: named
// `notice.toml.txt` (Windows hides the extension), `NOTICE.TOML`, `a.toml.bak`, or
// named `*.toml` but not a regular file (a FIFO, a device, a folder, a socket).
struct IgnoredFile {
  std::filesystem::path file;
  std::string reason;                     // why, and what to do (message language)
};

struct PlaylistSetResult {
  PlaylistSet set;                        // the valid files' campaigns
  std::vector<Diagnostic> diagnostics;    // every file's, files in name order
  std::vector<std::filesystem::path> refused;  // files left out because of errors
  std::vector<IgnoredFile> ignored;       // look like playlists, not read (name order)
  bool folder_readable = true;            // false: the folder is missing or cannot be read
};

// Every regular `*.toml` file directly in `folder` (hidden and temporary names
// skipped), in name order. Two files with the same campaign id: the second is refused.
// A `*.toml` that is a symbolic link to a file outside `folder` is refused (like a
// media file linked out of the media folder). Non-regular `*.toml` entries and
// misnamed playlists are never opened; they are listed in `ignored`.
PlaylistSetResult load_playlist_folder(const std::filesystem::path& folder, const LoadOptions& options);

// Why a directory entry named `name` that is not read as a playlist should have been
// one, with the fix; nullopt when it does not look like a playlist. `type` is what
// the entry is (std::filesystem::status, symlinks followed).
std::optional<std::string> ignored_playlist_reason(const std::string& name, std::filesystem::file_type type);

}  // namespace signage
