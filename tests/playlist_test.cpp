// Tests of the playlist loader (player/playlist/loader.h): the valid format parses
// into the expected model, each admin mistake is reported with its exact
// file:line:col, media paths stay inside the media folder, folder loading, and no
// input crashes or hangs the loader.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "support/files.h"
#include "core/faulty_env.h"
#include "playlist/loader.h"
#include "playlist/model.h"

namespace signage {
namespace {

using signage::test::TempDir;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using std::chrono::June;

const fs::path kData = fs::path(SIGNAGE_TEST_DATA) / "playlists";


std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string dump(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += "  " + d.format() + "\n";
  return out;
}

std::vector<Diagnostic> errors_of(const std::vector<Diagnostic>& diags) {
  std::vector<Diagnostic> out;
  std::copy_if(diags.begin(), diags.end(), std::back_inserter(out),
               [](const Diagnostic& d) { return d.severity == Severity::error; });
  return out;
}

constexpr Date date(int y, std::chrono::month m, unsigned d) {
  return Date{std::chrono::year(y), m, std::chrono::day(d)};
}

const char kMinimal[] =
    "[campaign]\nid = \"min\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n";

// ---- the valid format ----

class ValidPlaylist : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* f : {"media/bg.png", "media/evacuation.mp4", "media/0616.png"}) media_.write(f, "x");
    options_.media_root = media_.path();
  }
  TempDir media_;
  LoadOptions options_;
};

TEST_F(ValidPlaylist, CampaignKeysParse) {
  const auto r = load_playlist_file(kData / "valid/safety-month.toml", options_);
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  const Campaign& c = *r.campaign;
  EXPECT_EQ(c.id, "2024-safety-month");
  EXPECT_EQ(c.title, "2024年安全生产月");
  EXPECT_EQ(c.priority, 10);
  EXPECT_EQ(c.when.starts, date(2024, June, 1));
  EXPECT_EQ(c.when.ends, date(2024, June, 30));
  ASSERT_EQ(c.when.hours.size(), 2u);
  EXPECT_EQ(c.when.hours[0], (TimeWindow{8h, 22h}));
  // Over midnight: end before start.
  EXPECT_EQ(c.when.hours[1], (TimeWindow{22h + 30min, 1h}));
  // mon..sat, bit 0 = Sunday; names are case-insensitive.
  EXPECT_EQ(c.when.weekdays, 0b111'1110);
  EXPECT_TRUE(c.when.dates.empty());
  EXPECT_EQ(c.when.except, std::vector<Date>{date(2024, June, 10)});
  EXPECT_EQ(c.ticker.texts, std::vector<std::string>{"发现安全生产风险隐患，请拨打举报电话 12350"});
  EXPECT_EQ(c.ticker.id, "ticker");
  EXPECT_EQ(c.ticker.style, *builtin_style("red-banner"));
  EXPECT_FALSE(c.layout.header);
  EXPECT_FALSE(c.header.present);
  EXPECT_EQ(c.source, kData / "valid/safety-month.toml");
  EXPECT_EQ(c.source_sha256.size(), 64u);
  EXPECT_TRUE(std::all_of(c.source_sha256.begin(), c.source_sha256.end(),
                          [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); }));
}

TEST_F(ValidPlaylist, ItemsGetDefaultsAndMergedStyles) {
  const auto r = load_playlist_file(kData / "valid/safety-month.toml", options_);
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  const auto& items = r.campaign->items;
  ASSERT_EQ(items.size(), 4u);
  const fs::path bg = (media_.path() / "media/bg.png").lexically_normal();

  const Item& theme = items[0];
  EXPECT_EQ(theme.id, "theme");
  EXPECT_EQ(theme.type, ItemType::slogan);
  EXPECT_EQ(theme.text, "人人讲安全、个个会应急\n畅通生命通道");
  EXPECT_EQ(theme.duration, 12s);
  EXPECT_EQ(theme.transition, Transition::cut);
  EXPECT_EQ(theme.fit, Fit::cover);
  EXPECT_EQ(theme.style.background, (Rgb{0xc8, 0x10, 0x2e}));
  EXPECT_EQ(theme.style.color, (Rgb{255, 255, 255}));  // "#fff"
  EXPECT_EQ(theme.style.background_image, bg);
  EXPECT_EQ(theme.pos.line, 20);
  EXPECT_EQ(theme.when.weekdays, 0x7F);

  const Item& hotlines = items[1];
  EXPECT_EQ(hotlines.duration, 20s);
  EXPECT_EQ(hotlines.transition, Transition::fade);
  EXPECT_EQ(hotlines.style.background, (Rgb{0xff, 0xd7, 0x00}));  // upper-case hex
  EXPECT_EQ(hotlines.style.color, (Rgb{255, 255, 255}));          // from [defaults]
  EXPECT_TRUE(hotlines.style.background_image.empty());           // "" clears the default's

  const Item& video = items[2];
  EXPECT_EQ(video.type, ItemType::video);
  EXPECT_EQ(video.file, "media/evacuation.mp4");
  EXPECT_EQ(video.path, (media_.path() / "media/evacuation.mp4").lexically_normal());
  EXPECT_FALSE(video.media_missing);
  EXPECT_EQ(video.fit, Fit::contain);
  EXPECT_EQ(video.when.hours, std::vector<TimeWindow>{(TimeWindow{0h, 24h})});

  const Item& consult = items[3];
  EXPECT_EQ(consult.type, ItemType::image);
  EXPECT_EQ(consult.when.dates, std::vector<Date>{date(2024, June, 16)});
  EXPECT_EQ(consult.style.color, (Rgb{0, 0, 0}));                   // [item.style]
  EXPECT_EQ(consult.style.background, (Rgb{0xc8, 0x10, 0x2e}));     // merged from [defaults]
  EXPECT_EQ(consult.style.background_image, bg);
}

