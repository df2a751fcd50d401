#include "playlist/toml_check.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <cstring>
#include <fstream>
#include <limits>
#include <system_error>

#include "core/i18n.h"
#include "core/text_encoding.h"
#include "core/text_util.h"
#include "core/time.h"
#include "playlist/toml_mistakes.h"

namespace signage::tomlcheck {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

namespace {

int clamp_int(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(std::numeric_limits<int>::max()) ? std::numeric_limits<int>::max()
                                                                          : static_cast<int>(v);
}

std::string wrong_type(std::string_view key, std::string_view want, const toml::node& got) {
  return fmt(_("'{1}' must be {2}, not {3}"), key, _(std::string(want).c_str()), type_name(got.type()));
}

// "1.5s" for a message.
std::string show_duration(milliseconds d) {
  const auto ms = d.count();
  if (ms % 3'600'000 == 0 && ms != 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

// The deepest chain of dotted keys ("a.b.c" is 3) outside strings and comments, and
// where it gets too deep. Only needs to be exact for valid TOML; on anything else an
// overestimate just turns one error message into another.
std::optional<std::pair<int, int>> find_too_deep_key(std::string_view text) {
  int line = 1;
  int col = 0;
  int dots = 0;
  std::size_t i = 0;
  auto at = [&](std::string_view s) { return text.substr(i, s.size()) == s; };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      col = 0;
      dots = 0;
      ++i;
      continue;
    }
    ++col;
    if (c == '#') {  // comment: to the end of the line
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool multi = at(c == '"' ? "\"\"\"" : "'''");
      const std::size_t open = multi ? 3 : 1;
      i += open;
      while (i < text.size()) {
        const char d = text[i];
        if (d == '\n') {
          if (!multi) break;
          ++line;
          col = 0;
        }
        if (d == '\\' && c == '"' && i + 1 < text.size() && text[i + 1] != '\n') {
          i += 2;
          continue;
        }
        if (d == c && (!multi || at(c == '"' ? "\"\"\"" : "'''"))) {
          i += open;
          while (multi && i < text.size() && text[i] == c) ++i;  // """a"""" ends with a quote
          break;
        }
        ++i;
      }
      continue;
    }
    if (c == '.') {
      if (++dots >= kMaxKeyDepth) return std::pair{line, col};
    } else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' || c == '\t')) {
      dots = 0;
    }
    ++i;
  }
  return std::nullopt;
}

// Optimal string alignment distance, stopping early when it exceeds `limit`.
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  if ((n > m ? n - m : m - n) > limit) return limit + 1;
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    std::size_t row_min = cur[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[m];
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Date> to_date(const toml::date& d) {
  const Date out{std::chrono::year(d.year), std::chrono::month(d.month), std::chrono::day(d.day)};
  if (!out.ok()) return std::nullopt;
  return out;
}

// Reads an array of dates (`dates`, `except`).
std::vector<Date> get_date_list(const toml::table& t, std::string_view key, bool allow_empty, Reporter& r) {
  std::vector<Date> out;
  const toml::array* arr = get_array(t, key, r);
  if (arr == nullptr) return out;
  if (arr->empty() && !allow_empty) {
    r.error(*arr, fmt(_("'{1}' is empty; leave it out to show on any date"), key));
  }
  for (const toml::node& e : *arr) {
    const auto* d = e.as_date();
    if (d == nullptr) {
      r.error(e, fmt(_("each entry of '{1}' must be a date like 2024-06-16 (without quotes), not {2}"), key,
                     type_name(e.type())));
      continue;
    }
    if (auto date = to_date(d->get())) out.push_back(*date);
    else r.error(e, fmt(_("'{1}' holds a date that does not exist"), key));
  }
  return out;
}

}  // namespace

// ---- Reporter ----

SourcePos Reporter::pos(const toml::source_region& where) const {
  return SourcePos{file_, clamp_int(where.begin.line), where.begin.line == 0 ? 0 : clamp_int(where.begin.column)};
}

void Reporter::error(SourcePos where, std::string message) {
  diags_.push_back(Diagnostic{Severity::error, std::move(where), std::move(message)});
}

void Reporter::warning(SourcePos where, std::string message) {
  diags_.push_back(Diagnostic{Severity::warning, std::move(where), std::move(message)});
}

bool Reporter::has_errors() const { return signage::has_errors(diags_); }

std::vector<Diagnostic> Reporter::take() {
  std::stable_sort(diags_.begin(), diags_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  if (diags_.size() > kMaxDiagnostics) {
    const std::size_t more = diags_.size() - kMaxDiagnostics;
    // An error when an error is among those left out, so the summary never makes a
    // file with only warnings look refused.
    const bool errors_left_out =
        std::any_of(diags_.begin() + static_cast<std::ptrdiff_t>(kMaxDiagnostics), diags_.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::error; });
    diags_.resize(kMaxDiagnostics);
    diags_.push_back(Diagnostic{errors_left_out ? Severity::error : Severity::warning, SourcePos{file_, 0, 0},
                                fmt(_("and {1} more problems; fix the ones above first"), more)});
  }
  return std::move(diags_);
}

// ---- reading and parsing ----

Result<std::string> read_small_file(const fs::path& path, Env& env) {
  // Read without ever blocking: a FIFO named *.toml is named, not waited on.
  auto read = env.read_regular_file(path, kMaxFileBytes);
  if (!read) {
    const Error& e = read.error();
    if (e.kind() == ErrorKind::not_found) return Error(ErrorKind::not_found, _("the file does not exist"));
    if (e.kind() == ErrorKind::permission) {
      return Error(ErrorKind::permission, _("the file cannot be read; check its permissions"));
    }
    // The OS's reason ("Input/output error"), without the path the caller names.
    const std::string& why = e.cause() != nullptr ? e.cause()->message() : e.message();
    return Error(e.kind(), fmt(_("cannot read the file: {1}"), why));
  }
  switch (read->type) {
    case FileType::regular:
      break;
    case FileType::folder:
      return Error(ErrorKind::invalid, _("it is a folder, not a file"));
    case FileType::fifo:
      return Error(ErrorKind::invalid, _("it is a FIFO (named pipe), not a file; it is not read"));
    case FileType::device:
      return Error(ErrorKind::invalid, _("it is a device, not a file; it is not read"));
    case FileType::none:
    case FileType::other:
      return Error(ErrorKind::invalid, _("it is not a regular file; it is not read"));
  }
  if (read->too_large) {
    return Error(ErrorKind::invalid, _("the file is larger than 1 MiB; split it into smaller files"));
  }
  return std::move(read->bytes);
}

namespace {

// Line and column (in characters) of byte `offset` of `text`.
std::pair<int, int> position_of(std::string_view text, std::size_t offset) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      col = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++col;
    }
  }
  return {line, col};
}

