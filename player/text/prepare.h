// Text as people write it, made safe to lay out: the limits on slogan and ticker
// text, and what the player does with characters it cannot show. No fonts needed,
// so the playlist checker uses it too (check refuses what the player would cut).
// Thread: any (pure functions).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace signage {

// Limits (docs/playlist-format.md, "Limits"). Characters are grapheme clusters: what
// a reader counts as one character (安, é, ☎️).
inline constexpr std::size_t kMaxSloganChars = 1000;
inline constexpr std::size_t kMaxTickerChars = 2000;
inline constexpr std::size_t kMaxTickerTexts = 50;
inline constexpr std::size_t kMaxTitleChars = 200;  // a campaign's or header's title
inline constexpr int kMaxMarksPerBase = 4;  // combining marks on one character

enum class TextKind { slogan, ticker };

struct TextProblem {
  enum class Kind {
    too_long,       // error: over the limit (the player shows the first part)
    control,        // error: a control character other than '\n' (the player drops it)
    marks,          // warning: more than kMaxMarksPerBase combining marks (extra ones dropped)
    nothing,        // error: nothing visible is left
  };
  Kind kind;
  std::size_t index = 0;    // the character (code point) it is about, counted from 0
  char32_t code = 0;        // that character, for control and marks
  std::string message;      // English; _() of it is the admin's language (po/zh_CN.po)
  bool is_error() const { return kind != Kind::marks; }
};

struct PreparedText {
  std::u32string text;                 // what the player lays out
  std::vector<TextProblem> problems;   // what check reports, in text order
};

// Prepares `utf8` for layout:
//   - invisible format characters are dropped (zero-width space and joiner, bidi
//     marks and overrides such as U+202E, word joiner, BOM, soft hyphen, variation
//     selectors such as U+FE0F, tags): an emoji keeps its base character;
//   - control characters are dropped ('\n' kept, "\r\n" and '\r' become '\n' for a
//     slogan; for a ticker, which is one line, '\n' and tabs become spaces);
//   - combining marks after the fourth on one base are dropped;
//   - text over the limit is cut at the limit.
// Each of these except the format characters is a problem (the format characters
// are what a Chinese input method or a copied web page leaves behind).
PreparedText prepare_text(std::string_view utf8, TextKind kind);

// Grapheme clusters in `text` (ICU's character break rules).
std::size_t count_chars(std::u32string_view text);

// U+0007 BEL, U+FE0F and the like, for messages.
std::string describe_char(char32_t c);

}  // namespace signage
