#include "app/kiosk.h"

#include <sys/resource.h>
#include <sys/timex.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "core/digest.h"

namespace signage {

namespace chr = std::chrono;
namespace fs = std::filesystem;

bool clock_synchronised() {
  timex tx{};
  // modes = 0: read only, allowed without privileges.
  const int state = adjtimex(&tx);
  return state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

namespace {

// A play shorter than planned by less than this still counts as complete: the
// switch happens at the next loop wake-up, a few milliseconds either side.
constexpr chr::milliseconds kCompleteSlack{250};
// A wall clock that moves this much more or less than the monotonic clock jumped.
constexpr chr::milliseconds kJumpThreshold{2000};
// The next item is prepared (decoded, laid out, uploaded) this long before it is due,
// so the switch itself only swaps textures.
constexpr chr::milliseconds kPreroll{1500};
// A valid new playlist set waits at most this long for the item on screen to end
// (not under a video), so a dropped file is on screen within a second of settling.
constexpr chr::milliseconds kMaxSwapWait{500};
// At exit, how long to wait for the central log to acknowledge the last records.
constexpr chr::milliseconds kUplinkDrain{1500};

// Same files (by hash) with the same items held back.
bool same_content(const PlaylistSet& a, const PlaylistSet& b) {
  if (a.campaigns.size() != b.campaigns.size()) return false;
  for (std::size_t i = 0; i < a.campaigns.size(); ++i) {
    const Campaign& x = a.campaigns[i];
    const Campaign& y = b.campaigns[i];
    if (x.id != y.id || x.source_sha256 != y.source_sha256 || x.items.size() != y.items.size()) return false;
    for (std::size_t k = 0; k < x.items.size(); ++k) {
      if (x.items[k].media_missing != y.items[k].media_missing) return false;
    }
  }
  return true;
}

double seconds(chr::milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

DisplayOptions::Mode to_mode(DisplayMode m) {
  switch (m) {
    case DisplayMode::fullscreen: return DisplayOptions::Mode::fullscreen;
    case DisplayMode::window: return DisplayOptions::Mode::window;
    case DisplayMode::headless: return DisplayOptions::Mode::headless;
  }
  return DisplayOptions::Mode::fullscreen;
}

}  // namespace

Kiosk::Kiosk(const PlayOptions& options, Display& display, FontSet& fonts, const Clock& clock,
             const TimeZone& zone, Journal* journal, EvidenceStore* evidence, std::ostream& log,
             Uplink* uplink)
    : options_(options),
      display_(display),
      fonts_(fonts),
      clock_(clock),
      zone_(zone),
      journal_(journal),
      evidence_(evidence),
      log_(log),
      uplink_(uplink) {}

void Kiosk::record(nlohmann::json rec, Instant at) {
  if (journal_ == nullptr) return;
  auto r = journal_->append(std::move(rec), at);
  if (r && uplink_ != nullptr) uplink_->notify_new_records();
  if (!r) {
    // Keep playing: the screen matters more than the record. Say it once per outage.
    if (!journal_failing_) log_ << "signage: journal: " << r.error().what() << "\n";
    journal_failing_ = true;
  } else if (journal_failing_) {
    log_ << "signage: journal: writing again\n";
    journal_failing_ = false;
  }
}

std::string Kiosk::media_sha256(const Item& item) {
  if (item.path.empty()) return {};
  std::error_code ec;
  const auto size = fs::file_size(item.path, ec);
  const auto mtime = fs::last_write_time(item.path, ec);
  if (ec) return {};
  const std::string key = item.path.string() + "|" + std::to_string(size) + "|" +
                          std::to_string(mtime.time_since_epoch().count());
  if (auto it = media_hashes_.find(key); it != media_hashes_.end()) return it->second;
  auto h = sha256_file(item.path);
  if (!h) return {};
  media_hashes_[key] = *h;
  return *h;
}

PlayRecord Kiosk::base_record(const Campaign& c, const Item& item) const {
  PlayRecord p;
  p.screen = options_.config.screen_id;
  p.site = options_.config.site;
  p.campaign = c.id;
  p.campaign_title = c.title;
  p.item = item.id;
  p.item_type = std::string(to_string(item.type));
  p.media = item.file;
  p.text = item.text;
  p.playlist_sha256 = c.source_sha256;
  p.player_version = SIGNAGE_VERSION;
  p.clock_synced = clock_synchronised();
  return p;
}

void Kiosk::set_bands(const Campaign* c, Instant now) {
  record_ticker_passes(now);
  const Ticker* before = bands_->ticker();
  const std::optional<Ticker> old = before ? std::optional<Ticker>(*before) : std::nullopt;
  if (auto s = bands_->set(c, now); !s) log_ << "signage: layout: " << s.error().what() << "\n";
  bool header_changed = false;
  bands_change_ = bands_->update(now, &header_changed);
  const Ticker* after = bands_->ticker();
  // A ticker that stays the same runs on; passes of a new one count from now.
  if (after && !(old && *old == *after)) ticker_since_ = now;
  if (after && c) {
    ticker_base_ = PlayRecord{};
    ticker_base_.screen = options_.config.screen_id;
    ticker_base_.site = options_.config.site;
    ticker_base_.campaign = c->id;
    ticker_base_.campaign_title = c->title;
    ticker_base_.item = after->id;
    ticker_base_.item_type = "ticker";
    ticker_base_.playlist_sha256 = c->source_sha256;
    ticker_base_.player_version = SIGNAGE_VERSION;
    ticker_base_.decoder = "none";
  }
  ticker_checked_ = now;
}

void Kiosk::record_ticker_passes(Instant now) {
  const Ticker* t = bands_ ? bands_->ticker() : nullptr;
  if (t == nullptr || now <= ticker_checked_) return;
  for (const TickerPass& pass : bands_->ticker_passes(ticker_checked_, now)) {
    if (pass.start < ticker_since_) continue;  // began before the ticker was up
    PlayRecord p = ticker_base_;
    p.text = t->texts[pass.text];
    p.start = format_iso8601(zone_.to_local(pass.start));
    p.end = format_iso8601(zone_.to_local(pass.end));
    p.planned_s = p.shown_s = seconds(chr::duration_cast<chr::milliseconds>(pass.end - pass.start));
    p.outcome = PlayOutcome::complete;
    p.clock_synced = clock_synchronised();
    record(play_record(p), pass.end);
  }
  ticker_checked_ = now;
}

void Kiosk::on_skip(const Campaign& c, const Item& item, const Error& e, Instant now) {
  const LocalTime lt = zone_.to_local(now);
  record(event_record("media_error", lt,
                      {{"campaign", c.id}, {"item", item.id}, {"file", item.file}, {"error", e.what()}}),
         now);
  PlayRecord p = base_record(c, item);
  p.start = p.end = format_iso8601(lt);
  p.planned_s = seconds(item.duration);
  p.shown_s = 0;
  p.outcome = PlayOutcome::skipped;
  p.reason = e.what();
  record(play_record(p), now);
}

std::optional<PlayRecord> Kiosk::current_record(Instant now, PlayOutcome outcome,
                                                const std::string& reason) {
  if (!has_play_ || play_.idle || !play_.shown) return std::nullopt;  // a play counts once seen
  const Campaign& c = rotation_->set().campaigns[play_.campaign];
  const Item& item = c.items[play_.item];
  PlayRecord p = base_record(c, item);
  p.media_sha256 = media_sha256(item);
  p.start = format_iso8601(zone_.to_local(*play_.shown));
  p.end = format_iso8601(zone_.to_local(now));
  p.planned_s = seconds(chr::duration_cast<chr::milliseconds>(play_.end - play_.start));
  p.shown_s = seconds(chr::duration_cast<chr::milliseconds>(now - *play_.shown));
  p.outcome = outcome;
  if (outcome == PlayOutcome::complete && now + kCompleteSlack < play_.end) {
    p.outcome = PlayOutcome::interrupted;
  }
  if (p.outcome != PlayOutcome::complete) p.reason = reason;
  p.decoder = "none";
  if (const auto stats = stage_->current() ? stage_->current()->play_stats() : std::nullopt) {
    if (!stats->decoder.empty()) p.decoder = stats->decoder;
  }
  p.evidence = play_.evidence;
  p.evidence_sha256 = play_.evidence_sha256;
  return p;
}

void Kiosk::finish(Instant now, PlayOutcome outcome, const std::string& reason) {
  auto p = current_record(now, outcome, reason);
  const auto live = has_play_ && !play_.idle && stage_->current() ? stage_->current()->play_stats() : std::nullopt;
  if (live) dropped_finished_ += live->frames_dropped;
  if (has_play_ && !play_.idle && !options_.stats_file.empty()) {
    const Item& item = rotation_->set().campaigns[play_.campaign].items[play_.item];
    ItemPlayStats st;
    if (live) st = *live;
    st.id = rotation_->set().campaigns[play_.campaign].id + "/" + item.id;
    st.type = std::string(to_string(item.type));
    if (item.type != ItemType::video) st.frames_presented = stats_.frames_presented - presents_at_show_;
    st.outcome = p ? to_string(p->outcome) : "not shown";
    stats_.frames_dropped += st.frames_dropped;
    stats_.items.push_back(std::move(st));
  }
  has_play_ = false;
  if (p) record(play_record(*p), now);
}

bool Kiosk::is_emergency(std::size_t campaign) const {
  return rotation_->set().campaigns[campaign].priority >= options_.config.emergency_priority;
}

Rotation::Next Kiosk::next_at(Instant now) {
  // The view prepared ahead of this instant, if the schedule still agrees with it.
  if (preroll_ && preroll_for_ <= now) {
    Rotation::Next p = std::move(*preroll_);
    preroll_.reset();
    ScheduleResult fresh = schedule_at(rotation_->set(), now, zone_);
    if (key_of(fresh) == key_of(p.schedule)) {
      // Normally ready long ago; a video still opening gets the rest of its own
      // time limit (the view bounds the wait).
      auto r = p.view->ready(chr::milliseconds::max());
      if (r && *r) {
        p.schedule = std::move(fresh);
        return p;
      }
      rotation_->drop(p.schedule, r ? Error("not ready in time") : r.error(), now);
    }
  }
  preroll_.reset();
  return rotation_->at(now);
}

void Kiosk::maybe_preroll(Instant now) {
  if (preroll_) {
    // A video prepared ahead opens on its own thread, so that the frames on screen
    // go on meanwhile: look (without waiting) whether its first frame is in, and
    // prepare another item in its place if it cannot be shown.
    auto r = preroll_->view->ready(chr::milliseconds(0));
    if (r) return;
    rotation_->drop(preroll_->schedule, r.error(), now);
    preroll_.reset();
  }
  if (!sched_ || sched_->until <= now || sched_->until - now > kPreroll) return;
  preroll_ = rotation_->at(sched_->until, PrepareMode::ahead);
  preroll_for_ = sched_->until;
}

void Kiosk::apply_schedule(Instant now) {
  auto next = next_at(now);
  // The emergency is over: show the item it interrupted again, then rotate on.
  if (resume_ && has_play_ && !play_.idle && is_emergency(play_.campaign) &&
      (!next.schedule.showing || !is_emergency(next.schedule.showing->campaign))) {
    auto again = rotation_->replay(resume_->first, resume_->second, now);
    resume_.reset();
    if (again) next = std::move(*again);
  }
  show(std::move(next), now, "the schedule changed before the item's end");
}

void Kiosk::show(Rotation::Next next, Instant now, const std::string& reason) {
  const bool idle = !next.schedule.showing;
  const ShowKey on_screen{play_.idle, play_.idle ? 0 : play_.campaign, play_.idle ? 0 : play_.item,
                         play_.idle ? Instant{} : play_.start};
  if (!has_play_ || !(on_screen == key_of(next.schedule))) {
    const bool emergency_now = !idle && is_emergency(next.schedule.showing->campaign);
    std::string cut_reason = reason;
    if (emergency_now && has_play_ && !play_.idle && !is_emergency(play_.campaign)) {
      const Campaign& c = rotation_->set().campaigns[play_.campaign];
      resume_ = std::make_pair(c.id, c.items[play_.item].id);
      cut_reason = "interrupted by the emergency campaign '" +
                   rotation_->set().campaigns[next.schedule.showing->campaign].id + "'";
    }
    finish(now, PlayOutcome::complete, cut_reason);
    std::string what = "idle screen";
    if (!idle) {
      const Campaign& c = rotation_->set().campaigns[next.schedule.showing->campaign];
      what = c.id + "/" + c.items[next.schedule.showing->item].id;
    }
    log_ << format_iso8601(zone_.to_local(now)) << " show " << what << " until "
         << format_iso8601(zone_.to_local(next.schedule.until)) << "\n";
    service_.status("showing " + what);
    play_ = Play{};
    play_.idle = idle;
    if (!idle) {
      play_.campaign = next.schedule.showing->campaign;
      play_.item = next.schedule.showing->item;
      play_.start = next.schedule.showing->start;
      play_.end = next.schedule.showing->end;
      const Campaign& c = rotation_->set().campaigns[play_.campaign];
      const std::string key = c.id + "_" + c.items[play_.item].id;
      play_.wants_evidence = evidence_ != nullptr && evidence_->due(key, now);
    } else {
      record(event_record("display_idle", zone_.to_local(now),
                          {{"until", format_iso8601(zone_.to_local(next.schedule.until))}}),
             now);
    }
    has_play_ = true;
    presents_at_show_ = stats_.frames_presented;
    switch_pending_ = true;
    {
      // When this switch was due, in real time: the end of the showing before it,
      // or now for a switch the schedule did not plan (a swap, an emergency).
      const Instant due = sched_ && sched_->until <= now ? sched_->until : now;
      const auto late = chr::duration<double>(clock_.now() - due) / clock_.rate();
      switch_due_ = chr::steady_clock::now() - chr::duration_cast<chr::steady_clock::duration>(late);
    }
    check_frames_left_ = options_.stats_file.empty() ? 0 : 3;
    // A fresh reading: a video's clock starts here, and preparing it when it was not
    // prepared ahead (the first item, a swap) took time since `now` was read: its
    // first frames would be overtaken before they could be shown.
    view_change_ = next.view->update(clock_.now());
    stage_->show(std::move(next.view), next.start, next.transition);
    set_bands(idle ? nullptr : &rotation_->set().campaigns[play_.campaign], now);
    dirty_ = true;
  }
  sched_ = std::move(next.schedule);
}

void Kiosk::handle_update(Update u, Instant now) {
  const LocalTime lt = zone_.to_local(now);
  for (const auto& n : u.notices) log_ << "signage: drop folder: " << n << "\n";
  // The baseline repeats what start-up loaded and recorded.
  if (!u.initial) {
    for (const auto& r : u.rejected) {
      nlohmann::json errors = nlohmann::json::array();
      for (const auto& d : r.diagnostics) {
        errors.push_back(d.format());
        log_ << d.format() << "\n";
      }
      log_ << "signage: refused " << r.file.string()
           << (r.kept_campaign ? "; its last good version keeps playing" : "") << "\n";
      nlohmann::json f = {{"file", r.file.filename().string()}, {"sha256", r.sha256}, {"errors", errors}};
      if (r.kept_campaign) f["kept_campaign"] = *r.kept_campaign;
      note_rejected(r.file.filename().string(), errors);
      record(event_record("playlist_rejected", lt, f), now);
    }
    for (const auto& c : u.items) {
      const char* type = c.kind == ItemChange::Kind::joined ? "item_joined"
                         : c.kind == ItemChange::Kind::left ? "item_left"
                                                            : "media_replaced";
      nlohmann::json f = {{"campaign", c.campaign}, {"item", c.item}, {"reason", c.reason}};
      if (!c.media.empty()) f["file"] = c.media.filename().string();
      if (!c.media_sha256.empty()) f["media_sha256"] = c.media_sha256;
      record(event_record(type, lt, f), now);
    }
  }
  // Items the start-up load took as playable but whose media the watcher found
  // unusable (truncated, undecodable header): reported once, then held back.
  if (u.initial && u.set) {
    for (const auto& h : u.held_back) {
      log_ << "signage: held back " << h.campaign << "/" << h.item << ": " << h.reason << "\n";
      record(event_record("media_error", lt,
                          {{"campaign", h.campaign},
                           {"item", h.item},
                           {"file", h.media.filename().string()},
                           {"error", h.reason},
                           {"held_back", true}}),
             now);
    }
  }
  // The baseline usually repeats what start-up loaded: nothing to swap then.
  if (u.initial && u.set && same_content(*u.set, rotation_->set())) u.set.reset();
  if (u.set) {
    if (!pending_set_) pending_since_ = now;
    pending_set_ = std::move(u.set);
    pending_applied_ = std::move(u.applied);
    pending_quiet_ = u.initial;
    pending_urgent_ = pending_urgent_ || !u.emergency_started.empty();
  }
}

bool Kiosk::playing_video() const {
  return has_play_ && !play_.idle &&
         rotation_->set().campaigns[play_.campaign].items[play_.item].type == ItemType::video;
}

bool Kiosk::swap_due(Instant now) const {
  if (!pending_set_) return false;
  if (pending_urgent_ || !has_play_ || play_.idle || !sched_ || now >= sched_->until) return true;
  // Under a video, wait for its end; otherwise at most kMaxSwapWait (clock time).
  if (playing_video()) return false;
  return now - pending_since_ >= kMaxSwapWait;
}

void Kiosk::swap_set(Instant now) {
  PlaylistSet set = std::move(*pending_set_);
  pending_set_.reset();
  preroll_.reset();  // prepared from the old set
  resolve_video_durations(set);
  const bool quiet = pending_quiet_;
  pending_urgent_ = false;
  pending_quiet_ = false;
  if (!quiet) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : pending_applied_) {
      nlohmann::json j = {{"file", f.file.filename().string()}, {"campaign", f.campaign}, {"sha256", f.sha256}};
      if (f.kept_last_good) j["kept_last_good"] = true;
      files.push_back(j);
    }
    record(event_record("playlist_applied", zone_.to_local(now), {{"reason", "drop folder"}, {"files", files}}),
           now);
    log_ << format_iso8601(zone_.to_local(now)) << " playlists applied: " << set.campaigns.size()
         << " campaign(s)\n";
  }
  // What is on screen, by id and as a finished record: indices change with the set.
  std::optional<std::pair<std::string, std::string>> on_screen;
  bool on_screen_emergency = false;
  if (has_play_ && !play_.idle) {
    const Campaign& c = rotation_->set().campaigns[play_.campaign];
    on_screen = std::make_pair(c.id, c.items[play_.item].id);
    on_screen_emergency = is_emergency(play_.campaign);
  }
  auto old_record = current_record(now, PlayOutcome::interrupted, "the playlists changed");
  rotation_ = std::make_unique<Rotation>(
      std::move(set), *scene_, zone_, log_,
      [this](const Campaign& c, const Item& i, const Error& e, Instant at) { on_skip(c, i, e, at); },
      [this](const Campaign& c) { return bands_->main_zone(&c); });
  auto next = rotation_->at(now);
  if (on_screen && next.schedule.showing) {
    const Campaign& c = rotation_->set().campaigns[next.schedule.showing->campaign];
    if (c.id == on_screen->first && c.items[next.schedule.showing->item].id == on_screen->second &&
        next.schedule.showing->start == play_.start) {
      // The same showing goes on in the new set: keep it on screen, re-index it.
      play_.campaign = next.schedule.showing->campaign;
      play_.item = next.schedule.showing->item;
      sched_ = std::move(next.schedule);
      set_bands(&c, now);  // the new file's ticker or header, if they changed
      dirty_ = true;
      return;
    }
  }
  const bool emergency_next = next.schedule.showing && is_emergency(next.schedule.showing->campaign);
  if (old_record) {
    if (emergency_next && !on_screen_emergency) {
      old_record->reason = "interrupted by the emergency campaign '" +
                           rotation_->set().campaigns[next.schedule.showing->campaign].id + "'";
      resume_ = on_screen;
    }
    record(play_record(*old_record), now);
  }
  // An emergency file removed: show again what it interrupted.
  if (on_screen_emergency && !emergency_next && resume_) {
    auto again = rotation_->replay(resume_->first, resume_->second, now);
    resume_.reset();
    if (again) next = std::move(*again);
  }
  if (on_screen && stage_->current()) {
    if (const auto live = stage_->current()->play_stats()) dropped_finished_ += live->frames_dropped;
  }
  has_play_ = false;  // recorded above, by the old set's indices
  show(std::move(next), now, "the playlists changed");
}

void Kiosk::after_present(Instant now, chr::steady_clock::time_point real) {
  if (has_play_ && !play_.idle && !play_.shown) play_.shown = now;
  ++stats_.frames_presented;
  if (last_present_) {
    const double ms = chr::duration<double, std::milli>(real - *last_present_).count();
    if (continuous_) stats_.longest_present_interval_ms = std::max(stats_.longest_present_interval_ms, ms);
    if (switch_pending_) {
      const double from_due = chr::duration<double, std::milli>(real - std::max(*last_present_, switch_due_)).count();
      stats_.longest_switch_interval_ms = std::max(stats_.longest_switch_interval_ms, from_due);
    }
  }
  switch_pending_ = false;
  last_present_ = real;
}

// A frame that is almost all black at an item switch is the gap a viewer would see.
void Kiosk::check_black_frame() {
  auto img = display_.read_pixels();
  if (!img) return;  // the null display keeps no pixels
  std::size_t dark = 0;
  const std::size_t pixels = img->rgba.size() / 4;
  for (std::size_t i = 0; i + 3 < img->rgba.size(); i += 4) {
    if (img->rgba[i] < 8 && img->rgba[i + 1] < 8 && img->rgba[i + 2] < 8) ++dark;
  }
  ++switch_frames_checked_;
  if (pixels > 0 && dark * 100 >= pixels * 99) ++black_frames_;
}

void Kiosk::write_stats(chr::steady_clock::time_point t0) const {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : stats_.items) {
    items.push_back({{"id", i.id},
                     {"type", i.type},
                     {"decoder", i.decoder},
                     {"hardware", i.hardware},
                     {"frames", i.frames_presented},
                     {"frames_dropped", i.frames_dropped},
                     {"outcome", i.outcome}});
  }
  const nlohmann::json j = {
      {"frames_presented", stats_.frames_presented},
      {"frames_dropped", stats_.frames_dropped},
      {"longest_present_interval_ms", stats_.longest_present_interval_ms},
      {"longest_switch_interval_ms", stats_.longest_switch_interval_ms},
      {"time_to_first_frame_ms", stats_.time_to_first_frame_ms},
      {"black_frames_at_switches", black_frames_},
      {"switch_frames_checked", switch_frames_checked_},
      {"cpu_seconds", cpu},
      {"peak_rss_mb", static_cast<double>(ru.ru_maxrss) / 1024.0},
      {"wall_seconds", chr::duration<double>(chr::steady_clock::now() - t0).count()},
      {"display", display_.describe()},
      {"items", items}};
  std::ofstream out(options_.stats_file);
  out << j.dump(2) << "\n";
  if (!out) log_ << "signage: cannot write " << options_.stats_file.string() << "\n";
}