// Playlist files (and the zone files they name) are read through LoadOptions::env: a
// read error there is the file's diagnostic with the OS's reason, of its kind.
TEST(Playlist, FilesAreReadThroughTheGivenEnv) {
  TempDir t;
  const fs::path file = t.path() / "a.toml";
  {
    std::ofstream(file) << "[campaign]\nid = \"a\"\ntimezone = \"Europe/Berlin\"\n"
                           "[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"hi\"\n";
  }
  PosixEnv base(false);
  FaultyEnv env(base);
  LoadOptions options;
  options.media_root = t.path();
  options.env = &env;
  auto good = load_playlist_file(file, options);
  ASSERT_TRUE(good.campaign) << dump(good.diagnostics);
  ASSERT_NE(good.campaign->zone, nullptr);
  EXPECT_EQ(good.campaign->zone->name(), "Europe/Berlin");

  env.fail_path(file);
  auto failed = load_playlist_file(file, options);
  EXPECT_FALSE(failed.campaign);
  ASSERT_EQ(failed.diagnostics.size(), 1u);
  EXPECT_EQ(failed.diagnostics[0].where.file, file.string());
  EXPECT_NE(failed.diagnostics[0].message.find("cannot read the file: Input/output error"), std::string::npos)
      << failed.diagnostics[0].message;
  EXPECT_EQ(env.failed_path_calls(), 1);

  env.clear_faults();
  env.fail_path(options.zoneinfo / "Europe" / "Berlin");
  auto no_zone = load_playlist_file(file, options);
  EXPECT_FALSE(no_zone.campaign);
  EXPECT_NE(dump(no_zone.diagnostics).find("Europe/Berlin"), std::string::npos) << dump(no_zone.diagnostics);
  EXPECT_EQ(env.failed_path_calls(), 2);
}

TEST(Playlist, DefaultsWhenTheFileSaysNothing) {
  TempDir media;
  LoadOptions options;
  options.media_root = media.path();
  options.default_duration = 7s;
  options.default_transition = Transition::cut;
  const auto r = load_playlist_text(kMinimal, "min.toml", options);
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty());
  const Campaign& c = *r.campaign;
  EXPECT_EQ(c.title, "min");  // title defaults to the id
  EXPECT_EQ(c.priority, 0);
  EXPECT_FALSE(c.when.starts);
  EXPECT_FALSE(c.when.ends);
  EXPECT_TRUE(c.when.hours.empty());
  EXPECT_EQ(c.when.weekdays, 0x7F);
  EXPECT_TRUE(c.ticker.empty());
  ASSERT_EQ(c.items.size(), 1u);
  const Item& item = c.items[0];
  EXPECT_EQ(item.duration, 7s);
  EXPECT_EQ(item.transition, Transition::cut);
  EXPECT_EQ(item.fit, Fit::contain);
  EXPECT_EQ(item.style.background, (Rgb{0, 0, 0}));
  EXPECT_EQ(item.style.color, (Rgb{255, 255, 255}));
  EXPECT_TRUE(item.style.background_image.empty());
  EXPECT_EQ(item.pos.file, "min.toml");
  EXPECT_EQ(item.pos.line, 4);
  EXPECT_EQ(item.pos.column, 1);
}

TEST(Playlist, VideoSoundAndDecoderKeys) {
  TempDir media;
  LoadOptions options;
  options.media_root = media.path();
  const std::string text =
      "[campaign]\nid = \"v\"\n[defaults]\nvolume = 40\nhwdec = \"none\"\n"
      "[[item]]\nid = \"a\"\ntype = \"video\"\nfile = \"a.mp4\"\n"
      "[[item]]\nid = \"b\"\ntype = \"video\"\nfile = \"b.mp4\"\nvolume = 0\nmute = true\nhwdec = \"vaapi\"\n";
  const auto r = load_playlist_text(text, "v.toml", options);
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  const Item& a = r.campaign->items[0];
  EXPECT_EQ(a.volume, 40);
  EXPECT_FALSE(a.mute);
  EXPECT_EQ(a.hwdec, "none");
  const Item& b = r.campaign->items[1];
  EXPECT_EQ(b.volume, 0);
  EXPECT_TRUE(b.mute);
  EXPECT_EQ(b.hwdec, "vaapi");
  // Absent everywhere: full volume, sound on, the device's decoder.
  const auto m = load_playlist_text(kMinimal, "min.toml", options);
  ASSERT_TRUE(m.campaign);
  EXPECT_EQ(m.campaign->items[0].volume, 100);
  EXPECT_FALSE(m.campaign->items[0].mute);
  EXPECT_TRUE(m.campaign->items[0].hwdec.empty());
}

