// The kiosk's screen-side parts on their own, without a display loop: Preroll (the
// next showing prepared ahead), FramePainter (what is drawn and presented) and the
// Lineup's no-flash rule, over a null display that counts what is done to it.
#include <gtest/gtest.h>

#include <thread>

#include <chrono>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/frame_painter.h"
#include "app/player.h"
#include "app/preroll.h"
#include "render/layout.h"
#include "render/scene.h"
#include "text/text.h"
#include "support/files.h"
#include "support/wait.h"

namespace signage {
namespace {

namespace chr = std::chrono;
using namespace std::chrono_literals;

const Instant kNoon = chr::sys_days{chr::year{2024} / 6 / 16} + 4h;  // 12:00 in Shanghai

// The null display, counting uploads and presents (whole frames and areas).
class CountingDisplay final : public DisplayOnTop {
 public:
  CountingDisplay(Display& base, bool keeps_frame) : DisplayOnTop(base), keeps_(keeps_frame) {}
  int width() const override { return base_.width(); }
  int height() const override { return base_.height(); }
  Result<Texture> upload(const Image& image) override {
    ++uploads;
    return base_.upload(image);
  }
  void fill(const Rect& r, Rgb colour, float alpha) override { base_.fill(r, colour, alpha); }
  void draw(Texture& t, const Rect& dst, float alpha) override { base_.draw(t, dst, alpha); }
  Result<Image> read_pixels() override { return base_.read_pixels(); }
  bool keeps_frame() const override { return keeps_; }
  void present() override { ++presents; }
  void present_area(const Rect& changed) override { areas.push_back(changed); }

  int uploads = 0;
  int presents = 0;
  std::vector<Rect> areas;

 private:
  bool keeps_;
};

Item slogan(const std::string& id, chr::milliseconds duration = 10s) {
  Item i;
  i.id = id;
  i.text = "人人讲安全 " + id;
  i.duration = duration;
  i.transition = Transition::cut;
  return i;
}

PlaylistSet slogans(std::vector<Item> items) {
  Campaign c;
  c.id = "safety-month";
  c.items = std::move(items);
  PlaylistSet set;
  set.campaigns.push_back(std::move(c));
  return set;
}

struct Screen {
  std::unique_ptr<Display> null = open_null_display(320, 180);
  CountingDisplay display;
  std::shared_ptr<const TimeZone> zone = fixed_offset_zone(8h);
  FontSet fonts;
  Scene scene;
  std::ostringstream log;
  std::vector<std::string> skipped;
  std::optional<Lineup> lineup;
  bool stop = false;

