// The set builder: turns the settled state of the drop folder into the next PlaylistSet, off
// the render thread, and says what changed (an Update) for the main loop to swap in
// and to journal.
//
// Rules:
//  - Only settled files are read (watch/folder_scan.h). Building waits while a playlist
//    file is still changing; a media file still changing only holds its items back.
//  - The whole playlists folder is loaded and validated (load_playlist_folder).
//  - A refused (invalid) file keeps its last good version in the set, so the other
//    files' changes still apply; the refusal is reported once per file content
//    (RejectedFile, for `playlist_rejected`). A file never valid is simply absent.
//    When only refusals happened, Update::set is empty: the running set stays as is.
//  - A refused file that loads again is reported once (AcceptedFile, for
//    `playlist_accepted`).
//  - Files that look like playlists but are not read (notice.toml.txt, NOTICE.TOML)
//    are reported once when they appear (Update::ignored).
//  - A removed playlist file removes its campaign.
//  - An image or video item is held back (Item::media_missing) while its file is
//    missing, still being copied, has a temporary name, or fails its check (image
//    header probe; video not empty); a later Update brings it in (ItemChange joined).
//  - A media file over the size limit (SetBuilderOptions::max_media_bytes) holds its
//    item back with both sizes in the reason; it is never read.
//  - Media files are identified by content (SHA-256, cached per file stamp), hashed on
//    a worker (watch/media_hasher.h) so that a large file never delays the rest: while a
//    file is not hashed yet its items are held back (HeldItem::hashing) and the rest of
//    the set is delivered at once; the next build after the hash is known brings them
//    in (ItemChange joined). An emergency campaign's media are hashed first. The first
//    Update (the baseline) waits for every hash instead, since start-up already plays
//    what it loaded, unless it has an emergency to deliver (Outcome::hashing). A file
//    being rewritten in place is unsettled, so its item leaves (ItemChange left) and
//    joins again with the new hash once complete (reason "media file replaced");
//    media_replaced is for a new content seen without an unsettled step in between
//    (e.g. replaced while the builder waited for a playlist file). Either way the item's
//    view must be prepared again.
//
// Ownership: a SetBuilder owns its last delivered set and caches; it uses the
// MediaDigests given to it, which must outlive it. Thread: one thread at a time (the
// watcher thread); an Update is a value that can move to another thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "playlist/loader.h"
#include "playlist/model.h"
#include "watch/folder_scan.h"
#include "watch/media_check.h"
#include "watch/media_hasher.h"

