// The report's model: plain values, aggregated from play records, that every
// renderer (report_render.h: CSV, Markdown, HTML, Excel, JSON) takes as its only
// input. Nothing here reads files; ReportBuilder takes records one at a time.
//
// Counting rules (docs/journal-format.md, "Report"):
//  - Screen time is never counted twice. A record's kind comes from `item_type`:
//    `ticker` and `header` are bands, shown beside the main zone at the same time;
//    everything else is a main-zone item. Main-zone and band figures are kept apart
//    everywhere, and only main-zone time is "播放时长 / minutes shown".
//  - A play is counted (plays, outcome) on the local date of its `start`; its time
//    on screen is [start, start + shown_s], split at local midnight between the days
//    it covers, so a day's minutes are what was on screen during that day.
//  - Outcomes: skipped (not on screen, no time); interrupted (cut by an emergency or
//    a stop); partial (on screen for less than planned_s - 0.5 s, whatever the record
//    says: journals written before `partial` existed say `complete` for such plays);
//    complete (on screen for its planned time, within 0.5 s).
//  - A screen's running time comes from its records: a `start` record opens a
//    session, a `stop` record closes it, every record in between (a play's whole
//    span, an event's time, a heartbeat of the central log) extends it; a session
//    without a `stop` (a crash, a power cut) ends at its last record; records with no
//    `start` before them form a session from the first to the last. Heartbeats that
//    follow each other within 3 of their intervals are running time too.
//  - The invariant, checked on every report: on each screen and day, main-zone
//    minutes <= running minutes (ScreenDay::within()). A breach means plays overlap
//    (the same screen id on two boxes, a record copied with a new seq); the report
//    shows it.
//
// Thread: any; values only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "journal/central.h"
#include "journal/verify.h"

namespace signage {

// Where a record was shown: the main zone, or a band beside it.
enum class PlayKind { item, ticker, header };
const char* to_string(PlayKind kind);  // "item", "ticker", "header"
PlayKind play_kind(const std::string& item_type);

// A play is complete when shown for at least planned_s minus this.
inline constexpr std::int64_t kCompleteToleranceMs = 500;

// Plays of something, by outcome, and their time on screen.
struct Tally {
  std::uint64_t complete = 0;
  std::uint64_t partial = 0;
  std::uint64_t interrupted = 0;
  std::uint64_t skipped = 0;
  std::int64_t shown_ms = 0;  // time on screen, in whole milliseconds (records have ms)
  std::string first_shown;    // earliest and latest `start` of a play on screen, as written
  std::string last_shown;

  // Plays on screen: complete + partial + interrupted.
  std::uint64_t plays() const { return complete + partial + interrupted; }
  double minutes() const { return static_cast<double>(shown_ms) / 60000.0; }
  void add(const Tally& other);
};

// What was shown, as the reviewer reads it.
struct Content {
  PlayKind kind = PlayKind::item;
  std::string campaign;
  std::string item;       // item id; for a band its [ticker] id, or "header"
  std::string item_type;  // slogan, image, video, ticker, header
  std::string text;       // slogan or band text as recorded
  std::string media;      // media file as written in the playlist
  std::optional<double> media_duration_s;  // the video file's own length
  // First 30 characters of the text (line breaks as spaces, "…" when cut); else the
  // media file's name, with the video's length ("evacuation.mp4 (30 s)" is built
  // by the renderers from media_name and media_duration_s); else the item id.
  std::string label;
  std::string media_name;  // file name of `media`, without folders
};

// One thing shown, over the whole range and per day.
struct ContentRow {
  Content content;
  Tally total;
  std::map<Date, Tally> by_day;   // only days with plays or time
  std::set<std::string> screens;  // screens that showed it
};

// One screen, or a band on it, on one content on one day (the finest grain).
struct ContentDay {
  std::size_t content = 0;  // index into Report::items (main) or Report::bands (bands)
  Tally tally;
};

// One screen on one local day.
struct ScreenDay {
  std::string screen;
  Date date;
  std::int64_t running_ms = 0;  // how long the player ran that day
  Tally main;                   // main-zone plays
  std::int64_t ticker_ms = 0;   // time the ticker band showed text (overlapping passes once)
  std::int64_t header_ms = 0;   // time the header band was up
  std::uint64_t band_passes = 0;
  std::vector<ContentDay> items;  // by index
  std::vector<ContentDay> bands;

