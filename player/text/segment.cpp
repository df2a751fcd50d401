// Break opportunities of a paragraph, ranked (text.h, BreakClass): ICU's dictionary
// word segmentation for Chinese, then the rules of a Chinese typesetter on top.
//
//   1. ICU (BreakIterator::createWordInstance, locale zh_CN) cuts the paragraph into
//      segments: Han words from its dictionary, Latin words, numbers, punctuation.
//   2. Each position between two characters gets a class:
//        clause  after clause or sentence punctuation (，。；：！？、 …) or spaces;
//        word    a segment boundary;
//        single  a boundary where a one-character Han segment would be left alone
//                next to punctuation or between two other one-character segments
//                (ICU splits some common words so: 守/护, 遵/章/守/纪, 安全/带);
//        part    inside a Han word of four or more characters, two or more from
//                either end (施工|现场);
//        inside  inside a word (only when the word is longer than a line);
//        seam    inside a number run, after a separator (0595-|2288 6600, 119 · |120):
//                where a run longer than a line is cut;
//        never   kinsoku: the next line would start with 。 or this one end with “.
//   3. Runs that are read as one never break (they become `inside`): numbers with
//      their separators (0595-2288 6600, 119 · 120 · 110), a number and its unit
//      (6月16日, 30%, 2024年).
//   4. Breaks inside a quotation (“安全生产月”, 《安全生产法》) cost more, so a quotation
//      shorter than a line stays whole.
#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <memory>
#include <mutex>

#include "text/text.h"

