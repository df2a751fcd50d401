#include "playlist/model.h"

namespace signage {

std::string_view to_string(ItemType t) {
  switch (t) {
    case ItemType::slogan: return "slogan";
    case ItemType::image: return "image";
    case ItemType::video: return "video";
  }
  return "unknown";
}

std::optional<Style> builtin_style(std::string_view name) {
  Style s;
  s.weight = FontWeight::bold;
  if (name == "red-banner") {
    s.background = Rgb{0xc8, 0x10, 0x2e};
    s.color = Rgb{0xff, 0xe1, 0x00};
    return s;
  }
  if (name == "blue-banner") {
    s.background = Rgb{0x00, 0x4e, 0xa2};
    s.color = Rgb{0xff, 0xff, 0xff};
    return s;
  }
  return std::nullopt;
}

std::string_view to_string(Transition t) {
  switch (t) {
    case Transition::cut: return "cut";
    case Transition::fade: return "fade";
  }
  return "unknown";
}

}  // namespace signage
