// The HTML renderer (report_render.h): the 统计表 as a bureau reads it on screen and
// prints it on A4. Every section starts a page; wide tables are printed landscape
// (a named page); table heads repeat on each page; no row is split across pages;
// dates and times never break across lines; the item x day table is cut into
// blocks of kDaysPerBlock dates so that it always fits the page's width.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "journal/report_render.h"
#include "journal/report_tables.h"

namespace signage {

namespace {

constexpr std::size_t kDaysPerBlock = 7;

std::string esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string when(const std::string& s) { return "<span class=\"when\">" + esc(s) + "</span>"; }

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string read_bytes(const std::filesystem::path& file) {
  std::string bytes;
  if (FILE* f = std::fopen(file.c_str(), "rb")) {
    char buf[1 << 15];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
    std::fclose(f);
  }
  return bytes;
}

const char* kStyle =
    "@page{size:A4 portrait;margin:14mm 12mm}\n"
    "@page wide{size:A4 landscape;margin:12mm}\n"
    "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei','WenQuanYi Micro "
    "Hei',sans-serif;color:#111;font-size:10.5pt;line-height:1.45}\n"
    "h1{font-size:18pt;text-align:center;margin:0 0 .6em}\n"
    "h2{font-size:13pt;margin:0 0 .5em;break-after:avoid}\n"
    "section{break-before:page}section.first{break-before:auto}section.wide{page:wide}\n"
    "section.sign{break-before:auto;break-inside:avoid;margin-top:2em}\n"
    "table{border-collapse:collapse;width:100%;margin:0 0 1em}\n"
    "th,td{border:1px solid #777;padding:2px 4px;vertical-align:top;text-align:left;overflow-wrap:anywhere}\n"
    "th{background:#eee;font-weight:bold;white-space:nowrap}thead{display:table-header-group}"
    "tr{break-inside:avoid}\n"
    "table.meta th,table.summary th,table.sign th{white-space:normal}\n"
    "td.n,th.n{text-align:right;white-space:nowrap;overflow-wrap:normal}\n"
    "tr.total td{font-weight:bold;background:#f6f6f6}\n"
    ".when{white-space:nowrap}\n"
    "table.data{font-size:9pt}\n"
    "table.meta th{width:7em}table.summary th{width:9em}\n"
    ".ok{color:#176b17}.bad{color:#b00020;font-weight:bold}\n"
    ".note{color:#333;font-size:9pt}\n"
    "svg{max-width:100%;height:auto}svg rect{fill:#c8102e}svg .axis{font-size:11px;fill:#333}\n"
    ".gallery{display:flex;flex-wrap:wrap;gap:4mm}\n"
    "figure{margin:0;width:58mm;break-inside:avoid;font-size:8.5pt}figure img{width:100%;border:1px solid #999}\n"
    "table.sign{table-layout:fixed}table.sign td,table.sign th{height:12mm;vertical-align:middle}"
    "table.sign td.stamp{height:40mm}\n"
    "@media screen{body{max-width:1100px;margin:2em auto;padding:0 1em}section{margin-top:2.5em}}\n";

std::string cell_html(const ReportCell& c) {
  const bool number = c.type == ReportCell::Type::count || c.type == ReportCell::Type::minutes;
  std::string cls = number ? "n" : "";
  if (c.bad) cls += cls.empty() ? "bad" : " bad";
  std::string s = cls.empty() ? "<td>" : "<td class=\"" + cls + "\">";
  s += c.type == ReportCell::Type::when ? when(c.text) : esc(c.text);
  return s + "</td>";
}

// One table, or the columns [first, last) of it after the keys (item x day blocks).
std::string table_html(const ReportTable& t, std::size_t first, std::size_t last) {
  auto in_view = [&](std::size_t col) { return col < t.keys || t.keys == 0 || (col >= first && col < last); };
  std::string o = "<table class=\"data\">\n<thead>";
  if (t.group > 0) {
    o += "<tr>";
    for (std::size_t i = 0; i < t.keys; ++i) o += "<th rowspan=\"2\">" + esc(t.heads[i]) + "</th>";
    for (std::size_t g = (first - t.keys) / t.group; g < (last - t.keys) / t.group; ++g) {
      o += "<th colspan=\"" + std::to_string(t.group) + "\" class=\"when\">" + esc(t.group_titles[g]) + "</th>";
    }
    o += "</tr><tr>";
    for (std::size_t c = first; c < last; ++c) o += "<th class=\"n\">" + esc(t.sub_heads[(c - t.keys) % t.group]) + "</th>";
    o += "</tr>";
  } else {
    o += "<tr>";
    for (const auto& h : t.heads) o += "<th>" + esc(h) + "</th>";
    o += "</tr>";
  }
  o += "</thead>\n<tbody>\n";
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const bool total = t.total_row && r + 1 == t.rows.size();
    o += total ? "<tr class=\"total\">" : "<tr>";
    std::size_t c = 0;
    if (total) {  // "合计" over the empty text cells after it
      std::size_t span = 1;
      while (span < row.size() && in_view(span) && row[span].type == ReportCell::Type::text && row[span].text.empty()) {
        ++span;
      }
      o += "<td colspan=\"" + std::to_string(span) + "\">" + esc(row[0].text) + "</td>";
      c = span;
    }
    for (; c < row.size(); ++c) {
      if (in_view(c)) o += cell_html(row[c]);
    }
    o += "</tr>\n";
  }
  return o + "</tbody>\n</table>\n";
}

std::string section_html(const ReportTable& t) {
  std::string o = std::string("<section") + (t.wide ? " class=\"wide\"" : "") + ">\n<h2>" + esc(t.title) + "</h2>\n";
  if (t.group == 0) return o + table_html(t, 0, t.heads.size()) + "</section>\n";
  const std::size_t step = kDaysPerBlock * t.group;
  for (std::size_t first = t.keys; first < t.heads.size(); first += step) {
    o += table_html(t, first, std::min(t.heads.size(), first + step));
  }
  return o + "</section>\n";
}

std::string head_html(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  std::string o = "<!DOCTYPE html>\n<html lang=\"" + std::string(L.lang_tag) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  o += "<title>" + esc(L.title) + " " + format_date(r.from) + " – " + format_date(r.to) + "</title>\n";
  o += "<style>\n" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  o += "<section class=\"first\">\n<h1>" + esc(L.title) + "</h1>\n<table class=\"meta\">\n";
  auto row = [&](const char* label, const std::string& value_html) {
    o += "<tr><th>" + esc(label) + "</th><td>" + value_html + "</td></tr>\n";
  };
  row(L.unit, esc(r.unit.organisation.empty() ? "—" : r.unit.organisation));
  if (!r.unit.contact.empty()) row(L.h_contact, esc(r.unit.contact));
  row(L.period, fill(esc(L.period_pattern), {{"from", when(report_date(r.from, lang))}, {"to", when(report_date(r.to, lang))}}));
  row(L.campaigns, esc(campaigns_text(r, lang)));
  row(L.chain, r.all_chains_intact() ? "<span class=\"ok\">" + esc(L.intact) + "</span>"
                                     : "<span class=\"bad\">" + esc(L.broken) + "</span>");
  if (r.has_central()) {
    row(L.as_of, when(format_iso8601(fixed_offset_zone(std::chrono::seconds(0))->to_local(r.as_of), false)));
    row(L.dark_screens, std::string("<span class=\"") + (r.dark_screens().empty() ? "ok" : "bad") + "\">" +
                            esc(dark_text(r, lang)) + "</span>");
  }
  o += "</table>\n<h2>" + esc(L.sec_summary) + "</h2>\n<table class=\"summary\">\n";
  for (const auto& s : summary_lines(r, lang)) {
    o += "<tr><th>" + esc(s.label) + "</th><td" + (s.bad ? " class=\"bad\"" : "") + ">" + esc(s.value) + "</td></tr>\n";
  }
  o += "</table>\n<p class=\"note\">" + esc(L.note) + "</p>\n</section>\n";
  return o;
}

// Vertical bars, one per label. Values in minutes.
std::string svg_columns(const std::vector<std::pair<std::string, double>>& bars, const std::string& title) {
  double max = 1e-9;
  for (const auto& b : bars) max = std::max(max, b.second);
  const int bw = 28, gap = 6, h = 160, top = 24, bottom = 70, left = 40;
  const int width = left + static_cast<int>(bars.size()) * (bw + gap) + 10;
  const int height = h + top + bottom;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " + std::to_string(width) +
                  " " + std::to_string(height) + "\" width=\"" + std::to_string(width) + "\"><title>" + esc(title) +
                  "</title>";
  s += "<text x=\"0\" y=\"14\" class=\"axis\">" + report_minutes(static_cast<std::int64_t>(max * 60000)) + "</text>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int bh = static_cast<int>(bars[i].second / max * h + 0.5);
    const int x = left + static_cast<int>(i) * (bw + gap);
    s += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(top + h - bh) + "\" width=\"" +
         std::to_string(bw) + "\" height=\"" + std::to_string(bh) + "\"><title>" + esc(bars[i].first) + "</title></rect>";
    s += "<text class=\"axis\" transform=\"translate(" + std::to_string(x + bw / 2) + "," + std::to_string(top + h + 8) +
         ") rotate(60)\">" + esc(bars[i].first) + "</text>";
  }
  return s + "</svg>";
}

