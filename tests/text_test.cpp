// Tests for player/text: Chinese line breaking with a fake measure (10 px per
// character), then the real font chain from fontconfig, auto-fit and drawing.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
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

TEST(BreakLines, PullsACharacterDownRatherThanStartAtAPauseMark) {
  // Five characters fit. "人人讲安全" then "、..." would start a line with 、, so
  // 全 goes down with it.
  EXPECT_EQ(lines_of(U"人人讲安全、个个会应急", 50), u32s({U"人人讲安", U"全、个个会", U"应急"}));
  EXPECT_EQ(lines_of(U"安全。", 20), u32s({U"安", U"全。"}));
}

TEST(BreakLines, OpeningMarkGoesToTheNextLine) {
  EXPECT_EQ(lines_of(U"安全第一（重要）", 50), u32s({U"安全第一", U"（重要）"}));
}

TEST(BreakLines, HangsOneMarkWhenTheLineHasNoLegalBreak) {
  // "全。" cannot be split and is one character too wide: the 。 hangs.
  EXPECT_EQ(lines_of(U"全。", 10), u32s({U"全。"}));
  // Two marks cannot both hang: split by character, then the rest hangs.
  EXPECT_EQ(lines_of(U"全。」", 10), u32s({U"全", U"。」"}));
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

TEST(BreakLines, NumbersAndWordsStayWhole) {
  EXPECT_EQ(lines_of(U"举报电话12350", 70), u32s({U"举报电话", U"12350"}));
  EXPECT_EQ(lines_of(U"go e-bike", 60), u32s({U"go", U"e-bike"}));
  // Alone wider than the line: split by character.
  EXPECT_EQ(lines_of(U"e-bike", 40), u32s({U"e-bi", U"ke"}));
  EXPECT_EQ(lines_of(U"1234567890", 30), u32s({U"123", U"456", U"789", U"0"}));
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
