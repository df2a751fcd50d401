#include <gtest/gtest.h>

#include <algorithm>

#include <unistd.h>

#include <array>
#include <atomic>
#include <thread>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

#include "core/text_util.h"
#include "media/image.h"
#include "golden.h"
#include "render/display.h"
#include "render/layout.h"
#include "render/picture_cache.h"
#include "render/scene.h"
#include "support/files.h"
#include "support/made_once.h"

namespace signage {
namespace {

using namespace std::chrono;
namespace fs = std::filesystem;

TEST(FitRect, ContainLetterboxesAndCoverCrops) {
  const Rect box{0, 0, 1920, 1080};
  EXPECT_EQ(fit_rect(1000, 1000, box, Fit::contain), (Rect{420, 0, 1080, 1080}));
  EXPECT_EQ(fit_rect(1000, 1000, box, Fit::cover), (Rect{0, -420, 1920, 1920}));
  EXPECT_EQ(fit_rect(3840, 2160, box, Fit::contain), box);
  EXPECT_EQ(fit_rect(0, 10, box, Fit::contain), box);
}

// A view that records the opacity it was drawn with.
struct Recorder final : View {
  explicit Recorder(std::vector<std::pair<int, float>>& log, int id) : log_(log), id_(id) {}
  void draw(Display&, float alpha) override { log_.emplace_back(id_, alpha); }
  std::string describe() const override { return "recorder"; }
  std::vector<std::pair<int, float>>& log_;
  int id_;
};

// Display whose drawing is ignored: Stage only calls View::draw.
struct NullDisplay final : Display {
  int width() const override { return 100; }
  int height() const override { return 100; }
  std::string describe() const override { return "null"; }
  Result<Texture> upload(const Image&) override { return Error("no textures here"); }
  void fill(const Rect&, Rgb, float) override {}
  void draw(Texture&, const Rect&, float) override {}
  Result<Image> read_pixels() override { return Error("nothing to read"); }
  void present() override {}
  InputEvent wait(milliseconds) override { return InputEvent::none; }
};

TEST(Stage, FirstViewCutsThenFadesOverThePrevious) {
  std::vector<std::pair<int, float>> log;
  NullDisplay d;
  Stage stage(milliseconds(500));
  const Instant t0{seconds(1000)};
  stage.show(std::make_unique<Recorder>(log, 1), t0, Transition::fade);
  EXPECT_FALSE(stage.animating(t0));  // nothing to fade from
  stage.draw(d, t0);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], std::make_pair(1, 1.0f));

  log.clear();
  const Instant t1 = t0 + seconds(12);
  stage.show(std::make_unique<Recorder>(log, 2), t1, Transition::fade);
  EXPECT_TRUE(stage.animating(t1 + milliseconds(250)));
  stage.draw(d, t1 + milliseconds(250));
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0], std::make_pair(1, 1.0f));  // the old one stays fully underneath: no black
  EXPECT_EQ(log[1].first, 2);
  EXPECT_NEAR(log[1].second, 0.5f, 1e-6);

  log.clear();
  EXPECT_FALSE(stage.animating(t1 + milliseconds(500)));
  stage.draw(d, t1 + milliseconds(500));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], std::make_pair(2, 1.0f));
}

TEST(Stage, CutReplacesAtOnce) {
  std::vector<std::pair<int, float>> log;
  NullDisplay d;
  Stage stage(milliseconds(500));
  const Instant t0{seconds(1000)};
  stage.show(std::make_unique<Recorder>(log, 1), t0, Transition::fade);
  stage.show(std::make_unique<Recorder>(log, 2), t0 + seconds(1), Transition::cut);
  EXPECT_FALSE(stage.animating(t0 + seconds(1)));
  stage.draw(d, t0 + seconds(1));
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], std::make_pair(2, 1.0f));
}

TEST(ChineseDate, FormatsWithWeekday) {
  auto zone = fixed_offset_zone(hours(8));
  const auto t = *parse_iso8601("2024-06-16T10:02:00+08:00", *zone);
  EXPECT_EQ(chinese_date(zone->to_local(t)), "2024年6月16日 星期日");
}

std::unique_ptr<Display> headless(int w, int h) {
  DisplayOptions o;
  o.mode = DisplayOptions::Mode::headless;
  o.software = true;
  o.width = w;
  o.height = h;
  auto d = open_sdl_display(o);
  EXPECT_TRUE(d.ok()) << d.error().what();
  return d ? std::move(*d) : nullptr;
}

std::array<int, 4> pixel(const Image& img, int x, int y) {
  const auto* p = &img.rgba[(static_cast<size_t>(y) * static_cast<size_t>(img.width) + static_cast<size_t>(x)) * 4];
  return {p[0], p[1], p[2], p[3]};
}

void expect_colour(const Image& img, int x, int y, Rgb c, int tol = 2) {
  const auto p = pixel(img, x, y);
  EXPECT_NEAR(p[0], c.r, tol) << "at " << x << "," << y;
  EXPECT_NEAR(p[1], c.g, tol) << "at " << x << "," << y;
  EXPECT_NEAR(p[2], c.b, tol) << "at " << x << "," << y;
}

TEST(SdlDisplay, HeadlessDrawsAndReadsBack) {
  auto d = headless(64, 48);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->width(), 64);
  EXPECT_EQ(d->height(), 48);
  d->fill(Rect{0, 0, 64, 48}, Rgb{200, 16, 46}, 1.0f);
  Image quad;
  quad.width = 2;
  quad.height = 2;
  quad.rgba = {255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255};
  auto t = d->upload(quad);
  ASSERT_TRUE(t.ok()) << t.error().what();
  EXPECT_EQ(t->width(), 2);
  d->draw(*t, Rect{32, 0, 32, 32}, 1.0f);
  auto img = d->read_pixels();
  ASSERT_TRUE(img.ok()) << img.error().what();
  expect_colour(*img, 5, 40, Rgb{200, 16, 46});
  expect_colour(*img, 36, 4, Rgb{255, 0, 0}, 40);
  expect_colour(*img, 60, 28, Rgb{255, 255, 255}, 40);
  // Half opacity over the red background.
  d->fill(Rect{0, 0, 64, 48}, Rgb{0, 0, 0}, 1.0f);
  d->fill(Rect{0, 0, 64, 48}, Rgb{255, 255, 255}, 0.5f);
  auto half = d->read_pixels();
  ASSERT_TRUE(half.ok());
  expect_colour(*half, 10, 10, Rgb{128, 128, 128}, 3);
}

TEST(DisplayTest, ReadRowsSamplesRowsEvenlyAsReadPixelsSeesThem) {
  auto d = headless(64, 48);
  ASSERT_TRUE(d);
  // Four bands of 12 rows; one sampled row falls in each (rows 6, 18, 30, 42).
  const Rgb bands[] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
  for (int i = 0; i < 4; ++i) d->fill(Rect{0, 12 * i, 64, 12}, bands[i], 1.0f);
  auto all = d->read_pixels();
  auto rows = d->read_rows(4);
  ASSERT_TRUE(all.ok() && rows.ok());
  EXPECT_EQ(rows->width, 64);
  EXPECT_EQ(rows->height, 4);
  for (int i = 0; i < 4; ++i) {
    expect_colour(*rows, 10, i, bands[i]);
    const auto row = static_cast<std::size_t>(64 * 4);
    EXPECT_TRUE(std::equal(rows->rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(i)),
                           rows->rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(i + 1)),
                           all->rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(6 + 12 * i))))
        << i;
  }
}

// A display that passes everything on to another and counts the pixels read back
// from it, and how many times the whole screen was read.
struct ReadCounter final : Display {
  explicit ReadCounter(Display& d) : d_(d) {}
  int width() const override { return d_.width(); }
  int height() const override { return d_.height(); }
  std::string describe() const override { return d_.describe(); }
  Result<Texture> upload(const Image& image) override { return d_.upload(image); }
  void fill(const Rect& r, Rgb c, float a) override { d_.fill(r, c, a); }
  void draw(Texture& t, const Rect& r, float a) override { d_.draw(t, r, a); }
  Result<Image> read_pixels() override {
    ++whole_reads;
    pixels += static_cast<long>(width()) * height();
    return d_.read_pixels();
  }
  Result<Image> read_rect(const Rect& r) override {
    pixels += static_cast<long>(r.w) * r.h;
    return d_.read_rect(r);
  }
  void present() override { d_.present(); }
  InputEvent wait(milliseconds t) override { return d_.wait(t); }
  Display& d_;
  int whole_reads = 0;
  long pixels = 0;
};

