// Heartbeats for the central log: every DeviceConfig::heartbeat (monotonic time) a
// Heartbeat saying what the screen shows, which campaigns are active, the last
// refused playlist, the decoder, frames dropped since the previous one and the
// journal head, handed to a sink (Uplink::submit_heartbeat). After each it logs what
// the uplink says, once per change (an outage, its end).
//
// The kiosk gives it a snapshot (HeartbeatReporter::Snapshot) when one is due; the
// reporter keeps only what it must remember between heartbeats.
//
// Ownership: borrows the config and zone and the log (they must outlive it).
// Thread: the main thread; nothing here waits on the network (the sink only queues).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "app/clock_watch.h"
#include "config/device_config.h"
#include "core/time.h"
#include "playlist/model.h"
#include "uplink/message.h"
#include "uplink/uplink.h"

namespace signage {

class HeartbeatReporter {
 public:
  // `submit` takes each heartbeat; `status` reads the uplink's state after it (may be empty).
  HeartbeatReporter(const DeviceConfig& config, const TimeZone& zone, MonoTime started, std::ostream& log,
                    std::function<void(Heartbeat)> submit, std::function<UplinkStatus()> status = {});

  // What the kiosk knows at a heartbeat.
  struct Snapshot {
    const PlaylistSet* set = nullptr;    // the running set (campaigns active at the time)
    std::string showing;                 // "campaign/item"; empty: the idle screen
    std::string decoder;                 // of the video on screen; empty: none
    bool hw_decode = false;
    std::uint64_t frames_dropped_total = 0;   // in this run so far
    std::optional<std::uint64_t> journal_seq; // nullopt: no journal
    std::string journal_hash;
    std::string journal_error;           // why the journal cannot be written; empty: it can
    ClockSync clock;                     // ClockWatch::sync()
  };

  // A playlist was refused: the heartbeat names it and its first errors.
  void rejected(const std::string& file, const nlohmann::json& errors);

  // Whether one is due at `mono_now` (the first one at once).
  bool due(MonoTime mono_now) const { return !next_ || mono_now >= *next_; }
  // When the next one is due (max() before the first is sent, as it is due at once).
  MonoTime next_due() const { return next_.value_or(MonoTime::min()); }

  // Builds the heartbeat as of wall time `now` and monotonic `mono_now`; moves the
  // "frames dropped since" baseline.
  Heartbeat build(const Snapshot& snapshot, Instant now, MonoTime mono_now);
  // When due, builds and submits one and logs the uplink's state if it changed.
  // Returns when the next one is due.
  MonoTime maybe_send(const std::function<Snapshot()>& snapshot, Instant now, MonoTime mono_now);

 private:
  const DeviceConfig& config_;
  const TimeZone& zone_;
  MonoTime started_;
  std::ostream& log_;
  std::function<void(Heartbeat)> submit_;
  std::function<UplinkStatus()> status_;
  std::optional<MonoTime> next_;
  std::uint64_t dropped_at_last_ = 0;
  std::string last_rejected_file_;
  std::string last_rejected_reason_;
  std::string last_uplink_error_;        // logged once per change
};

}  // namespace signage
