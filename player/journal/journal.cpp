#include "journal/journal.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/i18n.h"

namespace signage {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;


const std::string& genesis_prev() {
  static const std::string g = sha256_hex("signage-journal-genesis");
  return g;
}

std::string journal_file_name(Date date) { return format_date(date) + ".jsonl"; }

std::optional<Date> parse_journal_file_name(std::string_view name) {
  if (name.size() != 16 || name.substr(10) != ".jsonl" || name[4] != '-' || name[7] != '-') {
    return std::nullopt;
  }
  auto num = [&](std::size_t at, std::size_t n) -> std::optional<unsigned> {
    unsigned v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (name[i] < '0' || name[i] > '9') return std::nullopt;
      v = v * 10 + static_cast<unsigned>(name[i] - '0');
    }
    return v;
  };
  const auto y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (!y || !m || !d) return std::nullopt;
  const Date date{std::chrono::year(static_cast<int>(*y)), std::chrono::month(*m), std::chrono::day(*d)};
  if (!date.ok()) return std::nullopt;
  return date;
}

Result<std::vector<JournalFile>> list_journal_files(const fs::path& dir, Env& io) {
  auto names = io.list_dir(dir);
  if (!names) return Error("journal folder " + dir.string() + ": cannot list the day files", names.error());
  std::vector<JournalFile> files;
  for (const auto& name : *names) {
    if (auto date = parse_journal_file_name(name)) files.push_back({*date, dir / name});
  }
  std::sort(files.begin(), files.end(), [](const JournalFile& a, const JournalFile& b) { return a.date < b.date; });
  return files;
}

const char* to_string(PlayOutcome outcome) {
  switch (outcome) {
    case PlayOutcome::complete: return "complete";
    case PlayOutcome::partial: return "partial";
    case PlayOutcome::interrupted: return "interrupted";
    case PlayOutcome::skipped: return "skipped";
  }
  return "complete";
}

