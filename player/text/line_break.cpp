// Chinese line breaking for slogans: where a line may break (segment.cpp ranks every
// position), and which breaks to take (here).
//
// Kinsoku (GB/T 15834, clreq): no line starts with closing punctuation, pause and stop
// marks, iteration marks or small kana (is_no_start); no line ends with opening
// brackets or quotes (is_no_end); spaces stay with what precedes them.
//
// The breaks are chosen for the whole paragraph at once, not greedily: a dynamic
// program over the break opportunities (in the spirit of Knuth-Plass and CSS
// `text-wrap: balance`) minimises
//     sum over lines of  1000 * (slack / width)^2  +  100  +  cost(class of its break)
// where a clause break costs 0, a word boundary 40, a compound's middle 150, a
// boundary between one-character segments 3 000, a break inside a quotation 300 more,
// a last line of one or two characters (not counting pause and stop marks) under a
// line of three or more 6 000, a number run's seam 9 000, a break inside a word
// 20 000, hanging punctuation 30 000 and a kinsoku breach 100 000. So lines are few
// and even, and the expensive breaks are taken only when nothing else fits (a word
// longer than a line). Widths come from the
// advances measured once per character; a full-width 、，。 or closing mark at a
// line's end, or before another full-width mark, takes half its advance (squeezed).
// The program looks back only as far as a line can reach, so its cost is the text's
// length times the characters of a line. When the layout's deadline passes or its
// stop flag is set, the rest is broken greedily (linear).
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

std::u32string_view trim_spaces(std::u32string_view s) {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  return s;
}

bool is_opening_or_centred_mark(char32_t c) {
  switch (c) {
    case U'“': case U'‘': case U'（': case U'《': case U'「': case U'『': case U'【': case U'〔': case U'〈':
    case U'；': case U'：': case U'！': case U'？':
      return true;
    default:
      return false;
  }
}

// Full-width marks whose ink sits in the left half of the em (Simplified Chinese
// glyphs): at a line's end, or before another full-width mark, they take half an em.
bool is_half_em_mark(char32_t c) {
  switch (c) {
    case U'，': case U'。': case U'、': case U'”': case U'’': case U'）': case U'》': case U'」': case U'』':
    case U'】': case U'〕': case U'〉':
      return true;
    default:
      return false;
  }
}

constexpr double kNo = 1e300;

double cost_of(BreakClass c) {
  switch (c) {
    case BreakClass::clause: return 0;
    case BreakClass::word: return 40;
    case BreakClass::part: return 150;
    case BreakClass::single: return 3000;
    case BreakClass::seam: return 9'000;
    case BreakClass::inside: return 20'000;
    case BreakClass::never: return 100'000;
  }
  return 100'000;
}

// Characters that count for the orphan rule: not spaces, not pause or stop marks
// (品。 is one, （重要） four).
bool counts(char32_t c) {
  static constexpr std::u32string_view kMarks = U"，。、；：！？,.;:!?…";
  return !is_space(c) && kMarks.find(c) == std::u32string_view::npos;
}

// One paragraph with its measured advances and break classes.
class Paragraph {
 public:
  Paragraph(std::u32string_view text, const Breaks& breaks, const int* adv, long long max_width)
      : t_(text), n_(text.size()), w_(std::max<long long>(1, max_width)), br_(breaks) {
    pre_.assign(n_ + 1, 0);
    mid_.assign(n_ + 1, 0);
    cnt_.assign(n_ + 1, 0);
    for (std::size_t k = 0; k < n_; ++k) {
      pre_[k + 1] = pre_[k] + adv[k];
      adv_half_.push_back(adv[k] / 2);
      const bool sq = is_half_em_mark(t_[k]) && k + 1 < n_ && (is_half_em_mark(t_[k + 1]) ||
                                                               is_opening_or_centred_mark(t_[k + 1]));
      mid_[k + 1] = mid_[k] + (sq ? adv[k] / 2 : 0);
      cnt_[k + 1] = cnt_[k] + (counts(t_[k]) ? 1 : 0);
    }
  }

  // Width of the line [i, j): trailing spaces dropped, squeezed marks at half.
  long long width(std::size_t i, std::size_t j) const {
    std::size_t e = j;
    while (e > i && is_space(t_[e - 1])) --e;
    if (e == i) return 0;
    return pre_[e] - pre_[i] - (mid_[e - 1] - mid_[i]) - (is_half_em_mark(t_[e - 1]) ? adv_half_[e - 1] : 0);
  }

