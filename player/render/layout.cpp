#include "render/layout.h"
#include "render/text_thread.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "media/image.h"
#include "render/scene.h"

namespace signage {

namespace chr = std::chrono;

namespace {

// ---- the output turned ----

class TurnedDisplay final : public DisplayOnTop {
 public:
  TurnedDisplay(Display& base, int rotation) : DisplayOnTop(base), rotation_(((rotation % 360) + 360) % 360) {}

  int width() const override { return quarter() ? base_.height() : base_.width(); }
  int height() const override { return quarter() ? base_.width() : base_.height(); }
  std::string describe() const override {
    return rotation_ == 0 ? base_.describe() : base_.describe() + " turned " + std::to_string(rotation_);
  }
  void fill(const Rect& r, Rgb colour, float alpha) override { base_.fill(map(r), colour, alpha); }
  void draw(Texture& t, const Rect& dst, float alpha) override {
    if (rotation_ == 0) {
      base_.draw(t, dst, alpha);
    } else {
      base_.draw_rotated(t, map(dst), alpha, rotation_);
    }
  }
  void draw_rotated(Texture& t, const Rect& dst, float alpha, int rotation) override {
    base_.draw_rotated(t, map(dst), alpha, rotation + rotation_);
  }
  void draw_at(Texture& t, double x, double y, float alpha) override {
    if (rotation_ == 0) {
      base_.draw_at(t, x, y, alpha);
      return;
    }
    draw(t, Rect{static_cast<int>(std::lround(x)), static_cast<int>(std::lround(y)), t.width(), t.height()}, alpha);
  }
  void set_clip(const Rect* r) override {
    if (r == nullptr) {
      base_.set_clip(nullptr);
    } else {
      const Rect m = map(*r);
      base_.set_clip(&m);
    }
  }
  Result<Image> read_pixels() override { return read_rect(Rect{0, 0, width(), height()}); }
  // The turned rectangle read from the base, and turned back.
  Result<Image> read_rect(const Rect& r) override {
    const Rect c = intersect(r, Rect{0, 0, width(), height()});
    auto phys = base_.read_rect(map(c));
    if (!phys || rotation_ == 0) return phys;
    Image out;
    out.width = c.w;
    out.height = c.h;
    out.rgba.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) * 4);
    const int pw = phys->width, ph = phys->height;
    if (static_cast<long long>(pw) * ph != static_cast<long long>(c.w) * c.h) {
      return Error("cannot read back the turned screen: the base gave " + std::to_string(pw) + "x" +
                   std::to_string(ph) + " pixels");
    }
    for (int y = 0; y < out.height; ++y) {
      for (int x = 0; x < out.width; ++x) {
        int px = x, py = y;
        switch (rotation_) {
          case 90: px = pw - 1 - y; py = x; break;
          case 180: px = pw - 1 - x; py = ph - 1 - y; break;
          case 270: px = y; py = ph - 1 - x; break;
          default: break;
        }
        const std::size_t src = (static_cast<std::size_t>(py) * static_cast<std::size_t>(pw) +
                                 static_cast<std::size_t>(px)) * 4;
        const std::size_t dst = (static_cast<std::size_t>(y) * static_cast<std::size_t>(out.width) +
                                 static_cast<std::size_t>(x)) * 4;
        std::copy_n(&phys->rgba[src], 4, &out.rgba[dst]);
      }
    }
    return out;
  }
  void present_area(const Rect& r) override { base_.present_area(map(r)); }

 private:
  bool quarter() const { return rotation_ == 90 || rotation_ == 270; }
  // An upright rectangle -> where it lies on the output (turned clockwise).
  Rect map(const Rect& r) const {
    const int pw = base_.width(), ph = base_.height();
    switch (rotation_) {
      case 90: return Rect{pw - r.y - r.h, r.x, r.h, r.w};
      case 180: return Rect{pw - r.x - r.w, ph - r.y - r.h, r.w, r.h};
      case 270: return Rect{r.y, ph - r.x - r.w, r.h, r.w};
      default: return r;
    }
  }

  int rotation_;
};

int percent_of(int v, int pct) { return static_cast<int>(std::lround(static_cast<double>(v) * pct / 100.0)); }