namespace signage {
namespace {

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\u3000' || c == U'\u00a0'; }

bool is_han(char32_t c) {
  return (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
         (c >= 0x20000 && c <= 0x3ffff);
}

bool is_digit(char32_t c) { return (c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９'); }

bool is_latin_letter(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || (c >= U'ａ' && c <= U'ｚ') ||
         (c >= U'Ａ' && c <= U'Ｚ') || (c >= 0xc0 && c <= 0x24f);
}

// Punctuation after which a line may end with no cost: clause and sentence marks,
// and the closing marks that follow them.
bool is_clause_end(char32_t c) {
  switch (c) {
    case U'，': case U'。': case U'、': case U'；': case U'：': case U'！': case U'？':
    case U'…': case U',': case U';': case U'!': case U'?': case U'．':
      return true;
    default:
      return false;
  }
}

bool is_closing(char32_t c) {
  switch (c) {
    case U'”': case U'’': case U'」': case U'』': case U'）': case U'》': case U'】': case U'〕':
    case U'〉': case U'〗': case U')': case U']':
      return true;
    default:
      return false;
  }
}

// Opening and closing quotation marks and book-title marks.
char32_t closing_of(char32_t open) {
  switch (open) {
    case U'“': return U'”';
    case U'‘': return U'’';
    case U'「': return U'」';
    case U'『': return U'』';
    case U'《': return U'》';
    case U'〈': return U'〉';
    case U'【': return U'】';
    case U'（': return U'）';
    default: return 0;
  }
}

// Separators inside a run of numbers: 0595-2288 6600, 119 · 120 · 110, 3.5, 8:00.
bool is_number_separator(char32_t c) {
  switch (c) {
    case U'-': case U' ': case U'·': case U'・': case U'•': case U'.': case U'/': case U':':
    case U'～': case U'~': case U'－': case U'—': case U'\u00a0': case U'–': case U'+': case U',':
      return true;
    default:
      return false;
  }
}

// Characters that belong to the number before them (6月, 16日, 30%, 2024年).
bool is_unit_after_number(char32_t c) {
  static constexpr std::u32string_view kUnits = U"年月日号時时点點分秒周岁%％‰℃°元万亿千百个次人米层楼路";
  return kUnits.find(c) != std::u32string_view::npos;
}

// ICU's word segments as [start, end) indices into `para`.
std::vector<std::pair<std::size_t, std::size_t>> icu_segments(std::u32string_view para) {
  std::vector<std::pair<std::size_t, std::size_t>> segs;
  icu::UnicodeString u = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(para.data()),
                                                       static_cast<int32_t>(para.size()));
  // UTF-16 offset -> index in para.
  std::vector<std::size_t> index_of(static_cast<std::size_t>(u.length()) + 1, 0);
  {
    std::size_t k = 0;
    for (int32_t i = 0; i < u.length(); ++k) {
      const int32_t next = u.moveIndex32(i, 1);
      for (int32_t j = i; j < next; ++j) index_of[static_cast<std::size_t>(j)] = k;
      i = next;
    }
    index_of[static_cast<std::size_t>(u.length())] = para.size();
  }
  // One word iterator per thread, made once (making one loads its rules).
  thread_local const std::unique_ptr<icu::BreakIterator> iterator = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> made(
        icu::BreakIterator::createWordInstance(icu::Locale::getSimplifiedChinese(), status));
    return U_FAILURE(status) ? nullptr : std::move(made);
  }();
  icu::BreakIterator* it = iterator.get();
  if (it == nullptr) {
    // No ICU data: every character is its own segment (the kinsoku rules still hold).
    for (std::size_t i = 0; i < para.size(); ++i) segs.emplace_back(i, i + 1);
    return segs;
  }
  it->setText(u);
  int32_t prev = it->first();
  for (int32_t b = it->next(); b != icu::BreakIterator::DONE; b = it->next()) {
    segs.emplace_back(index_of[static_cast<std::size_t>(prev)], index_of[static_cast<std::size_t>(b)]);
    prev = b;
  }
  return segs;
}

bool is_word_char(char32_t c) { return is_han(c) || is_digit(c) || is_latin_letter(c); }

bool cls_is_wordish(char32_t c) { return is_word_char(c) || c == U'-' || c == U'\'' || c == U'.'; }

// Classes from ICU's segments alone (rule 2 without kinsoku).
void classify_segments(std::u32string_view para, std::vector<BreakClass>& cls) {
  const auto segs = icu_segments(para);
  auto one_han = [&](std::size_t s) {
    return s < segs.size() && segs[s].second - segs[s].first == 1 && is_han(para[segs[s].first]);
  };
  auto wordlike = [&](std::size_t s) { return s < segs.size() && is_word_char(para[segs[s].first]); };
  for (std::size_t s = 0; s < segs.size(); ++s) {
    const auto [a, b] = segs[s];
    // Inside the segment.
    const bool han_word = is_han(para[a]);
    for (std::size_t i = a + 1; i < b; ++i) {
      cls[i] = (han_word && b - a >= 4 && i - a >= 2 && b - i >= 2) ? BreakClass::part : BreakClass::inside;
    }
    if (b >= para.size()) continue;
    // The boundary after the segment.
    BreakClass c = BreakClass::word;
    const bool left_single = one_han(s), right_single = one_han(s + 1);
    if (left_single && right_single) c = BreakClass::single;
    // A one-character segment between a word and punctuation is a suffix or a prefix
    // of that word (安全带，): keep it with the word.
    if (right_single && !wordlike(s + 2) && wordlike(s)) c = BreakClass::single;
    if (left_single && (s == 0 || !wordlike(s - 1)) && wordlike(s + 1)) c = BreakClass::single;
    cls[b] = c;
  }
}

// Rule 3: numbers, their separators and units stay together.
void keep_numbers_whole(std::u32string_view para, std::vector<BreakClass>& cls) {
  const std::size_t n = para.size();
  for (std::size_t i = 0; i < n;) {
    if (!is_digit(para[i])) {
      ++i;
      continue;
    }
    // A run: digits, then (separators, digits)*, then an optional unit.
    std::size_t end = i;
    while (end < n && is_digit(para[end])) ++end;
    for (;;) {
      std::size_t j = end;
      while (j < n && j - end < 3 && is_number_separator(para[j])) ++j;
      if (j == end || j >= n || !is_digit(para[j])) break;
      while (j < n && is_digit(para[j])) ++j;
      end = j;
    }
    // A unit joins, and a date goes on: 6月16日, 2024年6月.
    while (end < n && is_unit_after_number(para[end])) {
      ++end;
      if (end < n && is_digit(para[end]) && (para[end - 1] == U'年' || para[end - 1] == U'月')) {
        while (end < n && (is_digit(para[end]) || is_unit_after_number(para[end]))) ++end;
      }
    }
    for (std::size_t k = i + 1; k < end; ++k) {
      cls[k] = is_digit(para[k]) && is_number_separator(para[k - 1]) ? BreakClass::seam : BreakClass::inside;
    }
    i = end;
  }
}

// Latin words (with their inner hyphens and apostrophes) stay whole.
void keep_latin_whole(std::u32string_view para, std::vector<BreakClass>& cls) {
  for (std::size_t i = 1; i < para.size(); ++i) {
    const char32_t a = para[i - 1], b = para[i];
    const bool latinish_a = is_latin_letter(a) || is_digit(a);
    const bool latinish_b = is_latin_letter(b) || is_digit(b);
    if ((latinish_a && latinish_b) || (latinish_a && (b == U'-' || b == U'\'')) ||
        ((a == U'-' || a == U'\'') && latinish_b)) {
      cls[i] = BreakClass::inside;
    }
  }
}

// Rule 4: a break inside a quotation or title is dearer.
void mark_quotations(std::u32string_view para, std::vector<bool>& quoted) {
  for (std::size_t i = 0; i < para.size(); ++i) {
    const char32_t close = closing_of(para[i]);
    if (close == 0) continue;
    const std::size_t end = para.find(close, i + 1);
    if (end == std::u32string_view::npos) continue;
    for (std::size_t k = i + 1; k <= end; ++k) quoted[k] = true;
  }
}

// Clause punctuation and spaces: the best places.
void mark_clauses(std::u32string_view para, std::vector<BreakClass>& cls) {
  for (std::size_t i = 1; i < para.size(); ++i) {
    if (cls[i] == BreakClass::inside || cls[i] == BreakClass::seam) continue;  // 3.5, 8:00, 0595-2288 6600
    std::size_t k = i;  // the last mark before the break, skipping closing marks
    while (k > 0 && is_closing(para[k - 1])) --k;
    if ((k > 0 && is_clause_end(para[k - 1])) || (is_space(para[i - 1]) && !is_space(para[i]))) {
      cls[i] = BreakClass::clause;
    }
  }
}

}  // namespace

Breaks break_classes(std::u32string_view para) {
  Breaks out;
  const std::size_t n = para.size();
  out.cls.assign(n + 1, BreakClass::word);
  out.quoted.assign(n + 1, false);
  if (n == 0) return out;
  out.cls[0] = BreakClass::never;
  classify_segments(para, out.cls);
  keep_latin_whole(para, out.cls);
  keep_numbers_whole(para, out.cls);
  mark_clauses(para, out.cls);
  mark_quotations(para, out.quoted);
  // Kinsoku last: it overrides everything.
  for (std::size_t i = 1; i < n; ++i) {
    if (out.cls[i] == BreakClass::seam) continue;
    if (!can_break_between(para[i - 1], para[i])) {
      // Latin words and numbers are `inside` (split only when too long for a line);
      // the kinsoku marks are `never`.
      const bool word_pair = cls_is_wordish(para[i - 1]) && cls_is_wordish(para[i]);
      out.cls[i] = word_pair ? BreakClass::inside : BreakClass::never;
      if (is_space(para[i])) out.cls[i] = BreakClass::never;  // spaces stay with what precedes
    }
  }
  out.cls[n] = BreakClass::clause;  // the end of the paragraph
  return out;
}

}  // namespace signage
