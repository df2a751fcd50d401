#include "video/audio_decoder.h"

#include <algorithm>
#include <vector>

namespace signage {

namespace chr = std::chrono;
using chr::microseconds;

Result<std::unique_ptr<AudioDecoder>> AudioDecoder::open(const AVStream& stream, std::shared_ptr<AudioStream> out) {
  const AVCodec* codec = avcodec_find_decoder(stream.codecpar->codec_id);
  if (!codec) return Error(std::string("no decoder for ") + avcodec_get_name(stream.codecpar->codec_id));
  std::unique_ptr<AudioDecoder> d(new AudioDecoder(stream, std::move(out)));
  d->ctx_ = ffmpeg::make_codec_context(codec);
  if (!d->ctx_) return Error("out of memory");
  int ret = avcodec_parameters_to_context(d->ctx_.get(), stream.codecpar);
  if (ret >= 0) {
    d->ctx_->pkt_timebase = stream.time_base;
    ret = avcodec_open2(d->ctx_.get(), codec, nullptr);
  }
  if (ret < 0) {
    return Error(std::string("cannot open the ") + codec->name + " decoder: " + ffmpeg::error_string(ret));
  }
  return d;
}

AudioDecoder::~AudioDecoder() = default;

void AudioDecoder::flush() { avcodec_flush_buffers(ctx_.get()); }

void AudioDecoder::decode(const AVPacket& packet, const std::function<microseconds(std::int64_t)>& time_of,
                          const std::function<bool()>& give_way, const std::atomic<bool>& stop) {
  if (avcodec_send_packet(ctx_.get(), &packet) < 0) return;  // a bad audio packet is skipped
  auto frame = ffmpeg::make_frame();
  if (!frame) return;
  while (avcodec_receive_frame(ctx_.get(), frame.get()) >= 0) {
    write(*frame, time_of, give_way, stop);
    av_frame_unref(frame.get());
  }
}

// A resampler for `f`'s rate, format and channels when they differ from the last.
bool AudioDecoder::reconfigure(AVFrame& f) {
  if (swr_ && f.sample_rate == in_rate_ && f.format == in_format_ &&
      av_channel_layout_compare(&f.ch_layout, &in_layout_.get()) == 0) {
    return true;
  }
  AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
  SwrContext* raw = nullptr;
  if (swr_alloc_set_opts2(&raw, &stereo, AV_SAMPLE_FMT_FLT, kAudioRate, &f.ch_layout,
                          static_cast<AVSampleFormat>(f.format), f.sample_rate, 0, nullptr) < 0) {
    return false;
  }
  ffmpeg::SwrContextPtr s(raw);
  if (swr_init(s.get()) < 0 || !in_layout_.assign(f.ch_layout)) return false;
  swr_ = std::move(s);
  in_rate_ = f.sample_rate;
  in_format_ = f.format;
  return true;
}

void AudioDecoder::write(AVFrame& f, const std::function<microseconds(std::int64_t)>& time_of,
                         const std::function<bool()>& give_way, const std::atomic<bool>& stop) {
  if (!reconfigure(f)) return;
  const int cap = swr_get_out_samples(swr_.get(), f.nb_samples);
  if (cap <= 0) return;
  buf_.resize(static_cast<std::size_t>(cap) * kAudioChannels);
  auto* outp = reinterpret_cast<std::uint8_t*>(buf_.data());
  const int n = swr_convert(swr_.get(), &outp, cap, const_cast<const std::uint8_t**>(f.extended_data), f.nb_samples);
  if (n <= 0) return;
  const std::int64_t ts = f.best_effort_timestamp;
  const microseconds pts = ts == AV_NOPTS_VALUE ? microseconds(0) : time_of(ts);
  std::size_t done = 0;
  const auto total = static_cast<std::size_t>(n);
  if (pts < skip_before_) {
    const auto late = static_cast<std::size_t>((skip_before_ - pts).count() * kAudioRate / 1'000'000);
    done = std::min(late, total);
  }
  while (done < total && !stop.load()) {
    const microseconds at = pts + microseconds(static_cast<std::int64_t>(done) * 1'000'000 / kAudioRate);
    done += out_->write(buf_.data() + done * kAudioChannels, total - done, at);
    if (done < total) {
      // Full: the audio is far ahead of the picture. Wait for the output, unless the
      // picture is starving: then the sound gives way.
      // Closed: nobody will hear it (no sound device).
      if (give_way() || out_->closed()) break;
      out_->wait_for_room(chr::milliseconds(20));
    }
  }
}

}  // namespace signage
