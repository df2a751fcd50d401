#include "watch/drop_report.h"

#include <algorithm>
#include <system_error>

#include "watch/folder_scan.h"
#include "core/digest.h"
#include "watch/media_check.h"

namespace signage {

namespace fs = std::filesystem;

namespace {

// Held-back reason for a media file, or empty when it is usable.
std::string media_problem(ItemType type, const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return "media file " + file.string() + " not found";
  if (is_temporary_name(file.filename().string())) {
    return "media file " + file.string() + " has a temporary name; the watcher never reads it";
  }
  if (auto st = check_media_file(type, file); !st) return "cannot use media file: " + st.error().what();
  return {};
}

}  // namespace

DropReport describe_drop(const fs::path& dir, const LoadOptions& options, Instant now, const TimeZone& zone) {
  DropReport out;
  PlaylistSetResult loaded = load_playlist_folder(dir, options);

  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (is_temporary_name(name) && it->is_regular_file(type_ec)) out.ignored.push_back(it->path());
  }
  std::sort(out.ignored.begin(), out.ignored.end());

  for (const Diagnostic& d : loaded.diagnostics) {
    if (d.where.file == dir.string()) out.folder_diagnostics.push_back(d);
  }
  auto report_for = [&](const fs::path& file) {
    DropFileReport r;
    r.file = file;
    if (auto sha = sha256_file(file)) r.sha256 = *sha;
    for (const Diagnostic& d : loaded.diagnostics) {
      if (d.where.file == file.string()) r.diagnostics.push_back(d);
    }
    return r;
  };
  for (const Campaign& c : loaded.set.campaigns) {
    DropFileReport r = report_for(c.source);
    r.valid = true;
    r.campaign = c.id;
    r.priority = c.priority;
    out.files.push_back(std::move(r));
  }
  for (const fs::path& f : loaded.refused) out.files.push_back(report_for(f));
  std::sort(out.files.begin(), out.files.end(), [](const DropFileReport& a, const DropFileReport& b) {
    return a.file.filename().string() < b.file.filename().string();
  });

  for (Campaign& c : loaded.set.campaigns) {
    for (Item& item : c.items) {
      if (!item.style.background_image.empty() &&
          !media_problem(ItemType::image, item.style.background_image).empty()) {
        item.style.background_image.clear();
      }
      if (item.type != ItemType::image && item.type != ItemType::video) continue;
      const std::string problem = media_problem(item.type, item.path);
      if (problem.empty()) continue;
      item.media_missing = true;
      out.held_back.push_back(HeldItem{c.id, item.id, item.path, problem});
    }
  }
  out.set = std::move(loaded.set);
  out.schedule = schedule_at(out.set, now, zone);
  if (out.schedule.showing) {
    const Campaign& c = out.set.campaigns[out.schedule.showing->campaign];
    out.on_screen_campaign = c.id;
    out.on_screen_item = c.items[out.schedule.showing->item].id;
  }
  return out;
}

}  // namespace signage
