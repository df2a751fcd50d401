// Tests for player/text: Chinese line breaking with a fake measure (10 px per
// character), then the real font chain from fontconfig, auto-fit and drawing.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/text_util.h"
#include "playlist/loader.h"
#include "text/prepare.h"
#include "text/text.h"

namespace signage {
namespace {

namespace fs = std::filesystem;

int ten_per_char(std::u32string_view s) { return static_cast<int>(s.size()) * 10; }

std::vector<std::u32string> lines_of(std::u32string_view text, int width) {
  return break_lines(text, width, ten_per_char);
}

std::vector<std::u32string> u32s(std::initializer_list<const char32_t*> list) {
  std::vector<std::u32string> out;
  for (const char32_t* s : list) out.emplace_back(s);
  return out;
}

// ---- can_break_between ----

TEST(CanBreakBetween, ChineseRules) {
  EXPECT_TRUE(can_break_between(U'安', U'全'));
  EXPECT_TRUE(can_break_between(U'。', U'安'));   // after a stop
  EXPECT_TRUE(can_break_between(U'安', U'（'));   // before an opening bracket
  for (char32_t no_start : std::u32string(U"，。、；：？！…）》」』】〕〉”’·%‰,.;:?!)]}々〻ーっャ")) {
    EXPECT_FALSE(can_break_between(U'安', no_start)) << static_cast<unsigned>(no_start);
  }
  for (char32_t no_end : std::u32string(U"（《「『【〔〈“‘([{")) {
    EXPECT_FALSE(can_break_between(no_end, U'安')) << static_cast<unsigned>(no_end);
  }
  EXPECT_FALSE(can_break_between(U'—', U'—'));  // a dash pair stays together
}

TEST(CanBreakBetween, LatinAndMixed) {
  EXPECT_FALSE(can_break_between(U'1', U'2'));
  EXPECT_FALSE(can_break_between(U'e', U'-'));
  EXPECT_FALSE(can_break_between(U'-', U'b'));
  EXPECT_FALSE(can_break_between(U'a', U' '));  // spaces stay with the word before
  EXPECT_TRUE(can_break_between(U' ', U'a'));
  EXPECT_TRUE(can_break_between(U'话', U'1'));  // CJK then Latin
  EXPECT_TRUE(can_break_between(U'0', U'号'));  // Latin then CJK
  EXPECT_TRUE(can_break_between(U'\n', U'a'));
}

// ---- break_lines ----

TEST(BreakLines, BreaksAfterPauseMarksAndBetweenWordsNeverInsideThem) {
  // The examples: 个个会应急 and 安全 were cut, 、 ended a line half empty.
  EXPECT_EQ(lines_of(U"人人讲安全、个个会应急", 70), u32s({U"人人讲安全、", U"个个会应急"}));
  EXPECT_EQ(lines_of(U"人人讲安全、个个会应急", 50), u32s({U"人人讲", U"安全、个个", U"会应急"}));
  EXPECT_EQ(lines_of(U"人人讲安全、个个会应急", 40), u32s({U"人人讲", U"安全、", U"个个", U"会应急"}));
  EXPECT_EQ(lines_of(U"进入车间必须佩戴安全帽，穿戴好劳动防护用品。", 40),
            u32s({U"进入车间", U"必须佩戴", U"安全帽，", U"穿戴好", U"劳动防护", U"用品。"}));
  EXPECT_EQ(lines_of(U"安全第一（重要）", 50), u32s({U"安全第一", U"（重要）"}));
}

TEST(BreakLines, NumbersDatesAndQuotationsStayWhole) {
  EXPECT_EQ(lines_of(U"火警、急救、报警请拨打 119 · 120 · 110", 150),
            u32s({U"火警、急救、报警请拨打", U"119 · 120 · 110"}));
  EXPECT_EQ(lines_of(U"举报电话 0595-2288 6600", 140), u32s({U"举报电话", U"0595-2288 6600"}));
  EXPECT_EQ(lines_of(U"6月16日安全生产咨询日", 50), u32s({U"6月16日", U"安全生产", U"咨询日"}));
  EXPECT_EQ(lines_of(U"欢迎市民参加“安全生产月”宣传咨询活动", 70),
            u32s({U"欢迎市民参加", U"“安全生产月”", U"宣传咨询活动"}));
  // Longer than a line: a number run is cut after its separators.
  EXPECT_EQ(lines_of(U"0595-2288 6600", 50), u32s({U"0595-", U"2288", U"6600"}));
}

TEST(BreakLines, LinesAreBalancedAndTheLastIsNeverOneOrTwoCharacters) {
  const std::u32string texts[] = {
      U"6月16日安全生产咨询日，欢迎市民参加“安全生产月”宣传咨询活动",
      U"进入车间必须佩戴安全帽，穿戴好劳动防护用品。",
      U"发现安全生产风险隐患，请拨打举报电话12350。",
  };
  for (const std::u32string& text : texts) {
    for (int width = 40; width <= 160; width += 10) {
      SCOPED_TRACE(u32_to_utf8(text) + " @ " + std::to_string(width));
      const auto lines = lines_of(text, width);
      ASSERT_GE(lines.size(), 1u);
      if (lines.size() == 1) continue;
      std::size_t shortest = 1000, longest = 0;
      for (const auto& l : lines) {
        shortest = std::min(shortest, l.size());
        longest = std::max(longest, l.size());
      }
      EXPECT_GE(lines.back().size(), 3u) << u32_to_utf8(lines.back());
      EXPECT_GE(shortest * 2 + 1, longest) << "shortest " << shortest << ", longest " << longest;
    }
  }
}

TEST(BreakLines, HangsOneMarkWhenTheLineHasNoLegalBreak) {
  // "全。" cannot be split and is wider than the line: the 。 hangs.
  EXPECT_EQ(lines_of(U"全。", 10), u32s({U"全。"}));
}

TEST(BreakLines, FullWidthMarksAtALineEndTakeHalfAnEm) {
  // 安全帽， is 35 px wide with its comma squeezed, so it fits 35.
  EXPECT_EQ(lines_of(U"安全帽，穿戴好", 35), u32s({U"安全帽，", U"穿戴好"}));
  EXPECT_TRUE(squeezed(U"安全，", 2));
  EXPECT_TRUE(squeezed(U"安全。”好", 2));   // before another mark
  EXPECT_FALSE(squeezed(U"安全，好", 2));   // inside a line: a full em
  EXPECT_FALSE(squeezed(U"安全！", 2));     // centred marks keep their em
}

TEST(BreakClasses, RankWordsClausesAndSingleCharacterSegments) {
  const std::u32string text = U"遵章守纪，系好安全带";
  const Breaks b = break_classes(text);
  ASSERT_EQ(b.cls.size(), text.size() + 1);
  EXPECT_EQ(b.cls[5], BreakClass::clause);   // after ，
  EXPECT_EQ(b.cls[4], BreakClass::never);    // before ，
  EXPECT_EQ(b.cls[1], BreakClass::single);   // 遵|章: one-character segments
  EXPECT_EQ(b.cls[8], BreakClass::inside);   // 安|全
  EXPECT_LT(b.cls[9], BreakClass::word);     // 安全|带: keep 带 with its word
}

TEST(BreakLines, KinsokuHoldsOnRealSlogans) {
  const std::u32string texts[] = {
      U"人人讲安全、个个会应急，畅通生命通道！",
      U"发现安全生产风险隐患，请拨打举报电话12350。",
      U"《安全生产法》规定：生产经营单位必须（依法）加强安全管理，“安全第一、预防为主”。",
      U"骑e-bike请戴头盔！注意“一盔一带”，安全出行？是的。",
  };
  const std::u32string no_start = U"，。、；：？！…）》」』】〕〉”’·%";
  const std::u32string no_end = U"（《「『【〔〈“‘([{";
  for (const std::u32string& text : texts) {
    for (int width = 30; width <= 200; width += 10) {
      SCOPED_TRACE(u32_to_utf8(text) + " @ " + std::to_string(width));
      const auto lines = lines_of(text, width);
      std::u32string joined;
      for (const auto& line : lines) {
        ASSERT_FALSE(line.empty());
        // Within the width, or over by one hanging mark ("12350。" at 50).
        const bool hangs = line.size() >= 2 && no_start.find(line.back()) != std::u32string::npos &&
                           ten_per_char(std::u32string_view(line).substr(0, line.size() - 1)) <= width;
        EXPECT_TRUE(ten_per_char(line) <= width || hangs) << u32_to_utf8(line);
        EXPECT_EQ(no_start.find(line.front()), std::u32string::npos) << u32_to_utf8(line);
        EXPECT_EQ(no_end.find(line.back()), std::u32string::npos) << u32_to_utf8(line);
        joined += line;
      }
      EXPECT_EQ(joined, text);  // nothing lost, nothing added
    }
  }
}

TEST(BreakLines, ExplicitNewlines) {
  EXPECT_EQ(lines_of(U"安全\n生产", 1000), u32s({U"安全", U"生产"}));
  EXPECT_EQ(lines_of(U"安全\r\n生产", 1000), u32s({U"安全", U"生产"}));
  EXPECT_EQ(lines_of(U"安全\n\n生产", 1000), u32s({U"安全", U"", U"生产"}));
  EXPECT_EQ(lines_of(U"安全\n", 1000), u32s({U"安全"}));
  EXPECT_TRUE(lines_of(U"", 1000).empty());
}

TEST(BreakLines, LatinWordsStayWholeUnlessLongerThanALine) {
  EXPECT_EQ(lines_of(U"举报电话12350", 70), u32s({U"举报电话", U"12350"}));
  EXPECT_EQ(lines_of(U"go e-bike", 60), u32s({U"go", U"e-bike"}));
  // Alone wider than the line: split by character, evenly.
  EXPECT_EQ(lines_of(U"e-bike", 40), u32s({U"e-b", U"ike"}));
  EXPECT_EQ(lines_of(U"1234567890", 30), u32s({U"123", U"456", U"78", U"90"}));
}

TEST(BreakLines, SpacesAtWrapsAreDropped) {
  EXPECT_EQ(lines_of(U"hello world", 60), u32s({U"hello", U"world"}));
  EXPECT_EQ(lines_of(U"ab   cd", 30), u32s({U"ab", U"cd"}));
  EXPECT_EQ(lines_of(U"安全　生产", 20), u32s({U"安全", U"生产"}));  // ideographic space
  EXPECT_EQ(lines_of(U"ab cd", 1000), u32s({U"ab cd"}));           // inner spaces stay
}

TEST(BreakLines, AlwaysProgressesEvenWhenNothingFits) {
  EXPECT_EQ(lines_of(U"安全", 0), u32s({U"安", U"全"}));
}

// ---- fonts (fontconfig on this machine) ----

std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  std::string out;
  if (!p) return out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p.get())) out += buf.data();
  return out;
}

