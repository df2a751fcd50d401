// Video playback core: decoding every codec and container the brief names, rotation
// and letterboxing on a headless display, audio resampling and 5.1 downmix, bad
// media, decoder selection and fallback, seamless looping.
//
// Every clip is generated at test time with the ffmpeg CLI into a temporary folder
// (the commands are in kClips below; each is a second or less of 320x240 lavfi
// testsrc2, colour or sine), on first use, and cached beside the test binary. Bad
// files are made from good ones by the byte edits below.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

extern "C" {
#include <libavutil/log.h>
}

#include "media/ffmpeg_log.h"
#include "render/display.h"
#include "render/scene.h"
#include "render/video_view.h"
#include "text/text.h"
#include "video/audio.h"
#include "video/video.h"
#include "support/made_once.h"

namespace signage {
namespace {

namespace fs = std::filesystem;
namespace chr = std::chrono;
using namespace std::chrono_literals;

struct ClipSpec {
  const char* name;
  const char* args;  // between "ffmpeg -v error -y" and the output file
};

// One ffmpeg run per clip. 25 fps, 1 s (25 frames) unless said otherwise.
constexpr const char* kSrc = "-f lavfi -i testsrc2=s=320x240:r=25:d=1";
const ClipSpec kClips[] = {
    {"h264.mp4", "{src} -c:v libx264 -preset ultrafast"},
    {"hevc8.mkv", "{src} -c:v libx265 -preset ultrafast -x265-params log-level=error"},
    {"hevc10.mp4", "{src} -c:v libx265 -preset ultrafast -pix_fmt yuv420p10le -x265-params log-level=error"},
    {"vp8.webm", "{src} -c:v libvpx -deadline realtime -cpu-used 8"},
    {"vp9.webm", "{src} -c:v libvpx-vp9 -deadline realtime -cpu-used 8"},
    {"av1.mkv", "{src} -c:v libsvtav1 -preset 12 -svtav1-params verbosity=0"},
    {"mpeg2.ts", "{src} -c:v mpeg2video"},
    {"mpeg4.avi", "{src} -c:v mpeg4"},
    {"h264.mov", "{src} -c:v libx264 -preset ultrafast"},
    // Six seconds, a key frame every two: joins part-way in.
    {"h264_6s.mp4", "-f lavfi -i testsrc2=s=320x240:r=25:d=6 -c:v libx264 -preset ultrafast -g 50"},
    // Top half white, bottom half black; its tkhd matrix is turned 90 degrees below.
    {"upright.mp4",
     "-f lavfi -i color=c=black:s=320x240:r=25:d=1,drawbox=x=0:y=0:w=320:h=120:c=white:t=fill "
     "-c:v libx264 -preset ultrafast"},
    // Odd shape (about 4:3) for letterboxing on a 16:9 screen.
    {"odd.mp4", "-f lavfi -i color=c=red:s=322x242:r=25:d=1 -c:v libx264 -preset ultrafast"},
    // 5.1 PCM at 44.1 kHz with a 1 kHz sine on the front-left channel only.
    {"surround.mkv",
     "{src} -f lavfi -i sine=f=1000:r=44100:d=1 -filter_complex '[1]pan=5.1|FL=c0[a]' "
     "-map 0:v -map '[a]' -c:v libx264 -preset ultrafast -c:a pcm_s16le"},
    {"audio_only.m4a", "-f lavfi -i sine=f=440:d=1"},
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Clips are made on first use and kept for the build (support/made_once.h), so that
// ctest's one process per case does not make them again.
template <class Make>
fs::path cached(const std::string& name, const std::string& recipe, Make make) {
  return test::made_once(name, recipe, [&](const fs::path& tmp) { return make(tmp); });
}

void write_all(const fs::path& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
}

fs::path clip(const std::string& name);

// A clip made from another by a byte edit.
fs::path derived(const std::string& name, const std::string& from,
                 std::string (*edit)(std::string)) {
  const fs::path src = clip(from);
  return cached(name, src.filename().string() + "->" + name, [&](const fs::path& tmp) {
    write_all(tmp, edit(read_all(src)));
    return true;
  });
}

std::string turn_90(std::string mp4) {
  // The identity matrix of the first 'tkhd' replaced by {0,1,0; -1,0,0; 0,0,1}:
  // shown turned 90 degrees clockwise.
  const std::string ident("\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                          "\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                          "\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00", 36);
  const std::string rot90("\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
                          "\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                          "\x00\x00\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00", 36);
  const auto at = mp4.find(ident, mp4.find("tkhd"));
  if (at != std::string::npos) mp4.replace(at, 36, rot90);
  return mp4;
}
std::string first_third(std::string s) { return s.substr(0, s.size() / 3); }  // moov is at the end: lost
std::string rename_codec(std::string mkv) {
  // The Matroska codec id of the HEVC stream replaced by one nobody knows.
  const auto id = mkv.find("V_MPEGH/ISO/HEVC");
  if (id != std::string::npos) mkv.replace(id, 16, "V_SIGNAGE/NOPE/X");
  return mkv;
}

fs::path clip(const std::string& name) {
  for (const auto& c : kClips) {
    if (name != c.name) continue;
    std::string args = c.args;
    if (auto i = args.find("{src}"); i != std::string::npos) args.replace(i, 5, kSrc);
    return cached(name, args, [&](const fs::path& tmp) {
      const std::string cmd = "ffmpeg -nostdin -v error -y " + args + " '" + tmp.string() + "' 2>/dev/null";
      const int rc = std::system(cmd.c_str());
      EXPECT_EQ(rc, 0) << cmd;
      return rc == 0;
    });
  }
  if (name == "rotated.mp4") return derived(name, "upright.mp4", &turn_90);
  if (name == "truncated.mp4") return derived(name, "h264.mp4", &first_third);
  if (name == "unknown_codec.mkv") return derived(name, "hevc8.mkv", &rename_codec);
  if (name == "empty.mp4") {
    return cached(name, "empty", [](const fs::path& tmp) {
      write_all(tmp, "");
      return true;
    });
  }
  if (name == "corrupt.mp4") {
    return cached(name, "noise 64k seed 42", [](const fs::path& tmp) {
      std::mt19937 rng(42);
      std::string noise(64 * 1024, '\0');
      for (auto& ch : noise) ch = static_cast<char>(rng() & 0xff);
      write_all(tmp, noise);
      return true;
    });
  }
  if (name == "huge.y4m") {
    // A picture claimed to be 10000x10000 (a decompression bomb's header).
    const std::string y4m = "YUV4MPEG2 W10000 H10000 F25:1 C420jpeg\nFRAME\n" + std::string(4096, '\x10');
    return cached(name, y4m, [&](const fs::path& tmp) {
      write_all(tmp, y4m);
      return true;
    });
  }
  return fs::path("/nonexistent/signage-test-media") / name;  // not made: "missing"
}

class VideoTest : public ::testing::Test {};

VideoOptions software() {
  VideoOptions o;
  o.hwdec = HwDec::none;
  o.loop = false;
  return o;
}

// Takes every frame until the end; checks order and size on the way.
struct Drained {
  int frames = 0;
  std::vector<chr::microseconds> pts;
};
Drained drain(VideoSource& s, int width, int height) {
  Drained d;
  const auto give_up = chr::steady_clock::now() + 10s;
  while (chr::steady_clock::now() < give_up) {
    if (auto f = s.pop()) {
      EXPECT_EQ(f->width(), width);
      EXPECT_EQ(f->height(), height);
      EXPECT_NE(f->plane(0), nullptr);
      EXPECT_GE(f->pitch(0), width);
      d.pts.push_back(f->pts());
      ++d.frames;
      continue;
    }
    const auto st = s.state();
    if (st == VideoSource::State::ended || st == VideoSource::State::failed) {
      if (!s.peek()) break;
    }
    std::this_thread::sleep_for(1ms);
  }
  return d;
}

TEST_F(VideoTest, EveryCodecAndContainerDecodesAllFrames) {
  const std::map<std::string, std::string> codecs = {
      {"h264.mp4", "h264"},   {"hevc8.mkv", "hevc"},   {"hevc10.mp4", "hevc"}, {"vp8.webm", "vp8"},
      {"vp9.webm", "vp9"},    {"av1.mkv", "av1"},      {"mpeg2.ts", "mpeg2video"},
      {"mpeg4.avi", "mpeg4"}, {"h264.mov", "h264"}};
  for (const auto& [name, codec] : codecs) {
    SCOPED_TRACE(name);
    auto src = VideoSource::open(clip(name), software());
    auto info = src->wait_ready(5s);
    ASSERT_TRUE(info) << info.error().what();
    EXPECT_EQ(info->codec, codec);
    EXPECT_EQ(info->width, 320);
    EXPECT_EQ(info->height, 240);
    EXPECT_FALSE(info->hardware);
    const Drained d = drain(*src, 320, 240);
    EXPECT_EQ(d.frames, 25);
    for (std::size_t i = 1; i < d.pts.size(); ++i) EXPECT_EQ(d.pts[i] - d.pts[i - 1], 40ms) << i;
    EXPECT_EQ(src->state(), VideoSource::State::ended);
    EXPECT_FALSE(src->error().has_value());
    ASSERT_TRUE(src->first_pass_end());
    EXPECT_EQ(*src->first_pass_end() - d.pts.front(), 1s);
  }
}

TEST_F(VideoTest, TenBitIsConvertedToEightBitPlanes) {
  auto src = VideoSource::open(clip("hevc10.mp4"), software());
  ASSERT_TRUE(src->wait_ready(5s));
  auto f = src->pop();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->layout(), PixelLayout::yuv420p);
  EXPECT_EQ(f->plane_count(), 3);
  // testsrc2's first frame is not flat: 8-bit luma must vary.
  int lo = 255, hi = 0;
  for (int x = 0; x < 320; ++x) {
    lo = std::min<int>(lo, f->plane(0)[120 * f->pitch(0) + x]);
    hi = std::max<int>(hi, f->plane(0)[120 * f->pitch(0) + x]);
  }
  EXPECT_GT(hi - lo, 50);
}

TEST_F(VideoTest, RotationIsReported) {
  auto src = VideoSource::open(clip("rotated.mp4"), software());
  auto info = src->wait_ready(5s);
  ASSERT_TRUE(info) << info.error().what();
  EXPECT_EQ(info->rotation, 90);
  auto plain = VideoSource::open(clip("upright.mp4"), software());
  auto pinfo = plain->wait_ready(5s);
  ASSERT_TRUE(pinfo);
  EXPECT_EQ(pinfo->rotation, 0);
}

TEST_F(VideoTest, LoopIsSeamless) {
  VideoOptions o = software();
  o.loop = true;
  auto src = VideoSource::open(clip("h264.mp4"), o);
  ASSERT_TRUE(src->wait_ready(5s));
  std::vector<chr::microseconds> pts;
  const auto give_up = chr::steady_clock::now() + 10s;
  while (pts.size() < 60 && chr::steady_clock::now() < give_up) {
    if (auto f = src->pop()) {
      pts.push_back(f->pts());
    } else {
      std::this_thread::sleep_for(1ms);
    }
  }
  ASSERT_EQ(pts.size(), 60u);
  for (std::size_t i = 1; i < pts.size(); ++i) EXPECT_EQ(pts[i] - pts[i - 1], 40ms) << "frame " << i;
  EXPECT_EQ(src->state(), VideoSource::State::playing);
  ASSERT_TRUE(src->first_pass_end());
  EXPECT_EQ(*src->first_pass_end() - pts.front(), 1s);
}

// The luma plane of a frame, row by row (the pitch may differ between decoders).
std::string luma(const VideoFrame& f) {
  std::string y;
  for (int r = 0; r < f.height(); ++r) y.append(reinterpret_cast<const char*>(f.plane(0) + r * f.pitch(0)), static_cast<std::size_t>(f.width()));
  return y;
}

TEST_F(VideoTest, JoinPartWayInStartsAtTheFrameShowingThen) {
  // h264.mp4 has one key frame (at 0): a join at 600 ms seeks back to it and decodes
  // forward without queueing, so the first frame out is frame 15 (600 ms), pixel for
  // pixel the one a plain decode shows then.
  std::map<chr::microseconds, std::string> plain;
  {
    VideoOptions o = software();
    o.loop = false;
    auto src = VideoSource::open(clip("h264.mp4"), o);
    ASSERT_TRUE(src->wait_ready(5s));
    const auto give_up = chr::steady_clock::now() + 10s;
    while (chr::steady_clock::now() < give_up) {
      if (auto f = src->pop()) {
        plain[f->pts()] = luma(*f);
      } else if (src->state() == VideoSource::State::ended) {
        break;
      } else {
        std::this_thread::sleep_for(1ms);
      }
    }
    ASSERT_EQ(plain.size(), 25u);
  }
  for (const auto at : {610ms, 1610ms}) {  // the second: past the end of a looping file
    SCOPED_TRACE(at.count());
    VideoOptions o = software();
    o.loop = true;
    o.start_at = at;
    auto src = VideoSource::open(clip("h264.mp4"), o);
    auto ready = src->wait_ready(5s);
    ASSERT_TRUE(ready) << ready.error().what();
    auto f = src->pop();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->pts(), 600ms);
    EXPECT_EQ(luma(*f), plain[600ms]);
    // Then on, frame by frame, across the loop: 640 ms ... 960 ms, 1000 ms, ...
    chr::microseconds last = f->pts();
    const auto give_up = chr::steady_clock::now() + 10s;
    int taken = 0;
    while (taken < 20 && chr::steady_clock::now() < give_up) {
      if (auto g = src->pop()) {
        EXPECT_EQ(g->pts() - last, 40ms);
        last = g->pts();
        ++taken;
      } else {
        std::this_thread::sleep_for(1ms);
      }
    }
    EXPECT_EQ(taken, 20) << (src->error() ? src->error()->what() : "no error");
  }
}

// How many threads of this process run at nice `n` (Linux: /proc/self/task/*/stat).
int threads_at_nice(int n) {
  int count = 0;
  for (const auto& t : fs::directory_iterator("/proc/self/task")) {
    const std::string stat = read_all(t.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 19 && rest >> field; ++i) {
      if (i == 19 && std::stoi(field) == n) ++count;
    }
  }
  return count;
}

TEST_F(VideoTest, BackgroundSourceComesForwardWithoutAGap) {
  // Prepared while another video plays: a lower priority and one decoder thread;
  // on screen: its decoder opens again with all threads, fed from the key frame, and
  // the frames go on one after the other.
  const int base = getpriority(PRIO_PROCESS, 0);
  // Nice values stop at 19: run under `nice`, the lower priority is that (or nothing
  // to tell apart, when the suite itself runs at 19).
  const int lower = std::min(base + 10, 19);
  VideoOptions o = software();
  o.background = true;
  o.queue_frames = 3;
  auto src = VideoSource::open(clip("h264.mp4"), o);
  ASSERT_TRUE(src->wait_ready(5s));
  if (lower > base) {
    EXPECT_EQ(threads_at_nice(lower), 1);  // the decode thread, and no decoder workers
  }
  std::vector<chr::microseconds> pts;
  const auto give_up = chr::steady_clock::now() + 5s;
  while (pts.size() < 2 && chr::steady_clock::now() < give_up) {
    if (auto f = src->pop()) {
      pts.push_back(f->pts());
    } else {
      std::this_thread::sleep_for(1ms);
    }
  }
  src->foreground();
  const Drained rest = drain(*src, 320, 240);
  pts.insert(pts.end(), rest.pts.begin(), rest.pts.end());
  std::string seen;
  for (const auto p : pts) seen += std::to_string(p.count() / 1000) + " ";
  ASSERT_EQ(pts.size(), 25u) << seen;
  for (std::size_t i = 1; i < pts.size(); ++i) EXPECT_EQ(pts[i] - pts[i - 1], 40ms) << i;
  EXPECT_EQ(src->state(), VideoSource::State::ended);
  const VideoInfo info = src->info();
  const bool stays_lower = !info.fallbacks.empty() && info.fallbacks.back().find("priority") != std::string::npos;
  if (!stays_lower && lower > base) {
    EXPECT_EQ(threads_at_nice(lower), 0);
  }
}

TEST_F(VideoTest, QueueStaysBounded) {
  VideoOptions o = software();
  o.queue_frames = 3;
  auto src = VideoSource::open(clip("h264.mp4"), o);
  ASSERT_TRUE(src->wait_ready(5s));
  std::this_thread::sleep_for(200ms);  // the decoder would have finished the clip by now
  // Three queued and one in hand waiting for room.
  EXPECT_LE(src->frames_decoded(), 4u);
  EXPECT_EQ(src->state(), VideoSource::State::playing);
}

TEST_F(VideoTest, BadMediaFailsQuicklyWithTheFileAndReason) {
  const std::map<std::string, std::string> cases = {
      {"missing.mp4", "file not found"},
      {"empty.mp4", "empty file"},
      {"truncated.mp4", "cannot"},
      {"corrupt.mp4", "cannot open"},
      {"huge.y4m", "larger than the limit"},
      {"unknown_codec.mkv", "unsupported codec"},
      {"audio_only.m4a", "no video stream"},
  };
  for (const auto& [name, reason] : cases) {
    SCOPED_TRACE(name);
    const fs::path file = clip(name);  // made (on first use) before the clock starts
    const auto t0 = chr::steady_clock::now();
    auto src = VideoSource::open(file, software());
    auto info = src->wait_ready(5s);
    const auto took = chr::steady_clock::now() - t0;
    ASSERT_FALSE(info);
    const std::string what = info.error().what();
    EXPECT_NE(what.find(file.string()), std::string::npos) << what;
    EXPECT_NE(what.find(reason), std::string::npos) << what;
    EXPECT_LT(took, 2s) << what;
    EXPECT_EQ(src->state(), VideoSource::State::failed);
  }
}

TEST_F(VideoTest, AutoHwdecWithoutGpuFallsBackToSoftwareAndSaysSo) {
  const bool gpu = fs::exists("/dev/dri") || fs::exists("/dev/nvidiactl");
  VideoOptions o;
  o.hwdec = HwDec::auto_select;
  o.loop = false;
  auto src = VideoSource::open(clip("h264.mp4"), o);
  auto info = src->wait_ready(5s);
  ASSERT_TRUE(info) << info.error().what();
  if (gpu) {
    GTEST_LOG_(INFO) << "decoder: " << info->decoder;
  } else {
    EXPECT_EQ(info->decoder, "h264 (software)");
    EXPECT_FALSE(info->hardware);
    ASSERT_GE(info->fallbacks.size(), 3u);
    EXPECT_EQ(info->fallbacks[0].rfind("cuda: ", 0), 0u) << info->fallbacks[0];
    EXPECT_EQ(info->fallbacks[1].rfind("vaapi: ", 0), 0u) << info->fallbacks[1];
  }
  EXPECT_EQ(drain(*src, 320, 240).frames, 25);
}

TEST_F(VideoTest, MethodsThatFailedAreRememberedAcrossSources) {
  if (fs::exists("/dev/dri") || fs::exists("/dev/nvidiactl")) GTEST_SKIP() << "this machine may have a GPU";
  VideoOptions o;
  o.hwdec = HwDec::auto_select;
  o.loop = false;
  o.devices = std::make_shared<HwDevices>();
  // Each try of a v4l2m2m decoder logs through FFmpeg: count the tries.
  static std::atomic<int> v4l2_tries{0};
  v4l2_tries = 0;
  av_log_set_callback([](void* avcl, int, const char*, va_list) {
    const AVClass* c = avcl ? *static_cast<const AVClass* const*>(avcl) : nullptr;
    if (c && c->item_name && std::string(c->item_name(avcl)).find("v4l2m2m") != std::string::npos) ++v4l2_tries;
  });
  auto first = VideoSource::open(clip("h264.mp4"), o);
  auto a = first->wait_ready(5s);
  ASSERT_TRUE(a) << a.error().what();
  const int tries_first = v4l2_tries.load();
  auto second = VideoSource::open(clip("h264.mp4"), o);
  auto b = second->wait_ready(5s);
  av_log_set_callback(av_log_default_callback);
  ASSERT_TRUE(b) << b.error().what();
  EXPECT_GT(tries_first, 0) << "the first source tries the v4l2m2m decoder";
  EXPECT_EQ(v4l2_tries.load(), tries_first) << "the second does not try it again";
  // The same reasons (devices and v4l2m2m decoders that could not open), told again.
  EXPECT_EQ(a->fallbacks, b->fallbacks);
  ASSERT_EQ(b->fallbacks.size(), 4u);
  EXPECT_EQ(b->fallbacks[3].rfind("v4l2m2m: ", 0), 0u) << b->fallbacks[3];
  EXPECT_EQ(b->decoder, "h264 (software)");
}

TEST_F(VideoTest, ExplicitHwdecFallsBackToSoftware) {
  if (fs::exists("/dev/dri")) GTEST_SKIP() << "this machine may have VAAPI";
  VideoOptions o = software();
  o.hwdec = HwDec::vaapi;
  auto src = VideoSource::open(clip("h264.mp4"), o);
  auto info = src->wait_ready(5s);
  ASSERT_TRUE(info) << info.error().what();
  EXPECT_EQ(info->decoder, "h264 (software)");
  ASSERT_EQ(info->fallbacks.size(), 1u);
  EXPECT_NE(info->fallbacks[0].find("vaapi"), std::string::npos);
}

TEST_F(VideoTest, DecoderFailingMidStreamHandsOverWithoutAGap) {
  VideoOptions o = software();
  o.order = {HwDec::none, HwDec::none};  // a failing first decoder, then a good one
  o.inject_failure_after = 10;
  o.hw_failure_packets = 3;
  auto src = VideoSource::open(clip("h264.mp4"), o);
  ASSERT_TRUE(src->wait_ready(5s));
  const Drained d = drain(*src, 320, 240);
  EXPECT_EQ(d.frames, 25);
  for (std::size_t i = 1; i < d.pts.size(); ++i) EXPECT_EQ(d.pts[i] - d.pts[i - 1], 40ms) << i;
  const VideoInfo info = src->info();
  ASSERT_EQ(info.fallbacks.size(), 1u);
  EXPECT_NE(info.fallbacks[0].find("3 decode errors in a row"), std::string::npos) << info.fallbacks[0];
  EXPECT_EQ(info.decoder, "h264 (software)");
  EXPECT_FALSE(src->error());
}

TEST_F(VideoTest, DecodeErrorMidFileEndsTheItemCleanly) {
  VideoOptions o = software();
  o.inject_failure_after = 10;
  o.max_decode_errors = 4;
  auto src = VideoSource::open(clip("h264.mp4"), o);
  ASSERT_TRUE(src->wait_ready(5s));
  const Drained d = drain(*src, 320, 240);
  EXPECT_GT(d.frames, 0);
  EXPECT_LT(d.frames, 25);
  EXPECT_EQ(src->state(), VideoSource::State::ended);
  ASSERT_TRUE(src->error());
  EXPECT_NE(src->error()->what().find("errors in a row"), std::string::npos);
}

// Samples out of the AudioStream, with nothing playing them.
std::vector<float> decode_audio(const fs::path& file) {
  auto stream = std::make_shared<AudioStream>(kAudioRate * 4);
  VideoOptions o = software();
  o.audio = stream;
  auto src = VideoSource::open(file, o);
  EXPECT_TRUE(src->wait_ready(5s));
  drain(*src, 320, 240);
  std::vector<float> out(stream->queued_frames() * kAudioChannels);
  stream->read(out.data(), stream->queued_frames());
  return out;
}

TEST_F(VideoTest, SurroundIsResampledAndDownmixedToStereo) {
  const std::vector<float> s = decode_audio(clip("surround.mkv"));
  const std::size_t frames = s.size() / 2;
  // 1 s at 44.1 kHz -> about 48000 frames at 48 kHz.
  EXPECT_NEAR(static_cast<double>(frames), 48000.0, 1200.0);
  double l2 = 0, r2 = 0;
  int crossings = 0;
  for (std::size_t i = 1000; i + 1000 < frames; ++i) {
    l2 += s[2 * i] * s[2 * i];
    r2 += s[2 * i + 1] * s[2 * i + 1];
    if ((s[2 * i] < 0) != (s[2 * i + 2] < 0)) ++crossings;
  }
  const double n = static_cast<double>(frames - 2000);
  const double l_rms = std::sqrt(l2 / n), r_rms = std::sqrt(r2 / n);
  // lavfi sine has amplitude 1/8 (RMS 0.0884); FL goes to the left only, at weight
  // 1 in swresample's default 5.1 -> stereo matrix (C and surrounds at 0.707; no
  // normalisation for float output, like mpv's default).
  EXPECT_NEAR(l_rms, 0.125 / std::sqrt(2.0), 0.002);
  EXPECT_LT(r_rms, 1e-4);
  // Still 1 kHz after resampling: 2000 zero crossings a second.
  EXPECT_NEAR(crossings / (n / 48000.0), 2000.0, 20.0);
}

TEST_F(VideoTest, AudioOutputPlaysAStreamAndItsClockAdvances) {
  auto out = AudioOutput::open();  // SDL_AUDIODRIVER=dummy (test_main)
  ASSERT_TRUE(out) << out.error().what();
  auto stream = std::make_shared<AudioStream>();
  std::vector<float> tone(kAudioRate / 2 * kAudioChannels, 0.25f);  // 0.5 s
  EXPECT_EQ(stream->write(tone.data(), kAudioRate / 2, 1s), static_cast<std::size_t>(kAudioRate / 2));
  ASSERT_TRUE(stream->clock());
  EXPECT_EQ(*stream->clock(), 1s);
  (*out)->play(stream);
  std::this_thread::sleep_for(200ms);
  (*out)->stop(stream.get());
  ASSERT_TRUE(stream->clock());
  EXPECT_GT(*stream->clock(), 1s + 50ms);
  EXPECT_LT(stream->queued_frames(), static_cast<std::size_t>(kAudioRate / 2));
}

// The device takes blocks of samples; between two the clock runs on at real time
// from the start of the last block, never past its end, so a video frame is not
// overtaken by a clock that jumps a block (21 ms) at a time.
TEST(AudioClock, RunsSmoothlyBetweenTheBlocksTheDeviceTakes) {
  ManualMonotonicClock mono;
  AudioStream s(kAudioRate, mono);
  EXPECT_FALSE(s.clock()) << "nothing queued";
  std::vector<float> tone(std::size_t{2048} * kAudioChannels, 0.25f);
  ASSERT_EQ(s.write(tone.data(), 2048, 1s), 2048u);
  ASSERT_TRUE(s.clock());
  EXPECT_EQ(*s.clock(), 1s) << "not started: the first sample's time";
  std::vector<float> out(std::size_t{1024} * kAudioChannels);
  const auto block = chr::microseconds(1024 * 1'000'000 / kAudioRate);  // 21.333 ms
  ASSERT_EQ(s.read(out.data(), 1024), 1024u);
  EXPECT_EQ(*s.clock(), 1s) << "the block just taken starts being heard";
  mono.advance(10ms);
  EXPECT_EQ(*s.clock(), 1s + 10ms);
  mono.advance(20ms);
  EXPECT_EQ(*s.clock(), 1s + block) << "not past the block's end while the next is late";
  ASSERT_EQ(s.read(out.data(), 1024), 1024u);
  EXPECT_EQ(*s.clock(), 1s + block) << "continuous across blocks";
  mono.advance(5ms);
  EXPECT_EQ(*s.clock(), 1s + block + 5ms);
  mono.advance(20ms);
  EXPECT_FALSE(s.clock()) << "everything heard: the video runs on its own clock";
  // A seek: the new samples' time until the device takes them.
  s.clear();
  ASSERT_EQ(s.write(tone.data(), 2048, 7s), 2048u);
  EXPECT_EQ(*s.clock(), 7s);
}

TEST_F(VideoTest, VolumeAndMuteScaleTheSamples) {
  AudioStream s;
  std::vector<float> one(2 * 100, 1.0f);
  s.write(one.data(), 100, 0us);
  s.set_volume(50);
  std::vector<float> out(2 * 50);
  s.read(out.data(), 50);
  EXPECT_NEAR(out[0], 0.125f, 1e-6);  // (50 %)^3
  s.set_mute(true);
  s.read(out.data(), 50);
  EXPECT_EQ(out[0], 0.0f);
  s.read(out.data(), 50);  // nothing left: silence
  EXPECT_EQ(out[0], 0.0f);
}

// ---- on a headless display -------------------------------------------------

struct Headless {
  std::unique_ptr<Display> display;
  Headless() {
    DisplayOptions o;
    o.mode = DisplayOptions::Mode::headless;
    o.width = 640;
    o.height = 360;
    auto d = open_sdl_display(o);
    EXPECT_TRUE(d) << d.error().what();
    if (d) display = std::move(*d);
  }
};

Item video_item(const std::string& file, Rgb bg) {
  Item it;
  it.id = file;
  it.type = ItemType::video;
  it.file = file;
  it.path = clip(file);
  it.style.background = bg;
  return it;
}

struct Px {
  int r, g, b;
};
Px at(const Image& img, int x, int y) {
  const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) + static_cast<std::size_t>(x)) * 4;
  return Px{img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]};
}

