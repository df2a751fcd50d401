// Files for tests: a temporary folder removed at the end of the test, and whole-file
// reads and writes that fail the test (not the process) when they cannot be done.
// Thread: any; each TempDir is its own folder.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace signage::test {

// A fresh folder under $TMPDIR (mkdtemp), removed with everything in it when the
// TempDir goes. Not copyable.
class TempDir {
 public:
  // `tag` goes into the folder's name, to tell which test left it (if removal failed);
  // `base`: where (default: $TMPDIR; e.g. /dev/shm for a test that syncs a lot).
  explicit TempDir(std::string_view tag = "signage-test", const std::filesystem::path& base = {});
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& rel) const { return path_ / rel; }
  // Writes `content` to `rel` inside the folder (parents created); returns its path.
  std::filesystem::path write(const std::filesystem::path& rel, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

// The whole file; "" when it does not exist (tests poll for files to appear), and a
// test failure as well when it exists but cannot be read.
std::string read_file(const std::filesystem::path& file);
// Replaces the file's content (parents created); a test failure when it cannot.
void write_file(const std::filesystem::path& file, std::string_view content);
// Appends to the file (created when missing).
void append_file(const std::filesystem::path& file, std::string_view content);

}  // namespace signage::test