// The black-frame check after each switch reads a sample of rows through the
// player's zone (and, on a turned or cropped output, the turned or region display):
// every one of them reads those rows from the screen below, not the whole screen
// (8 MB at 1920x1080, the frames after the switch their time), and the rows are the
// ones read_pixels shows.
TEST(DisplayTest, ReadRowsThroughZonesAndTurnsReadsOnlyThoseRows) {
  auto out = headless(64, 48);
  ASSERT_TRUE(out);
  // A different colour in every 4x4 block, so that any misplaced pixel shows.
  for (int y = 0; y < 48; y += 4) {
    for (int x = 0; x < 64; x += 4) {
      out->fill(Rect{x, y, 4, 4}, Rgb{static_cast<std::uint8_t>(x * 4), static_cast<std::uint8_t>(y * 5), 90}, 1.0f);
    }
  }
  ReadCounter counter(*out);
  for (int rotation : {0, 90, 180, 270}) {
    auto turned = turn_display(counter, rotation);
    ZoneDisplay zone(*turned, Rect{4, 8, turned->width() - 12, turned->height() - 16});
    auto region = region_display(*turned, Rect{8, 4, turned->width() - 16, turned->height() - 8});
    for (Display* d : {static_cast<Display*>(turned.get()), static_cast<Display*>(&zone), region.get()}) {
      SCOPED_TRACE("rotation " + std::to_string(rotation) + ", " + std::to_string(d->width()) + "x" +
                   std::to_string(d->height()));
      auto all = d->read_pixels();
      ASSERT_TRUE(all.ok()) << all.error().what();
      counter.whole_reads = 0;
      counter.pixels = 0;
      auto rows = d->read_rows(5);
      ASSERT_TRUE(rows.ok()) << rows.error().what();
      EXPECT_EQ(counter.whole_reads, 0);
      EXPECT_EQ(counter.pixels, 5L * d->width());
      ASSERT_EQ(rows->width, d->width());
      ASSERT_EQ(rows->height, 5);
      const auto row = static_cast<std::size_t>(d->width()) * 4;
      for (int i = 0; i < 5; ++i) {
        const int y = (2 * i + 1) * d->height() / 10;
        EXPECT_TRUE(std::equal(rows->rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(i)),
                               rows->rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(i + 1)),
                               all->rgba.begin() + static_cast<std::ptrdiff_t>(row * static_cast<std::size_t>(y))))
            << "row " << i << " (y " << y << ")";
      }
      // A rectangle outside the display reads nothing; one across its edge, the part inside.
      auto none = d->read_rect(Rect{d->width(), 0, 10, 10});
      ASSERT_TRUE(none.ok());
      EXPECT_EQ(none->width * none->height, 0);
      auto edge = d->read_rect(Rect{d->width() - 3, -2, 10, 5});
      ASSERT_TRUE(edge.ok());
      EXPECT_EQ(edge->width, 3);
      EXPECT_EQ(edge->height, 3);
    }
  }
}

class SceneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    display_ = headless(320, 180);
    ASSERT_TRUE(display_);
    auto f = FontSet::open("");
    ASSERT_TRUE(f.ok()) << f.error().what();
    fonts_.emplace(std::move(*f));
    zone_ = fixed_offset_zone(hours(8));
    SceneOptions o;
    o.screen_id = "luojiang-wanda-lobby-01";
    scene_.emplace(*display_, *fonts_, *zone_, o);
  }
  Image render(View& v) {
    v.draw(*display_, 1.0f);
    auto img = display_->read_pixels();
    EXPECT_TRUE(img.ok());
    return img ? *img : Image{};
  }
  static int count_near(const Image& img, Rgb c, int tol) {
    int n = 0;
    for (size_t i = 0; i + 3 < img.rgba.size(); i += 4) {
      if (std::abs(img.rgba[i] - c.r) <= tol && std::abs(img.rgba[i + 1] - c.g) <= tol &&
          std::abs(img.rgba[i + 2] - c.b) <= tol) {
        ++n;
      }
    }
    return n;
  }
  std::unique_ptr<Display> display_;
  std::optional<FontSet> fonts_;
  std::unique_ptr<TimeZone> zone_;
  std::optional<Scene> scene_;
};

// A slogan item in white on the red of the built-in banner styles.
Item white_on_red(std::string id, std::string text) {
  Item item;
  item.id = std::move(id);
  item.type = ItemType::slogan;
  item.text = std::move(text);
  item.style.background = Rgb{200, 16, 46};
  item.style.color = Rgb{255, 255, 255};
  return item;
}

TEST_F(SceneTest, SloganHasBackgroundAndText) {
  const Item item = white_on_red("theme", "人人讲安全、个个会应急\n畅通生命通道");
  auto v = scene_->prepare(item);
  ASSERT_TRUE(v.ok()) << v.error().what();
  const Image img = render(**v);
  expect_colour(img, 0, 0, Rgb{200, 16, 46});
  expect_colour(img, 319, 179, Rgb{200, 16, 46});
  const int white = count_near(img, Rgb{255, 255, 255}, 30);
  EXPECT_GT(white, 320 * 180 / 50) << "the text should cover a good part of the screen";
  EXPECT_LT(white, 320 * 180 / 2);
  EXPECT_EQ((*v)->describe(), "slogan 'theme'");
}