TEST_F(VideoTest, OddSizeIsLetterboxedOnTheItemBackground) {
  Headless h;
  ASSERT_TRUE(h.display);
  VideoViewSetup setup;
  setup.hwdec = HwDec::none;
  auto view = make_video_view(*h.display, video_item("odd.mp4", Rgb{0, 0, 255}), setup);
  ASSERT_TRUE(view) << view.error().what();
  (*view)->update(Instant{});
  (*view)->draw(*h.display, 1.0f);
  auto img = h.display->read_pixels();
  ASSERT_TRUE(img);
  // 322x242 in 640x360: 479x360 at x = 80.
  const Rect r = fit_rect(322, 242, Rect{0, 0, 640, 360}, Fit::contain);
  EXPECT_EQ(r, (Rect{80, 0, 479, 360}));
  for (int y : {5, 180, 354}) {
    const Px bar_l = at(*img, 40, y), bar_r = at(*img, 600, y), pic = at(*img, 320, y);
    EXPECT_EQ(bar_l.b, 255);
    EXPECT_EQ(bar_l.r, 0);
    EXPECT_EQ(bar_r.b, 255);
    EXPECT_GT(pic.r, 200) << y;  // red, through BT.601 limited range
    EXPECT_LT(pic.b, 40) << y;
  }
  EXPECT_GT(at(*img, 84, 180).r, 200);    // the picture starts at x = 80
  EXPECT_EQ(at(*img, 76, 180).b, 255);
  auto stats = (*view)->play_stats();
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->decoder, "h264 (software)");
  EXPECT_EQ(stats->frames_presented, 1u);
}

