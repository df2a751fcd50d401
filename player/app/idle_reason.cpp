#include "app/idle_reason.h"

#include <array>
#include <chrono>
#include <cstdio>

#include "core/text_util.h"
#include "schedule/scheduler.h"

namespace signage {

namespace chr = std::chrono;

namespace {

// How far ahead the next start is looked for.
constexpr chr::days kLookAhead{366};

}  // namespace

IdleReason idle_reason(const FolderState& folder, const PlaylistSet& set, Instant now, const TimeZone& zone) {
  IdleReason r;
  if (!set.campaigns.empty()) {
    r.cause = IdleCause::none_active;
    r.next_start = next_showing_start(set, now, now + kLookAhead, zone);
  } else if (!folder.readable) {
    r.cause = IdleCause::folder_missing;
  } else if (!folder.refused.empty()) {
    r.cause = IdleCause::all_refused;
    r.first_error = shorten(folder.first_error, kIdleErrorChars);
  } else {
    r.cause = IdleCause::no_playlists;
  }
  return r;
}

std::string day_and_time(const LocalTime& t, const LocalTime& today, Language lang) {
  static constexpr std::array<const char*, 12> kMonths = {"January", "February", "March",     "April",
                                                          "May",     "June",     "July",      "August",
                                                          "September", "October", "November", "December"};
  const long long minutes = chr::duration_cast<chr::minutes>(t.time_of_day).count();
  const int year = static_cast<int>(t.date.year());
  const unsigned month = static_cast<unsigned>(t.date.month()), day = static_cast<unsigned>(t.date.day());
  const bool with_year = t.date.year() != today.date.year();
  char buf[96];
  if (lang == Language::zh_CN) {
    if (with_year) {
      std::snprintf(buf, sizeof buf, "%d年%u月%u日 %02lld:%02lld", year, month, day, minutes / 60, minutes % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%u月%u日 %02lld:%02lld", month, day, minutes / 60, minutes % 60);
    }
  } else {
    const char* name = kMonths[(month + 11) % 12];
    if (with_year) {
      std::snprintf(buf, sizeof buf, "%u %s %d %02lld:%02lld", day, name, year, minutes / 60, minutes % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%u %s %02lld:%02lld", day, name, minutes / 60, minutes % 60);
    }
  }
  return buf;
}

std::string idle_reason_text(const IdleReason& reason, Language lang, const TimeZone& zone, Instant now) {
  switch (reason.cause) {
    case IdleCause::folder_missing:
      return translate(lang, N_("The playlist folder is missing or cannot be read"));
    case IdleCause::no_playlists:
      return translate(lang, N_("The playlist folder has no playlists (.toml files)"));
    case IdleCause::all_refused:
      return fmt(translate(lang, N_("Every playlist was refused: {1}")), reason.first_error);
    case IdleCause::none_active:
      if (!reason.next_start) return translate(lang, N_("No campaign is scheduled now, nor within a year"));
      return fmt(translate(lang, N_("No campaign is scheduled now; next start: {1}")),
                 day_and_time(zone.to_local(*reason.next_start), zone.to_local(now), lang));
  }
  return {};
}

std::string shorten(std::string_view text, std::size_t max_chars) {
  const std::u32string chars = utf8_to_u32(text);
  if (chars.size() <= max_chars) return std::string(text);
  if (max_chars == 0) return {};
  return u32_to_utf8(std::u32string_view(chars).substr(0, max_chars - 1)) + "\u2026";
}

}  // namespace signage
