// Text for slogans: finding fonts (fontconfig), Chinese line breaking, choosing the
// largest size that fits, and drawing to an RGBA image. No SDL or fontconfig types
// leak out.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "media/image.h"
#include "playlist/model.h"

namespace signage {

// ---- Pure layout (no fonts needed; unit-tested on its own) ----

// Whether a line may break between `before` and `after` under Chinese rules
// (no line starts with 、，。！？）」 and the like; no line ends with （「 and the like;
// Latin words and numbers are not split).
bool can_break_between(char32_t before, char32_t after);

// Width of a run of text at the current size, in pixels.
using MeasureFn = std::function<int(std::u32string_view)>;

// Breaks `text` into lines no wider than `max_width` where possible. '\n' always
// breaks. A single unbreakable run wider than `max_width` is split by character.
// Leading and trailing spaces of wrapped lines are dropped.
// A forbidden line start moves the break earlier (the previous character goes down
// with the mark). Only when a line has no legal break at all does one closing mark
// hang past `max_width` (hanging punctuation); otherwise the run is split by character.
// "\r\n" is one break; a final '\n' does not add an empty line.
std::vector<std::u32string> break_lines(std::u32string_view text, int max_width,
                                        const MeasureFn& measure);

// ---- Fonts and drawing ----

// An ordered chain of fonts: each character is drawn with the first font that has
// a glyph for it (CJK font first, then Latin and symbol fonts).
// Thread: the thread that created it (SDL_ttf is not thread-safe).
class FontSet {
 public:
  // `preferred`: a font file to put first (from the device config); may be empty.
  // The rest come from fontconfig: a CJK sans font, then general sans fonts.
  static Result<FontSet> open(const std::filesystem::path& preferred);
  FontSet(FontSet&&) noexcept;
  FontSet& operator=(FontSet&&) noexcept;
  ~FontSet();

  // The font files in the chain, in order.
  std::vector<std::filesystem::path> files() const;

  // Width in pixels of a run at `size_px`.
  int measure(std::u32string_view text, int size_px);
  // Distance between baselines at `size_px`: the largest line skip of the fonts in
  // the chain, so any text fits. (fit_text and draw_text use only the fonts a layout
  // actually uses.)
  int line_height(int size_px);

  struct Impl;
  // For fit_text and draw_text in fonts.cpp, the only place Impl is defined.
  Impl& impl() { return *impl_; }

 private:
  explicit FontSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct TextLayout {
  int size_px = 0;
  std::vector<std::u32string> lines;
  int width = 0;    // widest line
  int height = 0;   // lines * line height
};

// The largest size (up to `max_size_px`) at which `text` fits `box_w` x `box_h`.
// `weight` bold: SDL_ttf's emboldened glyphs (slightly wider, so fitted with them).
TextLayout fit_text(FontSet& fonts, std::string_view utf8_text, int box_w, int box_h,
                    int max_size_px, FontWeight weight = FontWeight::regular);

// Draws a layout centred, each line centred, onto a transparent image of box size.
// `weight` must be the one the layout was fitted with.
Result<Image> draw_text(FontSet& fonts, const TextLayout& layout, int box_w, int box_h, Rgb color,
                        FontWeight weight = FontWeight::regular);

}  // namespace signage