TEST(Playlist, LayoutHeaderTickerAndNamedStyles) {
  TempDir media;
  std::ofstream(media.path() / "logo.png", std::ios::binary) << "png";
  LoadOptions options;
  options.media_root = media.path();
  const std::string text =
      "[campaign]\nid = \"2024-safety-month\"\ntitle = \"2024年安全生产月\"\n"
      "[styles.hotline]\nbackground = \"#004ea2\"\ncolor = \"#ffffff\"\nweight = \"bold\"\nmargin = 4\n"
      "[defaults]\nstyle = \"blue-banner\"\n"
      "[layout]\nheader = 12\nticker = 0\n"
      "[header]\ntitle = \"洛江区安全生产月\"\nlogo = \"logo.png\"\nclock = false\nstyle = { background = \"#102a43\" }\n"
      "[ticker]\nid = \"hotlines\"\ntext = [\"举报电话 12350\", \"火警 119\\n急救 120\"]\nspeed = 90.5\nstyle = \"hotline\"\n"
      "[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"人人讲安全\"\n"
      "[[item]]\nid = \"b\"\ntype = \"slogan\"\ntext = \"个个会应急\"\nstyle = \"red-banner\"\n"
      "[[item]]\nid = \"c\"\ntype = \"slogan\"\ntext = \"畅通生命通道\"\nstyle = { color = \"#ffe100\", margin = 10 }\n";
  const auto r = load_playlist_text(text, "layout.toml", options);
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
  const Campaign& c = *r.campaign;
  EXPECT_EQ(c.layout.header, 12);
  EXPECT_EQ(c.layout.ticker, 0);
  EXPECT_TRUE(c.header.present);
  EXPECT_EQ(c.header.title, "洛江区安全生产月");
  EXPECT_EQ(c.header.logo, (media.path() / "logo.png").lexically_normal());
  EXPECT_FALSE(c.header.clock);
  EXPECT_EQ(c.header.style.background, (Rgb{0x10, 0x2a, 0x43}));
  EXPECT_EQ(c.header.style.weight, FontWeight::bold) << "the rest of blue-banner, the header's default";
  EXPECT_EQ(c.ticker.id, "hotlines");
  // One line each: a break in a ticker text becomes a space.
  EXPECT_EQ(c.ticker.texts, (std::vector<std::string>{"举报电话 12350", "火警 119 急救 120"}));
  EXPECT_DOUBLE_EQ(c.ticker.speed, 90.5);
  EXPECT_EQ(c.ticker.style.background, (Rgb{0x00, 0x4e, 0xa2}));
  EXPECT_EQ(c.ticker.style.margin, 4);
  ASSERT_EQ(c.items.size(), 3u);
  EXPECT_EQ(c.items[0].style, *builtin_style("blue-banner")) << "[defaults] names a style";
  EXPECT_EQ(c.items[1].style, *builtin_style("red-banner"));
  Style third = *builtin_style("blue-banner");
  third.color = Rgb{0xff, 0xe1, 0x00};
  third.margin = 10;
  EXPECT_EQ(c.items[2].style, third) << "an inline table overrides the defaults key by key";
}

// Text over pictures: a style's outline and shadow, with their widths in pixels.
TEST(Playlist, StyleOutlineAndShadow) {
  const std::string head = "[campaign]\nid = \"o\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n";
  const auto r = load_playlist_text(
      head + "style = { outline = \"#000000\", outline_width = 4, shadow = \"#333\" }\n", "o.toml", LoadOptions{});
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  const Style& s = r.campaign->items[0].style;
  EXPECT_EQ(s.outline, (Rgb{0, 0, 0}));
  EXPECT_EQ(s.outline_width, 4);
  EXPECT_EQ(s.shadow, (Rgb{0x33, 0x33, 0x33}));
  EXPECT_EQ(s.shadow_offset, 3) << "the default";
  const auto plain = load_playlist_text(head, "p.toml", LoadOptions{});
  ASSERT_TRUE(plain.campaign);
  EXPECT_FALSE(plain.campaign->items[0].style.outline);
  EXPECT_FALSE(plain.campaign->items[0].style.shadow);
  const std::pair<std::string, std::string> cases[] = {
      {"style = { outline = \"black\" }\n", "bad colour 'black'"},
      {"style = { outline_width = 0 }\n", "'outline_width' must be from 1 to 50 pixels, not 0"},
      {"style = { shadow_offset = 99 }\n", "'shadow_offset' must be from 1 to 50 pixels, not 99"},
  };
  for (const auto& [line, phrase] : cases) {
    const auto bad = load_playlist_text(head + line, "b.toml", LoadOptions{});
    EXPECT_FALSE(bad.campaign) << line;
    const auto errors = errors_of(bad.diagnostics);
    ASSERT_EQ(errors.size(), 1u) << dump(bad.diagnostics);
    EXPECT_EQ(errors[0].where.line, 7) << errors[0].format();
    EXPECT_NE(errors[0].format().find(phrase), std::string::npos) << errors[0].format();
  }
}

