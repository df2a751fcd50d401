// What goes on the screen for one item, and how one item gives way to the next.
//
//  View   - one prepared item (slogan, image, video, idle screen): its textures are
//           made once when it is prepared and only drawn after that, so a static
//           slogan costs nothing per frame. A video view is prepared with its first
//           frame decoded and uploaded (preroll) and its clock starts at its first
//           update(), so it can be prepared ahead of the switch.
//  Scene  - makes Views from playlist items. The slow parts run off the main thread:
//           a slogan is laid out and drawn on the Scene's text thread (its own
//           FontSet), a picture decoded and scaled on a worker; the main thread
//           only uploads the pixels (View::ready).
//  Stage  - the view on screen and the one fading out, drawn for a given instant.
//
// The player and `signage preview` both go through Scene and Stage, so a preview is
// exactly what the screen shows at that instant.
// Thread: the main thread (they use the Display and the FontSet given to the Scene).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/i18n.h"
#include "core/time.h"
#include "playlist/model.h"
#include "render/display.h"
#include "render/picture_cache.h"
#include "text/text.h"
#include "video/stats.h"

namespace signage {

class View {
 public:
  virtual ~View() = default;
  // Draws over the whole screen (background included) at opacity `alpha`.
  virtual void draw(Display& display, float alpha) = 0;
  // For views that change by themselves (the idle clock): brings the view up to
  // `now`; returns the next instant at which it changes again, or nullopt.
  virtual std::optional<Instant> update(Instant /*now*/) { return std::nullopt; }
  // A short description for logs, e.g. "slogan 'theme'".
  virtual std::string describe() const = 0;
  // For a video: the media position of the frame on screen (its time from the start
  // of the file, counting on across loops); nullopt for other views and before the
  // first frame.
  virtual std::optional<std::chrono::microseconds> media_position() const { return std::nullopt; }
  // For views that end by themselves (a video at the end of its file's first
  // pass): that instant once the view has started (first update()), or nullopt.
  // Before the decoder reaches the end it is the container's claimed duration,
  // then the exact end of the last frame; after a decode error mid-file, the end
  // of the last good frame. A video view keeps looping seamlessly past it, so the
  // caller may end the item there or let it run (a single-video playlist).
  virtual std::optional<Instant> ends_at() const { return std::nullopt; }
  // What this play has shown so far (decoder, frames, outcome), for the journal and
  // --stats; nullopt for views that keep no figures.
  virtual std::optional<ItemPlayStats> play_stats() const { return std::nullopt; }
  // For a view prepared ahead (Scene::prepare with PrepareMode::ahead: a video whose
  // file still opens on its decode thread, a picture still decoding). Waits at most
  // `timeout`, and for a video never past its own limit (SceneOptions::
  // video_ready_timeout from its preparation):
  // true once the view can be drawn (its first frame uploaded), false while it is
  // still on its way, an Error (file and reason) when the item cannot be shown after
  // all. A timeout of zero only looks. Views prepared ready are always ready.
  virtual Result<bool> ready(std::chrono::milliseconds /*timeout*/) { return true; }
};

// Where a video stands on the wall clock: its showing began at `slot_start`, and it
// goes on screen `offset` into its file (0 when prepared ahead of its slot; the time
// since the slot began for a player that joins part-way in). The video's position
// follows the wall clock from the slot's start, so that screens whose clocks agree
// show the same frame.
struct VideoSlot {
  Instant slot_start{};
  std::chrono::microseconds offset{0};
};

// How Scene::prepare treats an item that takes time to open (a video, a picture,
// a slogan's layout):
//  ready - wait for it (a video's first frame, a picture's decoding, a slogan's
//          text): the view can be drawn when prepare returns; the wait ends, with
//          an error of kind stopped, when options.stop is set (pictures and text are
//          prepared on other threads either way, so a stop is seen within 50 ms);
//  ahead - return at once and let it open on another thread: call View::ready
//          before showing it (its errors come from there). For preparing the next
//          item while one still plays, without stalling the frames of the one on
//          screen: a slogan whose layout takes long (a long text, a big screen)
//          keeps the item before it on screen until it is ready.
enum class PrepareMode { ready, ahead };

struct SceneOptions {
  std::int64_t max_image_pixels = 64'000'000;
  std::string screen_id;
  Rgb idle_background{0x10, 0x2a, 0x43};
  Rgb idle_color{255, 255, 255};
  std::string idle_text;   // under the clock; empty: the screen id
  // The screen's language ([screen] language): the idle screen's date and words.
  Language language = Language::en;
  // More lines for the idle screen, asked for at each minute's redraw (e.g. the drop
  // folder and the box's IP addresses, which may arrive after boot). May be empty.
  std::function<std::string()> idle_details;
  // Why the screen is idle, in `language` (app/idle_reason.h), asked for at every
  // View::update of the idle screen: a changed answer is drawn at once. May be empty.
  std::function<std::string(Instant)> idle_reason;
  // Video: the device's hwdec ("auto" | "vaapi" | "vdpau" | "cuda" | "v4l2m2m" |
  // "none"; an item's own hwdec wins), global sound settings, and how long
  // prepare() waits for a video's first frame before it gives up on the file.
  std::string hwdec = "auto";
  // The sound device is opened when a video with sound is first about to play (a
  // video item not muted, whose file has an audio track), never for a run of
  // slogans, pictures and muted videos; when it cannot be opened, that is said once
  // and videos play silently.
  bool audio = true;            // false: never open an audio device
  int volume = 100;             // 0..100, on top of each item's
  bool mute = false;
  std::chrono::milliseconds video_ready_timeout{2000};
  // A slogan in a strip zone (6:1 and wider) is set on one line; when that line
  // would be smaller than this many pixels it scrolls like the ticker instead.
  // 0: 24 px or 70 % of the zone's height, whichever is smaller ([display] min_text_px).
  int min_text_px = 0;
  // Frames per second of a scrolling slogan ([display] fps).
  int fps = 60;
  // Monotonic time for videos' media clocks (null: the process's steady clock; must
  // outlive the Scene), and how fast the player's clock runs (--speed).
  const MonotonicClock* monotonic = nullptr;
  double clock_rate = 1.0;
  // Set when the player stops (a signal handler may set it; must outlive the Scene):
  // a wait in prepare() for a video's first frame ends, with an error of kind stopped.
  const std::atomic<bool>* stop = nullptr;
  // Lines for the player's log: the sound device opened or missing (main thread),
  // a video's decoder fallbacks (its decode thread). Called from those threads; may
  // be empty.
  std::function<void(std::string)> log;
  // Pictures decoded and fitted before, for their next showing (render/picture_cache.h);
  // may be shared with whoever wants to look at it. Null: the Scene keeps its own
  // of kPictureCacheBytes.
  std::shared_ptr<PictureCache> pictures;
};

// The default budget of a Scene's picture cache, 8 MB: pictures fitted to zones and
// screens smaller than full HD (eight at 640x360, two at 1280x720) are kept; one
// fitted to a whole 1920x1080 screen (8.3 MB) is not, so that a full-HD player takes
// no more memory with the cache than without (150 MB at most while it plays 1080p
// video, with the fonts and the decoder's frames).
inline constexpr std::size_t kPictureCacheBytes = 8'000'000;

// A zone 6:1 and wider (an LED strip): its slogans are set on one line.
bool is_strip(int w, int h);
// The smallest size in pixels a strip's one line may take before it scrolls:
// `configured` (SceneOptions::min_text_px) or, when 0, 24 px or 70 % of the zone's
// height, whichever is smaller.
int legible_px(int configured, int zone_h);

class AudioOutput;
class TextThread;
class HwDevices;

class Scene {
 public:
  // All three must outlive the Scene and every View it makes.
  Scene(Display& display, FontSet& fonts, const TimeZone& zone, SceneOptions options);
  ~Scene();

