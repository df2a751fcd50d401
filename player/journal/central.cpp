#include "journal/central.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <cmath>
#include <functional>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "core/digest.h"
#include "core/i18n.h"
#include "journal/line_scan.h"

namespace signage {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The *.jsonl files in `path` (a file), in it and in its sub-folders (a folder),
// sorted. An error when `path` cannot be looked at or listed; a sub-folder that
// cannot be listed is left out.
Result<std::vector<fs::path>> central_files(const fs::path& path, Env& env) {
  std::vector<fs::path> out;
  auto type = env.file_type(path);
  if (!type) return type.error();
  if (*type == FileType::regular) {
    out.push_back(path);
    return out;
  }
  auto add_files = [&](const fs::path& dir, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
      if (fs::path(name).extension() == ".jsonl") out.push_back(dir / name);
    }
  };
  auto files = env.list_dir(path);
  if (!files) return files.error();
  add_files(path, *files);
  auto folders = env.list_folders(path);
  if (!folders) return folders.error();
  for (const std::string& name : *folders) {
    if (auto inner = env.list_dir(path / name)) add_files(path / name, *inner);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Calls `fn` with each line of `file` (without its '\n'; a last line without one
// too), read through `env` a MiB at a time, until `fn` returns false.
Status for_each_line(Env& env, const fs::path& file, const std::function<bool(std::string_view)>& fn) {
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::string carry;  // the start of a line the last chunk cut
  for (std::uint64_t offset = 0;;) {
    auto chunk = env.read_range(file, offset, kChunk);
    if (!chunk) return chunk.error();
    offset += chunk->size();
    std::string_view rest = *chunk;
    for (auto nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n')) {
      bool more;
      if (carry.empty()) {
        more = fn(rest.substr(0, nl));
      } else {
        carry.append(rest.substr(0, nl));
        more = fn(carry);
        carry.clear();
      }
      if (!more) return {};
      rest.remove_prefix(nl + 1);
    }
    carry.append(rest);
    if (chunk->size() < kChunk) break;  // the end
  }
  if (!carry.empty()) fn(carry);
  return {};
}

bool is_central_message(const json& j) {
  return j.is_object() && j.contains("msgid") && j.contains("msg") && j["msg"].is_string();
}

std::string str(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A number that may also come as a string (the structured data has only strings).
std::optional<std::uint64_t> unsigned_of(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return std::stoull(s);
  }
  return std::nullopt;
}

double number_of(const json& j, const char* key, double fallback) {
  const auto it = j.find(key);
  if (it == j.end()) return fallback;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (const std::exception&) {
      return fallback;
    }
  }
  return fallback;
}

bool bool_of(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  return it->is_string() && it->get<std::string>() == "true";
}

struct HeartbeatSeen {
  LastHeartbeat hb;
  std::string journal_hash;
  bool timed = false;
};

using Digest = std::array<std::uint8_t, 32>;

// 64 hex digits -> 32 bytes; nullopt for anything else.
std::optional<Digest> digest_of(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Digest d{};
  for (std::size_t i = 0; i < 32; ++i) {
    std::uint8_t v = 0;
    const auto r = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, v, 16);
    if (r.ec != std::errc() || r.ptr != hex.data() + 2 * i + 2) return std::nullopt;
    d[i] = v;
  }
  return d;
}

// One record message as received: what the checks need, not the line.
struct Entry {
  std::uint64_t seq = 0;
  Digest line{};   // sha256(line + "\n")
  Digest prev{};   // the line's `prev`
  bool verifiable = false;  // the line parsed and had a well-formed prev
};

// seqs already passed to the callback (dense from 1: a bit each; beyond that a set).
class SeenSeqs {
 public:
  bool insert(std::uint64_t seq) {
    constexpr std::uint64_t kDense = 100'000'000;
    if (seq < kDense) {
      if (seq >= bits_.size()) bits_.resize(std::max<std::size_t>(static_cast<std::size_t>(seq) + 1, bits_.size() * 2));
      if (bits_[seq]) return false;
      bits_[seq] = true;
      return true;
    }
    return sparse_.insert(seq).second;
  }

