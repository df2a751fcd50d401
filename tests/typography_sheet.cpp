// typography_sheet OUT.png: the contact sheet of slogan typography in the docs
// (docs/typography.png). The sample playlists' slogans, each laid out and drawn by the
// player's text code in the slogan zone of a 1920x1080 screen, a 1080x1920 (portrait)
// screen (6 % margins) and a 1920x160 LED strip (one line, margins of 1/8 of the
// height at most above and below, a quarter of it at the ends; a line below the
// legible size shown where its scroll starts), as
// render/scene.cpp lays them out, in the built-in
// red-banner and blue-banner styles (bold: Noto Sans CJK SC Bold), each picture
// shrunk to a quarter (4x4 box filter) and put side by side.
//   build/tests/typography_sheet docs/typography.png
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "media/image.h"
#include "playlist/model.h"
#include "text/text.h"

namespace {

using signage::Image;

Image blank(int w, int h, signage::Rgb c) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  for (std::size_t i = 0; i < img.rgba.size(); i += 4) {
    img.rgba[i] = c.r;
    img.rgba[i + 1] = c.g;
    img.rgba[i + 2] = c.b;
    img.rgba[i + 3] = 255;
  }
  return img;
}

// `src` over `dst` at (x, y), straight alpha.
void put(Image& dst, const Image& src, int x, int y) {
  for (int sy = 0; sy < src.height; ++sy) {
    for (int sx = 0; sx < src.width; ++sx) {
      const std::size_t s = (static_cast<std::size_t>(sy) * static_cast<std::size_t>(src.width) + static_cast<std::size_t>(sx)) * 4;
      const int dx = x + sx, dy = y + sy;
      if (dx < 0 || dy < 0 || dx >= dst.width || dy >= dst.height) continue;
      const std::size_t d = (static_cast<std::size_t>(dy) * static_cast<std::size_t>(dst.width) + static_cast<std::size_t>(dx)) * 4;
      const int a = src.rgba[s + 3];
      for (int k = 0; k < 3; ++k) {
        dst.rgba[d + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(
            (src.rgba[s + static_cast<std::size_t>(k)] * a + dst.rgba[d + static_cast<std::size_t>(k)] * (255 - a) + 127) / 255);
      }
    }
  }
}

Image quarter(const Image& src) {
  Image out = blank(src.width / 4, src.height / 4, {0, 0, 0});
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (std::size_t k = 0; k < 3; ++k) {
        int sum = 0;
        for (int j = 0; j < 4; ++j) {
          for (int i = 0; i < 4; ++i) {
            sum += src.rgba[(static_cast<std::size_t>(4 * y + j) * static_cast<std::size_t>(src.width) + static_cast<std::size_t>(4 * x + i)) * 4 + k];
          }
        }
        out.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(out.width) + static_cast<std::size_t>(x)) * 4 + k] =
            static_cast<std::uint8_t>(sum / 16);
      }
    }
  }
  return out;
}

// One screen of w x h showing `text` in `style`, as a full-screen slogan.
Image screen(signage::FontSet& fonts, const std::string& text, int w, int h, const signage::Style& style) {
  Image img = blank(w, h, style.background);
  const int m = std::max(8, std::min(w, h) * 6 / 100);
  const signage::TextLayout l = signage::fit_text(fonts, text, w - 2 * m, h - 2 * m, h - 2 * m, style.weight);
  auto ink = signage::draw_text(fonts, l, w - 2 * m, h - 2 * m, style.color, style.weight);
  if (ink) put(img, *ink, m, m);
  return img;
}

// The same slogan on a strip of w x h (6:1 and wider): one line, as
// render/scene.cpp sets it; below the legible size (24 px or 70 % of the height),
// the first frame of its scroll (the text from the left edge, 12 % margins).
Image strip(signage::FontSet& fonts, std::string text, int w, int h, const signage::Style& style) {
  Image img = blank(w, h, style.background);
  for (std::size_t at; (at = text.find('\n')) != std::string::npos;) text.replace(at, 1, "\u3000");
  const int m = std::min(std::max(8, h * 6 / 100), h / 8), mx = std::max(m, h / 4);
  const signage::TextLayout l = signage::fit_one_line(fonts, text, w - 2 * mx, h - 2 * m, style.weight);
  const int tallest = signage::fit_line(fonts, text, h - 2 * m, h - 2 * m, style.weight).size_px;
  if (l.size_px >= std::min(std::min(24, h * 70 / 100), tallest)) {
    auto ink = signage::draw_text(fonts, l, w - 2 * mx, h - 2 * m, style.color, style.weight);
    if (ink) put(img, *ink, mx, m);
    return img;
  }
  const int bm = h * 12 / 100;
  const signage::TextLayout line = signage::fit_line(fonts, text, h - 2 * bm, h - 2 * bm, style.weight);
  auto ink = signage::draw_text(fonts, line, std::max(1, line.width), h - 2 * bm, style.color, style.weight);
  if (ink) put(img, *ink, 0, bm);
  return img;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: typography_sheet OUT.png\n");
    return 2;
  }
  auto fonts = signage::FontSet::open("");
  if (!fonts) {
    std::fprintf(stderr, "typography_sheet: %s\n", fonts.error().what().c_str());
    return 1;
  }
  const std::vector<std::string> slogans = {
      "人人讲安全、个个会应急\n畅通生命通道",
      "6月16日 全国“安全宣传咨询日”\n欢迎参加现场安全咨询活动",
      "进入车间必须佩戴安全帽，穿戴好劳动防护用品。",
      "燃气安全：用气不离人，用后关阀门，闻到异味先开窗、严禁动明火",
      "遇到险情不要慌\n拨打 119 · 120 · 110",
  };
  const signage::Style styles[] = {*signage::builtin_style("red-banner"), *signage::builtin_style("blue-banner")};
  const int gap = 16, row_h = 480;
  const int sheet_w = gap + 480 + gap + 270 + gap + 480 + gap;
  Image sheet = blank(sheet_w, gap + static_cast<int>(slogans.size()) * (row_h + gap), {235, 235, 235});
  for (std::size_t i = 0; i < slogans.size(); ++i) {
    const signage::Style& style = styles[i % 2];
    const int y = gap + static_cast<int>(i) * (row_h + gap);
    put(sheet, quarter(screen(*fonts, slogans[i], 1920, 1080, style)), gap, y);
    put(sheet, quarter(screen(*fonts, slogans[i], 1080, 1920, style)), gap + 480 + gap, y);
    put(sheet, quarter(strip(*fonts, slogans[i], 1920, 160, style)), gap + 480 + gap + 270 + gap, y);
  }
  if (auto s = signage::write_png(sheet, argv[1]); !s) {
    std::fprintf(stderr, "typography_sheet: %s\n", s.error().what().c_str());
    return 1;
  }
  return 0;
}
