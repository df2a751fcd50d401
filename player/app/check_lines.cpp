#include "app/check_lines.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/text_util.h"
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

void print_slogan(const Campaign& c, const Item& item, const Rect& zone, const SloganSetting& set, bool json,
                  std::ostream& out) {
  const TextLayout& l = set.layout;
  if (json) {
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& line : l.lines) lines.push_back(u32_to_utf8(line));
    const nlohmann::json j = {{"file", c.source.string()}, {"line", item.pos.line},  {"campaign", c.id},
                              {"item", c.id + "/" + item.id}, {"zone", {zone.w, zone.h}}, {"font_px", l.size_px},
                              {"lines", lines},               {"fits", l.fits},
                              {"scrolls", set.scrolls}};
    out << j.dump() << "\n";
    return;
  }
  out << c.source.string() << ":" << item.pos.line << ": " << c.id << "/" << item.id << ": zone " << zone.w << "x"
      << zone.h << ", " << l.size_px << " px" << (set.scrolls ? " (one line, scrolls)" : l.fits ? "" : " (does not fit)")
      << "\n";
  for (const auto& line : l.lines) out << "    " << u32_to_utf8(line) << "\n";
}

}  // namespace

int run_check_lines(const CheckLinesOptions& o, const DeviceConfig& config, std::ostream& out, std::ostream& err) {
  auto fonts = FontSet::open(config.font);
  if (!fonts) {
    err << "signage: " << fonts.error().what() << "\n";
    return 1;
  }
  // A turned output shows the picture on its side: the layout is for the turned size.
  const bool turned = config.rotation == 90 || config.rotation == 270;
  // [display] region: the player lays out in that rectangle of the output.
  const int out_w = config.region ? config.region->w : o.width, out_h = config.region ? config.region->h : o.height;
  const int w = turned ? out_h : out_w, h = turned ? out_w : out_h;
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
      const Rect zone = layout_zones(band_sizes(&c, config.layout), w, h).main;
      for (const Item& item : c.items) {
        if (item.type != ItemType::slogan) continue;
        const SloganSetting set = set_slogan(*fonts, item, zone.w, zone.h, config.min_text_px);
        print_slogan(c, item, zone, set, o.json, out);
      }
    }
  }
  return ok ? 0 : 1;
}

}  // namespace signage
