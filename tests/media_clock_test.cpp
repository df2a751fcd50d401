// The media clock: a video's position follows the wall clock without jumping for
// small differences (slewed at most 0.5 %) and re-anchors at once on big ones.
// Driven by hand: a 60 Hz display loop over simulated monotonic and wall time.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "video/media_clock.h"

namespace signage {
namespace {

namespace chr = std::chrono;
using namespace std::chrono_literals;
using chr::microseconds;

constexpr microseconds kFrame{33'333};   // a 30 fps video
constexpr microseconds kVsync{16'667};   // shown on a 60 Hz display

struct Played {
  std::vector<std::int64_t> frames;  // the frame shown at each vsync
  std::vector<microseconds> errors;  // target minus position at each vsync
  std::uint64_t jumps = 0;
};

// `seconds` of vsyncs; the wall clock is stepped by `step` at 1 s.
Played play(MediaClock& clock, microseconds step, int seconds = 20) {
  Played r;
  const MonoTime t0{};
  const int ticks = seconds * 60;
  for (int i = 0; i <= ticks; ++i) {
    const microseconds mono = kVsync * i;
    const microseconds wall = mono + (mono >= 1s ? step : microseconds(0));
    const microseconds pos = clock.position(wall, t0 + mono);
    r.frames.push_back(pos / kFrame);
    r.errors.push_back(clock.error());
  }
  r.jumps = clock.jumps();
  return r;
}

TEST(MediaClockTest, FirstCallAnchorsOnTheTarget) {
  MediaClock c;
  EXPECT_EQ(c.position(4200ms, MonoTime{} + 7s), 4200ms);
  EXPECT_EQ(c.position(4300ms, MonoTime{} + 7s + 100ms), 4300ms);  // in step: no error
  EXPECT_EQ(c.rate(), 1.0);
  EXPECT_EQ(c.jumps(), 0u);
}

TEST(MediaClockTest, SmallStepIsSlewedWithoutSkippingOrRepeatingFrames) {
  for (const microseconds step : {microseconds(30ms), microseconds(-30ms)}) {
    SCOPED_TRACE(step.count());
    MediaClock c;
    const Played r = play(c, step);
    EXPECT_EQ(r.jumps, 0u);
    // Between vsyncs a 30 fps video moves on by 0 or 1 frame at 60 Hz, and each frame
    // stays two vsyncs (now and then three, slewed). Followed at once, the step would
    // skip a frame (+30 ms: a move of 2) or hold one four vsyncs (-30 ms).
    int held = 1;
    for (std::size_t i = 1; i < r.frames.size(); ++i) {
      const auto d = r.frames[i] - r.frames[i - 1];
      EXPECT_GE(d, 0) << i;
      EXPECT_LE(d, 1) << i;
      held = d == 0 ? held + 1 : 1;
      EXPECT_LE(held, 3) << i;
    }
    // And it converges: within a frame after 7 s (30 ms at 0.5 % takes 6 s), within
    // a millisecond at the end.
    EXPECT_LT(std::abs(r.errors[8 * 60].count()), kFrame.count());
    EXPECT_LT(std::abs(r.errors.back().count()), 1000);
  }
}

TEST(MediaClockTest, BigStepReanchorsWithinOneFrame) {
  for (const microseconds step : {microseconds(5s), microseconds(-5s)}) {
    SCOPED_TRACE(step.count());
    MediaClock c;
    const Played r = play(c, step, 3);
    EXPECT_EQ(r.jumps, 1u);
    // The vsync at 1 s already shows the frame the stepped wall clock asks for.
    const std::size_t at = 60;
    EXPECT_EQ(r.frames[at], (1s + step) / kFrame);
    EXPECT_EQ(r.errors[at], 0us);
  }
}

TEST(MediaClockTest, RateIsCappedAtHalfAPercent) {
  MediaClock c;
  c.position(0us, MonoTime{});
  c.position(1s + 90ms, MonoTime{} + 1s);  // 90 ms behind: slew, as fast as allowed
  EXPECT_DOUBLE_EQ(c.rate(), 1.005);
  c.position(2s, MonoTime{} + 2s);  // 1.005 s later it is 5 ms ahead: slower
  EXPECT_DOUBLE_EQ(c.rate(), 0.995);
}

TEST(MediaClockTest, SpeedRunsThePositionFaster) {
  MediaClock c;
  c.position(0us, MonoTime{}, 60.0);
  // One real second at --speed 60 is a minute of the simulated clock: in step.
  EXPECT_EQ(c.position(60s, MonoTime{} + 1s, 60.0), 60s);
  EXPECT_EQ(c.jumps(), 0u);
}

}  // namespace
}  // namespace signage
