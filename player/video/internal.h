// Internals of the video module shared by its .cpp files: the FFmpeg side of
// VideoFrame and HwDevices. Never include from outside player/video.
#pragma once

extern "C" {
#include <libavutil/buffer.h>
#include <libavutil/hwcontext.h>
}

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "media/ffmpeg_ptr.h"
#include "video/frame.h"
#include "video/video.h"

namespace signage {

using ffmpeg::BufferRefPtr;

struct VideoFrame::Impl {
  ffmpeg::FramePtr frame;  // system-memory planes in `layout`
  PixelLayout layout = PixelLayout::yuv420p;
  ColorMatrix matrix = ColorMatrix::bt709;
  ColorRange range = ColorRange::limited;
  std::chrono::microseconds pts{0};
  std::chrono::microseconds duration{0};
};

struct HwDevices::Impl {
  std::mutex mu;
  std::map<AVHWDeviceType, BufferRefPtr> devices;
  std::map<AVHWDeviceType, std::string> failures;
  // A new reference to the device of `type`, made on first use. A type that failed
  // once fails again at once with the same reason.
  Result<BufferRefPtr> get(AVHWDeviceType type);
  // Decoders without a device context (v4l2m2m: "h264_v4l2m2m") that failed to open:
  // each try scans /dev/video* and logs, so one that failed is not tried again.
  std::map<std::string, std::string> decoder_failures;
  std::optional<std::string> decoder_failed(const std::string& name);
  void note_decoder_failure(const std::string& name, const std::string& why);
  // True the first time `note` (a fallback) is seen: it goes to the log then only.
  std::set<std::string> reported;
  bool first_report(const std::string& note);
};

}  // namespace signage