// Horizontal bars with the label on the left.
std::string svg_rows(const std::vector<std::pair<std::string, double>>& bars, const std::string& title) {
  double max = 1e-9;
  for (const auto& b : bars) max = std::max(max, b.second);
  const int bh = 18, gap = 5, label = 380, w = 300;
  const int width = label + w + 70, height = static_cast<int>(bars.size()) * (bh + gap) + 10;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " + std::to_string(width) +
                  " " + std::to_string(height) + "\" width=\"" + std::to_string(width) + "\"><title>" + esc(title) +
                  "</title>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int y = static_cast<int>(i) * (bh + gap) + 4;
    const int len = static_cast<int>(bars[i].second / max * w + 0.5);
    s += "<text class=\"axis\" x=\"" + std::to_string(label - 6) + "\" y=\"" + std::to_string(y + 13) +
         "\" text-anchor=\"end\">" + esc(bars[i].first) + "</text>";
    s += "<rect x=\"" + std::to_string(label) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(len) +
         "\" height=\"" + std::to_string(bh) + "\"/>";
    s += "<text class=\"axis\" x=\"" + std::to_string(label + len + 4) + "\" y=\"" + std::to_string(y + 13) + "\">" +
         report_minutes(static_cast<std::int64_t>(bars[i].second * 60000 + 0.5)) + "</text>";
  }
  return s + "</svg>";
}

