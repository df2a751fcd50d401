// The kiosk: the main loop of `signage play`. Owns the on-screen state (Stage), asks
// the Rotation what to show, presents frames only when something changed, and
// writes the proof of play (journal records and evidence pictures).
//
// Central log: with an Uplink it notifies it after every journal line and submits a
// heartbeat every configured interval (what is on screen, the campaigns, the last
// refused playlist, the decoder, frames dropped, the journal head). Both calls only
// take the uplink's lock; nothing here waits on the network.
//
// Ownership: borrows everything it is given (display, fonts, clock, zone, journal,
// uplink, log), which must outlive it.
// Thread: the main thread only (it drives SDL through Display).
#pragma once

#include <chrono>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/player.h"
#include "app/service.h"
#include "journal/evidence.h"
#include "journal/journal.h"
#include "playlist/loader.h"
#include "render/layout.h"
#include "uplink/uplink.h"
#include "video/stats.h"
#include "watch/folder_watcher.h"

namespace signage {

class Kiosk {
 public:
  // `journal` and `evidence` may be null: then nothing is recorded (logged at start).
  // `uplink` may be null: no central log.
  Kiosk(const PlayOptions& options, Display& display, FontSet& fonts, const Clock& clock,
        const TimeZone& zone, Journal* journal, EvidenceStore* evidence, std::ostream& log,
        Uplink* uplink = nullptr);

  // Plays `loaded` until quit or --exit-after. Returns the exit code.
  int run(PlaylistSetResult loaded);

 private:
  // The play on screen now, until its record is written.
  struct Play {
    bool idle = true;
    std::size_t campaign = 0, item = 0;
    Instant start{};                 // the showing's scheduled start
    Instant end{};                   // its planned end
    std::optional<Instant> shown;    // when its first frame was presented
    bool wants_evidence = false;
    std::string evidence, evidence_sha256;
  };

  void apply_schedule(Instant now);
  // What to show at `now`: the prerolled view when it still fits, else a fresh one.
  Rotation::Next next_at(Instant now);
  // Prepares the next showing ahead of its start (kPreroll before).
  void maybe_preroll(Instant now);
  // Shows `next` if it is not what is on screen; `reason` goes into the record of an
  // item cut short by it.
  void show(Rotation::Next next, Instant now, const std::string& reason);
  void handle_update(Update update, Instant now);
  bool swap_due(Instant now) const;
  bool playing_video() const;
  void swap_set(Instant now);
  bool is_emergency(std::size_t campaign) const;
  // The fields every play record of `item` shares.
  PlayRecord base_record(const Campaign& c, const Item& item) const;
  void on_skip(const Campaign& c, const Item& item, const Error& e, Instant now);
  void finish(Instant now, PlayOutcome outcome, const std::string& reason);
  // The record of the play on screen if it ended at `now`; nullopt before its first frame.
  std::optional<PlayRecord> current_record(Instant now, PlayOutcome outcome, const std::string& reason);
  void after_present(Instant now, std::chrono::steady_clock::time_point real);
  void check_black_frame();
  void write_stats(std::chrono::steady_clock::time_point t0) const;
  void check_clock(Instant now, std::chrono::steady_clock::time_point real_now);
  void record(nlohmann::json rec, Instant at);
  // Layout bands (header, ticker) for the campaign on screen (nullptr: none).
  void set_bands(const Campaign* campaign, Instant now);
  // A play record for each ticker pass completed since the last call.
  void record_ticker_passes(Instant now);
  std::string media_sha256(const Item& item);
  // The heartbeat for the central log, as of `now`.
  Heartbeat heartbeat(Instant now, std::chrono::steady_clock::time_point real_now);
  // Submits one when it is due; returns when the next one is.
  std::chrono::steady_clock::time_point maybe_heartbeat(Instant now, std::chrono::steady_clock::time_point real_now);
  // Frames the video decoders dropped in this run so far (finished plays and the one on screen).
  std::uint64_t frames_dropped_total() const;
  void note_rejected(const std::string& file, const nlohmann::json& errors);

  const PlayOptions& options_;
  Display& display_;
  FontSet& fonts_;
  const Clock& clock_;
  const TimeZone& zone_;
  Journal* journal_;
  EvidenceStore* evidence_;
  std::ostream& log_;
  Uplink* uplink_;
  ServiceNotifier service_;
  std::unique_ptr<Scene> scene_;
  std::unique_ptr<Rotation> rotation_;
  std::unique_ptr<Stage> stage_;
  std::optional<ScheduleResult> sched_;
  std::optional<Instant> view_change_;
  Play play_;
  bool has_play_ = false;
  bool dirty_ = true;
  bool journal_failing_ = false;
  // Media hashes by path, size and modification time: a big video is hashed once.
  std::map<std::string, std::string> media_hashes_;
  // For clock-jump detection: the last reading of both clocks.
  std::optional<std::pair<Instant, std::chrono::steady_clock::time_point>> last_tick_;

  // Drop-folder updates (issue: drop folder). A valid new set waits in pending_set_
  // for the next item boundary (at most 500 ms, except under a video); an emergency
  // swaps at once.
  std::unique_ptr<FolderWatcher> watcher_;
  std::optional<PlaylistSet> pending_set_;
  std::vector<AppliedFile> pending_applied_;
  bool pending_quiet_ = false;      // the watcher's baseline: no journal line
  bool pending_urgent_ = false;     // an emergency campaign appeared
  Instant pending_since_{};
  // --stats: what a present log would show, gathered as the loop runs.
  PlaybackStats stats_;
  std::uint64_t black_frames_ = 0;           // read back at switches, nearly all black
  std::uint64_t switch_frames_checked_ = 0;
  int check_frames_left_ = 0;                // frames still to check after a switch
  std::uint64_t presents_at_show_ = 0;       // stats_.frames_presented when the play began
  bool switch_pending_ = false;              // a new view waits for its first present
  std::chrono::steady_clock::time_point switch_due_{};  // when that switch was due, real time
  bool continuous_ = false;                  // the next present is due within a frame or two
  std::optional<std::chrono::steady_clock::time_point> last_present_;
  // Video frames dropped by plays that have finished (all runs, --stats or not).
  std::uint64_t dropped_finished_ = 0;

  // Heartbeats (with an uplink).
  std::chrono::steady_clock::time_point started_{};
  std::optional<std::chrono::steady_clock::time_point> next_heartbeat_;
  std::uint64_t dropped_at_heartbeat_ = 0;   // frames_dropped_total() at the last one
  std::string last_rejected_file_;
  std::string last_rejected_reason_;
  std::string last_uplink_error_;            // logged once per change

  // The next showing, prepared before it is due.
  std::optional<Rotation::Next> preroll_;
  Instant preroll_for_{};

  // Layout: header and ticker bands around the main zone (issue: screen layout).
  std::unique_ptr<ScreenBands> bands_;
  std::optional<Instant> bands_change_;       // the header clock's next minute
  Instant ticker_checked_{};                  // passes recorded up to here
  Instant ticker_since_{};                    // the running ticker went up here
  PlayRecord ticker_base_;                    // the record fields its passes share
  std::chrono::steady_clock::time_point next_frame_{};  // pacing while the ticker moves

  // The item an emergency interrupted, shown again when the emergency is over.
  std::optional<std::pair<std::string, std::string>> resume_;
};

// Whether the kernel says the system clock is synchronised (NTP/chrony/timesyncd).
bool clock_synchronised();

}  // namespace signage
