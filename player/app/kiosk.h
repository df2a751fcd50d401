// The kiosk: the main loop of `signage play`. Asks the Lineup what to show, puts it
// on the Stage, presents frames only when something changed, and sleeps until the
// next thing can change (the schedule, a video frame, a fade, the ticker, the header
// clock, a pending playlist swap, a heartbeat, the stop time). Everything else is a
// part with one job, which the loop calls:
//
//   ProofOfPlay        journal records and evidence pictures (app/proof_of_play.h)
//   SetSwapper         pending playlist sets, emergencies and what they interrupted
//   PlayStats          --stats figures, black-frame checks at switches
//   HeartbeatReporter  heartbeats for the central log (with an uplink)
//   ClockWatch         wall-clock jumps, clock sync state
//   Preroll            the next showing, prepared before it is due
//   FramePainter       drawing and presenting only what changed
//
// Wiring (opening the display, journal, uplink, watcher, heartbeat reporter and
// present log; draining the uplink at exit) is play()'s, in app/player.cpp.
//
// Ownership: borrows everything it is given (display, fonts, clocks, zone, services,
// log), which must outlive it; owns its parts, the scene and the lineup.
// Thread: the main thread only (it drives SDL through Display).
#pragma once

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "app/clock_watch.h"
#include "app/frame_painter.h"
#include "app/heartbeat_reporter.h"
#include "app/preroll.h"
#include "app/present_log.h"
#include "app/play_stats.h"
#include "app/player.h"
#include "journal/play_state.h"
#include "app/proof_of_play.h"
#include "app/service.h"
#include "app/set_swapper.h"
#include "app/stop_signals.h"
#include "journal/evidence.h"
#include "journal/journal.h"
#include "playlist/loader.h"
#include "render/layout.h"
#include "uplink/uplink.h"
#include "watch/folder_watcher.h"

namespace signage {

// What the kiosk talks to besides the screen. Each may be null: no journal (nothing
// is recorded, logged at start), no evidence pictures, no central log, no drop-folder
// watching (the set stays as loaded).
struct KioskServices {
  Journal* journal = nullptr;
  EvidenceStore* evidence = nullptr;
  Uplink* uplink = nullptr;
  FolderWatcher* watcher = nullptr;
  PlayStateFile* play_state = nullptr;   // crash evidence beside the journal (may be null)
  std::string journal_error;             // why there is no journal although one was asked for
  const StopSignals* signals = nullptr;  // SIGTERM/SIGINT: the loop ends within a second (may be null)
  HeartbeatReporter* heartbeats = nullptr;  // heartbeats for the central log (with an uplink)
  PresentLog* present_log = nullptr;     // play --present-log
};

class Kiosk {
 public:
  Kiosk(const PlayOptions& options, Display& display, FontSet& fonts, const Clock& clock,
        const MonotonicClock& mono, const TimeZone& zone, KioskServices services, std::ostream& log);

  // Plays `loaded` until quit, a stop signal or --exit-after. Returns the exit code.
  int run(PlaylistSetResult loaded);

 private:
  // Builds the scene, bands and lineup and writes the start records.
  void start(PlaylistSetResult& loaded);
  // Prints the lines other threads queued for the log (PlayOptions::background_log),
  // with FFmpeg's repeat counts that are due (all of them at the end).
  void print_background_log(bool all);
  void make_lineup(PlaylistSet set);
  // One loop iteration up to drawing: updates, swaps, the schedule, views and bands.
  void advance(Instant now);
  // Draws and presents when something changed; returns whether it presented.
  bool draw(Instant now);
  // How long to sleep from now; nullopt: the stop time has come.
  std::optional<std::chrono::milliseconds> wait_time(Instant now, MonoTime heartbeat_due);
  void apply_schedule(Instant now);
  // Shows `next` if it is not what is on screen; `reason` goes into the record of an
  // item cut short by it.
  void show(Lineup::Next next, Instant now, const std::string& reason);
  // After a swap: the item on screen is in the new set unchanged, at `at` (campaign
  // and item indices): it stays until its planned end.
  void keep_on_screen(std::pair<std::size_t, std::size_t> at, const ScheduleResult& next);
  void handle_update(Update update, Instant now);
  void swap_set(Instant now);
  // Records the play on screen as ended at `now` (complete: partial when short;
  // `by_emergency`: interrupted when short).
  void finish(Instant now, PlayOutcome outcome, const std::string& reason, bool by_emergency = false);
  // Layout bands (header, ticker) for the campaign on screen (nullptr: none).
  void set_bands(const Campaign* campaign, Instant now);
  // A stop signal came: the loop ends at its next look, waits and layouts end early.
  bool stopping() const { return services_.signals != nullptr && services_.signals->requested(); }
  bool is_emergency(std::size_t campaign) const;
  bool playing_video() const;
  // The decoder's figures for the play on screen (videos), if any.
  std::optional<ItemPlayStats> live_stats() const;
  HeartbeatReporter::Snapshot snapshot();

  const PlayOptions& options_;
  Display& display_;
  FontSet& fonts_;
  const Clock& clock_;
  const MonotonicClock& mono_;
  const TimeZone& zone_;
  KioskServices services_;
  std::ostream& log_;
  ServiceNotifier service_;
  ClockWatch clock_watch_;
  ProofOfPlay proof_;
  SetSwapper swapper_;
  PlayStats stats_;
  std::string on_screen_;                         // "campaign/item" on screen, "" for the idle screen
  FolderState folder_;                            // the drop folder as last read (the idle screen's reason)

  std::unique_ptr<Scene> scene_;
  std::unique_ptr<Lineup> lineup_;
  std::unique_ptr<Stage> stage_;
  std::unique_ptr<ScreenBands> bands_;
  std::optional<ScheduleResult> sched_;
  std::optional<Instant> view_change_;
  bool continuous_ = false;                   // the next present is due within a frame or two
  MonoTime started_{};
  bool first_frame_ = true;
  MonoTime next_frame_{};                     // pacing while the ticker moves

  std::optional<FramePainter> painter_;
  Preroll preroll_;                           // the next showing, prepared before it is due
};

}  // namespace signage
