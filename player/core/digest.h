// SHA-256, the one hash the project uses (playlist and media identity, the
// journal's chain, evidence pictures). Thread: any; a Sha256Stream belongs to one
// thread at a time.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace signage {

// 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);
// Of a file's bytes, read in chunks (fine for large videos).
Result<std::string> sha256_file(const std::filesystem::path& file);

// A SHA-256 fed piece by piece, so that a long hash can be paused, resumed later or
// abandoned between pieces (watch/media_hasher.h). Movable, not copyable.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(Sha256Stream&&) noexcept;
  Sha256Stream& operator=(Sha256Stream&&) noexcept;
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(const void* data, std::size_t size);
  // 64 lowercase hex digits of everything fed; the stream starts over afterwards.
  std::string finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace signage
