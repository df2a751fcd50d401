// Internal to the playlist loader and the device-config loader; not a public
// header (it includes toml++, which stays out of every public one).
//
// Reading a toml++ tree while collecting one Diagnostic for every problem instead of
// stopping at the first: a Reporter gathers them, the getters below look a key up,
// check its type and value, report what is wrong at the key's or value's own
// file:line:col, and hand back the value or nothing. A caller reads every key it
// knows, then refuses the file if the Reporter has errors.
//
// Everything here is pure apart from the media-path checks (which look at the file
// system) and safe to call from any thread; a Reporter belongs to one caller.
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/diagnostic.h"
#include "core/env.h"
#include "core/error.h"
#include "core/i18n.h"
#include "core/time.h"
#include "playlist/model.h"

namespace signage::tomlcheck {

// Files larger than this are refused before parsing.
inline constexpr std::size_t kMaxFileBytes = std::size_t{1} << 20;
// Dotted keys deeper than this are refused before parsing (toml++ recurses once
// per level and would overflow the stack on a few ten thousand).
inline constexpr int kMaxKeyDepth = 64;

// At most this many diagnostics are kept per file (then one saying how many more).
inline constexpr std::size_t kMaxDiagnostics = 200;

// Collects the diagnostics of one file, which it names as `file`.
class Reporter {
 public:
  explicit Reporter(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }
  SourcePos pos(const toml::source_region& where) const;
  SourcePos pos(const toml::node& node) const { return pos(node.source()); }

  void error(SourcePos where, std::string message);
  void warning(SourcePos where, std::string message);
  void error(const toml::node& at, std::string message) { error(pos(at), std::move(message)); }
  void error(const toml::key& at, std::string message) { error(pos(at.source()), std::move(message)); }
  void warning(const toml::node& at, std::string message) { warning(pos(at), std::move(message)); }

  bool has_errors() const;
  // The diagnostics in file order (line, then column; file-wide ones first), the
  // first kMaxDiagnostics of them and then one error saying how many were left out.
  std::vector<Diagnostic> take();