// The style's background picture, if it has one that decodes (a broken one is not
// worth losing the band for).
std::optional<Texture> background_of(Display& d, const Style& style, std::int64_t max_pixels) {
  if (style.background_image.empty()) return std::nullopt;
  auto img = decode_image(style.background_image, max_pixels);
  if (!img) return std::nullopt;
  auto t = d.upload(*img);
  if (!t) return std::nullopt;
  return std::move(*t);
}

void draw_background(Display& d, const Style& style, std::optional<Texture>& image) {
  const Rect all{0, 0, d.width(), d.height()};
  d.fill(all, style.background, 1.0f);
  if (image) d.draw(*image, fit_rect(image->width(), image->height(), all, Fit::cover), 1.0f);
}

// Band margin: the style's, else 12 % of the band's height.
int band_margin(const Style& style, int h) { return percent_of(h, style.margin >= 0 ? style.margin : 12); }

Instant at_scrolled(Instant origin, double px, double speed) {
  return origin + chr::milliseconds(static_cast<long long>(std::llround(px / speed * 1000.0)));
}

}  // namespace

std::unique_ptr<Display> turn_display(Display& base, int rotation) {
  return std::make_unique<TurnedDisplay>(base, rotation);
}

// ---- ZoneDisplay ----

void ZoneDisplay::clip_on() {
  Rect c = area_;
  if (clip_) c = intersect(c, moved(*clip_));
  base_.set_clip(&c);
}

void ZoneDisplay::fill(const Rect& r, Rgb colour, float alpha) {
  clip_on();
  base_.fill(moved(r), colour, alpha);
  clip_off();
}

void ZoneDisplay::draw(Texture& t, const Rect& dst, float alpha) {
  clip_on();
  base_.draw(t, moved(dst), alpha);
  clip_off();
}

void ZoneDisplay::draw_rotated(Texture& t, const Rect& dst, float alpha, int rotation) {
  clip_on();
  base_.draw_rotated(t, moved(dst), alpha, rotation);
  clip_off();
}

void ZoneDisplay::draw_at(Texture& t, double x, double y, float alpha) {
  clip_on();
  base_.draw_at(t, x + area_.x, y + area_.y, alpha);
  clip_off();
}

void ZoneDisplay::set_clip(const Rect* r) {
  if (r == nullptr) {
    clip_.reset();
  } else {
    clip_ = *r;
  }
}

Result<Image> ZoneDisplay::read_pixels() { return read_rect(Rect{0, 0, area_.w, area_.h}); }

Result<Image> ZoneDisplay::read_rect(const Rect& r) {
  return base_.read_rect(moved(intersect(r, Rect{0, 0, area_.w, area_.h})));
}

namespace {

class RegionDisplay final : public ZoneDisplay {
 public:
  using ZoneDisplay::ZoneDisplay;
  void present() override {
    const Rect a = area();
    const int w = base_.width(), h = base_.height();
    const Rgb black{0, 0, 0};
    base_.set_clip(nullptr);
    for (const Rect& r : {Rect{0, 0, w, a.y}, Rect{0, a.y + a.h, w, h - a.y - a.h}, Rect{0, a.y, a.x, a.h},
                          Rect{a.x + a.w, a.y, w - a.x - a.w, a.h}}) {
      if (r.w > 0 && r.h > 0) base_.fill(r, black, 1.0f);
    }
    base_.present();
  }
};

}  // namespace

std::unique_ptr<Display> region_display(Display& base, Rect area) {
  return std::make_unique<RegionDisplay>(base, area);
}

// ---- zones ----

BandSizes band_sizes(const Campaign* c, const Layout& device) {
  BandSizes b;
  if (c == nullptr) return b;
  b.header = c->layout.header.value_or(device.header.value_or(c->header.present ? 10 : 0));
  b.ticker = c->ticker.empty() ? 0 : c->layout.ticker.value_or(device.ticker.value_or(8));
  return b;
}

Zones layout_zones(const BandSizes& bands, int width, int height) {
  Zones z;
  if (is_strip(width, height)) {
    // An LED strip: bands a few pixels tall would show nothing legible and take
    // that much from the slogan, so the whole strip is the main zone.
    z.main = Rect{0, 0, width, height};
    z.header = Rect{0, 0, 0, 0};
    z.ticker = Rect{0, height, 0, 0};
    return z;
  }
  const int hh = percent_of(height, std::clamp(bands.header, 0, kMaxBandPercent));
  const int th = percent_of(height, std::clamp(bands.ticker, 0, kMaxBandPercent));
  z.header = Rect{0, 0, hh > 0 ? width : 0, hh};
  z.ticker = Rect{0, height - th, th > 0 ? width : 0, th};
  z.main = Rect{0, hh, width, height - hh - th};
  return z;
}

