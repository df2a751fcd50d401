#include "support/files.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <system_error>

namespace signage::test {

namespace fs = std::filesystem;

TempDir::TempDir(std::string_view tag, const fs::path& base) {
  std::string tmpl = ((base.empty() ? fs::temp_directory_path() : base) / (std::string(tag) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "cannot create a temporary folder from " << tmpl;
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(const fs::path& rel, std::string_view content) const {
  const fs::path p = path_ / rel;
  write_file(p, content);
  return p;
}

std::string read_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return {};  // tests poll for files to appear
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot read " << file;
    return {};
  }
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& file, std::string_view content) {
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) ADD_FAILURE() << "cannot write " << file;
}

void append_file(const fs::path& file, std::string_view content) {
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) ADD_FAILURE() << "cannot append to " << file;
}

}  // namespace signage::test
