#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace signage {

std::string Error::what() const {
  std::string out = message_;
  for (const Error* c = cause(); c != nullptr; c = c->cause()) {
    out += ": ";
    out += c->message();
  }
  return out;
}

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::other: return "other";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::permission: return "permission";
    case ErrorKind::no_space: return "no_space";
    case ErrorKind::io: return "io";
    case ErrorKind::invalid: return "invalid";
    case ErrorKind::busy: return "busy";
    case ErrorKind::stopped: return "stopped";
  }
  return "other";
}

ErrorKind error_kind_of_errno(int error_number) {
  switch (error_number) {
    case 0: return ErrorKind::other;
    case ENOENT:
    case ENOTDIR: return ErrorKind::not_found;
    case EACCES:
    case EPERM:
    case EROFS: return ErrorKind::permission;
    case ENOSPC:
    case EDQUOT: return ErrorKind::no_space;
    case EWOULDBLOCK:  // == EAGAIN on Linux
    case EBUSY:
    case ETXTBSY: return ErrorKind::busy;
    case EINVAL: return ErrorKind::invalid;
    default: return ErrorKind::io;
  }
}

Error errno_error(std::string message, int error_number) {
  const ErrorKind kind = error_kind_of_errno(error_number);
  return Error(kind, std::move(message), Error(kind, std::strerror(error_number)));
}

Error error_code_error(std::string message, const std::error_code& ec) {
  // std::filesystem reports errno values in the generic or system category.
  const ErrorKind kind = ec.category() == std::generic_category() || ec.category() == std::system_category()
                             ? error_kind_of_errno(ec.value())
                             : ErrorKind::io;
  return Error(kind, std::move(message), Error(kind, ec.message()));
}

}  // namespace signage
