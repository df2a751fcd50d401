// Video playback core: a VideoSource demuxes and decodes one file on its own thread
// into a small bounded queue of frames that the main thread takes, uploads and
// presents. Audio, when the file has some and an AudioStream is given, is decoded on
// the same thread, resampled to the output format and written to that stream.
//
//   auto src = VideoSource::open(file, options);      // returns at once
//   auto info = src->wait_ready(1500ms);               // first frame decoded, or Error
//   while (const VideoFrame* f = src->peek()) ...      // main thread
//
// Opening (probe, stream info, decoder) happens on the decode thread under a
// deadline, so a slow or hostile file never blocks the caller longer than it chose
// to wait. Memory is bounded whatever the file claims: dimensions and pixel count
// are checked before the decoder allocates, packets have a size limit, and the
// queue holds `queue_frames` frames.
//
// Hardware decoding: the methods are tried in order (auto: cuda, vaapi, vdpau,
// v4l2m2m, then software). A method that fails to open, or fails on
// `hw_failure_packets` packets in a row, gives way to the next one; the packets since
// the last key frame are fed again to the new decoder and frames already queued are
// skipped, so the viewer sees no gap. Each step is recorded in VideoInfo::fallbacks.
// Device contexts live in a HwDevices shared by all sources (one per method).
//
// Inside, one part per job (internal headers of this module): Demuxer (container,
// limits, seeking), VideoDecoder (hardware methods and fallback, after mpv's
// vd_lavc), AudioDecoder (decode, resample, write to the AudioStream) and FrameQueue
// (the bounded hand-over to the main thread); source.cpp runs them on the decode
// thread and keeps the presentation timeline across loops.
//
// Ownership: the VideoSource owns its thread, FFmpeg contexts and queued frames; the
// destructor stops and joins the thread. HwDevices is shared (std::shared_ptr).
// Thread: open/wait_ready/peek/pop/state/info from one thread (the main thread);
// everything else runs on the source's own decode thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "video/frame.h"

