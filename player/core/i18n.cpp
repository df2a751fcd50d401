#include "core/i18n.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <system_error>

namespace signage {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDomain = "signage";
constexpr std::uint32_t kMoMagic = 0x950412de;
constexpr std::uint32_t kMoMagicSwapped = 0xde120495;
constexpr std::size_t kMaxCatalogBytes = std::size_t{64} << 20;  // ours is about 200 KiB

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return out;
}

// Reads the .mo format's 32-bit words in the file's byte order.
class MoReader {
 public:
  explicit MoReader(std::string_view bytes) : bytes_(bytes) {}

  bool init() {
    const auto magic = raw(0);
    if (!magic) return false;
    if (*magic == kMoMagicSwapped) swap_ = true;
    return *magic == kMoMagic || *magic == kMoMagicSwapped;
  }
  std::optional<std::uint32_t> word(std::size_t offset) const {
    auto v = raw(offset);
    if (v && swap_) v = __builtin_bswap32(*v);
    return v;
  }
  // The string described by the (length, offset) pair at `entry`.
  std::optional<std::string_view> string_at(std::size_t entry) const {
    const auto len = word(entry);
    const auto off = word(entry + 4);
    if (!len || !off || *off > bytes_.size() || *len > bytes_.size() - *off) return std::nullopt;
    return bytes_.substr(*off, *len);
  }

 private:
  std::optional<std::uint32_t> raw(std::size_t offset) const {
    if (offset > bytes_.size() || bytes_.size() - offset < 4) return std::nullopt;
    std::uint32_t v = 0;
    std::memcpy(&v, bytes_.data() + offset, 4);
    return v;
  }

  std::string_view bytes_;
  bool swap_ = false;
};

// The number of plural forms the catalog's header declares (1 for Chinese).
std::size_t plural_forms(const Catalog& c) {
  const char* header = nullptr;
  if (auto it = c.entries().find(std::string_view()); it != c.entries().end()) header = it->second.c_str();
  if (header == nullptr) return 2;
  const char* p = std::strstr(header, "nplurals=");
  if (p == nullptr) return 2;
  return static_cast<std::size_t>(std::max(1L, std::strtol(p + 9, nullptr, 10)));
}

fs::path executable_dir() {
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  return fs::path(std::string(buf.data(), static_cast<std::size_t>(n))).parent_path();
}

std::string_view catalog_folder(Language lang) { return lang == Language::zh_CN ? "zh_CN" : "en"; }

std::atomic<Language> g_language{Language::en};

struct Loaded {
  std::once_flag once;
  std::unique_ptr<Catalog> catalog;
};

}  // namespace

std::string_view language_tag(Language lang) { return lang == Language::zh_CN ? "zh-CN" : "en"; }

std::optional<Language> parse_language(std::string_view text) {
  const std::string s = lower(text);
  if (s.starts_with("zh")) return Language::zh_CN;
  if (s.starts_with("en") || s == "c" || s.starts_with("c.") || s == "posix") return Language::en;
  return std::nullopt;
}

Language language_from_environment(const std::function<const char*(const char*)>& getenv) {
  auto var = [&](const char* name) -> std::string_view {
    const char* v = getenv(name);
    return v != nullptr ? std::string_view(v) : std::string_view();
  };
  // The locale LC_MESSAGES would get: LC_ALL, then LC_MESSAGES, then LANG.
  std::string_view locale = var("LC_ALL");
  if (locale.empty()) locale = var("LC_MESSAGES");
  if (locale.empty()) locale = var("LANG");
  const bool plain_c = locale == "C" || locale == "POSIX";
  if (!plain_c) {
    std::string_view list = var("LANGUAGE");
    while (!list.empty()) {
      const auto colon = list.find(':');
      const std::string_view entry = list.substr(0, colon);
      if (auto l = parse_language(entry)) return *l;
      list = colon == std::string_view::npos ? std::string_view() : list.substr(colon + 1);
    }
  }
  return parse_language(locale).value_or(Language::en);
}

Language language_from_environment() {
  return language_from_environment([](const char* name) { return std::getenv(name); });
}

Result<Catalog> Catalog::parse(std::string_view bytes) {
  MoReader mo(bytes);
  if (!mo.init()) return Error("not a message catalog (.mo): wrong magic number");
  const auto revision = mo.word(4);
  const auto count = mo.word(8);
  const auto originals = mo.word(12);
  const auto translations = mo.word(16);
  if (!revision || !count || !originals || !translations) return Error("truncated message catalog");
  if ((*revision >> 16) > 1) return Error("unsupported message catalog revision " + std::to_string(*revision));
  Catalog c;
  for (std::uint32_t i = 0; i < *count; ++i) {
    const auto id = mo.string_at(std::size_t{*originals} + 8 * std::size_t{i});
    const auto str = mo.string_at(std::size_t{*translations} + 8 * std::size_t{i});
    if (!id || !str) return Error("truncated message catalog (entry " + std::to_string(i) + ")");
    // A plural entry's msgid is "singular\0plural": it is found by the singular.
    const std::string_view key = id->substr(0, id->find('\0'));
    c.entries_.insert_or_assign(std::string(key), std::string(*str));
  }
  return c;
}