  // A view for a playlist item. Errors say which item and file and why
  // (undecodable image, oversized image, bad or unsupported video). For a video,
  // PrepareMode::ready waits for the first frame, at most video_ready_timeout (bad
  // files usually fail within milliseconds); PrepareMode::ahead returns at once and
  // the errors of a video or picture come from View::ready.
  // `slot`: for a video, its place on the wall clock (a player joining part-way into
  // the slot starts at the frame showing then); without, the video starts at its
  // first frame when first updated.
  Result<std::unique_ptr<View>> prepare(const Item& item, PrepareMode mode = PrepareMode::ready,
                                        std::optional<VideoSlot> slot = {});
  // The same in `zone` of the display (the main zone of a layout): the view is laid
  // out for the zone's size and drawn there, clipped to it.
  Result<std::unique_ptr<View>> prepare(const Item& item, const Rect& zone, PrepareMode mode = PrepareMode::ready,
                                        std::optional<VideoSlot> slot = {});
  // The idle screen: clock, date (in options.language), why it is idle, the screen
  // id and the details; never black.
  std::unique_ptr<View> prepare_idle(Instant now);
  // Whether options.stop is set: an item that failed then is no fault of its own.
  bool stopping() const { return options_.stop != nullptr && options_.stop->load(); }

 private:
  Result<std::unique_ptr<View>> prepare_on(Display& target, const Item& item, PrepareMode mode,
                                           const std::optional<VideoSlot>& slot);
  // `view` once ready() says so (PrepareMode::ready), waiting in slices that look at
  // the stop flag (an error of kind stopped when it is set); at once for PrepareMode::ahead.
  Result<std::unique_ptr<View>> when_ready(std::unique_ptr<View> view, PrepareMode mode);
  // The sound device, opened on the first call (null: none, said once in the log).
  AudioOutput* audio_output();