// Where `text` stops being UTF-8 (its size when it never does).
std::size_t first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > text.size() || !is_valid_utf8(text.substr(i, n))) return i;
    i += n;
  }
  return i;
}

}  // namespace

std::optional<std::string> decode_file_text(std::string_view bytes, Reporter& r) {
  DecodedText d = decode_text_file(bytes);
  if (d.undecodable) {
    const std::size_t at = first_invalid_utf8(d.utf8);
    const auto [line, col] = position_of(d.utf8, at);
    r.error(SourcePos{r.file(), line, col},
            _("the file is not UTF-8 text (nor Chinese GBK or UTF-16); save it as UTF-8: in Notepad, File > Save As, "
              "Encoding: UTF-8"));
    return std::nullopt;
  }
  if (d.encoding == TextEncoding::gb18030) {
    r.warning(SourcePos{r.file(), 0, 0},
              _("the file is saved as Chinese GBK (Notepad's \"ANSI\"); it was read correctly, but other screens "
                "and tools expect UTF-8: in Notepad, File > Save As, Encoding: UTF-8"));
  } else if (d.encoding == TextEncoding::utf16le || d.encoding == TextEncoding::utf16be) {
    r.warning(SourcePos{r.file(), 0, 0},
              fmt(_("the file is saved as {1} (Notepad's \"Unicode\"); it was read correctly, but other screens "
                    "and tools expect UTF-8: in Notepad, File > Save As, Encoding: UTF-8"),
                  encoding_name(d.encoding)));
  }
  return std::move(d.utf8);
}

