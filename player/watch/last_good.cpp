#include "watch/last_good.h"

#include <algorithm>

#include "core/digest.h"
#include "core/i18n.h"
#include "playlist/toml_check.h"

namespace signage {

namespace fs = std::filesystem;

Result<int> LastGoodPlaylists::remember(const PlaylistSet& set) const {
  int written = 0;
  for (const Campaign& c : set.campaigns) {
    if (c.source.empty() || c.source_sha256.empty()) continue;
    const fs::path copy = dir_ / c.source.filename();
    if (auto old = tomlcheck::read_small_file(copy, *env_); old && sha256_hex(*old) == c.source_sha256) continue;
    auto bytes = tomlcheck::read_small_file(c.source, *env_);
    // Changed (or gone) since it was loaded: the next load remembers the new version.
    if (!bytes || sha256_hex(*bytes) != c.source_sha256) continue;
    if (auto s = env_->create_dir(dir_); !s) return Error("cannot create the folder of last good playlists", s.error());
    if (auto s = env_->write_file_atomic(copy, *bytes); !s) {
      return Error("cannot keep the last good playlist", s.error());
    }
    ++written;
  }
  return written;
}

std::optional<Campaign> LastGoodPlaylists::load(const fs::path& file, const LoadOptions& options) const {
  const fs::path copy = dir_ / file.filename();
  auto bytes = tomlcheck::read_small_file(copy, *env_);
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

std::vector<std::string> LastGoodPlaylists::copies() const {
  auto names = env_->list_dir(dir_);
  if (!names) return {};  // no folder (nothing kept yet), or one that cannot be listed
  std::vector<std::string> out;
  for (std::string& name : *names) {
    if (fs::path(name).extension() == ".toml" && !name.starts_with(".")) out.push_back(std::move(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::map<fs::path, Campaign> LastGoodPlaylists::load_all(const fs::path& playlists, const LoadOptions& options) const {
  std::map<fs::path, Campaign> out;
  for (const std::string& name : copies()) {
    const auto there = env_->file_type(playlists / name);
    if (!there || *there == FileType::none) continue;
    if (auto c = load(playlists / name, options)) out.emplace(playlists / name, std::move(*c));
  }
  return out;
}

Result<int> LastGoodPlaylists::forget_missing(const fs::path& playlists) const {
  int removed = 0;
  for (const std::string& name : copies()) {
    auto there = env_->file_type(playlists / name);
    if (!there) return Error(_("cannot tell whether a last good playlist is still wanted"), there.error());
    if (*there != FileType::none) continue;
    if (auto s = env_->remove(dir_ / name); !s) {
      return Error(_("cannot delete the last good copy of a removed playlist"), s.error());
    }
    ++removed;
  }
  return removed;
}

}  // namespace signage