TEST_F(SceneTest, ImageIsLetterboxedOnTheStyleBackground) {
  Image green;
  green.width = 100;
  green.height = 100;
  green.rgba.assign(100 * 100 * 4, 0);
  for (size_t i = 0; i < green.rgba.size(); i += 4) {
    green.rgba[i + 1] = 200;
    green.rgba[i + 3] = 255;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("render_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(write_png(green, dir / "g.png").ok());
  Item item;
  item.id = "banner";
  item.type = ItemType::image;
  item.path = dir / "g.png";
  item.style.background = Rgb{11, 78, 162};
  auto v = scene_->prepare(item);
  ASSERT_TRUE(v.ok()) << v.error().what();
  const Image img = render(**v);
  expect_colour(img, 160, 90, Rgb{0, 200, 0});
  expect_colour(img, 10, 90, Rgb{11, 78, 162});   // left bar
  expect_colour(img, 310, 90, Rgb{11, 78, 162});  // right bar

  // Prepared ahead (decoded on another thread while something else plays): the
  // same picture once ready() has uploaded it.
  auto ahead = scene_->prepare(item, PrepareMode::ahead);
  ASSERT_TRUE(ahead.ok()) << ahead.error().what();
  auto r = (*ahead)->ready(std::chrono::milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.error().what();
  ASSERT_TRUE(*r);
  EXPECT_EQ(render(**ahead).rgba, img.rgba);
  std::filesystem::remove_all(dir);
}

// A display that passes everything on to another and notes the size of each
// picture uploaded.
struct UploadSizes final : Display {
  explicit UploadSizes(Display& d) : d_(d) {}
  int width() const override { return d_.width(); }
  int height() const override { return d_.height(); }
  std::string describe() const override { return d_.describe(); }
  Result<Texture> upload(const Image& image) override {
    sizes.emplace_back(image.width, image.height);
    return d_.upload(image);
  }
  void fill(const Rect& r, Rgb c, float a) override { d_.fill(r, c, a); }
  void draw(Texture& t, const Rect& r, float a) override { d_.draw(t, r, a); }
  Result<Image> read_pixels() override { return d_.read_pixels(); }
  void present() override { d_.present(); }
  InputEvent wait(milliseconds t) override { return d_.wait(t); }
  Display& d_;
  std::vector<std::pair<int, int>> sizes;
};

// A picture far bigger than the screen is shrunk to the size it is drawn at on its
// decode thread: the upload is that size, not 256 MB of texture for 8000x8000, and
// it looks the same (left half red, right half blue, letterboxed).
TEST_F(SceneTest, ABigPictureIsShrunkToItsPlaceBeforeItIsUploaded) {
  Image big;
  big.width = 4000;
  big.height = 1000;
  big.rgba.resize(std::size_t{4000} * 1000 * 4);
  for (int y = 0; y < big.height; ++y) {
    for (int x = 0; x < big.width; ++x) {
      std::uint8_t* px = &big.rgba[static_cast<std::size_t>(y * big.width + x) * 4];
      px[0] = x < 2000 ? 220 : 0;
      px[2] = x < 2000 ? 0 : 220;
      px[3] = 255;
    }
  }
  test::TempDir dir;
  ASSERT_TRUE(write_png(big, dir / "big.png").ok());
  UploadSizes d(*display_);
  SceneOptions o;
  Scene scene(d, *fonts_, *zone_, o);
  Item item;
  item.id = "banner";
  item.type = ItemType::image;
  item.path = dir / "big.png";
  item.style.background = Rgb{11, 78, 162};
  for (const PrepareMode mode : {PrepareMode::ready, PrepareMode::ahead}) {
    d.sizes.clear();
    auto v = scene.prepare(item, mode);
    ASSERT_TRUE(v.ok()) << v.error().what();
    auto r = (*v)->ready(std::chrono::milliseconds(10'000));
    ASSERT_TRUE(r.ok() && *r);
    ASSERT_EQ(d.sizes.size(), 1u);
    EXPECT_EQ(d.sizes[0], std::make_pair(320, 80)) << "4000x1000 contained in 320x180";
    const Image img = render(**v);
    expect_colour(img, 80, 90, Rgb{220, 0, 0});
    expect_colour(img, 240, 90, Rgb{0, 0, 220});
    expect_colour(img, 160, 20, Rgb{11, 78, 162});  // the bar above
  }
  // Covering the screen, it is shrunk to cover it (720x180, cropped when drawn).
  item.fit = Fit::cover;
  d.sizes.clear();
  auto v = scene.prepare(item);
  ASSERT_TRUE(v.ok()) << v.error().what();
  ASSERT_EQ(d.sizes.size(), 1u);
  EXPECT_EQ(d.sizes[0], std::make_pair(720, 180));
}

// ------------------------------------------------------------ the picture cache

std::shared_ptr<const Image> solid_picture(int w, int h, Rgb c) {
  auto img = std::make_shared<Image>();
  img->width = w;
  img->height = h;
  img->rgba.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  for (std::size_t i = 0; i < img->rgba.size(); i += 4) {
    img->rgba[i] = c.r;
    img->rgba[i + 1] = c.g;
    img->rgba[i + 2] = c.b;
    img->rgba[i + 3] = 255;
  }
  return img;
}

PictureKey key_for(const std::string& file) {
  PictureKey k;
  k.file = file;
  k.box_w = 320;
  k.box_h = 180;
  return k;
}

TEST(PictureCache, KeepsWithinItsBudgetAndDropsTheLeastRecentlyUsedFirst) {
  const Rgb grey{128, 128, 128};
  PictureCache cache(3 * 40'000);  // three 100x100 pictures
  for (const char* f : {"a", "b", "c"}) cache.put(key_for(f), solid_picture(100, 100, grey));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.bytes(), 120'000u);
  ASSERT_TRUE(cache.find(key_for("a")));  // now the most recently used
  cache.put(key_for("d"), solid_picture(100, 100, grey));
  EXPECT_FALSE(cache.find(key_for("b"))) << "the least recently used goes first";
  for (const char* f : {"a", "c", "d"}) EXPECT_TRUE(cache.find(key_for(f))) << f;
  EXPECT_EQ(cache.bytes(), 120'000u);

  // Kept again under the same key: replaced, and counted once.
  cache.put(key_for("d"), solid_picture(50, 100, grey));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.bytes(), 100'000u);

  // The same file fitted to another box, or stamped otherwise on disk: other keys.
  PictureKey other = key_for("a");
  other.box_w = 640;
  EXPECT_FALSE(cache.find(other));
  other = key_for("a");
  other.stamp.mtime_ns = 1;
  EXPECT_FALSE(cache.find(other));
  other = key_for("a");
  other.fit = 1;
  EXPECT_FALSE(cache.find(other));

  // Bigger than the whole budget: not kept, and nothing evicted for it.
  cache.put(key_for("huge"), solid_picture(200, 200, grey));
  EXPECT_FALSE(cache.find(key_for("huge")));
  EXPECT_EQ(cache.size(), 3u);

  // A picture handed out stays whole after it is evicted.
  const auto held = cache.find(key_for("a"));
  ASSERT_TRUE(held);
  for (const char* f : {"e", "f", "g"}) cache.put(key_for(f), solid_picture(100, 100, grey));
  EXPECT_FALSE(cache.find(key_for("a")));
  EXPECT_EQ(held->rgba.size(), 40'000u);
  EXPECT_EQ(held->rgba[0], 128);
}

TEST(PictureCache, AFileRewrittenOrReplacedHasAnotherStamp) {
  test::TempDir dir;
  const fs::path f = dir / "banner.png";
  test::write_file(f, "first");
  const auto first = stamp_of(f);
  ASSERT_TRUE(first);
  EXPECT_EQ(stamp_of(f), first) << "unchanged: the same stamp";
  test::write_file(f, "second, longer");  // written in place
  const auto rewritten = stamp_of(f);
  ASSERT_TRUE(rewritten);
  EXPECT_NE(rewritten, first);
  test::write_file(dir / "new.png", "second, longer");
  fs::rename(dir / "new.png", f);  // replaced, as copy tools do
  const auto replaced = stamp_of(f);
  ASSERT_TRUE(replaced);
  EXPECT_NE(replaced, rewritten) << "another inode";
  EXPECT_FALSE(stamp_of(dir / "missing.png"));
  EXPECT_FALSE(stamp_of(dir.path())) << "a folder is no picture";
}

// A picture shown again is taken from the Scene's cache, not decoded again: what the
// cache holds under the file's key is what is drawn. Once the file is replaced it is
// decoded afresh.
TEST_F(SceneTest, APictureShownAgainComesFromTheCacheUntilItsFileChanges) {
  test::TempDir dir;
  const fs::path file = dir / "banner.png";
  ASSERT_TRUE(write_png(*solid_picture(100, 100, Rgb{0, 200, 0}), file).ok());
  const auto cache = std::make_shared<PictureCache>(kPictureCacheBytes);
  SceneOptions o;
  o.pictures = cache;
  Scene scene(*display_, *fonts_, *zone_, o);
  Item item;
  item.id = "banner";
  item.type = ItemType::image;
  item.path = file;
  item.style.background = Rgb{11, 78, 162};
  auto v = scene.prepare(item);
  ASSERT_TRUE(v.ok()) << v.error().what();
  expect_colour(render(**v), 160, 90, Rgb{0, 200, 0});
  EXPECT_EQ(cache->size(), 1u);

  const auto stamp = stamp_of(file);
  ASSERT_TRUE(stamp);
  const PictureKey key{file, *stamp, 320, 180, static_cast<int>(Fit::contain), o.max_image_pixels};
  ASSERT_TRUE(cache->find(key)) << "kept under the file as it is, fitted to the screen";
  cache->put(key, solid_picture(180, 180, Rgb{220, 0, 0}));
  for (const PrepareMode mode : {PrepareMode::ready, PrepareMode::ahead}) {
    auto again = scene.prepare(item, mode);
    ASSERT_TRUE(again.ok()) << again.error().what();
    auto r = (*again)->ready(milliseconds(5000));
    ASSERT_TRUE(r.ok() && *r);
    expect_colour(render(**again), 160, 90, Rgb{220, 0, 0});
  }

  // The file replaced by another picture: decoded afresh, and kept beside.
  ASSERT_TRUE(write_png(*solid_picture(100, 100, Rgb{0, 0, 200}), file).ok());
  auto replaced = scene.prepare(item);
  ASSERT_TRUE(replaced.ok()) << replaced.error().what();
  expect_colour(render(**replaced), 160, 90, Rgb{0, 0, 200});
  EXPECT_EQ(cache->size(), 2u);
}

// The biggest picture allowed (8000x8000) takes a second or more to decode. A stop
// (SIGTERM) while the player waits for it ends the wait within a slice, and the
// Scene does not wait for the decode either: the player exits within a second.
// One bit per pixel: written in a third of the time an RGB one takes (deflating
// 192 MB), and decoded to the same 8000x8000 picture.
TEST_F(SceneTest, AStopEndsTheWaitForTheBiggestPictureAndNothingWaitsForItsDecode) {
  test::TempDir dir;
  ASSERT_TRUE(test::ffmpeg_made("-f lavfi -i color=c=white:s=8000x8000 -frames:v 1 -pix_fmt monob", dir / "big.png"));
  std::atomic<bool> stop{false};
  SceneOptions o;
  o.stop = &stop;
  auto scene = std::make_unique<Scene>(*display_, *fonts_, *zone_, o);
  Item item;
  item.id = "huge";
  item.type = ItemType::image;
  item.path = dir / "big.png";
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(milliseconds(100));
    stop = true;
  });
  const auto t0 = steady_clock::now();
  auto v = scene->prepare(item);
  const auto waited = steady_clock::now() - t0;
  stopper.join();
  ASSERT_FALSE(v.ok()) << "decoded within 100 ms? then this tests nothing";
  EXPECT_EQ(v.error().kind(), ErrorKind::stopped) << v.error().what();
  EXPECT_LT(waited, milliseconds(600)) << duration<double>(waited).count() << " s";
  const auto t1 = steady_clock::now();
  scene.reset();
  const auto closing = steady_clock::now() - t1;
  EXPECT_LT(closing, milliseconds(700)) << duration<double>(closing).count() << " s";
  std::printf("stop seen after %.3f s, scene gone %.3f s later\n", duration<double>(waited).count(),
              duration<double>(closing).count());
}

// The longest slogan allowed (1 000 characters of real slogans) on a 4K screen.
Item longest_slogan() {
  const std::string seed = "人人讲安全、个个会应急，畅通生命通道。遵守安全生产法，当好第一责任人！";
  std::u32string text;
  const std::u32string s32 = utf8_to_u32(seed);
  while (text.size() + s32.size() <= 1000) text += s32;
  return white_on_red("longest", u32_to_utf8(text));
}

TEST_F(SceneTest, ASloganPreparedAheadIsLaidOutAndDrawnOffTheMainThread) {
  auto big = headless(3840, 2160);
  ASSERT_TRUE(big);
  Scene scene(*big, *fonts_, *zone_, SceneOptions{});
  const Item item = longest_slogan();
  // What the main thread spent on this slogan when it laid it out itself.
  const auto d0 = steady_clock::now();
  const SloganSetting set = set_slogan(*fonts_, item, 3840, 2160, 0);
  ASSERT_FALSE(set.layout.lines.empty());
  ASSERT_TRUE(draw_text(*fonts_, set.layout, set.box.w, set.box.h, Rgb{255, 255, 255}).ok());
  const auto direct = steady_clock::now() - d0;
  ASSERT_GT(direct, milliseconds(20)) << "too quick to show anything";

  const auto t0 = steady_clock::now();
  auto v = scene.prepare(item, PrepareMode::ahead);
  const auto prepared = steady_clock::now() - t0;
  ASSERT_TRUE(v.ok()) << v.error().what();
  // Poll as the kiosk loop does between frames; the longest poll that did not finish.
  steady_clock::duration longest_poll{};
  steady_clock::duration last_poll{};
  int polls = 0;
  for (;;) {
    const auto p0 = steady_clock::now();
    auto r = (*v)->ready(milliseconds(0));
    last_poll = steady_clock::now() - p0;
    ASSERT_TRUE(r.ok()) << r.error().what();
    ++polls;
    if (*r) break;
    longest_poll = std::max(longest_poll, last_poll);
    ASSERT_LT(steady_clock::now() - t0, seconds(30));
    std::this_thread::sleep_for(milliseconds(2));
  }
  const auto until_ready = steady_clock::now() - t0;
  std::printf("on the main thread: %.1f ms; prepared ahead: prepare %.2f ms, longest poll %.2f ms, "
              "upload %.1f ms, ready after %.1f ms (%d polls)\n",
              duration<double, std::milli>(direct).count(), duration<double, std::milli>(prepared).count(),
              duration<double, std::milli>(longest_poll).count(), duration<double, std::milli>(last_poll).count(),
              duration<double, std::milli>(until_ready).count(), polls);
  EXPECT_GT(polls, 1) << "the text was ready at the first look: it was laid out on the main thread";
  EXPECT_LT(prepared, direct / 2);
  EXPECT_LT(longest_poll, direct / 2);
  // And it is the slogan: white text on the style's background.
  (*v)->draw(*big, 1.0f);
  auto img = big->read_pixels();
  ASSERT_TRUE(img.ok());
  EXPECT_GT(count_near(*img, Rgb{255, 255, 255}, 40), 3840 * 2160 / 100);
}

// A slogan's text block is as big as its zone, mostly transparent: only its ink is
// uploaded, drawn where it was (the picture is the same as drawing the whole block).
TEST_F(SceneTest, OnlyTheInkOfASloganIsUploaded) {
  UploadSizes d(*display_);
  Scene scene(d, *fonts_, *zone_, SceneOptions{});
  const Item item = white_on_red("short", "安全第一");
  auto v = scene.prepare(item);
  ASSERT_TRUE(v.ok()) << v.error().what();
  ASSERT_EQ(d.sizes.size(), 1u);
  const Rect box = slogan_text_box(320, 180, -1);
  EXPECT_LT(d.sizes[0].first * d.sizes[0].second, box.w * box.h / 2)
      << d.sizes[0].first << "x" << d.sizes[0].second << " of a " << box.w << "x" << box.h << " block";
  const SloganSetting set = set_slogan(*fonts_, item, 320, 180, 0);
  auto whole = draw_text(*fonts_, set.layout, set.box.w, set.box.h, Rgb{255, 255, 255});
  ASSERT_TRUE(whole.ok());
  auto tex = display_->upload(*whole);
  ASSERT_TRUE(tex.ok());
  display_->fill(Rect{0, 0, 320, 180}, Rgb{200, 16, 46}, 1.0f);
  display_->draw(*tex, set.box, 1.0f);
  auto want = display_->read_pixels();
  ASSERT_TRUE(want.ok());
  const Image got = render(**v);
  EXPECT_EQ(got.rgba, want->rgba) << "the cropped block drawn in its place looks the same";
}

TEST_F(SceneTest, TheSceneEndsAtOnceWhileASloganIsBeingLaidOut) {
  auto big = headless(3840, 2160);
  ASSERT_TRUE(big);
  auto scene = std::make_unique<Scene>(*big, *fonts_, *zone_, SceneOptions{});
  auto v = scene->prepare(longest_slogan(), PrepareMode::ahead);
  ASSERT_TRUE(v.ok());
  std::this_thread::sleep_for(milliseconds(5));  // the text thread is at it
  const auto t0 = steady_clock::now();
  scene.reset();
  const auto closing = steady_clock::now() - t0;
  std::printf("scene gone %.1f ms after the stop\n", duration<double, std::milli>(closing).count());
  EXPECT_LT(closing, milliseconds(1000)) << "a stop is honoured within a second";
  v->reset();  // the view outlives the scene harmlessly
}

TEST_F(SceneTest, SlogansLaidOutOnTheTextThreadWhileTheMainThreadDrawsTextToo) {
  // Two FontSets on two threads at once (SDL_ttf shares one FreeType library).
  std::vector<std::unique_ptr<View>> views;
  const char* texts[] = {"安全生产月", "人人讲安全、个个会应急", "畅通生命通道", "安全生产举报电话 12350",
                         "遵守安全生产法，当好第一责任人", "Safety first 安全第一", "隐患险于明火，防范胜于救灾",
                         "进入车间必须佩戴安全帽，穿戴好劳动防护用品。"};
  int n = 0;
  for (const char* t : texts) {
    Item item;
    item.id = "s" + std::to_string(n++);
    item.type = ItemType::slogan;
    item.text = t;
    item.style.weight = n % 2 ? FontWeight::bold : FontWeight::regular;
    item.style.background = Rgb{0, 0x4a, 0x99};
    item.style.color = Rgb{255, 255, 255};
    auto v = scene_->prepare(item, PrepareMode::ahead);
    ASSERT_TRUE(v.ok()) << v.error().what();
    views.push_back(std::move(*v));
    // Meanwhile the main thread lays out and draws with its own set.
    Ticker ticker;
    ticker.texts = {t, "2024年6月16日 全国“安全宣传咨询日”"};
    ticker.speed = 100;
    auto band = TickerBand::make(*display_, *fonts_, ticker, 320, 24, Instant{});
    ASSERT_TRUE(band.ok()) << band.error().what();
  }
  for (auto& v : views) {
    auto r = v->ready(seconds(30));
    ASSERT_TRUE(r.ok()) << r.error().what();
    ASSERT_TRUE(*r);
    const Image img = render(*v);
    EXPECT_GT(count_near(img, Rgb{255, 255, 255}, 40), 50) << v->describe();
  }
}

TEST_F(SceneTest, UndecodableImageIsAnErrorNamingTheItem) {
  Item item;
  item.id = "broken";
  item.type = ItemType::image;
  item.file = "media/missing.png";
  item.path = "/nonexistent/missing.png";
  auto v = scene_->prepare(item);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().what().find("image 'broken'"), std::string::npos) << v.error().what();
  EXPECT_EQ(v.error().kind(), ErrorKind::not_found) << v.error().what();
  // Prepared ahead, the same error comes from ready(), and stays.
  auto ahead = scene_->prepare(item, PrepareMode::ahead);
  ASSERT_TRUE(ahead.ok());
  auto r = (*ahead)->ready(std::chrono::milliseconds(5000));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("image 'broken'"), std::string::npos) << r.error().what();
  EXPECT_NE(r.error().what().find("missing.png"), std::string::npos) << r.error().what();
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found) << r.error().what();
  EXPECT_FALSE((*ahead)->ready(std::chrono::milliseconds(0)).ok());
}

TEST_F(SceneTest, IdleScreenIsNeverBlackAndTicksEachMinute) {
  const Instant t = *parse_iso8601("2024-07-02T10:02:30+08:00", *zone_);
  auto v = scene_->prepare_idle(t);
  const Image img = render(*v);
  expect_colour(img, 0, 0, Rgb{0x10, 0x2a, 0x43});
  EXPECT_GT(count_near(img, Rgb{255, 255, 255}, 40), 100) << "clock and id should be drawn";
  const auto next = v->update(t);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, *parse_iso8601("2024-07-02T10:03:00+08:00", *zone_));
}

TEST_F(SceneTest, IdleScreenSaysWhyItIsIdleAndRedrawsAtOnceWhenThatChanges) {
  std::string why;
  SceneOptions o;
  o.screen_id = "lobby";
  o.language = Language::zh_CN;
  o.idle_reason = [&why](Instant) { return why; };
  Scene scene(*display_, *fonts_, *zone_, o);
  // Light pixels in the band of the reason line (52 % to 63 % of the height).
  auto reason_band = [&](const Image& img) {
    int n = 0;
    for (int y = img.height * 52 / 100; y < img.height * 63 / 100; ++y) {
      for (int x = 0; x < img.width; ++x) {
        if (img.rgba[static_cast<std::size_t>(y * img.width + x) * 4] > 160) ++n;
      }
    }
    return n;
  };
  const Instant t = *parse_iso8601("2024-07-02T10:02:30+08:00", *zone_);
  auto v = scene.prepare_idle(t);
  EXPECT_EQ(reason_band(render(*v)), 0) << "no reason given: nothing there";
  why = "所有播放列表都不予采用：b.toml:3:1: missing required key 'text'";
  const auto next = v->update(t + std::chrono::seconds(5));  // the same minute
  EXPECT_GT(reason_band(render(*v)), 100) << "a new reason is drawn at once";
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, *parse_iso8601("2024-07-02T10:03:00+08:00", *zone_));
}

TEST(IdleDate, InTheScreensLanguage) {
  const auto zone = fixed_offset_zone(hours(8));
  const LocalTime t = zone->to_local(*parse_iso8601("2024-06-16T10:00+08:00", *zone));
  EXPECT_EQ(chinese_date(t), "2024年6月16日 星期日");
  EXPECT_EQ(english_date(t), "Sunday 16 June 2024");
}

// ---- layout ----

TEST(Layout, BandSizesComeFromThePlaylistThenTheDeviceThenTheContent) {
  Campaign c;
  EXPECT_EQ(band_sizes(&c, Layout{}), (BandSizes{0, 0})) << "nothing to show in bands: full screen";
  EXPECT_EQ(band_sizes(nullptr, Layout{12, 9}), (BandSizes{0, 0})) << "the idle screen is full screen";
  c.ticker.texts = {"发现安全生产风险隐患，请拨打举报电话 12350"};
  EXPECT_EQ(band_sizes(&c, Layout{}), (BandSizes{0, 8}));
  c.header.present = true;
  EXPECT_EQ(band_sizes(&c, Layout{}), (BandSizes{10, 8}));
  EXPECT_EQ(band_sizes(&c, Layout{12, 6}), (BandSizes{12, 6})) << "the device's default";
  c.layout.header = 0;
  c.layout.ticker = 15;
  EXPECT_EQ(band_sizes(&c, Layout{12, 6}), (BandSizes{0, 15})) << "the playlist's own";
  c.ticker.texts.clear();
  EXPECT_EQ(band_sizes(&c, Layout{12, 6}), (BandSizes{0, 0})) << "no ticker text, no ticker band";
}

TEST(Layout, ZonesSplitTheScreenWithoutGapOrOverlap) {
  const Zones z = layout_zones(BandSizes{10, 8}, 1920, 1080);
  EXPECT_EQ(z.header, (Rect{0, 0, 1920, 108}));
  EXPECT_EQ(z.main, (Rect{0, 108, 1920, 1080 - 108 - 86}));
  EXPECT_EQ(z.ticker, (Rect{0, 1080 - 86, 1920, 86}));
  const Zones full = layout_zones(BandSizes{0, 0}, 1080, 1920);
  EXPECT_EQ(full.main, (Rect{0, 0, 1080, 1920}));
  EXPECT_EQ(full.header.h, 0);
  EXPECT_EQ(full.ticker.h, 0);
}

// A strip output (6:1 and wider) has no bands: a 10 % header of a 1920x160 strip
// would be 16 px and take that from the slogan. Just taller than 6:1, bands again.
TEST(Layout, AStripHasNoBandsAndItsSloganGetsTheWholeHeight) {
  for (const auto& [w, h] : {std::pair{1920, 160}, std::pair{128, 16}, std::pair{2560, 288}, std::pair{1920, 320}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    const Zones z = layout_zones(BandSizes{10, 8}, w, h);
    EXPECT_EQ(z.main, (Rect{0, 0, w, h}));
    EXPECT_EQ(z.header.h, 0);
    EXPECT_EQ(z.ticker.h, 0);
    EXPECT_EQ(z.header.w, 0);
    EXPECT_EQ(z.ticker.w, 0);
  }
  const Zones tall = layout_zones(BandSizes{10, 8}, 1920, 330);
  EXPECT_EQ(tall.header, (Rect{0, 0, 1920, 33}));
  EXPECT_EQ(tall.ticker.h, 26);
  EXPECT_EQ(tall.main, (Rect{0, 33, 1920, 330 - 33 - 26}));
}

TEST(TurnedDisplay, DrawsUprightOntoAnOutputTurnedEachWay) {
  auto out = headless(64, 48);
  ASSERT_TRUE(out);
  for (const int rot : {0, 90, 180, 270}) {
    auto screen = turn_display(*out, rot);
    const bool quarter = rot == 90 || rot == 270;
    EXPECT_EQ(screen->width(), quarter ? 48 : 64) << rot;
    EXPECT_EQ(screen->height(), quarter ? 64 : 48) << rot;
    screen->fill(Rect{0, 0, screen->width(), screen->height()}, Rgb{0, 0, 0}, 1.0f);
    // A red block at the upright top-left corner, a 2x2 picture at the bottom-right.
    screen->fill(Rect{0, 0, 10, 6}, Rgb{255, 0, 0}, 1.0f);
    Image quad;
    quad.width = 2;
    quad.height = 2;
    quad.rgba = {0, 255, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 255, 255};  // green row, blue row
    auto t = screen->upload(quad);
    ASSERT_TRUE(t.ok());
    screen->draw(*t, Rect{screen->width() - 8, screen->height() - 8, 8, 8}, 1.0f);
    auto upright = screen->read_pixels();
    ASSERT_TRUE(upright.ok());
    EXPECT_EQ(upright->width, screen->width());
    expect_colour(*upright, 1, 1, Rgb{255, 0, 0});
    expect_colour(*upright, 9, 5, Rgb{255, 0, 0});
    expect_colour(*upright, 11, 7, Rgb{0, 0, 0});
    // The picture keeps its orientation: green on top, blue underneath.
    expect_colour(*upright, screen->width() - 4, screen->height() - 7, Rgb{0, 255, 0}, 40);
    expect_colour(*upright, screen->width() - 4, screen->height() - 2, Rgb{0, 0, 255}, 40);
    // On the output itself the block is where a turned screen shows it upright.
    auto phys = out->read_pixels();
    ASSERT_TRUE(phys.ok());
    const int px = rot == 90 ? 63 - 1 : rot == 180 ? 63 - 1 : 1;
    const int py = rot == 180 ? 47 - 1 : rot == 270 ? 47 - 1 : 1;
    expect_colour(*phys, px, py, Rgb{255, 0, 0});
  }
}

TEST(ZoneDisplay, MovesAndClipsToItsArea) {
  auto out = headless(40, 30);
  ASSERT_TRUE(out);
  out->fill(Rect{0, 0, 40, 30}, Rgb{0, 0, 0}, 1.0f);
  ZoneDisplay zone(*out, Rect{10, 5, 20, 10});
  EXPECT_EQ(zone.width(), 20);
  zone.fill(Rect{-5, -5, 100, 100}, Rgb{255, 255, 255}, 1.0f);
  auto img = out->read_pixels();
  ASSERT_TRUE(img.ok());
  expect_colour(*img, 10, 5, Rgb{255, 255, 255});
  expect_colour(*img, 29, 14, Rgb{255, 255, 255});
  expect_colour(*img, 9, 5, Rgb{0, 0, 0});
  expect_colour(*img, 30, 14, Rgb{0, 0, 0});
  expect_colour(*img, 10, 15, Rgb{0, 0, 0});
}

class LayoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = FontSet::open("");
    ASSERT_TRUE(f.ok()) << f.error().what();
    fonts_.emplace(std::move(*f));
    zone_ = fixed_offset_zone(hours(8));
    at_ = *parse_iso8601("2024-06-16T10:02:03+08:00", *zone_);
    campaign_.id = "2024-safety-month";
    campaign_.title = "2024年安全生产月";
    campaign_.header.title = "2024年“安全生产月”";
    campaign_.ticker.id = "hotlines";
    campaign_.ticker.texts = {"发现安全生产风险隐患，请拨打举报电话 12350", "便民服务热线 12345　火警 119　急救 120"};
    item_.id = "theme";
    item_.type = ItemType::slogan;
    item_.text = "人人讲安全、个个会应急\n畅通生命通道";
    item_.style.background = Rgb{0xf4, 0xf1, 0xe8};
    item_.style.color = Rgb{0xc8, 0x10, 0x2e};
  }

  // What the screen shows (physical output w x h turned `rotation`), upright.
  Image screen(int w, int h, int rotation, const Campaign& c, const Item& item) {
    auto out = headless(w, h);
    if (!out) return {};
    auto scr = turn_display(*out, rotation);
    SceneOptions o;
    Scene scene(*scr, *fonts_, *zone_, o);
    ScreenBands bands(*scr, *fonts_, *zone_, Layout{}, 64'000'000);
    auto v = scene.prepare(item, bands.main_zone(&c));
    EXPECT_TRUE(v.ok()) << v.error().what();
    if (!v) return {};
    EXPECT_TRUE(bands.set(&c, at_).ok());
    EXPECT_TRUE(bands.finish(seconds(60)).ok());
    bands.update(at_);
    (*v)->draw(*scr, 1.0f);
    bands.draw(at_);
    auto img = scr->read_pixels();
    EXPECT_TRUE(img.ok());
    return img ? *img : Image{};
  }

  std::optional<FontSet> fonts_;
  std::unique_ptr<TimeZone> zone_;
  Instant at_;
  Campaign campaign_;
  Item item_;
};