std::optional<toml::table> parse(std::string_view raw, Reporter& r) {
  if (raw.size() > kMaxFileBytes) {
    r.error(SourcePos{r.file(), 0, 0},
            fmt(_("file is {1} bytes, larger than 1 MiB; split it into smaller files"), raw.size()));
    return std::nullopt;
  }
  const auto decoded = decode_file_text(raw, r);
  if (!decoded) return std::nullopt;
  const std::string_view text = *decoded;
  if (const auto deep = find_too_deep_key(text)) {
    r.error(SourcePos{r.file(), deep->first, deep->second},
            fmt(_("keys nested more than {1} levels deep are not supported"), kMaxKeyDepth));
    return std::nullopt;
  }
  try {
    return toml::parse(text, std::string_view(r.file()));
  } catch (const toml::parse_error& e) {
    // The parser stops at the first problem, in its own words; the mistakes an
    // input method makes are named instead, all of them, with the fix.
    const auto mistakes = find_input_mistakes(text);
    for (const Mistake& m : mistakes) r.error(SourcePos{r.file(), m.line, m.column}, m.message);
    if (mistakes.empty()) r.error(r.pos(e.source()), fmt(_("TOML syntax error: {1}"), e.description()));
  } catch (const std::exception& e) {  // allocation failure and the like
    r.error(SourcePos{r.file(), 0, 0}, fmt(_("cannot parse the file: {1}"), e.what()));
  }
  return std::nullopt;
}

// ---- messages ----

std::string quote(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out = "'";
  std::size_t i = 0;
  for (; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      if (c == '\n') out += "\\n";
      else if (c == '\t') out += "\\t";
      else {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      }
    } else {
      out += static_cast<char>(c);
    }
  }
  if (i < s.size()) {
    // Do not cut a UTF-8 sequence in half.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
    out += "...";
  }
  out += "'";
  return out;
}

std::string_view type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string: return _("a string");
    case toml::node_type::integer: return _("an integer");
    case toml::node_type::floating_point: return _("a float");
    case toml::node_type::boolean: return _("a boolean");
    case toml::node_type::date: return _("a date");
    case toml::node_type::time: return _("a time");
    case toml::node_type::date_time: return _("a date-time");
    case toml::node_type::array: return _("an array");
    case toml::node_type::table: return _("a table");
    case toml::node_type::none: break;
  }
  return _("nothing");
}

std::string_view closest_key(std::string_view key, std::span<const std::string_view> known) {
  std::string_view best;
  std::size_t best_d = 3;
  for (const auto k : known) {
    const std::size_t d = edit_distance(key, k, 2);
    if (d < best_d && d < std::max(k.size(), std::size_t{2})) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

void check_keys(const toml::table& t, std::string_view where, std::span<const std::string_view> known,
                Reporter& r) {
  for (auto&& [key, value] : t) {
    const std::string_view k = key.str();
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string msg = fmt(_("unknown key {1} in {2}"), quote(k), where);
    if (const auto guess = closest_key(k, known); !guess.empty()) msg += fmt(_("; did you mean '{1}'?"), guess);
    SourcePos p = r.pos(key.source());
    if (p.line == 0) p = r.pos(value);
    r.error(std::move(p), std::move(msg));
  }
}

bool require(const toml::table& t, std::string_view key, std::string_view where, Reporter& r) {
  if (t.contains(key)) return true;
  r.error(t, fmt(_("missing required key '{1}' in {2}"), key, where));
  return false;
}

// ---- getters ----

const toml::table* get_table(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return nullptr;
  if (const auto* tbl = n->as_table()) return tbl;
  r.error(*n, wrong_type(key, N_("a table"), *n));
  return nullptr;
}

const toml::array* get_array(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return nullptr;
  if (const auto* arr = n->as_array()) return arr;
  r.error(*n, wrong_type(key, N_("an array"), *n));
  return nullptr;
}

std::optional<std::string> get_string(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (const auto* s = n->as_string()) return s->get();
  r.error(*n, wrong_type(key, N_("a string"), *n));
  return std::nullopt;
}

std::optional<std::int64_t> get_integer(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (const auto* i = n->as_integer()) return i->get();
  const auto* s = n->as_string();
  const bool digits = s != nullptr && !s->get().empty() && s->get().size() < 19 &&
                      std::all_of(s->get().begin(), s->get().end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    r.error(*n, fmt(_("'{1}' must be an integer, not a string; write it without quotes: {1} = {2}"), key, s->get()));
  } else {
    r.error(*n, wrong_type(key, N_("an integer"), *n));
  }
  return std::nullopt;
}

std::optional<double> get_number(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (const auto* i = n->as_integer()) return static_cast<double>(i->get());
  if (const auto* f = n->as_floating_point()) {
    if (std::isfinite(f->get())) return f->get();
    r.error(*n, fmt(_("'{1}' must be a finite number"), key));
    return std::nullopt;
  }
  r.error(*n, wrong_type(key, N_("a number"), *n));
  return std::nullopt;
}

std::optional<Date> get_date(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (const auto* d = n->as_date()) {
    if (auto date = to_date(d->get())) return date;
    r.error(*n, fmt(_("'{1}' is a date that does not exist"), key));
    return std::nullopt;
  }
  r.error(*n, wrong_type(key, N_("a date like 2024-06-01 (without quotes)"), *n));
  return std::nullopt;
}

std::optional<milliseconds> get_duration(const toml::table& t, std::string_view key, milliseconds min,
                                         milliseconds max, Reporter& r) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) {
    r.error(*n, wrong_type(key, N_("a string like \"12s\""), *n));
    return std::nullopt;
  }
  const std::string text = n->as_string()->get();
  auto d = parse_duration(text);
  if (!d) {
    r.error(*n, fmt(_("bad duration: {1}"), d.error().message()));
    return std::nullopt;
  }
  if (*d < min || *d > max) {
    r.error(*n, fmt(_("'{1}' must be between {2} and {3}, not {4}"), key, show_duration(min), show_duration(max),
                    quote(text)));
    return std::nullopt;
  }
  return *d;
}

