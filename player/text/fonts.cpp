// Font chain (fontconfig + SDL_ttf), measuring, auto-fit and drawing to RGBA.
#include <SDL.h>
#include <SDL_ttf.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/text_util.h"
#include "text/prepare.h"
#include "text/text.h"

namespace signage {
namespace {

namespace fs = std::filesystem;

// ---- Owners for the C handles ----

// SDL_ttf keeps one FreeType library for the process, and FreeType asks that faces
// of one library are created and destroyed under a lock when several threads use
// it (drawing with different faces at once is safe). Held around TTF_Init, TTF_Quit,
// TTF_OpenFontIndex and TTF_CloseFont, so FontSets may live on different threads.
std::mutex& freetype_mutex() {
  static auto* mu = new std::mutex;  // never destroyed: fonts may close at exit
  return *mu;
}

TTF_Font* open_font(const std::filesystem::path& file, int size, long index) {
  std::lock_guard lock(freetype_mutex());
  return TTF_OpenFontIndex(file.c_str(), size, index);
}

struct TtfFontCloser {
  void operator()(TTF_Font* f) const noexcept {
    std::lock_guard lock(freetype_mutex());
    TTF_CloseFont(f);
  }
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
  TtfLibrary() {
    std::lock_guard lock(freetype_mutex());
    ok_ = TTF_Init() == 0;
  }
  TtfLibrary(const TtfLibrary&) = delete;
  TtfLibrary& operator=(const TtfLibrary&) = delete;
  ~TtfLibrary() {
    std::lock_guard lock(freetype_mutex());
    if (ok_) TTF_Quit();
  }
  bool ok() const { return ok_; }

