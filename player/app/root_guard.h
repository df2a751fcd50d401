// `signage play` run as root against a journal folder that belongs to another user
// (the service's, /var/lib/signage/journal): every day file, picture folder and state
// file it wrote would be root's, and the service, running as that user, could no
// longer append to them. Such a run is refused with a message that names the ways
// out (run as that user, or a test journal with --journal / --no-journal).
// A journal folder owned by root (a box that runs the player as root on purpose) is
// root's to write.
//
// Thread: any. folder_owner() reads the file system; the rest is pure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/error.h"

namespace signage {

struct FolderOwner {
  std::filesystem::path folder;  // the folder looked at: `dir` or its nearest existing parent
  std::uint32_t uid = 0;
  std::string user;              // the user's name, or the number when it has none
};

// The owner of `dir`, or of its nearest existing parent when `dir` does not exist yet.
Result<FolderOwner> folder_owner(const std::filesystem::path& dir);

// The refusal (in the message language) when a process with effective user `euid`
// must not write the journal folder `dir` owned by `owner`; nullopt when it may.
std::optional<std::string> root_journal_refusal(std::uint32_t euid, const std::filesystem::path& dir,
                                                const FolderOwner& owner);

}  // namespace signage
