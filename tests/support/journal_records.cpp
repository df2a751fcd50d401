#include "support/journal_records.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "support/files.h"

namespace signage::test {

std::vector<nlohmann::json> journal_records(const std::filesystem::path& journal) {
  std::vector<std::filesystem::path> days;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(journal, ec)) {
    if (e.path().extension() == ".jsonl") days.push_back(e.path());
  }
  std::sort(days.begin(), days.end());
  std::vector<nlohmann::json> out;
  for (const auto& d : days) {
    std::istringstream in(read_file(d));
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) {
        ADD_FAILURE() << d << ": not JSON: " << line;
        continue;
      }
      out.push_back(std::move(j));
    }
  }
  return out;
}

}  // namespace signage::test