void Kiosk::note_rejected(const std::string& file, const nlohmann::json& errors) {
  last_rejected_file_ = file;
  last_rejected_reason_.clear();
  for (const auto& e : errors) {
    if (!e.is_string()) continue;
    if (!last_rejected_reason_.empty()) last_rejected_reason_ += "; ";
    last_rejected_reason_ += e.get<std::string>();
    if (last_rejected_reason_.size() > 1000) break;  // a heartbeat is not the place for all of them
  }
}

std::uint64_t Kiosk::frames_dropped_total() const {
  std::uint64_t n = dropped_finished_;
  if (has_play_ && !play_.idle && stage_->current()) {
    if (const auto live = stage_->current()->play_stats()) n += live->frames_dropped;
  }
  return n;
}

Heartbeat Kiosk::heartbeat(Instant now, chr::steady_clock::time_point real_now) {
  const DeviceConfig& cfg = options_.config;
  Heartbeat hb;
  const LocalTime local = zone_.to_local(now);
  hb.time = format_iso8601(local);
  hb.screen = cfg.screen_id;
  hb.site = cfg.site;
  hb.version = SIGNAGE_VERSION;
  hb.uptime_s = chr::duration<double>(real_now - started_).count();
  const PlaylistSet& set = rotation_->set();
  if (has_play_ && !play_.idle) {
    const Campaign& c = set.campaigns[play_.campaign];
    hb.showing = c.id + "/" + c.items[play_.item].id;
    if (const auto live = stage_->current() ? stage_->current()->play_stats() : std::nullopt) {
      if (!live->decoder.empty()) {
        hb.decoder = live->decoder;
        hb.hw_decode = live->hardware;
      }
    }
  }
  for (const auto& c : set.campaigns) {
    if (when_holds(c.when, local)) hb.campaigns.push_back({c.id, c.source_sha256});
  }
  hb.last_rejected_playlist = last_rejected_file_;
  hb.last_rejected_reason = last_rejected_reason_;
  const std::uint64_t dropped = frames_dropped_total();
  hb.frames_dropped = dropped - std::min(dropped, dropped_at_heartbeat_);
  dropped_at_heartbeat_ = dropped;
  if (journal_ != nullptr) {
    hb.journal_seq = journal_->next_seq() - 1;
    hb.journal_hash = journal_->last_hash();
  }
  hb.clock_synced = clock_synchronised();
  hb.interval_s = seconds(cfg.heartbeat);
  // free_disk_bytes and acked_seq: the uplink thread fills them (statvfs is disk I/O).
  return hb;
}

