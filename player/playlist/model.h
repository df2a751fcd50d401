// The validated, plain-data form of the playlists in the drop folder. Built by the
// loader (playlist/loader.h), read by the scheduler and the renderer. No pointers
// into TOML: a PlaylistSet is a value that can be copied to another thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.h"
#include "core/time.h"

namespace signage {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// One daily window of wall-clock time. end <= start means it runs over midnight
// ("22:00-06:00"); "00:00-24:00" is the whole day.
struct TimeWindow {
  std::chrono::milliseconds start{0};
  std::chrono::milliseconds end{std::chrono::hours(24)};
  friend bool operator==(const TimeWindow&, const TimeWindow&) = default;
};

// When something may show. Every present constraint must hold:
//   starts <= date <= ends; date in `dates` (if any); date not in `except`;
//   weekday in `weekdays` (if any); time of day inside one of `hours` (if any).
// A window over midnight belongs to the day it starts on: "22:00-02:00" with
// weekdays = ["fri"] shows Friday 22:00 to Saturday 02:00.
struct When {
  std::optional<Date> starts;
  std::optional<Date> ends;
  std::vector<TimeWindow> hours;       // empty: all day
  std::uint8_t weekdays = 0x7F;        // bit i = weekday i (0 = Sunday)
  std::vector<Date> dates;             // empty: any date
  std::vector<Date> except;
};

enum class ItemType { slogan, image, video };
enum class Transition { cut, fade };
enum class Fit { contain, cover };  // contain: whole picture, letterboxed; cover: fill, cropped

enum class FontWeight { regular, bold };

// How text and its background look: on a slogan, the header band or the ticker band.
struct Style {
  Rgb background{0, 0, 0};
  Rgb color{255, 255, 255};
  std::filesystem::path background_image;  // resolved; empty: none
  FontWeight weight = FontWeight::regular;
  int margin = -1;                          // percent of the area's shorter side; -1: the default
  // For text over pictures: a line of `outline_width` px around each glyph, and a
  // shadow `shadow_offset` px to the right and down; nullopt: none.
  std::optional<Rgb> outline;
  int outline_width = 2;
  std::optional<Rgb> shadow;
  int shadow_offset = 3;
  friend bool operator==(const Style&, const Style&) = default;
};

// The named styles every playlist can use without defining them: the red and the
// blue banners of Chinese workplaces (bold yellow on red, bold white on blue).
// Playlists may define more in [styles.NAME] (and may not redefine these two).
inline constexpr std::string_view kBuiltinStyles[] = {"red-banner", "blue-banner"};
std::optional<Style> builtin_style(std::string_view name);

// How the screen is divided (in its turned, upright orientation): a header band at
// the top and a ticker band at the bottom, each in percent of the screen's height;
// the main zone (items) gets the rest. Unset: the device config's value, else the
// default (header 10 when the playlist has a [header], ticker 8 when it has ticker
// text, otherwise 0). A band of 0 is not there; both 0 is full screen.
struct Layout {
  std::optional<int> header;
  std::optional<int> ticker;
  friend bool operator==(const Layout&, const Layout&) = default;
};
inline constexpr int kMaxBandPercent = 40;

// The header band: campaign title, an optional logo and a clock/date.
struct Header {
  bool present = false;                   // the playlist has a [header]
  std::string title;                      // empty: the campaign title
  std::filesystem::path logo;             // resolved inside the media folder; empty: none
  bool clock = true;                      // "2024年6月16日 星期日 10:02" at the right
  Style style = *builtin_style("blue-banner");
  friend bool operator==(const Header&, const Header&) = default;
};

// Texts scrolling right to left across the ticker band, one after the other, looping.
struct Ticker {
  std::string id = "ticker";              // the journal's item id for each pass
  std::vector<std::string> texts;         // empty: no ticker
  double speed = 120;                     // pixels per second
  Style style = *builtin_style("red-banner");
  bool empty() const { return texts.empty(); }
  friend bool operator==(const Ticker&, const Ticker&) = default;
};

struct Item {
  std::string id;
  ItemType type = ItemType::slogan;
  std::string text;                       // slogan: UTF-8, '\n' forces a break
  std::string file;                       // image/video: as written, relative to the media folder
  std::filesystem::path path;             // image/video: resolved inside the media folder
  bool media_missing = false;             // file absent when loaded: left out of the rotation
  std::chrono::milliseconds duration{12'000};
  // Video without its own `duration`: plays for the file's length, which the player
  // reads from the file (resolve_video_durations) into `duration`.
  bool duration_from_media = false;
  // Video: the file's own length as read from its header off the render thread (the
  // start-up load, the set builder); 0: not known.
  std::chrono::milliseconds media_length{0};
  Transition transition = Transition::fade;
  Fit fit = Fit::contain;
  int volume = 100;                       // video: sound level 0..100
  bool mute = false;                      // video: no sound
  std::string hwdec;                      // video: overrides the device's [video] hwdec; empty: the device's
  Style style;
  When when;
  SourcePos pos;                          // where the item's table starts
};

struct Campaign {
  std::string id;
  std::string title;
  int priority = 0;
  When when;
  // [campaign] timezone: the zone its dates and hours (and its items') are read in,
  // whatever the box's zone. nullptr: the screen's zone ([screen] timezone, else the
  // box's). Immutable; shared between copies of the set.
  std::shared_ptr<const TimeZone> zone;
  std::vector<Item> items;
  Layout layout;                          // [layout]
  Header header;                          // [header]
  Ticker ticker;                          // [ticker]; empty() when there is none
  // Where the header's title is written: [header] title, else [campaign] title,
  // else its id (for `check --lines`).
  SourcePos title_pos;
  std::filesystem::path source;           // the playlist file
  std::string source_sha256;              // hex digest of the file's bytes
};

struct PlaylistSet {
  std::vector<Campaign> campaigns;        // sorted by source file name
};

std::string_view to_string(ItemType t);
std::string_view to_string(Transition t);

}  // namespace signage
