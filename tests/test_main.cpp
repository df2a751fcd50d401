// The main() of every test executable: fixes the environment so that results do
// not depend on the machine (its time zone, whether it has a display).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

int main(int argc, char** argv) {
  // Tests that need another zone set TZ themselves and restore it.
  setenv("TZ", "Asia/Shanghai", 1);
  tzset();
  // Never open a real window or sound device from a test.
  setenv("SDL_VIDEODRIVER", "offscreen", 1);
  setenv("SDL_AUDIODRIVER", "dummy", 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
