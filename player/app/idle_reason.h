// Why the screen is idle, in words for the idle screen: the playlist folder is
// missing, it has no playlists, every playlist was refused (with the first error),
// or none is scheduled now (with when the next one starts, in the screen's zone).
//
//  idle_reason()       what keeps the screen idle, from the drop folder as last read
//                      (watch/set_builder.h FolderState) and the set that plays.
//  idle_reason_text()  the line for the idle screen in the screen's language, e.g.
//                        "现在没有安排播放的活动，下次开始：6月16日 08:00"
//                        "No campaign is scheduled now; next start: 16 June 08:00"
//  day_and_time()      "6月16日 08:00" / "16 June 08:00" (the year too when it is not
//                      the year of `today`).
//  shorten()           a text cut to at most n characters (code points), with "…".
//
// Pure functions; the kiosk asks at each redraw of the idle screen (every minute and
// after a change in the drop folder). Thread: any.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/i18n.h"
#include "core/time.h"
#include "playlist/model.h"
#include "watch/set_builder.h"

namespace signage {

enum class IdleCause {
  folder_missing,   // the playlist folder is missing or cannot be read
  no_playlists,     // it has no playlist files
  all_refused,      // every playlist file was refused
  none_active,      // playlists are there, none is scheduled now
};

struct IdleReason {
  IdleCause cause = IdleCause::none_active;
  std::string first_error;              // all_refused: "a.toml:3:8: ...", shortened
  std::optional<Instant> next_start;    // none_active: the next showing, within a year

  friend bool operator==(const IdleReason&, const IdleReason&) = default;
};

// The first error is cut to this many characters.
constexpr std::size_t kIdleErrorChars = 80;

// `set` is what plays (refused files' last good versions included): when it has
// campaigns the cause is none_active, whatever the folder holds; else the folder says
// why. `zone`: the screen's (campaigns with their own zone use theirs).
IdleReason idle_reason(const FolderState& folder, const PlaylistSet& set, Instant now, const TimeZone& zone);

// One line for the idle screen in `lang`; the next start in `zone`, seen from `now`.
std::string idle_reason_text(const IdleReason& reason, Language lang, const TimeZone& zone, Instant now);

std::string day_and_time(const LocalTime& t, const LocalTime& today, Language lang);

std::string shorten(std::string_view text, std::size_t max_chars);

}  // namespace signage
