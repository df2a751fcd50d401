// The screen's layout: the whole output turned for a screen mounted on its side,
// the main zone where items play, and the bands around it (a header with title,
// logo and clock at the top, a scrolling ticker at the bottom).
//
//  turn_display  - a Display seen upright: draws are mapped onto the real output
//                  turned 90/180/270 degrees clockwise; read_pixels gives the
//                  upright picture (what viewers see).
//  ZoneDisplay   - a rectangle of another Display as a Display of its own: views
//                  drawn into it are moved there and clipped to it.
//  layout_zones  - percentages -> rectangles (none on a strip).
//  TickerBand    - ticker texts rendered to textures once; the position is a pure
//                  function of clock time (speed x time since a fixed origin,
//                  sub-pixel), so it is the same at any frame rate, the same in a
//                  preview, and each complete pass of a text has an exact start and
//                  end for the journal.
//  HeaderBand    - title, logo and a Chinese clock/date re-rendered once a minute.
//  ScreenBands   - both bands for the campaign on screen. The ticker's origin is
//                  the Unix epoch, so a ticker that stays the same runs on with no
//                  jump across item switches and playlist swaps.
//
// Ownership: each borrows the Display and FontSet it is given, which must outlive
// it; textures are its own.
// Thread: the main thread (Display and FontSet).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/time.h"
#include "playlist/model.h"
#include "render/display.h"
#include "text/text.h"

namespace signage {

// `base` seen turned `rotation` degrees (0, 90, 180, 270) counter to the way the
// screen is mounted: for 90 and 270 width() and height() are swapped. With 0 it
// still forwards every call. `base` must outlive it.
std::unique_ptr<Display> turn_display(Display& base, int rotation);

// A Display drawn onto another one (`base`, which must outlive it): what does not
// depend on where the pixels land (textures, presenting, waiting) goes to `base`
// unchanged. The base of turn_display's Display and of ZoneDisplay, which map the
// rest.
class DisplayOnTop : public Display {
 public:
  explicit DisplayOnTop(Display& base) : base_(base) {}
  std::string describe() const override { return base_.describe(); }
  Result<Texture> upload(const Image& image) override { return base_.upload(image); }
  bool keeps_frame() const override { return base_.keeps_frame(); }
  Result<Texture> create_video_texture(int w, int h, PixelLayout layout) override {
    return base_.create_video_texture(w, h, layout);
  }
  Status update_video_texture(Texture& t, const VideoPlanes& planes) override {
    return base_.update_video_texture(t, planes);
  }
  void present() override { base_.present(); }
  InputEvent wait(std::chrono::milliseconds timeout) override { return base_.wait(timeout); }

 protected:
  Display& base_;
};

// A w x h Display standing for `area` of `base` (which must outlive it).
class ZoneDisplay : public DisplayOnTop {
 public:
  ZoneDisplay(Display& base, Rect area) : DisplayOnTop(base), area_(area) {}
  void set_area(Rect area) { area_ = area; }
  const Rect& area() const { return area_; }

  int width() const override { return area_.w; }
  int height() const override { return area_.h; }
  void fill(const Rect& r, Rgb colour, float alpha) override;
  void draw(Texture& t, const Rect& dst, float alpha) override;
  void draw_rotated(Texture& t, const Rect& dst, float alpha, int rotation) override;
  void draw_at(Texture& t, double x, double y, float alpha) override;
  void set_clip(const Rect* r) override;
  Result<Image> read_pixels() override;  // the area's pixels
  Result<Image> read_rect(const Rect& r) override;  // read from the base where the area is
  void present_area(const Rect& r) override { base_.present_area(moved(r)); }

 private:
  Rect moved(const Rect& r) const { return Rect{r.x + area_.x, r.y + area_.y, r.w, r.h}; }
  // Clips the base to the area (and the caller's clip inside it) for one call.
  void clip_on();
  void clip_off() { base_.set_clip(nullptr); }

