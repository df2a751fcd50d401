#include <gtest/gtest.h>

#include <cstdlib>

#include "core/diagnostic.h"
#include "core/error.h"
#include "core/text_util.h"
#include "core/time.h"

namespace signage {
namespace {

using namespace std::chrono;

TEST(Error, KeepsItsCauseChain) {
  const Error e("cannot show banner.png", Error("cannot decode image", Error("Invalid data")));
  EXPECT_EQ(e.message(), "cannot show banner.png");
  ASSERT_NE(e.cause(), nullptr);
  EXPECT_EQ(e.cause()->message(), "cannot decode image");
  EXPECT_EQ(e.what(), "cannot show banner.png: cannot decode image: Invalid data");
}

TEST(Result, HoldsValueOrError) {
  Result<int> good = 7;
  Result<int> bad = Error("nope");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "nope");
  Status s;
  EXPECT_TRUE(s.ok());
  Status f = Error("x");
  EXPECT_FALSE(f.ok());
}

TEST(Diagnostic, FormatsLikeACompiler) {
  Diagnostic d{Severity::error, {"playlists/a.toml", 12, 9}, "unknown key 'colour'"};
  EXPECT_EQ(d.format(), "playlists/a.toml:12:9: error: unknown key 'colour'");
  Diagnostic w{Severity::warning, {"a.toml", 3, 0}, "m"};
  EXPECT_EQ(w.format(), "a.toml:3: warning: m");
  EXPECT_TRUE(has_errors({w, d}));
  EXPECT_FALSE(has_errors({w}));
}

TEST(Time, ParsesAndFormatsWithOffset) {
  auto zone = fixed_offset_zone(hours(8));
  auto t = parse_iso8601("2024-06-16T10:02:03.120+08:00", *zone);
  ASSERT_TRUE(t.ok()) << t.error().what();
  EXPECT_EQ(format_iso8601(zone->to_local(*t)), "2024-06-16T10:02:03.120+08:00");
  auto local = parse_iso8601("2024-06-16T10:00", *zone);
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(*local, *parse_iso8601("2024-06-16T02:00:00Z", *zone));
  EXPECT_FALSE(parse_iso8601("2024-13-01T00:00", *zone).ok());
  EXPECT_FALSE(parse_iso8601("2024-06-16T25:00", *zone).ok());
  EXPECT_FALSE(parse_iso8601("yesterday", *zone).ok());
}

TEST(Time, LocalTimeKnowsWeekday) {
  auto zone = fixed_offset_zone(hours(8));
  const auto lt = zone->to_local(*parse_iso8601("2024-06-16T23:59:59+08:00", *zone));
  EXPECT_EQ(lt.weekday, Sunday);
  EXPECT_EQ(lt.time_of_day, hours(23) + minutes(59) + seconds(59));
  EXPECT_EQ(lt.date, year(2024) / June / 16);
}

TEST(Time, DurationsAndTimesOfDay) {
  EXPECT_EQ(*parse_duration("12s"), milliseconds(12000));
  EXPECT_EQ(*parse_duration("1m30s"), milliseconds(90000));
  EXPECT_EQ(*parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(*parse_duration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*parse_duration("2h"), hours(2));
  EXPECT_FALSE(parse_duration("12").ok());
  EXPECT_FALSE(parse_duration("s").ok());
  EXPECT_FALSE(parse_duration("1.2.3s").ok());
  EXPECT_EQ(*parse_time_of_day("08:00"), hours(8));
  EXPECT_EQ(*parse_time_of_day("24:00"), hours(24));
  EXPECT_EQ(*parse_time_of_day("23:59:59"), hours(23) + minutes(59) + seconds(59));
  EXPECT_FALSE(parse_time_of_day("24:01").ok());
  EXPECT_FALSE(parse_time_of_day("8:00").ok());
}

// The system zone with a DST rule, given as a POSIX TZ string so no zone data is needed.
class SystemZoneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TZ");
    saved_ = old ? old : "";
    had_ = old != nullptr;
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    zone_ = system_time_zone();
  }
  void TearDown() override {
    if (had_) setenv("TZ", saved_.c_str(), 1); else unsetenv("TZ");
    tzset();
  }
  std::string saved_;
  bool had_ = false;
  std::unique_ptr<TimeZone> zone_;
};

TEST_F(SystemZoneTest, OffsetFollowsDst) {
  auto winter = parse_iso8601("2024-01-10T12:00:00Z", *zone_);
  auto summer = parse_iso8601("2024-07-10T12:00:00Z", *zone_);
  EXPECT_EQ(zone_->to_local(*winter).utc_offset, hours(1));
  EXPECT_EQ(zone_->to_local(*summer).utc_offset, hours(2));
  EXPECT_EQ(format_iso8601(zone_->to_local(*summer), false), "2024-07-10T14:00:00+02:00");
}

TEST_F(SystemZoneTest, GapAndOverlap) {
  // 2024-03-31: 02:00 CET jumps to 03:00 CEST. 02:30 never happens: 03:00 is next.
  const Instant gap = zone_->to_instant(year(2024) / March / 31, hours(2) + minutes(30));
  EXPECT_EQ(gap, *parse_iso8601("2024-03-31T01:00:00Z", *zone_));
  // 2024-10-27: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice: earlier one.
  const Instant overlap = zone_->to_instant(year(2024) / October / 27, hours(2) + minutes(30));
  EXPECT_EQ(overlap, *parse_iso8601("2024-10-27T00:30:00Z", *zone_));
  // Ordinary reading.
  EXPECT_EQ(zone_->to_instant(year(2024) / July / 1, hours(8)),
            *parse_iso8601("2024-07-01T06:00:00Z", *zone_));
}

TEST(TextUtil, RoundTripsAndReplacesBadBytes) {
  const std::string s = "人人讲安全 12350!";
  EXPECT_EQ(u32_to_utf8(utf8_to_u32(s)), s);
  EXPECT_EQ(utf8_to_u32(s).size(), 12u);
  EXPECT_TRUE(is_valid_utf8(s));
  EXPECT_FALSE(is_valid_utf8("\xff\xfe"));
  EXPECT_EQ(utf8_to_u32("a\xe4\xbd"), std::u32string(U"a\uFFFD"));
}

}  // namespace
}  // namespace signage
