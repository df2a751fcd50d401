// `signage verify DIR`: checks a journal folder end to end. Walks every day file
// oldest first and checks that each line is a JSON object ending in '\n', that seq
// goes up by exactly one, that prev is the SHA-256 of the previous line (across day
// files; the first line chains from genesis_prev()), and that each evidence picture a
// record names matches its SHA-256. Stops at the first problem and says where it is
// and what it most likely means (edited, deleted, inserted or reordered records, a
// missing day file, a changed picture).
//
// Limits of a hash chain without a key: the last record can be edited undetected
// until a record follows it, and someone who rewrites every later line can forge
// the chain; the uplink's copy is the defence against that.
//
// A picture that is missing because its whole day folder was pruned (retention) is
// counted, not an error; a missing picture whose day folder still exists is.
// Thread: any; each call is independent and only reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/env.h"

namespace signage {

struct VerifyResult {
  bool ok = false;
  std::uint64_t records = 0;           // lines checked and found good
  std::size_t files = 0;               // day files read
  std::uint64_t first_seq = 0;         // of the good lines (0 when none)
  std::uint64_t last_seq = 0;
  std::string first_time;              // "time" (events) or "start" (plays) of them
  std::string last_time;
  std::uint64_t pictures_checked = 0;  // evidence pictures present and matching
  std::uint64_t pictures_pruned = 0;   // named, but their day folder was pruned

  // When !ok: where the first problem is (line is 1-based; 0 when it is not about a
  // line, e.g. an unreadable folder) and what it means.
  std::filesystem::path broken_file;
  std::size_t broken_line = 0;
  std::string reason;

  // One paragraph for a person: the totals when intact, "FILE:LINE: reason" when not.
  std::string summary() const;
};

VerifyResult verify_journal(const std::filesystem::path& dir);
VerifyResult verify_journal(const std::filesystem::path& dir, Env& io);

}  // namespace signage
