// The report as a bureau gets it, end to end: the real `signage` binary plays a
// simulated 16 June of the sample campaign and reports it; the Excel file is read
// back by openpyxl; the HTML is printed to PDF by Chromium and read back by poppler.
//
// Tools: python3-openpyxl, chromium, poppler-utils (packaging/debian-packages.txt).
// A test whose tool is missing is skipped and says so; under CI=true it fails.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report_sample.h"

#include "support/files.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

const fs::path kSource = SIGNAGE_SOURCE_DIR;
const std::string kBinary = SIGNAGE_BINARY;

using test::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') out += "'\\''";
    else out.push_back(c);
  }
  return out + "'";
}

struct Proc {
  int code = -1;
  std::string out, err;
};

// Runs `cmd` with sh, its output into files of `dir`.
Proc sh(const std::string& cmd, const fs::path& dir) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  const int status = std::system((cmd + " >" + quote(out.string()) + " 2>" + quote(err.string())).c_str());
  Proc r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

bool have(const std::string& tool_check) { return std::system((tool_check + " >/dev/null 2>&1").c_str()) == 0; }

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// Skips (or, in CI, fails) when a tool is missing.
#define REQUIRE_TOOL(check, what)                                                              \
  do {                                                                                         \
    if (!have(check)) {                                                                        \
      if (in_ci()) FAIL() << what << " is missing; CI installs it (packaging/debian-packages.txt)"; \
      GTEST_SKIP() << what << " is not installed (apt-get install it to run this test)";       \
    }                                                                                          \
  } while (0)

std::string report_cmd(const std::vector<std::string>& args) {
  std::string cmd = quote(kBinary) + " report";
  for (const auto& a : args) cmd += " " + quote(a);
  return cmd;
}

// --------------------------------------------------------- the simulated 16 June

// The sample playlists from 06:00 to about 22:40 on 16 June, 2000 times faster than
// real time, ticker on. The clock starts two hours before the campaign so that the
// player's start-up (a second or two of real time, under a sanitizer more) happens
// before 08:00. A picture is decoded once and then taken from the picture cache, so
// the player keeps up at this speed in under half a core. Under AddressSanitizer a
// switch takes long enough (100-250 ms of real time) that the item on screen at
// 22:00 would run minutes of simulated time past the campaign's end at this speed:
// there the day runs 1000 times faster than real time.
#if defined(__SANITIZE_ADDRESS__)
constexpr const char* kDaySpeed = "1000";
constexpr const char* kDayRun = "60s";
#else
constexpr const char* kDaySpeed = "2000";
constexpr const char* kDayRun = "30s";
#endif
// The journal is on tmpfs where there is one: each record is synced, and at this
// speed a disk would hold the loop back.
TEST(SimulatedDay, CampaignHoursAddUpTickerApartMainWithinRunningTime) {
  TempDir t("signage_report_test", fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path());
  const fs::path journal = t.path() / "journal";
  const Proc play = sh("TZ=Asia/Shanghai " + quote(kBinary) + " play --headless --playlists " +
                          quote((kSource / "playlists").string()) + " --media " + quote((kSource / "assets").string()) +
                          " --size 640x360 --journal " + quote(journal.string()) +
                          " --clock 2024-06-16T06:00:00+08:00 --speed " + kDaySpeed + " --exit-after " + kDayRun,
                      t.path());
  ASSERT_EQ(play.code, 0) << play.err;
  const fs::path out = t.path() / "day.json";
  const Proc rep = sh(report_cmd({journal.string(), "--from", "2024-06-16", "--to", "2024-06-16", "--campaign",
                                 "2024-safety-month", "--format", "json", "--out", out.string()}),
                     t.path());
  ASSERT_EQ(rep.code, 0) << rep.err;
  const json r = json::parse(slurp(out));

  double item_minutes = 0;
  for (const auto& item : r["items"]) {
    EXPECT_EQ(item["kind"], "item");
    EXPECT_NE(item["item_type"], "ticker") << "no ticker pass among the items";
    item_minutes += item["minutes"].get<double>();
  }
  const double hours = 14 * 60;  // 08:00-22:00
  EXPECT_NEAR(item_minutes, hours, hours * 0.01) << "the items fill the campaign's hours, once";
  EXPECT_NEAR(r["summary"]["minutes"].get<double>(), item_minutes, 0.05 * static_cast<double>(r["items"].size()));

  ASSERT_GE(r["bands"].size(), 1u);
  std::uint64_t passes = 0;
  for (const auto& band : r["bands"]) {
    EXPECT_EQ(band["kind"], "ticker");
    EXPECT_EQ(band["item"], "hotlines");
    passes += band["plays"].get<std::uint64_t>();
  }
  EXPECT_GT(passes, 1000u) << "a day of ticker passes, in their own section";
  EXPECT_EQ(r["summary"]["band_passes"], passes);

  ASSERT_EQ(r["days"].size(), 1u);
  for (const auto& day : r["days"]) {
    EXPECT_LE(day["main_minutes"].get<double>(), day["operating_minutes"].get<double>()) << day["date"];
    EXPECT_TRUE(day["within_operating"].get<bool>());
    EXPECT_GE(day["operating_minutes"].get<double>(), hours);
    EXPECT_LE(day["bands_minutes"].get<double>(), 2 * day["operating_minutes"].get<double>());
  }
  EXPECT_TRUE(r["summary"]["breaches"].empty());
  EXPECT_TRUE(r["summary"]["chains_intact"].get<bool>());
}

