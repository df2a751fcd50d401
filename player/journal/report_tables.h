// The report's tables as cells, in the reader's language: what the Markdown, HTML
// and Excel renderers lay out, each in its own way. Made from the Report alone.
// Thread: any; values only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "journal/report_labels.h"
#include "journal/report_model.h"

namespace signage {

struct ReportCell {
  enum class Type {
    text,     // ids, names, content: always text (Excel must not turn 0616 into 616)
    when,     // a date or a time: text, never split across lines
    count,    // a whole number
    minutes,  // minutes, two decimals
  };
  Type type = Type::text;
  std::string text;    // as shown
  double value = 0;    // count and minutes
  bool bad = false;    // a broken chain, a breach: shown in red

  static ReportCell str(std::string s) { return {Type::text, std::move(s), 0, false}; }
  static ReportCell when(std::string s) { return {Type::when, std::move(s), 0, false}; }
  static ReportCell count(std::uint64_t n) { return {Type::count, std::to_string(n), static_cast<double>(n), false}; }
  static ReportCell minutes(std::int64_t ms);
};

struct ReportTable {
  std::string sheet;  // the Excel sheet's name (at most 31 characters)
  std::string title;  // the section's title
  std::vector<std::string> heads;
  std::vector<std::vector<ReportCell>> rows;
  bool total_row = false;  // the last row is a total
  // Item x day: the columns after `keys` come in groups of `group` (one date each),
  // which a printed page may split into several tables, repeating the keys.
  std::size_t keys = 0;
  std::size_t group = 0;
  bool wide = false;  // landscape when printed
  std::vector<std::string> group_titles;  // one per group ("6月16日"), for a two-row head
  std::vector<std::string> sub_heads;     // the heads within a group ("次数", "分钟")
};

// Every table of the report, in the order of the HTML page: screens, items, item x
// day, days, screen days, bands, campaigns.
std::vector<ReportTable> report_tables(const Report& report, ReportLang lang);

// One summary line: the bureau's word and its value ("播放次数", "7972 次").
struct SummaryLine {
  std::string label;
  std::string value;
  double number = 0;  // for Excel
  bool bad = false;
};
std::vector<SummaryLine> summary_lines(const Report& report, ReportLang lang);

// What a reader sees for a content: the slogan's first 30 characters, or the
// file's name and the video's length.
std::string content_text(const Content& content, ReportLang lang);
std::string type_text(const std::string& item_type, ReportLang lang);
// "完整 (…)" / "已损坏: …" for one journal or central copy.
std::string chain_text(const ScreenChain& chain, ReportLang lang);
// A screen's heartbeat status (central log screens only; empty otherwise).
std::string heartbeat_text(const ScreenChain& chain, ReportLang lang);
// The campaigns of the report: "2024年安全生产月 (2024-safety-month)".
std::string campaigns_text(const Report& report, ReportLang lang);
std::string dark_text(const Report& report, ReportLang lang);

}  // namespace signage
