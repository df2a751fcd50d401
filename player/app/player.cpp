#include "app/player.h"

#include <chrono>
#include <cmath>
#include <ostream>

#include "app/service.h"
#include "media/image.h"
#include "text/text.h"

namespace signage {

namespace chr = std::chrono;

Rotation::Rotation(PlaylistSet set, Scene& scene, const TimeZone& zone, std::ostream& log)
    : set_(std::move(set)), scene_(scene), zone_(zone), log_(log) {}

Rotation::Next Rotation::at(Instant now) {
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
    auto view = scene_.prepare(item);
    if (view) {
      n.view = std::move(*view);
      n.transition = item.transition;
      n.start = s.start;
      return n;
    }
    log_ << format_iso8601(zone_.to_local(now)) << " skip " << set_.campaigns[s.campaign].id << "/"
         << item.id << ": " << view.error().what() << "\n";
    item.media_missing = true;
  }
}

namespace {

DisplayOptions display_options(const DeviceConfig& c) {
  DisplayOptions o;
  o.width = c.width;
  o.height = c.height;
  o.title = "signage - " + c.screen_id;
  switch (c.mode) {
    case DisplayMode::fullscreen: o.mode = DisplayOptions::Mode::fullscreen; break;
    case DisplayMode::window: o.mode = DisplayOptions::Mode::window; break;
    case DisplayMode::headless: o.mode = DisplayOptions::Mode::headless; break;
  }
  return o;
}

SceneOptions scene_options(const DeviceConfig& c) {
  SceneOptions o;
  o.max_image_pixels = c.max_image_pixels;
  o.screen_id = c.screen_id;
  o.idle_background = c.idle_background;
  o.idle_color = c.idle_color;
  o.idle_text = c.idle_text;
  return o;
}

std::string describe_showing(const PlaylistSet& set, const Rotation::Next& n) {
  if (!n.schedule.showing) return "idle screen";
  const Campaign& c = set.campaigns[n.schedule.showing->campaign];
  const Item& i = c.items[n.schedule.showing->item];
  return c.id + "/" + i.id + " (" + std::string(to_string(i.type)) + ")";
}

// Identity of what is on screen, to tell a real switch from a re-evaluation.
struct ShowKey {
  bool idle = true;
  std::size_t campaign = 0, item = 0;
  Instant start{};
  friend bool operator==(const ShowKey&, const ShowKey&) = default;
};

ShowKey key_of(const ScheduleResult& r) {
  if (!r.showing) return ShowKey{};
  return ShowKey{false, r.showing->campaign, r.showing->item, r.showing->start};
}

}  // namespace