TEST(Playlist, BadVideoKeysAreRefusedAtTheirPosition) {
  const std::string head = "[campaign]\nid = \"v\"\n[[item]]\nid = \"a\"\ntype = \"video\"\nfile = \"a.mp4\"\n";
  const std::pair<std::string, std::string> cases[] = {
      {"volume = 150\n", "'volume' must be between 0 and 100, not 150"},
      {"mute = \"yes\"\n", "'mute' must be true or false"},
      {"hwdec = \"nvdec\"\n", "bad hwdec 'nvdec'"},
  };
  for (const auto& [line, phrase] : cases) {
    const auto r = load_playlist_text(head + line, "v.toml", LoadOptions{});
    EXPECT_FALSE(r.campaign) << line;
    const auto errors = errors_of(r.diagnostics);
    ASSERT_EQ(errors.size(), 1u) << dump(r.diagnostics);
    EXPECT_EQ(errors[0].where.line, 7) << errors[0].format();
    EXPECT_NE(errors[0].format().find(phrase), std::string::npos) << errors[0].format();
  }
}

TEST(Playlist, Sha256OfTheFileBytes) {
  const auto r = load_playlist_text(kMinimal, "min.toml", LoadOptions{});
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  // printf '...' | sha256sum
  EXPECT_EQ(r.campaign->source_sha256, "4df30f8178bd7b53d3bd9adc7e4a1f61055cbc4f7f901db7640a9a4f7b457e80");
  std::string changed = kMinimal;
  changed.back() = ' ';  // one byte differs, same meaning
  const auto r2 = load_playlist_text(changed, "min.toml", LoadOptions{});
  ASSERT_TRUE(r2.campaign);
  EXPECT_NE(r2.campaign->source_sha256, r.campaign->source_sha256);
}

TEST(Playlist, ToStringNamesMatchTheFileFormat) {
  EXPECT_EQ(to_string(ItemType::slogan), "slogan");
  EXPECT_EQ(to_string(ItemType::image), "image");
  EXPECT_EQ(to_string(ItemType::video), "video");
  EXPECT_EQ(to_string(Transition::fade), "fade");
  EXPECT_EQ(to_string(Transition::cut), "cut");
}

