// Still images: header probing by hand (bounded reads), decoding and encoding through
// libavcodec, pixel conversion through libswscale. See image.h for the contract.
#include "media/image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "media/ffmpeg_ptr.h"

extern "C" {
#include <libavutil/pixdesc.h>
}

namespace signage {
namespace {

namespace fs = std::filesystem;

// probe_image reads at most this much from the start of the file (JPEG may, past it,
// read a few marker headers, see JpegScanner).
constexpr std::size_t kHeaderBytes = 64 * 1024;
// decode_image refuses larger files outright.
constexpr std::uint64_t kMaxFileBytes = 256ULL * 1024 * 1024;

std::string errno_text(int e) { return std::generic_category().message(e); }

// A problem with the picture itself (corrupt, truncated, not a picture).
Error file_error(const fs::path& file, const std::string& what) {
  return Error(ErrorKind::invalid, file.string() + ": " + what);
}
Error file_error(const fs::path& file, const std::string& what, Error cause) {
  return Error(file.string() + ": " + what, std::move(cause));
}

// ---- Files ----

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

struct OpenFile {
  FilePtr f;
  std::uint64_t size = 0;
};

Result<OpenFile> open_regular_file(const fs::path& file) {
  FilePtr f(std::fopen(file.c_str(), "rb"));
  if (!f) {
    const int e = errno;
    return file_error(file, "cannot open image file", Error(error_kind_of_errno(e), errno_text(e)));
  }
  struct stat st {};
  if (::fstat(::fileno(f.get()), &st) != 0) {
    const int e = errno;
    return file_error(file, "cannot read image file", Error(error_kind_of_errno(e), errno_text(e)));
  }
  if (!S_ISREG(st.st_mode)) return file_error(file, "not a regular file");
  return OpenFile{std::move(f), static_cast<std::uint64_t>(st.st_size)};
}

// Reads exactly n bytes at offset; false on a short read or an I/O error.
bool read_at(std::FILE* f, std::uint64_t offset, std::size_t n, std::uint8_t* out) {
  if (::fseeko(f, static_cast<off_t>(offset), SEEK_SET) != 0) return false;
  return std::fread(out, 1, n, f) == n;
}

// ---- Header parsing ----

std::uint32_t be16(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 8 | p[1];
}
std::uint32_t be32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
std::uint32_t le16(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[1]) << 8 | p[0];
}
std::uint32_t le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[3]) << 24 | static_cast<std::uint32_t>(p[2]) << 16 |
         static_cast<std::uint32_t>(p[1]) << 8 | p[0];
}

bool starts_with(std::span<const std::uint8_t> data, std::size_t at, const char* magic) {
  const std::size_t n = std::strlen(magic);
  return data.size() >= at + n && std::memcmp(data.data() + at, magic, n) == 0;
}

Error truncated(const fs::path& file, const char* format, std::uint64_t file_size) {
  return file_error(file, std::string(format) + " file is truncated (" +
                              std::to_string(file_size) +
                              " bytes, ends inside its header); export it again");
}

Error bad_size(const fs::path& file, const char* format, long long w, long long h) {
  return file_error(file, std::string("corrupt ") + format + " header: invalid size " +
                              std::to_string(w) + "x" + std::to_string(h));
}

Result<ImageInfo> checked(const fs::path& file, const char* format, long long w,
                          long long h, int orientation = 1) {
  if (w <= 0 || h <= 0 || w > 0x7fffffff || h > 0x7fffffff) return bad_size(file, format, w, h);
  ImageInfo info;
  info.format = format;
  info.width = static_cast<int>(w);
  info.height = static_cast<int>(h);
  info.orientation = orientation;
  return info;
}

Result<ImageInfo> probe_png(const fs::path& file, std::span<const std::uint8_t> head,
                            std::uint64_t file_size) {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), ...
  if (head.size() < 24) return truncated(file, "PNG", file_size);
  if (!starts_with(head, 12, "IHDR")) return file_error(file, "corrupt PNG: no IHDR chunk first");
  return checked(file, "png", be32(&head[16]), be32(&head[20]));
}