 private:
  std::vector<bool> bits_;
  std::set<std::uint64_t> sparse_;
};

struct ScreenState {
  CentralScreen out;
  std::vector<Entry> entries;
  SeenSeqs passed;
  std::vector<HeartbeatSeen> heartbeats;
};

std::string range_text(std::uint64_t a, std::uint64_t b) {
  return a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b);
}

}  // namespace

bool CentralScreen::intact() const {
  return gaps.empty() && conflicts.empty() && broken_links.empty() && anchor_problems.empty();
}

std::string CentralScreen::summary() const {
  std::string s = fmt(_("central copy: {1} records"), records);
  if (records > 0) s += fmt(_(", seq {1}"), range_text(first_seq, last_seq));
  if (duplicates > 0) s += fmt(_(", {1} duplicates removed"), duplicates);
  if (unverifiable > 0) s += fmt(_(", {1} cut or unreadable (not checked, not counted)"), unverifiable);
  if (!gaps.empty()) {
    std::uint64_t missing = 0;
    std::string list;
    for (std::size_t i = 0; i < gaps.size(); ++i) {
      missing += gaps[i].last - gaps[i].first + 1;
      if (i < 5) list += (i > 0 ? ", " : "") + range_text(gaps[i].first, gaps[i].last);
    }
    if (gaps.size() > 5) list += ", …";
    s += fmt(_("; MISSING {1} (seq {2})"), missing, list);
  }
  if (!conflicts.empty()) {
    s += fmt(conflicts.size() > 1 ? _("; seq {1} and others arrived with two different contents")
                                  : _("; seq {1} arrived with two different contents"),
             conflicts.front());
  }
  if (!broken_links.empty()) {
    s += broken_links.size() > 1
             ? fmt(_("; the chain breaks before seq {1} (and {2} more)"), broken_links.front(), broken_links.size() - 1)
             : fmt(_("; the chain breaks before seq {1}"), broken_links.front());
  }
  if (!anchor_problems.empty()) s += "; " + anchor_problems.front();
  if (intact()) {
    s += fmt(_("; chain links checked: {1}, heartbeat anchors matching: {2}"), links_checked, anchors_checked);
  }
  return s;
}

std::string CentralScreen::heartbeat_summary() const {
  if (!last_heartbeat) return dark ? _("DARK: no heartbeat") : _("no heartbeat");
  return fmt(dark ? _("DARK: last heartbeat {1} (every {2} s)") : _("last heartbeat {1} (every {2} s)"),
             last_heartbeat->time, last_heartbeat->interval_s);
}

bool is_central_log(const fs::path& path, Env& env) {
  const auto files = central_files(path, env);
  if (!files) return false;
  for (const auto& f : *files) {
    std::optional<bool> central;
    auto first_line = [&](std::string_view line) {
      if (!line.empty()) central = is_central_message(json::parse(line, nullptr, false));
      return false;
    };
    if (!for_each_line(env, f, first_line)) continue;
    if (central) return *central;  // an empty file (or first line) says nothing
  }
  return false;
}

namespace {

// The files of a read, with the per-screen state it builds.
struct CentralReader {
  Env& env;
  Instant as_of;
  const CentralRecordFn& on_record;
  const CentralHeartbeatFn& on_heartbeat;
  CentralLog log;
  std::map<std::string, ScreenState> screens;
  std::unique_ptr<TimeZone> utc = fixed_offset_zone(std::chrono::seconds(0));
  LineHasher hasher;