  // Break positions (ending with n) chosen by the dynamic program; empty when the
  // control stopped it.
  std::vector<std::size_t> balanced(const LayoutControl* ctl, bool& clean, bool& even) const {
    std::vector<double> best(n_ + 1, kNo);
    std::vector<std::size_t> from(n_ + 1, 0);
    best[0] = 0;
    std::size_t steps = 0;
    for (std::size_t j = 1; j <= n_; ++j) {
      const double brk = cost_of(br_.cls[j]) + (j < n_ && br_.quoted[j] ? 300 : 0);
      for (std::size_t i = j; i-- > 0;) {
        if ((++steps & 4095) == 0 && ctl != nullptr && ctl->expired()) return {};
        const long long w = width(i, j);
        // Hanging punctuation: a closing or stop mark may stick out of a line that
        // has no other break (the last resort before a kinsoku breach).
        const bool hangs = w > w_ && j - i >= 2 && is_no_start(t_[j - 1]) && width(i, j - 1) <= w_;
        if (w > w_ && i + 1 < j && !hangs) break;
        if (best[i] >= kNo) continue;
        const double slack = static_cast<double>(w_ - std::min(w, w_)) / static_cast<double>(w_);
        double c = best[i] + brk + 100 + (hangs ? 30'000.0 : w > w_ ? 10'000'000.0 : 1000.0 * slack * slack);
        if (j == n_ && i > 0 && cnt_[n_] - cnt_[i] <= 2 && cnt_[i] - cnt_[from[i]] >= 3) c += 6'000;
        if (c < best[j]) {
          best[j] = c;
          from[j] = i;
        }
      }
    }
    std::vector<std::size_t> ends;
    for (std::size_t j = n_; j > 0; j = from[j]) ends.push_back(j);
    std::reverse(ends.begin(), ends.end());
    clean = true;
    std::size_t prev = 0;
    for (std::size_t e : ends) {
      if (width(prev, e) > w_) clean = false;
      if (e < n_ && br_.cls[e] < BreakClass::single) clean = false;
      prev = e;
    }
    if (ends.size() > 1) {
      const std::size_t last = ends[ends.size() - 2];
      const std::size_t before = ends.size() > 2 ? ends[ends.size() - 3] : 0;
      if (cnt_[n_] - cnt_[last] <= 2 && cnt_[last] - cnt_[before] >= 3) clean = false;
    }
    // Even: the shortest line at least half the longest.
    long long shortest = w_, longest = 0;
    for (std::size_t k = 0, prev_end = 0; k < ends.size(); prev_end = ends[k++]) {
      shortest = std::min(shortest, width(prev_end, ends[k]));
      longest = std::max(longest, width(prev_end, ends[k]));
    }
    even = ends.size() < 2 || 2 * shortest >= longest;
    return ends;
  }

  // Greedy: each line to the furthest break of the best class that fits (linear).
  std::vector<std::size_t> greedy(const LayoutControl* ctl) const {
    std::vector<std::size_t> ends;
    std::size_t i = 0;
    while (i < n_) {
      std::size_t good = 0, any = i + 1;
      for (std::size_t j = i + 1; j <= n_; ++j) {
        if (width(i, j) > w_ && j > i + 1) break;
        any = j;
        if (br_.cls[j] >= BreakClass::single) good = j;
      }
      i = good != 0 ? good : any;
      ends.push_back(i);
      if (ctl != nullptr && ctl->cancelled()) break;
    }
    return ends;
  }

  std::u32string_view line(std::size_t i, std::size_t j) const { return trim_spaces(t_.substr(i, j - i)); }
  std::size_t size() const { return n_; }

 private:
  std::u32string_view t_;
  std::size_t n_;
  long long w_;
  const Breaks& br_;
  std::vector<long long> pre_, mid_;
  std::vector<int> adv_half_;
  std::vector<int> cnt_;
};
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

bool squeezed(std::u32string_view line, std::size_t k) {
  if (k >= line.size() || !is_half_em_mark(line[k])) return false;
  return k + 1 == line.size() || is_half_em_mark(line[k + 1]) || is_opening_or_centred_mark(line[k + 1]);
}

BreakAnalysis::BreakAnalysis(std::u32string_view text) : text_(text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = pos;
    while (nl < text.size() && !is_newline(text[nl])) ++nl;
    Paragraph p;
    p.start = pos;
    p.end = nl;
    if (nl > pos) p.breaks = break_classes(text.substr(pos, nl - pos));
    paras_.push_back(std::move(p));
    if (nl == text.size()) break;
    // "\r\n" is one break; a lone '\r' or '\n' is one too.
    pos = nl + ((text[nl] == U'\r' && nl + 1 < text.size() && text[nl + 1] == U'\n') ? 2 : 1);
  }
}

Broken break_text(const BreakAnalysis& analysis, const std::vector<int>& advances, int max_width,
                  const LayoutControl* control) {
  Broken out;
  const std::u32string_view text = analysis.text();
  for (const BreakAnalysis::Paragraph& p : analysis.paragraphs()) {
    if (p.end == p.start) {
      out.lines.emplace_back();
      continue;
    }
    const Paragraph para(text.substr(p.start, p.end - p.start), p.breaks, advances.data() + p.start, max_width);
    bool clean = true, even = true;
    std::vector<std::size_t> ends;
    if (control == nullptr || !control->expired()) ends = para.balanced(control, clean, even);
    if (ends.empty()) {
      ends = para.greedy(control);
      out.balanced = false;
      even = false;
    }
    out.clean = out.clean && clean;
    out.even = out.even && even;
    std::size_t prev = 0;
    for (std::size_t e : ends) {
      out.lines.emplace_back(para.line(prev, e));
      prev = e;
    }
  }
  return out;
}

std::vector<std::u32string> break_lines(std::u32string_view text, int max_width, const MeasureFn& measure) {
  std::vector<int> advances(text.size(), 0);
  for (std::size_t k = 0; k < text.size(); ++k) {
    if (!is_newline(text[k])) advances[k] = measure(text.substr(k, 1));
  }
  return break_text(text, advances, max_width, nullptr).lines;
}

}  // namespace signage
