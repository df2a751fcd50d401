#include "video/audio.h"

#include <SDL2/SDL.h>

#include <algorithm>
#include <cmath>

namespace signage {

namespace chr = std::chrono;

AudioStream::AudioStream(std::size_t capacity_frames, const MonotonicClock& mono)
    : ring_(std::max<std::size_t>(capacity_frames, 1024) * kAudioChannels), mono_(mono) {}

std::size_t AudioStream::write(const float* samples, std::size_t frames, chr::microseconds pts) {
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  const std::size_t free_frames = (ring_.size() - size_) / kAudioChannels;
  const std::size_t n = std::min(frames, free_frames);
  if (n == 0) return 0;
  // The head's time follows from the newest samples' time and what is queued.
  const auto queued = chr::microseconds(static_cast<std::int64_t>(size_ / kAudioChannels) * 1'000'000 / kAudioRate);
  head_pts_ = pts - queued;
  std::size_t w = (read_pos_ + size_) % ring_.size();
  for (std::size_t i = 0; i < n * kAudioChannels; ++i) {
    ring_[w] = samples[i];
    if (++w == ring_.size()) w = 0;
  }
  size_ += n * kAudioChannels;
  return n;
}

void AudioStream::wait_for_room(chr::milliseconds timeout) {
  std::unique_lock lock(mu_);
  room_.wait_for(lock, timeout, [&] { return closed_ || size_ < ring_.size(); });
}

void AudioStream::clear() {
  std::lock_guard lock(mu_);
  read_pos_ = 0;
  size_ = 0;
  block_pts_.reset();
  room_.notify_all();
}

void AudioStream::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  room_.notify_all();
}

bool AudioStream::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

std::size_t AudioStream::read(float* out, std::size_t frames) {
  const float g = gain();
  std::size_t got = 0;
  const MonoTime now = mono_.now();
  {
    std::lock_guard lock(mu_);
    got = std::min(frames, size_ / kAudioChannels);
    if (got > 0) {
      block_pts_ = head_pts_;
      block_len_ = chr::microseconds(static_cast<std::int64_t>(got) * 1'000'000 / kAudioRate);
      block_at_ = now;
    }
    for (std::size_t i = 0; i < got * kAudioChannels; ++i) {
      out[i] = ring_[read_pos_] * g;
      if (++read_pos_ == ring_.size()) read_pos_ = 0;
    }
    size_ -= got * kAudioChannels;
    head_pts_ += chr::microseconds(static_cast<std::int64_t>(got) * 1'000'000 / kAudioRate);
  }
  std::fill(out + got * kAudioChannels, out + frames * kAudioChannels, 0.0f);
  if (got > 0) room_.notify_all();
  return got;
}

std::optional<chr::microseconds> AudioStream::clock() const {
  const MonoTime now = mono_.now();
  std::lock_guard lock(mu_);
  if (!block_pts_) {
    if (size_ == 0) return std::nullopt;
    return head_pts_;
  }
  const auto since = chr::duration_cast<chr::microseconds>(now - block_at_);
  if (size_ == 0 && since >= block_len_) return std::nullopt;  // heard to the end
  return *block_pts_ + std::clamp(since, chr::microseconds(0), block_len_);
}

std::size_t AudioStream::queued_frames() const {
  std::lock_guard lock(mu_);
  return size_ / kAudioChannels;
}

void AudioStream::set_volume(int percent) { volume_.store(std::clamp(percent, 0, 100)); }
void AudioStream::set_mute(bool mute) { mute_.store(mute); }
float AudioStream::gain() const {
  if (mute_.load()) return 0.0f;
  // A perceptual curve, as mixers do: 50 % is about -18 dB rather than -6 dB.
  const float v = static_cast<float>(volume_.load()) / 100.0f;
  return v * v * v;
}

// ---------------------------------------------------------------------------

struct AudioOutput::Impl {
  SDL_AudioDeviceID dev = 0;
  std::string driver;
  std::mutex mu;  // guards `current` against the callback
  std::shared_ptr<AudioStream> current;
  std::atomic<int> volume{100};
  std::atomic<bool> mute{false};

  static void callback(void* user, Uint8* bytes, int len) {
    auto* self = static_cast<Impl*>(user);
    auto* out = reinterpret_cast<float*>(bytes);
    const auto frames = static_cast<std::size_t>(len) / (sizeof(float) * kAudioChannels);
    std::shared_ptr<AudioStream> s;
    {
      std::lock_guard lock(self->mu);
      s = self->current;
    }
    if (!s) {
      std::fill(out, out + frames * kAudioChannels, 0.0f);
      return;
    }
    s->read(out, frames);
    const float g = self->mute.load() ? 0.0f : std::pow(static_cast<float>(self->volume.load()) / 100.0f, 3.0f);
    if (g != 1.0f) {
      for (std::size_t i = 0; i < frames * kAudioChannels; ++i) out[i] *= g;
    }
  }
};

AudioOutput::AudioOutput(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<AudioOutput>> AudioOutput::open() {
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");  // signals are the player's (render does the same)
  if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
    return Error("cannot start SDL audio", Error(SDL_GetError()));
  }
  auto impl = std::make_unique<Impl>();
  SDL_AudioSpec want{};
  want.freq = kAudioRate;
  want.format = AUDIO_F32SYS;
  want.channels = kAudioChannels;
  want.samples = 1024;
  want.callback = &Impl::callback;
  want.userdata = impl.get();
  SDL_AudioSpec have{};
  // No allowed changes: SDL converts to whatever the hardware wants.
  impl->dev = SDL_OpenAudioDevice(nullptr, 0, &want, &have, 0);
  if (impl->dev == 0) {
    Error e("cannot open the audio device", Error(SDL_GetError()));
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    return e;
  }
  const char* drv = SDL_GetCurrentAudioDriver();
  impl->driver = drv ? drv : "?";
  SDL_PauseAudioDevice(impl->dev, 0);
  return std::unique_ptr<AudioOutput>(new AudioOutput(std::move(impl)));
}

AudioOutput::~AudioOutput() {
  SDL_CloseAudioDevice(impl_->dev);  // waits for the callback to finish
  SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

void AudioOutput::play(std::shared_ptr<AudioStream> stream) {
  std::lock_guard lock(impl_->mu);
  impl_->current = std::move(stream);
}

void AudioOutput::stop(const AudioStream* stream) {
  std::shared_ptr<AudioStream> old;
  std::lock_guard lock(impl_->mu);
  if (impl_->current.get() == stream) old = std::move(impl_->current);
}

void AudioOutput::set_volume(int percent) { impl_->volume.store(std::clamp(percent, 0, 100)); }
void AudioOutput::set_mute(bool mute) { impl_->mute.store(mute); }

std::string AudioOutput::describe() const {
  return impl_->driver + " " + std::to_string(kAudioRate) + " Hz stereo";
}

}  // namespace signage
