// RFC 5424 syslog messages for the central log: one per journal record and one per
// heartbeat. Pure functions of their inputs (no clock, no I/O); any thread.
//
//   <134>1 2024-06-16T10:02:03.120+08:00 lobby-1 signage - play
//       [signage@32473 seq="812" type="play" screen="lobby-1" campaign="..." ...] {"seq":812,...}
//
// - PRI 134 = facility local0, severity informational (heartbeat: the same).
// - HOSTNAME is the screen id (characters outside printable ASCII become '_').
// - MSGID is the record type ("play", "start", ..., "heartbeat").
// - The structured data element has the private SD-ID kSdId. A journal record's
//   message carries every key of the record (same names, same seq; arrays and objects
//   as compact JSON) plus `screen` when the record has none; values are escaped as
//   RFC 5424 section 6.3.3 says ('"', '\' and ']' get a backslash); C0 control
//   characters (NUL included) and DEL, which RFC 5424 cannot escape, are dropped, and
//   TAB, LF and CR become a space. MSG (the journal line, JSON) keeps the exact text.
// - MSG is the journal line itself (without its '\n'), so the central side can check
//   the hash chain (`prev` of line n+1 == sha256(line n + "\n")).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace signage {

// Private enterprise number 32473 is reserved for documentation (RFC 5612).
inline constexpr std::string_view kSdId = "signage@32473";
inline constexpr std::string_view kAppName = "signage";

// One heartbeat, filled in by the main thread (the uplink fills acked_seq and, when
// left at 0, free_disk_bytes and interval_s just before sending).
struct Heartbeat {
  std::string time;              // format_iso8601(local now); empty: NILVALUE "-"
  std::string screen;
  std::string site;
  std::string version;           // player version
  double uptime_s = 0;
  std::string showing;           // "campaign/item" on screen now; empty: idle screen
  struct ActiveCampaign {
    std::string id;
    std::string playlist_sha256;
  };
  std::vector<ActiveCampaign> campaigns;
  std::string last_rejected_playlist;  // file name; empty: none rejected
  std::string last_rejected_reason;
  std::string decoder;           // e.g. "h264 (vaapi)"; empty when no video plays
  bool hw_decode = false;
  std::uint64_t frames_dropped = 0;    // since the previous heartbeat
  std::uint64_t journal_seq = 0;       // seq of the journal's last line (0: empty)
  std::string journal_hash;            // sha256 of that line (Journal::last_hash())
  std::string journal_error;           // why the journal cannot be written now; empty: it can
  std::uint64_t acked_seq = 0;         // highest seq the central log acknowledged (<= journal_seq when set)
  std::uint64_t free_disk_bytes = 0;   // on the journal's file system
  bool clock_synced = false;
  std::string clock_source;            // ClockSync::source: "chrony", "timesyncd", ...
  std::optional<double> clock_offset_ms;     // how far off the clock may be; unknown: unsynced
  std::optional<double> clock_max_error_ms;  // the sync daemon's bound
  double interval_s = 0;               // heartbeat interval (the uplink fills it when 0),
                                       // so the central side knows when a screen is dark
};

// `value` escaped for an SD-PARAM value: '"', '\' and ']' preceded by '\'; TAB, LF
// and CR -> ' '; other C0 controls and DEL dropped.
std::string sd_escape(std::string_view value);
// Printable US-ASCII (33..126) only, others -> '_', at most `max` characters; empty -> "-".
std::string header_field(std::string_view value, std::size_t max);

// The message for one journal line (`line` without its '\n'). Fails when the line is
// not a JSON object with an unsigned `seq` and a string `type`.
Result<std::string> record_message(std::string_view line, std::string_view screen);

// The heartbeat message. MSG is the heartbeat as one JSON object.
std::string heartbeat_message(const Heartbeat& hb);
nlohmann::json heartbeat_json(const Heartbeat& hb);

}  // namespace signage
