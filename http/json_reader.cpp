#include "http/json_reader.h"

#include <simdjson.h>

#include <charconv>
#include <unordered_map>
#include <utility>

#include "http/time_format.h"

namespace jim::http {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kMsgEmpty = "A non-empty request body is required.";
constexpr std::string_view kMsgUtf8 = "The request body is not valid UTF-8.";
constexpr std::string_view kMsgNotObject = "The request body must be a JSON object.";
constexpr std::string_view kMsgInvalidJson = "The request body is not valid JSON.";
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kMsgTrailing = "The request body has trailing content after the JSON object.";
constexpr std::string_view kMsgTooDeep = "The request body is nested too deeply.";
constexpr std::string_view kMsgDuplicate = "The property is given more than once.";

// Caution: validating the values of unknown properties recurses, so it is bounded. Half of
// simdjson's default depth (1024) is far beyond any real request and keeps the stack small on
// worker threads, also under ASan.
constexpr int kMaxDepth = 512;

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

char FoldAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (FoldAscii(a[i]) != FoldAscii(b[i])) return false;
  }
  return true;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

// The JSON number grammar (RFC 8259): -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  const auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == s.size();
}

// A JSON number token (already known to be valid) that is an integer in int64 range.
std::optional<int64_t> IntegerFromNumberToken(std::string_view token) {
  if (token.find_first_of(".eE") != std::string_view::npos) return std::nullopt;
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
  if (ec != std::errc() || ptr != token.data() + token.size()) return std::nullopt;
  return v;
}