namespace {

// Seconds kept to the millisecond so that records stay short and compare exactly.
double round_ms(double seconds) { return std::round(seconds * 1000.0) / 1000.0; }

void put_if(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

}  // namespace

json play_record(const PlayRecord& p) {
  json j = json::object();
  j["type"] = "play";
  j["screen"] = p.screen;
  put_if(j, "site", p.site);
  j["campaign"] = p.campaign;
  put_if(j, "campaign_title", p.campaign_title);
  j["item"] = p.item;
  j["item_type"] = p.item_type;
  put_if(j, "media", p.media);
  put_if(j, "media_sha256", p.media_sha256);
  if (p.media_duration_s > 0) j["media_duration_s"] = round_ms(p.media_duration_s);
  put_if(j, "text", p.text);
  j["start"] = p.start;
  j["end"] = p.end;
  j["planned_s"] = round_ms(p.planned_s);
  j["shown_s"] = round_ms(p.shown_s);
  j["outcome"] = to_string(p.outcome);
  put_if(j, "reason", p.reason);
  if (p.outcome == PlayOutcome::partial) put_if(j, "partial_reason", p.partial_reason);
  put_if(j, "decoder", p.decoder);
  put_if(j, "playlist_sha256", p.playlist_sha256);
  put_if(j, "player_version", p.player_version);
  j["clock_synced"] = p.clock_synced;
  put_if(j, "evidence", p.evidence);
  put_if(j, "evidence_sha256", p.evidence_sha256);
  return j;
}

json event_record(std::string type, const LocalTime& time, json fields) {
  json j = json::object();
  if (fields.is_object()) j = std::move(fields);
  j["type"] = std::move(type);
  j["time"] = format_iso8601(time);
  return j;
}

namespace {

// Offset of the first byte of the last line of `text`. A final '\n' belongs to the
// last line; text that does not end in '\n' has a torn last line.
std::size_t last_line_start(std::string_view text) {
  if (text.empty()) return 0;
  const std::size_t search_end = text.back() == '\n' ? text.size() - 1 : text.size();
  if (search_end == 0) return 0;
  const std::size_t nl = text.rfind('\n', search_end - 1);
  return nl == std::string_view::npos ? 0 : nl + 1;
}

std::optional<std::uint64_t> seq_of(std::string_view line) {
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const auto it = j.find("seq");
  if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<std::uint64_t>();
}

struct ChainTail {
  std::string hash;       // sha256 of the last line, or genesis
  std::uint64_t next_seq; // seq the following line should carry
};

// The chain state just before offset `limit` of files[index] (whose content is
// `content`): hash of the last line there and the next seq, looking into older files
// when the prefix is empty. Lines without a readable seq are counted, so the seq
// stays monotonic even across damaged lines.
Result<ChainTail> tail_before(const std::vector<JournalFile>& files, std::size_t index, std::string_view content,
                              std::size_t limit, Env& io) {
  ChainTail tail{genesis_prev(), 1};
  bool have_hash = false;
  std::uint64_t lines_without_seq = 0;
  std::string older;  // keeps an older file's bytes alive while we look at them
  std::string_view text = content.substr(0, limit);
  std::size_t i = index;
  for (;;) {
    while (!text.empty()) {
      const std::size_t start = last_line_start(text);
      const std::string_view line = text.substr(start);
      if (!have_hash) {
        tail.hash = sha256_hex(line);
        have_hash = true;
      }
      if (auto seq = seq_of(line)) {
        tail.next_seq = *seq + 1 + lines_without_seq;
        return tail;
      }
      ++lines_without_seq;
      text = text.substr(0, start);
    }
    if (i == 0) break;
    --i;
    auto bytes = io.read_file(files[i].path);
    if (!bytes) return Error("cannot read the journal to recover its state", bytes.error());
    older = std::move(*bytes);
    text = older;
  }
  tail.next_seq = 1 + lines_without_seq;
  return tail;
}

}  // namespace

Result<FileLock> lock_journal(const fs::path& dir, Env& env) {
  if (auto s = env.create_dir(dir); !s) return Error("cannot open the journal", s.error());
  const fs::path file = dir / kJournalLockFile;
  auto lock = env.lock_file(file);
  if (lock || lock.error().kind() != ErrorKind::busy) return lock;
  std::string pid;
  if (auto text = env.read_file(file)) {
    for (const char c : *text) {
      if (c < '0' || c > '9') break;
      pid.push_back(c);
    }
  }
  const std::string why =
      pid.empty() ? fmt(_("the journal {1} is in use by another player; only one player may write a journal "
                          "(stop the other one first)"),
                        dir.string())
                  : fmt(_("the journal {1} is in use by another player (process {2}); only one player may write a "
                          "journal (stop the other one first)"),
                        dir.string(), pid);
  return Error(ErrorKind::busy, why);
}

Result<Journal> Journal::open(const fs::path& dir, const TimeZone& zone, Env& io, Instant now, FileLock lock) {
  if (!lock.held()) {
    auto taken = lock_journal(dir, io);
    if (!taken) return taken.error();
    lock = std::move(*taken);
  }
  auto files = list_journal_files(dir, io);
  if (!files) return files.error();
  Journal j(dir, zone, io);
  j.lock_ = std::move(lock);
  j.last_hash_ = genesis_prev();
  if (files->empty()) return j;

  j.current_date_ = files->back().date;
  // The newest file with something in it holds the end of the chain.
  std::size_t k = files->size();
  std::string content;
  while (k > 0) {
    auto bytes = io.read_file((*files)[k - 1].path);
    if (!bytes) return Error("cannot open the journal", bytes.error());
    if (!bytes->empty()) {
      content = std::move(*bytes);
      break;
    }
    --k;
  }
  if (k == 0) return j;  // only empty day files
  const std::size_t index = k - 1;
  const fs::path& file = (*files)[index].path;
  const bool newest = index + 1 == files->size();

  const std::size_t start = last_line_start(content);
  const std::string_view last = std::string_view(content).substr(start);
  auto before = tail_before(*files, index, content, start, io);
  if (!before) return Error(file.string() + ": cannot open the journal", before.error());

  std::string problem;
  std::optional<std::uint64_t> seq;
  if (last.back() != '\n') {
    problem = "the last line is incomplete (no line end): a write was cut short";
  } else {
    const json parsed = json::parse(last, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      problem = "the last line is not a JSON object";
    } else if (!parsed.contains("seq") || !parsed["seq"].is_number_unsigned()) {
      problem = "the last line has no seq";
    } else if (!parsed.contains("prev") || !parsed["prev"].is_string() ||
               parsed["prev"].get<std::string>() != before->hash) {
      problem = "the last line's prev does not match the sha256 of the line before it";
    } else {
      seq = parsed["seq"].get<std::uint64_t>();
    }
  }

  if (problem.empty()) {
    j.last_hash_ = sha256_hex(last);
    j.next_seq_ = *seq + 1;
    j.current_size_ = newest ? content.size() : 0;
    return j;
  }

  if (auto s = io.truncate(file, start); !s) {
    return Error(file.string() + ": cannot cut off a damaged last line (" + problem + ")", s.error());
  }
  j.last_hash_ = before->hash;
  j.next_seq_ = before->next_seq;
  j.current_size_ = newest ? start : 0;

  json fields = json::object();
  fields["file"] = file.filename().string();
  fields["offset"] = start;
  fields["cut_bytes"] = last.size();
  fields["cut_sha256"] = sha256_hex(last);
  fields["reason"] = problem;
  j.pending_ = event_record("journal_repaired", zone.to_local(now), std::move(fields));
  j.pending_at_ = now;
  if (auto written = j.write_line(*j.pending_, now)) {
    j.pending_.reset();
  }
  // Otherwise (a full disk, say) the repair is recorded before the next record.
  return j;
}

fs::path Journal::current_file() const {
  if (!current_date_) return {};
  return dir_ / journal_file_name(*current_date_);
}

Result<std::uint64_t> Journal::append(json record, Instant at) {
  if (!record.is_object() || !record.contains("type") || !record["type"].is_string()) {
    return Error(ErrorKind::invalid, "journal " + dir_.string() + ": a record must be a JSON object with a string \"type\"");
  }
  if (pending_) {
    auto written = write_line(*pending_, pending_at_);
    if (!written) return written.error();
    pending_.reset();
  }
  return write_line(record, at);
}

Result<std::uint64_t> Journal::write_line(const json& record, Instant at) {
  if (needs_cut_) {
    if (auto s = io_->truncate(current_file(), current_size_); !s) {
      return Error("journal: cannot cut away a partly written record before writing the next", s.error());
    }
    needs_cut_ = false;
  }
  Date date = zone_->to_local(at).date;
  if (current_date_ && date < *current_date_) date = *current_date_;  // clock went back
  if (!current_date_ || date != *current_date_) {
    auto size = io_->file_size(dir_ / journal_file_name(date));
    if (!size) return Error("journal: cannot start a new day file", size.error());
    current_date_ = date;
    current_size_ = *size;
  }
  const fs::path file = current_file();

  ordered_json line = ordered_json::object();
  line["seq"] = next_seq_;
  line["type"] = record["type"];
  for (const auto& [key, value] : record.items()) {
    if (key == "seq" || key == "type" || key == "prev") continue;
    line[key] = ordered_json(value);
  }
  line["prev"] = last_hash_;
  std::string text = line.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  text.push_back('\n');

  if (auto s = io_->append(file, text); !s) {
    if (auto cut = io_->truncate(file, current_size_); !cut) needs_cut_ = true;
    if (!reclaiming_) {
      if (auto taken = io_->reclaim(file); taken && *taken) return after_reclaim(record, at, file, s.error());
    }
    return Error("journal: record seq " + std::to_string(next_seq_) + " (" + record["type"].get<std::string>() +
                     ") was not written; earlier records are intact and the next record tries again",
                 s.error());
  }
  current_size_ += text.size();
  last_hash_ = sha256_hex(text);
  return next_seq_++;
}

Result<std::uint64_t> Journal::after_reclaim(const json& record, Instant at, const fs::path& file,
                                             const Error& why) {
  reclaiming_ = true;
  json fields = json::object();
  fields["file"] = file.filename().string();
  fields["reason"] = why.what();
  auto event = write_line(event_record("journal_file_reclaimed", zone_->to_local(at), std::move(fields)), at);
  auto written = event ? write_line(record, at) : event;
  reclaiming_ = false;
  return written;
}

}  // namespace signage
