#include "watch/folder_scan.h"

#include <algorithm>
#include <system_error>

namespace signage {

namespace fs = std::filesystem;

bool is_temporary_name(std::string_view name) {
  auto ends_with = [&](std::string_view s) { return name.size() >= s.size() && name.ends_with(s); };
  return name.empty() || name.front() == '.' || name.starts_with("~$") || name.back() == '~' ||
         ends_with(".tmp") || ends_with(".part") || ends_with(".crdownload") || ends_with(".swp");
}

namespace {

bool is_playlist_name(const std::string& name) {
  return !is_temporary_name(name) && name.size() > 5 && name.ends_with(".toml");
}

}  // namespace

FolderScan scan_drop_folder(const fs::path& playlists, const fs::path& media_root) {
  FolderScan out;
  const fs::path pl = playlists.lexically_normal();
  const fs::path mr = (media_root.empty() ? fs::path(".") : media_root).lexically_normal();

  std::error_code ec;
  if (fs::is_directory(pl, ec)) {
    out.folders.push_back(pl);
    fs::directory_iterator it(pl, ec);
    out.playlists_readable = !ec;
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!is_playlist_name(name)) continue;
      if (auto s = stamp_of(it->path())) out.playlists.emplace(it->path().lexically_normal(), *s);
    }
    if (ec) out.playlists_readable = false;
  }

  ec.clear();
  if (fs::is_directory(mr, ec)) {
    if (mr != pl) out.folders.push_back(mr);
    fs::recursive_directory_iterator it(mr, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& p = it->path();
      const std::string name = p.filename().string();
      std::error_code type_ec;
      if (it->is_directory(type_ec)) {
        // Hidden folders (.git, .stversions, .Trash-1000) and symlinks to folders
        // are not part of the drop folder.
        if (is_temporary_name(name) || it->is_symlink(type_ec)) {
          it.disable_recursion_pending();
        } else {
          out.folders.push_back(p.lexically_normal());
        }
        continue;
      }
      if (is_temporary_name(name)) continue;
      const fs::path key = p.lexically_normal();
      if (out.playlists.contains(key)) continue;
      if (auto s = stamp_of(p)) out.media.emplace(key, *s);
    }
  }
  std::sort(out.folders.begin(), out.folders.end());
  out.folders.erase(std::unique(out.folders.begin(), out.folders.end()), out.folders.end());
  return out;
}

bool SettleTracker::observe_one(const fs::path& file, const FileStamp& stamp, bool playlist, TimePoint now,
                                std::optional<Instant> trust_old_mtime_at) {
  auto [it, inserted] = entries_.try_emplace(file);
  Entry& e = it->second;
  e.playlist = playlist;
  if (inserted || !(e.stamp == stamp)) {
    const bool was_settled = !inserted && e.settled;
    e.stamp = stamp;
    e.changed_at = now;
    e.settled = false;
    if (inserted && trust_old_mtime_at) {
      const std::chrono::sys_time<std::chrono::nanoseconds> mtime{std::chrono::nanoseconds(stamp.mtime_ns)};
      e.settled = *trust_old_mtime_at - mtime >= settle_;
    }
    return was_settled || e.settled;
  }
  if (!e.settled && now - e.changed_at >= settle_) {
    e.settled = true;
    return true;
  }
  return false;
}

bool SettleTracker::observe(const FolderScan& scan, TimePoint now, std::optional<Instant> trust_old_mtime_at) {
  bool changed = scan.playlists_readable != playlists_readable_;
  playlists_readable_ = scan.playlists_readable;
  for (auto it = entries_.begin(); it != entries_.end();) {
    const auto& files = it->second.playlist ? scan.playlists : scan.media;
    if (!files.contains(it->first)) {
      changed = changed || it->second.settled;
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [file, stamp] : scan.playlists) {
    changed = observe_one(file, stamp, true, now, trust_old_mtime_at) || changed;
  }
  for (const auto& [file, stamp] : scan.media) {
    changed = observe_one(file, stamp, false, now, trust_old_mtime_at) || changed;
  }
  if (changed) rebuild_views();
  return changed;
}

void SettleTracker::unsettle(const fs::path& file, TimePoint now) {
  auto it = entries_.find(file);
  if (it == entries_.end() || !it->second.settled) return;
  it->second.settled = false;
  it->second.changed_at = now;
  rebuild_views();
}

void SettleTracker::rebuild_views() {
  settled_playlists_.clear();
  settled_media_.clear();
  for (const auto& [file, e] : entries_) {
    if (!e.settled) continue;
    (e.playlist ? settled_playlists_ : settled_media_).emplace(file, e.stamp);
  }
}

std::vector<fs::path> SettleTracker::pending_playlists() const {
  std::vector<fs::path> out;
  for (const auto& [file, e] : entries_) {
    if (e.playlist && !e.settled) out.push_back(file);
  }
  return out;
}

bool SettleTracker::is_pending_media(const fs::path& file) const {
  auto it = entries_.find(file);
  return it != entries_.end() && !it->second.playlist && !it->second.settled;
}

std::optional<SettleTracker::TimePoint> SettleTracker::next_deadline() const {
  std::optional<TimePoint> out;
  for (const auto& [file, e] : entries_) {
    if (e.settled) continue;
    const TimePoint t = e.changed_at + settle_;
    if (!out || t < *out) out = t;
  }
  return out;
}

}  // namespace signage
