#include "watch/set_builder.h"

#include <algorithm>
#include <set>
#include <utility>

#include "core/digest.h"
#include "watch/last_good.h"
#include "video/video.h"
#include "watch/media_check.h"

namespace signage {

namespace fs = std::filesystem;

bool is_emergency(const Campaign& campaign, int emergency_level) { return campaign.priority >= emergency_level; }

void set_video_length(Item& item, std::chrono::milliseconds length) {
  item.media_length = length;
  if (item.duration_from_media && length >= std::chrono::milliseconds(100)) item.duration = length;
}

void resolve_video_durations(PlaylistSet& set) {
  for (auto& c : set.campaigns) {
    for (auto& i : c.items) {
      if (i.type != ItemType::video || i.media_missing || i.path.empty()) continue;
      const auto d = probe_video_duration(i.path);
      set_video_length(i, d ? *d : std::chrono::milliseconds(0));
    }
  }
}

namespace {

fs::path norm(const fs::path& p) { return p.lexically_normal(); }

std::string item_key(const std::string& campaign, const std::string& item) { return campaign + "\n" + item; }

bool uses_media(const Item& item) { return item.type == ItemType::image || item.type == ItemType::video; }

}  // namespace

FolderState folder_state(const PlaylistSetResult& loaded) {
  FolderState s;
  s.readable = loaded.folder_readable;
  std::set<fs::path> files;
  for (const Campaign& c : loaded.set.campaigns) files.insert(norm(c.source));
  for (const fs::path& f : loaded.refused) files.insert(norm(f));
  s.files = files.size();
  s.refused = loaded.refused;
  std::stable_sort(s.refused.begin(), s.refused.end(),
                   [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
  if (s.refused.empty()) return s;
  const fs::path& first = s.refused.front();
  for (const Diagnostic& d : loaded.diagnostics) {
    if (d.severity != Severity::error || d.where.file != first.string()) continue;
    s.first_error = first.filename().string();
    if (d.where.line > 0) {
      s.first_error += ":" + std::to_string(d.where.line);
      if (d.where.column > 0) s.first_error += ":" + std::to_string(d.where.column);
    }
    s.first_error += ": " + d.message;
    break;
  }
  return s;
}

SetBuilder::SetBuilder(SetBuilderOptions options, MediaDigests& digests)
    : options_(std::move(options)), digests_(digests) {
  if (options_.last_good.empty()) return;
  // A file refused at the first scan (being rewritten in place at start) keeps
  // playing its last good version, as it would after any later refusal.
  for (auto& [file, campaign] : LastGoodPlaylists(options_.last_good).load_all(options_.playlists, options_.load)) {
    last_good_.emplace(norm(file), std::move(campaign));
  }
}

SetBuilder::Readiness SetBuilder::media_readiness(ItemType type, const fs::path& file, const SettleTracker& files,
                                                  bool urgent, std::vector<fs::path>& stale) {
  Readiness r;
  const fs::path key = norm(file);
  const auto settled = files.settled_media().find(key);
  if (settled == files.settled_media().end()) {
    if (files.is_pending_media(key)) {
      r.reason = "media file " + file.string() + " is still being copied; the item joins when it is complete";
    } else if (stamp_of(file)) {
      r.reason = "media file " + file.string() +
                 " is not a settled file of the drop folder (temporary name, or not seen yet)";
    } else {
      r.reason = "media file " + file.string() + " not found; the item joins when it appears";
    }
    return r;
  }
  auto cached = media_cache_.find(key);
  if (cached == media_cache_.end() || !(cached->second.stamp == settled->second)) {
    // Size first, from the stamp: a file over the limit is never opened.
    MediaInfo info{settled->second, {}};
    if (auto size = check_media_size(file, settled->second.size, options_.max_media_bytes); !size) {
      info.error = size.error().what();
    } else if (auto st = check_media_file(type, file); !st) {
      info.error = st.error().what();
    } else if (type == ItemType::video) {
      // Read here, once per file stamp: the kiosk plays the set as it comes.
      if (auto d = probe_video_duration(file)) info.length = *d;
    }
    cached = media_cache_.insert_or_assign(key, std::move(info)).first;
  }
  if (!cached->second.error.empty()) {
    r.reason = "cannot use media file: " + cached->second.error;
    return r;
  }
  r.length = cached->second.length;
  const MediaDigest digest = digests_.digest(key, settled->second, urgent);
  switch (digest.state) {
    case MediaDigest::State::ready:
      r.ready = true;
      r.sha256 = digest.sha256;
      break;
    case MediaDigest::State::pending:
      r.hashing = true;
      r.reason = "media file " + file.string() + " is being hashed; the item joins when it is done";
      break;
    case MediaDigest::State::failed:
      r.reason = "cannot use media file: " + digest.error;
      break;
    case MediaDigest::State::changed:
      // Read under a writer: the bytes hashed may be a mix. Settle again.
      stale.push_back(key);
      r.reason = "media file " + file.string() + " changed while being read";
      break;
  }
  return r;
}

std::optional<Update> SetBuilder::unreadable_folder() {
  const fs::path folder_key = norm(options_.playlists);
  // A missing or unreadable folder (unmounted share, renamed) is not "no playlists":
  // the running set keeps playing.
  if (reported_.contains(folder_key)) return std::nullopt;
  reported_[folder_key] = "";
  RejectedFile r;
  r.file = options_.playlists;
  r.diagnostics.push_back(Diagnostic{Severity::error, SourcePos{options_.playlists.string(), 0, 0},
                                     "cannot read the playlist folder; check that it exists and can be read "
                                     "(the playlists already playing keep playing)"});
  Update u;
  u.rejected.push_back(std::move(r));
  FolderState unreadable;
  unreadable.readable = false;
  note_folder(std::move(unreadable), {}, u);
  u.seq = ++seq_;
  return u;
}

std::vector<fs::path> SetBuilder::changed_since_scan(const PlaylistSetResult& loaded,
                                                     const SettleTracker& files) const {
  // Every file read must be the settled version the scan saw; otherwise it changed
  // (or appeared) since, and what was read may be half-written.
  std::vector<fs::path> read_files;
  for (const Campaign& c : loaded.set.campaigns) read_files.push_back(c.source);
  for (const fs::path& f : loaded.refused) read_files.push_back(f);
  std::vector<fs::path> stale;
  for (const fs::path& f : read_files) {
    const auto s = files.settled_playlists().find(norm(f));
    const auto now = stamp_of(f);
    if (s == files.settled_playlists().end() || !now || !(*now == s->second)) stale.push_back(norm(f));
  }
  return stale;
}

std::vector<SetBuilder::Entry> SetBuilder::candidates(PlaylistSetResult& loaded, Update& u,
                                                      std::map<fs::path, Campaign>& next_last_good) {
  std::vector<Entry> entries;
  for (Campaign& c : loaded.set.campaigns) {
    // Refused before (and reported), valid now.
    if (reported_.contains(norm(c.source))) u.accepted.push_back(AcceptedFile{c.source, c.id, c.source_sha256});
    next_last_good[norm(c.source)] = c;
    entries.push_back(Entry{c.source.filename().string(), c.source, std::move(c), false});
  }
  std::set<fs::path> refused_now;
  for (const fs::path& f : loaded.refused) {
    const fs::path key = norm(f);
    refused_now.insert(key);
    auto sha = sha256_file(f);
    const std::string digest = sha ? *sha : std::string();
    const auto kept = last_good_.find(key);
    if (kept != last_good_.end()) {
      next_last_good[key] = kept->second;
      entries.push_back(Entry{f.filename().string(), f, kept->second, true});
    }
    const auto rep = reported_.find(key);
    if (rep == reported_.end() || rep->second != digest) {
      reported_[key] = digest;
      RejectedFile r;
      r.file = f;
      r.sha256 = digest;
      for (const Diagnostic& d : loaded.diagnostics) {
        if (d.where.file == f.string()) r.diagnostics.push_back(d);
      }
      if (kept != last_good_.end()) r.kept_campaign = kept->second.id;
      u.rejected.push_back(std::move(r));
    }
  }
  for (auto it = reported_.begin(); it != reported_.end();) {
    it = refused_now.contains(it->first) ? std::next(it) : reported_.erase(it);
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });

  // A kept last good version must not clash with a valid file's campaign id.
  std::set<std::string> ids;
  for (const Entry& e : entries) {
    if (!e.kept) ids.insert(e.campaign.id);
  }
  std::erase_if(entries, [&](const Entry& e) {
    if (!e.kept) return false;
    if (ids.insert(e.campaign.id).second) return false;
    u.notices.push_back(e.file.string() + ": its last good version (campaign '" + e.campaign.id +
                        "') is dropped: another file now uses that campaign id");
    return true;
  });
  return entries;
}

SetBuilder::Checked SetBuilder::check_media(std::vector<Entry>& entries, const SettleTracker& files, Update& u,
                                            std::vector<fs::path>& stale) {
  Checked out;
  for (Entry& e : entries) {
    Campaign& c = e.campaign;
    out.signature += e.file.string() + "\t" + c.source_sha256 + "\n";
    const bool urgent = is_emergency(c, options_.emergency_level);
    for (Item& item : c.items) {
      std::string sha;
      if (uses_media(item)) {
        const Readiness r = media_readiness(item.type, item.path, files, urgent, stale);
        item.media_missing = !r.ready;
        if (item.type == ItemType::video) set_video_length(item, r.length);
        if (r.ready) {
          sha = r.sha256;
          u.media_sha256[norm(item.path)] = sha;
        } else {
          u.held_back.push_back(HeldItem{c.id, item.id, item.path, r.reason, r.hashing});
          if (r.hashing) out.hashing.insert(norm(item.path));
        }
      }
      if (!item.style.background_image.empty()) {
        const Readiness r = media_readiness(ItemType::image, item.style.background_image, files, urgent, stale);
        if (r.hashing) out.hashing.insert(norm(item.style.background_image));
        if (r.ready) {
          u.media_sha256[norm(item.style.background_image)] = r.sha256;
          sha += "+" + r.sha256;
        } else {
          item.style.background_image.clear();  // shown without it, as the loader does for a missing one
        }
      }
      out.signature += " " + item.id + (item.media_missing ? " held " : " ready ") + sha + "\n";
      out.media_of_item[item_key(c.id, item.id)] = item.media_missing ? std::string("-") : sha;
    }
    u.applied.push_back(AppliedFile{e.file, c.id, c.source_sha256, e.kept});
    out.set.campaigns.push_back(std::move(c));
  }
  return out;
}

void SetBuilder::note_folder(FolderState state, const std::vector<IgnoredFile>& ignored, Update& u) {
  if (!folder_ || !(*folder_ == state)) {
    folder_ = state;
    u.folder = std::move(state);
  }
  if (!folder_->readable) return;  // nothing was listed: what was ignored is not known
  std::set<fs::path> now;
  for (const IgnoredFile& f : ignored) {
    now.insert(norm(f.file));
    if (!ignored_.contains(norm(f.file))) u.ignored.push_back(f);
  }
  ignored_ = std::move(now);
}

void SetBuilder::compare_campaigns(const PlaylistSet& next, Update& u) const {
  std::map<std::string, const Campaign*> before, after;
  for (const Campaign& c : current_.campaigns) before[c.id] = &c;
  for (const Campaign& c : next.campaigns) after[c.id] = &c;
  for (const auto& [id, c] : after) {
    const auto b = before.find(id);
    if (b == before.end()) u.campaigns_added.push_back(id);
    const bool was = b != before.end() && is_emergency(*b->second, options_.emergency_level);
    if (is_emergency(*c, options_.emergency_level) && !was) u.emergency_started.push_back(id);
  }
  for (const auto& [id, c] : before) {
    const auto a = after.find(id);
    if (a == after.end()) u.campaigns_removed.push_back(id);
    const bool is = a != after.end() && is_emergency(*a->second, options_.emergency_level);
    if (is_emergency(*c, options_.emergency_level) && !is) u.emergency_ended.push_back(id);
  }
}

void SetBuilder::compare_items(const PlaylistSet& next, const std::map<std::string, std::string>& media_of_item,
                               Update& u) const {
  std::map<std::string, const Campaign*> before, after;
  for (const Campaign& c : current_.campaigns) before[c.id] = &c;
  for (const Campaign& c : next.campaigns) after[c.id] = &c;
  for (const auto& [id, c] : after) {
    const auto b = before.find(id);
    if (b == before.end()) continue;
    for (const Item& item : c->items) {
      const std::string key = item_key(id, item.id);
      const auto old = current_media_of_item_.find(key);
      const bool was_ready = old != current_media_of_item_.end() && old->second != "-";
      const std::string& now_sha = media_of_item.at(key);
      const bool ready = now_sha != "-";
      const fs::path media = uses_media(item) ? item.path : fs::path();
      std::string sha;
      if (uses_media(item)) {
        if (const auto h = u.media_sha256.find(norm(item.path)); h != u.media_sha256.end()) sha = h->second;
      }
      if (ready && !was_ready) {
        const auto last = last_ready_sha_.find(key);
        std::string reason = "media file complete and usable";
        if (old == current_media_of_item_.end()) {
          reason = "added to the playlist";
        } else if (last != last_ready_sha_.end() && last->second != now_sha) {
          reason = "media file replaced (new content)";
        }
        u.items.push_back(ItemChange{ItemChange::Kind::joined, id, item.id, media, sha, reason});
      } else if (!ready && was_ready) {
        std::string reason;
        for (const HeldItem& h : u.held_back) {
          if (h.campaign == id && h.item == item.id) reason = h.reason;
        }
        u.items.push_back(ItemChange{ItemChange::Kind::left, id, item.id, media, "", reason});
      } else if (ready && was_ready && old->second != now_sha) {
        u.items.push_back(ItemChange{ItemChange::Kind::media_replaced, id, item.id, media, sha,
                                     "media file replaced (new content)"});
      }
    }
    for (const Item& item : b->second->items) {
      const bool still = std::any_of(c->items.begin(), c->items.end(), [&](const Item& i) { return i.id == item.id; });
      if (still) continue;
      const auto old = current_media_of_item_.find(item_key(id, item.id));
      if (old != current_media_of_item_.end() && old->second != "-") {
        u.items.push_back(ItemChange{ItemChange::Kind::left, id, item.id, uses_media(item) ? item.path : fs::path(),
                                     "", "removed from the playlist"});
      }
    }
  }
}

SetBuilder::Outcome SetBuilder::build(const SettleTracker& files) {
  Outcome out;
  if (!files.playlists_readable()) {
    out.update = unreadable_folder();
    return out;
  }
  reported_.erase(norm(options_.playlists));

  PlaylistSetResult loaded = load_playlist_folder(options_.playlists, options_.load);
  out.stale = changed_since_scan(loaded, files);
  if (!out.stale.empty()) return out;

  Update u;
  const FolderState state = folder_state(loaded);
  // Nothing is delivered when a media file turns out stale: what candidates() reports
  // (refusals, acceptances) must then be reported by the next build instead.
  const auto reported_before = reported_;
  std::map<fs::path, Campaign> next_last_good;
  std::vector<Entry> entries = candidates(loaded, u, next_last_good);
  Checked checked = check_media(entries, files, u, out.stale);
  out.hashing = checked.hashing.size();
  // Forget hashes of files no longer in the folder.
  std::erase_if(media_cache_, [&](const auto& kv) { return !files.settled_media().contains(kv.first); });
  std::set<fs::path> media_files;
  for (const auto& [file, stamp] : files.settled_media()) media_files.insert(file);
  digests_.keep_only(media_files);
  // The baseline waits for its hashes (start-up plays what it loaded meanwhile),
  // unless an emergency is there to deliver.
  const bool emergency = std::any_of(checked.set.campaigns.begin(), checked.set.campaigns.end(),
                                     [&](const Campaign& c) { return is_emergency(c, options_.emergency_level); });
  if (!out.stale.empty() || (!delivered_ && out.hashing > 0 && !emergency)) {
    reported_ = reported_before;
    return out;
  }
  note_folder(state, loaded.ignored, u);

  last_good_ = std::move(next_last_good);
  const bool changed = !delivered_ || checked.signature != current_signature_;
  if (changed && !options_.last_good.empty()) {
    if (auto kept = LastGoodPlaylists(options_.last_good).remember(checked.set); !kept) {
      u.notices.push_back(kept.error().what());
    }
  }
  if (changed) {
    if (delivered_) {
      compare_campaigns(checked.set, u);
      compare_items(checked.set, checked.media_of_item, u);
    } else {
      u.initial = true;
      for (const Campaign& c : checked.set.campaigns) {
        if (is_emergency(c, options_.emergency_level)) u.emergency_started.push_back(c.id);
      }
    }
    current_ = checked.set;
    current_signature_ = std::move(checked.signature);
    for (const auto& [key, sha] : checked.media_of_item) {
      if (sha != "-") last_ready_sha_[key] = sha;
    }
    std::erase_if(last_ready_sha_, [&](const auto& kv) { return !checked.media_of_item.contains(kv.first); });
    current_media_of_item_ = std::move(checked.media_of_item);
    delivered_ = true;
    u.set = std::move(checked.set);
  } else {
    u.applied.clear();
    u.held_back.clear();
    u.media_sha256.clear();
  }
  if (u.set || !u.rejected.empty() || !u.accepted.empty() || !u.ignored.empty() || u.folder ||
      !u.notices.empty()) {
    u.seq = ++seq_;
    out.update = std::move(u);
  }
  return out;
}

}  // namespace signage