Result<ImageInfo> probe_webp(const fs::path& file, std::span<const std::uint8_t> head,
                             std::uint64_t file_size) {
  // "RIFF" size "WEBP", then the first chunk: fourcc (4), size (4), data at 20.
  if (head.size() < 20) return truncated(file, "WebP", file_size);
  const std::uint8_t* d = head.data() + 20;
  if (starts_with(head, 12, "VP8 ")) {
    // Frame tag (3), start code 9d 01 2a, 14-bit width, 14-bit height.
    if (head.size() < 30) return truncated(file, "WebP", file_size);
    if (d[3] != 0x9d || d[4] != 0x01 || d[5] != 0x2a) {
      return file_error(file, "corrupt WebP: bad VP8 start code");
    }
    return checked(file, "webp", le16(d + 6) & 0x3fff, le16(d + 8) & 0x3fff);
  }
  if (starts_with(head, 12, "VP8L")) {
    // Signature 0x2f, then 14 bits width-1 and 14 bits height-1.
    if (head.size() < 25) return truncated(file, "WebP", file_size);
    if (d[0] != 0x2f) return file_error(file, "corrupt WebP: bad VP8L signature");
    const std::uint32_t bits = le32(d + 1);
    return checked(file, "webp", (bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (starts_with(head, 12, "VP8X")) {
    // Flags (1), reserved (3), 24-bit canvas width-1, 24-bit canvas height-1.
    if (head.size() < 30) return truncated(file, "WebP", file_size);
    const std::uint32_t w = (le32(d + 4) & 0xffffff) + 1;
    const std::uint32_t h = (le32(d + 7) & 0xffffff) + 1;
    return checked(file, "webp", w, h);
  }
  return file_error(file, "corrupt WebP: first chunk is not VP8, VP8L or VP8X");
}

Result<ImageInfo> probe_bmp(const fs::path& file, std::span<const std::uint8_t> head,
                            std::uint64_t file_size) {
  // File header (14), then the DIB header: size (4), width (4), height (4), ...
  if (head.size() < 18) return truncated(file, "BMP", file_size);
  const std::uint32_t dib_size = le32(&head[14]);
  if (dib_size == 12) {
    return file_error(file, "BMP with an OS/2 1.x header is not supported; save it as PNG");
  }
  if (dib_size < 40) return file_error(file, "corrupt BMP: unknown header size " + std::to_string(dib_size));
  if (head.size() < 26) return truncated(file, "BMP", file_size);
  const auto w = static_cast<std::int32_t>(le32(&head[18]));
  const auto h = static_cast<std::int32_t>(le32(&head[22]));
  // Negative height means rows are stored top-down.
  const long long abs_h = h < 0 ? -static_cast<long long>(h) : h;
  return checked(file, "bmp", w, abs_h);
}

// EXIF orientation from an APP1 payload ("Exif\0\0" + TIFF). 1 when absent or odd.
int exif_orientation(std::span<const std::uint8_t> app1) {
  if (app1.size() < 6 || std::memcmp(app1.data(), "Exif\0\0", 6) != 0) return 1;
  const auto tiff = app1.subspan(6);
  if (tiff.size() < 8) return 1;
  bool little = false;
  if (tiff[0] == 'I' && tiff[1] == 'I') {
    little = true;
  } else if (!(tiff[0] == 'M' && tiff[1] == 'M')) {
    return 1;
  }
  auto u16 = [&](std::size_t at) { return little ? le16(&tiff[at]) : be16(&tiff[at]); };
  auto u32 = [&](std::size_t at) { return little ? le32(&tiff[at]) : be32(&tiff[at]); };
  if (u16(2) != 42) return 1;
  const std::uint64_t ifd = u32(4);
  if (ifd + 2 > tiff.size()) return 1;
  const std::uint32_t count = u16(static_cast<std::size_t>(ifd));
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t entry = ifd + 2 + 12ULL * i;
    if (entry + 12 > tiff.size()) break;
    const auto e = static_cast<std::size_t>(entry);
    if (u16(e) != 0x0112) continue;
    const std::uint32_t type = u16(e + 2);
    std::uint32_t value = 0;
    if (type == 3) {  // SHORT, stored in the first two bytes of the value field
      value = u16(e + 8);
    } else if (type == 4) {  // LONG, not per spec but seen in the wild
      value = u32(e + 8);
    } else {
      return 1;
    }
    return value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
  }
  return 1;
}

// Walks JPEG markers to the first frame header. Segment payloads are skipped, not
// read, except APP1 (for EXIF) and the frame header itself. Within the first 64 KiB
// everything comes from memory; if the frame header lies further (large EXIF
// thumbnails or ICC profiles), only marker headers are read from the file there.
Result<ImageInfo> probe_jpeg(const fs::path& file, std::FILE* f,
                             std::span<const std::uint8_t> head, std::uint64_t file_size) {
  auto read = [&](std::uint64_t at, std::size_t n, std::uint8_t* out) {
    if (at + n > file_size) return false;
    if (at + n <= head.size()) {
      std::memcpy(out, head.data() + at, n);
      return true;
    }
    return read_at(f, at, n, out);
  };
  auto corrupt = [&](const std::string& what) {
    return file_error(file, "corrupt JPEG: " + what);
  };

  int orientation = 1;
  bool have_exif = false;
  std::uint64_t pos = 2;  // after SOI
  for (int markers = 0; markers < 4096; ++markers) {
    std::uint8_t b = 0;
    if (!read(pos, 1, &b)) return truncated(file, "JPEG", file_size);
    if (b != 0xff) return corrupt("expected a marker at byte " + std::to_string(pos));
    std::uint8_t m = 0xff;
    for (int fill = 0; m == 0xff; ++fill) {
      if (fill > 1024) return corrupt("endless fill bytes at byte " + std::to_string(pos));
      ++pos;
      if (!read(pos, 1, &m)) return truncated(file, "JPEG", file_size);
    }
    ++pos;  // past the marker code
    if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7)) continue;  // no payload
    if (m == 0xd9 || m == 0xda) return corrupt("no frame header before the image data");
    std::array<std::uint8_t, 2> len_bytes{};
    if (!read(pos, 2, len_bytes.data())) return truncated(file, "JPEG", file_size);
    const std::uint32_t len = be16(len_bytes.data());  // includes the length itself
    if (len < 2) return corrupt("segment length " + std::to_string(len));
    const bool is_sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
    if (is_sof) {
      // Precision (1), height (2), width (2).
      std::array<std::uint8_t, 5> sof{};
      if (len < 7) return corrupt("frame header too short");
      if (!read(pos + 2, sof.size(), sof.data())) return truncated(file, "JPEG", file_size);
      const std::uint32_t h = be16(&sof[1]);
      const std::uint32_t w = be16(&sof[3]);
      if (h == 0) return corrupt("height 0 (defined later by a DNL marker) is not supported");
      return checked(file, "jpeg", w, h, orientation);
    }
    if (m == 0xe1 && !have_exif && len >= 8) {
      std::vector<std::uint8_t> payload(len - 2);
      if (!read(pos + 2, payload.size(), payload.data())) {
        return truncated(file, "JPEG", file_size);
      }
      if (std::memcmp(payload.data(), "Exif\0\0", 6) == 0) {
        have_exif = true;
        orientation = exif_orientation(payload);
      }
    }
    pos += len;
    if (pos > kMaxFileBytes) break;
  }
  return corrupt("no frame header found");
}

