#include "playlist/toml_mistakes.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

#include "core/i18n.h"
#include "core/text_util.h"

namespace signage::tomlcheck {

namespace {

constexpr CharacterMistake kCharacterMistakes[] = {
    {U'\u201C', N_("Chinese quotation mark"), "\""},
    {U'\u201D', N_("Chinese quotation mark"), "\""},
    {U'\u2018', N_("Chinese single quotation mark"), "\""},
    {U'\u2019', N_("Chinese single quotation mark"), "\""},
    {U'\u300C', N_("Chinese corner bracket"), "\""},
    {U'\u300D', N_("Chinese corner bracket"), "\""},
    {U'\u300E', N_("Chinese corner bracket"), "\""},
    {U'\u300F', N_("Chinese corner bracket"), "\""},
    {U'\uFF02', N_("full-width quotation mark"), "\""},
    {U'\uFF07', N_("full-width apostrophe"), "'"},
    {U'\uFF1D', N_("full-width equals sign"), "="},
    {U'\uFF1A', N_("full-width colon"), ":"},
    {U'\uFF0C', N_("full-width comma"), ","},
    {U'\u3001', N_("Chinese enumeration comma"), ","},
    {U'\uFF1B', N_("full-width semicolon"), ","},
    {U'\u3000', N_("full-width space"), " "},
    {U'\u00A0', N_("no-break space"), " "},
    {U'\uFEFF', N_("invisible byte order mark"), ""},
    {U'\u200B', N_("zero-width space"), ""},
    {U'\uFF3B', N_("full-width square bracket"), "["},
    {U'\uFF3D', N_("full-width square bracket"), "]"},
    {U'\u3010', N_("Chinese square bracket"), "["},
    {U'\u3011', N_("Chinese square bracket"), "]"},
    {U'\uFF5B', N_("full-width curly bracket"), "{"},
    {U'\uFF5D', N_("full-width curly bracket"), "}"},
    {U'\uFF03', N_("full-width number sign"), "#"},
    {U'\uFF5E', N_("full-width tilde"), "-"},
    {U'\u301C', N_("wave dash"), "-"},
    {U'\uFF0D', N_("full-width hyphen"), "-"},
    {U'\u2014', N_("dash"), "-"},
    {U'\u2013', N_("dash"), "-"},
    {U'\u3002', N_("Chinese full stop"), "."},
    {U'\uFF0E', N_("full-width full stop"), "."},
    {U'\uFF10', N_("full-width digit"), "0"},
    {U'\uFF11', N_("full-width digit"), "1"},
    {U'\uFF12', N_("full-width digit"), "2"},
    {U'\uFF13', N_("full-width digit"), "3"},
    {U'\uFF14', N_("full-width digit"), "4"},
    {U'\uFF15', N_("full-width digit"), "5"},
    {U'\uFF16', N_("full-width digit"), "6"},
    {U'\uFF17', N_("full-width digit"), "7"},
    {U'\uFF18', N_("full-width digit"), "8"},
    {U'\uFF19', N_("full-width digit"), "9"},
};

bool is_quote_like(char32_t c) {
  const CharacterMistake* m = find_character_mistake(c);
  return m != nullptr && (std::string_view(m->ascii) == "\"" || std::string_view(m->ascii) == "'");
}

bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_bare_key_char(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || is_digit(c) || c == U'_' || c == U'-';
}

std::string code_point(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

std::string utf8(std::u32string_view s) { return u32_to_utf8(s); }

std::u32string trim(std::u32string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == U' ' || s[b] == U'\t' || s[b] == U'\r')) ++b;
  while (e > b && (s[e - 1] == U' ' || s[e - 1] == U'\t' || s[e - 1] == U'\r')) --e;
  return std::u32string(s.substr(b, e - b));
}

// Digits at s[i..], at most `max`; their value and count.
int read_number(std::u32string_view s, std::size_t& i, std::size_t max, std::size_t& count) {
  int v = 0;
  count = 0;
  while (i < s.size() && is_digit(s[i]) && count < max) {
    v = v * 10 + static_cast<int>(s[i] - U'0');
    ++i;
    ++count;
  }
  return v;
}

// "2024/06/01", "2024-6-1", "2024.6.1", "2024年6月1日" -> "2024-06-01"; nullopt when
// `tok` is no such date or already a TOML date.
std::optional<std::string> misspelt_date(std::u32string_view tok) {
  std::size_t i = 0, n = 0;
  const int y = read_number(tok, i, 4, n);
  if (n != 4 || i >= tok.size()) return std::nullopt;
  const char32_t sep1 = tok[i];
  if (sep1 != U'/' && sep1 != U'-' && sep1 != U'.' && sep1 != U'年') return std::nullopt;
  ++i;
  std::size_t mn = 0, dn = 0;
  const int m = read_number(tok, i, 2, mn);
  if (mn == 0 || i >= tok.size()) return std::nullopt;
  const char32_t sep2 = tok[i];
  if (sep2 != U'/' && sep2 != U'-' && sep2 != U'.' && sep2 != U'月') return std::nullopt;
  ++i;
  const int d = read_number(tok, i, 2, dn);
  if (dn == 0) return std::nullopt;
  if (i < tok.size() && (tok[i] == U'日' || tok[i] == U'号')) ++i;
  const std::u32string_view rest = tok.substr(i);
  const bool toml_date = sep1 == U'-' && sep2 == U'-' && mn == 2 && dn == 2;
  if (toml_date) return std::nullopt;
  if (!rest.empty() && rest[0] != U' ' && rest[0] != U'T') return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return std::string(buf);
}

// A TOML-shaped date (2024-06-31) that is not on the calendar, as written.
std::optional<std::string> nonexistent_date(std::u32string_view tok) {
  if (tok.size() < 10 || tok[4] != U'-' || tok[7] != U'-') return std::nullopt;
  for (const std::size_t k : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!is_digit(tok[k])) return std::nullopt;
  }
  if (tok.size() > 10 && tok[10] != U' ' && tok[10] != U'T') return std::nullopt;
  auto num = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t k = from; k < from + n; ++k) v = v * 10 + static_cast<int>(tok[k] - U'0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year(num(0, 4)), std::chrono::month(static_cast<unsigned>(num(5, 2))),
                                        std::chrono::day(static_cast<unsigned>(num(8, 2)))};
  if (ymd.ok()) return std::nullopt;
  return u32_to_utf8(tok.substr(0, 10));
}