// Each layout, landscape (480x270) and on a screen mounted on its side (the same
// output turned 90 degrees: 270x480 upright).
TEST_F(LayoutTest, EachLayoutLandscapeAndPortraitMatchesItsGolden) {
  struct Case {
    const char* name;
    bool header, ticker;
  };
  for (const Case& k : {Case{"full", false, false}, Case{"header", true, false}, Case{"ticker", false, true},
                        Case{"header-ticker", true, true}}) {
    Campaign c = campaign_;
    c.header.present = k.header;
    if (!k.ticker) c.ticker.texts.clear();
    for (const int rot : {0, 90}) {
      SCOPED_TRACE(std::string(k.name) + " " + std::to_string(rot));
      const Image img = screen(480, 270, rot, c, item_);
      ASSERT_EQ(img.width, rot == 0 ? 480 : 270);
      const int h = img.height;
      // The bands are where the layout puts them, in their styles' colours.
      if (k.header) expect_colour(img, 1, 1, builtin_style("blue-banner")->background);
      if (k.ticker) expect_colour(img, 1, h - 2, builtin_style("red-banner")->background);
      if (!k.header) expect_colour(img, 1, 1, item_.style.background);
      if (!k.ticker) expect_colour(img, 1, h - 2, item_.style.background);
      expect_colour(img, 1, h / 2, item_.style.background);
      test::expect_golden(img, std::string("layout-") + k.name + (rot == 0 ? "-landscape" : "-portrait"));
    }
  }
}

