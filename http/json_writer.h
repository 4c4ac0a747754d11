// The one JSON writer: every response body, errors included, is written through it, straight into the
// response buffer (no DOM). Strings are escaped correctly (quotes, backslash, control characters; valid
// UTF-8 passes through, invalid bytes become U+FFFD).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/entities.h"

namespace jim::http {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  JsonWriter& Timestamp(core::Millis utc_millis);  // "2026-11-28T10:00:00.123Z"
  JsonWriter& OptionalString(const std::optional<std::string>& value);
  JsonWriter& OptionalInt(const std::optional<int64_t>& value);
  JsonWriter& OptionalTimestamp(const std::optional<core::Millis>& value);

  // Key + value in one call, for the common object members.
  template <class T>
  JsonWriter& Field(std::string_view key, const T& value);

 private:
  void Separator();
  std::string& out_;
  // NOTE: no per-level state: whether a comma is due follows from the last byte written ('{', '['
  // and ':' never end a complete value), so nesting depth is unbounded and nothing is allocated.
  int depth_ = 0;
};

template <class T>
JsonWriter& JsonWriter::Field(std::string_view key, const T& value) {
  Key(key);
  if constexpr (std::is_same_v<T, bool>) {
    return Bool(value);
  } else if constexpr (std::is_integral_v<T>) {
    return Int(static_cast<int64_t>(value));
  } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
    return OptionalString(value);
  } else if constexpr (std::is_same_v<T, std::optional<int64_t>>) {
    return OptionalInt(value);
  } else {
    return String(std::string_view(value));
  }
}

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace jim::http