  Rect area_;
  std::optional<Rect> clip_;  // in the zone's coordinates
};

// [display] region: a Display standing for `area` of the output `base` (which must
// outlive it), as ZoneDisplay, that also paints everything outside `area` black
// before each full present (an LED sending card shows only the area).
std::unique_ptr<Display> region_display(Display& base, Rect area);

// The band sizes a campaign gets (nullptr: the idle screen, full screen): its own
// [layout], else `device`, else 10 % for a header when it has a [header] and 8 % for
// a ticker when it has ticker text. A ticker without text gets no band.
struct BandSizes {
  int header = 0;  // percent of the screen's height
  int ticker = 0;
  friend bool operator==(const BandSizes&, const BandSizes&) = default;
};
BandSizes band_sizes(const Campaign* campaign, const Layout& device);

struct Zones {
  Rect main, header, ticker;  // header/ticker: empty (h = 0) when absent
};
// The header at the top, the ticker at the bottom, the main zone between. A strip
// output (6:1 and wider, scene.h is_strip: an LED strip of 1920x160 or 128x16) has
// no bands: the main zone is the whole strip, so its slogan gets the strip's height.
Zones layout_zones(const BandSizes& bands, int width, int height);

// One complete pass of a ticker text: its left edge entered the band at `start`,
// its right edge left it at `end`.
struct TickerPass {
  std::size_t text = 0;  // index into Ticker::texts
  Instant start, end;
};

class TickerBand {
 public:
  // Renders each text of `spec` once, as one line fitted to a band of w x h, the
  // scroll starting at `origin` (the first text enters at the right edge then).
  // Once the fonts' stop flag is set (the player stops) no more texts are rendered.
  static Result<TickerBand> make(Display& display, FontSet& fonts, const Ticker& spec, int w, int h,
                                 Instant origin);

  // make() in two steps, for work off the render thread: the texts laid out and
  // drawn into pixels (any thread, with a FontSet of its own; no display), then
  // uploaded (the display's thread).
  struct Pixels {
    struct Text {
      Image image;
      double offset = 0;  // from the start of the period
      int width = 0;
      int y = 0;
    };
    std::vector<Text> texts;
    double period = 1;
  };
  static Result<Pixels> draw_pixels(FontSet& fonts, const Ticker& spec, int w, int h);
  static Result<TickerBand> upload(Display& display, const Ticker& spec, Pixels pixels, int w, int h, Instant origin);

  const Ticker& spec() const { return spec_; }
  Instant origin() const { return origin_; }
  int width() const { return w_; }
  int height() const { return h_; }
  // Pixels scrolled at `now` (speed x elapsed time; 0 before the origin).
  double scrolled(Instant now) const;
  // Where copy `k` of text `i` has its left edge at `now`, in band coordinates.
  double text_x(std::size_t i, long long k, Instant now) const;
  // The texts' period: all texts with their gaps, in pixels.
  double period() const { return period_; }
  // Draws the band (background and the texts where they are at `now`) onto `band`,
  // a w x h display.
  void draw(Display& band, Instant now);
  // The texts alone where they are at `now`, at opacity `alpha` (a strip's slogan
  // scrolls over its own background).
  void draw_texts(Display& band, Instant now, float alpha = 1.0f);
  // The passes that ended in (from, to], in order of their end.
  std::vector<TickerPass> passes_between(Instant from, Instant to) const;

 private:
  TickerBand() = default;
  struct Text {
    std::optional<Texture> texture;
    double offset = 0;  // from the start of the period
    int width = 0;
    int y = 0;
  };
  Ticker spec_;
  int w_ = 0, h_ = 0;
  Instant origin_{};
  std::optional<Texture> background_;
  std::vector<Text> texts_;
  double period_ = 1;
};

// The title a campaign's header shows: [header] title, else the campaign's title.
std::string header_title(const Campaign& c);

// Where the parts of a header band of w x h go and how its title is set (one line,
// never wrapped: shrunk down to 60 % of the band's full size, else scrolling at full
// size across its box). `logo`: the logo picture's size, when it has one that shows.
// For HeaderBand and `check --lines`.
struct HeaderSetting {
  Rect logo_box, title_box, clock_box;  // in the band; logo_box empty without a logo
  bool clock_two_lines = false;         // the date over the time (a narrow band)
  TextLayout title;                     // one line (no lines: no title)
  bool title_scrolls = false;           // too long for one line at the smallest size it may take
};
HeaderSetting set_header(FontSet& fonts, const Header& spec, const std::string& title, int w, int h,
                         std::optional<std::pair<int, int>> logo);

class HeaderBand {
 public:
  // `title`: shown at the left after the logo (if any); the clock at the right.
  static Result<HeaderBand> make(Display& display, FontSet& fonts, const TimeZone& zone, const Header& spec,
                                 const std::string& title, int w, int h, std::int64_t max_image_pixels);
  // Re-renders the clock when the minute changed; returns the next minute (nullopt
  // without a clock). Returns whether the picture changed through `changed`.
  std::optional<Instant> update(Instant now, bool* changed = nullptr);
  // The band at `now` (a scrolling title moves with the clock time).
  void draw(Display& band, Instant now);
  // Whether the title scrolls (too long for one line at the smallest size it may take).
  bool moving() const { return title_scroll_ != nullptr; }
  // The title's and the clock's font sizes in pixels (0: none, or the clock not yet
  // drawn): the title is the header's biggest text.
  int title_px() const { return title_px_; }
  int clock_px() const { return clock_px_; }