  explicit Screen(bool keeps_frame = false)
      : display(*null, keeps_frame), fonts(open_fonts()), scene(display, fonts, *zone, SceneOptions{}) {}
  static FontSet open_fonts() {
    auto f = FontSet::open("");
    if (!f) throw std::runtime_error(f.error().what());
    return std::move(*f);
  }
  Lineup& with(PlaylistSet set) {
    lineup.emplace(std::move(set), scene, *zone, log,
                   [this](const Campaign&, const Item& i, const Error&, Instant) { skipped.push_back(i.id); });
    return *lineup;
  }
};

// ---- Preroll ------------------------------------------------------------------

TEST(Preroll, PreparesTheNextShowingOnlyWithinKAheadAndHandsItOverWithoutPreparingAgain) {
  Screen s;
  Lineup& lineup = s.with(slogans({slogan("a"), slogan("b")}));
  Preroll preroll(*s.zone, [&] { return s.stop; });
  const Lineup::Next first = lineup.at(kNoon);
  const Instant until = first.schedule.until;
  ASSERT_GT(until, kNoon);

  preroll.poll(lineup, until, until - Preroll::kAhead - 1ms);
  EXPECT_FALSE(preroll.prepared_for());
  preroll.poll(lineup, std::nullopt, until - 1s);  // the end on screen not known
  EXPECT_FALSE(preroll.prepared_for());
  const int before = s.display.uploads;
  preroll.poll(lineup, until, until - 1s);
  ASSERT_EQ(preroll.prepared_for(), until);
  // The slogan is laid out on the text thread; a later look uploads it once it is.
  for (int i = 0; i < 3000 && s.display.uploads == before; ++i) {
    std::this_thread::sleep_for(10ms);
    preroll.poll(lineup, until, until - 900ms);
  }
  const int prepared = s.display.uploads;
  EXPECT_GT(prepared, before);  // laid out and uploaded ahead
  preroll.poll(lineup, until, until - 500ms);  // prepared once
  EXPECT_EQ(s.display.uploads, prepared);

  const Lineup::Next next = preroll.take(lineup, s.scene, until);
  EXPECT_EQ(s.display.uploads, prepared);  // the switch only swaps textures
  EXPECT_FALSE(preroll.prepared_for());
  EXPECT_TRUE(key_of(next.schedule) == key_of(schedule_at(lineup.set(), until, *s.zone)));
  ASSERT_TRUE(next.schedule.showing);
  EXPECT_NE(next.schedule.showing->item, first.schedule.showing->item);
}

TEST(Preroll, AShowingTheScheduleNoLongerAgreesWithIsPreparedAfresh) {
  Screen s;
  Lineup& lineup = s.with(slogans({slogan("a"), slogan("b"), slogan("c")}));
  Preroll preroll(*s.zone, {});
  const Instant until = lineup.at(kNoon).schedule.until;
  preroll.poll(lineup, until, until - 1s);
  ASSERT_TRUE(preroll.prepared_for());
  // The wall clock jumped a slot ahead: what was prepared for `until` is not shown.
  const Instant later = until + 10s;
  const int prepared = s.display.uploads;
  const Lineup::Next next = preroll.take(lineup, s.scene, later);
  EXPECT_GT(s.display.uploads, prepared);
  EXPECT_TRUE(key_of(next.schedule) == key_of(schedule_at(lineup.set(), later, *s.zone)));
  EXPECT_FALSE(preroll.prepared_for());
  EXPECT_TRUE(s.skipped.empty());
}

TEST(Preroll, APreparedPictureThatCannotBeShownIsDroppedAndTheNextPreparedInItsPlace) {
  Screen s;
  test::TempDir dir("preroll");
  test::write_file(dir.path() / "broken.png", "not a picture at all");
  Item picture;
  picture.id = "broken";
  picture.type = ItemType::image;
  picture.file = "broken.png";
  picture.path = dir.path() / "broken.png";
  picture.duration = 10s;
  picture.transition = Transition::cut;
  Lineup& lineup = s.with(slogans({slogan("a"), picture, slogan("c")}));
  Preroll preroll(*s.zone, {});
  // The slot the picture has: prepared ahead of its start.
  Instant until = kNoon;
  for (int i = 0; i < 3; ++i) {
    const auto r = schedule_at(lineup.set(), until, *s.zone);
    ASSERT_TRUE(r.showing);
    if (r.showing->item == 1) break;
    until = r.until;
  }
  ASSERT_EQ(schedule_at(lineup.set(), until, *s.zone).showing->item, 1u);
  // Its decoding fails on the worker (or at once): the item leaves the lineup and
  // the showing at the same instant is prepared again, without it.
  ASSERT_TRUE(test::wait_until([&] {
    preroll.poll(lineup, until, until - 1s);
    return !s.skipped.empty();
  }, 10s));
  EXPECT_EQ(s.skipped, std::vector<std::string>{"broken"});
  preroll.poll(lineup, until, until - 1s);
  ASSERT_EQ(preroll.prepared_for(), until);
  const Lineup::Next next = preroll.take(lineup, s.scene, until);
  ASSERT_TRUE(next.schedule.showing);
  EXPECT_NE(next.schedule.showing->item, 1u);
  EXPECT_EQ(s.skipped.size(), 1u);
}

TEST(Preroll, AStopWhileTheNextShowingIsDueShowsTheIdleScreen) {
  Screen s;
  Lineup& lineup = s.with(slogans({slogan("a"), slogan("b")}));
  Preroll preroll(*s.zone, [&] { return s.stop; });
  const Instant until = lineup.at(kNoon).schedule.until;
  preroll.poll(lineup, until, until - 1s);
  ASSERT_TRUE(preroll.prepared_for());
  s.stop = true;
  const Lineup::Next next = preroll.take(lineup, s.scene, until);
  ASSERT_NE(next.view, nullptr);
  EXPECT_TRUE(s.skipped.empty());  // a stop is no fault of the item's
}

// ---- FramePainter ---------------------------------------------------------------

Campaign with_ticker() {
  Campaign c = slogans({slogan("a")}).campaigns[0];
  c.ticker.texts = {"请勿占用消防通道"};
  c.ticker.speed = 100;
  return c;
}

TEST(FramePainter, DrawsTheWholeFrameOnlyWhenSomethingChanged) {
  Screen s;
  Stage stage(0ms);
  ScreenBands bands(s.display, s.fonts, *s.zone, Layout{}, 64'000'000);
  FramePainter painter(s.display, stage, bands);
  Lineup& lineup = s.with(slogans({slogan("a")}));
  Lineup::Next n = lineup.at(kNoon);
  n.view->update(kNoon);
  stage.show(std::move(n.view), n.start, Transition::cut);
  ASSERT_TRUE(painter.set_bands(&lineup.set().campaigns[0], kNoon));
  EXPECT_FALSE(painter.header_due());  // no header

  int seen = 0;
  EXPECT_TRUE(painter.paint(kNoon, [&](bool animating) {
    ++seen;
    EXPECT_FALSE(animating);
  }));
  EXPECT_EQ(s.display.presents, 1);
  EXPECT_EQ(seen, 1);
  // Nothing moved: nothing drawn, nothing presented.
  EXPECT_FALSE(painter.paint(kNoon + 1s, [&](bool) { ++seen; }));
  EXPECT_EQ(s.display.presents, 1);
  EXPECT_EQ(seen, 1);
  // An expose event, or a new item.
  painter.invalidate();
  EXPECT_TRUE(painter.paint(kNoon + 2s));
  EXPECT_EQ(s.display.presents, 2);
  EXPECT_TRUE(s.display.areas.empty());
}

TEST(FramePainter, AMovingTickerPresentsItsBandAloneWhereTheDisplayKeepsItsFrame) {
  for (const bool keeps : {true, false}) {
    SCOPED_TRACE(keeps ? "keeps its frame" : "does not keep its frame");
    Screen s(keeps);
    Stage stage(0ms);
    ScreenBands bands(s.display, s.fonts, *s.zone, Layout{}, 64'000'000);
    FramePainter painter(s.display, stage, bands);
    const Campaign c = with_ticker();
    Lineup& lineup = s.with(PlaylistSet{{c}});
    Lineup::Next n = lineup.at(kNoon);
    stage.show(std::move(n.view), n.start, Transition::cut);
    ASSERT_TRUE(painter.set_bands(&lineup.set().campaigns[0], kNoon));
    ASSERT_TRUE(bands.moving());
    ASSERT_TRUE(painter.paint(kNoon));  // the first frame is whole
    EXPECT_EQ(s.display.presents, 1);
    ASSERT_TRUE(painter.paint(kNoon + 40ms));
    ASSERT_TRUE(painter.paint(kNoon + 80ms));
    if (keeps) {
      EXPECT_EQ(s.display.presents, 1);
      ASSERT_EQ(s.display.areas.size(), 2u);
      EXPECT_TRUE(s.display.areas[0] == bands.moving_area());
    } else {
      EXPECT_EQ(s.display.presents, 3);
      EXPECT_TRUE(s.display.areas.empty());
    }
  }
}

// ---- Lineup::without_flash -------------------------------------------------------

TEST(LineupWithoutFlash, AnIdleScreenOrNothingOnScreenStartsAsPlanned) {
  Screen s;
  Lineup& lineup = s.with(slogans({slogan("a"), slogan("b")}));
  Lineup::Next next = lineup.at(kNoon);
  const auto planned = key_of(next.schedule);
  EXPECT_TRUE(lineup.without_flash(next, kNoon, std::nullopt, false));
  EXPECT_TRUE(key_of(next.schedule) == planned);
}

TEST(LineupWithoutFlash, ASlotWithTooLittleLeftIsNotStartedTheItemOnScreenStaysOrTheNextGoesUpEarly) {
  Screen s;
  Lineup& lineup = s.with(slogans({slogan("a"), slogan("b"), slogan("c")}));
  const Lineup::Next first = lineup.at(kNoon);
  const Instant end = first.schedule.until;
  const Instant now = end - 100ms;  // 100 ms of the slot left: a flash
  const Showing due = *lineup.at(now).schedule.showing;
  // Something else on screen (e.g. what a swap took away), which may stay on.
  const Showing other{due.campaign, (due.item + 1) % 3, now - 5s, now};

  Lineup::Next keep = lineup.at(now);
  EXPECT_FALSE(lineup.without_flash(keep, now, other, true));
  EXPECT_TRUE(key_of(keep.schedule) == key_of(lineup.at(now).schedule));  // left as it was

  Lineup::Next early = lineup.at(now);
  EXPECT_TRUE(lineup.without_flash(early, now, other, false));
  ASSERT_TRUE(early.schedule.showing);
  EXPECT_EQ(early.start, now);
  EXPECT_TRUE(key_of(early.schedule) == key_of(lineup.at(end).schedule));

  // The showing on screen evaluated again goes on, whatever is left of it.
  Lineup::Next same = lineup.at(now);
  EXPECT_TRUE(lineup.without_flash(same, now, due, true));
  EXPECT_TRUE(key_of(same.schedule) == key_of(lineup.at(now).schedule));
}

}  // namespace
}  // namespace signage
