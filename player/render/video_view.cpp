#include "render/video_view.h"

#include "video/media_clock.h"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace signage {

namespace chr = std::chrono;
using chr::microseconds;

namespace {

VideoPlanes planes_of(const VideoFrame& f) {
  VideoPlanes p;
  p.layout = f.layout();
  p.width = f.width();
  p.height = f.height();
  for (int i = 0; i < f.plane_count(); ++i) {
    p.data[i] = f.plane(i);
    p.pitch[i] = f.pitch(i);
  }
  p.matrix = f.matrix();
  p.range = f.range();
  return p;
}

// Rounds up, so that a frame is never shown before its time.
chr::milliseconds ceil_ms(microseconds d) { return chr::ceil<chr::milliseconds>(d); }

class VideoView final : public View {
 public:
  VideoView(Display& d, const Item& item, std::unique_ptr<VideoSource> src,
            std::shared_ptr<AudioStream> audio, const VideoViewSetup& setup,
            std::shared_ptr<std::atomic<bool>> waking)
      : mono_(setup.monotonic ? *setup.monotonic : SteadyClock::instance()),
        rate_(setup.clock_rate > 0 ? setup.clock_rate : 1.0),
        display_(d),
        id_(item.id),
        path_(item.path.string()),
        bg_(item.style.background),
        fit_(item.fit),
        src_(std::move(src)),
        audio_(std::move(audio)),
        output_(setup.audio),
        ready_timeout_(setup.ready_timeout),
        ready_deadline_(mono_.now() + setup.ready_timeout),
        anchor_(setup.anchor),
        start_at_(setup.start_at),
        waking_(std::move(waking)) {}

  ~VideoView() override {
    if (out_ && audio_) out_->stop(audio_.get());
    src_.reset();  // joins the decode thread
  }

  // Real time, not the player's clock: it bounds how long the decoder may take.
  Result<bool> ready(chr::milliseconds timeout) override {
    if (prerolled_) return true;
    if (failure_) return *failure_;
    auto r = get_ready(timeout);
    if (waking_ && (!r || *r)) waking_->store(false);
    return r;
  }

  std::optional<Instant> update(Instant now) override {
    if (!start_) {
      begin(now);
    } else if (!clock_settled_) {
      settle(now);
    }
    const microseconds p = position(now);
    std::optional<VideoFrame> due;
    while (const VideoFrame* f = src_->peek()) {
      if (f->pts() > p) break;
      // Overtaken before it could be shown: late (unless this is a join catching up
      // with the wall clock: those frames were never meant to be seen).
      if (due && !catching_up_) ++dropped_;
      due = src_->pop();
    }
    if (due && catching_up_ && due->pts() + due->duration() > p) catching_up_ = false;
    if (due) {
      if (auto s = show(*due); !s) upload_error_ = s.error();
    }
    if (const VideoFrame* next = src_->peek()) {
      return now + std::max(chr::milliseconds(1), ceil_ms(next->pts() - p));
    }
    const auto state = src_->state();
    if (state == VideoSource::State::ended || state == VideoSource::State::failed) {
      return std::nullopt;  // the last frame stays
    }
    // The decoder is behind: look again in a moment.
    return now + chr::milliseconds(5);
  }

  void draw(Display& d, float alpha) override {
    const Rect screen{0, 0, d.width(), d.height()};
    if (!tex_) {
      d.fill(screen, bg_, alpha);
      return;
    }
    // The picture's shape on screen: pixel aspect, then rotation.
    int w = tex_->width(), h = tex_->height();
    if (info_.sar_num != info_.sar_den && info_.sar_den > 0) {
      w = static_cast<int>(std::lround(static_cast<double>(w) * info_.sar_num / info_.sar_den));
    }
    const bool quarter = info_.rotation == 90 || info_.rotation == 270;
    if (quarter) std::swap(w, h);
    const Rect pic = fit_rect(w, h, screen, fit_);
    if (alpha < 1.0f) {
      d.fill(screen, bg_, alpha);
    } else {
      // Opaque: only the bars around the picture need the background.
      if (pic.y > 0) d.fill(Rect{0, 0, screen.w, pic.y}, bg_, alpha);
      if (pic.y + pic.h < screen.h) d.fill(Rect{0, pic.y + pic.h, screen.w, screen.h - pic.y - pic.h}, bg_, alpha);
      if (pic.x > 0) d.fill(Rect{0, pic.y, pic.x, pic.h}, bg_, alpha);
      if (pic.x + pic.w < screen.w) d.fill(Rect{pic.x + pic.w, pic.y, screen.w - pic.x - pic.w, pic.h}, bg_, alpha);
    }
    d.draw_rotated(*tex_, pic, alpha, info_.rotation);
  }