// ---- TickerBand ----

Result<TickerBand> TickerBand::make(Display& display, FontSet& fonts, const Ticker& spec, int w, int h,
                                    Instant origin) {
  auto pixels = draw_pixels(fonts, spec, w, h);
  if (!pixels) return pixels.error();
  return upload(display, spec, std::move(*pixels), w, h, origin);
}

Result<TickerBand::Pixels> TickerBand::draw_pixels(FontSet& fonts, const Ticker& spec, int w, int h) {
  if (w <= 0 || h <= 0) return Error("no room for a ticker band of " + std::to_string(w) + "x" + std::to_string(h));
  Pixels out;
  const int m = band_margin(spec.style, h);
  const int box_h = std::max(1, h - 2 * m);
  // Between two texts (and between the last and the first again): twice the band's height.
  const int gap = 2 * h;
  double offset = 0;
  for (const std::string& text : spec.texts) {
    if (fonts.stopped()) break;  // the player stops: 50 long texts take a minute
    const TextLayout layout = fit_line(fonts, text, box_h, box_h, spec.style.weight);
    // Room for an outline or a shadow on both ends.
    const TextPaint paint = TextPaint::of(spec.style);
    const int tw = std::max(1, layout.width + 2 * paint.reach());
    auto img = draw_text(fonts, layout, tw, box_h, paint, spec.style.weight);
    if (!img) return Error("cannot draw ticker text " + text, img.error());
    out.texts.push_back(Pixels::Text{std::move(*img), offset, tw, m});
    offset += tw + gap;
  }
  out.period = std::max(1.0, offset);
  return out;
}

Result<TickerBand> TickerBand::upload(Display& display, const Ticker& spec, Pixels pixels, int w, int h,
                                      Instant origin) {
  if (w <= 0 || h <= 0) return Error("no room for a ticker band of " + std::to_string(w) + "x" + std::to_string(h));
  TickerBand t;
  t.spec_ = spec;
  t.w_ = w;
  t.h_ = h;
  t.origin_ = origin;
  for (std::size_t i = 0; i < pixels.texts.size(); ++i) {
    Pixels::Text& p = pixels.texts[i];
    auto tex = display.upload(p.image);
    if (!tex) return Error("cannot draw ticker text " + spec.texts[std::min(i, spec.texts.size() - 1)], tex.error());
    Text tx;
    tx.texture.emplace(std::move(*tex));
    tx.offset = p.offset;
    tx.width = p.width;
    tx.y = p.y;
    t.texts_.push_back(std::move(tx));
    p.image = Image{};  // the pixels are on the display now
  }
  t.period_ = pixels.period;
  t.background_ = background_of(display, spec.style, 64'000'000);
  return t;
}

double TickerBand::scrolled(Instant now) const {
  if (now <= origin_) return 0;
  return spec_.speed * chr::duration<double>(now - origin_).count();
}

double TickerBand::text_x(std::size_t i, long long k, Instant now) const {
  return w_ - scrolled(now) + static_cast<double>(k) * period_ + texts_[i].offset;
}

void TickerBand::draw(Display& band, Instant now) {
  draw_background(band, spec_.style, background_);
  draw_texts(band, now);
}

void TickerBand::draw_texts(Display& band, Instant now, float alpha) {
  const double p = scrolled(now);
  for (std::size_t i = 0; i < texts_.size(); ++i) {
    Text& t = texts_[i];
    // The first copy whose right edge is still in the band.
    long long k = std::max(0LL, static_cast<long long>(std::floor((p - w_ - t.offset - t.width) / period_)));
    for (;; ++k) {
      const double x = text_x(i, k, now);
      if (x >= w_) break;
      if (x + t.width > 0) band.draw_at(*t.texture, x, t.y, alpha);
    }
  }
}

