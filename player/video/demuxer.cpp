#include "video/demuxer.h"

#include <cmath>
#include <system_error>

extern "C" {
#include <libavutil/display.h>
}

namespace signage {

namespace chr = std::chrono;
using chr::microseconds;

namespace {

constexpr AVRational kMicros{1, 1'000'000};

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

Result<std::unique_ptr<Demuxer>> Demuxer::open(const std::filesystem::path& file, const DemuxerOptions& options,
                                               const MonotonicClock& clock, const std::atomic<bool>& stop) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Error("file not found");
  if (!std::filesystem::is_regular_file(file, ec)) return Error("not a regular file");
  if (std::filesystem::file_size(file, ec) == 0) return Error("empty file (0 bytes)");
  std::unique_ptr<Demuxer> d(new Demuxer(clock, stop, options));
  d->deadline_ = clock.now() + options.open_timeout;
  if (auto s = d->open_input(file); !s) return s.error();
  if (auto s = d->find_streams(); !s) return s.error();
  d->deadline_.reset();
  return d;
}

Demuxer::~Demuxer() = default;

int Demuxer::interrupt(void* opaque) {
  const auto* self = static_cast<const Demuxer*>(opaque);
  if (self->stop_.load()) return 1;
  return self->deadline_ && self->clock_.now() > *self->deadline_ ? 1 : 0;
}

Status Demuxer::open_input(const std::filesystem::path& file) {
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return Error("out of memory");
  raw->interrupt_callback.callback = &Demuxer::interrupt;
  raw->interrupt_callback.opaque = this;
  raw->probesize = 5'000'000;
  raw->max_analyze_duration = 5 * AV_TIME_BASE;
  int ret = avformat_open_input(&raw, file.c_str(), nullptr, nullptr);  // frees raw on failure
  if (ret < 0) return Error(open_reason("cannot open", ret));
  fmt_.reset(raw);
  // Sizes the header already tells are checked before any frame is read.
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (auto s = check_size(*fmt_->streams[i]->codecpar); !s) return s;
  }
  ret = avformat_find_stream_info(fmt_.get(), nullptr);
  if (ret < 0) return Error(open_reason("cannot read stream information", ret));
  return {};
}

Status Demuxer::find_streams() {
  vindex_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (vindex_ < 0) return Error("no video stream (is it an audio file?)");
  const AVCodecParameters* par = fmt_->streams[vindex_]->codecpar;
  const AVCodecDescriptor* cd = avcodec_descriptor_get(par->codec_id);
  const std::string codec = cd ? cd->name : "unknown codec";
  if (par->width <= 0 || par->height <= 0) return Error(codec + " stream without a picture size");
  if (auto s = check_size(*par); !s) return s;
  if (!avcodec_find_decoder(par->codec_id)) {
    return Error("unsupported codec " + codec + " (this FFmpeg has no decoder for it)");
  }
  if (fmt_->start_time != AV_NOPTS_VALUE) origin_ = microseconds(fmt_->start_time);
  if (opt_.want_audio) aindex_ = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, vindex_, nullptr, 0);
  if (aindex_ < 0) aindex_ = -1;
  return {};
}

VideoInfo Demuxer::describe() const {
  const AVStream& vs = video();
  const AVCodecParameters* par = vs.codecpar;
  const AVCodecDescriptor* cd = avcodec_descriptor_get(par->codec_id);
  VideoInfo vi;
  vi.width = par->width;
  vi.height = par->height;
  if (par->sample_aspect_ratio.num > 0 && par->sample_aspect_ratio.den > 0) {
    vi.sar_num = par->sample_aspect_ratio.num;
    vi.sar_den = par->sample_aspect_ratio.den;
  }
  vi.rotation = rotation_of(vs);
  vi.codec = cd ? cd->name : "unknown codec";
  if (vs.avg_frame_rate.num > 0 && vs.avg_frame_rate.den > 0) vi.fps = av_q2d(vs.avg_frame_rate);
  if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0) vi.duration = microseconds(fmt_->duration);
  return vi;
}

microseconds Demuxer::relative(const AVStream& stream, std::int64_t ts) const {
  return microseconds(av_rescale_q(ts, stream.time_base, kMicros)) - origin_;
}

Status Demuxer::check_size(const AVCodecParameters& par) const {
  if (par.codec_type != AVMEDIA_TYPE_VIDEO) return {};
  if (par.width > opt_.max_dimension || par.height > opt_.max_dimension ||
      static_cast<std::int64_t>(par.width) * par.height > opt_.max_pixels) {
    return Error("picture of " + std::to_string(par.width) + "x" + std::to_string(par.height) +
                 " is larger than the limit (" + std::to_string(opt_.max_dimension) + " per side, " +
                 std::to_string(opt_.max_pixels) + " pixels)");
  }
  return {};
}

std::string Demuxer::open_reason(const std::string& what, int ret) const {
  if (ret == AVERROR_EXIT && !stop_.load()) {
    return what + ": gave up after " + std::to_string(opt_.open_timeout.count()) + " ms";
  }
  return what + ": " + ffmpeg::error_string(ret) + " (not a playable video, or damaged)";
}

Result<bool> Demuxer::read(AVPacket& p) {
  const int ret = av_read_frame(fmt_.get(), &p);
  if (ret == AVERROR_EOF || (ret < 0 && avio_feof(fmt_->pb))) return false;
  if (ret < 0) return Error("read error: " + ffmpeg::error_string(ret));
  if (static_cast<std::size_t>(p.size) > opt_.max_packet_bytes) {
    const int size = p.size;
    av_packet_unref(&p);
    return Error("a packet of " + std::to_string(size) + " bytes is larger than the limit");
  }
  return true;
}

Status Demuxer::rewind() {
  const AVStream& vs = video();
  const std::int64_t start = vs.start_time != AV_NOPTS_VALUE ? vs.start_time : 0;
  int ret = av_seek_frame(fmt_.get(), vindex_, start, AVSEEK_FLAG_BACKWARD);
  if (ret < 0) ret = av_seek_frame(fmt_.get(), vindex_, start, AVSEEK_FLAG_BACKWARD | AVSEEK_FLAG_BYTE);
  if (ret < 0) return Error("cannot go back to the start to loop: " + ffmpeg::error_string(ret));
  return {};
}

Status Demuxer::seek(microseconds position) {
  const AVStream& vs = video();
  const std::int64_t target = av_rescale_q((position + origin_).count(), kMicros, vs.time_base);
  const int ret = av_seek_frame(fmt_.get(), vindex_, target, AVSEEK_FLAG_BACKWARD);
  if (ret < 0) {
    return Error("cannot seek to " + std::to_string(position.count() / 1000) + " ms: " + ffmpeg::error_string(ret));
  }
  return {};
}

}  // namespace signage
