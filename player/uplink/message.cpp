#include "uplink/message.h"

#include <cstdio>

namespace signage {
namespace {

constexpr std::string_view kPri = "<134>1 ";  // local0.info, syslog protocol version 1

// SD-NAME: 1..32 printable US-ASCII characters except '=', ' ', ']' and '"'.
std::string sd_name(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (out.size() == 32) break;
    const auto u = static_cast<unsigned char>(c);
    out += (u > 32 && u < 127 && c != '=' && c != ']' && c != '"') ? c : '_';
  }
  return out.empty() ? std::string("_") : out;
}

std::string value_text(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "";
  return v.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void add_param(std::string& sd, std::string_view name, std::string_view value) {
  sd += ' ';
  sd += sd_name(name);
  sd += "=\"";
  sd += sd_escape(value);
  sd += '"';
}

std::string header(std::string_view time, std::string_view host, std::string_view msgid) {
  std::string out(kPri);
  out += header_field(time, 64);
  out += ' ';
  out += header_field(host, 255);
  out += ' ';
  out += kAppName;
  out += " - ";
  out += header_field(msgid, 32);
  out += ' ';
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

std::string sd_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      // C0 controls and DEL have no escape in RFC 5424 and break receivers (a NUL ends
      // a C string in rsyslog's property code): line breaks become a space, the rest go.
      if (c == '\n' || c == '\r' || c == '\t') out += ' ';
      continue;
    }
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string header_field(std::string_view value, std::size_t max) {
  std::string out;
  for (const char c : value) {
    if (out.size() == max) break;
    const auto u = static_cast<unsigned char>(c);
    out += (u > 32 && u < 127) ? c : '_';
  }
  return out.empty() ? std::string("-") : out;
}

Result<std::string> record_message(std::string_view line, std::string_view screen) {
  // ordered_json: the parameters come in the line's own key order.
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error("journal line is not a JSON object");
  const auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned()) return Error("journal line has no unsigned \"seq\"");
  const auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return Error("journal line has no string \"type\"");

  std::string time = "-";
  for (const char* key : {"time", "end", "start"}) {
    if (auto t = j.find(key); t != j.end() && t->is_string()) {
      time = t->get<std::string>();
      break;
    }
  }
  std::string msg = header(time, screen, type->get<std::string>());
  msg.reserve(msg.size() + 2 * line.size() + 64);  // the parameters, then the line again
  msg += '[';
  msg += kSdId;
  // seq and type first (the journal's own order), then the rest as in the line.
  add_param(msg, "seq", std::to_string(seq->get<std::uint64_t>()));
  add_param(msg, "type", type->get<std::string>());
  if (!j.contains("screen")) add_param(msg, "screen", screen);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "seq" || it.key() == "type") continue;
    add_param(msg, it.key(), value_text(it.value()));
  }
  msg += "] ";
  msg += line;
  return msg;
}

nlohmann::json heartbeat_json(const Heartbeat& hb) {
  nlohmann::json campaigns = nlohmann::json::array();
  for (const auto& c : hb.campaigns) campaigns.push_back({{"id", c.id}, {"playlist_sha256", c.playlist_sha256}});
  return nlohmann::json{
      {"type", "heartbeat"},
      {"time", hb.time},
      {"screen", hb.screen},
      {"site", hb.site},
      {"version", hb.version},
      {"uptime_s", hb.uptime_s},
      {"showing", hb.showing},
      {"campaigns", campaigns},
      {"last_rejected_playlist", hb.last_rejected_playlist},
      {"last_rejected_reason", hb.last_rejected_reason},
      {"decoder", hb.decoder},
      {"hw_decode", hb.hw_decode},
      {"frames_dropped", hb.frames_dropped},
      {"journal_seq", hb.journal_seq},
      {"journal_hash", hb.journal_hash},
      {"journal_error", hb.journal_error},
      {"acked_seq", hb.acked_seq},
      {"free_disk_bytes", hb.free_disk_bytes},
      {"clock_synced", hb.clock_synced},
      {"clock_source", hb.clock_source},
      {"clock_offset_ms", hb.clock_offset_ms ? nlohmann::json(*hb.clock_offset_ms) : nlohmann::json()},
      {"clock_max_error_ms", hb.clock_max_error_ms ? nlohmann::json(*hb.clock_max_error_ms) : nlohmann::json()},
      {"interval_s", hb.interval_s},
  };
}

std::string heartbeat_message(const Heartbeat& hb) {
  std::string msg = header(hb.time, hb.screen, "heartbeat");
  msg += '[';
  msg += kSdId;
  add_param(msg, "type", "heartbeat");
  add_param(msg, "screen", hb.screen);
  add_param(msg, "site", hb.site);
  add_param(msg, "version", hb.version);
  add_param(msg, "uptime_s", number(hb.uptime_s));
  add_param(msg, "showing", hb.showing);
  std::string campaigns;
  for (const auto& c : hb.campaigns) {
    if (!campaigns.empty()) campaigns += ',';
    campaigns += c.id + ':' + c.playlist_sha256;
  }
  add_param(msg, "campaigns", campaigns);
  add_param(msg, "last_rejected_playlist", hb.last_rejected_playlist);
  add_param(msg, "last_rejected_reason", hb.last_rejected_reason);
  add_param(msg, "decoder", hb.decoder);
  add_param(msg, "hw_decode", hb.hw_decode ? "true" : "false");
  add_param(msg, "frames_dropped", std::to_string(hb.frames_dropped));
  add_param(msg, "journal_seq", std::to_string(hb.journal_seq));
  add_param(msg, "journal_hash", hb.journal_hash);
  add_param(msg, "journal_error", hb.journal_error);
  add_param(msg, "acked_seq", std::to_string(hb.acked_seq));
  add_param(msg, "free_disk_bytes", std::to_string(hb.free_disk_bytes));
  add_param(msg, "clock_synced", hb.clock_synced ? "true" : "false");
  add_param(msg, "clock_source", hb.clock_source);
  add_param(msg, "clock_offset_ms", hb.clock_offset_ms ? number(*hb.clock_offset_ms) : "");
  add_param(msg, "clock_max_error_ms", hb.clock_max_error_ms ? number(*hb.clock_max_error_ms) : "");
  add_param(msg, "interval_s", number(hb.interval_s));
  msg += "] ";
  msg += heartbeat_json(hb).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return msg;
}

}  // namespace signage
