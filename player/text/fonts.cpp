// Font chain (fontconfig + SDL_ttf), measuring, auto-fit and drawing to RGBA.
#include <SDL.h>
#include <SDL_ttf.h>
#include <fontconfig/fontconfig.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/text_util.h"
#include "text/text.h"

namespace signage {
namespace {

namespace fs = std::filesystem;

// ---- Owners for the C handles ----

struct TtfFontCloser {
  void operator()(TTF_Font* f) const noexcept { TTF_CloseFont(f); }
};
using TtfFontPtr = std::unique_ptr<TTF_Font, TtfFontCloser>;

struct SurfaceDeleter {
  void operator()(SDL_Surface* s) const noexcept { SDL_FreeSurface(s); }
};
using SurfacePtr = std::unique_ptr<SDL_Surface, SurfaceDeleter>;

struct FcConfigDeleter {
  void operator()(FcConfig* c) const noexcept { FcConfigDestroy(c); }
};
using FcConfigPtr = std::unique_ptr<FcConfig, FcConfigDeleter>;

struct FcPatternDeleter {
  void operator()(FcPattern* p) const noexcept { FcPatternDestroy(p); }
};
using FcPatternPtr = std::unique_ptr<FcPattern, FcPatternDeleter>;

// One TTF_Init for each live FontSet, one TTF_Quit when it goes (SDL_ttf counts).
class TtfLibrary {
 public:
  TtfLibrary() : ok_(TTF_Init() == 0) {}
  TtfLibrary(const TtfLibrary&) = delete;
  TtfLibrary& operator=(const TtfLibrary&) = delete;
  ~TtfLibrary() {
    if (ok_) TTF_Quit();
  }
  bool ok() const { return ok_; }

 private:
  bool ok_;
};

struct Face {
  fs::path file;
  long index = 0;  // face in a collection (.ttc)
};

// The fonts fontconfig offers: a CJK sans font, then general sans and DejaVu Sans.
std::vector<Face> fontconfig_faces() {
  std::vector<Face> faces;
  FcConfigPtr config(FcInitLoadConfigAndFonts());
  if (!config) return faces;
  struct Query {
    const char* pattern;
    bool cjk;
  };
  static constexpr Query kQueries[] = {
      {"sans-serif:lang=zh-cn", true},
      {"sans-serif:lang=en", false},
      {"DejaVu Sans", false},
  };
  for (const Query& q : kQueries) {
    FcPatternPtr pattern(FcNameParse(reinterpret_cast<const FcChar8*>(q.pattern)));
    if (!pattern) continue;
    FcConfigSubstitute(config.get(), pattern.get(), FcMatchPattern);
    FcDefaultSubstitute(pattern.get());
    FcResult result = FcResultNoMatch;
    FcPatternPtr match(FcFontMatch(config.get(), pattern.get(), &result));
    if (!match || result != FcResultMatch) continue;
    FcChar8* file = nullptr;
    if (FcPatternGetString(match.get(), FC_FILE, 0, &file) != FcResultMatch || !file) continue;
    int index = 0;
    if (FcPatternGetInteger(match.get(), FC_INDEX, 0, &index) != FcResultMatch) index = 0;
    if (q.cjk) {
      // fontconfig always returns its best font, CJK or not; keep it only if it
      // really has Chinese (安, U+5B89).
      FcCharSet* charset = nullptr;
      if (FcPatternGetCharSet(match.get(), FC_CHARSET, 0, &charset) != FcResultMatch ||
          !FcCharSetHasChar(charset, 0x5b89)) {
        continue;
      }
    }
    faces.push_back(Face{fs::path(reinterpret_cast<const char*>(file)), index});
  }
  return faces;
}

std::string path_key(const fs::path& p) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal().string() : canonical.string();
}

bool readable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), R_OK) == 0;
}

struct Run {
  std::size_t face = 0;
  std::string utf8;
  int width = 0;
};

struct Metrics {
  int line_skip = 0;
  int ascent = 0;
};

}  // namespace

struct FontSet::Impl {
  TtfLibrary ttf;  // first member, so it is destroyed last
  std::vector<Face> faces;
  std::thread::id owner = std::this_thread::get_id();
  int style = TTF_STYLE_NORMAL;  // TTF_STYLE_BOLD while a bold text is laid out or drawn

  // Open fonts by (face, size); least recently used goes first when full.
  struct Cached {
    std::size_t face;
    int size;
    std::uint64_t used;
    TtfFontPtr font;
  };
  std::vector<Cached> cache;
  std::uint64_t clock = 0;

  std::size_t cache_limit() const { return std::max<std::size_t>(32, 2 * faces.size()); }

