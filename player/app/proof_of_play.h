// Proof of play: everything the kiosk writes into the journal as evidence. The
// start and stop records, the playlist events (applied, rejected, items joining and
// leaving, media errors), one play record per showing (with the media file's
// SHA-256, the decoder, and an evidence picture of its first full frame), one per
// ticker pass, the idle screen and clock jumps.
//
// It also holds "the play on screen until its record is written" (Play): the kiosk
// says when a showing begins (begin), when its first frame is presented
// (presented) and when it ends (end), and reads play() to know what is on screen.
//
// It reads no file: media hashes come from the drop-folder watcher
// (Update::media_sha256, set with media_hashes(); hashed on the watcher's hashing
// thread) and a video's own length from the set (Item::media_length, read by the
// start-up load or the set builder). A hash not known yet (a play that ends before
// the watcher's first Update, or a run without a watcher) is recorded as unknown: the
// record has no media_sha256 (docs/journal-format.md); an unknown length, no
// media_duration_s.
//
// A journal that cannot be written does not stop the screen: the failure is logged
// once per outage. `recorded` is called after every line written (the uplink's
// notify_new_records).
//
// Ownership: borrows the config, zone, journal, evidence store and log, which must
// outlive it; journal and evidence may be null (nothing is recorded).
// Thread: the main thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/player.h"
#include "config/device_config.h"
#include "core/error.h"
#include "core/time.h"
#include "journal/evidence.h"
#include "journal/journal.h"
#include "journal/play_state.h"
#include "playlist/loader.h"
#include "playlist/model.h"
#include "render/display.h"
#include "render/layout.h"
#include "schedule/scheduler.h"
#include "watch/set_builder.h"

namespace signage {

class ProofOfPlay {
 public:
  // `clock_synced` says whether the system clock is synchronised (ClockWatch::synced).
  ProofOfPlay(const DeviceConfig& config, const TimeZone& zone, Journal* journal, EvidenceStore* evidence,
              std::ostream& log, std::function<bool()> clock_synced, std::function<void()> recorded = {});

  // The play on screen.
  struct Play {
    bool idle = true;
    std::size_t campaign = 0, item = 0;  // indices in the running set (not idle)
    Instant start{};                     // the showing's scheduled start
    Instant end{};                       // its planned end
    std::optional<Instant> shown;        // when its first frame was presented
    bool wants_evidence = false;
    std::string evidence, evidence_sha256;
    Instant begun{};                     // when the kiosk put it up
    PlayRecord base;                     // the record's fields known at begin (crash evidence)
    // Why the showing began late, if it did (partial_reason): late_media,
    // after_emergency, playlist_change, late_start.
    std::string late_reason;
    ShowKey key() const { return idle ? ShowKey{} : ShowKey{false, campaign, item, start}; }
    Showing showing() const { return Showing{campaign, item, start, end}; }
  };
  // The play on screen, or nullptr when none is (before the first, between end and begin).
  const Play* play() const { return play_ ? &*play_ : nullptr; }
  // Whether an item (not the idle screen) is on screen.
  bool playing() const { return play_ && !play_->idle; }
  // The campaign and item ids of the item on screen in `set` (nullopt: none).
  std::optional<std::pair<std::string, std::string>> ids(const PlaylistSet& set) const;

  // A refused playlist file and its errors (for the heartbeat).
  struct Rejection {
    std::string file;
    nlohmann::json errors;
  };

  // Crash evidence (journal/play_state.h): the play on screen is kept there from its
  // first frame, signs of life as the loop turns, and a clean stop. Null: none kept.
  void crash_evidence(PlayStateFile* state) { state_ = state; }
  // A sign of life of the loop (the file is rewritten at most every 30 s).
  void alive(Instant now);

  // Writes one journal line (nothing without a journal).
  void record(nlohmann::json rec, Instant at);
  // Why the journal cannot be written now (empty: it can, or there is none). Set by the
  // first failed line of an outage (and logged once), cleared by the next good one.
  const std::string& journal_error() const { return journal_error_; }
  // The journal could not be opened at start: every play goes unrecorded.
  void journal_unavailable(std::string why) { journal_error_ = std::move(why); }
  // The journal's last seq and hash (nullopt without a journal).
  std::optional<std::uint64_t> journal_seq() const;
  std::string journal_hash() const;

