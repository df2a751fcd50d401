#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <vector>

#include "media/image.h"
#include "render/display.h"
#include "render/scene.h"

namespace signage {
namespace {

using namespace std::chrono;

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

TEST_F(SceneTest, SloganHasBackgroundAndText) {
  Item item;
  item.id = "theme";
  item.type = ItemType::slogan;
  item.text = "人人讲安全、个个会应急\n畅通生命通道";
  item.style.background = Rgb{200, 16, 46};
  item.style.color = Rgb{255, 255, 255};
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

TEST_F(SceneTest, UndecodableImageIsAnErrorNamingTheItem) {
  Item item;
  item.id = "broken";
  item.type = ItemType::image;
  item.file = "media/missing.png";
  item.path = "/nonexistent/missing.png";
  auto v = scene_->prepare(item);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().what().find("image 'broken'"), std::string::npos) << v.error().what();
  // Prepared ahead, the same error comes from ready(), and stays.
  auto ahead = scene_->prepare(item, PrepareMode::ahead);
  ASSERT_TRUE(ahead.ok());
  auto r = (*ahead)->ready(std::chrono::milliseconds(5000));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what().find("image 'broken'"), std::string::npos) << r.error().what();
  EXPECT_NE(r.error().what().find("missing.png"), std::string::npos) << r.error().what();
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

}  // namespace
}  // namespace signage