// ------------------------------------------------------------------ the CLI

TEST(ReportCli, MistakesAreErrorsNamedOnce) {
  TempDir t;
  const fs::path journal = t.path() / "journal";
  ASSERT_TRUE(sample::write_sample_journal(journal, kSource / "playlists", kSource / "assets", Date{2024y / 6 / 16},
                                           Date{2024y / 6 / 16})
                  .ok());
  Proc r = sh(report_cmd({journal.string(), "--from", "2024-06-16", "--to", "2024-06-16", "--campaign", "safety-month"}),
             t.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("没有宣传活动“safety-month”的播放记录。这期间有这些活动：2024-safety-month、daily-safety。"),
            std::string::npos)
      << r.err;
  r = sh(report_cmd({journal.string(), "--from", "2024-06-16", "--to", "2024-06-16", "--campaign", "x", "--lang", "en"}),
         t.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("The campaigns there: 2024-safety-month, daily-safety."), std::string::npos) << r.err;

  const std::string missing = (t.path() / "no-such-folder").string();
  r = sh(report_cmd({missing, "--from", "2024-06-16", "--to", "2024-06-16"}), t.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(missing), r.err.rfind(missing)) << "named once: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;

  // The config's [screen] keys fill the unit; a mistake in it is file:line:col.
  const fs::path cfg = t.path() / "signage.toml";
  std::ofstream(cfg) << "[screen]\nid = \"luojiang-wanda-lobby-01\"\norganisation = \"洛江商贸有限公司\"\n"
                        "contact = \"小郑 22630156\"\n";
  r = sh(report_cmd({journal.string(), "--from", "2024-06-16", "--to", "2024-06-16", "--config", cfg.string(),
                     "--format", "md"}),
         t.path());
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("- 填报单位：洛江商贸有限公司"), std::string::npos) << r.out;
  std::ofstream(cfg) << "[screen]\nid = \"x\"\norganisation = 12\n";
  r = sh(report_cmd({journal.string(), "--from", "2024-06-16", "--to", "2024-06-16", "--config", cfg.string()}),
         t.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(cfg.string() + ":3:16: error:"), std::string::npos) << r.err;
}

// ------------------------------------------------------------------ Excel

std::vector<std::vector<std::string>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool in_quotes = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  rows.pop_back();
  return rows;
}

// The sample journal plus plays whose ids a spreadsheet would mangle: campaign
// "0616", items "0616" and "1-2".
void write_awkward_ids(const fs::path& journal) {
  const auto zone = fixed_offset_zone(std::chrono::hours(8));
  PosixEnv io(false);
  auto at = [&](const char* s) { return *parse_iso8601(s, *zone); };
  auto j = Journal::open(journal, *zone, io, at("2024-06-16T23:30+08:00"));
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE(j->append(event_record("start", zone->to_local(at("2024-06-16T22:59+08:00")),
                                     {{"screen", "luojiang-wanda-lobby-01"}}),
                        at("2024-06-16T23:30+08:00"))
                  .ok());
  for (const char* item : {"0616", "1-2"}) {
    PlayRecord p;
    p.screen = "luojiang-wanda-lobby-01";
    p.campaign = "0616";
    p.item = item;
    p.item_type = "slogan";
    p.text = std::string("咨询日 ") + item;
    p.start = "2024-06-16T23:00:00.000+08:00";
    p.end = "2024-06-16T23:00:10.000+08:00";
    p.planned_s = p.shown_s = 10;
    ASSERT_TRUE(j->append(play_record(p), at("2024-06-16T23:30+08:00")).ok());
  }
}

