#include "config/device_config.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <system_error>

#include "core/i18n.h"
#include "playlist/toml_check.h"

namespace signage {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using namespace tomlcheck;

constexpr std::string_view kTopKeys[] = {"screen", "paths",  "display", "defaults", "idle",
                                         "limits", "video",  "uplink",  "emergency", "layout"};
constexpr std::string_view kEmergencyKeys[] = {"priority"};
constexpr std::string_view kScreenKeys[] = {"id",      "site",     "organisation", "location",
                                            "contact", "language", "timezone"};
constexpr std::string_view kPathsKeys[] = {"playlists", "media", "journal"};
constexpr std::string_view kDisplayKeys[] = {"mode", "size", "font", "rotation", "fps", "renderer"};
constexpr std::string_view kDefaultsKeys[] = {"duration", "transition", "fade"};
constexpr std::string_view kIdleKeys[] = {"background", "color", "text"};
constexpr std::string_view kLimitsKeys[] = {"max_image_megapixels", "max_media_gib"};
constexpr std::string_view kVideoKeys[] = {"hwdec"};
constexpr std::string_view kUplinkKeys[] = {"target", "heartbeat", "tls_ca", "tls_cert", "tls_key"};

constexpr double kMaxMegapixels = 1000;

// "relp://host:port" or "tcp://host:port", "relp+tls://..." or "tcp+tls://..." (host
// may be "[v6]").
bool valid_uplink_target(std::string_view s) {
  const auto sep = s.find("://");
  if (sep == std::string_view::npos) return false;
  const std::string_view scheme = s.substr(0, sep);
  if (scheme != "relp" && scheme != "tcp" && scheme != "relp+tls" && scheme != "tcp+tls") return false;
  const std::string_view rest = s.substr(sep + 3);
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = rest.substr(0, colon);
  const std::string_view port = rest.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
    for (const char c : host) {
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return false;
    }
  } else {
    for (const char c : host) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) return false;
    }
  }
  if (port.empty() || port.size() > 5) return false;
  int p = 0;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + (c - '0');
  }
  return p >= 1 && p <= 65535;
}

std::string show_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

class ConfigReader {
 public:
  ConfigReader(Reporter& r, fs::path base, fs::path zoneinfo)
      : r_(r), base_(std::move(base)), zoneinfo_(std::move(zoneinfo)) {}

  DeviceConfig read(const toml::table& root) {
    DeviceConfig c;
    check_keys(root, _("the top level of the file"), kTopKeys, r_);
    if (const toml::table* t = get_table(root, "screen", r_)) read_screen(*t, c);
    if (const toml::table* t = get_table(root, "paths", r_)) read_paths(*t, c);
    if (const toml::table* t = get_table(root, "display", r_)) read_display(*t, c);
    if (const toml::table* t = get_table(root, "layout", r_)) c.layout = get_layout(*t, "[layout]", r_);
    if (const toml::table* t = get_table(root, "defaults", r_)) read_defaults(*t, c);
    if (const toml::table* t = get_table(root, "idle", r_)) read_idle(*t, c);
    if (const toml::table* t = get_table(root, "emergency", r_)) read_emergency(*t, c);
    if (const toml::table* t = get_table(root, "limits", r_)) read_limits(*t, c);
    if (const toml::table* t = get_table(root, "video", r_)) {
      check_keys(*t, "[video]", kVideoKeys, r_);
      if (auto h = get_hwdec(*t, r_)) c.hwdec = *h;
    }
    if (const toml::table* t = get_table(root, "uplink", r_)) read_uplink(*t, c);
    return c;
  }

 private:
  void read_screen(const toml::table& t, DeviceConfig& c) {
    check_keys(t, "[screen]", kScreenKeys, r_);
    if (auto id = get_id(t, "id", r_)) c.screen_id = *id;
    if (auto site = get_string(t, "site", r_)) c.site = *site;
    if (auto v = get_string(t, "organisation", r_)) c.organisation = *v;
    if (auto v = get_string(t, "location", r_)) c.location = *v;
    if (auto v = get_string(t, "contact", r_)) c.contact = *v;
    if (auto v = get_string(t, "language", r_)) {
      if (auto lang = parse_language(*v)) {
        c.language = *lang;
      } else {
        r_.error(*t.get("language"), fmt(_("bad language {1}; use \"zh-CN\" (Chinese) or \"en\" (English)"), quote(*v)));
      }
    }
    if (t.contains("timezone")) {
      c.zone = get_time_zone(t, "timezone", zoneinfo_, r_);
      if (c.zone) c.timezone = *get_string(t, "timezone", r_);
    }
  }

