#include "app/player.h"

#include <algorithm>
#include <chrono>
#include <ostream>

#include "app/host_info.h"
#include "app/idle_reason.h"
#include "app/heartbeat_reporter.h"
#include "app/kiosk.h"
#include "app/present_log.h"
#include "app/stop_signals.h"
#include "core/i18n.h"
#include "core/log_queue.h"
#include "media/image.h"
#include "render/layout.h"
#include "schedule/no_flash.h"
#include "video/video.h"
#include "text/text.h"
#include "watch/folder_watcher.h"

namespace signage {

namespace chr = std::chrono;

SceneOptions scene_options(const DeviceConfig& c) {
  SceneOptions o;
  o.max_image_pixels = c.max_image_pixels;
  o.screen_id = c.screen_id;
  o.idle_background = c.idle_background;
  o.idle_color = c.idle_color;
  o.idle_text = c.idle_text;
  o.hwdec = c.hwdec;
  o.language = c.language.value_or(message_language());
  o.min_text_px = c.min_text_px;
  o.fps = c.fps;
  // The installer's first sight of the box: where to drop files, how to reach it.
  o.idle_details = [playlists = c.playlists, lang = o.language] {
    return idle_details(playlists, interface_addresses(), lang);
  };
  return o;
}

SceneOptions scene_options(const PlayOptions& options, const MonotonicClock& mono, double clock_rate, bool stop_flag) {
  SceneOptions o = scene_options(options.config);
  if (LogQueue* q = options.background_log) o.log = [q](std::string line) { q->push(std::move(line)); };
  o.monotonic = &mono;
  o.clock_rate = clock_rate;
  if (stop_flag) o.stop = &StopSignals::flag();
  return o;
}

Lineup::Lineup(PlaylistSet set, Scene& scene, const TimeZone& zone, std::ostream& log, SkipFn on_skip,
                   ZoneFn zones)
    : set_(std::move(set)),
      scene_(scene),
      zone_(zone),
      log_(log),
      on_skip_(std::move(on_skip)),
      zones_(std::move(zones)) {}

Lineup::Next Lineup::at(Instant now, PrepareMode mode) {
  // Each failure takes one item out for good, so this ends.
  for (;;) {
    Next n;
    n.schedule = schedule_at(set_, now, zone_);
    if (!n.schedule.showing) {
      n.view = scene_.prepare_idle(now);
      n.start = now;
      return n;
    }
    const Showing& s = *n.schedule.showing;
    Item& item = set_.campaigns[s.campaign].items[s.item];
    // A video runs on the wall clock from its slot's start: joined part-way in (a start,
    // a restart, a swap, preview --at), it starts at the frame its slot shows now.
    const VideoSlot slot{s.start, std::max(chr::microseconds(0), chr::duration_cast<chr::microseconds>(now - s.start))};
    auto view = zones_ ? scene_.prepare(item, zones_(set_.campaigns[s.campaign]), mode, slot)
                       : scene_.prepare(item, mode, slot);
    if (view) {
      n.view = std::move(*view);
      n.transition = item.transition;
      n.start = s.start;
      return n;
    }
    if (scene_.stopping()) {  // the player stops: the item is not at fault, nothing is shown
      n.view = scene_.prepare_idle(now);
      n.start = now;
      return n;
    }
    drop(n.schedule, view.error(), now);
  }
}

void Lineup::drop(const ScheduleResult& showing, const Error& why, Instant now) {
  if (!showing.showing || scene_.stopping()) return;
  const Campaign& c = set_.campaigns[showing.showing->campaign];
  Item& item = set_.campaigns[showing.showing->campaign].items[showing.showing->item];
  log_ << fmt(_("{1} skip {2}/{3}: {4}"), format_iso8601(zone_.to_local(now)), c.id, item.id, why.what()) << "\n";
  if (on_skip_) on_skip_(c, item, why, now);
  item.media_missing = true;
}

std::optional<Lineup::Next> Lineup::replay(const std::string& campaign, const std::string& item,
                                               Instant now) {
  for (std::size_t ci = 0; ci < set_.campaigns.size(); ++ci) {
    Campaign& c = set_.campaigns[ci];
    if (c.id != campaign) continue;
    for (std::size_t ii = 0; ii < c.items.size(); ++ii) {
      Item& it = c.items[ii];
      if (it.id != item || it.media_missing) continue;
      // Shown again from its start, on a slot that starts now (screens that had the
      // same emergency resume together).
      const VideoSlot slot{now, chr::microseconds(0)};
      auto view = zones_ ? scene_.prepare(it, zones_(c), PrepareMode::ready, slot)
                         : scene_.prepare(it, PrepareMode::ready, slot);
      if (!view) return std::nullopt;
      Next n;
      n.schedule.showing = Showing{ci, ii, now, now + it.duration};
      n.schedule.until = now + it.duration;
      n.schedule.winners = {ci};
      n.view = std::move(*view);
      n.transition = it.transition;
      n.start = now;
      return n;
    }
  }
  return std::nullopt;
}

bool Lineup::without_flash(Next& next, Instant now, const std::optional<Showing>& on_screen, bool may_stay) {
  if (!next.schedule.showing) return true;
  const SlotStart start = slot_start(*next.schedule.showing, now, on_screen, may_stay);
  if (start == SlotStart::next_slot) {
    // The rotation stays on its clock grid: the next slot's item (or the idle screen)
    // goes up early and shows to its slot's end.
    Next following = at(next.schedule.showing->end);
    following.start = now;
    next = std::move(following);
  }
  return start != SlotStart::keep;
}

ShowKey key_of(const ScheduleResult& r) {
  if (!r.showing) return ShowKey{};
  return ShowKey{false, r.showing->campaign, r.showing->item, r.showing->start};
}

LoadOptions load_options(const DeviceConfig& c) {
  LoadOptions o;
  o.media_root = c.media_root();
  o.default_duration = c.duration;
  o.default_transition = c.transition;
  return o;
}

namespace {

std::string describe_showing(const PlaylistSet& set, const Lineup::Next& n) {
  if (!n.schedule.showing) return "idle screen";
  const Campaign& c = set.campaigns[n.schedule.showing->campaign];
  const Item& i = c.items[n.schedule.showing->item];
  return c.id + "/" + i.id + " (" + std::string(to_string(i.type)) + ")";
}

DisplayOptions::Mode to_mode(DisplayMode m) {
  switch (m) {
    case DisplayMode::fullscreen: return DisplayOptions::Mode::fullscreen;
    case DisplayMode::window: return DisplayOptions::Mode::window;
    case DisplayMode::headless: return DisplayOptions::Mode::headless;
  }
  return DisplayOptions::Mode::fullscreen;
}

}  // namespace

// The Display of [display] region on `output`, cut to the output's real size
// (said in the log when cut); nullptr without a region.
std::unique_ptr<Display> output_region(Display& output, const DeviceConfig& c, std::ostream& log) {
  if (!c.region) return nullptr;
  const Rect want{c.region->x, c.region->y, c.region->w, c.region->h};
  const int x0 = std::clamp(want.x, 0, output.width()), y0 = std::clamp(want.y, 0, output.height());
  const Rect got{x0, y0, std::clamp(want.x + want.w, x0, output.width()) - x0,
                 std::clamp(want.y + want.h, y0, output.height()) - y0};
  if (!(got == want)) {
    log << "signage: "
        << fmt(_("[display] region {1},{2},{3}x{4} does not fit the {5}x{6} output; drawing into {7},{8},{9}x{10}"),
               want.x, want.y, want.w, want.h, output.width(), output.height(), got.x, got.y, got.w, got.h)
        << "\n";
  }
  if (got.w <= 0 || got.h <= 0) return nullptr;
  return region_display(output, got);
}

Status preview(const PreviewOptions& options, const PlaylistSet& set, const TimeZone& zone,
               std::ostream& log) {
  DisplayOptions dopt;
  dopt.mode = DisplayOptions::Mode::headless;
  dopt.software = true;
  dopt.width = options.width;
  dopt.height = options.height;
  // The output is width x height as the device drives it; with the device's
  // rotation the picture written is upright, as viewers see it (90 and 270:
  // height x width).
  auto output = open_sdl_display(dopt);
  if (!output) return output.error();
  // [display] region: the picture written is the region's, what the LED shows.
  std::unique_ptr<Display> region = output_region(**output, options.config, log);
  auto screen = turn_display(region ? *region : **output, options.config.rotation);
  auto fonts = FontSet::open(options.config.font);
  if (!fonts) return fonts.error();
  SceneOptions scene_opts = scene_options(options.config);
  scene_opts.idle_reason = [&options, &set, &zone, lang = scene_opts.language](Instant at) {
    return idle_reason_text(idle_reason(options.folder, set, at, zone), lang, zone, at);
  };
  Scene scene(*screen, *fonts, zone, scene_opts);
  ScreenBands bands(*screen, *fonts, zone, options.config.layout, options.config.max_image_pixels);
  Lineup lineup(set, scene, zone, log, {}, [&bands](const Campaign& c) { return bands.main_zone(&c); });
  Stage stage(options.config.fade);
  Display* const display = screen.get();

  auto next = lineup.at(options.at);
  // Mid-fade, the previous showing is still underneath.
  if (next.transition == Transition::fade && options.at < next.start + options.config.fade) {
    auto before = lineup.at(next.start - chr::milliseconds(1));
    if (!(key_of(before.schedule) == key_of(next.schedule))) {
      before.view->update(next.start - chr::milliseconds(1));
      stage.show(std::move(before.view), before.start, Transition::cut);
    }
  }
  log << "preview at " << format_iso8601(zone.to_local(options.at)) << ": " << describe_showing(lineup.set(), next);
  if (!next.schedule.showing) {
    log << " (" << idle_reason_text(idle_reason(options.folder, set, options.at, zone), message_language(), zone,
                                     options.at)
        << ")";
  }
  log << "\n";
  next.view->update(options.at);
  const Campaign* campaign =
      next.schedule.showing ? &lineup.set().campaigns[next.schedule.showing->campaign] : nullptr;
  stage.show(std::move(next.view), next.start, next.transition);
  if (auto s = bands.set(campaign, options.at); !s) log << "preview: " << s.error().what() << "\n";
  if (auto s = bands.finish(chr::minutes(5)); !s) log << "preview: " << s.error().what() << "\n";
  bands.update(options.at);
  stage.draw(*display, options.at);
  bands.draw(options.at);
  auto img = display->read_pixels();
  if (!img) return img.error();
  return write_png(*img, options.out);
}

Result<std::unique_ptr<Uplink>> start_uplink(const DeviceConfig& cfg, const std::filesystem::path& journal_dir) {
  auto target = parse_uplink_target(cfg.uplink_target);
  if (!target) return target.error();
  UplinkOptions o;
  o.transport.tls = {cfg.uplink_tls_ca, cfg.uplink_tls_cert, cfg.uplink_tls_key};
  return Uplink::start(journal_dir, std::move(*target), cfg.screen_id, cfg.heartbeat, std::move(o));
}

namespace {

// At exit, how long to wait for the central log to acknowledge the last records.
constexpr chr::milliseconds kUplinkDrain{1500};

// The central log: the journal folder is its spool, so it needs one (not with
// --no-journal). A journal that could not be opened still gets heartbeats through.
// Null: none asked for, or it could not start (logged).
std::unique_ptr<Uplink> central_log(const PlayOptions& options, std::ostream& log) {
  const DeviceConfig& cfg = options.config;
  if (cfg.uplink_target.empty()) return nullptr;
  if (options.journal_dir.empty()) {
    log << "signage: " << _("central log: not started, there is no journal to send (--no-journal)") << "\n";
    return nullptr;
  }
  auto started = start_uplink(cfg, options.journal_dir);
  if (!started) {
    log << "signage: " << fmt(_("central log: not started: {1}"), started.error().what()) << "\n";
    return nullptr;
  }
  log << "signage: "
      << fmt(_("central log: {1}, heartbeat every {2} s"), cfg.uplink_target,
             static_cast<double>(cfg.heartbeat.count()) / 1000.0)
      << "\n";
  return std::move(*started);
}

// The drop folder's watcher (its thread started); each change wakes the loop.
std::unique_ptr<FolderWatcher> drop_folder_watcher(const PlayOptions& options) {
  const DeviceConfig& cfg = options.config;
  WatchOptions w;
  w.playlists = cfg.playlists;
  w.load = load_options(cfg);
  w.emergency_level = cfg.emergency_priority;
  w.max_media_bytes = cfg.max_media_bytes;
  if (!options.journal_dir.empty()) w.last_good = options.journal_dir / "last-good";
  return std::make_unique<FolderWatcher>(std::move(w), [] { wake_display(); });
}

}  // namespace

namespace {

// --present-log FILE: a line per presented frame (null without the option, or when
// the file cannot be opened, which is said in the log).
std::unique_ptr<PresentLog> open_present_log(const PlayOptions& options, std::ostream& log) {
  if (options.present_log.empty()) return nullptr;
  auto pl = PresentLog::open(options.present_log, system_precise_clock());
  if (!pl) {
    log << "signage: " << pl.error().what() << "\n";
    return nullptr;
  }
  return std::move(*pl);
}

}  // namespace

Result<FileLock> lock_journal_for_play(const PlayOptions& options) {
  return lock_journal(options.journal_dir, options.journal_io != nullptr ? *options.journal_io : real_env());
}

namespace {

// The journal's lock for play(): `given` when the caller took it, else taken now;
// nullopt without a journal.
std::optional<Result<FileLock>> journal_lock_for(const PlayOptions& options, FileLock given) {
  if (options.journal_dir.empty()) return std::nullopt;
  if (given.held()) return Result<FileLock>(std::move(given));
  return lock_journal_for_play(options);
}

}  // namespace

int play(const PlayOptions& options, PlaylistSetResult loaded, const Clock& clock, const TimeZone& zone,
         std::ostream& log, FileLock journal_lock) {
  const DeviceConfig& cfg = options.config;
  // One player per journal: a second one on the same folder ends here, before it opens
  // the display, the sound or the fonts (and before the play state, which belongs to
  // the player holding the lock). Another failure to lock is the journal's to report.
  std::optional<Result<FileLock>> lock = journal_lock_for(options, std::move(journal_lock));
  if (lock && !*lock && lock->error().kind() == ErrorKind::busy) {
    log << "signage: " << lock->error().what() << "\n";
    return 1;
  }
  // SIGTERM and SIGINT from here on set a flag that the loop, its waits and long
  // layouts look at (app/stop_signals.h); the wake-up reaches a loop asleep.
  auto signals = StopSignals::install([] { wake_display(); });
  if (!signals) log << "signage: " << signals.error().what() << "\n";
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
  if (signals) fonts->set_stop_flag(&StopSignals::flag());
  // The journal is evidence, but a screen that cannot write it still plays.
  std::optional<Journal> journal;
  std::optional<EvidenceStore> evidence;
  std::optional<PlayStateFile> play_state;
  std::string journal_error;
  if (!options.journal_dir.empty()) {
    Env& io = options.journal_io != nullptr ? *options.journal_io : real_env();
    // What the run before left on screen, read before the journal is opened (which may
    // append a repair record, newer than the run's last sign of life).
    play_state.emplace(options.journal_dir, zone, io);
    auto recovered = play_state->recover(clock.now());
    if (!recovered) {
      log << "signage: " << recovered.error().what() << "\n";
      play_state.reset();
    }
    auto j = Journal::open(options.journal_dir, zone, io, clock.now(), *lock ? std::move(**lock) : FileLock{});
    if (j) {
      journal.emplace(std::move(*j));
      if (recovered && !recovered->empty()) {
        log << "signage: " << _("the player did not stop cleanly last time; recorded as unclean_stop") << "\n";
        for (auto& r : *recovered) {
          if (auto w = journal->append(std::move(r), clock.now()); !w) log << "signage: " << w.error().what() << "\n";
        }
      }
      evidence.emplace(options.journal_dir, zone, EvidenceOptions{}, io);
      if (auto pruned = evidence->prune(clock.now(), options.evidence_retention); !pruned) {
        log << "signage: " << fmt(_("evidence pictures: {1}"), pruned.error().what()) << "\n";
      }
    } else {
      journal_error = j.error().what();
      log << "signage: " << fmt(_("ERROR: the journal cannot be written, plays are not recorded: {1}"), journal_error)
          << "\n";
      log << "signage: " << _("journal unavailable, playing without proof of play") << "\n";
    }
  }
  std::unique_ptr<Uplink> uplink = central_log(options, log);
  // [display] rotation: everything draws upright onto the output turned.
  // [display] region: only that rectangle of the output is drawn, the rest kept black.
  const std::unique_ptr<Display> region = output_region(**display, cfg, log);
  const std::unique_ptr<Display> screen = turn_display(region ? *region : **display, cfg.rotation);
  // The drop folder, followed on a thread of its own; each change wakes the loop.
  std::unique_ptr<FolderWatcher> watcher = options.watch ? drop_folder_watcher(options) : nullptr;
  const SteadyClock mono;
  std::optional<HeartbeatReporter> heartbeats;
  if (uplink) {
    heartbeats.emplace(
        cfg, zone, mono.now(), log, [u = uplink.get()](Heartbeat hb) { u->submit_heartbeat(std::move(hb)); },
        [u = uplink.get()] { return u->status(); });
  }
  const std::unique_ptr<PresentLog> present_log = open_present_log(options, log);
  KioskServices services{journal ? &*journal : nullptr, evidence ? &*evidence : nullptr, uplink.get(),
                         watcher.get(), play_state ? &*play_state : nullptr, journal_error,
                         signals ? signals->get() : nullptr, heartbeats ? &*heartbeats : nullptr,
                         present_log.get()};
  Kiosk kiosk(options, *screen, *fonts, clock, mono, zone, services, log);
  const int code = kiosk.run(std::move(loaded));
  // The screen is dark now: give the central log a moment to take the last records
  // (the stop one included). Whatever it does not take is sent at the next start.
  if (uplink && journal && uplink->status().connected) uplink->wait_acked(journal->next_seq() - 1, kUplinkDrain);
  // Stopped and recorded: from here SIGTERM and SIGINT have their default action
  // again, and nothing wakes a display being closed.
  if (signals) signals->reset();
  return code;
}

}  // namespace signage