  std::int64_t bands_ms() const { return ticker_ms + header_ms; }
  // The invariant: main-zone time fits in the running time.
  bool within() const { return main.shown_ms <= running_ms; }
};

// How a screen's running time was found (a reader may want to know).
struct RunningBasis {
  bool start_stop = false;   // start/stop records
  bool span = false;         // records without a start before them
  bool heartbeats = false;   // central log heartbeats
};

// Who a screen belongs to: from --config, or from its own start records.
struct ScreenIdentity {
  std::string screen;
  std::string site;
  std::string organisation;  // 填报单位
  std::string location;
  std::string contact;       // 联系人/电话
};

// One journal folder, or one screen of the central log.
struct ScreenChain {
  std::filesystem::path dir;
  std::string screen;  // from its records (the folder name when it has none)
  std::string site;
  VerifyResult verify;  // for a central copy: ok = central->intact()
  std::optional<CentralScreen> central;  // set when the screen comes from the central log
};

struct ScreenRow {
  ScreenIdentity who;
  std::vector<std::size_t> chains;  // indexes into Report::chains
  std::int64_t running_ms = 0;
  Tally main;
  std::uint64_t band_passes = 0;
  std::int64_t bands_ms = 0;
  std::size_t days_on_air = 0;      // days with a main-zone play
  RunningBasis basis;

  bool intact(const std::vector<ScreenChain>& all) const;
};

struct CampaignRow {
  std::string id;
  std::string title;
  Tally main;
  std::uint64_t band_passes = 0;
  std::int64_t band_ms = 0;  // sum of pass times (passes may overlap)
  std::size_t days_on_air = 0;
};

// Every date of the range, plays or not, over all screens.
struct DayRow {
  Date date;
  Tally main;
  std::int64_t running_ms = 0;
  std::uint64_t band_passes = 0;
  std::int64_t bands_ms = 0;
  std::size_t screens = 0;  // screens with a main-zone play that day
};

// The summary lines, in the words of the bureau's statistics table.
struct Summary {
  std::size_t contents = 0;  // 电子屏宣传: distinct slogans, pictures and videos shown
  std::size_t slogans = 0;
  std::size_t images = 0;
  std::size_t videos = 0;
  std::uint64_t plays = 0;   // 播放次数 (main zone)
  std::int64_t shown_ms = 0; // 播放时长 (main zone)
  std::size_t screens = 0;   // 屏幕数: screens with a main-zone play
  std::size_t days = 0;      // 天数: dates with a main-zone play
  std::int64_t running_ms = 0;
  std::uint64_t band_passes = 0;
  std::int64_t bands_ms = 0;
};

// A thumbnail for the HTML report: the first picture of each item on each screen.
struct EvidenceShot {
  std::filesystem::path file;  // absolute
  std::string screen;
  std::string campaign;
  std::string item;
  std::string label;           // the content's label
  std::string start;
};

// The largest clock offset a screen's heartbeats reported in the range.
struct ClockPeak {
  std::string screen;
  double offset_ms = 0;
  std::string time;    // of that heartbeat, as the screen wrote it
  std::string source;  // who kept the clock then ("chrony", "timesyncd", ...)
};

struct Report {
  // Screens whose clock was off by more than this are out of step with their neighbours.
  static constexpr double kOutOfStepMs = 50;

