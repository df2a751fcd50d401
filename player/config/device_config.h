// The device configuration (signage.toml): who this screen is, where its files are,
// how it displays. Loaded once at start. See docs/playlist-format.md#device-config.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.h"
#include "core/i18n.h"
#include "core/time.h"
#include "playlist/model.h"

namespace signage {

enum class DisplayMode { fullscreen, window, headless };

struct DeviceConfig {
  // [screen]
  std::string screen_id = "signage";
  std::string site;
  // Who the screen belongs to, for the bureau's statistics table (signage report):
  std::string organisation;              // 填报单位, e.g. "泉州洛江万达广场商业管理有限公司"
  std::string location;                  // where the screen hangs, e.g. "一楼大堂东侧"
  std::string contact;                   // 联系人/电话, e.g. "张三 0595-22630156"
  // The screen's language (idle screen words): "zh-CN" | "en"; unset: the message
  // language of the process (--lang, LANG...).
  std::optional<Language> language;
  // The zone of campaigns without their own, the header clock, the idle screen and
  // the journal's times: an IANA name ("Asia/Shanghai"); empty: the box's zone.
  std::string timezone;
  std::shared_ptr<const TimeZone> zone;  // the zone `timezone` names; nullptr: the box's
  // [paths]
  std::filesystem::path playlists = "/var/lib/signage/playlists";
  std::filesystem::path media;           // empty: the playlists folder
  std::filesystem::path journal = "/var/lib/signage/journal";
  // [display]
  DisplayMode mode = DisplayMode::fullscreen;
  int width = 1920;                      // window and headless size
  int height = 1080;
  std::filesystem::path font;            // empty: found through fontconfig
  int rotation = 0;                      // 0 | 90 | 180 | 270: the whole picture turned clockwise
  int fps = 60;                          // presents per second while something moves (ticker)
  bool software_renderer = false;        // renderer = "software": SDL's, even where a GPU one exists
  // [layout] band sizes for playlists that do not set them
  Layout layout;
  // [defaults] for items that say nothing
  std::chrono::milliseconds duration{12'000};
  Transition transition = Transition::fade;
  std::chrono::milliseconds fade{500};
  // [idle] what shows when no campaign is active
  Rgb idle_background{0x10, 0x2a, 0x43};
  Rgb idle_color{255, 255, 255};
  std::string idle_text;                 // shown under the clock; empty: the screen id
  // [emergency] a campaign with at least this priority interrupts at once
  int emergency_priority = 100;
  // [limits]
  std::int64_t max_image_pixels = 64'000'000;
  std::uintmax_t max_media_bytes = std::uintmax_t{4} << 30;  // max_media_gib: one media file at most
  // [video]
  std::string hwdec = "auto";
  // [uplink]
  std::string uplink_target;             // relp://, tcp://, relp+tls://, tcp+tls:// host:port
  std::chrono::milliseconds heartbeat{60'000};
  std::filesystem::path uplink_tls_ca;   // PEM; empty: the system CA store
  std::filesystem::path uplink_tls_cert; // PEM client certificate; empty: none
  std::filesystem::path uplink_tls_key;  // its key

  std::filesystem::path media_root() const { return media.empty() ? playlists : media; }
};

struct DeviceConfigResult {
  std::optional<DeviceConfig> config;    // set when there are no errors
  std::vector<Diagnostic> diagnostics;   // errors and warnings, in file order
};

// Reads and validates `file`. Relative paths inside it are taken relative to the
// folder the file is in; [screen] timezone is looked up in `zoneinfo`.
DeviceConfigResult load_device_config(const std::filesystem::path& file,
                                      const std::filesystem::path& zoneinfo = "/usr/share/zoneinfo");

// The screen's zone: [screen] timezone, else the box's (system_time_zone()).
std::shared_ptr<const TimeZone> screen_time_zone(const DeviceConfig& c);

}  // namespace signage
