// A thread that lays out and draws text into pixels, off the main thread, with a
// FontSet of its own (FontSet::another()): a slogan's lines, a ticker's texts. The
// main thread then only uploads the pixels. A long layout (a 1 000-character slogan
// at 4K, a ticker of 50 long texts) no longer holds up the frames on screen.
//
// Thread: construct, post and destroy on the main thread; jobs run on the text
// thread in the order posted; Pending<T>::set from the job, take from the main thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "core/error.h"
#include "text/text.h"

namespace signage {

// A result the text thread delivers and a view (or band) waits for. The waiter holds
// the only owning reference: dropping it drops the work (a job not started yet is
// skipped; one running delivers into nothing). set() does not wake the main loop (a
// wake is a redraw, and a static screen should present once): the loop looks when
// it needs the result, at the item's start (View::ready waits there) or at the next
// frame of a ticker band (which moves while its texts are being laid out).
template <typename T>
class Pending {
 public:
  void set(Result<T> r) {
    {
      std::lock_guard lock(mu_);
      result_ = std::move(r);
    }
    cv_.notify_all();
  }
  // The result (or why not), waiting up to `timeout`; nullopt: not yet. Once only.
  std::optional<Result<T>> take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return result_.has_value(); })) return std::nullopt;
    return std::move(result_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Result<T>> result_;
};

class TextThread {
 public:
  // Starts the thread; `fonts` is used there only (a set from FontSet::another()).
  explicit TextThread(FontSet fonts);
  TextThread(const TextThread&) = delete;
  TextThread& operator=(const TextThread&) = delete;
  // Stops the work in progress (the layout returns what it has: the fonts' stop
  // flag), drops the jobs not started and joins: milliseconds.
  ~TextThread();

  // Runs `job` on the text thread with its FontSet, unless `alive` has expired by
  // then (the waiter went away).
  void post(std::weak_ptr<void> alive, std::function<void(FontSet&)> job);

  // `job` computing a T, delivered to the returned Pending (which the caller keeps).
  template <typename T>
  std::shared_ptr<Pending<T>> run(std::function<Result<T>(FontSet&)> job) {
    auto pending = std::make_shared<Pending<T>>();
    post(pending, [weak = std::weak_ptr<Pending<T>>(pending), job = std::move(job)](FontSet& fonts) {
      auto r = job(fonts);
      if (auto p = weak.lock()) p->set(std::move(r));
    });
    return pending;
  }

 private:
  struct Job {
    std::weak_ptr<void> alive;
    std::function<void(FontSet&)> run;
  };
  void loop();

  FontSet fonts_;
  std::atomic<bool> quit_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::thread thread_;  // last: starts when everything above exists
};

}  // namespace signage
