#include "app/cli.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/player.h"
#include "core/i18n.h"
#include "config/device_config.h"
#include "journal/report.h"
#include "journal/verify.h"
#include "watch/drop_report.h"
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


// Loads the playlists folder for play and preview. Refused files are reported and
// left out; the rest play.
PlaylistSetResult load_set(const DeviceConfig& c, std::ostream& err) {
  auto r = load_playlist_folder(c.playlists, load_options(c));
  print(err, r.diagnostics);
  for (const auto& f : r.refused) err << "signage: refused " << f.string() << " (see errors above)\n";
  resolve_video_durations(r.set);
  return r;
}

std::optional<Date> parse_date(const std::string& s) {
  auto zone = fixed_offset_zone(std::chrono::seconds(0));
  if (s.size() != 10) return std::nullopt;
  auto t = parse_iso8601(s + "T00:00Z", *zone);
  if (!t) return std::nullopt;
  return Date(std::chrono::floor<std::chrono::days>(*t));
}

int run_verify(const std::vector<std::string>& dirs, std::ostream& out, std::ostream& err) {
  bool ok = true;
  for (const auto& d : dirs) {
    const VerifyResult r = verify_journal(d);
    (r.ok ? out : err) << d << ": " << r.summary() << "\n";
    ok = ok && r.ok;
  }
  return ok ? 0 : 1;
}

int run_report(const std::vector<std::string>& dirs, const std::string& from, const std::string& to,
               const std::string& campaign, const std::string& format, const std::string& out_file,
               const std::string& as_of_text, std::ostream& out, std::ostream& err) {
  const auto f = parse_date(from), t = parse_date(to);
  if (!f || !t) {
    err << "signage report: --from and --to take dates like 2024-06-01\n";
    return 2;
  }
  const auto zone = system_time_zone();
  Instant as_of = default_as_of(*t, SystemClock().now(), *zone);
  if (!as_of_text.empty()) {
    auto a = parse_iso8601(as_of_text, *zone);
    if (!a) {
      err << "signage report: --as-of: " << a.error().what() << "\n";
      return 2;
    }
    as_of = *a;
  }
  std::vector<std::filesystem::path> paths(dirs.begin(), dirs.end());
  auto r = build_report(paths, *f, *t, campaign.empty() ? std::nullopt : std::optional(campaign), as_of);
  if (!r) {
    err << "signage report: " << r.error().what() << "\n";
    return 1;
  }
  std::string text;
  if (format == "csv") text = report_csv(*r);
  else if (format == "html") text = report_html(*r);
  else text = report_markdown(*r);
  if (out_file.empty() || out_file == "-") {
    out << text;
  } else {
    std::ofstream file(out_file, std::ios::binary);
    file << text;
    if (!file) {
      err << "signage report: cannot write " << out_file << "\n";
      return 1;
    }
    out << out_file << "\n";
  }
  if (!r->all_chains_intact()) {
    err << "signage report: warning: a journal chain is broken; the report flags it\n";
  }
  for (const auto& s : r->screens) {
    if (s.central && !s.central->intact()) err << "signage report: warning: " << s.screen << ": " << s.central->summary() << "\n";
  }
  for (const ScreenChain* s : r->dark_screens()) {
    err << "signage report: warning: " << s->screen << ": " << s->central->heartbeat_summary() << "\n";
  }
  for (const auto& p : r->problems) err << "signage report: warning: " << p << "\n";
  return 0;
}

