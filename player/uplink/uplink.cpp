#include "uplink/uplink.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <random>
#include <system_error>
#include <utility>
#include <vector>

#include "core/env.h"
#include "journal/journal.h"

namespace signage {
namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::chrono::milliseconds backoff_delay(int attempt, milliseconds initial, milliseconds max, double random01) {
  const double cap = static_cast<double>(max.count());
  const double exp = std::min(cap, static_cast<double>(initial.count()) * std::pow(2.0, std::max(0, attempt - 1)));
  const double r = std::clamp(random01, 0.0, 1.0);
  return milliseconds(std::max<long long>(1, static_cast<long long>(exp * r)));
}

Result<std::uint64_t> read_uplink_cursor(const fs::path& file, Env& env) {
  auto text = env.read_file(file);
  if (!text) {
    if (text.error().kind() == ErrorKind::not_found) return std::uint64_t{0};
    return Error("cannot read the uplink cursor", text.error());
  }
  const std::string& s = *text;
  constexpr std::string_view kKey = "acked_seq=";
  std::uint64_t v = 0;
  bool digits = false;
  std::size_t i = kKey.size();
  if (s.rfind(kKey, 0) == 0) {
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      v = v * 10 + static_cast<std::uint64_t>(s[i] - '0');
      digits = true;
    }
  }
  if (!digits || i + 1 != s.size() || s[i] != '\n') {
    return Error(ErrorKind::invalid,
                 file.string() + ":1:1: error: not an uplink cursor (expected \"acked_seq=<n>\"); delete the file "
                 "to resend the whole journal");
  }
  return v;
}

Status write_uplink_cursor(const fs::path& file, std::uint64_t acked_seq, Env& env) {
  return env.write_file_atomic(file, "acked_seq=" + std::to_string(acked_seq) + "\n");
}

// Reads complete journal lines after a seq, in file (= chain) order.
struct Uplink::Reader {
  Env* env = nullptr;
  fs::path dir;
  std::string screen;
  fs::path file;             // the day file being read; empty: not started
  std::uint64_t offset = 0;  // bytes of `file` consumed
  std::uint64_t last_seq = 0;

  static constexpr std::size_t kChunk = 256 * 1024;  // bytes read at a time

  struct Item {
    std::uint64_t seq;
    std::string message;
  };