std::string charts_html(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  std::string o = "<section>\n<h2>" + esc(L.sec_charts) + "</h2>\n<h3>" + esc(L.chart_days) + "</h3>\n";
  std::vector<std::pair<std::string, double>> bars;
  for (const auto& d : r.days) bars.push_back({report_short_date(d.date, lang), d.main.minutes()});
  o += svg_columns(bars, L.chart_days) + "\n<h3>" + esc(L.chart_items) + "</h3>\n";
  bars.clear();
  for (const auto& x : r.items) bars.push_back({content_text(x.content, lang), x.total.minutes()});
  o += (bars.empty() ? std::string("<p>—</p>") : svg_rows(bars, L.chart_items)) + "\n</section>\n";
  return o;
}

std::string gallery_html(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  std::string o = "<section>\n<h2>" + esc(L.sec_evidence) + "</h2>\n<div class=\"gallery\">\n";
  if (r.evidence.empty()) o += "<p>—</p>\n";
  for (const auto& e : r.evidence) {
    const std::string bytes = read_bytes(e.file);
    if (bytes.empty()) continue;
    o += "<figure><img alt=\"" + esc(e.label) + "\" src=\"data:image/jpeg;base64," + base64(bytes) +
         "\"><figcaption>" + esc(e.label) + "<br>" + esc(e.screen) + "<br>" + when(report_time(e.start, lang)) +
         "</figcaption></figure>\n";
  }
  return o + "</div>\n</section>\n";
}

std::string sign_html(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  std::string o = "<section class=\"sign\">\n<h2>" + esc(L.sec_sign) + "</h2>\n<table class=\"sign\">\n";
  o += "<colgroup><col style=\"width:18%\"><col style=\"width:32%\"><col style=\"width:18%\"><col "
       "style=\"width:32%\"></colgroup>\n";
  o += "<tr><th>" + esc(L.sign_unit) + "</th><td colspan=\"3\">" + esc(r.unit.organisation) + "</td></tr>\n";
  o += "<tr><th>" + esc(L.sign_filler) + "</th><td>" + esc(r.unit.contact) + "</td><th>" + esc(L.sign_reviewer) +
       "</th><td></td></tr>\n";
  o += "<tr><th>" + esc(L.sign_date) + "</th><td>" + when(L.sign_date_blank) + "</td><th>" + esc(L.sign_stamp) +
       "</th><td class=\"stamp\"></td></tr>\n";
  return o + "</table>\n</section>\n";
}

}  // namespace

std::string report_html(const Report& r, ReportLang lang) {
  std::string o = head_html(r, lang);
  for (const auto& t : report_tables(r, lang)) o += section_html(t);
  o += charts_html(r, lang);
  o += gallery_html(r, lang);
  o += sign_html(r, lang);
  return o + "</body>\n</html>\n";
}

}  // namespace signage
