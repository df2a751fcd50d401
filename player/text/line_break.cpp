// Chinese line breaking (GB/T 15834 / clreq style kinsoku) for slogans and tickers.
//
// Rules, in order of precedence:
//   - no line starts with closing punctuation, pause and stop marks, iteration and
//     prolonged-sound marks or small kana (is_no_start);
//   - no line ends with opening brackets or quotes (is_no_end);
//   - a break is allowed after a space, and next to any CJK ideograph, kana, hangul,
//     CJK or fullwidth punctuation (so between CJK and Latin too);
//   - anything else (Latin letters, digits, and the ASCII marks between them, as in
//     "12350", "e-bike", "3.5") stays together.
//
// break_lines is greedy: each line takes as much as fits up to a legal break. When
// the break that would overflow is forbidden (the next line would start with "。"),
// the break moves back to the previous legal one, which pulls the preceding
// character down with the mark. Only when the line has no legal break at all (the
// unbreakable run alone is too wide) do we choose, in this order:
//   1. hanging punctuation: if the run minus one final no-start mark fits, the line
//      keeps the mark and overflows by that one character;
//   2. otherwise the run is split by character, preferring a split that keeps the
//      kinsoku rules, and taking at least one character per line.
#include <algorithm>

#include "text/text.h"

namespace signage {
namespace {

bool in(char32_t c, char32_t lo, char32_t hi) { return c >= lo && c <= hi; }

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\u3000'; }

bool is_small_kana(char32_t c) {
  switch (c) {
    case U'ぁ': case U'ぃ': case U'ぅ': case U'ぇ': case U'ぉ': case U'っ':
    case U'ゃ': case U'ゅ': case U'ょ': case U'ゎ': case U'ゕ': case U'ゖ':
    case U'ァ': case U'ィ': case U'ゥ': case U'ェ': case U'ォ': case U'ッ':
    case U'ャ': case U'ュ': case U'ョ': case U'ヮ': case U'ヵ': case U'ヶ':
      return true;
    default:
      return in(c, U'\u31f0', U'\u31ff') ||  // katakana phonetic extensions (small)
             in(c, U'\uff67', U'\uff70');    // halfwidth small katakana, prolonged mark
  }
}

// Marks that must not begin a line.
bool is_no_start(char32_t c) {
  switch (c) {
    // Chinese pause, stop and closing marks
    case U'，': case U'。': case U'、': case U'；': case U'：': case U'？': case U'！':
    case U'…': case U'‥': case U'）': case U'》': case U'」': case U'』': case U'】':
    case U'〕': case U'〉': case U'〗': case U'〙': case U'〛': case U'”': case U'’':
    case U'·': case U'・': case U'％': case U'‰': case U'．': case U'］': case U'｝':
    case U'｡': case U'､': case U'｣': case U'｠': case U'〞': case U'〟':
    // ASCII
    case U',': case U'.': case U';': case U':': case U'?': case U'!': case U')':
    case U']': case U'}': case U'%':
    // iteration and prolonged-sound marks
    case U'々': case U'〻': case U'ー': case U'ゝ': case U'ゞ': case U'ヽ': case U'ヾ':
      return true;
    default:
      return is_small_kana(c);
  }
}

// Marks that must not end a line.
bool is_no_end(char32_t c) {
  switch (c) {
    case U'（': case U'《': case U'「': case U'『': case U'【': case U'〔': case U'〈':
    case U'〖': case U'〘': case U'〚': case U'“': case U'‘': case U'［': case U'｛':
    case U'｢': case U'｟': case U'〝':
    case U'(': case U'[': case U'{':
      return true;
    default:
      return false;
  }
}

// Characters that may break on either side: CJK ideographs, kana, hangul, CJK and
// fullwidth punctuation, and pictographs.
bool is_ideographic(char32_t c) {
  return in(c, U'\u2e80', U'\u2fdf') ||    // CJK radicals, Kangxi radicals
         in(c, U'\u3000', U'\u303f') ||    // CJK symbols and punctuation
         in(c, U'\u3040', U'\u30ff') ||    // hiragana, katakana
         in(c, U'\u3100', U'\u31ff') ||    // bopomofo, hangul compatibility jamo, ...
         in(c, U'\u3200', U'\u4dbf') ||    // enclosed CJK, compatibility, ext A
         in(c, U'\u4e00', U'\u9fff') ||    // CJK unified ideographs
         in(c, U'\ua960', U'\ua97f') ||    // hangul jamo extended-A
         in(c, U'\uac00', U'\ud7ff') ||    // hangul syllables
         in(c, U'\uf900', U'\ufaff') ||    // CJK compatibility ideographs
         in(c, U'\ufe30', U'\ufe4f') ||    // CJK compatibility forms
         in(c, U'\uff00', U'\uffef') ||    // halfwidth and fullwidth forms
         in(c, U'\U0001f300', U'\U0001faff') ||  // pictographs, emoji
         in(c, U'\U00020000', U'\U0003ffff') ||  // CJK extensions B..H
         in(c, U'\u1100', U'\u11ff') ||    // hangul jamo
         in(c, U'\u2600', U'\u27bf');      // miscellaneous symbols, dingbats
}

bool is_newline(char32_t c) { return c == U'\n' || c == U'\r'; }

std::u32string_view trim_trailing_spaces(std::u32string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Lays out one paragraph (no newlines) into `out`.
void break_paragraph(std::u32string_view para, int max_width, const MeasureFn& measure,
                     std::vector<std::u32string>& out) {
  const std::size_t n = para.size();
  auto fits = [&](std::size_t from, std::size_t to) {
    return measure(trim_trailing_spaces(para.substr(from, to - from))) <= max_width;
  };
  auto legal = [&](std::size_t at) {  // a break before para[at], 0 < at < n
    return at == n || can_break_between(para[at - 1], para[at]);
  };

  std::size_t start = 0;
  bool first = true;
  while (start < n) {
    if (!first) {
      while (start < n && is_space(para[start])) ++start;  // drop spaces at a wrap
      if (start == n) break;
    }
    first = false;

    // The furthest legal break that fits.
    std::size_t end = 0;
    std::size_t first_legal = 0;
    for (std::size_t at = start + 1; at <= n; ++at) {
      if (!legal(at)) continue;
      if (first_legal == 0) first_legal = at;
      if (!fits(start, at)) break;
      end = at;
    }

    if (end == 0) {
      // No legal break fits: the run [start, first_legal) alone is too wide.
      const std::size_t run_end = first_legal;
      if (run_end - start >= 2 && is_no_start(para[run_end - 1]) && fits(start, run_end - 1)) {
        end = run_end;  // hanging punctuation: overflow by one mark
      } else {
        // Split by character: longest prefix that fits, at least one character,
        // preferring a split that keeps the kinsoku rules.
        std::size_t longest = start + 1;
        std::size_t longest_kept = 0;
        for (std::size_t at = start + 1; at < run_end; ++at) {
          if (!fits(start, at)) break;
          longest = at;
          if (!is_no_start(para[at]) && !is_no_end(para[at - 1])) longest_kept = at;
        }
        end = longest_kept != 0 ? longest_kept : longest;
      }
    }

    out.emplace_back(trim_trailing_spaces(para.substr(start, end - start)));
    start = end;
  }
}

}  // namespace

bool can_break_between(char32_t before, char32_t after) {
  if (is_newline(before)) return true;
  if (is_no_start(after) || is_no_end(before)) return false;
  if (is_space(after)) return false;  // spaces stay with what precedes them
  if (is_space(before)) return true;
  if (before == after && (before == U'—' || before == U'…' || before == U'‥')) {
    return false;  // a dash or ellipsis pair is one mark
  }
  return is_ideographic(before) || is_ideographic(after);
}

std::vector<std::u32string> break_lines(std::u32string_view text, int max_width,
                                        const MeasureFn& measure) {
  std::vector<std::u32string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = pos;
    while (nl < text.size() && !is_newline(text[nl])) ++nl;
    const std::u32string_view para = text.substr(pos, nl - pos);
    if (para.empty()) {
      lines.emplace_back();
    } else {
      break_paragraph(para, max_width, measure, lines);
    }
    if (nl == text.size()) break;
    // "\r\n" is one break; a lone '\r' or '\n' is one too.
    pos = nl + ((text[nl] == U'\r' && nl + 1 < text.size() && text[nl + 1] == U'\n') ? 2 : 1);
  }
  return lines;
}

}  // namespace signage