  static std::optional<std::uint64_t> seq_of_json(std::string_view line) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("seq") || !j["seq"].is_number_unsigned()) return std::nullopt;
    return j["seq"].get<std::uint64_t>();
  }

  // The seq of the first line of `f`, when it is complete (looked for in its first 64 KiB).
  std::optional<std::uint64_t> first_seq(const fs::path& f) const {
    auto head = env->read_range(f, 0, 65536);
    if (!head) return std::nullopt;
    const auto end = head->find('\n');
    if (end == std::string::npos) return std::nullopt;
    return seq_of_json(std::string_view(*head).substr(0, end));
  }

  // The seq of the last complete line of `f` (looked for in its last 64 KiB).
  std::optional<std::uint64_t> last_seq_in(const fs::path& f) const {
    auto size = env->file_size(f);
    if (!size) return std::nullopt;
    const std::uint64_t from = *size > 65536 ? *size - 65536 : 0;
    auto tail = env->read_range(f, from, static_cast<std::size_t>(*size - from));
    if (!tail) return std::nullopt;
    const auto end = tail->rfind('\n');
    if (end == std::string::npos) return std::nullopt;
    const auto begin = tail->rfind('\n', end == 0 ? 0 : end - 1);
    const std::size_t at = (begin == std::string::npos || end == 0) ? 0 : begin + 1;
    if (at == 0 && from > 0) return std::nullopt;  // the line is longer than the tail
    return seq_of_json(std::string_view(*tail).substr(at, end - at));
  }

  std::uint64_t head_seq = 0;  // seq of the newest complete line in the journal

  // The line's seq. The journal writes it first ({"seq":N,...}), so that is read
  // directly; anything else goes through the JSON parser.
  static std::optional<std::uint64_t> seq_of(std::string_view line) {
    constexpr std::string_view kHead = "{\"seq\":";
    if (line.substr(0, kHead.size()) == kHead) {
      std::uint64_t v = 0;
      const char* begin = line.data() + kHead.size();
      const char* end = line.data() + line.size();
      const auto r = std::from_chars(begin, end, v);
      if (r.ec == std::errc() && r.ptr != begin && r.ptr < end && (*r.ptr == ',' || *r.ptr == '}')) return v;
    }
    return seq_of_json(line);
  }

  // Reads the complete lines of `file` from `offset` into `out` until it holds `max`
  // items or the file's end (a last line without '\n' is being written, or torn: it
  // is not consumed). Lines that cannot be sent are skipped and said in `problems`.
  void read_file_lines(std::size_t max, std::deque<Item>& out, std::string& problems) {
    std::size_t chunk = kChunk;
    while (out.size() < max) {
      auto bytes = env->read_range(file, offset, chunk);
      if (!bytes) {
        // Gone since it was listed: the next read lists the folder again.
        if (bytes.error().kind() != ErrorKind::not_found) problems = bytes.error().what();
        return;
      }
      const std::string_view text = *bytes;
      std::size_t pos = 0;
      for (;;) {
        if (out.size() >= max) break;
        const auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos) break;
        const std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        const auto seq = seq_of(line);
        if (!seq) {
          problems = file.string() + ": a line without seq was skipped";
          continue;
        }
        if (*seq <= last_seq) continue;
        auto msg = record_message(line, screen);
        if (!msg) {
          problems = file.string() + ": " + msg.error().what();
          continue;
        }
        last_seq = *seq;
        out.push_back({*seq, std::move(*msg)});
      }
      offset += pos;
      if (text.size() < chunk) return;  // the end of the file
      // A line longer than the chunk: read more at once.
      if (pos == 0) chunk *= 2;
    }
  }

  // Appends up to `max` items with seq > last_seq to `out`. Returns errors for lines
  // that cannot be sent (they are skipped) as text, "" when none.
  std::string read(std::size_t max, std::deque<Item>& out) {
    auto files = list_journal_files(dir, *env);
    if (!files) return files.error().what();
    const auto& list = *files;
    if (!list.empty()) {
      if (auto head = last_seq_in(list.back().path)) head_seq = std::max(head_seq, *head);
    }
    std::size_t i = 0;
    if (file.empty()) {
      // Skip whole files that end before last_seq + 1.
      while (i + 1 < list.size()) {
        const auto next = first_seq(list[i + 1].path);
        if (!next || *next > last_seq + 1) break;
        ++i;
      }
      if (i < list.size()) {
        file = list[i].path;
        offset = 0;
      }
    } else {
      while (i < list.size() && list[i].path != file) ++i;
      if (i == list.size()) {  // vanished: start over from the seq
        file.clear();
        return read(max, out);
      }
    }
    std::string problems;
    for (; i < list.size() && out.size() < max; ++i) {
      if (list[i].path != file) {
        file = list[i].path;
        offset = 0;
      }
      read_file_lines(max, out, problems);
    }
    return problems;
  }
};

Result<std::unique_ptr<Uplink>> Uplink::start(fs::path journal_dir, UplinkTarget target, std::string screen,
                                              milliseconds heartbeat_interval, UplinkOptions options) {
  if (options.cursor_file.empty()) options.cursor_file = journal_dir / "uplink.cursor";
  Env& env = options.env != nullptr ? *options.env : real_env();
  auto cursor = read_uplink_cursor(options.cursor_file, env);
  if (!cursor) return cursor.error();
  std::unique_ptr<Uplink> u(new Uplink(std::move(journal_dir), std::move(screen), heartbeat_interval,
                                       std::move(options), *cursor));
  // The transport's waits watch u->stop_, so it is made once u exists.
  auto transport = u->options_.make_transport ? u->options_.make_transport(target, u->options_.transport)
                                              : make_transport(target, u->options_.transport);
  if (!transport) return transport.error();
  u->transport_ = std::move(*transport);
  u->thread_ = std::thread([p = u.get()] { p->run(); });
  return u;
}

