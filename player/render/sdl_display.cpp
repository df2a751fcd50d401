#include <SDL2/SDL.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "render/display.h"

namespace signage {

struct Texture::Impl {
  struct Deleter {
    void operator()(SDL_Texture* t) const { SDL_DestroyTexture(t); }
  };
  std::unique_ptr<SDL_Texture, Deleter> tex;
  int w = 0, h = 0;
  // Video textures: how to turn their YUV into RGB.
  bool video = false;
  PixelLayout layout = PixelLayout::yuv420p;
  SDL_YUV_CONVERSION_MODE yuv_mode = SDL_YUV_CONVERSION_BT709;
};

Texture::Texture(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Texture::Texture(Texture&&) noexcept = default;
Texture& Texture::operator=(Texture&&) noexcept = default;
Texture::~Texture() = default;
int Texture::width() const { return impl_->w; }
int Texture::height() const { return impl_->h; }

Rect fit_rect(int w, int h, const Rect& box, Fit fit) {
  if (w <= 0 || h <= 0 || box.w <= 0 || box.h <= 0) return box;
  const double sx = static_cast<double>(box.w) / w;
  const double sy = static_cast<double>(box.h) / h;
  const double s = fit == Fit::contain ? std::min(sx, sy) : std::max(sx, sy);
  const int dw = static_cast<int>(std::lround(w * s));
  const int dh = static_cast<int>(std::lround(h * s));
  return Rect{box.x + (box.w - dw) / 2, box.y + (box.h - dh) / 2, dw, dh};
}

Rect intersect(const Rect& a, const Rect& b) {
  const int x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  const int x1 = std::min(a.x + a.w, b.x + b.w), y1 = std::min(a.y + a.h, b.y + b.h);
  return Rect{x0, y0, std::max(0, x1 - x0), std::max(0, y1 - y0)};
}

namespace {
// The row of `i` of `count` rows spread evenly over `height`.
int sample_row(int i, int count, int height) {
  return static_cast<int>((static_cast<long long>(2 * i + 1) * height) / (2LL * count));
}

Image cut(const Image& all, const Rect& r) {
  const Rect c = intersect(r, Rect{0, 0, all.width, all.height});
  Image out;
  out.width = c.w;
  out.height = c.h;
  const auto row_bytes = static_cast<std::size_t>(c.w) * 4;
  out.rgba.resize(row_bytes * static_cast<std::size_t>(c.h));
  for (int y = 0; y < c.h; ++y) {
    const auto at = (static_cast<std::size_t>(c.y + y) * static_cast<std::size_t>(all.width) +
                     static_cast<std::size_t>(c.x)) * 4;
    std::copy_n(all.rgba.begin() + static_cast<std::ptrdiff_t>(at), row_bytes,
                out.rgba.begin() + static_cast<std::ptrdiff_t>(row_bytes * static_cast<std::size_t>(y)));
  }
  return out;
}
}  // namespace

Result<Image> Display::read_rect(const Rect& r) {
  auto all = read_pixels();
  if (!all) return all.error();
  return cut(*all, r);
}

Result<Image> Display::read_rows(int count) {
  Image img;
  img.width = width();
  img.height = std::max(0, count);
  const auto row_bytes = static_cast<std::size_t>(img.width) * 4;
  img.rgba.reserve(row_bytes * static_cast<std::size_t>(img.height));
  for (int i = 0; i < img.height; ++i) {
    auto row = read_rect(Rect{0, sample_row(i, count, height()), img.width, 1});
    if (!row) return row.error();
    if (row->rgba.size() != row_bytes) return Error("cannot read back row " + std::to_string(i) + " of the screen");
    img.rgba.insert(img.rgba.end(), row->rgba.begin(), row->rgba.end());
  }
  return img;
}

Result<Texture> Display::create_video_texture(int, int, PixelLayout) {
  return Error("this display (" + describe() + ") cannot show video");
}
Status Display::update_video_texture(Texture&, const VideoPlanes&) {
  return Error("this display (" + describe() + ") cannot show video");
}
void Display::draw_rotated(Texture& t, const Rect& dst, float alpha, int /*rotation*/) {
  draw(t, dst, alpha);
}
void Display::draw_at(Texture& t, double x, double y, float alpha) {
  draw(t, Rect{static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)), t.width(), t.height()}, alpha);
}

