// Waiting in tests, for what a fake clock cannot drive (another process, a real
// socket, a thread doing file I/O): polls `done` every `poll` (10 ms) until it holds
// or `limit` passes. Returns whether it held. A `done` that starts a process (psql)
// wants a longer `poll`: every 10 ms, a wait of seconds costs seconds of CPU. Prefer
// a ManualMonotonicClock (core/time.h) wherever the code under test takes a clock.
// Thread: any.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace signage::test {

inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(20),
                       std::chrono::milliseconds poll = std::chrono::milliseconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(poll);
  }
  return done();
}

}  // namespace signage::test