TEST(Playlist, WindowsAndColourForms) {
  const std::string text = std::string(kMinimal) +
                           "hours = [\"22:00-06:00\", \"06:00:30-08:00\", \"00:00-24:00\", \"08:00-00:00\"]\n"
                           "weekdays = [\"SUN\", \"sat\"]\n"
                           "except = [2024-06-10, 2024-06-11]\n"
                           "style = { background = \"#0aF\" }\n";
  const auto r = load_playlist_text(text, "w.toml", LoadOptions{});
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  const When& w = r.campaign->items[0].when;
  EXPECT_EQ(w.hours, (std::vector<TimeWindow>{{22h, 6h}, {6h + 30s, 8h}, {0h, 24h}, {8h, 0h}}));
  EXPECT_EQ(w.weekdays, 0b100'0001);
  EXPECT_EQ(w.except.size(), 2u);
  EXPECT_EQ(r.campaign->items[0].style.background, (Rgb{0x00, 0xaa, 0xff}));
}

// ---- one mistake per file: exact position, severity and message ----

struct InvalidCase {
  const char* file;
  int line;
  int column;
  const char* phrase;
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.file; }

class InvalidPlaylist : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidPlaylist, RefusedWithThePositionOfTheMistake) {
  const InvalidCase& c = GetParam();
  TempDir media;
  LoadOptions options;
  options.media_root = media.path();
  const fs::path file = kData / "invalid" / c.file;
  ASSERT_TRUE(fs::exists(file));
  const auto r = load_playlist_file(file, options);
  EXPECT_FALSE(r.campaign);
  const auto errors = errors_of(r.diagnostics);
  ASSERT_EQ(errors.size(), 1u) << dump(r.diagnostics);
  const std::string prefix =
      file.string() + ":" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": error: ";
  const std::string text = errors[0].format();
  EXPECT_EQ(text.substr(0, prefix.size()), prefix) << text;
  EXPECT_NE(text.find(c.phrase), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, InvalidPlaylist,
    ::testing::Values(
        InvalidCase{"syntax-error.toml", 3, 9, "this text has no closing quote"},
        InvalidCase{"unknown-key.toml", 10, 1, "unknown key 'colour' in [item.style]; did you mean 'color'?"},
        InvalidCase{"unknown-table.toml", 9, 2, "unknown key 'tickr' in the top level of the file; did you mean 'ticker'?"},
        InvalidCase{"wrong-type.toml", 3, 12, "'priority' must be an integer, not a string"},
        InvalidCase{"priority-out-of-range.toml", 3, 12, "'priority' must be between 0 and 1000, not 5000"},
        InvalidCase{"bad-colour.toml", 8, 24, "bad colour 'red'; write it as #rrggbb"},
        InvalidCase{"bad-time.toml", 3, 10, "'8:00' is not a time of day; write it like 08:00"},
        InvalidCase{"empty-window.toml", 3, 10, "start and end are equal"},
        InvalidCase{"bad-duration.toml", 5, 12, "'12 seconds' is not a duration; write it like 12s"},
        InvalidCase{"duration-too-short.toml", 8, 12, "'duration' must be between 1s and 24h, not '500ms'"},
        InvalidCase{"end-before-start.toml", 4, 8, "end before start"},
        InvalidCase{"date-as-string.toml", 3, 10, "'starts' must be a date like 2024-06-01 (without quotes), not a string"},
        InvalidCase{"bad-weekday.toml", 3, 20, "bad weekday 'funday'"},
        InvalidCase{"duplicate-item-id.toml", 10, 6, "duplicate item id 'theme'; the first is at line 5"},
        InvalidCase{"path-escape.toml", 7, 8, "path escapes the media folder"},
        InvalidCase{"absolute-path.toml", 7, 8, "path escapes the media folder: '/etc/passwd' is absolute"},
        InvalidCase{"unsupported-item-type.toml", 6, 8, "unsupported item type 'webpage'; use slogan, image or video"},
        InvalidCase{"missing-required-key.toml", 4, 1, "missing required key 'id' in [item]"},
        InvalidCase{"missing-campaign.toml", 1, 1, "missing required table [campaign]"},
        InvalidCase{"empty-item-list.toml", 1, 1, "no items; add at least one [[item]]"},
        InvalidCase{"item-not-array.toml", 4, 1, "'item' must be an array of tables"},
        InvalidCase{"bad-ticker-speed.toml", 11, 9, "'speed' is in pixels per second, from 10 to 2000, not 0"},
        InvalidCase{"unknown-style.toml", 8, 9, "unknown style 'green-banner'; use red-banner, blue-banner or define it in [styles.green-banner]"},
        InvalidCase{"bad-layout.toml", 5, 10, "'header' must be a percentage of the screen's height from 0 to 40 (0: no band), not 60"},
        InvalidCase{"redefined-builtin-style.toml", 4, 9, "style 'red-banner' is built in and cannot be redefined"},
        InvalidCase{"bad-weight.toml", 5, 10, "bad font weight 'heavy'; use regular or bold"},
        InvalidCase{"ticker-text-number.toml", 10, 17, "ticker text must be a string, not an integer"},
        InvalidCase{"text-on-image.toml", 8, 8, "'text' is only for slogan items"},
        InvalidCase{"file-on-slogan.toml", 8, 8, "'file' is only for image and video items"},
        InvalidCase{"empty-text.toml", 7, 8, "'text' is empty"},
        InvalidCase{"bad-id.toml", 2, 6, "bad id '安全月'; use only letters, digits"}));

TEST(Playlist, EveryErrorInAFileIsReportedInFileOrder) {
  const fs::path file = kData / "invalid/several-errors.toml";
  const auto r = load_playlist_file(file, LoadOptions{});
  EXPECT_FALSE(r.campaign);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"3:6", "bad id '2024 safety month'"},
      {"4:12", "'priority' must be an integer, not a string"},
      {"5:8", "end before start"},
      {"7:1", "unknown key 'colour' in [campaign]"},
      {"10:14", "bad transition 'wipe'; use fade or cut"},
      {"16:24", "bad colour '#12345'"},
      {"19:6", "duplicate item id 'theme'; the first is at line 13"},
      {"20:8", "unsupported item type 'poster'"},
      {"21:10", "start and end are equal"},
      {"22:20", "bad weekday 'caturday'"},
  };
  ASSERT_EQ(r.diagnostics.size(), expected.size()) << dump(r.diagnostics);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::string text = r.diagnostics[i].format();
    const std::string prefix = file.string() + ":" + expected[i].first + ": error: ";
    EXPECT_EQ(text.substr(0, prefix.size()), prefix) << text;
    EXPECT_NE(text.find(expected[i].second), std::string::npos) << text;
  }
}

TEST(Playlist, TypeMistakesInSchedulesAndStyles) {
  const std::string text = std::string(kMinimal) +
                           "dates = []\n"                         // 8
                           "weekdays = \"mon\"\n"                 // 9
                           "hours = [800]\n"                      // 10
                           "ends = 2024-06-30T00:00:00\n"         // 11
                           "fit = \"stretch\"\n"                  // 12
                           "style = { color = 0xffffff }\n";      // 13
  const auto r = load_playlist_text(text, "t.toml", LoadOptions{});
  EXPECT_FALSE(r.campaign);
  const std::vector<std::string> expected = {
      "t.toml:8:9: error: 'dates' is empty",
      "t.toml:9:12: error: 'weekdays' is a list, even of one day: write weekdays = [\"mon\"]",
      "t.toml:10:10: error: each entry of 'hours' must be a string",
      "t.toml:11:8: error: 'ends' must be a date like 2024-06-01 (without quotes), not a date-time",
      "t.toml:12:7: error: bad fit 'stretch'; use contain or cover",
      "t.toml:13:19: error: 'color' must be a string, not an integer",
  };
  ASSERT_EQ(r.diagnostics.size(), expected.size()) << dump(r.diagnostics);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r.diagnostics[i].format().substr(0, expected[i].size()), expected[i]);
  }
}