namespace {

Error sdl_error(const std::string& what) { return Error(what, Error(SDL_GetError())); }

// wake_display() for displays that cannot block in SDL (see SdlDisplay::wait).
struct Wakeup {
  std::mutex mu;
  std::condition_variable cv;
  bool pending = false;
};
Wakeup& wakeup() {
  // Never destroyed: a decode worker still running at exit may wake the display.
  static Wakeup& w = *new Wakeup;
  return w;
}

// SDL_Init/SDL_QuitSubSystem for video, owned by the display.
class SdlVideo {
 public:
  SdlVideo() = default;
  SdlVideo(const SdlVideo&) = delete;
  SdlVideo& operator=(const SdlVideo&) = delete;
  ~SdlVideo() {
    if (up_) SDL_QuitSubSystem(SDL_INIT_VIDEO);
  }
  Status init() {
    // SIGINT and SIGTERM are the player's (app/stop_signals.h), never SDL's: SDL's
    // handlers would only queue a quit event that nobody reads during a long layout.
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) return sdl_error("cannot start SDL video");
    up_ = true;
    return {};
  }

 private:
  bool up_ = false;
};

struct WindowDeleter {
  void operator()(SDL_Window* w) const { SDL_DestroyWindow(w); }
};
struct RendererDeleter {
  void operator()(SDL_Renderer* r) const { SDL_DestroyRenderer(r); }
};

// The GL_RENDERER string of an OpenGL (ES) renderer whose GL rasterises on the CPU
// (Mesa's llvmpipe, softpipe, swrast), else "".
std::string software_gl(SDL_Renderer* r) {
  if (r == nullptr) return {};
  SDL_RendererInfo info;
  if (SDL_GetRendererInfo(r, &info) != 0 || std::strncmp(info.name, "opengl", 6) != 0) return {};
  using GetString = const unsigned char* (*)(unsigned int);
  void* sym = SDL_GL_GetProcAddress("glGetString");
  if (sym == nullptr) return {};
  GetString get_string = nullptr;
  static_assert(sizeof get_string == sizeof sym);
  std::memcpy(&get_string, &sym, sizeof sym);
  const unsigned char* name = get_string(0x1F01);  // GL_RENDERER; the renderer's context is current
  if (name == nullptr) return {};
  const std::string s(reinterpret_cast<const char*>(name));
  for (const char* soft : {"llvmpipe", "softpipe", "Software Rasterizer", "swrast"}) {
    if (s.find(soft) != std::string::npos) return s;
  }
  return {};
}

class SdlDisplay final : public Display {
 public:
  SdlDisplay() : owner_(std::this_thread::get_id()) {}
  ~SdlDisplay() override {
    renderer_.reset();
    window_.reset();
  }