TEST(ReportExcel, IdsAreTextNumbersAreNumbersAndTotalsMatchCsvAndJson) {
  REQUIRE_TOOL("/usr/bin/python3 -c 'import openpyxl'", "python3-openpyxl");
  TempDir t;
  const fs::path journal = t.path() / "journal";
  ASSERT_TRUE(sample::write_sample_journal(journal, kSource / "playlists", kSource / "assets", Date{2024y / 6 / 15},
                                           Date{2024y / 6 / 16})
                  .ok());
  write_awkward_ids(journal);
  const std::vector<std::string> range = {journal.string(), "--from", "2024-06-15", "--to", "2024-06-16"};
  auto report = [&](const std::string& file) {
    std::vector<std::string> args = range;
    args.insert(args.end(), {"--out", (t.path() / file).string()});  // the format from the extension
    const Proc r = sh(report_cmd(args), t.path());
    EXPECT_EQ(r.code, 0) << r.err;
    return t.path() / file;
  };
  const fs::path xlsx = report("r.xlsx"), csv = report("r.csv"), js = report("r.json");
  const Proc dump = sh("/usr/bin/python3 " + quote((kSource / "tests" / "xlsx_dump.py").string()) + " " + quote(xlsx.string()),
                      t.path());
  ASSERT_EQ(dump.code, 0) << dump.err;
  const json book = json::parse(dump.out);
  std::map<std::string, json> sheets;
  for (const auto& s : book["sheets"]) sheets[s["name"]] = s;
  for (const char* name : {"汇总", "屏幕", "宣传内容", "逐日播放", "每日汇总", "运行核对", "滚动字幕", "按活动"}) {
    ASSERT_TRUE(sheets.count(name)) << name;
    EXPECT_EQ(sheets[name]["freeze"], "A2") << name << ": the head row stays in view";
  }
  const json& items = sheets["宣传内容"]["rows"];
  const json& head = items[0];
  auto col = [&](const json& row, const std::string& name) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (row[i][1] == name) return i;
    }
    ADD_FAILURE() << name;
    return std::size_t{0};
  };
  const std::size_t campaign = col(head, "活动编号"), item = col(head, "内容编号"), plays = col(head, "播放次数"),
                    minutes = col(head, "播放时长（分钟）"), first = col(head, "首次播放");
  std::set<std::string> ids;
  for (std::size_t r = 1; r + 1 < items.size(); ++r) {
    EXPECT_EQ(items[r][campaign][0], "s");
    EXPECT_EQ(items[r][item][0], "s") << items[r][item];
    EXPECT_EQ(items[r][plays][0], "n");
    EXPECT_EQ(items[r][minutes][0], "n");
    EXPECT_EQ(items[r][first][0], "s");
    ids.insert(items[r][campaign][1].get<std::string>() + "/" + items[r][item][1].get<std::string>());
  }
  EXPECT_TRUE(ids.count("0616/0616")) << "0616 stays 0616";
  EXPECT_TRUE(ids.count("0616/1-2")) << "1-2 is not a date";
  EXPECT_GT(sheets["宣传内容"]["widths"]["B"].get<double>(), 30) << "the content column fits Chinese text";

  // The totals: the Excel total row, the CSV total row and the JSON summary agree.
  const json& total = items[items.size() - 1];
  EXPECT_EQ(total[0][1], "合计");
  const auto rows = parse_csv(slurp(csv).substr(3));
  std::size_t level = 0, kind = 0, csv_plays = 0, csv_minutes = 0;
  for (std::size_t i = 0; i < rows[0].size(); ++i) {
    if (rows[0][i] == "级别") level = i;
    if (rows[0][i] == "种类") kind = i;
    if (rows[0][i] == "播放次数") csv_plays = i;
    if (rows[0][i] == "播放时长（分钟）") csv_minutes = i;
  }
  const auto csv_total = std::find_if(rows.begin(), rows.end(), [&](const auto& row) {
    return row[level] == "total" && row[kind] == "item";
  });
  ASSERT_NE(csv_total, rows.end());
  const json summary = json::parse(slurp(js))["summary"];
  EXPECT_EQ(total[plays][1].get<double>(), std::stod((*csv_total)[csv_plays]));
  EXPECT_EQ(total[plays][1].get<double>(), summary["plays"].get<double>());
  EXPECT_DOUBLE_EQ(total[minutes][1].get<double>(), std::stod((*csv_total)[csv_minutes]));
  EXPECT_DOUBLE_EQ(total[minutes][1].get<double>(), summary["minutes"].get<double>());
  EXPECT_GT(summary["plays"].get<double>(), 1000);
}

// ------------------------------------------------------------------ printing

struct PdfPage {
  double width = 0, height = 0;
  std::vector<double> right_edges;  // xMax of each word
  std::vector<double> bottom_edges;
};

