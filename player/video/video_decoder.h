// The picture side of a VideoSource, after mpv's vd_lavc: opens a decoder for the
// video stream by trying the hardware methods in order and falling back to software,
// feeds it packets, and hands out pictures in system memory in a layout the display
// can upload (yuv420p or nv12; anything else is converted with swscale).
//
// Fallback: a method that fails to open gives way to the next at once; one that fails
// on `hw_failure_packets` packets in a row is replaced mid-stream, and the packets
// since the last key frame are fed again to its successor (the caller drops pictures
// it already has by their time). A hardware decoder that hands back software frames
// (the GPU cannot do this profile) is noted. Every step is a note for VideoInfo::
// fallbacks. Internal to the video module: its header names FFmpeg types.
//
// Ownership: owns its codec contexts, the packets kept for a replay and the scaler.
// Thread: one thread at a time (the decode thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "media/ffmpeg_ptr.h"
#include "video/internal.h"
#include "video/video.h"

namespace signage {

struct VideoDecoderOptions {
  std::vector<HwDec> methods{HwDec::none};   // tried in this order
  std::shared_ptr<HwDevices> devices;        // not null
  std::int64_t max_pixels = 64'000'000;
  // Threads of a software decoder; 0: one per core. Fewer for a decoder that opens
  // while another video plays, so that it cannot crowd out the one on screen.
  int threads = 0;
  // set_threads() will be called: keep the packets since the last key frame for it.
  bool reopen_later = false;
  int hw_failure_packets = 3;
  int max_decode_errors = 8;
  int inject_failure_after = -1;             // tests: see VideoOptions
};

// The methods to try for `o` (its explicit order, else from hwdec).
std::vector<HwDec> method_order(const VideoOptions& o);

class VideoDecoder {
 public:
  // Receives each picture (pts and duration still unset: the caller's timeline sets
  // them from the AVFrame's times). Returns false to stop decoding.
  using Sink = std::function<bool(std::unique_ptr<VideoFrame::Impl>)>;

  // Opens the first method that works on `stream`; each one that did not is added to
  // `notes`. The stream must outlive the decoder.
  static Result<std::unique_ptr<VideoDecoder>> open(const AVStream& stream, VideoDecoderOptions options,
                                                    std::vector<std::string>& notes);
  ~VideoDecoder();
  VideoDecoder(const VideoDecoder&) = delete;
  VideoDecoder& operator=(const VideoDecoder&) = delete;

  // Feeds one packet (nullptr: drain at the end of a pass) and passes the pictures
  // that come out to `sink`. An Error when decoding cannot go on (no method left, too
  // many errors in a row, an unconvertible picture).
  Status decode(const AVPacket* packet, const Sink& sink);
  // Forgets buffered pictures and kept packets (after a seek).
  void flush();
  // Changes a software decoder's thread count (0: one per core). The decoder is
  // opened again with it: at once, draining the old one and feeding the new one the
  // packets since the last key frame (pictures already out come again and are
  // dropped by their time), or at the next key frame when those were too many to
  // keep. Hardware decoders ignore it.
  void set_threads(int threads);

  std::string label() const { return label_; }  // "h264 (vaapi)", "vp9 (software)"
  bool hardware() const { return hardware_; }
  // Fallback notes since the last call (the label and hardware() changed with them).
  std::vector<std::string> take_notes();

 private:
  struct Codec;
  VideoDecoder(const AVStream& stream, VideoDecoderOptions options);
  Result<std::unique_ptr<Codec>> open_method(HwDec method);
  Status open_next(std::vector<std::string>& notes);
  void keep_for_replay(const AVPacket& p);
  Status maybe_reopen(const AVPacket* next, const Sink& sink);
  Status feed(const AVPacket* p, const Sink& sink);
  Status receive(const Sink& sink);
  Status fall_back(const Sink& sink);
  Status deliver(ffmpeg::FramePtr f, const Sink& sink);
  Result<ffmpeg::FramePtr> convert(const AVFrame& in);
  void count_error(int ret);

  const AVStream& stream_;
  VideoDecoderOptions opt_;
  std::unique_ptr<Codec> codec_;
  std::string label_;
  bool hardware_ = false;
  std::size_t method_index_ = 0;
  std::optional<int> pending_threads_;  // set_threads() not carried out yet
  std::size_t opened_ = 0;
  std::vector<ffmpeg::PacketPtr> replay_;  // packets since the last key frame
  std::size_t replay_bytes_ = 0;
  bool replay_overflow_ = false;
  int errors_in_row_ = 0;
  std::string last_error_;
  bool need_fallback_ = false;
  bool stopped_ = false;  // the sink said stop
  std::optional<Error> fatal_;
  std::int64_t packets_sent_ = 0;
  bool software_noted_ = false;
  ffmpeg::SwsContextPtr sws_;
  std::vector<std::string> notes_;
};

}  // namespace signage
