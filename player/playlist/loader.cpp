#include "playlist/loader.h"

#include "core/digest.h"


#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <system_error>
#include <utility>

#include "core/i18n.h"
#include "core/text_util.h"
#include "playlist/toml_check.h"
#include "text/prepare.h"

namespace signage {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using namespace tomlcheck;

constexpr std::string_view kTopKeys[] = {"campaign", "defaults", "item", "ticker", "layout", "header", "styles"};
constexpr std::string_view kCampaignKeys[] = {"id",    "title",    "priority", "starts", "ends",
                                              "hours", "weekdays", "dates",    "except", "timezone"};
constexpr std::string_view kDefaultsKeys[] = {"duration", "transition", "fit",   "style",
                                              "volume",   "mute",       "hwdec"};
constexpr std::string_view kStyleKeys[] = {"background", "color",         "background_image", "weight",
                                           "margin",     "outline",       "outline_width",    "shadow",
                                           "shadow_offset"};
constexpr int kMaxOutlinePx = 50;
constexpr std::string_view kItemKeys[] = {"id",    "type",       "text",   "file",   "duration",
                                          "transition", "fit",   "style",  "starts", "ends",
                                          "hours", "weekdays",   "dates",  "except", "volume",
                                          "mute",  "hwdec"};
constexpr std::string_view kTickerKeys[] = {"text", "id", "speed", "style"};
constexpr std::string_view kHeaderKeys[] = {"title", "logo", "clock", "style"};
constexpr double kMinTickerSpeed = 10;    // px/s
constexpr double kMaxTickerSpeed = 2000;
constexpr std::int64_t kMaxMargin = 30;   // percent

constexpr milliseconds kMinDuration{1'000};
constexpr milliseconds kMaxDuration{24 * 3'600'000};
constexpr std::int64_t kMaxPriority = 1000;


// What a [defaults].style or an item's style says; absent keys inherit.
// The text rules (text/prepare.h: limits, control characters, combining marks,
// nothing visible) reported at the text's node. False when the text is refused.
bool check_text_rules(const toml::node& at, std::string_view text, TextKind kind, Reporter& r) {
  bool ok = true;
  for (const TextProblem& p : prepare_text(text, kind).problems) {
    if (p.is_error()) {
      r.error(at, p.message);
      ok = false;
    } else {
      r.warning(at, p.message);
    }
  }
  return ok;
}

// A title (the campaign's, the header's) is drawn on one line like a ticker text and
// has the same rules about characters, with a shorter limit. A blank title is no
// error: the campaign's id stands in.
void check_title(const toml::node& at, std::string_view title, Reporter& r) {
  const PreparedText prepared = prepare_text(title, TextKind::ticker);
  if (count_chars(prepared.text) > kMaxTitleChars) {
    r.error(at, fmt(_("the title is longer than {1} characters; shorten it (the slogans are the place for long "
                      "text)"),
                    kMaxTitleChars));
  }
  for (const TextProblem& p : prepared.problems) {
    if (p.kind == TextProblem::Kind::control) r.error(at, p.message);
    if (p.kind == TextProblem::Kind::marks) r.warning(at, p.message);
  }
}

struct StyleOverride {
  std::optional<Rgb> background;
  std::optional<Rgb> color;
  std::optional<fs::path> background_image;  // empty path: explicitly none
  std::optional<FontWeight> weight;
  std::optional<int> margin;
  std::optional<Rgb> outline;
  std::optional<int> outline_width;
  std::optional<Rgb> shadow;
  std::optional<int> shadow_offset;

  static StyleOverride whole(const Style& s) {
    return StyleOverride{s.background, s.color,  s.background_image, s.weight,         s.margin,
                         s.outline,    s.outline_width, s.shadow,   s.shadow_offset};
  }
  void apply_to(Style& s) const {
    if (background) s.background = *background;
    if (color) s.color = *color;
    if (background_image) s.background_image = *background_image;
    if (weight) s.weight = *weight;
    if (margin) s.margin = *margin;
    if (outline) s.outline = *outline;
    if (outline_width) s.outline_width = *outline_width;
    if (shadow) s.shadow = *shadow;
    if (shadow_offset) s.shadow_offset = *shadow_offset;
  }
};

struct Defaults {
  milliseconds duration;
  Transition transition;
  Fit fit = Fit::contain;
  Style style;
  int volume = 100;
  bool mute = false;
  std::string hwdec;
};

// "media file 'x' not found; did you mean 'y'?" for a file that is there under a
// slightly different name.
std::string not_found_did_you_mean(const std::string& written, const std::string& similar) {
  return fmt(_("media file {1} not found; did you mean {2}? Names on the screen tell capital and small letters "
               "apart and include the folder: write file = \"{3}\" (or rename the file)"),
             quote(written), quote(similar), similar);
}

// Reads one parsed playlist into a Campaign, reporting every problem to `r`.
class PlaylistReader {
 public:
  PlaylistReader(Reporter& r, const LoadOptions& options)
      : r_(r), options_(options), media_(MediaRoot::of(options.media_root)) {}

  Campaign read(const toml::table& root) {
    check_keys(root, _("the top level of the file"), kTopKeys, r_);
    Campaign c;
    if (const toml::table* styles = get_table(root, "styles", r_)) read_styles(*styles);
    const toml::table* campaign = get_table(root, "campaign", r_);
    if (campaign == nullptr && !root.contains("campaign")) {
      r_.error(SourcePos{r_.file(), 1, 1}, _("missing required table [campaign]; start the file with [campaign] and its id"));
    }
    if (campaign != nullptr) read_campaign(*campaign, c);

    Defaults defaults{options_.default_duration, options_.default_transition, Fit::contain, Style{}, 100, false, {}};
    if (const toml::table* d = get_table(root, "defaults", r_)) read_defaults(*d, defaults);

    read_items(root, campaign, defaults, c);

    if (const toml::table* ticker = get_table(root, "ticker", r_)) read_ticker(*ticker, c.ticker);
    if (const toml::table* header = get_table(root, "header", r_)) read_header(*header, c.header, c.title_pos);
    if (const toml::table* layout = get_table(root, "layout", r_)) c.layout = get_layout(*layout, "[layout]", r_);
    return c;
  }

  const SourcePos& id_pos() const { return id_pos_; }

 private:
  void read_campaign(const toml::table& t, Campaign& c) {
    check_keys(t, "[campaign]", kCampaignKeys, r_);
    if (require(t, "id", "[campaign]", r_)) {
      id_pos_ = r_.pos(*t.get("id"));
      c.title_pos = id_pos_;
      if (auto id = get_id(t, "id", r_)) c.id = *id;
    }
    if (auto title = get_string(t, "title", r_)) {
      check_title(*t.get("title"), *title, r_);
      c.title = *title;
      c.title_pos = r_.pos(*t.get("title"));
    }
    if (c.title.empty()) c.title = c.id;
    if (auto prio = get_integer(t, "priority", r_)) {
      if (*prio < 0 || *prio > kMaxPriority) {
        r_.error(*t.get("priority"), fmt(_("'priority' must be between 0 and 1000, not {1}"), *prio));
      } else {
        c.priority = static_cast<int>(*prio);
      }
    }
    c.when = get_when(t, r_);
    Env& env = options_.env != nullptr ? *options_.env : real_env();
    c.zone = get_time_zone(t, "timezone", options_.zoneinfo, r_, env);
  }

  void read_defaults(const toml::table& t, Defaults& d) {
    check_keys(t, "[defaults]", kDefaultsKeys, r_);
    if (auto v = get_duration(t, "duration", kMinDuration, kMaxDuration, r_)) d.duration = *v;
    if (auto v = get_transition(t)) d.transition = *v;
    if (auto v = get_fit(t)) d.fit = *v;
    read_style(t, "[defaults.style]").apply_to(d.style);
    read_video_keys(t, d.volume, d.mute, d.hwdec);
  }

  // volume (0..100), mute and hwdec: for video items, ignored by the others.
  void read_video_keys(const toml::table& t, int& volume, bool& mute, std::string& hwdec) {
    if (auto v = get_integer(t, "volume", r_)) {
      if (*v < 0 || *v > 100) {
        r_.error(*t.get("volume"), fmt(_("'volume' must be between 0 and 100, not {1}"), *v));
      } else {
        volume = static_cast<int>(*v);
      }
    }
    if (const toml::node* n = t.get("mute")) {
      if (const auto* b = n->as_boolean()) {
        mute = b->get();
      } else {
        r_.error(*n, fmt(_("'{1}' must be true or false (without quotes)"), "mute"));
      }
    }
    if (auto h = get_hwdec(t, r_)) hwdec = *h;
  }

  std::optional<Transition> get_transition(const toml::table& t) {
    return get_choice<Transition>(t, "transition", {{"fade", Transition::fade}, {"cut", Transition::cut}},
                                  _("bad transition"), r_);
  }
  std::optional<Fit> get_fit(const toml::table& t) {
    return get_choice<Fit>(t, "fit", {{"contain", Fit::contain}, {"cover", Fit::cover}}, _("bad fit"), r_);
  }

  // [styles.NAME] tables: named styles for `style = "NAME"`.
  void read_styles(const toml::table& styles) {
    for (const auto& [key, node] : styles) {
      const std::string name(key.str());
      const toml::table* t = node.as_table();
      if (t == nullptr) {
        r_.error(node, fmt(_("[styles.{1}] must be a table of style keys, not {2}"), name, type_name(node.type())));
        continue;
      }
      if (!is_valid_id(name)) {
        r_.error(key, fmt(_("bad style name {1}; use letters, digits, '.', '_' and '-'"), quote(name)));
        continue;
      }
      if (builtin_style(name)) {
        r_.error(key, fmt(_("style {1} is built in and cannot be redefined; give yours another name"), quote(name)));
        continue;
      }
      Style st;
      style_keys(*t, "[styles." + name + "]").apply_to(st);
      styles_.emplace(name, st);
    }
  }

  // The style `key` of `parent`, if any: the name of a style (built in or from
  // [styles]) or a table of style keys (inline or not).
  StyleOverride read_style(const toml::table& parent, std::string_view where, std::string_view key = "style") {
    const toml::node* node = parent.get(key);
    if (node == nullptr) return {};
    if (const auto* name = node->as_string()) {
      if (auto it = styles_.find(name->get()); it != styles_.end()) return StyleOverride::whole(it->second);
      if (auto b = builtin_style(name->get())) return StyleOverride::whole(*b);
      std::string known;
      for (const auto& [n, st] : styles_) known += ", " + n;
      r_.error(*node, fmt(_("unknown style {1}; use red-banner, blue-banner{2} or define it in [styles.{3}]"),
                          quote(name->get()), known, name->get()));
      return {};
    }
    const toml::table* t = get_table(parent, key, r_);
    if (t == nullptr) return {};
    return style_keys(*t, where);
  }

  StyleOverride style_keys(const toml::table& t0, std::string_view where) {
    StyleOverride s;
    const toml::table* t = &t0;
    check_keys(*t, where, kStyleKeys, r_);
    s.weight = get_weight(*t, r_);
    if (auto m = get_integer(*t, "margin", r_)) {
      if (*m < 0 || *m > kMaxMargin) {
        r_.error(*t->get("margin"),
                 fmt(_("'margin' must be a percentage from 0 to {1} of the area's shorter side, not {2}"), kMaxMargin, *m));
      } else {
        s.margin = static_cast<int>(*m);
      }
    }
    s.background = get_colour(*t, "background", r_);
    s.color = get_colour(*t, "color", r_);
    s.outline = get_colour(*t, "outline", r_);
    s.shadow = get_colour(*t, "shadow", r_);
    for (const auto& [key, out] : {std::pair{"outline_width", &s.outline_width}, std::pair{"shadow_offset", &s.shadow_offset}}) {
      if (auto px = get_integer(*t, key, r_)) {
        if (*px < 1 || *px > kMaxOutlinePx) {
          r_.error(*t->get(key), fmt(_("{1} must be from 1 to {2} pixels, not {3}"), quote(key), kMaxOutlinePx, *px));
        } else {
          *out = static_cast<int>(*px);
        }
      }
    }
    if (auto file = get_string(*t, "background_image", r_)) {
      if (file->empty()) {
        s.background_image = fs::path();
      } else if (auto media = check_media_path(*file, media_, *t->get("background_image"), r_)) {
        if (media->missing && !media->similar.empty()) {
          r_.error(*t->get("background_image"), not_found_did_you_mean(*file, media->similar));
        } else if (media->missing) {
          r_.warning(*t->get("background_image"),
                     fmt(_("background image {1} not found in {2}; the style is used without it until it appears"),
                         quote(*file), media_.shown()));
          s.background_image = fs::path();
        } else {
          s.background_image = media->resolved;
        }
      }
    }
    return s;
  }

  void read_ticker(const toml::table& t, Ticker& ticker) {
    check_keys(t, "[ticker]", kTickerKeys, r_);
    if (auto id = get_id(t, "id", r_)) ticker.id = *id;
    if (const toml::node* n = t.get("speed")) {
      if (auto v = get_number(t, "speed", r_)) {
        if (*v < kMinTickerSpeed || *v > kMaxTickerSpeed) {
          char shown[32];
          std::snprintf(shown, sizeof shown, "%g", *v);
          r_.error(*n, fmt(_("'speed' is in pixels per second, from 10 to 2000, not {1}"), shown));
        } else {
          ticker.speed = *v;
        }
      }
    }
    read_style(t, "[ticker.style]").apply_to(ticker.style);
    if (!require(t, "text", "[ticker]", r_)) return;
    const toml::node& n = *t.get("text");
    auto add = [&](const toml::node& e) {
      const auto* s = e.as_string();
      if (s == nullptr) {
        r_.error(e, fmt(_("ticker text must be a string, not {1}"), type_name(e.type())));
        return;
      }
      std::string text = s->get();
      if (!is_valid_utf8(text)) {
        r_.error(e, _("ticker text is not valid UTF-8; save the file as UTF-8"));
        return;
      }
      // One line: breaks become spaces.
      std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
      if (text.find_first_not_of(' ') == std::string::npos) {
        r_.error(e, _("ticker text is empty; write something to scroll or remove it"));
        return;
      }
      if (!check_text_rules(e, text, TextKind::ticker, r_)) return;
      ticker.texts.push_back(std::move(text));
    };
    if (const auto* a = n.as_array()) {
      if (a->empty()) r_.error(n, _("'text' is an empty list; give at least one text to scroll"));
      if (a->size() > kMaxTickerTexts) {
        r_.error(n, fmt(_("the ticker has {1} texts; at most {2} are allowed: join short ones or move some to "
                          "another campaign"),
                        a->size(), kMaxTickerTexts));
        return;
      }
      for (const toml::node& e : *a) add(e);
    } else if (n.is_string()) {
      add(n);
    } else {
      r_.error(n, fmt(_("'text' must be a string or a list of strings, not {1}"), type_name(n.type())));
    }
  }

  void read_header(const toml::table& t, Header& h, SourcePos& title_pos) {
    check_keys(t, "[header]", kHeaderKeys, r_);
    h.present = true;
    if (auto title = get_string(t, "title", r_)) {
      check_title(*t.get("title"), *title, r_);
      h.title = *title;
      if (!h.title.empty()) title_pos = r_.pos(*t.get("title"));
    }
    if (const toml::node* n = t.get("clock")) {
      if (const auto* b = n->as_boolean()) {
        h.clock = b->get();
      } else {
        r_.error(*n, fmt(_("'{1}' must be true or false (without quotes)"), "clock"));
      }
    }
    if (auto file = get_string(t, "logo", r_)) {
      if (auto media = check_media_path(*file, media_, *t.get("logo"), r_)) {
        if (media->missing && !media->similar.empty()) {
          r_.error(*t.get("logo"), not_found_did_you_mean(*file, media->similar));
        } else if (media->missing) {
          r_.warning(*t.get("logo"), fmt(_("logo {1} not found in {2}; the header is shown without it until it appears"),
                                         quote(*file), media_.shown()));
        } else {
          h.logo = media->resolved;
        }
      }
    }
    read_style(t, "[header.style]").apply_to(h.style);
  }

  void read_items(const toml::table& root, const toml::table* campaign, const Defaults& defaults, Campaign& c) {
    const SourcePos where_campaign = campaign != nullptr ? r_.pos(*campaign) : SourcePos{r_.file(), 1, 1};
    const toml::node* node = root.get("item");
    if (node == nullptr) {
      r_.error(where_campaign, _("the playlist has no items; add at least one [[item]]"));
      return;
    }
    const toml::array* items = node->as_array();
    if (items == nullptr) {
      r_.error(*node, fmt(_("'item' must be an array of tables (write each as [[item]]), not {1}"),
                          type_name(node->type())));
      return;
    }
    if (items->empty()) {
      r_.error(*node, _("the playlist has no items; add at least one [[item]]"));
      return;
    }
    std::map<std::string, int, std::less<>> seen;  // item id -> line of its id
    for (const toml::node& e : *items) {
      const toml::table* t = e.as_table();
      if (t == nullptr) {
        r_.error(e, fmt(_("each item must be a table (write it as [[item]]), not {1}"), type_name(e.type())));
        continue;
      }
      if (auto item = read_item(*t, defaults, seen)) c.items.push_back(std::move(*item));
    }
  }

  std::optional<Item> read_item(const toml::table& t, const Defaults& defaults,
                                std::map<std::string, int, std::less<>>& seen) {
    check_keys(t, "[item]", kItemKeys, r_);
    Item item;
    item.pos = r_.pos(t);
    bool ok = true;
    if (require(t, "id", "[item]", r_)) {
      if (auto id = get_id(t, "id", r_)) {
        const toml::node& at = *t.get("id");
        const auto [it, inserted] = seen.emplace(*id, r_.pos(at).line);
        if (!inserted) {
          r_.error(at, fmt(_("duplicate item id {1}; the first is at line {2}; give each item its own id"), quote(*id),
                           it->second));
          ok = false;
        }
        item.id = *id;
      }
    }
    std::optional<ItemType> type;
    if (require(t, "type", "[item]", r_)) {
      type = get_choice<ItemType>(
          t, "type", {{"slogan", ItemType::slogan}, {"image", ItemType::image}, {"video", ItemType::video}},
          _("unsupported item type"), r_);
      if (type) item.type = *type;
    }

    const auto text = get_string(t, "text", r_);
    const auto file = get_string(t, "file", r_);
    if (type == ItemType::slogan) {
      if (t.contains("file")) {
        r_.error(*t.get("file"), _("'file' is only for image and video items; a slogan shows its 'text'"));
      }
      if (require(t, "text", _("[item] (a slogan needs text)"), r_) && text) {
        if (!is_valid_utf8(*text)) {
          r_.error(*t.get("text"), _("'text' is not valid UTF-8; save the file as UTF-8"));
        } else if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
          r_.error(*t.get("text"), _("'text' is empty; a slogan needs something to show"));
        } else if (check_text_rules(*t.get("text"), *text, TextKind::slogan, r_)) {
          item.text = *text;
        }
      }
    } else if (type) {
      const std::string kind(to_string(*type));
      const std::string a_kind = *type == ItemType::image ? _("an image") : _("a video");
      if (t.contains("text")) {
        r_.error(*t.get("text"), fmt(_("'text' is only for slogan items; remove it from this {1} item"), kind));
      }
      if (require(t, "file", fmt(_("[item] ({1} needs a file)"), a_kind), r_) && file) {
        item.file = *file;
        if (auto media = check_media_path(*file, media_, *t.get("file"), r_)) {
          item.path = media->resolved;
          if (media->missing && !media->similar.empty()) {
            r_.error(*t.get("file"), not_found_did_you_mean(*file, media->similar));
          } else if (media->missing) {
            item.media_missing = true;
            r_.warning(*t.get("file"), fmt(_("media file {1} not found in {2}; the item is left out until it appears"),
                                           quote(*file), media_.shown()));
          }
        }
      }
    }

    item.duration = defaults.duration;
    item.duration_from_media = item.type == ItemType::video && !t.contains("duration");
    if (auto v = get_duration(t, "duration", kMinDuration, kMaxDuration, r_)) item.duration = *v;
    item.transition = get_transition(t).value_or(defaults.transition);
    item.fit = get_fit(t).value_or(defaults.fit);
    item.style = defaults.style;
    read_style(t, "[item.style]").apply_to(item.style);
    item.volume = defaults.volume;
    item.mute = defaults.mute;
    item.hwdec = defaults.hwdec;
    read_video_keys(t, item.volume, item.mute, item.hwdec);
    item.when = get_when(t, r_);
    if (!ok) return std::nullopt;
    return item;
  }

  Reporter& r_;
  const LoadOptions& options_;
  const MediaRoot media_;
  SourcePos id_pos_;
  std::map<std::string, Style, std::less<>> styles_;  // [styles.NAME]
};

struct Loaded {
  PlaylistFileResult result;
  SourcePos id_pos;  // of the campaign id, for the folder's duplicate check
};

Loaded load_text(std::string_view text, const std::string& display_name, const fs::path& source,
                 const LoadOptions& options) {
  Loaded out;
  Reporter r(display_name);
  if (auto root = tomlcheck::parse(text, r)) {
    PlaylistReader reader(r, options);
    Campaign c = reader.read(*root);
    out.id_pos = reader.id_pos();
    if (!r.has_errors()) {
      c.source = source;
      c.source_sha256 = sha256_hex(text);
      out.result.campaign = std::move(c);
    }
  }
  out.result.diagnostics = r.take();
  return out;
}

Loaded load_file(const fs::path& file, const LoadOptions& options) {
  auto bytes = read_small_file(file, options.env != nullptr ? *options.env : real_env());
  if (!bytes) {
    Loaded out;
    out.result.diagnostics.push_back(
        Diagnostic{Severity::error, SourcePos{file.string(), 0, 0}, fmt(_("cannot load the playlist: {1}"), bytes.error().what())});
    return out;
  }
  return load_text(*bytes, file.string(), file, options);
}

// Editors' and copy tools' names for files being written.
bool temporary_name(const std::string& name) {
  auto ends_with = [&](std::string_view s) { return name.size() >= s.size() && name.ends_with(s); };
  return name.empty() || name[0] == '.' || name.starts_with("~$") || name.back() == '~' || ends_with(".tmp") ||
         ends_with(".part") || ends_with(".crdownload") || ends_with(".swp");
}

bool skipped_name(const std::string& name) {
  return temporary_name(name) || name.size() <= 5 || !name.ends_with(".toml");
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The refusal of a playlist that is a symbolic link to a file outside `folder`.
std::optional<Diagnostic> linked_out(const fs::path& file, const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_symlink(file, ec)) return std::nullopt;
  const fs::path target = fs::canonical(file, ec);
  const fs::path root = fs::canonical(folder, ec);
  if (ec) return std::nullopt;
  const fs::path inside = target.lexically_relative(root);
  if (!inside.empty() && *inside.begin() != "..") return std::nullopt;
  return Diagnostic{Severity::error, SourcePos{file.string(), 0, 0},
                    fmt(_("the playlist is a symbolic link to {1}, outside the playlist folder; it is refused: copy "
                          "the file into the folder instead"),
                        quote(target.string()))};
}

}  // namespace