// ---- media paths ----

TEST(PlaylistMedia, MissingFileIsAWarningAndMarksTheItem) {
  TempDir media;
  LoadOptions options;
  options.media_root = media.path();
  const std::string text =
      "[campaign]\nid = \"m\"\n[defaults]\nstyle = { background_image = \"media/bg.png\" }\n"
      "[[item]]\nid = \"consult-day\"\ntype = \"image\"\nfile = \"media/0616.png\"\n";
  const auto r = load_playlist_text(text, "m.toml", options);
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  ASSERT_EQ(r.diagnostics.size(), 2u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].format().substr(0, 22), "m.toml:4:30: warning: ");
  EXPECT_NE(r.diagnostics[0].message.find("background image 'media/bg.png' not found"), std::string::npos);
  EXPECT_EQ(r.diagnostics[1].format(),
            "m.toml:8:8: warning: media file 'media/0616.png' not found in " + media.path().string() +
                "; the item is left out until it appears");
  const Item& item = r.campaign->items[0];
  EXPECT_TRUE(item.media_missing);
  EXPECT_EQ(item.path, media.path() / "media/0616.png");
  EXPECT_TRUE(item.style.background_image.empty());

  // Once the file is there, the same playlist has no warning.
  media.write("media/0616.png", "png");
  media.write("media/bg.png", "png");
  const auto again = load_playlist_text(text, "m.toml", options);
  ASSERT_TRUE(again.campaign);
  EXPECT_TRUE(again.diagnostics.empty()) << dump(again.diagnostics);
  EXPECT_FALSE(again.campaign->items[0].media_missing);
  EXPECT_EQ(again.campaign->items[0].style.background_image, media.path() / "media/bg.png");
}

std::string image_playlist(const std::string& file) {
  return "[campaign]\nid = \"s\"\n[[item]]\nid = \"i\"\ntype = \"image\"\nfile = \"" + file + "\"\n";
}

TEST(PlaylistMedia, SymlinkOutOfTheMediaFolderIsRefused) {
  TempDir tmp;
  const fs::path root = tmp.path() / "root";
  tmp.write("outside/secret.png", "x");
  tmp.write("root/media/real.png", "x");
  fs::create_symlink(tmp.path() / "outside/secret.png", root / "media/link.png");
  fs::create_directory_symlink(tmp.path() / "outside", root / "media/out");
  fs::create_symlink(root / "media/real.png", root / "media/inside.png");
  LoadOptions options;
  options.media_root = root;

  for (const std::string f : {"media/link.png", "media/out/secret.png"}) {
    const auto r = load_playlist_text(image_playlist(f), "s.toml", options);
    EXPECT_FALSE(r.campaign) << f;
    ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
    EXPECT_EQ(r.diagnostics[0].format().substr(0, 20), "s.toml:6:8: error: p") << r.diagnostics[0].format();
    EXPECT_NE(r.diagnostics[0].message.find("path escapes the media folder"), std::string::npos);
  }
  // A link that stays inside is fine.
  const auto ok = load_playlist_text(image_playlist("media/inside.png"), "s.toml", options);
  ASSERT_TRUE(ok.campaign) << dump(ok.diagnostics);
  EXPECT_FALSE(ok.campaign->items[0].media_missing);
}

TEST(PlaylistMedia, MediaRootThroughASymlinkStillWorks) {
  TempDir tmp;
  tmp.write("real/media/a.png", "x");
  fs::create_directory_symlink(tmp.path() / "real", tmp.path() / "alias");
  LoadOptions options;
  options.media_root = tmp.path() / "alias";
  const auto r = load_playlist_text(image_playlist("media/a.png"), "s.toml", options);
  ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
}

// ---- folders ----

std::string campaign_file(const std::string& id) {
  return "[campaign]\nid = \"" + id + "\"\n\n[[item]]\nid = \"t\"\ntype = \"slogan\"\ntext = \"畅通生命通道\"\n";
}

