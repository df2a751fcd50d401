// Lines for the log from threads that do not write it (decode threads, the codec's
// own threads): they are queued here and the thread that owns the log (the kiosk's
// main thread) prints them at its next turn, so that only one thread ever writes
// to the log stream and lines never interleave.
//
// Ownership: owns the queued lines. Thread: push() from any thread, take() from the
// log's own thread.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace signage {

class LogQueue {
 public:
  // `wake`: called (from the pushing thread) when a line arrives in an empty queue,
  // so that a loop sleeping until its next deadline prints it soon. May be empty.
  explicit LogQueue(std::function<void()> wake = {}, std::size_t max_lines = 1000)
      : wake_(std::move(wake)), max_lines_(max_lines) {}

  // Queues one line (no line end). Beyond max_lines waiting, lines are counted and
  // dropped; take() then says how many.
  void push(std::string line);
  // Every line queued since the last call, oldest first.
  std::vector<std::string> take();

 private:
  std::function<void()> wake_;
  std::size_t max_lines_;
  std::mutex mu_;
  std::vector<std::string> lines_;  // guarded by mu_
  std::size_t dropped_ = 0;         // guarded by mu_
};

}  // namespace signage