int run_check(const std::vector<std::string>& paths, const std::string& media, std::ostream& out,
              std::ostream& err) {
  bool ok = true;
  const auto zone = system_time_zone();
  const Instant now = SystemClock().now();
  for (const auto& p : paths) {
    std::error_code ec;
    const bool is_dir = fs::is_directory(p, ec);
    LoadOptions o;
    o.media_root = !media.empty() ? fs::path(media) : (is_dir ? fs::path(p) : fs::path(p).parent_path());
    if (o.media_root.empty()) o.media_root = ".";
    if (!is_dir) {
      auto r = load_playlist_file(p, o);
      print(err, r.diagnostics);
      if (!r.campaign) {
        ok = false;
        out << p << ": refused\n";
        continue;
      }
      std::size_t held = 0;
      for (const auto& i : r.campaign->items) held += i.media_missing ? 1 : 0;
      out << p << ": ok: campaign '" << r.campaign->id << "', " << r.campaign->items.size() << " item(s)";
      if (held > 0) out << ", " << held << " held back until their media arrives";
      out << "\n";
      continue;
    }
    // A folder: exactly what would happen if it were the drop folder now.
    const DropReport d = describe_drop(p, o, now, *zone);
    print(err, d.folder_diagnostics);
    ok = ok && !has_errors(d.folder_diagnostics);
    for (const auto& f : d.files) {
      print(err, f.diagnostics);
      if (f.valid) {
        out << f.file.string() << ": ok: campaign '" << f.campaign << "', priority " << f.priority << "\n";
      } else {
        ok = false;
        out << f.file.string() << ": refused\n";
      }
    }
    for (const auto& i : d.ignored) out << i.string() << ": ignored (temporary or hidden name)\n";
    for (const auto& h : d.held_back) {
      out << "held back: " << h.campaign << "/" << h.item << " (" << h.media.string() << "): " << h.reason << "\n";
    }
    out << "on screen now (" << format_iso8601(zone->to_local(now), false) << "): ";
    if (d.on_screen_campaign && d.on_screen_item) {
      out << *d.on_screen_campaign << "/" << *d.on_screen_item << "\n";
    } else {
      out << "the idle screen (no campaign is active)\n";
    }
  }
  return ok ? 0 : 1;
}

}  // namespace

namespace {

// Every option of every subcommand, filled by CLI11.
struct CliOptions {
  std::string lang;
  bool version = false;
  // play
  std::string config_path, playlists, media, exit_after, size, clock_at, journal_dir, stats_file;
  bool no_journal = false, null_output = false, headless = false, window = false;
  double speed = 1.0;
  // check
  std::vector<std::string> check_paths;
  std::string check_media;
  // verify
  std::vector<std::string> verify_dirs;
  // report
  std::vector<std::string> report_dirs;
  std::string rep_from, rep_to, rep_campaign, rep_format = "md", rep_out, rep_as_of;
  // preview
  std::string pv_config, pv_playlists, pv_media, pv_size, at, out_png;
};

struct Subcommands {
  CLI::App* play = nullptr;
  CLI::App* check = nullptr;
  CLI::App* verify = nullptr;
  CLI::App* report = nullptr;
  CLI::App* preview = nullptr;
};

// The language asked for with --lang (before the command line is parsed: the help
// text is written in it).
std::optional<Language> language_argument(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--lang" && i + 1 < argc) return parse_language(argv[i + 1]);
    if (a.starts_with("--lang=")) return parse_language(a.substr(7));
  }
  return std::nullopt;
}

// CLI11's own words in the message language.
void translate_cli(CLI::App& app) {
  auto f = app.get_formatter();
  f->label("Usage", _("Usage"));
  f->label("OPTIONS", _("OPTIONS"));
  f->label("SUBCOMMAND", _("SUBCOMMAND"));
  f->label("SUBCOMMANDS", _("SUBCOMMANDS"));
  f->label("Positionals", _("Positionals"));
  f->label("REQUIRED", _("REQUIRED"));
  f->label("TEXT", _("TEXT"));
  f->label("FLOAT", _("NUMBER"));
  app.option_defaults()->group(_("Options"));
  app.group(_("Subcommands"));
  app.set_help_flag("-h,--help", _("Print this help message and exit"));
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return fmt(_("{1}\nRun with --help for more information.\n"), e.what());
  });
}

