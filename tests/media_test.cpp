// Tests for player/media: probing, decoding (with EXIF orientation and the pixel
// limit) and writing still images. Fixtures are generated at test time in a temp
// folder, with write_png and the ffmpeg command-line tool; the few hand-made ones are
// under tests/data/images (see the README there).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "media/image.h"

namespace signage {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kLimit = 64'000'000;

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << p;
}

struct Rgba {
  int r, g, b, a;
};

Rgba pixel(const Image& img, int x, int y) {
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) +
                         static_cast<std::size_t>(x)) * 4;
  return {img.rgba[i], img.rgba[i + 1], img.rgba[i + 2], img.rgba[i + 3]};
}

void set_pixel(Image& img, int x, int y, Rgba c) {
  const std::size_t i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(img.width) +
                         static_cast<std::size_t>(x)) * 4;
  img.rgba[i] = static_cast<std::uint8_t>(c.r);
  img.rgba[i + 1] = static_cast<std::uint8_t>(c.g);
  img.rgba[i + 2] = static_cast<std::uint8_t>(c.b);
  img.rgba[i + 3] = static_cast<std::uint8_t>(c.a);
}

Image blank(int w, int h) {
  Image img;
  img.width = w;
  img.height = h;
  img.rgba.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4, 0);
  return img;
}

// 64x48: red grows left to right, green top to bottom, blue 128; alpha 255 on the
// left half and 100 on the right half unless `opaque`.
constexpr int kW = 64;
constexpr int kH = 48;
Rgba gradient_at(int x, int y, bool opaque) {
  return {x * 255 / (kW - 1), y * 255 / (kH - 1), 128, opaque || x < kW / 2 ? 255 : 100};
}
Image gradient(bool opaque) {
  Image img = blank(kW, kH);
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x) set_pixel(img, x, y, gradient_at(x, y, opaque));
  return img;
}

// Samples a grid of pixels against the gradient, RGB within `tol`.
void expect_gradient(const Image& img, int tol, bool opaque) {
  ASSERT_EQ(img.width, kW);
  ASSERT_EQ(img.height, kH);
  ASSERT_EQ(img.rgba.size(), static_cast<std::size_t>(kW * kH * 4));
  for (int y = 4; y < kH; y += 10) {
    for (int x = 4; x < kW; x += 9) {
      const Rgba got = pixel(img, x, y);
      const Rgba want = gradient_at(x, y, opaque);
      EXPECT_NEAR(got.r, want.r, tol) << "at " << x << "," << y;
      EXPECT_NEAR(got.g, want.g, tol) << "at " << x << "," << y;
      EXPECT_NEAR(got.b, want.b, tol) << "at " << x << "," << y;
      EXPECT_EQ(got.a, want.a) << "at " << x << "," << y;
    }
  }
}