  // Media hashes from the watcher (lexically normal path -> hex SHA-256).
  void media_hashes(std::map<std::filesystem::path, std::string> hashes) { watched_hashes_ = std::move(hashes); }
  // The watcher's hash of `file` (empty: not known).
  std::string watched_hash(const std::filesystem::path& file) const {
    const auto it = watched_hashes_.find(file.lexically_normal());
    return it == watched_hashes_.end() ? std::string() : it->second;
  }
  // The SHA-256 of the item's media file as the watcher gave it ("" for a slogan, or
  // not known).
  std::string media_sha256(const Item& item) const { return item.path.empty() ? std::string() : watched_hash(item.path); }

  // The start of a run: a line in the log, then the records `start`, the set loaded (`playlist_applied`) and the files
  // refused at start-up (`playlist_rejected`, returned).
  std::vector<Rejection> started(const Display& display, const PlaylistSetResult& loaded,
                                 const PlaylistSet& set, Instant now);
  // A drop-folder Update: its notices and ignored files logged; refusals,
  // acceptances (`playlist_accepted`, also logged), item changes and held-back items
  // recorded. The initial Update repeats what start-up loaded: only a file refused at
  // start-up that loads in it is recorded, as accepted. Returns the refusals.
  std::vector<Rejection> updated(const Update& update, Instant now);
  // A refused file loads again: a log line and `playlist_accepted`.
  void accepted(const AcceptedFile& file, Instant now);
  // A new set went up (`playlist_applied`, reason "drop folder").
  void applied(const std::vector<AppliedFile>& files, std::size_t campaigns, Instant now);
  // An item could not be shown: `media_error` and a skipped play record.
  void skipped(const Campaign& c, const Item& item, const Error& e, Instant now);
  // The wall clock jumped by `by` from where it should have been, `from`.
  void clock_jumped(Instant from, std::chrono::milliseconds by, Instant now);
  void stopped(const std::string& reason, Instant now);

  // A showing begins at `now` (nullopt: the idle screen until `until`).
  void begin(const PlaylistSet& set, const std::optional<Showing>& showing, Instant until, Instant now);
  // Why the play on screen is (or will end) shorter than planned, for its record if it
  // is partial: after_emergency, playlist_change, late_media or late_start.
  void partial_reason(std::string why) {
    if (playing()) play_->late_reason = std::move(why);
  }
  // The same showing goes on in a new set, at these indices.
  void reindex(std::size_t campaign, std::size_t item);
  // A frame was presented at `now`: the play counts from its first.
  void presented(Instant now);
  // Whether an evidence picture of the play on screen is still to be taken.
  bool evidence_wanted() const { return play_ && play_->wants_evidence; }
  // Takes it from the frame on `display` (once).
  void take_evidence(Display& display, const PlaylistSet& set, Instant now);
  // The record of the play on screen if it ended at `now` (nullopt before its first
  // frame, or with none on screen). `decoder`: the video's decoder, empty: none.
  std::optional<PlayRecord> current_record(const PlaylistSet& set, const std::string& decoder, Instant now,
                                           PlayOutcome outcome, const std::string& reason);
  // An emergency cut the play of `rec` short: interrupted (docs/journal-format.md#outcomes),
  // not partial. A play shown for its planned time (within 0.5 s) stays complete.
  static void cut_by_emergency(PlayRecord& rec);
  // The play on screen is over; `rec` (its record, if any) is written.
  void end(const std::optional<PlayRecord>& rec, Instant now);

  // Ticker passes: a ticker `now_up` (nullptr: none) went up for `campaign` at
  // `now`, replacing `before`. A ticker that stays the same runs on.
  void ticker_up(const Campaign* campaign, const std::optional<Ticker>& before, const Ticker* now_up, Instant now);
  // A play record for each pass of `bands`' ticker completed since the last call.
  void ticker_passes(const ScreenBands& bands, Instant now);

  // The fields every play record of `item` shares.
  PlayRecord base_record(const Campaign& c, const Item& item);

 private:
  const DeviceConfig& config_;
  const TimeZone& zone_;
  Journal* journal_;
  EvidenceStore* evidence_;
  std::ostream& log_;
  std::function<bool()> clock_synced_;
  std::function<void()> recorded_;
  bool journal_failing_ = false;
  std::string journal_error_;
  PlayStateFile* state_ = nullptr;
  std::optional<Play> play_;
  std::map<std::filesystem::path, std::string> watched_hashes_;
  std::set<std::filesystem::path> refused_at_start_;  // until the watcher's first Update
  Instant ticker_checked_{};                        // passes recorded up to here
  Instant ticker_since_{};                          // the running ticker went up here
  PlayRecord ticker_base_;                          // the record fields its passes share
};

}  // namespace signage
