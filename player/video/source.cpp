// VideoSource: the decode thread that wires a Demuxer, a VideoDecoder, an
// AudioDecoder and a FrameQueue together, and the timeline that turns stream times
// into presentation times that keep counting up across loops.
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/i18n.h"
#include "video/audio.h"
#include "video/audio_decoder.h"
#include "video/demuxer.h"
#include "video/frame_queue.h"
#include "video/internal.h"
#include "video/video_decoder.h"

namespace signage {

namespace chr = std::chrono;
using chr::microseconds;

namespace {

// Presentation times: the file's times from its start, shifted at every loop so that
// the next pass starts where the last one ended, and cut at a join position.
// Thread: the decode thread.
class Timeline {
 public:
  // `loop_base`: the time of the first frame of a full pass when known ahead (a source
  // that starts part-way in never sees the first pass's first frame).
  Timeline(microseconds start_at, std::optional<microseconds> loop_base)
      : start_at_(start_at), first_rel_(loop_base) {}

  // The presentation time of a picture at file time `rel` (nullopt: no timestamp),
  // lasting `duration`; nullopt when it is not to be queued (before the join
  // position, or already queued by a decoder that fell back and replays).
  std::optional<microseconds> place(std::optional<microseconds> rel, microseconds duration) {
    const microseconds t = rel ? *rel + loop_offset_ : pass_end_;
    if (!first_rel_ && rel) first_rel_ = *rel;
    if (t <= last_pts_) return std::nullopt;
    if (joining_ && t + duration <= start_at_) return std::nullopt;  // decoded, not shown
    joining_ = false;
    last_pts_ = t;
    pass_end_ = t + duration;
    ++frames_in_pass_;
    return t;
  }
  // Audio at file time `rel`.
  microseconds audio_time(microseconds rel) const { return rel + loop_offset_; }
  // Sound before this is not played (a join).
  microseconds audio_start() const { return start_at_; }
  // The next pass starts where this one ended.
  void next_pass() {
    loop_offset_ = pass_end_ - first_rel_.value_or(microseconds(0));
    frames_in_pass_ = 0;
  }
  microseconds pass_end() const { return pass_end_; }
  std::uint64_t frames_in_pass() const { return frames_in_pass_; }