TEST_F(VideoTest, RotatedClipIsDrawnUpright) {
  Headless h;
  ASSERT_TRUE(h.display);
  VideoViewSetup setup;
  setup.hwdec = HwDec::none;
  auto view = make_video_view(*h.display, video_item("rotated.mp4", Rgb{0, 128, 0}), setup);
  ASSERT_TRUE(view) << view.error().what();
  (*view)->update(Instant{});
  (*view)->draw(*h.display, 1.0f);
  auto img = h.display->read_pixels();
  ASSERT_TRUE(img);
  // Upright it is 240x320: 270x360 at x = 185. The white top half is now on the right.
  const Px left = at(*img, 185 + 60, 180), right = at(*img, 185 + 210, 180);
  EXPECT_LT(left.r, 40);
  EXPECT_GT(right.r, 215);
  EXPECT_EQ(at(*img, 150, 180).g, 128);  // background beside it
  EXPECT_EQ(at(*img, 490, 180).g, 128);
}

// The 25 fps h264.mp4 as a view, software decoding, its first frame uploaded, and
// its decoder given the time to refill its queue after that preroll.
Result<std::unique_ptr<View>> ready_h264_view(Display& display, const MonotonicClock* mono = nullptr) {
  VideoViewSetup setup;
  setup.hwdec = HwDec::none;
  setup.monotonic = mono;
  auto made = make_video_view(display, video_item("h264.mp4", Rgb{}), setup);
  if (made) std::this_thread::sleep_for(50ms);
  return made;
}

