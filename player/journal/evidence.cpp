#include "journal/evidence.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <vector>

#include "journal/journal.h"

namespace signage {

namespace fs = std::filesystem;

Image downscale_to_width(const Image& image, int max_width) {
  if (image.empty() || max_width <= 0 || image.width <= max_width) return image;
  const int sw = image.width, sh = image.height;
  const int dw = max_width;
  const int dh = std::max(1, static_cast<int>((static_cast<long long>(sh) * dw + sw / 2) / sw));
  Image out;
  out.width = dw;
  out.height = dh;
  out.rgba.resize(static_cast<std::size_t>(dw) * static_cast<std::size_t>(dh) * 4);
  // The source columns [x0, x1) under each output column, worked out once; each
  // output row sums its source rows left to right (the order they lie in memory).
  std::vector<int> x0s(static_cast<std::size_t>(dw) + 1);
  for (int x = 0; x <= dw; ++x) x0s[static_cast<std::size_t>(x)] = static_cast<int>(static_cast<long long>(x) * sw / dw);
  std::vector<unsigned long long> sums(static_cast<std::size_t>(dw) * 4);
  for (int y = 0; y < dh; ++y) {
    const int y0 = static_cast<int>(static_cast<long long>(y) * sh / dh);
    const int y1 = std::max(y0 + 1, static_cast<int>(static_cast<long long>(y + 1) * sh / dh));
    std::fill(sums.begin(), sums.end(), 0ULL);
    for (int sy = y0; sy < y1; ++sy) {
      const std::uint8_t* row = image.rgba.data() + static_cast<std::size_t>(sy) * static_cast<std::size_t>(sw) * 4;
      unsigned long long* sum = sums.data();
      for (int x = 0; x < dw; ++x, sum += 4) {
        const int x0 = x0s[static_cast<std::size_t>(x)];
        const int x1 = std::max(x0 + 1, x0s[static_cast<std::size_t>(x) + 1]);
        for (const std::uint8_t* p = row + static_cast<std::size_t>(x0) * 4; p < row + static_cast<std::size_t>(x1) * 4;
             p += 4) {
          sum[0] += p[0];
          sum[1] += p[1];
          sum[2] += p[2];
          sum[3] += p[3];
        }
      }
    }
    // The mean, rounded: (sum + n/2) / n, with n the pixels covered. A column covers
    // `base` or `base + 1` source columns, so a row has two values of n; while n is
    // below 4096 the division is a multiply by floor(2^32 / n) + 1 and a shift, exact for
    // every sum of n bytes (sum < 256 n, and 256 n * n < 2^32).
    const int base = sw / dw;
    const auto rows = static_cast<unsigned long long>(y1 - y0);
    const unsigned long long n_of[2] = {static_cast<unsigned long long>(base) * rows,
                                        static_cast<unsigned long long>(base + 1) * rows};
    const unsigned long long m_of[2] = {(1ULL << 32) / n_of[0] + 1, (1ULL << 32) / n_of[1] + 1};
    std::uint8_t* dst = out.rgba.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(dw) * 4;
    const unsigned long long* sum = sums.data();
    for (int x = 0; x < dw; ++x, sum += 4, dst += 4) {
      const int wide = x0s[static_cast<std::size_t>(x) + 1] - x0s[static_cast<std::size_t>(x)] - base;  // 0 or 1
      const unsigned long long n = n_of[wide];
      if (n < 4096) {
        const unsigned long long m = m_of[wide];
        for (int c = 0; c < 4; ++c) dst[c] = static_cast<std::uint8_t>(((sum[c] + n / 2) * m) >> 32);
      } else {
        for (int c = 0; c < 4; ++c) dst[c] = static_cast<std::uint8_t>((sum[c] + n / 2) / n);
      }
    }
  }
  return out;
}

EvidenceStore::EvidenceStore(fs::path journal_dir, const TimeZone& zone, EvidenceOptions options, Env& env)
    : dir_(std::move(journal_dir)), zone_(&zone), options_(options), env_(&env) {}

bool EvidenceStore::due(const std::string& item_key, Instant now) const {
  const auto it = last_.find(item_key);
  if (it == last_.end()) return true;
  // A clock that jumped back makes the last picture look like the future: take one.
  return now < it->second || now - it->second >= options_.interval;
}

namespace {

std::string safe_name(const std::string& key) {
  std::string out;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

}  // namespace

Result<EvidencePicture> EvidenceStore::save(const Image& frame, const std::string& item_key, Instant at) {
  if (frame.empty()) return Error(ErrorKind::invalid, "evidence picture of " + item_key + ": the frame is empty");
  const LocalTime local = zone_->to_local(at);
  const std::string day = format_date(local.date);
  const fs::path folder = shots_dir() / day;
  if (auto s = env_->create_dir(folder); !s) return Error("cannot create the evidence folder", s.error());
  auto taken = env_->list_dir(folder);
  if (!taken) return Error("evidence picture of " + item_key + " not saved", taken.error());
  const std::set<std::string> names(taken->begin(), taken->end());

  const auto ms = local.time_of_day.count();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%02lld%02lld%02lld-%03lld", static_cast<long long>(ms / 3'600'000),
                static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60),
                static_cast<long long>(ms % 1000));
  const std::string base = std::string(stamp) + "-" + safe_name(item_key);
  std::string file_name = base + ".jpg";
  for (int n = 2; names.count(file_name) != 0; ++n) file_name = base + "-" + std::to_string(n) + ".jpg";

  auto jpeg = encode_jpeg(downscale_to_width(frame, options_.max_width), options_.jpeg_quality);
  if (!jpeg) return Error("evidence picture of " + item_key + " not saved", jpeg.error());
  if (auto s = env_->write_file_atomic(folder / file_name, *jpeg); !s) {
    return Error("evidence picture of " + item_key + " not saved", s.error());
  }
  last_[item_key] = at;
  return EvidencePicture{"shots/" + day + "/" + file_name, sha256_hex(*jpeg)};
}

Result<int> EvidenceStore::prune(Instant now, std::chrono::hours retention) {
  const fs::path shots = shots_dir();
  auto folders = env_->list_folders(shots);
  if (!folders && folders.error().kind() == ErrorKind::not_found) return 0;  // no picture taken yet
  if (!folders) return Error("cannot list evidence folders", folders.error());
  const Instant cutoff = now - retention;
  std::vector<fs::path> old;
  for (const std::string& name : *folders) {
    // Only folders named like a date (the ones save() makes).
    const auto date = parse_journal_file_name(name + ".jsonl");
    if (!date) continue;
    const Date next = std::chrono::sys_days(*date) + std::chrono::days(1);
    if (zone_->to_instant(next, std::chrono::milliseconds(0)) <= cutoff) old.push_back(shots / name);
  }
  std::sort(old.begin(), old.end());
  int removed = 0;
  for (const auto& folder : old) {
    if (auto s = env_->remove_all(folder); !s) return Error("cannot delete old evidence pictures", s.error());
    ++removed;
  }
  return removed;
}

}  // namespace signage
