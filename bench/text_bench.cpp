// text_bench [CORPUS] [W H] [ROUNDS]: slogan layout time (line breaks + auto-fit,
// fit_text) over a slogan corpus (default tests/data/slogans.txt) in the slogan
// zone of a W x H screen (default 3840x2160, 6 % margins as render/scene.cpp),
// bold. Prints the median and maximum per slogan, for the first layout of each
// (cold: advances not yet measured) and for later ones (the median of ROUNDS,
// default 20). docs/benchmarks.md, "Slogan layout".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "text/text.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

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
  std::vector<double> cold, warm;
  std::size_t chars = 0;
  for (const std::string& s : slogans) {
    chars += s.size();
    auto t0 = Clock::now();
    (void)signage::fit_text(*fonts, s, bw, bh, bh, signage::FontWeight::bold);
    cold.push_back(ms_since(t0));
    std::vector<double> runs;
    for (int r = 0; r < rounds; ++r) {
      t0 = Clock::now();
      (void)signage::fit_text(*fonts, s, bw, bh, bh, signage::FontWeight::bold);
      runs.push_back(ms_since(t0));
    }
    warm.push_back(median(runs));
  }
  std::printf("%zu slogans (%.0f bytes of UTF-8 on average) at %dx%d, box %dx%d, bold\n", slogans.size(),
              static_cast<double>(chars) / static_cast<double>(slogans.size()), w, h, bw, bh);
  std::printf("first layout: median %.2f ms, max %.2f ms\n", median(cold), *std::max_element(cold.begin(), cold.end()));
  std::printf("later layouts: median %.2f ms, max %.2f ms\n", median(warm), *std::max_element(warm.begin(), warm.end()));
  return 0;
}
