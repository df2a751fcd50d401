#include "video/frame_queue.h"

#include <algorithm>

namespace signage {

FrameQueue::FrameQueue(std::size_t capacity, std::function<void()> notify)
    : capacity_(std::max<std::size_t>(capacity, 1)), notify_(std::move(notify)) {}

bool FrameQueue::push(VideoFrame f) {
  std::unique_lock lock(mu_);
  room_.wait(lock, [&] { return closed_ || frames_.size() < capacity_; });
  if (closed_) return false;
  const bool was_empty = frames_.empty();
  frames_.push_back(std::move(f));
  const bool first = state_ == State::opening;
  if (first) state_ = State::playing;
  lock.unlock();
  if (first) changed_.notify_all();
  if (was_empty) notify();
  return true;
}

void FrameQueue::finish(std::optional<Error> error, bool frames_were_queued) {
  {
    std::lock_guard lock(mu_);
    state_ = frames_were_queued ? State::ended : State::failed;
    error_ = std::move(error);
  }
  changed_.notify_all();
  notify();
}

bool FrameQueue::empty() const {
  std::lock_guard lock(mu_);
  return frames_.empty();
}

void FrameQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  room_.notify_all();
}

FrameQueue::State FrameQueue::wait_started(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return state_ != State::opening; });
  return state_;
}

const VideoFrame* FrameQueue::peek() {
  std::lock_guard lock(mu_);
  return frames_.empty() ? nullptr : &frames_.front();
}

std::optional<VideoFrame> FrameQueue::pop() {
  std::unique_lock lock(mu_);
  if (frames_.empty()) return std::nullopt;
  VideoFrame f = std::move(frames_.front());
  frames_.pop_front();
  lock.unlock();
  room_.notify_one();
  return f;
}

FrameQueue::State FrameQueue::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::optional<Error> FrameQueue::error() const {
  std::lock_guard lock(mu_);
  return error_;
}

}  // namespace signage
