// Still images: reading their size without decoding them, decoding PNG, JPEG, WebP
// and BMP through FFmpeg to RGBA, and writing PNG and JPEG. No FFmpeg types leak out.
// Thread: any; each call is independent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace signage {

// 8-bit RGBA, straight alpha, rows top to bottom, stride = width * 4.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
  bool empty() const { return width <= 0 || height <= 0; }
};

struct ImageInfo {
  std::string format;     // "png", "jpeg", "webp", "bmp"
  int width = 0;          // as stored, before orientation
  int height = 0;
  int orientation = 1;    // EXIF orientation 1..8 (1 = upright)
};

// Reads only the file's header. Errors name the file and say what is wrong.
Result<ImageInfo> probe_image(const std::filesystem::path& file);

// Decodes and turns the picture upright per its EXIF orientation. Refuses, before
// allocating anything for pixels, an image of more than `max_pixels` pixels.
Result<Image> decode_image(const std::filesystem::path& file, std::int64_t max_pixels);

// `image` resized to `width` x `height` (area averaging when shrinking, bicubic when
// growing). Errors when a size is not positive or FFmpeg cannot scale.
Result<Image> scale_image(const Image& image, int width, int height);

Status write_png(const Image& image, const std::filesystem::path& file);
// quality: 2 (best) .. 31 (worst), FFmpeg's qscale.
Result<std::string> encode_jpeg(const Image& image, int quality = 5);
Status write_jpeg(const Image& image, const std::filesystem::path& file, int quality = 5);

}  // namespace signage