Result<ImageInfo> probe_open(const fs::path& file, OpenFile& of) {
  std::vector<std::uint8_t> head(static_cast<std::size_t>(
      std::min<std::uint64_t>(of.size, kHeaderBytes)));
  if (!head.empty() && !read_at(of.f.get(), 0, head.size(), head.data())) {
    const int e = errno;
    return file_error(file, "cannot read image file", Error(e != 0 ? errno_text(e) : "short read"));
  }
  static constexpr std::array<std::uint8_t, 8> kPng{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const std::span<const std::uint8_t> h(head);
  if (h.size() >= kPng.size() && std::memcmp(h.data(), kPng.data(), kPng.size()) == 0) {
    return probe_png(file, h, of.size);
  }
  if (h.size() >= 2 && h[0] == 0xff && h[1] == 0xd8) return probe_jpeg(file, of.f.get(), h, of.size);
  if (starts_with(h, 0, "RIFF") && starts_with(h, 8, "WEBP")) return probe_webp(file, h, of.size);
  if (starts_with(h, 0, "BM")) return probe_bmp(file, h, of.size);
  if (of.size == 0) return file_error(file, "empty file; not a PNG, JPEG, WebP or BMP image");
  return file_error(file, "not a PNG, JPEG, WebP or BMP image");
}

// ---- Pixels ----

const char* display_name(const std::string& format) {
  if (format == "png") return "PNG";
  if (format == "jpeg") return "JPEG";
  if (format == "webp") return "WebP";
  return "BMP";
}

AVCodecID decoder_for(const std::string& format) {
  if (format == "png") return AV_CODEC_ID_PNG;
  if (format == "jpeg") return AV_CODEC_ID_MJPEG;
  if (format == "webp") return AV_CODEC_ID_WEBP;
  return AV_CODEC_ID_BMP;
}

// The YUVJ formats are YUV with full range; swscale wants the range said separately
// (and warns about YUVJ otherwise).
AVPixelFormat without_jpeg_range(AVPixelFormat f, bool& full_range) {
  switch (f) {
    case AV_PIX_FMT_YUVJ420P: full_range = true; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: full_range = true; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: full_range = true; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: full_range = true; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: full_range = true; return AV_PIX_FMT_YUV411P;
    default: return f;
  }
}

std::string megapixels(std::int64_t pixels) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(pixels) / 1e6);
  return buf;
}

