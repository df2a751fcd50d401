#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
}

#include "video/audio.h"
#include "video/internal.h"

namespace signage {

namespace chr = std::chrono;
using chr::microseconds;

namespace {

constexpr AVRational kMicros{1, 1'000'000};
constexpr std::size_t kMaxReplayBytes = 64u << 20;  // packets kept since the last key frame

struct SwrDeleter {
  void operator()(SwrContext* p) const noexcept { swr_free(&p); }
};
using SwrPtr = std::unique_ptr<SwrContext, SwrDeleter>;

std::vector<HwDec> method_order(const VideoOptions& o) {
  if (!o.order.empty()) return o.order;
  switch (o.hwdec) {
    case HwDec::auto_select:
      // Most capable first; v4l2m2m (ARM boards) before giving up on hardware.
      return {HwDec::cuda, HwDec::vaapi, HwDec::vdpau, HwDec::v4l2m2m, HwDec::none};
    case HwDec::none:
      return {HwDec::none};
    default:
      // An explicit method still falls back to software: a missing GPU degrades.
      return {o.hwdec, HwDec::none};
  }
}

AVHWDeviceType device_type(HwDec h) {
  switch (h) {
    case HwDec::cuda: return AV_HWDEVICE_TYPE_CUDA;
    case HwDec::vaapi: return AV_HWDEVICE_TYPE_VAAPI;
    case HwDec::vdpau: return AV_HWDEVICE_TYPE_VDPAU;
    default: return AV_HWDEVICE_TYPE_NONE;
  }
}

// The decoder's choice among the formats it offers: the hardware one we set up, or
// (when the hardware cannot do this stream) the first software one, which the
// decode loop notices and reports.
AVPixelFormat pick_hw_format(AVCodecContext* ctx, const AVPixelFormat* fmts) {
  const auto want = *static_cast<const AVPixelFormat*>(ctx->opaque);
  for (const AVPixelFormat* p = fmts; *p != AV_PIX_FMT_NONE; ++p) {
    if (*p == want) return *p;
  }
  for (const AVPixelFormat* p = fmts; *p != AV_PIX_FMT_NONE; ++p) {
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(*p);
    if (d && (d->flags & AV_PIX_FMT_FLAG_HWACCEL) == 0) return *p;
  }
  return AV_PIX_FMT_NONE;
}

struct Decoder {
  ffmpeg::CodecContextPtr ctx;
  std::unique_ptr<AVPixelFormat> hw_format;  // ctx->opaque points here
  HwDec method = HwDec::none;
  bool hardware = false;
  std::string label;  // "h264 (vaapi)"
};

ColorMatrix matrix_of(const AVFrame& f) {
  switch (f.colorspace) {
    case AVCOL_SPC_BT470BG:
    case AVCOL_SPC_SMPTE170M:
    case AVCOL_SPC_FCC:
      return ColorMatrix::bt601;
    case AVCOL_SPC_BT709:
    case AVCOL_SPC_BT2020_NCL:
    case AVCOL_SPC_BT2020_CL:
      return ColorMatrix::bt709;
    default:
      // Unspecified: the usual guess by size (SD is BT.601, HD is BT.709).
      return f.height >= 720 ? ColorMatrix::bt709 : ColorMatrix::bt601;
  }
}

int rotation_of(const AVStream& st) {
  const auto* m = reinterpret_cast<const int32_t*>(
      av_stream_get_side_data(&st, AV_PKT_DATA_DISPLAYMATRIX, nullptr));
  if (!m) return 0;
  const double ccw = av_display_rotation_get(m);  // counter-clockwise degrees
  if (std::isnan(ccw)) return 0;
  long cw = std::lround(-ccw / 90.0) * 90 % 360;
  if (cw < 0) cw += 360;
  return static_cast<int>(cw);
}

}  // namespace

struct VideoSource::Impl {
  std::filesystem::path file;
  VideoOptions opt;
  std::shared_ptr<HwDevices> devices;

