#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/player.h"
#include "app/root_guard.h"
#include "core/i18n.h"
#include "config/device_config.h"
#include "journal/report.h"
#include "journal/report_render.h"
#include "journal/report_tables.h"
#include "journal/verify.h"
#include "watch/drop_report.h"
#include "watch/last_good.h"
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
// With `last_good` (play): a refused file that has a last good version plays that
// version (a start while the file is being rewritten in place), and the versions
// that load are kept as the last good ones.
PlaylistSetResult load_set(const DeviceConfig& c, std::ostream& err, const LastGoodPlaylists* last_good = nullptr) {
  auto r = load_playlist_folder(c.playlists, load_options(c));
  print(err, r.diagnostics);
  for (const auto& f : r.refused) err << "signage: refused " << f.string() << " (see errors above)\n";
  if (last_good != nullptr) {
    for (const auto& f : last_good->fill_in(r, load_options(c))) {
      err << "signage: " << fmt(_("{1}: its last good version plays until the file loads again"), f.string())
          << "\n";
    }
    if (auto kept = last_good->remember(r.set); !kept) err << "signage: " << kept.error().what() << "\n";
    last_good->forget_missing(c.playlists);
  }
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

// signage report: options as given on the command line.
struct ReportArgs {
  std::vector<std::string> dirs;
  std::string from, to, campaign, format, out, as_of, lang = "zh";
  std::vector<std::string> configs;
};

// --format, or else the --out file's extension, or else Markdown.
std::string report_format(const ReportArgs& a) {
  if (!a.format.empty()) return a.format;
  std::string ext = fs::path(a.out).extension().string();
  if (!ext.empty()) ext.erase(0, 1);
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "htm") ext = "html";
  for (const char* f : {"csv", "html", "md", "xlsx", "json"}) {
    if (ext == f) return ext;
  }
  return "md";
}

// The request from the arguments; nullopt (after saying why) on a mistake, with the
// exit code in `code`.
std::optional<ReportRequest> report_request(const ReportArgs& a, std::ostream& err, int& code) {
  ReportRequest req;
  req.lang = a.lang == "en" ? ReportLang::en : ReportLang::zh;
  const ReportLabels& L = report_labels(req.lang);
  const auto f = parse_date(a.from), t = parse_date(a.to);
  code = 2;
  if (!f || !t) {
    err << "signage " << L.e_bad_dates << "\n";
    return std::nullopt;
  }
  req.from = *f;
  req.to = *t;
  const auto zone = system_time_zone();
  req.as_of = default_as_of(*t, SystemClock().now(), *zone);
  if (!a.as_of.empty()) {
    auto at = parse_iso8601(a.as_of, *zone);
    if (!at) {
      err << "signage " << fill(L.e_bad_as_of, {{"why", at.error().what()}}) << "\n";
      return std::nullopt;
    }
    req.as_of = *at;
  }
  code = 1;
  for (const auto& file : a.configs) {
    auto r = load_device_config(file);
    print(err, r.diagnostics);
    if (!r.config) {
      err << "signage " << fill(L.e_config, {{"file", file}}) << "\n";
      return std::nullopt;
    }
    req.identities.push_back({r.config->screen_id, r.config->site, r.config->organisation, r.config->location,
                              r.config->contact});
  }
  req.paths.assign(a.dirs.begin(), a.dirs.end());
  if (!a.campaign.empty()) req.campaign = a.campaign;
  code = 0;
  return req;
}

void report_warnings(const Report& r, ReportLang lang, std::ostream& err) {
  const ReportLabels& L = report_labels(lang);
  if (!r.all_chains_intact()) err << "signage " << L.w_broken << "\n";
  for (const auto& s : r.chains) {
    if (s.central && !s.central->intact()) err << "signage " << L.w_prefix << s.screen << ": " << chain_text(s, lang) << "\n";
  }
  for (const ScreenChain* s : r.dark_screens()) {
    err << "signage " << L.w_prefix << s->screen << ": " << heartbeat_text(*s, lang) << "\n";
  }
  for (const ScreenDay* d : r.breaches()) {
    err << "signage "
        << fill(L.w_breach, {{"screen", d->screen}, {"date", report_date(d->date, lang)},
                             {"main", report_minutes(d->main.shown_ms)}, {"running", report_minutes(d->running_ms)}})
        << "\n";
  }
  for (const auto& p : r.problems) err << "signage " << L.w_prefix << p << "\n";
}

