// `signage check` misses nothing that would stop an item showing (watch/drop_report.h):
// a media name in the wrong case or without its folder, broken videos, TIFFs and
// pictures over the pixel limit (found by decoding them), campaigns that ended or
// will not show soon, emergencies without an end, playlists Windows named
// notice.toml.txt or NOTICE.TOML, and FIFOs, devices and folders named *.toml that
// are never opened; a playlist linked out of the drop folder is refused.
// Media are generated at test time: pictures with write_png, a video with the ffmpeg CLI.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/i18n.h"
#include "media/image.h"
#include "watch/drop_report.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Drop : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("signage-check-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "media");
    Image img;
    img.width = 64;
    img.height = 32;
    img.rgba.assign(64 * 32 * 4, 200);
    ASSERT_TRUE(write_png(img, dir_ / "media/logo-banner.png").ok());
    options_.media_root = dir_;
    zone_ = utc_time_zone();
    now_ = at("2024-06-16T02:00:00Z");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  static std::string playlist(const std::string& id, const std::string& campaign_keys, const std::string& item) {
    return "[campaign]\nid = \"" + id + "\"\n" + campaign_keys + "\n[[item]]\nid = \"a\"\n" + item + "\n";
  }
  Instant at(std::string_view iso) const { return *parse_iso8601(iso, *utc_time_zone()); }
  DropReport check(const DropChecks& checks = {}) const { return describe_drop(dir_, options_, now_, *zone_, checks); }
  static std::string all(const DropReport& d) {
    std::string out;
    for (const auto& f : d.files) {
      for (const auto& g : f.diagnostics) out += g.format() + "\n";
    }
    for (const auto& m : d.misnamed) out += m.file.string() + ": " + m.reason + "\n";
    for (const auto& h : d.held_back) out += "held " + h.item + ": " + h.reason + "\n";
    return out;
  }

  fs::path dir_;
  LoadOptions options_;
  std::shared_ptr<const TimeZone> zone_;
  Instant now_;
};

TEST_F(Drop, MediaNameInTheWrongCaseIsAnErrorNamingTheRealFile) {
  write("a.toml", playlist("a", "", "type = \"image\"\nfile = \"media/Logo-Banner.PNG\""));
  write("b.toml", playlist("b", "", "type = \"image\"\nfile = \"logo-banner.png\""));
  for (const Language lang : {Language::en, Language::zh_CN}) {
    const ScopedMessageLanguage l(lang);
    const DropReport d = check();
    ASSERT_EQ(d.files.size(), 2u);
    EXPECT_FALSE(d.files[0].valid) << all(d);
    EXPECT_FALSE(d.files[1].valid) << all(d);
    const std::string text = all(d);
    EXPECT_NE(text.find("a.toml:7:8: "), std::string::npos) << text;
    EXPECT_NE(text.find("b.toml:7:8: "), std::string::npos) << text;
    EXPECT_NE(text.find("'media/logo-banner.png'"), std::string::npos) << text;
    EXPECT_NE(text.find(lang == Language::en ? "did you mean" : "是不是"), std::string::npos) << text;
  }
}

TEST_F(Drop, BrokenVideoTiffAndOverLimitPictureAreErrorsAtTheirItem) {
  write("media/broken.mp4", std::string(4096, '\x42'));
  write("media/scan.tiff", std::string("II*\0\x08\0\0\0", 8) + std::string(64, '\0'));
  write("v.toml", playlist("v", "", "type = \"video\"\nfile = \"media/broken.mp4\""));
  write("t.toml", playlist("t", "", "type = \"image\"\nfile = \"media/scan.tiff\""));
  write("p.toml", playlist("p", "", "type = \"image\"\nfile = \"media/logo-banner.png\""));
  DropChecks checks;
  checks.max_image_pixels = 1000;  // the 64x32 picture is over it
  const DropReport d = check(checks);
  ASSERT_EQ(d.files.size(), 3u);
  for (const DropFileReport& f : d.files) {
    EXPECT_TRUE(f.valid);
    EXPECT_EQ(f.unusable, 1u) << f.file << "\n" << all(d);
    ASSERT_FALSE(f.diagnostics.empty()) << f.file;
    EXPECT_EQ(f.diagnostics[0].severity, Severity::error);
    EXPECT_EQ(f.diagnostics[0].where.line, 4);  // the item's [[item]]
    EXPECT_NE(f.diagnostics[0].message.find("item 'a' can never be shown"), std::string::npos);
  }
  EXPECT_EQ(d.held_back.size(), 3u);
  // Within the limit, the same picture is fine.
  fs::remove(dir_ / "v.toml");
  fs::remove(dir_ / "t.toml");
  const DropReport ok = check();
  ASSERT_EQ(ok.files.size(), 1u);
  EXPECT_EQ(ok.files[0].unusable, 0u) << all(ok);
  EXPECT_TRUE(ok.held_back.empty()) << all(ok);
}

TEST_F(Drop, AGoodVideoIsDecodedAndAccepted) {
  const fs::path clip = dir_ / "media/clip.mp4";
  const std::string cmd = "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=s=160x90:r=25:d=1 -c:v libx264 "
                          "-preset ultrafast '" + clip.string() + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "no ffmpeg CLI with libx264";
  write("v.toml", playlist("v", "", "type = \"video\"\nfile = \"media/clip.mp4\""));
  const DropReport d = check();
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_EQ(d.files[0].unusable, 0u) << all(d);
  EXPECT_TRUE(d.held_back.empty()) << all(d);
}