// The very first present of a process is slow (the renderer sets itself up): the
// video's clock starts after it rather than skipping the frames that fell due.
TEST_F(VideoTest, SlowFirstPresentDelaysTheClockInsteadOfDroppingFrames) {
  Headless h;
  ASSERT_TRUE(h.display);
  ManualMonotonicClock mono;
  auto made = ready_h264_view(*h.display, &mono);
  ASSERT_TRUE(made) << made.error().what();
  View& v = **made;
  const Instant t0 = Instant{} + 1000s;
  ASSERT_TRUE(v.update(t0));
  // The first frame took 200 ms to reach the screen: five frames of 40 ms fell due.
  mono.advance(200ms);
  auto next = v.update(t0 + 200ms);
  ASSERT_TRUE(next);
  EXPECT_EQ(v.play_stats()->frames_presented, 2u);
  EXPECT_EQ(v.play_stats()->frames_dropped, 0u);
  EXPECT_EQ(*next, t0 + 240ms);  // and the third is due one frame after that
  // Only the first present counts so: later lateness drops frames as before.
  std::this_thread::sleep_for(50ms);
  mono.advance(240ms);
  v.update(t0 + 440ms);
  EXPECT_GE(v.play_stats()->frames_dropped, 1u);
}

TEST_F(VideoTest, ViewShowsFramesOnTimeDropsLateOnesAndReportsItsEnd) {
  Headless h;
  ASSERT_TRUE(h.display);
  ManualMonotonicClock mono;
  auto made = ready_h264_view(*h.display, &mono);
  ASSERT_TRUE(made) << made.error().what();
  View& v = **made;
  EXPECT_FALSE(v.ends_at());  // not started
  const Instant t0 = Instant{} + 1000s;
  auto next = v.update(t0);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, t0 + 40ms);  // the second frame is due one frame later
  // Follow the clock as the main loop would, until 10 more frames are shown. Each
  // wake-up is a frame's due time (or a short poll if the decoder is behind).
  Instant now = t0;
  for (int i = 0; i < 200 && v.play_stats()->frames_presented < 11; ++i) {
    std::this_thread::sleep_for(2ms);
    const Instant before = now;
    now = *next;
    mono.advance(now - before);
    next = v.update(now);
    ASSERT_TRUE(next);
    EXPECT_LE(now - before, 40ms);
  }
  EXPECT_EQ(now, t0 + 400ms);
  auto s = v.play_stats();
  EXPECT_EQ(s->frames_presented, 11u);
  EXPECT_EQ(s->frames_dropped, 0u);
  // 200 ms late: the frames in between are dropped, and counted.
  std::this_thread::sleep_for(50ms);
  mono.advance(200ms);
  v.update(now + 200ms);
  s = v.play_stats();
  EXPECT_EQ(s->frames_presented, 12u);
  EXPECT_GE(s->frames_dropped, 1u);
  ASSERT_TRUE(v.ends_at());
  EXPECT_EQ(*v.ends_at(), t0 + 1s);  // the container's claim, then the real end: the same here
  EXPECT_EQ(s->outcome, "complete");
}

