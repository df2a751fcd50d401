// A journal as an ideal player would write it for the sample playlists: each day
// from 07:00 to 23:00 (+08:00) a start record, every showing the scheduler gives
// (player/schedule, the real rotation) as a complete play with its text or file, the
// campaign's [ticker] passing beside them, and a stop record. Used by the report
// tests (Excel, printing) and by `report_sample`, which makes the journal behind the
// report pictures in docs/report.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/text_util.h"
#include "core/time.h"
#include "journal/journal.h"
#include "playlist/loader.h"
#include "schedule/scheduler.h"

namespace signage::sample {

namespace chr = std::chrono;

inline double seconds_of(chr::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

// Ticker passes of `c` in [from, to): each text enters when the one before has fully
// entered and 240 px more went by, on a 1920 px band with 60 px characters at
// [ticker] speed; a pass lasts until the text has left the band.
inline Status write_ticker(Journal& j, const Campaign& c, const TimeZone& zone, Instant from, Instant to,
                           const std::string& screen) {
  if (c.ticker.empty()) return {};
  std::size_t k = 0;
  for (Instant t = from; t < to; ++k) {
    const std::string& text = c.ticker.texts[k % c.ticker.texts.size()];
    const double width = 60.0 * static_cast<double>(utf8_to_u32(text).size());
    const auto pass = chr::milliseconds(static_cast<long long>((1920 + width) / c.ticker.speed * 1000));
    const auto next = chr::milliseconds(static_cast<long long>((width + 240) / c.ticker.speed * 1000));
    if (t + pass > to) break;
    PlayRecord p;
    p.screen = screen;
    p.campaign = c.id;
    p.campaign_title = c.title;
    p.item = c.ticker.id;
    p.item_type = "ticker";
    p.text = text;
    p.start = format_iso8601(zone.to_local(t));
    p.end = format_iso8601(zone.to_local(t + pass));
    p.planned_s = p.shown_s = seconds_of(pass);
    p.decoder = "none";
    if (auto w = j.append(play_record(p), t + pass); !w) return w.error();
    t += next;
  }
  return {};
}

// One showing of the schedule as a play record.
inline Status write_showing(Journal& j, const PlaylistSet& set, const Showing& s, Instant from, Instant to,
                            const TimeZone& zone, const std::string& screen) {
  const Campaign& c = set.campaigns[s.campaign];
  const Item& item = c.items[s.item];
  PlayRecord p;
  p.screen = screen;
  p.site = "洛江万达广场";
  p.campaign = c.id;
  p.campaign_title = c.title;
  p.item = item.id;
  p.item_type = std::string(to_string(item.type));
  p.media = item.file;
  p.text = item.text;
  p.start = format_iso8601(zone.to_local(from));
  p.end = format_iso8601(zone.to_local(to));
  p.planned_s = seconds_of(s.end - s.start);
  p.shown_s = seconds_of(to - from);
  p.outcome = to < s.end - chr::milliseconds(500) ? PlayOutcome::interrupted : PlayOutcome::complete;
  if (p.outcome == PlayOutcome::interrupted) p.reason = "the schedule moved on";
  p.player_version = "0.1.0";
  p.playlist_sha256 = c.source_sha256;
  if (auto w = j.append(play_record(p), to); !w) return w.error();
  return {};
}

// One day, 07:00 to 23:00.
inline Status write_day(Journal& j, const PlaylistSet& set, const TimeZone& zone, Date date, const std::string& screen) {
  const Instant on = zone.to_instant(date, chr::hours(7));
  const Instant off = zone.to_instant(date, chr::hours(23));
  if (auto w = j.append(event_record("start", zone.to_local(on),
                                     {{"screen", screen},
                                      {"site", "洛江万达广场"},
                                      {"organisation", "泉州洛江万达广场商业管理有限公司"},
                                      {"location", "一楼中庭 LED 屏"},
                                      {"contact", "郑经理 0595-22630156"},
                                      {"player_version", "0.1.0"}}),
                        on);
      !w) {
    return w.error();
  }
  Instant t = on;
  bool ticker_on = false;  // the campaign whose ticker runs, since when
  std::size_t ticker_campaign = 0;
  Instant ticker_from = on;
  while (t < off) {
    const ScheduleResult r = schedule_at(set, t, zone);
    const Instant until = std::min(r.until, off);
    const bool same = r.showing && r.showing->campaign == ticker_campaign;
    if (ticker_on && !same) {
      if (auto s = write_ticker(j, set.campaigns[ticker_campaign], zone, ticker_from, t, screen); !s) return s;
      ticker_on = false;
    }
    if (r.showing && !ticker_on && !set.campaigns[r.showing->campaign].ticker.empty()) {
      ticker_on = true;
      ticker_campaign = r.showing->campaign;
      ticker_from = t;
    }
    if (r.showing) {
      if (auto s = write_showing(j, set, *r.showing, t, until, zone, screen); !s) return s;
    }
    t = until;
  }
  if (ticker_on) {
    if (auto s = write_ticker(j, set.campaigns[ticker_campaign], zone, ticker_from, off, screen); !s) return s;
  }
  if (auto w = j.append(event_record("stop", zone.to_local(off), {{"reason", "quit"}}), off); !w) return w.error();
  return {};
}

// Days [first, last] of the sample playlists into the journal folder `dir`.
inline Status write_sample_journal(const std::filesystem::path& dir, const std::filesystem::path& playlists,
                                   const std::filesystem::path& media, Date first, Date last,
                                   const std::string& screen = "luojiang-wanda-lobby-01") {
  LoadOptions o;
  o.media_root = media;
  const PlaylistSetResult loaded = load_playlist_folder(playlists, o);
  const auto zone = fixed_offset_zone(chr::hours(8));
  PosixEnv io(false);
  auto j = Journal::open(dir, *zone, io, zone->to_instant(first, chr::hours(7)));
  if (!j) return j.error();
  for (auto d = chr::sys_days(first); d <= chr::sys_days(last); d += chr::days(1)) {
    if (auto s = write_day(*j, loaded.set, *zone, Date(d), screen); !s) return s;
  }
  return {};
}

}  // namespace signage::sample