int run_report(const ReportArgs& a, std::ostream& out, std::ostream& err) {
  int code = 0;
  const auto req = report_request(a, err, code);
  if (!req) return code;
  const ReportLabels& L = report_labels(req->lang);
  auto r = build_report(*req);
  if (!r) {
    err << "signage " << r.error().what() << "\n";
    return 1;
  }
  const std::string format = report_format(a);
  std::string text;
  if (format == "csv") text = report_csv(*r, req->lang);
  else if (format == "html") text = report_html(*r, req->lang);
  else if (format == "json") text = report_json(*r);
  else if (format == "md") text = report_markdown(*r, req->lang);
  else if (auto x = report_xlsx(*r, req->lang)) text = std::move(*x);
  else {
    err << "signage " << x.error().what() << "\n";
    return 1;
  }
  if (a.out.empty() || a.out == "-") {
    out << text;
  } else {
    std::ofstream file(a.out, std::ios::binary);
    file << text;
    if (!file) {
      err << "signage " << fill(L.e_write, {{"file", a.out}}) << "\n";
      return 1;
    }
    out << a.out << "\n";
  }
  report_warnings(*r, req->lang, err);
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

// `signage report` and its options, into `a`.
CLI::App* add_report_command(CLI::App& app, ReportArgs& a) {
  auto* report_cmd = app.add_subcommand(
      "report", _("Statistics table (统计表) of plays from screens' journals or the central log (rsyslog's files)"));
  report_cmd->add_option("dirs", a.dirs,
                         _("Journal folders (one per screen) and/or central log folders or files, told apart by "
                           "their content"))
      ->required();
  report_cmd->add_option("--from", a.from, _("First date, e.g. 2024-06-01"))->required();
  report_cmd->add_option("--to", a.to, _("Last date, e.g. 2024-06-30"))->required();
  report_cmd->add_option("--campaign", a.campaign, _("Only this campaign id"));
  report_cmd->add_option("--format", a.format,
                         _("html, xlsx, csv, md or json (default: from the --out file's extension, else md); the "
                           "table is in Chinese unless --lang en"))
      ->check(CLI::IsMember({"csv", "html", "md", "xlsx", "json"}));
  report_cmd->add_option("--out", a.out, _("Output file (default: standard output)"));
  report_cmd->add_option("--config", a.configs,
                         _("Device config (signage.toml) of a screen: its [screen] organisation, location and "
                           "contact fill the table; the first one is the reporting unit (repeatable)"));
  report_cmd->add_option("--as-of", a.as_of,
                         _("Central log: judge dark screens at this moment, e.g. 2024-06-30T18:00+08:00 (default: "
                           "the end of --to, or now if earlier)"));
  return report_cmd;
}

}  // namespace

namespace {

// Every option of every subcommand, filled by CLI11.
struct CliOptions {
  std::string lang;
  bool version = false;
  // play
  std::string config_path, playlists, media, exit_after, size, clock_at, journal_dir, stats_file;
  std::string present_log, clock_offset;
  bool no_journal = false, null_output = false, headless = false, window = false;
  double speed = 1.0;
  // check
  std::vector<std::string> check_paths;
  std::string check_media;
  // verify
  std::vector<std::string> verify_dirs;
  // report
  ReportArgs rep;
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
  play->add_option("--present-log", o.present_log,
                   _("Write one CSV line per presented frame to this file (unix_ms,campaign/item,position_ms), to "
                     "measure how closely screens are in step"));
  play->add_option("--clock-offset", o.clock_offset,
                   _("Run the clock this far ahead of the system clock (a negative value: behind), e.g. 40ms: "
                     "simulates a screen whose clock is off"));
}

void declare_tools(CLI::App& app, CliOptions& o, Subcommands& s) {
  s.check = app.add_subcommand("check", _("Check playlist files or folders before dropping them"));
  s.check->add_option("paths", o.check_paths, _("Playlist files or folders"))->required();
  s.check->add_option("--media", o.check_media,
                      _("Folder that media paths are relative to (default: the playlist's folder)"));

  s.verify = app.add_subcommand("verify", _("Check the integrity of play journals (exit 1 when broken)"));
  s.verify->add_option("dirs", o.verify_dirs, _("Journal folders"))->required();

  s.report = add_report_command(app, o.rep);

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
  po.present_log = o.present_log;
  po.null_output = o.null_output;
  po.journal_dir = o.no_journal           ? std::filesystem::path()
                   : o.journal_dir.empty() ? cfg->journal
                                           : std::filesystem::path(o.journal_dir);
  if (!po.journal_dir.empty() && ::geteuid() == 0) {
    auto owner = folder_owner(po.journal_dir);
    if (!owner) {
      err << "signage play: " << owner.error().what() << "\n";
      return 1;
    }
    if (auto refusal = root_journal_refusal(0, po.journal_dir, *owner)) {
      err << "signage play: " << *refusal << "\n";
      return 1;
    }
  }
  if (!o.exit_after.empty()) {
    auto d = parse_duration(o.exit_after);
    if (!d) {
      err << "signage play: --exit-after: " << d.error().what() << "\n";
      return 2;
    }
    po.exit_after = *d;
  }
  // The screen's zone: --clock without an offset, campaigns without their own zone.
  const auto zone = screen_time_zone(*cfg);
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
  if (!o.clock_offset.empty()) {
    const bool behind = o.clock_offset.front() == '-';
    auto d = parse_duration(behind ? o.clock_offset.substr(1) : o.clock_offset);
    if (!d) {
      err << "signage play: --clock-offset: " << d.error().what() << "\n";
      return 2;
    }
    start += behind ? -*d : *d;
  }
  const SimulatedClock clock(system_clock, start, o.speed);
  std::optional<LastGoodPlaylists> last_good;
  if (!po.journal_dir.empty()) last_good.emplace(po.journal_dir / "last-good");
  return play(po, load_set(*cfg, err, last_good ? &*last_good : nullptr), clock, *zone, err);
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
  const auto zone = screen_time_zone(*cfg);
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
    // The table is Chinese unless --lang asks for English.
    if (!o.lang.empty()) o.rep.lang = parse_language(o.lang) == Language::en ? "en" : "zh";
    return run_report(o.rep, out, err);
  }
  if (s.play->parsed()) return run_play(o, err);
  if (s.preview->parsed()) return run_preview(o, out, err);
  out << app.help();
  return 2;
}

}  // namespace signage