TEST(PlaylistFolder, NameOrderSkipsTemporaryAndRefusesDuplicateIds) {
  TempDir dir;
  dir.write("b-hotlines.toml", campaign_file("hotlines"));
  dir.write("a-theme.toml", campaign_file("theme"));
  dir.write("c-copy.toml", campaign_file("theme"));   // same id as a-theme.toml
  dir.write("d-broken.toml", "[campaign\n");
  dir.write(".hidden.toml", campaign_file("hidden"));
  dir.write("~$e.toml", campaign_file("office-lock"));
  dir.write("f.toml.tmp", campaign_file("tmp"));
  dir.write("g.toml.part", campaign_file("part"));
  dir.write("h.tmp", campaign_file("tmp2"));
  dir.write("notes.txt", campaign_file("txt"));
  fs::create_directories(dir.path() / "folder.toml");
  dir.write("sub/i.toml", campaign_file("nested"));

  const auto r = load_playlist_folder(dir.path(), LoadOptions{});
  ASSERT_EQ(r.set.campaigns.size(), 2u) << dump(r.diagnostics);
  EXPECT_EQ(r.set.campaigns[0].id, "theme");
  EXPECT_EQ(r.set.campaigns[0].source, dir.path() / "a-theme.toml");
  EXPECT_EQ(r.set.campaigns[1].id, "hotlines");
  EXPECT_EQ(r.refused, (std::vector<fs::path>{dir.path() / "c-copy.toml", dir.path() / "d-broken.toml"}));
  ASSERT_EQ(r.diagnostics.size(), 2u) << dump(r.diagnostics);
  EXPECT_EQ(r.diagnostics[0].format(),
            (dir.path() / "c-copy.toml").string() +
                ":2:6: error: campaign id 'theme' is already used by a-theme.toml (line 2); this file is refused; "
                "give each campaign its own id");
  const std::string broken = (dir.path() / "d-broken.toml").string() + ":1:10: error: TOML syntax error";
  EXPECT_EQ(r.diagnostics[1].format().substr(0, broken.size()), broken);
}

TEST(PlaylistFolder, MissingFolderIsOneError) {
  TempDir dir;
  const fs::path missing = dir.path() / "no-such-folder";
  const auto r = load_playlist_folder(missing, LoadOptions{});
  EXPECT_TRUE(r.set.campaigns.empty());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].severity, Severity::error);
  EXPECT_EQ(r.diagnostics[0].where.file, missing.string());
  EXPECT_NE(r.diagnostics[0].format().find("cannot read the playlist folder"), std::string::npos);

  const fs::path file = dir.write("plain.toml", campaign_file("x"));
  const auto r2 = load_playlist_folder(file, LoadOptions{});
  ASSERT_EQ(r2.diagnostics.size(), 1u);
  EXPECT_EQ(r2.diagnostics[0].where.file, file.string());
}

TEST(PlaylistFolder, MissingFileIsOneError) {
  TempDir dir;
  const auto r = load_playlist_file(dir.path() / "gone.toml", LoadOptions{});
  EXPECT_FALSE(r.campaign);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].format(),
            (dir.path() / "gone.toml").string() + ": error: cannot load the playlist: the file does not exist");
}

// ---- hostile input ----

// No campaign, and an error that says `phrase`.
void expect_refused(const PlaylistFileResult& r, const std::string& phrase) {
  EXPECT_FALSE(r.campaign);
  EXPECT_TRUE(std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                          [&](const Diagnostic& d) {
                            return d.severity == Severity::error && d.message.find(phrase) != std::string::npos;
                          }))
      << "no error saying '" << phrase << "' in\n"
      << dump(r.diagnostics);
}

