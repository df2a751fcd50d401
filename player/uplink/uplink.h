// Store and forward to the central log. The journal is the spool: the uplink thread
// reads the journal's day files (docs/journal-format.md) after a persisted cursor (the
// highest seq the receiver acknowledged), sends one RFC 5424 message per line in seq
// order (uplink/message.h) over RELP or TCP (uplink/transport.h), and moves the
// cursor only when the receiver acknowledged. After an outage or a restart it resends
// from the cursor, so delivery is at-least-once; the central side removes duplicates
// by (screen, seq). Failed connections are retried with exponential backoff and full
// jitter (backoff_delay()).
//
// Cursor file (default <journal dir>/uplink.cursor, which list_journal_files()
// ignores): one line "acked_seq=<n>\n", replaced atomically (temporary file, fsync,
// rename, fsync of the folder) after acknowledged batches (see cursor_interval). A
// missing file means 0.
//
// Heartbeats: the main thread calls submit_heartbeat() whenever it likes (e.g. every
// DeviceConfig::heartbeat); the latest one wins and is sent before journal records,
// at most one per heartbeat interval. The uplink sets acked_seq (never above the
// heartbeat's journal_seq, when that is set; and free_disk_bytes and interval_s when
// left 0) just before sending. A screen whose main loop froze stops submitting, so
// the central side sees it go dark.
// Heartbeats are not spooled: one that cannot be sent is replaced by the next.
//
// Ownership: an Uplink owns its thread, its transport and the cursor file; it only
// reads the journal folder (the Journal, on the main thread, writes it).
// Thread: every public member may be called from any thread; none blocks on the
// network or the disk (they take a mutex held only for short copies). The destructor
// stops the thread within ~100 ms even when the receiver is silent (in-flight
// messages are then simply not acknowledged and are resent by the next Uplink).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/env.h"
#include "core/error.h"
#include "core/time.h"
#include "uplink/message.h"
#include "uplink/transport.h"

namespace signage {

// Delay before retry number `attempt` (1, 2, 3, ...): full jitter,
// random01 * min(max, initial * 2^(attempt-1)), at least 1 ms.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max, double random01);

// The cursor file: read (0 when missing; a file that is not a cursor is an error of
// kind invalid) and write (atomically).
Result<std::uint64_t> read_uplink_cursor(const std::filesystem::path& file, Env& env = real_env());
Status write_uplink_cursor(const std::filesystem::path& file, std::uint64_t acked_seq, Env& env = real_env());

struct UplinkOptions {
  std::filesystem::path cursor_file;                  // empty: <journal dir>/uplink.cursor
  std::chrono::milliseconds backoff_initial{1'000};
  std::chrono::milliseconds backoff_max{60'000};
  std::chrono::milliseconds rescan{5'000};            // journal re-read without notify
  std::size_t batch = 256;                            // messages per send
  // The cursor file is rewritten (with fsync) at most this often while a backlog is
  // being sent, and always when it is drained and when the Uplink stops. A crash
  // in between only means a few records are sent twice.
  std::chrono::milliseconds cursor_interval{250};
  TransportOptions transport;                         // `cancel` is set by the Uplink
  // Random numbers in [0, 1) for the jitter; empty: a std::mt19937 seeded by the OS.
  std::function<double()> random01;
  // Called (on the uplink thread) with each backoff delay before waiting it; tests
  // use it to see the retries. May be empty.
  std::function<void(std::chrono::milliseconds)> on_backoff;
  // Makes the transport; empty: make_transport() (RELP or TCP to the target). Tests
  // pass a fake one, so the uplink's logic runs without a receiver.
  std::function<Result<std::unique_ptr<Transport>>(const UplinkTarget&, TransportOptions)> make_transport;
  // Monotonic time for heartbeat spacing and cursor writes; null: the steady clock.
  // Must outlive the Uplink.
  const MonotonicClock* clock = nullptr;
  // The file system for the journal and the cursor; null: real_env(). Must outlive
  // the Uplink.
  Env* env = nullptr;
};

struct UplinkStatus {
  bool connected = false;
  std::uint64_t acked_seq = 0;     // highest seq the receiver acknowledged (the cursor)
  std::uint64_t journal_seq = 0;   // newest seq in the journal when the uplink last looked
  std::uint64_t backlog = 0;       // journal_seq - acked_seq
  std::uint64_t heartbeats_sent = 0;
  std::string last_error;          // empty once a send succeeded again
};

class Uplink {
 public:
  // Starts the thread. `target` as parse_uplink_target() returns it; `screen` goes
  // into every message's HOSTNAME. Fails when the cursor file exists but cannot be
  // read or parsed, or when a TLS target's files cannot be loaded (the message names
  // the file).
  static Result<std::unique_ptr<Uplink>> start(std::filesystem::path journal_dir, UplinkTarget target,
                                               std::string screen, std::chrono::milliseconds heartbeat_interval,
                                               UplinkOptions options = {});
  ~Uplink();
  Uplink(const Uplink&) = delete;
  Uplink& operator=(const Uplink&) = delete;

  // New journal lines were written: read them now rather than at the next rescan.
  void notify_new_records();
  // Replaces any heartbeat not yet sent.
  void submit_heartbeat(Heartbeat heartbeat);
  UplinkStatus status() const;
  // Waits up to `timeout` until every record up to `seq` is acknowledged; true when
  // it is. Blocks the caller: for the end of a run (the `stop` record), not the loop.
  bool wait_acked(std::uint64_t seq, std::chrono::milliseconds timeout);

 private:
  Uplink(std::filesystem::path journal_dir, std::string screen, std::chrono::milliseconds heartbeat_interval,
         UplinkOptions options, std::uint64_t cursor);
  void run();
  // The steps of run(), on the uplink thread.
  struct RunState;
  void read_journal(RunState& st);
  // Sends a due heartbeat; false when that failed (then it has backed off).
  bool send_heartbeat(RunState& st);
  void wait_for_work(const RunState& st);
  void send_batch(RunState& st);
  void back_off(RunState& st, const std::string& what);
  void set_error(const std::string& what);
  std::string save_cursor(RunState& st, std::uint64_t acked);

  struct Reader;  // the journal read position (uplink thread only)

  const std::filesystem::path dir_;
  const std::string screen_;
  const std::chrono::milliseconds interval_;
  UplinkOptions options_;
  const MonotonicClock* clock_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<Transport> transport_;  // uplink thread only
  std::unique_ptr<Reader> reader_;        // uplink thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable acked_cv_;     // status_.acked_seq moved (or stopping)
  bool wake_ = false;                    // guarded by mu_
  std::optional<Heartbeat> heartbeat_;   // guarded by mu_
  UplinkStatus status_;                  // guarded by mu_

  std::thread thread_;  // started by start() once everything above exists
};

}  // namespace signage