TEST_F(LayoutTest, SloganInEachBuiltInStyleMatchesItsGolden) {
  for (const std::string name : {"red-banner", "blue-banner"}) {
    Item item = item_;
    item.style = *builtin_style(name);
    Campaign full;  // no bands
    const Image img = screen(480, 270, 0, full, item);
    expect_colour(img, 2, 2, item.style.background);
    test::expect_golden(img, "style-" + name);
  }
}

TEST_F(LayoutTest, HeaderShowsLogoTitleAndChineseClock) {
  auto out = headless(640, 64);
  ASSERT_TRUE(out);
  // A round red-and-white badge as the logo.
  Image logo;
  logo.width = logo.height = 64;
  logo.rgba.assign(64 * 64 * 4, 0);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) {
      const int d2 = (x - 32) * (x - 32) + (y - 32) * (y - 32);
      if (d2 > 31 * 31) continue;
      auto* p = &logo.rgba[(static_cast<size_t>(y) * 64 + static_cast<size_t>(x)) * 4];
      const bool ring = d2 > 22 * 22;
      p[0] = ring ? 0xc8 : 255;
      p[1] = ring ? 0x10 : 255;
      p[2] = ring ? 0x2e : 255;
      p[3] = 255;
    }
  }
  const fs::path logo_file = fs::temp_directory_path() / ("signage_render_logo_" + std::to_string(getpid()) + ".png");
  ASSERT_TRUE(write_png(logo, logo_file).ok());
  Header spec;
  spec.present = true;
  spec.logo = logo_file;
  auto band = HeaderBand::make(*out, *fonts_, *zone_, spec, "2024年“安全生产月”", 640, 64, 64'000'000);
  fs::remove(logo_file);
  ASSERT_TRUE(band.ok()) << band.error().what();
  bool changed = false;
  const auto next = band->update(at_, &changed);
  EXPECT_TRUE(changed);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, *parse_iso8601("2024-06-16T10:03:00+08:00", *zone_)) << "redrawn at the next minute";
  band->update(at_ + seconds(30), &changed);
  EXPECT_FALSE(changed) << "same minute: nothing to redraw";
  band->update(*next, &changed);
  EXPECT_TRUE(changed);
  band->update(at_, &changed);  // back to 10:02 for the picture
  band->draw(*out, at_);
  auto img = out->read_pixels();
  ASSERT_TRUE(img.ok());
  expect_colour(*img, 2, 2, spec.style.background);
  test::expect_golden(*img, "header");
}