void expect_near(Rgba got, Rgba want, int tol, const char* where) {
  EXPECT_NEAR(got.r, want.r, tol) << where;
  EXPECT_NEAR(got.g, want.g, tol) << where;
  EXPECT_NEAR(got.b, want.b, tol) << where;
  EXPECT_EQ(got.a, want.a) << where;
}

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A fresh folder per test suite, removed afterwards.
class MediaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string tmpl = (fs::temp_directory_path() / "signage-media-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(write_png(gradient(false), dir_ / "alpha.png").ok());
    ASSERT_TRUE(write_png(gradient(true), dir_ / "opaque.png").ok());
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // JPEG, BMP and three kinds of WebP made from the PNGs by the ffmpeg tool (a
  // declared dependency, packaging/debian-packages.txt), in one run, on first use.
  static void make_ffmpeg_fixtures() {
    if (fs::exists(path("vp8x.webp"))) return;
    auto q = [](const fs::path& p) { return " '" + p.string() + "'"; };
    const std::string cmd =
        "ffmpeg -nostdin -loglevel error -y -i" + q(path("opaque.png")) + " -i" + q(path("alpha.png")) +
        " -map 0 -q:v 2" + q(path("opaque.jpg")) +
        " -map 0 -pix_fmt bgr24" + q(path("opaque.bmp")) +
        " -map 0 -c:v libwebp -quality 95" + q(path("vp8.webp")) +   // "VP8 "
        " -map 1 -c:v libwebp -lossless 1" + q(path("vp8l.webp")) +  // "VP8L"
        " -map 1 -c:v libwebp -quality 95" + q(path("vp8x.webp")) +  // "VP8X" + ALPH
        " -map 0 -pix_fmt gray" + q(path("gray.png")) +
        " -map 0 -pix_fmt gray -f rawvideo" + q(path("gray.raw"));   // the same samples, raw
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static fs::path path(const std::string& name) { return dir_ / name; }

  static fs::path dir_;
};
fs::path MediaTest::dir_;

// ---- probe and decode, per format ----

TEST_F(MediaTest, PngRoundTripIsExactAndKeepsAlpha) {
  auto info = probe_image(path("alpha.png"));
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->format, "png");
  EXPECT_EQ(info->width, kW);
  EXPECT_EQ(info->height, kH);
  EXPECT_EQ(info->orientation, 1);
  auto img = decode_image(path("alpha.png"), kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  EXPECT_EQ(img->width, kW);
  EXPECT_EQ(img->height, kH);
  EXPECT_EQ(img->rgba, gradient(false).rgba);
}

TEST_F(MediaTest, JpegFromFfmpeg) {
  make_ffmpeg_fixtures();
  auto info = probe_image(path("opaque.jpg"));
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->format, "jpeg");
  EXPECT_EQ(info->width, kW);
  EXPECT_EQ(info->height, kH);
  EXPECT_EQ(info->orientation, 1);
  auto img = decode_image(path("opaque.jpg"), kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  expect_gradient(*img, 12, true);
}

TEST_F(MediaTest, BmpFromFfmpeg) {
  make_ffmpeg_fixtures();
  auto info = probe_image(path("opaque.bmp"));
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->format, "bmp");
  EXPECT_EQ(info->width, kW);
  EXPECT_EQ(info->height, kH);
  auto img = decode_image(path("opaque.bmp"), kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  expect_gradient(*img, 0, true);
}

TEST_F(MediaTest, WebpAllThreeChunkKinds) {
  make_ffmpeg_fixtures();
  struct Case {
    const char* file;
    const char* chunk;
    int tol;
    bool opaque;
  };
  for (const Case& c : {Case{"vp8.webp", "VP8 ", 16, true}, Case{"vp8l.webp", "VP8L", 0, false},
                        Case{"vp8x.webp", "VP8X", 16, false}}) {
    SCOPED_TRACE(c.file);
    const auto bytes = read_bytes(path(c.file));
    ASSERT_GE(bytes.size(), 16u);
    // Guards the fixture itself: each file must exercise its chunk kind.
    ASSERT_EQ(std::string(bytes.begin() + 12, bytes.begin() + 16), c.chunk);
    auto info = probe_image(path(c.file));
    ASSERT_TRUE(info.ok()) << info.error().what();
    EXPECT_EQ(info->format, "webp");
    EXPECT_EQ(info->width, kW);
    EXPECT_EQ(info->height, kH);
    auto img = decode_image(path(c.file), kLimit);
    ASSERT_TRUE(img.ok()) << img.error().what();
    expect_gradient(*img, c.tol, c.opaque);
  }
}

TEST_F(MediaTest, GrayPngKeepsItsLevels) {
  make_ffmpeg_fixtures();
  const auto raw = read_bytes(path("gray.raw"));
  ASSERT_EQ(raw.size(), static_cast<std::size_t>(kW * kH));
  auto img = decode_image(path("gray.png"), kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  ASSERT_EQ(img->width, kW);
  ASSERT_EQ(img->height, kH);
  for (int y = 0; y < kH; y += 7)
    for (int x = 0; x < kW; x += 5) {
      const int v = raw[static_cast<std::size_t>(y * kW + x)];
      expect_near(pixel(*img, x, y), {v, v, v, 255}, 0, "gray");
    }
}

TEST_F(MediaTest, TopDownBmpFromCommittedFixture) {
  // 2x2, 24-bit, height -2: first stored row is the top (see tests/data/images/README.md).
  const fs::path file = fs::path(SIGNAGE_TEST_DATA) / "images" / "topdown-2x2.bmp";
  auto info = probe_image(file);
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->format, "bmp");
  EXPECT_EQ(info->width, 2);
  EXPECT_EQ(info->height, 2);
  auto img = decode_image(file, kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  expect_near(pixel(*img, 0, 0), {255, 0, 0, 255}, 0, "top-left red");
  expect_near(pixel(*img, 1, 0), {0, 255, 0, 255}, 0, "top-right green");
  expect_near(pixel(*img, 0, 1), {0, 0, 255, 255}, 0, "bottom-left blue");
  expect_near(pixel(*img, 1, 1), {255, 255, 255, 255}, 0, "bottom-right white");
}

// ---- the pixel limit ----

TEST_F(MediaTest, HugeHeaderIsRefusedBeforeDecoding) {
  // A PNG signature and an IHDR claiming 100000x100000 RGBA, nothing else: any
  // attempt to decode would fail differently, and allocating would need 40 GB.
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                   0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                   0x00, 0x01, 0x86, 0xa0,  // 100000
                                   0x00, 0x01, 0x86, 0xa0,  // 100000
                                   8, 6, 0, 0, 0, 0, 0, 0, 0};
  write_bytes(path("bomb.png"), png);
  auto info = probe_image(path("bomb.png"));
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->width, 100000);
  EXPECT_EQ(info->height, 100000);
  auto img = decode_image(path("bomb.png"), kLimit);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().what(), path("bomb.png").string() +
                                    ": image is 100000x100000 (10000.0 megapixels), over the "
                                    "64.0 megapixel limit; scale it down");
}