 private:
  microseconds start_at_;
  bool joining_ = true;
  std::optional<microseconds> first_rel_;  // the first frame's time in a pass
  microseconds loop_offset_{0};
  microseconds last_pts_{-1};
  microseconds pass_end_{0};
  std::uint64_t frames_in_pass_ = 0;
};

microseconds frame_duration(const AVFrame& f, const AVStream& vs) {
  if (f.pkt_duration > 0) {
    const microseconds d(av_rescale_q(f.pkt_duration, vs.time_base, AVRational{1, 1'000'000}));
    if (d > microseconds(0)) return d;
  }
  return vs.avg_frame_rate.num > 0 && vs.avg_frame_rate.den > 0
             ? microseconds(av_rescale_q(1, av_inv_q(vs.avg_frame_rate), AVRational{1, 1'000'000}))
             : microseconds(40'000);
}

// The calling thread's nice value: Linux gives each thread its own.
int thread_nice() {
  errno = 0;
  const int n = getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
  return errno == 0 ? n : 0;
}
bool set_thread_nice(int nice) {
  return setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice) == 0;
}

constexpr int kBackgroundNice = 10;  // CFS weight about a tenth of a normal thread's

}  // namespace

struct VideoSource::Impl {
  std::filesystem::path file;
  VideoOptions opt;
  std::shared_ptr<HwDevices> devices;
  const MonotonicClock* clock = nullptr;
  std::unique_ptr<FrameQueue> queue;
  std::atomic<std::uint64_t> frames_decoded{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> to_foreground{false};

  mutable std::mutex info_mu;
  VideoInfo info;                                   // guarded by info_mu
  std::optional<microseconds> first_pass_end;       // guarded by info_mu

  // Decode thread only.
  std::unique_ptr<Demuxer> demux;
  std::unique_ptr<VideoDecoder> vdec;
  std::unique_ptr<AudioDecoder> adec;
  std::optional<Timeline> timeline;
  std::optional<int> normal_nice;  // while in the background: the nice value to go back to
  std::thread thread;

  Error err(const std::string& reason) const { return Error(file.string() + ": " + reason); }

  void fail(const Error& e) { queue->finish(err(e.what()), frames_decoded.load() > 0); }

  // A fallback for the log, once per HwDevices: "clip.mp4: cuda: cannot open a cuda
  // device: ... (Cannot load libcuda.so.1)"; then it is only in VideoInfo::fallbacks.
  void report(const std::string& note) {
    if (opt.log && devices->impl().first_report(note)) {
      opt.log(fmt(_("video {1}: {2}"), file.filename().string(), note));
    }
  }

  void run() {
    if (opt.background) {
      const int n = thread_nice();
      if (set_thread_nice(n + kBackgroundNice)) normal_nice = n;
    }
    if (auto s = open(); !s) return fail(s.error());
    decode_loop();
  }

  Status open() {
    DemuxerOptions d;
    d.max_dimension = opt.max_dimension;
    d.max_pixels = opt.max_pixels;
    d.max_packet_bytes = opt.max_packet_bytes;
    d.open_timeout = opt.open_timeout;
    d.want_audio = opt.audio != nullptr;
    auto dm = Demuxer::open(file, d, *clock, stop);
    if (!dm) return dm.error();
    demux = std::move(*dm);
    VideoInfo vi = demux->describe();
    VideoDecoderOptions vo;
    vo.methods = method_order(opt);
    vo.devices = devices;
    vo.max_pixels = opt.max_pixels;
    vo.threads = opt.background ? 1 : opt.decoder_threads;
    vo.reopen_later = opt.background;
    vo.hw_failure_packets = opt.hw_failure_packets;
    vo.max_decode_errors = opt.max_decode_errors;
    vo.inject_failure_after = opt.inject_failure_after;
    auto dec = VideoDecoder::open(demux->video(), std::move(vo), vi.fallbacks);
    if (!dec) {
      for (const auto& n : vi.fallbacks) report(n);
      return dec.error();
    }
    vdec = std::move(*dec);
    vi.decoder = vdec->label();
    vi.hardware = vdec->hardware();
    if (const AVStream* as = demux->audio()) {
      if (auto a = AudioDecoder::open(*as, opt.audio)) {
        adec = std::move(*a);
        vi.has_audio = true;
      } else {
        vi.fallbacks.push_back("audio: " + a.error().what());
        demux->drop_audio();
      }
    }
    if (auto s = join(vi); !s) return s;
    if (adec) adec->skip_before(timeline->audio_start());
    for (const auto& n : vi.fallbacks) report(n);
    std::lock_guard lock(info_mu);
    info = std::move(vi);
    return {};
  }

  // Seeks to the key frame before the start position, when there is one.
  Status join(const VideoInfo& vi) {
    microseconds at = std::max(opt.start_at, microseconds(0));
    if (opt.loop && vi.duration && *vi.duration > microseconds(0)) at %= *vi.duration;
    const AVStream& vs = demux->video();
    std::optional<microseconds> base;
    if (at > microseconds(0)) {
      if (vs.start_time != AV_NOPTS_VALUE) base = demux->relative(vs, vs.start_time);
      if (auto s = demux->seek(at); !s) return s;
    }
    timeline.emplace(at, base);
    return {};
  }

  void decode_loop() {
    auto pkt = ffmpeg::make_packet();
    if (!pkt) return fail(Error("out of memory"));
    while (!stop.load()) {
      if (opt.background && to_foreground.exchange(false)) come_forward();
      auto got = demux->read(*pkt);
      if (!got) return stop.load() ? void() : fail(got.error());
      if (!*got) {
        if (!end_of_pass()) return;
        continue;
      }
      if (demux->is_video(*pkt)) {
        if (!decode_video(pkt.get())) return;
      } else if (adec && demux->is_audio(*pkt)) {
        decode_audio(*pkt);
      }
      av_packet_unref(pkt.get());
    }
  }

  // The video is on screen: full threads and the normal priority.
  void come_forward() {
    opt.background = false;
    vdec->set_threads(opt.decoder_threads);
    if (normal_nice && !set_thread_nice(*normal_nice)) {
      const std::string note = std::string("priority: stays lower (nice +") + std::to_string(kBackgroundNice) +
                               "): " + std::strerror(errno);
      report(note);
      std::lock_guard lock(info_mu);
      info.fallbacks.push_back(note);
    }
    normal_nice.reset();
  }

  // False when the thread should stop.
  bool decode_video(const AVPacket* p) {
    const auto sink = [this](std::unique_ptr<VideoFrame::Impl> f) { return deliver(std::move(f)); };
    auto s = vdec->decode(p, sink);
    if (auto notes = vdec->take_notes(); !notes.empty()) {
      for (const auto& n : notes) report(n);
      std::lock_guard lock(info_mu);
      for (auto& n : notes) info.fallbacks.push_back(std::move(n));
      info.decoder = vdec->label();
      info.hardware = vdec->hardware();
    }
    if (!s) {
      fail(s.error());
      return false;
    }
    return !stop.load();
  }

  void decode_audio(const AVPacket& p) {
    const AVStream& as = *demux->audio();
    const auto time_of = [&](std::int64_t ts) { return timeline->audio_time(demux->relative(as, ts)); };
    adec->decode(p, time_of, [this] { return queue->empty(); }, stop);
  }

  // Queues a decoded picture at its presentation time; false when stopping.
  bool deliver(std::unique_ptr<VideoFrame::Impl> f) {
    const AVStream& vs = demux->video();
    const std::int64_t ts = f->frame->best_effort_timestamp;
    const microseconds duration = frame_duration(*f->frame, vs);
    std::optional<microseconds> rel;
    if (ts != AV_NOPTS_VALUE) rel = demux->relative(vs, ts);
    const auto at = timeline->place(rel, duration);
    if (!at) return true;
    f->pts = *at;
    f->duration = duration;
    frames_decoded.fetch_add(1);
    return queue->push(VideoFrame(std::move(f)));
  }

  // End of file: drain, then loop or end. False when the thread should stop.
  bool end_of_pass() {
    if (!decode_video(nullptr)) return false;
    {
      std::lock_guard lock(info_mu);
      if (!first_pass_end) first_pass_end = timeline->pass_end();
    }
    if (timeline->frames_in_pass() == 0) {
      fail(Error(frames_decoded.load() == 0 ? "no picture could be decoded (damaged or truncated file)"
                                            : "nothing to play after looping"));
      return false;
    }
    if (!opt.loop) {
      queue->finish(std::nullopt, true);
      return false;
    }
    if (auto s = demux->rewind(); !s) {
      fail(s.error());
      return false;
    }
    vdec->flush();
    if (adec) adec->flush();
    timeline->next_pass();
    return true;
  }
};

VideoSource::VideoSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<VideoSource> VideoSource::open(const std::filesystem::path& file, VideoOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->devices = options.devices ? options.devices : std::make_shared<HwDevices>();
  impl->clock = options.clock ? options.clock : &SteadyClock::instance();
  impl->queue = std::make_unique<FrameQueue>(options.queue_frames, options.notify);
  impl->opt = std::move(options);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<VideoSource>(new VideoSource(std::move(impl)));
}

VideoSource::~VideoSource() {
  impl_->stop.store(true);
  if (impl_->opt.audio) impl_->opt.audio->close();
  impl_->queue->close();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<VideoInfo> VideoSource::wait_ready(std::chrono::milliseconds timeout) {
  const State s = impl_->queue->wait_started(timeout);
  if (s == State::opening) {
    return impl_->err("no picture after " + std::to_string(timeout.count()) + " ms (file too slow to open or decode)");
  }
  if (s == State::failed || impl_->queue->peek() == nullptr) {
    if (auto e = impl_->queue->error()) return *e;
    return impl_->err("no picture in the file");
  }
  return info();
}

const VideoFrame* VideoSource::peek() { return impl_->queue->peek(); }
std::optional<VideoFrame> VideoSource::pop() { return impl_->queue->pop(); }
VideoSource::State VideoSource::state() const { return impl_->queue->state(); }
std::optional<Error> VideoSource::error() const { return impl_->queue->error(); }

VideoInfo VideoSource::info() const {
  std::lock_guard lock(impl_->info_mu);
  return impl_->info;
}

std::optional<std::chrono::microseconds> VideoSource::first_pass_end() const {
  std::lock_guard lock(impl_->info_mu);
  return impl_->first_pass_end;
}

std::uint64_t VideoSource::frames_decoded() const { return impl_->frames_decoded.load(); }

void VideoSource::foreground() { impl_->to_foreground.store(true); }

namespace {

// Interrupt callback for probe_video_duration: gives up after its deadline.
struct ProbeDeadline {
  const MonotonicClock* clock;
  MonoTime at;
};
int probe_interrupt(void* opaque) {
  const auto* d = static_cast<const ProbeDeadline*>(opaque);
  return d->clock->now() > d->at ? 1 : 0;
}

}  // namespace

Result<std::chrono::milliseconds> probe_video_duration(const std::filesystem::path& file,
                                                       const MonotonicClock* clock) {
  if (!clock) clock = &SteadyClock::instance();
  ProbeDeadline deadline{clock, clock->now() + std::chrono::seconds(2)};
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return Error(file.string() + ": out of memory");
  raw->interrupt_callback.callback = &probe_interrupt;
  raw->interrupt_callback.opaque = &deadline;
  raw->probesize = 5'000'000;
  const int ret = avformat_open_input(&raw, file.c_str(), nullptr, nullptr);  // frees raw on failure
  if (ret < 0) return Error(file.string() + ": cannot read its length", Error(ffmpeg::error_string(ret)));
  const ffmpeg::InputFormatContextPtr fmt(raw);
  if (fmt->duration == AV_NOPTS_VALUE || fmt->duration <= 0) {
    if (avformat_find_stream_info(fmt.get(), nullptr) < 0 || fmt->duration == AV_NOPTS_VALUE ||
        fmt->duration <= 0) {
      return Error(file.string() + ": the file does not say how long it is");
    }
  }
  return std::chrono::milliseconds(fmt->duration / 1000);
}

}  // namespace signage
