#include "core/repeat_limit.h"

namespace signage {

bool RepeatLimit::admit(const std::string& key) {
  const MonoTime now = clock_.now();
  auto [it, fresh] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (!fresh && e.held == 0 && now - e.last_seen >= opt_.window) e.shown = 0;  // a new incident
  e.last_seen = now;
  if (e.shown < opt_.burst) {
    ++e.shown;
    return true;
  }
  if (e.held == 0) e.held_since = now;
  ++e.held;
  return false;
}

std::vector<RepeatLimit::Held> RepeatLimit::take_held(bool all) {
  const MonoTime now = clock_.now();
  std::vector<Held> out;
  for (auto& [key, e] : entries_) {
    if (e.held == 0 || (!all && now - e.held_since < opt_.window)) continue;
    out.push_back({key, e.held});
    e.held = 0;
  }
  return out;
}

}  // namespace signage
