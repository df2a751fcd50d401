// `signage check DIR`: what would happen if this folder were dropped on a screen.
// A pure function of the folder's files and the time: per file valid or refused
// (with every diagnostic), items that would be held back because their media is
// missing or unusable, and what the scheduler would put on screen at `now`.
// The same media checks as the watcher (watch/set_builder.h), without waiting for files
// to settle. Thread: any.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/time.h"
#include "playlist/loader.h"
#include "playlist/model.h"
#include "schedule/scheduler.h"
#include "watch/set_builder.h"

namespace signage {

struct DropFileReport {
  std::filesystem::path file;
  bool valid = false;
  std::string campaign;                  // id, when valid
  int priority = 0;                      // when valid
  std::string sha256;                    // of the file's bytes (empty if unreadable)
  std::vector<Diagnostic> diagnostics;   // errors and warnings, in line order
};

struct DropReport {
  std::vector<DropFileReport> files;     // every playlist file, in name order
  std::vector<Diagnostic> folder_diagnostics;   // the folder itself cannot be read
  std::vector<std::filesystem::path> ignored;   // temporary or hidden names, not loaded
  std::vector<HeldItem> held_back;       // items left out: media missing or unusable
  PlaylistSet set;                       // what would play (held items have media_missing)
  ScheduleResult schedule;               // schedule_at(set, now, zone)
  // Names of what schedule.showing points at (nullopt: the idle screen).
  std::optional<std::string> on_screen_campaign;
  std::optional<std::string> on_screen_item;
};

DropReport describe_drop(const std::filesystem::path& dir, const LoadOptions& options, Instant now,
                         const TimeZone& zone);

}  // namespace signage
