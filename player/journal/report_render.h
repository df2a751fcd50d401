// The report's renderers. Each takes the Report (report_model.h) and nothing else,
// so that a Report computed elsewhere (a database) renders byte for byte the same.
//
//  - CSV: one rectangular table, UTF-8 with a BOM, CRLF line ends, RFC 4180 quoting.
//    Columns `level` (campaign, item, item_day, screen, screen_day, day, total) and
//    `kind` (item, ticker, header) say what a row is. A cell that starts with =, +,
//    -, @, TAB or CR is written with a leading ' so that a spreadsheet does not run
//    it as a formula (OWASP "CSV injection").
//  - Markdown: the summary and every table; content is escaped so that no HTML,
//    link or image syntax in a slogan becomes markup.
//  - HTML: one self-contained page (inline CSS and SVG, pictures as data: URIs),
//    the 统计表 a bureau reads and prints on A4.
//  - Excel (.xlsx): one sheet per table; ids, dates and times as text cells, counts
//    and minutes as numbers; frozen head row.
//  - JSON: for machines; the keys are English and fixed (docs/journal-format.md).
// Thread: any.
#pragma once

#include <string>

#include "core/error.h"
#include "journal/report_labels.h"
#include "journal/report_model.h"

namespace signage {

std::string report_csv(const Report& report, ReportLang lang = ReportLang::zh);
std::string report_markdown(const Report& report, ReportLang lang = ReportLang::zh);
std::string report_html(const Report& report, ReportLang lang = ReportLang::zh);
std::string report_json(const Report& report);
// The workbook's bytes. Fails only when libxlsxwriter cannot write its temporary file.
Result<std::string> report_xlsx(const Report& report, ReportLang lang = ReportLang::zh);

}  // namespace signage
