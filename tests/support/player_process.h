// The real `signage` binary in the background, for end-to-end tests that act on it
// while it plays (drop files, send signals): its stderr (the player's log) goes to a
// file the test reads; stdout to /dev/null. The destructor kills (SIGKILL) a player
// still running, so a failed test leaves no process behind.
// Thread: the test's thread (one object, one child process).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace signage::test {

class PlayerProcess {
 public:
  // Starts `binary` with `args` (without argv[0]); the log goes to `log`.
  PlayerProcess(const std::filesystem::path& binary, std::vector<std::string> args, std::filesystem::path log);
  ~PlayerProcess();
  PlayerProcess(const PlayerProcess&) = delete;
  PlayerProcess& operator=(const PlayerProcess&) = delete;

  // Waits up to `timeout` for `text` in the log at or after offset `from`; returns
  // where it begins, nullopt when it did not appear in time.
  std::optional<std::size_t> wait_for(const std::string& text, std::chrono::milliseconds timeout,
                                      std::size_t from = 0) const;
  // Sends `sig` and waits for the process: its exit code, or 128 + the signal.
  int signal_and_wait(int sig);
  // Waits up to `timeout` for it to exit by itself (--exit-after): its exit code, or
  // 128 + the signal; nullopt when it is still running then.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  // SIGTERM, the way systemd stops it: the exit code.
  int stop();
  // The log so far.
  std::string log() const;

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
};

}  // namespace signage::test