  // Shared with the main thread, under mu.
  mutable std::mutex mu;
  std::condition_variable changed;  // main waits: first frame, failure
  std::condition_variable room;     // decode thread waits: queue space
  std::deque<VideoFrame> queue;
  State state = State::opening;
  std::optional<Error> error;
  VideoInfo info;
  std::optional<microseconds> first_pass_end;
  std::atomic<std::uint64_t> frames_decoded{0};
  std::atomic<bool> stop{false};

  // Decode thread only.
  std::optional<chr::steady_clock::time_point> deadline;  // for the interrupt callback
  ffmpeg::InputFormatContextPtr fmt;
  int vindex = -1, aindex = -1;
  std::vector<HwDec> methods;
  std::size_t method_index = 0;
  std::size_t decoders_opened = 0;
  Decoder vdec;
  ffmpeg::CodecContextPtr adec;
  SwrPtr swr;
  AVChannelLayout swr_in_layout{};
  int swr_in_rate = 0, swr_in_format = -1;
  ffmpeg::SwsContextPtr sws;
  std::vector<ffmpeg::PacketPtr> replay;  // packets since the last key frame
  std::size_t replay_bytes = 0;
  bool replay_overflow = false;
  int errors_in_row = 0;
  std::string last_error;
  bool need_fallback = false;
  bool fatal = false;
  std::int64_t packets_sent = 0;
  microseconds origin{0};          // the file's start time
  std::optional<microseconds> first_rel;  // the first frame's time in the first pass
  microseconds loop_offset{0};
  microseconds last_pts{-1};
  microseconds pass_end{0};
  std::uint64_t frames_in_pass = 0;
  bool software_fallback_noted = false;

  std::thread thread;

  static int interrupt(void* opaque) {
    const auto* self = static_cast<const Impl*>(opaque);
    if (self->stop.load()) return 1;
    return self->deadline && chr::steady_clock::now() > *self->deadline ? 1 : 0;
  }

  Error err(const std::string& reason) const { return Error(file.string() + ": " + reason); }

  void notify() {
    if (opt.notify) opt.notify();
  }

  void fail(Error e) {
    {
      std::lock_guard lock(mu);
      state = frames_decoded.load() > 0 ? State::ended : State::failed;
      error = std::move(e);
    }
    changed.notify_all();
    notify();
  }

  void run() {
    auto opened = open();
    if (!opened) {
      fail(opened.error());
      return;
    }
    decode_loop();
  }

  Status open() {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return err("file not found");
    if (!std::filesystem::is_regular_file(file, ec)) return err("not a regular file");
    if (std::filesystem::file_size(file, ec) == 0) return err("empty file (0 bytes)");

    deadline = chr::steady_clock::now() + opt.open_timeout;
    AVFormatContext* raw = avformat_alloc_context();
    if (!raw) return err("out of memory");
    raw->interrupt_callback.callback = &Impl::interrupt;
    raw->interrupt_callback.opaque = this;
    raw->probesize = 5'000'000;
    raw->max_analyze_duration = 5 * AV_TIME_BASE;
    int ret = avformat_open_input(&raw, file.c_str(), nullptr, nullptr);  // frees raw on failure
    if (ret < 0) return err(open_reason("cannot open", ret));
    fmt.reset(raw);
    // Sizes the header already tells are checked before any frame is read.
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
      if (auto s = check_size(*fmt->streams[i]->codecpar); !s) return s;
    }
    ret = avformat_find_stream_info(fmt.get(), nullptr);
    if (ret < 0) return err(open_reason("cannot read stream information", ret));

