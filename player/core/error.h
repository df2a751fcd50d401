// Errors as values. An Error is a message plus the Error that caused it, so that a
// failure deep in FFmpeg still reads "banner.png: cannot decode image: Invalid data"
// at the top. Result<T> holds either a T or an Error; Status is Result<void>.
// Each Error also has a kind (ErrorKind) that code and tests can act on without
// reading the message, which may be translated. A wrapping Error takes its cause's
// kind unless it is given one.
// Values only: safe to copy and to move between threads.
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

namespace signage {

enum class ErrorKind {
  other,       // none of the below (the default)
  not_found,   // a file or folder that does not exist (ENOENT, ENOTDIR)
  permission,  // not allowed (EACCES, EPERM, EROFS)
  no_space,    // the disk or a quota is full (ENOSPC, EDQUOT)
  io,          // any other failure of the system (EIO, ...)
  invalid,     // content that does not parse or a value out of range
  busy,        // held by someone else (a locked file)
  stopped,     // cut short by a stop request
};

// "not_found", "permission", ... (for logs and test output).
const char* to_string(ErrorKind kind);
// The kind of an errno value.
ErrorKind error_kind_of_errno(int error_number);

class Error {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  Error(ErrorKind kind, std::string message) : message_(std::move(message)), kind_(kind) {}
  Error(std::string message, Error cause)
      : message_(std::move(message)), kind_(cause.kind_),
        cause_(std::make_shared<const Error>(std::move(cause))) {}
  Error(ErrorKind kind, std::string message, Error cause)
      : message_(std::move(message)), kind_(kind), cause_(std::make_shared<const Error>(std::move(cause))) {}

  // This level's message only.
  const std::string& message() const { return message_; }
  ErrorKind kind() const { return kind_; }
  // What caused it, or nullptr.
  const Error* cause() const { return cause_.get(); }
  // The whole chain, outermost first: "a: b: c".
  std::string what() const;

 private:
  std::string message_;
  ErrorKind kind_ = ErrorKind::other;
  std::shared_ptr<const Error> cause_;
};

// `message`, caused by the OS reason for `error_number` (strerror), of its kind:
// "x.jsonl: cannot write: No space left on device" with kind no_space.
Error errno_error(std::string message, int error_number);
// The same for a std::error_code from std::filesystem (its value is an errno).
Error error_code_error(std::string message, const std::error_code& ec);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::make_shared<const Error>(std::move(error))) {}  // NOLINT
  bool ok() const { return error_ == nullptr; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::shared_ptr<const Error> error_;
};

using Status = Result<void>;

}  // namespace signage