  std::optional<microseconds> media_position() const override {
    if (presented_ == 0) return std::nullopt;
    return shown_pts_;
  }

  std::string describe() const override { return "video '" + id_ + "' (" + src_->info().decoder + ")"; }

  std::optional<Instant> ends_at() const override {
    if (!start_) return std::nullopt;
    const auto at = [&](microseconds stream_time) {
      return *start_ + ceil_ms(stream_time - first_pts_);
    };
    if (auto e = src_->first_pass_end()) return at(*e);
    if (src_->state() != VideoSource::State::playing && src_->state() != VideoSource::State::opening) {
      return at(shown_end_);  // ended early (decode error): the last good frame
    }
    if (info_.duration) return *start_ + ceil_ms(*info_.duration);
    return std::nullopt;
  }

  std::optional<ItemPlayStats> play_stats() const override {
    ItemPlayStats s;
    const VideoInfo now = src_->info();
    s.id = id_;
    s.type = "video";
    s.decoder = now.decoder;
    s.hardware = now.hardware;
    s.frames_presented = presented_;
    s.frames_dropped = dropped_;
    if (auto e = src_->error()) {
      s.outcome = "error: " + e->what();
    } else if (upload_error_) {
      s.outcome = "error: " + upload_error_->what();
    } else {
      s.outcome = "complete";
    }
    return s;
  }

 private:
  // The first update: the video goes on screen. Anchored on its slot, the first
  // frame is due at the slot's start plus its position; else now.
  void begin(Instant now) {
    if (anchor_) {
      start_ = *anchor_ + chr::duration_cast<chr::milliseconds>(skip_ + first_pts_);
      catching_up_ = now - *start_ > chr::duration_cast<chr::milliseconds>(frame_period());
    } else {
      start_ = now;
    }
    src_->foreground();
    if (out_ && audio_ && info_.has_audio) out_->play(audio_);
  }

  // The second update. The first frame's present can be slow (the process's very
  // first present sets up the renderer; a switch's): rather than skip the frames that
  // fell due meanwhile, the clock starts that much later (once only; the sound, when
  // there is some, leads anyway). A video on the wall clock's grid starts behind it
  // instead and slews back in step (under 100 ms; more is a stall, and followed).
  void settle(Instant now) {
    clock_settled_ = true;
    const VideoFrame* f = src_->peek();
    if (!f || catching_up_) return;
    const Instant due = *start_ + ceil_ms(f->pts() - first_pts_);
    if (now <= due) return;
    media_ = MediaClock{};
    if (anchor_) {
      const microseconds target = first_pts_ + chr::duration_cast<microseconds>(now - *start_);
      media_.position(target - chr::duration_cast<microseconds>(now - due), mono_.now(), rate_);
    } else {
      start_ = *start_ + (now - due);
    }
  }