Uplink::Uplink(fs::path journal_dir, std::string screen, milliseconds heartbeat_interval, UplinkOptions options,
               std::uint64_t cursor)
    : dir_(std::move(journal_dir)), screen_(std::move(screen)), interval_(heartbeat_interval),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &SteadyClock::instance()) {
  options_.transport.cancel = &stop_;
  if (!options_.random01) {
    options_.random01 = [rng = std::mt19937(std::random_device{}()),
                         dist = std::uniform_real_distribution<double>(0.0, 1.0)]() mutable { return dist(rng); };
  }
  options_.batch = std::max<std::size_t>(1, options_.batch);
  reader_ = std::make_unique<Reader>();
  reader_->env = options_.env != nullptr ? options_.env : &real_env();
  reader_->dir = dir_;
  reader_->screen = screen_;
  reader_->last_seq = cursor;
  status_.acked_seq = cursor;
  status_.journal_seq = cursor;
}

Uplink::~Uplink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  acked_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Uplink::wait_acked(std::uint64_t seq, milliseconds timeout) {
  std::unique_lock lock(mu_);
  return acked_cv_.wait_for(lock, timeout, [&] { return status_.acked_seq >= seq || stop_.load(); }) &&
         status_.acked_seq >= seq;
}

void Uplink::notify_new_records() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_all();
}

void Uplink::submit_heartbeat(Heartbeat heartbeat) {
  {
    std::lock_guard lock(mu_);
    heartbeat_ = std::move(heartbeat);
    wake_ = true;
  }
  cv_.notify_all();
}

UplinkStatus Uplink::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

// What the uplink thread keeps between loop turns.
struct Uplink::RunState {
  std::deque<Reader::Item> pending;  // read, not yet acknowledged, in seq order
  int attempt = 0;                   // failed tries in a row (for the backoff)
  std::optional<MonoTime> last_heartbeat;
  std::optional<MonoTime> last_cursor_write;
  std::uint64_t saved_cursor = 0;
};

std::string Uplink::save_cursor(RunState& st, std::uint64_t acked) {
  const Status s = write_uplink_cursor(options_.cursor_file, acked, *reader_->env);
  if (!s) return s.error().what();
  st.saved_cursor = acked;
  return {};
}

void Uplink::set_error(const std::string& what) {
  std::lock_guard lock(mu_);
  status_.connected = transport_->connected();
  status_.last_error = what;
}

void Uplink::back_off(RunState& st, const std::string& what) {
  set_error(what);
  ++st.attempt;
  const auto delay = backoff_delay(st.attempt, options_.backoff_initial, options_.backoff_max, options_.random01());
  if (options_.on_backoff) options_.on_backoff(delay);
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, delay, [&] { return stop_.load(); });
}

void Uplink::read_journal(RunState& st) {
  // Journal records after the cursor (also while disconnected, for status()).
  if (st.pending.size() >= options_.batch) return;
  const std::string problem = reader_->read(options_.batch * 2 - st.pending.size(), st.pending);
  std::lock_guard lock(mu_);
  status_.journal_seq = std::max({status_.journal_seq, reader_->last_seq, reader_->head_seq});
  status_.backlog = status_.journal_seq - status_.acked_seq;
  if (!problem.empty()) status_.last_error = problem;
}