namespace signage {

class AudioStream;

enum class HwDec { auto_select, vaapi, vdpau, cuda, v4l2m2m, none };

// "auto" | "vaapi" | "vdpau" | "cuda" | "v4l2m2m" | "none"
std::optional<HwDec> parse_hwdec(std::string_view text);
std::string_view to_string(HwDec h);

// Hardware device contexts, created on first use and reused by every source
// (creating a VAAPI or CUDA device costs tens of milliseconds and memory). A method
// whose device cannot be created is remembered and not tried again.
// Thread: any; calls are serialised inside.
class HwDevices {
 public:
  struct Impl;
  HwDevices();
  ~HwDevices();
  HwDevices(const HwDevices&) = delete;
  HwDevices& operator=(const HwDevices&) = delete;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct VideoOptions {
  HwDec hwdec = HwDec::auto_select;
  std::shared_ptr<HwDevices> devices;        // null: this source makes its own
  int max_dimension = 8192;                  // width or height above this: refused
  std::int64_t max_pixels = 64'000'000;      // width x height above this: refused
  std::size_t queue_frames = 4;              // decoded frames held ahead
  std::size_t max_packet_bytes = 32u << 20;  // a bigger packet ends the file
  std::chrono::milliseconds open_timeout{3000};  // probe + stream info + decoder
  bool loop = true;                          // at the end, start again seamlessly
  int hw_failure_packets = 3;                // consecutive hw errors before falling back
  int max_decode_errors = 8;                 // consecutive errors that end the item
  std::shared_ptr<AudioStream> audio;        // null: the audio track is ignored
  // Called from the decode thread when a frame is queued into an empty queue or the
  // state changes (wake the main loop). May be empty.
  std::function<void()> notify;
  // Lines for the player's log, called from the decode thread: one per fallback
  // (a hardware method that failed and why, the audio track left out), each said
  // once per HwDevices, so that a box without a GPU says so at its first video
  // and not at every one. May be empty.
  std::function<void(std::string)> log;
  // Explicit method order, overriding hwdec's (tests: {none, none} exercises the
  // fallback without a GPU). Empty: from hwdec.
  std::vector<HwDec> order;
  // Where to start, from the start of the file: the demuxer seeks to the key frame
  // before it and the pictures (and sound) before it are decoded but not queued, so
  // the first frame queued is the one showing at `start_at` (a player joining a
  // video part-way into its slot). Past the end of a looping file: modulo its length.
  std::chrono::microseconds start_at{0};
  // Threads of a software decoder: 0 is one per core.
  int decoder_threads = 0;
  // Opened while another video may be playing (prepared ahead): until foreground(),
  // the decode thread runs at a lower priority (nice +10) and a software decoder with
  // one thread, so that opening and pre-decoding the next video cannot take CPU time
  // from the frames on screen.
  bool background = false;
  // Monotonic time for the opening deadline; null: the process's steady clock. Must
  // outlive the source.
  const MonotonicClock* clock = nullptr;
  // Tests only: the first decoder reports a failure on every packet from this
  // packet on (-1: never), to exercise fallback and mid-file errors.
  int inject_failure_after = -1;
};

struct VideoInfo {
  int width = 0, height = 0;  // decoded picture, before rotation
  int sar_num = 1, sar_den = 1;  // sample (pixel) aspect ratio
  int rotation = 0;           // degrees clockwise to turn the picture upright: 0/90/180/270
  std::string codec;          // "h264"
  std::string decoder;        // what decodes now: "h264 (vaapi)", "hevc (software)"
  bool hardware = false;
  bool has_audio = false;     // an audio track is decoded into the AudioStream
  double fps = 0;             // the container's average frame rate, 0 if unknown
  std::optional<std::chrono::microseconds> duration;  // the container's claim
  std::vector<std::string> fallbacks;  // each method that failed, and why
};

// The container's claimed length of `file` (header only, bounded time). Errors name
// the file. Thread: any.
// `clock` bounds the time spent (null: the process's steady clock).
Result<std::chrono::milliseconds> probe_video_duration(const std::filesystem::path& file,
                                                       const MonotonicClock* clock = nullptr);

class VideoSource {
 public:
  enum class State {
    opening,   // probing, or waiting for the first frame
    playing,   // frames are coming
    ended,     // end of file (loop off) or a decode error after some frames: no more
    failed,    // could not open or decode anything: error() says why
  };

  // Starts the decode thread and returns at once.
  static std::unique_ptr<VideoSource> open(const std::filesystem::path& file, VideoOptions options);
  ~VideoSource();
  VideoSource(const VideoSource&) = delete;
  VideoSource& operator=(const VideoSource&) = delete;

  // Waits until the first frame is queued (returns the stream's description), the
  // source fails (returns the Error: file and reason), or `timeout` passes (Error).
  Result<VideoInfo> wait_ready(std::chrono::milliseconds timeout);

  // The next frame, or nullptr when the queue is empty. The pointer stays valid
  // until pop().
  const VideoFrame* peek();
  std::optional<VideoFrame> pop();

  State state() const;
  // Why the source failed or ended early (a decode error mid-file); nullopt at a
  // normal end.
  std::optional<Error> error() const;
  VideoInfo info() const;  // the decoder can change after a fallback
  // The end of the file's first pass (end of its last frame) once the decoder has
  // reached it; the container's claimed duration is in info().duration before.
  std::optional<std::chrono::microseconds> first_pass_end() const;
  std::uint64_t frames_decoded() const;
  // The video goes on screen: a background source gets its decoder's full threads
  // (opened again without a gap) and its thread's normal priority back. Raising a
  // priority needs CAP_SYS_NICE or RLIMIT_NICE (the service's LimitNICE=+0); without
  // them the thread stays at the lower one and info().fallbacks says so.
  void foreground();

  struct Impl;

 private:
  explicit VideoSource(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace signage