TEST_F(MediaTest, LimitIsInclusive) {
  auto at = decode_image(path("opaque.png"), kW * kH);
  EXPECT_TRUE(at.ok()) << at.error().what();
  auto over = decode_image(path("opaque.png"), kW * kH - 1);
  ASSERT_FALSE(over.ok());
  EXPECT_TRUE(has(over.error().what(), "image is 64x48 (0.0 megapixels), over the 0.0 megapixel limit"))
      << over.error().what();
}

// ---- bad files ----

TEST_F(MediaTest, TruncatedHeaderSaysTruncated) {
  auto bytes = read_bytes(path("opaque.png"));
  bytes.resize(20);
  write_bytes(path("trunc.png"), bytes);
  auto info = probe_image(path("trunc.png"));
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(has(info.error().what(), path("trunc.png").string() + ": PNG file is truncated"))
      << info.error().what();
  auto img = decode_image(path("trunc.png"), kLimit);
  ASSERT_FALSE(img.ok());
  EXPECT_TRUE(has(img.error().what(), "truncated")) << img.error().what();

  ASSERT_TRUE(write_jpeg(gradient(true), path("full.jpg")).ok());
  auto jpeg = read_bytes(path("full.jpg"));
  jpeg.resize(40);  // inside the headers, before the frame header
  write_bytes(path("trunc.jpg"), jpeg);
  auto jinfo = probe_image(path("trunc.jpg"));
  ASSERT_FALSE(jinfo.ok());
  EXPECT_TRUE(has(jinfo.error().what(), "JPEG file is truncated")) << jinfo.error().what();
}

TEST_F(MediaTest, TruncatedPixelDataKeepsFfmpegCause) {
  auto bytes = read_bytes(path("opaque.png"));
  bytes.resize(bytes.size() / 2);
  write_bytes(path("half.png"), bytes);
  ASSERT_TRUE(probe_image(path("half.png")).ok());  // the header is intact
  auto img = decode_image(path("half.png"), kLimit);
  ASSERT_FALSE(img.ok());
  EXPECT_EQ(img.error().message(), path("half.png").string() + ": cannot decode PNG image");
  ASSERT_NE(img.error().cause(), nullptr);
  EXPECT_FALSE(img.error().cause()->message().empty());
}

