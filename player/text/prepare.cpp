// Text limits and the characters the player drops (prepare.h). One pass over the
// code points, linear in the text; grapheme clusters are counted with ICU only up to
// the limit.
#include "text/prepare.h"

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstdio>
#include <memory>

#include "core/i18n.h"
#include "core/text_util.h"

namespace signage {
namespace {

// Invisible characters that change nothing a reader sees on a slogan: format
// characters (Cf: U+200B..U+200F, U+202A..U+202E, U+2060..U+2064, U+2066..U+2069,
// U+FEFF, U+00AD, tags U+E0001..U+E007F), and variation selectors.
bool is_invisible(char32_t c) {
  if ((c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef)) return true;
  return u_charType(static_cast<UChar32>(c)) == U_FORMAT_CHAR;
}

bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7f && c < 0xa0); }

bool is_mark(char32_t c) {
  const int8_t t = u_charType(static_cast<UChar32>(c));
  return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

// The index of the code point where grapheme cluster number `limit` starts, or
// text.size() when there are no more than `limit` clusters.
std::size_t cut_at_chars(std::u32string_view text, std::size_t limit) {
  if (text.size() <= limit) return text.size();  // never more clusters than code points
  icu::UnicodeString u = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()),
                                                       static_cast<int32_t>(text.size()));
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !it) return limit;
  it->setText(u);
  int32_t at = it->first();
  for (std::size_t n = 0; n < limit && at != icu::BreakIterator::DONE; ++n) at = it->next();
  if (at == icu::BreakIterator::DONE || at >= u.length()) return text.size();
  return static_cast<std::size_t>(u.countChar32(0, at));
}

}  // namespace

std::string describe_char(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  std::string out = buf;
  char name[128];
  UErrorCode status = U_ZERO_ERROR;
  int32_t len = u_charName(static_cast<UChar32>(c), U_UNICODE_CHAR_NAME, name, sizeof name, &status);
  if (U_SUCCESS(status) && len == 0) {
    status = U_ZERO_ERROR;
    len = u_charName(static_cast<UChar32>(c), U_CHAR_NAME_ALIAS, name, sizeof name, &status);
  }
  if (U_SUCCESS(status) && len > 0) out += std::string(" ") + name;
  return out;
}

std::size_t count_chars(std::u32string_view text) {
  if (text.empty()) return 0;
  icu::UnicodeString u = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data()),
                                                       static_cast<int32_t>(text.size()));
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  if (U_FAILURE(status) || !it) return text.size();
  it->setText(u);
  std::size_t n = 0;
  for (int32_t b = it->next(); b != icu::BreakIterator::DONE; b = it->next()) ++n;
  return n;
}

PreparedText prepare_text(std::string_view utf8, TextKind kind) {
  PreparedText out;
  const std::u32string in = utf8_to_u32(utf8);
  out.text.reserve(in.size());
  const std::size_t limit = kind == TextKind::slogan ? kMaxSloganChars : kMaxTickerChars;
  int marks = 0;             // combining marks on the current base
  bool told_marks = false;   // one warning per text is enough
  for (std::size_t i = 0; i < in.size(); ++i) {
    char32_t c = in[i];
    if (c == U'\r') {
      if (i + 1 < in.size() && in[i + 1] == U'\n') continue;  // "\r\n" is one break
      c = U'\n';
    }
    if (kind == TextKind::ticker && (c == U'\n' || c == U'\t')) c = U' ';
    if (kind == TextKind::slogan && c == U'\t') c = U' ';
    if (c != U'\n' && is_control(c)) {
      out.problems.push_back({TextProblem::Kind::control, i, c,
                              fmt(_("control character {1} at character {2}; remove it (only a line break is "
                                    "allowed, written \\n)"),
                                  describe_char(c), i + 1)});
      continue;
    }
    if (is_invisible(c)) continue;
    if (is_mark(c)) {
      if (++marks > kMaxMarksPerBase) {
        if (!told_marks) {
          out.problems.push_back({TextProblem::Kind::marks, i, c,
                                  fmt(_("more than {1} combining marks on one character at character {2}; the "
                                        "extra marks are not shown"),
                                      kMaxMarksPerBase, i + 1)});
          told_marks = true;
        }
        continue;
      }
    } else {
      marks = 0;
    }
    out.text.push_back(c);
  }
  const std::size_t cut = cut_at_chars(out.text, limit);
  if (cut < out.text.size()) {
    out.problems.push_back({TextProblem::Kind::too_long, cut, 0,
                            fmt(kind == TextKind::slogan
                                    ? _("the slogan is longer than {1} characters; shorten it or split it into "
                                        "several slogans (only the first {1} would be shown)")
                                    : _("the ticker text is longer than {1} characters; shorten it or split it "
                                        "into several texts (only the first {1} would be shown)"),
                                limit)});
    out.text.resize(cut);
  }
  bool visible = false;
  for (char32_t c : out.text) visible = visible || !(c == U' ' || c == U'\n' || c == U'\u3000' || is_mark(c));
  if (!visible) {
    out.problems.push_back({TextProblem::Kind::nothing, 0, 0,
                            _("the text has nothing visible (only spaces, invisible or control characters); "
                              "write the text to show")});
  }
  return out;
}

}  // namespace signage
