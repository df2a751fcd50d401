// A journal folder's records, for tests that check what a player wrote: every line
// of every day file (YYYY-MM-DD.jsonl, in date order) parsed as JSON. A line that is
// not JSON fails the test.
// Thread: any.
#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

namespace signage::test {

std::vector<nlohmann::json> journal_records(const std::filesystem::path& journal);

}  // namespace signage::test