TEST_F(MediaTest, FilesOver256MiBAreRefused) {
  // A valid header in a sparse 257 MiB file: within the pixel limit, too big a file.
  fs::copy_file(path("opaque.png"), path("huge.png"), fs::copy_options::overwrite_existing);
  fs::resize_file(path("huge.png"), 257ULL << 20);
  ASSERT_TRUE(probe_image(path("huge.png")).ok());
  auto img = decode_image(path("huge.png"), kLimit);
  ASSERT_FALSE(img.ok());
  EXPECT_TRUE(has(img.error().what(), "over the 256 MiB limit")) << img.error().what();
  fs::remove(path("huge.png"));
}

TEST_F(MediaTest, GarbageAndMissingFiles) {
  write_bytes(path("garbage.png"), {'h', 'e', 'l', 'l', 'o', ',', ' ', 'n', 'o', 't', ' ', 'a', 'n',
                                    ' ', 'i', 'm', 'a', 'g', 'e', '\n'});
  auto info = probe_image(path("garbage.png"));
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().what(), path("garbage.png").string() + ": not a PNG, JPEG, WebP or BMP image");
  EXPECT_FALSE(decode_image(path("garbage.png"), kLimit).ok());

  auto missing = decode_image(path("no-such-file.png"), kLimit);
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(has(missing.error().what(), path("no-such-file.png").string())) << missing.error().what();
  EXPECT_TRUE(has(missing.error().what(), "No such file")) << missing.error().what();

  auto dir = probe_image(dir_);
  ASSERT_FALSE(dir.ok());
  EXPECT_TRUE(has(dir.error().what(), "not a regular file")) << dir.error().what();
}

TEST_F(MediaTest, ZeroSizeHeaderIsCorrupt) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                   'I', 'H', 'D', 'R', 0, 0, 0, 0, 0, 0, 0, 5, 8, 6, 0, 0, 0};
  write_bytes(path("zero.png"), png);
  auto info = probe_image(path("zero.png"));
  ASSERT_FALSE(info.ok());
  EXPECT_TRUE(has(info.error().what(), "invalid size 0x5")) << info.error().what();
}

// ---- EXIF orientation ----

// Quadrants: top-left red, top-right green, bottom-left blue, bottom-right white.
constexpr int kQW = 40;
constexpr int kQH = 20;
const Rgba kRed{255, 0, 0, 255}, kGreen{0, 255, 0, 255}, kBlue{0, 0, 255, 255},
    kWhite{255, 255, 255, 255};
Image quadrants() {
  Image img = blank(kQW, kQH);
  for (int y = 0; y < kQH; ++y)
    for (int x = 0; x < kQW; ++x) {
      const bool right = x >= kQW / 2, bottom = y >= kQH / 2;
      set_pixel(img, x, y, bottom ? (right ? kWhite : kBlue) : (right ? kGreen : kRed));
    }
  return img;
}

