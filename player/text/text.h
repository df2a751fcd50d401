// Text for slogans: finding fonts (fontconfig), Chinese line breaking, choosing the
// largest size that fits, and drawing to an RGBA image. No SDL or fontconfig types
// leak out.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/error.h"
#include "media/image.h"
#include "playlist/model.h"

namespace signage {

// ---- Pure layout (no fonts needed; unit-tested on its own) ----

// Whether a line may break between `before` and `after` under the kinsoku rules
// (no line starts with 、，。！？）」 and the like; no line ends with （「 and the like;
// Latin words and numbers are not split).
bool can_break_between(char32_t before, char32_t after);

// How good a place to break is, worst first (segment.cpp explains each).
enum class BreakClass : std::uint8_t { never, inside, seam, single, part, word, clause };

// The classes of one paragraph (no newlines) of n characters: cls[i] is the break
// before character i (cls[0] unused, cls[n] the paragraph's end); quoted[i] is true
// inside a quotation or a title (“安全生产月”, 《安全生产法》).
struct Breaks {
  std::vector<BreakClass> cls;
  std::vector<bool> quoted;
};
// Word boundaries from ICU's dictionary (Chinese), ranked by the typesetting rules.
Breaks break_classes(std::u32string_view para);

// Stops a long layout: a deadline and a stop flag another thread or a signal
// handler may set. Layouts check it every few thousand steps and then finish the
// cheap way (greedy breaks; fit_text then tries only the sizes its bisection has
// left), or at once when stopped.
class LayoutControl {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LayoutControl(Clock::time_point deadline, const std::atomic<bool>* stop = nullptr)
      : deadline_(deadline), stop_(stop) {}
  bool cancelled() const { return stop_ != nullptr && stop_->load(std::memory_order_relaxed); }
  bool expired() const { return cancelled() || Clock::now() >= deadline_; }

 private:
  Clock::time_point deadline_;
  const std::atomic<bool>* stop_;
};

struct Broken {
  std::vector<std::u32string> lines;
  bool clean = true;     // no break inside a word, no kinsoku breach, no 1-2 character last line
  bool even = true;      // in each paragraph the shortest line is at least half the longest
  bool balanced = true;  // false: the control stopped the dynamic program (greedy lines)
};

// A text cut at its newlines into paragraphs, each with its break classes: what
// depends on the text alone (ICU's segmentation), worked out once for all the
// widths and sizes a layout tries. Borrows `text`, which must outlive it.
class BreakAnalysis {
 public:
  explicit BreakAnalysis(std::u32string_view text);
  struct Paragraph {
    std::size_t start = 0, end = 0;  // [start, end) in the text; empty: an empty line
    Breaks breaks;
  };
  std::u32string_view text() const { return text_; }
  const std::vector<Paragraph>& paragraphs() const { return paras_; }

 private:
  std::u32string_view text_;
  std::vector<Paragraph> paras_;
};

// Breaks `text` into lines of at most `max_width`, given the advance of each of its
// characters. '\n' (and "\r\n") always breaks; a final '\n' adds no empty line.
// The breaks minimise raggedness and break cost over each paragraph (line_break.cpp).
// Spaces at a wrap are dropped. A character wider than a line gets a line of its own.
Broken break_text(const BreakAnalysis& text, const std::vector<int>& advances, int max_width,
                  const LayoutControl* control = nullptr);
inline Broken break_text(std::u32string_view text, const std::vector<int>& advances, int max_width,
                         const LayoutControl* control = nullptr) {
  return break_text(BreakAnalysis(text), advances, max_width, control);
}

// Width of a run of text at the current size, in pixels.
using MeasureFn = std::function<int(std::u32string_view)>;
// break_text with each character measured once by `measure`.
std::vector<std::u32string> break_lines(std::u32string_view text, int max_width,
                                        const MeasureFn& measure);

// Whether line[k] (a full-width 、，。 or closing mark at the line's end or before
// another full-width mark) takes half its advance.
bool squeezed(std::u32string_view line, std::size_t k);

// ---- Fonts and drawing ----

// Two ordered chains of fonts, regular and bold: each character is drawn with the
// first font of the chain that has a glyph for it (CJK font first, then Latin and
// symbol fonts). The bold chain uses real bold faces (Noto Sans CJK SC Bold) and
// SDL_ttf's synthetic bold only for a font with no bold face.
// Thread: one thread uses a set, the one that opened it (SDL_ttf's fonts are not
// thread-safe), except that the stop flag it is given may be set from anywhere, a
// signal handler included. Two sets may be used at the same time on two threads
// (see another()).
class FontSet {
 public:
  // `preferred`: a font file to put first (from the device config); may be empty.
  // The rest come from fontconfig in a fixed order (fonts.cpp, fontconfig_faces).
  static Result<FontSet> open(const std::filesystem::path& preferred);
  FontSet(FontSet&&) noexcept;
  FontSet& operator=(FontSet&&) noexcept;
  ~FontSet();

  // The same fonts for another thread: a set of its own (the fonts are opened again
  // as it needs them), used by the first thread that lays out or draws with it; the
  // layout budget is copied, the stop flag is not. Any thread may destroy it.
  FontSet another() const;

