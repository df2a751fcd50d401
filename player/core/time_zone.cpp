// Time zones as objects: the IANA database's TZif files (RFC 8536) and POSIX TZ
// strings, read here rather than through localtime_r and the process's TZ, so that a
// campaign in Asia/Shanghai means the same on a box set to UTC, and several zones can
// be used at once from any thread.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <optional>
#include <system_error>
#include <vector>

#include "core/i18n.h"
#include "core/time.h"

namespace signage {

namespace chr = std::chrono;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr std::size_t kMaxTzifBytes = std::size_t{1} << 20;

LocalTime local_at(Instant t, seconds offset) {
  const auto wall = t + offset;
  const auto day = chr::floor<chr::days>(wall);
  LocalTime lt;
  lt.date = Date(day);
  lt.time_of_day = wall - day;
  lt.weekday = chr::weekday(day);
  lt.utc_offset = offset;
  return lt;
}

// ---- POSIX TZ strings: "CST-8", "CET-1CEST,M3.5.0,M10.5.0/3", "<+0330>-3:30" ----

// A rule's day: Jn (1..365, 29 February never counted), n (0..365), Mm.w.d.
struct RuleDay {
  enum class Kind { julian1, julian0, month_week_day } kind = Kind::month_week_day;
  int a = 0, b = 0, c = 0;  // n; or month, week (5: last), weekday (0 = Sunday)

  chr::sys_days in(chr::year y) const {
    switch (kind) {
      case Kind::julian1: {
        const bool after_feb = a >= 60 && y.is_leap();
        return chr::sys_days(y / chr::January / 1) + chr::days(a - 1 + (after_feb ? 1 : 0));
      }
      case Kind::julian0: return chr::sys_days(y / chr::January / 1) + chr::days(a);
      case Kind::month_week_day: break;
    }
    const chr::month m(static_cast<unsigned>(a));
    const chr::weekday wd(static_cast<unsigned>(c));
    if (b >= 5) return chr::sys_days(chr::year_month_weekday_last(y, m, chr::weekday_last(wd)));
    return chr::sys_days(chr::year_month_weekday(y, m, wd[static_cast<unsigned>(b)]));
  }
};

struct PosixRule {
  seconds std_offset{0};  // east of UTC
  bool has_dst = false;
  seconds dst_offset{0};
  RuleDay start, end;
  seconds start_time{7200}, end_time{7200};  // local time of the change, in the offset then in force

  seconds offset_at(chr::sys_seconds t) const {
    if (!has_dst) return std_offset;
    const chr::year y = chr::year_month_day(chr::floor<chr::days>(t + std_offset)).year();
    const auto begins = chr::sys_seconds(start.in(y)) + start_time - std_offset;
    const auto ends = chr::sys_seconds(end.in(y)) + end_time - dst_offset;
    const bool dst = begins < ends ? (t >= begins && t < ends) : !(t >= ends && t < begins);
    return dst ? dst_offset : std_offset;
  }
};

// A cursor over a POSIX TZ string.
class PosixParser {
 public:
  explicit PosixParser(std::string_view s) : s_(s) {}

  std::optional<PosixRule> parse() {
    PosixRule r;
    if (!name()) return std::nullopt;
    const auto std_off = offset();
    if (!std_off) return std::nullopt;
    r.std_offset = -*std_off;  // POSIX counts west of UTC
    if (done()) return r;
    if (!name()) return std::nullopt;
    r.has_dst = true;
    r.dst_offset = r.std_offset + chr::hours(1);
    if (!done() && peek() != ',') {
      const auto dst_off = offset();
      if (!dst_off) return std::nullopt;
      r.dst_offset = -*dst_off;
    }
    if (done()) {  // no rule given: the US rules, as glibc does
      r.start = RuleDay{RuleDay::Kind::month_week_day, 3, 2, 0};
      r.end = RuleDay{RuleDay::Kind::month_week_day, 11, 1, 0};
      return r;
    }
    if (!eat(',') || !rule_day(r.start)) return std::nullopt;
    if (eat('/')) {
      const auto t = offset(167);
      if (!t) return std::nullopt;
      r.start_time = *t;
    }
    if (!eat(',') || !rule_day(r.end)) return std::nullopt;
    if (eat('/')) {
      const auto t = offset(167);
      if (!t) return std::nullopt;
      r.end_time = *t;
    }
    if (!done()) return std::nullopt;
    return r;
  }