std::vector<TickerPass> TickerBand::passes_between(Instant from, Instant to) const {
  std::vector<TickerPass> out;
  const double p0 = scrolled(from), p1 = scrolled(to);
  if (p1 <= p0) return out;
  for (std::size_t i = 0; i < texts_.size(); ++i) {
    const Text& t = texts_[i];
    // Pass k ends when scrolled = w + k*period + offset + width.
    const double base = w_ + t.offset + t.width;
    long long k = std::max(0LL, static_cast<long long>(std::floor((p0 - base) / period_)));
    for (;; ++k) {
      const double end_px = base + static_cast<double>(k) * period_;
      if (end_px > p1) break;
      if (end_px <= p0) continue;
      const double start_px = static_cast<double>(k) * period_ + t.offset;
      out.push_back(TickerPass{i, at_scrolled(origin_, start_px, spec_.speed), at_scrolled(origin_, end_px, spec_.speed)});
    }
  }
  std::sort(out.begin(), out.end(), [](const TickerPass& a, const TickerPass& b) { return a.end < b.end; });
  return out;
}

// ---- HeaderBand ----

std::string chinese_date_time(const LocalTime& t) {
  const long long minutes = chr::duration_cast<chr::minutes>(t.time_of_day).count();
  char hm[48];
  std::snprintf(hm, sizeof hm, " %02lld:%02lld", minutes / 60, minutes % 60);
  return chinese_date(t) + hm;
}

std::string header_title(const Campaign& c) { return c.header.title.empty() ? c.title : c.header.title; }

HeaderSetting set_header(FontSet& fonts, const Header& spec, const std::string& title, int w, int h,
                         std::optional<std::pair<int, int>> logo) {
  HeaderSetting s;
  if (w <= 0 || h <= 0) return s;
  const int m = band_margin(spec.style, h);
  const int ih = std::max(1, h - 2 * m);
  int x = m;
  if (logo && logo->first > 0 && logo->second > 0) {
    s.logo_box = fit_rect(logo->first, logo->second, Rect{m, m, std::min(w / 4, 3 * ih), ih}, Fit::contain);
    s.logo_box.x = m;
    x = s.logo_box.x + s.logo_box.w + m;
  }
  // The clock is smaller than the title: one line at 65 % of the title's height, or
  // where that would take more than 40 % of the band's width (portrait), the date
  // over the time in the band's height; right-aligned, as wide as it needs.
  if (spec.clock) {
    const std::string widest = "2024年12月30日 星期三 23:59";
    const int ch = std::max(1, ih * 65 / 100);
    const int max_w = w * 40 / 100;
    const TextLayout one = fit_line(fonts, widest, ch, ch, spec.style.weight);
    s.clock_two_lines = one.width > max_w;
    if (!s.clock_two_lines) {
      s.clock_box = Rect{w - m - one.width, m + (ih - ch) / 2, one.width, ch};
    } else {
      const TextLayout two = fit_text(fonts, "2024年12月30日\n星期三 23:59", max_w, ih, ih / 2, spec.style.weight);
      const int cw = std::min(max_w, two.width + 2);
      s.clock_box = Rect{w - m - cw, m, cw, ih};
    }
  }
  const int title_right = spec.clock ? s.clock_box.x - m : w - m;
  s.title_box = Rect{x, m, std::max(1, title_right - x), ih};
  if (title.empty()) return s;
  // One line, never wrapped: shrunk to fit down to 60 % of the band's full size
  // (always above the clock's), else scrolling across its box at full size.
  const TextLayout full = fit_line(fonts, title, ih, ih, spec.style.weight);
  TextLayout l = fit_one_line(fonts, title, s.title_box.w, ih, spec.style.weight);
  const int floor = std::min(full.size_px, full.size_px * 60 / 100);
  if (l.fits && l.size_px >= floor) {
    s.title = std::move(l);
  } else {
    // As the scrolling band sets it (TickerBand::make, the band's margin).
    s.title = fit_line(fonts, title, std::max(1, h - 2 * m), h, spec.style.weight);
    s.title_scrolls = true;
  }
  return s;
}