  Display& display_;
  FontSet& fonts_;
  const TimeZone& zone_;
  SceneOptions options_;
  std::shared_ptr<HwDevices> hw_devices_;   // one device context per method, for all videos
  std::unique_ptr<AudioOutput> audio_;      // opened at the first video with sound, once
  bool audio_tried_ = false;
  // Lays out and draws slogans off this thread; started at the first slogan.
  std::unique_ptr<TextThread> text_thread_;
};

class Stage {
 public:
  explicit Stage(std::chrono::milliseconds fade) : fade_(fade) {}

  // Puts `view` on screen from `start`. With a fade, the view on screen so far
  // stays underneath while the new one fades in over it.
  void show(std::unique_ptr<View> view, Instant start, Transition transition);
  // Whether frames are still changing at `now` (a fade in progress).
  bool animating(Instant now) const;
  void draw(Display& display, Instant now);
  View* current() { return current_.get(); }

 private:
  std::chrono::milliseconds fade_;
  std::unique_ptr<View> current_;
  std::unique_ptr<View> outgoing_;
  Instant start_{};
  Transition transition_ = Transition::cut;
};

// "2024年6月16日 星期日"
std::string chinese_date(const LocalTime& t);
// "Sunday 16 June 2024"
std::string english_date(const LocalTime& t);

// Where a slogan's text goes in a zone of w x h: inside the style's margin (percent
// of the shorter side; -1: the default, 6 %); on a strip at most 1/8 of the height
// above and below and a quarter of it at each end.
Rect slogan_text_box(int w, int h, int margin_percent);

// How the Scene sets a slogan in a zone of w x h (`min_text_px`: SceneOptions'):
// fitted and broken into lines, or on a strip one line, which scrolls when it would
// be below the legible size (`layout` is then the scrolling line's, as tall as the
// ticker would set it). For the Scene and `check --lines`.
//
// A scrolling slogan starts with its first character at the left edge; one full
// pass ends when its last character has crossed the strip and left it at the left
// (it has scrolled its own width). It scrolls at the normal speed (strip_speed),
// faster when that is needed for one full pass within the item's duration, but
// never faster than twice the normal speed: then `pass_fits` is false and
// `check` warns (the reader would see only part of it).
struct SloganSetting {
  TextLayout layout;
  Rect box;             // where the layout goes (the whole zone when it scrolls)
  bool scrolls = false;
  double speed = 0;     // when it scrolls: pixels per second
  std::chrono::milliseconds pass{0};      // when it scrolls: one full pass at `speed`
  std::chrono::milliseconds pass_at_most{0};  // one full pass at twice the normal speed
  bool pass_fits = true;  // one full pass within the item's duration
};
SloganSetting set_slogan(FontSet& fonts, const Item& item, int w, int h, int min_text_px);

// The normal speed of a strip's scrolling slogan, in pixels per second: about two
// characters a second at the size it takes in a strip of height `h`.
double strip_speed(int h);

}  // namespace signage
