// Drawing a frame and presenting it, only when something changed: the whole frame
// (the Stage's item and the layout bands) after invalidate() (a new item, a swap, an
// expose event) or while the Stage fades; otherwise only the bands that moved: the
// moving ticker (or a scrolling header title) at each call, the header at a new
// minute of its clock. Where the display keeps its frame between presents (SDL's
// software renderer) only those bands are drawn and presented as one rectangle;
// elsewhere the whole frame is drawn again, from textures made once.
//
// Pacing (when to call paint) is the kiosk's; header_due() says when the header
// changes next.
//
// Ownership: borrows the display, stage and bands, which must outlive it.
// Thread: the main thread (it draws through Display).
#pragma once

#include <functional>
#include <optional>

#include "core/error.h"
#include "core/time.h"
#include "playlist/model.h"
#include "render/display.h"
#include "render/layout.h"
#include "render/scene.h"

namespace signage {

class FramePainter {
 public:
  FramePainter(Display& display, Stage& stage, ScreenBands& bands);

  // The next paint draws the whole frame.
  void invalidate() { dirty_ = true; }
  // Puts up the bands of `campaign` (nullptr: none) at `now` (ScreenBands::set; a
  // band that cannot be made is left out and its error returned) and reads when the
  // header changes next. The next paint draws the whole frame.
  Status set_bands(const Campaign* campaign, Instant now);
  // When the header changes next (its clock's next minute); nullopt: it does not.
  std::optional<Instant> header_due() const { return header_due_; }

  // Draws what changed at `now` and presents it. `before_present(animating)` is
  // called with the frame drawn, before it is presented (evidence pictures, the
  // black-frame check; `animating`: the Stage is mid-fade). Returns whether a frame
  // was presented (false: nothing changed).
  bool paint(Instant now, const std::function<void(bool animating)>& before_present = {});

 private:
  Display& display_;
  Stage& stage_;
  ScreenBands& bands_;
  bool dirty_ = true;
  std::optional<Instant> header_due_;
};

}  // namespace signage