  microseconds frame_period() const {
    return info_.fps > 0 ? microseconds(static_cast<std::int64_t>(1e6 / info_.fps)) : microseconds(40'000);
  }

  // The stream time to show at `now`: the sound's when it is playing, else the
  // media clock, which follows the player's clock (carried on from where the sound
  // left it) on monotonic time, slewing over small differences.
  microseconds position(Instant now) {
    const microseconds wall = first_pts_ + chr::duration_cast<microseconds>(now - *start_);
    if (audio_ && out_ && info_.has_audio) {
      if (auto a = audio_->clock()) {
        audio_offset_ = *a - wall;
        media_ = MediaClock{};
        return *a;
      }
    }
    return media_.position(wall + audio_offset_, mono_.now(), rate_);
  }

  Result<bool> get_ready(chr::milliseconds timeout) {
    const auto left = chr::ceil<chr::milliseconds>(ready_deadline_ - mono_.now());
    auto info = src_->wait_ready(std::clamp(timeout, chr::milliseconds(0), std::max(left, chr::milliseconds(0))));
    if (!info) {
      if (src_->state() != VideoSource::State::opening) {
        failure_ = info.error();
      } else if (mono_.now() < ready_deadline_) {
        return false;  // still opening or decoding its first frame
      } else {
        failure_ = Error(path_ + ": no picture after " + std::to_string(ready_timeout_.count()) +
                         " ms (file too slow to open or decode)");
      }
      return *failure_;
    }
    info_ = std::move(*info);
    // The sound device opens for the first video that has sound, ahead of its start.
    if (audio_ && info_.has_audio && output_) out_ = output_();
    if (audio_ && !out_) audio_->close();  // nobody will hear it: the decoder drops it
    // The first frame goes up now, so that the view can be drawn before it starts.
    auto f = src_->pop();
    Status up = f ? show(*f) : Status(Error("no first frame"));
    if (!up) {
      failure_ = Error(path_ + ": cannot upload the first frame", up.error());
      return *failure_;
    }
    first_pts_ = f->pts();
    // A join past the end of a looping file starts in its first pass: the passes
    // before it are skipped on the clock too.
    if (info_.duration && *info_.duration > microseconds(0) && start_at_ >= *info_.duration) {
      skip_ = start_at_ - start_at_ % *info_.duration;
    }
    prerolled_ = true;
    return true;
  }

  Status show(const VideoFrame& f) {
    if (!tex_ || tex_->width() != f.width() || tex_->height() != f.height() || layout_ != f.layout()) {
      auto t = display_.create_video_texture(f.width(), f.height(), f.layout());
      if (!t) return t.error();
      tex_.emplace(std::move(*t));
      layout_ = f.layout();
    }
    if (auto s = display_.update_video_texture(*tex_, planes_of(f)); !s) return s;
    shown_pts_ = f.pts();
    shown_end_ = f.pts() + f.duration();
    ++presented_;
    return {};
  }

  const MonotonicClock& mono_;
  double rate_;
  Display& display_;
  std::string id_;
  std::string path_;
  Rgb bg_;
  Fit fit_;
  std::unique_ptr<VideoSource> src_;
  std::shared_ptr<AudioStream> audio_;
  std::function<AudioOutput*()> output_;
  AudioOutput* out_ = nullptr;  // once ready, when the file has sound and a device is open
  chr::milliseconds ready_timeout_;
  MonoTime ready_deadline_;
  std::optional<Instant> anchor_;  // the slot's start: the file's start is due then
  microseconds start_at_;          // where in the file the video joined
  microseconds skip_{0};           // whole passes of a looping file before the join
  bool catching_up_ = false;       // joined late: frames before the wall clock's are passed over
  std::shared_ptr<std::atomic<bool>> waking_;  // prepared ahead: wake the main loop
  bool prerolled_ = false;
  std::optional<Error> failure_;
  VideoInfo info_;  // from the source once ready
  std::optional<Texture> tex_;
  PixelLayout layout_ = PixelLayout::yuv420p;
  std::optional<Instant> start_;
  bool clock_settled_ = false;  // the start moved past a slow first present, if it was
  microseconds first_pts_{0};
  microseconds shown_pts_{0};
  microseconds shown_end_{0};
  microseconds audio_offset_{0};
  MediaClock media_;
  std::uint64_t presented_ = 0;
  std::uint64_t dropped_ = 0;
  std::optional<Error> upload_error_;
};

}  // namespace

Result<std::unique_ptr<View>> make_video_view(Display& display, const Item& item,
                                              const VideoViewSetup& setup) {
  VideoOptions o;
  o.hwdec = setup.hwdec;
  o.devices = setup.devices;
  o.max_pixels = setup.max_pixels;
  o.start_at = setup.start_at;
  o.clock = setup.monotonic;
  std::shared_ptr<AudioStream> audio;
  o.log = setup.log;
  if (setup.audio && !item.mute && item.volume > 0) {
    audio = std::make_shared<AudioStream>(kAudioRate * 2, setup.monotonic ? *setup.monotonic : SteadyClock::instance());
    audio->set_volume(item.volume);
    o.audio = audio;
  }
  // Prepared ahead: the main loop sleeps until something is due, so the decode
  // thread wakes it when the first frame is in or the file fails (then no more).
  std::shared_ptr<std::atomic<bool>> waking;
  if (!setup.wait) {
    // Opens and pre-decodes at a lower priority and with one decoder thread until it
    // is on screen: the video playing meanwhile keeps its CPU time.
    o.background = true;
    waking = std::make_shared<std::atomic<bool>>(true);
    o.notify = [waking] {
      if (waking->load()) wake_display();
    };
  }
  auto view = std::make_unique<VideoView>(display, item, VideoSource::open(item.path, std::move(o)),
                                          std::move(audio), setup, waking);
  if (setup.wait) {
    for (;;) {  // ends: ready() fails once its deadline has passed
      if (setup.stop != nullptr && setup.stop->load()) return Error(ErrorKind::stopped, "stopped");
      // In slices, so that a stop is seen within one.
      auto r = view->ready(setup.stop != nullptr ? std::min(setup.ready_timeout, chr::milliseconds(50))
                                                 : setup.ready_timeout);
      if (!r) return r.error();
      if (*r) break;
    }
  }
  return std::unique_ptr<View>(std::move(view));
}

}  // namespace signage