// Copies `src` (RGBA rows with `stride` bytes) into `out`, upright per EXIF orientation.
Image orient(const std::uint8_t* src, int stride, int w, int h, int orientation) {
  const bool swap = orientation >= 5 && orientation <= 8;
  Image out;
  out.width = swap ? h : w;
  out.height = swap ? w : h;
  out.rgba.resize(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
  const auto ow = static_cast<std::size_t>(out.width);
  if (orientation < 2 || orientation > 8) {
    for (int y = 0; y < h; ++y) {
      std::memcpy(&out.rgba[static_cast<std::size_t>(y) * ow * 4],
                  src + static_cast<std::ptrdiff_t>(y) * stride, ow * 4);
    }
    return out;
  }
  // For each output pixel (x, y), the stored pixel (sx, sy) it shows.
  for (int y = 0; y < out.height; ++y) {
    std::uint8_t* row = &out.rgba[static_cast<std::size_t>(y) * ow * 4];
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;          // mirrored left-right
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;  // rotated 180
        case 4: sx = x; sy = h - 1 - y; break;          // mirrored top-bottom
        case 5: sx = y; sy = x; break;                  // transposed
        case 6: sx = y; sy = h - 1 - x; break;          // shown rotated 90 clockwise
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;  // transversed
        case 8: sx = w - 1 - y; sy = x; break;          // shown rotated 90 counter-clockwise
        default: break;
      }
      std::memcpy(row + static_cast<std::ptrdiff_t>(x) * 4,
                  src + static_cast<std::ptrdiff_t>(sy) * stride + static_cast<std::ptrdiff_t>(sx) * 4, 4);
    }
  }
  return out;
}

// ---- Writing ----

