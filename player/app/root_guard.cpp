#include "app/root_guard.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/i18n.h"

namespace signage {

namespace fs = std::filesystem;

Result<FolderOwner> folder_owner(const fs::path& dir) {
  fs::path p = fs::absolute(dir);
  for (;;) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      FolderOwner o;
      o.folder = p;
      o.uid = st.st_uid;
      std::vector<char> buf(16384);
      passwd pw{};
      passwd* found = nullptr;
      if (::getpwuid_r(st.st_uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
        o.user = found->pw_name;
      } else {
        o.user = std::to_string(st.st_uid);
      }
      return o;
    }
    if (errno != ENOENT || !p.has_parent_path() || p.parent_path() == p) {
      return Error("cannot look at " + p.string() + ": " + std::strerror(errno));
    }
    p = p.parent_path();
  }
}

std::optional<std::string> root_journal_refusal(std::uint32_t euid, const fs::path& dir, const FolderOwner& owner) {
  if (euid != 0 || owner.uid == 0) return std::nullopt;
  return fmt(_("signage play runs as root, but the journal folder {1} belongs to user '{2}' (the service's): "
               "the files written now would be root's, and the service could no longer add plays to them. "
               "Run it as that user (sudo -u {2} signage play ...), or for a test run give a journal of its "
               "own: --journal /tmp/signage-test (or --no-journal)."),
             dir.string(), owner.user);
}

}  // namespace signage
