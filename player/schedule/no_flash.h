// No flashes: nobody can read a slogan that is on screen for a fraction of a second.
// The rotation stays on its clock grid (screens stay in step), but a showing is not
// started when less than min(kMinShowing, half its planned time) of its slot is left.
// The screen then keeps the item it shows, when that may stay on, until the slot
// ends; otherwise the item of the next slot goes up at once. An emergency's showing
// follows the same rule, but what it preempts never stays.
//
// A pure function of the showing the schedule gives, the instant and what is on
// screen; the kiosk (app/kiosk.cpp) applies its answer. Thread: any.
#pragma once

#include <chrono>
#include <optional>

#include "core/time.h"
#include "schedule/scheduler.h"

namespace signage {

inline constexpr std::chrono::milliseconds kMinShowing{3000};

// Whether `due` has less than min(kMinShowing, half its planned time) of its slot
// left at `now`.
bool too_short_to_start(const Showing& due, Instant now);

enum class SlotStart {
  start,      // show `due` (or leave it up: it is the showing on screen)
  keep,       // `due` is not started: the screen keeps what it shows until `due` ends
  next_slot,  // `due` is not started: the item of the slot beginning at `due.end` goes up now
};

// What the screen does at `now` when the schedule gives `due`. `on_screen`: the
// showing on screen (nullopt: the idle screen, or nothing yet); `may_stay`: it may
// stay on past its own end (a slogan or a picture; not a video, which has ended, nor
// an emergency that has ended or an item a playlist change took away, nor anything an
// emergency preempts).
SlotStart slot_start(const Showing& due, Instant now, const std::optional<Showing>& on_screen, bool may_stay);

}  // namespace signage
