// Tests for player/text: Chinese line breaking with a fake measure (10 px per
// character), then the real font chain from fontconfig, auto-fit and drawing.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/text_util.h"
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
    for (std::size_t at; (at = line.find("\\n")) != std::string::npos;) line.replace(at, 2, "\n");
    out.push_back(line);
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
