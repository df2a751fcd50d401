#include "render/scene.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/i18n.h"
#include "media/image.h"
#include "render/layout.h"
#include "render/text_thread.h"
#include "render/video_view.h"
#include "video/audio.h"
#include "video/video.h"

namespace signage {

namespace chr = std::chrono;

std::string chinese_date(const LocalTime& t) {
  static constexpr std::array<const char*, 7> kDays = {"日", "一", "二", "三", "四", "五", "六"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%d年%u月%u日 星期%s", static_cast<int>(t.date.year()),
                static_cast<unsigned>(t.date.month()), static_cast<unsigned>(t.date.day()),
                kDays[t.weekday.c_encoding()]);
  return buf;
}

std::string english_date(const LocalTime& t) {
  static constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
  static constexpr std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",
                                                          "May",     "June",     "July",      "August",
                                                          "September", "October", "November", "December"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %u %s %d", kDays[t.weekday.c_encoding()], static_cast<unsigned>(t.date.day()),
                kMonths[(static_cast<unsigned>(t.date.month()) + 11) % 12], static_cast<int>(t.date.year()));
  return buf;
}

namespace {

Rect full(const Display& d) { return Rect{0, 0, d.width(), d.height()}; }

// Decode workers still running. The Scene's destructor waits a moment for them
// (views die before it) and then leaves them: a decode of the biggest picture
// allowed takes seconds, and a stopping player must not wait for it. A worker needs
// nothing of the Scene: its job, this count and wake_display(), all of which outlive
// it (never destroyed, so a worker still running at exit finds them).
struct Workers {
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
};
Workers& workers() {
  static Workers& w = *new Workers;
  return w;
}
// How long the Scene's destructor waits for decodes still running.
constexpr chr::milliseconds kWorkersAtExit{300};
// A wait for a picture's decoding looks at the stop flag this often.
constexpr chr::milliseconds kDecodeSlice{50};

// The size a picture is drawn at: `fit` in a w x h box.
struct Fitting {
  int w = 0, h = 0;
  Fit fit = Fit::contain;
};

// A picture decoded on a worker thread (a big PNG takes tens of milliseconds, too
// long for the main thread while a video plays; the biggest allowed takes seconds)
// and shrunk there to the size it is drawn at, so that neither the upload nor the
// texture is bigger than the screen needs. The view that waits for it holds a
// reference; dropping the view never waits for the decode: the worker finishes on
// its own and the result goes with the last reference. Wakes the main loop when done.
class PictureDecode {
 public:
  // `background`: decoding ahead, at a lower priority than the frames on screen.
  // `cache`: where a picture decoded before is taken from, and a new one is kept.
  static std::shared_ptr<PictureDecode> start(std::filesystem::path path, std::int64_t max_pixels, Fitting fitting,
                                              bool background, std::shared_ptr<PictureCache> cache) {
    auto job = std::make_shared<PictureDecode>();
    {
      std::lock_guard lock(workers().mu);
      ++workers().running;
    }
    std::thread([job, path = std::move(path), max_pixels, fitting, background, cache = std::move(cache)] {
      if (background) {
        // nice +10, this thread only: decoding ahead must not take CPU time from a
        // video on screen.
        const auto tid = static_cast<id_t>(syscall(SYS_gettid));
        errno = 0;
        const int nice = getpriority(PRIO_PROCESS, tid);
        if (errno == 0) setpriority(PRIO_PROCESS, tid, nice + 10);
      }
      auto img = decode_or_take(path, max_pixels, fitting, cache.get());
      {
        std::lock_guard lock(job->mu_);
        job->result_ = std::move(img);
      }
      job->cv_.notify_all();
      wake_display();  // the main loop sleeps until something is due
      std::lock_guard lock(workers().mu);
      --workers().running;
      workers().cv.notify_all();
    }).detach();
    return job;
  }
  // The decoded picture (or why not), waiting up to `timeout`; nullopt: not yet.
  std::optional<Result<std::shared_ptr<const Image>>> take(chr::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return result_.has_value(); })) return std::nullopt;
    return std::move(result_);
  }

 private:
  // The picture from `cache` when it holds this file as it is on disk now, fitted to
  // this box; else decoded, fitted and kept there.
  static Result<std::shared_ptr<const Image>> decode_or_take(const std::filesystem::path& path,
                                                             std::int64_t max_pixels, Fitting fitting,
                                                             PictureCache* cache) {
    std::optional<PictureKey> key;
    if (cache != nullptr) {
      if (const auto stamp = stamp_of(path)) {
        key = PictureKey{path, *stamp, fitting.w, fitting.h, static_cast<int>(fitting.fit), max_pixels};
        if (auto kept = cache->find(*key)) return kept;
      }
    }
    auto img = fitted(decode_image(path, max_pixels), fitting);
    if (!img) return img.error();
    auto picture = std::make_shared<const Image>(std::move(*img));
    if (key) cache->put(*key, picture);
    return picture;
  }
  // A picture bigger than where it is drawn, shrunk to that size (area averaging:
  // sharper than the renderer's filtering of a big texture, and a 8000x8000 picture
  // no longer takes 256 MB of texture for a 1920x1080 screen). Smaller ones as they are.
  static Result<Image> fitted(Result<Image> img, Fitting fitting) {
    if (!img || fitting.w <= 0 || fitting.h <= 0) return img;
    const Rect r = fit_rect(img->width, img->height, Rect{0, 0, fitting.w, fitting.h}, fitting.fit);
    if (r.w <= 0 || r.h <= 0 || r.w >= img->width || r.h >= img->height) return img;
    auto small = scale_image(*img, r.w, r.h);
    return small ? std::move(small) : std::move(img);  // unscaled is still drawable
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Result<std::shared_ptr<const Image>>> result_;
};

