// The container side of a VideoSource: opens a file under a deadline, checks the
// picture size the headers claim before anything is decoded, picks the video stream
// (and the audio stream, when asked), reads packets, and seeks (back to the start for
// a loop, or to the key frame before a position for a join part-way into a video).
// Internal to the video module: its header names FFmpeg types.
//
// Ownership: owns the AVFormatContext (and its I/O). Not movable: FFmpeg's interrupt
// callback points at it. Thread: the decode thread only, except that `stop` (owned by
// the caller, outliving the demuxer) may be set from any thread to abort a read.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "media/ffmpeg_ptr.h"
#include "video/video.h"

namespace signage {

struct DemuxerOptions {
  int max_dimension = 8192;
  std::int64_t max_pixels = 64'000'000;
  std::size_t max_packet_bytes = 32u << 20;
  std::chrono::milliseconds open_timeout{3000};
  bool want_audio = false;
};

class Demuxer {
 public:
  // Opens `file`. Errors are reasons without the file name ("file not found",
  // "cannot open: ...", "picture of 10000x10000 is larger than the limit ...").
  static Result<std::unique_ptr<Demuxer>> open(const std::filesystem::path& file, const DemuxerOptions& options,
                                               const MonotonicClock& clock, const std::atomic<bool>& stop);
  ~Demuxer();
  Demuxer(const Demuxer&) = delete;
  Demuxer& operator=(const Demuxer&) = delete;

  const AVStream& video() const { return *fmt_->streams[vindex_]; }
  // The audio stream, when asked for and present.
  const AVStream* audio() const { return aindex_ >= 0 ? fmt_->streams[aindex_] : nullptr; }
  bool is_video(const AVPacket& p) const { return p.stream_index == vindex_; }
  bool is_audio(const AVPacket& p) const { return aindex_ >= 0 && p.stream_index == aindex_; }
  void drop_audio() { aindex_ = -1; }
  // The stream's description (size, aspect, rotation, codec, rate, duration); the
  // decoder fields are left to the decoder.
  VideoInfo describe() const;
  // The file's start time: stream times are shown relative to it.
  std::chrono::microseconds origin() const { return origin_; }
  // A time in `stream`'s time base, relative to the file's start.
  std::chrono::microseconds relative(const AVStream& stream, std::int64_t ts) const;

  // The next packet into `p`: true; false at the end of the file; an Error on a read
  // failure or a packet larger than the limit.
  Result<bool> read(AVPacket& p);
  // To the first key frame of the video stream (looping).
  Status rewind();
  // To the key frame at or before `position` (relative to the file's start).
  Status seek(std::chrono::microseconds position);

 private:
  Demuxer(const MonotonicClock& clock, const std::atomic<bool>& stop, DemuxerOptions options)
      : clock_(clock), stop_(stop), opt_(options) {}
  Status open_input(const std::filesystem::path& file);
  Status find_streams();
  Status check_size(const AVCodecParameters& par) const;
  std::string open_reason(const std::string& what, int ret) const;
  static int interrupt(void* opaque);

  const MonotonicClock& clock_;
  const std::atomic<bool>& stop_;
  DemuxerOptions opt_;
  std::optional<MonoTime> deadline_;  // while opening: the interrupt callback gives up after it
  ffmpeg::InputFormatContextPtr fmt_;
  int vindex_ = -1, aindex_ = -1;
  std::chrono::microseconds origin_{0};
};

}  // namespace signage