namespace signage {

// A campaign at or above the emergency level preempts the normal rotation.
bool is_emergency(const Campaign& campaign, int emergency_level);

// A video's length read from its file (`length`, 0: it cannot tell) into the item:
// Item::media_length, and its duration when it has none of its own
// (Item::duration_from_media) and the length is at least 100 ms.
void set_video_length(Item& item, std::chrono::milliseconds length);
// Reads the length of every video's file of `set` (header only, up to 2 s a file)
// into its items (set_video_length); a file that cannot tell keeps the default
// duration. For the start-up load; the set builder does the same for each set it
// builds (once per file stamp), so the render thread never probes a file.
void resolve_video_durations(PlaylistSet& set);

// A playlist file the new set comes from (for `playlist_applied`).
struct AppliedFile {
  std::filesystem::path file;
  std::string campaign;           // its campaign id
  std::string sha256;             // of the bytes of the version in the set
  bool kept_last_good = false;    // the file now on disk is refused; this is its last good version
};

// A playlist file refused (for `playlist_rejected`).
struct RejectedFile {
  std::filesystem::path file;     // the file, or the playlists folder when it cannot be read
  std::string sha256;             // of the refused bytes; empty when unreadable
  std::vector<Diagnostic> diagnostics;   // every one, "file:line:col: error: ..."
  std::optional<std::string> kept_campaign;  // the campaign id whose last good version keeps playing
};

// A playlist file refused before that loads again (for `playlist_accepted`).
struct AcceptedFile {
  std::filesystem::path file;
  std::string campaign;           // its campaign id
  std::string sha256;             // of the bytes now accepted
};

// What the playlists folder holds, as the builder last read it: what the idle screen
// explains itself with (app/idle_reason.h).
struct FolderState {
  bool readable = true;                         // false: missing or cannot be read
  std::size_t files = 0;                        // playlist files read, valid or refused
  std::vector<std::filesystem::path> refused;   // refused now, in name order
  // The first refused file's first error: "a.toml:3:8: message" (file name only).
  std::string first_error;
  friend bool operator==(const FolderState&, const FolderState&) = default;
};

// The state of a folder as load_playlist_folder read it (`loaded` before its
// campaigns are taken out).
FolderState folder_state(const PlaylistSetResult& loaded);

// An item entering or leaving the rotation in a campaign present before and after.
struct ItemChange {
  enum class Kind {
    joined,          // now playable: its media arrived / it was added to the playlist
    left,            // no longer playable: media gone, being replaced, or removed from the playlist
    media_replaced,  // still playable, but its media file has new content: prepare it again
  };
  Kind kind = Kind::joined;
  std::string campaign;
  std::string item;
  std::filesystem::path media;    // empty for slogans
  std::string media_sha256;       // joined / media_replaced: the new content's hash
  std::string reason;             // human-readable, for the journal line
};

// An item in the new set that is held back (Item::media_missing is set).
struct HeldItem {
  std::string campaign;
  std::string item;
  std::filesystem::path media;
  std::string reason;             // "media file not found", "still being copied", ...
  bool hashing = false;           // only waiting for its hash: it joins shortly, it is no error
};

struct Update {
  std::uint64_t seq = 0;          // 1, 2, 3, ... in the order produced
  bool initial = false;           // the first Update: the baseline after start-up

  // The set to swap in at the next item boundary; nullopt: keep the running set
  // (only refusals or notices to record).
  std::optional<PlaylistSet> set;
  // With `set`: where each of its campaigns comes from, in set order.
  std::vector<AppliedFile> applied;
  // With `set`: every item held back in it.
  std::vector<HeldItem> held_back;
  // With `set`: SHA-256 of every media file the set plays (items and background
  // images), lexically normal path -> hex digest (for `media_sha256` in play records).
  std::map<std::filesystem::path, std::string> media_sha256;

  // Compared with the previously delivered set (empty for the initial Update).
  std::vector<std::string> campaigns_added;    // ids
  std::vector<std::string> campaigns_removed;  // ids
  std::vector<std::string> emergency_started;  // ids now at/above the emergency level that were not
  std::vector<std::string> emergency_ended;    // ids no longer at/above it (removed or lowered)
  std::vector<ItemChange> items;               // in campaigns present before and after

  // Newly refused files (each refusal of the same bytes is reported once).
  std::vector<RejectedFile> rejected;
  // Files refused before that load now (reported once, when they first load again).
  std::vector<AcceptedFile> accepted;
  // Files that look like playlists but are not read, each once when it appears
  // (again after it was gone).
  std::vector<IgnoredFile> ignored;
  // The folder as this Update read it, when it differs from the last Update's
  // (always in the initial one).
  std::optional<FolderState> folder;
  // Things the watcher wants logged (e.g. inotify unavailable, rescanning only).
  std::vector<std::string> notices;
};

struct SetBuilderOptions {
  std::filesystem::path playlists;
  LoadOptions load;               // load.media_root: the media folder
  int emergency_level = 100;
  // Last good playlist copies (watch/last_good.h): they seed the last good versions at
  // start, and every delivered set is kept there. Empty: kept in memory only.
  std::filesystem::path last_good;
  // A larger media file is refused ([limits] max_media_gib).
  std::uintmax_t max_media_bytes = kDefaultMaxMediaBytes;
};

class SetBuilder {
 public:
  SetBuilder(SetBuilderOptions options, MediaDigests& digests);