  void problem(const fs::path& file, std::size_t line_no, const char* why) {
    if (log.problems.size() < 100) log.problems.push_back(file.string() + ":" + std::to_string(line_no) + ": " + why);
  }
  Status read(const fs::path& path);
  void line(const fs::path& file, std::size_t line_no, std::string_view text);
  void heartbeat(ScreenState& st, const std::string& timestamp, const json& h);
  void record(ScreenState& st, const fs::path& file, std::size_t line_no, const std::string& msg,
              std::string_view raw_sd);
  CentralLog finish();
};

// Every central file under `path`, line by line.
Status CentralReader::read(const fs::path& path) {
  const auto files = central_files(path, env);
  if (!files) return Error("cannot read the central log " + path.string(), files.error());
  for (const auto& file : *files) {
    ++log.files;
    std::size_t line_no = 0;
    auto each = [&](std::string_view text) {
      ++line_no;
      if (!text.empty()) line(file, line_no, text);
      return true;
    };
    if (auto s = for_each_line(env, file, each); !s) return Error("cannot read the central log file", s.error());
  }
  return {};
}

// The message's members are scanned, not parsed: a record's line is hashed and only
// its seq and prev are read, unless the caller wants the record itself.
void CentralReader::line(const fs::path& file, std::size_t line_no, std::string_view text) {
  static constexpr std::array<std::string_view, 5> kKeys = {"screen", "msgid", "msg", "sd", "timestamp"};
  std::array<std::string_view, kKeys.size()> v;
  std::optional<std::string> msg;
  if (!scan_object(text, kKeys, v) || v[1].empty() || !(msg = scanned_string(v[2]))) {
    problem(file, line_no, "not a central log message");
    return;
  }
  const std::string screen = scanned_string(v[0]).value_or(std::string());
  ScreenState& st = screens[screen];
  st.out.screen = screen;
  if (scanned_plain_string(v[1]) == std::string_view("heartbeat")) {
    const json sd = v[3].empty() ? json::object() : json::parse(v[3], nullptr, false);
    const json body = json::parse(*msg, nullptr, false);
    const json& h = body.is_object() ? body : (sd.is_object() ? sd : body);
    if (st.out.site.empty()) st.out.site = str(h, "site");
    heartbeat(st, scanned_string(v[4]).value_or(std::string()), h.is_object() ? h : json::object());
  } else {
    record(st, file, line_no, *msg, v[3]);
  }
}

void CentralReader::heartbeat(ScreenState& st, const std::string& timestamp, const json& h) {
  ++st.out.heartbeats;
  HeartbeatSeen seen;
  seen.hb.time = str(h, "time");
  if (seen.hb.time.empty()) seen.hb.time = timestamp;
  if (auto t = parse_iso8601(seen.hb.time, *utc)) {
    seen.hb.at = *t;
    seen.timed = true;
  }
  seen.hb.interval_s = number_of(h, "interval_s", 60);
  if (!(seen.hb.interval_s > 0)) seen.hb.interval_s = 60;
  seen.hb.showing = str(h, "showing");
  seen.hb.version = str(h, "version");
  seen.hb.journal_seq = unsigned_of(h, "journal_seq").value_or(0);
  seen.hb.acked_seq = unsigned_of(h, "acked_seq").value_or(0);
  seen.hb.free_disk_bytes = unsigned_of(h, "free_disk_bytes").value_or(0);
  seen.hb.clock_synced = bool_of(h, "clock_synced");
  seen.hb.clock_source = str(h, "clock_source");
  if (const double off = number_of(h, "clock_offset_ms", -1); off >= 0) seen.hb.clock_offset_ms = off;
  seen.journal_hash = str(h, "journal_hash");
  if (on_heartbeat) on_heartbeat(st.out.screen, seen.hb);
  st.heartbeats.push_back(std::move(seen));
}

// A journal record: its seq from the line itself, else (a cut line) from the
// structured data.
void CentralReader::record(ScreenState& st, const fs::path& file, std::size_t line_no, const std::string& msg,
                           std::string_view raw_sd) {
  static constexpr std::array<std::string_view, 3> kKeys = {"seq", "prev", "site"};
  std::array<std::string_view, kKeys.size()> v;
  Entry e;
  std::optional<std::uint64_t> seq;
  const bool object = scan_object(msg, kKeys, v);
  if (object) {
    seq = scanned_unsigned(v[0]);
    if (seq) {
      if (auto prev = sha256_of_hex(scanned_plain_string(v[1]).value_or(std::string_view()))) {
        e.prev = *prev;
        e.verifiable = true;
      }
    }
    if (st.out.site.empty()) st.out.site = scanned_string(v[2]).value_or(std::string());
  }
  if (!seq || !object) {
    const json sd = raw_sd.empty() ? json::object() : json::parse(raw_sd, nullptr, false);
    if (st.out.site.empty() && sd.is_object()) st.out.site = str(sd, "site");
    if (!seq && sd.is_object()) seq = unsigned_of(sd, "seq");
  }
  if (!seq) {
    problem(file, line_no, "a record without seq");
    return;
  }
  e.seq = *seq;
  e.line = hasher.digest(msg, "\n");
  st.entries.push_back(e);
  if (e.verifiable && st.passed.insert(e.seq) && on_record) {
    const json body = json::parse(msg, nullptr, false);
    if (body.is_object()) on_record(st.out.screen, e.seq, body);
  }
}

// One entry per seq (the first to arrive), counting repeats and conflicts; then
// continuity from seq 1 and the chain between neighbours.
std::vector<Entry> check_entries(std::vector<Entry>& entries, CentralScreen& c) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  c.messages = entries.size();
  std::vector<Entry> distinct;
  distinct.reserve(entries.size());
  for (const auto& e : entries) {
    if (!distinct.empty() && distinct.back().seq == e.seq) {
      ++c.duplicates;
      if (e.line != distinct.back().line && (c.conflicts.empty() || c.conflicts.back() != e.seq)) {
        c.conflicts.push_back(e.seq);
      }
      continue;
    }
    distinct.push_back(e);
  }
  entries.clear();
  entries.shrink_to_fit();
  c.records = distinct.size();
  if (!distinct.empty()) {
    c.first_seq = distinct.front().seq;
    c.last_seq = distinct.back().seq;
  }
  std::uint64_t expect = 1;
  for (std::size_t i = 0; i < distinct.size(); ++i) {
    const Entry& e = distinct[i];
    if (!e.verifiable) ++c.unverifiable;
    if (e.seq > expect) c.gaps.push_back({expect, e.seq - 1});
    expect = e.seq + 1;
    if (i > 0 && distinct[i - 1].seq + 1 == e.seq && e.verifiable && distinct[i - 1].verifiable) {
      ++c.links_checked;
      if (e.prev != distinct[i - 1].line) c.broken_links.push_back(e.seq);
    }
  }
  return distinct;
}

