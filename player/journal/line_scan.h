// Reading a few fields of a one-line JSON object without building it: what the
// verifiers (journal/verify.h, journal/central.h) need from millions of lines is a
// handful of members (seq, prev, evidence, a time), the line's SHA-256 and the
// certainty that the line is one well-formed object. Building a full JSON value per
// line costs five times what hashing it does; this scanner walks the bytes once.
//
// What scan_object() checks: the line is exactly one JSON object (whitespace
// around it allowed), strings are closed and hold no raw control characters, and
// their escapes are valid; numbers, literals, nested objects and arrays are
// well-formed. It does not check UTF-8 (the hash chain covers the bytes anyway).
// Values are returned as they are written (a string with its quotes); the helpers
// below turn them into numbers and strings.
// Thread: any; pure functions over the caller's bytes.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace signage {

// Scans `line` (without its '\n'); for each name in `keys` that is a top-level
// member, sets the matching `values` entry to the member's value as written (the
// last one, if a name repeats); the others are left empty. False when the line is
// not one well-formed JSON object.
bool scan_object(std::string_view line, std::span<const std::string_view> keys, std::span<std::string_view> values);

// A value as written -> an unsigned integer (digits only, no sign, no fraction,
// fits in 64 bits), as nlohmann::json's is_number_unsigned() would accept it.
std::optional<std::uint64_t> scanned_unsigned(std::string_view raw);
// A value as written -> the string it holds (escapes decoded); nullopt when it
// is not a string.
std::optional<std::string> scanned_string(std::string_view raw);
// The string's bytes when it needs no decoding (no backslash): no copy.
std::optional<std::string_view> scanned_plain_string(std::string_view raw);

// SHA-256 of many short byte strings in a row, reusing one digest context (a fresh
// OpenSSL context per line costs as much as hashing it). Not thread-safe: one per thread.
using Sha256 = std::array<std::uint8_t, 32>;
class LineHasher {
 public:
  LineHasher();
  ~LineHasher();
  LineHasher(const LineHasher&) = delete;
  LineHasher& operator=(const LineHasher&) = delete;

  Sha256 digest(std::string_view bytes);
  // Of two pieces as if they were one (a line and the '\n' it lacks).
  Sha256 digest(std::string_view a, std::string_view b);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// 64 lowercase hex digits (as sha256_hex writes them) -> 32 bytes; nullopt for anything else.
std::optional<Sha256> sha256_of_hex(std::string_view hex);
std::string hex_of(const Sha256& d);

}  // namespace signage
