#include "core/text_encoding.h"

#include <iconv.h>

#include <cerrno>
#include <memory>

#include "core/text_util.h"

namespace signage {

namespace {

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};
using IconvPtr = std::unique_ptr<void, IconvCloser>;

bool starts_with_bytes(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

}  // namespace

std::string_view encoding_name(TextEncoding e) {
  switch (e) {
    case TextEncoding::utf8: return "UTF-8";
    case TextEncoding::utf8_bom: return "UTF-8 with BOM";
    case TextEncoding::utf16le: return "UTF-16 LE";
    case TextEncoding::utf16be: return "UTF-16 BE";
    case TextEncoding::gb18030: return "GBK/GB18030";
  }
  return "UTF-8";
}

Result<std::string> convert_to_utf8(std::string_view bytes, const char* from) {
  iconv_t raw = iconv_open("UTF-8", from);
  if (raw == reinterpret_cast<iconv_t>(-1)) return Error(std::string("no converter from ") + from);
  const IconvPtr cd(raw);
  std::string out;
  out.resize(bytes.size() * 2 + 16);
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  std::size_t done = 0;
  while (in_left > 0) {
    char* dst = out.data() + done;
    std::size_t out_left = out.size() - done;
    const std::size_t rc = iconv(raw, &in, &in_left, &dst, &out_left);
    done = out.size() - out_left;
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    return Error(std::string("not valid ") + from + " at byte " + std::to_string(bytes.size() - in_left));
  }
  out.resize(done);
  return out;
}

DecodedText decode_text_file(std::string_view bytes) {
  DecodedText d;
  if (starts_with_bytes(bytes, "\xEF\xBB\xBF")) {
    d.encoding = TextEncoding::utf8_bom;
    d.utf8 = std::string(bytes.substr(3));
    d.undecodable = !is_valid_utf8(d.utf8);
    return d;
  }
  const bool le = starts_with_bytes(bytes, "\xFF\xFE");
  const bool be = starts_with_bytes(bytes, "\xFE\xFF");
  if (le || be) {
    d.encoding = le ? TextEncoding::utf16le : TextEncoding::utf16be;
    if (auto u = convert_to_utf8(bytes.substr(2), le ? "UTF-16LE" : "UTF-16BE")) {
      d.utf8 = std::move(*u);
    } else {
      d.utf8 = std::string(bytes);
      d.undecodable = true;
    }
    return d;
  }
  if (is_valid_utf8(bytes)) {
    d.utf8 = std::string(bytes);
    return d;
  }
  if (auto g = convert_to_utf8(bytes, "GB18030")) {
    d.encoding = TextEncoding::gb18030;
    d.utf8 = std::move(*g);
    return d;
  }
  d.utf8 = std::string(bytes);
  d.undecodable = true;
  return d;
}

}  // namespace signage
