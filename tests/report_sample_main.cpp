// report_sample DIR [FIRST LAST]: writes the sample journal of tests/report_sample.h
// (the sample playlists, as an ideal player would play them) into DIR, for the
// report pictures in docs/report.md. FIRST and LAST default to 2024-06-14 and
// 2024-06-16.
#include <iostream>

#include "report_sample.h"

int main(int argc, char** argv) {
  using namespace signage;
  if (argc != 2 && argc != 4) {
    std::cerr << "usage: report_sample DIR [FIRST LAST]\n";
    return 2;
  }
  const auto utc = fixed_offset_zone(std::chrono::seconds(0));
  auto date = [&](const char* s) -> std::optional<Date> {
    auto t = parse_iso8601(std::string(s) + "T00:00Z", *utc);
    if (!t) return std::nullopt;
    return Date(std::chrono::floor<std::chrono::days>(*t));
  };
  const auto first = date(argc == 4 ? argv[2] : "2024-06-14");
  const auto last = date(argc == 4 ? argv[3] : "2024-06-16");
  if (!first || !last) {
    std::cerr << "report_sample: dates look like 2024-06-16\n";
    return 2;
  }
  const std::filesystem::path source = SIGNAGE_SOURCE_DIR;
  auto s = sample::write_sample_journal(argv[1], source / "playlists", source / "assets", *first, *last);
  if (!s) {
    std::cerr << "report_sample: " << s.error().what() << "\n";
    return 1;
  }
  std::cout << argv[1] << "\n";
  return 0;
}