 private:
  std::string file_;
  std::vector<Diagnostic> diags_;
};

// Reads `path` whole through `env`, refusing files over kMaxFileBytes and anything
// but a regular file (a folder, a FIFO, a device: named, never waited on). Errors say
// what is wrong, of its kind (not_found, permission, invalid, io, ...), without
// naming the file (the caller's diagnostic does).
Result<std::string> read_small_file(const std::filesystem::path& path, Env& env = real_env());

// The text of a file's bytes in any encoding Notepad writes (core/text_encoding.h):
// a warning telling how to save as UTF-8 when it was GBK or UTF-16, an error (at the
// first bad byte) when it is none of them.
std::optional<std::string> decode_file_text(std::string_view bytes, Reporter& r);

// Parses `text` (decoded first, as decode_file_text), reporting an oversized file, keys nested too deeply or a TOML
// syntax error (with its position). Nothing when any was reported.
std::optional<toml::table> parse(std::string_view text, Reporter& r);

// `s` in single quotes for a message: control characters escaped, long text cut.
std::string quote(std::string_view s);
// "a string", "an integer", ... for "must be X, not Y".
std::string_view type_name(toml::node_type t);
// The known key closest to `key` when it is at most 2 edits away, else empty.
std::string_view closest_key(std::string_view key, std::span<const std::string_view> known);

// One "unknown key 'x' in <where>; did you mean 'y'?" error for every key of `t`
// not in `known`. `where` reads like "[item]".
void check_keys(const toml::table& t, std::string_view where, std::span<const std::string_view> known,
                Reporter& r);

// "missing required key 'id' in [campaign]" at the table when `key` is absent.
bool require(const toml::table& t, std::string_view key, std::string_view where, Reporter& r);

// Typed getters. Absent key: nothing, silently. Present with the wrong type or a bad
// value: one error at the value, and nothing.
const toml::table* get_table(const toml::table& t, std::string_view key, Reporter& r);
const toml::array* get_array(const toml::table& t, std::string_view key, Reporter& r);
std::optional<std::string> get_string(const toml::table& t, std::string_view key, Reporter& r);
std::optional<std::int64_t> get_integer(const toml::table& t, std::string_view key, Reporter& r);
// An integer or a float (finite).
std::optional<double> get_number(const toml::table& t, std::string_view key, Reporter& r);
// A TOML local date (2024-06-01, no quotes).
std::optional<Date> get_date(const toml::table& t, std::string_view key, Reporter& r);
// A duration string ("12s") within [min, max].
std::optional<std::chrono::milliseconds> get_duration(const toml::table& t, std::string_view key,
                                                      std::chrono::milliseconds min,
                                                      std::chrono::milliseconds max, Reporter& r);
// A colour string, "#rrggbb" or "#rgb".
std::optional<Rgb> get_colour(const toml::table& t, std::string_view key, Reporter& r);
// An id string: letters, digits, '.', '_', '-'.
std::optional<std::string> get_id(const toml::table& t, std::string_view key, Reporter& r);

// A string that must be one of `choices`; otherwise "<bad> 'x'; use a, b or c".
template <class E>
std::optional<E> get_choice(const toml::table& t, std::string_view key,
                            std::initializer_list<std::pair<std::string_view, E>> choices,
                            std::string_view bad, Reporter& r);

// The schedule keys that campaigns and items share.
inline constexpr std::string_view kWhenKeys[] = {"starts", "ends", "hours", "weekdays", "dates", "except"};
// Reads those keys of `t` into a When (defaults for the absent ones).
When get_when(const toml::table& t, Reporter& r);

// An IANA time zone name ("Asia/Shanghai"), read from `zoneinfo` through `env`; an error naming
// the fix for "Beijing", "北京时间", "UTC+8" and the like.
std::shared_ptr<const TimeZone> get_time_zone(const toml::table& t, std::string_view key,
                                              const std::filesystem::path& zoneinfo, Reporter& r,
                                              Env& env = real_env());

// Pure value parsers, used by the getters and tested through them.
std::optional<Rgb> parse_colour(std::string_view s);
bool is_valid_id(std::string_view s);
// "HH:MM-HH:MM" (or HH:MM:SS); an error that says what to write.
Result<TimeWindow> parse_window(std::string_view s);
// "WxH", each side 16..16384.
std::optional<std::pair<int, int>> parse_size(std::string_view s);

// The folder media paths resolve against, with its canonical form (symlinks
// followed) worked out once per file.
struct MediaRoot {
  std::filesystem::path root;       // as configured; empty: the current folder
  std::filesystem::path canonical;  // where it really is (weakly canonical when missing)
  static MediaRoot of(const std::filesystem::path& root);
  std::string shown() const { return root.empty() ? std::string("the current folder") : root.string(); }
};

// A media path as written in a file, checked against the media folder.
struct MediaPath {
  std::filesystem::path resolved;  // root / relative, lexically normal
  bool missing = false;            // not there (or not a regular file) now
  // When missing: a file that is there and is most likely the one meant (its name
  // differs only in capital letters, or it sits in another folder of the media
  // folder), relative to the media folder, '/'-separated; empty when none.
  std::string similar;
};
// The file in `root` most likely meant by the missing `relative` (see MediaPath).
std::string similar_media_file(const std::string& relative, const MediaRoot& root);
// What is wrong with a path written the Windows way ("D:\\宣传\\logo.png",
// "media\\logo.png", or "media\new.png" whose "\n" TOML read as a line break), with
// the fix; nullopt when nothing.
std::optional<std::string> windows_path_problem(std::string_view path);

// Errors (at `at`) for a Windows path (windows_path_problem), an empty or absolute path, a ".." component, or one whose
// canonical form (symlinks followed) is outside the canonical media folder: then
// nothing. A file that is not there is fine here; `missing` says so and the caller
// words the warning.
std::optional<MediaPath> check_media_path(const std::string& relative, const MediaRoot& root, const toml::node& at,
                                          Reporter& r);

// ---- template definitions ----

template <class E>
std::optional<E> get_choice(const toml::table& t, std::string_view key,
                            std::initializer_list<std::pair<std::string_view, E>> choices,
                            std::string_view bad, Reporter& r) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return std::nullopt;
  const auto* s = node->as_string();
  if (s == nullptr) {
    r.error(*node, fmt(_("'{1}' must be a string, not {2}"), key, type_name(node->type())));
    return std::nullopt;
  }
  for (const auto& [name, value] : choices) {
    if (s->get() == name) return value;
  }
  std::string list;
  std::size_t i = 0;
  for (const auto& c : choices) {
    if (i > 0) list += (i + 1 == choices.size()) ? _(" or ") : ", ";
    list += c.first;
    ++i;
  }
  r.error(*node, fmt(_("{1} {2}; use {3}"), bad, quote(s->get()), list));
  return std::nullopt;
}

// The band sizes of a [layout] table ("header", "ticker": integer percent of the
// screen's height, 0..kMaxBandPercent), shared by the device config and playlists.
// Checks the keys of `t`; `where` reads like "[layout]".
Layout get_layout(const toml::table& t, std::string_view where, Reporter& r);
// `weight` ("regular" | "bold").
std::optional<FontWeight> get_weight(const toml::table& t, Reporter& r);

// `hwdec` ("auto" | "vaapi" | "vdpau" | "cuda" | "v4l2m2m" | "none"), shared by the
// device config's [video] and playlists' [defaults] / [[item]].
std::optional<std::string> get_hwdec(const toml::table& t, Reporter& r);

}  // namespace signage::tomlcheck
