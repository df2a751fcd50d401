// Errors as values. An Error is a message plus the Error that caused it, so that a
// failure deep in FFmpeg still reads "banner.png: cannot decode image: Invalid data"
// at the top. Result<T> holds either a T or an Error; Status is Result<void>.
// Values only: safe to copy and to move between threads.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace signage {

class Error {
 public:
  explicit Error(std::string message) : message_(std::move(message)) {}
  Error(std::string message, Error cause)
      : message_(std::move(message)), cause_(std::make_shared<const Error>(std::move(cause))) {}

  // This level's message only.
  const std::string& message() const { return message_; }
  // What caused it, or nullptr.
  const Error* cause() const { return cause_.get(); }
  // The whole chain, outermost first: "a: b: c".
  std::string what() const;

 private:
  std::string message_;
  std::shared_ptr<const Error> cause_;
};

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
