// Sends a generated fleet's journals to the central log, as the screens' uplinks
// would after an outage: one Uplink (uplink/uplink.h) per screen folder under ROOT,
// PARALLEL of them at a time, each from its first record (the cursor is removed), to
// relp://127.0.0.1:PORT. bench/fleet/run drives it and times the database side.
//
//   fleet_feed PORT ROOT [PARALLEL=8]
//
// Prints one line: screens=... records=... acked_s=... acked_per_s=...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "core/env.h"
#include "uplink/uplink.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace signage;

// The highest seq of a journal folder: the last line of its last day file.
std::uint64_t last_seq(const fs::path& dir) {
  PosixEnv io(false);
  auto files = list_journal_files(dir, io);
  if (!files || files->empty()) return 0;
  auto text = io.read_file(files->back().path);
  if (!text || text->size() < 2) return 0;
  const auto start = text->rfind('\n', text->size() - 2);
  const std::string line = text->substr(start == std::string::npos ? 0 : start + 1);
  const auto at = line.find("\"seq\":");
  return at == std::string::npos ? 0 : std::strtoull(line.c_str() + at + 6, nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fleet_feed PORT ROOT [PARALLEL=8]\n");
    return 2;
  }
  const std::string port = argv[1];
  const fs::path root = argv[2];
  const std::size_t parallel = argc > 3 ? static_cast<std::size_t>(std::atoi(argv[3])) : 8;
  std::vector<fs::path> screens;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory()) screens.push_back(e.path());
  }
  std::sort(screens.begin(), screens.end());
  auto target = parse_uplink_target("relp://127.0.0.1:" + port);
  if (!target) {
    std::fprintf(stderr, "fleet_feed: %s\n", target.error().what().c_str());
    return 1;
  }
  std::uint64_t records = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < screens.size(); i += parallel) {
    std::vector<std::pair<std::unique_ptr<Uplink>, std::uint64_t>> running;
    for (std::size_t k = i; k < std::min(screens.size(), i + parallel); ++k) {
      fs::remove(screens[k] / "uplink.cursor");
      UplinkOptions options;
      options.backoff_initial = 100ms;
      options.backoff_max = 1s;
      options.cursor_interval = 2s;
      options.batch = 1024;
      auto up = Uplink::start(screens[k], *target, screens[k].filename().string(), 3600s, options);
      if (!up) {
        std::fprintf(stderr, "fleet_feed: %s: %s\n", screens[k].c_str(), up.error().what().c_str());
        return 1;
      }
      const std::uint64_t last = last_seq(screens[k]);
      records += last;
      running.emplace_back(std::move(*up), last);
    }
    for (auto& [up, last] : running) {
      if (!up->wait_acked(last, 3600s)) {
        std::fprintf(stderr, "fleet_feed: not acknowledged: %s\n", up->status().last_error.c_str());
        return 1;
      }
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("screens=%zu records=%llu acked_s=%.2f acked_per_s=%.0f\n", screens.size(),
              static_cast<unsigned long long>(records), s, static_cast<double>(records) / s);
  return 0;
}