// An APP1 Exif segment whose IFD0 has a Make tag, then Orientation.
std::vector<std::uint8_t> exif_app1(int orientation, bool little_endian) {
  std::vector<std::uint8_t> tiff;
  auto u16 = [&](unsigned v) {
    if (little_endian) {
      tiff.push_back(static_cast<std::uint8_t>(v & 0xff));
      tiff.push_back(static_cast<std::uint8_t>(v >> 8));
    } else {
      tiff.push_back(static_cast<std::uint8_t>(v >> 8));
      tiff.push_back(static_cast<std::uint8_t>(v & 0xff));
    }
  };
  auto u32 = [&](unsigned v) {
    if (little_endian) {
      u16(v & 0xffff);
      u16(v >> 16);
    } else {
      u16(v >> 16);
      u16(v & 0xffff);
    }
  };
  tiff.push_back(little_endian ? 'I' : 'M');
  tiff.push_back(little_endian ? 'I' : 'M');
  u16(42);
  u32(8);  // IFD0 right after the header
  u16(2);  // two entries
  u16(0x010f); u16(2); u32(4); tiff.insert(tiff.end(), {'A', 'B', 'C', 0});  // Make "ABC"
  u16(0x0112); u16(3); u32(1); u16(static_cast<unsigned>(orientation)); u16(0);
  u32(0);  // no next IFD
  const std::uint8_t head[] = {0xff, 0xe1, 0, 0, 'E', 'x', 'i', 'f', 0, 0};
  std::vector<std::uint8_t> seg(sizeof head + tiff.size());
  std::copy(std::begin(head), std::end(head), seg.begin());
  std::copy(tiff.begin(), tiff.end(), seg.begin() + sizeof head);
  const std::size_t len = seg.size() - 2;
  seg[2] = static_cast<std::uint8_t>(len >> 8);
  seg[3] = static_cast<std::uint8_t>(len & 0xff);
  return seg;
}

// Inserts segments right after SOI.
void insert_after_soi(std::vector<std::uint8_t>& jpeg, const std::vector<std::uint8_t>& seg) {
  jpeg.insert(jpeg.begin() + 2, seg.begin(), seg.end());
}

TEST_F(MediaTest, ExifOrientationRotatesAndFlips) {
  ASSERT_TRUE(write_jpeg(quadrants(), path("quad.jpg"), 2).ok());
  const auto plain = read_bytes(path("quad.jpg"));
  struct Case {
    int orientation;
    bool little_endian;
    Rgba tl, tr, bl, br;  // expected corners, upright
  };
  const Case cases[] = {
      {3, false, kWhite, kBlue, kGreen, kRed},   // rotated 180
      {6, false, kBlue, kRed, kWhite, kGreen},   // shown after turning 90 clockwise
      {8, true, kGreen, kWhite, kRed, kBlue},    // shown after turning 90 counter-clockwise
      {6, true, kBlue, kRed, kWhite, kGreen},    // same as above, Intel byte order
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("orientation " + std::to_string(c.orientation) + (c.little_endian ? " II" : " MM"));
    auto jpeg = plain;
    insert_after_soi(jpeg, exif_app1(c.orientation, c.little_endian));
    const fs::path file = path("exif" + std::to_string(c.orientation) + ".jpg");
    write_bytes(file, jpeg);
    auto info = probe_image(file);
    ASSERT_TRUE(info.ok()) << info.error().what();
    EXPECT_EQ(info->orientation, c.orientation);
    EXPECT_EQ(info->width, kQW);  // as stored
    EXPECT_EQ(info->height, kQH);
    auto img = decode_image(file, kLimit);
    ASSERT_TRUE(img.ok()) << img.error().what();
    const bool swapped = c.orientation >= 5;
    ASSERT_EQ(img->width, swapped ? kQH : kQW);
    ASSERT_EQ(img->height, swapped ? kQW : kQH);
    const int r = img->width - 3, b = img->height - 3;
    expect_near(pixel(*img, 2, 2), c.tl, 40, "top-left");
    expect_near(pixel(*img, r, 2), c.tr, 40, "top-right");
    expect_near(pixel(*img, 2, b), c.bl, 40, "bottom-left");
    expect_near(pixel(*img, r, b), c.br, 40, "bottom-right");
  }
}

