// The next showing, prepared before it is due: kAhead before the showing on screen
// ends, the kiosk has the Lineup prepare the showing at that end with
// PrepareMode::ahead, so that the switch itself only swaps textures. Meanwhile a
// video opens on its decode thread and a picture decodes on a worker, and the frames
// on screen go on.
//
//  - poll() looks (without waiting) whether the prepared view failed; then the item is
//    dropped from the lineup (Lineup::drop) and the showing after it is prepared in
//    its place. It prepares nothing more than kAhead ahead, and nothing twice.
//  - take() hands the prepared showing over at its time if the schedule still agrees
//    with it, waiting for a view not ready yet in kReadySlice slices that look at the
//    stop flag (a stop: the idle view, nothing more is shown); a view that cannot be
//    shown is dropped. Otherwise (nothing prepared, the schedule changed) a fresh
//    Lineup::at.
//
// Ownership: owns the prepared showing (its view); borrows the zone, and the lineup
// and scene given to each call (after a swap, reset() and give the new lineup).
// Thread: the main thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "app/player.h"
#include "core/time.h"
#include "render/scene.h"

namespace signage {

class Preroll {
 public:
  // The next item is prepared (decoded, laid out, uploaded) this long before it is due.
  static constexpr std::chrono::milliseconds kAhead{1500};
  // A wait for a view prepared ahead looks at the stop flag this often.
  static constexpr std::chrono::milliseconds kReadySlice{50};

  // `stopping`: whether the player stops (may be empty: never).
  Preroll(const TimeZone& zone, std::function<bool()> stopping);

  // The showing on screen ends at `until` (nullopt: not known): prepares the one at
  // `until` once it is within kAhead of `now`; a prepared view that failed is dropped
  // and the next prepared.
  void poll(Lineup& lineup, std::optional<Instant> until, Instant now);
  // What to show at `now`: the prepared showing when its time has come and the
  // schedule still agrees, else lineup.at(now). Forgets the prepared showing either way.
  Lineup::Next take(Lineup& lineup, Scene& scene, Instant now);
  // Forgets the prepared showing (made from an old set, or on an old time line).
  void reset() { next_.reset(); }
  // When the prepared showing is due (nullopt: none prepared).
  std::optional<Instant> prepared_for() const;

 private:
  bool stopping() const { return stopping_ && stopping_(); }

  const TimeZone& zone_;
  std::function<bool()> stopping_;
  std::optional<Lineup::Next> next_;
  Instant for_{};
};

}  // namespace signage