// Heartbeat anchors, the last heartbeat as of `as_of`, and darkness.
void check_heartbeats(const std::vector<HeartbeatSeen>& heartbeats, const std::vector<Entry>& distinct,
                      Instant as_of, CentralScreen& c) {
  std::set<std::uint64_t> anchors_bad;
  for (const auto& h : heartbeats) {
    if (h.timed && h.hb.at <= as_of && (!c.last_heartbeat || h.hb.at > c.last_heartbeat->at)) {
      c.last_heartbeat = h.hb;
    }
    if (h.hb.journal_seq == 0 || h.journal_hash.empty()) continue;  // an empty journal anchors nothing
    const auto it = std::lower_bound(distinct.begin(), distinct.end(), h.hb.journal_seq,
                                     [](const Entry& e, std::uint64_t seq) { return e.seq < seq; });
    if (it == distinct.end() || it->seq != h.hb.journal_seq || !it->verifiable) {
      ++c.anchors_pending;
    } else if (digest_of(h.journal_hash) == it->line) {
      ++c.anchors_checked;
    } else if (anchors_bad.insert(h.hb.journal_seq).second) {
      c.anchor_problems.push_back("the heartbeat of " + h.hb.time + " anchors seq " +
                                  std::to_string(h.hb.journal_seq) +
                                  " with a hash the central copy's line does not have");
    }
  }
  if (!c.last_heartbeat) {
    c.dark = true;
  } else {
    const auto grace = std::chrono::milliseconds(std::llround(3 * c.last_heartbeat->interval_s * 1000));
    c.dark = c.last_heartbeat->at + grace < as_of;
  }
}

}  // namespace

CentralLog CentralReader::finish() {
  for (auto& [name, st] : screens) {
    const std::vector<Entry> distinct = check_entries(st.entries, st.out);
    check_heartbeats(st.heartbeats, distinct, as_of, st.out);
    log.screens.push_back(std::move(st.out));
  }
  return std::move(log);
}

Result<CentralLog> read_central_log(const std::vector<fs::path>& paths, Instant as_of,
                                   const CentralRecordFn& on_record, const CentralHeartbeatFn& on_heartbeat,
                                   Env& env) {
  CentralReader reader{env, as_of, on_record, on_heartbeat, {}, {}, fixed_offset_zone(std::chrono::seconds(0)), {}};
  for (const auto& path : paths) {
    if (auto st = reader.read(path); !st) return st.error();
  }
  return reader.finish();
}

}  // namespace signage
