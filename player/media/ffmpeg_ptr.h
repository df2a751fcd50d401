// Owners for FFmpeg's C handles, and FFmpeg error codes as text. Internal to the
// player (media, video): never include it from a public header, so that no FFmpeg
// type leaks out of a module.
//
// Each handle type has one named deleter and one std::unique_ptr alias; the
// make_* helpers allocate and return an empty pointer when FFmpeg is out of memory.
// The deleters accept nullptr. They hold no state, so the pointers are as cheap as
// raw ones and as safe to move between threads as the handles themselves (FFmpeg
// contexts must not be used by two threads at once).
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/buffer.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace signage::ffmpeg {

// An input opened with avformat_open_input (closes its I/O too). Do not use it for an
// output context made by avformat_alloc_output_context2: that one needs
// avformat_free_context after closing its AVIOContext yourself.
struct InputFormatContextDeleter {
  void operator()(AVFormatContext* p) const noexcept { avformat_close_input(&p); }
};
using InputFormatContextPtr = std::unique_ptr<AVFormatContext, InputFormatContextDeleter>;

struct CodecContextDeleter {
  void operator()(AVCodecContext* p) const noexcept { avcodec_free_context(&p); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;

struct FrameDeleter {
  void operator()(AVFrame* p) const noexcept { av_frame_free(&p); }
};
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;

struct PacketDeleter {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;

struct SwsContextDeleter {
  void operator()(SwsContext* p) const noexcept { sws_freeContext(p); }
};
using SwsContextPtr = std::unique_ptr<SwsContext, SwsContextDeleter>;

struct SwrContextDeleter {
  void operator()(SwrContext* p) const noexcept { swr_free(&p); }
};
using SwrContextPtr = std::unique_ptr<SwrContext, SwrContextDeleter>;

// One reference to a reference-counted FFmpeg buffer (a hardware device context).
struct BufferRefDeleter {
  void operator()(AVBufferRef* p) const noexcept { av_buffer_unref(&p); }
};
using BufferRefPtr = std::unique_ptr<AVBufferRef, BufferRefDeleter>;

// An AVChannelLayout value that owns what it points to (a custom layout's map).
class ChannelLayout {
 public:
  ChannelLayout() = default;
  ChannelLayout(const ChannelLayout&) = delete;
  ChannelLayout& operator=(const ChannelLayout&) = delete;
  ~ChannelLayout() { av_channel_layout_uninit(&layout_); }
  // Copies `from`; false when out of memory.
  bool assign(const AVChannelLayout& from) {
    av_channel_layout_uninit(&layout_);
    return av_channel_layout_copy(&layout_, &from) >= 0;
  }
  const AVChannelLayout& get() const { return layout_; }

 private:
  AVChannelLayout layout_{};
};

inline CodecContextPtr make_codec_context(const AVCodec* codec) {
  return CodecContextPtr(avcodec_alloc_context3(codec));
}
inline FramePtr make_frame() { return FramePtr(av_frame_alloc()); }
inline PacketPtr make_packet() { return PacketPtr(av_packet_alloc()); }

// FFmpeg's text for an AVERROR code, e.g. "Invalid data found when processing input".
inline std::string error_string(int errnum) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  if (av_strerror(errnum, buf, sizeof buf) < 0) {
    return "FFmpeg error " + std::to_string(errnum);
  }
  return buf;
}

}  // namespace signage::ffmpeg