std::optional<Rgb> get_colour(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  const auto text = get_string(t, key, r);
  if (!text) return std::nullopt;
  if (auto c = parse_colour(*text)) return c;
  r.error(*n, fmt(_("bad colour {1}; write it as #rrggbb"), quote(*text)));
  return std::nullopt;
}

std::optional<std::string> get_id(const toml::table& t, std::string_view key, Reporter& r) {
  const toml::node* n = t.get(key);
  auto text = get_string(t, key, r);
  if (!text) return std::nullopt;
  if (is_valid_id(*text)) return text;
  r.error(*n, fmt(_("bad {1} {2}; use only letters, digits, '.', '_' and '-'"), key, quote(*text)));
  return std::nullopt;
}

When get_when(const toml::table& t, Reporter& r) {
  When w;
  w.starts = get_date(t, "starts", r);
  w.ends = get_date(t, "ends", r);
  if (w.starts && w.ends && *w.ends < *w.starts) {
    r.error(*t.get("ends"), fmt(_("end before start: 'ends' ({1}) is before 'starts' ({2})"), format_date(*w.ends),
                                format_date(*w.starts)));
  }
  if (const toml::node* h = t.get("hours"); h != nullptr && h->is_string()) {
    r.error(*h, fmt(_("'hours' is a list, even of one window: write hours = [\"{1}\"]"), h->as_string()->get()));
  } else if (const toml::array* hours = get_array(t, "hours", r)) {
    if (hours->empty()) r.error(*hours, _("'hours' is empty; leave it out to show all day"));
    for (const toml::node& e : *hours) {
      const auto* s = e.as_string();
      if (s == nullptr) {
        r.error(e, fmt(_("each entry of 'hours' must be a string like \"08:00-22:00\", not {1}"), type_name(e.type())));
        continue;
      }
      auto window = parse_window(s->get());
      if (window) w.hours.push_back(*window);
      else r.error(e, window.error().message());
    }
  }
  if (const toml::node* d = t.get("weekdays"); d != nullptr && d->is_string()) {
    r.error(*d, fmt(_("'weekdays' is a list, even of one day: write weekdays = [\"{1}\"]"), d->as_string()->get()));
  } else if (const toml::array* days = get_array(t, "weekdays", r)) {
    static constexpr std::string_view kNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    if (days->empty()) r.error(*days, _("'weekdays' is empty; leave it out to show every day"));
    std::uint8_t mask = 0;
    for (const toml::node& e : *days) {
      const auto* s = e.as_string();
      if (s == nullptr) {
        r.error(e, fmt(_("each entry of 'weekdays' must be a string like \"mon\", not {1}"), type_name(e.type())));
        continue;
      }
      std::string lower = s->get();
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
      const auto it = std::find(std::begin(kNames), std::end(kNames), lower);
      if (it == std::end(kNames)) {
        r.error(e, fmt(_("bad weekday {1}; use mon, tue, wed, thu, fri, sat or sun (周一 is mon, 周日 is sun)"), quote(s->get())));
        continue;
      }
      mask = static_cast<std::uint8_t>(mask | (1u << (it - std::begin(kNames))));
    }
    if (mask != 0) w.weekdays = mask;
  }
  w.dates = get_date_list(t, "dates", false, r);
  w.except = get_date_list(t, "except", true, r);
  return w;
}

