// The View of a video item: takes decoded frames from a VideoSource, uploads the
// one due now into a streaming texture and draws it letterboxed (or cropped, per
// the item's fit) and upright on the item's background. Internal to render: Scene
// makes these.
// Thread: the main thread (the source decodes on its own thread).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "core/error.h"
#include "core/time.h"
#include "playlist/model.h"
#include "render/display.h"
#include "render/scene.h"
#include "video/audio.h"
#include "video/video.h"

namespace signage {

struct VideoViewSetup {
  HwDec hwdec = HwDec::auto_select;
  std::shared_ptr<HwDevices> devices;
  // The sound device, asked for once the file is open and has sound (it opens on the
  // first call); empty or null: silent. What it returns must outlive the view.
  std::function<AudioOutput*()> audio;
  // Lines for the log from the decode thread (VideoOptions::log). May be empty.
  std::function<void(std::string)> log;
  std::int64_t max_pixels = 64'000'000;
  std::chrono::milliseconds ready_timeout{2000};
  // true: wait here for the first frame; false: return at once, View::ready tells
  // (and the video opens in the background until it is on screen).
  bool wait = true;
  // Where in the file to start (a video joined part-way into its slot): the frame
  // showing at this position comes first.
  std::chrono::microseconds start_at{0};
  // When the file's start is due on the player's clock (the slot's start): the video
  // then follows the wall clock from there. nullopt: from its first update.
  std::optional<Instant> anchor;
  // Monotonic time for the media clock (null: the process's steady clock; must
  // outlive the view) and how fast the player's clock runs (--speed).
  const MonotonicClock* monotonic = nullptr;
  double clock_rate = 1.0;
  // With `wait`: the wait ends once this is set (the player stops), with an error.
  const std::atomic<bool>* stop = nullptr;
};

// Opens the item's file. With setup.wait, waits (at most setup.ready_timeout, and
// not once setup.stop is set) for its first frame, which is uploaded at once: the view is ready to draw when this
// returns. Without, the file opens on the decode thread and View::ready (within
// ready_timeout of this call) uploads the first frame or says why there is none.
Result<std::unique_ptr<View>> make_video_view(Display& display, const Item& item,
                                              const VideoViewSetup& setup);

}  // namespace signage
