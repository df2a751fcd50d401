// What the screen shows at a given moment: a pure function of the playlists and the
// time. No clock is read here; the caller passes `now` and the zone, so the player,
// `signage preview` and the tests all get the same answer for the same inputs.
//
// Rules (docs/playlist-format.md#scheduling):
//  - A campaign is active when its `When` holds at the local time; an item is
//    playable when its own `When` holds too and its media is present.
//  - Among active campaigns with at least one playable item, the highest priority
//    wins; campaigns of equal priority interleave item by item (A1 B1 A2 B2 A3 ...,
//    a shorter list wrapping around).
//  - The rotation is anchored at the moment the set of playable items last changed
//    (a window opening, midnight for a dated item, ...), so it starts from the
//    first item whenever the mix changes, and each item shows for its duration.
//  - Nothing playable: the idle screen.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/time.h"
#include "playlist/model.h"

namespace signage {

struct Showing {
  std::size_t campaign = 0;   // index into PlaylistSet::campaigns
  std::size_t item = 0;       // index into that campaign's items
  Instant start;              // when this showing began (for transitions)
  Instant end;                // when it ends if nothing changes before
};

struct ScheduleResult {
  std::optional<Showing> showing;       // nullopt: show the idle screen
  // The answer holds until this instant (exclusive): the end of the showing or the
  // next change in what is playable, whichever comes first. Always > now.
  Instant until;
  std::vector<std::size_t> winners;     // indices of the campaigns in the rotation
};

// `zone` is the screen's zone ([screen] timezone, else the box's): campaigns without
// their own zone are read in it; a campaign with `[campaign] timezone` (Campaign::zone)
// is read in that one, so its dates and hours mean the same on any box.
ScheduleResult schedule_at(const PlaylistSet& set, Instant now, const TimeZone& zone);

// The first instant in [from, to) at which `set` puts something on screen (walking
// schedule_at's `until` steps, at most 1000 of them), or nullopt. Items held back
// (media_missing) count as they would be scheduled: not at all.
std::optional<Instant> next_showing_start(const PlaylistSet& set, Instant from, Instant to, const TimeZone& zone);

// Whether `when` holds at local time `t` (exposed for tests and `signage check`).
bool when_holds(const When& when, const LocalTime& t);

}  // namespace signage