TEST_F(VideoTest, VideoJoinedPartWayPresentsTheFrameShowingThen) {
  // Six seconds with a key frame every two: a join 4.2 s into the slot seeks to the
  // key frame at 4 s, decodes forward, and the first frame on screen is the one at
  // 4.2 s, pixel for pixel; the next one 40 ms later.
  Headless h;
  ASSERT_TRUE(h.display);
  ManualMonotonicClock mono;
  VideoViewSetup setup;
  setup.hwdec = HwDec::none;
  setup.monotonic = &mono;
  setup.start_at = 4200ms;
  auto made = make_video_view(*h.display, video_item("h264_6s.mp4", Rgb{}), setup);
  ASSERT_TRUE(made) << made.error().what();
  View& v = **made;
  std::this_thread::sleep_for(50ms);  // the decoder fills its queue
  const Instant t0 = Instant{} + 1000s;
  auto next = v.update(t0);
  ASSERT_TRUE(v.media_position());
  EXPECT_EQ(*v.media_position(), 4200ms);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, t0 + 40ms);
  // On the wall clock's grid: prepared 4.1 s into a slot that began at t0 - 4.2 s
  // (the preparing took 100 ms), the first update shows the frame of 4.2 s, without
  // counting the frames passed over as dropped, and it stays in step.
  {
    setup.anchor = t0 - 4200ms;
    setup.start_at = 4100ms;
    auto late = make_video_view(*h.display, video_item("h264_6s.mp4", Rgb{}), setup);
    ASSERT_TRUE(late) << late.error().what();
    View& lv = **late;
    std::this_thread::sleep_for(50ms);  // the decoder fills its queue
    lv.update(t0);
    ASSERT_TRUE(lv.media_position());
    EXPECT_EQ(*lv.media_position(), 4200ms);
    std::this_thread::sleep_for(20ms);
    for (int i = 1; i <= 3; ++i) {
      mono.advance(40ms);
      lv.update(t0 + 40ms * i);
      EXPECT_EQ(*lv.media_position(), 4200ms + 40ms * i);
      std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(lv.play_stats()->frames_dropped, 0u);
  }
  // The joined source's first frame is the plain decode's frame at 4.2 s.
  VideoOptions o = software();
  auto src = VideoSource::open(clip("h264_6s.mp4"), o);
  ASSERT_TRUE(src->wait_ready(5s));
  std::optional<VideoFrame> at;
  const auto give_up = chr::steady_clock::now() + 10s;
  while (!at && chr::steady_clock::now() < give_up) {
    if (auto f = src->pop()) {
      if (f->pts() == 4200ms) at = std::move(f);
    } else {
      std::this_thread::sleep_for(1ms);
    }
  }
  ASSERT_TRUE(at);
  auto joined = VideoSource::open(clip("h264_6s.mp4"), [] {
    VideoOptions j = software();
    j.start_at = 4200ms;
    return j;
  }());
  ASSERT_TRUE(joined->wait_ready(5s));
  auto first = joined->pop();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->pts(), 4200ms);
  EXPECT_EQ(luma(*first), luma(*at));
}