Status check_image(const Image& image, const fs::path& file) {
  if (image.empty()) return file_error(file, "cannot write an empty image");
  const std::size_t want = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4;
  if (image.rgba.size() != want) {
    return file_error(file, "image buffer has " + std::to_string(image.rgba.size()) +
                                " bytes, expected " + std::to_string(want) + " for " +
                                std::to_string(image.width) + "x" + std::to_string(image.height) + " RGBA");
  }
  return {};
}

// A temporary file next to the target; removed unless committed by rename.
class TempFile {
 public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  Status create(const fs::path& target) {
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    // Appended to a string, not "." + string: GCC 12 at -O3 sees a false overlap in
    // operator+(const char*, string&&) (-Wrestrict, its bug 105329).
    std::string name = ".";
    name += target.filename().string();
    name += ".tmp-XXXXXX";
    std::string tmpl = (dir / name).string();
    fd_ = ::mkstemp(tmpl.data());
    if (fd_ < 0) {
      const int e = errno;
      return file_error(target, "cannot create a temporary file in " + dir.string(), Error(errno_text(e)));
    }
    path_ = tmpl;
    return {};
  }

  Status write_all(const fs::path& target, std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        const int e = errno;
        return file_error(target, "cannot write", Error(errno_text(e)));
      }
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return {};
  }

  // Flushes, closes and renames over `target`; readers see the old or the new file.
  Status commit(const fs::path& target) {
    if (::fchmod(fd_, 0644) != 0 || ::fsync(fd_) != 0) {
      const int e = errno;
      return file_error(target, "cannot write", Error(errno_text(e)));
    }
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
      const int e = errno;
      return file_error(target, "cannot write", Error(errno_text(e)));
    }
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      const int e = errno;
      return file_error(target, "cannot replace the file", Error(errno_text(e)));
    }
    path_.clear();
    return {};
  }

 private:
  std::string path_;
  int fd_ = -1;
};

Status write_atomically(const fs::path& file, std::span<const std::uint8_t> bytes) {
  TempFile tmp;
  if (auto s = tmp.create(file); !s) return s;
  if (auto s = tmp.write_all(file, bytes); !s) return s;
  return tmp.commit(file);
}

// Encodes one frame with an opened encoder and returns the bitstream.
Result<std::vector<std::uint8_t>> encode_frame(AVCodecContext* ctx, AVFrame* frame) {
  int ret = avcodec_send_frame(ctx, frame);
  if (ret < 0) return Error(ffmpeg::error_string(ret));
  ret = avcodec_send_frame(ctx, nullptr);
  if (ret < 0 && ret != AVERROR_EOF) return Error(ffmpeg::error_string(ret));
  ffmpeg::PacketPtr pkt = ffmpeg::make_packet();
  if (!pkt) return Error(ffmpeg::error_string(AVERROR(ENOMEM)));
  std::vector<std::uint8_t> out;
  for (;;) {
    ret = avcodec_receive_packet(ctx, pkt.get());
    if (ret == AVERROR_EOF) break;
    if (ret < 0) return Error(ffmpeg::error_string(ret));
    out.insert(out.end(), pkt->data, pkt->data + pkt->size);
    av_packet_unref(pkt.get());
  }
  if (out.empty()) return Error("the encoder produced no data");
  return out;
}

Result<ffmpeg::CodecContextPtr> open_encoder(AVCodecID id, int w, int h, AVPixelFormat fmt,
                                             int quality) {
  const AVCodec* codec = avcodec_find_encoder(id);
  if (!codec) return Error(std::string("FFmpeg has no ") + avcodec_get_name(id) + " encoder");
  ffmpeg::CodecContextPtr ctx = ffmpeg::make_codec_context(codec);
  if (!ctx) return Error(ffmpeg::error_string(AVERROR(ENOMEM)));
  ctx->width = w;
  ctx->height = h;
  ctx->pix_fmt = fmt;
  ctx->time_base = AVRational{1, 25};
  if (quality > 0) {
    ctx->flags |= AV_CODEC_FLAG_QSCALE;
    ctx->global_quality = FF_QP2LAMBDA * quality;
    ctx->color_range = AVCOL_RANGE_JPEG;
  }
  const int ret = avcodec_open2(ctx.get(), codec, nullptr);
  if (ret < 0) return Error(ffmpeg::error_string(ret));
  return ctx;
}

