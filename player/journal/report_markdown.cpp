// The Markdown renderer (report_render.h).
#include "journal/report_render.h"
#include "journal/report_tables.h"

namespace signage {

namespace {

// Text that stays text in any Markdown renderer: HTML is escaped as entities, the
// punctuation of links, images, emphasis and tables is backslash-escaped, and a
// "javascript:" can never become a link target.
std::string md_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\n':
      case '\r': out += ' '; break;
      case '|': case '[': case ']': case '(': case ')': case '!': case '*': case '_':
      case '`': case '\\': case '#': case '~':
        out += '\\';
        out += c;
        break;
      default: out.push_back(c);
    }
  }
  // A scheme ("javascript:", "http:") is letters and a colon: the colon becomes an
  // entity, so nothing can read a link target there. Times ("08:00") stay as they are.
  for (std::size_t p = out.find(':'); p != std::string::npos; p = out.find(':', p + 1)) {
    const char before = p > 0 ? out[p - 1] : ' ';
    if ((before >= 'a' && before <= 'z') || (before >= 'A' && before <= 'Z')) out.replace(p, 1, "&#58;");
  }
  return out;
}

// One cell: appended piece by piece, not " " + string (GCC 12 at -O3 sees a false
// overlap in operator+(const char*, string&&): -Wrestrict, its bug 105329).
void cell(std::string& out, const std::string& text) {
  out += ' ';
  out += md_escape(text);
  out += " |";
}

void table(std::string& out, const ReportTable& t) {
  out += "\n## ";
  out += md_escape(t.title);
  out += "\n\n|";
  for (const auto& h : t.heads) cell(out, h);
  out += "\n|";
  for (const auto& c : t.rows.empty() ? std::vector<ReportCell>(t.heads.size()) : t.rows.front()) {
    out += c.type == ReportCell::Type::count || c.type == ReportCell::Type::minutes ? "---:|" : "---|";
  }
  out += "\n";
  for (const auto& row : t.rows) {
    out += "|";
    for (const auto& c : row) cell(out, c.text);
    out += "\n";
  }
}

}  // namespace

std::string report_markdown(const Report& r, ReportLang lang) {
  const ReportLabels& L = report_labels(lang);
  std::string out = "# " + std::string(L.title) + "\n\n";
  auto line = [&](const std::string& label, const std::string& value) {
    out += "- ";
    out += md_escape(label);
    out += lang == ReportLang::zh ? "：" : ": ";
    out += md_escape(value);
    out += '\n';
  };
  line(L.unit, r.unit.organisation.empty() ? "—" : r.unit.organisation);
  line(L.period, fill(L.period_pattern, {{"from", report_date(r.from, lang)}, {"to", report_date(r.to, lang)}}));
  line(L.campaigns, campaigns_text(r, lang));
  line(L.chain, r.all_chains_intact() ? L.intact : L.broken);
  if (r.has_central()) {
    line(L.as_of, format_iso8601(fixed_offset_zone(std::chrono::seconds(0))->to_local(r.as_of), false));
    line(L.dark_screens, dark_text(r, lang));
  }
  out += "\n## ";
  out += md_escape(L.sec_summary);
  out += "\n\n";
  for (const auto& s : summary_lines(r, lang)) line(s.label, s.value);
  out += '\n';
  out += md_escape(L.note);
  out += '\n';
  for (const auto& t : report_tables(r, lang)) table(out, t);
  out += "\n## ";
  out += md_escape(L.sec_sign);
  out += "\n\n";
  line(L.sign_unit, r.unit.organisation);
  line(L.sign_filler, r.unit.contact);
  line(L.sign_reviewer, "");
  line(L.sign_date, L.sign_date_blank);
  return out;
}

}  // namespace signage
