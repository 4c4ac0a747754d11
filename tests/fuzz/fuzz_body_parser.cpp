// libFuzzer target: the request-body parsers (ObjectReader through http/request_parsers.h).
//
// The first byte picks the parser, the rest is the body. Besides "no crash, no sanitizer report" it
// checks the reader against simdjson's DOM parser (after one leading byte-order mark, which the reader
// skips): a body the reader accepts must be a valid JSON object, and a body the DOM parser finds malformed (other than for its own number or depth limits,
// which the reader deliberately does not share) must be refused with a body-level error.
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/json_reader.h"
#include "http/request_parsers.h"

namespace {

using jim::core::FieldErrors;

// What one parser returned: the body-level error (the parsers' result) apart from the field errors (the
// input's parse_errors). Told apart by where they come back, not by the "body" key: a duplicated unknown
// property named "body" is a field error under that key.
struct Parsed {
  FieldErrors body;
  FieldErrors fields;
  FieldErrors All() const {
    FieldErrors all = body;
    all.insert(all.end(), fields.begin(), fields.end());
    return all;
  }
};

Parsed ParseWith(uint8_t which, std::string& body) {
  using namespace jim;
  switch (which % 9) {
    case 0: { core::CreateRunProfileInput in; auto e = http::ParseCreateRunProfile(body, in); return {e, in.parse_errors}; }
    case 1: { core::UpdateRunProfileInput in; auto e = http::ParseUpdateRunProfile(body, in); return {e, in.parse_errors}; }
    case 2: { core::CreateConnectedSystemInput in; auto e = http::ParseCreateConnectedSystem(body, in); return {e, in.parse_errors}; }
    case 3: { core::UpdateConnectedSystemInput in; auto e = http::ParseUpdateConnectedSystem(body, in); return {e, in.parse_errors}; }
    case 4: { core::CreatePartitionInput in; auto e = http::ParseCreatePartition(body, in); return {e, in.parse_errors}; }
    case 5: { core::UpdatePartitionInput in; auto e = http::ParseUpdatePartition(body, in); return {e, in.parse_errors}; }
    case 6: { core::ConnectorDefinitionInput in; auto e = http::ParseConnectorDefinition(body, in); return {e, in.parse_errors}; }
    case 7: { core::CreateApiKeyInput in; auto e = http::ParseCreateApiKey(body, in); return {e, in.parse_errors}; }
    default: { core::UpdateApiKeyInput in; auto e = http::ParseUpdateApiKey(body, in); return {e, in.parse_errors}; }
  }
}

[[noreturn]] void Fail(const char* what, const std::string& body) {
  std::fprintf(stderr, "fuzz_body_parser: %s\nbody (%zu bytes): %.*s\n", what, body.size(),
               static_cast<int>(body.size() > 400 ? 400 : body.size()), body.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  const std::string original(reinterpret_cast<const char*>(data) + 1, size - 1);

  // The parser may grow the string for simdjson's padding; give it one with no spare capacity so the
  // copy path is exercised, and one with exactly the padding as spare capacity.
  std::string body = original;
  body.shrink_to_fit();
  const Parsed parsed = ParseWith(data[0], body);
  const FieldErrors errors = parsed.All();
  if (body.compare(0, original.size(), original) != 0) Fail("the parser changed the body's bytes", original);
  std::string padded;
  padded.reserve(original.size() + simdjson::SIMDJSON_PADDING);
  padded = original;
  const FieldErrors again = ParseWith(data[0], padded).All();
  if (errors.size() != again.size()) Fail("the result depends on the buffer's spare capacity", original);
  for (size_t i = 0; i < errors.size(); ++i)
    if (errors[i].field != again[i].field || errors[i].message != again[i].message)
      Fail("the result depends on the buffer's spare capacity", original);
  // Every error names its field, except a duplicated unknown property whose name is "" (reported as given).
  for (const auto& e : errors)
    if (e.message.empty() || (e.field.empty() && e.message.find("more than once") == std::string::npos))
      Fail("an error without a field or a message", original);

  simdjson::dom::parser dom;
  simdjson::dom::element root;
  // The reader skips one leading UTF-8 byte-order mark (as JIM does); the DOM parser judges what follows it.
  std::string_view json = original;
  if (json.starts_with("\xEF\xBB\xBF")) json.remove_prefix(3);
  const simdjson::padded_string padded_json(json);
  const simdjson::error_code ec = dom.parse(padded_json).get(root);
  const bool body_error = !parsed.body.empty();
  if (body_error && (parsed.body.size() != 1 || !parsed.fields.empty()))
    Fail("a body-level error did not come alone", original);
  if (!body_error) {
    if (ec != simdjson::SUCCESS) {
      // The reader validates numbers with its own exact grammar and has no number range limit for
      // properties it ignores; simdjson refuses big integers and huge exponents. Both are valid JSON.
      if (ec != simdjson::NUMBER_ERROR && ec != simdjson::NUMBER_OUT_OF_RANGE)
        Fail("the reader accepted a body the DOM parser refuses", original);
    } else if (!root.is_object()) {
      Fail("the reader accepted a root that is not an object", original);
    }
  } else if (ec == simdjson::SUCCESS && root.is_object()) {
    // A valid object may still be refused for depth (the reader stops at 512); nothing else.
    bool too_deep = false;
    for (const auto& e : parsed.body)
      if (e.message.find("nested too deeply") != std::string::npos) too_deep = true;
    if (!too_deep) {
      std::string msg = "the reader refused a valid JSON object: ";
      for (const auto& e : errors) msg += e.message + " ";
      Fail(msg.c_str(), original);
    }
  }
  return 0;
}