  // The font files of a chain, in order.
  std::vector<std::filesystem::path> files(FontWeight weight = FontWeight::regular) const;
  // True when bold text is drawn with SDL_ttf's synthetic bold (no bold CJK face);
  // worth a line in the start-up log.
  bool synthetic_bold() const;

  // Every fit_text on this set stops (returning what it has) once `*stop` is true,
  // and spends at most `budget` on balanced lines: after it, the largest size at
  // which greedy lines fit (a few cheap layouts more), with no search for better
  // breaks at smaller sizes. The flag must outlive the set; nullptr: none.
  void set_stop_flag(const std::atomic<bool>* stop);
  void set_layout_budget(std::chrono::milliseconds budget);
  // Whether the stop flag is set (work on many texts, e.g. a ticker's, ends there).
  bool stopped() const;

  // Width in pixels of a run at `size_px`.
  int measure(std::u32string_view text, int size_px);
  // Distance between baselines at `size_px`: the largest line skip of the regular
  // chain's fonts, so any text fits. (fit_text and draw_text use only the fonts a
  // layout actually uses.)
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
  int width = 0;          // widest line, as drawn (squeezed marks at half)
  int height = 0;         // lines * line height
  bool fits = true;       // within the box (false: even the smallest size overflows)
  bool clean = true;      // no break inside a word, no kinsoku breach, no 1-2 character last line
  bool even = true;       // in each paragraph the shortest line is at least half the longest
  bool balanced = true;   // false: the layout's time ran out or it was stopped (greedy lines)
  bool stopped = false;   // the set's stop flag was set: the layout is whatever was done
};

// The largest size (up to `max_size_px`) at which the slogan `text` fits `box_w` x
// `box_h` with balanced lines: a size down to 70 % of the largest that fits at all is
// preferred to uneven lines or bad breaks, down to 50 % to bad breaks (inside a
// word or a number run, a last line of one or two characters). Laid out with the
// chain of `weight`.
// The text is prepared first (text/prepare.h: invisible and control characters
// dropped, cut at kMaxSloganChars), so no input costs more than the limit's layout;
// the set's budget and stop flag bound it further.
TextLayout fit_text(FontSet& fonts, std::string_view utf8_text, int box_w, int box_h,
                    int max_size_px, FontWeight weight = FontWeight::regular);

// One line of ticker text at the largest size (up to `max_size_px`) whose line
// height fits `box_h`; no breaking, so linear in the text (prepared as a ticker
// text: cut at kMaxTickerChars).
TextLayout fit_line(FontSet& fonts, std::string_view utf8_text, int box_h, int max_size_px,
                    FontWeight weight = FontWeight::regular);

// One line (no breaking) at the largest size whose line height fits `box_h` and
// whose width fits `box_w`; when even size 1 is too wide, `fits` is false.
// (A strip's slogan, a header title.)
TextLayout fit_one_line(FontSet& fonts, std::string_view utf8_text, int box_w, int box_h,
                        FontWeight weight = FontWeight::regular);

// Whether any font of the regular chain has a glyph for `c` (else it shows as a box).
bool has_glyph(FontSet& fonts, char32_t c);

// What `signage check` says about a campaign's slogans and ticker texts, laid out
// and drawn as the player would: an error for a text that draws nothing, a warning
// for each character no installed font has. (Limits and control characters are the
// loader's, text/prepare.h.)
std::vector<Diagnostic> check_campaign_texts(FontSet& fonts, const Campaign& c);

// How glyphs are painted: a colour, and for text over pictures an outline around
// each glyph and a shadow under them (a style's outline/shadow keys).
struct TextPaint {
  TextPaint() = default;
  explicit TextPaint(Rgb c) : color(c) {}
  Rgb color{255, 255, 255};
  std::optional<Rgb> outline;
  int outline_width = 2;  // px
  std::optional<Rgb> shadow;
  int shadow_offset = 3;  // px, right and down
  static TextPaint of(const Style& s) {
    TextPaint p(s.color);
    p.outline = s.outline;
    p.outline_width = s.outline_width;
    p.shadow = s.shadow;
    p.shadow_offset = s.shadow_offset;
    return p;
  }
  // How far the paint reaches past the glyphs' advances, in pixels.
  int reach() const { return (outline ? outline_width : 0) + (shadow ? shadow_offset : 0); }
};

// Draws a layout centred, each line centred, onto a transparent image of box size:
// the shadow first, then the outline, then the glyphs.
// `weight` must be the one the layout was fitted with. Once the set's stop flag is
// set it returns the image as drawn so far (a long ticker text takes a second).
Result<Image> draw_text(FontSet& fonts, const TextLayout& layout, int box_w, int box_h, const TextPaint& paint,
                        FontWeight weight = FontWeight::regular);
inline Result<Image> draw_text(FontSet& fonts, const TextLayout& layout, int box_w, int box_h, Rgb color,
                               FontWeight weight = FontWeight::regular) {
  return draw_text(fonts, layout, box_w, box_h, TextPaint{color}, weight);
}

}  // namespace signage
