#include "app/frame_painter.h"

namespace signage {

FramePainter::FramePainter(Display& display, Stage& stage, ScreenBands& bands)
    : display_(display), stage_(stage), bands_(bands) {}

Status FramePainter::set_bands(const Campaign* campaign, Instant now) {
  Status s = bands_.set(campaign, now);
  bool header_changed = false;
  header_due_ = bands_.update(now, &header_changed);
  dirty_ = true;
  return s;
}

bool FramePainter::paint(Instant now, const std::function<void(bool animating)>& before_present) {
  bool header_changed = false;
  if (header_due_ && now >= *header_due_) header_due_ = bands_.update(now, &header_changed);
  const bool ticking = bands_.moving();
  const bool animating = stage_.animating(now);
  // Redraw everything when the item changed; otherwise only the bands that moved
  // (where the display keeps its frame; elsewhere the whole frame again, from
  // textures made once).
  const bool full = dirty_ || animating || ((ticking || header_changed) && !display_.keeps_frame());
  if (!full && !ticking && !header_changed) return false;
  // What changed, when not the whole frame: the ticker band, and the header at a
  // new minute (then both, as one rectangle spanning them).
  std::optional<Rect> changed;
  if (full) {
    stage_.draw(display_, now);
    bands_.draw(now);
  } else {
    if (header_changed) {
      bands_.draw_header(now);
      changed = bands_.header_area();
    }
    if (ticking) {
      bands_.draw_moving(now);
      changed = changed ? Rect{0, 0, display_.width(), display_.height()} : bands_.moving_area();
    }
  }
  if (before_present) before_present(animating);
  if (changed) {
    display_.present_area(*changed);
  } else {
    display_.present();
  }
  dirty_ = false;
  return true;
}

}  // namespace signage
