// Golden-image comparison shared by the test executables: a picture is compared
// with tests/golden/NAME.png with a tolerance (fonts and scaling differ slightly
// between machines); SIGNAGE_UPDATE_GOLDENS=1 rewrites the golden instead.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "media/image.h"

namespace signage::test {

// Mean absolute difference per channel, and the share of pixels off by more than 48.
struct Diff {
  double mean = 0;
  double bad_share = 0;
};

inline Diff compare(const Image& a, const Image& b) {
  Diff d;
  if (a.width != b.width || a.height != b.height) return Diff{255, 1};
  double sum = 0;
  size_t bad = 0;
  for (size_t i = 0; i + 3 < a.rgba.size(); i += 4) {
    int worst = 0;
    for (size_t c = 0; c < 3; ++c) {
      const int diff = std::abs(int(a.rgba[i + c]) - int(b.rgba[i + c]));
      sum += diff;
      worst = std::max(worst, diff);
    }
    if (worst > 48) ++bad;
  }
  const double pixels = double(a.rgba.size() / 4);
  d.mean = sum / (pixels * 3);
  d.bad_share = double(bad) / pixels;
  return d;
}

inline std::filesystem::path golden_path(const std::string& name) {
  return std::filesystem::path(SIGNAGE_SOURCE_DIR) / "tests" / "golden" / (name + ".png");
}

// Compares `got` with the golden NAME (or rewrites it and skips the test).
inline void expect_golden(const Image& got, const std::string& name) {
  const std::filesystem::path golden = golden_path(name);
  if (std::getenv("SIGNAGE_UPDATE_GOLDENS") != nullptr) {
    auto s = write_png(got, golden);
    ASSERT_TRUE(s.ok()) << s.error().what();
    GTEST_SKIP() << "golden rewritten: " << golden;
  }
  auto want = decode_image(golden, 64'000'000);
  ASSERT_TRUE(want.ok()) << want.error().what();
  const Diff d = compare(got, *want);
  EXPECT_LT(d.mean, 2.0) << name;
  EXPECT_LT(d.bad_share, 0.005) << name;
}

}  // namespace signage::test