Result<HeaderBand> HeaderBand::make(Display& display, FontSet& fonts, const TimeZone& zone, const Header& spec,
                                    const std::string& title, int w, int h, std::int64_t max_image_pixels) {
  HeaderBand b(display, fonts, zone);
  b.spec_ = spec;
  b.w_ = w;
  b.h_ = h;
  if (w <= 0 || h <= 0) return Error("no room for a header band of " + std::to_string(w) + "x" + std::to_string(h));
  const int ih = std::max(1, h - 2 * band_margin(spec.style, h));
  b.background_ = background_of(display, spec.style, max_image_pixels);
  // A logo that cannot be shown leaves its place to the title.
  std::optional<Texture> logo;
  if (!spec.logo.empty()) {
    if (auto img = decode_image(spec.logo, max_image_pixels)) {
      if (auto tex = display.upload(*img)) logo.emplace(std::move(*tex));
    }
  }
  const HeaderSetting s =
      set_header(fonts, spec, title, w, h,
                 logo ? std::optional(std::pair{logo->width(), logo->height()}) : std::nullopt);
  b.logo_ = std::move(logo);
  b.logo_box_ = s.logo_box;
  b.title_box_ = s.title_box;
  b.clock_box_ = s.clock_box;
  b.clock_two_lines_ = s.clock_two_lines;
  if (title.empty()) return b;
  b.title_px_ = s.title.size_px;
  if (!s.title_scrolls) {
    auto img = draw_text(fonts, s.title, b.title_box_.w, ih, TextPaint::of(spec.style), spec.style.weight);
    if (!img) return Error("cannot draw the header title", img.error());
    auto t = display.upload(*img);
    if (!t) return Error("cannot draw the header title", t.error());
    b.title_.emplace(std::move(*t));
  } else {
    Ticker scroll;
    scroll.texts = {title};
    scroll.style = spec.style;
    scroll.style.background_image.clear();  // the band's background is drawn under it
    scroll.speed = std::max(20.0, 1.6 * h);
    auto band = TickerBand::make(display, fonts, scroll, b.title_box_.w, h, Instant{});
    if (!band) return Error("cannot draw the header title", band.error());
    b.title_scroll_ = std::make_unique<TickerBand>(std::move(*band));
  }
  return b;
}

std::optional<Instant> HeaderBand::update(Instant now, bool* changed) {
  if (changed != nullptr) *changed = false;
  if (!spec_.clock) return std::nullopt;
  const LocalTime lt = zone_->to_local(now);
  const auto minute = chr::floor<chr::minutes>(lt.wall());
  if (!shown_minute_ || *shown_minute_ != minute) {
    shown_minute_ = minute;
    // A narrow band (portrait) gets the date over the weekday and time.
    std::string text = chinese_date_time(lt);
    TextLayout l;
    if (clock_two_lines_) {
      const auto space = text.find(' ');
      if (space != std::string::npos) text[space] = '\n';
      l = fit_text(*fonts_, text, clock_box_.w, clock_box_.h, clock_box_.h, spec_.style.weight);
    } else {
      l = fit_one_line(*fonts_, text, clock_box_.w, clock_box_.h, spec_.style.weight);
    }
    clock_px_ = l.size_px;
    auto img = draw_text(*fonts_, l, clock_box_.w, clock_box_.h, TextPaint::of(spec_.style), spec_.style.weight);
    Result<Texture> t = img ? display_->upload(*img) : Result<Texture>(img.error());
    if (t) {
      clock_.emplace(std::move(*t));
    } else {
      clock_.reset();
    }
    if (changed != nullptr) *changed = true;
  }
  return now + (minute + chr::minutes(1) - lt.wall());
}

void HeaderBand::draw(Display& band, Instant now) {
  draw_background(band, spec_.style, background_);
  if (logo_) band.draw(*logo_, logo_box_, 1.0f);
  if (title_) band.draw(*title_, title_box_, 1.0f);
  if (title_scroll_) {
    ZoneDisplay box(band, Rect{title_box_.x, 0, title_box_.w, h_});
    title_scroll_->draw_texts(box, now);
  }
  if (clock_) band.draw(*clock_, clock_box_, 1.0f);
}

// ---- ScreenBands ----

Rect ScreenBands::main_zone(const Campaign* campaign) const {
  return layout_zones(band_sizes(campaign, device_), screen_.width(), screen_.height()).main;
}

ScreenBands::ScreenBands(Display& screen, FontSet& fonts, const TimeZone& zone, Layout device_layout,
                         std::int64_t max_image_pixels, std::function<void(const Error&)> on_error)
    : screen_(screen),
      fonts_(fonts),
      zone_(zone),
      device_(device_layout),
      max_pixels_(max_image_pixels),
      header_display_(screen, {}),
      ticker_display_(screen, {}),
      on_error_(std::move(on_error)) {}

// Out of line for the TextThread's sake; its destructor stops a layout in progress.
ScreenBands::~ScreenBands() = default;