TEST_F(MediaTest, JpegFrameHeaderPast64KiBIsFound) {
  // Large APPn segments (EXIF thumbnails, ICC profiles) can push the frame header
  // past the first 64 KiB; the probe still finds it, and EXIF in front of them.
  ASSERT_TRUE(write_jpeg(quadrants(), path("quad.jpg"), 2).ok());
  auto jpeg = read_bytes(path("quad.jpg"));
  // A 65535-byte segment (made at its size and then marked: GCC 12 at -O3 takes
  // resizing a 4-byte vector for an access out of bounds, -Warray-bounds).
  std::vector<std::uint8_t> app2(2 + 65535, 0x5a);
  app2[0] = 0xff;
  app2[1] = 0xe2;
  app2[2] = 0xff;
  app2[3] = 0xff;
  insert_after_soi(jpeg, app2);
  insert_after_soi(jpeg, app2);
  insert_after_soi(jpeg, exif_app1(6, false));
  write_bytes(path("bigapp.jpg"), jpeg);
  auto info = probe_image(path("bigapp.jpg"));
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->width, kQW);
  EXPECT_EQ(info->height, kQH);
  EXPECT_EQ(info->orientation, 6);
  auto img = decode_image(path("bigapp.jpg"), kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  EXPECT_EQ(img->width, kQH);
}

// ---- writing ----

TEST_F(MediaTest, WriteJpegDecodesBack) {
  const fs::path file = path("written.jpg");
  ASSERT_TRUE(write_jpeg(gradient(true), file, 3).ok());
  auto info = probe_image(file);
  ASSERT_TRUE(info.ok()) << info.error().what();
  EXPECT_EQ(info->format, "jpeg");
  auto img = decode_image(file, kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  expect_gradient(*img, 12, true);

  // Alpha is dropped, and odd sizes work.
  Image odd = blank(33, 17);
  for (int y = 0; y < 17; ++y)
    for (int x = 0; x < 33; ++x) set_pixel(odd, x, y, {200, 100, 50, 0});
  ASSERT_TRUE(write_jpeg(odd, path("odd.jpg"), 2).ok());
  auto back = decode_image(path("odd.jpg"), kLimit);
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(back->width, 33);
  EXPECT_EQ(back->height, 17);
  expect_near(pixel(*back, 16, 8), {200, 100, 50, 255}, 6, "centre");

  // Lower quality, smaller file.
  ASSERT_TRUE(write_jpeg(gradient(true), path("q31.jpg"), 31).ok());
  EXPECT_LT(fs::file_size(path("q31.jpg")), fs::file_size(file));
}

TEST_F(MediaTest, WriteRefusesBadInput) {
  auto q = write_jpeg(gradient(true), path("bad.jpg"), 1);
  ASSERT_FALSE(q.ok());
  EXPECT_TRUE(has(q.error().what(), "quality must be 2 (best) to 31 (worst), got 1")) << q.error().what();
  Image short_buffer = gradient(true);
  short_buffer.rgba.pop_back();
  auto s = write_png(short_buffer, path("bad.png"));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(has(s.error().what(), "image buffer has")) << s.error().what();
  EXPECT_FALSE(write_png(Image{}, path("bad.png")).ok());
  EXPECT_FALSE(fs::exists(path("bad.png")));
  EXPECT_FALSE(fs::exists(path("bad.jpg")));
  auto nodir = write_png(gradient(true), path("no-such-dir") / "x.png");
  ASSERT_FALSE(nodir.ok());
  EXPECT_TRUE(has(nodir.error().what(), (path("no-such-dir") / "x.png").string())) << nodir.error().what();
}

TEST_F(MediaTest, WriteReplacesAtomicallyAndLeavesNoTempFiles) {
  const fs::path sub = path("atomic");
  fs::create_directories(sub);
  ASSERT_TRUE(write_png(gradient(true), sub / "shot.png").ok());
  ASSERT_TRUE(write_png(quadrants(), sub / "shot.png").ok());  // replaces
  ASSERT_TRUE(write_jpeg(quadrants(), sub / "shot.jpg").ok());
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(sub)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"shot.jpg", "shot.png"}));
  auto img = decode_image(sub / "shot.png", kLimit);
  ASSERT_TRUE(img.ok()) << img.error().what();
  EXPECT_EQ(img->rgba, quadrants().rgba);
  EXPECT_EQ(fs::status(sub / "shot.png").permissions() & fs::perms::others_read, fs::perms::others_read);
}

}  // namespace
}  // namespace signage
