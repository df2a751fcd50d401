#include "schedule/no_flash.h"

#include <algorithm>

namespace signage {

namespace chr = std::chrono;

bool too_short_to_start(const Showing& due, Instant now) {
  const auto planned = chr::duration_cast<chr::milliseconds>(due.end - due.start);
  return due.end - now < std::min<chr::milliseconds>(kMinShowing, planned / 2);
}

SlotStart slot_start(const Showing& due, Instant now, const std::optional<Showing>& on_screen, bool may_stay) {
  // The showing on screen, evaluated again (the schedule's `until` can come before
  // its end): it goes on, whatever is left of it.
  if (on_screen && on_screen->campaign == due.campaign && on_screen->item == due.item &&
      on_screen->start == due.start) {
    return SlotStart::start;
  }
  if (!too_short_to_start(due, now)) return SlotStart::start;
  return on_screen && may_stay ? SlotStart::keep : SlotStart::next_slot;
}

}  // namespace signage