Status ScreenBands::set(const Campaign* c, Instant now) {
  campaign_id_ = c != nullptr ? c->id : std::string();
  const Zones old = zones_;
  zones_ = layout_zones(band_sizes(c, device_), screen_.width(), screen_.height());
  header_display_.set_area(zones_.header);
  ticker_display_.set_area(zones_.ticker);
  Status result;
  if (zones_.header.h > 0) {
    const std::string title = header_title(*c);
    if (!header_ || !(header_spec_ == c->header) || header_title_ != title || !(old.header == zones_.header)) {
      header_.reset();
      header_spec_ = c->header;
      header_title_ = title;
      auto h = HeaderBand::make(screen_, fonts_, zone_, c->header, title, zones_.header.w, zones_.header.h,
                                max_pixels_);
      if (h) {
        header_.emplace(std::move(*h));
        header_->update(now);
      } else {
        result = h.error();
      }
    }
  } else {
    header_.reset();
  }
  if (zones_.ticker.h > 0) {
    ticker_background_ = c->ticker.style.background;
    const bool same = ticker_spec_ && *ticker_spec_ == c->ticker && old.ticker.w == zones_.ticker.w &&
                      old.ticker.h == zones_.ticker.h;
    if (!same) {
      ticker_.reset();
      ticker_spec_ = c->ticker;
      if (!text_thread_) text_thread_ = std::make_unique<TextThread>(fonts_.another());
      ticker_pending_ = text_thread_->run<TickerBand::Pixels>(
          [spec = c->ticker, w = zones_.ticker.w, h = zones_.ticker.h](FontSet& fonts) {
            return TickerBand::draw_pixels(fonts, spec, w, h);
          });
    }
  } else {
    ticker_.reset();
    ticker_spec_.reset();
    ticker_pending_.reset();
  }
  return result;
}

Status ScreenBands::take_ticker(Instant now, std::chrono::milliseconds wait) {
  if (!ticker_pending_) return {};
  auto pixels = ticker_pending_->take(wait);
  if (!pixels) return {};
  ticker_pending_.reset();
  Result<TickerBand> band = pixels->ok()
                                ? TickerBand::upload(screen_, *ticker_spec_, std::move(**pixels), zones_.ticker.w,
                                                     zones_.ticker.h, Instant{})
                                : Result<TickerBand>(pixels->error());
  if (!band) {
    // The band keeps its background; the ticker stays the campaign's (no passes).
    if (on_error_) on_error_(band.error());
    return band.error();
  }
  ticker_.emplace(std::move(*band));
  ticker_shown_ = now;
  return {};
}

Status ScreenBands::finish(std::chrono::milliseconds timeout) { return take_ticker(Instant{}, timeout); }

std::optional<Instant> ScreenBands::update(Instant now, bool* changed) {
  if (changed != nullptr) *changed = false;
  if (!header_) return std::nullopt;
  return header_->update(now, changed);
}

void ScreenBands::draw(Instant now) {
  draw_header(now);
  draw_ticker(now);
}

void ScreenBands::draw_moving(Instant now) {
  if (header_ && header_->moving()) draw_header(now);
  draw_ticker(now);
}

Rect ScreenBands::moving_area() const {
  if (!header_ || !header_->moving()) return zones_.ticker;
  if (!ticker_) return zones_.header;
  return Rect{0, 0, zones_.header.w, zones_.ticker.y + zones_.ticker.h};
}

// A band that could not be made still covers its place, in its background colour.
void ScreenBands::draw_ticker(Instant now) {
  if (ticker_pending_) (void)take_ticker(now, std::chrono::milliseconds(0));
  if (ticker_) {
    ticker_->draw(ticker_display_, now);
  } else if (zones_.ticker.h > 0) {
    ticker_display_.fill(Rect{0, 0, zones_.ticker.w, zones_.ticker.h}, ticker_background_, 1.0f);
  }
}

void ScreenBands::draw_header(Instant now) {
  if (header_) {
    header_->draw(header_display_, now);
  } else if (zones_.header.h > 0) {
    header_display_.fill(Rect{0, 0, zones_.header.w, zones_.header.h}, header_spec_.style.background, 1.0f);
  }
}

std::vector<TickerPass> ScreenBands::ticker_passes(Instant from, Instant to) const {
  if (!ticker_) return {};
  std::vector<TickerPass> passes = ticker_->passes_between(std::max(from, ticker_shown_), to);
  std::erase_if(passes, [&](const TickerPass& p) { return p.start < ticker_shown_; });
  return passes;
}

}  // namespace signage
