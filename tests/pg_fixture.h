// Test helper: a throwaway PostgreSQL server of our own (initdb in a temporary
// folder, a free loopback port, fsync off), never the system's service.
//
// PostgreSQL refuses to run as root. When the tests run as root (CI), the server's
// folder is given to the unprivileged user `nobody` and initdb and postgres run
// under `setpriv` (util-linux) as that user; setpriv execs in place, so the
// process the test holds is postgres itself and dies with the test
// (PR_SET_PDEATHSIG, as every Child). As any other user they run as that user.
//
// A cluster made once per test run saves each case initdb and the schema (about
// 1.3 CPU s a case): ctest runs `CentralDbTemplate.Make` first, as the fixture setup
// of the central database cases, and gives all of them its folder in
// SIGNAGE_PG_TEMPLATE (tests/CMakeLists.txt). It holds a stopped cluster with the
// database `signage` and the shipped schema; each case copies it (`cp -a`, owner
// and modes kept) and starts its own server on the copy. Without the variable (the
// test binary run by hand) each case runs initdb as before.
//
// A missing PostgreSQL skips the tests, or fails them when SIGNAGE_REQUIRE_POSTGRES
// is set or CI=true (.ci/run), so they cannot silently not run there.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "rsyslog_fixture.h"
#include "support/pg_query.h"

namespace signage::test {

// The folder of initdb, pg_ctl and postgres (the newest installed major), or "".
inline std::string postgres_bin_dir() {
  std::string best;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const fs::path bin = e.path() / "bin";
    if (::access((bin / "initdb").c_str(), X_OK) == 0 && ::access((bin / "postgres").c_str(), X_OK) == 0 &&
        bin.string() > best) {
      best = bin.string();
    }
  }
  return best;
}

inline bool postgres_required() {
  const char* ci = std::getenv("CI");
  return std::getenv("SIGNAGE_REQUIRE_POSTGRES") != nullptr || (ci != nullptr && std::string(ci) == "true");
}

#define REQUIRE_POSTGRES()                                                                                     \
  do {                                                                                                         \
    if (::signage::test::postgres_bin_dir().empty() || ::access("/usr/bin/psql", X_OK) != 0) {            \
      if (::signage::test::postgres_required()) GTEST_FAIL() << "PostgreSQL is not installed (apt-get install postgresql)"; \
      GTEST_SKIP() << "PostgreSQL is not installed (apt-get install postgresql)";                              \
    }                                                                                                          \
  } while (false)

// Output of a shell command (stdout and stderr), and its exit status in *rc.
inline std::string shell(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  if (rc != nullptr) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

inline std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class PgServer {
 public:
  explicit PgServer(fs::path dir) : dir_(std::move(dir)), port_(free_port()), bin_(postgres_bin_dir()) {}
  ~PgServer() { stop(); }
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // initdb, start, and a database `signage` owned by the superuser `signage`.
  bool init() {
    fs::create_directories(dir_);
    if (::geteuid() == 0) open_the_way();
    int rc = 0;
    const std::string out = shell(as_user() + quoted(bin_ + "/initdb") + " -D " + quoted((dir_ / "data").string()) +
                                      " -A trust -U signage --no-sync -E UTF8 --locale=C.UTF-8",
                                  &rc);
    if (rc != 0) {
      ADD_FAILURE() << "initdb failed: " << out;
      return false;
    }
    return start() && psql("CREATE DATABASE signage", "postgres").second;
  }

  // A copy of the stopped cluster `from` (made by init() in another PgServer and
  // stopped), started. False, with a test failure, when the copy fails.
  bool init_from(const fs::path& from) {
    fs::create_directories(dir_);
    if (::geteuid() == 0) open_the_way();
    int rc = 0;
    const std::string out = shell("cp -a " + quoted((from / "data").string()) + " " + quoted((dir_ / "data").string()), &rc);
    if (rc != 0) {
      ADD_FAILURE() << "copying the template cluster " << from << " failed: " << out;
      return false;
    }
    return start();
  }

  bool start() {
    std::vector<std::string> args;
    if (::geteuid() == 0) args = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
    for (const std::string& a : {bin_ + "/postgres", std::string("-D"), (dir_ / "data").string(), std::string("-p"),
                                std::to_string(port_), std::string("-k"), dir_.string(), std::string("-c"),
                                std::string("listen_addresses=127.0.0.1"), std::string("-c"), std::string("fsync=off")}) {
      args.push_back(a);
    }
    proc_.spawn(args, dir_ / "postgres.log", /*append=*/true);
    // Every 20 ms: a refused connection costs next to nothing.
    return wait_until([&] { return psql("SELECT 1", "postgres").second; }, 30s, 20ms);
  }
  // SIGINT: PostgreSQL's fast shutdown (connections cut, a clean checkpoint).
  void stop() {
    if (proc_.running()) proc_.stop(SIGINT, 30s);
  }
  bool running() const { return proc_.running(); }

  std::uint16_t port() const { return port_; }
  std::string url() const { return "postgresql://signage@127.0.0.1:" + std::to_string(port_) + "/signage"; }
  std::string log() const { return read_file(dir_ / "postgres.log"); }

  // Runs SQL (support/pg_query.h: over libpq, the rows as `psql -At` prints them);
  // {output, ok}.
  std::pair<std::string, bool> psql(const std::string& sql, const std::string& db = "signage") const {
    return pg_query("postgresql://signage@127.0.0.1:" + std::to_string(port_) + "/" + db, sql);
  }
  // A file of SQL, with the psql tool (as an admin loads the schema).
  std::pair<std::string, bool> psql_file(const fs::path& file) const {
    int rc = 0;
    std::string out = shell("/usr/bin/psql -X -q -v ON_ERROR_STOP=1 -At -h 127.0.0.1 -p " + std::to_string(port_) +
                                " -U signage -d signage -f " + quoted(file.string()),
                            &rc);
    return {out, rc == 0};
  }

 private:
  // As root: nobody must reach the folder (the server's socket and log are there):
  // open the way down to it, and give it to nobody.
  void open_the_way() const {
    for (fs::path p = dir_; !p.empty() && p != p.root_path(); p = p.parent_path()) {
      std::error_code ec;
      fs::permissions(p, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add, ec);
    }
    shell("chown nobody " + quoted(dir_.string()));
  }
  std::string as_user() const {
    return ::geteuid() == 0 ? "/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups " : "";
  }

  fs::path dir_;
  std::uint16_t port_;
  std::string bin_;
  Child proc_;
};

// The template cluster's folder (SIGNAGE_PG_TEMPLATE), or "" when there is none.
inline fs::path pg_template() {
  const char* t = std::getenv("SIGNAGE_PG_TEMPLATE");
  return t != nullptr ? fs::path(t) : fs::path();
}

}  // namespace signage::test