TEST_F(VideoTest, SmallWallClockStepIsSlewedWithoutDroppingFrames) {
  // The wall clock is set 30 ms forward while a video plays: the picture goes on
  // frame by frame (slewed), where following the wall clock would skip a frame.
  Headless h;
  ASSERT_TRUE(h.display);
  ManualMonotonicClock mono;
  auto made = ready_h264_view(*h.display, &mono);
  ASSERT_TRUE(made) << made.error().what();
  View& v = **made;
  Instant now = Instant{} + 1000s;
  v.update(now);
  std::vector<chr::microseconds> shown{*v.media_position()};
  for (int i = 1; i < 20; ++i) {
    std::this_thread::sleep_for(3ms);  // the decoder keeps up
    mono.advance(40ms);
    now += 40ms + (i == 5 ? 30ms : 0ms);
    v.update(now);
    shown.push_back(*v.media_position());
  }
  for (std::size_t i = 1; i < shown.size(); ++i) EXPECT_LE(shown[i] - shown[i - 1], 40ms) << i;
  EXPECT_EQ(v.play_stats()->frames_dropped, 0u);
}

// A Scene on a headless display, software decoding, for the video views it makes.
struct SceneRig {
  explicit SceneRig(chr::milliseconds ready_timeout = 2000ms, std::function<void(std::string)> log = {}) {
    if (!h.display) return;
    auto f = FontSet::open("");
    if (!f) return;
    fonts.emplace(std::move(*f));
    SceneOptions so;
    so.hwdec = "none";
    so.video_ready_timeout = ready_timeout;
    so.log = std::move(log);
    scene.emplace(*h.display, *fonts, *zone, so);
  }
  Headless h;
  std::optional<FontSet> fonts;
  std::unique_ptr<TimeZone> zone = fixed_offset_zone(chr::hours(8));
  std::optional<Scene> scene;  // empty when the display or the fonts did not open
};

