// Tests of the device-config loader (player/config/device_config.h): every key
// parses, relative paths resolve against the file's folder, defaults hold for what
// the file leaves out, and each mistake is reported at its file:line:col.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "support/files.h"
#include "config/device_config.h"

namespace signage {
namespace {

using signage::test::TempDir;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kData = fs::path(SIGNAGE_TEST_DATA) / "config";


std::string dump(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += "  " + d.format() + "\n";
  return out;
}

TEST(DeviceConfig, EveryKeyParses) {
  const fs::path file = kData / "valid/signage.toml";
  const auto r = load_device_config(file);
  ASSERT_TRUE(r.config) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  const DeviceConfig& c = *r.config;
  const fs::path dir = fs::absolute(file).parent_path();
  EXPECT_EQ(c.screen_id, "luojiang-wanda-lobby-01");
  EXPECT_EQ(c.site, "洛江万达广场");
  EXPECT_EQ(c.playlists, (dir / "playlists").lexically_normal());
  EXPECT_EQ(c.media, fs::path("/srv/signage/media"));
  EXPECT_EQ(c.media_root(), fs::path("/srv/signage/media"));
  EXPECT_EQ(c.journal, (dir.parent_path() / "journal").lexically_normal());
  EXPECT_EQ(c.mode, DisplayMode::window);
  EXPECT_EQ(c.width, 1280);
  EXPECT_EQ(c.height, 720);
  EXPECT_TRUE(c.font.empty());
  EXPECT_EQ(c.duration, 15s);
  EXPECT_EQ(c.transition, Transition::cut);
  EXPECT_EQ(c.fade, 250ms);
  EXPECT_EQ(c.idle_background, (Rgb{0x10, 0x2a, 0x43}));
  EXPECT_EQ(c.idle_color, (Rgb{0xee, 0xee, 0xee}));
  EXPECT_EQ(c.idle_text, "安全生产月 · 举报电话 12350");
  EXPECT_EQ(c.max_image_pixels, 40'500'000);
  EXPECT_EQ(c.hwdec, "vaapi");
  EXPECT_EQ(c.uplink_target, "relp://logs.corp.example:2514");
  EXPECT_EQ(c.heartbeat, 30s);
}

TEST(DeviceConfig, EmptyFileGivesTheDefaults) {
  TempDir dir;
  const auto r = load_device_config(dir.write("signage.toml", "# nothing set\n"));
  ASSERT_TRUE(r.config) << dump(r.diagnostics);
  const DeviceConfig& c = *r.config;
  const DeviceConfig d;
  EXPECT_EQ(c.screen_id, d.screen_id);
  EXPECT_EQ(c.playlists, fs::path("/var/lib/signage/playlists"));
  EXPECT_EQ(c.media_root(), c.playlists);
  EXPECT_EQ(c.journal, fs::path("/var/lib/signage/journal"));
  EXPECT_EQ(c.mode, DisplayMode::fullscreen);
  EXPECT_EQ(c.width, 1920);
  EXPECT_EQ(c.height, 1080);
  EXPECT_EQ(c.duration, 12s);
  EXPECT_EQ(c.fade, 500ms);
  EXPECT_EQ(c.max_image_pixels, 64'000'000);
  EXPECT_EQ(c.max_media_bytes, std::uintmax_t{4} << 30);
  EXPECT_EQ(c.hwdec, "auto");
  EXPECT_TRUE(c.uplink_target.empty());
  EXPECT_EQ(c.heartbeat, 60s);
}

TEST(DeviceConfig, MaxMediaGibSetsTheMediaSizeLimit) {
  TempDir dir;
  const auto r = load_device_config(dir.write("signage.toml", "[limits]\nmax_media_gib = 1.5\n"));
  ASSERT_TRUE(r.config) << dump(r.diagnostics);
  EXPECT_EQ(r.config->max_media_bytes, std::uintmax_t{3} << 29);
  const auto bad = load_device_config(dir.write("bad.toml", "[limits]\nmax_media_gib = 0\n"));
  EXPECT_FALSE(bad.config);
  ASSERT_EQ(bad.diagnostics.size(), 1u) << dump(bad.diagnostics);
  EXPECT_NE(bad.diagnostics[0].format().find("'max_media_gib' must be above 0 and at most 1024, not 0"),
            std::string::npos)
      << bad.diagnostics[0].format();
}

TEST(DeviceConfig, MediaEmptyMeansThePlaylistsFolderAndIntegerMegapixels) {
  TempDir dir;
  const auto r = load_device_config(dir.write(
      "etc/signage.toml",
      "[paths]\nplaylists = \"drop\"\nmedia = \"\"\n[limits]\nmax_image_megapixels = 16\n"
      "[uplink]\ntarget = \"tcp://[::1]:514\"\n[display]\nmode = \"headless\"\nsize = \"16x16384\"\n"
      "[video]\nhwdec = \"none\"\n[defaults]\nfade = \"0s\"\n"));
  ASSERT_TRUE(r.config) << dump(r.diagnostics);
  EXPECT_EQ(r.config->playlists, dir.path() / "etc/drop");
  EXPECT_EQ(r.config->media_root(), dir.path() / "etc/drop");
  EXPECT_EQ(r.config->max_image_pixels, 16'000'000);
  EXPECT_EQ(r.config->uplink_target, "tcp://[::1]:514");
  EXPECT_EQ(r.config->mode, DisplayMode::headless);
  EXPECT_EQ(r.config->width, 16);
  EXPECT_EQ(r.config->height, 16384);
  EXPECT_EQ(r.config->hwdec, "none");
  EXPECT_EQ(r.config->fade, 0ms);
}

TEST(DeviceConfig, MissingFontIsAWarning) {
  TempDir dir;
  const fs::path file = dir.write("signage.toml", "[display]\nfont = \"fonts/none.ttf\"\n");
  const auto r = load_device_config(file);
  ASSERT_TRUE(r.config) << dump(r.diagnostics);
  EXPECT_EQ(r.config->font, dir.path() / "fonts/none.ttf");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].format().substr(0, file.string().size() + 15), file.string() + ":2:8: warning: ");
}