  Status open(const DisplayOptions& o) {
    if (o.software) {
      // The software renderer's frames go to the screen as they are (X11: shared
      // memory), not through an OpenGL texture SDL would otherwise put behind the
      // window (on a box without a GPU that is Mesa's llvmpipe, a core per frame).
      SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    }
    if (o.mode == DisplayOptions::Mode::headless) {
      SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
      // Keep the window surface a plain framebuffer: otherwise SDL backs it with an
      // OpenGL texture, loading a software GL (Mesa llvmpipe) that costs memory and
      // a texture upload per present, for nothing off screen.
      SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    }
    // Do not let the screen blank or a screensaver start on a signage screen.
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    if (auto s = video_.init(); !s) return s;
    Uint32 flags = SDL_WINDOW_SHOWN;
    int w = o.width, h = o.height;
    if (o.mode == DisplayOptions::Mode::fullscreen) {
      flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
      SDL_DisplayMode dm;
      if (SDL_GetDesktopDisplayMode(0, &dm) == 0) {
        w = dm.w;
        h = dm.h;
      }
    } else if (o.mode == DisplayOptions::Mode::window) {
      flags |= SDL_WINDOW_RESIZABLE;
    }
    window_.reset(SDL_CreateWindow(o.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                   w, h, flags));
    if (!window_) return sdl_error("cannot open a " + std::to_string(w) + "x" + std::to_string(h) + " window");
    if (o.mode == DisplayOptions::Mode::fullscreen) SDL_ShowCursor(SDL_DISABLE);
    const bool headless = o.mode == DisplayOptions::Mode::headless;
    // Off screen, SDL's software renderer: measured cheaper here than its GL
    // renderer on a software GL (docs/benchmarks.md), and the same pixels everywhere.
    std::string note;
    if (!o.software && !headless) {
      renderer_.reset(SDL_CreateRenderer(window_.get(), -1,
                                         SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC));
      // An "accelerated" renderer on a software GL (a box without a GPU) redraws
      // every frame on the CPU: SDL's own software renderer is far cheaper there
      // (docs/benchmarks.md, layout), with frames sent to the window directly.
      if (const std::string gl = software_gl(renderer_.get()); !gl.empty()) {
        renderer_.reset();
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        note = " (OpenGL is " + gl + ", a software rasteriser)";
      }
    }
    if (!renderer_) {
      renderer_.reset(SDL_CreateRenderer(window_.get(), -1, SDL_RENDERER_SOFTWARE));
    }
    if (!renderer_) return sdl_error("cannot create an SDL renderer");
    SDL_SetRenderDrawBlendMode(renderer_.get(), SDL_BLENDMODE_BLEND);
    SDL_RendererInfo info;
    SDL_GetRendererInfo(renderer_.get(), &info);
    software_ = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
    describe_ = std::string(SDL_GetCurrentVideoDriver()) + "/" + info.name + note;
    const char* driver = SDL_GetCurrentVideoDriver();
    blocking_wait_ = driver != nullptr && (std::strcmp(driver, "x11") == 0 || std::strcmp(driver, "wayland") == 0);
    return {};
  }

