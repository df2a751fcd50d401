#include "core/error.h"

namespace signage {

std::string Error::what() const {
  std::string out = message_;
  for (const Error* c = cause(); c != nullptr; c = c->cause()) {
    out += ": ";
    out += c->message();
  }
  return out;
}

}  // namespace signage
