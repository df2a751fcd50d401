// UTF-8 helpers. Invalid bytes decode as U+FFFD, never throw.
#pragma once

#include <string>
#include <string_view>

namespace signage {

std::u32string utf8_to_u32(std::string_view s);
std::string u32_to_utf8(std::u32string_view s);
// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

}  // namespace signage
