#include "app/set_swapper.h"

#include <utility>

namespace signage {

bool same_files(const PlaylistSet& a, const PlaylistSet& b) {
  if (a.campaigns.size() != b.campaigns.size()) return false;
  for (std::size_t i = 0; i < a.campaigns.size(); ++i) {
    const Campaign& x = a.campaigns[i];
    const Campaign& y = b.campaigns[i];
    if (x.id != y.id || x.source_sha256 != y.source_sha256 || x.items.size() != y.items.size()) return false;
  }
  return true;
}

bool same_content(const PlaylistSet& a, const PlaylistSet& b) {
  if (!same_files(a, b)) return false;
  for (std::size_t i = 0; i < a.campaigns.size(); ++i) {
    const Campaign& x = a.campaigns[i];
    const Campaign& y = b.campaigns[i];
    for (std::size_t k = 0; k < x.items.size(); ++k) {
      if (x.items[k].media_missing != y.items[k].media_missing) return false;
    }
  }
  return true;
}

bool same_item(const Item& before, const std::string& before_hash, const Item& after, const std::string& after_hash) {
  const bool media = before.type != ItemType::slogan;
  return !after.media_missing && after.type == before.type && after.text == before.text &&
         after.path == before.path && after.duration == before.duration && after.style == before.style &&
         (!media || (!before_hash.empty() && after_hash == before_hash));
}

std::optional<std::map<std::filesystem::path, std::string>> SetSwapper::offer(Update& u, const PlaylistSet& running,
                                                                               Instant now) {
  // The baseline usually repeats what start-up loaded: nothing to swap then.
  if (u.initial && u.set && same_content(*u.set, running)) {
    u.set.reset();
    return std::move(u.media_sha256);
  }
  if (!u.set) return std::nullopt;
  if (!pending_) since_ = now;
  // A baseline with other files than start-up loaded (one was dropped or changed while
  // the player started) is a drop like any other, and recorded; one that differs only
  // in the items the watcher held back (their media unusable) is not.
  const bool quiet = u.initial && same_files(*u.set, running);
  pending_ = Swap{std::move(*u.set), std::move(u.applied), std::move(u.media_sha256), quiet};
  u.set.reset();
  urgent_ = urgent_ || !u.emergency_started.empty();
  return std::nullopt;
}

bool SetSwapper::due(Instant now, const OnScreen& s, const ItemOnScreen* item) const {
  if (!pending_) return false;
  if (urgent_ || !s.playing || !s.until || now >= *s.until || (item != nullptr && keeps(*item))) return true;
  // Under a video, wait for its end; otherwise at most kMaxSwapWait (clock time).
  if (s.video) return false;
  return now - since_ >= kMaxSwapWait;
}

bool SetSwapper::keeps(const ItemOnScreen& s) const {
  return pending_ && find_unchanged(pending_->set, pending_->media_sha256, s).has_value();
}

std::optional<std::pair<std::size_t, std::size_t>> find_unchanged(
    const PlaylistSet& set, const std::map<std::filesystem::path, std::string>& hashes,
    const SetSwapper::ItemOnScreen& s) {
  if (s.item == nullptr) return std::nullopt;
  for (std::size_t ci = 0; ci < set.campaigns.size(); ++ci) {
    const Campaign& c = set.campaigns[ci];
    if (c.id != s.ids.first) continue;
    for (std::size_t ii = 0; ii < c.items.size(); ++ii) {
      const Item& after = c.items[ii];
      if (after.id != s.ids.second) continue;
      const auto hash = hashes.find(after.path.lexically_normal());
      if (!same_item(*s.item, s.hash, after, hash == hashes.end() ? std::string() : hash->second)) return std::nullopt;
      return std::make_pair(ci, ii);
    }
  }
  return std::nullopt;
}

std::optional<Instant> SetSwapper::deadline() const {
  if (!pending_) return std::nullopt;
  return since_ + kMaxSwapWait;
}

SetSwapper::Swap SetSwapper::take() {
  Swap s = std::move(*pending_);
  pending_.reset();
  urgent_ = false;
  return s;
}

std::string SetSwapper::interrupt(std::pair<std::string, std::string> on_screen, const std::string& emergency) {
  resume_ = std::move(on_screen);
  return "interrupted by the emergency campaign '" + emergency + "'";
}

std::optional<std::pair<std::string, std::string>> SetSwapper::resume(bool emergency_on_screen, bool emergency_next) {
  if (!emergency_on_screen || emergency_next) return std::nullopt;
  return std::exchange(resume_, std::nullopt);
}

}  // namespace signage