// One chain for the whole test program (opening one costs a fontconfig load).
FontSet& fonts() {
  static std::unique_ptr<FontSet> set = [] {
    auto r = FontSet::open("");
    if (!r) {
      std::fprintf(stderr, "FontSet::open(\"\") failed: %s\n", r.error().what().c_str());
      std::abort();
    }
    return std::make_unique<FontSet>(std::move(r).value());
  }();
  return *set;
}

TEST(FontSet, ChainStartsWithACjkFontAndCoversChineseAndLatin) {
  const auto files = fonts().files();
  ASSERT_FALSE(files.empty());
  // The first font must be one fontconfig lists as covering Simplified Chinese.
  const std::string cjk = run("fc-list :lang=zh-cn file");
  EXPECT_NE(cjk.find(files.front().string()), std::string::npos)
      << files.front() << " not in:\n" << cjk;
  std::set<fs::path> unique(files.begin(), files.end());
  EXPECT_EQ(unique.size(), files.size()) << "duplicate font files";

  EXPECT_GT(fonts().measure(U"安全", 32), 0);
  EXPECT_GT(fonts().measure(U"12350 e-bike", 32), 0);
  // Larger size, wider text; more text, wider.
  EXPECT_GT(fonts().measure(U"安全", 64), fonts().measure(U"安全", 32));
  EXPECT_GT(fonts().measure(U"安全生产", 32), fonts().measure(U"安全", 32));
  EXPECT_GT(fonts().line_height(32), 32 * 9 / 10);
}