    vindex = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (vindex < 0) return err("no video stream (is it an audio file?)");
    AVStream* vs = fmt->streams[vindex];
    const AVCodecParameters* par = vs->codecpar;
    const AVCodecDescriptor* cd = avcodec_descriptor_get(par->codec_id);
    const std::string codec = cd ? cd->name : "unknown codec";
    if (par->width <= 0 || par->height <= 0) return err(codec + " stream without a picture size");
    if (auto s = check_size(*par); !s) return s;
    if (!avcodec_find_decoder(par->codec_id)) {
      return err("unsupported codec " + codec + " (this FFmpeg has no decoder for it)");
    }
    if (fmt->start_time != AV_NOPTS_VALUE) origin = microseconds(fmt->start_time);

    VideoInfo vi;
    vi.width = par->width;
    vi.height = par->height;
    if (par->sample_aspect_ratio.num > 0 && par->sample_aspect_ratio.den > 0) {
      vi.sar_num = par->sample_aspect_ratio.num;
      vi.sar_den = par->sample_aspect_ratio.den;
    }
    vi.rotation = rotation_of(*vs);
    vi.codec = codec;
    if (vs->avg_frame_rate.num > 0 && vs->avg_frame_rate.den > 0) vi.fps = av_q2d(vs->avg_frame_rate);
    if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0) vi.duration = microseconds(fmt->duration);

    methods = method_order(opt);
    auto dec = open_next_decoder(vi.fallbacks);
    if (!dec) return err(dec.error().what());
    vdec = std::move(*dec);
    vi.decoder = vdec.label;
    vi.hardware = vdec.hardware;

