// Sound: one output device opened once at a fixed format (48 kHz, stereo, 32-bit
// float), and per playing video an AudioStream that its decode thread fills with
// samples already resampled and downmixed to that format (swresample; 5.1 -> stereo
// with the standard -3 dB centre and surround mix).
//
// The stream also is the master clock of its video: clock() says which instant of
// the stream is being heard now. The device takes samples in blocks (1 024 frames,
// 21 ms); between two blocks the clock runs on from the start of the last one at
// real (monotonic) time, so that it moves as smoothly as time does instead of
// jumping a block at a time (a video frame due in the jump would be overtaken).
//
// Ownership: the AudioOutput owns the SDL audio device; streams are shared between
// the decode thread (writer), the output's callback (reader) and the view.
// Thread: AudioStream::write from the decode thread; read() from the audio callback;
// the rest from any thread (atomics and one mutex inside). AudioOutput: main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include <memory>
#include <mutex>
#include <optional>

#include "core/error.h"
#include "core/time.h"

namespace signage {

inline constexpr int kAudioRate = 48'000;
inline constexpr int kAudioChannels = 2;

class AudioStream {
 public:
  // capacity: how many sample frames (one per channel pair) may wait to be played.
  // `mono` (which must outlive the stream) times the blocks the device takes.
  explicit AudioStream(std::size_t capacity_frames = kAudioRate * 2,
                       const MonotonicClock& mono = SteadyClock::instance());

  // Decode thread. Appends interleaved stereo samples that start at stream time
  // `pts`; returns how many frames fit (0 when full). Never blocks.
  std::size_t write(const float* samples, std::size_t frames, std::chrono::microseconds pts);
  // Decode thread: waits until there is room, `timeout` passes or close() is called.
  void wait_for_room(std::chrono::milliseconds timeout);
  // Drops everything queued (a seek).
  void clear();
  // Ends waits; later writes are refused.
  void close();
  bool closed() const;

  // Audio callback. Fills `frames` stereo frames, with silence where nothing is
  // queued, scaled by the volume; returns how many came from the queue.
  std::size_t read(float* out, std::size_t frames);

  // The stream time being heard now: the start of the block read last plus the time
  // since it was read, up to its length (before the first read, the first queued
  // sample's time). nullopt when nothing is queued and the last block has been
  // heard (not started, underrun or end of the track): the video then runs on its
  // own clock.
  std::optional<std::chrono::microseconds> clock() const;
  std::size_t queued_frames() const;

  void set_volume(int percent);  // 0..100
  void set_mute(bool mute);
  float gain() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable room_;
  std::vector<float> ring_;  // interleaved stereo, capacity frames
  std::size_t read_pos_ = 0;  // in floats
  std::size_t size_ = 0;      // floats queued
  bool closed_ = false;
  // Stream time of the first queued sample.
  std::chrono::microseconds head_pts_{0};
  const MonotonicClock& mono_;
  // The block read last: its stream time, length, and when it was read.
  std::optional<std::chrono::microseconds> block_pts_;
  std::chrono::microseconds block_len_{0};
  MonoTime block_at_{};
  std::atomic<int> volume_{100};
  std::atomic<bool> mute_{false};
};

class AudioOutput {
 public:
  // Opens the default device (SDL_AUDIODRIVER picks the driver; "dummy" in tests).
  static Result<std::unique_ptr<AudioOutput>> open();
  ~AudioOutput();
  AudioOutput(const AudioOutput&) = delete;
  AudioOutput& operator=(const AudioOutput&) = delete;

  // The stream that is heard from now on (null: silence). The previous one stops.
  void play(std::shared_ptr<AudioStream> stream);
  // Stops `stream` if it is the one playing (a view going away).
  void stop(const AudioStream* stream);
  // Global volume (0..100) and mute, on top of each stream's own.
  void set_volume(int percent);
  void set_mute(bool mute);
  std::string describe() const;  // e.g. "pulseaudio 48000 Hz stereo"

  struct Impl;

 private:
  explicit AudioOutput(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace signage
