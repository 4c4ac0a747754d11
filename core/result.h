// The result type every core service returns: a value, or an error with a protocol-neutral code.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace jim::core {

// Protocol-neutral error codes; http/ maps them to statuses in exactly one switch.
enum class ErrorCode {
  kInvalidArgument,     // a field or the request is wrong (400)
  kNotFound,            // the resource does not exist (404)
  kConflict,            // unique clash, blocked delete, reused idempotency key (409)
  kPreconditionFailed,  // If-Match did not match (412)
  kUnavailable,         // the store cannot write right now (503)
  kInternal,            // a bug (500)
};

struct FieldError {
  std::string field;  // camelCase field name as the client sent it
  std::string message;
};
using FieldErrors = std::vector<FieldError>;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // one sentence safe to show to the client
  FieldErrors fields;   // every field error, not just the first
  std::string detail;   // internal detail for the log only (e.g. a RocksDB status); never sent
};

inline Error MakeError(ErrorCode code, std::string message, std::string detail = {}) {
  return Error{code, std::move(message), {}, std::move(detail)};
}
inline Error InvalidFields(FieldErrors fields) {
  return Error{ErrorCode::kInvalidArgument, "One or more validation errors occurred.", std::move(fields), {}};
}

struct Ok {};

template <class T>
inline constexpr bool kIsOptional = false;
template <class T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  // Caution: not for a Result of an optional or a bool (a committed read's "found?" or "in use?"), where
  // `if (result)` would read as the answer but only say the read worked; such callers say ok().
  explicit operator bool() const
    requires(!kIsOptional<T> && !std::is_same_v<T, bool>)
  {
    return ok();
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  // By value: `for (auto& x : Read().value())` then holds the value, not a reference into a dead temporary.
  T value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const { return std::get<1>(v_); }
  Error& error() { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace jim::core
