// The sound side of a VideoSource: decodes the audio stream, resamples and downmixes
// it to the output format (kAudioRate, stereo float) and writes it, with its stream
// time, into the AudioStream that the output device reads. Internal to the video
// module: its header names FFmpeg types.
//
// Ownership: owns its codec context and resampler; shares the AudioStream. Thread:
// the decode thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "core/error.h"
#include "media/ffmpeg_ptr.h"
#include "video/audio.h"

namespace signage {

class AudioDecoder {
 public:
  // Opens a decoder for `stream` (which must outlive it). Errors say why.
  static Result<std::unique_ptr<AudioDecoder>> open(const AVStream& stream, std::shared_ptr<AudioStream> out);
  ~AudioDecoder();
  AudioDecoder(const AudioDecoder&) = delete;
  AudioDecoder& operator=(const AudioDecoder&) = delete;

  // Decodes `packet` and writes the samples; `time_of(ts)` turns a timestamp in the
  // stream's time base into the source's presentation time. When the output is full
  // it waits for room, unless `give_way()` says the picture is starving (a badly
  // interleaved file): then the rest of the samples are dropped. A bad packet is
  // skipped. Returns at once once `stop` is set.
  void decode(const AVPacket& packet, const std::function<std::chrono::microseconds(std::int64_t)>& time_of,
              const std::function<bool()>& give_way, const std::atomic<bool>& stop);
  void flush();  // after a seek or at a loop
  // Samples before `t` (presentation time) are dropped: a source joining part-way in
  // starts its sound with its picture.
  void skip_before(std::chrono::microseconds t) { skip_before_ = t; }

 private:
  AudioDecoder(const AVStream& stream, std::shared_ptr<AudioStream> out) : stream_(stream), out_(std::move(out)) {}
  bool reconfigure(AVFrame& f);
  void write(AVFrame& f, const std::function<std::chrono::microseconds(std::int64_t)>& time_of,
             const std::function<bool()>& give_way, const std::atomic<bool>& stop);

  const AVStream& stream_;
  std::shared_ptr<AudioStream> out_;
  ffmpeg::CodecContextPtr ctx_;
  ffmpeg::SwrContextPtr swr_;
  ffmpeg::ChannelLayout in_layout_;  // what swr_ was made for
  int in_rate_ = 0, in_format_ = -1;
  std::vector<float> buf_;
  std::chrono::microseconds skip_before_ = std::chrono::microseconds::min();
};

}  // namespace signage
