#include "app/heartbeat_reporter.h"

#include <algorithm>
#include <ostream>

#include "core/i18n.h"
#include "schedule/scheduler.h"

namespace signage {

namespace chr = std::chrono;

HeartbeatReporter::HeartbeatReporter(const DeviceConfig& config, const TimeZone& zone, MonoTime started,
                                     std::ostream& log, std::function<void(Heartbeat)> submit,
                                     std::function<UplinkStatus()> status)
    : config_(config),
      zone_(zone),
      started_(started),
      log_(log),
      submit_(std::move(submit)),
      status_(std::move(status)) {}

void HeartbeatReporter::rejected(const std::string& file, const nlohmann::json& errors) {
  last_rejected_file_ = file;
  last_rejected_reason_.clear();
  for (const auto& e : errors) {
    if (!e.is_string()) continue;
    if (!last_rejected_reason_.empty()) last_rejected_reason_ += "; ";
    last_rejected_reason_ += e.get<std::string>();
    if (last_rejected_reason_.size() > 1000) break;  // a heartbeat is not the place for all of them
  }
}

Heartbeat HeartbeatReporter::build(const Snapshot& s, Instant now, MonoTime mono_now) {
  Heartbeat hb;
  const LocalTime local = zone_.to_local(now);
  hb.time = format_iso8601(local);
  hb.screen = config_.screen_id;
  hb.site = config_.site;
  hb.version = SIGNAGE_VERSION;
  hb.uptime_s = chr::duration<double>(mono_now - started_).count();
  hb.showing = s.showing;
  if (!s.showing.empty() && !s.decoder.empty()) {
    hb.decoder = s.decoder;
    hb.hw_decode = s.hw_decode;
  }
  if (s.set != nullptr) {
    for (const auto& c : s.set->campaigns) {
      if (when_holds(c.when, local)) hb.campaigns.push_back({c.id, c.source_sha256});
    }
  }
  hb.last_rejected_playlist = last_rejected_file_;
  hb.last_rejected_reason = last_rejected_reason_;
  hb.frames_dropped = s.frames_dropped_total - std::min(s.frames_dropped_total, dropped_at_last_);
  dropped_at_last_ = s.frames_dropped_total;
  if (s.journal_seq) {
    hb.journal_seq = *s.journal_seq;
    hb.journal_hash = s.journal_hash;
    hb.journal_error = s.journal_error;
  }
  hb.clock_synced = s.clock.synced;
  hb.clock_source = s.clock.source;
  hb.clock_offset_ms = s.clock.offset_ms;
  hb.clock_max_error_ms = s.clock.max_error_ms;
  hb.interval_s = static_cast<double>(config_.heartbeat.count()) / 1000.0;
  // free_disk_bytes and acked_seq: the uplink thread fills them (statvfs is disk I/O).
  return hb;
}

MonoTime HeartbeatReporter::maybe_send(const std::function<Snapshot()>& snapshot, Instant now, MonoTime mono_now) {
  if (!due(mono_now)) return *next_;
  if (submit_) submit_(build(snapshot(), now, mono_now));
  next_ = mono_now + config_.heartbeat;
  if (!status_) return *next_;
  // What the uplink says, in the log once per change (an outage, its end).
  const UplinkStatus st = status_();
  if (st.last_error != last_uplink_error_) {
    if (st.last_error.empty()) {
      log_ << "signage: " << fmt(_("central log: delivering again (acknowledged up to seq {1})"), st.acked_seq)
           << "\n";
    } else {
      log_ << "signage: "
           << fmt(_("central log: {1} ({2} record(s) waiting; they are kept and sent later)"), st.last_error,
                  st.backlog)
           << "\n";
    }
    last_uplink_error_ = st.last_error;
  }
  return *next_;
}

}  // namespace signage