  void read_paths(const toml::table& t, DeviceConfig& c) {
    check_keys(t, "[paths]", kPathsKeys, r_);
    if (auto p = get_path(t, "playlists", false)) c.playlists = *p;
    if (auto p = get_path(t, "media", true)) c.media = *p;
    if (auto p = get_path(t, "journal", false)) c.journal = *p;
  }

  void read_display(const toml::table& t0, DeviceConfig& c) {
    const toml::table* t = &t0;
    check_keys(*t, "[display]", kDisplayKeys, r_);
    if (auto m = get_choice<DisplayMode>(*t, "mode",
                                         {{"fullscreen", DisplayMode::fullscreen},
                                          {"window", DisplayMode::window},
                                          {"headless", DisplayMode::headless}},
                                         _("bad display mode"), r_)) {
      c.mode = *m;
    }
    if (auto size = get_string(*t, "size", r_)) {
      if (auto wh = parse_size(*size)) {
        c.width = wh->first;
        c.height = wh->second;
      } else {
        r_.error(*t->get("size"), fmt(_("bad size {1}; write it like 1920x1080 (each side 16 to 16384)"), quote(*size)));
      }
    }
    if (auto rot = get_integer(*t, "rotation", r_)) {
      if (*rot == 0 || *rot == 90 || *rot == 180 || *rot == 270) {
        c.rotation = static_cast<int>(*rot);
      } else {
        r_.error(*t->get("rotation"),
                 fmt(_("bad rotation {1}; use 0, 90, 180 or 270 (degrees clockwise, 90 or 270 for a screen on its side)"),
                     *rot));
      }
    }
    if (auto sw = get_choice<bool>(*t, "renderer", {{"auto", false}, {"software", true}}, _("bad renderer"), r_)) {
      c.software_renderer = *sw;
    }
    if (auto fps = get_integer(*t, "fps", r_)) {
      if (*fps < 1 || *fps > 240) {
        r_.error(*t->get("fps"), fmt(_("'fps' must be from 1 to 240 frames per second, not {1}"), *fps));
      } else {
        c.fps = static_cast<int>(*fps);
      }
    }
    if (auto font = get_path(*t, "font", true)) {
      c.font = *font;
      std::error_code ec;
      if (!c.font.empty() && !fs::is_regular_file(c.font, ec)) {
        r_.warning(*t->get("font"), fmt(_("font file {1} not found; a font is looked up through fontconfig instead"),
                                        quote(c.font.string())));
      }
    }
  }