 private:
  bool done() const { return i_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[i_]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  std::optional<int> number(int max) {
    if (done() || !std::isdigit(static_cast<unsigned char>(peek()))) return std::nullopt;
    int v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek()))) {
      v = v * 10 + (s_[i_++] - '0');
      if (v > max) return std::nullopt;
    }
    return v;
  }
  bool name() {
    if (eat('<')) {
      const auto close = s_.find('>', i_);
      if (close == std::string_view::npos || close - i_ < 3) return false;
      i_ = close + 1;
      return true;
    }
    const std::size_t from = i_;
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) ++i_;
    return i_ - from >= 3;
  }
  // [+-]hh[:mm[:ss]], in seconds.
  std::optional<seconds> offset(int max_hours = 24) {
    int sign = 1;
    if (eat('-')) sign = -1;
    else eat('+');
    const auto h = number(max_hours);
    if (!h) return std::nullopt;
    int total = *h * 3600;
    if (eat(':')) {
      const auto m = number(59);
      if (!m) return std::nullopt;
      total += *m * 60;
      if (eat(':')) {
        const auto sec = number(59);
        if (!sec) return std::nullopt;
        total += *sec;
      }
    }
    return seconds(sign * total);
  }
  bool rule_day(RuleDay& d) {
    if (eat('J')) {
      const auto n = number(365);
      if (!n || *n < 1) return false;
      d = RuleDay{RuleDay::Kind::julian1, *n, 0, 0};
      return true;
    }
    if (eat('M')) {
      const auto m = number(12);
      if (!m || *m < 1 || !eat('.')) return false;
      const auto w = number(5);
      if (!w || *w < 1 || !eat('.')) return false;
      const auto wd = number(6);
      if (!wd) return false;
      d = RuleDay{RuleDay::Kind::month_week_day, *m, *w, *wd};
      return true;
    }
    const auto n = number(365);
    if (!n) return false;
    d = RuleDay{RuleDay::Kind::julian0, *n, 0, 0};
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

class PosixZone final : public TimeZone {
 public:
  PosixZone(PosixRule rule, std::string name) : rule_(rule), name_(std::move(name)) {}
  LocalTime to_local(Instant t) const override {
    return local_at(t, rule_.offset_at(chr::floor<seconds>(t)));
  }
  std::string name() const override { return name_; }

 private:
  PosixRule rule_;
  std::string name_;
};

// ---- TZif ----

struct TzifType {
  seconds offset{0};
};

class TzifZone final : public TimeZone {
 public:
  TzifZone(std::vector<std::int64_t> times, std::vector<std::uint8_t> index, std::vector<TzifType> types,
           std::optional<PosixRule> footer, std::string name)
      : times_(std::move(times)),
        index_(std::move(index)),
        types_(std::move(types)),
        footer_(footer),
        name_(std::move(name)) {}

  LocalTime to_local(Instant t) const override { return local_at(t, offset_at(chr::floor<seconds>(t))); }
  std::string name() const override { return name_; }

 private:
  seconds offset_at(chr::sys_seconds t) const {
    const std::int64_t s = t.time_since_epoch().count();
    if (times_.empty() || s < times_.front()) {
      if (times_.empty() && footer_) return footer_->offset_at(t);
      return types_.front().offset;
    }
    if (s >= times_.back() && footer_) return footer_->offset_at(t);
    const auto it = std::upper_bound(times_.begin(), times_.end(), s);
    const auto i = static_cast<std::size_t>(it - times_.begin()) - 1;
    return types_[index_[i]].offset;
  }

  std::vector<std::int64_t> times_;   // transition instants, ascending
  std::vector<std::uint8_t> index_;   // the type from each transition on
  std::vector<TzifType> types_;
  std::optional<PosixRule> footer_;   // for instants past the last transition
  std::string name_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view b) : b_(b) {}
  bool has(std::size_t n) const { return b_.size() - pos_ >= n; }
  std::int64_t be(std::size_t n) {  // big-endian signed, n = 4 or 8
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(b_[pos_ + k]);
    pos_ += n;
    if (n == 4) return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    return static_cast<std::int64_t>(v);
  }
  std::uint8_t byte() { return static_cast<std::uint8_t>(b_[pos_++]); }
  void skip(std::size_t n) { pos_ += n; }
  std::size_t pos() const { return pos_; }
  std::string_view rest() const { return b_.substr(pos_); }

 private:
  std::string_view b_;
  std::size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  std::size_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
  std::size_t data_size(std::size_t time_size) const {
    return time * time_size + time + type * 6 + chars + leap * (time_size + 4) + isstd + isut;
  }
};

