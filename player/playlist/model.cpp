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

std::string_view to_string(Transition t) {
  switch (t) {
    case Transition::cut: return "cut";
    case Transition::fade: return "fade";
  }
  return "unknown";
}

}  // namespace signage