chr::steady_clock::time_point Kiosk::maybe_heartbeat(Instant now, chr::steady_clock::time_point real_now) {
  if (uplink_ == nullptr) return chr::steady_clock::time_point::max();
  if (!next_heartbeat_ || real_now >= *next_heartbeat_) {
    uplink_->submit_heartbeat(heartbeat(now, real_now));
    next_heartbeat_ = real_now + options_.config.heartbeat;
    // What the uplink says, in the log once per change (an outage, its end).
    const UplinkStatus st = uplink_->status();
    if (st.last_error != last_uplink_error_) {
      if (st.last_error.empty()) {
        log_ << "signage: central log: delivering again (acknowledged up to seq " << st.acked_seq << ")\n";
      } else {
        log_ << "signage: central log: " << st.last_error << " (" << st.backlog
             << " record(s) waiting; they are kept and sent later)\n";
      }
      last_uplink_error_ = st.last_error;
    }
  }
  return *next_heartbeat_;
}

void Kiosk::check_clock(Instant now, chr::steady_clock::time_point real_now) {
  if (last_tick_) {
    const auto wall = now - last_tick_->first;
    const auto real = chr::duration_cast<chr::milliseconds>(real_now - last_tick_->second);
    const auto expected = chr::milliseconds(
        static_cast<long long>(static_cast<double>(real.count()) * clock_.rate()));
    const auto diff = wall - expected;
    if (chr::abs(diff) > kJumpThreshold) {
      const Instant from = last_tick_->first + expected;
      log_ << "signage: the wall clock jumped by " << seconds(diff) << " s\n";
      record(event_record("clock_jump", zone_.to_local(now),
                          {{"from", format_iso8601(zone_.to_local(from))}, {"jump_s", seconds(diff)}}),
             now);
      sched_.reset();  // `until` was computed on the old time line
      preroll_.reset();
    }
  }
  last_tick_ = std::make_pair(now, real_now);
}

