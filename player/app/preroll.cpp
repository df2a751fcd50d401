#include "app/preroll.h"

#include <utility>

namespace signage {

namespace chr = std::chrono;

Preroll::Preroll(const TimeZone& zone, std::function<bool()> stopping)
    : zone_(zone), stopping_(std::move(stopping)) {}

std::optional<Instant> Preroll::prepared_for() const {
  return next_ ? std::optional<Instant>(for_) : std::nullopt;
}

void Preroll::poll(Lineup& lineup, std::optional<Instant> until, Instant now) {
  if (next_) {
    // A video prepared ahead opens on its own thread, so that the frames on screen
    // go on meanwhile: look (without waiting) whether its first frame is in, and
    // prepare another item in its place if it cannot be shown.
    auto r = next_->view->ready(chr::milliseconds(0));
    if (r) return;
    lineup.drop(next_->schedule, r.error(), now);
    next_.reset();
  }
  if (!until || *until <= now || *until - now > kAhead) return;
  next_ = lineup.at(*until, PrepareMode::ahead);
  for_ = *until;
}

Lineup::Next Preroll::take(Lineup& lineup, Scene& scene, Instant now) {
  // The view prepared ahead of this instant, if the schedule still agrees with it.
  if (next_ && for_ <= now) {
    Lineup::Next p = std::move(*next_);
    next_.reset();
    ScheduleResult fresh = schedule_at(lineup.set(), now, zone_);
    if (key_of(fresh) == key_of(p.schedule)) {
      // Normally ready long ago; a video still opening gets the rest of its own
      // time limit (the view bounds the wait), a picture its decoding; in slices,
      // so that a stop is seen within one (then nothing more is shown).
      auto r = p.view->ready(chr::milliseconds(0));
      while (r && !*r && !stopping()) r = p.view->ready(kReadySlice);
      if (stopping()) p.view = scene.prepare_idle(now);
      if (stopping() || (r && *r)) {
        p.schedule = std::move(fresh);
        return p;
      }
      lineup.drop(p.schedule, r ? Error("not ready in time") : r.error(), now);
    }
  }
  next_.reset();
  return lineup.at(now);
}

}  // namespace signage
