#include "app/check_lines.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <utility>
#include <nlohmann/json.hpp>

#include "core/i18n.h"
#include "core/text_util.h"
#include "media/image.h"
#include "playlist/loader.h"
#include "render/layout.h"
#include "render/scene.h"
#include "text/text.h"

namespace signage {
namespace {

namespace fs = std::filesystem;

// The playlist files of a path: the file itself, or a folder's *.toml files (not
// hidden) in name order.
std::vector<fs::path> playlist_files(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_directory(p, ec)) return {p};
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(p, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".toml" && !name.empty() && name[0] != '.' && e.is_regular_file(ec)) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Seconds for people: "12", "12.5".
std::string seconds_text(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

void print_slogan(const Campaign& c, const Item& item, const Rect& zone, const SloganSetting& set, bool json,
                  std::ostream& out) {
  const TextLayout& l = set.layout;
  if (json) {
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& line : l.lines) lines.push_back(u32_to_utf8(line));
    nlohmann::json j = {{"file", c.source.string()}, {"line", item.pos.line},  {"campaign", c.id},
                        {"item", c.id + "/" + item.id}, {"zone", {zone.w, zone.h}}, {"font_px", l.size_px},
                        {"lines", lines},               {"fits", l.fits},
                        {"scrolls", set.scrolls}};
    if (set.scrolls) {
      // One full pass at the speed it scrolls at, and whether that is within the item's duration.
      j["pass_s"] = static_cast<double>(set.pass.count()) / 1000.0;
      j["duration_s"] = static_cast<double>(item.duration.count()) / 1000.0;
      j["pass_fits"] = set.pass_fits;
    }
    out << j.dump() << "\n";
    return;
  }
  out << c.source.string() << ":" << item.pos.line << ": " << c.id << "/" << item.id << ": zone " << zone.w << "x"
      << zone.h << ", " << l.size_px << " px"
      << (set.scrolls ? " (one line, scrolls), one pass " + seconds_text(set.pass) + " s of its " +
                            seconds_text(item.duration) + " s"
          : l.fits    ? ""
                      : " (does not fit)")
      << "\n";
  for (const auto& line : l.lines) out << "    " << u32_to_utf8(line) << "\n";
}

// The logo's size as the header would show it (upright), when it has one the player
// would show: it reads only the file's header.
std::optional<std::pair<int, int>> logo_size(const Header& h, std::int64_t max_pixels) {
  if (h.logo.empty()) return std::nullopt;
  const auto info = probe_image(h.logo);
  if (!info || info->width <= 0 || info->height <= 0) return std::nullopt;
  if (static_cast<std::int64_t>(info->width) * info->height > max_pixels) return std::nullopt;
  // EXIF orientations 5..8 turn the picture a quarter.
  if (info->orientation >= 5) return std::pair{info->height, info->width};
  return std::pair{info->width, info->height};
}

void print_header(const Campaign& c, const Rect& band, const HeaderSetting& set, bool json, std::ostream& out) {
  const TextLayout& l = set.title;
  if (json) {
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& line : l.lines) lines.push_back(u32_to_utf8(line));
    const nlohmann::json j = {{"file", c.source.string()},
                              {"line", c.title_pos.line},
                              {"campaign", c.id},
                              {"item", c.id + "/header"},
                              {"header", true},
                              {"zone", {band.w, band.h}},
                              {"box", {set.title_box.w, set.title_box.h}},
                              {"font_px", l.size_px},
                              {"lines", lines},
                              {"fits", l.fits},
                              {"scrolls", set.title_scrolls}};
    out << j.dump() << "\n";
    return;
  }
  out << c.source.string() << ":" << c.title_pos.line << ": " << c.id << "/header: zone " << band.w << "x" << band.h
      << ", title box " << set.title_box.w << "x" << set.title_box.h << ", " << l.size_px << " px"
      << (set.title_scrolls ? " (one line, scrolls)" : "") << "\n";
  for (const auto& line : l.lines) out << "    " << u32_to_utf8(line) << "\n";
}

}  // namespace

std::pair<int, int> laid_out_size(const DeviceConfig& config, int width, int height) {
  // [display] region: the player lays out in that rectangle of the output.
  const int out_w = config.region ? config.region->w : width, out_h = config.region ? config.region->h : height;
  // A turned output shows the picture on its side: the layout is for the turned size.
  const bool turned = config.rotation == 90 || config.rotation == 270;
  return turned ? std::pair{out_h, out_w} : std::pair{out_w, out_h};
}

std::vector<Diagnostic> strip_pass_warnings(FontSet& fonts, const Campaign& c, const DeviceConfig& config, int w,
                                            int h) {
  std::vector<Diagnostic> out;
  const Rect zone = layout_zones(band_sizes(&c, config.layout), w, h).main;
  if (!is_strip(zone.w, zone.h)) return out;
  for (const Item& item : c.items) {
    if (item.type != ItemType::slogan) continue;
    const SloganSetting set = set_slogan(fonts, item, zone.w, zone.h, config.min_text_px);
    if (!set.scrolls || set.pass_fits) continue;
    // Whole seconds, rounded up: a duration that is enough as written.
    const auto need = std::chrono::ceil<std::chrono::seconds>(set.pass_at_most);
    out.push_back({Severity::warning, item.pos,
                   fmt(_("{1}: on a {2}x{3} strip this slogan scrolls and needs {4} s for one full pass even at "
                         "twice the normal speed, but it shows for {5} s, so the end is never seen; set its "
                         "duration to at least \"{4}s\", or shorten it or split it into several slogans"),
                       c.id + "/" + item.id, zone.w, zone.h, need.count(), seconds_text(item.duration))});
  }
  return out;
}

int run_check_lines(const CheckLinesOptions& o, const DeviceConfig& config, std::ostream& out, std::ostream& err) {
  auto fonts = FontSet::open(config.font);
  if (!fonts) {
    err << "signage: " << fonts.error().what() << "\n";
    return 1;
  }
  const auto [w, h] = laid_out_size(config, o.width, o.height);
  bool ok = true;
  for (const std::string& path : o.paths) {
    for (const fs::path& file : playlist_files(path)) {
      LoadOptions lo;
      lo.media_root = !o.media.empty() ? fs::path(o.media) : file.parent_path();
      if (lo.media_root.empty()) lo.media_root = ".";
      const auto r = load_playlist_file(file, lo);
      for (const Diagnostic& d : r.diagnostics) err << d.format() << "\n";
      if (!r.campaign) {
        ok = false;
        continue;
      }
      const Campaign& c = *r.campaign;
      const Zones zones = layout_zones(band_sizes(&c, config.layout), w, h);
      const Rect& zone = zones.main;
      if (zones.header.h > 0) {
        const HeaderSetting hs = set_header(*fonts, c.header, header_title(c), zones.header.w, zones.header.h,
                                            logo_size(c.header, config.max_image_pixels));
        if (!hs.title.lines.empty()) print_header(c, zones.header, hs, o.json, out);
      }
      for (const Item& item : c.items) {
        if (item.type != ItemType::slogan) continue;
        const SloganSetting set = set_slogan(*fonts, item, zone.w, zone.h, config.min_text_px);
        print_slogan(c, item, zone, set, o.json, out);
      }
      for (const Diagnostic& d : strip_pass_warnings(*fonts, c, config, w, h)) err << d.format() << "\n";
    }
  }
  return ok ? 0 : 1;
}

}  // namespace signage
