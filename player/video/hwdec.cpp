#include <array>

#include "media/ffmpeg_log.h"
#include "video/internal.h"

namespace signage {

namespace {
struct Name {
  HwDec h;
  std::string_view text;
};
constexpr std::array<Name, 6> kNames = {{{HwDec::auto_select, "auto"},
                                          {HwDec::vaapi, "vaapi"},
                                          {HwDec::vdpau, "vdpau"},
                                          {HwDec::cuda, "cuda"},
                                          {HwDec::v4l2m2m, "v4l2m2m"},
                                          {HwDec::none, "none"}}};
}  // namespace

std::optional<HwDec> parse_hwdec(std::string_view text) {
  for (const auto& n : kNames) {
    if (n.text == text) return n.h;
  }
  return std::nullopt;
}

std::string_view to_string(HwDec h) {
  for (const auto& n : kNames) {
    if (n.h == h) return n.text;
  }
  return "?";
}

HwDevices::HwDevices() : impl_(std::make_unique<Impl>()) {}
HwDevices::~HwDevices() = default;

Result<BufferRefPtr> HwDevices::Impl::get(AVHWDeviceType type) {
  std::lock_guard lock(mu);
  if (auto f = failures.find(type); f != failures.end()) return Error(f->second);
  auto d = devices.find(type);
  if (d == devices.end()) {
    AVBufferRef* raw = nullptr;
    // Expected to fail on many boxes: what FFmpeg says goes into the reason, not the log.
    FfmpegCapture said;
    const int ret = av_hwdevice_ctx_create(&raw, type, nullptr, nullptr, 0);
    if (ret < 0) {
      std::string why = std::string("cannot open a ") + av_hwdevice_get_type_name(type) +
                        " device: " + ffmpeg::error_string(ret);
      if (const std::string e = said.errors(); !e.empty()) why += " (" + e + ")";
      failures.emplace(type, why);
      return Error(why);
    }
    d = devices.emplace(type, BufferRefPtr(raw)).first;
  }
  BufferRefPtr ref(av_buffer_ref(d->second.get()));
  if (!ref) return Error("out of memory");
  return ref;
}

std::optional<std::string> HwDevices::Impl::decoder_failed(const std::string& name) {
  std::lock_guard lock(mu);
  if (auto f = decoder_failures.find(name); f != decoder_failures.end()) return f->second;
  return std::nullopt;
}

void HwDevices::Impl::note_decoder_failure(const std::string& name, const std::string& why) {
  std::lock_guard lock(mu);
  decoder_failures.emplace(name, why);
}

bool HwDevices::Impl::first_report(const std::string& note) {
  std::lock_guard lock(mu);
  return reported.insert(note).second;
}

}  // namespace signage
