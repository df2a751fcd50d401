// Keeps a log readable when one thing happens many times: a damaged video makes its
// decoder complain about every packet. The first `burst` lines of a kind (a key:
// where it comes from and what it says, without its numbers) are printed; after
// that they are counted, and each count is handed back `window` after its first
// line, so the log says "and 412 more" in one line instead of 412 lines. A key that
// stays quiet for a whole window starts afresh (a new incident shows its first lines).
//
// Ownership: plain state. Thread: one at a time (callers lock).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/time.h"

namespace signage {

class RepeatLimit {
 public:
  struct Options {
    int burst = 3;                             // lines of one key printed before counting
    std::chrono::milliseconds window{60'000};  // how often a count is said; a quiet spell that resets
  };

  // `clock` must outlive this.
  explicit RepeatLimit(const MonotonicClock& clock) : RepeatLimit(clock, Options{}) {}
  RepeatLimit(const MonotonicClock& clock, Options options) : clock_(clock), opt_(options) {}

  // A line of `key` happens now: true when it is to be printed, false when it is
  // only counted.
  bool admit(const std::string& key);

  struct Held {
    std::string key;
    std::uint64_t count = 0;  // lines of the key counted and not printed
  };
  // The keys with lines counted and not printed whose first such line is `window`
  // old (every one with `all`: at the end); their counts start again from zero.
  std::vector<Held> take_held(bool all = false);

 private:
  struct Entry {
    MonoTime last_seen{};
    MonoTime held_since{};  // the first line of `held`
    int shown = 0;
    std::uint64_t held = 0;
  };
  const MonotonicClock& clock_;
  Options opt_;
  std::map<std::string, Entry> entries_;
};

}  // namespace signage