// Margin around text: 6 % of the shorter side, or the style's percentage.
int margin_for(int w, int h, int percent = -1) {
  if (percent >= 0) return std::min(w, h) * percent / 100;
  return std::max(8, std::min(w, h) * 6 / 100);
}

// A text block rendered once into a texture, placed in `box`.
struct TextBlock {
  std::optional<Texture> texture;
  Rect box;

  static Result<TextBlock> make(Display& display, FontSet& fonts, const std::string& text,
                                const Rect& box, const TextPaint& paint, int max_size_px,
                                FontWeight weight = FontWeight::regular) {
    if (text.empty() || box.w <= 0 || box.h <= 0) return TextBlock{std::nullopt, box};
    return of(display, fonts, fit_text(fonts, text, box.w, box.h, max_size_px, weight), box, paint, weight);
  }
  // `layout` drawn into `box`.
  static Result<TextBlock> of(Display& display, FontSet& fonts, const TextLayout& layout, const Rect& box, const TextPaint& paint,
                              FontWeight weight) {
    TextBlock b;
    b.box = box;
    if (layout.lines.empty() || box.w <= 0 || box.h <= 0) return b;
    auto img = draw_text(fonts, layout, box.w, box.h, paint, weight);
    if (!img) return img.error();
    auto tex = display.upload(*img);
    if (!tex) return tex.error();
    b.texture.emplace(std::move(*tex));
    return b;
  }
  void draw(Display& display, float alpha) {
    if (texture) display.draw(*texture, box, alpha);
  }
};

// A slogan's text laid out and drawn into pixels on the text thread: the lines (or,
// on a strip too narrow for them, the scrolling line) ready to upload.
struct SloganPixels {
  SloganSetting set;
  std::optional<Image> text;                    // the text block's ink, if any
  Rect text_box;                                // where `text` goes
  std::optional<TickerBand::Pixels> scroll;     // instead of `text`: the strip's scroll
  Ticker scroll_spec;
};

