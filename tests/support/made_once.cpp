#include "support/made_once.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <system_error>

namespace signage::test {

namespace fs = std::filesystem;

namespace {

fs::path cache_dir() {
  static const fs::path dir = [] {
    const fs::path d = fs::read_symlink("/proc/self/exe").parent_path() / "test-media";
    std::error_code ec;
    fs::create_directories(d, ec);
    return d;
  }();
  return dir;
}

std::string key_of(const std::string& recipe) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(recipe));
  return buf;
}

}  // namespace

fs::path made_once(const std::string& name, const std::string& recipe, const std::function<bool(const fs::path&)>& make) {
  const fs::path kept = cache_dir() / (key_of(recipe) + "_" + name);
  std::error_code ec;
  if (fs::exists(kept, ec)) return kept;
  const fs::path tmp = cache_dir() / ("tmp" + std::to_string(::getpid()) + "_" + name);
  if (!make(tmp)) {
    fs::remove(tmp, ec);
    return {};
  }
  fs::rename(tmp, kept, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return {};
  }
  return kept;
}

bool ffmpeg_made(const std::string& args, const fs::path& dest) {
  const std::string ext = dest.extension().string();
  const fs::path kept = made_once("ffmpeg" + ext, args + " ->" + ext, [&](const fs::path& tmp) {
    const std::string cmd = "ffmpeg -nostdin -loglevel error -y " + args + " '" + tmp.string() + "'";
    const int rc = std::system(cmd.c_str());
    EXPECT_EQ(rc, 0) << cmd;
    return rc == 0;
  });
  if (kept.empty()) return false;
  std::error_code ec;
  if (dest.has_parent_path()) fs::create_directories(dest.parent_path(), ec);
  fs::copy_file(kept, dest, fs::copy_options::overwrite_existing, ec);
  if (ec) ADD_FAILURE() << "cannot copy " << kept << " to " << dest << ": " << ec.message();
  return !ec;
}

}  // namespace signage::test
