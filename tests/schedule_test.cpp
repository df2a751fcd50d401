// Tests of the scheduler (player/schedule/scheduler.h): when_holds, priorities,
// interleaving, the rotation anchor, `until`, DST days, and properties over a month;
// the no-flash rule (player/schedule/no_flash.h).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "support/zones.h"
#include "core/time.h"
#include "playlist/loader.h"
#include "playlist/model.h"
#include "schedule/no_flash.h"
#include "schedule/scheduler.h"

namespace signage {
namespace {

using namespace std::chrono;

Date ymd(int y, unsigned m, unsigned d) { return Date{year{y}, month{m}, day{d}}; }

TimeWindow window(int h1, int m1, int h2, int m2) {
  return TimeWindow{hours(h1) + minutes(m1), hours(h2) + minutes(m2)};
}

std::uint8_t days_mask(std::initializer_list<weekday> days) {
  unsigned mask = 0;
  for (const weekday wd : days) mask |= 1U << wd.c_encoding();
  return static_cast<std::uint8_t>(mask);
}

Item make_item(std::string id, milliseconds duration, When when = {}) {
  Item it;
  it.id = std::move(id);
  it.text = it.id;
  it.duration = duration;
  it.when = std::move(when);
  return it;
}

Campaign make_campaign(std::string id, int priority, std::vector<Item> items, When when = {}) {
  Campaign c;
  c.id = std::move(id);
  c.priority = priority;
  c.items = std::move(items);
  c.when = std::move(when);
  return c;
}

When hours_when(std::vector<TimeWindow> w) {
  When when;
  when.hours = std::move(w);
  return when;
}

Instant at(std::string_view iso, const TimeZone& zone) {
  auto r = parse_iso8601(iso, zone);
  EXPECT_TRUE(r.ok()) << iso;
  return r.ok() ? *r : Instant{};
}

// (campaign, item) of what shows, or (-1, -1) for idle.
std::pair<long, long> shown(const ScheduleResult& r) {
  if (!r.showing) return {-1, -1};
  return {static_cast<long>(r.showing->campaign), static_cast<long>(r.showing->item)};
}

bool same_result(const ScheduleResult& a, const ScheduleResult& b) {
  if (a.until != b.until || a.winners != b.winners || a.showing.has_value() != b.showing.has_value()) {
    return false;
  }
  if (!a.showing) return true;
  return a.showing->campaign == b.showing->campaign && a.showing->item == b.showing->item &&
         a.showing->start == b.showing->start && a.showing->end == b.showing->end;
}

bool same_showing(const ScheduleResult& a, const ScheduleResult& b) {
  if (a.showing.has_value() != b.showing.has_value()) return false;
  if (!a.showing) return true;
  return a.showing->campaign == b.showing->campaign && a.showing->item == b.showing->item &&
         a.showing->start == b.showing->start && a.showing->end == b.showing->end;
}

struct Shown {
  std::size_t campaign, item;
  Instant start, end;
};

// Follows the rotation from `from`, asking again at each `until`, for n showings.
std::vector<Shown> follow(const PlaylistSet& set, Instant from, std::size_t n, const TimeZone& zone) {
  std::vector<Shown> out;
  Instant t = from;
  while (out.size() < n) {
    const ScheduleResult r = schedule_at(set, t, zone);
    if (!r.showing) break;
    out.push_back({r.showing->campaign, r.showing->item, r.showing->start, r.showing->end});
    t = r.until;
  }
  return out;
}

// Asia/Shanghai-like: UTC+8, no DST.
class ShanghaiSchedule : public ::testing::Test {
 protected:
  Instant T(std::string_view iso) const { return at(iso, *zone_); }
  ScheduleResult S(std::string_view iso) const { return schedule_at(set_, T(iso), *zone_); }
  std::unique_ptr<TimeZone> zone_ = fixed_offset_zone(hours(8));
  PlaylistSet set_;
};

// --- when_holds ---------------------------------------------------------------

LocalTime local(const TimeZone& zone, std::string_view iso) { return zone.to_local(at(iso, zone)); }

TEST(ScheduleWhenHolds, WholeDayAndDateRange) {
  const auto zone = fixed_offset_zone(hours(8));
  When w;
  w.starts = ymd(2024, 6, 1);
  w.ends = ymd(2024, 6, 30);
  EXPECT_FALSE(when_holds(w, local(*zone, "2024-05-31T23:59:59.999")));
  EXPECT_TRUE(when_holds(w, local(*zone, "2024-06-01T00:00:00")));
  EXPECT_TRUE(when_holds(w, local(*zone, "2024-06-30T23:59:59.999")));
  EXPECT_FALSE(when_holds(w, local(*zone, "2024-07-01T00:00:00")));
  w.hours = {TimeWindow{hours(0), hours(24)}};  // "00:00-24:00"
  EXPECT_TRUE(when_holds(w, local(*zone, "2024-06-30T23:59:59.999")));
  EXPECT_TRUE(when_holds(w, local(*zone, "2024-06-01T00:00:00")));
}

TEST(ScheduleWhenHolds, OverMidnightBelongsToTheStartDay) {
  const auto zone = fixed_offset_zone(hours(8));
  When w = hours_when({window(22, 0, 6, 0)});
  w.weekdays = days_mask({Friday});
  // 2024-06-14 is a Friday.
  EXPECT_TRUE(when_holds(w, local(*zone, "2024-06-14T23:00:00")));
  EXPECT_TRUE(when_holds(w, local(*zone, "2024-06-14T22:00:00")));
  EXPECT_FALSE(when_holds(w, local(*zone, "2024-06-14T21:59:59.999")));
  EXPECT_FALSE(when_holds(w, local(*zone, "2024-06-14T05:00:00")));  // belongs to Thursday
  EXPECT_TRUE(when_holds(w, local(*zone, "2024-06-15T05:59:59")));
  EXPECT_FALSE(when_holds(w, local(*zone, "2024-06-15T06:00:00")));
  EXPECT_FALSE(when_holds(w, local(*zone, "2024-06-15T23:00:00")));
  EXPECT_FALSE(when_holds(w, local(*zone, "2024-06-13T23:00:00")));
  // The date range applies to the start day too: the night of the last day runs on.
  When dated = hours_when({window(22, 0, 6, 0)});
  dated.ends = ymd(2024, 6, 30);
  EXPECT_TRUE(when_holds(dated, local(*zone, "2024-07-01T05:00:00")));
  EXPECT_FALSE(when_holds(dated, local(*zone, "2024-07-01T22:00:00")));
}

TEST(ScheduleWhenHolds, DatesExceptAndWeekdays) {
  const auto zone = fixed_offset_zone(hours(8));
  When only;
  only.dates = {ymd(2024, 6, 16), ymd(2024, 6, 18)};
  EXPECT_FALSE(when_holds(only, local(*zone, "2024-06-15T12:00")));
  EXPECT_TRUE(when_holds(only, local(*zone, "2024-06-16T00:00")));
  EXPECT_FALSE(when_holds(only, local(*zone, "2024-06-17T12:00")));
  EXPECT_TRUE(when_holds(only, local(*zone, "2024-06-18T23:59:59.999")));
  When except;
  except.except = {ymd(2024, 6, 16)};
  EXPECT_TRUE(when_holds(except, local(*zone, "2024-06-15T23:59:59.999")));
  EXPECT_FALSE(when_holds(except, local(*zone, "2024-06-16T12:00")));
  EXPECT_TRUE(when_holds(except, local(*zone, "2024-06-17T00:00")));
  When weekdays;
  weekdays.weekdays = days_mask({Monday, Tuesday, Wednesday, Thursday, Friday});
  EXPECT_FALSE(when_holds(weekdays, local(*zone, "2024-06-15T12:00")));  // Saturday
  EXPECT_FALSE(when_holds(weekdays, local(*zone, "2024-06-16T12:00")));  // Sunday
  EXPECT_TRUE(when_holds(weekdays, local(*zone, "2024-06-17T00:00")));   // Monday
  weekdays.weekdays = days_mask({Sunday});
  EXPECT_TRUE(when_holds(weekdays, local(*zone, "2024-06-16T12:00")));
}

// --- schedule_at, UTC+8 --------------------------------------------------------

TEST_F(ShanghaiSchedule, CampaignDateWindowBoundaries) {
  When w;
  w.starts = ymd(2024, 6, 1);
  w.ends = ymd(2024, 6, 30);
  set_.campaigns.push_back(make_campaign("month", 10, {make_item("a", seconds(12))}, w));

  const auto before = S("2024-05-31T23:59:59.999");
  EXPECT_FALSE(before.showing);
  EXPECT_TRUE(before.winners.empty());
  EXPECT_EQ(before.until, T("2024-06-01T00:00"));

  const auto first = S("2024-06-01T00:00");
  ASSERT_TRUE(first.showing);
  EXPECT_EQ(first.showing->start, T("2024-06-01T00:00"));  // the rotation starts with the campaign
  EXPECT_EQ(first.showing->end, T("2024-06-01T00:00:12"));

  const auto last = S("2024-06-30T23:59:59.999");
  ASSERT_TRUE(last.showing);
  EXPECT_EQ(last.winners, std::vector<std::size_t>{0});
  EXPECT_LE(last.until, T("2024-07-01T00:00"));

  const auto after = S("2024-07-01T00:00");
  EXPECT_FALSE(after.showing);
  EXPECT_EQ(after.until, T("2024-07-01T00:00") + hours(24));  // nothing opens again
}

TEST_F(ShanghaiSchedule, HoursBoundaries) {
  set_.campaigns.push_back(
      make_campaign("day", 0, {make_item("a", seconds(12))}, hours_when({window(8, 0, 22, 0)})));
  const auto early = S("2024-06-16T07:59:59");
  EXPECT_FALSE(early.showing);
  EXPECT_EQ(early.until, T("2024-06-16T08:00"));
  const auto open = S("2024-06-16T08:00:00");
  ASSERT_TRUE(open.showing);
  EXPECT_EQ(open.showing->start, T("2024-06-16T08:00"));
  const auto late = S("2024-06-16T21:59:59");
  ASSERT_TRUE(late.showing);
  EXPECT_LE(late.until, T("2024-06-16T22:00"));
  const auto closed = S("2024-06-16T22:00:00");
  EXPECT_FALSE(closed.showing);
  EXPECT_EQ(closed.until, T("2024-06-17T08:00"));
}

TEST_F(ShanghaiSchedule, OverMidnightWindowOnFridays) {
  When w = hours_when({window(22, 0, 6, 0)});
  w.weekdays = days_mask({Friday});
  set_.campaigns.push_back(make_campaign("fri-night", 0, {make_item("a", seconds(10))}, w));
  EXPECT_TRUE(S("2024-06-14T23:00").showing);      // Friday
  EXPECT_TRUE(S("2024-06-15T05:59:59").showing);   // Saturday morning, Friday's night
  EXPECT_LE(S("2024-06-15T05:59:59").until, T("2024-06-15T06:00"));
  EXPECT_FALSE(S("2024-06-15T06:00").showing);
  EXPECT_FALSE(S("2024-06-15T23:00").showing);     // Saturday night
  EXPECT_FALSE(S("2024-06-13T23:00").showing);     // Thursday night
  EXPECT_EQ(S("2024-06-13T23:00").until, T("2024-06-14T22:00"));
  EXPECT_EQ(S("2024-06-15T06:00").until, T("2024-06-21T22:00"));  // next Friday
  // The rotation runs on across midnight: anchored at Friday 22:00.
  const auto s = S("2024-06-15T00:00:05");
  ASSERT_TRUE(s.showing);
  EXPECT_EQ(s.showing->start, T("2024-06-15T00:00"));  // 7200 s since 22:00 is a multiple of 10 s
}

TEST_F(ShanghaiSchedule, SingleAndExcludedDatesOnItems) {
  When on16;
  on16.dates = {ymd(2024, 6, 16)};
  When not16;
  not16.except = {ymd(2024, 6, 16)};
  set_.campaigns.push_back(make_campaign("c", 0,
                                         {make_item("always", seconds(10)), make_item("only16", seconds(10), on16),
                                          make_item("not16", seconds(10), not16)},
                                         hours_when({window(8, 0, 22, 0)})));
  auto items = [&](std::string_view iso) {
    std::vector<std::size_t> out;
    for (const Shown& s : follow(set_, T(iso), 4, *zone_)) out.push_back(s.item);
    return out;
  };
  EXPECT_EQ(items("2024-06-15T08:00"), (std::vector<std::size_t>{0, 2, 0, 2}));
  EXPECT_EQ(items("2024-06-16T08:00"), (std::vector<std::size_t>{0, 1, 0, 1}));
  EXPECT_EQ(items("2024-06-17T08:00"), (std::vector<std::size_t>{0, 2, 0, 2}));
}

TEST_F(ShanghaiSchedule, SingleAndExcludedDatesOnCampaigns) {
  When on16;
  on16.dates = {ymd(2024, 6, 16)};
  When not16;
  not16.except = {ymd(2024, 6, 16)};
  set_.campaigns.push_back(make_campaign("day16", 5, {make_item("x", seconds(10))}, on16));
  set_.campaigns.push_back(make_campaign("other", 0, {make_item("y", seconds(10))}, not16));
  EXPECT_EQ(shown(S("2024-06-15T12:00")), std::make_pair(1L, 0L));
  EXPECT_EQ(shown(S("2024-06-16T00:00")), std::make_pair(0L, 0L));
  EXPECT_EQ(shown(S("2024-06-16T23:59:59.999")), std::make_pair(0L, 0L));
  EXPECT_EQ(shown(S("2024-06-17T00:00")), std::make_pair(1L, 0L));
  EXPECT_EQ(S("2024-06-15T23:59:59.999").until, T("2024-06-16T00:00"));
  // Only day16 has the 16th; the other campaign is excluded that day.
  set_.campaigns[0].priority = -1;
  EXPECT_EQ(shown(S("2024-06-16T12:00")), std::make_pair(0L, 0L));
}

TEST_F(ShanghaiSchedule, Weekdays) {
  When w = hours_when({window(9, 0, 17, 0)});
  w.weekdays = days_mask({Monday, Tuesday, Wednesday, Thursday, Friday});
  set_.campaigns.push_back(make_campaign("office", 0, {make_item("a", seconds(10))}, w));
  EXPECT_TRUE(S("2024-06-14T12:00").showing);   // Friday
  const auto sat = S("2024-06-15T12:00");
  EXPECT_FALSE(sat.showing);
  EXPECT_EQ(sat.until, T("2024-06-17T09:00"));  // idle until Monday's opening
  EXPECT_TRUE(S("2024-06-17T09:00").showing);
}

TEST_F(ShanghaiSchedule, HigherPriorityWinsAndLowerResumes) {
  set_.campaigns.push_back(make_campaign("normal", 0, {make_item("n1", seconds(7)), make_item("n2", seconds(7))}));
  set_.campaigns.push_back(make_campaign("alert", 100, {make_item("e", seconds(30))},
                                         hours_when({window(10, 0, 11, 0)})));
  const auto before = S("2024-06-16T09:59:59");
  EXPECT_EQ(before.showing->campaign, 0U);
  EXPECT_LE(before.until, T("2024-06-16T10:00"));
  const auto during = S("2024-06-16T10:00");
  ASSERT_TRUE(during.showing);
  EXPECT_EQ(during.winners, std::vector<std::size_t>{1});
  EXPECT_EQ(shown(during), std::make_pair(1L, 0L));
  EXPECT_EQ(during.showing->start, T("2024-06-16T10:00"));  // preempts at once
  const auto last = S("2024-06-16T10:59:45");
  EXPECT_EQ(last.showing->start, T("2024-06-16T10:59:30"));
  EXPECT_EQ(last.until, T("2024-06-16T11:00"));  // cut short by the window's end
  const auto after = S("2024-06-16T11:00");
  EXPECT_EQ(shown(after), std::make_pair(0L, 0L));
  EXPECT_EQ(after.showing->start, T("2024-06-16T11:00"));  // resumes from its first item
  EXPECT_EQ(after.winners, std::vector<std::size_t>{0});
}

TEST_F(ShanghaiSchedule, EqualPrioritiesInterleaveInOrder) {
  const When w = hours_when({window(9, 0, 18, 0)});
  set_.campaigns.push_back(make_campaign(
      "A", 3, {make_item("a1", seconds(10)), make_item("a2", seconds(20)), make_item("a3", seconds(30))}, w));
  set_.campaigns.push_back(make_campaign("low", 1, {make_item("l", seconds(10))}, w));
  set_.campaigns.push_back(make_campaign("B", 3, {make_item("b1", seconds(5))}, w));
  const auto seq = follow(set_, T("2024-06-16T09:00"), 8, *zone_);
  ASSERT_EQ(seq.size(), 8U);
  const std::vector<std::pair<std::size_t, std::size_t>> expect_ids{{0, 0}, {2, 0}, {0, 1}, {2, 0},
                                                                    {0, 2}, {2, 0}, {0, 0}, {2, 0}};
  const std::vector<int> expect_start_s{0, 10, 15, 35, 40, 70, 75, 85};
  for (std::size_t k = 0; k < seq.size(); ++k) {
    EXPECT_EQ(std::make_pair(seq[k].campaign, seq[k].item), expect_ids[k]) << k;
    EXPECT_EQ(seq[k].start, T("2024-06-16T09:00") + seconds(expect_start_s[k])) << k;
  }
  EXPECT_EQ(seq[4].end, T("2024-06-16T09:01:10"));
  const auto mid = S("2024-06-16T09:00:17");
  EXPECT_EQ(mid.winners, (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(shown(mid), std::make_pair(0L, 1L));
  EXPECT_EQ(mid.showing->start, T("2024-06-16T09:00:15"));
  EXPECT_EQ(mid.showing->end, T("2024-06-16T09:00:35"));
  EXPECT_EQ(mid.until, T("2024-06-16T09:00:35"));
  // One cycle later, the same item at the same phase.
  const auto next_cycle = S("2024-06-16T09:01:32");
  EXPECT_EQ(shown(next_cycle), std::make_pair(0L, 1L));
  EXPECT_EQ(next_cycle.showing->start, T("2024-06-16T09:01:30"));
}

TEST_F(ShanghaiSchedule, ItemsInOrderWithTheirDurations) {
  set_.campaigns.push_back(make_campaign(
      "c", 0, {make_item("x", seconds(12)), make_item("y", milliseconds(30'500)), make_item("z", seconds(5))},
      hours_when({window(8, 0, 22, 0)})));
  const auto seq = follow(set_, T("2024-06-16T08:00"), 4, *zone_);
  ASSERT_EQ(seq.size(), 4U);
  EXPECT_EQ(seq[0].item, 0U);
  EXPECT_EQ(seq[0].start, T("2024-06-16T08:00"));
  EXPECT_EQ(seq[0].end, T("2024-06-16T08:00:12"));
  EXPECT_EQ(seq[1].item, 1U);
  EXPECT_EQ(seq[1].end, T("2024-06-16T08:00:42.500"));
  EXPECT_EQ(seq[2].item, 2U);
  EXPECT_EQ(seq[2].end, T("2024-06-16T08:00:47.500"));
  EXPECT_EQ(seq[3].item, 0U);
  EXPECT_EQ(seq[3].start, T("2024-06-16T08:00:47.500"));
  // Asked mid-item, the showing reports its real start.
  const auto mid = S("2024-06-16T08:00:20");
  EXPECT_EQ(mid.showing->item, 1U);
  EXPECT_EQ(mid.showing->start, T("2024-06-16T08:00:12"));
}

TEST_F(ShanghaiSchedule, AnchorRestartsWhenADatedItemJoinsAtMidnight) {
  When on16;
  on16.dates = {ymd(2024, 6, 16)};
  set_.campaigns.push_back(
      make_campaign("c", 0, {make_item("a", seconds(7)), make_item("b", seconds(11), on16)}));
  const auto eve = S("2024-06-15T23:59:59.999");
  ASSERT_TRUE(eve.showing);
  EXPECT_EQ(eve.showing->item, 0U);
  EXPECT_LE(eve.until, T("2024-06-16T00:00"));
  const auto seq = follow(set_, T("2024-06-16T00:00"), 3, *zone_);
  ASSERT_EQ(seq.size(), 3U);
  EXPECT_EQ(seq[0].item, 0U);
  EXPECT_EQ(seq[0].start, T("2024-06-16T00:00"));
  EXPECT_EQ(seq[1].item, 1U);
  EXPECT_EQ(seq[1].start, T("2024-06-16T00:00:07"));
  EXPECT_EQ(seq[2].start, T("2024-06-16T00:00:18"));
  // The dated item leaves at the next midnight: the rotation restarts there too.
  const auto next = S("2024-06-17T00:00:03");
  EXPECT_EQ(next.showing->item, 0U);
  EXPECT_EQ(next.showing->start, T("2024-06-17T00:00"));
  EXPECT_LE(S("2024-06-16T23:59:59").until, T("2024-06-17T00:00"));
}

TEST_F(ShanghaiSchedule, UntilStopsAtAWindowClosingMidItem) {
  // 14 h is not a multiple of 11 s: the last item from 21:59:51 would run to 22:00:02.
  set_.campaigns.push_back(
      make_campaign("c", 0, {make_item("a", seconds(11))}, hours_when({window(8, 0, 22, 0)})));
  const auto r = S("2024-06-16T21:59:55");
  ASSERT_TRUE(r.showing);
  EXPECT_EQ(r.showing->start, T("2024-06-16T21:59:51"));
  EXPECT_EQ(r.showing->end, T("2024-06-16T22:00:02"));
  EXPECT_EQ(r.until, T("2024-06-16T22:00"));
  for (Instant t = T("2024-06-16T07:59:00"); t < T("2024-06-16T08:01:00"); t += milliseconds(1'337)) {
    EXPECT_GT(schedule_at(set_, t, *zone_).until, t);
  }
  for (Instant t = T("2024-06-16T21:59:00"); t < T("2024-06-16T22:01:00"); t += milliseconds(999)) {
    EXPECT_GT(schedule_at(set_, t, *zone_).until, t);
  }
}

TEST_F(ShanghaiSchedule, MissingMediaIsSkipped) {
  std::vector<Item> items{make_item("m1", seconds(5)), make_item("m2", seconds(6)), make_item("m3", seconds(7)),
                          make_item("m4", seconds(8))};
  items[0].media_missing = true;
  items[2].media_missing = true;
  set_.campaigns.push_back(make_campaign("c", 0, items, hours_when({window(8, 0, 22, 0)})));
  const auto seq = follow(set_, T("2024-06-16T08:00"), 3, *zone_);
  ASSERT_EQ(seq.size(), 3U);
  EXPECT_EQ(seq[0].item, 1U);
  EXPECT_EQ(seq[1].item, 3U);
  EXPECT_EQ(seq[1].start, T("2024-06-16T08:00:06"));
  EXPECT_EQ(seq[2].item, 1U);
  EXPECT_EQ(seq[2].start, T("2024-06-16T08:00:14"));
  // A campaign whose media is all missing is no candidate: the lower one plays.
  Campaign broken = make_campaign("broken", 50, {make_item("gone", seconds(5))});
  broken.items[0].media_missing = true;
  set_.campaigns.push_back(broken);
  const auto r = S("2024-06-16T08:00:01");
  EXPECT_EQ(r.winners, std::vector<std::size_t>{0});
  EXPECT_EQ(shown(r), std::make_pair(0L, 1L));
}

TEST_F(ShanghaiSchedule, IdleWhenNothingActive) {
  const auto empty = S("2024-06-16T12:00");
  EXPECT_FALSE(empty.showing);
  EXPECT_EQ(empty.until, T("2024-06-17T12:00"));
  When w = hours_when({window(8, 0, 22, 0)});
  w.starts = ymd(2024, 6, 20);
  set_.campaigns.push_back(make_campaign("later", 0, {make_item("a", seconds(5))}, w));
  const auto idle = S("2024-06-16T12:00");
  EXPECT_FALSE(idle.showing);
  EXPECT_TRUE(idle.winners.empty());
  EXPECT_EQ(idle.until, T("2024-06-20T08:00"));
}

TEST_F(ShanghaiSchedule, AnchorLooksBackEightDaysThenFallsBackToTheEpoch) {
  When w;
  w.starts = ymd(2024, 6, 1);
  set_.campaigns.push_back(make_campaign("c", 0, {make_item("a", seconds(7)), make_item("b", seconds(7))}, w));
  // Seven days on, the rotation still runs from the campaign's start.
  const auto week = S("2024-06-08T00:00:01");
  EXPECT_EQ(week.showing->start, T("2024-06-08T00:00")) << "7 days = 43200 cycles of 14 s";
  EXPECT_EQ(week.showing->item, 0U);
  // Once the start is 8 days back it is out of sight and the epoch anchors the
  // rotation; the answer given just before says it holds only until then.
  const auto eve = S("2024-06-08T23:59:59.999");
  EXPECT_EQ(eve.showing->start, T("2024-06-08T23:59:54"));  // 691194 s = 49371 cycles
  EXPECT_EQ(eve.showing->end, T("2024-06-09T00:00:01"));
  EXPECT_EQ(eve.until, T("2024-06-09T00:00"));
  const auto after = S("2024-06-09T00:00:00.500");
  // From the epoch: 2024-06-09T00:00+08:00 is 1717862400 s, 122704457 cycles and 2 s.
  EXPECT_EQ(after.showing->start, T("2024-06-08T23:59:58"));
  EXPECT_EQ(after.showing->item, 0U);
  // An always-on rotation (no dates, no hours) is continuous from the epoch.
  PlaylistSet plain;
  plain.campaigns.push_back(make_campaign("p", 0, {make_item("x", seconds(5)), make_item("y", seconds(5))}));
  const auto r = schedule_at(plain, T("2024-06-16T12:00:03"), *zone_);
  EXPECT_EQ(r.showing->start, T("2024-06-16T12:00:00"));
  EXPECT_EQ(r.until, r.showing->end);
}

// --- DST ------------------------------------------------------------------------

TEST(DstSchedule, CentralEuropeSpringForwardAndFallBack) {
  const auto zone = test::zone("CET-1CEST,M3.5.0,M10.5.0/3");
  auto Z = [&](std::string_view iso) { return at(iso, *zone); };
  PlaylistSet set;
  set.campaigns.push_back(
      make_campaign("day", 0, {make_item("a", seconds(12))}, hours_when({window(8, 0, 22, 0)})));

  // 2024-03-31: 02:00 CET -> 03:00 CEST. 08:00 local is 06:00Z, 22:00 is 20:00Z.
  const auto pre = schedule_at(set, Z("2024-03-31T05:59:59.999Z"), *zone);
  EXPECT_FALSE(pre.showing);
  EXPECT_EQ(pre.until, Z("2024-03-31T06:00:00Z"));
  const auto open = schedule_at(set, Z("2024-03-31T06:00:00Z"), *zone);
  ASSERT_TRUE(open.showing);
  EXPECT_EQ(open.showing->start, Z("2024-03-31T06:00:00Z"));
  EXPECT_TRUE(schedule_at(set, Z("2024-03-31T19:59:59.999Z"), *zone).showing);
  EXPECT_FALSE(schedule_at(set, Z("2024-03-31T20:00:00Z"), *zone).showing);
  // The night before spans the 23-hour day: 22:00 CET to 08:00 CEST is 9 hours.
  const auto night = schedule_at(set, Z("2024-03-30T21:00:00Z"), *zone);
  EXPECT_FALSE(night.showing);
  EXPECT_EQ(night.until, Z("2024-03-31T06:00:00Z"));

  // 2024-10-27: 03:00 CEST -> 02:00 CET. 08:00 local is 07:00Z.
  const auto pre2 = schedule_at(set, Z("2024-10-27T06:59:59.999Z"), *zone);
  EXPECT_FALSE(pre2.showing);
  EXPECT_EQ(pre2.until, Z("2024-10-27T07:00:00Z"));
  EXPECT_TRUE(schedule_at(set, Z("2024-10-27T07:00:00Z"), *zone).showing);
  const auto night2 = schedule_at(set, Z("2024-10-26T20:00:00Z"), *zone);  // 22:00 CEST
  EXPECT_FALSE(night2.showing);
  EXPECT_EQ(night2.until, Z("2024-10-27T07:00:00Z"));  // 11 hours later, not 10
  EXPECT_TRUE(schedule_at(set, Z("2024-10-27T20:59:59Z"), *zone).showing);
  EXPECT_FALSE(schedule_at(set, Z("2024-10-27T21:00:00Z"), *zone).showing);

  // A 02:30-04:00 window on the spring-forward night starts when the clock jumps to 03:00.
  PlaylistSet night_set;
  When nw = hours_when({window(2, 30, 4, 0)});
  nw.dates = {ymd(2024, 3, 31)};
  night_set.campaigns.push_back(make_campaign("night", 0, {make_item("n", seconds(10))}, nw));
  const auto jump_pre = schedule_at(night_set, Z("2024-03-31T00:59:59.999Z"), *zone);
  EXPECT_FALSE(jump_pre.showing);
  EXPECT_EQ(jump_pre.until, Z("2024-03-31T01:00:00Z"));
  const auto jump = schedule_at(night_set, Z("2024-03-31T01:00:00Z"), *zone);
  ASSERT_TRUE(jump.showing);
  EXPECT_EQ(jump.showing->start, Z("2024-03-31T01:00:00Z"));
  EXPECT_EQ(format_iso8601(zone->to_local(jump.showing->start), false), "2024-03-31T03:00:00+02:00");
  EXPECT_EQ(schedule_at(night_set, Z("2024-03-31T01:59:55Z"), *zone).until, Z("2024-03-31T02:00:00Z"));
  EXPECT_FALSE(schedule_at(night_set, Z("2024-03-31T02:00:00Z"), *zone).showing);
}

TEST(DstSchedule, NewYork) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/America/New_York")) {
    GTEST_SKIP() << "no zone data for America/New_York";
  }
  const auto zone = test::zone("America/New_York");
  auto Z = [&](std::string_view iso) { return at(iso, *zone); };
  PlaylistSet set;
  set.campaigns.push_back(
      make_campaign("day", 0, {make_item("a", seconds(12))}, hours_when({window(8, 0, 22, 0)})));
  // 2024-03-10: 02:00 EST -> 03:00 EDT. 08:00 EDT is 12:00Z; the day before it was 13:00Z.
  EXPECT_EQ(schedule_at(set, Z("2024-03-09T12:00:00Z"), *zone).until, Z("2024-03-09T13:00:00Z"));
  const auto night = schedule_at(set, Z("2024-03-10T04:00:00Z"), *zone);  // 23:00 EST
  EXPECT_FALSE(night.showing);
  EXPECT_EQ(night.until, Z("2024-03-10T12:00:00Z"));
  const auto open = schedule_at(set, Z("2024-03-10T12:00:00Z"), *zone);
  ASSERT_TRUE(open.showing);
  EXPECT_EQ(open.showing->start, Z("2024-03-10T12:00:00Z"));
  // 2024-11-03: 02:00 EDT -> 01:00 EST. 08:00 EST is 13:00Z.
  EXPECT_EQ(schedule_at(set, Z("2024-11-03T03:00:00Z"), *zone).until, Z("2024-11-03T13:00:00Z"));
}

// --- properties -------------------------------------------------------------------

PlaylistSet busy_set() {
  PlaylistSet set;
  When day = hours_when({window(8, 0, 22, 0)});
  When lunch = hours_when({window(11, 30, 13, 30)});
  When night = hours_when({window(22, 0, 6, 0)});
  night.weekdays = days_mask({Friday, Saturday});
  When on16;
  on16.dates = {ymd(2024, 6, 16)};
  When weekend;
  weekend.weekdays = days_mask({Saturday, Sunday});
  When mid_month;
  mid_month.starts = ymd(2024, 6, 10);
  mid_month.ends = ymd(2024, 6, 20);
  set.campaigns.push_back(make_campaign(
      "month", 10,
      {make_item("theme", seconds(12)), make_item("video", milliseconds(31'400)),
       make_item("consult", seconds(15), on16), make_item("weekend", seconds(9), weekend)},
      day));
  set.campaigns.push_back(make_campaign("lunch", 10, {make_item("l1", seconds(8)), make_item("l2", seconds(13))}, lunch));
  set.campaigns.push_back(make_campaign("night", 0, {make_item("n", seconds(20))}, night));
  set.campaigns.push_back(make_campaign("drill", 50, {make_item("d", seconds(45))},
                                        [&] {
                                          When w = mid_month;
                                          w.hours = {window(15, 0, 15, 20)};
                                          return w;
                                        }()));
  return set;
}

TEST_F(ShanghaiSchedule, DeterministicAndConsistentOverAMonth) {
  set_ = busy_set();
  std::mt19937_64 rng(20240616);
  const Instant from = T("2024-06-01T00:00");
  const auto span_ms = (T("2024-07-01T00:00") - from).count();
  std::uniform_int_distribution<long long> pick(0, span_ms - 1);
  int shows = 0;
  int until_is_end = 0;
  for (int k = 0; k < 1000; ++k) {
    const Instant now = from + milliseconds(pick(rng));
    const ScheduleResult r = schedule_at(set_, now, *zone_);
    ASSERT_TRUE(same_result(r, schedule_at(set_, now, *zone_))) << k;
    ASSERT_GT(r.until, now) << k;
    // The answer holds until `until`.
    ASSERT_TRUE(same_showing(r, schedule_at(set_, r.until - milliseconds(1), *zone_))) << k;
    if (!r.showing) continue;
    ++shows;
    ASSERT_LE(r.showing->start, now) << k;
    ASSERT_GT(r.showing->end, now) << k;
    ASSERT_LE(r.until, r.showing->end) << k;
    if (r.until == r.showing->end) {
      ++until_is_end;
      const ScheduleResult last = schedule_at(set_, r.showing->end - milliseconds(1), *zone_);
      ASSERT_TRUE(last.showing) << k;
      EXPECT_EQ(shown(last), shown(r)) << k;
    }
  }
  // The set is busy enough for both branches to be exercised.
  EXPECT_GT(shows, 300);
  EXPECT_GT(until_is_end, 200);
}

// Around both DST changes, in a set with windows inside the skipped and the repeated
// hour, each answer holds until its `until`, and `until` comes after `now`.
TEST(DstSchedule, AnswersHoldUntilTheirUntilAcrossDstChanges) {
  const auto zone = test::zone("CET-1CEST,M3.5.0,M10.5.0/3");
  PlaylistSet set = busy_set();
  set.campaigns.push_back(make_campaign("night-a", 60, {make_item("x", seconds(40)), make_item("y", seconds(17))},
                                        hours_when({window(2, 15, 2, 45)})));
  set.campaigns.push_back(make_campaign("night-b", 60, {make_item("z", seconds(23))},
                                        hours_when({window(2, 30, 4, 0)})));
  std::mt19937_64 rng(31);
  for (const char* day : {"2024-03-30T20:00:00Z", "2024-10-26T20:00:00Z"}) {
    const Instant from = at(day, *zone);
    std::uniform_int_distribution<long long> pick(0, duration_cast<milliseconds>(hours(12)).count());
    int shows = 0;
    for (int k = 0; k < 300; ++k) {
      const Instant now = from + milliseconds(pick(rng));
      const ScheduleResult r = schedule_at(set, now, *zone);
      ASSERT_GT(r.until, now) << day << " " << k;
      ASSERT_TRUE(same_showing(r, schedule_at(set, r.until - milliseconds(1), *zone))) << day << " " << k;
      if (r.showing) ++shows;
    }
    EXPECT_GT(shows, 30) << day;
  }
  // In the repeated hour of 2024-10-27 (02:00-03:00 twice), 02:15-02:45 opens twice.
  const auto first = schedule_at(set, at("2024-10-27T00:14:59Z", *zone), *zone);  // 02:14:59 CEST
  EXPECT_EQ(first.until, at("2024-10-27T00:15:00Z", *zone));
  const auto second = schedule_at(set, at("2024-10-27T01:14:59Z", *zone), *zone);  // 02:14:59 CET
  EXPECT_EQ(second.until, at("2024-10-27T01:15:00Z", *zone));
  const auto again = schedule_at(set, at("2024-10-27T01:15:01Z", *zone), *zone);
  ASSERT_TRUE(again.showing);
  EXPECT_EQ(again.showing->campaign, 4U);
  EXPECT_EQ(again.showing->start, at("2024-10-27T01:15:00Z", *zone));
  // 02:30-04:00 closes when the clock goes back from 03:00 CEST to 02:00 CET, mid-item.
  const auto jump = schedule_at(set, at("2024-10-27T00:59:58Z", *zone), *zone);
  ASSERT_TRUE(jump.showing);
  EXPECT_EQ(jump.showing->campaign, 5U);
  EXPECT_EQ(jump.until, at("2024-10-27T01:00:00Z", *zone));
  const auto back = schedule_at(set, at("2024-10-27T01:00:00Z", *zone), *zone);
  ASSERT_TRUE(back.showing);
  EXPECT_EQ(back.showing->campaign, 2U);  // Saturday's night campaign, from the jump on
  EXPECT_EQ(back.showing->start, at("2024-10-27T01:00:00Z", *zone));
}

TEST(SchedulePerformance, TwentyCampaignsOfFiftyItems) {
  const auto zone = fixed_offset_zone(hours(8));
  PlaylistSet set;
  for (int c = 0; c < 20; ++c) {
    std::vector<Item> items;
    for (int i = 0; i < 50; ++i) {
      When w;
      if (i % 7 == 3) w.hours = {window(6 + i % 12, 0, 18 + i % 5, 30)};
      if (i % 11 == 5) w.dates = {ymd(2024, 6, 16), ymd(2024, 6, 20)};
      if (i % 13 == 2) w.except = {ymd(2024, 6, 18)};
      items.push_back(make_item(std::string("i").append(std::to_string(i)), seconds(5 + i % 20), w));
    }
    When cw = hours_when({window(7 + c % 3, 0, 22, c % 2 == 0 ? 0 : 30)});
    set.campaigns.push_back(make_campaign(std::string("c").append(std::to_string(c)), c % 3, std::move(items), cw));
  }
  const Instant from = at("2024-06-14T00:00", *zone);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<long long> pick(0, duration_cast<milliseconds>(days(10)).count());
  int shows = 0;
  const auto t0 = steady_clock::now();
  for (int k = 0; k < 1000; ++k) {
    const ScheduleResult r = schedule_at(set, from + milliseconds(pick(rng)), *zone);
    if (r.showing) ++shows;
  }
  const auto elapsed = steady_clock::now() - t0;
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer makes this several times slower: the budget is for real builds.
  EXPECT_LT(elapsed, seconds(10));
#else
  EXPECT_LT(elapsed, seconds(2));
#endif
  EXPECT_GT(shows, 0);
  RecordProperty("elapsed_us", std::to_string(duration_cast<microseconds>(elapsed).count()));
}

// ---- campaign time zones ----

TEST(ScheduleZones, CampaignHoursAreReadInTheCampaignsZoneOnAUtcBox) {
  auto shanghai = time_zone_named("Asia/Shanghai");
  ASSERT_TRUE(shanghai.ok()) << shanghai.error().what();
  const auto utc = utc_time_zone();
  Campaign c = make_campaign("month", 10, {make_item("a", seconds(10))}, hours_when({window(8, 0, 22, 0)}));
  c.zone = *shanghai;
  PlaylistSet set;
  set.campaigns.push_back(c);
  // 07:59:50 in Shanghai is 23:59:50 UTC the day before: not yet, and the answer
  // holds exactly until 08:00 Shanghai time.
  const auto before = schedule_at(set, at("2024-06-15T23:59:50Z", *utc), *utc);
  EXPECT_FALSE(before.showing);
  EXPECT_EQ(before.until, at("2024-06-16T08:00+08:00", *utc));
  const auto after = schedule_at(set, at("2024-06-16T00:00:05Z", *utc), *utc);
  ASSERT_TRUE(after.showing);
  EXPECT_EQ(after.showing->start, at("2024-06-16T08:00+08:00", *utc));
  // 22:00 Shanghai is 14:00 UTC: over.
  EXPECT_FALSE(schedule_at(set, at("2024-06-16T14:00:01Z", *utc), *utc).showing);
}

TEST(ScheduleZones, CampaignsInDifferentZonesShareOneScreen) {
  auto shanghai = time_zone_named("Asia/Shanghai");
  auto berlin = time_zone_named("Europe/Berlin");
  ASSERT_TRUE(shanghai.ok() && berlin.ok());
  const auto utc = utc_time_zone();
  Campaign east = make_campaign("east", 10, {make_item("e", seconds(10))}, hours_when({window(9, 0, 10, 0)}));
  east.zone = *shanghai;
  Campaign west = make_campaign("west", 10, {make_item("w", seconds(10))}, hours_when({window(9, 0, 10, 0)}));
  west.zone = *berlin;  // CEST in June: 07:00-08:00 UTC
  Campaign screen = make_campaign("screen", 0, {make_item("s", seconds(10))}, hours_when({window(4, 0, 5, 0)}));
  PlaylistSet set;
  set.campaigns = {east, west, screen};
  auto shown = [&](std::string_view iso) -> std::string {
    const auto r = schedule_at(set, at(iso, *utc), *utc);
    return r.showing ? set.campaigns[r.showing->campaign].id : "idle";
  };
  EXPECT_EQ(shown("2024-06-16T01:30Z"), "east");
  EXPECT_EQ(shown("2024-06-16T04:30Z"), "screen");
  EXPECT_EQ(shown("2024-06-16T07:30Z"), "west");
  EXPECT_EQ(shown("2024-06-16T09:30Z"), "idle");
  const auto r = schedule_at(set, at("2024-06-16T05:30Z", *utc), *utc);
  EXPECT_EQ(r.until, at("2024-06-16T07:00Z", *utc));  // west's 09:00 in Berlin
}

// The README's preview of the sample playlists on a box whose zone is UTC: the
// consultation day's picture (16 June only) is in the rotation at 10:00 Beijing time.
TEST(ScheduleZones, SamplePlaylistsShowTheConsultationDayOnAUtcBox) {
  LoadOptions o;
  o.media_root = std::filesystem::path(SIGNAGE_SOURCE_DIR) / "assets";
  const auto loaded = load_playlist_folder(std::filesystem::path(SIGNAGE_SOURCE_DIR) / "playlists", o);
  ASSERT_TRUE(loaded.refused.empty());
  const auto utc = utc_time_zone();
  const Instant ten = at("2024-06-16T10:00+08:00", *utc);
  const auto r = schedule_at(loaded.set, ten, *utc);
  ASSERT_TRUE(r.showing);
  const Campaign& c = loaded.set.campaigns[r.showing->campaign];
  EXPECT_EQ(c.id, "2024-safety-month");
  ASSERT_TRUE(c.zone);
  bool consult_day = false;
  for (Instant t = ten; t < ten + minutes(10); t += seconds(1)) {
    const auto s = schedule_at(loaded.set, t, *utc);
    consult_day = consult_day || (s.showing && loaded.set.campaigns[s.showing->campaign].items[s.showing->item].id ==
                                                   "consult-day");
  }
  EXPECT_TRUE(consult_day);
  // scripts/play --clock 2024-06-16T07:59:50+08:00: the campaign starts 10 s later.
  const auto early = schedule_at(loaded.set, at("2024-06-16T07:59:50+08:00", *utc), *utc);
  ASSERT_TRUE(early.showing);
  EXPECT_EQ(loaded.set.campaigns[early.showing->campaign].id, "daily-safety");
  EXPECT_LE(early.until, at("2024-06-16T08:00+08:00", *utc));
}

// ---- No flashes (schedule/no_flash.h) ----------------------------------------

// A 10 s slot from 10:00:00: min(3 s, 5 s) = 3 s must be left to start it.
const Instant kSlot = Instant{} + hours(24 * 19890 + 2);  // 2024-06-16T10:00+08:00
const Showing kTenSeconds{0, 1, kSlot, kSlot + seconds(10)};

TEST(NoFlash, AShowingStartsOnlyWithMinOfThreeSecondsAndHalfItsTimeLeft) {
  EXPECT_FALSE(too_short_to_start(kTenSeconds, kSlot));
  EXPECT_FALSE(too_short_to_start(kTenSeconds, kSlot + seconds(7)));              // 3 s left
  EXPECT_TRUE(too_short_to_start(kTenSeconds, kSlot + milliseconds(7001)));       // 2.999 s
  EXPECT_TRUE(too_short_to_start(kTenSeconds, kSlot + milliseconds(9815)));       // the 0.185 s flash
  // A 4 s slot needs half of it: 2 s.
  const Showing four{0, 0, kSlot, kSlot + seconds(4)};
  EXPECT_FALSE(too_short_to_start(four, kSlot + seconds(2)));
  EXPECT_TRUE(too_short_to_start(four, kSlot + milliseconds(2001)));
  // A long slot still needs only 3 s.
  const Showing hour{0, 0, kSlot, kSlot + hours(1)};
  EXPECT_FALSE(too_short_to_start(hour, kSlot + hours(1) - seconds(3)));
  EXPECT_TRUE(too_short_to_start(hour, kSlot + hours(1) - milliseconds(2999)));
}

TEST(NoFlash, EnoughLeftStartsTheShowingWhateverIsOnScreen) {
  const Showing before{0, 0, kSlot - seconds(10), kSlot};
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + seconds(7), before, true), SlotStart::start);
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + seconds(7), std::nullopt, false), SlotStart::start);
}

TEST(NoFlash, TooLittleLeftKeepsTheItemOnScreenWhenItMayStay) {
  const Showing before{0, 0, kSlot - seconds(10), kSlot};
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + milliseconds(7001), before, true), SlotStart::keep);
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + milliseconds(9999), before, true), SlotStart::keep);
}

TEST(NoFlash, TooLittleLeftMovesToTheNextSlotWhenNothingMayStay) {
  const Showing before{0, 0, kSlot - seconds(10), kSlot};
  // A video that has ended, an emergency that has ended or preempts, an item a
  // playlist change took away: none stays.
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + milliseconds(7001), before, false), SlotStart::next_slot);
  // The idle screen, or nothing on screen yet (the player just started).
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + seconds(9), std::nullopt, true), SlotStart::next_slot);
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + seconds(9), std::nullopt, false), SlotStart::next_slot);
}

TEST(NoFlash, TheShowingOnScreenGoesOnToItsEnd) {
  // The schedule is asked again before the end of the showing on screen (its `until`
  // came first): it is no new start, and a video is not cut for the next slot's item.
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + seconds(9), kTenSeconds, false), SlotStart::start);
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + seconds(9), kTenSeconds, true), SlotStart::start);
  // The same item in another slot is another showing.
  const Showing earlier{0, 1, kSlot - seconds(20), kSlot - seconds(10)};
  EXPECT_EQ(slot_start(kTenSeconds, kSlot + seconds(9), earlier, true), SlotStart::keep);
}

}  // namespace
}  // namespace signage
