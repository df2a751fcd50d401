// Evidence pictures: at the first frame of a play, the frame read back from the
// renderer is scaled down to a small JPEG stored beside the journal,
//
//   <journal dir>/shots/2024-06-16/100203-120-2024-safety-month_theme.jpg
//
// and the play record names it (relative to the journal folder) and its SHA-256.
// At most one picture per item per interval (default 10 minutes). prune() deletes
// whole picture day folders past the retention; journal files are never touched.
//
// Files: the pictures are written through an Env (core/env.h), each atomically; their
// folders are listed and pruned through it too.
// Ownership: the store borrows the TimeZone and the Env, which must outlive it.
// Thread: one thread at a time (the per-item rate limit is unlocked state).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

#include "core/env.h"
#include "core/error.h"
#include "core/time.h"
#include "media/image.h"

namespace signage {

struct EvidenceOptions {
  int max_width = 480;                         // pictures wider than this are scaled down
  std::chrono::milliseconds interval = std::chrono::minutes(10);  // per item
  int jpeg_quality = 5;                        // 2 (best) .. 31, see write_jpeg
};

struct EvidencePicture {
  std::string name;    // relative to the journal folder, '/'-separated
  std::string sha256;  // of the JPEG file's bytes
};

// Scales `image` down with an area average (each output pixel is the mean of the
// source pixels it covers) to at most `max_width` wide, keeping the aspect ratio.
// Smaller images are returned unchanged.
Image downscale_to_width(const Image& image, int max_width);

class EvidenceStore {
 public:
  EvidenceStore(std::filesystem::path journal_dir, const TimeZone& zone, EvidenceOptions options = {},
                Env& env = real_env());

  // True when no picture of `item_key` has been saved within the interval before `now`.
  bool due(const std::string& item_key, Instant now) const;

  // Scales and writes the picture for `item_key` taken at `at`, and counts it for due().
  // The file name is the local time and the item key (characters other than
  // letters, digits, '.', '-' and '_' become '_').
  Result<EvidencePicture> save(const Image& frame, const std::string& item_key, Instant at);

  // Deletes the picture day folders whose whole day ended more than `retention`
  // before `now`. Journal files are never deleted. Returns how many folders went.
  Result<int> prune(Instant now, std::chrono::hours retention);

  std::filesystem::path shots_dir() const { return dir_ / "shots"; }

 private:
  std::filesystem::path dir_;
  const TimeZone* zone_;
  EvidenceOptions options_;
  Env* env_;
  std::map<std::string, Instant> last_;  // item key -> when its last picture was taken
};

}  // namespace signage
