#include "watch/drop_report.h"

#include <algorithm>
#include <system_error>

#include "core/digest.h"
#include "core/i18n.h"
#include "media/image.h"
#include "video/video.h"
#include "watch/folder_scan.h"

namespace signage {

namespace fs = std::filesystem;

namespace {

// A video's first frame, decoded in software (the decoder every screen has).
Status decode_first_frame(const fs::path& file) {
  VideoOptions o;
  o.hwdec = HwDec::none;
  o.loop = false;
  o.queue_frames = 1;
  auto source = VideoSource::open(file, std::move(o));
  auto info = source->wait_ready(std::chrono::seconds(10));
  if (!info) return info.error();
  return {};
}

void load_report(DropReport& out, PlaylistSetResult loaded, Instant now, const TimeZone& zone,
                 const DropChecks& checks, const fs::path& folder) {
  for (const Diagnostic& d : loaded.diagnostics) {
    if (!folder.empty() && d.where.file == folder.string()) out.folder_diagnostics.push_back(d);
  }
  out.misnamed = std::move(loaded.ignored);
  auto report_for = [&](const fs::path& file) {
    DropFileReport r;
    r.file = file;
    std::error_code ec;
    // Never opened unless it is a regular file (a FIFO would block the read).
    if (fs::is_regular_file(file, ec)) {
      if (auto sha = sha256_file(file)) r.sha256 = *sha;
    }
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
    r.items = c.items.size();
    for (std::string& w : campaign_time_warnings(c, now, zone, checks)) {
      r.diagnostics.push_back(Diagnostic{Severity::warning, SourcePos{c.source.string(), 0, 0}, std::move(w)});
    }
    out.files.push_back(std::move(r));
  }
  for (const fs::path& f : loaded.refused) out.files.push_back(report_for(f));
  std::sort(out.files.begin(), out.files.end(), [](const DropFileReport& a, const DropFileReport& b) {
    return a.file.filename().string() < b.file.filename().string();
  });

  for (Campaign& c : loaded.set.campaigns) {
    for (Item& item : c.items) {
      if (!item.style.background_image.empty() &&
          !media_problem(ItemType::image, item.style.background_image, checks).text.empty()) {
        item.style.background_image.clear();
      }
      if (item.type != ItemType::image && item.type != ItemType::video) continue;
      const MediaProblem problem = media_problem(item.type, item.path, checks);
      if (problem.text.empty()) continue;
      item.media_missing = true;
      out.held_back.push_back(HeldItem{c.id, item.id, item.path, problem.text});
      for (DropFileReport& f : out.files) {
        if (f.file != c.source) continue;
        if (!problem.present) {
          ++f.held_back;
          continue;
        }
        ++f.unusable;
        SourcePos at = item.pos;
        at.file = c.source.string();
        f.diagnostics.push_back(Diagnostic{
            Severity::error, at, fmt(_("item '{1}' can never be shown: {2}"), item.id, problem.text)});
      }
    }
  }
  out.set = std::move(loaded.set);
  out.schedule = schedule_at(out.set, now, zone);
  if (out.schedule.showing) {
    const Campaign& c = out.set.campaigns[out.schedule.showing->campaign];
    out.on_screen_campaign = c.id;
    out.on_screen_item = c.items[out.schedule.showing->item].id;
  }
}

// The first instant in [from, to) at which `c` alone has something on screen.
std::optional<Instant> next_showing(const Campaign& c, Instant from, Instant to, const TimeZone& zone) {
  PlaylistSet alone;
  alone.campaigns.push_back(c);
  for (Item& item : alone.campaigns[0].items) item.media_missing = false;  // when, not whether
  return next_showing_start(alone, from, to, zone);
}

}  // namespace

MediaProblem media_problem(ItemType type, const fs::path& file, const DropChecks& checks) {
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);  // stat(): never opens it
  if (!fs::exists(st)) return {fmt(_("media file {1} not found"), file.string()), false};
  if (!fs::is_regular_file(st)) {
    return {fmt(_("media file {1} is not a regular file (a folder, FIFO or device); it is never opened"),
                file.string()),
            true};
  }
  if (is_temporary_name(file.filename().string())) {
    return {fmt(_("media file {1} has a temporary name; the watcher never reads it"), file.string()), false};
  }
  if (auto size = check_media_size(file, fs::file_size(file, ec), checks.max_media_bytes); !ec && !size) {
    return {size.error().what(), true};
  }
  if (type == ItemType::image) {
    auto info = probe_image(file);
    if (!info) return {fmt(_("cannot use media file: {1}"), info.error().what()), true};
    if (!checks.decode_media) return {};
    if (auto image = decode_image(file, checks.max_image_pixels); !image) {
      return {fmt(_("cannot use media file: {1}"), image.error().what()), true};
    }
    return {};
  }
  if (fs::file_size(file, ec) == 0) return {fmt(_("media file {1} is empty; copy it again"), file.string()), true};
  if (!checks.decode_media) return {};
  if (auto st2 = decode_first_frame(file); !st2) {
    return {fmt(_("cannot use media file: {1}"), st2.error().what()), true};
  }
  return {};
}

std::vector<std::string> campaign_time_warnings(const Campaign& c, Instant now, const TimeZone& screen,
                                                const DropChecks& checks) {
  std::vector<std::string> out;
  const TimeZone& zone = c.zone ? *c.zone : screen;
  const Date today = zone.to_local(now).date;
  if (c.priority >= checks.emergency_level && !c.when.ends) {
    out.push_back(fmt(_("emergency campaign (priority {1}) without 'ends': it interrupts everything until the file "
                        "is removed; add ends = {2} (its last day)"),
                      c.priority, format_date(today)));
  }
  if (c.when.ends && *c.when.ends < today) {
    out.push_back(fmt(_("the campaign ended on {1} and will not show again; change 'ends' or remove the file"),
                      format_date(*c.when.ends)));
    return out;
  }
  if (next_showing(c, now, now + checks.look_ahead, screen)) return out;
  const auto later = next_showing(c, now + checks.look_ahead, now + std::chrono::days(366), screen);
  const auto days = std::chrono::duration_cast<std::chrono::days>(checks.look_ahead).count();
  if (later) {
    out.push_back(fmt(_("the campaign shows nothing in the next {1} days; it first shows on {2}"), days,
                      format_iso8601(zone.to_local(*later), false)));
  } else {
    out.push_back(fmt(_("the campaign shows nothing in the next {1} days, nor within a year; check its dates, "
                        "hours and weekdays"),
                      days));
  }
  return out;
}

DropReport describe_drop(const fs::path& dir, const LoadOptions& options, Instant now, const TimeZone& zone,
                         const DropChecks& checks) {
  DropReport out;
  PlaylistSetResult loaded = load_playlist_folder(dir, options);
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (is_temporary_name(name) && it->is_regular_file(type_ec)) out.ignored.push_back(it->path());
  }
  std::sort(out.ignored.begin(), out.ignored.end());
  load_report(out, std::move(loaded), now, zone, checks, dir);
  return out;
}

DropReport describe_playlist_file(const fs::path& file, const LoadOptions& options, Instant now,
                                  const TimeZone& zone, const DropChecks& checks) {
  DropReport out;
  PlaylistSetResult loaded;
  PlaylistFileResult r = load_playlist_file(file, options);
  loaded.diagnostics = std::move(r.diagnostics);
  if (r.campaign) {
    r.campaign->source = file;
    loaded.set.campaigns.push_back(std::move(*r.campaign));
  } else {
    loaded.refused.push_back(file);
  }
  load_report(out, std::move(loaded), now, zone, checks, {});
  return out;
}

}  // namespace signage
