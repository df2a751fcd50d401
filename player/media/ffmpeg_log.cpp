#include "media/ffmpeg_log.h"

extern "C" {
#include <libavutil/log.h>
}

#include <cstdarg>
#include <cstdio>
#include <map>
#include <mutex>
#include <string_view>

#include "core/i18n.h"

namespace signage {

struct FfmpegLogRoute::State {
  Sink sink;
  RepeatLimit limit;
  std::map<std::string, std::string> prefix_of;  // key -> "ffmpeg: h264"
  std::map<std::string, std::string> last_of;    // key -> its last message
  State(Sink s, const MonotonicClock& clock, RepeatLimit::Options o) : sink(std::move(s)), limit(clock, o) {}

  // Counts that are due, as lines. Under the route's lock.
  void say_held(bool all) {
    for (const auto& h : limit.take_held(all)) {
      sink(fmt(_("{1}: {2} more times: {3}"), prefix_of[h.key], h.count, last_of[h.key]));
    }
  }
};

namespace {

std::mutex route_mu;
FfmpegLogRoute::State* route = nullptr;  // guarded by route_mu
thread_local FfmpegCapture* capture = nullptr;
// A message FFmpeg logs in parts (no line end yet), per thread.
thread_local std::string partial;

std::string_view trim_end(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

// The name FFmpeg prints in brackets: "h264", "mov,mp4,m4a,3gp,3g2,mj2", "cuda".
std::string source_of(void* avcl) {
  if (avcl == nullptr) return "ffmpeg";
  const AVClass* cls = *static_cast<const AVClass* const*>(avcl);
  if (cls == nullptr || cls->item_name == nullptr) return "ffmpeg";
  const char* name = cls->item_name(avcl);
  return name != nullptr ? name : "ffmpeg";
}

void callback(void* avcl, int level, const char* format, va_list args) {
  if (level > AV_LOG_WARNING) return;
  std::unique_lock lock(route_mu);
  if (capture == nullptr && route == nullptr) {
    lock.unlock();
    av_log_default_callback(avcl, level, format, args);
    return;
  }
  lock.unlock();
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, format, args);
  partial += buf;
  if (partial.empty() || partial.back() != '\n') return;  // the rest of the line comes next
  std::string text(trim_end(partial));
  partial.clear();
  // One line in the log, even for a message of several ("... options\nConsider ...").
  for (char& ch : text) {
    if (ch == '\n' || ch == '\r') ch = ' ';
  }
  if (text.empty()) return;
  if (capture != nullptr) return capture->keep(level, text);
  const std::string source = source_of(avcl);
  const std::string key = source + '\x1f' + format;
  lock.lock();
  if (route == nullptr) return;
  route->say_held(false);
  route->last_of[key] = text;
  route->prefix_of.try_emplace(key, "ffmpeg: " + source);
  if (route->limit.admit(key)) route->sink("ffmpeg: " + source + ": " + text);
}

}  // namespace

FfmpegLogRoute::FfmpegLogRoute(Sink sink, const MonotonicClock& clock, RepeatLimit::Options limit)
    : state_(std::make_unique<State>(std::move(sink), clock, limit)) {
  av_log_set_callback(&callback);
  std::lock_guard lock(route_mu);
  route = state_.get();
}

FfmpegLogRoute::~FfmpegLogRoute() {
  std::lock_guard lock(route_mu);
  state_->say_held(true);
  if (route == state_.get()) route = nullptr;
  av_log_set_callback(&av_log_default_callback);
}

void FfmpegLogRoute::flush(bool all) {
  std::lock_guard lock(route_mu);
  state_->say_held(all);
}

FfmpegCapture::FfmpegCapture() : outer_(capture) { capture = this; }

FfmpegCapture::~FfmpegCapture() { capture = outer_; }

void FfmpegCapture::keep(int level, std::string text) {
  if (level <= AV_LOG_ERROR) errors_.push_back(std::move(text));
}

std::string FfmpegCapture::errors() const {
  std::string out;
  for (const auto& e : errors_) out += (out.empty() ? "" : "; ") + e;
  return out;
}

}  // namespace signage