std::shared_ptr<const TimeZone> get_time_zone(const toml::table& t, std::string_view key,
                                              const fs::path& zoneinfo, Reporter& r, Env& env) {
  const toml::node* n = t.get(key);
  const auto name = get_string(t, key, r);
  if (!name) return nullptr;
  std::string lower = *name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  lower.erase(std::remove(lower.begin(), lower.end(), ' '), lower.end());
  const bool china = lower.find("北京") != std::string::npos || lower.find("中国") != std::string::npos ||
                     lower == "beijing" || lower == "cst" || lower == "china" || lower == "prc" ||
                     lower == "utc+8" || lower == "gmt+8" || lower == "utc+08:00" || lower == "+08:00" ||
                     lower == "asia/beijing";
  if (china) {
    r.error(*n, fmt(_("{1} is not a time zone name; for China (Beijing time) write {2} = \"Asia/Shanghai\""),
                    quote(*name), key));
    return nullptr;
  }
  auto zone = time_zone_named(*name, zoneinfo, env);
  if (!zone) {
    r.error(*n, zone.error().what());
    return nullptr;
  }
  return *zone;
}

// ---- value parsers ----

std::optional<Rgb> parse_colour(std::string_view s) {
  if (s.size() != 4 && s.size() != 7) return std::nullopt;
  if (s[0] != '#') return std::nullopt;
  int v[6] = {};
  for (std::size_t i = 1; i < s.size(); ++i) {
    v[i - 1] = hex_digit(s[i]);
    if (v[i - 1] < 0) return std::nullopt;
  }
  if (s.size() == 4) {
    return Rgb{static_cast<std::uint8_t>(v[0] * 17), static_cast<std::uint8_t>(v[1] * 17),
               static_cast<std::uint8_t>(v[2] * 17)};
  }
  return Rgb{static_cast<std::uint8_t>(v[0] * 16 + v[1]), static_cast<std::uint8_t>(v[2] * 16 + v[3]),
             static_cast<std::uint8_t>(v[4] * 16 + v[5])};
}

bool is_valid_id(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x80 && std::isalnum(u)) || c == '.' || c == '_' || c == '-';
  });
}

namespace {

// What an input method put into a time window in place of ':' or '-', as a sentence
// to add to the error ("" when nothing of the kind).
std::string window_hint(std::string_view s) {
  std::string hint;
  const bool one_digit_hour = (s.size() >= 4 && std::isdigit(static_cast<unsigned char>(s[0])) && s[1] == ':') ||
                              s.find("-0:") != std::string_view::npos ||
                              (s.find('-') != std::string_view::npos && s.size() > s.find('-') + 2 &&
                               s[s.find('-') + 2] == ':');
  if (one_digit_hour) return _("; write the hours with two digits: 08:00-22:00");
  for (const char32_t c : utf8_to_u32(s)) {
    if (c == U'至' || c == U'到') {
      hint = fmt(_("; join the two times with '-', not '{1}'"), u32_to_utf8(std::u32string(1, c)));
      break;
    }
    if (c == U'~') {
      hint = _("; join the two times with '-', not '~'");
      break;
    }
    if (const CharacterMistake* m = find_character_mistake(c)) {
      hint = fmt(_("; it holds a {1} '{2}' that looks like '{3}': switch the input method to English and type '{3}'"),
                 _(m->name), u32_to_utf8(std::u32string(1, c)), m->ascii);
      break;
    }
  }
  return hint;
}

}  // namespace

