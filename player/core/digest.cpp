#include "core/digest.h"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace signage {

namespace {

std::string to_hex(const unsigned char* md, unsigned int len) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

struct Sha256Stream::Impl {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx{EVP_MD_CTX_new()};
  void start() {
    // Fails only when memory runs out; the digest is then all zeros, a mismatch
    // and never a false match (as sha256_hex).
    if (ctx) EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  }
};

Sha256Stream::Sha256Stream() : impl_(std::make_unique<Impl>()) { impl_->start(); }
Sha256Stream::~Sha256Stream() = default;
Sha256Stream::Sha256Stream(Sha256Stream&&) noexcept = default;
Sha256Stream& Sha256Stream::operator=(Sha256Stream&&) noexcept = default;

void Sha256Stream::update(const void* data, std::size_t size) {
  if (impl_->ctx && size > 0) EVP_DigestUpdate(impl_->ctx.get(), data, size);
}

std::string Sha256Stream::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 32;
  if (impl_->ctx) EVP_DigestFinal_ex(impl_->ctx.get(), md.data(), &len);
  impl_->start();
  return to_hex(md.data(), len);
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  // EVP_Digest cannot fail for SHA-256 on memory short of an allocation failure;
  // an all-zero digest would then show up as a mismatch, never as a false match.
  EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr);
  return to_hex(md.data(), len);
}

Result<std::string> sha256_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return errno_error("cannot read " + file.string(), errno);
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return Error("cannot start SHA-256");
  }
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto n = in.gcount();
    if (n > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
  }
  if (in.bad()) return errno_error("cannot read " + file.string(), errno);
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md.data(), &len);
  return to_hex(md.data(), len);
}

}  // namespace signage