void declare_play(CLI::App& app, CliOptions& o, Subcommands& s) {
  auto* play = s.play = app.add_subcommand("play", _("Play the playlists fullscreen (the kiosk)"));
  play->add_option("--config", o.config_path, _("Device config file (default /etc/signage/signage.toml if present)"));
  play->add_option("--playlists", o.playlists, _("Folder of playlist *.toml files (overrides the config)"));
  play->add_option("--media", o.media, _("Folder that media paths are relative to (default: the playlists folder)"));
  play->add_flag("--headless", o.headless, _("Render off screen (no window)"));
  play->add_flag("--window", o.window, _("Play in a window instead of fullscreen"));
  play->add_option("--size", o.size, _("Window or headless size, WxH"));
  play->add_option("--exit-after", o.exit_after, _("Stop after this long, e.g. 30s"));
  play->add_option("--journal", o.journal_dir, _("Journal folder (overrides the config)"));
  play->add_flag("--no-journal", o.no_journal, _("Keep no journal (demos)"));
  play->add_option("--stats", o.stats_file, _("Write playback statistics (JSON) to this file at exit"));
  play->add_flag("--null-output", o.null_output, _("Draw nothing: measure decoding and the loop alone"));
  play->add_option("--clock", o.clock_at,
                   _("Simulated clock: play as if the wall clock read this at start, e.g. 2024-06-16T07:30+08:00"));
  play->add_option("--speed", o.speed, _("Run the (simulated) clock this many times faster, e.g. 60"))
      ->check(CLI::Range(0.01, 10000.0));
}

void declare_tools(CLI::App& app, CliOptions& o, Subcommands& s) {
  s.check = app.add_subcommand("check", _("Check playlist files or folders before dropping them"));
  s.check->add_option("paths", o.check_paths, _("Playlist files or folders"))->required();
  s.check->add_option("--media", o.check_media,
                      _("Folder that media paths are relative to (default: the playlist's folder)"));

  s.verify = app.add_subcommand("verify", _("Check the integrity of play journals (exit 1 when broken)"));
  s.verify->add_option("dirs", o.verify_dirs, _("Journal folders"))->required();

  auto* report = s.report = app.add_subcommand(
      "report", _("Statistics table of plays from screens' journals or the central log (rsyslog's files)"));
  report->add_option("dirs", o.report_dirs,
                     _("Journal folders (one per screen) and/or central log folders or files, told apart by "
                       "their content"))
      ->required();
  report->add_option("--from", o.rep_from, _("First date, e.g. 2024-06-01"))->required();
  report->add_option("--to", o.rep_to, _("Last date, e.g. 2024-06-30"))->required();
  report->add_option("--campaign", o.rep_campaign, _("Only this campaign id"));
  report->add_option("--format", o.rep_format, _("csv, html or md (default md)"))
      ->check(CLI::IsMember({"csv", "html", "md"}));
  report->add_option("--out", o.rep_out, _("Output file (default: standard output)"));
  report->add_option("--as-of", o.rep_as_of,
                     _("Central log: judge dark screens at this moment, e.g. 2024-06-30T18:00+08:00 (default: "
                       "the end of --to, or now if earlier)"));

  auto* preview = s.preview = app.add_subcommand("preview", _("Render what the screen shows at a moment to a PNG"));
  preview->add_option("--config", o.pv_config, _("Device config file"));
  preview->add_option("--playlists", o.pv_playlists, _("Folder of playlist *.toml files"));
  preview->add_option("--media", o.pv_media, _("Folder that media paths are relative to"));
  preview->add_option("--at", o.at, _("The moment, e.g. 2024-06-16T10:00+08:00"))->required();
  preview->add_option("--out", o.out_png, _("PNG file to write"))->required();
  preview->add_option("--size", o.pv_size, _("Picture size, WxH (default: the config's, 1920x1080)"));
}