TEST(FontSet, PreferredFontGoesFirstOnceAndUnreadableOnesAreSkipped) {
  const std::string dejavu = run("fc-match -f '%{file}' 'DejaVu Sans'");
  ASSERT_FALSE(dejavu.empty());
  auto set = FontSet::open(dejavu);
  ASSERT_TRUE(set.ok()) << set.error().what();
  const auto files = set->files();
  ASSERT_GE(files.size(), 2u);
  EXPECT_EQ(files.front(), fs::path(dejavu));
  EXPECT_EQ(std::count(files.begin(), files.end(), fs::path(dejavu)), 1);
  // DejaVu has no 安; the CJK font behind it draws it at its own width.
  EXPECT_EQ(set->measure(U"安", 40), fonts().measure(U"安", 40));

  auto missing = FontSet::open("/nonexistent/font.ttf");
  ASSERT_TRUE(missing.ok()) << missing.error().what();
  EXPECT_EQ(missing->files(), fonts().files());
}

TEST(FitText, ShrinksAsTextGrowsAndStaysInTheBox) {
  const int box_w = 800, box_h = 300;
  const char* texts[] = {
      "安全",
      "人人讲安全、个个会应急\n畅通生命通道",
      "发现安全生产风险隐患，请拨打举报电话 12350。骑 e-bike 请戴头盔，"
      "不要在楼道、疏散通道、安全出口停放电动自行车或者为电动自行车充电。",
  };
  int previous = 1 << 30;
  for (const char* text : texts) {
    SCOPED_TRACE(text);
    const TextLayout layout = fit_text(fonts(), text, box_w, box_h, 200);
    EXPECT_LT(layout.size_px, previous);
    EXPECT_GE(layout.size_px, 8);
    EXPECT_LE(layout.size_px, 200);
    EXPECT_LE(layout.width, box_w);
    EXPECT_LE(layout.height, box_h);
    EXPECT_GT(layout.width, 0);
    for (const auto& line : layout.lines) EXPECT_LE(fonts().measure(line, layout.size_px), box_w);
    previous = layout.size_px;
  }
  // Short text in a big box is limited by max_size_px.
  EXPECT_EQ(fit_text(fonts(), "安全", 2000, 2000, 120).size_px, 120);
  // Far too much text: the smallest size, even though it overflows.
  const std::string flood(3000, 'x');
  EXPECT_EQ(fit_text(fonts(), flood, 100, 20, 100).size_px, 8);
}