std::optional<TzifHeader> read_header(ByteReader& r) {
  if (!r.has(44) || r.rest().substr(0, 4) != "TZif") return std::nullopt;
  r.skip(4);
  TzifHeader h;
  h.version = static_cast<char>(r.byte());
  r.skip(15);
  std::array<std::size_t*, 6> counts{&h.isut, &h.isstd, &h.leap, &h.time, &h.type, &h.chars};
  for (std::size_t* c : counts) {
    const std::int64_t v = r.be(4);
    if (v < 0 || v > 100'000) return std::nullopt;
    *c = static_cast<std::size_t>(v);
  }
  if (h.type == 0) return std::nullopt;
  return h;
}

Result<std::shared_ptr<const TimeZone>> parse_tzif(std::string_view bytes, const std::string& name) {
  const Error bad(fmt(_("{1}: not a time zone file (TZif)"), name));
  ByteReader r(bytes);
  auto h = read_header(r);
  if (!h) return bad;
  std::size_t time_size = 4;
  if (h->version >= '2') {  // skip the 32-bit block: the 64-bit one follows
    if (!r.has(h->data_size(4))) return bad;
    r.skip(h->data_size(4));
    h = read_header(r);
    if (!h) return bad;
    time_size = 8;
  }
  if (!r.has(h->data_size(time_size))) return bad;
  std::vector<std::int64_t> times(h->time);
  for (auto& t : times) t = r.be(time_size);
  std::vector<std::uint8_t> index(h->time);
  for (auto& i : index) {
    i = r.byte();
    if (i >= h->type) return bad;
  }
  std::vector<TzifType> types(h->type);
  for (auto& t : types) {
    t.offset = seconds(r.be(4));
    r.skip(2);  // isdst, abbreviation index
  }
  r.skip(h->chars + h->leap * (time_size + 4) + h->isstd + h->isut);
  std::optional<PosixRule> footer;
  if (time_size == 8) {
    const std::string_view rest = r.rest();
    if (rest.size() >= 2 && rest.front() == '\n') {
      const auto end = rest.find('\n', 1);
      if (end != std::string_view::npos && end > 1) footer = PosixParser(rest.substr(1, end - 1)).parse();
    }
  }
  if (!std::is_sorted(times.begin(), times.end())) return bad;
  return std::shared_ptr<const TimeZone>(
      std::make_shared<TzifZone>(std::move(times), std::move(index), std::move(types), footer, name));
}

// The bytes of a TZif file, through `env` (never waiting on a FIFO or a device).
// Errors name the file; anything but a regular file of at most kMaxTzifBytes is
// refused with kind invalid.
Result<std::string> read_zone_file(const fs::path& file, Env& env) {
  auto read = env.read_regular_file(file, kMaxTzifBytes);
  if (!read) return read.error();
  if (read->type != FileType::regular) return Error(ErrorKind::invalid, file.string() + ": not a regular file");
  if (read->too_large) return Error(ErrorKind::invalid, file.string() + ": too large for a time zone file");
  return std::move(read->bytes);
}

bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') return false;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '/' || c == '_' || c == '-' || c == '+')) return false;
  }
  return name.find("..") == std::string_view::npos && name.find("//") == std::string_view::npos;
}

