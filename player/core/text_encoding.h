// The encodings Windows Notepad saves text in, turned into UTF-8 before a TOML
// parser sees them: UTF-8 with or without a byte order mark, UTF-16 LE/BE with a
// byte order mark ("Unicode"), and GBK / GB18030 ("ANSI" on a Chinese Windows),
// recognised when the bytes are not valid UTF-8 but are valid GB18030. Lines and
// characters are kept one for one, so a position in the decoded text is the
// position the admin sees in Notepad. Pure; thread: any (iconv handles are local).
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace signage {

enum class TextEncoding { utf8, utf8_bom, utf16le, utf16be, gb18030 };

// "UTF-8", "UTF-8 with BOM", "UTF-16 LE", "UTF-16 BE", "GBK/GB18030".
std::string_view encoding_name(TextEncoding e);

struct DecodedText {
  std::string utf8;             // the text, UTF-8, without a byte order mark
  TextEncoding encoding = TextEncoding::utf8;
  // Bytes that are neither UTF-8 nor GB18030 (left as they are; the caller reports
  // the text as not UTF-8).
  bool undecodable = false;
};

// Detects the encoding of `bytes` and decodes them to UTF-8.
DecodedText decode_text_file(std::string_view bytes);

// Converts `bytes` from the iconv encoding `from` to UTF-8; an error when the bytes
// are not valid in it.
Result<std::string> convert_to_utf8(std::string_view bytes, const char* from);

}  // namespace signage
