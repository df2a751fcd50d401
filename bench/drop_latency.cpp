// bench/drop_latency: latency from a playlist file's close() to the Update being
// available from FolderWatcher::poll()/wait(), median and maximum over N drops into
// a real temporary folder with the real inotify watcher.
//
//   build:  cmake --build build --target drop_latency
//   run:    build/player/watch/drop_latency [DROPS=100] [SETTLE_MS=300] [DEBOUNCE_MS=50]
//
// Expected: about settle + debounce + loading (a file must be seen unchanged for the
// settle interval before it is read). The budget (docs/benchmarks.md) is <= 1 s from the
// file settling to the new playlist on screen.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "watch/folder_watcher.h"

namespace fs = std::filesystem;
namespace chr = std::chrono;

int main(int argc, char** argv) {
  const int drops = argc > 1 ? std::atoi(argv[1]) : 100;
  const int settle_ms = argc > 2 ? std::atoi(argv[2]) : 300;
  const int debounce_ms = argc > 3 ? std::atoi(argv[3]) : 50;
  if (drops <= 0 || settle_ms < 0 || debounce_ms < 0) {
    std::fprintf(stderr, "usage: drop_latency [DROPS] [SETTLE_MS] [DEBOUNCE_MS]\n");
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("signage-drop-latency-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);

  signage::WatchOptions o;
  o.playlists = dir;
  o.load.media_root = dir;
  o.settle = chr::milliseconds(settle_ms);
  o.debounce = chr::milliseconds(debounce_ms);
  std::vector<double> ms;
  {
    signage::FolderWatcher watcher(o, nullptr);
    if (!watcher.wait(chr::seconds(10))) {
      std::fprintf(stderr, "drop_latency: no initial update\n");
      return 1;
    }
    for (int i = 0; i < drops; ++i) {
      {
        std::ofstream f(dir / "bench.toml", std::ios::binary | std::ios::trunc);
        f << "[campaign]\nid = \"bench\"\n[[item]]\nid = \"s\"\ntype = \"slogan\"\ntext = \"drop " << i << "\"\n";
      }  // closed here
      const auto t0 = chr::steady_clock::now();
      auto u = watcher.wait(chr::seconds(10));
      const auto t1 = chr::steady_clock::now();
      if (!u || !u->set) {
        std::fprintf(stderr, "drop_latency: drop %d gave no update\n", i);
        return 1;
      }
      ms.push_back(chr::duration<double, std::milli>(t1 - t0).count());
    }
  }
  fs::remove_all(dir);
  std::sort(ms.begin(), ms.end());
  const double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  std::printf("drop_latency: %zu drops, settle %d ms, debounce %d ms: median %.1f ms, max %.1f ms\n", ms.size(),
              settle_ms, debounce_ms, median, ms.back());
  return 0;
}
