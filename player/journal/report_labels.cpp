#include "journal/report_labels.h"

#include <cstdio>

#include "core/i18n.h"
#include "journal/report_time.h"

namespace signage {

namespace {

// The words in English, marked for translation: the Chinese ones are in
// po/zh_CN.po, like every other message of the player.
const ReportLabels kEn = {
    .lang_tag = "en",
    .title = N_("Safety publicity on electronic screens: play statistics"),
    .unit = N_("Reporting unit"),
    .period = N_("Period"),
    .period_pattern = N_("{from} to {to}"),
    .campaigns = N_("Campaigns"),
    .chain = N_("Journal check"),
    .intact = N_("intact"),
    .broken = N_("BROKEN"),
    .as_of = N_("As of"),
    .dark_screens = N_("Dark screens"),
    .none = N_("none"),
    .note = N_("Plays count only main-zone items (slogans, pictures, videos) that were on screen: "
              "complete = shown for the planned time (within 0.5 s), partial = shown for less, "
              "interrupted = cut by an emergency or a stop, skipped = could not be shown (no time). "
              "Minutes shown is the main zone's time on screen; a play across midnight is split between "
              "the two days. The ticker and the header run beside the main zone at the same time and are "
              "counted apart, never added to the minutes shown. Every record carries the SHA-256 of the "
              "record before it, so any edit, deletion or insertion is detected."),
    .sec_summary = N_("1. Summary"),
    .sec_screens = N_("2. Screens and units"),
    .sec_items = N_("3. What was shown"),
    .sec_item_days = N_("4. What was shown, day by day"),
    .sec_days = N_("5. Per day"),
    .sec_screen_days = N_("6. Each screen each day: running time check"),
    .sec_bands = N_("7. Ticker and header (beside the main zone, not in the minutes shown)"),
    .sec_campaigns = N_("8. Per campaign"),
    .sec_charts = N_("9. Charts"),
    .chart_days = N_("Minutes shown per day"),
    .chart_items = N_("Minutes shown per item"),
    .sec_evidence = N_("Annex: evidence pictures"),
    .sec_sign = N_("Filled in and reviewed"),
    .sum_contents = N_("Publicity items on screens"),
    .sum_contents_pattern = N_("{n} (slogans {slogans}, pictures {images}, videos {videos})"),
    .sum_plays = N_("Plays"),
    .sum_plays_pattern = N_("{n} plays"),
    .sum_time = N_("Time shown"),
    .sum_time_pattern = N_("{hours} h {minutes} min ({total} minutes)"),
    .sum_screens = N_("Screens"),
    .sum_screens_pattern = N_("{n} screens"),
    .sum_days = N_("Days"),
    .sum_days_pattern = N_("{n} days"),
    .sum_running = N_("Screens' running time"),
    .sum_bands = N_("Ticker"),
    .sum_bands_pattern = N_("{passes} passes, band showing for {minutes} minutes (beside the main zone, not in the "
              "time shown)"),
    .sum_check = N_("Time check"),
    .check_ok = N_("on every screen and day, the time shown fits in the running time"),
    .check_bad_pattern = N_("{n} screen days show more than their running time (overlapping plays); see part 6"),
    .sum_clock = N_("Clocks in step"),
    .clock_ok_pattern = N_("every screen's clock within {limit} ms (largest offset {largest} ms)"),
    .clock_bad_pattern = N_("{n} screens' clocks were off by more than {limit} ms, so they were out of step with their "
                            "neighbours: {list}"),
    .clock_peak_pattern = N_("{screen} ({ms} ms at {time}, {source})"),
    .h_no = N_("No."),
    .h_screen = N_("Screen"),
    .h_organisation = N_("Unit"),
    .h_location = N_("Location"),
    .h_contact = N_("Contact / phone"),
    .h_running = N_("Running (min)"),
    .h_plays = N_("Plays"),
    .h_complete = N_("Complete"),
    .h_partial = N_("Partial"),
    .h_interrupted = N_("Interrupted"),
    .h_skipped = N_("Skipped"),
    .h_minutes = N_("Minutes shown"),
    .h_days_on_air = N_("Days on air"),
    .h_band_passes = N_("Ticker passes"),
    .h_bands_minutes = N_("Band time (min)"),
    .h_heartbeat = N_("Heartbeat"),
    .h_content = N_("Content"),
    .h_type = N_("Type"),
    .h_campaign = N_("Campaign"),
    .h_campaign_title = N_("Campaign title"),
    .h_first = N_("First shown"),
    .h_last = N_("Last shown"),
    .h_date = N_("Date"),
    .h_times = N_("Times"),
    .h_day_minutes = N_("Min"),
    .h_total = N_("Total"),
    .h_screens = N_("Screens"),
    .h_check = N_("Check"),
    .h_text = N_("Text"),
    .h_pass_minutes = N_("Passing time (min)"),
    .h_basis = N_("Running time from"),
    .h_kind = N_("Kind"),
    .h_level = N_("Level"),
    .h_item = N_("Item"),
    .h_site = N_("Site"),
    .t_slogan = N_("slogan"),
    .t_image = N_("picture"),
    .t_video = N_("video"),
    .t_ticker = N_("ticker"),
    .t_header = N_("header"),
    .within = N_("✓ fits"),
    .over = N_("✗ over the running time"),
    .basis_start_stop = N_("start/stop records"),
    .basis_span = N_("span of records"),
    .basis_heartbeats = N_("heartbeats"),
    .source_journal = N_("journal"),
    .source_central = N_("central log"),
    .seconds_pattern = N_(" ({s} s)"),
    .online = N_("online"),
    .offline = N_("DARK"),
    .no_heartbeat = N_("no heartbeat"),
    .last_heartbeat_pattern = N_("last heartbeat {time} (every {interval} s)"),
    .central_pattern = N_("central copy: {records} records, seq {first}-{last}"),
    .central_duplicates = N_("{n} duplicates removed"),
    .central_missing = N_("MISSING {n} (seq {list})"),
    .central_conflict = N_("seq {seq} arrived with two different contents"),
    .central_broken_link = N_("the chain breaks before seq {seq}"),
    .central_anchor = N_("a heartbeat anchors seq {seq} with a hash the central copy's line does not have"),
    .central_ok = N_("chain links checked: {links}, heartbeat anchors matching: {anchors}"),
    .journal_ok_pattern = N_("{records} records, {pictures} evidence pictures match"),
    .journal_broken_pattern = N_("{where}: {why}"),
    .list_sep = N_(", "),
    .sign_unit = N_("Unit (stamp)"),
    .sign_filler = N_("Filled in by"),
    .sign_phone = N_("Phone"),
    .sign_reviewer = N_("Reviewed by"),
    .sign_date = N_("Date filled in"),
    .sign_date_blank = N_("____-__-__"),
    .sign_stamp = N_("Stamp"),
    .e_from_after_to = N_("report: --from {from} is after --to {to}; give a --from on or before --to."),
    .e_no_paths = N_("report: no journal folder given; name at least one journal or central log folder."),
    .e_missing = N_("report: {path} does not exist. Check the path; a screen's journal is usually "
              "/var/lib/signage/journal."),
    .e_unreadable = N_("report: cannot read {path}: {why}"),
    .e_no_campaign = N_("report: no play of campaign '{id}' from {from} to {to}. The campaigns there: {list}. Give "
              "one of them to --campaign, or leave --campaign out."),
    .e_no_campaign_none = N_("report: no play of campaign '{id}' from {from} to {to}, and no play of any campaign in "
              "that range. Check the dates (--from, --to) and the journal folders."),
    .e_bad_dates = N_("report: --from and --to take dates like 2024-06-01."),
    .e_bad_as_of = N_("report: --as-of: {why}"),
    .e_config = N_("report: the device config {file} has errors (above); fix them and run the report again."),
    .e_write = N_("report: cannot write {file}; check that its folder exists and can be written."),
    .e_xlsx = N_("report: cannot make the Excel file: {why}"),
    .w_broken = N_("report: warning: a journal chain is broken; the report flags it."),
    .w_breach = N_("report: warning: screen {screen} on {date} shows {main} minutes, more than its {running} "
              "minutes running: plays overlap; the report flags it."),
    .w_prefix = N_("report: warning: "),
};

// Every translatable field, to make the Chinese table from the English one.
constexpr const char* ReportLabels::*kFields[] = {
    &ReportLabels::title,
    &ReportLabels::unit,
    &ReportLabels::period,
    &ReportLabels::period_pattern,
    &ReportLabels::campaigns,
    &ReportLabels::chain,
    &ReportLabels::intact,
    &ReportLabels::broken,
    &ReportLabels::as_of,
    &ReportLabels::dark_screens,
    &ReportLabels::none,
    &ReportLabels::note,
    &ReportLabels::sec_summary,
    &ReportLabels::sec_screens,
    &ReportLabels::sec_items,
    &ReportLabels::sec_item_days,
    &ReportLabels::sec_days,
    &ReportLabels::sec_screen_days,
    &ReportLabels::sec_bands,
    &ReportLabels::sec_campaigns,
    &ReportLabels::sec_charts,
    &ReportLabels::chart_days,
    &ReportLabels::chart_items,
    &ReportLabels::sec_evidence,
    &ReportLabels::sec_sign,
    &ReportLabels::sum_contents,
    &ReportLabels::sum_contents_pattern,
    &ReportLabels::sum_plays,
    &ReportLabels::sum_plays_pattern,
    &ReportLabels::sum_time,
    &ReportLabels::sum_time_pattern,
    &ReportLabels::sum_screens,
    &ReportLabels::sum_screens_pattern,
    &ReportLabels::sum_days,
    &ReportLabels::sum_days_pattern,
    &ReportLabels::sum_running,
    &ReportLabels::sum_bands,
    &ReportLabels::sum_bands_pattern,
    &ReportLabels::sum_check,
    &ReportLabels::check_ok,
    &ReportLabels::check_bad_pattern,
    &ReportLabels::sum_clock,
    &ReportLabels::clock_ok_pattern,
    &ReportLabels::clock_bad_pattern,
    &ReportLabels::clock_peak_pattern,
    &ReportLabels::h_no,
    &ReportLabels::h_screen,
    &ReportLabels::h_organisation,
    &ReportLabels::h_location,
    &ReportLabels::h_contact,
    &ReportLabels::h_running,
    &ReportLabels::h_plays,
    &ReportLabels::h_complete,
    &ReportLabels::h_partial,
    &ReportLabels::h_interrupted,
    &ReportLabels::h_skipped,
    &ReportLabels::h_minutes,
    &ReportLabels::h_days_on_air,
    &ReportLabels::h_band_passes,
    &ReportLabels::h_bands_minutes,
    &ReportLabels::h_heartbeat,
    &ReportLabels::h_content,
    &ReportLabels::h_type,
    &ReportLabels::h_campaign,
    &ReportLabels::h_campaign_title,
    &ReportLabels::h_first,
    &ReportLabels::h_last,
    &ReportLabels::h_date,
    &ReportLabels::h_times,
    &ReportLabels::h_day_minutes,
    &ReportLabels::h_total,
    &ReportLabels::h_screens,
    &ReportLabels::h_check,
    &ReportLabels::h_text,
    &ReportLabels::h_pass_minutes,
    &ReportLabels::h_basis,
    &ReportLabels::h_kind,
    &ReportLabels::h_level,
    &ReportLabels::h_item,
    &ReportLabels::h_site,
    &ReportLabels::t_slogan,
    &ReportLabels::t_image,
    &ReportLabels::t_video,
    &ReportLabels::t_ticker,
    &ReportLabels::t_header,
    &ReportLabels::within,
    &ReportLabels::over,
    &ReportLabels::basis_start_stop,
    &ReportLabels::basis_span,
    &ReportLabels::basis_heartbeats,
    &ReportLabels::source_journal,
    &ReportLabels::source_central,
    &ReportLabels::seconds_pattern,
    &ReportLabels::online,
    &ReportLabels::offline,
    &ReportLabels::no_heartbeat,
    &ReportLabels::last_heartbeat_pattern,
    &ReportLabels::central_pattern,
    &ReportLabels::central_duplicates,
    &ReportLabels::central_missing,
    &ReportLabels::central_conflict,
    &ReportLabels::central_broken_link,
    &ReportLabels::central_anchor,
    &ReportLabels::central_ok,
    &ReportLabels::journal_ok_pattern,
    &ReportLabels::journal_broken_pattern,
    &ReportLabels::list_sep,
    &ReportLabels::sign_unit,
    &ReportLabels::sign_filler,
    &ReportLabels::sign_phone,
    &ReportLabels::sign_reviewer,
    &ReportLabels::sign_date,
    &ReportLabels::sign_date_blank,
    &ReportLabels::sign_stamp,
    &ReportLabels::e_from_after_to,
    &ReportLabels::e_no_paths,
    &ReportLabels::e_missing,
    &ReportLabels::e_unreadable,
    &ReportLabels::e_no_campaign,
    &ReportLabels::e_no_campaign_none,
    &ReportLabels::e_bad_dates,
    &ReportLabels::e_bad_as_of,
    &ReportLabels::e_config,
    &ReportLabels::e_write,
    &ReportLabels::e_xlsx,
    &ReportLabels::w_broken,
    &ReportLabels::w_breach,
    &ReportLabels::w_prefix,
};

ReportLabels translated(Language lang) {
  ReportLabels t = kEn;
  t.lang_tag = language_tag(lang).data();
  for (const auto field : kFields) t.*field = translate(lang, kEn.*field);
  return t;
}

}  // namespace

const ReportLabels& report_labels(ReportLang lang) {
  static const ReportLabels zh = translated(Language::zh_CN);
  return lang == ReportLang::en ? kEn : zh;
}

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
