// Pictures already decoded and fitted, kept for their next showing.
//
// A rotation shows the same few pictures again and again; decoding a 1920x1080 PNG
// and shrinking it takes tens of milliseconds of a small box's CPU (more on an ARM
// board), each time, and competes with a video on screen. The cache keeps the
// result of each decode, at the size it is drawn, within a budget of bytes; the
// least recently used picture goes first when a new one would pass it. A picture
// larger than the whole budget is not kept.
//
// Entries are keyed by the file and its identity on disk (core/file_stamp.h: size,
// times, inode, device), the box the picture is fitted to and the decode's pixel
// limit: a file replaced or rewritten in the drop folder has a new identity and is
// decoded afresh; the stale entry ages out.
//
// Ownership: pictures are shared (std::shared_ptr<const Image>): one handed out
// stays valid after it is evicted. Thread: any; one mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/file_stamp.h"
#include "media/image.h"

namespace signage {

struct PictureKey {
  std::filesystem::path file;
  FileStamp stamp;
  int box_w = 0, box_h = 0;  // the box the picture is fitted to
  int fit = 0;               // how (render's Fit, as a number)
  std::int64_t max_pixels = 0;
  friend bool operator==(const PictureKey&, const PictureKey&) = default;
};

class PictureCache {
 public:
  explicit PictureCache(std::size_t budget_bytes) : budget_(budget_bytes) {}
  PictureCache(const PictureCache&) = delete;
  PictureCache& operator=(const PictureCache&) = delete;

  // The picture kept for `key` (and it becomes the most recently used), or null.
  std::shared_ptr<const Image> find(const PictureKey& key);
  // Keeps `picture` for `key` (replacing one kept for it), evicting the least
  // recently used pictures while the total would pass the budget. A picture bigger
  // than the budget is not kept.
  void put(const PictureKey& key, std::shared_ptr<const Image> picture);

  std::size_t bytes() const;
  std::size_t size() const;

 private:
  struct KeyHash {
    std::size_t operator()(const PictureKey& k) const;
  };
  struct Entry {
    PictureKey key;
    std::shared_ptr<const Image> picture;
  };
  void evict_until(std::size_t room);  // mu_ held

  const std::size_t budget_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<PictureKey, std::list<Entry>::iterator, KeyHash> index_;
  std::size_t bytes_ = 0;
};

}  // namespace signage
