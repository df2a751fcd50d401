// text_bench [CORPUS] [W H] [ROUNDS]: slogan layout time (line breaks + auto-fit,
// fit_text) over a slogan corpus (default tests/data/slogans.txt) in the slogan
// zone of a W x H screen (default 3840x2160, 6 % margins as render/scene.cpp),
// bold. Prints the median and maximum per slogan, for the first layout of each
// (cold: advances not yet measured) and for later ones (the median of ROUNDS,
// default 20): wall time, and the thread's CPU time (what a machine shared with
// builds cannot inflate by preempting the bench). docs/benchmarks.md, "Slogan layout".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ctime>
#include <string>
#include <vector>

#include "text/text.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// This thread's CPU time in milliseconds.
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "tests/data/slogans.txt";
  const int w = argc > 3 ? std::atoi(argv[2]) : 3840, h = argc > 3 ? std::atoi(argv[3]) : 2160;
  const int rounds = argc > 4 ? std::max(1, std::atoi(argv[4])) : 20;
  std::vector<std::string> slogans;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::string slogan;  // "\n" written in the file is a forced break
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == 'n') {
        slogan += '\n';
        ++i;
      } else {
        slogan += line[i];
      }
    }
    slogans.push_back(slogan);
  }
  if (slogans.empty()) {
    std::fprintf(stderr, "text_bench: no slogans in %s\n", path.c_str());
    return 1;
  }
  auto fonts = signage::FontSet::open("");
  if (!fonts) {
    std::fprintf(stderr, "text_bench: %s\n", fonts.error().what().c_str());
    return 1;
  }
  const int m = std::max(8, std::min(w, h) * 6 / 100);
  const int bw = w - 2 * m, bh = h - 2 * m;
  std::vector<double> cold, warm, cold_cpu, warm_cpu;
  std::size_t chars = 0;
  for (const std::string& s : slogans) {
    chars += s.size();
    auto t0 = Clock::now();
    double c0 = cpu_ms();
    (void)signage::fit_text(*fonts, s, bw, bh, bh, signage::FontWeight::bold);
    cold.push_back(ms_since(t0));
    cold_cpu.push_back(cpu_ms() - c0);
    std::vector<double> runs, runs_cpu;
    for (int r = 0; r < rounds; ++r) {
      t0 = Clock::now();
      c0 = cpu_ms();
      (void)signage::fit_text(*fonts, s, bw, bh, bh, signage::FontWeight::bold);
      runs.push_back(ms_since(t0));
      runs_cpu.push_back(cpu_ms() - c0);
    }
    warm.push_back(median(runs));
    warm_cpu.push_back(median(runs_cpu));
  }
  auto max_of = [](const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); };
  std::printf("%zu slogans (%.0f bytes of UTF-8 on average) at %dx%d, box %dx%d, bold\n", slogans.size(),
              static_cast<double>(chars) / static_cast<double>(slogans.size()), w, h, bw, bh);
  std::printf("first layout: median %.2f ms, max %.2f ms (CPU: median %.2f ms, max %.2f ms)\n", median(cold),
              max_of(cold), median(cold_cpu), max_of(cold_cpu));
  std::printf("later layouts: median %.2f ms, max %.2f ms (CPU: median %.2f ms, max %.2f ms)\n", median(warm),
              max_of(warm), median(warm_cpu), max_of(warm_cpu));
  return 0;
}