  int width() const override {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
    return w;
  }
  int height() const override {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_.get(), &w, &h);
    return h;
  }
  std::string describe() const override { return describe_; }

  Result<Texture> upload(const Image& image) override {
    check_thread();
    if (image.empty()) return Error("cannot upload an empty image");
    auto impl = std::make_unique<Texture::Impl>();
    impl->tex.reset(SDL_CreateTexture(renderer_.get(), SDL_PIXELFORMAT_RGBA32,
                                      SDL_TEXTUREACCESS_STATIC, image.width, image.height));
    if (!impl->tex) {
      return sdl_error("cannot create a " + std::to_string(image.width) + "x" +
                       std::to_string(image.height) + " texture");
    }
    if (SDL_UpdateTexture(impl->tex.get(), nullptr, image.rgba.data(), image.width * 4) != 0) {
      return sdl_error("cannot upload texture");
    }
    SDL_SetTextureBlendMode(impl->tex.get(), SDL_BLENDMODE_BLEND);
    impl->w = image.width;
    impl->h = image.height;
    return Texture(std::move(impl));
  }

  Result<Texture> create_video_texture(int w, int h, PixelLayout layout) override {
    check_thread();
    if (w <= 0 || h <= 0) return Error("cannot make a " + std::to_string(w) + "x" + std::to_string(h) + " video texture");
    auto impl = std::make_unique<Texture::Impl>();
    const Uint32 format = layout == PixelLayout::nv12 ? SDL_PIXELFORMAT_NV12 : SDL_PIXELFORMAT_IYUV;
    impl->tex.reset(SDL_CreateTexture(renderer_.get(), format, SDL_TEXTUREACCESS_STREAMING, w, h));
    if (!impl->tex) {
      return sdl_error("cannot create a " + std::to_string(w) + "x" + std::to_string(h) + " video texture");
    }
    SDL_SetTextureBlendMode(impl->tex.get(), SDL_BLENDMODE_BLEND);
    impl->w = w;
    impl->h = h;
    impl->video = true;
    impl->layout = layout;
    return Texture(std::move(impl));
  }

  Status update_video_texture(Texture& t, const VideoPlanes& p) override {
    check_thread();
    Texture::Impl& ti = t.impl();
    if (!ti.video || ti.layout != p.layout || ti.w != p.width || ti.h != p.height) {
      return Error("video frame does not match its texture");
    }
    ti.yuv_mode = p.range == ColorRange::full
                      ? SDL_YUV_CONVERSION_JPEG  // full-range BT.601; SDL2 has no full-range 709
                      : (p.matrix == ColorMatrix::bt601 ? SDL_YUV_CONVERSION_BT601 : SDL_YUV_CONVERSION_BT709);
    // The software renderer converts to RGB here, accelerated ones when drawing.
    SDL_SetYUVConversionMode(ti.yuv_mode);
    const int rc = p.layout == PixelLayout::nv12
                       ? SDL_UpdateNVTexture(ti.tex.get(), nullptr, p.data[0], p.pitch[0], p.data[1], p.pitch[1])
                       : SDL_UpdateYUVTexture(ti.tex.get(), nullptr, p.data[0], p.pitch[0], p.data[1],
                                              p.pitch[1], p.data[2], p.pitch[2]);
    if (rc != 0) return sdl_error("cannot upload a video frame");
    return {};
  }

  void draw_rotated(Texture& t, const Rect& dst, float alpha, int rotation) override {
    check_thread();
    rotation = ((rotation % 360) + 360) % 360;
    if (rotation == 0) {
      draw(t, dst, alpha);
      return;
    }
    SDL_Texture* tex = t.impl().tex.get();
    set_blend(t.impl(), alpha);
    // SDL turns the rectangle about its centre: give it the unturned shape.
    const bool quarter = rotation == 90 || rotation == 270;
    const int w = quarter ? dst.h : dst.w, h = quarter ? dst.w : dst.h;
    const SDL_Rect sr{dst.x + (dst.w - w) / 2, dst.y + (dst.h - h) / 2, w, h};
    SDL_RenderCopyEx(renderer_.get(), tex, nullptr, &sr, rotation, nullptr, SDL_FLIP_NONE);
  }

  void draw_at(Texture& t, double x, double y, float alpha) override {
    check_thread();
    set_blend(t.impl(), alpha);
    if (software_) {
      // The software renderer truncates float positions: round instead.
      const SDL_Rect sr{static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)), t.width(), t.height()};
      SDL_RenderCopy(renderer_.get(), t.impl().tex.get(), nullptr, &sr);
      return;
    }
    const SDL_FRect fr{static_cast<float>(x), static_cast<float>(y), static_cast<float>(t.width()),
                       static_cast<float>(t.height())};
    SDL_RenderCopyF(renderer_.get(), t.impl().tex.get(), nullptr, &fr);
  }

  void set_clip(const Rect* r) override {
    check_thread();
    if (r == nullptr) {
      SDL_RenderSetClipRect(renderer_.get(), nullptr);
      return;
    }
    const SDL_Rect sr{r->x, r->y, r->w, r->h};
    SDL_RenderSetClipRect(renderer_.get(), &sr);
  }

  bool keeps_frame() const override { return software_; }

  void fill(const Rect& r, Rgb c, float alpha) override {
    check_thread();
    // Opaque fills need no blending (much cheaper in the software renderer).
    SDL_SetRenderDrawBlendMode(renderer_.get(), alpha >= 1.0f ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(renderer_.get(), c.r, c.g, c.b, to_byte(alpha));
    const SDL_Rect sr{r.x, r.y, r.w, r.h};
    SDL_RenderFillRect(renderer_.get(), &sr);
  }

  void draw(Texture& t, const Rect& dst, float alpha) override {
    check_thread();
    SDL_Texture* tex = t.impl().tex.get();
    set_blend(t.impl(), alpha);
    const SDL_Rect sr{dst.x, dst.y, dst.w, dst.h};
    SDL_RenderCopy(renderer_.get(), tex, nullptr, &sr);
  }

  Result<Image> read_pixels() override { return read_rect(Rect{0, 0, width(), height()}); }

  Result<Image> read_rect(const Rect& r) override {
    check_thread();
    const Rect c = intersect(r, Rect{0, 0, width(), height()});
    Image img;
    img.width = c.w;
    img.height = c.h;
    img.rgba.resize(static_cast<size_t>(c.w) * static_cast<size_t>(c.h) * 4);
    if (c.w == 0 || c.h == 0) return img;
    const SDL_Rect sr{c.x, c.y, c.w, c.h};
    if (SDL_RenderReadPixels(renderer_.get(), &sr, SDL_PIXELFORMAT_RGBA32, img.rgba.data(), c.w * 4) != 0) {
      return sdl_error("cannot read back the screen");
    }
    for (size_t i = 3; i < img.rgba.size(); i += 4) img.rgba[i] = 255;
    return img;
  }

  void present() override {
    check_thread();
    SDL_RenderPresent(renderer_.get());
  }

  void present_area(const Rect& r) override {
    check_thread();
    if (!software_) {
      SDL_RenderPresent(renderer_.get());
      return;
    }
    // The software renderer draws into the window surface: run what is queued,
    // then send only the changed rectangle to the screen.
    SDL_RenderFlush(renderer_.get());
    const SDL_Rect sr{r.x, r.y, r.w, r.h};
    if (SDL_UpdateWindowSurfaceRects(window_.get(), &sr, 1) != 0) SDL_RenderPresent(renderer_.get());
  }

  InputEvent wait(std::chrono::milliseconds timeout) override {
    check_thread();
    timeout = std::clamp(timeout, std::chrono::milliseconds(0), std::chrono::milliseconds(1'000'000));
    if (blocking_wait_) {
      SDL_Event ev;
      if (SDL_WaitEventTimeout(&ev, static_cast<int>(timeout.count())) == 0) return InputEvent::none;
      return drain(classify(ev));
    }
    // SDL 2.26 has no blocking wait on the offscreen and KMSDRM drivers: there
    // SDL_WaitEventTimeout polls every millisecond, a few percent of a core for a
    // static slogan. Sleep on our own wake-up instead, looking at input every 100 ms
    // (Esc and signals are seen within that).
    const MonotonicClock& clock = SteadyClock::instance();  // a timeout this wait sets and checks itself
    const auto deadline = clock.now() + timeout;
    for (;;) {
      if (const InputEvent e = drain(InputEvent::none); e != InputEvent::none) return e;
      const auto now = clock.now();
      if (now >= deadline) return InputEvent::none;
      Wakeup& w = wakeup();
      std::unique_lock lock(w.mu);
      w.cv.wait_for(lock, std::min<MonoTime::duration>(deadline - now, std::chrono::milliseconds(100)),
                    [&] { return w.pending; });
      if (w.pending) {
        w.pending = false;
        return InputEvent::redraw;
      }
    }
  }

 private:
  // Takes every queued event; returns the most important of them and `first`.
  static InputEvent drain(InputEvent first) {
    InputEvent result = first;
    SDL_Event ev;
    while (SDL_PollEvent(&ev) != 0) {
      result = std::max(result, classify(ev), [](InputEvent a, InputEvent b) { return rank(a) < rank(b); });
    }
    return result;
  }
  static int rank(InputEvent e) {
    switch (e) {
      case InputEvent::quit: return 2;
      case InputEvent::redraw: return 1;
      case InputEvent::none: return 0;
    }
    return 0;
  }
  static InputEvent classify(const SDL_Event& ev) {
    switch (ev.type) {
      case SDL_QUIT:
        return InputEvent::quit;
      case SDL_KEYDOWN:
        if (ev.key.keysym.sym == SDLK_ESCAPE || ev.key.keysym.sym == SDLK_q) return InputEvent::quit;
        return InputEvent::none;
      case SDL_WINDOWEVENT:
        switch (ev.window.event) {
          case SDL_WINDOWEVENT_EXPOSED:
          case SDL_WINDOWEVENT_SIZE_CHANGED:
          case SDL_WINDOWEVENT_RESTORED:
            return InputEvent::redraw;
          default:
            return InputEvent::none;
        }
      case SDL_USEREVENT:
      case SDL_RENDER_TARGETS_RESET:
      case SDL_RENDER_DEVICE_RESET:
        return InputEvent::redraw;
      default:
        return InputEvent::none;
    }
  }
  // Video frames are opaque: drawn fully they are copied, not blended.
  static void set_blend(Texture::Impl& t, float alpha) {
    if (t.video) {
      SDL_SetYUVConversionMode(t.yuv_mode);
      SDL_SetTextureBlendMode(t.tex.get(), alpha >= 1.0f ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    }
    SDL_SetTextureAlphaMod(t.tex.get(), to_byte(alpha));
  }
  static Uint8 to_byte(float a) {
    return static_cast<Uint8>(std::lround(std::clamp(a, 0.0f, 1.0f) * 255.0f));
  }
  void check_thread() const {
    if (std::this_thread::get_id() != owner_) {
      SDL_LogCritical(SDL_LOG_CATEGORY_VIDEO, "Display used off the thread that opened it");
      std::abort();
    }
  }

  std::thread::id owner_;
  SdlVideo video_;
  std::unique_ptr<SDL_Window, WindowDeleter> window_;
  std::unique_ptr<SDL_Renderer, RendererDeleter> renderer_;
  std::string describe_;
  bool blocking_wait_ = false;  // SDL_WaitEventTimeout really blocks on this driver
  bool software_ = false;       // SDL's software renderer (keeps its frame)
};

}  // namespace