class SloganView final : public View {
 public:
  // The text arrives from `text`, the background picture (if any) from `decoding`;
  // ready() uploads them.
  SloganView(Display& d, std::string id, Rgb bg, int fps, std::shared_ptr<Pending<SloganPixels>> text,
             std::shared_ptr<PictureDecode> decoding)
      : display_(&d), id_(std::move(id)), bg_(bg), fps_(fps), text_work_(std::move(text)),
        decoding_(std::move(decoding)) {}
  Result<bool> ready(chr::milliseconds timeout) override {
    if (failed_) return *failed_;
    if (text_work_) {
      auto r = text_work_->take(std::min(timeout, chr::milliseconds(60'000)));
      if (!r) return false;
      text_work_.reset();
      Status s = *r ? upload(**r) : Status(r->error());
      if (!s) {
        failed_ = s.error();  // and stays
        return *failed_;
      }
    }
    if (!decoding_) return true;
    auto img = decoding_->take(std::min(timeout, chr::milliseconds(60'000)));
    if (!img) return false;
    decoding_.reset();
    // A broken background picture is not worth losing the slogan for.
    if (*img) {
      if (auto t = display_->upload(***img)) bg_image_.emplace(std::move(*t));
    }
    return true;
  }
  std::optional<Instant> update(Instant now) override {
    if (!scroll_) return std::nullopt;
    if (!scroll_start_) scroll_start_ = now;
    now_ = now;
    return now + chr::ceil<chr::milliseconds>(frame_);
  }
  void draw(Display& d, float alpha) override {
    d.fill(full(d), bg_, alpha);
    if (bg_image_) {
      d.draw(*bg_image_, fit_rect(bg_image_->width(), bg_image_->height(), full(d), Fit::cover), alpha);
    }
    if (scroll_) {
      // The band's clock: its origin (where the text enters at the right edge) one
      // view's width of scrolling before the first update.
      const auto lead = chr::duration<double>(scroll_->width() / scroll_->spec().speed);
      const Instant start = scroll_start_.value_or(now_);
      scroll_->draw_texts(d, Instant{} + (now_ - start) + chr::round<chr::milliseconds>(lead), alpha);
    } else {
      text_.draw(d, alpha);
    }
  }
  std::string describe() const override { return "slogan '" + id_ + "'"; }

 private:
  // The text thread's pixels onto the display: the text block, or the strip's
  // scroll, which then moves across the view from its first update(), starting with
  // the text's left edge at the left of the view.
  Status upload(SloganPixels& px) {
    const std::string what = "cannot show slogan '" + id_ + "'";
    text_.box = px.text_box;
    if (px.scroll) {
      auto band = TickerBand::upload(*display_, px.scroll_spec, std::move(*px.scroll), display_->width(),
                                     display_->height(), Instant{});
      if (!band) return Error(what, band.error());
      scroll_.emplace(std::move(*band));
      frame_ = chr::microseconds(1'000'000 / std::max(1, fps_));
    } else if (px.text) {
      auto tex = display_->upload(*px.text);
      if (!tex) return Error(what, tex.error());
      text_.texture.emplace(std::move(*tex));
    }
    return {};
  }

  Display* display_ = nullptr;
  std::string id_;
  Rgb bg_;
  int fps_ = 60;
  std::shared_ptr<Pending<SloganPixels>> text_work_;
  std::optional<Error> failed_;
  std::optional<Texture> bg_image_;
  std::shared_ptr<PictureDecode> decoding_;
  TextBlock text_;
  std::optional<TickerBand> scroll_;
  std::optional<Instant> scroll_start_;
  Instant now_{};
  chr::microseconds frame_{16'667};
};

// A slogan's text on one line: forced breaks become an ideographic space.
std::string one_line(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    if (text[i] == '\n') {
      if (i + 1 < text.size()) out += "\u3000";
    } else {
      out += text[i];
    }
  }
  return out;
}

// A view laid out for a zone of the screen, drawn there through its own
// ZoneDisplay (which the inner view holds on to).
class ZonedView final : public View {
 public:
  ZonedView(std::unique_ptr<ZoneDisplay> zone, std::unique_ptr<View> inner)
      : zone_(std::move(zone)), inner_(std::move(inner)) {}
  void draw(Display& /*screen: the zone's base*/, float alpha) override { inner_->draw(*zone_, alpha); }
  std::optional<Instant> update(Instant now) override { return inner_->update(now); }
  std::string describe() const override { return inner_->describe(); }
  std::optional<std::chrono::microseconds> media_position() const override { return inner_->media_position(); }
  std::optional<Instant> ends_at() const override { return inner_->ends_at(); }
  std::optional<ItemPlayStats> play_stats() const override { return inner_->play_stats(); }
  Result<bool> ready(std::chrono::milliseconds timeout) override { return inner_->ready(timeout); }

 private:
  std::unique_ptr<ZoneDisplay> zone_;  // before inner_: the inner view borrows it
  std::unique_ptr<View> inner_;
};

class ImageView final : public View {
 public:
  // `decoding` gives the picture on a worker thread; ready() uploads it. `what`
  // names the item in errors.
  ImageView(Display& d, std::string id, Rgb bg, std::shared_ptr<PictureDecode> decoding, Fit fit, std::string what)
      : display_(&d), id_(std::move(id)), bg_(bg), fit_(fit), decoding_(std::move(decoding)), what_(std::move(what)) {}

  Result<bool> ready(chr::milliseconds timeout) override {
    if (image_) return true;
    if (failure_) return *failure_;
    // Decoding is bounded by the pixel limit; the cap only keeps the wait representable.
    auto taken = decoding_->take(std::min(timeout, chr::milliseconds(60'000)));
    if (!taken) return false;
    decoding_.reset();
    auto img = std::move(*taken);
    if (!img) {
      failure_ = Error("cannot show " + what_, img.error());
      return *failure_;
    }
    auto tex = display_->upload(**img);
    if (!tex) {
      failure_ = Error("cannot show " + what_, tex.error());
      return *failure_;
    }
    image_.emplace(std::move(*tex));
    return true;
  }
  void draw(Display& d, float alpha) override {
    d.fill(full(d), bg_, alpha);
    if (image_) d.draw(*image_, fit_rect(image_->width(), image_->height(), full(d), fit_), alpha);
  }
  std::string describe() const override { return "image '" + id_ + "'"; }

 private:
  Display* display_ = nullptr;
  std::string id_;
  Rgb bg_;
  std::optional<Texture> image_;
  Fit fit_;
  std::shared_ptr<PictureDecode> decoding_;
  std::string what_;
  std::optional<Error> failure_;
};

class IdleView final : public View {
 public:
  IdleView(Display& d, FontSet& fonts, const TimeZone& zone, const SceneOptions& o)
      : display_(d), fonts_(fonts), zone_(zone), options_(o) {}

  std::optional<Instant> update(Instant now) override {
    const LocalTime lt = zone_.to_local(now);
    const auto minute = chr::floor<chr::minutes>(lt.wall());
    std::string reason = options_.idle_reason ? options_.idle_reason(now) : std::string();
    if (!shown_minute_ || *shown_minute_ != minute || reason != shown_reason_) {
      shown_minute_ = minute;
      shown_reason_ = std::move(reason);
      render(lt);
    }
    // The next minute boundary on the wall clock.
    return now + (minute + chr::minutes(1) - lt.wall());
  }

  void draw(Display& d, float alpha) override {
    d.fill(full(d), options_.idle_background, alpha);
    clock_.draw(d, alpha);
    date_.draw(d, alpha);
    reason_.draw(d, alpha);
    footer_.draw(d, alpha);
    details_.draw(d, alpha);
  }
  std::string describe() const override { return "idle screen"; }

 private:
  void render(const LocalTime& lt) {
    const int w = display_.width(), h = display_.height();
    const int m = margin_for(w, h);
    const long long minutes_of_day = chr::duration_cast<chr::minutes>(lt.time_of_day).count();
    char clock[48];
    std::snprintf(clock, sizeof clock, "%02lld:%02lld", minutes_of_day / 60, minutes_of_day % 60);
    const std::string footer = options_.idle_text.empty() ? options_.screen_id : options_.idle_text;
    const std::string details = options_.idle_details ? options_.idle_details() : std::string();
    // A failed text block leaves that line empty; the background still shows.
    auto make = [&](const std::string& text, Rect box, int max_size_px = 0) {
      auto b = TextBlock::make(display_, fonts_, text, box, TextPaint{options_.idle_color}, max_size_px > 0 ? max_size_px : box.h);
      return b ? std::move(*b) : TextBlock{};
    };
    clock_ = make(clock, Rect{m, h * 10 / 100, w - 2 * m, h * 28 / 100});
    const bool zh = options_.language == Language::zh_CN;
    date_ = make(zh ? chinese_date(lt) : english_date(lt), Rect{m, h * 40 / 100, w - 2 * m, h * 8 / 100});
    // Why it is idle: up to two lines, each as tall as a footer line at most.
    reason_ = make(shown_reason_, Rect{m, h * 52 / 100, w - 2 * m, h * 11 / 100}, h * 5 / 100);
    footer_ = make(footer, Rect{m, h * 66 / 100, w - 2 * m, h * 6 / 100});
    // Each detail line as tall as a line of the footer would be, at most.
    const int lines = details.empty() ? 0 : 1 + static_cast<int>(std::count(details.begin(), details.end(), '\n'));
    details_ = make(details, Rect{m, h * 74 / 100, w - 2 * m, std::min(h * 20 / 100, lines * h * 5 / 100)});
  }

  Display& display_;
  FontSet& fonts_;
  const TimeZone& zone_;
  SceneOptions options_;
  std::optional<chr::sys_time<chr::minutes>> shown_minute_;
  std::string shown_reason_;
  TextBlock clock_, date_, reason_, footer_, details_;
};

// A strip's slogan as a ticker of one text across the whole zone (the style's
// margin, else 12 % of the height, above and below), at `speed` (set_slogan's).
Ticker strip_scroll(const std::string& line, const Style& style, double speed) {
  Ticker spec;
  spec.texts = {line};
  spec.style = style;
  spec.style.background_image.clear();  // the view draws its background itself
  spec.speed = speed;
  return spec;
}

// `img`, drawn into `box`, cut down to the rectangle that has ink (and `box` with it):
// a slogan's block is as big as its zone, but most of it is transparent, and the
// main thread uploads what is left (at 4K a whole block is 26 MB). Nothing drawn:
// an empty image.
void crop_to_ink(Image& img, Rect& box) {
  int top = img.height, bottom = -1, left = img.width, right = -1;
  for (int y = 0; y < img.height; ++y) {
    const std::uint8_t* row = &img.rgba[static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) * 4];
    for (int x = 0; x < img.width; ++x) {
      if (row[x * 4 + 3] == 0) continue;
      top = std::min(top, y);
      bottom = y;
      left = std::min(left, x);
      right = std::max(right, x);
    }
  }
  if (bottom < 0) {
    img = Image{};
    return;
  }
  if (top == 0 && left == 0 && bottom == img.height - 1 && right == img.width - 1) return;
  Image out;
  out.width = right - left + 1;
  out.height = bottom - top + 1;
  out.rgba.resize(static_cast<std::size_t>(out.width) * static_cast<std::size_t>(out.height) * 4);
  for (int y = 0; y < out.height; ++y) {
    const auto* from = &img.rgba[(static_cast<std::size_t>(top + y) * static_cast<std::size_t>(img.width) +
                                  static_cast<std::size_t>(left)) * 4];
    std::copy(from, from + static_cast<std::ptrdiff_t>(out.width) * 4,
              &out.rgba[static_cast<std::size_t>(y) * static_cast<std::size_t>(out.width) * 4]);
  }
  img = std::move(out);
  box = Rect{box.x + left, box.y + top, right - left + 1, bottom - top + 1};
}

// A slogan laid out and drawn for a zone of w x h (the text thread's part of it).
Result<SloganPixels> slogan_pixels(FontSet& fonts, const Item& item, int w, int h, int min_text_px) {
  SloganPixels px;
  px.set = set_slogan(fonts, item, w, h, min_text_px);
  px.text_box = px.set.box;
  const std::string what = "cannot show slogan '" + item.id + "'";
  if (px.set.scrolls) {
    px.scroll_spec = strip_scroll(one_line(item.text), item.style, px.set.speed);
    auto p = TickerBand::draw_pixels(fonts, px.scroll_spec, w, h);
    if (!p) return Error(what, p.error());
    px.scroll.emplace(std::move(*p));
  } else if (!px.set.layout.lines.empty() && px.set.box.w > 0 && px.set.box.h > 0) {
    auto img = draw_text(fonts, px.set.layout, px.set.box.w, px.set.box.h, TextPaint::of(item.style),
                         item.style.weight);
    if (!img) return Error(what, img.error());
    crop_to_ink(*img, px.text_box);
    if (!img->empty()) px.text.emplace(std::move(*img));
  }
  return px;
}

}  // namespace

Rect slogan_text_box(int w, int h, int margin_percent) {
  const int m = margin_for(w, h, margin_percent);
  if (!is_strip(w, h)) return Rect{m, m, w - 2 * m, h - 2 * m};
  // A strip keeps most of its height for the text (a 128x16 strip has no room for
  // 8 px), and a quarter of its height at each end, so that a full line does not
  // touch the strip's ends.
  const int my = std::min(m, h / 8), mx = std::max(my, h / 4);
  return Rect{mx, my, w - 2 * mx, h - 2 * my};
}

bool is_strip(int w, int h) { return h > 0 && w >= 6 * h; }

SloganSetting set_slogan(FontSet& fonts, const Item& item, int w, int h, int min_text_px) {
  SloganSetting set;
  set.box = slogan_text_box(w, h, item.style.margin);
  if (item.text.empty() || set.box.w <= 0 || set.box.h <= 0) return set;
  if (!is_strip(w, h)) {
    set.layout = fit_text(fonts, item.text, set.box.w, set.box.h, set.box.h, item.style.weight);
    return set;
  }
  const std::string line = one_line(item.text);
  set.layout = fit_one_line(fonts, line, set.box.w, set.box.h, item.style.weight);
  const int tallest = fit_line(fonts, line, set.box.h, set.box.h, item.style.weight).size_px;
  if (set.layout.size_px >= std::min(legible_px(min_text_px, h), tallest)) return set;
  // As TickerBand::make sets it: the style's margin, else 12 % of the height.
  const int m = static_cast<int>(std::lround(h * (item.style.margin >= 0 ? item.style.margin : 12) / 100.0));
  set.layout = fit_line(fonts, line, std::max(1, h - 2 * m), std::max(1, h - 2 * m), item.style.weight);
  set.box = Rect{0, 0, w, h};
  set.scrolls = true;
  // One full pass: the text's width as the band draws it (TickerBand::make: room
  // for an outline or a shadow at both ends).
  const double width = std::max(1, set.layout.width + 2 * TextPaint::of(item.style).reach());
  const double normal = strip_speed(h);
  const double seconds = std::max(0.001, chr::duration<double>(item.duration).count());
  set.speed = std::clamp(width / seconds, normal, 2 * normal);
  auto pass_at = [&](double speed) {
    return chr::milliseconds(static_cast<long long>(std::ceil(width / speed * 1000 - 1e-6)));
  };
  set.pass = pass_at(set.speed);
  set.pass_at_most = pass_at(2 * normal);
  set.pass_fits = set.pass <= item.duration;
  return set;
}

double strip_speed(int h) { return std::max(20.0, 1.6 * h); }

int legible_px(int configured, int zone_h) {
  if (configured > 0) return configured;
  return std::max(1, std::min(24, zone_h * 70 / 100));
}

Scene::Scene(Display& display, FontSet& fonts, const TimeZone& zone, SceneOptions options)
    : display_(display),
      fonts_(fonts),
      zone_(zone),
      options_(std::move(options)),
      hw_devices_(std::make_shared<HwDevices>()) {
  if (!options_.pictures) options_.pictures = std::make_shared<PictureCache>(kPictureCacheBytes);
}

Scene::~Scene() {
  text_thread_.reset();
  // Pictures still decoding for views already dropped: most finish in a moment;
  // the rest are left to finish on their own (see Workers).
  std::unique_lock lock(workers().mu);
  workers().cv.wait_for(lock, kWorkersAtExit, [] { return workers().running == 0; });
}

Result<std::unique_ptr<View>> Scene::when_ready(std::unique_ptr<View> view, PrepareMode mode) {
  if (mode == PrepareMode::ahead) return view;
  // Decoding goes on on its worker; the wait looks at the stop flag between slices.
  for (;;) {
    auto r = view->ready(kDecodeSlice);
    if (!r) return r.error();
    if (*r) return view;
    if (stopping()) return Error(ErrorKind::stopped, "stopped");
  }
}

Result<std::unique_ptr<View>> Scene::prepare(const Item& item, PrepareMode mode, std::optional<VideoSlot> slot) {
  return prepare_on(display_, item, mode, slot);
}

Result<std::unique_ptr<View>> Scene::prepare(const Item& item, const Rect& zone, PrepareMode mode,
                                             std::optional<VideoSlot> slot) {
  if (zone == Rect{0, 0, display_.width(), display_.height()}) return prepare_on(display_, item, mode, slot);
  auto zd = std::make_unique<ZoneDisplay>(display_, zone);
  auto view = prepare_on(*zd, item, mode, slot);
  if (!view) return view;
  return std::unique_ptr<View>(std::make_unique<ZonedView>(std::move(zd), std::move(*view)));
}

Result<std::unique_ptr<View>> Scene::prepare_on(Display& target, const Item& item, PrepareMode mode,
                                                const std::optional<VideoSlot>& slot) {
  const std::string what = std::string(to_string(item.type)) + " '" + item.id + "'";
  switch (item.type) {
    case ItemType::slogan: {
      // The background picture decodes on a worker, like an image item's, and the
      // text is laid out and drawn on the text thread.
      auto decoding = item.style.background_image.empty()
                          ? nullptr
                          : PictureDecode::start(item.style.background_image, options_.max_image_pixels,
                                                 Fitting{target.width(), target.height(), Fit::cover},
                                                 mode == PrepareMode::ahead, options_.pictures);
      if (!text_thread_) text_thread_ = std::make_unique<TextThread>(fonts_.another());
      auto text = text_thread_->run<SloganPixels>(
          [item, w = target.width(), h = target.height(), min_px = options_.min_text_px](FontSet& fonts) {
            return slogan_pixels(fonts, item, w, h, min_px);
          });
      return when_ready(std::make_unique<SloganView>(target, item.id, item.style.background, options_.fps,
                                                     std::move(text), std::move(decoding)),
                        mode);
    }
    case ItemType::image: {
      auto decoding = PictureDecode::start(item.path, options_.max_image_pixels,
                                           Fitting{target.width(), target.height(), item.fit},
                                           mode == PrepareMode::ahead, options_.pictures);
      return when_ready(std::make_unique<ImageView>(target, item.id, item.style.background, std::move(decoding),
                                                    item.fit, what),
                        mode);
    }
    case ItemType::video: {
      VideoViewSetup setup;
      const std::string& hw = item.hwdec.empty() ? options_.hwdec : item.hwdec;
      setup.hwdec = parse_hwdec(hw).value_or(HwDec::auto_select);
      setup.devices = hw_devices_;
      setup.max_pixels = options_.max_image_pixels;
      setup.ready_timeout = options_.video_ready_timeout;
      if (options_.audio && !options_.mute && options_.volume > 0) {
        setup.audio = [this] { return audio_output(); };
      }
      setup.log = options_.log;
      setup.wait = mode == PrepareMode::ready;
      if (slot) {
        setup.start_at = slot->offset;
        setup.anchor = slot->slot_start;
      }
      setup.monotonic = options_.monotonic;
      setup.clock_rate = options_.clock_rate;
      setup.stop = options_.stop;
      auto view = make_video_view(target, item, setup);
      if (!view) return Error("cannot show " + what, view.error());
      return view;
    }
  }
  return Error("cannot show " + what + ": unknown item type");
}

AudioOutput* Scene::audio_output() {
  if (audio_tried_) return audio_.get();
  // Once: a box without sound plays its videos silently, and says so once.
  audio_tried_ = true;
  auto a = AudioOutput::open();
  if (!a) {
    if (options_.log) options_.log(fmt(_("no sound: {1}; videos play silently"), a.error().what()));
    return nullptr;
  }
  audio_ = std::move(*a);
  audio_->set_volume(options_.volume);
  audio_->set_mute(options_.mute);
  if (options_.log) options_.log(fmt(_("sound: {1}"), audio_->describe()));
  return audio_.get();
}

std::unique_ptr<View> Scene::prepare_idle(Instant now) {
  auto v = std::make_unique<IdleView>(display_, fonts_, zone_, options_);
  v->update(now);
  return v;
}

void Stage::show(std::unique_ptr<View> view, Instant start, Transition transition) {
  outgoing_ = std::move(current_);
  current_ = std::move(view);
  start_ = start;
  transition_ = outgoing_ ? transition : Transition::cut;
  if (transition_ == Transition::cut || fade_.count() <= 0) outgoing_.reset();
}

bool Stage::animating(Instant now) const {
  return outgoing_ != nullptr && now < start_ + fade_;
}

void Stage::draw(Display& display, Instant now) {
  if (!current_) {
    display.fill(Rect{0, 0, display.width(), display.height()}, Rgb{0, 0, 0}, 1.0f);
    return;
  }
  if (outgoing_ && now >= start_ + fade_) outgoing_.reset();
  if (!outgoing_) {
    current_->draw(display, 1.0f);
    return;
  }
  const auto elapsed = std::clamp(now - start_, chr::milliseconds(0), fade_);
  const float p = static_cast<float>(elapsed.count()) / static_cast<float>(fade_.count());
  outgoing_->draw(display, 1.0f);
  current_->draw(display, p);
}

}  // namespace signage