TEST(DeviceConfig, MissingFileIsOneError) {
  TempDir dir;
  const auto r = load_device_config(dir.path() / "signage.toml");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].format(), (dir.path() / "signage.toml").string() +
                                           ": error: cannot load the device config: the file does not exist");
}

struct InvalidCase {
  const char* file;
  int line;
  int column;
  const char* phrase;
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.file; }

class InvalidDeviceConfig : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidDeviceConfig, RefusedWithThePositionOfTheMistake) {
  const InvalidCase& c = GetParam();
  const fs::path file = kData / "invalid" / c.file;
  ASSERT_TRUE(fs::exists(file));
  const auto r = load_device_config(file);
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  const std::string prefix =
      file.string() + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": error: ";
  const std::string text = r.diagnostics[0].format();
  EXPECT_EQ(text.substr(0, prefix.size()), prefix) << text;
  EXPECT_NE(text.find(c.phrase), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, InvalidDeviceConfig,
    ::testing::Values(InvalidCase{"syntax-error.toml", 3, 9, "TOML syntax error"},
                      InvalidCase{"unknown-key.toml", 3, 1, "unknown key 'name' in [screen]"},
                      InvalidCase{"wrong-type.toml", 5, 24, "'max_image_megapixels' must be a number, not a string"},
                      InvalidCase{"bad-mode.toml", 2, 8, "bad display mode 'kiosk'; use fullscreen, window or headless"},
                      InvalidCase{"bad-size.toml", 3, 8, "bad size '1920*1080'; write it like 1920x1080"},
                      InvalidCase{"bad-uplink.toml", 2, 10, "bad uplink target 'udp://logs.corp.example:514'"},
                      InvalidCase{"bad-uplink-port.toml", 2, 10, "port 1 to 65535"},
                      InvalidCase{"bad-fade.toml", 2, 8, "'fade' must be between 0s and 5s, not '10s'"},
                      InvalidCase{"bad-hwdec.toml", 2, 9, "bad hwdec 'nvdec'; use auto, vaapi, vdpau, cuda"},
                      InvalidCase{"bad-megapixels.toml", 2, 24, "must be above 0 and at most 1000, not 0"},
                      InvalidCase{"bad-colour.toml", 2, 14, "bad colour 'navy'; write it as #rrggbb"},
                      InvalidCase{"bad-id.toml", 2, 6, "bad id 'lobby 01'"},
                      InvalidCase{"empty-path.toml", 2, 13, "'playlists' is empty"}));

TEST(DeviceConfig, EveryErrorInAFileIsReported) {
  const fs::path file = kData / "invalid/several-errors.toml";
  const auto r = load_device_config(file);
  EXPECT_FALSE(r.config);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"3:1", "unknown key 'sight' in [screen]"},
      {"6:8", "bad display mode 'Fullscreen'"},
      {"7:8", "bad size '8x8'"},
      {"10:1", "unknown key 'colour' in [idle]; did you mean 'color'?"},
      {"13:13", "'heartbeat' must be a string like \"12s\", not an integer"},
  };
  ASSERT_EQ(r.diagnostics.size(), expected.size()) << dump(r.diagnostics);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::string text = r.diagnostics[i].format();
    const std::string prefix = file.string() + ":" + expected[i].first + ": error: ";
    EXPECT_EQ(text.substr(0, prefix.size()), prefix) << text;
    EXPECT_NE(text.find(expected[i].second), std::string::npos) << text;
  }
}

