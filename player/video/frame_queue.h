// The hand-over between a source's decode thread and the main thread: a bounded
// queue of decoded frames, and the source's state and error. Internal to the video
// module (VideoSource is its only user).
//
// The decode thread pushes (waiting while the queue is full) and reports the end or
// a failure; the main thread peeks, pops and waits for the first frame. The notify
// function (may be empty) is called from the decode thread when a frame lands in an
// empty queue or the state changes, so that a sleeping main loop wakes up.
//
// Ownership: the queue owns the frames in it. Thread: push/finish/close/empty from
// the decode thread (close also from the owner, to stop it); peek/pop/wait_started/
// state/error from the main thread. One mutex inside.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "core/error.h"
#include "video/frame.h"
#include "video/video.h"

namespace signage {

class FrameQueue {
 public:
  using State = VideoSource::State;

  FrameQueue(std::size_t capacity, std::function<void()> notify);

  // Decode thread. Waits for room, then queues `f` (the first frame turns the state
  // to playing). False when the queue was closed: the thread should stop.
  bool push(VideoFrame f);
  // Decode thread: no more frames. `error`: why (nullopt at a normal end). The state
  // becomes ended when frames were queued before, else failed.
  void finish(std::optional<Error> error, bool frames_were_queued);
  // Whether nothing is queued (the picture is starving).
  bool empty() const;
  // Ends waits in push(); pushes after it are refused.
  void close();

  // Main thread. Waits until the state leaves `opening` or `timeout` passes; returns
  // the state then (opening after a timeout).
  State wait_started(std::chrono::milliseconds timeout);
  const VideoFrame* peek();
  std::optional<VideoFrame> pop();
  State state() const;
  std::optional<Error> error() const;

 private:
  void notify() const {
    if (notify_) notify_();
  }

  const std::size_t capacity_;
  const std::function<void()> notify_;
  mutable std::mutex mu_;
  std::condition_variable changed_;  // main thread waits: first frame, failure
  std::condition_variable room_;     // decode thread waits: queue space
  std::deque<VideoFrame> frames_;    // guarded by mu_
  State state_ = State::opening;     // guarded by mu_
  std::optional<Error> error_;       // guarded by mu_
  bool closed_ = false;              // guarded by mu_
};

}  // namespace signage
