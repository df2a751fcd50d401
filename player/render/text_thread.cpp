// The text thread (text_thread.h).
#include "render/text_thread.h"

namespace signage {

TextThread::TextThread(FontSet fonts) : fonts_(std::move(fonts)) {
  fonts_.set_stop_flag(&quit_);
  thread_ = std::thread([this] { loop(); });
}

TextThread::~TextThread() {
  quit_ = true;  // a layout in progress returns what it has
  {
    std::lock_guard lock(mu_);
    jobs_.clear();
  }
  cv_.notify_all();
  thread_.join();
}

void TextThread::post(std::weak_ptr<void> alive, std::function<void(FontSet&)> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(Job{std::move(alive), std::move(job)});
  }
  cv_.notify_one();
}

void TextThread::loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return quit_ || !jobs_.empty(); });
      if (quit_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    if (job.alive.expired()) continue;
    job.run(fonts_);
  }
}

}  // namespace signage