  // nullptr when the face cannot be opened at that size.
  TTF_Font* font(std::size_t face, int size) {
    assert(std::this_thread::get_id() == owner && "FontSet used off its thread");
    size = std::max(size, 1);
    for (Cached& c : cache) {
      if (c.face == face && c.size == size) {
        c.used = ++clock;
        if (TTF_GetFontStyle(c.font.get()) != style) TTF_SetFontStyle(c.font.get(), style);
        return c.font.get();
      }
    }
    TtfFontPtr opened(TTF_OpenFontIndex(faces[face].file.c_str(), size, faces[face].index));
    if (!opened) return nullptr;
    TTF_SetFontStyle(opened.get(), style);
    if (cache.size() >= cache_limit()) {
      auto oldest = std::min_element(cache.begin(), cache.end(),
                                     [](const Cached& a, const Cached& b) { return a.used < b.used; });
      cache.erase(oldest);
    }
    cache.push_back(Cached{face, size, ++clock, std::move(opened)});
    return cache.back().font.get();
  }

  // The first face that has a glyph for c; the first face if none has.
  std::size_t face_for(char32_t c, int size) {
    for (std::size_t i = 0; i < faces.size(); ++i) {
      TTF_Font* f = font(i, size);
      if (f && TTF_GlyphIsProvided32(f, static_cast<Uint32>(c)) != 0) return i;
    }
    return 0;
  }

  // `text` cut where the face changes, each piece with its width.
  std::vector<Run> runs(std::u32string_view text, int size) {
    std::vector<Run> out;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t face = face_for(text[start], size);
      std::size_t end = start + 1;
      while (end < text.size() && face_for(text[end], size) == face) ++end;
      Run run{face, u32_to_utf8(text.substr(start, end - start)), 0};
      int w = 0;
      int h = 0;
      if (TTF_Font* f = font(face, size); f && TTF_SizeUTF8(f, run.utf8.c_str(), &w, &h) == 0) {
        run.width = w;
      }
      out.push_back(std::move(run));
      start = end;
    }
    return out;
  }

  int measure(std::u32string_view text, int size) {
    int w = 0;
    for (const Run& r : runs(text, size)) w += r.width;
    return w;
  }

  // Line skip and ascent: the largest over the faces the lines use (the first face's
  // when they use none, e.g. no text).
  Metrics metrics(const std::vector<std::u32string>& lines, int size) {
    std::vector<bool> used(faces.size(), false);
    bool any = false;
    for (const std::u32string& line : lines) {
      for (char32_t c : line) {
        used[face_for(c, size)] = true;
        any = true;
      }
    }
    if (!any) used[0] = true;
    Metrics m;
    for (std::size_t i = 0; i < faces.size(); ++i) {
      if (!used[i]) continue;
      if (TTF_Font* f = font(i, size)) {
        m.line_skip = std::max(m.line_skip, TTF_FontLineSkip(f));
        m.ascent = std::max(m.ascent, TTF_FontAscent(f));
      }
    }
    return m;
  }
};

FontSet::FontSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FontSet::FontSet(FontSet&&) noexcept = default;
FontSet& FontSet::operator=(FontSet&&) noexcept = default;
FontSet::~FontSet() = default;

Result<FontSet> FontSet::open(const fs::path& preferred) {
  auto impl = std::make_unique<Impl>();
  if (!impl->ttf.ok()) return Error("cannot start SDL_ttf", Error(TTF_GetError()));

  std::vector<Face> candidates;
  if (!preferred.empty() && readable_file(preferred)) candidates.push_back(Face{preferred, 0});
  for (Face& f : fontconfig_faces()) candidates.push_back(std::move(f));

  std::vector<std::string> seen;
  for (Face& f : candidates) {
    const std::string key = path_key(f.file);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    // Keep only fonts SDL_ttf can actually open.
    TtfFontPtr probe(TTF_OpenFontIndex(f.file.c_str(), 16, f.index));
    if (!probe) continue;
    impl->faces.push_back(std::move(f));
  }
  if (impl->faces.empty()) {
    return Error("no font found; install fonts-noto-cjk or fonts-wqy-microhei, or set [display] font");
  }
  return FontSet(std::move(impl));
}

std::vector<fs::path> FontSet::files() const {
  std::vector<fs::path> out;
  for (const Face& f : impl_->faces) out.push_back(f.file);
  return out;
}

int FontSet::measure(std::u32string_view text, int size_px) {
  return impl_->measure(text, size_px);
}

int FontSet::line_height(int size_px) {
  int skip = 0;
  for (std::size_t i = 0; i < impl_->faces.size(); ++i) {
    if (TTF_Font* f = impl_->font(i, size_px)) skip = std::max(skip, TTF_FontLineSkip(f));
  }
  return skip;
}