    if (opt.audio) {
      aindex = av_find_best_stream(fmt.get(), AVMEDIA_TYPE_AUDIO, -1, vindex, nullptr, 0);
      if (aindex >= 0) {
        if (auto a = open_audio(); a) {
          vi.has_audio = true;
        } else {
          vi.fallbacks.push_back("audio: " + a.error().what());
          aindex = -1;
        }
      }
    }
    {
      std::lock_guard lock(mu);
      info = std::move(vi);
    }
    deadline.reset();
    return {};
  }

  Status check_size(const AVCodecParameters& par) const {
    if (par.codec_type != AVMEDIA_TYPE_VIDEO) return {};
    if (par.width > opt.max_dimension || par.height > opt.max_dimension ||
        static_cast<std::int64_t>(par.width) * par.height > opt.max_pixels) {
      return err("picture of " + std::to_string(par.width) + "x" + std::to_string(par.height) +
                 " is larger than the limit (" + std::to_string(opt.max_dimension) + " per side, " +
                 std::to_string(opt.max_pixels) + " pixels)");
    }
    return {};
  }

  std::string open_reason(const std::string& what, int ret) const {
    if (ret == AVERROR_EXIT && !stop.load()) {
      return what + ": gave up after " + std::to_string(opt.open_timeout.count()) + " ms";
    }
    return what + ": " + ffmpeg::error_string(ret) + " (not a playable video, or damaged)";
  }

  // Opens methods[method_index], or the ones after it, recording each failure.
  Result<Decoder> open_next_decoder(std::vector<std::string>& fallbacks) {
    for (; method_index < methods.size(); ++method_index) {
      auto d = open_decoder(methods[method_index]);
      if (d) {
        ++decoders_opened;
        return d;
      }
      fallbacks.push_back(std::string(to_string(methods[method_index])) + ": " + d.error().what());
    }
    return Error("no decoder could open the stream" +
                 (fallbacks.empty() ? std::string() : " (last: " + fallbacks.back() + ")"));
  }

  Result<Decoder> open_decoder(HwDec method) {
    const AVStream* vs = fmt->streams[vindex];
    const AVCodecID id = vs->codecpar->codec_id;
    const char* codec_name = avcodec_get_name(id);
    Decoder d;
    d.method = method;
    const AVCodec* codec = nullptr;
    BufferRefPtr device;
    if (method == HwDec::v4l2m2m) {
      codec = avcodec_find_decoder_by_name((std::string(codec_name) + "_v4l2m2m").c_str());
      if (!codec) return Error(std::string("no v4l2m2m decoder for ") + codec_name);
      if (auto failed = devices->impl().decoder_failed(codec->name)) return Error(*failed);
    } else {
      codec = avcodec_find_decoder(id);
      if (!codec) return Error(std::string("no decoder for ") + codec_name);
    }
    if (method != HwDec::none && method != HwDec::v4l2m2m) {
      const AVHWDeviceType type = device_type(method);
      AVPixelFormat hw = AV_PIX_FMT_NONE;
      for (int i = 0;; ++i) {
        const AVCodecHWConfig* c = avcodec_get_hw_config(codec, i);
        if (!c) break;
        if ((c->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0 && c->device_type == type) {
          hw = c->pix_fmt;
          break;
        }
      }
      if (hw == AV_PIX_FMT_NONE) {
        return Error(std::string(codec_name) + " cannot be decoded with " + std::string(to_string(method)));
      }
      auto dev = devices->impl().get(type);
      if (!dev) return dev.error();
      device = std::move(*dev);
      d.hw_format = std::make_unique<AVPixelFormat>(hw);
      d.hardware = true;
    }
    d.ctx = ffmpeg::make_codec_context(codec);
    if (!d.ctx) return Error("out of memory");
    int ret = avcodec_parameters_to_context(d.ctx.get(), vs->codecpar);
    if (ret < 0) return Error("bad codec parameters: " + ffmpeg::error_string(ret));
    d.ctx->pkt_timebase = vs->time_base;
    d.ctx->max_pixels = opt.max_pixels;
    if (d.hardware) {
      d.ctx->hw_device_ctx = device.release();
      d.ctx->opaque = d.hw_format.get();
      d.ctx->get_format = &pick_hw_format;
      // Surfaces we hold beyond the decoder's own references: each decoded surface
      // is copied to system memory at once, so one in flight.
      d.ctx->extra_hw_frames = 1;
    } else if (method == HwDec::none) {
      // One thread per core. FFmpeg's own choice (0) is one more than that: on a
      // two-core box it cost about 5 % more CPU and a 1080p frame more per thread.
      d.ctx->thread_count = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
      d.ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    }
    ret = avcodec_open2(d.ctx.get(), codec, nullptr);
    if (ret < 0) {
      const std::string why = "cannot open the decoder: " + ffmpeg::error_string(ret);
      if (method == HwDec::v4l2m2m) devices->impl().note_decoder_failure(codec->name, why);
      return Error(why);
    }
    d.label = std::string(codec_name) + " (" +
              (method == HwDec::none ? std::string("software") : std::string(to_string(method))) + ")";
    return d;
  }

  Status open_audio() {
    const AVStream* as = fmt->streams[aindex];
    const AVCodec* codec = avcodec_find_decoder(as->codecpar->codec_id);
    if (!codec) return Error(std::string("no decoder for ") + avcodec_get_name(as->codecpar->codec_id));
    adec = ffmpeg::make_codec_context(codec);
    if (!adec) return Error("out of memory");
    int ret = avcodec_parameters_to_context(adec.get(), as->codecpar);
    if (ret >= 0) {
      adec->pkt_timebase = as->time_base;
      ret = avcodec_open2(adec.get(), codec, nullptr);
    }
    if (ret < 0) {
      adec.reset();
      return Error(std::string("cannot open the ") + codec->name + " decoder: " + ffmpeg::error_string(ret));
    }
    return {};
  }

  // Waits for room in the queue; false when stopping.
  bool push(VideoFrame f) {
    std::unique_lock lock(mu);
    room.wait(lock, [&] { return stop.load() || queue.size() < opt.queue_frames; });
    if (stop.load()) return false;
    const bool was_empty = queue.empty();
    queue.push_back(std::move(f));
    const bool first = state == State::opening;
    if (first) state = State::playing;
    lock.unlock();
    if (first) changed.notify_all();
    if (was_empty) notify();
    return true;
  }

  bool video_starved() const {
    std::lock_guard lock(mu);
    return queue.empty();
  }

  void decode_loop() {
    auto pkt = ffmpeg::make_packet();
    if (!pkt) return fail(err("out of memory"));
    while (!stop.load()) {
      const int ret = av_read_frame(fmt.get(), pkt.get());
      if (ret == AVERROR_EOF || (ret < 0 && avio_feof(fmt->pb))) {
        if (!end_of_pass()) return;
        continue;
      }
      if (ret < 0) {
        if (stop.load()) return;
        return fail(err("read error: " + ffmpeg::error_string(ret)));
      }
      if (static_cast<std::size_t>(pkt->size) > opt.max_packet_bytes) {
        av_packet_unref(pkt.get());
        return fail(err("a packet of " + std::to_string(pkt->size) + " bytes is larger than the limit"));
      }
      if (pkt->stream_index == vindex) {
        keep_for_replay(*pkt);
        decode_video(pkt.get(), false);
        if (need_fallback) fall_back();
        if (fatal) return;
      } else if (pkt->stream_index == aindex) {
        decode_audio(pkt.get());
      }
      av_packet_unref(pkt.get());
    }
  }

  void keep_for_replay(const AVPacket& p) {
    if ((p.flags & AV_PKT_FLAG_KEY) != 0) {
      replay.clear();
      replay_bytes = 0;
      replay_overflow = false;
    }
    if (replay_overflow || methods.size() <= method_index + 1) return;  // nothing to fall back to
    replay_bytes += static_cast<std::size_t>(p.size);
    if (replay_bytes > kMaxReplayBytes) {
      replay.clear();
      replay_overflow = true;
      return;
    }
    auto copy = ffmpeg::make_packet();
    if (copy && av_packet_ref(copy.get(), &p) >= 0) replay.push_back(std::move(copy));
  }

  // Feeds one packet (nullptr: drain) and queues the frames that come out.
  void decode_video(const AVPacket* p, bool replaying) {
    int ret = 0;
    const bool inject = opt.inject_failure_after >= 0 && decoders_opened == 1 && p != nullptr &&
                        packets_sent >= opt.inject_failure_after;
    if (p) ++packets_sent;
    if (inject) {
      ret = AVERROR_INVALIDDATA;
    } else {
      ret = avcodec_send_packet(vdec.ctx.get(), p);
      if (ret == AVERROR(EAGAIN)) {  // full: take frames out, then feed again
        receive_frames(replaying);
        ret = avcodec_send_packet(vdec.ctx.get(), p);
      }
    }
    if (ret < 0 && ret != AVERROR_EOF) {
      decode_error(ret);
      return;
    }
    receive_frames(replaying);
  }

  void receive_frames(bool replaying) {
    auto frame = ffmpeg::make_frame();
    if (!frame) return;
    for (;;) {
      const int ret = avcodec_receive_frame(vdec.ctx.get(), frame.get());
      if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
      if (ret < 0) {
        decode_error(ret);
        return;
      }
      errors_in_row = 0;
      if (!deliver(std::move(frame), replaying)) return;
      frame = ffmpeg::make_frame();
      if (!frame) return;
    }
  }

  void decode_error(int ret) {
    ++errors_in_row;
    last_error = ffmpeg::error_string(ret);
    if (errors_in_row >= opt.hw_failure_packets && method_index + 1 < methods.size()) {
      need_fallback = true;
    } else if (errors_in_row >= opt.max_decode_errors) {
      fatal = true;
      fail(err("decoding stopped after " + std::to_string(errors_in_row) + " errors in a row (" +
               last_error + ")"));
    }
  }

  // Swaps in the next decoding method and feeds it the packets since the last key
  // frame; frames already queued are not queued again, so playback goes on.
  void fall_back() {
    need_fallback = false;
    std::vector<std::string> notes;
    notes.push_back(vdec.label + ": " + std::to_string(errors_in_row) + " decode errors in a row (" +
                    last_error + ")");
    ++method_index;
    auto d = open_next_decoder(notes);
    if (!d) {
      fatal = true;
      fail(err("decoding failed and no other decoder is left: " + d.error().what()));
      return;
    }
    vdec = std::move(*d);
    errors_in_row = 0;
    {
      std::lock_guard lock(mu);
      for (auto& n : notes) info.fallbacks.push_back(std::move(n));
      info.decoder = vdec.label;
      info.hardware = vdec.hardware;
    }
    auto packets = std::move(replay);
    replay.clear();
    replay_bytes = 0;
    for (auto& p : packets) {
      if (stop.load() || fatal) return;
      decode_video(p.get(), true);
      if (need_fallback) {
        fall_back();
        return;
      }
    }
  }

  // Queues a decoded frame; false when stopping.
  bool deliver(ffmpeg::FramePtr f, bool /*replaying*/) {
    if (vdec.hardware && f->format == *vdec.hw_format) {
      auto sw = ffmpeg::make_frame();
      if (!sw) return false;
      const int ret = av_hwframe_transfer_data(sw.get(), f.get(), 0);
      if (ret < 0) {
        decode_error(ret);
        return true;
      }
      av_frame_copy_props(sw.get(), f.get());
      f = std::move(sw);
    } else if (vdec.hardware && !software_fallback_noted) {
      // The hardware refused this stream (profile, size); FFmpeg decodes in software.
      software_fallback_noted = true;
      std::lock_guard lock(mu);
      info.fallbacks.push_back(vdec.label + ": the hardware cannot decode this stream; software");
      info.decoder = std::string(avcodec_get_name(fmt->streams[vindex]->codecpar->codec_id)) + " (software)";
      info.hardware = false;
    }
    const AVStream* vs = fmt->streams[vindex];
    std::int64_t ts = f->best_effort_timestamp;
    microseconds duration{0};
    if (f->pkt_duration > 0) duration = microseconds(av_rescale_q(f->pkt_duration, vs->time_base, kMicros));
    if (duration <= microseconds(0)) {
      duration = vs->avg_frame_rate.num > 0 && vs->avg_frame_rate.den > 0
                     ? microseconds(av_rescale_q(1, av_inv_q(vs->avg_frame_rate), kMicros))
                     : microseconds(40'000);
    }
    microseconds rel = ts == AV_NOPTS_VALUE ? pass_end
                                            : microseconds(av_rescale_q(ts, vs->time_base, kMicros)) -
                                                  origin + loop_offset;
    if (!first_rel) first_rel = rel;
    // Frames already queued: a decoder that took over replays from the key frame.
    if (rel <= last_pts) return true;

    auto impl = std::make_unique<VideoFrame::Impl>();
    impl->matrix = matrix_of(*f);
    impl->range = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P
                      ? ColorRange::full
                      : ColorRange::limited;
    switch (f->format) {
      case AV_PIX_FMT_YUV420P:
      case AV_PIX_FMT_YUVJ420P:
        impl->layout = PixelLayout::yuv420p;
        impl->frame = std::move(f);
        break;
      case AV_PIX_FMT_NV12:
        impl->layout = PixelLayout::nv12;
        impl->frame = std::move(f);
        break;
      default: {
        auto out = convert(*f);
        if (!out) {
          fatal = true;
          fail(err(out.error().what()));
          return false;
        }
        impl->layout = PixelLayout::yuv420p;
        impl->frame = std::move(*out);
      }
    }
    impl->pts = rel;
    impl->duration = duration;
    last_pts = rel;
    pass_end = rel + duration;
    ++frames_in_pass;
    frames_decoded.fetch_add(1);
    return push(VideoFrame(std::move(impl)));
  }

  Result<ffmpeg::FramePtr> convert(const AVFrame& in) {
    const auto src = static_cast<AVPixelFormat>(in.format);
    sws.reset(sws_getCachedContext(sws.release(), in.width, in.height, src, in.width, in.height,
                                   AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
    if (!sws) {
      const char* name = av_get_pix_fmt_name(src);
      return Error(std::string("cannot convert pixel format ") + (name ? name : "?"));
    }
    auto out = ffmpeg::make_frame();
    if (!out) return Error("out of memory");
    out->format = AV_PIX_FMT_YUV420P;
    out->width = in.width;
    out->height = in.height;
    if (av_frame_get_buffer(out.get(), 0) < 0) return Error("out of memory");
    sws_scale(sws.get(), in.data, in.linesize, 0, in.height, out->data, out->linesize);
    av_frame_copy_props(out.get(), &in);
    return out;
  }

  // End of file: drain, then loop or end. False when the thread should stop.
  bool end_of_pass() {
    decode_video(nullptr, false);
    if (need_fallback) fall_back();
    if (fatal || stop.load()) return false;
    {
      std::lock_guard lock(mu);
      if (!first_pass_end) first_pass_end = pass_end;
    }
    if (frames_in_pass == 0) {
      fail(err(frames_decoded.load() == 0 ? "no picture could be decoded (damaged or truncated file)"
                                          : "nothing to play after looping"));
      return false;
    }
    if (!opt.loop) {
      {
        std::lock_guard lock(mu);
        state = State::ended;
      }
      changed.notify_all();
      notify();
      return false;
    }
    const AVStream* vs = fmt->streams[vindex];
    const std::int64_t start = vs->start_time != AV_NOPTS_VALUE ? vs->start_time : 0;
    int ret = av_seek_frame(fmt.get(), vindex, start, AVSEEK_FLAG_BACKWARD);
    if (ret < 0) ret = av_seek_frame(fmt.get(), vindex, start, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_BYTE);
    if (ret < 0) {
      fail(err("cannot go back to the start to loop: " + ffmpeg::error_string(ret)));
      return false;
    }
    avcodec_flush_buffers(vdec.ctx.get());
    if (adec) avcodec_flush_buffers(adec.get());
    replay.clear();
    replay_bytes = 0;
    // The next pass starts where this one ended.
    loop_offset = pass_end - first_rel.value_or(microseconds(0));
    frames_in_pass = 0;
    return true;
  }

  void decode_audio(const AVPacket* p) {
    if (!adec || !opt.audio) return;
    if (avcodec_send_packet(adec.get(), p) < 0) return;  // a bad audio packet is skipped
    auto frame = ffmpeg::make_frame();
    if (!frame) return;
    while (avcodec_receive_frame(adec.get(), frame.get()) >= 0) {
      resample_and_queue(*frame);
      av_frame_unref(frame.get());
    }
  }

  void resample_and_queue(AVFrame& f) {
    if (!swr || f.sample_rate != swr_in_rate || f.format != swr_in_format ||
        av_channel_layout_compare(&f.ch_layout, &swr_in_layout) != 0) {
      AVChannelLayout out = AV_CHANNEL_LAYOUT_STEREO;
      SwrContext* raw = nullptr;
      if (swr_alloc_set_opts2(&raw, &out, AV_SAMPLE_FMT_FLT, kAudioRate, &f.ch_layout,
                              static_cast<AVSampleFormat>(f.format), f.sample_rate, 0, nullptr) < 0) {
        return;
      }
      SwrPtr s(raw);
      if (swr_init(s.get()) < 0) return;
      swr = std::move(s);
      av_channel_layout_uninit(&swr_in_layout);
      av_channel_layout_copy(&swr_in_layout, &f.ch_layout);
      swr_in_rate = f.sample_rate;
      swr_in_format = f.format;
    }
    const int cap = swr_get_out_samples(swr.get(), f.nb_samples);
    if (cap <= 0) return;
    std::vector<float> buf(static_cast<std::size_t>(cap) * kAudioChannels);
    auto* outp = reinterpret_cast<std::uint8_t*>(buf.data());
    const int n = swr_convert(swr.get(), &outp, cap, const_cast<const std::uint8_t**>(f.extended_data),
                              f.nb_samples);
    if (n <= 0) return;
    const AVStream* as = fmt->streams[aindex];
    const std::int64_t ts = f.best_effort_timestamp;
    const microseconds pts = ts == AV_NOPTS_VALUE
                                 ? microseconds(0)
                                 : microseconds(av_rescale_q(ts, as->time_base, kMicros)) - origin + loop_offset;
    std::size_t done = 0;
    const auto total = static_cast<std::size_t>(n);
    while (done < total && !stop.load()) {
      const microseconds at = pts + microseconds(static_cast<std::int64_t>(done) * 1'000'000 / kAudioRate);
      done += opt.audio->write(buf.data() + done * kAudioChannels, total - done, at);
      if (done < total) {
        // Full: the audio is far ahead of the picture. Wait for the output, unless the
        // picture is starving (a badly interleaved file): then the sound gives way.
        if (video_starved()) break;
        opt.audio->wait_for_room(chr::milliseconds(20));
      }
    }
  }
};

VideoSource::VideoSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<VideoSource> VideoSource::open(const std::filesystem::path& file, VideoOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  impl->devices = options.devices ? options.devices : std::make_shared<HwDevices>();
  impl->opt = std::move(options);
  if (impl->opt.queue_frames == 0) impl->opt.queue_frames = 1;
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<VideoSource>(new VideoSource(std::move(impl)));
}

VideoSource::~VideoSource() {
  impl_->stop.store(true);
  if (impl_->opt.audio) impl_->opt.audio->close();
  {
    std::lock_guard lock(impl_->mu);  // no lost wake-up between the check and the wait
  }
  impl_->room.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
  av_channel_layout_uninit(&impl_->swr_in_layout);
}

Result<VideoInfo> VideoSource::wait_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  const bool done = impl_->changed.wait_for(lock, timeout, [&] { return impl_->state != State::opening; });
  if (!done) {
    return impl_->err("no picture after " + std::to_string(timeout.count()) + " ms (file too slow to open or decode)");
  }
  if (impl_->state == State::failed || impl_->queue.empty()) {
    if (impl_->error) return *impl_->error;
    return impl_->err("no picture in the file");
  }
  return impl_->info;
}

const VideoFrame* VideoSource::peek() {
  std::lock_guard lock(impl_->mu);
  return impl_->queue.empty() ? nullptr : &impl_->queue.front();
}

std::optional<VideoFrame> VideoSource::pop() {
  std::unique_lock lock(impl_->mu);
  if (impl_->queue.empty()) return std::nullopt;
  VideoFrame f = std::move(impl_->queue.front());
  impl_->queue.pop_front();
  lock.unlock();
  impl_->room.notify_one();
  return f;
}

VideoSource::State VideoSource::state() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state;
}

std::optional<Error> VideoSource::error() const {
  std::lock_guard lock(impl_->mu);
  return impl_->error;
}

VideoInfo VideoSource::info() const {
  std::lock_guard lock(impl_->mu);
  return impl_->info;
}

std::optional<std::chrono::microseconds> VideoSource::first_pass_end() const {
  std::lock_guard lock(impl_->mu);
  return impl_->first_pass_end;
}

std::uint64_t VideoSource::frames_decoded() const { return impl_->frames_decoded.load(); }

}  // namespace signage

namespace signage {

namespace {

// Interrupt callback for probe_video_duration: gives up after its deadline.
int probe_interrupt(void* opaque) {
  const auto* deadline = static_cast<const std::chrono::steady_clock::time_point*>(opaque);
  return std::chrono::steady_clock::now() > *deadline ? 1 : 0;
}

}  // namespace

Result<std::chrono::milliseconds> probe_video_duration(const std::filesystem::path& file) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return Error(file.string() + ": out of memory");
  raw->interrupt_callback.callback = &probe_interrupt;
  raw->interrupt_callback.opaque = const_cast<std::chrono::steady_clock::time_point*>(&deadline);
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