TEST_F(VideoTest, SceneMakesVideoViewsAndSkipsBadFilesQuickly) {
  SceneRig rig;
  ASSERT_TRUE(rig.scene);
  Scene& scene = *rig.scene;
  auto good = scene.prepare(video_item("surround.mkv", Rgb{}));
  ASSERT_TRUE(good) << good.error().what();
  EXPECT_NE((*good)->describe().find("h264 (software)"), std::string::npos);
  const auto t0 = chr::steady_clock::now();
  auto bad = scene.prepare(video_item("corrupt.mp4", Rgb{}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().what().find("cannot show video 'corrupt.mp4'"), std::string::npos) << bad.error().what();
  EXPECT_LT(chr::steady_clock::now() - t0, 2s);
}

// Lines a Scene or FFmpeg hands to the log, from any thread.
struct LogLines {
  std::mutex mu;
  std::vector<std::string> lines;
  std::function<void(std::string)> sink() {
    return [this](std::string l) {
      std::lock_guard lock(mu);
      lines.push_back(std::move(l));
    };
  }
  std::size_t count(const std::string& text) {
    std::lock_guard lock(mu);
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
  }
  std::string all() {
    std::lock_guard lock(mu);
    std::string s;
    for (const auto& l : lines) s += l + "\n";
    return s;
  }
};

// The sound device opens for the first video that has sound, once, and never for a
// muted video or one without an audio track (SDL_AUDIODRIVER=dummy: test_main).
TEST_F(VideoTest, SoundDeviceOpensOnlyForAVideoWithSound) {
  LogLines log;
  SceneRig rig(2000ms, log.sink());
  ASSERT_TRUE(rig.scene);
  Scene& scene = *rig.scene;
  Item muted = video_item("surround.mkv", Rgb{});
  muted.mute = true;
  auto a = scene.prepare(muted);
  ASSERT_TRUE(a) << a.error().what();
  (*a)->update(Instant{});
  auto silent_file = scene.prepare(video_item("h264.mp4", Rgb{}));  // not muted, no audio track
  ASSERT_TRUE(silent_file) << silent_file.error().what();
  (*silent_file)->update(Instant{});
  EXPECT_EQ(log.count("sound"), 0u) << log.all();
  auto b = scene.prepare(video_item("surround.mkv", Rgb{}));
  ASSERT_TRUE(b) << b.error().what();
  EXPECT_EQ(log.count("sound: dummy"), 1u) << log.all();
  auto c = scene.prepare(video_item("surround.mkv", Rgb{}), PrepareMode::ahead);
  ASSERT_TRUE(c) << c.error().what();
  auto c_ready = (*c)->ready(2s);
  ASSERT_TRUE(c_ready && *c_ready) << (c_ready ? "not ready" : c_ready.error().what());
  EXPECT_EQ(log.count("sound"), 1u) << "opened once: " << log.all();
}

// No sound card: said once, and videos still play (silently, on the media clock).
TEST_F(VideoTest, MissingSoundDeviceIsSaidOnceAndVideosPlaySilently) {
  const char* before = std::getenv("SDL_AUDIODRIVER");
  const std::string saved = before != nullptr ? before : "";
  setenv("SDL_AUDIODRIVER", "no-such-driver", 1);
  LogLines log;
  {
    SceneRig rig(2000ms, log.sink());
    ASSERT_TRUE(rig.scene);
    for (int i = 0; i < 2; ++i) {
      auto v = rig.scene->prepare(video_item("surround.mkv", Rgb{}));
      ASSERT_TRUE(v) << v.error().what();
      std::uint64_t shown = 0;
      for (int k = 0; k < 100 && shown < 4; ++k) {
        (*v)->update(Instant{} + k * 40ms);
        shown = (*v)->play_stats()->frames_presented;
        std::this_thread::sleep_for(10ms);
      }
      EXPECT_GE(shown, 4u) << "the picture goes on without sound";
    }
  }
  setenv("SDL_AUDIODRIVER", saved.c_str(), 1);
  EXPECT_EQ(log.count("no sound: "), 1u) << log.all();
  EXPECT_EQ(log.count("videos play silently"), 1u) << log.all();
}

// FFmpeg's messages become lines of ours: three of a kind, then a count; below
// warning level nothing; while a capture is alive on a thread, nothing from it.
TEST_F(VideoTest, FfmpegMessagesAreRoutedAndRepeatsCounted) {
  ManualMonotonicClock clock;
  LogLines log;
  static const AVClass h264 = [] {
    AVClass c{};
    c.class_name = "h264";
    c.item_name = av_default_item_name;
    c.version = LIBAVUTIL_VERSION_INT;
    return c;
  }();
  struct {
    const AVClass* cls = &h264;
  } ctx;
  {
    FfmpegLogRoute route(log.sink(), clock, RepeatLimit::Options{3, 60s});
    for (int i = 0; i < 10; ++i) av_log(&ctx, AV_LOG_ERROR, "Invalid NAL unit size (%d > %d).\n", 1000 + i, 52);
    av_log(&ctx, AV_LOG_INFO, "nothing to see\n");
    av_log(&ctx, AV_LOG_WARNING, "in two ");
    av_log(&ctx, AV_LOG_WARNING, "parts\n");
    {
      FfmpegCapture said;
      av_log(&ctx, AV_LOG_ERROR, "Cannot load libcuda.so.1\n");
      av_log(&ctx, AV_LOG_WARNING, "a warning is not a reason\n");
      EXPECT_EQ(said.errors(), "Cannot load libcuda.so.1");
    }
    ASSERT_EQ(log.lines.size(), 4u) << log.all();
    EXPECT_EQ(log.lines[0], "ffmpeg: h264: Invalid NAL unit size (1000 > 52).");
    EXPECT_EQ(log.lines[2], "ffmpeg: h264: Invalid NAL unit size (1002 > 52).");
    EXPECT_EQ(log.lines[3], "ffmpeg: h264: in two parts");
    route.flush(false);
    EXPECT_EQ(log.lines.size(), 4u) << "the count comes a window after the first line it holds";
    clock.advance(60s);
    route.flush(false);
    ASSERT_EQ(log.lines.size(), 5u) << log.all();
    EXPECT_EQ(log.lines[4], "ffmpeg: h264: 7 more times: Invalid NAL unit size (1009 > 52).");
    // Quiet for a window: the next incident shows its first lines again.
    clock.advance(61s);
    av_log(&ctx, AV_LOG_ERROR, "Invalid NAL unit size (%d > %d).\n", 7, 52);
    EXPECT_EQ(log.lines.size(), 6u) << log.all();
  }
  EXPECT_EQ(log.count("[h264 @"), 0u) << log.all();
}

// The next item is prepared while a video plays: a video prepared ahead must not
// hold up the main thread, and its errors come later from ready().
TEST_F(VideoTest, VideoPreparedAheadOpensOnItsOwnThread) {
  SceneRig rig(3s);
  ASSERT_TRUE(rig.scene);
  Scene& scene = *rig.scene;

  auto good = scene.prepare(video_item("surround.mkv", Rgb{}), PrepareMode::ahead);
  ASSERT_TRUE(good) << good.error().what();
  View& v = **good;
  auto r = v.ready(0ms);  // only looks: true or false, not an error
  ASSERT_TRUE(r) << r.error().what();
  r = v.ready(chr::milliseconds::max());
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_TRUE(*r);
  EXPECT_TRUE(*v.ready(0ms));  // stays ready
  const Instant t0 = Instant{} + chr::hours(1);
  ASSERT_TRUE(v.update(t0));
  v.draw(*rig.h.display, 1.0f);
  EXPECT_EQ(v.play_stats()->frames_presented, 1u);  // the first frame, uploaded by ready()

  // A damaged file is accepted ahead and refused by ready(), with file and reason.
  auto bad = scene.prepare(video_item("corrupt.mp4", Rgb{}), PrepareMode::ahead);
  ASSERT_TRUE(bad) << bad.error().what();
  const auto t1 = chr::steady_clock::now();
  auto rb = (*bad)->ready(chr::milliseconds::max());
  ASSERT_FALSE(rb);
  EXPECT_NE(rb.error().what().find("corrupt.mp4"), std::string::npos) << rb.error().what();
  EXPECT_LT(chr::steady_clock::now() - t1, 3s);
  ASSERT_FALSE((*bad)->ready(0ms));  // the same answer again
}

}  // namespace
}  // namespace signage
