// The mistakes a Chinese input method and Notepad make in a TOML file, named in the
// admin's terms with the fix. Internal to the playlist and device-config loaders:
// tomlcheck::parse() runs this when toml++ refuses a file, and reports what it
// finds instead of the parser's own words (which it keeps for anything else).
//
// One table (kCharacterMistakes) lists the characters that look like TOML syntax
// but are not: Chinese and full-width quotes, colon, equals sign, comma, space,
// brackets, tilde... each with its name and the ASCII character to type instead.
// The scanner walks the file as TOML does (keys, values, strings, comments) and also
// finds: a string without its closing quote (at the opening quote), a line break
// inside "..." (use \n or """..."""), a backslash escape TOML does not know (a
// Windows path: use /), dates written 2024/06/01 or 2024-6-1, times and words
// without quotes, a key or a table written twice.
//
// Pure; thread: any.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace signage::tomlcheck {

// A character that an input method types in place of an ASCII one.
struct CharacterMistake {
  char32_t ch;
  const char* name;   // N_()-marked English name: "full-width colon"
  const char* ascii;  // what to type instead: ":"
};
std::span<const CharacterMistake> character_mistakes();
// The row for `ch`, or nullptr.
const CharacterMistake* find_character_mistake(char32_t ch);

struct Mistake {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in characters (as toml++ and editors count)
  std::string message;  // in the message language
};

// Every mistake of the kinds above in `text` (UTF-8), in file order. Empty when none
// is recognised (then the parser's error is the best there is).
std::vector<Mistake> find_input_mistakes(std::string_view text);

}  // namespace signage::tomlcheck