struct Ink {
  int count = 0, opaque = 0, min_x = 1 << 30, min_y = 1 << 30, max_x = -1, max_y = -1;
};
Ink ink_of(const Image& img) {
  Ink ink;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      const std::uint8_t a = img.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) +
                                       static_cast<std::size_t>(x)) * 4 + 3];
      if (a == 0) continue;
      ++ink.count;
      if (a == 255) ++ink.opaque;
      ink.min_x = std::min(ink.min_x, x);
      ink.max_x = std::max(ink.max_x, x);
      ink.min_y = std::min(ink.min_y, y);
      ink.max_y = std::max(ink.max_y, y);
    }
  return ink;
}

TEST(DrawText, CentredOpaqueTextOnTransparent) {
  const int box_w = 400, box_h = 200;
  const TextLayout layout = fit_text(fonts(), "安全", box_w, box_h, 120);
  auto img = draw_text(fonts(), layout, box_w, box_h, Rgb{255, 200, 0});
  ASSERT_TRUE(img.ok()) << img.error().what();
  ASSERT_EQ(img->width, box_w);
  ASSERT_EQ(img->height, box_h);
  ASSERT_EQ(img->rgba.size(), static_cast<std::size_t>(box_w * box_h * 4));
  for (auto [x, y] : {std::pair{0, 0}, {box_w - 1, 0}, {0, box_h - 1}, {box_w - 1, box_h - 1}}) {
    EXPECT_EQ(img->rgba[(static_cast<std::size_t>(y) * box_w + static_cast<std::size_t>(x)) * 4 + 3], 0);
  }
  const Ink ink = ink_of(*img);
  ASSERT_GT(ink.opaque, 500);
  // Opaque pixels carry the colour, in R, G, B, A byte order.
  bool found = false;
  for (std::size_t i = 0; i < img->rgba.size() && !found; i += 4) {
    if (img->rgba[i + 3] == 255) {
      EXPECT_EQ(img->rgba[i], 255);
      EXPECT_EQ(img->rgba[i + 1], 200);
      EXPECT_EQ(img->rgba[i + 2], 0);
      found = true;
    }
  }
  // The ink's box is centred (glyph side bearings allow a few pixels).
  const int cx = (ink.min_x + ink.max_x) / 2, cy = (ink.min_y + ink.max_y) / 2;
  EXPECT_NEAR(cx, box_w / 2, box_w / 20);
  EXPECT_NEAR(cy, box_h / 2, box_h / 10);
  // And it is big: fit_text filled the box in at least one direction.
  EXPECT_GT(ink.max_x - ink.min_x, box_w / 2);
}

TEST(DrawText, MixedScriptsShareABaselineAndLinesStack) {
  const int box_w = 600, box_h = 400;
  const TextLayout layout = fit_text(fonts(), "安全 12350\n第二行", box_w, box_h, 80);
  ASSERT_EQ(layout.lines.size(), 2u);
  auto img = draw_text(fonts(), layout, box_w, box_h, Rgb{255, 255, 255});
  ASSERT_TRUE(img.ok()) << img.error().what();
  const Ink ink = ink_of(*img);
  EXPECT_GT(ink.count, 0);
  // Two lines: the ink spans more than one line height, and stays in the box.
  EXPECT_GT(ink.max_y - ink.min_y, layout.height / 2);
  EXPECT_LE(ink.max_y - ink.min_y, layout.height);
  // Empty layout: a transparent image of the box size.
  auto none = draw_text(fonts(), TextLayout{}, 10, 10, Rgb{});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(ink_of(*none).count, 0);
  EXPECT_FALSE(draw_text(fonts(), layout, 0, 10, Rgb{}).ok());
}

}  // namespace
}  // namespace signage