namespace {

TextLayout layout_at(FontSet::Impl& impl, std::u32string_view text, int box_w, int size) {
  TextLayout layout;
  layout.size_px = size;
  layout.lines = break_lines(text, box_w, [&](std::u32string_view s) { return impl.measure(s, size); });
  for (const std::u32string& line : layout.lines) {
    layout.width = std::max(layout.width, impl.measure(line, size));
  }
  layout.height = static_cast<int>(layout.lines.size()) * impl.metrics(layout.lines, size).line_skip;
  return layout;
}

// Straight-alpha "over" of an RGBA32 surface onto the image at (x0, y0), clipped.
void composite(Image& dst, SDL_Surface* src, int x0, int y0) {
  const bool lock = SDL_MUSTLOCK(src);
  if (lock && SDL_LockSurface(src) != 0) return;
  const auto* pixels = static_cast<const std::uint8_t*>(src->pixels);
  for (int sy = 0; sy < src->h; ++sy) {
    const int y = y0 + sy;
    if (y < 0 || y >= dst.height) continue;
    const std::uint8_t* s = pixels + static_cast<std::ptrdiff_t>(sy) * src->pitch;
    for (int sx = 0; sx < src->w; ++sx, s += 4) {
      const int x = x0 + sx;
      const int sa = s[3];
      if (x < 0 || x >= dst.width || sa == 0) continue;
      std::uint8_t* d = &dst.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(dst.width) +
                                   static_cast<std::size_t>(x)) * 4];
      const int da = d[3];
      const int keep = da * (255 - sa);  // destination weight, scaled by 255
      const int out_a255 = sa * 255 + keep;
      for (int k = 0; k < 3; ++k) {
        d[k] = static_cast<std::uint8_t>((s[k] * sa * 255 + d[k] * keep + out_a255 / 2) / out_a255);
      }
      d[3] = static_cast<std::uint8_t>((out_a255 + 127) / 255);
    }
  }
  if (lock) SDL_UnlockSurface(src);
}

// Sets the weight for the length of one fit_text or draw_text call.
class WeightScope {
 public:
  WeightScope(FontSet::Impl& impl, FontWeight w) : impl_(impl) {
    impl_.style = w == FontWeight::bold ? TTF_STYLE_BOLD : TTF_STYLE_NORMAL;
  }
  WeightScope(const WeightScope&) = delete;
  WeightScope& operator=(const WeightScope&) = delete;
  ~WeightScope() { impl_.style = TTF_STYLE_NORMAL; }

 private:
  FontSet::Impl& impl_;
};

}  // namespace

TextLayout fit_text(FontSet& fonts, std::string_view utf8_text, int box_w, int box_h,
                    int max_size_px, FontWeight weight) {
  FontSet::Impl& impl = fonts.impl();
  const WeightScope scope(impl, weight);
  const std::u32string text = utf8_to_u32(utf8_text);
  auto fits = [&](const TextLayout& l) { return l.width <= box_w && l.height <= box_h; };

  int lo = std::max(1, std::min(8, max_size_px));
  int hi = std::max(lo, max_size_px);
  TextLayout best = layout_at(impl, text, box_w, lo);
  if (!fits(best)) return best;  // too much text: smallest size, overflowing
  // Invariant: size lo fits; find the largest size that fits in (lo, hi].
  while (lo < hi) {
    const int mid = lo + (hi - lo + 1) / 2;
    TextLayout l = layout_at(impl, text, box_w, mid);
    if (fits(l)) {
      lo = mid;
      best = std::move(l);
    } else {
      hi = mid - 1;
    }
  }
  return best;
}

Result<Image> draw_text(FontSet& fonts, const TextLayout& layout, int box_w, int box_h, Rgb color,
                        FontWeight weight) {
  if (box_w <= 0 || box_h <= 0) {
    return Error("cannot draw text into a " + std::to_string(box_w) + "x" + std::to_string(box_h) + " box");
  }
  Image image;
  image.width = box_w;
  image.height = box_h;
  image.rgba.assign(static_cast<std::size_t>(box_w) * static_cast<std::size_t>(box_h) * 4, 0);
  if (layout.lines.empty()) return image;

  FontSet::Impl& impl = fonts.impl();
  const WeightScope scope(impl, weight);
  const int size = layout.size_px;
  const Metrics m = impl.metrics(layout.lines, size);
  const int block_h = static_cast<int>(layout.lines.size()) * m.line_skip;
  const int top = (box_h - block_h) / 2;
  const SDL_Color fg{color.r, color.g, color.b, 255};

  for (std::size_t i = 0; i < layout.lines.size(); ++i) {
    std::vector<Run> runs = impl.runs(layout.lines[i], size);
    int line_w = 0;
    for (const Run& r : runs) line_w += r.width;
    int x = (box_w - line_w) / 2;
    const int baseline = top + static_cast<int>(i) * m.line_skip + m.ascent;
    for (const Run& r : runs) {
      TTF_Font* font = impl.font(r.face, size);
      if (!font) return Error("cannot open font " + impl.faces[r.face].file.string(), Error(TTF_GetError()));
      const bool blank = r.utf8.find_first_not_of(" \t") == std::string::npos;
      if (!blank) {
        SurfacePtr rendered(TTF_RenderUTF8_Blended(font, r.utf8.c_str(), fg));
        if (!rendered) return Error("cannot draw text \"" + r.utf8 + "\"", Error(TTF_GetError()));
        // Explicit byte order: RGBA32 is R, G, B, A in memory on any endianness.
        SurfacePtr rgba(SDL_ConvertSurfaceFormat(rendered.get(), SDL_PIXELFORMAT_RGBA32, 0));
        if (!rgba) return Error("cannot convert drawn text to RGBA", Error(SDL_GetError()));
        composite(image, rgba.get(), x, baseline - TTF_FontAscent(font));
      }
      x += r.width;
    }
  }
  return image;
}

}  // namespace signage