int run_play(const CliOptions& o, std::ostream& err) {
  auto cfg = load_config(o.config_path, err);
  if (!cfg) return 1;
  if (!o.playlists.empty()) cfg->playlists = o.playlists;
  if (!o.media.empty()) cfg->media = o.media;
  if (o.headless) cfg->mode = DisplayMode::headless;
  else if (o.window) cfg->mode = DisplayMode::window;
  if (!o.size.empty() && !parse_size(o.size, cfg->width, cfg->height)) {
    err << "signage play: --size '" << o.size << "' is not WxH, e.g. 1280x720\n";
    return 2;
  }
  PlayOptions po;
  po.config = *cfg;
  po.stats_file = o.stats_file;
  po.null_output = o.null_output;
  po.journal_dir = o.no_journal           ? std::filesystem::path()
                   : o.journal_dir.empty() ? cfg->journal
                                           : std::filesystem::path(o.journal_dir);
  if (!o.exit_after.empty()) {
    auto d = parse_duration(o.exit_after);
    if (!d) {
      err << "signage play: --exit-after: " << d.error().what() << "\n";
      return 2;
    }
    po.exit_after = *d;
  }
  const auto zone = system_time_zone();
  const SystemClock system_clock;
  Instant start = system_clock.now();
  if (!o.clock_at.empty()) {
    auto t = parse_iso8601(o.clock_at, *zone);
    if (!t) {
      err << "signage play: --clock: " << t.error().what() << "\n";
      return 2;
    }
    start = *t;
  }
  const SimulatedClock clock(system_clock, start, o.speed);
  return play(po, load_set(*cfg, err), clock, *zone, err);
}

int run_preview(const CliOptions& o, std::ostream& out, std::ostream& err) {
  auto cfg = load_config(o.pv_config, err);
  if (!cfg) return 1;
  if (!o.pv_playlists.empty()) cfg->playlists = o.pv_playlists;
  if (!o.pv_media.empty()) cfg->media = o.pv_media;
  PreviewOptions po;
  po.config = *cfg;
  po.width = cfg->width;
  po.height = cfg->height;
  if (!o.pv_size.empty() && !parse_size(o.pv_size, po.width, po.height)) {
    err << "signage preview: --size '" << o.pv_size << "' is not WxH, e.g. 1280x720\n";
    return 2;
  }
  const auto zone = system_time_zone();
  auto t = parse_iso8601(o.at, *zone);
  if (!t) {
    err << "signage preview: --at: " << t.error().what() << "\n";
    return 2;
  }
  po.at = *t;
  po.out = o.out_png;
  if (auto s = preview(po, load_set(*cfg, err).set, *zone, err); !s) {
    err << "signage preview: " << s.error().what() << "\n";
    return 1;
  }
  out << o.out_png << "\n";
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  // The message language for this run: --lang, else what the environment asks for.
  const ScopedMessageLanguage language(language_argument(argc, argv).value_or(language_from_environment()));
  CLI::App app{_("signage: a player for safety-publicity screens")};
  translate_cli(app);
  app.require_subcommand(0, 1);
  app.fallthrough();
  CliOptions o;
  app.add_flag("--version", o.version, _("Print the version and exit"));
  app.add_option("--lang", o.lang, _("Language of messages: zh (Chinese) or en (English); default: from LANG"))
      ->check(CLI::Validator(
          [](const std::string& v) {
            return parse_language(v) ? std::string() : fmt(_("'{1}' is not a language; use zh or en"), v);
          },
          "zh|en"));
  Subcommands s;
  declare_play(app, o, s);
  declare_tools(app, o, s);
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
  if (o.version) {
    out << "signage " << SIGNAGE_VERSION << "\n";
    return 0;
  }
  if (s.check->parsed()) return run_check(o.check_paths, o.check_media, out, err);
  if (s.verify->parsed()) return run_verify(o.verify_dirs, out, err);
  if (s.report->parsed()) {
    return run_report(o.report_dirs, o.rep_from, o.rep_to, o.rep_campaign, o.rep_format, o.rep_out, o.rep_as_of,
                      out, err);
  }
  if (s.play->parsed()) return run_play(o, err);
  if (s.preview->parsed()) return run_preview(o, out, err);
  out << app.help();
  return 2;
}

}  // namespace signage