  Date from;
  Date to;
  std::optional<std::string> campaign;  // the filter, if any
  Instant as_of{};                      // the moment dark screens are judged at
  ScreenIdentity unit;                  // the reporting unit (organisation, contact)
  std::vector<ScreenChain> chains;      // in the order of the folders given
  std::vector<ScreenRow> screens;       // by screen id
  std::vector<CampaignRow> campaigns;   // by id
  std::vector<ContentRow> items;        // main zone, by campaign, item id, label
  std::vector<ContentRow> bands;        // tickers and headers, likewise
  std::vector<ScreenDay> screen_days;   // by screen, then date; days it ran or played
  std::vector<DayRow> days;             // every date from `from` to `to`
  Summary summary;
  std::vector<EvidenceShot> evidence;
  std::vector<std::string> problems;    // central log lines that could not be read
  std::vector<ClockPeak> clock_peaks;   // per screen whose heartbeats said, by screen id

  bool all_chains_intact() const;
  bool has_central() const;
  // Screen days whose main-zone minutes exceed the running minutes (should be none).
  std::vector<const ScreenDay*> breaches() const;
  std::vector<const ScreenChain*> dark_screens() const;
  // Screens whose clock offset exceeded kOutOfStepMs in the range.
  std::vector<const ClockPeak*> out_of_step() const;
};

// Plays of one content on one screen and one local day, aggregated before they
// reach the builder (the central database does it in SQL, journal/central_db.h) by
// the rules above: counted on the day of their start, time split at midnight.
struct PlayGroup {
  std::string screen;
  Date date;                 // the day the counts and shown_ms belong to
  std::string campaign;      // the records' fields, as add_record() reads them
  std::string item;
  std::string item_type;     // not ticker or header: bands come as records
  std::string text;
  std::string media;
  std::optional<double> media_duration_s;
  std::string campaign_title;  // of these plays ("" when they have none)
  std::uint64_t last_seq = 0;  // the highest seq among them (which title is the last)
  Tally tally;               // plays started that day, by outcome; time shown that day
};

// Turns records into a Report. Feed every record of every source (duplicates by
// (screen, seq) are dropped), then finish(). Not thread-safe.
//
// A source that aggregates (the central database) feeds its records that need a
// rule only the builder has with add_record() FIRST, in (screen, seq) order, and
// then the rest as add_play_group(), add_play_span() and add_site(); a source that
// aggregates must be the only source (aggregates cannot be de-duplicated).
class ReportBuilder {
 public:
  ReportBuilder(Date from, Date to, std::optional<std::string> campaign);
  ~ReportBuilder();
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  // One journal record of `screen` (the record's own `screen`, or for events, which
  // carry none, the screen of the journal or central folder it came from).
  // `evidence_file`: the record's picture, when it exists.
  void add_record(const std::string& screen, const nlohmann::json& record,
                  const std::filesystem::path& evidence_file = {});
  // A heartbeat of the central log: its time as the screen wrote it, its interval and
  // its clock's offset.
  void add_heartbeat(const std::string& screen, const LastHeartbeat& heartbeat);
  // Plays aggregated to the finest grain. Groups with plays of a day before `from`
  // count nothing but their title; the campaign filter is applied here.
  void add_play_group(const PlayGroup& group);
  // Consecutive plays of `screen` (by seq, with no other record of the screen
  // between them): from the first's seq, they ran from `a` to `b`; `offset` is the
  // first's. Counts as their marks would for the running time.
  void add_play_span(const std::string& screen, std::uint64_t first_seq, Instant a, Instant b,
                     std::chrono::seconds offset);
  // The site named by a record of `screen` with this seq; the highest seq wins.
  void add_site(const std::string& screen, const std::string& site, std::uint64_t seq);
  // Campaign ids with a play in the range, whatever the campaign filter.
  std::set<std::string> campaigns_in_range() const;
  // The model; `identities` (from --config) win over what the records say.
  Report finish(std::vector<ScreenChain> chains, const std::vector<ScreenIdentity>& identities);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace signage
