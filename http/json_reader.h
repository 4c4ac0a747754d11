// Strict, one-pass request-body parsing with simdjson on-demand into plain optionals.
//
// Rules (API.md section 0): the root must be an object; property names match case-insensitively;
// unknown properties are ignored; the same property twice (in any case) is an error; enums by member
// name, case-insensitive, numbers rejected; integers also accepted as numeric strings, fractions,
// exponents, booleans and out-of-range values rejected; a JSON null means "not given"; invalid UTF-8,
// malformed JSON and trailing bytes after the root are rejected. Every field error is collected.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/entities.h"
#include "core/result.h"

namespace jim::http {

// The key used in validationErrors for errors about the body as a whole (malformed JSON, not an
// object, invalid UTF-8, trailing bytes).
inline constexpr std::string_view kBodyField = "body";

class ObjectReader {
 public:
  // Each registration names the camelCase field as it appears in validationErrors. The out pointers
  // must outlive Parse().
  ObjectReader& String(std::string_view name, std::optional<std::string>* out);
  // Accepts JSON integers and strings holding a decimal integer; range is the representable range
  // (domain limits such as 1-10000 are core's rules, not the parser's).
  ObjectReader& Integer(std::string_view name, std::optional<int64_t>* out);
  ObjectReader& Bool(std::string_view name, std::optional<bool>* out);
  // `parse` maps a member name (already known to be a string) to the enum value or nullopt;
  // `allowed` lists the members for the error message.
  ObjectReader& Enum(std::string_view name, std::optional<int>* out,
                     std::function<std::optional<int>(std::string_view)> parse, std::string_view allowed);
  ObjectReader& IntegerArray(std::string_view name, std::optional<std::vector<int64_t>>* out);
  ObjectReader& Timestamp(std::string_view name, std::optional<core::Millis>* out);
  // An array of objects, read one element at a time through `element`: before each element its outputs
  // are reset and `element_errors` cleared; the element's field errors go there (unprefixed), and then
  // `done(index, is_object)` takes them. Not an array: a field error under `name`. `*count` gets the
  // number of elements. Element objects are read by the same rules as the root.
  ObjectReader& ObjectArray(std::string_view name, std::optional<size_t>* count, ObjectReader* element,
                            core::FieldErrors* element_errors, std::function<void(size_t, bool)> done);

  // Parses `body`. The string may be grown to hold simdjson's padding (no copy when its capacity
  // already allows). Returns every error found: a body-level error (key kBodyField) stops parsing and
  // comes alone, field errors do not. An empty result means every registered output is filled or left
  // empty.
  core::FieldErrors Parse(std::string& body);
  // Whether the last Parse() stopped at a body-level error. Ask this instead of looking for kBodyField
  // in the result: a duplicated unknown property named "body" is a field error under that same key.
  bool body_failed() const { return body_failed_; }

  // Implementation detail (public only so the parsing code in the .cpp can see it).
  enum class Kind { kString, kInteger, kBool, kEnum, kIntegerArray, kTimestamp, kObjectArray };
  struct FieldSpec {
    std::string_view name;
    Kind kind;
    void* out;
    std::function<std::optional<int>(std::string_view)> parse_enum;
    std::string_view allowed;
    // kObjectArray only.
    ObjectReader* element = nullptr;
    core::FieldErrors* element_errors = nullptr;
    std::function<void(size_t, bool)> element_done;
  };
  const std::vector<FieldSpec>& fields() const { return fields_; }

 private:
  std::vector<FieldSpec> fields_;
  bool body_failed_ = false;
};

}  // namespace jim::http