// The zone name of /etc/localtime, from where its link points ("Asia/Shanghai").
std::string localtime_name(const fs::path& link) {
  std::error_code ec;
  const fs::path target = fs::read_symlink(link, ec);
  if (ec) return "localtime";
  const std::string s = target.string();
  const auto at = s.find("zoneinfo/");
  return at == std::string::npos ? s : s.substr(at + 9);
}

class UtcZone final : public TimeZone {
 public:
  LocalTime to_local(Instant t) const override { return local_at(t, seconds(0)); }
  std::string name() const override { return "UTC"; }
};

}  // namespace

Result<std::shared_ptr<const TimeZone>> time_zone_from_tzif(std::string_view bytes, std::string name) {
  return parse_tzif(bytes, name);
}

Result<std::shared_ptr<const TimeZone>> posix_time_zone(std::string_view tz) {
  auto rule = PosixParser(tz).parse();
  if (!rule) {
    return Error(ErrorKind::invalid, fmt(_("'{1}' is not a POSIX TZ string; write it like CST-8 or CET-1CEST,M3.5.0,M10.5.0/3"), tz));
  }
  return std::shared_ptr<const TimeZone>(std::make_shared<PosixZone>(*rule, std::string(tz)));
}

Result<std::shared_ptr<const TimeZone>> time_zone_named(std::string_view name, const fs::path& zoneinfo, Env& env) {
  const Error unknown(
      ErrorKind::not_found, fmt(_("unknown time zone '{1}'; write an IANA time zone name such as Asia/Shanghai"), name));
  if (!valid_zone_name(name)) return unknown;
  const fs::path file = zoneinfo / fs::path(std::string(name));
  auto read = env.read_regular_file(file, kMaxTzifBytes);
  // Nothing there, or a folder ("Asia"): no zone of that name.
  if (!read && read.error().kind() == ErrorKind::not_found) return unknown;
  if (read && read->type != FileType::regular) return unknown;
  if (!read) return Error(unknown.message(), read.error());
  if (read->too_large) {
    return Error(unknown.message(), Error(ErrorKind::invalid, file.string() + ": too large for a time zone file"));
  }
  return parse_tzif(read->bytes, std::string(name));
}

std::shared_ptr<const TimeZone> utc_time_zone() {
  static const auto utc = std::make_shared<const UtcZone>();
  return utc;
}

Result<std::shared_ptr<const TimeZone>> time_zone_from_tz(const char* tz, const fs::path& zoneinfo,
                                                           const fs::path& localtime, Env& env) {
  if (tz == nullptr) {
    auto bytes = read_zone_file(localtime, env);
    if (!bytes) return Error(fmt(_("{1}: cannot read the system time zone"), localtime.string()), bytes.error());
    return parse_tzif(*bytes, localtime_name(localtime));
  }
  std::string_view s = tz;
  if (s.empty()) return utc_time_zone();
  const bool file_only = s.front() == ':';
  if (file_only) s.remove_prefix(1);
  if (!s.empty() && s.front() == '/') {
    auto bytes = read_zone_file(fs::path(std::string(s)), env);
    if (!bytes) return Error(fmt(_("{1}: cannot read the time zone file"), s), bytes.error());
    return parse_tzif(*bytes, std::string(s));
  }
  auto named = time_zone_named(s, zoneinfo, env);
  if (named || file_only) return named;
  return posix_time_zone(s);
}

std::unique_ptr<TimeZone> system_time_zone() {
  auto zone = time_zone_from_tz(std::getenv("TZ"), "/usr/share/zoneinfo", "/etc/localtime");
  // Like the C library: a zone that cannot be read is UTC.
  const std::shared_ptr<const TimeZone> z = zone ? *zone : utc_time_zone();
  // A handle owning a share of the zone, for the unique_ptr interface.
  class Shared final : public TimeZone {
   public:
    explicit Shared(std::shared_ptr<const TimeZone> z) : z_(std::move(z)) {}
    LocalTime to_local(Instant t) const override { return z_->to_local(t); }
    std::string name() const override { return z_->name(); }

   private:
    std::shared_ptr<const TimeZone> z_;
  };
  return std::make_unique<Shared>(z);
}

}  // namespace signage