Result<Catalog> Catalog::load(const fs::path& mo_file, Env& env) {
  auto read = env.read_regular_file(mo_file, kMaxCatalogBytes);
  if (!read) return read.error();
  if (read->type != FileType::regular) return Error(ErrorKind::invalid, mo_file.string() + ": not a regular file");
  if (read->too_large) return Error(ErrorKind::invalid, mo_file.string() + ": too large for a message catalog");
  auto c = parse(read->bytes);
  if (!c) return Error(mo_file.string(), c.error());
  return c;
}

const char* Catalog::find(std::string_view msgid) const {
  if (msgid.empty()) return nullptr;  // the header
  const auto it = entries_.find(msgid);
  if (it == entries_.end() || it->second.empty()) return nullptr;
  return it->second.c_str();  // a plural entry: its first form
}

const char* Catalog::find_plural(std::string_view msgid, std::size_t n) const {
  const auto it = entries_.find(msgid);
  if (it == entries_.end() || it->second.empty()) return nullptr;
  // Chinese (nplurals=1) has one form; two forms are chosen as in English.
  std::size_t form = plural_forms(*this) == 1 ? 0 : (n == 1 ? 0 : 1);
  const std::string& forms = it->second;
  std::size_t start = 0;
  for (; form > 0; --form) {
    const auto nul = forms.find('\0', start);
    if (nul == std::string::npos) return nullptr;
    start = nul + 1;
  }
  const char* s = forms.c_str() + start;
  return *s != '\0' ? s : nullptr;
}

std::vector<fs::path> catalog_paths(Language lang) {
  const fs::path rel = fs::path(catalog_folder(lang)) / "LC_MESSAGES" / (std::string(kDomain) + ".mo");
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("SIGNAGE_LOCALEDIR"); env != nullptr && *env != '\0') dirs.emplace_back(env);
  if (const fs::path exe = executable_dir(); !exe.empty()) dirs.push_back(exe.parent_path() / "share" / "locale");
#ifdef SIGNAGE_BUILD_LOCALEDIR
  dirs.emplace_back(SIGNAGE_BUILD_LOCALEDIR);
#endif
#ifdef SIGNAGE_INSTALL_LOCALEDIR
  dirs.emplace_back(SIGNAGE_INSTALL_LOCALEDIR);
#endif
  std::vector<fs::path> out;
  for (const fs::path& d : dirs) out.push_back(d / rel);
  return out;
}

const Catalog* catalog_for(Language lang) {
  if (lang == Language::en) return nullptr;
  static Loaded zh;
  std::call_once(zh.once, [] {
    // The first that loads; a missing one, or one that is not a catalog, is skipped.
    for (const fs::path& p : catalog_paths(Language::zh_CN)) {
      if (auto c = Catalog::load(p)) {
        zh.catalog = std::make_unique<Catalog>(std::move(*c));
        return;
      }
    }
  });
  return zh.catalog.get();
}

const char* translate(Language lang, const char* msgid) {
  if (lang == Language::en || msgid == nullptr) return msgid;
  const Catalog* c = catalog_for(lang);
  if (c == nullptr) return msgid;
  const char* s = c->find(msgid);
  return s != nullptr ? s : msgid;
}

const char* translate_plural(Language lang, const char* singular, const char* plural, std::size_t n) {
  const char* english = n == 1 ? singular : plural;
  if (lang == Language::en) return english;
  const Catalog* c = catalog_for(lang);
  if (c == nullptr) return english;
  const char* s = c->find_plural(singular, n);
  return s != nullptr ? s : english;
}

void set_message_language(Language lang) { g_language.store(lang, std::memory_order_relaxed); }

Language message_language() { return g_language.load(std::memory_order_relaxed); }

namespace i18n_detail {

std::string to_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string substitute(std::string_view pattern, const std::string* args, std::size_t count) {
  std::string out;
  out.reserve(pattern.size() + 32);
  std::size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    if (c == '{' && i + 2 < pattern.size() && pattern[i + 1] >= '1' && pattern[i + 1] <= '9' &&
        pattern[i + 2] == '}') {
      const auto n = static_cast<std::size_t>(pattern[i + 1] - '1');
      if (n < count) {
        out += args[n];
        i += 3;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace i18n_detail

std::vector<int> placeholders_of(std::string_view text) {
  std::vector<int> out;
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '{' && text[i + 1] >= '1' && text[i + 1] <= '9' && text[i + 2] == '}') {
      out.push_back(text[i + 1] - '0');
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace signage
