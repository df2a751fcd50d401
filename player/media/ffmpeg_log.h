// FFmpeg's own messages in the player's log. Left alone, FFmpeg prints to stderr:
// "[h264 @ 0x55d0c8a3c0] Invalid NAL unit size" for every packet of a damaged file,
// "Cannot load libcuda.so.1" each time a hardware method is tried on a box without
// it. Routed here (av_log_set_callback), a message at warning level or above becomes
// one line, "ffmpeg: h264: Invalid NAL unit size (1234 > 567).", handed to a sink;
// each kind of message (its source and format) is printed 3 times, then counted
// (core/repeat_limit.h: "ffmpeg: h264: 412 more times: ..."); info, verbose and
// debug messages are dropped.
//
// Trying a hardware method is expected to fail on most boxes: while an FfmpegCapture
// is alive on a thread, what FFmpeg says on that thread is kept by it instead, so
// that the video module says the failure once, in its own words, with FFmpeg's
// reason in it.
//
// FFmpeg has one log callback for the process: one FfmpegLogRoute at a time, which
// installs it (captures work while a route is installed). Without one, FFmpeg's
// messages go to stderr as FFmpeg prints them.
// Thread: the sink is called from whichever thread FFmpeg logs on (decode threads,
// the codec's own threads), one call at a time; construct and destroy the route on
// one thread while no FFmpeg call runs (start and end of a command).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/repeat_limit.h"
#include "core/time.h"

namespace signage {

class FfmpegLogRoute {
 public:
  using Sink = std::function<void(std::string line)>;
  // `clock` must outlive the route.
  FfmpegLogRoute(Sink sink, const MonotonicClock& clock, RepeatLimit::Options limit = {});
  // Says the counts still held (flush(true)), then FFmpeg prints to stderr again.
  ~FfmpegLogRoute();
  FfmpegLogRoute(const FfmpegLogRoute&) = delete;
  FfmpegLogRoute& operator=(const FfmpegLogRoute&) = delete;

  // Hands the sink a line for each count of repeated messages that is due (a window
  // old; every one with `all`). Call it now and then (the kiosk: at each turn), so
  // that a count is said when the messages stop.
  void flush(bool all);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// Keeps FFmpeg's messages on the calling thread while alive (nested captures: the
// innermost). Thread: the thread that made it.
class FfmpegCapture {
 public:
  FfmpegCapture();
  ~FfmpegCapture();
  FfmpegCapture(const FfmpegCapture&) = delete;
  FfmpegCapture& operator=(const FfmpegCapture&) = delete;

  // The messages at error level and above so far, joined with "; " ("" when none).
  std::string errors() const;
  // Called by the log callback.
  void keep(int level, std::string text);

 private:
  FfmpegCapture* outer_;
  std::vector<std::string> errors_;
};

}  // namespace signage
