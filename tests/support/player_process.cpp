#include "support/player_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/files.h"
#include "support/wait.h"

extern char** environ;

namespace signage::test {

PlayerProcess::PlayerProcess(const std::filesystem::path& binary, std::vector<std::string> args,
                             std::filesystem::path log)
    : log_(std::move(log)) {
  std::string argv0 = binary.string();
  std::vector<char*> argv{argv0.data()};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  if (posix_spawn(&pid_, argv0.c_str(), &fa, nullptr, argv.data(), environ) != 0) {
    ADD_FAILURE() << "cannot start " << argv0;
    pid_ = -1;
  }
  posix_spawn_file_actions_destroy(&fa);
}

PlayerProcess::~PlayerProcess() {
  if (pid_ > 0) signal_and_wait(SIGKILL);
}

std::optional<std::size_t> PlayerProcess::wait_for(const std::string& text, std::chrono::milliseconds timeout,
                                                   std::size_t from) const {
  std::optional<std::size_t> at;
  wait_until(
      [&] {
        const std::size_t found = log().find(text, from);
        if (found != std::string::npos) at = found;
        return at.has_value();
      },
      timeout);
  return at;
}

int PlayerProcess::signal_and_wait(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int PlayerProcess::stop() { return signal_and_wait(SIGTERM); }

std::optional<int> PlayerProcess::wait_exit(std::chrono::milliseconds timeout) {
  int status = 0;
  bool exited = false;
  wait_until(
      [&] {
        exited = waitpid(pid_, &status, WNOHANG) == pid_;
        return exited;
      },
      timeout);
  if (!exited) return std::nullopt;
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string PlayerProcess::log() const { return read_file(log_); }

}  // namespace signage::test