class NullDisplay final : public Display {
 public:
  NullDisplay(int w, int h) : w_(w), h_(h) {}
  int width() const override { return w_; }
  int height() const override { return h_; }
  std::string describe() const override { return "null"; }
  Result<Texture> upload(const Image& image) override { return make(image.width, image.height); }
  void fill(const Rect&, Rgb, float) override {}
  void draw(Texture&, const Rect&, float) override {}
  Result<Image> read_pixels() override { return Error("the null display keeps no pixels"); }
  Result<Texture> create_video_texture(int w, int h, PixelLayout) override { return make(w, h); }
  Status update_video_texture(Texture&, const VideoPlanes&) override { return {}; }
  void draw_rotated(Texture&, const Rect&, float, int) override {}
  void draw_at(Texture&, double, double, float) override {}
  void set_clip(const Rect*) override {}
  void present() override {}
  void present_area(const Rect&) override {}
  // Sleeps, but wake_display() (a worker, a stop signal) ends the sleep.
  InputEvent wait(std::chrono::milliseconds timeout) override {
    Wakeup& w = wakeup();
    std::unique_lock lock(w.mu);
    const bool woken = w.cv.wait_for(lock, timeout, [&] { return w.pending; });
    w.pending = false;
    return woken ? InputEvent::redraw : InputEvent::none;
  }

 private:
  static Texture make(int w, int h) {
    auto impl = std::make_unique<Texture::Impl>();
    impl->w = w;
    impl->h = h;
    return Texture(std::move(impl));
  }
  int w_, h_;
};

std::unique_ptr<Display> open_null_display(int width, int height) {
  return std::make_unique<NullDisplay>(width, height);
}

void wake_display() {
  SDL_Event ev{};
  ev.type = SDL_USEREVENT;
  SDL_PushEvent(&ev);  // thread-safe; fails harmlessly when video is not up
  Wakeup& w = wakeup();
  {
    std::lock_guard lock(w.mu);
    w.pending = true;
  }
  w.cv.notify_all();
}

Result<std::unique_ptr<Display>> open_sdl_display(const DisplayOptions& options) {
  auto d = std::make_unique<SdlDisplay>();
  if (auto s = d->open(options); !s) return s.error();
  return std::unique_ptr<Display>(std::move(d));
}

}  // namespace signage