namespace signage {
namespace {

// ---- The slogan corpus (tests/data/slogans.txt) at the screen shapes of the issue ----

std::vector<std::string> corpus() {
  std::vector<std::string> out;
  std::ifstream in(std::string(SIGNAGE_SOURCE_DIR) + "/tests/data/slogans.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    // Copied rather than replaced in place (GCC 12 at -O3 sees a false overlap in
    // string::replace, -Wrestrict).
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line.compare(i, 2, "\\n") == 0) {
        text += '\n';
        ++i;
      } else {
        text += line[i];
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

bool is_blank(char32_t c) { return c == U' ' || c == U'\u3000' || c == U'\t'; }

// What a reader would object to in one layout; empty when there is nothing.
std::vector<std::string> layout_faults(const std::u32string& text, const TextLayout& l, int box_w) {
  std::vector<std::string> faults;
  static const std::u32string no_start = U"，。、；：？！…）》」』】〕〉”’%";
  static const std::u32string no_end = U"（《「『【〔〈“‘";
  std::u32string joined, wanted;
  for (char32_t c : text) {
    if (!is_blank(c) && c != U'\n') wanted += c;
  }
  std::size_t pos = 0;           // where the next line starts in text
  std::size_t para_start = 0;    // index in l.lines of the paragraph's first line
  for (std::size_t i = 0; i < l.lines.size(); ++i) {
    const std::u32string& line = l.lines[i];
    const std::string u8 = u32_to_utf8(line);
    for (char32_t c : line) {
      if (!is_blank(c)) joined += c;
    }
    if (!line.empty() && no_start.find(line.front()) != std::u32string::npos) faults.push_back("starts with a closing mark: " + u8);
    if (!line.empty() && no_end.find(line.back()) != std::u32string::npos) faults.push_back("ends with an opening mark: " + u8);
    while (pos < text.size() && (is_blank(text[pos]) || text[pos] == U'\n')) ++pos;
    const std::size_t start = text.find(line, pos);
    if (start == std::u32string::npos) break;  // reported as lost text below
    std::size_t end = start + line.size();
    while (end < text.size() && is_blank(text[end])) ++end;
    const bool para_end = end >= text.size() || text[end] == U'\n';
    pos = end;
    if (!para_end) {
      // A wrap: inside a word only if the word alone is wider than a line.
      std::size_t p0 = text.rfind(U'\n', start);
      p0 = p0 == std::u32string::npos ? 0 : p0 + 1;
      std::size_t p1 = text.find(U'\n', end);
      p1 = p1 == std::u32string::npos ? text.size() : p1;
      const std::u32string_view para = std::u32string_view(text).substr(p0, p1 - p0);
      const Breaks b = break_classes(para);
      const std::size_t at = end - p0;
      if (b.cls[at] < BreakClass::single) {
        std::size_t w0 = at, w1 = at;
        while (w0 > 0 && b.cls[w0] < BreakClass::single) --w0;
        while (w1 < para.size() && b.cls[w1] < BreakClass::single) ++w1;
        const std::u32string_view word = para.substr(w0, w1 - w0);
        if (fonts().measure(word, l.size_px) <= box_w) {
          faults.push_back("breaks inside \"" + u32_to_utf8(word) + "\", which fits a line: " + u8);
        }
      }
    } else {
      // No last line of one or two characters (not counting pause and stop marks)
      // under a line of three or more.
      auto letters = [](const std::u32string& s) {
        std::size_t n = 0;
        for (char32_t c : s) n += (is_blank(c) || std::u32string_view(U"，。、；：？！…").find(c) != std::u32string_view::npos) ? 0u : 1u;
        return n;
      };
      const std::size_t above = i > para_start ? letters(l.lines[i - 1]) : 0;
      if (letters(line) <= 2 && above >= 3) faults.push_back("last line of one or two characters: " + u8);
      para_start = i + 1;
    }
  }
  if (joined != wanted) faults.push_back("text lost or changed: " + u32_to_utf8(joined));
  if (!l.fits) faults.push_back("does not fit the box");
  return faults;
}

// The shortest line against the longest, in each paragraph of two or more lines.
std::string balance_fault(const std::string& slogan, const TextLayout& l) {
  std::size_t next = 0;  // the first line of the paragraph
  for (const std::u32string& para : [&] {
         std::vector<std::u32string> paras;
         std::u32string t = utf8_to_u32(slogan);
         for (std::size_t a = 0, b; a <= t.size(); a = b + 1) {
           b = t.find(U'\n', a);
           if (b == std::u32string::npos) b = t.size();
           paras.push_back(t.substr(a, b - a));
         }
         return paras;
       }()) {
    // Lines of this paragraph: as many as add up to its length without blanks.
    std::size_t want = 0, got = 0;
    for (char32_t c : para) want += is_blank(c) ? 0u : 1u;
    int shortest = 1 << 30, longest = 0, count = 0;
    while (next < l.lines.size() && got < want) {
      for (char32_t c : l.lines[next]) got += is_blank(c) ? 0u : 1u;
      const int w = fonts().measure(l.lines[next], l.size_px);
      shortest = std::min(shortest, w);
      longest = std::max(longest, w);
      ++count;
      ++next;
    }
    if (count >= 2 && shortest * 2 < longest) {
      return "shortest line " + std::to_string(shortest) + " px, longest " + std::to_string(longest) + " px";
    }
  }
  return {};
}

TEST(Corpus, SlogansAreSetAsADesignerWouldAtEveryScreenShape) {
  const auto slogans = corpus();
  ASSERT_GE(slogans.size(), 80u);
  struct Shape { int w, h; };
  const Shape shapes[] = {{1920, 1080}, {1080, 1920}, {1920, 270}, {960, 540}, {3840, 2160}};
  int layouts = 0, faults = 0, unbalanced = 0;
  for (const Shape& s : shapes) {
    // The slogan zone of a full-screen slogan (render/scene.cpp): 6 % margins.
    const int m = std::max(8, std::min(s.w, s.h) * 6 / 100);
    const int bw = s.w - 2 * m, bh = s.h - 2 * m;
    for (const std::string& slogan : slogans) {
      const TextLayout l = fit_text(fonts(), slogan, bw, bh, bh, FontWeight::bold);
      ++layouts;
      std::string shown;
      for (const auto& line : l.lines) shown += (shown.empty() ? "" : " / ") + u32_to_utf8(line);
      for (const std::string& f : layout_faults(utf8_to_u32(slogan), l, bw)) {
        ++faults;
        ADD_FAILURE() << s.w << "x" << s.h << " " << l.size_px << " px: " << shown << "\n  " << f;
      }
      if (const std::string b = balance_fault(slogan, l); !b.empty()) {
        ++unbalanced;
        std::printf("unbalanced at %dx%d, %d px: %s (%s)\n", s.w, s.h, l.size_px, shown.c_str(), b.c_str());
      }
    }
  }
  std::printf("%d layouts, %d faults, %d with a line shorter than half the longest\n", layouts, faults, unbalanced);
  // Balance yields where the text allows nothing better (a short second paragraph).
  EXPECT_LE(unbalanced * 20, layouts) << "more than 5 % of layouts unbalanced";
}

}  // namespace
}  // namespace signage

namespace signage {
namespace {

// ---- Hostile text: the sizes of the red-team report, each with a time bound ----

template <class F>
double seconds_of(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::size_t chars_in(const TextLayout& l) {
  std::size_t n = 0;
  for (const auto& line : l.lines) n += line.size();
  return n;
}

TEST(HostileText, UnbreakableSlogansAreCutAtTheLimitAndLaidOutInTime) {
  for (std::size_t n : {std::size_t{2'000}, std::size_t{1'000'000}}) {
    SCOPED_TRACE(n);
    const std::string text(n, 'A');
    TextLayout l;
    const double s = seconds_of([&] { l = fit_text(fonts(), text, 1804, 952, 952); });
    EXPECT_LT(s, 1.0) << "a frozen screen";
    EXPECT_EQ(chars_in(l), kMaxSloganChars);
    EXPECT_TRUE(l.fits);
    std::printf("%zu x 'A': %.3f s, %zu lines at %d px\n", n, s, l.lines.size(), l.size_px);
  }
}

TEST(HostileText, AMegabyteOfOrdinaryTextIsLaidOutInTime) {
  std::string text;
  while (text.size() < (1u << 20)) text += "发现安全生产风险隐患，请拨打举报电话 12350。";
  TextLayout slogan, ticker;
  const double s1 = seconds_of([&] { slogan = fit_text(fonts(), text, 1804, 952, 952); });
  const double s2 = seconds_of([&] { ticker = fit_line(fonts(), text, 64, 64); });
  EXPECT_LT(s1, 1.0);
  EXPECT_LT(s2, 1.0);
  // The first 1 000 characters, less the spaces dropped where lines wrap.
  EXPECT_LE(chars_in(slogan), kMaxSloganChars);
  EXPECT_GE(chars_in(slogan), kMaxSloganChars - 20);
  ASSERT_EQ(ticker.lines.size(), 1u);
  EXPECT_EQ(ticker.lines[0].size(), kMaxTickerChars);
  EXPECT_LE(ticker.height, 64);
  std::printf("1 MB slogan %.3f s, 1 MB ticker %.3f s\n", s1, s2);
}

TEST(HostileText, CombiningMarksAfterTheFourthAreDroppedWithAWarning) {
  std::string zalgo;
  while (zalgo.size() < 20'000) zalgo += "安\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309";
  const PreparedText p = prepare_text(zalgo, TextKind::slogan);
  ASSERT_EQ(p.problems.size(), 1u);  // one warning for the whole text
  EXPECT_EQ(p.problems[0].kind, TextProblem::Kind::marks);
  EXPECT_FALSE(p.problems[0].is_error());
  EXPECT_EQ(p.text.size(), 5u * 953u);  // 953 characters of 20 KB, four marks each
  EXPECT_EQ(p.text.substr(0, 5), U"安\u0301\u0302\u0303\u0304");
  EXPECT_EQ(p.text[5], U'安');
  TextLayout l;
#if defined(__SANITIZE_ADDRESS__)
  constexpr double kLimit = 3.0;  // the sanitizers slow every allocation several times
#else
  constexpr double kLimit = 1.0;
#endif
  EXPECT_LT(seconds_of([&] { l = fit_text(fonts(), zalgo, 1804, 952, 952); }), kLimit);
  EXPECT_FALSE(l.lines.empty());
}

TEST(HostileText, EmojiKeepTheirBaseAndInvisibleCharactersGoNotTheItem) {
  EXPECT_EQ(prepare_text("☎️ 安全生产举报电话 12350", TextKind::slogan).text, U"☎ 安全生产举报电话 12350");
  EXPECT_EQ(prepare_text("安全\uFE0F", TextKind::slogan).text, U"安全");
  EXPECT_EQ(prepare_text("\u202E安全\u200B生产\u2060\uFEFF", TextKind::slogan).text, U"安全生产");
  EXPECT_EQ(prepare_text("👨\u200D👩\u200D👧", TextKind::slogan).text, U"👨👩👧");
  EXPECT_TRUE(prepare_text("☎️ 安全", TextKind::slogan).problems.empty());
  // The emoji slogan of the report draws (the telephone included: a font has it).
  EXPECT_TRUE(has_glyph(fonts(), U'☎'));
  const TextLayout l = fit_text(fonts(), "☎️ 安全生产举报电话 12350", 800, 300, 200);
  auto img = draw_text(fonts(), l, 800, 300, Rgb{255, 255, 255});
  ASSERT_TRUE(img.ok()) << img.error().what();
  EXPECT_GT(ink_of(*img).count, 1000);
  // Nothing visible left: an error (check refuses it).
  for (const char* nothing : {"\u200B\u200B", "   ", "\uFE0F", "\u202E"}) {
    const auto problems = prepare_text(nothing, TextKind::slogan).problems;
    ASSERT_EQ(problems.size(), 1u) << nothing;
    EXPECT_EQ(problems[0].kind, TextProblem::Kind::nothing);
  }
}

TEST(HostileText, ControlCharactersAreRefusedWithTheirPosition) {
  const std::string text = std::string("安全") + '\0' + "生\a产\x1b月\x7f";
  const PreparedText p = prepare_text(text, TextKind::slogan);
  EXPECT_EQ(p.text, U"安全生产月");
  ASSERT_EQ(p.problems.size(), 4u);
  const std::size_t at[] = {2, 4, 6, 8};
  const char32_t code[] = {0, 7, 0x1b, 0x7f};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p.problems[i].kind, TextProblem::Kind::control);
    EXPECT_EQ(p.problems[i].index, at[i]);
    EXPECT_EQ(p.problems[i].code, code[i]);
  }
  EXPECT_NE(p.problems[1].message.find("U+0007"), std::string::npos) << p.problems[1].message;
  EXPECT_NE(p.problems[1].message.find("character 5"), std::string::npos) << p.problems[1].message;
  // A line break stays; "\r\n" is one; a ticker is one line.
  EXPECT_EQ(prepare_text("安全\r\n生产\r", TextKind::slogan).text, U"安全\n生产\n");
  EXPECT_EQ(prepare_text("安全\n生产\t月", TextKind::ticker).text, U"安全 生产 月");
  EXPECT_TRUE(prepare_text("安全\n生产", TextKind::slogan).problems.empty());
}

TEST(HostileText, TheStopFlagEndsALayoutAtOnce) {
  std::atomic<bool> stop{false};
  fonts().set_stop_flag(&stop);
  fonts().set_layout_budget(std::chrono::hours(1));
  std::string text;
  while (text.size() < 3'000) text += "人人讲安全、个个会应急，畅通生命通道。";
  // Set before: nothing but the first, smallest layout.
  stop = true;
  TextLayout l;
  EXPECT_LT(seconds_of([&] { l = fit_text(fonts(), text, 3582, 1902, 1902); }), 0.5);
  EXPECT_TRUE(l.stopped);
  // Set from another thread (as a SIGTERM handler would) while layouts run.
  stop = false;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop = true;
  });
  const double s = seconds_of([&] {
    while (!stop) l = fit_text(fonts(), text, 3582, 1902, 1902);
    l = fit_text(fonts(), text, 3582, 1902, 1902);
  });
  stopper.join();
  EXPECT_TRUE(l.stopped);
  EXPECT_LT(s, 1.0);
  fonts().set_stop_flag(nullptr);
  fonts().set_layout_budget(std::chrono::milliseconds(250));
}

// A budget spent (a slow first layout on a busy box) costs the lines their balance,
// not the slogan its size: the largest size whose greedy lines fit, not the smallest.
TEST(HostileText, AnExhaustedBudgetGivesGreedyLinesWithAllTheText) {
  const std::string text = "进入车间必须佩戴安全帽，穿戴好劳动防护用品。";
  const TextLayout balanced = fit_text(fonts(), text, 400, 400, 200);
  fonts().set_layout_budget(std::chrono::milliseconds(0));
  const TextLayout l = fit_text(fonts(), text, 400, 400, 200);
  fonts().set_layout_budget(std::chrono::milliseconds(250));
  EXPECT_FALSE(l.balanced);
  std::u32string joined;
  for (const auto& line : l.lines) joined += line;
  EXPECT_EQ(joined, utf8_to_u32(text));
  EXPECT_TRUE(l.fits);
  EXPECT_LE(l.width, 400);
  EXPECT_LE(l.height, 400);
  EXPECT_GE(l.size_px, balanced.size_px * 9 / 10) << "balanced " << balanced.size_px << " px";
  // The largest: greedy lines one size up no longer fit.
  fonts().set_layout_budget(std::chrono::milliseconds(0));
  const TextLayout up = fit_text(fonts(), text, 400, 400, l.size_px + 1);
  fonts().set_layout_budget(std::chrono::milliseconds(250));
  EXPECT_EQ(up.size_px, l.size_px);
}

// ---- The same rules in playlists (the loader that check and the player share) ----

PlaylistFileResult load_with(const std::string& items) {
  LoadOptions o;
  o.media_root = fs::temp_directory_path();
  return load_playlist_text("[campaign]\nid = \"c\"\n" + items, "p.toml", o);
}

std::string all_messages(const PlaylistFileResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  return out;
}

// Titles are drawn on the main thread's header band: they have a limit too, and the
// same rules about characters; a blank one is no error (the id stands in).
TEST(TextRules, TitlesOverTheLimitOrWithControlCharactersAreRefused) {
  auto load = [](const std::string& text) {
    LoadOptions o;
    o.media_root = fs::temp_directory_path();
    return load_playlist_text(text, "p.toml", o);
  };
  const std::string item = "[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"安全\"\n";
  const auto long_title = load("[campaign]\nid = \"c\"\ntitle = \"" + std::string(1'000'000, 'A') + "\"\n" + item);
  EXPECT_FALSE(long_title.campaign);
  EXPECT_NE(all_messages(long_title).find("p.toml:3:9: error: the title is longer than 200 characters"),
            std::string::npos)
      << all_messages(long_title).substr(0, 300);
  const auto long_header = load("[campaign]\nid = \"c\"\n[header]\ntitle = \"" + std::string(201, 'A') + "\"\n" + item);
  EXPECT_FALSE(long_header.campaign);
  EXPECT_NE(all_messages(long_header).find("p.toml:4:9: error: the title is longer than 200 characters"),
            std::string::npos)
      << all_messages(long_header);
  const auto control = load("[campaign]\nid = \"c\"\ntitle = \"安全\\u001b生产月\"\n" + item);
  EXPECT_FALSE(control.campaign);
  EXPECT_NE(all_messages(control).find("control character U+001B"), std::string::npos) << all_messages(control);
  const auto fine = load("[campaign]\nid = \"c\"\ntitle = \"" + std::string(200, 'A') + "\"\n[header]\ntitle = \"  \"\n" + item);
  EXPECT_TRUE(fine.campaign) << all_messages(fine);
}

TEST(TextRules, PlaylistsOverTheLimitsAreRefusedNamingThePlace) {
  const auto long_slogan = load_with("[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"" +
                                     std::string(1'001, 'A') + "\"\n");
  EXPECT_FALSE(long_slogan.campaign);
  EXPECT_NE(all_messages(long_slogan).find("p.toml:6:8: error: the slogan is longer than 1000 characters"),
            std::string::npos)
      << all_messages(long_slogan);
  EXPECT_TRUE(load_with("[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"" + std::string(1'000, 'A') +
                        "\"\n").campaign);

  std::string many = "[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"安全\"\n[ticker]\ntext = [";
  for (int i = 0; i < 10'000; ++i) many += "\"安全生产\",";
  many += "]\n";
  PlaylistFileResult r;
  EXPECT_LT(seconds_of([&] { r = load_with(many); }), 2.0);
  EXPECT_FALSE(r.campaign);
  EXPECT_NE(all_messages(r).find("the ticker has 10000 texts; at most 50"), std::string::npos) << all_messages(r);

  const auto control = load_with("[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"安全\\u0007生产\"\n");
  EXPECT_FALSE(control.campaign);
  EXPECT_NE(all_messages(control).find("p.toml:6:8: error: control character U+0007"), std::string::npos)
      << all_messages(control);
  EXPECT_NE(all_messages(control).find("at character 3"), std::string::npos);

  const auto invisible = load_with("[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"\\u200B\\u200B\"\n");
  EXPECT_FALSE(invisible.campaign);
  EXPECT_NE(all_messages(invisible).find("nothing visible"), std::string::npos) << all_messages(invisible);

  std::string marks = "[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"安";
  for (int i = 0; i < 6; ++i) marks += "\\u0301";
  const auto warned = load_with(marks + "\"\n");
  EXPECT_TRUE(warned.campaign) << "extra combining marks are a warning";
  EXPECT_NE(all_messages(warned).find("warning: more than 4 combining marks"), std::string::npos)
      << all_messages(warned);
}

}  // namespace
}  // namespace signage

namespace signage {
namespace {

TEST(TextRules, CheckDrawsEachTextAsThePlayerWould) {
  const auto loaded = load_with(
      "[[item]]\nid = \"phone\"\ntype = \"slogan\"\ntext = \"☎️ 安全生产举报电话 12350\"\n"
      "[[item]]\nid = \"box\"\ntype = \"slogan\"\ntext = \"\\uE000\"\n"
      "[ticker]\ntext = [\"发现安全生产风险隐患，请拨打举报电话 12350\"]\n");
  ASSERT_TRUE(loaded.campaign) << all_messages(loaded);
  const auto diags = check_campaign_texts(fonts(), *loaded.campaign);
  // The telephone slogan and the ticker draw; the private-use character has no glyph
  // (a warning: it shows as a box).
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].severity, Severity::warning);
  EXPECT_EQ(diags[0].where.line, 7);  // the item's [[item]]
  EXPECT_NE(diags[0].message.find("c/box: no installed font has"), std::string::npos) << diags[0].message;

  // A text that draws nothing, built directly (the loader refuses such text first;
  // check draws what passed it).
  Campaign c;
  c.id = "c";
  Item blank;
  blank.id = "blank";
  blank.type = ItemType::slogan;
  blank.text = "\u200B\u3000";
  c.items.push_back(blank);
  const auto refused = check_campaign_texts(fonts(), c);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].severity, Severity::error);
  EXPECT_NE(refused[0].message.find("c/blank: the text draws nothing"), std::string::npos) << refused[0].message;
}

}  // namespace
}  // namespace signage
