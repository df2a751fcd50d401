#include "journal/play_state.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace signage {

namespace fs = std::filesystem;
using nlohmann::json;
namespace chr = std::chrono;

namespace {

Instant from_ms(std::int64_t ms) { return Instant(chr::milliseconds(ms)); }
std::int64_t to_ms(Instant t) { return t.time_since_epoch().count(); }
double round_ms(double s) { return std::round(s * 1000.0) / 1000.0; }

// The latest time a journal line names ("end", "time" or "start"), if any.
std::optional<Instant> line_time(const json& line, const TimeZone& zone) {
  std::optional<Instant> best;
  for (const char* key : {"end", "time", "start"}) {
    const auto it = line.find(key);
    if (it == line.end() || !it->is_string()) continue;
    if (auto t = parse_iso8601(it->get<std::string>(), zone); t && (!best || *t > *best)) best = *t;
  }
  return best;
}

struct JournalTail {
  std::optional<Instant> last_time;  // of the last readable line
  std::vector<json> plays;           // play records of the newest day file
};

// The newest non-empty day file: its play records and the time of its last readable
// line (a torn or damaged last line is passed over).
JournalTail read_tail(const fs::path& dir, Env& io, const TimeZone& zone) {
  JournalTail tail;
  auto files = list_journal_files(dir, io);
  if (!files) return tail;
  for (auto f = files->rbegin(); f != files->rend(); ++f) {
    auto bytes = io.read_file(f->path);
    if (!bytes || bytes->empty()) continue;
    std::string_view text = *bytes;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) break;  // torn last line
      json line = json::parse(text.substr(pos, nl - pos), nullptr, false);
      pos = nl + 1;
      if (line.is_discarded() || !line.is_object()) continue;
      if (auto t = line_time(line, zone)) tail.last_time = t;
      if (line.value("type", "") == "play") tail.plays.push_back(std::move(line));
    }
    if (tail.last_time) break;
  }
  return tail;
}

bool already_recorded(const std::vector<json>& plays, const json& play) {
  return std::any_of(plays.begin(), plays.end(), [&](const json& p) {
    return p.value("campaign", "") == play.value("campaign", "") && p.value("item", "") == play.value("item", "") &&
           p.value("start", "") == play.value("start", "");
  });
}

}  // namespace

PlayStateFile::PlayStateFile(fs::path journal_dir, const TimeZone& zone, Env& io,
                             chr::milliseconds alive_interval)
    : dir_(std::move(journal_dir)), zone_(zone), io_(io), interval_(alive_interval) {}

Result<std::vector<json>> PlayStateFile::recover(Instant now) {
  run_start_ = now;
  std::vector<json> out;
  auto size = io_.file_size(path());
  if (size && *size > 0) {
    auto text = io_.read_file(path());
    if (!text) return Error("cannot read the crash evidence file", text.error());
    const json st = json::parse(*text, nullptr, false);
    const std::string state = st.is_object() ? st.value("state", "") : "";
    if (state != "stopped") {
      const JournalTail tail = read_tail(dir_, io_, zone_);
      // The last sign of life: the file's own, or the journal's last line if later.
      std::optional<Instant> alive;
      std::string source;
      if (st.is_object() && st.contains("alive_ms") && st["alive_ms"].is_number_integer()) {
        alive = from_ms(st["alive_ms"].get<std::int64_t>());
        source = "state file";
      }
      if (tail.last_time && (!alive || *tail.last_time > *alive)) {
        alive = tail.last_time;
        source = "journal";
      }
      json fields = json::object();
      fields["estimated"] = true;
      if (alive) {
        fields["last_alive"] = format_iso8601(zone_.to_local(*alive));
        fields["last_alive_from"] = source;
      }
      if (st.is_object() && st.contains("run_start") && st["run_start"].is_string()) {
        fields["previous_start"] = st["run_start"];
      }
      fields["state"] = state.empty() ? std::string("unreadable") : state;
      fields["reason"] = "the player ended without stopping (crash, kill, power cut or watchdog)";
      out.push_back(event_record("unclean_stop", zone_.to_local(now), fields));

      if (state == "playing" && st.contains("play") && st["play"].is_object() && st.contains("start_ms") &&
          st["start_ms"].is_number_integer() && !already_recorded(tail.plays, st["play"])) {
        json play = st["play"];
        const Instant start = from_ms(st["start_ms"].get<std::int64_t>());
        const double planned = play.value("planned_s", 0.0);
        Instant end = alive.value_or(start);
        const Instant planned_end = start + chr::milliseconds(static_cast<std::int64_t>(std::llround(planned * 1000)));
        end = std::clamp(end, start, std::max(start, planned_end));
        play["end"] = format_iso8601(zone_.to_local(end));
        play["shown_s"] = round_ms(chr::duration<double>(end - start).count());
        play["outcome"] = to_string(PlayOutcome::interrupted);
        play["reason"] = "the player ended without stopping; the end is its last sign of life";
        play["end_estimated"] = true;
        play.erase("partial_reason");
        out.push_back(std::move(play));
      }
    }
  }
  state_ = "idle";
  play_ = json();
  if (auto s = write("idle", now); !s) return s.error();
  return out;
}

Status PlayStateFile::playing(const PlayRecord& play, Instant now) {
  state_ = "playing";
  play_ = play_record(play);
  play_start_ = now;
  return write("playing", now);
}

Status PlayStateFile::idle(Instant now) {
  if (state_ == "idle") return {};
  state_ = "idle";
  play_ = json();
  return write("idle", now);
}

Status PlayStateFile::alive(Instant now) {
  if (written_ && now >= *written_ && now - *written_ < interval_) return {};
  return write(state_.c_str(), now);
}

Status PlayStateFile::stopped(Instant now) {
  state_ = "stopped";
  play_ = json();
  return write("stopped", now);
}

Status PlayStateFile::write(const char* state, Instant now) {
  json st = json::object();
  st["state"] = state;
  st["run_start"] = format_iso8601(zone_.to_local(run_start_));
  st["alive"] = format_iso8601(zone_.to_local(now));
  st["alive_ms"] = to_ms(now);
  if (play_.is_object()) {
    st["start_ms"] = to_ms(play_start_);
    st["play"] = play_;
  }
  if (auto s = io_.write_file_atomic(path(), st.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"); !s) {
    return Error("cannot write the crash evidence file " + path().string(), s.error());
  }
  written_ = now;
  return {};
}

}  // namespace signage