int Kiosk::run(PlaylistSetResult loaded) {
  const DeviceConfig& cfg = options_.config;
  const auto t0 = chr::steady_clock::now();
  started_ = t0;
  scene_ = std::make_unique<Scene>(display_, fonts_, zone_, scene_options(cfg));
  bands_ = std::make_unique<ScreenBands>(display_, fonts_, zone_, cfg.layout, cfg.max_image_pixels);
  rotation_ = std::make_unique<Rotation>(
      std::move(loaded.set), *scene_, zone_, log_,
      [this](const Campaign& c, const Item& i, const Error& e, Instant at) { on_skip(c, i, e, at); },
      [this](const Campaign& c) { return bands_->main_zone(&c); });
  stage_ = std::make_unique<Stage>(cfg.fade);
  if (options_.watch) {
    WatchOptions w;
    w.playlists = cfg.playlists;
    w.load = load_options(cfg);
    w.emergency_level = cfg.emergency_priority;
    watcher_ = std::make_unique<FolderWatcher>(std::move(w), [] { wake_display(); });
  }

  const Instant start = clock_.now();
  log_ << "signage " << SIGNAGE_VERSION << ": screen '" << cfg.screen_id << "' on " << display_.describe()
       << " " << display_.width() << "x" << display_.height() << ", "
       << rotation_->set().campaigns.size() << " campaign(s)"
       << (journal_ ? ", journal " + journal_->dir().string() : std::string(", no journal")) << "\n";
  record(event_record("start", zone_.to_local(start),
                      {{"screen", cfg.screen_id},
                       {"site", cfg.site},
                       {"player_version", SIGNAGE_VERSION},
                       {"display", display_.describe()},
                       {"size", std::to_string(display_.width()) + "x" + std::to_string(display_.height())},
                       {"clock_synced", clock_synchronised()}}),
         start);
  {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& c : rotation_->set().campaigns) {
      files.push_back({{"file", c.source.filename().string()}, {"campaign", c.id}, {"sha256", c.source_sha256}});
    }
    record(event_record("playlist_applied", zone_.to_local(start), {{"reason", "start"}, {"files", files}}),
           start);
    for (const auto& refused : loaded.refused) {
      nlohmann::json errors = nlohmann::json::array();
      for (const auto& d : loaded.diagnostics) {
        if (d.severity == Severity::error && d.where.file == refused.string()) errors.push_back(d.format());
      }
      record(event_record("playlist_rejected", zone_.to_local(start),
                          {{"file", refused.filename().string()}, {"errors", errors}}),
             start);
      note_rejected(refused.filename().string(), errors);
    }
  }

  bool first_frame = true;
  const bool has_stop = options_.exit_after.has_value();
  const auto stop_at = t0 + options_.exit_after.value_or(chr::milliseconds(0));
  std::string stop_reason = "quit";

  for (;;) {
    const Instant now = clock_.now();
    check_clock(now, chr::steady_clock::now());
    if (watcher_) {
      while (auto u = watcher_->poll()) handle_update(std::move(*u), now);
    }
    if (swap_due(now)) swap_set(now);
    if (!sched_ || now >= sched_->until) apply_schedule(now);
    if (view_change_ && now >= *view_change_) {
      view_change_ = stage_->current()->update(now);
      dirty_ = true;
    }
    bool header_changed = false;
    if (bands_change_ && now >= *bands_change_) bands_change_ = bands_->update(now, &header_changed);
    const bool ticking = bands_->ticker_running();
    record_ticker_passes(now);
    const bool animating = stage_->animating(now);
    // Redraw everything when the item changed; otherwise only the bands that moved
    // (where the display keeps its frame; elsewhere the whole frame again, from
    // textures made once).
    const bool full = dirty_ || animating || ((ticking || header_changed) && !display_.keeps_frame());
    if (full || ticking || header_changed) {
      // What changed, when not the whole frame: the ticker band, and the header at a
      // new minute (then both, as one rectangle spanning them).
      std::optional<Rect> changed;
      if (full) {
        stage_->draw(display_, now);
        bands_->draw(now);
      } else {
        if (header_changed) {
          bands_->draw_header();
          changed = bands_->header_area();
        }
        if (ticking) {
          bands_->draw_ticker(now);
          const Rect t = bands_->ticker_area();
          changed = changed ? Rect{0, 0, display_.width(), display_.height()} : t;
        }
      }
      if (check_frames_left_ > 0) {
        --check_frames_left_;
        check_black_frame();
      }
      // The evidence picture is the item fully on screen: after its fade.
      if (has_play_ && play_.wants_evidence && !animating) {
        play_.wants_evidence = false;
        auto frame = display_.read_pixels();
        const Campaign& c = rotation_->set().campaigns[play_.campaign];
        if (frame) {
          auto pic = evidence_->save(*frame, c.id + "_" + c.items[play_.item].id, now);
          if (pic) {
            play_.evidence = pic->name;
            play_.evidence_sha256 = pic->sha256;
          } else {
            log_ << "signage: evidence picture: " << pic.error().what() << "\n";
          }
        }
      }
      if (changed) {
        display_.present_area(*changed);
      } else {
        display_.present();
      }
      const auto presented = chr::steady_clock::now();
      after_present(now, presented);
      if (ticking) {
        // Frames at the configured rate, paced by deadline: under vsync present()
        // has already waited and the next deadline is due at once.
        const auto period = chr::duration_cast<chr::steady_clock::duration>(chr::duration<double>(1.0 / cfg.fps));
        next_frame_ += period;
        if (next_frame_ + period < presented) next_frame_ = presented + period;
      }
      dirty_ = false;
      if (first_frame) {
        first_frame = false;
        const auto ms = chr::duration<double, std::milli>(presented - t0).count();
        stats_.time_to_first_frame_ms = ms;
        log_ << "first frame after " << ms << " ms\n";
        service_.ready();
      }
    }
    service_.watchdog();
    maybe_preroll(clock_.now());
    const auto heartbeat_due = maybe_heartbeat(clock_.now(), chr::steady_clock::now());
    // Sleep until something can change: the schedule, the view, the fade, or exit.
    // From the clock read again: drawing and preparing the next item took time.
    const Instant before_sleep = clock_.now();
    Instant deadline = sched_->until;
    if (view_change_) deadline = std::min(deadline, *view_change_);
    if (bands_change_) deadline = std::min(deadline, *bands_change_);
    // A waiting playlist swap is due kMaxSwapWait after it arrived, except under a video
    // (then at the video's end, which `until` already is).
    if (pending_set_ && !playing_video()) deadline = std::min(deadline, pending_since_ + kMaxSwapWait);
    // Clock time to real time (a simulated clock may run faster).
    auto wait = chr::milliseconds(static_cast<long long>(
        std::ceil(static_cast<double>((deadline - before_sleep).count()) / clock_.rate())));
    if (stage_->animating(now)) wait = std::min(wait, chr::milliseconds(16));
    if (bands_->ticker_running()) {
      // A moving ticker: the next frame at its deadline (set at each present).
      wait = std::min(wait, std::max(chr::milliseconds(0),
                                     chr::ceil<chr::milliseconds>(next_frame_ - chr::steady_clock::now())));
    }
    if (uplink_ != nullptr) {
      wait = std::min(wait, chr::ceil<chr::milliseconds>(heartbeat_due - chr::steady_clock::now()));
    }
    if (has_stop) {
      const auto left = chr::duration_cast<chr::milliseconds>(stop_at - chr::steady_clock::now());
      if (left <= chr::milliseconds(0)) {
        stop_reason = "exit-after";
        break;
      }
      wait = std::min(wait, left);
    }
    // Wake at least once a minute so a wall-clock jump is noticed, and often enough
    // to feed systemd's watchdog.
    wait = std::clamp(wait, chr::milliseconds(0),
                      service_.watchdog_period().value_or(chr::milliseconds(60'000)));
    // A frame is expected soon (a fade, a video): the next present interval counts.
    continuous_ = wait <= chr::milliseconds(50);
    const InputEvent ev = display_.wait(wait);
    if (ev == InputEvent::quit) break;
    if (ev == InputEvent::redraw) dirty_ = true;
  }
  service_.stopping();
  const Instant end = clock_.now();
  record_ticker_passes(end);
  finish(end, PlayOutcome::interrupted, "the player stopped (" + stop_reason + ")");
  record(event_record("stop", zone_.to_local(end), {{"reason", stop_reason}}), end);
  if (!options_.stats_file.empty()) write_stats(t0);
  // The screen is dark now: give the central log a moment to take the last records
  // (the stop one included). Whatever it does not take is sent at the next start.
  if (uplink_ != nullptr && journal_ != nullptr && uplink_->status().connected) {
    uplink_->wait_acked(journal_->next_seq() - 1, kUplinkDrain);
  }
  log_ << "signage: stopped\n";
  return 0;
}

Result<std::unique_ptr<Uplink>> start_uplink(const DeviceConfig& cfg, const std::filesystem::path& journal_dir) {
  auto target = parse_uplink_target(cfg.uplink_target);
  if (!target) return target.error();
  UplinkOptions o;
  o.transport.tls = {cfg.uplink_tls_ca, cfg.uplink_tls_cert, cfg.uplink_tls_key};
  return Uplink::start(journal_dir, std::move(*target), cfg.screen_id, cfg.heartbeat, std::move(o));
}

int play(const PlayOptions& options, PlaylistSetResult loaded, const Clock& clock, const TimeZone& zone,
         std::ostream& log) {
  const DeviceConfig& cfg = options.config;
  DisplayOptions dopt;
  dopt.width = cfg.width;
  dopt.height = cfg.height;
  dopt.title = "signage - " + cfg.screen_id;
  dopt.mode = to_mode(cfg.mode);
  dopt.software = cfg.software_renderer;
  Result<std::unique_ptr<Display>> display =
      options.null_output ? Result<std::unique_ptr<Display>>(open_null_display(cfg.width, cfg.height))
                          : open_sdl_display(dopt);
  if (!display) {
    log << "signage: " << display.error().what() << "\n";
    return 1;
  }
  auto fonts = FontSet::open(cfg.font);
  if (!fonts) {
    log << "signage: " << fonts.error().what() << "\n";
    return 1;
  }
  // The journal is evidence, but a screen that cannot write it still plays.
  std::optional<Journal> journal;
  std::optional<EvidenceStore> evidence;
  if (!options.journal_dir.empty()) {
    JournalIo& io = options.journal_io != nullptr ? *options.journal_io : real_journal_io();
    auto j = Journal::open(options.journal_dir, zone, io, clock.now());
    if (j) {
      journal.emplace(std::move(*j));
      evidence.emplace(options.journal_dir, zone);
      if (auto pruned = evidence->prune(clock.now(), options.evidence_retention); !pruned) {
        log << "signage: evidence pictures: " << pruned.error().what() << "\n";
      }
    } else {
      log << "signage: journal unavailable, playing without proof of play: " << j.error().what() << "\n";
    }
  }
  // The central log: the journal folder is its spool, so it needs one (not with
  // --no-journal). A journal that could not be opened still gets heartbeats through.
  std::unique_ptr<Uplink> uplink;
  if (!cfg.uplink_target.empty()) {
    if (options.journal_dir.empty()) {
      log << "signage: central log: not started, there is no journal to send (--no-journal)\n";
    } else if (auto started = start_uplink(cfg, options.journal_dir); started) {
      uplink = std::move(*started);
      log << "signage: central log: " << cfg.uplink_target << ", heartbeat every "
          << static_cast<double>(cfg.heartbeat.count()) / 1000.0 << " s\n";
    } else {
      log << "signage: central log: not started: " << started.error().what() << "\n";
    }
  }
  // [display] rotation: everything draws upright onto the output turned.
  const std::unique_ptr<Display> screen = turn_display(**display, cfg.rotation);
  Kiosk kiosk(options, *screen, *fonts, clock, zone, journal ? &*journal : nullptr,
              evidence ? &*evidence : nullptr, log, uplink.get());
  return kiosk.run(std::move(loaded));
}

}  // namespace signage
