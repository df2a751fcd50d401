#include "journal/line_scan.h"

#include <openssl/evp.h>

#include <cctype>
#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

namespace signage {

namespace {

// Bytes a string scan must stop at: the quote, the backslash and control characters.
constexpr std::array<bool, 256> kStringStop = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

// Hex digit values; 0xff for anything else (lowercase only, as sha256_hex writes).
constexpr std::array<std::uint8_t, 256> kHexValue = [] {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 0xff;
  for (std::size_t c = '0'; c <= '9'; ++c) t[c] = static_cast<std::uint8_t>(c - '0');
  for (std::size_t c = 'a'; c <= 'f'; ++c) t[c] = static_cast<std::uint8_t>(c - 'a' + 10);
  return t;
}();

// A cursor over one line; every step returns false on malformed input.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\r' || *p_ == '\n')) ++p_;
  }
  bool at_end() const { return p_ == end_; }
  bool eat(char c) {
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  char peek() const { return p_ < end_ ? *p_ : '\0'; }
  const char* pos() const { return p_; }

  // A string starting at '"'; on success *p_ is just past the closing quote.
  bool string() {
    if (!eat('"')) return false;
    while (p_ < end_) {
      while (p_ < end_ && !kStringStop[static_cast<unsigned char>(*p_)]) ++p_;
      if (p_ == end_) return false;
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++p_ >= end_) return false;
        const char e = *p_;
        if (e == 'u') {
          if (end_ - p_ < 5) return false;
          for (int i = 1; i <= 4; ++i) {
            if (!std::isxdigit(static_cast<unsigned char>(p_[i]))) return false;
          }
          p_ += 4;
        } else if (std::strchr("\"\\/bfnrt", e) == nullptr || e == '\0') {
          return false;
        }
      }
      ++p_;
    }
    return false;
  }

  bool number() {
    eat('-');
    if (!digits()) return false;
    if (eat('.') && !digits()) return false;
    if (peek() == 'e' || peek() == 'E') {
      ++p_;
      if (!eat('+')) eat('-');
      if (!digits()) return false;
    }
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) {
      return false;
    }
    p_ += word.size();
    return true;
  }

  // Any value; nesting is bounded so a hostile line cannot exhaust the stack.
  bool value(int depth = 0) {
    if (depth > 64) return false;
    switch (peek()) {
      case '"': return string();
      case '{': return container('}', depth, true);
      case '[': return container(']', depth, false);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

 private:
  bool digits() {
    const char* start = p_;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ > start;
  }

  bool container(char close, int depth, bool object) {
    ++p_;
    ws();
    if (eat(close)) return true;
    while (true) {
      if (object) {
        if (!string()) return false;
        ws();
        if (!eat(':')) return false;
        ws();
      }
      if (!value(depth + 1)) return false;
      ws();
      if (eat(close)) return true;
      if (!eat(',')) return false;
      ws();
    }
  }

  const char* p_;
  const char* end_;
};

}  // namespace

bool scan_object(std::string_view line, std::span<const std::string_view> keys, std::span<std::string_view> values) {
  for (auto& v : values) v = {};
  Scanner s(line);
  s.ws();
  if (!s.eat('{')) return false;
  s.ws();
  if (!s.eat('}')) {
    while (true) {
      const char* k0 = s.pos();
      if (!s.string()) return false;
      const std::string_view key(k0 + 1, static_cast<std::size_t>(s.pos() - k0 - 2));
      s.ws();
      if (!s.eat(':')) return false;
      s.ws();
      const char* v0 = s.pos();
      if (!s.value()) return false;
      for (std::size_t i = 0; i < keys.size() && i < values.size(); ++i) {
        if (keys[i] == key) values[i] = std::string_view(v0, static_cast<std::size_t>(s.pos() - v0));
      }
      s.ws();
      if (s.eat('}')) break;
      if (!s.eat(',')) return false;
      s.ws();
    }
  }
  s.ws();
  return s.at_end();
}

std::optional<std::uint64_t> scanned_unsigned(std::string_view raw) {
  if (raw.empty() || raw.front() < '0' || raw.front() > '9') return std::nullopt;
  std::uint64_t v = 0;
  const auto r = std::from_chars(raw.data(), raw.data() + raw.size(), v);
  if (r.ec != std::errc() || r.ptr != raw.data() + raw.size()) return std::nullopt;
  return v;
}

std::optional<std::string_view> scanned_plain_string(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::nullopt;
  const std::string_view in = raw.substr(1, raw.size() - 2);
  if (in.find('\\') != std::string_view::npos) return std::nullopt;
  return in;
}

std::optional<std::string> scanned_string(std::string_view raw) {
  if (auto plain = scanned_plain_string(raw)) return std::string(*plain);
  if (raw.size() < 2 || raw.front() != '"') return std::nullopt;
  const auto j = nlohmann::json::parse(raw, nullptr, false);
  if (!j.is_string()) return std::nullopt;
  return j.get<std::string>();
}

struct LineHasher::Impl {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

LineHasher::LineHasher() : impl_(std::make_unique<Impl>()) {}
LineHasher::~LineHasher() = default;

Sha256 LineHasher::digest(std::string_view bytes) { return digest(bytes, {}); }

Sha256 LineHasher::digest(std::string_view a, std::string_view b) {
  Sha256 out{};
  unsigned int len = 0;
  // Cannot fail for SHA-256 on memory short of an allocation failure; an all-zero
  // digest would then show as a mismatch, never as a false match.
  if (impl_->md != nullptr && impl_->ctx != nullptr && EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr) == 1) {
    EVP_DigestUpdate(impl_->ctx, a.data(), a.size());
    if (!b.empty()) EVP_DigestUpdate(impl_->ctx, b.data(), b.size());
    EVP_DigestFinal_ex(impl_->ctx, out.data(), &len);
  }
  return out;
}

std::optional<Sha256> sha256_of_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  Sha256 d{};
  std::uint8_t bad = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const std::uint8_t hi = kHexValue[static_cast<unsigned char>(hex[2 * i])];
    const std::uint8_t lo = kHexValue[static_cast<unsigned char>(hex[2 * i + 1])];
    bad |= static_cast<std::uint8_t>(hi | lo);
    d[i] = static_cast<std::uint8_t>((hi << 4) | (lo & 0x0f));
  }
  if (bad & 0xf0) return std::nullopt;
  return d;
}

std::string hex_of(const Sha256& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (std::size_t i = 0; i < 32; ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 0xf];
  }
  return out;
}

}  // namespace signage
