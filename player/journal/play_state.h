// Crash evidence: the play on screen, kept in a small file beside the journal, so
// that a start after a crash, a kill -9 or a power cut can record what was cut short.
//
//   <journal>/current-play.json
//     {"state":"playing","run_start":"…","alive":"…","alive_ms":…,"play":{…play record…}}
//     {"state":"idle",…}     between plays / the idle screen
//     {"state":"stopped",…}  after a clean stop
//
// The kiosk calls playing() when a play's first frame is on screen, idle() when
// the screen has no play, alive() from its loop (the file is rewritten at most every
// `alive_interval`) and stopped() at a clean exit. Every write replaces the file
// atomically (Env::write_file_atomic: readers see the old or the new one).
//
// recover(), at the next start, before the `start` record: when the file does not
// say "stopped" the run before ended abnormally, and it returns the records to
// append: an `unclean_stop` event and, when a play was on screen, an `interrupted`
// play for it whose end is the last sign of life (the later of the file's `alive`
// and the journal's last line, never past the play's planned end), marked
// `"end_estimated":true`. A play the journal already has (same campaign, item and
// start) is not recorded twice. docs/journal-format.md describes the records.
//
// Ownership: borrows the Env and the TimeZone, which must outlive it.
// Thread: one thread at a time (the main thread).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/error.h"
#include "core/time.h"
#include "journal/journal.h"

namespace signage {

// "current-play.json": not a day file, so verify, report and the uplink ignore it.
inline constexpr const char* kPlayStateFile = "current-play.json";

class PlayStateFile {
 public:
  PlayStateFile(std::filesystem::path journal_dir, const TimeZone& zone, Env& io,
                std::chrono::milliseconds alive_interval = std::chrono::seconds(30));

  // What the file said at the last start, turned into journal records (see above);
  // empty after a clean stop or when there is no file (first start). Call before
  // anything else; it then marks this run as started (state "idle") so that the same
  // records are never returned twice.
  Result<std::vector<nlohmann::json>> recover(Instant now);

  // The play whose first frame is on screen now; `play` is its record as it would be
  // written (start set, end and shown_s are filled in on recovery).
  Status playing(const PlayRecord& play, Instant now);
  // No play on screen (the idle screen, or between two plays).
  Status idle(Instant now);
  // A sign of life: rewrites the file when `alive_interval` has passed since the last write.
  Status alive(Instant now);
  // A clean stop: the next start records nothing.
  Status stopped(Instant now);

  std::filesystem::path path() const { return dir_ / kPlayStateFile; }

 private:
  Status write(const char* state, Instant now);

  std::filesystem::path dir_;
  const TimeZone& zone_;
  Env& io_;
  std::chrono::milliseconds interval_;
  Instant run_start_{};
  std::string state_ = "idle";
  nlohmann::json play_;                 // the play on screen (state "playing")
  Instant play_start_{};                // when its first frame was on screen
  std::optional<Instant> written_;      // when the file was last written
};

}  // namespace signage