Result<ffmpeg::FramePtr> make_frame(AVPixelFormat fmt, int w, int h) {
  ffmpeg::FramePtr frame = ffmpeg::make_frame();
  if (!frame) return Error(ffmpeg::error_string(AVERROR(ENOMEM)));
  frame->format = fmt;
  frame->width = w;
  frame->height = h;
  const int ret = av_frame_get_buffer(frame.get(), 0);
  if (ret < 0) return Error(ffmpeg::error_string(ret));
  return frame;
}

}  // namespace

Result<ImageInfo> probe_image(const fs::path& file) {
  auto of = open_regular_file(file);
  if (!of) return of.error();
  return probe_open(file, *of);
}

Result<Image> decode_image(const fs::path& file, std::int64_t max_pixels) {
  auto of = open_regular_file(file);
  if (!of) return of.error();
  auto probed = probe_open(file, *of);
  if (!probed) return probed.error();
  const ImageInfo info = *probed;

  // The bomb check: from the header alone, before any pixel memory exists.
  const std::int64_t pixels = std::int64_t{info.width} * info.height;
  if (pixels > max_pixels) {
    return file_error(file, "image is " + std::to_string(info.width) + "x" +
                                std::to_string(info.height) + " (" + megapixels(pixels) +
                                " megapixels), over the " + megapixels(max_pixels) +
                                " megapixel limit; scale it down");
  }
  if (of->size > kMaxFileBytes) {
    return file_error(file, "file is " + std::to_string(of->size >> 20) +
                                " MiB, over the 256 MiB limit for images; compress it");
  }

  // The whole file is one packet (av_new_packet adds zeroed padding for the decoder).
  ffmpeg::PacketPtr pkt = ffmpeg::make_packet();
  if (!pkt || av_new_packet(pkt.get(), static_cast<int>(of->size)) < 0) {
    return file_error(file, "cannot decode image", Error(ffmpeg::error_string(AVERROR(ENOMEM))));
  }
  if (!read_at(of->f.get(), 0, static_cast<std::size_t>(of->size), pkt->data)) {
    return file_error(file, "cannot read image file (did it change while being read?)");
  }
  of->f.reset();

  const std::string what = std::string("cannot decode ") + display_name(info.format) + " image";
  if (info.format == "webp" && of->size >= 21 && std::memcmp(pkt->data + 12, "VP8X", 4) == 0 &&
      (pkt->data[20] & 0x02) != 0) {
    return file_error(file, "animated WebP is not supported; convert it to a video (MP4)");
  }

  const AVCodec* codec = avcodec_find_decoder(decoder_for(info.format));
  if (!codec) return file_error(file, what, Error("FFmpeg was built without this decoder"));
  ffmpeg::CodecContextPtr ctx = ffmpeg::make_codec_context(codec);
  if (!ctx) return file_error(file, what, Error(ffmpeg::error_string(AVERROR(ENOMEM))));
  ctx->max_pixels = max_pixels;  // second guard, inside FFmpeg
  int ret = avcodec_open2(ctx.get(), codec, nullptr);
  if (ret < 0) return file_error(file, what, Error(ffmpeg::error_string(ret)));

  ret = avcodec_send_packet(ctx.get(), pkt.get());
  if (ret < 0) return file_error(file, what, Error(ffmpeg::error_string(ret)));
  pkt.reset();
  ret = avcodec_send_packet(ctx.get(), nullptr);  // drain
  if (ret < 0 && ret != AVERROR_EOF) return file_error(file, what, Error(ffmpeg::error_string(ret)));
  ffmpeg::FramePtr frame = ffmpeg::make_frame();
  if (!frame) return file_error(file, what, Error(ffmpeg::error_string(AVERROR(ENOMEM))));
  ret = avcodec_receive_frame(ctx.get(), frame.get());
  if (ret == AVERROR_EOF) return file_error(file, what, Error("no picture in the file"));
  if (ret < 0) return file_error(file, what, Error(ffmpeg::error_string(ret)));
  ctx.reset();

  const int w = frame->width;
  const int h = frame->height;
  if (w <= 0 || h <= 0 || std::int64_t{w} * h > max_pixels) {
    return file_error(file, what, Error("decoder returned a " + std::to_string(w) + "x" +
                                        std::to_string(h) + " picture"));
  }

  // To RGBA. The destination is an FFmpeg frame (aligned, padded rows) because
  // swscale's SIMD paths may write past the last pixel of a row.
  bool full_range = frame->color_range == AVCOL_RANGE_JPEG;
  const AVPixelFormat src_fmt =
      without_jpeg_range(static_cast<AVPixelFormat>(frame->format), full_range);
  ffmpeg::SwsContextPtr sws(sws_getContext(
      w, h, src_fmt, w, h, AV_PIX_FMT_RGBA,
      SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP, nullptr,
      nullptr, nullptr));
  if (!sws) {
    const char* name = av_get_pix_fmt_name(src_fmt);
    return file_error(file, what, Error(std::string("cannot convert pixel format ") +
                                        (name ? name : "?") + " to RGBA"));
  }
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(src_fmt);
  if (desc && desc->nb_components >= 3 &&
      (desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) == 0) {  // YUV: say its range
    const int cs = frame->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    // Fails harmlessly for conversions where ranges do not apply.
    sws_setColorspaceDetails(sws.get(), sws_getCoefficients(cs), full_range ? 1 : 0,
                             sws_getCoefficients(SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
  }
  auto rgba = make_frame(AV_PIX_FMT_RGBA, w, h);
  if (!rgba) return file_error(file, what, rgba.error());
  ret = sws_scale(sws.get(), frame->data, frame->linesize, 0, h, (*rgba)->data, (*rgba)->linesize);
  if (ret != h) return file_error(file, what, Error("pixel conversion to RGBA failed"));
  frame.reset();
  sws.reset();

  Image out = orient((*rgba)->data[0], (*rgba)->linesize[0], w, h,
                     info.format == "jpeg" ? info.orientation : 1);
  if (info.format == "jpeg" || info.format == "bmp") {
    // No alpha in JPEG; BMP's fourth byte is padding in most files that have one.
    for (std::size_t i = 3; i < out.rgba.size(); i += 4) out.rgba[i] = 255;
  }
  return out;
}

Result<Image> scale_image(const Image& image, int width, int height) {
  if (image.empty() || width <= 0 || height <= 0 ||
      image.rgba.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4) {
    return Error("cannot scale a " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                 " picture to " + std::to_string(width) + "x" + std::to_string(height));
  }
  const bool shrink = width <= image.width && height <= image.height;
  ffmpeg::SwsContextPtr sws(sws_getContext(image.width, image.height, AV_PIX_FMT_RGBA, width, height,
                                           AV_PIX_FMT_RGBA, (shrink ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND,
                                           nullptr, nullptr, nullptr));
  if (!sws) return Error("cannot scale an RGBA picture");
  // Into an FFmpeg frame (aligned, padded rows): swscale's SIMD paths may write past
  // the last pixel of a row.
  auto out = make_frame(AV_PIX_FMT_RGBA, width, height);
  if (!out) return out.error();
  const std::uint8_t* src[4] = {image.rgba.data(), nullptr, nullptr, nullptr};
  const int src_stride[4] = {image.width * 4, 0, 0, 0};
  if (sws_scale(sws.get(), src, src_stride, 0, image.height, (*out)->data, (*out)->linesize) != height) {
    return Error("scaling the picture failed");
  }
  Image scaled;
  scaled.width = width;
  scaled.height = height;
  const auto row = static_cast<std::size_t>(width) * 4;
  scaled.rgba.resize(row * static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    std::memcpy(&scaled.rgba[static_cast<std::size_t>(y) * row],
                (*out)->data[0] + static_cast<std::ptrdiff_t>(y) * (*out)->linesize[0], row);
  }
  return scaled;
}

Status write_png(const Image& image, const fs::path& file) {
  if (auto s = check_image(image, file); !s) return s;
  auto ctx = open_encoder(AV_CODEC_ID_PNG, image.width, image.height, AV_PIX_FMT_RGBA, 0);
  if (!ctx) return file_error(file, "cannot encode PNG", ctx.error());
  auto frame = make_frame(AV_PIX_FMT_RGBA, image.width, image.height);
  if (!frame) return file_error(file, "cannot encode PNG", frame.error());
  const auto row = static_cast<std::size_t>(image.width) * 4;
  for (int y = 0; y < image.height; ++y) {
    std::memcpy((*frame)->data[0] + static_cast<std::ptrdiff_t>(y) * (*frame)->linesize[0],
                &image.rgba[static_cast<std::size_t>(y) * row], row);
  }
  auto bytes = encode_frame(ctx->get(), frame->get());
  if (!bytes) return file_error(file, "cannot encode PNG", bytes.error());
  return write_atomically(file, *bytes);
}

Result<std::string> encode_jpeg(const Image& image, int quality) {
  if (auto s = check_image(image, "JPEG"); !s) return s.error();
  if (quality < 2 || quality > 31) {
    return Error(ErrorKind::invalid, "JPEG quality must be 2 (best) to 31 (worst), got " + std::to_string(quality));
  }
  auto ctx = open_encoder(AV_CODEC_ID_MJPEG, image.width, image.height, AV_PIX_FMT_YUVJ420P, quality);
  if (!ctx) return Error("cannot encode JPEG", ctx.error());
  auto frame = make_frame(AV_PIX_FMT_YUVJ420P, image.width, image.height);
  if (!frame) return Error("cannot encode JPEG", frame.error());

  // RGBA -> full-range BT.601 4:2:0, i.e. YUVJ420P (asked for as YUV420P plus range,
  // which is the same layout). Alpha is dropped.
  ffmpeg::SwsContextPtr sws(sws_getContext(image.width, image.height, AV_PIX_FMT_RGBA,
                                           image.width, image.height, AV_PIX_FMT_YUV420P,
                                           SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INP,
                                           nullptr, nullptr, nullptr));
  if (!sws) return Error("cannot encode JPEG", Error("cannot convert RGBA to YUV"));
  sws_setColorspaceDetails(sws.get(), sws_getCoefficients(SWS_CS_ITU601), 1,
                           sws_getCoefficients(SWS_CS_ITU601), 1, 0, 1 << 16, 1 << 16);
  const std::uint8_t* src[4] = {image.rgba.data(), nullptr, nullptr, nullptr};
  const int src_stride[4] = {image.width * 4, 0, 0, 0};
  if (sws_scale(sws.get(), src, src_stride, 0, image.height, (*frame)->data, (*frame)->linesize) !=
      image.height) {
    return Error("cannot encode JPEG", Error("pixel conversion from RGBA failed"));
  }
  (*frame)->quality = (*ctx)->global_quality;
  (*frame)->color_range = AVCOL_RANGE_JPEG;
  auto bytes = encode_frame(ctx->get(), frame->get());
  if (!bytes) return Error("cannot encode JPEG", bytes.error());
  return std::string(bytes->begin(), bytes->end());
}

Status write_jpeg(const Image& image, const fs::path& file, int quality) {
  if (auto s = check_image(image, file); !s) return s;
  auto bytes = encode_jpeg(image, quality);
  if (!bytes) return Error(file.string(), bytes.error());
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes->data());
  return write_atomically(file, std::span<const std::uint8_t>(data, bytes->size()));
}

}  // namespace signage
