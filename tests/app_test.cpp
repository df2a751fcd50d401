// End-to-end tests of the `signage` command line, run in-process: check, preview
// (golden images of the sample playlists) and a short headless play.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <clocale>
#include <cstdio>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/files.h"
#include "support/made_once.h"
#include "support/player_process.h"
#include "app/cli.h"
#include "app/player.h"
#include "core/faulty_env.h"
#include "playlist/loader.h"
#include "media/image.h"
#include "golden.h"

namespace signage {
namespace {

using signage::test::TempDir;

namespace fs = std::filesystem;

const fs::path kSource = SIGNAGE_SOURCE_DIR;

struct Run {
  int code = -1;
  std::string out, err;
};

Run cli(std::vector<std::string> args) {
  args.insert(args.begin(), "signage");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  Run r;
  r.code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}


TEST(Cli, VersionAndUsage) {
  auto v = cli({"--version"});
  EXPECT_EQ(v.code, 0);
  EXPECT_EQ(v.out, std::string("signage ") + SIGNAGE_VERSION + "\n");
  EXPECT_EQ(cli({"check"}).code, 2);                       // no paths
  EXPECT_EQ(cli({"play", "--no-such-option"}).code, 2);
  EXPECT_EQ(cli({"preview", "--at", "2024-06-16T10:00"}).code, 2);  // no --out
  EXPECT_EQ(cli({"--help"}).code, 0);
  EXPECT_EQ(cli({"check", "--help"}).code, 0);
  TempDir t;
  EXPECT_EQ(cli({"preview", "--playlists", t.path().string(), "--at", "soon", "--out",
                 (t.path() / "x.png").string()}).code, 2);
}

// Runs the real binary with `env` settings (VAR=value ..., or -u VAR), stdout and
// stderr together.
Run run_binary(const std::string& env, const std::string& args) {
  const std::string cmd = "env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG " + env + " '" SIGNAGE_BINARY "' " +
                          args + " 2>&1";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Chinese from the environment or --lang, on a box where no zh_CN locale was ever
// generated (glibc's own gettext would give English there).
TEST(Cli, HelpInChineseWithoutAChineseLocale) {
  const bool locale_missing = std::setlocale(LC_MESSAGES, "zh_CN.UTF-8") == nullptr;
  std::setlocale(LC_MESSAGES, "C");
  RecordProperty("zh_CN_locale_missing", locale_missing ? "yes" : "no");
  auto zh = run_binary("LANG=zh_CN.UTF-8", "check --help");
  EXPECT_EQ(zh.code, 0) << zh.out;
  EXPECT_NE(zh.out.find("用法"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("放入前检查节目单文件或文件夹"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("显示本帮助并退出"), std::string::npos) << zh.out;
  auto by_option = run_binary("LANG=C.UTF-8", "--lang zh --help");
  EXPECT_NE(by_option.out.find("全屏播放节目单"), std::string::npos) << by_option.out;
  auto after_command = run_binary("LANG=C.UTF-8", "check --lang zh --help");
  EXPECT_NE(after_command.out.find("用法"), std::string::npos) << after_command.out;
  auto en = run_binary("LANG=C.UTF-8", "check --help");
  EXPECT_NE(en.out.find("Check playlist files or folders before dropping them"), std::string::npos) << en.out;
  EXPECT_EQ(en.out.find("用法"), std::string::npos) << en.out;
  auto c = run_binary("LANGUAGE=zh_CN LC_ALL=C", "check --help");
  EXPECT_EQ(c.out.find("用法"), std::string::npos) << "LC_ALL=C asks for English: " << c.out;
  auto bad = run_binary("", "--lang fr --help");
  EXPECT_EQ(bad.code, 2) << bad.out;
}

TEST(Cli, CheckAcceptsTheSamplePlaylists) {
  auto r = cli({"check", (kSource / "playlists").string(), "--media", (kSource / "assets").string(), "--at",
                "2024-06-16T10:00+08:00"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("on screen now (2024-06-16T"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok: campaign '2024-safety-month'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok: campaign 'daily-safety'"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "") << "the samples should have no warnings";
}

TEST(Cli, CheckReportsPositionAndExitsOne) {
  TempDir t;
  const auto bad = t.write("bad.toml",
                           "[campaign]\n"
                           "id = \"x\"\n"
                           "colour = \"red\"\n"
                           "[[item]]\n"
                           "id = \"a\"\n"
                           "type = \"slogan\"\n"
                           "text = \"安全\"\n");
  auto r = cli({"check", bad.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(bad.string() + ":3:1: error: unknown key 'colour'"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("refused"), std::string::npos);
}

TEST(Cli, CheckWarnsAboutMissingMediaButAccepts) {
  TempDir t;
  const auto f = t.write("late.toml",
                         "[campaign]\nid = \"late\"\n[[item]]\nid = \"banner\"\ntype = \"image\"\n"
                         "file = \"media/not-yet.png\"\n");
  auto r = cli({"check", f.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find(": warning: "), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 held back"), std::string::npos) << r.out;
}

// Every invalid fixture is refused with a positioned error; none crashes.
TEST(Cli, CheckRefusesEveryInvalidFixture) {
  const fs::path dir = fs::path(SIGNAGE_TEST_DATA) / "playlists" / "invalid";
  ASSERT_TRUE(fs::is_directory(dir));
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    ++n;
    auto r = cli({"check", e.path().string()});
    EXPECT_EQ(r.code, 1) << e.path();
    EXPECT_NE(r.err.find(e.path().string() + ":"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(": error: "), std::string::npos) << r.err;
  }
  EXPECT_GE(n, 8);
}

// Renders a preview and compares it with tests/golden/NAME.png (tests/golden.h).
// `config`: a device config to preview with (its rotation, layout); empty: none.
// `size`: the output's size; `picture`: the picture's, when not the output's (a
// region) or the output's turned (rotation 90).
void expect_golden_preview(const std::string& at, const std::string& name, const std::string& expect_log,
                           const std::string& config = "", const std::string& size = "960x540",
                           std::pair<int, int> picture = {0, 0}) {
  TempDir t;
  const fs::path out = t.path() / (name + ".png");
  std::vector<std::string> args = {"preview", "--playlists", (kSource / "playlists").string(), "--media",
                                   (kSource / "assets").string(), "--at", at, "--out", out.string(), "--size",
                                   size};
  if (!config.empty()) {
    args.push_back("--config");
    args.push_back(t.write("signage.toml", config).string());
  }
  auto r = cli(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find(expect_log), std::string::npos) << r.err;
  auto got = decode_image(out, 64'000'000);
  ASSERT_TRUE(got.ok()) << got.error().what();
  const bool portrait = config.find("rotation = 90") != std::string::npos;
  if (picture.first == 0) picture = portrait ? std::pair{540, 960} : std::pair{960, 540};
  EXPECT_EQ(got->width, picture.first);
  EXPECT_EQ(got->height, picture.second);
  test::expect_golden(*got, name);
}

TEST(Preview, ConsultationDayShowsItsBanner) {
  expect_golden_preview("2024-06-16T10:00+08:00", "2024-06-16T1000", "2024-safety-month/consult-day (image)");
}

TEST(Preview, JulyShowsTheDailySlogans) {
  expect_golden_preview("2024-07-02T10:00+08:00", "2024-07-02T1000", "daily-safety/hazard (slogan)");
}

TEST(Preview, CampaignOutsideItsHoursGivesWayToDaily) {
  expect_golden_preview("2024-06-16T23:00+08:00", "2024-06-16T2300", "daily-safety/fire-exit (image)");
}

TEST(Preview, ThemeSloganOpensAnOrdinaryCampaignDay) {
  expect_golden_preview("2024-06-10T08:00:05+08:00", "2024-06-10T080005", "2024-safety-month/theme (slogan)");
}

// Half way through the 500 ms fade from the theme slogan to the e-bike banner.
TEST(Preview, MidFadeShowsBothItems) {
  expect_golden_preview("2024-06-10T08:00:15.250+08:00", "2024-06-10T080015.250", "2024-safety-month/e-bike (image)");
}

// A screen mounted on its side: the same campaign laid out upright in portrait,
// header, slogan and ticker (at its position for that instant).
TEST(Preview, PortraitScreenShowsTheLayoutUpright) {
  expect_golden_preview("2024-06-10T08:00:05+08:00", "layout-portrait-2024-06-10T080005",
                        "2024-safety-month/theme (slogan)",
                        "[screen]\nid = \"luojiang-wanda-lobby-01\"\n[display]\nrotation = 90\n");
}

// An LED strip: a sending card shows the 1920x160 region at the top of its
// 1920x1200 canvas ([display] region); the slogan is one line across it.
TEST(Preview, LedStripShowsTheSloganOnOneLineInItsRegion) {
  expect_golden_preview("2024-07-02T10:00+08:00", "strip-1920x160-2024-07-02T1000", "daily-safety/hazard (slogan)",
                        "[display]\nsize = \"1920x1200\"\nregion = \"0,0,1920x160\"\n", "1920x1200", {1920, 160});
}

// `check --lines` sets strip slogans as the player does: one line, and says which
// scroll; a [display] region is the size laid out.
TEST(Cli, CheckLinesOnAStripSaysOneLineOrScrolls) {
  TempDir t;
  const fs::path f = t.write("strip.toml",
                             "[campaign]\nid = \"s\"\n[[item]]\nid = \"short\"\ntype = \"slogan\"\n"
                             "text = \"人人讲安全、个个会应急\\n畅通生命通道\"\n"
                             "[[item]]\nid = \"long\"\ntype = \"slogan\"\ntext = \"进入施工现场必须佩戴安全帽，高处作业必须"
                             "系好安全带，严禁酒后上岗，发现隐患及时报告，安全生产人人有责，平安回家是对家人最好的承诺。"
                             "进入施工现场必须佩戴安全帽，高处作业必须系好安全带，严禁酒后上岗，发现隐患及时报告。\"\n");
  const fs::path cfg = t.write("signage.toml", "[display]\nsize = \"1920x1200\"\nregion = \"0,0,1920x160\"\n");
  auto r = cli({"check", "--lines", "--json", "--config", cfg.string(), f.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<nlohmann::json> got;
  for (std::string l; std::getline(in, l);) got.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(got.size(), 2u) << r.out;
  for (const auto& j : got) {
    EXPECT_EQ(j["zone"], nlohmann::json::array({1920, 160})) << j.dump();
    EXPECT_EQ(j["lines"].size(), 1u) << j.dump();
  }
  EXPECT_FALSE(got[0]["scrolls"].get<bool>());
  EXPECT_EQ(got[0]["lines"][0], "人人讲安全、个个会应急　畅通生命通道");
  EXPECT_GT(got[0]["font_px"].get<int>(), 80);
  EXPECT_TRUE(got[1]["scrolls"].get<bool>()) << "below 24 px on one line";
  EXPECT_GT(got[1]["font_px"].get<int>(), 60);
  auto text = cli({"check", "--lines", "--config", cfg.string(), f.string()});
  EXPECT_NE(text.out.find("(one line, scrolls), one pass "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" s of its 12 s\n"), std::string::npos) << text.out;
}

// A scrolling strip slogan must get through one full pass in its duration, at up
// to twice the normal speed: `check` warns, naming the item, the duration it needs
// and what to do, when even that is too slow; one with time enough is not named.
TEST(Cli, CheckWarnsAboutAStripSloganTooLongForItsDuration) {
  TempDir t;
  const std::string slogan = "进入施工现场必须佩戴安全帽，高处作业必须系好安全带，严禁酒后上岗，发现隐患及时报告，"
                             "安全生产人人有责，平安回家是对家人最好的承诺。";
  const fs::path f = t.write("strip.toml",
                             "[campaign]\nid = \"s\"\n"
                             "[[item]]\nid = \"short\"\ntype = \"slogan\"\ntext = \"人人讲安全、个个会应急\"\n"
                             "[[item]]\nid = \"hurried\"\ntype = \"slogan\"\nduration = \"12s\"\ntext = \"" +
                                 slogan + slogan + "\"\n"
                             "[[item]]\nid = \"leisurely\"\ntype = \"slogan\"\nduration = \"2min\"\ntext = \"" +
                                 slogan + slogan + "\"\n");
  const fs::path strip = t.write("strip.cfg", "[display]\nsize = \"1920x1200\"\nregion = \"0,0,1920x160\"\n");
  auto r = cli({"check", "--config", strip.string(), f.string()});
  EXPECT_EQ(r.code, 0) << "a warning, not an error: " << r.err;
  const auto at = r.err.find(f.string() + ":7:1: warning: s/hurried: on a 1920x160 strip this slogan scrolls and needs ");
  ASSERT_NE(at, std::string::npos) << r.err;
  // The duration it needs: the pass at twice the normal speed, whole seconds.
  auto lines = cli({"check", "--lines", "--json", "--config", strip.string(), f.string()});
  ASSERT_EQ(lines.code, 0) << lines.err;
  std::istringstream in(lines.out);
  std::vector<nlohmann::json> got;
  for (std::string l; std::getline(in, l);) got.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(got.size(), 3u) << lines.out;
  EXPECT_FALSE(got[0]["scrolls"].get<bool>());
  EXPECT_FALSE(got[0].contains("pass_s"));
  ASSERT_TRUE(got[1]["scrolls"].get<bool>()) << got[1].dump();
  EXPECT_FALSE(got[1]["pass_fits"].get<bool>());
  EXPECT_EQ(got[1]["duration_s"], 12.0);
  const double at_most = got[1]["pass_s"].get<double>();  // at twice the normal speed
  EXPECT_GT(at_most, 12.0);
  const std::string need = std::to_string(static_cast<int>(std::ceil(at_most)));
  EXPECT_NE(r.err.find("needs " + need + " s for one full pass even at twice the normal speed, but it shows for 12 s",
                       at),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("set its duration to at least \"" + need + "s\", or shorten it or split it", at),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("s/leisurely"), std::string::npos) << "two minutes are enough: " << r.err;
  EXPECT_EQ(r.err.find("s/short"), std::string::npos) << r.err;
  EXPECT_TRUE(got[2]["pass_fits"].get<bool>()) << got[2].dump();
  EXPECT_GT(got[2]["pass_s"].get<double>(), at_most * 3 / 2) << "at the normal speed, not hurried";
  EXPECT_LE(got[2]["pass_s"].get<double>(), 120.0);
  // Not a strip: nothing scrolls, nothing to warn about.
  auto wide = cli({"check", f.string()});
  EXPECT_EQ(wide.err.find("s/hurried"), std::string::npos) << wide.err;
  // The same warning in check --lines.
  EXPECT_NE(lines.err.find("s/hurried: on a 1920x160 strip"), std::string::npos) << lines.err;
}

// `check --lines` prints the header title too, for a campaign whose layout has a
// header band: the band's size, the title's box and size, its one line, or that it
// scrolls; a campaign without a header band prints none.
TEST(Cli, CheckLinesPrintsTheHeaderTitle) {
  TempDir t;
  const fs::path f = t.write("a.toml",
                             "[campaign]\nid = \"h\"\ntitle = \"安全生产月\"\n[layout]\nheader = 10\n"
                             "[header]\ntitle = \"2024年“安全生产月”\"\n"
                             "[[item]]\nid = \"theme\"\ntype = \"slogan\"\ntext = \"人人讲安全、个个会应急\"\n");
  const fs::path longer = t.write("b.toml",
                                  "[campaign]\nid = \"long\"\ntitle = \"2024年“安全生产月”暨“安全宣传咨询日”"
                                  "活动：人人讲安全、个个会应急，畅通生命通道，平安回家\"\n[header]\n"
                                  "[[item]]\nid = \"theme\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n");
  const fs::path none = t.write("c.toml",
                                "[campaign]\nid = \"plain\"\n"
                                "[[item]]\nid = \"theme\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n");
  auto r = cli({"check", "--lines", "--json", f.string(), longer.string(), none.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<nlohmann::json> got;
  for (std::string l; std::getline(in, l);) got.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(got.size(), 5u) << r.out;
  const auto& h = got[0];
  EXPECT_EQ(h["item"], "h/header") << h.dump();
  EXPECT_TRUE(h["header"].get<bool>());
  EXPECT_EQ(h["line"], 7) << "where [header] title is written";
  EXPECT_EQ(h["zone"], nlohmann::json::array({1920, 108})) << "10 % of 1080";
  EXPECT_EQ(h["lines"], nlohmann::json::array({"2024年“安全生产月”"}));
  EXPECT_FALSE(h["scrolls"].get<bool>());
  EXPECT_GT(h["font_px"].get<int>(), 108 * 45 / 100) << "the header's biggest text";
  EXPECT_LT(h["box"][0].get<int>(), 1920 * 3 / 4) << "the clock keeps its place at the right";
  EXPECT_EQ(got[1]["item"], "h/theme");
  EXPECT_EQ(got[1]["zone"], nlohmann::json::array({1920, 1080 - 108}));
  const auto& lh = got[2];
  EXPECT_EQ(lh["item"], "long/header") << lh.dump();
  EXPECT_EQ(lh["line"], 3) << "the campaign's title, [header] has none";
  EXPECT_TRUE(lh["scrolls"].get<bool>()) << lh.dump();
  EXPECT_EQ(lh["lines"].size(), 1u) << "never wrapped";
  EXPECT_GT(lh["font_px"].get<int>(), 108 * 45 / 100) << "scrolling at the band's full size";
  EXPECT_EQ(got[3]["item"], "long/theme");
  EXPECT_EQ(got[4]["item"], "plain/theme") << "no header band, no header line";
  // Text: the same, and in portrait the band is 10 % of 1920.
  auto text = cli({"check", "--lines", "--size", "1080x1920", f.string(), longer.string()});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find(f.string() + ":7: h/header: zone 1080x192, title box "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("\n    2024年“安全生产月”\n"), std::string::npos) << text.out;
  const auto long_at = text.out.find("long/header: zone 1080x192");
  ASSERT_NE(long_at, std::string::npos) << text.out;
  EXPECT_NE(text.out.find("(one line, scrolls)", long_at), std::string::npos) << text.out;
}

// `preview --at` inside a video's slot shows the frame of that instant (4.22 s into
// the slot: the frame at 4.2 s of a 25 fps clip), compared with that frame as FFmpeg
// decodes it, and it is the best match among frames around it.
TEST(Preview, InsideAVideoShowsTheFrameOfThatInstant) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  const fs::path clip = t.path() / "media/clip.mp4";
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=320x180:rate=25 -t 6 -g 50 "
                                "-c:v libx264 -preset ultrafast -pix_fmt yuv420p", clip));
  t.write("p.toml",
          "[campaign]\nid = \"c\"\n[[item]]\nid = \"v\"\ntype = \"video\"\nfile = \"media/clip.mp4\"\n"
          "duration = \"6s\"\nmute = true\n");
  const fs::path out = t.path() / "preview.png";
  auto r = cli({"preview", "--playlists", t.path().string(), "--at", "2024-06-16T10:00:04.220+08:00", "--out",
                out.string(), "--size", "320x180"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto got = decode_image(out, 64'000'000);
  ASSERT_TRUE(got.ok()) << got.error().what();
  auto frame = [&](const std::string& at) {
    const fs::path png = t.path() / ("frame-" + at + ".png");
    EXPECT_EQ(std::system(("ffmpeg -loglevel error -y -ss " + at + " -i " + clip.string() + " -frames:v 1 " +
                           png.string()).c_str()),
              0);
    auto img = decode_image(png, 64'000'000);
    EXPECT_TRUE(img.ok()) << img.error().what();
    return img.ok() ? test::compare(*got, *img).mean : 255.0;
  };
  const double right = frame("4.2");
  EXPECT_LT(right, 3.0);
  for (const char* other : {"0", "3.0", "4.0", "4.4", "5.0"}) {
    EXPECT_LT(right, frame(other)) << "closer to the frame at " << other << " s";
  }
}

TEST(Preview, NothingToPlayShowsTheIdleScreenNotBlack) {
  TempDir t;
  const fs::path out = t.path() / "idle.png";
  auto r = cli({"preview", "--playlists", t.path().string(), "--at", "2024-06-16T10:00+08:00",
                "--out", out.string(), "--size", "320x180"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("idle screen (The playlist folder has no playlists (.toml files))"), std::string::npos)
      << r.err;
  auto gone = cli({"--lang", "zh", "preview", "--playlists", (t.path() / "gone").string(), "--at",
                   "2024-06-16T10:00+08:00", "--out", out.string(), "--size", "320x180"});
  EXPECT_NE(gone.err.find("idle screen (播放列表文件夹不存在或无法读取)"), std::string::npos) << gone.err;
  auto img = decode_image(out, 64'000'000);
  ASSERT_TRUE(img.ok());
  size_t black = 0;
  for (size_t i = 0; i + 3 < img->rgba.size(); i += 4) {
    if (img->rgba[i] < 8 && img->rgba[i + 1] < 8 && img->rgba[i + 2] < 8) ++black;
  }
  EXPECT_EQ(black, 0u);
}

TEST(Play, HeadlessPlaysAndStops) {
  auto r = cli({"play", "--headless", "--playlists", (kSource / "playlists").string(), "--media",
                (kSource / "assets").string(), "--size", "640x360", "--exit-after", "1500ms", "--no-journal",
                "--clock", "2024-06-16T10:00:19+08:00"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("first frame after"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("show 2024-safety-month/"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("+08:00"), std::string::npos) << "records keep the offset: " << r.err;
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A simulated morning of the consultation day, a minute of schedule per second.
TEST(Play, SimulatedDayLeavesAVerifiableJournalAndReport) {
  TempDir t;
  const fs::path journal = t.path() / "journal";
  auto r = cli({"play", "--headless", "--playlists", (kSource / "playlists").string(), "--media",
                (kSource / "assets").string(), "--size", "320x180", "--journal", journal.string(),
                "--clock", "2024-06-16T07:59:30+08:00", "--speed", "60", "--exit-after", "3s"});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string day = read_all(journal / "2024-06-16.jsonl");
  EXPECT_NE(day.find("\"type\":\"start\""), std::string::npos);
  EXPECT_NE(day.find("\"type\":\"playlist_applied\""), std::string::npos);
  EXPECT_NE(day.find("\"type\":\"play\""), std::string::npos);
  EXPECT_NE(day.find("\"campaign\":\"2024-safety-month\""), std::string::npos) << "08:00 reached";
  EXPECT_NE(day.find("\"evidence\":\"shots/2024-06-16/"), std::string::npos);
  EXPECT_NE(day.find("\"type\":\"stop\""), std::string::npos);

  auto v = cli({"verify", journal.string()});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  const fs::path html = t.path() / "report.html";
  auto rep = cli({"report", journal.string(), "--from", "2024-06-01", "--to", "2024-06-30", "--format", "html",
                  "--out", html.string()});
  ASSERT_EQ(rep.code, 0) << rep.err;
  const std::string page = read_all(html);
  EXPECT_NE(page.find("<svg"), std::string::npos);
  EXPECT_NE(page.find("2024年安全生产月"), std::string::npos);
  EXPECT_NE(page.find("data:image/jpeg;base64,"), std::string::npos) << "evidence thumbnails embedded";
  const fs::path csv = t.path() / "report.csv";
  ASSERT_EQ(cli({"report", journal.string(), "--from", "2024-06-01", "--to", "2024-06-30", "--format", "csv",
                 "--out", csv.string()}).code, 0);
  EXPECT_EQ(read_all(csv).rfind("\xEF\xBB\xBF", 0), 0u) << "UTF-8 BOM for spreadsheets";

  // Restart on the same journal: the chain continues.
  r = cli({"play", "--headless", "--playlists", (kSource / "playlists").string(), "--media",
           (kSource / "assets").string(), "--size", "320x180", "--journal", journal.string(), "--clock",
           "2024-06-16T09:00:00+08:00", "--speed", "60", "--exit-after", "1s"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(cli({"verify", journal.string()}).code, 0);
  // Tampering is caught.
  std::string text = read_all(journal / "2024-06-16.jsonl");
  const auto at = text.find("\"outcome\":\"complete\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 22, "\"outcome\":\"completE\"");
  std::ofstream(journal / "2024-06-16.jsonl", std::ios::binary) << text;
  auto broken = cli({"verify", journal.string()});
  EXPECT_EQ(broken.code, 1);
  EXPECT_NE(broken.err.find("2024-06-16.jsonl"), std::string::npos) << broken.err;
}

// The disk fills up in the middle of playing: the error is said once, the screen
// goes on, and once there is room again the journal goes on, still verifiable.
TEST(Play, FullDiskMidRunKeepsPlayingAndRecovers) {
  TempDir t;
  const fs::path journal = t.path() / "journal";
  FaultyEnv io(real_env());
  io.fail_appends_after(1500);  // start records fit, the plays do not
  t.write("p.toml", "[campaign]\nid = \"c\"\n[defaults]\nduration = \"1s\"\ntransition = \"cut\"\n"
                    "[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全第一\"\n"
                    "[[item]]\nid = \"b\"\ntype = \"slogan\"\ntext = \"预防为主\"\n");
  PlayOptions o;
  o.config.mode = DisplayMode::headless;
  o.config.width = 160;
  o.config.height = 90;
  o.config.playlists = t.path();
  o.journal_dir = journal;
  o.journal_io = &io;
  o.watch = false;
  o.exit_after = std::chrono::milliseconds(4000);
  auto zone = fixed_offset_zone(std::chrono::hours(8));
  const SystemClock real;
  const SimulatedClock clock(real, *parse_iso8601("2024-06-16T10:00:00+08:00", *zone), 4.0);  // 16 s in 4 s
  LoadOptions lo;
  lo.media_root = t.path();
  std::ostringstream log;
  // Room again some items after the disk filled up (however long start-up took).
  std::thread fix([&io] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (io.failed_appends() == 0 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    io.clear_faults();
  });
  const int code = play(o, load_playlist_folder(t.path(), lo), clock, *zone, log);
  fix.join();
  EXPECT_EQ(code, 0);
  const std::string text = log.str();
  EXPECT_NE(text.find("No space left on device"), std::string::npos) << text;
  EXPECT_NE(text.find("the journal is written again"), std::string::npos) << text;
  EXPECT_GT(std::count(text.begin(), text.end(), '\n'), 8) << "items kept switching: " << text;
  EXPECT_EQ(cli({"verify", journal.string()}).code, 0);
  EXPECT_NE(read_all(journal / "2024-06-16.jsonl").find("\"type\":\"stop\""), std::string::npos);
}

// Across midnight: two day files, one chain.
TEST(Play, SimulatedMidnightChainsTwoDays) {
  TempDir t;
  const fs::path journal = t.path() / "journal";
  auto r = cli({"play", "--headless", "--playlists", (kSource / "playlists").string(), "--media",
                (kSource / "assets").string(), "--size", "160x90", "--journal", journal.string(),
                // 90 s of clock (1.5 s real) before midnight: room for a slow start
                // (sanitizers, a loaded machine) before the first record.
                "--clock", "2024-06-16T23:58:30+08:00", "--speed", "60", "--exit-after", "4s"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("T00:0"), std::string::npos) << "past midnight: " << r.err;
  ASSERT_TRUE(fs::exists(journal / "2024-06-16.jsonl"));
  ASSERT_TRUE(fs::exists(journal / "2024-06-17.jsonl")) << r.err;
  auto v = cli({"verify", journal.string()});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("2 day files"), std::string::npos) << v.out;
}

// The kiosk's log and verify's summary in Chinese (--lang zh), the journal's records
// in English: they are read by programs (report, the central log), not by people.
TEST(Play, LogAndVerifyInChinese) {
  TempDir t;
  const fs::path journal = t.path() / "journal";
  auto r = cli({"play", "--lang", "zh", "--headless", "--playlists", (kSource / "playlists").string(), "--media",
                (kSource / "assets").string(), "--size", "160x90", "--journal", journal.string(), "--clock",
                "2024-06-16T10:00:00+08:00", "--exit-after", "1200ms"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("+08:00 播放 "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("，至 2024-06-16T"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("个活动，播放日志 "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("signage: 已停止"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(" show "), std::string::npos) << r.err;
  const fs::path day = journal / "2024-06-16.jsonl";
  const std::string records = read_all(day);
  EXPECT_NE(records.find("\"type\":\"start\""), std::string::npos) << records;
  EXPECT_EQ(records.find("播放 "), std::string::npos) << records;

  auto v = cli({"verify", "--lang", "zh", journal.string()});
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find(": 完好：1 个日文件共 "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("张取证截图一致"), std::string::npos) << v.out;
  EXPECT_EQ(v.out.find("intact"), std::string::npos) << v.out;

  // One record edited by hand: said in Chinese, the position first.
  std::string edited = records;
  const auto screen = edited.find("\"screen\":\"");
  ASSERT_NE(screen, std::string::npos);
  edited[screen + 10] = edited[screen + 10] == 'x' ? 'y' : 'x';
  std::ofstream(day, std::ios::binary | std::ios::trunc) << edited;
  auto bad = cli({"verify", "--lang", "zh", journal.string()});
  EXPECT_EQ(bad.code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("2024-06-16.jsonl:1: 第 1 行写入后被修改过"), std::string::npos) << bad.err;
  auto en = cli({"verify", "--lang", "en", journal.string()});
  EXPECT_NE(en.err.find("2024-06-16.jsonl:1: line 1 was changed after it was written"), std::string::npos) << en.err;
}

TEST(Play, UnwritableJournalStillPlays) {
  TempDir t;
  const auto not_a_dir = t.write("journal", "a file where the journal folder should be");
  auto r = cli({"play", "--headless", "--playlists", (kSource / "playlists").string(), "--media",
                (kSource / "assets").string(), "--size", "320x180", "--journal", not_a_dir.string(),
                "--exit-after", "500ms"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("journal unavailable"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("first frame after"), std::string::npos) << r.err;
}

TEST(Play, CorruptMediaIsSkippedAndRecorded) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  // A header that lies (held back before it is ever tried) ...
  t.write("media/truncated.png", "\x89PNG\r\n\x1a\n but not really");
  // ... and a good header over corrupt pixel data (fails when decoded: skipped).
  Image img;
  img.width = img.height = 64;
  img.rgba.assign(64 * 64 * 4, 90);
  for (size_t i = 0; i < img.rgba.size(); ++i) img.rgba[i] = static_cast<std::uint8_t>(i * 7 % 251);
  ASSERT_TRUE(write_png(img, t.path() / "media/corrupt.png").ok());
  {
    std::fstream f(t.path() / "media/corrupt.png", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    const std::string junk(200, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  t.write("one.toml",
          "[campaign]\nid = \"c\"\n"
          "[[item]]\nid = \"truncated\"\ntype = \"image\"\nfile = \"media/truncated.png\"\n"
          "[[item]]\nid = \"broken\"\ntype = \"image\"\nfile = \"media/corrupt.png\"\n"
          "[[item]]\nid = \"ok\"\ntype = \"slogan\"\ntext = \"安全第一\"\n");
  const fs::path journal = t.path() / "journal";
  auto r = cli({"play", "--headless", "--playlists", t.path().string(), "--size", "320x180", "--journal",
                journal.string(), "--clock", "2024-06-16T10:00:00+08:00", "--exit-after", "1500ms"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("held back c/truncated"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("skip c/broken"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("show c/ok"), std::string::npos) << r.err;
  const std::string day = read_all(journal / "2024-06-16.jsonl");
  EXPECT_NE(day.find("\"held_back\":true"), std::string::npos) << day;
  EXPECT_NE(day.find("\"type\":\"media_error\""), std::string::npos) << day;
  EXPECT_NE(day.find("\"outcome\":\"skipped\""), std::string::npos) << day;
  EXPECT_EQ(cli({"verify", journal.string()}).code, 0);
}

// A 2 s H.264 MP4 with a good header, then junk where every picture should be.
void make_damaged_video(const fs::path& bad) {
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=320x180:rate=30 -t 2 -c:v libx264 "
                                "-pix_fmt yuv420p -movflags +faststart", bad));
  std::string bytes = read_all(bad);
  const auto mdat = bytes.find("mdat");
  ASSERT_NE(mdat, std::string::npos);
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(mdat + 8), bytes.end(), '\x5a');
  std::ofstream(bad, std::ios::binary | std::ios::trunc) << bytes;
}

// The next item is prepared while the current one shows; a video that turns out to
// be damaged is found out then, so the item after it still starts on time.
TEST(Play, DamagedVideoPreparedAheadDoesNotDelayTheNextItem) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  const fs::path bad = t.path() / "media/bad.mp4";
  ASSERT_NO_FATAL_FAILURE(make_damaged_video(bad));
  t.write("p.toml",
          "[campaign]\nid = \"c\"\n[defaults]\nduration = \"1s\"\n"
          "[[item]]\nid = \"first\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\nduration = \"3s\"\n"
          "[[item]]\nid = \"broken\"\ntype = \"video\"\nfile = \"media/bad.mp4\"\n"
          "[[item]]\nid = \"after\"\ntype = \"slogan\"\ntext = \"个个会应急\"\n");
  const fs::path journal = t.path() / "journal";
  auto r = cli({"play", "--headless", "--playlists", t.path().string(), "--size", "160x90", "--journal",
                journal.string(), "--clock", "2024-06-16T10:00:00+08:00", "--exit-after", "3800ms"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto skip = r.err.find("skip c/broken: ");
  const auto after = r.err.find("show c/after");
  ASSERT_NE(skip, std::string::npos) << r.err;
  ASSERT_NE(after, std::string::npos) << r.err;
  EXPECT_LT(skip, after) << r.err;
  EXPECT_NE(r.err.find("bad.mp4", skip), std::string::npos) << r.err;
  // Found out while "first" was on screen (3 s: time enough for the background
  // preparation even on a loaded or sanitized build): "after" starts at the
  // boundary, not after a wait for the damaged file.
  const auto line = r.err.rfind('\n', after);
  EXPECT_NE(r.err.substr(line + 1, 24).find("2024-06-16T10:00:03.0"), std::string::npos) << r.err;
  const std::string day = read_all(journal / "2024-06-16.jsonl");
  EXPECT_NE(day.find("\"type\":\"media_error\""), std::string::npos) << day;
}

// A damaged video in the log: a few lines of ours ("signage: ffmpeg: h264: ...", the
// repeats counted, each decoder fallback once), never FFmpeg's own "[h264 @ 0x...]"
// flood or the hardware probing's "Cannot load libcuda.so.1" on a line of its own.
TEST(Play, DamagedVideoIsAFewLinesOfOursInTheLog) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  const fs::path bad = t.path() / "media/bad.mp4";
  ASSERT_NO_FATAL_FAILURE(make_damaged_video(bad));
  t.write("p.toml",
          "[campaign]\nid = \"c\"\n[defaults]\nduration = \"1s\"\n"
          "[[item]]\nid = \"first\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n"
          "[[item]]\nid = \"broken\"\ntype = \"video\"\nfile = \"media/bad.mp4\"\n"
          "[[item]]\nid = \"after\"\ntype = \"slogan\"\ntext = \"个个会应急\"\n");
  auto r = run_binary("SDL_AUDIODRIVER=dummy", "play --headless --no-journal --playlists '" + t.path().string() +
                                                   "' --size 160x90 --clock 2024-06-16T10:00:00+08:00 "
                                                   "--exit-after 1800ms");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("skip c/broken: "), std::string::npos) << r.out;
  std::istringstream lines(r.out);
  std::map<std::string, int> per_kind;  // FFmpeg's message without its numbers -> lines
  int counts = 0, fallbacks = 0, all = 0;
  for (std::string line; std::getline(lines, line);) {
    ++all;
    EXPECT_NE(line.rfind("[", 0), 0u) << "FFmpeg's own line: " << line;
    EXPECT_TRUE(line.rfind("signage", 0) == 0 || line.rfind("2024-06-16T", 0) == 0 || line.rfind("first frame", 0) == 0)
        << "not a line of ours: " << line;
    EXPECT_EQ(line.find("ALSA"), std::string::npos) << line;
    if (line.rfind("signage: video bad.mp4: ", 0) == 0) ++fallbacks;
    if (line.rfind("signage: ffmpeg: ", 0) != 0) continue;
    if (line.find(" more times: ") != std::string::npos) {
      ++counts;
      continue;
    }
    std::string kind = line;
    std::erase_if(kind, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    ++per_kind[kind];
  }
  ASSERT_FALSE(per_kind.empty()) << "what FFmpeg said is in the log, in our lines: " << r.out;
  for (const auto& [kind, n] : per_kind) EXPECT_LE(n, 3) << kind << "\n" << r.out;
  EXPECT_GE(counts, 1) << "the hundreds of repeats are counted: " << r.out;
  EXPECT_LE(all, 40) << r.out;
  EXPECT_LE(fallbacks, 5) << "one line per decoder fallback at most: " << r.out;
}

// No sound device is opened while nothing plays sound (slogans, a muted video), and a
// box without one says so once, in our words, however many videos have sound.
TEST(Play, SoundDeviceOnlyForSoundAndItsAbsenceSaidOnce) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=320x180:rate=25:d=1 -f lavfi -i sine=f=440:d=1 "
                                "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest",
                                t.path() / "media/psa.mp4"));
  const auto run = [&](bool muted) {
    t.write("p.toml", std::string("[campaign]\nid = \"c\"\n[defaults]\nduration = \"1s\"\n") +
                          "[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n"
                          "[[item]]\nid = \"v1\"\ntype = \"video\"\nfile = \"media/psa.mp4\"\nmute = " +
                          (muted ? "true" : "false") +
                          "\n[[item]]\nid = \"v2\"\ntype = \"video\"\nfile = \"media/psa.mp4\"\nmute = " +
                          (muted ? "true" : "false") + "\n");
    return run_binary("SDL_AUDIODRIVER=no-such-driver",
                      "play --headless --no-journal --playlists '" + t.path().string() +
                          "' --size 160x90 --clock 2024-06-16T10:00:00+08:00 --exit-after 3500ms");
  };
  const auto count = [](const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  auto quiet = run(true);
  ASSERT_EQ(quiet.code, 0) << quiet.out;
  EXPECT_GE(count(quiet.out, " show c/v"), 2) << quiet.out;
  EXPECT_EQ(count(quiet.out, "sound"), 0) << "muted videos never open audio: " << quiet.out;
  auto loud = run(false);
  ASSERT_EQ(loud.code, 0) << loud.out;
  EXPECT_GE(count(loud.out, " show c/v"), 2) << loud.out;
  EXPECT_EQ(count(loud.out, "signage: no sound: "), 1) << loud.out;
  EXPECT_EQ(count(loud.out, "sound"), 1) << loud.out;
}

// A player started 4.2 s (and a little more: its own start) into a video's slot joins
// the video there (5.8 s of its 10 s slot left: more than the 3 s a showing needs to
// start at all): the first frame it presents is the one its slot shows at that
// moment, within a frame, and the present log says so, one line per present.
TEST(Play, JoinedVideoPresentsTheFrameOfItsSlotInThePresentLog) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=320x180:rate=30 -t 10 -g 60 "
                                "-c:v libx264 -preset ultrafast -pix_fmt yuv420p",
                                t.path() / "media/clip.mp4"));
  t.write("p.toml",
          "[campaign]\nid = \"c\"\n[[item]]\nid = \"v\"\ntype = \"video\"\nfile = \"media/clip.mp4\"\n"
          "duration = \"10s\"\nmute = true\n");
  const fs::path log = t.path() / "present.csv";
  auto r = cli({"play", "--headless", "--no-journal", "--playlists", t.path().string(), "--size", "160x90",
                "--clock", "2024-06-16T10:00:04.200+08:00", "--exit-after", "1500ms", "--present-log",
                log.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  // "2024-06-16T10:00:04.457+08:00 show c/v until ...": the slot began at 10:00:00.
  const auto show = r.err.find(" show c/v");
  ASSERT_NE(show, std::string::npos) << r.err;
  const std::string stamp = r.err.substr(show - 29, 29);
  const double shown_at_ms = std::stod(stamp.substr(17, 2)) * 1000 + std::stod(stamp.substr(20, 3));
  ASSERT_GT(shown_at_ms, 4200) << stamp;
  std::ifstream in(log);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "unix_ms,campaign/item,position_ms");
  std::vector<std::pair<double, double>> presents;  // unix ms, position ms
  while (std::getline(in, line)) {
    const auto a = line.find(','), b = line.rfind(',');
    ASSERT_NE(a, b) << line;
    EXPECT_EQ(line.substr(a + 1, b - a - 1), "c/v");
    ASSERT_LT(b + 1, line.size()) << line;  // a video: a position
    presents.emplace_back(std::stod(line.substr(0, a)), std::stod(line.substr(b + 1)));
  }
  ASSERT_GT(presents.size(), 10u);
  // The log's time is read before the view's first update, which comes after the
  // joined video was prepared (seek, decode forward): the frame shown is that of the
  // later moment, never an earlier one, and a frame before it would mean no join.
  EXPECT_GE(presents.front().second, shown_at_ms - 34.0) << "shown at " << stamp;
  EXPECT_LE(presents.front().second, shown_at_ms + 500.0) << "shown at " << stamp;  // a loaded box
  // And on from there with the wall clock (from the sixth present: the process's very
  // first present is slow, and logged when it is done).
  const auto& [t0, p0] = presents[5];
  const auto& [t1, p1] = presents.back();
  EXPECT_NEAR(p1 - p0, t1 - t0, 50.0);
}

// The ticker runs on across item switches (items of 1 s, a pass takes about 2 s of
// clock time) and each complete pass of each text is a play record of the ticker.
TEST(Play, EachTickerPassIsAPlayRecordAcrossItemSwitches) {
  TempDir t;
  t.write("month.toml",
          "[campaign]\nid = \"2024-safety-month\"\ntitle = \"2024年安全生产月\"\n"
          "[defaults]\nduration = \"1s\"\ntransition = \"cut\"\n"
          "[[item]]\nid = \"theme\"\ntype = \"slogan\"\ntext = \"人人讲安全、个个会应急\"\n"
          "[[item]]\nid = \"exits\"\ntype = \"slogan\"\ntext = \"畅通生命通道\"\n"
          "[ticker]\nid = \"hotlines\"\nspeed = 200\n"
          "text = [\"举报电话 12350\", \"火警 119\"]\n");
  const fs::path journal = t.path() / "journal";
  auto r = cli({"play", "--headless", "--playlists", t.path().string(), "--size", "320x180", "--journal",
                journal.string(), "--clock", "2024-06-16T10:00:00+08:00", "--speed", "10", "--exit-after",
                "2500ms"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream in(journal / "2024-06-16.jsonl");
  int passes = 0, item_plays = 0;
  std::set<std::string> texts;
  std::string line, last_end;
  for (std::string l; std::getline(in, l);) {
    const auto j = nlohmann::json::parse(l);
    if (j["type"] != "play") continue;
    if (j["item_type"] != "ticker") {
      ++item_plays;
      continue;
    }
    ++passes;
    EXPECT_EQ(j["item"], "hotlines");
    EXPECT_EQ(j["campaign"], "2024-safety-month");
    EXPECT_EQ(j["outcome"], "complete");
    EXPECT_GT(j["shown_s"].get<double>(), 1.0);
    EXPECT_EQ(j["shown_s"], j["planned_s"]);
    texts.insert(j["text"].get<std::string>());
    // In the order they ended.
    EXPECT_LE(last_end, j["end"].get<std::string>());
    last_end = j["end"].get<std::string>();
  }
  EXPECT_GE(item_plays, 5) << "items switched under the ticker";
  EXPECT_GE(passes, 4);
  EXPECT_EQ(texts, (std::set<std::string>{"举报电话 12350", "火警 119"}));
  EXPECT_EQ(cli({"verify", journal.string()}).code, 0);
}

// A running ticker presents continuously at [display] fps, no faster; without one a
// static slogan presents once and sleeps.
TEST(Play, TickerPresentsAtTheConfiguredRateAndAStaticScreenSleeps) {
  TempDir t;
  const std::string slogan =
      "[campaign]\nid = \"c\"\n[[item]]\nid = \"theme\"\ntype = \"slogan\"\n"
      "text = \"人人讲安全、个个会应急\"\nduration = \"1h\"\n";
  fs::create_directories(t.path() / "static");
  fs::create_directories(t.path() / "ticker");
  t.write("static/c.toml", slogan);
  t.write("ticker/c.toml", slogan + "[ticker]\ntext = \"举报电话 12350\"\n");
  const fs::path cfg = t.write("signage.toml", "[display]\nmode = \"headless\"\nsize = \"320x180\"\nfps = 30\n");
  auto frames = [&](const std::string& folder) {
    const fs::path stats = t.path() / (folder + ".json");
    auto r = cli({"play", "--config", cfg.string(), "--playlists", (t.path() / folder).string(), "--no-journal",
                  "--exit-after", "2s", "--stats", stats.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(read_all(stats))["frames_presented"].get<int>();
  };
  const int moving = frames("ticker");
  EXPECT_GE(moving, 20) << "about 60 in 2 s at 30 fps; fewer on a loaded machine";
  EXPECT_LE(moving, 66) << "not faster than the configured 30 fps";
  EXPECT_LE(frames("static"), 3) << "a static slogan presents once, then sleeps";
}

// On an LED strip ([display] region of the output) a slogan too long for one
// legible line scrolls: the player presents at [display] fps; one that fits is
// static and sleeps.
TEST(Play, StripSloganTooLongScrollsAtTheConfiguredRate) {
  TempDir t;
  auto slogan = [](const std::string& text) {
    return "[campaign]\nid = \"c\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"" + text +
           "\"\nduration = \"1h\"\n";
  };
  const std::string sentence = "进入施工现场必须佩戴安全帽，高处作业必须系好安全带，严禁酒后上岗，发现隐患及时报告。";
  fs::create_directories(t.path() / "long");
  fs::create_directories(t.path() / "short");
  t.write("long/c.toml", slogan(sentence + sentence + sentence));
  t.write("short/c.toml", slogan("安全第一、预防为主、综合治理"));
  const fs::path cfg = t.write("signage.toml", "[display]\nmode = \"headless\"\nsize = \"640x400\"\n"
                                               "region = \"0,0,640x64\"\nfps = 30\n");
  auto frames = [&](const std::string& folder) {
    const fs::path stats = t.path() / (folder + ".json");
    auto r = cli({"play", "--config", cfg.string(), "--playlists", (t.path() / folder).string(), "--no-journal",
                  "--exit-after", "2s", "--stats", stats.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(read_all(stats))["frames_presented"].get<int>();
  };
  const int moving = frames("long");
  EXPECT_GE(moving, 20) << "about 60 in 2 s at 30 fps; fewer on a loaded machine";
  EXPECT_LE(moving, 66) << "not faster than the configured 30 fps";
  EXPECT_LE(frames("short"), 3) << "a strip slogan that fits presents once, then sleeps";
}

// A present log (--present-log): unix_ms, campaign/item, position_ms per presented
// frame (position empty for items that are not videos).
struct Present {
  double unix_ms = 0;
  std::string item;
  std::optional<double> position_ms;
};
std::vector<Present> read_present_log(const fs::path& file) {
  std::vector<Present> out;
  std::istringstream in(read_all(file));
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    const auto a = line.find(','), b = line.rfind(',');
    if (a == std::string::npos || a == b) continue;
    Present p;
    p.unix_ms = std::stod(line.substr(0, a));
    p.item = line.substr(a + 1, b - a - 1);
    if (b + 1 < line.size()) p.position_ms = std::stod(line.substr(b + 1));
    out.push_back(std::move(p));
  }
  return out;
}

// Screens in step: two players on one box, the second started 1.3 s after the first
// (so it joins the video part-way into its slot), present the same frame at the same
// wall time. Sampled every 5 ms where both show the video, the media positions they
// present differ by at most 1.5 frame periods (50 ms at 30 fps) at the 95th percentile.
//
// The 20 s slots of an always-on campaign run from the Unix epoch. A player that
// starts with less than 3 s of a slot left does not start that slot's showing (no
// flashes): it holds the next showing's first frame until that slot begins. So that
// the second player joins part-way in (what is under test), both start early enough
// in a slot; the hold is tested by NoFlash tests.
TEST(Sync, TwoPlayersStartedApartPresentTheSameFrame) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=320x180:rate=30 -t 20 -g 60 "
                                "-c:v libx264 -preset ultrafast -pix_fmt yuv420p",
                                t.path() / "media/clip.mp4"));
  t.write("p.toml",
          "[campaign]\nid = \"c\"\n[defaults]\ntransition = \"cut\"\n[[item]]\nid = \"v\"\ntype = \"video\"\n"
          "file = \"media/clip.mp4\"\nduration = \"20s\"\nmute = true\n");
  auto args = [&](const char* name, const char* exit_after) {
    return std::vector<std::string>{"play", "--headless", "--no-journal", "--size", "160x90", "--playlists",
                                    t.path().string(), "--exit-after", exit_after, "--present-log",
                                    (t.path() / (std::string(name) + ".csv")).string()};
  };
  {
    // The first starts at most 12 s into a slot: the second, 1.3 s later and up to
    // a few seconds slow to start on a loaded machine, still has more than 3 s left.
    const auto phase = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()) %
                       std::chrono::milliseconds(20'000);
    if (phase > std::chrono::milliseconds(12'000)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20'200) - phase);
    }
    test::PlayerProcess a(SIGNAGE_BINARY, args("a", "6s"), t.path() / "a.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // the 1.3 s apart under test
    test::PlayerProcess b(SIGNAGE_BINARY, args("b", "4500ms"), t.path() / "b.log");
    EXPECT_EQ(b.wait_exit(std::chrono::seconds(30)), 0) << b.log();
    EXPECT_EQ(a.wait_exit(std::chrono::seconds(30)), 0) << a.log();
  }
  const auto a = read_present_log(t.path() / "a.csv"), b = read_present_log(t.path() / "b.csv");
  ASSERT_GE(a.size(), 10u);
  ASSERT_GE(b.size(), 10u);
  // The frame each shows at wall time `ms`: the last presented at or before it.
  auto at = [](const std::vector<Present>& log, double ms) -> const Present* {
    auto it = std::upper_bound(log.begin(), log.end(), ms, [](double v, const Present& p) { return v < p.unix_ms; });
    return it == log.begin() ? nullptr : &*std::prev(it);
  };
  std::vector<double> diffs;
  for (double ms = std::max(a.front().unix_ms, b.front().unix_ms) + 500; ms < std::min(a.back().unix_ms, b.back().unix_ms);
       ms += 5) {
    const Present *pa = at(a, ms), *pb = at(b, ms);
    if (pa && pb && pa->item == "c/v" && pb->item == "c/v" && pa->position_ms && pb->position_ms) {
      // Positions on the 20 s slot's circle: at a slot boundary one player may
      // present the last frame of a showing while the other presents the first of
      // the next, which is one frame apart, not 20 s.
      const double d = std::abs(*pa->position_ms - *pb->position_ms);
      diffs.push_back(std::min(d, std::abs(20000.0 - d)));
    }
  }
  ASSERT_GE(diffs.size(), 200u) << "both showed the video for at least a second together";
  std::sort(diffs.begin(), diffs.end());
  const double p95 = diffs[diffs.size() * 95 / 100];
  EXPECT_LE(p95, 1.5 * 1000.0 / 30) << "p50 " << diffs[diffs.size() / 2] << " ms, max " << diffs.back() << " ms over "
                                    << diffs.size() << " samples";
}

// A player that starts with less than 3 s of a video's slot left does not start
// that showing (no flashes): it puts up the next showing's first frame and holds it
// until that slot begins, so that from then on it is in step with the grid (and
// with every other screen), not 3 s ahead of it. Positions follow the grid: the
// 20 s slots of an always-on campaign run from the Unix epoch.
TEST(Sync, APlayerStartedNearTheEndOfASlotHoldsTheNextShowingsFirstFrame) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=320x180:rate=30 -t 20 -g 60 "
                                "-c:v libx264 -preset ultrafast -pix_fmt yuv420p",
                                t.path() / "media/clip.mp4"));
  t.write("p.toml",
          "[campaign]\nid = \"c\"\n[defaults]\ntransition = \"cut\"\n[[item]]\nid = \"v\"\ntype = \"video\"\n"
          "file = \"media/clip.mp4\"\nduration = \"20s\"\nmute = true\n");
  const auto unix_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  };
  // Start 18 s into a slot (the process needs some of the 2 s left to start).
  const auto phase = unix_ms() % std::chrono::milliseconds(20'000);
  std::this_thread::sleep_for((std::chrono::milliseconds(38'000) - phase) % std::chrono::milliseconds(20'000));
  {
    test::PlayerProcess p(SIGNAGE_BINARY,
                          {"play", "--headless", "--no-journal", "--size", "160x90", "--playlists",
                           t.path().string(), "--exit-after", "5s", "--present-log",
                           (t.path() / "p.csv").string()},
                          t.path() / "p.log");
    EXPECT_EQ(p.wait_exit(std::chrono::seconds(30)), 0) << p.log();
  }
  const auto log = read_present_log(t.path() / "p.csv");
  ASSERT_GE(log.size(), 10u);
  const double first = log.front().unix_ms;
  const double boundary = std::ceil(first / 20000.0) * 20000.0;  // the next slot's start
  const bool held = boundary - first < 3000;  // started with under 3 s of the slot left
  int holding = 0;
  std::vector<double> off_grid;  // |position - time since its slot began|, in ms
  for (const auto& f : log) {
    if (f.item != "c/v" || !f.position_ms) continue;
    if (held && f.unix_ms < boundary) {
      EXPECT_LT(*f.position_ms, 50.0) << "before its slot, the next showing's first frame, at " << f.unix_ms;
      ++holding;
      continue;
    }
    if (f.unix_ms < first + 500) continue;  // a join part-way in catches up in its first frames
    const double since_slot = std::fmod(f.unix_ms, 20000.0);
    const double d = std::abs(*f.position_ms - since_slot);
    off_grid.push_back(std::min(d, 20000.0 - d));
  }
  std::cout << "first present " << (boundary - first) << " ms before the slot's end; held the first frame "
            << holding << " times\n";
  if (held) {
    EXPECT_GE(holding, 1) << "started " << (boundary - first) << " ms before the slot's end";
  }
  ASSERT_GE(off_grid.size(), 10u);
  std::sort(off_grid.begin(), off_grid.end());
  EXPECT_LE(off_grid[off_grid.size() * 95 / 100], 1.5 * 1000.0 / 30)
      << "p50 " << off_grid[off_grid.size() / 2] << " ms, max " << off_grid.back() << " ms; held: " << held;
}

// One journal, one player: a second `play` on the same journal refuses to start,
// saying which folder and which process holds it, and writes nothing into it.
TEST(Play, ASecondPlayerOnTheSameJournalRefusesToStart) {
  TempDir t;
  const fs::path journal = t.path() / "journal";
  t.write("p.toml", "[campaign]\nid = \"c\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全第一\"\n"
                    "duration = \"1h\"\n");
  const std::string args = "play --headless --size 160x90 --playlists '" + t.path().string() + "' --journal '" +
                           journal.string() + "' --clock 2024-06-16T10:00:00+08:00 --exit-after 30s";
  test::PlayerProcess first(SIGNAGE_BINARY,
                            {"play", "--headless", "--size", "160x90", "--playlists", t.path().string(), "--journal",
                             journal.string(), "--clock", "2024-06-16T10:00:00+08:00"},
                            t.path() / "first.log");
  ASSERT_TRUE(first.wait_for("show c/a", std::chrono::seconds(10))) << first.log();
  const std::string before = read_all(journal / "2024-06-16.jsonl");

  auto second = run_binary("SDL_AUDIODRIVER=dummy", args);
  EXPECT_NE(second.code, 0) << second.out;
  EXPECT_NE(second.out.find("the journal " + journal.string() + " is in use by another player (process "),
            std::string::npos)
      << second.out;
  auto zh = run_binary("SDL_AUDIODRIVER=dummy LANG=zh_CN.UTF-8", args);
  EXPECT_NE(zh.code, 0) << zh.out;
  EXPECT_NE(zh.out.find("播放日志目录 " + journal.string() + " 正被另一个播放器使用"), std::string::npos) << zh.out;
  // It refuses before it opens the display (or the sound or the fonts): with no video
  // driver that can work, the answer is still the journal's lock, not the display.
  auto no_display = run_binary("SDL_AUDIODRIVER=dummy SDL_VIDEODRIVER=no-such-driver", args);
  EXPECT_EQ(no_display.code, 1) << no_display.out;
  EXPECT_NE(no_display.out.find("the journal " + journal.string() + " is in use by another player"),
            std::string::npos)
      << no_display.out;
  EXPECT_EQ(no_display.out.find("no-such-driver"), std::string::npos) << no_display.out;
  EXPECT_EQ(read_all(journal / "2024-06-16.jsonl"), before) << "the second player wrote into the journal";

  EXPECT_EQ(first.stop(), 0) << first.log();
  const std::string day = read_all(journal / "2024-06-16.jsonl");
  std::size_t starts = 0;
  for (std::size_t at = day.find("\"type\":\"start\""); at != std::string::npos;
       at = day.find("\"type\":\"start\"", at + 1)) {
    ++starts;
  }
  EXPECT_EQ(starts, 1u) << day;
}

// The drop folder: files copied in while playing change what is on screen,
// an emergency interrupts at once and the interrupted item comes back after it.
TEST(DropFolder, LiveChangesEmergencyAndRefusalsEndInTheRightRecords) {
  TempDir t;
  const fs::path drop = t.path() / "drop";
  const fs::path journal = t.path() / "journal";
  fs::create_directories(drop);
  std::ofstream(drop / "shop.toml") << "[campaign]\nid = \"shop\"\npriority = 5\n"
                                       "[[item]]\nid = \"exits\"\ntype = \"slogan\"\n"
                                       "text = \"安全出口 严禁堵塞\"\nduration = \"1h\"\n";
  test::PlayerProcess p(SIGNAGE_BINARY,
                        {"play", "--headless", "--size", "320x180", "--playlists", drop.string(), "--journal",
                         journal.string(), "--clock", "2024-06-16T10:00:00+08:00"},
                        t.path() / "log");
  ASSERT_TRUE(p.wait_for("show shop/exits", std::chrono::seconds(10))) << p.log();

  // An emergency, copied under a temporary name and renamed into place.
  std::ofstream(drop / ".fire.toml.part") << "[campaign]\nid = \"fire-drill\"\npriority = 900\n"
                                              "[[item]]\nid = \"evacuate\"\ntype = \"slogan\"\n"
                                              "text = \"消防演练进行中\\n请有序撤离\"\nduration = \"1h\"\n";
  const auto dropped = std::chrono::steady_clock::now();
  fs::rename(drop / ".fire.toml.part", drop / "fire.toml");
  ASSERT_TRUE(p.wait_for("show fire-drill/evacuate", std::chrono::seconds(5))) << p.log();
  const auto latency = std::chrono::steady_clock::now() - dropped;
  EXPECT_LT(latency, std::chrono::milliseconds(1500)) << "settle (300 ms) + preemption";

  // A broken file is refused with its position; the emergency keeps playing.
  std::ofstream(drop / "broken.toml") << "[campaign]\nid = \"b\"\n[[item]]\nid = \"x\"\ntype = \"poster\"\n";
  ASSERT_TRUE(p.wait_for("refused", std::chrono::seconds(5))) << p.log();
  // Fixed: the log and the journal say it is taken now.
  std::ofstream(drop / "broken.toml") << "[campaign]\nid = \"b\"\npriority = 1\n[[item]]\nid = \"x\"\ntype = \"slogan\"\n"
                                         "text = \"安全\"\n";
  ASSERT_TRUE(p.wait_for("accepted " + (drop / "broken.toml").string(), std::chrono::seconds(5))) << p.log();

  // The emergency file removed: the interrupted item comes back.
  const size_t mark = p.log().size();
  fs::remove(drop / "fire.toml");
  ASSERT_TRUE(p.wait_for("show shop/exits", std::chrono::seconds(5), mark)) << p.log();
  EXPECT_EQ(p.stop(), 0) << "SIGTERM stops it cleanly";
  EXPECT_NE(p.log().find("signage: stopped"), std::string::npos);

  const std::string day = read_all(journal / "2024-06-16.jsonl");
  EXPECT_NE(day.find("interrupted by the emergency campaign 'fire-drill'"), std::string::npos) << day;
  EXPECT_NE(day.find("\"type\":\"playlist_rejected\""), std::string::npos) << day;
  EXPECT_NE(day.find("broken.toml:5:8: error: unsupported item type"), std::string::npos) << day;
  EXPECT_NE(day.find("\"reason\":\"drop folder\""), std::string::npos) << day;
  EXPECT_NE(day.find("\"item\":\"evacuate\""), std::string::npos) << day;
  const auto accepted = day.find("\"type\":\"playlist_accepted\"");
  ASSERT_NE(accepted, std::string::npos) << day;
  EXPECT_EQ(day.find("\"type\":\"playlist_accepted\"", accepted + 1), std::string::npos) << "once: " << day;
  EXPECT_EQ(cli({"verify", journal.string()}).code, 0);
}

// A box whose own zone is UTC, a screen in Shanghai ([screen] timezone): the schedule,
// the idle screen's next start, the log and the journal are in Shanghai time.
TEST(Play, AUtcBoxWithAShanghaiScreenShowsShanghaiTime) {
  struct RestoreZone {
    ~RestoreZone() {
      setenv("TZ", "Asia/Shanghai", 1);
      tzset();
    }
  } restore;
  setenv("TZ", "UTC", 1);
  tzset();
  TempDir t;
  t.write("playlists/mornings.toml",
          "[campaign]\nid = \"mornings\"\nstarts = 2024-06-16\nhours = [\"08:00-18:00\"]\n\n"
          "[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"安全\"\n");
  const auto cfg = t.write("signage.toml",
                           "[screen]\nid = \"utc-box\"\ntimezone = \"Asia/Shanghai\"\n"
                           "[paths]\nplaylists = \"playlists\"\njournal = \"journal\"\n");
  // 07:00 in Shanghai, 23:00 the day before in UTC.
  auto r = cli({"play", "--config", cfg.string(), "--headless", "--size", "320x180", "--exit-after", "1500ms",
                "--clock", "2024-06-15T23:00:00Z", "--lang", "en"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("2024-06-16T07:00:0"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" show idle screen (No campaign is scheduled now; next start: 16 June 08:00) until "
                       "2024-06-16T08:00:00.000+08:00"),
            std::string::npos)
      << r.err;
  const std::string day = read_all(t.path() / "journal" / "2024-06-16.jsonl");
  EXPECT_NE(day.find("\"type\":\"start\""), std::string::npos) << "the day file is Shanghai's: " << day;
  EXPECT_NE(day.find("\"time\":\"2024-06-16T07:00:0"), std::string::npos) << day;
  EXPECT_EQ(day.find("+00:00"), std::string::npos) << day;
}

// Video: a rotation of videos, an image and slogans, with every switch read
// back from the renderer: never a black frame, and the stats say what played.
TEST(Play, MixedRotationHasNoBlackFrameAtAnySwitch) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  const std::string gen = "-f lavfi -i testsrc2=size=320x180:rate=30 -t 2 ";
  ASSERT_TRUE(test::ffmpeg_made(gen + "-c:v libx264 -pix_fmt yuv420p", t.path() / "media/a.mp4"));
  ASSERT_TRUE(
      test::ffmpeg_made(gen + "-c:v libvpx-vp9 -b:v 200k -deadline realtime -cpu-used 8", t.path() / "media/b.webm"));
  Image banner;
  banner.width = 64;
  banner.height = 36;
  banner.rgba.assign(64 * 36 * 4, 200);
  ASSERT_TRUE(write_png(banner, t.path() / "media/banner.png").ok());
  t.write("mix.toml",
          "[campaign]\nid = \"mix\"\n[defaults]\nduration = \"1s\"\ntransition = \"fade\"\n"
          "[[item]]\nid = \"v1\"\ntype = \"video\"\nfile = \"media/a.mp4\"\nduration = \"2s\"\n"
          "[[item]]\nid = \"img\"\ntype = \"image\"\nfile = \"media/banner.png\"\n"
          "[[item]]\nid = \"s1\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n"
          "[[item]]\nid = \"v2\"\ntype = \"video\"\nfile = \"media/b.webm\"\nduration = \"2s\"\n"
          "[[item]]\nid = \"s2\"\ntype = \"slogan\"\ntext = \"个个会应急\"\nstyle = { background = \"#000000\" }\n");
  const fs::path stats = t.path() / "stats.json";
  auto r = cli({"play", "--headless", "--playlists", t.path().string(), "--size", "160x90", "--no-journal",
                "--clock", "2024-06-16T10:00:00+08:00", "--exit-after", "7500ms", "--stats", stats.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(read_all(stats));
  EXPECT_EQ(j["black_frames_at_switches"], 0) << j.dump(2);
  EXPECT_GE(j["switch_frames_checked"].get<int>(), 12) << j.dump(2);
  EXPECT_GE(j["frames_presented"].get<int>(), 60);
  for (const char* key : {"frames_dropped", "longest_present_interval_ms", "longest_switch_interval_ms",
                          "time_to_first_frame_ms", "cpu_seconds", "peak_rss_mb"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  std::set<std::string> seen;
  for (const auto& item : j["items"]) {
    seen.insert(item["id"].get<std::string>());
    if (item["type"] == "video") {
      EXPECT_NE(item["decoder"].get<std::string>().find("software"), std::string::npos) << item.dump();
      EXPECT_GT(item["frames"].get<int>(), 10) << item.dump();  // 60 due; a loaded machine drops some
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{"mix/v1", "mix/img", "mix/s1", "mix/v2", "mix/s2"})) << j.dump(2);
}

TEST(Play, VideoWithoutDurationPlaysForTheFilesLength) {
  TempDir t;
  fs::create_directories(t.path() / "media");
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i testsrc2=size=160x90:rate=25 -t 3 -c:v libx264 -pix_fmt yuv420p",
                                t.path() / "media/psa.mp4"));
  const auto f = t.write("v.toml",
                         "[campaign]\nid = \"v\"\n[[item]]\nid = \"psa\"\ntype = \"video\"\n"
                         "file = \"media/psa.mp4\"\n[[item]]\nid = \"cut\"\ntype = \"video\"\n"
                         "file = \"media/psa.mp4\"\nduration = \"1s\"\n");
  LoadOptions o;
  o.media_root = t.path();
  auto r = load_playlist_file(f, o);
  ASSERT_TRUE(r.campaign.has_value());
  PlaylistSet set;
  set.campaigns.push_back(*r.campaign);
  resolve_video_durations(set);
  EXPECT_NEAR(double(set.campaigns[0].items[0].duration.count()), 3000.0, 100.0);
  EXPECT_EQ(set.campaigns[0].items[1].duration, std::chrono::milliseconds(1000)) << "its own duration wins";
}

TEST(Play, BadConfigIsRefusedWithItsPosition) {
  TempDir t;
  const auto cfg = t.write("signage.toml", "[display]\nmode = \"sideways\"\n");
  auto r = cli({"play", "--config", cfg.string(), "--exit-after", "1s"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(cfg.string() + ":2:"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace signage
