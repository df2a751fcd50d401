#include "app/cli.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/player.h"
#include "config/device_config.h"
#include "playlist/loader.h"

namespace signage {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultConfig = "/etc/signage/signage.toml";

void print(std::ostream& err, const std::vector<Diagnostic>& diags) {
  for (const auto& d : diags) err << d.format() << "\n";
}

// The device config: --config if given (errors are fatal), else the system one if
// present, else built-in defaults.
std::optional<DeviceConfig> load_config(const std::string& path, std::ostream& err) {
  fs::path file = path;
  if (file.empty()) {
    std::error_code ec;
    if (!fs::exists(kDefaultConfig, ec)) return DeviceConfig{};
    file = kDefaultConfig;
  }
  auto r = load_device_config(file);
  print(err, r.diagnostics);
  if (!r.config) {
    err << "signage: " << file.string() << " has errors; fix them and start again\n";
    return std::nullopt;
  }
  return r.config;
}

bool parse_size(const std::string& s, int& w, int& h) {
  const auto x = s.find('x');
  if (x == std::string::npos) return false;
  try {
    size_t a = 0, b = 0;
    const int pw = std::stoi(s.substr(0, x), &a);
    const int ph = std::stoi(s.substr(x + 1), &b);
    if (a != x || b != s.size() - x - 1 || pw < 16 || ph < 16 || pw > 16384 || ph > 16384) return false;
    w = pw;
    h = ph;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

LoadOptions load_options(const DeviceConfig& c) {
  LoadOptions o;
  o.media_root = c.media_root();
  o.default_duration = c.duration;
  o.default_transition = c.transition;
  return o;
}

// Loads the playlists folder for play and preview. Refused files are reported and
// left out; the rest play.
PlaylistSet load_set(const DeviceConfig& c, std::ostream& err) {
  auto r = load_playlist_folder(c.playlists, load_options(c));
  print(err, r.diagnostics);
  for (const auto& f : r.refused) err << "signage: refused " << f.string() << " (see errors above)\n";
  return std::move(r.set);
}

int run_check(const std::vector<std::string>& paths, const std::string& media, std::ostream& out,
              std::ostream& err) {
  bool ok = true;
  for (const auto& p : paths) {
    std::error_code ec;
    const bool is_dir = fs::is_directory(p, ec);
    LoadOptions o;
    o.media_root = !media.empty() ? fs::path(media) : (is_dir ? fs::path(p) : fs::path(p).parent_path());
    if (o.media_root.empty()) o.media_root = ".";
    std::vector<Campaign> campaigns;
    if (is_dir) {
      auto r = load_playlist_folder(p, o);
      print(err, r.diagnostics);
      ok = ok && !has_errors(r.diagnostics);
      campaigns = std::move(r.set.campaigns);
      for (const auto& f : r.refused) out << f.string() << ": refused\n";
    } else {
      auto r = load_playlist_file(p, o);
      print(err, r.diagnostics);
      if (r.campaign) {
        campaigns.push_back(std::move(*r.campaign));
      } else {
        ok = false;
        out << p << ": refused\n";
      }
    }
    for (const auto& c : campaigns) {
      std::size_t held = 0;
      for (const auto& i : c.items) held += i.media_missing ? 1 : 0;
      out << c.source.string() << ": ok: campaign '" << c.id << "', " << c.items.size() << " item(s)";
      if (held > 0) out << ", " << held << " held back until their media arrives";
      out << "\n";
    }
  }
  return ok ? 0 : 1;
}

}  // namespace

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"signage: a player for safety-publicity screens"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version and exit");

  std::string config_path, playlists, media, exit_after, size, at, out_png, clock_at;
  double speed = 1.0;
  bool headless = false, window = false;

  auto* play_cmd = app.add_subcommand("play", "Play the playlists fullscreen (the kiosk)");
  play_cmd->add_option("--config", config_path, "Device config file (default /etc/signage/signage.toml if present)");
  play_cmd->add_option("--playlists", playlists, "Folder of playlist *.toml files (overrides the config)");
  play_cmd->add_option("--media", media, "Folder that media paths are relative to (default: the playlists folder)");
  play_cmd->add_flag("--headless", headless, "Render off screen (no window)");
  play_cmd->add_flag("--window", window, "Play in a window instead of fullscreen");
  play_cmd->add_option("--size", size, "Window or headless size, WxH");
  play_cmd->add_option("--exit-after", exit_after, "Stop after this long, e.g. 30s");
  play_cmd->add_option("--clock", clock_at,
                       "Simulated clock: play as if the wall clock read this at start, e.g. 2024-06-16T07:30+08:00");
  play_cmd->add_option("--speed", speed, "Run the (simulated) clock this many times faster, e.g. 60")
      ->check(CLI::Range(0.01, 10000.0));

  std::vector<std::string> check_paths;
  std::string check_media;
  auto* check_cmd = app.add_subcommand("check", "Check playlist files or folders before dropping them");
  check_cmd->add_option("paths", check_paths, "Playlist files or folders")->required();
  check_cmd->add_option("--media", check_media, "Folder that media paths are relative to (default: the playlist's folder)");

  std::string pv_config, pv_playlists, pv_media, pv_size;
  auto* preview_cmd = app.add_subcommand("preview", "Render what the screen shows at a moment to a PNG");
  preview_cmd->add_option("--config", pv_config, "Device config file");
  preview_cmd->add_option("--playlists", pv_playlists, "Folder of playlist *.toml files");
  preview_cmd->add_option("--media", pv_media, "Folder that media paths are relative to");
  preview_cmd->add_option("--at", at, "The moment, e.g. 2024-06-16T10:00+08:00")->required();
  preview_cmd->add_option("--out", out_png, "PNG file to write")->required();
  preview_cmd->add_option("--size", pv_size, "Picture size, WxH (default: the config's, 1920x1080)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::ParseError& e) {
    app.exit(e, out, err);
    return 2;
  }
  if (version) {
    out << "signage " << SIGNAGE_VERSION << "\n";
    return 0;
  }

  if (check_cmd->parsed()) return run_check(check_paths, check_media, out, err);

  if (play_cmd->parsed()) {
    auto cfg = load_config(config_path, err);
    if (!cfg) return 1;
    if (!playlists.empty()) cfg->playlists = playlists;
    if (!media.empty()) cfg->media = media;
    if (headless) cfg->mode = DisplayMode::headless;
    else if (window) cfg->mode = DisplayMode::window;
    if (!size.empty() && !parse_size(size, cfg->width, cfg->height)) {
      err << "signage play: --size '" << size << "' is not WxH, e.g. 1280x720\n";
      return 2;
    }
    PlayOptions po;
    po.config = *cfg;
    if (!exit_after.empty()) {
      auto d = parse_duration(exit_after);
      if (!d) {
        err << "signage play: --exit-after: " << d.error().what() << "\n";
        return 2;
      }
      po.exit_after = *d;
    }
    const auto zone = system_time_zone();
    const SystemClock system_clock;
    Instant start = system_clock.now();
    if (!clock_at.empty()) {
      auto t = parse_iso8601(clock_at, *zone);
      if (!t) {
        err << "signage play: --clock: " << t.error().what() << "\n";
        return 2;
      }
      start = *t;
    }
    const SimulatedClock clock(system_clock, start, speed);
    return play(po, load_set(*cfg, err), clock, *zone, err);
  }

  if (preview_cmd->parsed()) {
    auto cfg = load_config(pv_config, err);
    if (!cfg) return 1;
    if (!pv_playlists.empty()) cfg->playlists = pv_playlists;
    if (!pv_media.empty()) cfg->media = pv_media;
    PreviewOptions po;
    po.config = *cfg;
    po.width = cfg->width;
    po.height = cfg->height;
    if (!pv_size.empty() && !parse_size(pv_size, po.width, po.height)) {
      err << "signage preview: --size '" << pv_size << "' is not WxH, e.g. 1280x720\n";
      return 2;
    }
    const auto zone = system_time_zone();
    auto t = parse_iso8601(at, *zone);
    if (!t) {
      err << "signage preview: --at: " << t.error().what() << "\n";
      return 2;
    }
    po.at = *t;
    po.out = out_png;
    if (auto s = preview(po, load_set(*cfg, err), *zone, err); !s) {
      err << "signage preview: " << s.error().what() << "\n";
      return 1;
    }
    out << out_png << "\n";
    return 0;
  }

  out << app.help();
  return 2;
}

}  // namespace signage
