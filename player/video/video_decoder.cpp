#include "video/video_decoder.h"

#include "media/ffmpeg_log.h"

#include <algorithm>
#include <thread>

extern "C" {
#include <libavutil/hwcontext.h>
#include <libavutil/pixdesc.h>
}

namespace signage {

namespace {

constexpr std::size_t kMaxReplayBytes = 64u << 20;  // packets kept since the last key frame

AVHWDeviceType device_type(HwDec h) {
  switch (h) {
    case HwDec::cuda: return AV_HWDEVICE_TYPE_CUDA;
    case HwDec::vaapi: return AV_HWDEVICE_TYPE_VAAPI;
    case HwDec::vdpau: return AV_HWDEVICE_TYPE_VDPAU;
    default: return AV_HWDEVICE_TYPE_NONE;
  }
}

// The decoder's choice among the formats it offers: the hardware one we set up, or
// (when the hardware cannot do this stream) the first software one, which deliver()
// notices and reports.
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

// The hardware method's pixel format for `codec`, or NONE when it has none.
AVPixelFormat hw_format_of(const AVCodec* codec, AVHWDeviceType type) {
  for (int i = 0;; ++i) {
    const AVCodecHWConfig* c = avcodec_get_hw_config(codec, i);
    if (!c) return AV_PIX_FMT_NONE;
    if ((c->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0 && c->device_type == type) return c->pix_fmt;
  }
}

}  // namespace

struct VideoDecoder::Codec {
  ffmpeg::CodecContextPtr ctx;
  std::unique_ptr<AVPixelFormat> hw_format;  // ctx->opaque points here
  bool hardware = false;
  std::string label;  // "h264 (vaapi)"
};

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

VideoDecoder::VideoDecoder(const AVStream& stream, VideoDecoderOptions options)
    : stream_(stream), opt_(std::move(options)) {}
VideoDecoder::~VideoDecoder() = default;

Result<std::unique_ptr<VideoDecoder>> VideoDecoder::open(const AVStream& stream, VideoDecoderOptions options,
                                                         std::vector<std::string>& notes) {
  std::unique_ptr<VideoDecoder> d(new VideoDecoder(stream, std::move(options)));
  if (auto s = d->open_next(notes); !s) return s.error();
  return d;
}

// Opens methods[method_index_], or the ones after it, noting each failure.
Status VideoDecoder::open_next(std::vector<std::string>& notes) {
  for (; method_index_ < opt_.methods.size(); ++method_index_) {
    auto c = open_method(opt_.methods[method_index_]);
    if (c) {
      ++opened_;
      codec_ = std::move(*c);
      label_ = codec_->label;
      hardware_ = codec_->hardware;
      errors_in_row_ = 0;
      return {};
    }
    notes.push_back(std::string(to_string(opt_.methods[method_index_])) + ": " + c.error().what());
  }
  return Error("no decoder could open the stream" +
               (notes.empty() ? std::string() : " (last: " + notes.back() + ")"));
}

Result<std::unique_ptr<VideoDecoder::Codec>> VideoDecoder::open_method(HwDec method) {
  const AVCodecID id = stream_.codecpar->codec_id;
  const char* codec_name = avcodec_get_name(id);
  auto d = std::make_unique<Codec>();
  const AVCodec* codec = nullptr;
  ffmpeg::BufferRefPtr device;
  if (method == HwDec::v4l2m2m) {
    codec = avcodec_find_decoder_by_name((std::string(codec_name) + "_v4l2m2m").c_str());
    if (!codec) return Error(std::string("no v4l2m2m decoder for ") + codec_name);
    if (auto failed = opt_.devices->impl().decoder_failed(codec->name)) return Error(*failed);
  } else {
    codec = avcodec_find_decoder(id);
    if (!codec) return Error(std::string("no decoder for ") + codec_name);
  }
  if (method != HwDec::none && method != HwDec::v4l2m2m) {
    const AVHWDeviceType type = device_type(method);
    const AVPixelFormat hw = hw_format_of(codec, type);
    if (hw == AV_PIX_FMT_NONE) {
      return Error(std::string(codec_name) + " cannot be decoded with " + std::string(to_string(method)));
    }
    auto dev = opt_.devices->impl().get(type);
    if (!dev) return dev.error();
    device = std::move(*dev);
    d->hw_format = std::make_unique<AVPixelFormat>(hw);
    d->hardware = true;
  }
  d->ctx = ffmpeg::make_codec_context(codec);
  if (!d->ctx) return Error("out of memory");
  int ret = avcodec_parameters_to_context(d->ctx.get(), stream_.codecpar);
  if (ret < 0) return Error("bad codec parameters: " + ffmpeg::error_string(ret));
  d->ctx->pkt_timebase = stream_.time_base;
  d->ctx->max_pixels = opt_.max_pixels;
  if (d->hardware) {
    d->ctx->hw_device_ctx = device.release();
    d->ctx->opaque = d->hw_format.get();
    d->ctx->get_format = &pick_hw_format;
    // Surfaces we hold beyond the decoder's own references: each decoded surface
    // is copied to system memory at once, so one in flight.
    d->ctx->extra_hw_frames = 1;
  } else if (method == HwDec::none) {
    // One thread per core unless told fewer. FFmpeg's own choice (0) is one more than
    // that: on a two-core box it cost about 5 % more CPU and a 1080p frame more per thread.
    const int cores = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
    d->ctx->thread_count = opt_.threads > 0 ? std::min(opt_.threads, cores) : cores;
    d->ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  }
  // A hardware decoder that cannot open is expected on many boxes: what FFmpeg says
  // goes into the reason (one line of ours), not into the log.
  std::optional<FfmpegCapture> said;
  if (method != HwDec::none) said.emplace();
  ret = avcodec_open2(d->ctx.get(), codec, nullptr);
  if (ret < 0) {
    std::string why = "cannot open the decoder: " + ffmpeg::error_string(ret);
    if (said && !said->errors().empty()) why += " (" + said->errors() + ")";
    if (method == HwDec::v4l2m2m) opt_.devices->impl().note_decoder_failure(codec->name, why);
    return Error(why);
  }
  d->label = std::string(codec_name) + " (" +
             (method == HwDec::none ? std::string("software") : std::string(to_string(method))) + ")";
  return d;
}

std::vector<std::string> VideoDecoder::take_notes() { return std::exchange(notes_, {}); }

void VideoDecoder::flush() {
  avcodec_flush_buffers(codec_->ctx.get());
  replay_.clear();
  replay_bytes_ = 0;
  replay_overflow_ = false;
}

void VideoDecoder::set_threads(int threads) {
  if (opt_.methods[method_index_] != HwDec::none || threads == opt_.threads) return;
  opt_.threads = threads;
  pending_threads_ = threads;
}

// Carries out set_threads() before `next` is fed, when it can be done without a gap.
Status VideoDecoder::maybe_reopen(const AVPacket* next, const Sink& sink) {
  const bool key = next && (next->flags & AV_PKT_FLAG_KEY) != 0;
  if (!pending_threads_ || !next || (replay_overflow_ && !key)) return {};
  pending_threads_.reset();
  if (auto s = feed(nullptr, sink); !s || stopped_) return s;  // the old one's last pictures
  opt_.reopen_later = false;
  if (auto c = open_method(opt_.methods[method_index_])) {
    codec_ = std::move(*c);
  } else {
    avcodec_flush_buffers(codec_->ctx.get());  // out of memory: the old one, from the key frame
  }
  if (key) {
    replay_.clear();
    replay_bytes_ = 0;
  }
  auto packets = std::move(replay_);
  replay_.clear();
  replay_bytes_ = 0;
  for (auto& p : packets) {
    keep_for_replay(*p);
    if (auto s = feed(p.get(), sink); !s || stopped_) return s;
  }
  return {};
}

Status VideoDecoder::decode(const AVPacket* packet, const Sink& sink) {
  stopped_ = false;
  if (auto s = maybe_reopen(packet, sink); !s || stopped_) return s;
  if (packet) keep_for_replay(*packet);
  if (auto s = feed(packet, sink); !s) return s;
  if (need_fallback_ && !stopped_) return fall_back(sink);
  return {};
}

void VideoDecoder::keep_for_replay(const AVPacket& p) {
  if ((p.flags & AV_PKT_FLAG_KEY) != 0) {
    replay_.clear();
    replay_bytes_ = 0;
    replay_overflow_ = false;
  }
  // Kept for a decoder that takes over: the next method, or this one with more threads.
  const bool successor = opt_.methods.size() > method_index_ + 1 || opt_.reopen_later;
  if (replay_overflow_ || !successor) return;
  replay_bytes_ += static_cast<std::size_t>(p.size);
  if (replay_bytes_ > kMaxReplayBytes) {
    replay_.clear();
    replay_overflow_ = true;
    return;
  }
  auto copy = ffmpeg::make_packet();
  if (copy && av_packet_ref(copy.get(), &p) >= 0) replay_.push_back(std::move(copy));
}

// Sends one packet (nullptr: drain) and receives what comes out.
Status VideoDecoder::feed(const AVPacket* p, const Sink& sink) {
  int ret = 0;
  const bool inject = opt_.inject_failure_after >= 0 && opened_ == 1 && p != nullptr &&
                      packets_sent_ >= opt_.inject_failure_after;
  if (p) ++packets_sent_;
  if (inject) {
    ret = AVERROR_INVALIDDATA;
  } else {
    ret = avcodec_send_packet(codec_->ctx.get(), p);
    if (ret == AVERROR(EAGAIN)) {  // full: take frames out, then feed again
      if (auto s = receive(sink); !s) return s;
      ret = avcodec_send_packet(codec_->ctx.get(), p);
    }
  }
  if (ret < 0 && ret != AVERROR_EOF) {
    count_error(ret);
  } else if (auto s = receive(sink); !s) {
    return s;
  }
  if (fatal_) return *fatal_;
  return {};
}

Status VideoDecoder::receive(const Sink& sink) {
  for (;;) {
    auto frame = ffmpeg::make_frame();
    if (!frame) return Error("out of memory");
    const int ret = avcodec_receive_frame(codec_->ctx.get(), frame.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return {};
    if (ret < 0) {
      count_error(ret);
      return {};
    }
    errors_in_row_ = 0;
    if (auto s = deliver(std::move(frame), sink); !s) return s;
    if (stopped_) return {};
  }
}

void VideoDecoder::count_error(int ret) {
  ++errors_in_row_;
  last_error_ = ffmpeg::error_string(ret);
  if (errors_in_row_ >= opt_.hw_failure_packets && method_index_ + 1 < opt_.methods.size()) {
    need_fallback_ = true;
  } else if (errors_in_row_ >= opt_.max_decode_errors) {
    fatal_ = Error("decoding stopped after " + std::to_string(errors_in_row_) + " errors in a row (" +
                   last_error_ + ")");
  }
}

// Swaps in the next method and feeds it the packets since the last key frame.
Status VideoDecoder::fall_back(const Sink& sink) {
  need_fallback_ = false;
  notes_.push_back(label_ + ": " + std::to_string(errors_in_row_) + " decode errors in a row (" + last_error_ +
                   ")");
  ++method_index_;
  if (auto s = open_next(notes_); !s) {
    return Error("decoding failed and no other decoder is left: " + s.error().what());
  }
  auto packets = std::move(replay_);
  replay_.clear();
  replay_bytes_ = 0;
  for (auto& p : packets) {
    if (auto s = feed(p.get(), sink); !s) return s;
    if (stopped_) return {};
    if (need_fallback_) return fall_back(sink);
  }
  return {};
}

Status VideoDecoder::deliver(ffmpeg::FramePtr f, const Sink& sink) {
  if (codec_->hardware && f->format == *codec_->hw_format) {
    auto sw = ffmpeg::make_frame();
    if (!sw) return Error("out of memory");
    const int ret = av_hwframe_transfer_data(sw.get(), f.get(), 0);
    if (ret < 0) {
      count_error(ret);
      return {};
    }
    av_frame_copy_props(sw.get(), f.get());
    f = std::move(sw);
  } else if (codec_->hardware && !software_noted_) {
    // The hardware refused this stream (profile, size); FFmpeg decodes in software.
    software_noted_ = true;
    notes_.push_back(label_ + ": the hardware cannot decode this stream; software");
    label_ = std::string(avcodec_get_name(stream_.codecpar->codec_id)) + " (software)";
    hardware_ = false;
  }
  auto impl = std::make_unique<VideoFrame::Impl>();
  impl->matrix = matrix_of(*f);
  impl->range = f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P ? ColorRange::full
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
      if (!out) return out.error();
      impl->layout = PixelLayout::yuv420p;
      impl->frame = std::move(*out);
    }
  }
  if (!sink(std::move(impl))) stopped_ = true;
  return {};
}

Result<ffmpeg::FramePtr> VideoDecoder::convert(const AVFrame& in) {
  const auto src = static_cast<AVPixelFormat>(in.format);
  sws_.reset(sws_getCachedContext(sws_.release(), in.width, in.height, src, in.width, in.height,
                                  AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr));
  if (!sws_) {
    const char* name = av_get_pix_fmt_name(src);
    return Error(std::string("cannot convert pixel format ") + (name ? name : "?"));
  }
  auto out = ffmpeg::make_frame();
  if (!out) return Error("out of memory");
  out->format = AV_PIX_FMT_YUV420P;
  out->width = in.width;
  out->height = in.height;
  if (av_frame_get_buffer(out.get(), 0) < 0) return Error("out of memory");
  sws_scale(sws_.get(), in.data, in.linesize, 0, in.height, out->data, out->linesize);
  av_frame_copy_props(out.get(), &in);
  return out;
}

}  // namespace signage