Result<TimeWindow> parse_window(std::string_view s) {
  const std::string shown = quote(s);
  const auto dash = s.find('-');
  if (dash == std::string_view::npos || s.find('-', dash + 1) != std::string_view::npos) {
    return Error(fmt(_("bad time window {1}; write it like 08:00-22:00"), shown) + window_hint(s));
  }
  auto start = parse_time_of_day(s.substr(0, dash));
  if (!start) return Error(fmt(_("bad time in window {1}: {2}"), shown, start.error().message()) + window_hint(s));
  auto end = parse_time_of_day(s.substr(dash + 1));
  if (!end) return Error(fmt(_("bad time in window {1}: {2}"), shown, end.error().message()) + window_hint(s));
  if (*start == std::chrono::hours(24)) {
    return Error(fmt(_("bad time window {1}: a window cannot start at 24:00; start it at 00:00"), shown));
  }
  if (*start == *end) {
    return Error(fmt(_("bad time window {1}: start and end are equal; write 00:00-24:00 for the whole day"), shown));
  }
  return TimeWindow{*start, *end};
}

std::optional<std::pair<int, int>> parse_size(std::string_view s) {
  const auto x = s.find('x');
  if (x == std::string_view::npos || x == 0 || x + 1 >= s.size()) return std::nullopt;
  auto side = [](std::string_view d) -> std::optional<int> {
    if (d.empty() || d.size() > 5) return std::nullopt;
    int v = 0;
    for (const char c : d) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    if (v < 16 || v > 16384) return std::nullopt;
    return v;
  };
  const auto w = side(s.substr(0, x));
  const auto h = side(s.substr(x + 1));
  if (!w || !h) return std::nullopt;
  return std::pair{*w, *h};
}

// ---- media paths ----

