#include "app/play_stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>

namespace signage {

namespace chr = std::chrono;

bool nearly_black(const Image& img) {
  std::size_t dark = 0;
  const std::size_t pixels = img.rgba.size() / 4;
  for (std::size_t i = 0; i + 3 < img.rgba.size(); i += 4) {
    if (img.rgba[i] < 8 && img.rgba[i + 1] < 8 && img.rgba[i + 2] < 8) ++dark;
  }
  return pixels > 0 && dark * 100 >= pixels * 99;
}

void PlayStats::switched(MonoTime due) {
  presents_at_show_ = stats_.frames_presented;
  switch_pending_ = true;
  switch_due_ = due;
  check_frames_left_ = detailed_ ? 3 : 0;
}

bool PlayStats::check_due() {
  if (check_frames_left_ <= 0) return false;
  --check_frames_left_;
  return true;
}

void PlayStats::checked(const Image& frame) {
  ++switch_frames_checked_;
  if (nearly_black(frame)) ++black_frames_;
}

void PlayStats::presented(MonoTime at, bool continuous) {
  ++stats_.frames_presented;
  if (last_present_) {
    const double ms = chr::duration<double, std::milli>(at - *last_present_).count();
    if (continuous) stats_.longest_present_interval_ms = std::max(stats_.longest_present_interval_ms, ms);
    if (switch_pending_) {
      const double from_due = chr::duration<double, std::milli>(at - std::max(*last_present_, switch_due_)).count();
      stats_.longest_switch_interval_ms = std::max(stats_.longest_switch_interval_ms, from_due);
    }
  }
  switch_pending_ = false;
  last_present_ = at;
}

void PlayStats::first_frame(chr::duration<double, std::milli> after_start) {
  stats_.time_to_first_frame_ms = after_start.count();
}

void PlayStats::play_ended(std::string id, std::string type, const std::optional<ItemPlayStats>& live,
                           const std::string& outcome) {
  if (live) dropped_finished_ += live->frames_dropped;
  if (!detailed_) return;
  ItemPlayStats st;
  if (live) st = *live;
  st.id = std::move(id);
  st.type = std::move(type);
  if (st.type != "video") st.frames_presented = stats_.frames_presented - presents_at_show_;
  st.outcome = outcome;
  stats_.frames_dropped += st.frames_dropped;
  stats_.items.push_back(std::move(st));
}

nlohmann::json PlayStats::to_json(chr::duration<double> wall, const std::string& display) const {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : stats_.items) {
    items.push_back({{"id", i.id},
                     {"type", i.type},
                     {"decoder", i.decoder},
                     {"hardware", i.hardware},
                     {"frames", i.frames_presented},
                     {"frames_dropped", i.frames_dropped},
                     {"outcome", i.outcome}});
  }
  return {{"frames_presented", stats_.frames_presented},
          {"frames_dropped", stats_.frames_dropped},
          {"longest_present_interval_ms", stats_.longest_present_interval_ms},
          {"longest_switch_interval_ms", stats_.longest_switch_interval_ms},
          {"time_to_first_frame_ms", stats_.time_to_first_frame_ms},
          {"black_frames_at_switches", black_frames_},
          {"switch_frames_checked", switch_frames_checked_},
          {"cpu_seconds", cpu},
          {"peak_rss_mb", static_cast<double>(ru.ru_maxrss) / 1024.0},
          {"wall_seconds", wall.count()},
          {"display", display},
          {"items", items}};
}

Status PlayStats::write(const std::filesystem::path& file, chr::duration<double> wall,
                        const std::string& display) const {
  std::ofstream out(file);
  out << to_json(wall, display).dump(2) << "\n";
  if (!out) return Error("cannot write " + file.string());
  return {};
}

}  // namespace signage
