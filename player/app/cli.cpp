#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/check_lines.h"
#include "app/player.h"
#include "app/root_guard.h"
#include "core/i18n.h"
#include "core/log_queue.h"
#include "media/ffmpeg_log.h"
#include "render/display.h"
#include "config/device_config.h"
#include "journal/central.h"
#include "journal/central_db.h"
#include "journal/report.h"
#include "journal/report_render.h"
#include "journal/report_tables.h"
#include "journal/verify.h"
#include "watch/drop_report.h"
#include "watch/last_good.h"
#include "playlist/loader.h"
#include "text/text.h"

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
    err << "signage: " << fmt(_("{1} has errors; fix them and start again"), file.string()) << "\n";
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
  for (const auto& m : r.ignored) {
    err << Diagnostic{Severity::warning, SourcePos{m.file.string(), 0, 0}, m.reason}.format() << "\n";
  }
  for (const auto& f : r.refused) err << "signage: " << fmt(_("refused {1} (see errors above)"), f.string()) << "\n";
  if (last_good != nullptr) {
    for (const auto& f : last_good->fill_in(r, load_options(c))) {
      err << "signage: " << fmt(_("{1}: its last good version plays until the file loads again"), f.string())
          << "\n";
    }
    if (auto kept = last_good->remember(r.set); !kept) err << "signage: " << kept.error().what() << "\n";
    if (auto gone = last_good->forget_missing(c.playlists); !gone) err << "signage: " << gone.error().what() << "\n";
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

// A central log folder or file (rsyslog's files): each screen's central checks.
bool verify_central(const std::string& path, std::ostream& out, std::ostream& err) {
  auto log = read_central_log({path}, SystemClock().now());
  if (!log) {
    err << path << ": " << log.error().what() << "\n";
    return false;
  }
  bool ok = log->problems.empty();
  for (const auto& p : log->problems) err << p << "\n";
  for (const auto& c : log->screens) {
    (c.intact() ? out : err) << path << ": " << c.screen << ": " << c.summary() << "\n";
    ok = ok && c.intact();
  }
  return ok;
}

// The central database: each screen's chain checked in SQL, and each stored record
// against itself.
bool verify_db(const std::string& url, const std::optional<std::string>& screen, std::ostream& out,
               std::ostream& err) {
  auto db = CentralDb::connect(url);
  if (!db) {
    err << "signage verify: " << db.error().what() << "\n";
    return false;
  }
  auto screens = db->screens(SystemClock().now(), screen);
  auto stored = db->stored_problems(screen);
  if (!screens || !stored) {
    err << "signage verify: " << (!screens ? screens.error() : stored.error()).what() << "\n";
    return false;
  }
  if (screens->empty()) {
    err << "signage verify: "
        << (screen ? fmt(_("{1}: no records or heartbeats of screen {2}"), db->name(), *screen)
                   : fmt(_("{1}: no records or heartbeats yet"), db->name()))
        << "\n";
    return false;
  }
  bool ok = stored->empty();
  for (const auto& c : *screens) {
    (c.intact() ? out : err) << c.screen << ": " << c.summary() << "; " << c.heartbeat_summary() << "\n";
    ok = ok && c.intact();
  }
  for (const auto& p : *stored) err << p.screen << ": seq " << p.seq << ": " << p.what << "\n";
  return ok;
}

int run_verify(const std::vector<std::string>& dirs, const std::string& db, const std::string& screen,
               std::ostream& out, std::ostream& err) {
  if (dirs.empty() && db.empty()) {
    err << "signage verify: " << _("give journal folders, central log folders, or --db URL") << "\n";
    return 2;
  }
  bool ok = true;
  for (const auto& d : dirs) {
    if (is_central_log(d)) {
      ok = verify_central(d, out, err) && ok;
      continue;
    }
    const VerifyResult r = verify_journal(d);
    (r.ok ? out : err) << d << ": " << r.summary() << "\n";
    ok = ok && r.ok;
  }
  if (!db.empty()) ok = verify_db(db, screen.empty() ? std::nullopt : std::optional(screen), out, err) && ok;
  return ok ? 0 : 1;
}

// signage report: options as given on the command line.
struct ReportArgs {
  std::vector<std::string> dirs;
  std::string from, to, campaign, format, out, as_of, db, lang = "zh";
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
  if (!a.db.empty()) req.db = a.db;
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

void print_check_report(const DropReport& d, const TimeZone& zone, Instant now, bool folder, std::ostream& out,
                        std::ostream& err) {
  print(err, d.folder_diagnostics);
  for (const auto& f : d.files) {
    std::vector<Diagnostic> diags = f.diagnostics;
    std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    print(err, diags);
    if (!f.valid) {
      out << fmt(_("{1}: refused"), f.file.string());
    } else if (f.unusable > 0) {
      out << fmt(_("{1}: campaign '{2}' is accepted, but {3} item(s) can never be shown (errors above)"),
                 f.file.string(), f.campaign, f.unusable);
    } else if (folder) {
      out << fmt(_("{1}: ok: campaign '{2}', priority {3}"), f.file.string(), f.campaign, f.priority);
    } else {
      out << fmt(_("{1}: ok: campaign '{2}', {3} item(s)"), f.file.string(), f.campaign, f.items);
    }
    if (f.valid && f.held_back > 0) out << fmt(_(", {1} held back until their media arrives"), f.held_back);
    out << "\n";
  }
  for (const auto& m : d.misnamed) {
    err << Diagnostic{Severity::warning, SourcePos{m.file.string(), 0, 0}, m.reason}.format() << "\n";
  }
  for (const auto& i : d.ignored) out << fmt(_("{1}: ignored (temporary or hidden name)"), i.string()) << "\n";
  for (const auto& h : d.held_back) {
    out << fmt(_("held back: {1}/{2} ({3}): {4}"), h.campaign, h.item, h.media.string(), h.reason) << "\n";
  }
  if (!folder) return;
  out << fmt(_("on screen now ({1}): "), format_iso8601(zone.to_local(now), false));
  if (d.on_screen_campaign && d.on_screen_item) {
    out << *d.on_screen_campaign << "/" << *d.on_screen_item << "\n";
  } else {
    out << _("the idle screen (no campaign is active)") << "\n";
  }
}

// The slogans and ticker texts of a playlist that loaded, laid out and drawn as the
// player would (text.h, check_campaign_texts), and on a strip display the slogans
// that scroll too long for their duration (check_lines.h, strip_pass_warnings); the
// fonts are opened on first use. False when one draws nothing.
bool texts_draw(std::optional<FontSet>& fonts, const Campaign& c, const DeviceConfig& cfg, std::ostream& err) {
  if (!fonts) {
    auto opened = FontSet::open(cfg.font);
    if (!opened) return true;  // no font on this machine: the player's start-up says so
    fonts.emplace(std::move(*opened));
  }
  auto diags = check_campaign_texts(*fonts, c);
  const auto [w, h] = laid_out_size(cfg, cfg.width, cfg.height);
  for (Diagnostic& d : strip_pass_warnings(*fonts, c, cfg, w, h)) diags.push_back(std::move(d));
  print(err, diags);
  return !has_errors(diags);
}

// signage check: every error (exit 1), and warnings for whatever would keep an item
// off the screen. The device config ([limits], [emergency], [screen] timezone) is
// --config, else the system one if present.
int run_check(const std::vector<std::string>& paths, const std::string& media, const std::string& config,
              const std::string& at, std::ostream& out, std::ostream& err) {
  const auto cfg = load_config(config, err);
  if (!cfg) return 1;
  std::optional<FontSet> fonts;
  bool ok = true;
  const auto zone = screen_time_zone(*cfg);
  Instant now = SystemClock().now();
  if (!at.empty()) {
    auto t = parse_iso8601(at, *zone);
    if (!t) {
      err << "signage check: --at: " << t.error().what() << "\n";
      return 2;
    }
    now = *t;
  }
  DropChecks checks;
  checks.max_image_pixels = cfg->max_image_pixels;
  checks.max_media_bytes = cfg->max_media_bytes;
  checks.emergency_level = cfg->emergency_priority;
  for (const auto& p : paths) {
    std::error_code ec;
    const bool is_dir = fs::is_directory(p, ec);
    LoadOptions o = load_options(*cfg);
    o.media_root = !media.empty() ? fs::path(media) : (is_dir ? fs::path(p) : fs::path(p).parent_path());
    if (o.media_root.empty()) o.media_root = ".";
    // A folder: exactly what would happen if it were the drop folder now.
    DropReport d = is_dir ? describe_drop(p, o, now, *zone, checks)
                                : describe_playlist_file(p, o, now, *zone, checks);
    // Every slogan and ticker text laid out and drawn as the player would: one that
    // draws nothing refuses its file.
    for (DropFileReport& f : d.files) {
      if (!f.valid) continue;
      if (auto loaded = load_playlist_file(f.file, o); loaded.campaign && !texts_draw(fonts, *loaded.campaign, *cfg, err)) {
        f.valid = false;
      }
    }
    print_check_report(d, *zone, now, is_dir, out, err);
    ok = ok && !has_errors(d.folder_diagnostics) &&
         std::all_of(d.files.begin(), d.files.end(),
                     [](const DropFileReport& f) { return f.valid && !has_errors(f.diagnostics); });
  }
  return ok ? 0 : 1;
}

// `signage report` and its options, into `a`.
CLI::App* add_report_command(CLI::App& app, ReportArgs& a) {
  auto* report_cmd = app.add_subcommand(
      "report", _("Statistics table (统计表) of plays from screens' journals or the central log (rsyslog's files)"));
  report_cmd->add_option("dirs", a.dirs,
                         _("Journal folders (one per screen) and/or central log folders or files, told apart by "
                           "their content"));
  report_cmd->add_option("--db", a.db,
                         _("The central database (PostgreSQL), e.g. postgresql://signage@loghost/signage: the "
                           "central log read from there"));
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
  std::string check_media, check_config, check_at, check_size;
  bool check_lines = false, check_json = false;
  // verify
  std::vector<std::string> verify_dirs;
  std::string verify_db, verify_screen;
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

// `signage check --lines`: the config and output size, then app/check_lines.h.
int check_lines(const CliOptions& o, std::ostream& out, std::ostream& err) {
  const auto cfg = load_config(o.check_config, err);
  if (!cfg) return 1;
  CheckLinesOptions l{o.check_paths, o.check_media, cfg->width, cfg->height, o.check_json};
  if (!o.check_size.empty() && !parse_size(o.check_size, l.width, l.height)) {
    err << "signage: " << fmt(_("--size must be WIDTHxHEIGHT, e.g. 1920x1080, not {1}"), o.check_size) << "\n";
    return 2;
  }
  return run_check_lines(l, *cfg, out, err);
}

void declare_tools(CLI::App& app, CliOptions& o, Subcommands& s) {
  s.check = app.add_subcommand("check", _("Check playlist files or folders before dropping them"));
  s.check->add_option("paths", o.check_paths, _("Playlist files or folders"))->required();
  s.check->add_option("--media", o.check_media,
                      _("Folder that media paths are relative to (default: the playlist's folder)"));
  s.check->add_option("--config", o.check_config,
                      _("Device config file for the limits, emergency level and time zone (default "
                        "/etc/signage/signage.toml if present)"));
  s.check->add_option("--at", o.check_at,
                      _("Check as of this moment instead of now (what is on screen, campaigns over or not yet "
                        "started), e.g. 2024-06-16T10:00+08:00"));
  s.check->add_flag("--lines", o.check_lines,
                    _("Show how each slogan will be broken: its zone, font size and lines, as the player lays "
                      "them out"));
  s.check->add_option("--size", o.check_size, _("With --lines: the output size, e.g. 1080x1920 (default: the "
                                                "config's display size, else 1920x1080)"));
  s.check->add_flag("--json", o.check_json, _("With --lines: one JSON object per slogan (JSON Lines)"));

  s.verify = app.add_subcommand("verify", _("Check the integrity of play journals (exit 1 when broken)"));
  s.verify->add_option("dirs", o.verify_dirs, _("Journal folders, or central log folders or files"));
  s.verify->add_option("--db", o.verify_db,
                       _("The central database (PostgreSQL), e.g. postgresql://signage@loghost/signage: check "
                         "every screen's stored chain"));
  s.verify->add_option("--screen", o.verify_screen, _("With --db: only this screen"));

  s.report = add_report_command(app, o.rep);

  auto* preview = s.preview = app.add_subcommand("preview", _("Render what the screen shows at a moment to a PNG"));
  preview->add_option("--config", o.pv_config, _("Device config file"));
  preview->add_option("--playlists", o.pv_playlists, _("Folder of playlist *.toml files"));
  preview->add_option("--media", o.pv_media, _("Folder that media paths are relative to"));
  preview->add_option("--at", o.at, _("The moment, e.g. 2024-06-16T10:00+08:00"))->required();
  preview->add_option("--out", o.out_png, _("PNG file to write"))->required();
  preview->add_option("--size", o.pv_size, _("Picture size, WxH (default: the config's, 1920x1080)"));
}

int run_play(const CliOptions& o, LogQueue* background, FfmpegLogRoute* ffmpeg_log, std::ostream& err) {
  auto cfg = load_config(o.config_path, err);
  if (!cfg) return 1;
  if (!o.playlists.empty()) cfg->playlists = o.playlists;
  if (!o.media.empty()) cfg->media = o.media;
  if (o.headless) cfg->mode = DisplayMode::headless;
  else if (o.window) cfg->mode = DisplayMode::window;
  if (!o.size.empty() && !parse_size(o.size, cfg->width, cfg->height)) {
    err << "signage play: " << fmt(_("--size '{1}' is not WxH, e.g. 1280x720"), o.size) << "\n";
    return 2;
  }
  PlayOptions po;
  po.config = *cfg;
  po.background_log = background;
  po.ffmpeg_log = ffmpeg_log;
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
  // One player per journal, decided before anything is loaded or opened (the last
  // good copies below live in the journal folder too).
  FileLock journal_lock;
  std::optional<LastGoodPlaylists> last_good;
  if (!po.journal_dir.empty()) {
    auto lock = lock_journal_for_play(po);
    if (!lock && lock.error().kind() == ErrorKind::busy) {
      err << "signage: " << lock.error().what() << "\n";
      return 1;
    }
    if (lock) journal_lock = std::move(*lock);
    last_good.emplace(po.journal_dir / "last-good");
  }
  return play(po, load_set(*cfg, err, last_good ? &*last_good : nullptr), clock, *zone, err,
              std::move(journal_lock));
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
    err << "signage preview: " << fmt(_("--size '{1}' is not WxH, e.g. 1280x720"), o.pv_size) << "\n";
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
  const PlaylistSetResult loaded = load_set(*cfg, err);
  po.folder = folder_state(loaded);
  if (auto s = preview(po, loaded.set, *zone, err); !s) {
    err << "signage preview: " << s.error().what() << "\n";
    return 1;
  }
  out << o.out_png << "\n";
  return 0;
}

int run_command(const CLI::App& app, const Subcommands& s, CliOptions& o, LogQueue* background,
                FfmpegLogRoute* ffmpeg_log, std::ostream& out, std::ostream& err) {
  if (s.check->parsed() && o.check_lines) return check_lines(o, out, err);
  if (s.check->parsed()) return run_check(o.check_paths, o.check_media, o.check_config, o.check_at, out, err);
  if (s.verify->parsed()) return run_verify(o.verify_dirs, o.verify_db, o.verify_screen, out, err);
  if (s.report->parsed()) {
    // The table is Chinese unless --lang asks for English.
    if (!o.lang.empty()) o.rep.lang = parse_language(o.lang) == Language::en ? "en" : "zh";
    return run_report(o.rep, out, err);
  }
  if (s.play->parsed()) return run_play(o, background, ffmpeg_log, err);
  if (s.preview->parsed()) return run_preview(o, out, err);
  out << app.help();
  return 2;
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
  // FFmpeg's messages in the log in a line of ours each, repeats counted
  // (media/ffmpeg_log.h); queued, and printed by this thread: play at each turn of
  // the kiosk, every command at its end.
  LogQueue background([] { wake_display(); });
  FfmpegLogRoute ffmpeg_log([&background](std::string line) { background.push(std::move(line)); },
                            SteadyClock::instance());
  const int code = run_command(app, s, o, &background, &ffmpeg_log, out, err);
  ffmpeg_log.flush(true);
  for (const auto& line : background.take()) err << "signage: " << line << "\n";
  return code;
}

}  // namespace signage
