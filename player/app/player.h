// The kiosk loop and the preview, wired from the modules below. This is the one
// place where the real clock, time zone, display and fonts are chosen; everything
// it calls takes them as arguments.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>

#include "config/device_config.h"
#include "core/env.h"
#include "core/error.h"
#include "core/time.h"
#include "playlist/loader.h"
#include "playlist/model.h"
#include "render/display.h"
#include "render/scene.h"
#include "schedule/scheduler.h"
#include "uplink/uplink.h"
#include "watch/set_builder.h"

namespace signage {
class LogQueue;
class FfmpegLogRoute;
}  // namespace signage

namespace signage {

// The lineup: the schedule plus the Scene: what to put on screen at an instant,
// skipping items whose media cannot be shown (each skip is logged once and the item
// stays out of the lineup until the playlists are loaded again). (The screen's
// `rotation` in the device config is something else: how the output is turned.)
// Thread: the main thread.
class Lineup {
 public:
  // Called for each item that cannot be shown, before it is taken out.
  using SkipFn = std::function<void(const Campaign&, const Item&, const Error&, Instant)>;
  // Where a campaign's items go on the screen (its layout's main zone); empty: the
  // whole screen.
  using ZoneFn = std::function<Rect(const Campaign&)>;
  Lineup(PlaylistSet set, Scene& scene, const TimeZone& zone, std::ostream& log, SkipFn on_skip = {},
           ZoneFn zones = {});

  struct Next {
    ScheduleResult schedule;
    std::unique_ptr<View> view;   // never null: an item, or the idle screen
    Transition transition = Transition::cut;
    Instant start;                // when this showing began
  };
  // With PrepareMode::ahead a video is still opening when this returns: its
  // View::ready says when it can be shown, or why not (then call drop()).
  Next at(Instant now, PrepareMode mode = PrepareMode::ready);
  // Takes the item of `showing` out of the lineup because `why` (logged, and
  // passed to the SkipFn) until the playlists are loaded again. Not while the scene
  // is stopping (a wait cut short by a stop is no fault of the item's): then at()
  // gives the idle view for an item that failed, and drop() does nothing.
  void drop(const ScheduleResult& showing, const Error& why, Instant now);
  // The item `campaign`/`item` (ids) shown again from `now` for its duration, e.g.
  // what an emergency interrupted; nullopt when it is gone or cannot be shown.
  std::optional<Next> replay(const std::string& campaign, const std::string& item, Instant now);
  // No flashes (schedule/no_flash.h), with `on_screen` the showing on screen (nullopt:
  // none): `next` stays, or becomes the next slot's item shown from `now` (the rotation
  // stays on its clock grid); false: it is not started, and the showing on screen stays
  // (only when `may_stay`) until `next.schedule.until`.
  bool without_flash(Next& next, Instant now, const std::optional<Showing>& on_screen, bool may_stay);
  const PlaylistSet& set() const { return set_; }

 private:
  PlaylistSet set_;
  Scene& scene_;
  const TimeZone& zone_;
  std::ostream& log_;
  SkipFn on_skip_;
  ZoneFn zones_;
};

SceneOptions scene_options(const DeviceConfig& config);
struct PlayOptions;
// The Scene of `signage play`: scene_options(options.config) with the background log,
// the monotonic clock (videos' media clocks) and the wall clock's rate; `stop_flag`:
// waits and layouts end at a stop signal (StopSignals::flag()).
SceneOptions scene_options(const PlayOptions& options, const MonotonicClock& mono, double clock_rate, bool stop_flag);

// Identity of a showing (or the idle screen), to tell a real switch from the same
// showing evaluated again.
struct ShowKey {
  bool idle = true;
  std::size_t campaign = 0, item = 0;
  Instant start{};
  friend bool operator==(const ShowKey&, const ShowKey&) = default;
};
ShowKey key_of(const ScheduleResult& r);
// How the device config says playlists load (media folder, item defaults).
LoadOptions load_options(const DeviceConfig& config);

struct PlayOptions {
  DeviceConfig config;
  std::optional<std::chrono::milliseconds> exit_after;   // stop after this long (tests, benchmarks)
  std::filesystem::path journal_dir;                     // empty: no journal
  std::chrono::hours evidence_retention{24 * 90};        // evidence pictures kept this long
  bool watch = true;                                     // follow changes in the playlists folder
  bool null_output = false;                              // draw nothing (benchmarks of the core)
  std::filesystem::path stats_file;                      // write playback statistics (JSON) at exit
  std::filesystem::path present_log;                     // one CSV line per presented frame (app/present_log.h)
  Env* journal_io = nullptr;                             // null: the real file system (tests inject faults)
  // Lines for the log from other threads (FFmpeg's messages, decoder fallbacks, the
  // sound device), printed by the kiosk at each turn; FFmpeg's repeat counts flushed
  // then. Either may be null.
  LogQueue* background_log = nullptr;
  FfmpegLogRoute* ffmpeg_log = nullptr;
};

// The central-log uplink the device config asks for ([uplink] target, heartbeat,
// tls_*), spooling from `journal_dir`.
Result<std::unique_ptr<Uplink>> start_uplink(const DeviceConfig& config, const std::filesystem::path& journal_dir);

// One player per journal: the lock of `options.journal_dir` (journal/journal.h,
// lock_journal), through options.journal_io. An error of kind busy when another
// player holds it, saying which folder and which process.
Result<FileLock> lock_journal_for_play(const PlayOptions& options);

// Runs the kiosk (app/kiosk.h) until quit (Esc, q, window closed), SIGTERM or SIGINT
// (app/stop_signals.h: honoured within a second, whatever the loop is doing) or
// exit_after. Returns the process exit code.
// `journal_lock`: the journal's lock when the caller took it already
// (lock_journal_for_play, before the playlists were loaded); else play() takes it
// first of all, so that a second player on the same journal ends (exit code 1, the
// lock's message in the log) before it opens the display, the sound or the fonts.
int play(const PlayOptions& options, PlaylistSetResult loaded, const Clock& clock, const TimeZone& zone,
         std::ostream& log, FileLock journal_lock = {});

struct PreviewOptions {
  DeviceConfig config;
  Instant at;
  int width = 1920;    // the output as the device drives it (before config.rotation)
  int height = 1080;
  std::filesystem::path out;
  // The playlist folder as loaded (watch/set_builder.h folder_state): why the idle
  // screen is idle, if it is.
  FolderState folder;
};

// Renders exactly what the screen shows at `at` (mid-fade included; layout bands,
// the ticker where it is at that instant, the header clock) to a PNG, upright.
Status preview(const PreviewOptions& options, const PlaylistSet& set, const TimeZone& zone,
               std::ostream& log);

}  // namespace signage
