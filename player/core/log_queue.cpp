#include "core/log_queue.h"

#include <utility>

#include "core/i18n.h"

namespace signage {

void LogQueue::push(std::string line) {
  bool was_empty = false;
  {
    std::lock_guard lock(mu_);
    if (lines_.size() >= max_lines_) {
      ++dropped_;
      return;
    }
    was_empty = lines_.empty();
    lines_.push_back(std::move(line));
  }
  if (was_empty && wake_) wake_();
}

std::vector<std::string> LogQueue::take() {
  std::lock_guard lock(mu_);
  std::vector<std::string> out = std::move(lines_);
  lines_.clear();
  if (dropped_ > 0) {
    out.push_back(fmt(_("{1} more log lines dropped (too many at once)"), dropped_));
    dropped_ = 0;
  }
  return out;
}

}  // namespace signage
