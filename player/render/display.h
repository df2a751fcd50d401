// The screen, as a driver behind a small interface (the way mpv's vo.h does it):
// upload pictures as textures, draw them with an opacity, present, read back.
// SdlDisplay (sdl_display.cpp) drives a real window through SDL2 (X11, Wayland or
// KMSDRM straight on the console) or SDL's offscreen driver for headless use.
//
// Video goes through streaming textures (create_video_texture, then
// update_video_texture per frame): YUV 4:2:0 planes are uploaded as they are and
// converted to RGB by the renderer (a GPU shader where there is one) with the
// stream's colour matrix and range.
//
// Ownership: the Display owns the window and renderer; a Texture belongs to the
// Display that made it and must be destroyed before it.
// Thread: the main thread only (SDL's rule for video); every method checks it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "media/image.h"
#include "playlist/model.h"
#include "video/frame.h"

namespace signage {

struct Rect {
  int x = 0, y = 0, w = 0, h = 0;
  friend bool operator==(const Rect&, const Rect&) = default;
};

// A picture living in the display (GPU memory or the software renderer's).
class Texture {
 public:
  struct Impl;
  explicit Texture(std::unique_ptr<Impl> impl);
  Texture(Texture&&) noexcept;
  Texture& operator=(Texture&&) noexcept;
  ~Texture();
  int width() const;
  int height() const;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// One video picture's planes, borrowed for the length of an upload.
struct VideoPlanes {
  PixelLayout layout = PixelLayout::yuv420p;
  int width = 0, height = 0;
  const std::uint8_t* data[3] = {nullptr, nullptr, nullptr};  // Y, U, V (nv12: Y, UV)
  int pitch[3] = {0, 0, 0};
  ColorMatrix matrix = ColorMatrix::bt709;
  ColorRange range = ColorRange::limited;
};

enum class InputEvent {
  none,      // the wait ran out
  quit,      // window closed, Esc or q pressed (SIGINT/SIGTERM are the player's, not SDL's)
  redraw,    // the window was exposed or resized: draw again
};

class Display {
 public:
  virtual ~Display() = default;
  virtual int width() const = 0;
  virtual int height() const = 0;
  // Which SDL video driver and renderer are in use, e.g. "x11/opengl".
  virtual std::string describe() const = 0;

  virtual Result<Texture> upload(const Image& image) = 0;
  virtual void fill(const Rect& r, Rgb colour, float alpha) = 0;
  virtual void draw(Texture& t, const Rect& dst, float alpha) = 0;
  virtual Result<Image> read_pixels() = 0;  // what has been drawn since the last present
  // The part `r` of the same (clipped to the display). Displays drawn onto another
  // one map it to theirs, so that reading a little costs little all the way down.
  // By default cut from read_pixels().
  virtual Result<Image> read_rect(const Rect& r);
  // A cheap sample: `count` rows spread evenly from top to bottom, stacked into one
  // width x count image, each read with read_rect() (a black-frame check at every
  // switch must not cost the frames after it their time).
  Result<Image> read_rows(int count);

  // A w x h texture for video frames of `layout`, updated in place for each frame.
  // Displays that cannot show video (test doubles) return an Error.
  virtual Result<Texture> create_video_texture(int w, int h, PixelLayout layout);
  // Uploads one frame into a texture from create_video_texture of the same size and
  // layout, and remembers its colour matrix and range for drawing.
  virtual Status update_video_texture(Texture& t, const VideoPlanes& planes);
  // draw() turned `rotation` degrees clockwise (0, 90, 180, 270); `dst` is where
  // the turned picture goes (for 90 and 270 its width is the texture's height).
  virtual void draw_rotated(Texture& t, const Rect& dst, float alpha, int rotation);
  // draw() at the texture's own size with its top-left corner at a sub-pixel
  // position (a moving ticker): renderers that filter place it between pixels, the
  // software renderer rounds.
  virtual void draw_at(Texture& t, double x, double y, float alpha);
  // Limits every following draw and fill to `r` (nullptr: the whole screen).
  // Displays that keep no pixels (test doubles) may ignore it.
  virtual void set_clip(const Rect* /*r*/) {}
  // Whether what was drawn stays in the frame after present(), so the next frame
  // may redraw only what moved (SDL's software renderer draws into the window
  // surface, which persists; accelerated renderers' back buffers do not).
  virtual bool keeps_frame() const { return false; }
  virtual void present() = 0;
  // present() where only `changed` differs from the frame presented last (the rest
  // was left as it was: only for displays that keep_frame()). A display that can
  // sends only that rectangle to the screen (SDL's software renderer on X11 pushes
  // the whole window surface otherwise); others present the whole frame.
  virtual void present_area(const Rect& /*changed*/) { present(); }
  // Sleeps until an input event arrives or `timeout` passes. No busy waiting.
  virtual InputEvent wait(std::chrono::milliseconds timeout) = 0;
};

struct DisplayOptions {
  enum class Mode { fullscreen, window, headless } mode = Mode::window;
  int width = 1920;   // window and headless size; fullscreen uses the screen's
  int height = 1080;
  std::string title = "signage";
  // Use SDL's software renderer even where an accelerated one exists: the same
  // pixels on every machine (previews, golden images).
  bool software = false;
};

// Wakes a Display::wait() in progress (or makes the next one return at once) with
// InputEvent::redraw. The one Display function that any thread may call: workers
// (file watcher, decoders) use it to say "something for you in the queue".
void wake_display();

// A display that draws nothing: no window, no upload, no present (as mpv's
// --vo=null). Decoding, frame queues and the main loop run as usual, so benchmarks
// can measure the playback core alone. read_pixels() fails. wait() sleeps.
std::unique_ptr<Display> open_null_display(int width, int height);

// Opens SDL's video (headless: the offscreen driver and a software renderer).
Result<std::unique_ptr<Display>> open_sdl_display(const DisplayOptions& options);

// Where a w x h picture goes in `box`: `contain` letterboxes, `cover` crops.
Rect fit_rect(int w, int h, const Rect& box, Fit fit);
// The part of `a` inside `b` (w and h 0 when they do not meet).
Rect intersect(const Rect& a, const Rect& b);

}  // namespace signage