TEST(ChineseDate, ClockAddsHoursAndMinutes) {
  auto zone = fixed_offset_zone(hours(8));
  const auto t = *parse_iso8601("2024-06-16T10:02:59+08:00", *zone);
  EXPECT_EQ(chinese_date_time(zone->to_local(t)), "2024年6月16日 星期日 10:02");
}

// The leftmost column of the band showing text (yellow on the red banner), or -1.
int leading_edge(const Image& img) {
  for (int x = 0; x < img.width; ++x) {
    for (int y = 0; y < img.height; ++y) {
      const auto p = pixel(img, x, y);
      if (p[0] > 200 && p[1] > 150 && p[2] < 100) return x;
    }
  }
  return -1;
}

// The ticker moves by elapsed time, not by frames: drawn at 30 and at 60 frames per
// second its text is where speed x elapsed time puts it, within one pixel.
TEST_F(LayoutTest, TickerPositionFollowsElapsedTimeAt30And60Fps) {
  auto out = headless(400, 40);
  ASSERT_TRUE(out);
  Ticker spec;
  spec.texts = {"发现安全生产风险隐患，请拨打举报电话 12350"};
  spec.speed = 90;
  // Origin at `at_`: the text enters at the right edge then.
  auto band = TickerBand::make(*out, *fonts_, spec, 400, 40, at_);
  ASSERT_TRUE(band.ok()) << band.error().what();
  for (const int fps : {30, 60}) {
    SCOPED_TRACE(std::to_string(fps) + " fps");
    std::optional<int> first;
    int frames = 0;
    // 0.4 s in (the text well inside) to 3.4 s: the text's leading edge.
    for (int n = fps * 2 / 5; n <= fps * 17 / 5; ++n, ++frames) {
      const Instant t = at_ + milliseconds(n * 1000 / fps);
      band->draw(*out, t);
      auto img = out->read_pixels();
      ASSERT_TRUE(img.ok());
      const int edge = leading_edge(*img);
      ASSERT_GE(edge, 0) << "frame " << n;
      // Where the texture's left edge is (sub-pixel), and the ink's offset in it.
      const double x = band->text_x(0, 0, t);
      EXPECT_NEAR(x, 400.0 - spec.speed * duration<double>(t - at_).count(), 1e-6);
      if (!first) first = edge - static_cast<int>(std::lround(x));
      EXPECT_NEAR(edge - x, *first, 1.0) << "frame " << n;
    }
    EXPECT_EQ(frames, fps * 3 + 1);
  }
}

// A playlist swap or another campaign with the same ticker: the texts are where
// they would have been without the change (no jump); a different ticker is new.
TEST_F(LayoutTest, SameTickerRunsOnAcrossCampaignChanges) {
  auto out = headless(320, 180);
  ASSERT_TRUE(out);
  ScreenBands bands(*out, *fonts_, *zone_, Layout{}, 64'000'000);
  auto ticker_pixels = [&](Instant t) {
    bands.draw_ticker(t);
    auto img = out->read_pixels();
    EXPECT_TRUE(img.ok());
    return img ? img->rgba : std::vector<std::uint8_t>{};
  };
  ASSERT_TRUE(bands.set(&campaign_, at_).ok());
  ASSERT_TRUE(bands.finish(seconds(60)).ok());
  ASSERT_NE(bands.ticker(), nullptr);
  const auto t = at_ + milliseconds(1500);
  const auto pixels = ticker_pixels(t);
  Campaign swapped = campaign_;  // the file changed, its ticker did not
  swapped.items.push_back(item_);
  swapped.source_sha256 = "changed";
  ASSERT_TRUE(bands.set(&swapped, at_ + seconds(1)).ok());
  ASSERT_TRUE(bands.finish(seconds(60)).ok());
  EXPECT_EQ(ticker_pixels(t), pixels);
  Campaign other = campaign_;
  other.ticker.texts = {"火警 119"};
  ASSERT_TRUE(bands.set(&other, at_ + seconds(1)).ok());
  ASSERT_TRUE(bands.finish(seconds(60)).ok());
  EXPECT_NE(ticker_pixels(t), pixels);
  ASSERT_TRUE(bands.set(nullptr, at_ + seconds(2)).ok());
  EXPECT_EQ(bands.ticker(), nullptr) << "the idle screen has no bands";
  EXPECT_EQ(bands.zones().main, (Rect{0, 0, 320, 180}));
}

// A ticker at the limits takes long to lay out and draw: the loop keeps drawing
// (the band in its background colour) while the text thread does it, and a pass
// counts only when its text was on screen from its start.
TEST_F(LayoutTest, ANewTickerIsLaidOutOffTheMainThreadAndOnlyPassesShownCount) {
  auto out = headless(1920, 1080);
  ASSERT_TRUE(out);
  Campaign c = campaign_;
  const std::u32string base = utf8_to_u32("发现安全生产风险隐患，请拨打举报电话 12350。");
  std::u32string longest;
  while (longest.size() + base.size() <= 2000) longest += base;  // the limit: 2 000 characters
  c.ticker.texts = {u32_to_utf8(longest), u32_to_utf8(longest.substr(1)), u32_to_utf8(longest.substr(2))};
  c.ticker.style.background = Rgb{0, 0x4a, 0x99};
  const Zones z = layout_zones(band_sizes(&c, Layout{}), 1920, 1080);
  const auto d0 = steady_clock::now();
  ASSERT_TRUE(TickerBand::make(*out, *fonts_, c.ticker, z.ticker.w, z.ticker.h, Instant{}).ok());
  const auto direct = steady_clock::now() - d0;  // what the main thread spent on it before

  ScreenBands bands(*out, *fonts_, *zone_, Layout{}, 64'000'000);
  const auto s0 = steady_clock::now();
  ASSERT_TRUE(bands.set(&c, at_).ok());
  const auto set_took = steady_clock::now() - s0;
  ASSERT_NE(bands.ticker(), nullptr);
  EXPECT_TRUE(bands.moving());
  Instant now = at_;
  int waiting = 0;
  steady_clock::duration longest_frame{};
  for (;; now += milliseconds(16)) {
    const auto f0 = steady_clock::now();
    bands.draw_ticker(now);
    const auto took = steady_clock::now() - f0;
    if (bands.ticker_running()) break;
    longest_frame = std::max(longest_frame, took);
    if (waiting++ == 0) {
      auto img = out->read_pixels();
      ASSERT_TRUE(img.ok());
      expect_colour(*img, 5, z.ticker.y + z.ticker.h / 2, Rgb{0, 0x4a, 0x99});
    }
    EXPECT_TRUE(bands.ticker_passes(at_ - hours(1), now).empty());
    ASSERT_LT(steady_clock::now() - s0, seconds(120));
    std::this_thread::sleep_for(milliseconds(16));
  }
  const Instant shown = now;
  std::printf("on the main thread: %.0f ms; on the text thread: set %.2f ms, %d frames drawn meanwhile "
              "(longest %.2f ms)\n",
              duration<double, std::milli>(direct).count(), duration<double, std::milli>(set_took).count(), waiting,
              duration<double, std::milli>(longest_frame).count());
  EXPECT_GT(waiting, 1) << "ready at the first frame: laid out on the main thread?";
  EXPECT_LT(set_took, direct / 2);
  EXPECT_LT(longest_frame, direct / 2);
  const auto passes = bands.ticker_passes(at_ - hours(1), shown + hours(3));
  ASSERT_FALSE(passes.empty());
  for (const TickerPass& p : passes) EXPECT_GE(p.start, shown);
}