PlaylistFileResult load_playlist_text(std::string_view toml_text, const std::string& display_name,
                                      const LoadOptions& options) {
  return load_text(toml_text, display_name, fs::path(display_name), options).result;
}

PlaylistFileResult load_playlist_file(const fs::path& file, const LoadOptions& options) {
  return load_file(file, options).result;
}

std::optional<std::string> ignored_playlist_reason(const std::string& name, fs::file_type type) {
  if (temporary_name(name)) return std::nullopt;
  const bool toml_name = !skipped_name(name);
  if (toml_name) {
    switch (type) {
      case fs::file_type::regular:
      case fs::file_type::not_found:
      case fs::file_type::none:
        return std::nullopt;
      case fs::file_type::directory:
        return _("named like a playlist but it is a folder; it is ignored (rename it without .toml)");
      case fs::file_type::fifo:
        return _("named like a playlist but it is a FIFO (named pipe), not a file; it is never opened or read");
      case fs::file_type::character:
      case fs::file_type::block:
        return _("named like a playlist but it is a device, not a file; it is never opened or read");
      default:
        return _("named like a playlist but it is not a regular file; it is ignored");
    }
  }
  const std::string l = lower(name);
  const auto at = l.rfind(".toml");
  if (at == std::string::npos || at == 0) return std::nullopt;
  const std::string fixed = name.substr(0, at) + ".toml";
  if (at + 5 == l.size()) {
    return fmt(_("only names ending in .toml (small letters) are read as playlists; rename it {1}"), fixed);
  }
  const std::string extra = name.substr(at + 5);
  if (lower(extra) == ".txt") {
    return fmt(_("it is not read: its name ends in .txt, which Windows hides (the file shows as {1}); turn on View > "
                 "File name extensions in Explorer and rename it {1}"),
               fixed);
  }
  return fmt(_("only names ending in .toml are read as playlists, not {1}; rename it {2} if it should play"), extra,
             fixed);
}

