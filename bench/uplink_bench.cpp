// One measurement of the central-log uplink against an rsyslogd already listening
// on loopback (bench/uplink starts it, repeats the runs and takes medians).
//
//   uplink_bench relp|tcp|logger PORT RECORDS WORKDIR OUTFILE
//   uplink_bench free-port
//
// WORKDIR/journal-RECORDS is a journal of RECORDS play records (made once, without
// fdatasync; kept between runs); the uplink's cursor is deleted first, so every run
// is a whole backlog: "catch-up" from a standing start, connection included.
//  - relp / tcp: our Uplink (uplink/uplink.h) to relp://127.0.0.1:PORT or
//    tcp://127.0.0.1:PORT. ack_s: until the cursor reached the last seq (for RELP:
//    every message acknowledged by rsyslog; for TCP: written to the socket).
//  - logger: util-linux `logger --tcp --octet-count --rfc5424 -f FILE` with the same
//    journal lines as messages (one TCP connection, no acknowledgements): what
//    rsyslog's own tooling does on the same machine. ack_s: until logger exited.
// file_s (all modes): until OUTFILE (rsyslog's omfile output for that input) has
// RECORDS more lines: the messages are on the central side's disk.
// Prints one line: mode=... records=... ack_s=... file_s=... ack_per_s=... file_per_s=...
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "journal/journal.h"
#include "core/env.h"
#include "uplink/uplink.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;
using namespace signage;

// Counts the lines of a growing file, reading only what is new.
class LineCounter {
 public:
  explicit LineCounter(fs::path file) : file_(std::move(file)) {}
  std::uint64_t count() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) return lines_;
    in.seekg(static_cast<std::streamoff>(offset_));
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      const auto n = static_cast<std::size_t>(in.gcount());
      for (std::size_t i = 0; i < n; ++i) lines_ += buf[i] == '\n' ? 1 : 0;
      offset_ += n;
    }
    return lines_;
  }

 private:
  fs::path file_;
  std::uint64_t offset_ = 0;
  std::uint64_t lines_ = 0;
};

bool make_journal(const fs::path& dir, int records) {
  if (fs::exists(dir / "done")) return true;
  fs::remove_all(dir);
  PosixEnv io(false);
  const auto zone = fixed_offset_zone(8h);
  Instant t = *parse_iso8601("2024-06-16T00:00:00+08:00", *zone);
  auto j = Journal::open(dir, *zone, io, t);
  if (!j) {
    std::cerr << j.error().what() << "\n";
    return false;
  }
  for (int i = 0; i < records; ++i) {
    PlayRecord p;
    p.screen = "bench-1";
    p.site = "洛江万达广场 1F";
    p.campaign = "2024-safety-month";
    p.campaign_title = "2024年安全生产月";
    p.item = "theme-" + std::to_string(i % 7);
    p.item_type = "slogan";
    p.text = "人人讲安全、个个会应急 畅通生命通道";
    p.playlist_sha256 = std::string(64, 'a');
    p.player_version = "0.1.0";
    p.start = format_iso8601(zone->to_local(t));
    t += 1s;
    p.end = format_iso8601(zone->to_local(t));
    p.planned_s = p.shown_s = 1;
    if (!j->append(play_record(p), t)) return false;
  }
  std::ofstream(dir / "done") << "ok\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string(argv[1]) == "free-port") {
    // A loopback port nobody listens on now (for bench/uplink's rsyslogd).
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      return 1;
    }
    ::close(fd);
    std::printf("%d\n", ntohs(a.sin_port));
    return 0;
  }
  if (argc != 6) {
    std::cerr << "usage: uplink_bench relp|tcp|logger PORT RECORDS WORKDIR OUTFILE\n";
    return 2;
  }
  const std::string mode = argv[1];
  const int port = std::atoi(argv[2]);
  const int records = std::atoi(argv[3]);
  const fs::path work = argv[4];
  const fs::path out = argv[5];
  const fs::path journal = work / ("journal-" + std::to_string(records));
  if (!make_journal(journal, records)) return 1;
  fs::remove(journal / "uplink.cursor");

  LineCounter counter(out);
  const std::uint64_t before = counter.count();
  const auto t0 = Steady::now();
  Steady::time_point acked{};

  if (mode == "relp" || mode == "tcp") {
    auto target = parse_uplink_target(mode + "://127.0.0.1:" + std::to_string(port));
    if (!target) {
      std::cerr << target.error().what() << "\n";
      return 1;
    }
    UplinkOptions o;
    o.rescan = 50ms;
    o.backoff_initial = 10ms;
    auto u = Uplink::start(journal, *target, "bench-1", 60s, o);
    if (!u) {
      std::cerr << u.error().what() << "\n";
      return 1;
    }
    while ((*u)->status().acked_seq < static_cast<std::uint64_t>(records)) {
      if (Steady::now() - t0 > 120s) {
        std::cerr << "no progress: " << (*u)->status().last_error << "\n";
        return 1;
      }
      std::this_thread::sleep_for(1ms);
    }
    acked = Steady::now();
  } else if (mode == "logger") {
    // The journal lines as they are, one message each.
    const fs::path lines = work / ("lines-" + std::to_string(records) + ".txt");
    if (!fs::exists(lines)) {
      std::ofstream l(lines, std::ios::binary);
      for (const auto& e : fs::directory_iterator(journal)) {
        if (e.path().extension() == ".jsonl") l << std::ifstream(e.path(), std::ios::binary).rdbuf();
      }
    }
    const std::string cmd = "logger --tcp --octet-count --rfc5424 -n 127.0.0.1 -P " + std::to_string(port) +
                            " -t signage --msgid play --size 65536 -f " + lines.string();
    if (std::system(cmd.c_str()) != 0) {
      std::cerr << "logger failed: " << cmd << "\n";
      return 1;
    }
    acked = Steady::now();
  } else {
    std::cerr << "unknown mode " << mode << "\n";
    return 2;
  }
  while (counter.count() < before + static_cast<std::uint64_t>(records)) {
    if (Steady::now() - t0 > 120s) {
      std::cerr << "only " << counter.count() - before << " of " << records << " lines reached " << out << "\n";
      return 1;
    }
    std::this_thread::sleep_for(1ms);
  }
  const auto done = Steady::now();
  const double ack_s = std::chrono::duration<double>(acked - t0).count();
  const double file_s = std::chrono::duration<double>(done - t0).count();
  std::printf("mode=%s records=%d ack_s=%.4f file_s=%.4f ack_per_s=%.0f file_per_s=%.0f\n", mode.c_str(), records,
              ack_s, file_s, records / ack_s, records / file_s);
  return 0;
}
