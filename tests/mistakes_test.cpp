// The mistakes an admin makes with a Chinese input method and Notepad, one row each:
// the whole file, where the error must point (line:col, in characters as editors
// count them) and a phrase that the English and the Chinese message must hold (the
// name of the mistake or its fix). The playlist is refused in both languages, and
// the Chinese message is a translation, not the English text.
// Also: the encodings Notepad writes (GBK, UTF-16 LE/BE with BOM, UTF-8 with BOM,
// CRLF line ends) are read and said so, with positions right.
#include <gtest/gtest.h>
#include <iconv.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <fstream>
#include <string>
#include <unistd.h>

#include "core/i18n.h"
#include "core/text_encoding.h"
#include "core/text_util.h"
#include "playlist/loader.h"
#include "playlist/toml_mistakes.h"

namespace signage {
namespace {

namespace fs = std::filesystem;

struct MistakeRow {
  const char* name;
  std::string text;
  int line;
  int column;
  const char* english;  // a phrase of the English message
  const char* chinese;  // a phrase of the Chinese message
  bool needs_media;     // media/logo.png exists in the media folder
};

// Generated from the rows' marked positions; see the file comment.
const MistakeRow kRows[] = {
    {"chinese_quotes", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = “人人讲安全”\n", 84), 7, 8, "Chinese quotation mark", "中文引号", false},
    {"chinese_single_quotes", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = ‘人人讲安全’\n", 84), 7, 8, "Chinese single quotation mark", "中文单引号", false},
    {"corner_brackets", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = 「人人讲安全」\n", 84), 7, 8, "Chinese corner bracket", "直角引号", false},
    {"fullwidth_quote", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = ＂人人讲安全＂\n", 84), 7, 8, "full-width quotation mark", "全角引号", false},
    {"missing_closing_quote", std::string("[campaign]\nid = \"x\"\ntitle = \"安全月\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 89), 3, 9, "no closing quote", "没有结束的引号", false},
    {"enter_inside_string", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"人人讲安全\n个个会应急\"\n", 96), 7, 8, "a line break inside \"...\" is written \\n", "\\n", false},
    {"date_with_slashes", std::string("[campaign]\nid = \"x\"\nstarts = 2024/06/01\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 90), 3, 10, "write 2024-06-01", "2024-06-01", false},
    {"date_without_zeros", std::string("[campaign]\nid = \"x\"\nstarts = 2024-6-1\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 88), 3, 10, "write 2024-06-01", "2024-06-01", false},
    {"date_with_dots", std::string("[campaign]\nid = \"x\"\nends = 2024.06.30\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 88), 3, 8, "write 2024-06-30", "2024-06-30", false},
    {"date_in_chinese", std::string("[campaign]\nid = \"x\"\nends = 2024年6月30日\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 94), 3, 8, "write 2024-06-30", "2024-06-30", false},
    {"date_not_on_calendar", std::string("[campaign]\nid = \"x\"\nends = 2024-06-31\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 88), 3, 8, "not a date on the calendar", "日历上没有", false},
    {"date_in_quotes", std::string("[campaign]\nid = \"x\"\nstarts = \"2024-06-01\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 92), 3, 10, "(without quotes)", "不加引号", false},
    {"fullwidth_space_indent", std::string("[campaign]\nid = \"x\"\n　priority = 10\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 87), 3, 1, "full-width space", "全角空格", false},
    {"fullwidth_space_before_equals", std::string("[campaign]\nid = \"x\"\npriority　= 10\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 86), 3, 9, "full-width space", "全角空格", false},
    {"fullwidth_equals", std::string("[campaign]\nid = \"x\"\npriority ＝ 10\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 86), 3, 10, "full-width equals sign '＝'", "全角等号", false},
    {"fullwidth_colon_in_hours", std::string("[campaign]\nid = \"x\"\nhours = [\"08：00-22:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 96), 3, 10, "full-width colon", "全角冒号", false},
    {"fullwidth_colon_outside_string", std::string("[campaign]\nid = \"x\"\npriority： 10\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 85), 3, 9, "full-width colon", "全角冒号", false},
    {"fullwidth_comma_in_list", std::string("[campaign]\nid = \"x\"\nhours = [\"08:00-12:00\"，\"14:00-18:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 110), 3, 23, "full-width comma", "全角逗号", false},
    {"enumeration_comma_in_list", std::string("[campaign]\nid = \"x\"\nhours = [\"08:00-12:00\"、\"14:00-18:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 110), 3, 23, "enumeration comma", "顿号", false},
    {"tilde_in_hours", std::string("[campaign]\nid = \"x\"\nhours = [\"08:00~22:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 94), 3, 10, "not '~'", "“-”", false},
    {"fullwidth_tilde_in_hours", std::string("[campaign]\nid = \"x\"\nhours = [\"08:00～22:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 96), 3, 10, "full-width tilde", "全角波浪号", false},
    {"zhi_in_hours", std::string("[campaign]\nid = \"x\"\nhours = [\"08:00至22:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 96), 3, 10, "not '至'", "至", false},
    {"dash_in_hours", std::string("[campaign]\nid = \"x\"\nhours = [\"08:00—22:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 96), 3, 10, "dash", "破折号", false},
    {"one_digit_hour", std::string("[campaign]\nid = \"x\"\nhours = [\"8:00-22:00\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 93), 3, 10, "two digits", "两位数", false},
    {"hours_as_string", std::string("[campaign]\nid = \"x\"\nhours = \"08:00-22:00\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 92), 3, 9, "write hours = [\"08:00-22:00\"]", "hours = [\"08:00-22:00\"]", false},
    {"hours_without_quotes", std::string("[campaign]\nid = \"x\"\nhours = [08:00-22:00]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 92), 3, 10, "times need quotes", "引号", false},
    {"weekdays_as_string", std::string("[campaign]\nid = \"x\"\nweekdays = \"mon\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 87), 3, 12, "weekdays = [\"mon\"]", "weekdays = [\"mon\"]", false},
    {"weekday_in_chinese", std::string("[campaign]\nid = \"x\"\nweekdays = [\"周一\"]\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 92), 3, 13, "周一 is mon", "周一", false},
    {"backslash_unknown_escape", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"image\"\nfile = \"media\\logo.png\"\n", 78), 7, 14, "in a file path write / instead of", "/", false},
    {"backslash_known_escape", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"image\"\nfile = \"media\\new.png\"\n", 77), 7, 8, "control character", "/", true},
    {"double_backslash", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"image\"\nfile = \"media\\\\logo.png\"\n", 79), 7, 8, "\"media/logo.png\"", "media/logo.png", true},
    {"windows_absolute_path", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"image\"\nfile = \"D:\\\\宣传\\\\logo.png\"\n", 84), 7, 8, "Windows computer", "Windows", true},
    {"windows_forward_slash_path", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"image\"\nfile = \"C:/Users/admin/logo.png\"\n", 87), 7, 8, "Windows computer", "Windows", true},
    {"key_written_twice", std::string("[campaign]\nid = \"x\"\ntitle = \"安全月\"\ntitle = \"安全生产月\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 116), 4, 1, "written twice", "写了两次", false},
    {"table_written_twice", std::string("[campaign]\nid = \"x\"\n[campaign]\ntitle = \"t\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 93), 3, 1, "table [campaign] is written twice", "写了两次", false},
    {"missing_equals", std::string("[campaign]\nid = \"x\"\ntitle \"安全月\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 88), 3, 1, "'=' is missing", "缺少", false},
    {"text_without_quotes", std::string("[campaign]\nid = \"x\"\ntitle = 安全生产月\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 94), 3, 9, "text needs straight double quotes", "英文双引号", false},
    {"word_without_quotes", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\ntransition = fade\n", 89), 8, 14, "write \"fade\"", "\"fade\"", false},
    {"missing_value", std::string("[campaign]\nid = \"x\"\ntitle =\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 78), 3, 8, "has no value", "没有值", false},
    {"integer_in_quotes", std::string("[campaign]\nid = \"x\"\npriority = \"10\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 86), 3, 12, "write it without quotes: priority = 10", "priority = 10", false},
    {"boolean_in_quotes", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n[header]\nclock = \"true\"\n", 95), 9, 9, "true or false (without quotes)", "true 或 false", false},
    {"chinese_square_brackets", std::string("【campaign】\nid = \"x\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 74), 1, 1, "Chinese square bracket", "中文方括号", false},
    {"fullwidth_square_brackets", std::string("［campaign］\nid = \"x\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 74), 1, 1, "full-width square bracket", "全角方括号", false},
    {"fullwidth_number_sign", std::string("[campaign]\nid = \"x\"\n＃ 安全生产月\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 90), 3, 1, "full-width number sign", "全角井号", false},
    {"fullwidth_digits", std::string("[campaign]\nid = \"x\"\npriority = １０\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 88), 3, 12, "full-width digit", "全角数字", false},
    {"chinese_full_stop_in_number", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\nvolume = 5。5\n", 86), 8, 11, "Chinese full stop", "中文句号", false},
    {"no_break_space", std::string("[campaign]\nid = \"x\"\npriority = 10\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 85), 3, 9, "no-break space", "不换行空格", false},
    {"zero_width_space", std::string("[campaign]\nid = \"x\"\n​priority = 10\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 87), 3, 1, "zero-width space", "零宽空格", false},
    {"duration_in_chinese", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\nduration = \"12秒\"\n", 90), 8, 12, "write it like 12s", "12s", false},
    {"duration_as_number", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\nduration = 12\n", 85), 8, 12, "a string like \"12s\"", "\"12s\"", false},
    {"item_type_in_chinese", std::string("[campaign]\nid = \"x\"\n[[item]]\nid = \"a\"\ntype = \"标语\"\ntext = \"安全\"\n", 70), 5, 8, "use slogan, image or video", "slogan", false},
    {"misspelt_key", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\nduraton = \"12s\"\n", 87), 8, 1, "did you mean 'duration'?", "“duration”", false},
    {"single_item_table", std::string("[campaign]\nid = \"x\"\n[item]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 68), 3, 1, "[[item]]", "[[item]]", false},
    {"colour_by_name", std::string("[campaign]\nid = \"x\"\n\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\nstyle = { color = \"红色\" }\n", 100), 8, 19, "#rrggbb", "#rrggbb", false},
    {"nul_character", std::string("[campaign]\nid = \"x\"\ntitle = \"a\0b\"\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 84), 3, 11, "control character", "控制字符", false},
    {"end_before_start", std::string("[campaign]\nid = \"x\"\nstarts = 2024-06-30\nends = 2024-06-01\n[[item]]\nid = \"a\"\ntype = \"slogan\"\ntext = \"安全\"\n", 108), 4, 8, "end before start", "早于", false},
};

void PrintTo(const MistakeRow& row, std::ostream* os) { *os << row.name; }

std::string dump(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += "  " + d.format() + "\n";
  return out;
}

class MediaFolder {
 public:
  MediaFolder() : path_(fs::temp_directory_path() / ("signage-mistakes-" + std::to_string(::getpid()))) {
    fs::create_directories(path_ / "media");
    std::ofstream(path_ / "media/logo.png") << "x";
  }
  ~MediaFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The error at the row's position, in `lang`; nullptr when none.
std::optional<Diagnostic> error_at(const MistakeRow& row, Language lang, const fs::path& media, std::string& all) {
  const ScopedMessageLanguage language(lang);
  LoadOptions o;
  o.media_root = media;
  const auto r = load_playlist_text(row.text, "p.toml", o);
  all = dump(r.diagnostics);
  if (r.campaign) return std::nullopt;
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::error && d.where.line == row.line && d.where.column == row.column) return d;
  }
  return std::nullopt;
}

class Mistake : public ::testing::TestWithParam<MistakeRow> {};

TEST_P(Mistake, IsRefusedAtItsPlaceNamingTheFixInBothLanguages) {
  const MistakeRow& row = GetParam();
  MediaFolder media;
  std::string all_en, all_zh;
  const auto en = error_at(row, Language::en, media.path(), all_en);
  const auto zh = error_at(row, Language::zh_CN, media.path(), all_zh);
  ASSERT_TRUE(en) << row.name << ": no error at " << row.line << ":" << row.column << " in\n" << all_en;
  ASSERT_TRUE(zh) << row.name << ": no error at " << row.line << ":" << row.column << " in\n" << all_zh;
  EXPECT_NE(en->message.find(row.english), std::string::npos) << row.name << ": " << en->message;
  EXPECT_NE(zh->message.find(row.chinese), std::string::npos) << row.name << ": " << zh->message;
  EXPECT_NE(en->message, zh->message) << row.name << ": the Chinese message is not translated";
}

INSTANTIATE_TEST_SUITE_P(Rows, Mistake, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<MistakeRow>& p) { return std::string(p.param.name); });

TEST(MistakeTable, EveryCharacterHasANameInChineseAndAnAsciiFix) {
  const ScopedMessageLanguage zh(Language::zh_CN);
  ASSERT_GE(tomlcheck::character_mistakes().size(), 30u);
  for (const auto& m : tomlcheck::character_mistakes()) {
    EXPECT_STRNE(_(m.name), m.name) << m.name;
    EXPECT_EQ(tomlcheck::find_character_mistake(m.ch), &m);
  }
}

TEST(MistakeScanner, ValidFilesHaveNoMistakes) {
  // The scanner only runs on files the parser refused, but must not invent
  // mistakes in valid TOML either (Chinese punctuation inside strings and notes).
  const char* valid =
      "# 安全生产月：人人讲安全，个个会应急\n[campaign]\nid = \"x\"  # 注释“引号”\ntitle = '单引号：可以'\n"
      "hours = [\"08:00-12:00\", \"14:00-22:00\"]\nstarts = 2024-06-01\n[[item]]\nid = \"a\"\n"
      "text = \"\"\"\n第一行，\n第二行\"\"\"\nstyle = { color = \"#fff\", weight = \"bold\" }\n"
      "[[item]]\nid = \"b\"\ntext = \"路径\\\\不是\\n换行\\u3000\"\n";
  EXPECT_TRUE(tomlcheck::find_input_mistakes(valid).empty());
}

// ---- encodings ----

const char kUtf8Playlist[] =
    "[campaign]\r\nid = \"x\"\r\ntitle = \"安全生产月\"\r\n[[item]]\r\nid = \"a\"\r\ntype = \"slogan\"\r\n"
    "text = \"人人讲安全、个个会应急\"\r\n";

std::string utf16(std::string_view utf8, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (const char32_t c : std::u32string(utf8_to_u32(utf8))) {
    const auto unit = static_cast<std::uint16_t>(c);
    const char hi = static_cast<char>(unit >> 8), lo = static_cast<char>(unit & 0xFF);
    out += little_endian ? std::string{lo, hi} : std::string{hi, lo};
  }
  return out;
}

// `utf8` as Notepad saves it under "ANSI" on a Chinese Windows.
std::string gbk(std::string_view utf8) {
  iconv_t cd = iconv_open("GB18030", "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* dst = out.data();
  EXPECT_NE(iconv(cd, &in, &in_left, &dst, &out_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  EXPECT_FALSE(is_valid_utf8(out));
  return out;
}

void expect_read_with_warning(const std::string& bytes, const char* phrase_en, const char* phrase_zh) {
  for (const Language lang : {Language::en, Language::zh_CN}) {
    const ScopedMessageLanguage language(lang);
    const auto r = load_playlist_text(bytes, "p.toml", LoadOptions{});
    ASSERT_TRUE(r.campaign) << dump(r.diagnostics);
    EXPECT_EQ(r.campaign->title, "安全生产月");
    ASSERT_EQ(r.campaign->items.size(), 1u);
    EXPECT_EQ(r.campaign->items[0].text, "人人讲安全、个个会应急");
    if (phrase_en == nullptr) {
      EXPECT_TRUE(r.diagnostics.empty()) << dump(r.diagnostics);
      continue;
    }
    ASSERT_EQ(r.diagnostics.size(), 1u) << dump(r.diagnostics);
    EXPECT_EQ(r.diagnostics[0].severity, Severity::warning);
    const std::string& m = r.diagnostics[0].message;
    EXPECT_NE(m.find(lang == Language::en ? phrase_en : phrase_zh), std::string::npos) << m;
    EXPECT_NE(m.find("UTF-8"), std::string::npos) << m;
  }
}

TEST(Encoding, Utf8WithAndWithoutBomAndCrlfIsReadSilently) {
  expect_read_with_warning(kUtf8Playlist, nullptr, nullptr);
  expect_read_with_warning(std::string("\xEF\xBB\xBF") + kUtf8Playlist, nullptr, nullptr);
}

TEST(Encoding, Utf16WithBomIsReadWithAWarning) {
  expect_read_with_warning(utf16(kUtf8Playlist, true), "UTF-16 LE (Notepad's \"Unicode\")", "UTF-16 LE");
  expect_read_with_warning(utf16(kUtf8Playlist, false), "UTF-16 BE", "UTF-16 BE");
}

TEST(Encoding, GbkIsReadWithAWarning) {
  expect_read_with_warning(gbk(kUtf8Playlist), "GBK (Notepad's \"ANSI\")", "GBK");
}

TEST(Encoding, PositionsStayRightInGbkAndUtf16) {
  const std::string bad = "[campaign]\r\nid = \"x\"\r\ntitle = “安全生产月”\r\n";
  for (const std::string& bytes : {bad, gbk(bad), utf16(bad, true)}) {
    const auto r = load_playlist_text(bytes, "p.toml", LoadOptions{});
    EXPECT_FALSE(r.campaign);
    bool found = false;
    for (const Diagnostic& d : r.diagnostics) found = found || (d.where.line == 3 && d.where.column == 9);
    EXPECT_TRUE(found) << dump(r.diagnostics);
  }
}

TEST(Encoding, BytesThatAreNoTextAreRefusedAtTheFirstBadByte) {
  const ScopedMessageLanguage zh(Language::zh_CN);
  const auto r = load_playlist_text("[campaign]\nid = \"x\"\ntitle = \"ab\xFF\xFF\"\n", "p.toml", LoadOptions{});
  EXPECT_FALSE(r.campaign);
  ASSERT_FALSE(r.diagnostics.empty());
  EXPECT_EQ(r.diagnostics[0].where.line, 3);
  EXPECT_EQ(r.diagnostics[0].where.column, 12);
  EXPECT_NE(r.diagnostics[0].message.find("UTF-8"), std::string::npos) << r.diagnostics[0].message;
}

}  // namespace
}  // namespace signage