// JIM accepts integers written as strings ("500"): an optional '-' and 1-18 digits, nothing else.
std::optional<int64_t> IntegerFromString(std::string_view s) {
  const size_t digits = s.size() - (!s.empty() && s[0] == '-' ? 1 : 0);
  if (digits < 1 || digits > 18) return std::nullopt;
  for (size_t i = s.size() - digits; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// Where the root object ends (one past its closing brace), by bracket matching outside strings;
// npos if it does not close. Only used on the error path, to tell trailing bytes from truncation.
size_t FindRootObjectEnd(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsJsonSpace(s[i])) ++i;
  if (i == s.size() || s[i] != '{') return std::string_view::npos;
  size_t depth = 0;
  bool in_string = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

void ResetOutput(const ObjectReader::FieldSpec& field) {
  switch (field.kind) {
    case ObjectReader::Kind::kString: static_cast<std::optional<std::string>*>(field.out)->reset(); break;
    case ObjectReader::Kind::kInteger: static_cast<std::optional<int64_t>*>(field.out)->reset(); break;
    case ObjectReader::Kind::kBool: static_cast<std::optional<bool>*>(field.out)->reset(); break;
    case ObjectReader::Kind::kEnum: static_cast<std::optional<int>*>(field.out)->reset(); break;
    case ObjectReader::Kind::kIntegerArray:
      static_cast<std::optional<std::vector<int64_t>>*>(field.out)->reset();
      break;
    case ObjectReader::Kind::kTimestamp: static_cast<std::optional<core::Millis>*>(field.out)->reset(); break;
    case ObjectReader::Kind::kObjectArray: static_cast<std::optional<size_t>*>(field.out)->reset(); break;
  }
}

// One Parse() call: the registered fields, the errors so far and the body-level error, if any.
class Pass {
 public:
  using Field = ObjectReader::FieldSpec;

  explicit Pass(const std::vector<Field>& fields) : fields_(fields) {}

  // Parses data[0..length); data's buffer holds `capacity` bytes from data (>= length + simdjson's padding).
  core::FieldErrors Run(const char* data, size_t length, size_t capacity, bool probe_trailing);
  bool failed() const { return !body_error_.empty(); }

 private:
  bool Fail(std::string_view message) {
    body_error_ = message;
    return false;
  }
  bool FailJson() { return Fail(kMsgInvalidJson); }
  void AddFieldError(std::string_view field, std::string message) {
    sink_->push_back(core::FieldError{std::string(field), std::move(message)});
  }

  bool Consume(od::value& v, int depth);
  bool ConsumeNumber(od::value& v, std::optional<int64_t>* integer);
  // Reads one integer (number or numeric string); false only for a body error. `*ok` says whether it
  // was an integer.
  bool ReadInteger(od::value& v, int64_t* out, bool* ok);
  bool ReadField(const Field& field, od::value& v);
  bool ReadObjectArray(const Field& field, od::value& v);
  // Reads the members of `object` into `fields`; false only for a body error.
  bool ReadMembers(od::object& object, const std::vector<Field>& fields);
  core::FieldErrors BodyError() {
    core::FieldErrors out;
    out.push_back(core::FieldError{std::string(kBodyField), std::string(body_error_)});
    return out;
  }

  const std::vector<Field>& fields_;
  core::FieldErrors errors_;
  core::FieldErrors* sink_ = &errors_;  // where field errors go: the root's, or an array element's
  std::string_view body_error_;
};

bool Pass::ConsumeNumber(od::value& v, std::optional<int64_t>* integer) {
  // The token runs to the next structural character; simdjson's own number parsing is not needed:
  // the grammar check is exact and from_chars gives the int64 range.
  const std::string_view token = TrimRight(v.raw_json_token());
  if (!IsJsonNumber(token)) return FailJson();
  if (integer != nullptr) *integer = IntegerFromNumberToken(token);
  return true;  // left unconsumed: the enclosing iteration skips it
}

bool Pass::Consume(od::value& v, int depth) {
  if (depth > kMaxDepth) return Fail(kMsgTooDeep);
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return FailJson();
  switch (type) {
    case od::json_type::array: {
      od::array array;
      if (v.get_array().get(array) != simdjson::SUCCESS) return FailJson();
      for (auto element_result : array) {
        od::value element;
        if (std::move(element_result).get(element) != simdjson::SUCCESS) return FailJson();
        if (!Consume(element, depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::object: {
      od::object object;
      if (v.get_object().get(object) != simdjson::SUCCESS) return FailJson();
      for (auto field_result : object) {
        od::field field;
        std::string_view key;
        if (std::move(field_result).get(field) != simdjson::SUCCESS) return FailJson();
        if (field.unescaped_key().get(key) != simdjson::SUCCESS) return FailJson();
        if (!Consume(field.value(), depth + 1)) return false;
      }
      return true;
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return FailJson();
      return true;
    }
    case od::json_type::number:
      return ConsumeNumber(v, nullptr);
    case od::json_type::boolean: {
      bool b;
      if (v.get_bool().get(b) != simdjson::SUCCESS) return FailJson();
      return true;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return FailJson();
      return true;
    }
  }
  return FailJson();
}

bool Pass::ReadInteger(od::value& v, int64_t* out, bool* ok) {
  *ok = false;
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return FailJson();
  if (type == od::json_type::number) {
    std::optional<int64_t> integer;
    if (!ConsumeNumber(v, &integer)) return false;
    if (integer) *out = *integer;
    *ok = integer.has_value();
    return true;
  }
  if (type == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return FailJson();
    const std::optional<int64_t> integer = IntegerFromString(s);
    if (integer) *out = *integer;
    *ok = integer.has_value();
    return true;
  }
  return Consume(v, 1);
}

bool Pass::ReadField(const Field& field, od::value& v) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return FailJson();
  if (type == od::json_type::null) return Consume(v, 1);  // null means "not given"

  switch (field.kind) {
    case ObjectReader::Kind::kString: {
      if (type == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS) return FailJson();
        *static_cast<std::optional<std::string>*>(field.out) = std::string(s);  // views die with the parser
        return true;
      }
      if (!Consume(v, 1)) return false;
      AddFieldError(field.name, "must be a string");
      return true;
    }
    case ObjectReader::Kind::kInteger: {
      int64_t value = 0;
      bool ok = false;
      if (!ReadInteger(v, &value, &ok)) return false;
      if (ok) {
        *static_cast<std::optional<int64_t>*>(field.out) = value;
      } else {
        AddFieldError(field.name, "must be an integer");
      }
      return true;
    }
    case ObjectReader::Kind::kBool: {
      if (type == od::json_type::boolean) {
        bool b = false;
        if (v.get_bool().get(b) != simdjson::SUCCESS) return FailJson();
        *static_cast<std::optional<bool>*>(field.out) = b;
        return true;
      }
      if (!Consume(v, 1)) return false;
      AddFieldError(field.name, "must be true or false");
      return true;
    }
    case ObjectReader::Kind::kEnum: {
      std::optional<int> parsed;
      if (type == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS) return FailJson();
        if (field.parse_enum) parsed = field.parse_enum(s);
      } else if (!Consume(v, 1)) {
        return false;
      }
      if (parsed) {
        *static_cast<std::optional<int>*>(field.out) = *parsed;
      } else {
        std::string message = "must be one of: ";
        message.append(field.allowed);
        message.push_back('.');
        AddFieldError(field.name, std::move(message));
      }
      return true;
    }
    case ObjectReader::Kind::kIntegerArray: {
      if (type != od::json_type::array) {
        if (!Consume(v, 1)) return false;
        AddFieldError(field.name, "must be an array of integers");
        return true;
      }
      od::array array;
      if (v.get_array().get(array) != simdjson::SUCCESS) return FailJson();
      std::vector<int64_t> values;
      bool all_ok = true;
      for (auto element_result : array) {
        od::value element;
        if (std::move(element_result).get(element) != simdjson::SUCCESS) return FailJson();
        int64_t value = 0;
        bool ok = false;
        // Keep going after a bad element: the rest must still be valid JSON.
        if (!ReadInteger(element, &value, &ok)) return false;
        if (ok && all_ok) values.push_back(value);
        all_ok = all_ok && ok;
      }
      if (all_ok) {
        *static_cast<std::optional<std::vector<int64_t>>*>(field.out) = std::move(values);
      } else {
        AddFieldError(field.name, "must be an array of integers");
      }
      return true;
    }
    case ObjectReader::Kind::kTimestamp: {
      std::optional<core::Millis> parsed;
      if (type == od::json_type::string) {
        std::string_view s;
        if (v.get_string().get(s) != simdjson::SUCCESS) return FailJson();
        parsed = ParseIso8601(s);
      } else if (!Consume(v, 1)) {
        return false;
      }
      if (parsed) {
        *static_cast<std::optional<core::Millis>*>(field.out) = *parsed;
      } else {
        AddFieldError(field.name, "must be an ISO-8601 date-time");
      }
      return true;
    }
    case ObjectReader::Kind::kObjectArray:
      return ReadObjectArray(field, v);
  }
  return FailJson();
}

bool Pass::ReadObjectArray(const Field& field, od::value& v) {
  od::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS) return FailJson();
  if (type != od::json_type::array) {
    if (!Consume(v, 1)) return false;
    AddFieldError(field.name, "must be an array of objects");
    return true;
  }
  od::array array;
  if (v.get_array().get(array) != simdjson::SUCCESS) return FailJson();
  size_t index = 0;
  for (auto element_result : array) {
    od::value element;
    if (std::move(element_result).get(element) != simdjson::SUCCESS) return FailJson();
    for (const Field& f : field.element->fields()) ResetOutput(f);
    field.element_errors->clear();
    od::json_type element_type;
    if (element.type().get(element_type) != simdjson::SUCCESS) return FailJson();
    const bool is_object = element_type == od::json_type::object;
    if (is_object) {
      od::object object;
      if (element.get_object().get(object) != simdjson::SUCCESS) return FailJson();
      core::FieldErrors* outer = sink_;
      sink_ = field.element_errors;
      const bool ok = ReadMembers(object, field.element->fields());
      sink_ = outer;
      if (!ok) return false;
    } else if (!Consume(element, 2)) {
      return false;
    }
    field.element_done(index++, is_object);
  }
  *static_cast<std::optional<size_t>*>(field.out) = index;
  return true;
}

bool Pass::ReadMembers(od::object& object, const std::vector<Field>& fields) {
  // Duplicates are found among registered fields by index, among unknown keys by their folded name.
  std::vector<uint8_t> seen(fields.size(), 0);
  std::unordered_map<std::string, bool> unknown_seen;  // folded key -> duplicate already reported
  for (auto field_result : object) {
    od::field member;
    std::string_view key;
    if (std::move(field_result).get(member) != simdjson::SUCCESS) return FailJson();
    if (member.unescaped_key().get(key) != simdjson::SUCCESS) return FailJson();
    size_t index = 0;
    while (index < fields.size() && !EqualsFold(fields[index].name, key)) ++index;

    bool ok = true;
    if (index == fields.size()) {
      std::string folded(key);
      for (char& c : folded) c = FoldAscii(c);
      auto [it, inserted] = unknown_seen.try_emplace(std::move(folded), false);
      if (!inserted && !it->second) {
        it->second = true;
        AddFieldError(it->first, std::string(kMsgDuplicate));
      }
      ok = Consume(member.value(), 1);
    } else if (seen[index] != 0) {
      if (seen[index] == 1) AddFieldError(fields[index].name, std::string(kMsgDuplicate));
      seen[index] = 2;
      ok = Consume(member.value(), 1);
    } else {
      seen[index] = 1;
      ok = ReadField(fields[index], member.value());
    }
    if (!ok) return false;
  }
  return true;
}

core::FieldErrors Pass::Run(const char* data, size_t length, size_t capacity, bool probe_trailing) {
  // One parser per thread: it keeps its buffers between requests, and documents never cross threads.
  thread_local od::parser parser;
  od::document doc;
  // Caution: the view's capacity is the string's capacity, which the caller made >= size + padding.
  if (parser.iterate(simdjson::padded_string_view(data, length, capacity)).get(doc) !=
      simdjson::SUCCESS) {
    Fail(kMsgInvalidJson);
    return BodyError();
  }
  od::json_type root_type;
  if (doc.type().get(root_type) != simdjson::SUCCESS) {
    Fail(kMsgInvalidJson);
    return BodyError();
  }
  if (root_type != od::json_type::object) {
    Fail(kMsgNotObject);
    return BodyError();
  }
  od::object object;
  if (const auto error = doc.get_object().get(object); error != simdjson::SUCCESS) {
    // simdjson rejects a root object whose last token is not '}' as incomplete: that is truncation
    // or trailing bytes. Tell them apart by finding the object's end and parsing only up to there.
    if (error == simdjson::INCOMPLETE_ARRAY_OR_OBJECT && probe_trailing) {
      const size_t end = FindRootObjectEnd(std::string_view(data, length));
      if (end != std::string_view::npos && end < length) {
        Pass prefix(fields_);
        core::FieldErrors prefix_errors = prefix.Run(data, end, capacity, false);
        if (prefix.failed()) {
          body_error_ = prefix.body_error_;
          return prefix_errors;
        }
        Fail(kMsgTrailing);
        return BodyError();
      }
    }
    Fail(kMsgInvalidJson);
    return BodyError();
  }

  if (!ReadMembers(object, fields_)) {
    if (!failed()) Fail(kMsgInvalidJson);
    return BodyError();
  }

  // simdjson 3.0.1 has no at_end(): a token left after the root object is trailing content
  // (`{"a":1}{}` gets here; `{"a":1} x` is caught above as an incomplete object).
  const char* location = nullptr;
  if (doc.current_location().get(location) == simdjson::SUCCESS) {
    Fail(kMsgTrailing);
    return BodyError();
  }
  return std::move(errors_);
}

}  // namespace

ObjectReader& ObjectReader::String(std::string_view name, std::optional<std::string>* out) {
  fields_.push_back(FieldSpec{name, Kind::kString, out, {}, {}, nullptr, nullptr, {}});
  return *this;
}

ObjectReader& ObjectReader::Integer(std::string_view name, std::optional<int64_t>* out) {
  fields_.push_back(FieldSpec{name, Kind::kInteger, out, {}, {}, nullptr, nullptr, {}});
  return *this;
}

ObjectReader& ObjectReader::Bool(std::string_view name, std::optional<bool>* out) {
  fields_.push_back(FieldSpec{name, Kind::kBool, out, {}, {}, nullptr, nullptr, {}});
  return *this;
}

ObjectReader& ObjectReader::Enum(std::string_view name, std::optional<int>* out,
                                 std::function<std::optional<int>(std::string_view)> parse,
                                 std::string_view allowed) {
  fields_.push_back(FieldSpec{name, Kind::kEnum, out, std::move(parse), allowed, nullptr, nullptr, {}});
  return *this;
}

ObjectReader& ObjectReader::IntegerArray(std::string_view name, std::optional<std::vector<int64_t>>* out) {
  fields_.push_back(FieldSpec{name, Kind::kIntegerArray, out, {}, {}, nullptr, nullptr, {}});
  return *this;
}

ObjectReader& ObjectReader::Timestamp(std::string_view name, std::optional<core::Millis>* out) {
  fields_.push_back(FieldSpec{name, Kind::kTimestamp, out, {}, {}, nullptr, nullptr, {}});
  return *this;
}

ObjectReader& ObjectReader::ObjectArray(std::string_view name, std::optional<size_t>* count, ObjectReader* element,
                                        core::FieldErrors* element_errors, std::function<void(size_t, bool)> done) {
  fields_.push_back(FieldSpec{name, Kind::kObjectArray, count, {}, {}, element, element_errors, std::move(done)});
  return *this;
}

core::FieldErrors ObjectReader::Parse(std::string& body) {
  for (const FieldSpec& field : fields_) ResetOutput(field);
  body_failed_ = false;
  const auto body_error = [this](std::string_view message) {
    body_failed_ = true;
    for (const FieldSpec& field : fields_) ResetOutput(field);
    core::FieldErrors out;
    out.push_back(core::FieldError{std::string(kBodyField), std::string(message)});
    return out;
  };
  // A leading UTF-8 byte-order mark is skipped, as JIM's System.Text.Json does (RFC 8259 8.1 allows it):
  // Windows tools write one (Windows PowerShell's Set-Content -Encoding UTF8, Notepad), and
  // `Invoke-RestMethod -InFile set.json` sends the file's bytes as they are.
  // Skipped, not erased: the body's bytes stay as they came (the fuzz target checks it).
  const size_t bom = body.starts_with(kUtf8Bom) ? kUtf8Bom.size() : 0;
  size_t first = bom;
  while (first < body.size() && IsJsonSpace(body[first])) ++first;
  if (first == body.size()) return body_error(kMsgEmpty);
  if (!simdjson::validate_utf8(body.data(), body.size())) return body_error(kMsgUtf8);
  // The only copy, and only when the buffer has no room for simdjson's padding.
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) {
    body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  }
  Pass pass(fields_);
  core::FieldErrors errors = pass.Run(body.data() + bom, body.size() - bom, body.capacity() - bom, true);
  body_failed_ = pass.failed();
  if (body_failed_) {
    for (const FieldSpec& field : fields_) ResetOutput(field);
  }
  return errors;
}

}  // namespace jim::http