bool Uplink::send_heartbeat(RunState& st) {
  // The latest heartbeat first, when one is due.
  std::optional<Heartbeat> hb;
  {
    std::lock_guard lock(mu_);
    if (heartbeat_ && (!st.last_heartbeat || clock_->now() - *st.last_heartbeat >= interval_)) {
      hb = std::move(heartbeat_);
      heartbeat_.reset();
      // A heartbeat is a snapshot of the moment the render thread built it: of the
      // records up to its journal head, those the central log holds. Records appended
      // and acknowledged since then belong to the next heartbeat (acked_seq above
      // journal_seq would name a record the heartbeat does not know of).
      hb->acked_seq = status_.acked_seq;
      if (hb->journal_seq > 0) hb->acked_seq = std::min(hb->acked_seq, hb->journal_seq);
    }
  }
  if (!hb) return true;
  if (hb->interval_s <= 0) hb->interval_s = static_cast<double>(interval_.count()) / 1000.0;
  if (hb->free_disk_bytes == 0) {
    std::error_code ec;
    const auto space = fs::space(dir_, ec);
    if (!ec) hb->free_disk_bytes = space.available;
  }
  const auto out = transport_->send({heartbeat_message(*hb)});
  if (out.error) {
    {
      std::lock_guard lock(mu_);
      if (!heartbeat_) heartbeat_ = std::move(hb);  // unless a newer one came
    }
    back_off(st, out.error->what());
    return false;
  }
  st.last_heartbeat = clock_->now();
  st.attempt = 0;
  std::lock_guard lock(mu_);
  ++status_.heartbeats_sent;
  return true;
}

void Uplink::wait_for_work(const RunState& st) {
  std::unique_lock lock(mu_);
  auto timeout = options_.rescan;
  if (heartbeat_ && st.last_heartbeat) {
    const auto due = std::chrono::duration_cast<milliseconds>(*st.last_heartbeat + interval_ - clock_->now());
    timeout = std::clamp(due, milliseconds(1), timeout);
  }
  cv_.wait_for(lock, timeout, [&] { return wake_ || stop_.load(); });
  wake_ = false;
}

void Uplink::send_batch(RunState& st) {
  const std::size_t n = std::min(options_.batch, st.pending.size());
  std::vector<std::string> batch;
  batch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) batch.push_back(st.pending[i].message);
  const auto out = transport_->send(batch);
  if (out.acked > 0) {
    const std::uint64_t acked = st.pending[out.acked - 1].seq;
    st.pending.erase(st.pending.begin(), st.pending.begin() + static_cast<std::ptrdiff_t>(out.acked));
    std::string problem;
    if (st.pending.empty() || !st.last_cursor_write || clock_->now() - *st.last_cursor_write >= options_.cursor_interval) {
      problem = save_cursor(st, acked);
      st.last_cursor_write = clock_->now();
    }
    {
      std::lock_guard lock(mu_);
      status_.acked_seq = acked;
      status_.backlog = status_.journal_seq - acked;
      status_.last_error = problem;
    }
    acked_cv_.notify_all();
    st.attempt = 0;
  }
  if (out.error) back_off(st, out.error->what());
}

void Uplink::run() {
  RunState st;
  {
    std::lock_guard lock(mu_);
    st.saved_cursor = status_.acked_seq;
  }
  while (!stop_) {
    read_journal(st);
    if (!transport_->connected()) {
      if (auto s = transport_->connect(); !s) {
        back_off(st, s.error().what());
        continue;
      }
      std::lock_guard lock(mu_);
      status_.connected = true;
    }
    if (!send_heartbeat(st)) continue;
    if (st.pending.empty()) {
      wait_for_work(st);
      continue;
    }
    send_batch(st);
  }
  // Stopping: stop_ cancels every wait, so this close is quick and not a clean one.
  transport_->close();
  std::uint64_t acked = 0;
  {
    std::lock_guard lock(mu_);
    acked = status_.acked_seq;
  }
  if (acked != st.saved_cursor) (void)save_cursor(st, acked);
}

}  // namespace signage
