// One decoded video picture, ready for upload, and the words that describe its
// pixels. The picture stays in FFmpeg's own reference-counted buffers (no copy)
// behind the opaque Impl, so no FFmpeg type appears here.
//
// Ownership: a VideoFrame owns one reference to its buffers; moving it is cheap.
// Thread: made on a decode thread, handed to the main thread through the source's
// queue; one thread at a time may touch a frame.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

namespace signage {

// The layouts SDL2 can upload directly. Anything else (10-bit, 4:2:2, RGB, P010
// from a hardware decoder: SDL2 has no P010 texture) is converted to yuv420p with
// swscale on the decode thread.
enum class PixelLayout {
  yuv420p,  // three planes Y, U, V; chroma at half width and height
  nv12,     // two planes Y, interleaved UV
};

enum class ColorMatrix { bt601, bt709 };  // BT.2020 is shown with BT.709 (SDL2 has no 2020)
enum class ColorRange { limited, full };  // limited: 16-235 (TV), full: 0-255 (JPEG)

class VideoFrame {
 public:
  struct Impl;
  explicit VideoFrame(std::unique_ptr<Impl> impl);
  VideoFrame(VideoFrame&&) noexcept;
  VideoFrame& operator=(VideoFrame&&) noexcept;
  ~VideoFrame();

  int width() const;
  int height() const;
  PixelLayout layout() const;
  int plane_count() const;  // 3 for yuv420p, 2 for nv12
  const std::uint8_t* plane(int i) const;
  int pitch(int i) const;   // bytes per row of plane i
  ColorMatrix matrix() const;
  ColorRange range() const;
  // When to show it, from the start of playback (loops keep counting up), and for
  // how long.
  std::chrono::microseconds pts() const;
  std::chrono::microseconds duration() const;

  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace signage