int play(const PlayOptions& options, const PlaylistSet& set, const Clock& clock,
         const TimeZone& zone, std::ostream& log) {
  const DeviceConfig& cfg = options.config;
  const auto t0 = chr::steady_clock::now();
  auto display = open_sdl_display(display_options(cfg));
  if (!display) {
    log << "signage: " << display.error().what() << "\n";
    return 1;
  }
  auto fonts = FontSet::open(cfg.font);
  if (!fonts) {
    log << "signage: " << fonts.error().what() << "\n";
    return 1;
  }
  Display& d = **display;
  Scene scene(d, *fonts, zone, scene_options(cfg));
  Rotation rotation(set, scene, zone, log);
  Stage stage(cfg.fade);
  ServiceNotifier service;
  log << "signage " << SIGNAGE_VERSION << ": screen '" << cfg.screen_id << "' on " << d.describe()
      << " " << d.width() << "x" << d.height() << ", " << set.campaigns.size() << " campaign(s)\n";

  std::optional<ShowKey> shown;
  std::optional<ScheduleResult> sched;
  std::optional<Instant> view_change;
  Instant last_now = clock.now();
  bool dirty = true;
  bool first_frame = true;
  const bool has_stop = options.exit_after.has_value();
  const auto stop_at = t0 + options.exit_after.value_or(chr::milliseconds(0));

  for (;;) {
    const Instant now = clock.now();
    // A clock that went backwards (NTP step, manual change) invalidates `until`.
    if (!sched || now >= sched->until || now < last_now) {
      auto next = rotation.at(now);
      const ShowKey k = key_of(next.schedule);
      if (!shown || !(k == *shown)) {
        log << format_iso8601(zone.to_local(now)) << " show " << describe_showing(rotation.set(), next)
            << " until " << format_iso8601(zone.to_local(next.schedule.until)) << "\n";
        service.status("showing " + describe_showing(rotation.set(), next));
        view_change = next.view->update(now);
        stage.show(std::move(next.view), next.start, next.transition);
        shown = k;
        dirty = true;
      }
      sched = std::move(next.schedule);
    }
    last_now = now;
    if (view_change && now >= *view_change) {
      view_change = stage.current()->update(now);
      dirty = true;
    }
    const bool animating = stage.animating(now);
    if (dirty || animating) {
      stage.draw(d, now);
      d.present();
      dirty = false;
      if (first_frame) {
        first_frame = false;
        const auto ms = chr::duration<double, std::milli>(chr::steady_clock::now() - t0).count();
        log << "first frame after " << ms << " ms\n";
        service.ready();
      }
    }
    service.watchdog();
    // Sleep until something can change: the schedule, the view, the fade, or exit.
    Instant deadline = sched->until;
    if (view_change) deadline = std::min(deadline, *view_change);
    // Clock time to real time (a simulated clock may run faster).
    auto wait = chr::milliseconds(static_cast<long long>(
        std::ceil(static_cast<double>((deadline - now).count()) / clock.rate())));
    if (stage.animating(now)) wait = std::min(wait, chr::milliseconds(16));
    if (has_stop) {
      const auto left = chr::duration_cast<chr::milliseconds>(stop_at - chr::steady_clock::now());
      if (left <= chr::milliseconds(0)) break;
      wait = std::min(wait, left);
    }
    // Wake at least once a minute so a wall-clock jump is noticed, and often enough
    // to feed systemd's watchdog.
    wait = std::clamp(wait, chr::milliseconds(0),
                      service.watchdog_period().value_or(chr::milliseconds(60'000)));
    const InputEvent ev = d.wait(wait);
    if (ev == InputEvent::quit) break;
    if (ev == InputEvent::redraw) dirty = true;
  }
  service.stopping();
  log << "signage: stopped\n";
  return 0;
}

Status preview(const PreviewOptions& options, const PlaylistSet& set, const TimeZone& zone,
               std::ostream& log) {
  DisplayOptions dopt;
  dopt.mode = DisplayOptions::Mode::headless;
  dopt.width = options.width;
  dopt.height = options.height;
  auto display = open_sdl_display(dopt);
  if (!display) return display.error();
  auto fonts = FontSet::open(options.config.font);
  if (!fonts) return fonts.error();
  Scene scene(**display, *fonts, zone, scene_options(options.config));
  Rotation rotation(set, scene, zone, log);
  Stage stage(options.config.fade);

  auto next = rotation.at(options.at);
  // Mid-fade, the previous showing is still underneath.
  if (next.transition == Transition::fade && options.at < next.start + options.config.fade) {
    auto before = rotation.at(next.start - chr::milliseconds(1));
    if (!(key_of(before.schedule) == key_of(next.schedule))) {
      before.view->update(next.start - chr::milliseconds(1));
      stage.show(std::move(before.view), before.start, Transition::cut);
    }
  }
  log << "preview at " << format_iso8601(zone.to_local(options.at)) << ": "
      << describe_showing(rotation.set(), next) << "\n";
  next.view->update(options.at);
  stage.show(std::move(next.view), next.start, next.transition);
  stage.draw(**display, options.at);
  auto img = (*display)->read_pixels();
  if (!img) return img.error();
  return write_png(*img, options.out);
}

}  // namespace signage
