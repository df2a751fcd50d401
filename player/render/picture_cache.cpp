#include "render/picture_cache.h"

#include <functional>

namespace signage {

namespace {

std::size_t bytes_of(const Image& image) { return image.rgba.size(); }

void mix(std::size_t& seed, std::size_t v) { seed ^= v + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2); }

}  // namespace

std::size_t PictureCache::KeyHash::operator()(const PictureKey& k) const {
  std::size_t h = std::hash<std::string>()(k.file.native());
  for (const auto v : {k.stamp.device, k.stamp.inode, k.stamp.size,
                       static_cast<std::uint64_t>(k.stamp.mtime_ns), static_cast<std::uint64_t>(k.stamp.ctime_ns),
                       static_cast<std::uint64_t>(k.box_w), static_cast<std::uint64_t>(k.box_h),
                       static_cast<std::uint64_t>(k.fit), static_cast<std::uint64_t>(k.max_pixels)}) {
    mix(h, std::hash<std::uint64_t>()(v));
  }
  return h;
}

std::shared_ptr<const Image> PictureCache::find(const PictureKey& key) {
  std::lock_guard lock(mu_);
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->picture;
}

void PictureCache::put(const PictureKey& key, std::shared_ptr<const Image> picture) {
  if (!picture) return;
  const std::size_t size = bytes_of(*picture);
  std::lock_guard lock(mu_);
  if (const auto it = index_.find(key); it != index_.end()) {
    bytes_ -= bytes_of(*it->second->picture);
    order_.erase(it->second);
    index_.erase(it);
  }
  if (size > budget_) return;
  evict_until(budget_ - size);
  order_.push_front(Entry{key, std::move(picture)});
  index_.emplace(key, order_.begin());
  bytes_ += size;
}

void PictureCache::evict_until(std::size_t room) {
  while (bytes_ > room && !order_.empty()) {
    bytes_ -= bytes_of(*order_.back().picture);
    index_.erase(order_.back().key);
    order_.pop_back();
  }
}

std::size_t PictureCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

std::size_t PictureCache::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

}  // namespace signage