// "8:00", "08:00-22:00" without quotes.
bool looks_like_time(std::u32string_view tok) {
  std::size_t i = 0, n = 0;
  read_number(tok, i, 2, n);
  return n > 0 && i < tok.size() && tok[i] == U':' && i + 1 < tok.size() && is_digit(tok[i + 1]);
}

bool valid_bare_word(const std::string& w) {
  return w == "true" || w == "false" || w == "inf" || w == "nan" || w == "+inf" || w == "-inf" || w == "+nan" ||
         w == "-nan";
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(utf8_to_u32(text)) {}

  std::vector<Mistake> run() {
    while (i_ < s_.size() && out_.size() < kMaxMistakes) step();
    return std::move(out_);
  }

 private:
  static constexpr std::size_t kMaxMistakes = 50;
  enum class Ctx { array, inline_table };

  char32_t at(std::size_t k) const { return k < s_.size() ? s_[k] : U'\0'; }
  bool top_level() const { return stack_.empty(); }
  bool expecting_key() const {
    return !expect_value_ && (stack_.empty() || stack_.back() == Ctx::inline_table);
  }

  void report(int line, int column, std::string message) {
    out_.push_back(Mistake{line, column, std::move(message)});
  }
  void report_here(std::string message) { report(line_, col_, std::move(message)); }

  void advance() {
    if (at(i_) == U'\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++i_;
  }

  void new_line() {
    if (top_level() && expect_value_) {
      report_here(fmt(_("'{1} =' has no value; write the value after '=' on the same line"), current_key_));
    }
    advance();
    if (top_level()) {
      expect_value_ = false;
      line_has_key_ = false;
    }
  }

  void skip_comment() {
    while (i_ < s_.size() && at(i_) != U'\n') advance();
  }

  void step() {
    const char32_t c = at(i_);
    if (c == U'\n') return new_line();
    if (c == U' ' || c == U'\t' || c == U'\r') return advance();
    if (c == U'#') return skip_comment();
    if (is_control(c)) return control();
    if (c == U'"' || c == U'\'') return string(c);
    if (is_quote_like(c)) return chinese_quotes();
    if (const CharacterMistake* m = find_character_mistake(c)) return character(*m);
    if (top_level() && !expect_value_ && c == U'[' && !line_has_key_) return table_header();
    if (!top_level() && (c == U',' || c == U'}' || c == U']')) return value_char(c);
    if (expecting_key()) return key();
    return value_char(c);
  }

  static bool is_control(char32_t c) { return (c < 0x20 && c != U'\t' && c != U'\n' && c != U'\r') || c == 0x7F; }

  void control() {
    report_here(fmt(_("an invisible control character ({1}) is in the file; delete it"), code_point(at(i_))));
    while (i_ < s_.size() && is_control(at(i_))) advance();
  }

  void character(const CharacterMistake& m) {
    const std::string ch = utf8(std::u32string(1, at(i_)));
    if (std::string_view(m.ascii).empty()) {
      report_here(fmt(_("{1} ({2}) is invisible but not allowed here; delete it"), _(m.name), code_point(at(i_))));
    } else {
      report_here(fmt(_("{1} '{2}' ({3}) is not TOML syntax; switch the input method to English and type '{4}'"),
                      _(m.name), ch, code_point(at(i_)), m.ascii));
    }
    const char a = m.ascii[0];
    advance();
    // Read on as if the ASCII character had been typed.
    if (a == '=') expect_value_ = true;
    else if (a == ',' && !stack_.empty()) expect_value_ = stack_.back() == Ctx::array;
    else if (a == '[' && expect_value_) stack_.push_back(Ctx::array);
    else if (a == ']' && !stack_.empty()) stack_.pop_back();
  }

  // “...”, 「...」 and the like around a value: one mistake, then on after the closer.
  void chinese_quotes() {
    const CharacterMistake& m = *find_character_mistake(at(i_));
    report_here(fmt(_("{1} '{2}' is not a TOML quote; switch the input method to English and type straight "
                      "double quotes: \"...\""),
                    _(m.name), utf8(std::u32string(1, at(i_)))));
    advance();
    while (i_ < s_.size() && at(i_) != U'\n' && !is_quote_like(at(i_)) && at(i_) != U'"') advance();
    if (i_ < s_.size() && at(i_) != U'\n') advance();
    value_done();
  }

  void value_done() { expect_value_ = false; }

  void table_header() {
    const int line = line_, col = col_;
    const bool array_table = at(i_ + 1) == U'[';
    std::size_t k = i_ + (array_table ? 2 : 1);
    std::u32string name;
    while (k < s_.size() && at(k) != U']' && at(k) != U'\n') name += at(k++);
    while (i_ < k) advance();
    while (i_ < s_.size() && at(i_) == U']') advance();
    keys_.clear();
    const std::string shown = utf8(trim(name));
    if (array_table) return;
    const auto [it, inserted] = tables_.emplace(shown, line);
    if (!inserted) {
      report(line, col, fmt(_("table [{1}] is written twice (first at line {2}); keep one [{1}] and put all its "
                              "keys under it"),
                            shown, it->second));
    }
  }

  void key() {
    const int line = line_, col = col_;
    std::u32string name;
    while (i_ < s_.size()) {
      const char32_t c = at(i_);
      if (c == U'=' || c == U'\n' || c == U'#' || find_character_mistake(c) != nullptr) break;
      if (c == U'"' || c == U'\'') {  // a quoted key (or a value missing its '=')
        if (!trim(name).empty()) break;
        name += c;
        advance();
        while (i_ < s_.size() && at(i_) != c && at(i_) != U'\n') {
          name += at(i_);
          advance();
        }
        if (at(i_) == c) {
          name += c;
          advance();
        }
        continue;
      }
      if (c == U'}' && !stack_.empty()) break;
      name += c;
      advance();
    }
    const std::u32string k = trim(name);
    line_has_key_ = true;
    const char32_t next = at(i_);
    if (next == U'=') {
      advance();
      expect_value_ = true;
      if (top_level()) note_key(utf8(k), line, col);
      return;
    }
    if (find_character_mistake(next) != nullptr) {
      if (top_level()) note_key(utf8(k), line, col);
      return;  // step() names it; a full-width '=' then starts the value
    }
    if (k.empty()) {
      if (!stack_.empty() && at(i_) == U'}') {
        stack_.pop_back();
        advance();
        value_done();
      }
      return;
    }
    if (next == U'"' || next == U'\'') {
      report(line, col, fmt(_("'=' is missing between the key '{1}' and its value; write {1} = value"), utf8(k)));
      expect_value_ = true;
      return;
    }
    report(line, col, fmt(_("'{1}' is not a key = value line; write key = value (text in double quotes), or start "
                            "the line with # for a note"),
                          utf8(k)));
  }

  void note_key(const std::string& k, int line, int col) {
    current_key_ = k;
    const auto [it, inserted] = keys_.emplace(k, line);
    if (!inserted) {
      report(line, col, fmt(_("'{1}' is written twice in this table (first at line {2}); keep one of them"), k,
                            it->second));
    }
  }

  void value_char(char32_t c) {
    if (c == U'[') {
      stack_.push_back(Ctx::array);
      expect_value_ = true;
      return advance();
    }
    if (c == U']') {
      if (!stack_.empty() && stack_.back() == Ctx::array) stack_.pop_back();
      advance();
      return value_done();
    }
    if (c == U'{') {
      stack_.push_back(Ctx::inline_table);
      expect_value_ = false;
      return advance();
    }
    if (c == U'}') {
      if (!stack_.empty()) stack_.pop_back();
      advance();
      return value_done();
    }
    if (c == U',') {
      if (!stack_.empty() && stack_.back() == Ctx::array) expect_value_ = true;
      return advance();
    }
    bare_value();
  }

  void bare_value() {
    const int line = line_, col = col_;
    std::u32string tok;
    while (i_ < s_.size()) {
      const char32_t c = at(i_);
      if (c == U',' || c == U']' || c == U'}' || c == U'#' || c == U'\n' || c == U'"' || c == U'\'' ||
          find_character_mistake(c) != nullptr) {
        break;
      }
      tok += c;
      advance();
    }
    const std::u32string t = trim(tok);
    value_done();
    if (t.empty()) return;
    const std::string shown = utf8(t);
    if (const auto bad = nonexistent_date(t)) {
      report(line, col, fmt(_("{1} is not a date on the calendar; check the month and the day"), *bad));
      return;
    }
    if (auto date = misspelt_date(t)) {
      report(line, col, fmt(_("'{1}' is not a date TOML knows; write {2} (year-month-day with '-', two digits for "
                              "month and day, no quotes)"),
                            shown, *date));
      return;
    }
    if (looks_like_time(t)) {
      if (current_key_ == "hours") {
        report(line, col, fmt(_("times need quotes: write hours = [\"{1}\"]"), shown));
      } else {
        report(line, col, fmt(_("'{1}' needs quotes: write \"{1}\""), shown));
      }
      return;
    }
    const char32_t first = t[0];
    if (is_digit(first) || first == U'+' || first == U'-' || valid_bare_word(shown)) return;
    if (current_key_ == "hours" && stack_.empty()) return;
    report(line, col, fmt(_("text needs straight double quotes: write \"{1}\" (with the input method in English "
                            "mode)"),
                          shown));
  }

  // A string at i_ (quote `q`), checked to its end.
  void string(char32_t q) {
    const int line = line_, col = col_;
    const bool multi = at(i_ + 1) == q && at(i_ + 2) == q;
    const bool key_position = expecting_key();
    if (key_position) return key();
    for (int n = 0; n < (multi ? 3 : 1); ++n) advance();
    bool bad_escape_reported = false;
    while (i_ < s_.size()) {
      const char32_t c = at(i_);
      if (c == q && (!multi || (at(i_ + 1) == q && at(i_ + 2) == q))) {
        for (int n = 0; n < (multi ? 3 : 1); ++n) advance();
        while (multi && at(i_) == q) advance();
        return value_done();
      }
      if (c == U'\n' && !multi) return unclosed(q, line, col);
      if (is_control(c)) {
        control();
        continue;
      }
      if (c == U'\\' && q == U'"') {
        if (!escape_ok(multi) && !bad_escape_reported) {
          bad_escape_reported = true;
          report_here(fmt(_("'\\{1}' is not an escape TOML knows: inside \"...\" a backslash starts an escape; "
                            "in a file path write / instead of \\ (media/logo.png); elsewhere write \\\\ or put "
                            "the text in '...'"),
                          utf8(std::u32string(1, at(i_ + 1)))));
        }
        advance();
        if (i_ < s_.size() && at(i_) != U'\n') advance();
        continue;
      }
      advance();
    }
    if (multi) {
      report(line, col, q == U'"' ? std::string(_("this text has no closing \"\"\"; end it with \"\"\""))
                                  : std::string(_("this text has no closing '''; end it with '''")));
    } else {
      unclosed(q, line, col);
    }
  }

  bool escape_ok(bool multi) const {
    const char32_t e = at(i_ + 1);
    switch (e) {
      case U'b': case U't': case U'n': case U'f': case U'r': case U'"': case U'\\': case U'e':
        return true;
      case U'u': case U'U': {
        const std::size_t n = e == U'u' ? 4 : 8;
        for (std::size_t k = 0; k < n; ++k) {
          const char32_t h = at(i_ + 2 + k);
          if (!(is_digit(h) || (h >= U'a' && h <= U'f') || (h >= U'A' && h <= U'F'))) return false;
        }
        return true;
      }
      default:
        break;
    }
    if (!multi) return false;
    // A backslash at the end of a line in """...""" joins the lines.
    std::size_t k = i_ + 1;
    while (at(k) == U' ' || at(k) == U'\t' || at(k) == U'\r') ++k;
    return at(k) == U'\n';
  }

  // A one-line string at (line, col) runs into the end of its line (i_ is there).
  void unclosed(char32_t q, int line, int col) {
    // Enter pressed inside the text: the next line goes on with text and closes it.
    std::size_t k = i_ + 1;
    std::u32string next;
    while (k < s_.size() && at(k) != U'\n') next += at(k++);
    const std::u32string t = trim(next);
    const bool assignment = [&] {
      std::size_t j = 0;
      while (j < t.size() && (is_bare_key_char(t[j]) || t[j] == U'.' || t[j] == U' ')) ++j;
      return j > 0 && j < t.size() && (t[j] == U'=' || t[j] == U'\uFF1D');
    }();
    const std::size_t close = t.find(q);
    if (!t.empty() && t[0] != U'[' && t[0] != U'#' && !assignment && close != std::u32string::npos) {
      report(line, col, q == U'"'
                            ? std::string(_("the text in \"...\" goes on past the end of the line; a line break "
                                            "inside \"...\" is written \\n (\"first line\\nsecond line\"), or put "
                                            "text of several lines between \"\"\" and \"\"\""))
                            : std::string(_("the text in '...' goes on past the end of the line; put text of "
                                            "several lines between ''' and '''")));
      advance();  // the line break
      while (i_ < s_.size() && at(i_) != q) advance();
      advance();
      return value_done();
    }
    report(line, col, q == U'"' ? std::string(_("this text has no closing quote: add \" at its end, on the same line"))
                                : std::string(_("this text has no closing quote: add ' at its end, on the same line")));
    value_done();
  }

  std::u32string s_;
  std::size_t i_ = 0;
  int line_ = 1;
  int col_ = 1;
  bool expect_value_ = false;
  bool line_has_key_ = false;
  std::vector<Ctx> stack_;
  std::string current_key_;
  std::map<std::string, int> keys_;    // keys of the current table -> line
  std::map<std::string, int> tables_;  // [table] headers -> line
  std::vector<Mistake> out_;
};

}  // namespace

std::span<const CharacterMistake> character_mistakes() { return kCharacterMistakes; }

const CharacterMistake* find_character_mistake(char32_t ch) {
  for (const CharacterMistake& m : kCharacterMistakes) {
    if (m.ch == ch) return &m;
  }
  return nullptr;
}

std::vector<Mistake> find_input_mistakes(std::string_view text) { return Scanner(text).run(); }

}  // namespace signage::tomlcheck