TEST(DeviceConfig, UplinkTargets) {
  TempDir dir;
  auto target_ok = [&](const std::string& target) {
    return load_device_config(dir.write("u.toml", "[uplink]\ntarget = \"" + target + "\"\n")).config.has_value();
  };
  EXPECT_TRUE(target_ok(""));
  EXPECT_TRUE(target_ok("relp://10.0.0.5:2514"));
  EXPECT_TRUE(target_ok("tcp://logs:1"));
  EXPECT_TRUE(target_ok("tcp://logs:65535"));
  EXPECT_FALSE(target_ok("tcp://logs:0"));
  EXPECT_FALSE(target_ok("relp://logs"));
  EXPECT_FALSE(target_ok("relp://:2514"));
  EXPECT_FALSE(target_ok("logs.corp.example:2514"));
  EXPECT_FALSE(target_ok("relp://logs.corp.example:25x4"));
  EXPECT_FALSE(target_ok("relp://[::1:2514"));
  EXPECT_TRUE(target_ok("relp+tls://logs.corp.example:2515"));
  EXPECT_TRUE(target_ok("tcp+tls://[::1]:6514"));
  EXPECT_FALSE(target_ok("tls://logs:6514"));
  EXPECT_FALSE(target_ok("relp+ssl://logs:6514"));
}

TEST(DeviceConfig, UplinkTlsFiles) {
  TempDir dir;
  auto r = load_device_config(dir.write("t.toml",
                                        "[uplink]\ntarget = \"relp+tls://logs:2515\"\ntls_ca = \"pki/ca.pem\"\n"
                                        "tls_cert = \"/etc/signage/screen.pem\"\ntls_key = \"pki/screen.key\"\n"));
  ASSERT_TRUE(r.config.has_value()) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->uplink_target, "relp+tls://logs:2515");
  EXPECT_EQ(r.config->uplink_tls_ca, dir.path() / "pki/ca.pem") << "relative to the config's folder";
  EXPECT_EQ(r.config->uplink_tls_cert, fs::path("/etc/signage/screen.pem"));
  EXPECT_EQ(r.config->uplink_tls_key, dir.path() / "pki/screen.key");

  // A certificate without its key.
  r = load_device_config(dir.write("t.toml", "[uplink]\ntarget = \"tcp+tls://logs:6514\"\ntls_cert = \"c.pem\"\n"));
  EXPECT_FALSE(r.config.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].format().find(":3:12: error: 'tls_cert' needs its partner"), std::string::npos)
      << dump(r.diagnostics);

  // TLS files for a plain target: accepted, with a warning.
  r = load_device_config(dir.write("t.toml", "[uplink]\ntarget = \"relp://logs:2514\"\ntls_ca = \"ca.pem\"\n"));
  ASSERT_TRUE(r.config.has_value());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].format().find(": warning: 'tls_ca' is not used"), std::string::npos)
      << dump(r.diagnostics);
}

// A screen mounted on its side, with a default layout for playlists that set none.
TEST(DeviceConfig, RotationFpsAndLayout) {
  TempDir t;
  const auto ok = load_device_config(t.write("portrait.toml",
                                             "[display]\nrotation = 90\nfps = 30\nrenderer = \"software\"\n"
                                             "[layout]\nheader = 12\nticker = 7\n"));
  ASSERT_TRUE(ok.config) << dump(ok.diagnostics);
  EXPECT_EQ(ok.config->rotation, 90);
  EXPECT_EQ(ok.config->fps, 30);
  EXPECT_TRUE(ok.config->software_renderer);
  EXPECT_EQ(ok.config->layout.header, 12);
  EXPECT_EQ(ok.config->layout.ticker, 7);
  const auto defaults = load_device_config(t.write("empty.toml", ""));
  ASSERT_TRUE(defaults.config);
  EXPECT_EQ(defaults.config->rotation, 0);
  EXPECT_EQ(defaults.config->fps, 60);
  EXPECT_FALSE(defaults.config->software_renderer);
  EXPECT_FALSE(defaults.config->layout.header);
  EXPECT_FALSE(defaults.config->layout.ticker);

  const fs::path bad = t.write("bad.toml",
                               "[display]\nrotation = 45\nfps = 0\n"
                               "[layout]\nticker = -1\nfooter = 5\n");
  const auto r = load_device_config(bad);
  EXPECT_FALSE(r.config);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"2:12", "bad rotation 45; use 0, 90, 180 or 270"},
      {"3:7", "'fps' must be from 1 to 240 frames per second, not 0"},
      {"5:10", "'ticker' must be a percentage of the screen's height from 0 to 40 (0: no band), not -1"},
      {"6:1", "unknown key 'footer' in [layout]"},
  };
  ASSERT_EQ(r.diagnostics.size(), expected.size()) << dump(r.diagnostics);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::string text = r.diagnostics[i].format();
    const std::string prefix = bad.string() + ":" + expected[i].first + ": error: ";
    EXPECT_EQ(text.substr(0, prefix.size()), prefix) << text;
    EXPECT_NE(text.find(expected[i].second), std::string::npos) << text;
  }
}