  void read_defaults(const toml::table& t0, DeviceConfig& c) {
    const toml::table* t = &t0;
    check_keys(*t, "[defaults]", kDefaultsKeys, r_);
    if (auto d = get_duration(*t, "duration", milliseconds(1'000), milliseconds(24 * 3'600'000), r_)) c.duration = *d;
    if (auto tr = get_choice<Transition>(*t, "transition", {{"fade", Transition::fade}, {"cut", Transition::cut}},
                                         _("bad transition"), r_)) {
      c.transition = *tr;
    }
    if (auto f = get_duration(*t, "fade", milliseconds(0), milliseconds(5'000), r_)) c.fade = *f;
  }

  void read_idle(const toml::table& t0, DeviceConfig& c) {
    const toml::table* t = &t0;
    check_keys(*t, "[idle]", kIdleKeys, r_);
    if (auto v = get_colour(*t, "background", r_)) c.idle_background = *v;
    if (auto v = get_colour(*t, "color", r_)) c.idle_color = *v;
    if (auto v = get_string(*t, "text", r_)) c.idle_text = *v;
  }

  void read_emergency(const toml::table& t0, DeviceConfig& c) {
    const toml::table* t = &t0;
    check_keys(*t, "[emergency]", kEmergencyKeys, r_);
    if (auto p = get_integer(*t, "priority", r_)) {
      if (*p < 1 || *p > 1000) {
        r_.error(*t->get("priority"), fmt(_("'priority' must be between 1 and 1000, not {1}"), *p));
      } else {
        c.emergency_priority = static_cast<int>(*p);
      }
    }
  }

  void read_limits(const toml::table& t0, DeviceConfig& c) {
    const toml::table* t = &t0;
    check_keys(*t, "[limits]", kLimitsKeys, r_);
    if (auto mp = get_number(*t, "max_image_megapixels", r_)) {
      if (*mp <= 0 || *mp > kMaxMegapixels) {
        r_.error(*t->get("max_image_megapixels"),
                 fmt(_("'max_image_megapixels' must be above 0 and at most 1000, not {1}"), show_number(*mp)));
      } else {
        c.max_image_pixels = static_cast<std::int64_t>(std::llround(*mp * 1e6));
      }
    }
    if (auto gib = get_number(*t, "max_media_gib", r_)) {
      if (*gib <= 0 || *gib > 1024) {
        r_.error(*t->get("max_media_gib"),
                 fmt(_("'max_media_gib' must be above 0 and at most 1024, not {1}"), show_number(*gib)));
      } else {
        c.max_media_bytes = static_cast<std::uintmax_t>(std::llround(*gib * 1024.0 * 1024.0 * 1024.0));
      }
    }
  }

  void read_uplink(const toml::table& t0, DeviceConfig& c) {
    const toml::table* t = &t0;
    check_keys(*t, "[uplink]", kUplinkKeys, r_);
    if (auto target = get_string(*t, "target", r_)) {
      if (target->empty() || valid_uplink_target(*target)) {
        c.uplink_target = *target;
      } else {
        r_.error(*t->get("target"), fmt(_("bad uplink target {1}; write it like relp://logs.example:2514 (scheme "
                                          "relp, tcp, relp+tls or tcp+tls, port 1 to 65535), or leave it empty for "
                                          "none"),
                                        quote(*target)));
      }
    }
    if (auto d = get_duration(*t, "heartbeat", milliseconds(1'000), milliseconds(24 * 3'600'000), r_)) {
      c.heartbeat = *d;
    }
    if (auto p = get_path(*t, "tls_ca", true)) c.uplink_tls_ca = *p;
    if (auto p = get_path(*t, "tls_cert", true)) c.uplink_tls_cert = *p;
    if (auto p = get_path(*t, "tls_key", true)) c.uplink_tls_key = *p;
    if (c.uplink_tls_cert.empty() != c.uplink_tls_key.empty()) {
      const char* given = c.uplink_tls_cert.empty() ? "tls_key" : "tls_cert";
      r_.error(*t->get(given), fmt(_("'{1}' needs its partner: give both tls_cert and tls_key (this screen's "
                                     "certificate and its key), or neither"),
                                   given));
    }
    const bool tls = c.uplink_target.find("+tls://") != std::string::npos;
    for (const char* key : {"tls_ca", "tls_cert", "tls_key"}) {
      if (!tls && t->get(key) != nullptr) {
        r_.warning(*t->get(key), fmt(_("'{1}' is not used: the target is not a TLS one (write relp+tls:// or "
                                       "tcp+tls://)"),
                                     key));
      }
    }
  }

  // A path string; relative ones resolve against the config file's folder.
  std::optional<fs::path> get_path(const toml::table& t, std::string_view key, bool may_be_empty) {
    auto s = get_string(t, key, r_);
    if (!s) return std::nullopt;
    if (s->empty()) {
      if (may_be_empty) return fs::path();
      r_.error(*t.get(key), fmt(_("'{1}' is empty; give a folder"), key));
      return std::nullopt;
    }
    if (s->find('\0') != std::string::npos) {
      r_.error(*t.get(key), fmt(_("'{1}' holds a NUL character"), key));
      return std::nullopt;
    }
    const fs::path p(*s);
    return (p.is_absolute() ? p : base_ / p).lexically_normal();
  }

  Reporter& r_;
  fs::path base_;
  fs::path zoneinfo_;
};

}  // namespace

std::shared_ptr<const TimeZone> screen_time_zone(const DeviceConfig& c) {
  if (c.zone) return c.zone;
  return system_time_zone();
}

DeviceConfigResult load_device_config(const fs::path& file, const fs::path& zoneinfo) {
  DeviceConfigResult out;
  auto bytes = read_small_file(file);
  if (!bytes) {
    out.diagnostics.push_back(Diagnostic{Severity::error, SourcePos{file.string(), 0, 0},
                                         fmt(_("cannot load the device config: {1}"), bytes.error().what())});
    return out;
  }
  Reporter r(file.string());
  if (auto root = tomlcheck::parse(*bytes, r)) {
    std::error_code ec;
    fs::path base = fs::absolute(file, ec).parent_path();
    if (ec) base = file.parent_path();
    ConfigReader reader(r, base, zoneinfo);
    DeviceConfig c = reader.read(*root);
    if (!r.has_errors()) out.config = std::move(c);
  }
  out.diagnostics = r.take();
  return out;
}

}  // namespace signage