 private:
  bool ok_ = false;
};

// A font file mapped into memory, read-only. SDL_ttf reads a font opened from a
// file through stdio, a seek and a read for each table and glyph it loads (a
// thousand system calls for the glyphs of one long slogan); from memory the same
// loads are copies out of the page cache, shared by every size opened of it.
class MappedFile {
 public:
  static std::unique_ptr<MappedFile> open(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st {};
    void* data = MAP_FAILED;
    if (::fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (1LL << 31)) {
      data = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    }
    ::close(fd);
    if (data == MAP_FAILED) return nullptr;
    return std::unique_ptr<MappedFile>(new MappedFile(data, static_cast<std::size_t>(st.st_size)));
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() { ::munmap(data_, size_); }
  const void* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  MappedFile(void* data, std::size_t size) : data_(data), size_(size) {}
  void* data_;
  std::size_t size_;
};

struct Face {
  fs::path file;
  long index = 0;          // face in a collection (.ttc)
  bool embolden = false;   // a bold chain's face that has no bold of its own (SDL_ttf's synthetic bold)
};

// The fonts fontconfig offers for a weight, in a fixed order so that a box with
// more fonts installed draws the same: Noto Sans CJK SC (fonts-noto-cjk, real
// Regular and Bold), whatever sans font covers Simplified Chinese, WenQuanYi Micro
// Hei (fonts-wqy-microhei), then general sans and DejaVu Sans for the rest.
std::vector<Face> fontconfig_faces(FcConfig* config, bool bold) {
  std::vector<Face> faces;
  struct Query {
    const char* pattern;
    const char* family;  // the match must be this family, or it is not used
    bool cjk;
  };
  static constexpr Query kQueries[] = {
      {"Noto Sans CJK SC:lang=zh-cn", "Noto Sans CJK SC", true},
      {"sans-serif:lang=zh-cn", nullptr, true},
      {"WenQuanYi Micro Hei", "WenQuanYi Micro Hei", true},
      {"sans-serif:lang=en", nullptr, false},
      {"DejaVu Sans", "DejaVu Sans", false},
  };
  for (const Query& q : kQueries) {
    FcPatternPtr pattern(FcNameParse(reinterpret_cast<const FcChar8*>(q.pattern)));
    if (!pattern) continue;
    FcPatternAddInteger(pattern.get(), FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcConfigSubstitute(config, pattern.get(), FcMatchPattern);
    FcDefaultSubstitute(pattern.get());
    FcResult result = FcResultNoMatch;
    FcPatternPtr match(FcFontMatch(config, pattern.get(), &result));
    if (!match || result != FcResultMatch) continue;
    FcChar8* file = nullptr;
    if (FcPatternGetString(match.get(), FC_FILE, 0, &file) != FcResultMatch || !file) continue;
    int index = 0;
    if (FcPatternGetInteger(match.get(), FC_INDEX, 0, &index) != FcResultMatch) index = 0;
    if (q.family != nullptr) {
      FcChar8* family = nullptr;
      bool same = false;
      for (int i = 0; FcPatternGetString(match.get(), FC_FAMILY, i, &family) == FcResultMatch; ++i) {
        same = same || std::string_view(reinterpret_cast<const char*>(family)) == q.family;
      }
      if (!same) continue;
    }
    if (q.cjk) {
      // fontconfig always returns its best font, CJK or not; keep it only if it
      // really has Chinese (安, U+5B89).
      FcCharSet* charset = nullptr;
      if (FcPatternGetCharSet(match.get(), FC_CHARSET, 0, &charset) != FcResultMatch ||
          !FcCharSetHasChar(charset, 0x5b89)) {
        continue;
      }
    }
    int weight = FC_WEIGHT_REGULAR;
    if (FcPatternGetInteger(match.get(), FC_WEIGHT, 0, &weight) != FcResultMatch) weight = FC_WEIGHT_REGULAR;
    faces.push_back(Face{fs::path(reinterpret_cast<const char*>(file)), index, bold && weight < FC_WEIGHT_DEMIBOLD});
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
  std::vector<Face> faces;                 // every face of both chains
  std::vector<std::size_t> chains[2];      // indices into faces: [0] regular, [1] bold
  int weight = 0;                          // the chain in use: 1 while a bold text is laid out or drawn
  // The thread that uses the set: the one that opened it, or for a set made by
  // another(), the first that uses it.
  std::thread::id owner = std::this_thread::get_id();
  const std::atomic<bool>* stop = nullptr;
  std::chrono::milliseconds budget{250};

  // The font files in memory, by path (before `cache`: the fonts opened from them
  // close first). A file that cannot be mapped is opened as a file.
  std::unordered_map<std::string, std::unique_ptr<MappedFile>> mapped;

  // Open fonts by (face, size); least recently used goes first when full.
  struct Cached {
    std::size_t face;
    int size;
    std::uint64_t used;
    TtfFontPtr font;
  };
  std::vector<Cached> cache;
  std::uint64_t clock = 0;
  // Which face of each chain draws a character, and advances by (face, size, character).
  std::unordered_map<std::uint64_t, std::size_t> face_of;
  std::unordered_map<std::uint64_t, int> advance_of;

  const std::vector<std::size_t>& chain() const { return chains[weight]; }
  std::size_t cache_limit() const { return std::max<std::size_t>(32, 2 * faces.size()); }

  // nullptr when the face cannot be opened at that size. Opening a big collection
  // costs tens of milliseconds, so a face keeps at most three open sizes and a new
  // size re-sizes the least recently used of them (TTF_SetFontSize).
  TTF_Font* font(std::size_t face, int size) {
    if (owner == std::thread::id{}) owner = std::this_thread::get_id();
    assert(std::this_thread::get_id() == owner && "FontSet used off its thread");
    size = std::clamp(size, 1, 4095);
    Cached* oldest_of_face = nullptr;
    int open_of_face = 0;
    for (Cached& c : cache) {
      if (c.face != face) continue;
      if (c.size == size) {
        c.used = ++clock;
        return c.font.get();
      }
      ++open_of_face;
      if (oldest_of_face == nullptr || c.used < oldest_of_face->used) oldest_of_face = &c;
    }
    if (open_of_face >= 3 && TTF_SetFontSize(oldest_of_face->font.get(), size) == 0) {
      oldest_of_face->size = size;
      oldest_of_face->used = ++clock;
      return oldest_of_face->font.get();
    }
    TtfFontPtr opened(open_face(faces[face], size));
    if (!opened) return nullptr;
    TTF_SetFontStyle(opened.get(), faces[face].embolden ? TTF_STYLE_BOLD : TTF_STYLE_NORMAL);
    if (cache.size() >= cache_limit()) {
      auto oldest = std::min_element(cache.begin(), cache.end(),
                                     [](const Cached& a, const Cached& b) { return a.used < b.used; });
      cache.erase(oldest);
    }
    cache.push_back(Cached{face, size, ++clock, std::move(opened)});
    return cache.back().font.get();
  }

  // `f` at `size`, from its file mapped into memory when it can be.
  TTF_Font* open_face(const Face& f, int size) {
    std::lock_guard lock(freetype_mutex());  // see freetype_mutex()
    auto it = mapped.find(f.file.string());
    if (it == mapped.end()) it = mapped.emplace(f.file.string(), MappedFile::open(f.file)).first;
    if (const MappedFile* m = it->second.get()) {
      if (SDL_RWops* rw = SDL_RWFromConstMem(m->data(), static_cast<int>(m->size()))) {
        // SDL_ttf closes the SDL_RWops with the font (freesrc = 1), even when opening fails.
        if (TTF_Font* font = TTF_OpenFontIndexRW(rw, 1, size, f.index)) return font;
        return nullptr;
      }
    }
    return TTF_OpenFontIndex(f.file.c_str(), size, f.index);
  }

  // The first face of the chain that has a glyph for c; the chain's first if none has.
  std::size_t face_for(char32_t c, int size) {
    const std::uint64_t key = (static_cast<std::uint64_t>(weight) << 32) | c;
    if (auto it = face_of.find(key); it != face_of.end()) return it->second;
    std::size_t found = chain().front();
    for (std::size_t i : chain()) {
      TTF_Font* f = font(i, size);
      if (f && TTF_GlyphIsProvided32(f, static_cast<Uint32>(c)) != 0) {
        found = i;
        break;
      }
    }
    face_of.emplace(key, found);
    return found;
  }

  // Advances and line metrics are measured once, at kRefSize, and scaled: the size
  // search then opens no font (a new size costs a glyph load per character).
  static constexpr int kRefSize = 1024;

  // The advance of one character at kRefSize (cached).
  int ref_advance(char32_t c) {
    if (c == U'\n' || c == U'\r') return 0;
    const std::size_t face = face_for(c, kRefSize);
    const std::uint64_t key = (static_cast<std::uint64_t>(face) << 32) | (c & 0x1fffff);
    if (auto it = advance_of.find(key); it != advance_of.end()) return it->second;
    int adv = 0, minx = 0, maxx = 0, miny = 0, maxy = 0;
    if (TTF_Font* f = font(face, kRefSize); !f || TTF_GlyphMetrics32(f, static_cast<Uint32>(c), &minx, &maxx, &miny,
                                                                      &maxy, &adv) != 0) {
      adv = 0;
    }
    advance_of.emplace(key, adv);
    return adv;
  }

  // An advance at kRefSize scaled to `size`.
  static int scaled(int ref, int size) {
    return static_cast<int>((static_cast<long long>(ref) * size + kRefSize / 2) / kRefSize);
  }
  // The advance of one character at `size`, scaled from kRefSize.
  int advance(char32_t c, int size) { return scaled(ref_advance(c), size); }

  // A line's width from the scaled advances (what the size search uses).
  int estimated_width(std::u32string_view line, int size) {
    long long w = 0;
    for (std::size_t k = 0; k < line.size(); ++k) {
      const int a = advance(line[k], size);
      w += squeezed(line, k) ? a - a / 2 : a;
    }
    return static_cast<int>(w);
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

  // A line's width as drawn: measured, less the halves of its squeezed marks.
  int line_width(std::u32string_view line, int size) {
    int w = measure(line, size);
    for (std::size_t k = 0; k < line.size(); ++k) {
      if (squeezed(line, k)) w -= advance(line[k], size) / 2;
    }
    return w;
  }

  // Line skip and ascent: the largest over the faces the lines use (the chain's
  // first face's when they use none, e.g. no text).
  Metrics metrics(const std::vector<std::u32string>& lines, int size, bool estimate = false) {
    std::vector<bool> used(faces.size(), false);
    bool any = false;
    for (const std::u32string& line : lines) {
      for (char32_t c : line) {
        used[face_for(c, size)] = true;
        any = true;
      }
    }
    if (!any) used[chain().front()] = true;
    Metrics m;
    for (std::size_t i = 0; i < faces.size(); ++i) {
      if (!used[i]) continue;
      if (TTF_Font* f = font(i, estimate ? kRefSize : size)) {
        const int skip = TTF_FontLineSkip(f), ascent = TTF_FontAscent(f);
        m.line_skip = std::max(m.line_skip, estimate ? (skip * size + kRefSize - 1) / kRefSize : skip);
        m.ascent = std::max(m.ascent, estimate ? (ascent * size + kRefSize - 1) / kRefSize : ascent);
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
  FcConfigPtr config(FcInitLoadConfigAndFonts());
  for (int bold = 0; bold < 2; ++bold) {
    std::vector<Face> candidates;
    if (!preferred.empty() && readable_file(preferred)) candidates.push_back(Face{preferred, 0, bold == 1});
    if (config) {
      for (Face& f : fontconfig_faces(config.get(), bold == 1)) candidates.push_back(std::move(f));
    }
    std::vector<std::string> seen;
    for (Face& f : candidates) {
      const std::string key = path_key(f.file) + "#" + std::to_string(f.index);
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      // Keep only fonts SDL_ttf can actually open; a face in both chains is opened once.
      auto same = [&](const Face& g) { return g.file == f.file && g.index == f.index && g.embolden == f.embolden; };
      auto it = std::find_if(impl->faces.begin(), impl->faces.end(), same);
      if (it == impl->faces.end()) {
        TtfFontPtr probe(open_font(f.file, 16, f.index));
        if (!probe) continue;
        impl->faces.push_back(std::move(f));
        it = impl->faces.end() - 1;
      }
      impl->chains[bold].push_back(static_cast<std::size_t>(it - impl->faces.begin()));
    }
  }
  if (impl->chains[0].empty() || impl->chains[1].empty()) {
    return Error("no font found; install fonts-noto-cjk or fonts-wqy-microhei, or set [display] font");
  }
  return FontSet(std::move(impl));
}

FontSet FontSet::another() const {
  auto impl = std::make_unique<Impl>();
  impl->faces = impl_->faces;
  impl->chains[0] = impl_->chains[0];
  impl->chains[1] = impl_->chains[1];
  impl->budget = impl_->budget;
  impl->owner = std::thread::id{};
  return FontSet(std::move(impl));
}

std::vector<fs::path> FontSet::files(FontWeight weight) const {
  std::vector<fs::path> out;
  for (std::size_t i : impl_->chains[weight == FontWeight::bold ? 1 : 0]) out.push_back(impl_->faces[i].file);
  return out;
}

bool FontSet::synthetic_bold() const { return impl_->faces[impl_->chains[1].front()].embolden; }

void FontSet::set_stop_flag(const std::atomic<bool>* stop) { impl_->stop = stop; }

void FontSet::set_layout_budget(std::chrono::milliseconds budget) { impl_->budget = budget; }

bool FontSet::stopped() const { return impl_->stop != nullptr && impl_->stop->load(std::memory_order_relaxed); }

int FontSet::measure(std::u32string_view text, int size_px) {
  return impl_->measure(text, size_px);
}

int FontSet::line_height(int size_px) {
  int skip = 0;
  for (std::size_t i : impl_->chain()) {
    if (TTF_Font* f = impl_->font(i, size_px)) skip = std::max(skip, TTF_FontLineSkip(f));
  }
  return skip;
}

namespace {

// A slogan as the size search sees it: its break classes and the advances of its
// characters at the reference size, worked out once for all the sizes tried.
struct SizedText {
  SizedText(FontSet::Impl& impl, std::u32string_view t) : text(t), analysis(t), ref(t.size()) {
    for (std::size_t k = 0; k < t.size(); ++k) ref[k] = impl.ref_advance(t[k]);
  }
  std::u32string_view text;
  BreakAnalysis analysis;
  std::vector<int> ref;
};

// Lays `text` out at one size: lines broken by the scaled advances; widths and
// height estimated from them, or (`exact`) measured as drawn at that size.
TextLayout layout_at(FontSet::Impl& impl, const SizedText& text, int box_w, int box_h, int size,
                     const LayoutControl& ctl, bool exact = false) {
  TextLayout layout;
  layout.size_px = size;
  std::vector<int> advances(text.ref.size());
  for (std::size_t k = 0; k < advances.size(); ++k) advances[k] = FontSet::Impl::scaled(text.ref[k], size);
  Broken broken = break_text(text.analysis, advances, box_w, &ctl);
  layout.lines = std::move(broken.lines);
  layout.clean = broken.clean;
  layout.even = broken.even;
  layout.balanced = broken.balanced;
  for (const std::u32string& line : layout.lines) {
    layout.width = std::max(layout.width, exact ? impl.line_width(line, size) : impl.estimated_width(line, size));
  }
  layout.height = static_cast<int>(layout.lines.size()) * impl.metrics(layout.lines, size, !exact).line_skip;
  layout.fits = layout.width <= box_w && layout.height <= box_h;
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
  WeightScope(FontSet::Impl& impl, FontWeight w) : impl_(impl) { impl_.weight = w == FontWeight::bold ? 1 : 0; }
  WeightScope(const WeightScope&) = delete;
  WeightScope& operator=(const WeightScope&) = delete;
  ~WeightScope() { impl_.weight = 0; }

 private:
  FontSet::Impl& impl_;
};

// The largest size in [lo, hi] whose layout passes `ok`, given that `lo`'s does
// (`best` holds it). Once the control's time is up the search goes on with greedy
// lines (break_text gives them at once then: a few cheap layouts, one per halving),
// so a slow moment costs the lines their balance, never the slogan its size; it
// stops only when the stop flag is set.
void search_sizes(int lo, int hi, TextLayout& best, const std::function<TextLayout(int)>& at,
                  const std::function<bool(const TextLayout&)>& ok, const LayoutControl& ctl) {
  while (lo < hi && !ctl.cancelled()) {
    const int mid = lo + (hi - lo + 1) / 2;
    TextLayout l = at(mid);
    if (ok(l)) {
      lo = mid;
      best = std::move(l);
    } else {
      hi = mid - 1;
    }
  }
}

}  // namespace

TextLayout fit_text(FontSet& fonts, std::string_view utf8_text, int box_w, int box_h,
                    int max_size_px, FontWeight weight) {
  FontSet::Impl& impl = fonts.impl();
  const WeightScope scope(impl, weight);
  const LayoutControl ctl(LayoutControl::Clock::now() + impl.budget, impl.stop);
  const std::u32string prepared = prepare_text(utf8_text, TextKind::slogan).text;
  const SizedText text(impl, prepared);
  auto at = [&](int size) { return layout_at(impl, text, box_w, box_h, size, ctl); };
  auto quality = [](const TextLayout& l) { return !l.fits ? -1 : (l.clean ? 1 : 0) + (l.clean && l.even ? 1 : 0); };

  const int lo = std::max(1, std::min(8, max_size_px));
  const int hi = std::max(lo, max_size_px);
  TextLayout best = at(lo);
  best.stopped = ctl.cancelled();
  if (!best.fits || best.stopped) return best;  // too much text: the smallest size, overflowing
  search_sizes(lo, hi, best, at, [&](const TextLayout& l) { return quality(l) >= 0; }, ctl);
  // A smaller size rather than uneven lines (down to 70 %) or bad breaks (50 %: a
  // number run or a word is never cut while a smaller size keeps it whole): sizes
  // tried downwards in steps of about 1.5 %.
  for (const auto& [want, percent] : {std::pair{2, 70}, std::pair{1, 50}}) {
    if (quality(best) >= want) break;
    const int floor = std::max(lo, best.size_px * percent / 100);
    bool found = false;
    for (int size = best.size_px - 1; size >= floor && !ctl.expired(); size -= std::max(1, size / 64)) {
      TextLayout l = at(size);
      if (quality(l) >= want) {
        best = std::move(l);
        found = true;
        break;
      }
    }
    if (found) break;
  }
  // The estimate may be off by a pixel or two: measure as drawn, a size down if needed.
  if (ctl.cancelled()) {
    best.stopped = true;
    return best;
  }
  for (int size = best.size_px, tries = 0; size >= lo && tries < 8; size -= std::max(1, size / 50), ++tries) {
    TextLayout exact = layout_at(impl, text, box_w, box_h, size, ctl, true);
    exact.stopped = ctl.cancelled();
    if (exact.fits || size == lo || exact.stopped) return exact;
  }
  return layout_at(impl, text, box_w, box_h, lo, ctl, true);
}

TextLayout fit_line(FontSet& fonts, std::string_view utf8_text, int box_h, int max_size_px, FontWeight weight) {
  FontSet::Impl& impl = fonts.impl();
  const WeightScope scope(impl, weight);
  TextLayout layout;
  layout.lines.push_back(prepare_text(utf8_text, TextKind::ticker).text);
  // The line height grows with the size: start from the estimate, then step to the
  // largest size whose measured line height fits.
  const int max_size = std::max(1, max_size_px);
  int size = max_size;
  const int skip_at_max = impl.metrics(layout.lines, size, true).line_skip;
  if (skip_at_max > box_h) size = std::max(1, static_cast<int>(static_cast<long long>(size) * box_h / skip_at_max));
  auto skip = [&](int s) { return impl.metrics(layout.lines, s).line_skip; };
  while (size < max_size && skip(size + 1) <= box_h) ++size;
  while (size > 1 && skip(size) > box_h) --size;
  layout.height = skip(size);
  layout.size_px = size;
  layout.width = impl.line_width(layout.lines.front(), size);
  layout.fits = layout.height <= box_h;
  return layout;
}

TextLayout fit_one_line(FontSet& fonts, std::string_view utf8_text, int box_w, int box_h, FontWeight weight) {
  TextLayout l = fit_line(fonts, utf8_text, box_h, box_h, weight);
  int size = l.size_px;
  while (l.width > box_w && size > 1) {
    // The width grows about linearly with the size: jump close, then step down.
    const long long guess = static_cast<long long>(size) * std::max(0, box_w) / std::max(1, l.width);
    size = static_cast<int>(std::clamp<long long>(guess, 1, size - 1));
    l = fit_line(fonts, utf8_text, box_h, size, weight);
  }
  l.fits = l.fits && l.width <= box_w;
  return l;
}

bool has_glyph(FontSet& fonts, char32_t c) {
  FontSet::Impl& impl = fonts.impl();
  for (std::size_t i : impl.chains[0]) {
    TTF_Font* f = impl.font(i, 16);
    if (f && TTF_GlyphIsProvided32(f, static_cast<Uint32>(c)) != 0) return true;
  }
  return false;
}

namespace {

bool stopped(const FontSet::Impl& impl) { return impl.stop != nullptr && impl.stop->load(std::memory_order_relaxed); }

// Draws one line with its left edge at x: the line in pieces that end after each
// squeezed mark, the next piece drawn half that mark's advance to the left. With
// `outline` > 0, the glyphs' outlines of that width instead (TTF_SetFontOutline). Stops,
// leaving what it drew, once the set's stop flag is set.
Status draw_pass(FontSet::Impl& impl, Image& image, std::u32string_view line, int size, int x, int baseline,
                 const SDL_Color& fg, int outline) {
  std::size_t start = 0;
  while (start < line.size()) {
    std::size_t end = start;
    while (end < line.size() && !squeezed(line, end)) ++end;
    end = std::min(end + 1, line.size());
    for (const Run& r : impl.runs(line.substr(start, end - start), size)) {
      if (stopped(impl)) return {};
      TTF_Font* font = impl.font(r.face, size);
      if (!font) return Error("cannot open font " + impl.faces[r.face].file.string(), Error(TTF_GetError()));
      const bool blank = r.utf8.find_first_not_of(" \t") == std::string::npos;
      if (!blank) {
        const int ascent = TTF_FontAscent(font);
        // The outline is a state of the cached font: set for this run only.
        if (outline > 0) TTF_SetFontOutline(font, outline);
        SurfacePtr rendered(TTF_RenderUTF8_Blended(font, r.utf8.c_str(), fg));
        if (outline > 0) TTF_SetFontOutline(font, 0);
        if (!rendered) return Error("cannot draw text \"" + r.utf8 + "\"", Error(TTF_GetError()));
        if (stopped(impl)) return {};  // each step of a long run takes a while
        // Explicit byte order: RGBA32 is R, G, B, A in memory on any endianness.
        SurfacePtr rgba(SDL_ConvertSurfaceFormat(rendered.get(), SDL_PIXELFORMAT_RGBA32, 0));
        if (!rgba) return Error("cannot convert drawn text to RGBA", Error(SDL_GetError()));
        if (stopped(impl)) return {};
        // An outlined glyph's surface grows by the outline on each side.
        composite(image, rgba.get(), x - outline, baseline - ascent - outline);
      }
      x += r.width;
    }
    if (squeezed(line, end - 1)) x -= impl.advance(line[end - 1], size) / 2;
    start = end;
  }
  return {};
}

SDL_Color sdl_colour(Rgb c) { return SDL_Color{c.r, c.g, c.b, 255}; }

// The shadow, the outline, then the glyphs.
Status draw_line(FontSet::Impl& impl, Image& image, std::u32string_view line, int size, int x, int baseline,
                 const TextPaint& paint) {
  if (paint.shadow) {
    const int d = paint.shadow_offset;
    const int o = paint.outline ? paint.outline_width : 0;
    if (Status s = draw_pass(impl, image, line, size, x + d, baseline + d, sdl_colour(*paint.shadow), o); !s) return s;
  }
  if (paint.outline) {
    if (Status s = draw_pass(impl, image, line, size, x, baseline, sdl_colour(*paint.outline), paint.outline_width);
        !s) {
      return s;
    }
  }
  return draw_pass(impl, image, line, size, x, baseline, sdl_colour(paint.color), 0);
}

}  // namespace

Result<Image> draw_text(FontSet& fonts, const TextLayout& layout, int box_w, int box_h, const TextPaint& paint,
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
  if (stopped(impl)) return image;
  const WeightScope scope(impl, weight);
  const int size = layout.size_px;
  const Metrics m = impl.metrics(layout.lines, size);
  const int block_h = static_cast<int>(layout.lines.size()) * m.line_skip;
  const int top = (box_h - block_h) / 2;

  for (std::size_t i = 0; i < layout.lines.size(); ++i) {
    const std::u32string& line = layout.lines[i];
    const int x = (box_w - impl.line_width(line, size)) / 2;
    const int baseline = top + static_cast<int>(i) * m.line_skip + m.ascent;
    if (Status s = draw_line(impl, image, line, size, x, baseline, paint); !s) return s.error();
  }
  return image;
}

}  // namespace signage
