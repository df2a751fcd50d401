// The central log, read back: the JSON-lines files that packaging/rsyslog/
// signage-central.conf writes on the log host, one folder per screen and one file
// per day of reception:
//
//   <root>/<screen>/2024-06-16.jsonl
//   {"received":"…","from":"10.0.0.7","screen":"lobby-1","msgid":"play",
//    "timestamp":"…","sd":{"seq":"812",…},"msg":"<the journal line>"}
//
// A record message's `msg` is the screen's journal line itself; a heartbeat's is the
// heartbeat as a JSON object (uplink/message.h). Delivery is at-least-once, so a
// record may be there twice.
//
// What read_central_log() checks, per screen (the HOSTNAME):
//  - duplicates: the same (screen, seq) again with the same line is removed; with a
//    different line it is a conflict (the screen's journal was rewritten);
//  - continuity: every seq from 1 to the highest received is there, else the
//    missing ranges are listed as gaps;
//  - the chain: for each seq n+1 received with n, its `prev` is sha256(line n + "\n");
//  - anchors: each heartbeat names the journal head (seq and the SHA-256 of that
//    line); when that record is in the central copy its hash must match. A head
//    not received yet is counted as pending, not as a problem;
//  - dark screens: a screen is dark when its last heartbeat at or before `as_of` is
//    older than 3 of its heartbeat intervals (the heartbeat carries its interval;
//    60 s when it does not), or when it never sent one. Times are the screen's own
//    (the heartbeat's `time`), the same time line as its journal's records.
// Files: listed and read (a MiB at a time) through an Env (core/env.h).
// Thread: any; the functions only read files and build values.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/error.h"
#include "core/time.h"

namespace signage {

// Missing seqs first..last (inclusive).
struct SeqGap {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

struct LastHeartbeat {
  std::string time;            // as the screen wrote it
  Instant at{};
  double interval_s = 60;
  std::string showing;
  std::string version;
  std::uint64_t journal_seq = 0;
  std::uint64_t acked_seq = 0;
  std::uint64_t free_disk_bytes = 0;
  bool clock_synced = false;
  std::string clock_source;               // who kept the clock ("chrony", ...); empty: not said
  std::optional<double> clock_offset_ms;  // how far off the clock may be; unknown: not said
};

struct CentralScreen {
  std::string screen;
  std::string site;
  std::uint64_t messages = 0;       // record messages received, duplicates included
  std::uint64_t duplicates = 0;     // of them, removed as repeats
  std::uint64_t records = 0;        // distinct seqs
  std::uint64_t first_seq = 0;      // lowest and highest received (0: none)
  std::uint64_t last_seq = 0;
  std::vector<SeqGap> gaps;
  std::vector<std::uint64_t> conflicts;     // seqs received with two different lines
  std::uint64_t links_checked = 0;          // prev links between received neighbours
  std::vector<std::uint64_t> broken_links;  // seq n+1 whose prev is not sha256(line n)
  std::uint64_t unverifiable = 0;           // lines cut or unparsable (no link check)
  std::uint64_t heartbeats = 0;
  std::uint64_t anchors_checked = 0;        // heartbeat heads found and matching
  std::uint64_t anchors_pending = 0;        // heads not (yet) in the central copy
  std::vector<std::string> anchor_problems; // heads whose hash does not match
  std::optional<LastHeartbeat> last_heartbeat;  // the last at or before as_of
  bool dark = false;

  // No gap, conflict, broken link or anchor problem (darkness is apart).
  bool intact() const;
  // One line for a person: what is wrong, or the totals.
  std::string summary() const;
  // "DARK: last heartbeat …" / "last heartbeat …" / "DARK: no heartbeat".
  std::string heartbeat_summary() const;
};

struct CentralLog {
  std::vector<CentralScreen> screens;  // by screen id
  std::vector<std::string> problems;   // "FILE:LINE: why" for lines that are not central messages
  std::size_t files = 0;
};

// Called once per (screen, seq), at its first arrival, with the journal record
// (duplicates are not passed on; nor are records whose line was cut).
using CentralRecordFn =
    std::function<void(const std::string& screen, std::uint64_t seq, const nlohmann::json& record)>;

// Whether `path` holds central log files rather than a journal: a file, a screen's
// folder or the root of screen folders whose first line is a central message.
bool is_central_log(const std::filesystem::path& path, Env& env = real_env());

// Called for every heartbeat read (repeats included), in file order.
using CentralHeartbeatFn = std::function<void(const std::string& screen, const LastHeartbeat& heartbeat)>;

// Reads every central file under `paths` (files, screen folders or roots), streaming:
// the lines themselves are not kept (per record only its seq and two hashes), so a
// big central log costs about 70 bytes per record. Fails when a path cannot be
// listed or a file cannot be read (the Env's error, of its kind, naming the file).
Result<CentralLog> read_central_log(const std::vector<std::filesystem::path>& paths, Instant as_of,
                                   const CentralRecordFn& on_record = {},
                                   const CentralHeartbeatFn& on_heartbeat = {}, Env& env = real_env());

}  // namespace signage