// pdftotext -bbox: the pages' sizes and where each word is.
std::vector<PdfPage> pdf_pages(const std::string& bbox_html) {
  std::vector<PdfPage> pages;
  static const std::regex page_re(R"re(<page width="([0-9.]+)" height="([0-9.]+)">)re");
  static const std::regex word_re(R"re(<word xMin="[0-9.]+" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="([0-9.]+)">)re");
  std::size_t pos = 0;
  std::smatch m;
  while (pos < bbox_html.size()) {
    const std::size_t page_at = bbox_html.find("<page ", pos);
    if (page_at == std::string::npos) break;
    const std::size_t end = bbox_html.find("</page>", page_at);
    const std::string page = bbox_html.substr(page_at, end - page_at);
    PdfPage p;
    if (std::regex_search(page, m, page_re)) {
      p.width = std::stod(m[1]);
      p.height = std::stod(m[2]);
    }
    for (auto it = std::sregex_iterator(page.begin(), page.end(), word_re); it != std::sregex_iterator(); ++it) {
      p.right_edges.push_back(std::stod((*it)[1]));
      p.bottom_edges.push_back(std::stod((*it)[2]));
    }
    pages.push_back(std::move(p));
    pos = end;
  }
  return pages;
}

TEST(ReportPrint, A4PagesWithNoTableCutOff) {
  REQUIRE_TOOL("command -v chromium", "chromium");
  REQUIRE_TOOL("command -v pdftotext", "poppler-utils (pdftotext)");
  TempDir t;
  const fs::path journal = t.path() / "journal";
  ASSERT_TRUE(sample::write_sample_journal(journal, kSource / "playlists", kSource / "assets", Date{2024y / 6 / 14},
                                           Date{2024y / 6 / 16})
                  .ok());
  // Two weeks: the item x day table needs two blocks of dates.
  const fs::path html = t.path() / "report.html", pdf = t.path() / "report.pdf";
  Proc r = sh(report_cmd({journal.string(), "--from", "2024-06-03", "--to", "2024-06-16", "--out", html.string()}),
             t.path());
  ASSERT_EQ(r.code, 0) << r.err;
  r = sh("timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run --no-default-browser-check "
         "--user-data-dir=" + quote((t.path() / "profile").string()) +
             " --no-pdf-header-footer --print-to-pdf=" + quote(pdf.string()) + " " +
             quote("file://" + html.string()),
         t.path());
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(pdf)) << r.err;
  r = sh("pdftotext -bbox " + quote(pdf.string()) + " -", t.path());
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<PdfPage> pages = pdf_pages(r.out);
  ASSERT_GE(pages.size(), 10u) << "a page per section";
  EXPECT_LE(pages.size(), 40u);
  std::size_t landscape = 0;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    const PdfPage& p = pages[i];
    const bool portrait = std::abs(p.width - 595.3) < 2 && std::abs(p.height - 841.9) < 2;
    const bool wide = std::abs(p.width - 841.9) < 2 && std::abs(p.height - 595.3) < 2;
    EXPECT_TRUE(portrait || wide) << "page " << i + 1 << " is " << p.width << " x " << p.height << " pt, not A4";
    landscape += wide ? 1 : 0;
    for (double x : p.right_edges) EXPECT_LE(x, p.width - 20) << "page " << i + 1 << ": a word past the margin";
    for (double y : p.bottom_edges) EXPECT_LE(y, p.height - 20) << "page " << i + 1 << ": a word past the margin";
  }
  EXPECT_GE(landscape, 3u) << "wide tables print landscape";

  r = sh("pdftotext -layout " + quote(pdf.string()) + " -", t.path());
  ASSERT_EQ(r.code, 0);
  const std::string text = r.out;
  for (const char* words :
       {"电子屏安全宣传播放统计表", "填报单位", "泉州洛江万达广场商业管理有限公司", "电子屏宣传", "播放次数", "播放时长",
        "屏幕数", "天数", "二、屏幕与单位", "三、宣传内容", "四、宣传内容逐日播放", "五、每日汇总", "六、每屏每日运行核对",
        "七、滚动字幕与标题栏", "八、按宣传活动", "附件：播放画面截图", "填报单位（盖章）", "审核人", "最后播放",
        "6月3日", "6月9日", "6月10日", "6月16日", "发现安全生产风险隐患，请拨打举报电话 12350", "0616-consultation-day.png",
        "2024年6月16日"}) {
    EXPECT_NE(text.find(words), std::string::npos) << words;
  }
  // Every content label of the items table is there whole (nothing cut at the right).
  const json rep = json::parse(sh(report_cmd({journal.string(), "--from", "2024-06-03", "--to", "2024-06-16",
                                              "--format", "json"}),
                                  t.path())
                                   .out);
  std::string flat;  // the text without the layout's line breaks and spaces
  for (const char c : text) {
    if (c != '\n' && c != ' ') flat.push_back(c);
  }
  for (const auto& item : rep["items"]) {
    std::string label = item["content"];
    label.erase(std::remove(label.begin(), label.end(), ' '), label.end());
    EXPECT_NE(flat.find(label), std::string::npos) << label;
  }
}

}  // namespace
}  // namespace signage