 private:
  HeaderBand(Display& display, FontSet& fonts, const TimeZone& zone) : display_(&display), fonts_(&fonts), zone_(&zone) {}
  Display* display_;
  FontSet* fonts_;
  const TimeZone* zone_;
  Header spec_;
  int w_ = 0, h_ = 0;
  std::optional<Texture> background_, logo_, title_, clock_;
  std::unique_ptr<TickerBand> title_scroll_;  // instead of title_ for a title too long
  bool clock_two_lines_ = false;               // the date over the time (a narrow band)
  int title_px_ = 0, clock_px_ = 0;
  Rect logo_box_, title_box_, clock_box_;
  std::optional<std::chrono::sys_time<std::chrono::minutes>> shown_minute_;
};

// "2024年6月16日 星期日 10:02"
std::string chinese_date_time(const LocalTime& t);

class TextThread;
template <typename T>
class Pending;

class ScreenBands {
 public:
  // `on_error`: told (main thread) when a ticker laid out on the text thread could
  // not be made; may be empty.
  ScreenBands(Display& screen, FontSet& fonts, const TimeZone& zone, Layout device_layout,
              std::int64_t max_image_pixels, std::function<void(const Error&)> on_error = {});
  ~ScreenBands();

  // Where the main zone is for `campaign` (nullptr: the idle screen).
  Rect main_zone(const Campaign* campaign) const;
  // Puts up the bands of `campaign` (nullptr: none) at `now`. A ticker equal to the
  // one running is kept as it is; a band that cannot be made is left out and the
  // error returned (the rest still shows). A new ticker is laid out and drawn on a
  // text thread (50 texts of 2 000 characters take a minute): its band shows its
  // background until the texts are ready, and they go up at the next draw after.
  Status set(const Campaign* campaign, Instant now);
  // Waits up to `timeout` for a ticker being laid out and puts it up (preview and
  // tests, which draw one frame at once); its error if it could not be made.
  Status finish(std::chrono::milliseconds timeout);
  // Whether the ticker's texts are on the display (not being laid out, not absent).
  bool ticker_running() const { return ticker_.has_value(); }
  // Whether a band moves: the ticker (also while its texts are being laid out), or a
  // header title that scrolls. The kiosk presents at [display] fps while one does.
  bool moving() const { return ticker_.has_value() || ticker_pending_ != nullptr || (header_ && header_->moving()); }
  const Zones& zones() const { return zones_; }
  // The header clock: re-renders at a new minute; the next minute, if any.
  // `changed` says whether the header must be drawn again.
  std::optional<Instant> update(Instant now, bool* changed = nullptr);
  void draw(Instant now);          // both bands
  void draw_ticker(Instant now);   // the ticker band only
  void draw_header(Instant now);   // the header band only
  void draw_moving(Instant now);   // the bands that move (see moving())
  // The rectangle (screen coordinates) that draw_ticker / draw_header change.
  Rect ticker_area() const { return zones_.ticker; }
  Rect header_area() const { return zones_.header; }
  Rect moving_area() const;        // what draw_moving changes
  // Complete ticker passes ended in (from, to] that were on screen from their start
  // (none that began before the texts went up).
  std::vector<TickerPass> ticker_passes(Instant from, Instant to) const;
  // The ticker of the campaign whose bands are up (also while being laid out).
  const Ticker* ticker() const { return ticker_spec_ ? &*ticker_spec_ : nullptr; }
  // The campaign whose bands are up (its id; empty: none).
  const std::string& campaign_id() const { return campaign_id_; }

 private:
  Display& screen_;
  FontSet& fonts_;
  const TimeZone& zone_;
  Layout device_;
  std::int64_t max_pixels_;
  Zones zones_;
  ZoneDisplay header_display_, ticker_display_;
  std::optional<HeaderBand> header_;
  Header header_spec_;
  std::string header_title_;
  std::optional<Ticker> ticker_spec_;   // the ticker up or being laid out
  std::optional<TickerBand> ticker_;     // its texts, once on the display
  Instant ticker_shown_{};               // when they went up
  Rgb ticker_background_;
  std::string campaign_id_;
  std::function<void(const Error&)> on_error_;
  std::unique_ptr<TextThread> text_thread_;  // started at the first ticker
  std::shared_ptr<Pending<TickerBand::Pixels>> ticker_pending_;
  // The pending ticker's texts onto the display, when they are ready; `wait`: how long
  // to wait for them.
  Status take_ticker(Instant now, std::chrono::milliseconds wait);
};

}  // namespace signage