  struct Outcome {
    std::optional<Update> update;             // nullopt: nothing to apply or report
    // Files that changed while being read: nothing was built; scan and settle again.
    std::vector<std::filesystem::path> stale;
    // Media files of the set not hashed yet. With no update, the baseline waits for
    // them: build again when `digests` has news.
    std::size_t hashing = 0;
  };
  // Loads the settled files in `files` and compares with the last delivered set.
  Outcome build(const SettleTracker& files);

  // The last delivered set (empty before the first Update).
  const PlaylistSet& current() const { return current_; }

 private:
  struct MediaInfo {
    FileStamp stamp;
    std::string error;            // empty: passes its checks (size, header)
    std::chrono::milliseconds length{0};   // a video's length from its header (0: unknown)
  };
  struct Readiness {
    bool ready = false;
    bool hashing = false;         // not ready only because its hash is not known yet
    std::string sha256;
    std::string reason;           // when not ready
    std::chrono::milliseconds length{0};   // a video's (MediaInfo::length)
  };
  // `urgent`: an emergency's media, hashed ahead of the rest.
  Readiness media_readiness(ItemType type, const std::filesystem::path& file, const SettleTracker& files,
                            bool urgent, std::vector<std::filesystem::path>& stale);
  // A playlist file and the campaign it brings (its last good version when refused).
  struct Entry {
    std::string name;             // file name, for the set's order
    std::filesystem::path file;
    Campaign campaign;
    bool kept = false;            // the last good version of a refused file
  };
  // The candidates after their media checks.
  struct Checked {
    PlaylistSet set;
    std::map<std::string, std::string> media_of_item;   // as current_media_of_item_
    std::string signature;        // files, items and media hashes: equal means no change
    std::set<std::filesystem::path> hashing;            // media files not hashed yet
  };
  // The Update for a playlists folder that cannot be read (once), else nullopt.
  std::optional<Update> unreadable_folder();
  // Files of `loaded` that are not the settled version the scan saw.
  std::vector<std::filesystem::path> changed_since_scan(const PlaylistSetResult& loaded,
                                                       const SettleTracker& files) const;
  // The campaigns file by file (valid ones as loaded, refused ones by their last good
  // version), refusals reported into `u`; `last_good` gets the next last good versions.
  std::vector<Entry> candidates(PlaylistSetResult& loaded, Update& u,
                                std::map<std::filesystem::path, Campaign>& last_good);
  // Holds back items whose media is not complete and usable; hashes into `u`.
  Checked check_media(std::vector<Entry>& entries, const SettleTracker& files, Update& u,
                      std::vector<std::filesystem::path>& stale);
  // The folder's state and the files it ignores, into `u` when they changed.
  void note_folder(FolderState state, const std::vector<IgnoredFile>& ignored, Update& u);
  // Campaigns added, removed, and emergencies started or ended, against current_.
  void compare_campaigns(const PlaylistSet& next, Update& u) const;
  // Items joining, leaving or with new media in campaigns present before and after.
  void compare_items(const PlaylistSet& next, const std::map<std::string, std::string>& media_of_item,
                     Update& u) const;

  SetBuilderOptions options_;
  MediaDigests& digests_;
  std::uint64_t seq_ = 0;
  bool delivered_ = false;
  PlaylistSet current_;
  std::string current_signature_;
  std::map<std::string, std::string> current_media_of_item_;   // "campaign\nitem" -> media sha ("" slogan, "-" held)
  std::map<std::string, std::string> last_ready_sha_;          // "campaign\nitem" -> media sha when last playable
  std::map<std::filesystem::path, Campaign> last_good_;        // playlist file -> its last valid campaign
  std::map<std::filesystem::path, std::string> reported_;      // refused file -> sha of the bytes reported
  std::map<std::filesystem::path, MediaInfo> media_cache_;
  std::set<std::filesystem::path> ignored_;                    // ignored files already reported
  std::optional<FolderState> folder_;                          // as last delivered
};

}  // namespace signage
