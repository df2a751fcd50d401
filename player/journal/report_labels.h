// Every word the report shows a reader or prints as a message: one table, written
// in English and marked for translation (N_()), translated into Chinese through the
// player's catalog (core/i18n.h, po/zh_CN.po), so that a wording is one place to
// change. Patterns take named arguments ("{screen}") filled by fill().
// Thread: any; constant data (the Chinese table is made once, on first use).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "core/time.h"

namespace signage {

enum class ReportLang { zh, en };

struct ReportLabels {
  // The page.
  const char* lang_tag;        // html lang=
  const char* title;
  const char* unit;            // 填报单位
  const char* period;
  const char* period_pattern;  // {from} {to}
  const char* campaigns;
  const char* chain;
  const char* intact;
  const char* broken;
  const char* as_of;
  const char* dark_screens;
  const char* none;
  const char* note;            // what counts as what
  // Section titles.
  const char* sec_summary;
  const char* sec_screens;
  const char* sec_items;
  const char* sec_item_days;
  const char* sec_days;
  const char* sec_screen_days;
  const char* sec_bands;
  const char* sec_campaigns;
  const char* sec_charts;
  const char* chart_days;
  const char* chart_items;
  const char* sec_evidence;
  const char* sec_sign;
  // Summary lines, in the words of the bureau's table.
  const char* sum_contents;          // 电子屏宣传
  const char* sum_contents_pattern;  // {n} {slogans} {images} {videos}
  const char* sum_plays;
  const char* sum_plays_pattern;     // {n}
  const char* sum_time;
  const char* sum_time_pattern;      // {hours} {minutes} {total}
  const char* sum_screens;
  const char* sum_screens_pattern;
  const char* sum_days;
  const char* sum_days_pattern;
  const char* sum_running;
  const char* sum_bands;
  const char* sum_bands_pattern;     // {passes} {minutes}
  const char* sum_check;
  const char* check_ok;
  const char* check_bad_pattern;     // {n}
  const char* sum_clock;
  const char* clock_ok_pattern;      // {limit} {largest}
  const char* clock_bad_pattern;     // {n} {limit} {list}
  const char* clock_peak_pattern;    // {screen} {ms} {time} {source}
  // Column heads.
  const char* h_no;
  const char* h_screen;
  const char* h_organisation;
  const char* h_location;
  const char* h_contact;
  const char* h_running;
  const char* h_plays;
  const char* h_complete;
  const char* h_partial;
  const char* h_interrupted;
  const char* h_skipped;
  const char* h_minutes;
  const char* h_days_on_air;
  const char* h_band_passes;
  const char* h_bands_minutes;
  const char* h_heartbeat;
  const char* h_content;
  const char* h_type;
  const char* h_campaign;
  const char* h_campaign_title;
  const char* h_first;
  const char* h_last;
  const char* h_date;
  const char* h_times;          // item x day: times shown
  const char* h_day_minutes;    // item x day: minutes
  const char* h_total;
  const char* h_screens;
  const char* h_check;
  const char* h_text;
  const char* h_pass_minutes;
  const char* h_basis;
  const char* h_kind;
  const char* h_level;
  const char* h_item;
  const char* h_site;
  // Values.
  const char* t_slogan;
  const char* t_image;
  const char* t_video;
  const char* t_ticker;
  const char* t_header;
  const char* within;
  const char* over;
  const char* basis_start_stop;
  const char* basis_span;
  const char* basis_heartbeats;
  const char* source_journal;
  const char* source_central;
  const char* seconds_pattern;  // {s}: a video's length
  const char* online;
  const char* offline;
  const char* no_heartbeat;
  const char* last_heartbeat_pattern;  // {time} {interval}
  const char* central_pattern;         // {records} {first} {last}
  const char* central_duplicates;      // {n}
  const char* central_missing;         // {n} {list}
  const char* central_conflict;        // {seq}
  const char* central_broken_link;     // {seq}
  const char* central_anchor;          // {seq}
  const char* central_ok;              // {links} {anchors}
  const char* journal_ok_pattern;      // {records} {pictures}
  const char* journal_broken_pattern;  // {where} {why}
  const char* list_sep;
  // The block to sign and stamp.
  const char* sign_unit;
  const char* sign_filler;
  const char* sign_phone;
  const char* sign_reviewer;
  const char* sign_date;
  const char* sign_date_blank;
  const char* sign_stamp;
  // Messages (errors and warnings of `signage report`).
  const char* e_from_after_to;       // {from} {to}
  const char* e_no_paths;
  const char* e_missing;             // {path}
  const char* e_unreadable;          // {path} {why}
  const char* e_no_campaign;         // {id} {from} {to} {list}
  const char* e_no_campaign_none;    // {id} {from} {to}
  const char* e_bad_dates;
  const char* e_bad_as_of;           // {why}
  const char* e_config;              // {file}
  const char* e_write;               // {file}
  const char* e_xlsx;                // {why}
  const char* w_broken;
  const char* w_breach;              // {screen} {date} {main} {running}
  const char* w_prefix;
};

const ReportLabels& report_labels(ReportLang lang);

// `pattern` with each "{name}" replaced by its value.
std::string fill(std::string_view pattern, std::initializer_list<std::pair<std::string_view, std::string>> args);

// "2024年6月16日" / "2024-06-16".
std::string report_date(Date date, ReportLang lang);
// "6月16日" / "06-16": a column head where the year is in the title.
std::string report_short_date(Date date, ReportLang lang);
// "2024-06-16T08:00:03.120+08:00" -> "2024年6月16日 08:00" / "2024-06-16 08:00"
// (local time as written); other text comes back unchanged.
std::string report_time(const std::string& iso, ReportLang lang);
// Minutes with two decimals: "839.65".
std::string report_minutes(std::int64_t ms);

}  // namespace signage
