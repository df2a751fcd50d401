// What goes on the screen for one item, and how one item gives way to the next.
//
//  View   - one prepared item (slogan, image, idle screen): its textures are made
//           once when it is prepared and only drawn after that, so a static slogan
//           costs nothing per frame.
//  Scene  - makes Views from playlist items (text layout, image decoding).
//  Stage  - the view on screen and the one fading out, drawn for a given instant.
//
// The player and `signage preview` both go through Scene and Stage, so a preview is
// exactly what the screen shows at that instant.
// Thread: the main thread (they use the Display and the FontSet).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/time.h"
#include "playlist/model.h"
#include "render/display.h"
#include "text/text.h"

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
};

struct SceneOptions {
  std::int64_t max_image_pixels = 64'000'000;
  std::string screen_id;
  Rgb idle_background{0x10, 0x2a, 0x43};
  Rgb idle_color{255, 255, 255};
  std::string idle_text;   // under the clock; empty: the screen id
};

class Scene {
 public:
  // All three must outlive the Scene and every View it makes.
  Scene(Display& display, FontSet& fonts, const TimeZone& zone, SceneOptions options);

  // A view for a playlist item. Errors say which item and file and why
  // (undecodable image, oversized image, unsupported type).
  Result<std::unique_ptr<View>> prepare(const Item& item);
  // The idle screen: clock, date and screen id; never black.
  std::unique_ptr<View> prepare_idle(Instant now);

 private:
  Display& display_;
  FontSet& fonts_;
  const TimeZone& zone_;
  SceneOptions options_;
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

}  // namespace signage
