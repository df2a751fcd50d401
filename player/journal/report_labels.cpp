#include "journal/report_labels.h"

#include <cstdio>

#include "journal/report_time.h"

namespace signage {

namespace {

const ReportLabels kZh = {
    .lang_tag = "zh-CN",
    .title = "电子屏安全宣传播放统计表",
    .unit = "填报单位",
    .period = "统计期间",
    .period_pattern = "{from}至{to}",
    .campaigns = "宣传活动",
    .chain = "日志校验",
    .intact = "完整",
    .broken = "已损坏",
    .as_of = "截至",
    .dark_screens = "离线屏幕",
    .none = "无",
    .note = "播放次数只计主画面（标语、图片、视频）在屏上显示过的次数：完整 = 按计划时长显示（误差不超过 0.5 秒），"
            "部分 = 显示时间短于计划，中断 = 被紧急插播或关机打断，跳过 = 未能显示（不计时长）。"
            "播放时长是主画面在屏上的时间，跨零点的播放按实际时间分到两天。滚动字幕和标题栏与主画面同时显示，"
            "单独统计，不计入播放时长。每条记录都带有前一条记录的 SHA-256，任何修改、删除或插入都会被发现。",
    .sec_summary = "一、汇总",
    .sec_screens = "二、屏幕与单位",
    .sec_items = "三、宣传内容",
    .sec_item_days = "四、宣传内容逐日播放",
    .sec_days = "五、每日汇总",
    .sec_screen_days = "六、每屏每日运行核对",
    .sec_bands = "七、滚动字幕与标题栏（与主画面同时显示，不计入播放时长）",
    .sec_campaigns = "八、按宣传活动",
    .sec_charts = "九、图表",
    .chart_days = "每日播放时长（分钟）",
    .chart_items = "各宣传内容播放时长（分钟）",
    .sec_evidence = "附件：播放画面截图",
    .sec_sign = "填报与审核",
    .sum_contents = "电子屏宣传",
    .sum_contents_pattern = "{n} 项（标语 {slogans} 条、图片 {images} 幅、视频 {videos} 部）",
    .sum_plays = "播放次数",
    .sum_plays_pattern = "{n} 次",
    .sum_time = "播放时长",
    .sum_time_pattern = "{hours} 小时 {minutes} 分钟（共 {total} 分钟）",
    .sum_screens = "屏幕数",
    .sum_screens_pattern = "{n} 块",
    .sum_days = "天数",
    .sum_days_pattern = "{n} 天",
    .sum_running = "屏幕运行时长",
    .sum_bands = "滚动字幕",
    .sum_bands_pattern = "{passes} 遍，字幕条显示 {minutes} 分钟（与主画面同时显示，不计入播放时长）",
    .sum_check = "时长核对",
    .check_ok = "每块屏幕每天的播放时长都不超过其运行时长",
    .check_bad_pattern = "有 {n} 个屏幕日的播放时长超过运行时长（播放记录重叠），见第六部分",
    .h_no = "序号",
    .h_screen = "屏幕编号",
    .h_organisation = "单位",
    .h_location = "位置",
    .h_contact = "联系人/电话",
    .h_running = "运行时长（分钟）",
    .h_plays = "播放次数",
    .h_complete = "完整",
    .h_partial = "部分",
    .h_interrupted = "中断",
    .h_skipped = "跳过",
    .h_minutes = "播放时长（分钟）",
    .h_days_on_air = "在播天数",
    .h_band_passes = "字幕遍数",
    .h_bands_minutes = "字幕条时长（分钟）",
    .h_heartbeat = "心跳",
    .h_content = "宣传内容",
    .h_type = "类型",
    .h_campaign = "活动编号",
    .h_campaign_title = "活动名称",
    .h_first = "首次播放",
    .h_last = "最后播放",
    .h_date = "日期",
    .h_times = "次数",
    .h_day_minutes = "分钟",
    .h_total = "合计",
    .h_screens = "屏幕数",
    .h_check = "核对",
    .h_text = "文字",
    .h_pass_minutes = "滚动时长（分钟）",
    .h_basis = "运行时长依据",
    .h_kind = "种类",
    .h_level = "级别",
    .h_item = "内容编号",
    .h_site = "场所",
    .t_slogan = "标语",
    .t_image = "图片",
    .t_video = "视频",
    .t_ticker = "滚动字幕",
    .t_header = "标题栏",
    .within = "✓ 未超出",
    .over = "✗ 超出运行时长",
    .basis_start_stop = "开机/关机记录",
    .basis_span = "记录时间跨度",
    .basis_heartbeats = "心跳",
    .source_journal = "本机日志",
    .source_central = "中央日志",
    .seconds_pattern = "（{s} 秒）",
    .online = "在线",
    .offline = "离线",
    .no_heartbeat = "没有心跳",
    .last_heartbeat_pattern = "最后心跳 {time}（每 {interval} 秒）",
    .central_pattern = "中央副本 {records} 条记录，序号 {first}-{last}",
    .central_duplicates = "去除重复 {n} 条",
    .central_missing = "缺少 {n} 条（序号 {list}）",
    .central_conflict = "序号 {seq} 收到两种不同内容",
    .central_broken_link = "序号 {seq} 之前链条断开",
    .central_anchor = "心跳锚定的序号 {seq} 与中央副本不符",
    .central_ok = "链接核对 {links} 处，心跳锚定相符 {anchors} 次",
    .journal_ok_pattern = "{records} 条记录，{pictures} 张截图相符",
    .journal_broken_pattern = "{where}：{why}",
    .list_sep = "、",
    .sign_unit = "填报单位（盖章）",
    .sign_filler = "填报人",
    .sign_phone = "联系电话",
    .sign_reviewer = "审核人",
    .sign_date = "填报日期",
    .sign_date_blank = "　　　　年　　月　　日",
    .sign_stamp = "单位盖章",
    .e_from_after_to = "报表：开始日期 {from} 晚于结束日期 {to}。请让 --from 不晚于 --to。",
    .e_no_paths = "报表：没有给出日志文件夹。请写出至少一个日志文件夹或中央日志文件夹。",
    .e_missing = "报表：找不到 {path}（没有这个文件夹或文件）。请检查路径；屏幕上的日志通常在 /var/lib/signage/journal。",
    .e_unreadable = "报表：无法读取 {path}：{why}",
    .e_no_campaign = "报表：{from}至{to}期间没有宣传活动“{id}”的播放记录。这期间有这些活动：{list}。"
                     "请在 --campaign 后写其中之一，或者不写 --campaign。",
    .e_no_campaign_none = "报表：{from}至{to}期间没有宣传活动“{id}”的播放记录，这期间也没有任何播放记录。"
                          "请检查日期（--from、--to）和日志文件夹。",
    .e_bad_dates = "报表：--from 和 --to 要写成 2024-06-01 这样的日期。",
    .e_bad_as_of = "报表：--as-of 写得不对：{why}",
    .e_config = "报表：设备配置 {file} 有错误（见上面），请改正后再试。",
    .e_write = "报表：无法写入 {file}。请检查文件夹是否存在、是否有写权限。",
    .e_xlsx = "报表：无法生成 Excel 文件：{why}",
    .w_broken = "报表：警告：有日志校验未通过，报表中已标出。",
    .w_breach = "报表：警告：屏幕 {screen} 在 {date} 的播放时长（{main} 分钟）超过运行时长（{running} 分钟），"
                "播放记录有重叠，报表中已标出。",
    .w_prefix = "报表：警告：",
};

const ReportLabels kEn = {
    .lang_tag = "en",
    .title = "Safety publicity on electronic screens: play statistics",
    .unit = "Reporting unit",
    .period = "Period",
    .period_pattern = "{from} to {to}",
    .campaigns = "Campaigns",
    .chain = "Journal check",
    .intact = "intact",
    .broken = "BROKEN",
    .as_of = "As of",
    .dark_screens = "Dark screens",
    .none = "none",
    .note = "Plays count only main-zone items (slogans, pictures, videos) that were on screen: complete = shown for "
            "the planned time (within 0.5 s), partial = shown for less, interrupted = cut by an emergency or a stop, "
            "skipped = could not be shown (no time). Minutes shown is the main zone's time on screen; a play across "
            "midnight is split between the two days. The ticker and the header run beside the main zone at the "
            "same time and are counted apart, never added to the minutes shown. Every record carries the SHA-256 "
            "of the record before it, so any edit, deletion or insertion is detected.",
    .sec_summary = "1. Summary",
    .sec_screens = "2. Screens and units",
    .sec_items = "3. What was shown",
    .sec_item_days = "4. What was shown, day by day",
    .sec_days = "5. Per day",
    .sec_screen_days = "6. Each screen each day: running time check",
    .sec_bands = "7. Ticker and header (beside the main zone, not in the minutes shown)",
    .sec_campaigns = "8. Per campaign",
    .sec_charts = "9. Charts",
    .chart_days = "Minutes shown per day",
    .chart_items = "Minutes shown per item",
    .sec_evidence = "Annex: evidence pictures",
    .sec_sign = "Filled in and reviewed",
    .sum_contents = "Publicity items on screens",
    .sum_contents_pattern = "{n} (slogans {slogans}, pictures {images}, videos {videos})",
    .sum_plays = "Plays",
    .sum_plays_pattern = "{n}",
    .sum_time = "Time shown",
    .sum_time_pattern = "{hours} h {minutes} min ({total} minutes)",
    .sum_screens = "Screens",
    .sum_screens_pattern = "{n}",
    .sum_days = "Days",
    .sum_days_pattern = "{n}",
    .sum_running = "Screens' running time",
    .sum_bands = "Ticker",
    .sum_bands_pattern = "{passes} passes, band showing for {minutes} minutes (beside the main zone, not in the time "
                         "shown)",
    .sum_check = "Time check",
    .check_ok = "on every screen and day, the time shown fits in the running time",
    .check_bad_pattern = "{n} screen days show more than their running time (overlapping plays); see part 6",
    .h_no = "No.",
    .h_screen = "Screen",
    .h_organisation = "Unit",
    .h_location = "Location",
    .h_contact = "Contact / phone",
    .h_running = "Running (min)",
    .h_plays = "Plays",
    .h_complete = "Complete",
    .h_partial = "Partial",
    .h_interrupted = "Interrupted",
    .h_skipped = "Skipped",
    .h_minutes = "Minutes shown",
    .h_days_on_air = "Days on air",
    .h_band_passes = "Ticker passes",
    .h_bands_minutes = "Band time (min)",
    .h_heartbeat = "Heartbeat",
    .h_content = "Content",
    .h_type = "Type",
    .h_campaign = "Campaign",
    .h_campaign_title = "Campaign title",
    .h_first = "First shown",
    .h_last = "Last shown",
    .h_date = "Date",
    .h_times = "Times",
    .h_day_minutes = "Min",
    .h_total = "Total",
    .h_screens = "Screens",
    .h_check = "Check",
    .h_text = "Text",
    .h_pass_minutes = "Passing time (min)",
    .h_basis = "Running time from",
    .h_kind = "Kind",
    .h_level = "Level",
    .h_item = "Item",
    .h_site = "Site",
    .t_slogan = "slogan",
    .t_image = "picture",
    .t_video = "video",
    .t_ticker = "ticker",
    .t_header = "header",
    .within = "✓ fits",
    .over = "✗ over the running time",
    .basis_start_stop = "start/stop records",
    .basis_span = "span of records",
    .basis_heartbeats = "heartbeats",
    .source_journal = "journal",
    .source_central = "central log",
    .seconds_pattern = " ({s} s)",
    .online = "online",
    .offline = "DARK",
    .no_heartbeat = "no heartbeat",
    .last_heartbeat_pattern = "last heartbeat {time} (every {interval} s)",
    .central_pattern = "central copy: {records} records, seq {first}-{last}",
    .central_duplicates = "{n} duplicates removed",
    .central_missing = "MISSING {n} (seq {list})",
    .central_conflict = "seq {seq} arrived with two different contents",
    .central_broken_link = "the chain breaks before seq {seq}",
    .central_anchor = "a heartbeat anchors seq {seq} with a hash the central copy's line does not have",
    .central_ok = "chain links checked: {links}, heartbeat anchors matching: {anchors}",
    .journal_ok_pattern = "{records} records, {pictures} evidence pictures match",
    .journal_broken_pattern = "{where}: {why}",
    .list_sep = ", ",
    .sign_unit = "Unit (stamp)",
    .sign_filler = "Filled in by",
    .sign_phone = "Phone",
    .sign_reviewer = "Reviewed by",
    .sign_date = "Date",
    .sign_date_blank = "",
    .sign_stamp = "Stamp",
    .e_from_after_to = "report: --from {from} is after --to {to}; give a --from on or before --to.",
    .e_no_paths = "report: no journal folder given; name at least one journal or central log folder.",
    .e_missing = "report: {path} does not exist. Check the path; a screen's journal is usually /var/lib/signage/journal.",
    .e_unreadable = "report: cannot read {path}: {why}",
    .e_no_campaign = "report: no play of campaign '{id}' from {from} to {to}. The campaigns there: {list}. "
                     "Give one of them to --campaign, or leave --campaign out.",
    .e_no_campaign_none = "report: no play of campaign '{id}' from {from} to {to}, and no play of any campaign in "
                          "that range. Check the dates (--from, --to) and the journal folders.",
    .e_bad_dates = "report: --from and --to take dates like 2024-06-01.",
    .e_bad_as_of = "report: --as-of: {why}",
    .e_config = "report: the device config {file} has errors (above); fix them and run the report again.",
    .e_write = "report: cannot write {file}; check that its folder exists and can be written.",
    .e_xlsx = "report: cannot make the Excel file: {why}",
    .w_broken = "report: warning: a journal chain is broken; the report flags it.",
    .w_breach = "report: warning: screen {screen} on {date} shows {main} minutes, more than its {running} minutes "
                "running: plays overlap; the report flags it.",
    .w_prefix = "report: warning: ",
};

}  // namespace

const ReportLabels& report_labels(ReportLang lang) { return lang == ReportLang::en ? kEn : kZh; }

std::string fill(std::string_view pattern, std::initializer_list<std::pair<std::string_view, std::string>> args) {
  std::string out;
  std::size_t pos = 0;
  while (pos < pattern.size()) {
    const std::size_t open = pattern.find('{', pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = pattern.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(pattern.substr(pos, open - pos));
    const std::string_view name = pattern.substr(open + 1, close - open - 1);
    bool found = false;
    for (const auto& [key, value] : args) {
      if (key == name) {
        out += value;
        found = true;
        break;
      }
    }
    if (!found) out.append(pattern.substr(open, close - open + 1));
    pos = close + 1;
  }
  out.append(pattern.substr(pos));
  return out;
}

std::string report_date(Date date, ReportLang lang) {
  if (lang == ReportLang::en) return format_date(date);
  return std::to_string(static_cast<int>(date.year())) + "年" + std::to_string(static_cast<unsigned>(date.month())) +
         "月" + std::to_string(static_cast<unsigned>(date.day())) + "日";
}

std::string report_short_date(Date date, ReportLang lang) {
  if (lang == ReportLang::en) return format_date(date).substr(5);
  return std::to_string(static_cast<unsigned>(date.month())) + "月" + std::to_string(static_cast<unsigned>(date.day())) +
         "日";
}

std::string report_time(const std::string& iso, ReportLang lang) {
  const auto date = date_prefix(iso);
  if (!date || iso.size() < 16 || (iso[10] != 'T' && iso[10] != ' ')) return iso;
  return report_date(*date, lang) + " " + iso.substr(11, 5);
}

std::string report_minutes(std::int64_t ms) {
  // Rounded half away from zero on exact milliseconds, so that every renderer and
  // a database computing the same sums print the same digits.
  const std::int64_t hundredths = (ms * 100 + (ms >= 0 ? 30000 : -30000)) / 60000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", hundredths < 0 ? "-" : "",
                static_cast<long long>(std::llabs(hundredths) / 100), static_cast<long long>(std::llabs(hundredths) % 100));
  return buf;
}

}  // namespace signage