PlaylistSetResult load_playlist_folder(const fs::path& folder, const LoadOptions& options) {
  PlaylistSetResult out;
  std::error_code ec;
  std::vector<fs::path> files;
  std::vector<Diagnostic> linked;
  fs::directory_iterator it(folder, ec);
  if (!ec && !fs::is_directory(folder, ec)) ec = std::make_error_code(std::errc::not_a_directory);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    const fs::file_type type = fs::status(it->path(), type_ec).type();  // stat(): never opens it
    if (auto why = ignored_playlist_reason(name, type)) {
      out.ignored.push_back(IgnoredFile{it->path(), *why});
      continue;
    }
    if (skipped_name(name) || type != fs::file_type::regular) continue;
    if (auto refusal = linked_out(it->path(), folder)) {
      linked.push_back(*refusal);
      continue;
    }
    files.push_back(it->path());
  }
  if (ec) {
    out.folder_readable = false;
    out.diagnostics.push_back(Diagnostic{Severity::error, SourcePos{folder.string(), 0, 0},
                                         "cannot read the playlist folder: " + ec.message() +
                                             "; check that it exists and can be read"});
    return out;
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  std::sort(out.ignored.begin(), out.ignored.end(),
            [](const IgnoredFile& a, const IgnoredFile& b) { return a.file.filename() < b.file.filename(); });
  for (Diagnostic& d : linked) {
    out.refused.emplace_back(d.where.file);
    out.diagnostics.push_back(std::move(d));
  }

  std::map<std::string, std::pair<std::string, int>, std::less<>> ids;  // campaign id -> (file, line)
  for (const fs::path& file : files) {
    Loaded loaded = load_file(file, options);
    auto& diags = loaded.result.diagnostics;
    if (loaded.result.campaign) {
      const Campaign& c = *loaded.result.campaign;
      const auto [first, inserted] = ids.emplace(c.id, std::pair(file.filename().string(), loaded.id_pos.line));
      if (inserted) {
        out.set.campaigns.push_back(std::move(*loaded.result.campaign));
      } else {
        diags.push_back(Diagnostic{Severity::error, loaded.id_pos,
                                   fmt(_("campaign id {1} is already used by {2} (line {3}); this file is refused; "
                                         "give each campaign its own id"),
                                       quote(c.id), first->second.first, first->second.second)});
      }
    }
    std::stable_sort(diags.begin(), diags.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    if (has_errors(diags)) out.refused.push_back(file);
    for (auto& d : diags) out.diagnostics.push_back(std::move(d));
  }
  return out;
}

}  // namespace signage
