// `signage check`: what would happen if these files were dropped on a screen, with
// everything that would stop an item showing found before the drop.
// A pure function of the files and the time: per file valid or refused (with every
// diagnostic), files that look like playlists but would be ignored (notice.toml.txt,
// NOTICE.TOML, a FIFO named *.toml), items that would be held back because their
// media is missing or unusable (every picture decoded and every video's first frame
// decoded, as the screen would), campaigns that have ended or will not show in the
// next 30 days, emergencies without an end, and what the scheduler would put on screen
// at `now`. Thread: any (video probes run their own decode thread and wait for it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/time.h"
#include "playlist/loader.h"
#include "playlist/model.h"
#include "schedule/scheduler.h"
#include "watch/media_check.h"
#include "watch/set_builder.h"

namespace signage {

struct DropFileReport {
  std::filesystem::path file;
  bool valid = false;
  std::string campaign;                  // id, when valid
  int priority = 0;                      // when valid
  std::string sha256;                    // of the file's bytes (empty if unreadable)
  std::vector<Diagnostic> diagnostics;   // errors and warnings, in line order
  std::size_t items = 0;                 // when valid
  std::size_t held_back = 0;             // items whose media is not there (yet)
  std::size_t unusable = 0;              // items whose media is there but cannot be shown (an error)
};

struct DropReport {
  std::vector<DropFileReport> files;     // every playlist file, in name order
  std::vector<Diagnostic> folder_diagnostics;   // the folder itself cannot be read
  std::vector<std::filesystem::path> ignored;   // temporary or hidden names, not loaded
  std::vector<IgnoredFile> misnamed;     // look like playlists but are not read (warnings)
  std::vector<HeldItem> held_back;       // items left out: media missing or unusable
  PlaylistSet set;                       // what would play (held items have media_missing)
  ScheduleResult schedule;               // schedule_at(set, now, zone)
  // Names of what schedule.showing points at (nullopt: the idle screen).
  std::optional<std::string> on_screen_campaign;
  std::optional<std::string> on_screen_item;
};

// What `check` looks at beyond the loader's checks.
struct DropChecks {
  std::int64_t max_image_pixels = 64'000'000;  // [limits] max_image_megapixels
  std::uintmax_t max_media_bytes = kDefaultMaxMediaBytes;  // [limits] max_media_gib
  int emergency_level = 100;                   // [emergency] priority
  bool decode_media = true;                    // decode every picture and each video's first frame
  std::chrono::hours look_ahead{24 * 30};      // "no showing in the next ..." warning
};

DropReport describe_drop(const std::filesystem::path& dir, const LoadOptions& options, Instant now,
                         const TimeZone& zone, const DropChecks& checks = {});
// The same for one playlist file (`check FILE`).
DropReport describe_playlist_file(const std::filesystem::path& file, const LoadOptions& options, Instant now,
                                  const TimeZone& zone, const DropChecks& checks = {});

// Why a media file cannot be shown, or empty `text` when it can. `present`: the
// file is there (a picture that does not decode or is over the pixel limit, a file
// over the size limit (the set builder's check, watch/media_check.h), a video
// whose first frame does not decode, not a regular file: an error); otherwise it is
// missing or has a temporary name (a warning: it may still arrive). Pictures and
// videos are opened only when they are regular files.
struct MediaProblem {
  std::string text;
  bool present = false;
};
MediaProblem media_problem(ItemType type, const std::filesystem::path& file, const DropChecks& checks);

// Warnings about when `c` shows, seen from `now`: it has ended; it has no showing
// in checks.look_ahead (and when it next shows, if ever within a year); an emergency
// (priority at or above checks.emergency_level) without 'ends'. `zone`: the screen's
// (campaigns with their own zone use it).
std::vector<std::string> campaign_time_warnings(const Campaign& c, Instant now, const TimeZone& zone,
                                                const DropChecks& checks);

}  // namespace signage
