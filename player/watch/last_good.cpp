#include "watch/last_good.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "core/digest.h"
#include "playlist/toml_check.h"

namespace signage {

namespace fs = std::filesystem;

namespace {

Error os_error(const std::string& what, const fs::path& file) {
  const int e = errno;
  return Error(error_kind_of_errno(e), what + " " + file.string() + ": " + std::strerror(e));
}

// Closes a POSIX descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status write_all(int fd, std::string_view bytes, const fs::path& file) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return os_error("cannot write", file);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// `bytes` into `file` atomically: a temporary beside it, synced, renamed over it,
// and the folder synced so the rename survives a power cut.
Status write_atomic(const fs::path& file, std::string_view bytes) {
  // Appended, not "." + string (GCC 12 at -O3: a false -Wrestrict, its bug 105329).
  std::string name = ".";
  name += file.filename().string();
  name += ".tmp";
  const fs::path tmp = file.parent_path() / name;
  {
    Fd out{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)};
    if (out.fd < 0) return os_error("cannot create", tmp);
    if (auto s = write_all(out.fd, bytes, tmp); !s) return s;
    if (::fsync(out.fd) != 0) return os_error("cannot sync", tmp);
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) return os_error("cannot rename into place", file);
  Fd dir{::open(file.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dir.fd >= 0) ::fsync(dir.fd);
  return {};
}

}  // namespace

Result<int> LastGoodPlaylists::remember(const PlaylistSet& set) const {
  int written = 0;
  for (const Campaign& c : set.campaigns) {
    if (c.source.empty() || c.source_sha256.empty()) continue;
    const fs::path copy = dir_ / c.source.filename();
    if (auto old = tomlcheck::read_small_file(copy); old && sha256_hex(*old) == c.source_sha256) continue;
    auto bytes = tomlcheck::read_small_file(c.source);
    // Changed (or gone) since it was loaded: the next load remembers the new version.
    if (!bytes || sha256_hex(*bytes) != c.source_sha256) continue;
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) return error_code_error("cannot create the folder of last good playlists " + dir_.string(), ec);
    if (auto s = write_atomic(copy, *bytes); !s) return Error("cannot keep the last good playlist", s.error());
    ++written;
  }
  return written;
}

std::optional<Campaign> LastGoodPlaylists::load(const fs::path& file, const LoadOptions& options) const {
  const fs::path copy = dir_ / file.filename();
  auto bytes = tomlcheck::read_small_file(copy);
  if (!bytes) return std::nullopt;
  PlaylistFileResult r = load_playlist_text(*bytes, copy.string(), options);
  if (!r.campaign) return std::nullopt;
  r.campaign->source = file;
  return std::move(r.campaign);
}

std::vector<fs::path> LastGoodPlaylists::fill_in(PlaylistSetResult& loaded, const LoadOptions& options) const {
  std::vector<fs::path> filled;
  for (const fs::path& file : loaded.refused) {
    auto c = load(file, options);
    if (!c) continue;
    auto& campaigns = loaded.set.campaigns;
    const bool taken = std::any_of(campaigns.begin(), campaigns.end(), [&](const Campaign& x) { return x.id == c->id; });
    if (taken) continue;
    const auto at = std::find_if(campaigns.begin(), campaigns.end(), [&](const Campaign& x) {
      return x.source.filename().string() > file.filename().string();
    });
    campaigns.insert(at, std::move(*c));
    filled.push_back(file);
  }
  return filled;
}

std::map<fs::path, Campaign> LastGoodPlaylists::load_all(const fs::path& playlists, const LoadOptions& options) const {
  std::map<fs::path, Campaign> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path name = it->path().filename();
    if (name.extension() != ".toml" || name.string().starts_with(".")) continue;
    std::error_code e2;
    if (!fs::exists(playlists / name, e2)) continue;
    if (auto c = load(playlists / name, options)) out.emplace(playlists / name, std::move(*c));
  }
  return out;
}

void LastGoodPlaylists::forget_missing(const fs::path& playlists) const {
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path name = it->path().filename();
    if (name.extension() != ".toml" || name.string().starts_with(".")) continue;
    std::error_code e2;
    if (!fs::exists(playlists / name, e2) && !e2) fs::remove(it->path(), e2);
  }
}

}  // namespace signage