TEST(PlaylistRobustness, HostileInputsAreRefusedCleanly) {
  const LoadOptions options;
  expect_refused(load_playlist_text(std::string(kMinimal) + "priority = 99999999999999999999\n", "h.toml", options),
                 "not representable in 64 bits");
  expect_refused(load_playlist_text(std::string(kMinimal) + "duration = \"99999999999999999999999h\"\n", "h.toml",
                                    options),
                 "is not a duration");
  expect_refused(
      load_playlist_text("[campaign]\nid = \"x\"\npriority = 9223372036854775807\n", "h.toml", options),
      "'priority' must be between 0 and 1000");
  expect_refused(load_playlist_text("[campaign]\nid = \"\xff\xfe\"\n", "h.toml", options), "not UTF-8 text");
  expect_refused(load_playlist_text(std::string("[campaign]\nid = \"a\0b\"\n", 20), "h.toml", options),
                 "invisible control character (U+0000)");

  std::string dotted = "x";
  for (int i = 0; i < 300'000; ++i) dotted += ".a";
  expect_refused(load_playlist_text(dotted + " = 1\n", "h.toml", options), "nested more than 64 levels");
  expect_refused(load_playlist_text("[" + dotted + "]\n", "h.toml", options), "nested more than 64 levels");
  expect_refused(load_playlist_text("x = " + std::string(100'000, '[') + std::string(100'000, ']') + "\n", "h.toml",
                                    options),
                 "TOML syntax error");
  std::string inline_tables = "x = ";
  for (int i = 0; i < 50'000; ++i) inline_tables += "{a=";
  expect_refused(load_playlist_text(inline_tables, "h.toml", options), "TOML syntax error");

  std::mt19937 rng(12350);
  std::string garbage(4096, '\0');
  for (char& ch : garbage) ch = static_cast<char>(rng() & 0xFF);
  expect_refused(load_playlist_text(garbage, "h.toml", options), "not UTF-8 text");

  // A valid file with many dots on a line that are not keys is not mistaken for deep keys.
  std::string floats = std::string(kMinimal) + "text2 = \"" + std::string(200, '.') + "\"\n";
  EXPECT_FALSE(load_playlist_text(floats, "h.toml", options).campaign);  // unknown key text2, not nesting
  EXPECT_NE(load_playlist_text(floats, "h.toml", options).diagnostics[0].message.find("unknown key 'text2'"),
            std::string::npos);
}

TEST(PlaylistRobustness, ThousandsOfProblemsAreCappedWithACount) {
  std::string text = "[campaign]\nid = \"many\"\n";
  for (int i = 0; i < 500; ++i) text += "[[item]]\nid = \"i" + std::to_string(i) + "\"\ntype = \"banner\"\n";
  const auto r = load_playlist_text(text, "many.toml", LoadOptions{});
  EXPECT_FALSE(r.campaign);
  ASSERT_EQ(r.diagnostics.size(), 201u);
  EXPECT_EQ(r.diagnostics[0].format(), "many.toml:5:8: error: unsupported item type 'banner'; use slogan, image or video");
  EXPECT_EQ(r.diagnostics[199].where.line, 200 * 3 + 2);
  EXPECT_EQ(r.diagnostics[200].format(), "many.toml: error: and 300 more problems; fix the ones above first");
}

TEST(PlaylistRobustness, ManyWarningsAreCappedWithoutRefusingTheFile) {
  TempDir media;
  LoadOptions options;
  options.media_root = media.path();
  std::string text = "[campaign]\nid = \"many\"\n";
  for (int i = 0; i < 250; ++i) {
    text += "[[item]]\nid = \"i" + std::to_string(i) + "\"\ntype = \"image\"\nfile = \"m/" + std::to_string(i) + ".png\"\n";
  }
  const auto r = load_playlist_text(text, "many.toml", options);
  ASSERT_TRUE(r.campaign);
  EXPECT_EQ(r.campaign->items.size(), 250u);
  ASSERT_EQ(r.diagnostics.size(), 201u);
  EXPECT_FALSE(has_errors(r.diagnostics));
  EXPECT_EQ(r.diagnostics[200].format(), "many.toml: warning: and 50 more problems; fix the ones above first");
}

TEST(PlaylistRobustness, FilesOverOneMebibyteAreRefused) {
  TempDir dir;
  std::string big = std::string(kMinimal) + "# " + std::string(10 * 1024 * 1024, 'x') + "\n";
  const fs::path file = dir.write("big.toml", big);
  const auto r = load_playlist_file(file, LoadOptions{});
  expect_refused(r, "larger than 1 MiB");
  EXPECT_EQ(r.diagnostics[0].where.file, file.string());
  expect_refused(load_playlist_text(big, "big.toml", LoadOptions{}), "larger than 1 MiB");
}

TEST(PlaylistRobustness, RandomMutationsNeverCrash) {
  TempDir media;
  for (const char* f : {"media/bg.png", "media/evacuation.mp4", "media/0616.png"}) media.write(f, "x");
  LoadOptions options;
  options.media_root = media.path();
  const std::string valid = read_all(kData / "valid/safety-month.toml");
  ASSERT_FALSE(valid.empty());
  static constexpr char kSpecial[] = "[]{}\"'=.,#\\\n\t -:0123456789abcz\x80\xe4\xff";

  std::mt19937 rng(20240616);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  int accepted = 0;
  int refused = 0;
  for (int iteration = 0; iteration < 2000; ++iteration) {
    std::string text = valid;
    const int edits = 1 + static_cast<int>(pick(4));
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = pick(text.size());
      switch (pick(6)) {
        case 0:  // flip bits of one byte
          text[at] = static_cast<char>(text[at] ^ static_cast<char>(1 + pick(255)));
          break;
        case 1:  // truncate
          text.resize(at);
          break;
        case 2:  // insert a TOML-significant or odd byte
          text.insert(at, 1, kSpecial[pick(sizeof kSpecial - 1)]);
          break;
        case 3:  // insert random bytes
          for (std::size_t k = pick(8) + 1; k > 0; --k) text.insert(at, 1, static_cast<char>(pick(256)));
          break;
        case 4:  // delete a range
          text.erase(at, pick(32) + 1);
          break;
        default: {  // duplicate a stretch (tables, keys, items twice)
          const std::string piece = text.substr(at, pick(200) + 1);
          text.insert(pick(text.size() + 1), piece);
          break;
        }
      }
    }
    const auto r = load_playlist_text(text, "fuzz.toml", options);
    const bool errors = has_errors(r.diagnostics);
    ASSERT_NE(r.campaign.has_value(), errors) << "iteration " << iteration << "\n" << dump(r.diagnostics);
    for (const auto& d : r.diagnostics) ASSERT_EQ(d.where.file, "fuzz.toml");
    (r.campaign ? accepted : refused)++;
  }
  // Both outcomes happen, so the loop exercised the checks, not only the parser.
  EXPECT_GT(accepted, 20);
  EXPECT_GT(refused, 500);
}

}  // namespace
}  // namespace signage
