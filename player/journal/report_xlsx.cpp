// The Excel renderer (report_render.h), with libxlsxwriter. It writes to a
// temporary file (the Debian 12 library cannot write to memory) and returns its bytes.
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "core/text_util.h"
#include "journal/report_render.h"
#include "journal/report_tables.h"

namespace signage {

namespace {

namespace fs = std::filesystem;

// A temporary file that is removed when this goes.
class TempFile {
 public:
  TempFile() {
    std::string templ = (fs::temp_directory_path() / "signage-report-XXXXXX").string();
    const int fd = mkstemp(templ.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = templ;
    }
  }
  ~TempFile() {
    std::error_code ec;
    if (!path_.empty()) fs::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// workbook_close() writes the file and frees the workbook; on every other way out
// the workbook is closed (and freed) too.
struct WorkbookCloser {
  void operator()(lxw_workbook* wb) const { workbook_close(wb); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookCloser>;

// Display width in Excel's character units: a CJK character is about two.
double display_width(const std::string& s) {
  double w = 0;
  for (const char32_t c : utf8_to_u32(s)) w += c >= 0x1100 ? 2.1 : 1.0;
  return w;
}

struct Formats {
  lxw_format* head;
  lxw_format* text;
  lxw_format* count;
  lxw_format* minutes;
  lxw_format* title;
};

Formats make_formats(lxw_workbook* wb) {
  Formats f{workbook_add_format(wb), workbook_add_format(wb), workbook_add_format(wb), workbook_add_format(wb),
            workbook_add_format(wb)};
  format_set_bold(f.head);
  format_set_bg_color(f.head, 0xEEEEEE);
  format_set_border(f.head, LXW_BORDER_THIN);
  format_set_text_wrap(f.head);
  format_set_align(f.head, LXW_ALIGN_VERTICAL_CENTER);
  format_set_num_format(f.text, "@");  // text: typed-over cells stay text too
  format_set_num_format(f.count, "0");
  format_set_num_format(f.minutes, "0.00");
  format_set_bold(f.title);
  format_set_font_size(f.title, 14);
  return f;
}

void set_page(lxw_worksheet* ws, bool wide) {
  worksheet_set_paper(ws, 9);  // A4
  if (wide) worksheet_set_landscape(ws);
  worksheet_repeat_rows(ws, 0, 0);
  worksheet_fit_to_pages(ws, 1, 0);
}

void write_cell(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const ReportCell& c, const Formats& f) {
  switch (c.type) {
    case ReportCell::Type::count: worksheet_write_number(ws, row, col, c.value, f.count); break;
    case ReportCell::Type::minutes: worksheet_write_number(ws, row, col, c.value, f.minutes); break;
    case ReportCell::Type::text:
    case ReportCell::Type::when: worksheet_write_string(ws, row, col, c.text.c_str(), f.text); break;
  }
}

void write_table(lxw_workbook* wb, const ReportTable& t, const Formats& f) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, t.sheet.c_str());
  std::vector<double> widths(t.heads.size(), 4);
  for (std::size_t c = 0; c < t.heads.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t.heads[c].c_str(), f.head);
    widths[c] = std::max(widths[c], std::min(display_width(t.heads[c]), 16.0));
  }
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    for (std::size_t c = 0; c < t.rows[r].size() && c < widths.size(); ++c) {
      write_cell(ws, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c), t.rows[r][c], f);
      widths[c] = std::max(widths[c], display_width(t.rows[r][c].text));
    }
  }
  for (std::size_t c = 0; c < widths.size(); ++c) {
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), std::min(widths[c] + 2, 60.0), nullptr);
  }
  worksheet_freeze_panes(ws, 1, 0);
  set_page(ws, t.wide);
}

// The first sheet: who, when, and the summary lines (numbers as numbers).
void write_summary(lxw_workbook* wb, const Report& r, ReportLang lang, const Formats& f) {
  const ReportLabels& L = report_labels(lang);
  lxw_worksheet* ws = workbook_add_worksheet(wb, lang == ReportLang::zh ? "汇总" : "Summary");
  worksheet_write_string(ws, 0, 0, L.h_item, f.head);
  worksheet_write_string(ws, 0, 1, lang == ReportLang::zh ? "数值" : "Value", f.head);
  worksheet_write_string(ws, 0, 2, lang == ReportLang::zh ? "说明" : "As written", f.head);
  lxw_row_t row = 1;
  auto text_line = [&](const char* label, const std::string& value) {
    worksheet_write_string(ws, row, 0, label, f.text);
    worksheet_write_string(ws, row, 2, value.c_str(), f.text);
    ++row;
  };
  text_line(L.unit, r.unit.organisation);
  text_line(L.h_contact, r.unit.contact);
  text_line(L.period, fill(L.period_pattern, {{"from", report_date(r.from, lang)}, {"to", report_date(r.to, lang)}}));
  text_line(L.campaigns, campaigns_text(r, lang));
  text_line(L.chain, r.all_chains_intact() ? L.intact : L.broken);
  for (const auto& s : summary_lines(r, lang)) {
    worksheet_write_string(ws, row, 0, s.label.c_str(), f.text);
    worksheet_write_number(ws, row, 1, s.number, s.number == static_cast<double>(static_cast<long long>(s.number)) ? f.count : f.minutes);
    worksheet_write_string(ws, row, 2, s.value.c_str(), f.text);
    ++row;
  }
  worksheet_set_column(ws, 0, 0, 24, nullptr);
  worksheet_set_column(ws, 1, 1, 12, nullptr);
  worksheet_set_column(ws, 2, 2, 80, nullptr);
  worksheet_freeze_panes(ws, 1, 0);
  set_page(ws, false);
}

}  // namespace

Result<std::string> report_xlsx(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  TempFile tmp;
  if (tmp.path().empty()) return Error(fill(L.e_xlsx, {{"why", "no temporary file"}}));
  WorkbookPtr wb(workbook_new(tmp.path().c_str()));
  if (!wb) return Error(fill(L.e_xlsx, {{"why", "workbook_new failed"}}));
  const Formats f = make_formats(wb.get());
  write_summary(wb.get(), r, lang, f);
  for (const auto& t : report_tables(r, lang)) write_table(wb.get(), t, f);
  if (const lxw_error e = workbook_close(wb.release()); e != LXW_NO_ERROR) {
    return Error(fill(L.e_xlsx, {{"why", lxw_strerror(e)}}));
  }
  std::ifstream in(tmp.path(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) return Error(fill(L.e_xlsx, {{"why", "empty file"}}));
  return bytes;
}

}  // namespace signage
