// Proof of play: an append-only, hash-chained JSON Lines journal, one file per local
// day (docs/journal-format.md describes the format for people and other tools).
//
//   <dir>/2024-06-16.jsonl   {"seq":812,"type":"play",...,"prev":"<sha256 hex>"}\n
//
// Every line carries `seq` (1, 2, 3, ... across restarts and days) and `prev`, the
// SHA-256 of the previous line's exact bytes including its '\n'. The very first line
// chains from kGenesisPrev; a day's first line chains from the previous file's last
// line. Each append is fdatasync()ed before append() returns, so a crash loses at most
// the record being written; Journal::open() cuts a torn or corrupt last line and
// records a `journal_repaired` event saying what was cut.
//
// Ownership: a Journal owns its in-memory chain state only; it borrows the TimeZone
// and the Env, which must outlive it.
// Thread: one Journal is used by one thread at a time (it is not locked). Two
// Journals never write one folder: a Journal holds the folder's lock file
// (<dir>/.lock, lock_journal()) from open() until it is destroyed, and open() fails
// (kind busy) while another Journal, in this or another process, holds it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/env.h"
#include "core/error.h"
#include "core/time.h"

namespace signage {


// `prev` of the first record ever: sha256("signage-journal-genesis").
const std::string& genesis_prev();

// "2024-06-16.jsonl"
std::string journal_file_name(Date date);
// The date of a journal file name, or nullopt when `name` is not "YYYY-MM-DD.jsonl".
std::optional<Date> parse_journal_file_name(std::string_view name);

// The lock file in a journal folder (its content: the holder's process id).
inline constexpr const char* kJournalLockFile = ".lock";

// Takes the journal folder's lock (creating the folder when missing) for as long as
// the returned FileLock lives. When another holds it: an error of kind busy saying,
// in the reader's language, which folder and which process (when it can be read).
Result<FileLock> lock_journal(const std::filesystem::path& dir, Env& env);

struct JournalFile {
  Date date;
  std::filesystem::path path;
};
// The day files in `dir`, oldest first. Other files and folders are ignored.
Result<std::vector<JournalFile>> list_journal_files(const std::filesystem::path& dir, Env& io);

// complete: on screen for its planned time (within 0.5 s); partial: on screen, but
// for less than planned_s - 0.5 s (partial_reason says why); interrupted: cut by an
// emergency or a stop; skipped: never on screen (reason says why).
enum class PlayOutcome { complete, partial, interrupted, skipped };
const char* to_string(PlayOutcome outcome);

// One item shown (or skipped). Strings left empty are left out of the record,
// except the identifiers (screen, campaign, item, item_type) and times.
struct PlayRecord {
  std::string screen;           // screen id from signage.toml
  std::string site;
  std::string campaign;         // campaign id
  std::string campaign_title;
  std::string item;             // item id
  std::string item_type;        // "slogan" | "image" | "video"
  std::string media;            // media file as written in the playlist
  std::string media_sha256;
  double media_duration_s = 0;  // a video file's own length (0: unknown or not a video)
  std::string text;             // slogan text
  std::string start;            // format_iso8601(local start), e.g. "2024-06-16T10:02:03.120+08:00"
  std::string end;
  double planned_s = 0;
  double shown_s = 0;
  PlayOutcome outcome = PlayOutcome::complete;
  std::string reason;           // why interrupted or skipped
  std::string partial_reason;   // why partial: late_media, after_emergency, playlist_change, late_start
  std::string decoder;          // e.g. "h264 (vaapi)"
  std::string playlist_sha256;  // of the playlist file the item came from
  std::string player_version;
  bool clock_synced = false;
  std::string evidence;         // picture name relative to the journal folder
  std::string evidence_sha256;
};

// {"type":"play", ...} ready for Journal::append().
nlohmann::json play_record(const PlayRecord& play);

// {"type":<type>,"time":"<local time with offset>", ...fields}. `fields` must be an
// object (or null); its keys are copied in. Types used by the player: start, stop,
// playlist_applied, playlist_rejected, playlist_accepted, media_error, display_idle,
// clock_jump, journal_repaired.
nlohmann::json event_record(std::string type, const LocalTime& time, nlohmann::json fields = {});

class Journal {
 public:
  // Opens (creating the folder if needed) the journal in `dir`: finds the newest day
  // file, checks its last line, and recovers the next seq and the last line's hash.
  // A torn (no '\n'), unparsable or mis-chained last line is cut off, and a
  // journal_repaired record (file, offset, bytes cut, their sha256, why) is appended
  // at `now`. Fails when the folder cannot be read or written, or when another
  // Journal holds its lock (kind busy). `lock`, when held, is the folder's lock taken
  // already (lock_journal()); otherwise open() takes it.
  static Result<Journal> open(const std::filesystem::path& dir, const TimeZone& zone, Env& io,
                              Instant now, FileLock lock = {});

  // Writes `record` (an object with a string "type") as the next line, in the file of
  // the local date of `at` (never in a file older than the newest one, so a clock
  // jumping back keeps the chain in date order), adding "seq" and "prev"; synced
  // before it returns. Returns the seq. On a write error (e.g. a full disk) returns an
  // Error naming the file and the OS reason; any partly written bytes are cut away,
  // the seq is not used up, and the next append tries again. A day file that belongs
  // to another user (written by a root run) in a folder of ours is taken over
  // (Env::reclaim), recorded as a journal_file_reclaimed event, and written on.
  Result<std::uint64_t> append(nlohmann::json record, Instant at);

  const std::filesystem::path& dir() const { return dir_; }
  // The seq the next record gets.
  std::uint64_t next_seq() const { return next_seq_; }
  // sha256 of the last line written, or genesis_prev() for an empty journal.
  const std::string& last_hash() const { return last_hash_; }
  // The day file written last (empty path before the first record).
  std::filesystem::path current_file() const;

 private:
  Journal(std::filesystem::path dir, const TimeZone& zone, Env& io)
      : dir_(std::move(dir)), zone_(&zone), io_(&io) {}

  std::filesystem::path dir_;
  FileLock lock_;  // the folder's lock file, held while the Journal lives
  const TimeZone* zone_;
  Env* io_;
  std::uint64_t next_seq_ = 1;
  std::string last_hash_;
  std::optional<Date> current_date_;  // date of the newest day file
  std::uint64_t current_size_ = 0;    // its size in bytes, as far as the chain goes
  bool needs_cut_ = false;            // a failed append left bytes past current_size_
  // A journal_repaired record that open() could not write yet (e.g. the disk was
  // full); written before the next record.
  std::optional<nlohmann::json> pending_;
  Instant pending_at_{};

  Result<std::uint64_t> write_line(const nlohmann::json& record, Instant at);
  // The day file was another user's and is ours now: a journal_file_reclaimed event,
  // then `record`.
  Result<std::uint64_t> after_reclaim(const nlohmann::json& record, Instant at, const std::filesystem::path& file,
                                      const Error& why);
  bool reclaiming_ = false;           // after_reclaim() is writing
};

}  // namespace signage