// Who the screen belongs to, for the report's statistics table.
TEST(DeviceConfig, ScreenOrganisationLocationAndContact) {
  TempDir t;
  auto r = load_device_config(t.write("signage.toml", "[screen]\nid = \"lobby-1\"\n"
                                                      "organisation = \"泉州洛江万达广场商业管理有限公司\"\n"
                                                      "location = \"一楼中庭\"\ncontact = \"郑经理 0595-22630156\"\n"));
  ASSERT_TRUE(r.config) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  EXPECT_EQ(r.config->organisation, "泉州洛江万达广场商业管理有限公司");
  EXPECT_EQ(r.config->location, "一楼中庭");
  EXPECT_EQ(r.config->contact, "郑经理 0595-22630156");
  const fs::path bad = t.write("bad.toml", "[screen]\nid = \"lobby-1\"\norganisation = 12\n");
  r = load_device_config(bad);
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].format().rfind(bad.string() + ":3:16: error:", 0), 0u) << dump(r.diagnostics);
}

TEST(DeviceConfig, ScreenTimeZoneAndLanguage) {
  TempDir dir;
  const auto r = load_device_config(
      dir.write("signage.toml", "[screen]\nid = \"a\"\ntimezone = \"Asia/Shanghai\"\nlanguage = \"zh-CN\"\n"));
  ASSERT_TRUE(r.config) << dump(r.diagnostics);
  EXPECT_EQ(r.config->timezone, "Asia/Shanghai");
  ASSERT_TRUE(r.config->zone);
  EXPECT_EQ(r.config->language, Language::zh_CN);
  // 2024-06-16T02:00Z is 10:00 in Shanghai, whatever the box's zone.
  const Instant t = Instant(std::chrono::sys_days(std::chrono::year(2024) / 6 / 16).time_since_epoch() + 2h);
  EXPECT_EQ(screen_time_zone(*r.config)->to_local(t).time_of_day, 10h);

  const auto none = load_device_config(dir.write("none.toml", "[screen]\nid = \"a\"\n"));
  ASSERT_TRUE(none.config);
  EXPECT_FALSE(none.config->zone);
  EXPECT_FALSE(none.config->language);
  EXPECT_TRUE(screen_time_zone(*none.config));  // the box's

  const auto bad = load_device_config(
      dir.write("bad.toml", "[screen]\ntimezone = \"北京时间\"\nlanguage = \"fr\"\n[paths]\ntimezone = \"x\"\n"));
  EXPECT_FALSE(bad.config);
  ASSERT_EQ(bad.diagnostics.size(), 3u) << dump(bad.diagnostics);
  EXPECT_NE(bad.diagnostics[0].format().find(":2:12: error: '北京时间' is not a time zone name; for China (Beijing "
                                             "time) write timezone = \"Asia/Shanghai\""),
            std::string::npos)
      << dump(bad.diagnostics);
  EXPECT_NE(bad.diagnostics[1].format().find(":3:12: error: bad language 'fr'"), std::string::npos);
  EXPECT_NE(bad.diagnostics[2].format().find(":5:1: error: unknown key 'timezone' in [paths]"), std::string::npos);

  const auto unknown = load_device_config(dir.write("unknown.toml", "[screen]\ntimezone = \"Asia/Beijin\"\n"));
  EXPECT_FALSE(unknown.config);
  ASSERT_EQ(unknown.diagnostics.size(), 1u);
  EXPECT_NE(unknown.diagnostics[0].message.find("Asia/Shanghai"), std::string::npos) << dump(unknown.diagnostics);
}

}  // namespace
}  // namespace signage
