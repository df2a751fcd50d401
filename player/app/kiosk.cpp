#include "app/kiosk.h"

#include "app/idle_reason.h"
#include "core/i18n.h"
#include "core/log_queue.h"
#include "media/ffmpeg_log.h"

#include <algorithm>
#include <cmath>
#include <ostream>

namespace signage {

namespace chr = std::chrono;

namespace {

// A showing put up this long after its slot began started late (partial_reason).
constexpr chr::milliseconds kLateStart{500};
// Rows read back for the black-frame check after a switch (--stats).
constexpr int kBlackCheckRows = 16;

}  // namespace

Kiosk::Kiosk(const PlayOptions& options, Display& display, FontSet& fonts, const Clock& clock,
             const MonotonicClock& mono, const TimeZone& zone, KioskServices services, std::ostream& log)
    : options_(options),
      display_(display),
      fonts_(fonts),
      clock_(clock),
      mono_(mono),
      zone_(zone),
      services_(services),
      log_(log),
      service_(mono),
      clock_watch_(mono, clock.rate()),
      proof_(options.config, zone, services.journal, services.evidence, log, [this] { return clock_watch_.synced(); },
             [u = services.uplink] { if (u != nullptr) u->notify_new_records(); }),
      swapper_(options.config.emergency_priority),
      stats_(!options.stats_file.empty()),
      preroll_(zone, [this] { return stopping(); }) {}

void Kiosk::make_lineup(PlaylistSet set) {
  lineup_ = std::make_unique<Lineup>(
      std::move(set), *scene_, zone_, log_,
      [this](const Campaign& c, const Item& i, const Error& e, Instant at) { proof_.skipped(c, i, e, at); },
      [this](const Campaign& c) { return bands_->main_zone(&c); });
}

bool Kiosk::is_emergency(std::size_t campaign) const {
  return swapper_.emergency(lineup_->set().campaigns[campaign]);
}

bool Kiosk::playing_video() const {
  const auto* p = proof_.play();
  return proof_.playing() && lineup_->set().campaigns[p->campaign].items[p->item].type == ItemType::video;
}

std::optional<ItemPlayStats> Kiosk::live_stats() const {
  return proof_.playing() && stage_->current() ? stage_->current()->play_stats() : std::nullopt;
}

void Kiosk::set_bands(const Campaign* c, Instant now) {
  proof_.ticker_passes(*bands_, now);
  const Ticker* before = bands_->ticker();
  const std::optional<Ticker> old = before ? std::optional<Ticker>(*before) : std::nullopt;
  if (auto s = painter_->set_bands(c, now); !s) log_ << "signage: " << fmt(_("layout: {1}"), s.error().what()) << "\n";
  proof_.ticker_up(c, old, bands_->ticker(), now);
}

void Kiosk::finish(Instant now, PlayOutcome outcome, const std::string& reason, bool by_emergency) {
  if (!proof_.playing()) {
    proof_.end(std::nullopt, now);
    return;
  }
  const auto live = live_stats();
  auto p = proof_.current_record(lineup_->set(), live ? live->decoder : std::string(), now, outcome, reason);
  if (p && by_emergency) ProofOfPlay::cut_by_emergency(*p);
  const auto ids = proof_.ids(lineup_->set());
  const Item& item = lineup_->set().campaigns[proof_.play()->campaign].items[proof_.play()->item];
  stats_.play_ended(ids->first + "/" + ids->second, std::string(to_string(item.type)), live,
                    p ? to_string(p->outcome) : "not shown");
  proof_.end(p, now);
}

void Kiosk::apply_schedule(Instant now) {
  auto next = preroll_.take(*lineup_, *scene_, now);
  // The emergency is over: show the item it interrupted again, then rotate on.
  const bool emergency_next = next.schedule.showing && is_emergency(next.schedule.showing->campaign);
  const bool after_emergency = proof_.playing() && is_emergency(proof_.play()->campaign) && !emergency_next;
  if (const auto again = swapper_.resume(proof_.playing() && is_emergency(proof_.play()->campaign), emergency_next)) {
    if (auto n = lineup_->replay(again->first, again->second, now)) next = std::move(*n);
  }
  // No flashes: the item on screen stays until a slot too short to start ends (not a
  // video, which has ended; nothing an emergency ends or preempts).
  const bool may_stay = !playing_video() && !after_emergency && !emergency_next && sched_;
  const auto on_screen = proof_.playing() ? std::optional<Showing>(proof_.play()->showing()) : std::nullopt;
  if (!lineup_->without_flash(next, now, on_screen, may_stay)) {
    sched_->until = next.schedule.until;
    preroll_.reset();
    return;
  }
  const bool late = next.schedule.showing && now > next.schedule.showing->start + kLateStart;
  show(std::move(next), now, "the schedule changed before the item's end");
  if (late && proof_.playing()) proof_.partial_reason(after_emergency ? "after_emergency" : "late_start");
}

void Kiosk::show(Lineup::Next next, Instant now, const std::string& reason) {
  const bool idle = !next.schedule.showing;
  const auto* play = proof_.play();
  if (play == nullptr || !(play->key() == key_of(next.schedule))) {
    const PlaylistSet& set = lineup_->set();
    std::string cut_reason = reason;
    const bool by_emergency = !idle && is_emergency(next.schedule.showing->campaign) && proof_.playing() &&
                              !is_emergency(play->campaign);
    if (by_emergency) {
      cut_reason = swapper_.interrupt(*proof_.ids(set), set.campaigns[next.schedule.showing->campaign].id);
    }
    finish(now, PlayOutcome::complete, cut_reason, by_emergency);
    std::string what;
    on_screen_.clear();
    if (idle) {
      // Why, in the log's language.
      what = std::string(_("idle screen")) + " (" +
             idle_reason_text(idle_reason(folder_, set, now, zone_), message_language(), zone_, now) + ")";
    } else {
      const Campaign& c = set.campaigns[next.schedule.showing->campaign];
      what = on_screen_ = c.id + "/" + c.items[next.schedule.showing->item].id;
    }
    log_ << fmt(_("{1} show {2} until {3}"), format_iso8601(zone_.to_local(now)), what,
                format_iso8601(zone_.to_local(next.schedule.until)))
         << "\n";
    service_.status("showing " + what, proof_.journal_error());
    proof_.begin(set, next.schedule.showing, next.schedule.until, now);
    // When this switch was due, in real time: the end of the showing before it,
    // or now for a switch the schedule did not plan (a swap, an emergency).
    const Instant due = sched_ && sched_->until <= now ? sched_->until : now;
    const auto late = chr::duration<double>(clock_.now() - due) / clock_.rate();
    stats_.switched(mono_.now() - chr::duration_cast<MonoTime::duration>(late));
    // A fresh reading: a video's clock starts here, and preparing it when it was not
    // prepared ahead (the first item, a swap) took time since `now` was read: its
    // first frames would be overtaken before they could be shown.
    view_change_ = next.view->update(clock_.now());
    stage_->show(std::move(next.view), next.start, next.transition);
    set_bands(idle ? nullptr : &set.campaigns[next.schedule.showing->campaign], now);
  }
  sched_ = std::move(next.schedule);
}

void Kiosk::handle_update(Update u, Instant now) {
  if (u.folder) folder_ = std::move(*u.folder);
  for (const auto& r : proof_.updated(u, now)) {
    if (services_.heartbeats != nullptr) services_.heartbeats->rejected(r.file, r.errors);
  }
  if (auto hashes = swapper_.offer(u, lineup_->set(), now)) proof_.media_hashes(std::move(*hashes));
}

void Kiosk::swap_set(Instant now) {
  SetSwapper::Swap swap = swapper_.take();
  preroll_.reset();  // prepared from the old set
  // Video lengths come with the set: the set builder read them from the files.
  if (!swap.quiet) proof_.applied(swap.applied, swap.set.campaigns.size(), now);
  // What is on screen, by id and as a finished record: indices change with the set.
  const auto on_screen = proof_.ids(lineup_->set());
  const bool on_screen_emergency = on_screen && is_emergency(proof_.play()->campaign);
  const auto live = live_stats();
  // Cut now, the play on screen is partial (playlist_change), or interrupted by an emergency.
  proof_.partial_reason("playlist_change");
  auto old_record = proof_.current_record(lineup_->set(), live ? live->decoder : std::string(), now,
                                          PlayOutcome::complete, "the playlists changed");
  // The item on screen, if the new set has it unchanged: it stays until its planned end.
  std::optional<std::pair<std::size_t, std::size_t>> kept;
  if (on_screen) {
    const Item& before = lineup_->set().campaigns[proof_.play()->campaign].items[proof_.play()->item];
    kept = find_unchanged(swap.set, swap.media_sha256, {*on_screen, &before, proof_.watched_hash(before.path)});
  }
  make_lineup(std::move(swap.set));
  proof_.media_hashes(std::move(swap.media_sha256));
  auto next = lineup_->at(now);
  const bool emergency_next = next.schedule.showing && is_emergency(next.schedule.showing->campaign);
  if (kept && !emergency_next) return keep_on_screen(*kept, next.schedule);
  if (old_record) {
    if (emergency_next && !on_screen_emergency) {
      old_record->reason = swapper_.interrupt(*on_screen, lineup_->set().campaigns[next.schedule.showing->campaign].id);
      ProofOfPlay::cut_by_emergency(*old_record);
    }
    proof_.record(play_record(*old_record), now);
  }
  // An emergency file removed: show again what it interrupted.
  if (const auto again = swapper_.resume(on_screen_emergency, emergency_next)) {
    if (auto n = lineup_->replay(again->first, again->second, now)) next = std::move(*n);
  }
  if (on_screen && live) stats_.add_dropped(live->frames_dropped);
  proof_.end(std::nullopt, now);  // recorded above, by the old set's indices
  // What was on screen leaves now: no flash in its place either.
  lineup_->without_flash(next, now, std::nullopt, false);
  show(std::move(next), now, "the playlists changed");
}

void Kiosk::keep_on_screen(std::pair<std::size_t, std::size_t> at, const ScheduleResult& next) {
  // Unchanged: it finishes its showing, then the new set takes the screen.
  const ProofOfPlay::Play& play = *proof_.play();
  proof_.reindex(at.first, at.second);
  ScheduleResult keep = next;
  keep.showing = Showing{at.first, at.second, play.start, play.end};
  keep.until = play.end;
  sched_ = std::move(keep);
  set_bands(&lineup_->set().campaigns[at.first], clock_.now());  // the new file's ticker or header, if changed
}

HeartbeatReporter::Snapshot Kiosk::snapshot() {
  HeartbeatReporter::Snapshot s;
  s.set = &lineup_->set();
  const auto live = live_stats();
  if (const auto ids = proof_.ids(lineup_->set())) s.showing = ids->first + "/" + ids->second;
  if (live) {
    s.decoder = live->decoder;
    s.hw_decode = live->hardware;
  }
  s.frames_dropped_total = stats_.dropped_total(live ? live->frames_dropped : 0);
  s.journal_seq = proof_.journal_seq();
  s.journal_hash = proof_.journal_hash();
  s.journal_error = proof_.journal_error();
  s.clock = clock_watch_.sync();
  return s;
}

void Kiosk::start(PlaylistSetResult& loaded) {
  const DeviceConfig& cfg = options_.config;
  proof_.crash_evidence(services_.play_state);
  if (!services_.journal_error.empty()) proof_.journal_unavailable(services_.journal_error);
  started_ = mono_.now();
  SceneOptions scene_opts = scene_options(options_, mono_, clock_.rate(), services_.signals != nullptr);
  folder_ = folder_state(loaded);
  scene_opts.idle_reason = [this, lang = scene_opts.language](Instant at) {
    return idle_reason_text(idle_reason(folder_, lineup_->set(), at, zone_), lang, zone_, at);
  };
  scene_ = std::make_unique<Scene>(display_, fonts_, zone_, scene_opts);
  bands_ = std::make_unique<ScreenBands>(display_, fonts_, zone_, cfg.layout, cfg.max_image_pixels, [this](const Error& e) {
    log_ << "signage: " << fmt(_("layout: {1}"), e.what()) << "\n";
  });
  make_lineup(std::move(loaded.set));
  stage_ = std::make_unique<Stage>(cfg.fade);
  painter_.emplace(display_, *stage_, *bands_);
  for (const auto& r : proof_.started(display_, loaded, lineup_->set(), clock_.now())) {
    if (services_.heartbeats != nullptr) services_.heartbeats->rejected(r.file, r.errors);
  }
}

void Kiosk::advance(Instant now) {
  if (auto jump = clock_watch_.tick(now, mono_.now())) {
    proof_.clock_jumped(jump->from, jump->by, now);
    sched_.reset();  // `until` was computed on the old time line
    preroll_.reset();
  }
  bool folder_news = false;
  if (services_.watcher != nullptr) {
    while (auto u = services_.watcher->poll()) {
      handle_update(std::move(*u), now);
      folder_news = true;
    }
  }
  const SetSwapper::OnScreen on_screen{proof_.playing(), playing_video(),
                                       sched_ ? std::optional<Instant>(sched_->until) : std::nullopt};
  std::optional<SetSwapper::ItemOnScreen> item;
  if (const auto ids = proof_.ids(lineup_->set()); ids && swapper_.pending()) {
    const Item& i = lineup_->set().campaigns[proof_.play()->campaign].items[proof_.play()->item];
    item = SetSwapper::ItemOnScreen{*ids, &i, proof_.watched_hash(i.path)};
  }
  if (swapper_.due(now, on_screen, item ? &*item : nullptr)) {
    swap_set(now);
    folder_news = true;
  }
  if (!sched_ || now >= sched_->until) apply_schedule(now);
  // The idle screen says at once why it is (still) idle.
  if (folder_news && !proof_.playing() && stage_->current() != nullptr) view_change_ = now;
  if (view_change_ && now >= *view_change_) {
    view_change_ = stage_->current()->update(now);
    painter_->invalidate();
  }
}

bool Kiosk::draw(Instant now) {
  proof_.ticker_passes(*bands_, now);
  const bool presented_frame = painter_->paint(now, [&](bool animating) {
    // A sample of rows: reading back the whole screen costs the frames after a switch
    // their time on a small box. The null display keeps no pixels.
    if (stats_.check_due()) {
      if (auto img = display_.read_rows(kBlackCheckRows)) stats_.checked(*img);
    }
    // The evidence picture is the item fully on screen: after its fade.
    if (proof_.evidence_wanted() && !animating) proof_.take_evidence(display_, lineup_->set(), now);
  });
  if (!presented_frame) return false;
  const MonoTime presented = mono_.now();
  if (PresentLog* pl = services_.present_log) pl->presented(on_screen_, stage_->current()->media_position());
  proof_.presented(now);
  stats_.presented(presented, continuous_);
  if (bands_->moving()) {
    // Frames at the configured rate, paced by deadline: under vsync present()
    // has already waited and the next deadline is due at once.
    const auto period =
        chr::duration_cast<MonoTime::duration>(chr::duration<double>(1.0 / options_.config.fps));
    next_frame_ += period;
    if (next_frame_ + period < presented) next_frame_ = presented + period;
  }
  if (first_frame_) {
    first_frame_ = false;
    const chr::duration<double, std::milli> ms = presented - started_;
    stats_.first_frame(ms);
    log_ << fmt(_("first frame after {1} ms"), ms.count()) << "\n";
    service_.ready();
  }
  return true;
}

std::optional<chr::milliseconds> Kiosk::wait_time(Instant now, MonoTime heartbeat_due) {
  // Sleep until something can change: the schedule, the view, the fade, or exit.
  // From the clock read again: drawing and preparing the next item took time.
  const Instant before_sleep = clock_.now();
  Instant deadline = sched_->until;
  if (view_change_) deadline = std::min(deadline, *view_change_);
  if (const auto header = painter_->header_due()) deadline = std::min(deadline, *header);
  // A waiting playlist swap is due kMaxSwapWait after it arrived, except under a video
  // (then at the video's end, which `until` already is).
  if (const auto swap = swapper_.deadline(); swap && !playing_video()) deadline = std::min(deadline, *swap);
  // Clock time to real time (a simulated clock may run faster).
  auto wait = chr::milliseconds(static_cast<long long>(
      std::ceil(static_cast<double>((deadline - before_sleep).count()) / clock_.rate())));
  if (stage_->animating(now)) wait = std::min(wait, chr::milliseconds(16));
  if (bands_->moving()) {
    // A moving ticker (or header title): the next frame at its deadline (set at each present).
    wait = std::min(wait, std::max(chr::milliseconds(0), chr::ceil<chr::milliseconds>(next_frame_ - mono_.now())));
  }
  if (services_.heartbeats) wait = std::min(wait, chr::ceil<chr::milliseconds>(heartbeat_due - mono_.now()));
  if (options_.exit_after) {
    const auto left = chr::duration_cast<chr::milliseconds>(started_ + *options_.exit_after - mono_.now());
    if (left <= chr::milliseconds(0)) return std::nullopt;
    wait = std::min(wait, left);
  }
  // Wake at least once a minute so a wall-clock jump is noticed, and often enough
  // to feed systemd's watchdog.
  wait = std::clamp(wait, chr::milliseconds(0), service_.watchdog_period().value_or(chr::milliseconds(60'000)));
  // A frame is expected soon (a fade, a video): the next present interval counts.
  continuous_ = wait <= chr::milliseconds(50);
  return wait;
}

int Kiosk::run(PlaylistSetResult loaded) {
  start(loaded);
  std::string stop_reason = "quit";
  for (;;) {
    print_background_log(false);
    const Instant now = clock_.now();
    advance(now);
    if (stopping()) break;  // what advance() prepared meanwhile is not shown
    draw(now);
    service_.watchdog();
    proof_.alive(now);
    if (proof_.journal_error() != service_.status_journal_error()) {
      service_.status(on_screen_.empty() ? "idle screen" : "showing " + on_screen_, proof_.journal_error());
    }
    preroll_.poll(*lineup_, sched_ ? std::optional<Instant>(sched_->until) : std::nullopt, clock_.now());
    if (stopping()) break;
    HeartbeatReporter* const hb = services_.heartbeats;
    const MonoTime heartbeat_due =
        hb != nullptr ? hb->maybe_send([this] { return snapshot(); }, clock_.now(), mono_.now()) : MonoTime::max();
    const auto wait = wait_time(now, heartbeat_due);
    if (!wait) {
      stop_reason = "exit-after";
      break;
    }
    const InputEvent ev = display_.wait(*wait);  // a stop signal wakes it
    if (ev == InputEvent::quit || stopping()) break;
    if (ev == InputEvent::redraw) painter_->invalidate();
  }
  if (stopping()) stop_reason = services_.signals->which();
  service_.stopping();
  const Instant end = clock_.now();
  proof_.ticker_passes(*bands_, end);
  finish(end, PlayOutcome::interrupted, "the player stopped (" + stop_reason + ")");
  proof_.stopped(stop_reason, end);
  if (!options_.stats_file.empty()) {
    if (auto s = stats_.write(options_.stats_file, mono_.now() - started_, display_.describe()); !s) {
      log_ << "signage: " << s.error().what() << "\n";
    }
  }
  print_background_log(true);
  log_ << "signage: " << _("stopped") << "\n";
  return 0;
}

void Kiosk::print_background_log(bool all) {
  if (options_.ffmpeg_log != nullptr) options_.ffmpeg_log->flush(all);
  if (options_.background_log == nullptr) return;
  for (const auto& line : options_.background_log->take()) log_ << "signage: " << line << "\n";
}

}  // namespace signage
