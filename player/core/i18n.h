// Messages in the reader's language, the GNU gettext way: every message a screen
// admin or a reviewer reads is written in English in the code and marked with _()
// (or N_() where it sits in a table and is translated later, P_() when it has a
// plural); `xgettext` collects them into po/signage.pot, translators keep
// po/zh_CN.po, and the build compiles it to signage.mo (installed under
// share/locale/zh_CN/LC_MESSAGES/). English is the default.
//
// Unlike glibc's gettext(), the catalog is read here (Catalog, the .mo format), so
// Chinese works on a box whose zh_CN locale was never generated (glibc's gettext
// gives back the English text there), and the screen's language can differ from the
// log's: translate(language, msgid) takes the language as a value.
//
// Placeholders: a translated sentence may put its parts in another order, so the
// parts are numbered: fmt(_("{1}: cannot open {2}"), file, why). Translators keep
// every {N} of the English text (tests/core_test.cpp checks the catalog).
//
// The message language of the process (message_language(), used by _()) is set once
// at start, by main, from --lang or the environment (language_from_environment); it
// is an atomic value, read from any thread. Catalogs are loaded once per language,
// on first use, from the first of: $SIGNAGE_LOCALEDIR, <executable>/../share/locale,
// the build tree's locale folder, the installed one. A missing catalog means English.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/env.h"

namespace signage {

enum class Language { en, zh_CN };

// "en" or "zh-CN".
std::string_view language_tag(Language lang);
// A language as people write it: "zh-CN", "zh_CN", "zh", "zh_CN.UTF-8", "ZH-cn",
// "en", "en_US.UTF-8", "C", "POSIX" (English). Any zh* is Chinese (simplified: the
// only translation there is). nullopt: neither.
std::optional<Language> parse_language(std::string_view text);

// What the environment asks for, as gettext reads it: LANGUAGE (a ':' list, first
// entry that is Chinese or English), then LC_ALL, LC_MESSAGES, LANG. As in gettext,
// LANGUAGE is not looked at when the locale is explicitly "C" or "POSIX" (LC_ALL=C
// asks for untranslated output); unset variables are skipped. `getenv` is injected
// for tests.
Language language_from_environment(const std::function<const char*(const char*)>& getenv);
Language language_from_environment();

// One compiled message catalog (a .mo file): msgid -> msgstr, plural forms kept.
// Immutable once loaded; safe to read from any thread.
class Catalog {
 public:
  static Result<Catalog> parse(std::string_view mo_bytes);
  // The catalog in `mo_file`, read through `env`. Errors name the file and keep the
  // Env's kind (not_found, ...); a file that is not regular or is over 64 MiB is
  // refused (invalid) without being read.
  static Result<Catalog> load(const std::filesystem::path& mo_file, Env& env = real_env());

  // The translation of `msgid`, or nullptr when there is none (or it is empty).
  const char* find(std::string_view msgid) const;
  // The translation of a plural message for `n` (Chinese has one form), or nullptr.
  const char* find_plural(std::string_view msgid, std::size_t n) const;
  std::size_t size() const { return entries_.size(); }
  // Every (msgid, msgstr); for plural entries msgstr holds the forms separated by '\0'.
  const std::map<std::string, std::string, std::less<>>& entries() const { return entries_; }

 private:
  std::map<std::string, std::string, std::less<>> entries_;
};

// Where the catalog of `lang` is looked for, in order (see the top of this file).
std::vector<std::filesystem::path> catalog_paths(Language lang);
// The catalog of `lang`, loaded on first use; nullptr for English or when none was
// found. Thread-safe.
const Catalog* catalog_for(Language lang);

// `msgid` in `lang`: the translation, else `msgid` itself. The pointer stays valid
// for the life of the process (or of `msgid`).
const char* translate(Language lang, const char* msgid);
// Plural: `singular` or `plural` by `n` in English; the catalog's form otherwise.
const char* translate_plural(Language lang, const char* singular, const char* plural, std::size_t n);

// The process's message language (English until set).
void set_message_language(Language lang);
Language message_language();

// Sets the message language for a scope and restores it after (tests, one thread).
class ScopedMessageLanguage {
 public:
  explicit ScopedMessageLanguage(Language lang) : saved_(message_language()) { set_message_language(lang); }
  ~ScopedMessageLanguage() { set_message_language(saved_); }
  ScopedMessageLanguage(const ScopedMessageLanguage&) = delete;
  ScopedMessageLanguage& operator=(const ScopedMessageLanguage&) = delete;

 private:
  Language saved_;
};

// Marks a message for translation and translates it into the message language.
inline const char* _(const char* msgid) { return translate(message_language(), msgid); }
// Marks a message for translation without translating it (tables); translate it
// where it is used with _() or translate().
constexpr const char* N_(const char* msgid) { return msgid; }
// A message with a plural form.
inline const char* P_(const char* singular, const char* plural, std::size_t n) {
  return translate_plural(message_language(), singular, plural, n);
}

namespace i18n_detail {
inline std::string to_text(std::string s) { return s; }
inline std::string to_text(std::string_view s) { return std::string(s); }
inline std::string to_text(const char* s) { return s != nullptr ? std::string(s) : std::string(); }
inline std::string to_text(char c) { return std::string(1, c); }
template <class T>
  requires std::is_integral_v<T>
std::string to_text(T v) {
  return std::to_string(v);
}
std::string to_text(double v);
std::string substitute(std::string_view pattern, const std::string* args, std::size_t count);
}  // namespace i18n_detail

// `pattern` with {1}, {2}, ... replaced by the arguments (strings, numbers). A {N}
// without an argument stays as written.
template <class... Args>
std::string fmt(std::string_view pattern, const Args&... args) {
  const std::string texts[] = {i18n_detail::to_text(args)..., std::string()};
  return i18n_detail::substitute(pattern, texts, sizeof...(Args));
}

// The {N} placeholders in `text`, sorted (tests check that translations keep them).
std::vector<int> placeholders_of(std::string_view text);

}  // namespace signage