std::optional<std::string> windows_path_problem(std::string_view path) {
  const bool drive = path.size() >= 2 && std::isalpha(static_cast<unsigned char>(path[0])) && path[1] == ':';
  if (drive || path.starts_with("\\\\")) {
    const auto cut = path.find_last_of("/\\");
    const std::string name(cut == std::string_view::npos ? path : path.substr(cut + 1));
    return fmt(_("{1} is a path on a Windows computer, which the screen cannot see; copy the file into the media "
                 "folder and write its path relative to it with '/', e.g. \"media/{2}\""),
               quote(path), name);
  }
  if (path.find('\\') != std::string_view::npos) {
    std::string fixed(path);
    std::replace(fixed.begin(), fixed.end(), '\\', '/');
    return fmt(_("{1} uses '\\' between folders; write '/' as on the screen: \"{2}\""), quote(path), fixed);
  }
  const bool control = std::any_of(path.begin(), path.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  if (control) {
    return fmt(_("media path {1} holds a control character: in \"...\" a '\\' followed by n, t, r, b or f is read "
                 "as one; write '/' between folders (media/new.png)"),
               quote(path));
  }
  return std::nullopt;
}

namespace {

std::string lower_ascii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `rel` under `dir`, each part matched without regard to capital letters; empty
// when some part has no match.
fs::path match_ignoring_case(const fs::path& dir, const fs::path& rel) {
  fs::path at = dir;
  for (const auto& part : rel) {
    std::error_code ec;
    if (fs::exists(at / part, ec)) {
      at /= part;
      continue;
    }
    const std::string want = lower_ascii(part.string());
    fs::path found;
    for (fs::directory_iterator it(at, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      if (lower_ascii(it->path().filename().string()) == want) {
        found = it->path();
        break;
      }
    }
    if (found.empty()) return {};
    at = found;
  }
  return at;
}

// A regular file named `name` (ignoring capital letters) anywhere under `dir`, at most
// a few levels and entries deep.
fs::path find_by_name(const fs::path& dir, const std::string& name) {
  constexpr int kMaxEntries = 5000;
  constexpr int kMaxDepth = 4;
  const std::string want = lower_ascii(name);
  std::error_code ec;
  int seen = 0;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator() && seen < kMaxEntries; it.increment(ec), ++seen) {
    if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
    std::error_code type_ec;
    if (lower_ascii(it->path().filename().string()) == want && it->is_regular_file(type_ec)) return it->path();
  }
  return {};
}

}  // namespace

std::string similar_media_file(const std::string& relative, const MediaRoot& root) {
  const fs::path dir = root.root.empty() ? fs::path(".") : root.root;
  const fs::path rel = fs::path(relative).lexically_normal();
  fs::path found = match_ignoring_case(dir, rel);
  std::error_code ec;
  if (found.empty() || !fs::is_regular_file(found, ec)) found = find_by_name(dir, rel.filename().string());
  if (found.empty()) return {};
  const fs::path shown = found.lexically_relative(dir);
  if (shown.empty() || *shown.begin() == "..") return {};
  return shown.generic_string();
}

MediaRoot MediaRoot::of(const fs::path& root) {
  MediaRoot m;
  m.root = root;
  std::error_code ec;
  const fs::path dir = root.empty() ? fs::path(".") : root;
  m.canonical = fs::canonical(dir, ec);
  if (ec) m.canonical = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  return m;
}

std::optional<MediaPath> check_media_path(const std::string& relative, const MediaRoot& root, const toml::node& at,
                                          Reporter& r) {
  if (relative.empty()) {
    r.error(at, fmt(_("empty media path; name a file inside the media folder {1}"), root.shown()));
    return std::nullopt;
  }
  if (relative.find('\0') != std::string::npos) {
    r.error(at, fmt(_("media path {1} holds a NUL character"), quote(relative)));
    return std::nullopt;
  }
  if (auto windows = windows_path_problem(relative)) {
    r.error(at, *windows);
    return std::nullopt;
  }
  const fs::path rel(relative);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    r.error(at, fmt(_("path escapes the media folder: {1} is absolute; write it relative to {2}"), quote(relative),
                    root.shown()));
    return std::nullopt;
  }
  for (const auto& part : rel) {
    if (part == "..") {
      r.error(at, fmt(_("path escapes the media folder: {1} uses '..'; write it relative to {2} without '..'"),
                      quote(relative), root.shown()));
      return std::nullopt;
    }
  }
  std::error_code ec;
  const fs::path joined = (root.root.empty() ? fs::path(".") : root.root) / rel;
  const fs::path canon = fs::weakly_canonical(joined, ec);
  if (ec) {
    r.error(at, fmt(_("cannot resolve media path {1} in {2}: {3}"), quote(relative), root.shown(), ec.message()));
    return std::nullopt;
  }
  const fs::path inside = canon.lexically_relative(root.canonical);
  if (inside.empty() || *inside.begin() == "..") {
    r.error(at, fmt(_("path escapes the media folder: {1} leads to {2}, outside {3} (a symbolic link out of the "
                      "folder?)"),
                    quote(relative), quote(canon.string()), root.shown()));
    return std::nullopt;
  }
  MediaPath out;
  out.resolved = joined.lexically_normal();
  out.missing = !fs::is_regular_file(canon, ec);
  if (out.missing) out.similar = similar_media_file(relative, root);
  return out;
}

std::optional<std::string> get_hwdec(const toml::table& t, Reporter& r) {
  auto h = get_choice<std::string_view>(t, "hwdec",
                                        {{"auto", "auto"},
                                         {"vaapi", "vaapi"},
                                         {"vdpau", "vdpau"},
                                         {"cuda", "cuda"},
                                         {"v4l2m2m", "v4l2m2m"},
                                         {"none", "none"}},
                                        _("bad hwdec"), r);
  if (!h) return std::nullopt;
  return std::string(*h);
}

Layout get_layout(const toml::table& t, std::string_view where, Reporter& r) {
  static constexpr std::string_view kKeys[] = {"header", "ticker"};
  check_keys(t, where, kKeys, r);
  Layout l;
  auto band = [&](std::string_view key) -> std::optional<int> {
    auto v = get_integer(t, key, r);
    if (!v) return std::nullopt;
    if (*v < 0 || *v > kMaxBandPercent) {
      r.error(*t.get(key), fmt(_("'{1}' must be a percentage of the screen's height from 0 to {2} (0: no band), not {3}"),
                               key, kMaxBandPercent, *v));
      return std::nullopt;
    }
    return static_cast<int>(*v);
  };
  l.header = band("header");
  l.ticker = band("ticker");
  return l;
}

std::optional<FontWeight> get_weight(const toml::table& t, Reporter& r) {
  return get_choice<FontWeight>(t, "weight", {{"regular", FontWeight::regular}, {"bold", FontWeight::bold}},
                                _("bad font weight"), r);
}

}  // namespace signage::tomlcheck