// On a 1920x160 strip a campaign with a header and a ticker shows its slogan on the
// whole strip: no band is made, none moves, no ticker pass is counted, and the
// slogan's line is as tall as on a strip without them.
TEST_F(LayoutTest, AStripDropsTheHeaderAndTickerBands) {
  campaign_.header.present = true;
  const Item plain = item_;
  auto out = headless(1920, 160);
  ASSERT_TRUE(out);
  ScreenBands bands(*out, *fonts_, *zone_, Layout{}, 64'000'000);
  EXPECT_EQ(bands.main_zone(&campaign_), (Rect{0, 0, 1920, 160}));
  ASSERT_TRUE(bands.set(&campaign_, at_).ok());
  EXPECT_FALSE(bands.ticker_running());
  EXPECT_FALSE(bands.moving());
  EXPECT_EQ(bands.zones().header.h, 0);
  EXPECT_TRUE(bands.ticker_passes(at_, at_ + seconds(60)).empty());
  const Image with = screen(1920, 160, 0, campaign_, plain);
  const Image without = screen(1920, 160, 0, Campaign{}, plain);
  ASSERT_FALSE(with.empty());
  EXPECT_EQ(test::compare(with, without).mean, 0.0) << "the same picture as with no bands at all";
}

TEST_F(LayoutTest, EachCompletePassOfEachTextIsReportedOnce) {
  auto out = headless(400, 40);
  ASSERT_TRUE(out);
  Ticker spec;
  spec.id = "hotlines";
  spec.texts = {"举报电话 12350", "便民服务热线 12345"};
  spec.speed = 200;
  auto band = TickerBand::make(*out, *fonts_, spec, 400, 40, at_);
  ASSERT_TRUE(band.ok());
  // Collected in uneven slices: the same passes as in one go.
  std::vector<TickerPass> sliced;
  Instant from = at_;
  for (const int step : {7, 1000, 33, 2500, 16, 6444}) {
    const Instant to = from + milliseconds(step);
    for (const auto& p : band->passes_between(from, to)) sliced.push_back(p);
    from = to;
  }
  const auto whole = band->passes_between(at_, from);
  ASSERT_EQ(sliced.size(), whole.size());
  ASSERT_GE(whole.size(), 4u) << "10 s at 200 px/s";
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(sliced[i].text, whole[i].text);
    EXPECT_EQ(sliced[i].end, whole[i].end);
    // A pass takes (band width + text width) / speed.
    EXPECT_GT(whole[i].end - whole[i].start, milliseconds(2000));
    EXPECT_LE(whole[i].end, from);
    if (i > 0) {
      EXPECT_LE(whole[i - 1].end, whole[i].end);
    }
  }
  EXPECT_EQ(whole[0].text, 0u);
  EXPECT_EQ(whole[0].start, at_) << "the first text enters at the origin";
  EXPECT_EQ(whole[1].text, 1u);
  // The loop is seamless: each text comes round again one period later.
  const auto period = milliseconds(std::llround(band->period() / spec.speed * 1000));
  EXPECT_NEAR(static_cast<double>((whole[2].start - whole[0].start).count()), static_cast<double>(period.count()), 1.0);
}

}  // namespace
}  // namespace signage

namespace signage {
namespace {

// The box around the pixels that differ from `bg` by more than `tol`.
struct Ink {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;
  bool empty() const { return x1 < 0; }
  int w() const { return x1 - x0 + 1; }
  int h() const { return y1 - y0 + 1; }
};
Ink ink_of(const Image& img, Rgb bg, int tol = 60) {
  Ink k;
  for (int y = 0; y < img.height; ++y) {
    for (int x = 0; x < img.width; ++x) {
      const auto p = pixel(img, x, y);
      if (std::abs(p[0] - bg.r) + std::abs(p[1] - bg.g) + std::abs(p[2] - bg.b) <= tol) continue;
      k.x0 = std::min(k.x0, x);
      k.y0 = std::min(k.y0, y);
      k.x1 = std::max(k.x1, x);
      k.y1 = std::max(k.y1, y);
    }
  }
  return k;
}

TEST(Strip, WideZonesAndTheLegibleSize) {
  EXPECT_TRUE(is_strip(1920, 160));
  EXPECT_TRUE(is_strip(2560, 288));
  EXPECT_TRUE(is_strip(128, 16));
  EXPECT_TRUE(is_strip(1920, 320));   // 6:1
  EXPECT_FALSE(is_strip(1920, 330));
  EXPECT_FALSE(is_strip(1920, 1080));
  EXPECT_EQ(legible_px(0, 160), 24);  // 24 px below 70 % of the height
  EXPECT_EQ(legible_px(0, 16), 11);   // 70 % of 16 px
  EXPECT_EQ(legible_px(40, 16), 40);  // configured
}

constexpr const char* kLongSlogan =
    "进入施工现场必须佩戴安全帽，高处作业必须系好安全带，严禁酒后上岗，发现隐患及时报告，"
    "安全生产人人有责，平安回家是对家人最好的承诺。";

class StripTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = FontSet::open("");
    ASSERT_TRUE(f.ok()) << f.error().what();
    fonts_.emplace(std::move(*f));
    zone_ = fixed_offset_zone(hours(8));
    at_ = *parse_iso8601("2024-06-16T10:02:03+08:00", *zone_);
    item_.id = "theme";
    item_.type = ItemType::slogan;
    item_.text = "人人讲安全、个个会应急\n畅通生命通道";
    item_.style = *builtin_style("red-banner");
  }
  // The slogan prepared for a w x h screen, and what it shows at `at_` + `later`.
  struct Shown {
    std::optional<Instant> next;
    Image first, later;
  };
  Shown show(int w, int h, const Item& item, int min_text_px = 0, milliseconds later = milliseconds(1000)) {
    Shown s;
    auto d = headless(w, h);
    if (!d) return s;
    SceneOptions o;
    o.min_text_px = min_text_px;
    Scene scene(*d, *fonts_, *zone_, o);
    auto v = scene.prepare(item);
    EXPECT_TRUE(v.ok()) << v.error().what();
    if (!v) return s;
    s.next = (*v)->update(at_);
    (*v)->draw(*d, 1.0f);
    s.first = *d->read_pixels();
    (*v)->update(at_ + later);
    (*v)->draw(*d, 1.0f);
    s.later = *d->read_pixels();
    return s;
  }
  std::optional<FontSet> fonts_;
  std::unique_ptr<TimeZone> zone_;
  Instant at_;
  Item item_;
};

// A slogan on a 1920x160 strip: one line across most of the width, at a size far
// above the legible minimum, standing still (the forced break is a space there).
TEST_F(StripTest, SloganIsOneLineAcrossAStrip) {
  const Shown s = show(1920, 160, item_);
  EXPECT_FALSE(s.next) << "a slogan that fits does not move";
  const Ink k = ink_of(s.first, item_.style.background);
  ASSERT_FALSE(k.empty());
  EXPECT_GT(k.w(), 1920 * 80 / 100) << "one line spans the strip";
  EXPECT_GT(k.h(), 160 / 2) << "at a large size";
  EXPECT_LT(k.h(), 160);
  EXPECT_EQ(test::compare(s.first, s.later).mean, 0.0);
  const TextLayout l = fit_one_line(*fonts_, "人人讲安全、个个会应急　畅通生命通道", 1920 - 40, 140);
  EXPECT_TRUE(l.fits);
  EXPECT_LE(l.width, 1880);
  EXPECT_GT(l.size_px, 80);
}

