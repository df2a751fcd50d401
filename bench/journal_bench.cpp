// Journal benchmarks (docs/journal-format.md, "Benchmarks"):
//   1. append cost per record including fdatasync: median and p99 of N appends;
//   2. verify speed over 1,000,000 records written without fsync: records/second
//      of wall time and of CPU time (one thread, so one core), medians of R runs.
// Usage: journal_bench [APPENDS=2000] [RECORDS=1000000] [RUNS=3] [DIR=$TMPDIR]
// The machine is shared and noisy: quote medians.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <time.h>

#include "journal/journal.h"
#include "journal/verify.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[i];
}

nlohmann::json sample_play(const signage::TimeZone& zone, signage::Instant start) {
  signage::PlayRecord p;
  p.screen = "luojiang-wanda-lobby-01";
  p.site = "洛江万达广场";
  p.campaign = "2024-safety-month";
  p.campaign_title = "2024年安全生产月";
  p.item = "evacuation-psa";
  p.item_type = "video";
  p.media = "media/evacuation.mp4";
  p.media_sha256 = std::string(64, 'a');
  p.start = signage::format_iso8601(zone.to_local(start));
  p.end = signage::format_iso8601(zone.to_local(start + 30s));
  p.planned_s = 30;
  p.shown_s = 30.02;
  p.decoder = "h264 (vaapi)";
  p.playlist_sha256 = std::string(64, 'b');
  p.player_version = "0.1.0";
  p.clock_synced = true;
  return signage::play_record(p);
}

// CPU time of this process: the machine is shared, so wall time measures the
// neighbours as much as the verifier; CPU time on one thread is what one core does.
double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

fs::path fresh_dir(const fs::path& base, const char* name) {
  std::random_device rd;
  fs::path d = base / (std::string("journal_bench_") + name + "_" + std::to_string(rd()));
  fs::create_directories(d);
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  const long appends = argc > 1 ? std::atol(argv[1]) : 2000;
  const long records = argc > 2 ? std::atol(argv[2]) : 1'000'000;
  const int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  const fs::path base = argc > 4 ? fs::path(argv[4]) : fs::temp_directory_path();
  if (appends < 1 || records < 1 || runs < 1) {
    std::fprintf(stderr, "usage: journal_bench [APPENDS>=1] [RECORDS>=1] [RUNS>=1] [DIR]\n");
    return 2;
  }
  const auto zone = signage::fixed_offset_zone(8h);
  const signage::Instant t0 = signage::Instant(std::chrono::sys_days(2024y / 6 / 1)) - 8h;

  // 1. Appends with fdatasync.
  {
    const fs::path dir = fresh_dir(base, "sync");
    signage::PosixEnv io(true);
    auto j = signage::Journal::open(dir, *zone, io, t0);
    if (!j) {
      std::fprintf(stderr, "journal_bench: %s\n", j.error().what().c_str());
      return 1;
    }
    std::vector<double> us;
    us.reserve(static_cast<std::size_t>(appends));
    signage::Instant t = t0;
    for (long i = 0; i < appends; ++i, t += 30s) {
      auto rec = sample_play(*zone, t);
      const auto a = Clock::now();
      auto seq = j->append(std::move(rec), t + 30s);
      const auto b = Clock::now();
      if (!seq) {
        std::fprintf(stderr, "journal_bench: %s\n", seq.error().what().c_str());
        return 1;
      }
      us.push_back(std::chrono::duration<double, std::micro>(b - a).count());
    }
    std::printf("append+fdatasync: %ld records in %s: median %.1f us, p99 %.1f us, max %.1f us\n", appends,
                dir.parent_path().c_str(), percentile(us, 0.5), percentile(us, 0.99), percentile(us, 1.0));
    fs::remove_all(dir);
  }

  // 2. Verify speed.
  {
    const fs::path dir = fresh_dir(base, "verify");
    signage::PosixEnv io(false);
    auto j = signage::Journal::open(dir, *zone, io, t0);
    if (!j) {
      std::fprintf(stderr, "journal_bench: %s\n", j.error().what().c_str());
      return 1;
    }
    signage::Instant t = t0;
    const auto w0 = Clock::now();
    for (long i = 0; i < records; ++i, t += 10s) {  // ~8,600 records a day
      if (auto seq = j->append(sample_play(*zone, t), t + 10s); !seq) {
        std::fprintf(stderr, "journal_bench: %s\n", seq.error().what().c_str());
        return 1;
      }
    }
    const double write_s = std::chrono::duration<double>(Clock::now() - w0).count();
    std::uintmax_t bytes = 0;
    for (const auto& e : fs::directory_iterator(dir)) bytes += e.file_size();
    std::printf("write without sync: %ld records, %.1f MB, %.0f records/s\n", records,
                static_cast<double>(bytes) / 1e6, static_cast<double>(records) / write_s);
    std::vector<double> rate, cpu_rate;
    for (int r = 0; r < runs; ++r) {
      const auto a = Clock::now();
      const double c0 = cpu_seconds();
      const signage::VerifyResult v = signage::verify_journal(dir);
      const double cpu = cpu_seconds() - c0;
      const double s = std::chrono::duration<double>(Clock::now() - a).count();
      if (!v.ok || v.records != static_cast<std::uint64_t>(records)) {
        std::fprintf(stderr, "journal_bench: verify failed: %s\n", v.summary().c_str());
        return 1;
      }
      rate.push_back(static_cast<double>(records) / s);
      cpu_rate.push_back(static_cast<double>(records) / cpu);
      std::printf("  verify run %d: %.2f s wall, %.2f s CPU\n", r + 1, s, cpu);
    }
    std::printf("verify: %ld records in %zu day files: median %.0f records/s wall, %.0f records per CPU second "
                "(one thread; %d runs)\n",
                records,
                static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{})),
                percentile(rate, 0.5), percentile(cpu_rate, 0.5), runs);
    fs::remove_all(dir);
  }
  return 0;
}
