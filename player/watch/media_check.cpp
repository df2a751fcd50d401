#include "watch/media_check.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <system_error>

#include "media/image.h"

namespace signage {

namespace {

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;

}  // namespace

Result<std::string> sha256_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error(file.string() + ": cannot open to compute its SHA-256");
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Error(file.string() + ": cannot start SHA-256 (OpenSSL)");
  }
  std::array<char, 1 << 16> buf{};
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n > 0 && EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n)) != 1) {
      return Error(file.string() + ": SHA-256 failed (OpenSSL)");
    }
  }
  if (in.bad()) return Error(file.string() + ": read error while computing its SHA-256");
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md.data(), &len) != 1) return Error(file.string() + ": SHA-256 failed (OpenSSL)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{len} * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xF];
  }
  return out;
}

Status check_media_file(ItemType type, const std::filesystem::path& file) {
  if (type == ItemType::image) {
    auto info = probe_image(file);
    if (!info) return info.error();
    return {};
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return Error(file.string() + ": cannot read: " + ec.message());
  if (size == 0) return Error(file.string() + ": the file is empty; copy it again");
  return {};
}

}  // namespace signage