// Too long for one legible line: it scrolls like the ticker, starting with its
// first character at the left edge, a frame at a time, instead of shrinking.
TEST_F(StripTest, LongSloganScrollsInsteadOfShrinking) {
  Item item = item_;
  // About 120 characters: 15 px on one line of 1920, below the legible 24 px.
  item.text = std::string(kLongSlogan) + kLongSlogan;
  for (const auto& [w, h] : {std::pair{1920, 160}, std::pair{128, 16}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    const Shown s = show(w, h, item);
    ASSERT_TRUE(s.next) << "a scrolling slogan asks for the next frame";
    EXPECT_EQ(*s.next, at_ + milliseconds(17));
    const Ink first = ink_of(s.first, item.style.background);
    const Ink later = ink_of(s.later, item.style.background);
    ASSERT_FALSE(first.empty());
    EXPECT_LT(first.x0, h) << "the first character starts at the left edge";
    EXPECT_GT(first.h(), h * 40 / 100) << "the text keeps a legible size";
    EXPECT_GT(first.w(), w * 90 / 100) << "the line runs off the right edge";
    EXPECT_GT(test::compare(s.first, s.later).mean, 1.0) << "a second later it has moved";
    EXPECT_FALSE(later.empty());
  }
}

// How far `later` is `first` moved to the left, in whole pixels up to `max`: the
// shift at which the two pictures agree best.
int leftward_shift(const Image& first, const Image& later, int max) {
  int best = -1;
  double best_diff = 1e300;
  for (int s = 0; s <= max; ++s) {
    double diff = 0;
    for (int y = 0; y < first.height; y += 2) {
      for (int x = 0; x + s < first.width; x += 2) {
        const auto a = pixel(first, x + s, y), b = pixel(later, x, y);
        diff += std::abs(a[0] - b[0]) + std::abs(a[1] - b[1]) + std::abs(a[2] - b[2]);
      }
    }
    diff /= static_cast<double>(first.width - s);
    if (diff < best_diff) {
      best_diff = diff;
      best = s;
    }
  }
  return best;
}

// A scrolling strip slogan gets through one full pass (its last character across
// the strip and out at the left) within its duration: at the normal speed when
// that is enough, faster when not, but never past twice the normal speed; then
// the pass does not fit and check warns.
TEST_F(StripTest, AScrollingSloganSpeedsUpToPassOnceWithinItsDuration) {
  Item item = item_;
  item.text = std::string(kLongSlogan) + kLongSlogan;
  const double normal = strip_speed(160);
  EXPECT_DOUBLE_EQ(normal, 256.0);
  item.duration = minutes(10);
  const SloganSetting relaxed = set_slogan(*fonts_, item, 1920, 160, 0);
  ASSERT_TRUE(relaxed.scrolls);
  EXPECT_DOUBLE_EQ(relaxed.speed, normal);
  EXPECT_TRUE(relaxed.pass_fits);
  const milliseconds pass = relaxed.pass;  // at the normal speed
  EXPECT_GT(pass, seconds(20)) << "about 120 characters of about 90 px";
  EXPECT_NEAR(static_cast<double>(relaxed.pass_at_most.count()), static_cast<double>(pass.count()) / 2, 1.0);
  // Two thirds of that: half as fast again, and the pass takes the whole duration.
  item.duration = milliseconds(pass.count() * 2 / 3);
  const SloganSetting hurried = set_slogan(*fonts_, item, 1920, 160, 0);
  EXPECT_NEAR(hurried.speed, normal * 3 / 2, 1.0);
  EXPECT_TRUE(hurried.pass_fits);
  EXPECT_LE(hurried.pass, item.duration);
  EXPECT_GE(hurried.pass, item.duration - milliseconds(5));
  // A third: twice the normal speed is not enough.
  item.duration = milliseconds(pass.count() / 3);
  const SloganSetting rushed = set_slogan(*fonts_, item, 1920, 160, 0);
  EXPECT_DOUBLE_EQ(rushed.speed, 2 * normal);
  EXPECT_FALSE(rushed.pass_fits);
  EXPECT_EQ(rushed.pass, rushed.pass_at_most);
  EXPECT_GT(rushed.pass, item.duration);
  // On screen: in 250 ms the text moves speed / 4 pixels.
  for (const auto& [duration, speed] : {std::pair{milliseconds(minutes(10)), normal}, std::pair{milliseconds(pass.count() * 2 / 3),
                                                                                  normal * 3 / 2},
                                        std::pair{milliseconds(pass.count() / 3), 2 * normal}}) {
    SCOPED_TRACE(std::to_string(duration.count()) + " ms");
    item.duration = duration;
    const Shown s = show(1920, 160, item, 0, milliseconds(250));
    ASSERT_TRUE(s.next);
    EXPECT_NEAR(leftward_shift(s.first, s.later, 200), speed / 4, 2.0);
  }
}

// [display] min_text_px: a slogan that fits on one line (about 30 px), but below
// that size, scrolls at the strip's full height; the short theme slogan, already
// as tall as the strip allows, stands still whatever the minimum.
TEST_F(StripTest, ConfiguredMinimumMakesASmallerLineScroll) {
  Item item = item_;
  item.text = kLongSlogan;
  const Shown still = show(1920, 160, item, 24);
  EXPECT_FALSE(still.next);
  const Shown moving = show(1920, 160, item, 40);
  ASSERT_TRUE(moving.next);
  EXPECT_GT(ink_of(moving.first, item.style.background).h(), ink_of(still.first, item.style.background).h() * 3 / 2)
      << "scrolling at the full height, larger than the line that fitted";
  EXPECT_FALSE(show(1920, 160, item_, 1000).next);
}

// [display] region: views draw into that rectangle of the output; the rest is black.
TEST(RegionDisplay, DrawsOnlyIntoItsRectangleAndKeepsTheRestBlack) {
  auto out = headless(64, 48);
  ASSERT_TRUE(out);
  out->fill(Rect{0, 0, 64, 48}, Rgb{0, 200, 0}, 1.0f);  // left over from before
  auto region = region_display(*out, Rect{8, 16, 40, 10});
  EXPECT_EQ(region->width(), 40);
  EXPECT_EQ(region->height(), 10);
  region->fill(Rect{-5, -5, 100, 100}, Rgb{255, 255, 255}, 1.0f);
  region->present();
  auto img = out->read_pixels();
  ASSERT_TRUE(img.ok());
  expect_colour(*img, 8, 16, Rgb{255, 255, 255});
  expect_colour(*img, 47, 25, Rgb{255, 255, 255});
  for (const auto& [x, y] : {std::pair{7, 16}, std::pair{48, 20}, std::pair{20, 15}, std::pair{20, 26},
                             std::pair{0, 0}, std::pair{63, 47}}) {
    expect_colour(*img, x, y, Rgb{0, 0, 0});
  }
  auto own = region->read_pixels();
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->width, 40);
  EXPECT_EQ(own->height, 10);
}

// A header title is one line, never wrapped: a long one in a narrow (portrait)
// band scrolls, at a larger size than the clock; a short one stands still.
TEST(HeaderTitle, TooLongScrollsShortStandsStill) {
  auto fonts = FontSet::open("");
  ASSERT_TRUE(fonts.ok()) << fonts.error().what();
  const auto zone = fixed_offset_zone(hours(8));
  const Instant at = *parse_iso8601("2024-06-16T10:02:03+08:00", *zone);
  auto out = headless(540, 96);
  ASSERT_TRUE(out);
  Header spec;
  spec.present = true;
  auto short_title = HeaderBand::make(*out, *fonts, *zone, spec, "安全生产月", 540, 96, 64'000'000);
  ASSERT_TRUE(short_title.ok()) << short_title.error().what();
  short_title->update(at);
  EXPECT_FALSE(short_title->moving());
  auto long_title = HeaderBand::make(*out, *fonts, *zone, spec,
                                     "2024年“安全生产月”暨“人人讲安全、个个会应急”主题宣传咨询日活动", 540, 96,
                                     64'000'000);
  ASSERT_TRUE(long_title.ok()) << long_title.error().what();
  EXPECT_TRUE(long_title->moving());
  long_title->update(at);
  long_title->draw(*out, at);
  const Image a = *out->read_pixels();
  long_title->draw(*out, at + milliseconds(500));
  const Image b = *out->read_pixels();
  EXPECT_GT(test::compare(a, b).mean, 0.5) << "the title moves";
  // The title is the biggest text of the header, landscape and portrait.
  for (auto* band : {&*short_title, &*long_title}) EXPECT_GT(band->title_px(), band->clock_px() * 5 / 4);
  auto wide = HeaderBand::make(*out, *fonts, *zone, spec, "2024年“安全生产月”", 1920, 108, 64'000'000);
  ASSERT_TRUE(wide.ok());
  wide->update(at);
  EXPECT_FALSE(wide->moving());
  EXPECT_GT(wide->title_px(), wide->clock_px() * 5 / 4);
}

// A style's outline and shadow (text over pictures) are drawn around and under the glyphs.
TEST(TextPaint, OutlineAndShadowAroundTheGlyphs) {
  auto fonts = FontSet::open("");
  ASSERT_TRUE(fonts.ok()) << fonts.error().what();
  const TextLayout l = fit_one_line(*fonts, "安全生产", 400, 80);
  auto count = [](const Image& img, Rgb c) {
    int n = 0;
    for (size_t i = 0; i + 3 < img.rgba.size(); i += 4) {
      if (img.rgba[i + 3] > 200 && std::abs(img.rgba[i] - c.r) + std::abs(img.rgba[i + 1] - c.g) +
                                           std::abs(img.rgba[i + 2] - c.b) < 30) {
        ++n;
      }
    }
    return n;
  };
  const Rgb white{255, 255, 255}, black{0, 0, 0}, grey{90, 90, 90};
  auto plain = draw_text(*fonts, l, 420, 100, TextPaint{white});
  ASSERT_TRUE(plain.ok());
  TextPaint outlined{white};
  outlined.outline = black;
  outlined.outline_width = 3;
  auto with_outline = draw_text(*fonts, l, 420, 100, outlined);
  ASSERT_TRUE(with_outline.ok());
  TextPaint shadowed{white};
  shadowed.shadow = grey;
  shadowed.shadow_offset = 4;
  auto with_shadow = draw_text(*fonts, l, 420, 100, shadowed);
  ASSERT_TRUE(with_shadow.ok());
  const int glyphs = count(*plain, white);
  ASSERT_GT(glyphs, 500);
  EXPECT_EQ(count(*plain, black), 0);
  EXPECT_GT(count(*with_outline, black), glyphs / 3) << "an outline around every stroke";
  EXPECT_GT(count(*with_outline, white), glyphs * 7 / 10) << "the glyphs stay on top";
  EXPECT_GT(count(*with_shadow, grey), glyphs / 4);
  EXPECT_GT(count(*with_shadow, white), glyphs * 9 / 10);
}

}  // namespace
}  // namespace signage