TEST_F(Drop, CampaignsThatEndedOrWillNotShowSoonAreWarnedAbout) {
  write("ended.toml", playlist("ended", "starts = 2023-06-01\nends = 2023-06-30", "type = \"slogan\"\ntext = \"x\""));
  write("later.toml", playlist("later", "starts = 2024-09-01\nends = 2024-09-30\nhours = [\"08:00-22:00\"]\n"
                                        "timezone = \"Asia/Shanghai\"",
                               "type = \"slogan\"\ntext = \"x\""));
  write("soon.toml", playlist("soon", "starts = 2024-06-20", "type = \"slogan\"\ntext = \"x\""));
  write("alarm.toml", playlist("alarm", "priority = 500", "type = \"slogan\"\ntext = \"x\""));
  const DropReport d = check();
  ASSERT_EQ(d.files.size(), 4u);
  const std::string text = all(d);
  EXPECT_NE(text.find("ended.toml: warning: the campaign ended on 2023-06-30"), std::string::npos) << text;
  EXPECT_NE(text.find("later.toml: warning: the campaign shows nothing in the next 30 days; it first shows on "
                      "2024-09-01T08:00:00+08:00"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("soon.toml"), std::string::npos) << text;
  EXPECT_NE(text.find("alarm.toml: warning: emergency campaign (priority 500) without 'ends'"), std::string::npos)
      << text;
  for (const auto& f : d.files) EXPECT_TRUE(f.valid);
}

TEST_F(Drop, PlaylistsWindowsNamedWronglyAreExplained) {
  write("notice.toml.txt", playlist("n", "", "type = \"slogan\"\ntext = \"x\""));
  write("NOTICE.TOML", playlist("n2", "", "type = \"slogan\"\ntext = \"x\""));
  write("old.toml.bak", playlist("n3", "", "type = \"slogan\"\ntext = \"x\""));
  write("readme.txt", "not a playlist");
  for (const Language lang : {Language::en, Language::zh_CN}) {
    const ScopedMessageLanguage l(lang);
    const DropReport d = check();
    EXPECT_TRUE(d.files.empty());
    ASSERT_EQ(d.misnamed.size(), 3u) << all(d);
    const std::string text = all(d);
    EXPECT_NE(text.find("NOTICE.TOML: "), std::string::npos);
    EXPECT_NE(text.find("notice.toml.txt: "), std::string::npos);
    EXPECT_NE(text.find("old.toml.bak: "), std::string::npos);
    EXPECT_NE(text.find(lang == Language::en ? "rename it notice.toml" : "改名为 notice.toml"), std::string::npos)
        << text;
    EXPECT_NE(text.find(lang == Language::en ? "Windows hides" : "Windows 会隐藏"), std::string::npos) << text;
    EXPECT_NE(text.find("NOTICE.toml"), std::string::npos) << text;
  }
}

TEST_F(Drop, NonRegularFilesNamedTomlAreNeverOpened) {
  ASSERT_EQ(::mkfifo((dir_ / "pipe.toml").c_str(), 0600), 0);
  fs::create_directories(dir_ / "folder.toml");
  fs::create_symlink("/dev/zero", dir_ / "zero.toml");
  write("good.toml", playlist("good", "", "type = \"slogan\"\ntext = \"x\""));
  const auto start = std::chrono::steady_clock::now();
  const DropReport d = check();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // a FIFO opened for reading would block
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_TRUE(d.files[0].valid);
  ASSERT_EQ(d.misnamed.size(), 3u) << all(d);
  const std::string text = all(d);
  EXPECT_NE(text.find("pipe.toml: named like a playlist but it is a FIFO"), std::string::npos) << text;
  EXPECT_NE(text.find("folder.toml: named like a playlist but it is a folder"), std::string::npos) << text;
  EXPECT_NE(text.find("zero.toml: named like a playlist but it is a device"), std::string::npos) << text;
  // check FILE on the FIFO: refused at once, never read.
  const DropReport f = describe_playlist_file(dir_ / "pipe.toml", options_, now_, *zone_);
  ASSERT_EQ(f.files.size(), 1u);
  EXPECT_FALSE(f.files[0].valid);
  EXPECT_NE(all(f).find("FIFO"), std::string::npos) << all(f);
}

TEST_F(Drop, PlaylistLinkedOutOfTheDropFolderIsRefused) {
  const fs::path outside = dir_.string() + "-outside.toml";
  std::ofstream(outside) << playlist("outside", "", "type = \"slogan\"\ntext = \"x\"");
  fs::create_symlink(outside, dir_ / "linked.toml");
  write("inside.toml", playlist("inside", "", "type = \"slogan\"\ntext = \"x\""));
  fs::create_symlink(dir_ / "inside.toml", dir_ / "alias.toml");
  const DropReport d = check();
  fs::remove(outside);
  const std::string text = all(d);
  ASSERT_EQ(d.files.size(), 3u) << text;
  EXPECT_EQ(d.files[0].file.filename(), "alias.toml");  // inside: read (and a duplicate id)
  EXPECT_EQ(d.files[2].file.filename(), "linked.toml");
  EXPECT_FALSE(d.files[2].valid);
  EXPECT_NE(text.find("symbolic link to"), std::string::npos) << text;
  EXPECT_NE(text.find("outside the playlist folder"), std::string::npos) << text;
}

}  // namespace
}  // namespace signage
