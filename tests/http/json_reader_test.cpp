#include "http/json_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <thread>

#include "http/time_format.h"

namespace jim::http {
namespace {

std::optional<int> ParseRunType(std::string_view s) {
  static constexpr std::string_view kNames[] = {"FullImport", "DeltaImport", "FullSynchronisation",
                                                "DeltaSynchronisation", "Export"};
  for (int i = 0; i < 5; ++i) {
    const std::string_view n = kNames[i];
    if (n.size() != s.size()) continue;
    bool eq = true;
    for (size_t k = 0; k < n.size() && eq; ++k) eq = std::tolower(n[k]) == std::tolower(s[k]);
    if (eq) return i + 1;
  }
  return std::nullopt;
}
constexpr std::string_view kAllowed = "FullImport, DeltaImport, FullSynchronisation, DeltaSynchronisation, Export";

// A create-run-profile body plus one of each remaining kind.
struct Request {
  std::optional<std::string> name;
  std::optional<int> run_type;
  std::optional<int64_t> page_size;
  std::optional<int64_t> partition_id;
  std::optional<std::string> file_path;
  std::optional<bool> verify;
  std::optional<std::vector<int64_t>> role_ids;
  std::optional<core::Millis> expires_at;
  core::FieldErrors errors;
  bool body_failed = false;  // ObjectReader::body_failed() after the parse

  // The message for `field`, or "" when there is none; "<n errors>" when there are several.
  std::string ErrorFor(std::string_view field) const {
    std::string found;
    int n = 0;
    for (const auto& e : errors) {
      if (e.field == field) {
        found = e.message;
        ++n;
      }
    }
    return n > 1 ? "<" + std::to_string(n) + " errors>" : found;
  }
  std::string BodyError() const {
    if (!body_failed || errors.size() != 1 || errors[0].field != kBodyField) return "<no body error alone>";
    return errors[0].message;
  }
};

Request Parse(std::string body) {
  Request r;
  ObjectReader reader;
  reader.String("name", &r.name)
      .Enum("runType", &r.run_type, ParseRunType, kAllowed)
      .Integer("pageSize", &r.page_size)
      .Integer("partitionId", &r.partition_id)
      .String("filePath", &r.file_path)
      .Bool("verifyImportContentHashes", &r.verify)
      .IntegerArray("roleIds", &r.role_ids)
      .Timestamp("expiresAt", &r.expires_at);
  r.errors = reader.Parse(body);
  r.body_failed = reader.body_failed();
  return r;
}

constexpr std::string_view kNotJson = "The request body is not valid JSON.";
constexpr std::string_view kNotUtf8 = "The request body is not valid UTF-8.";
constexpr std::string_view kNotObject = "The request body must be a JSON object.";
constexpr std::string_view kTrailing = "The request body has trailing content after the JSON object.";
constexpr std::string_view kEmpty = "A non-empty request body is required.";
constexpr std::string_view kDuplicate = "The property is given more than once.";

const char* kValidBody =
    R"({"name":"Full import","runType":"FullImport","pageSize":500,"partitionId":"7",)"
    R"("filePath":"C:\\data\\in.csv","verifyImportContentHashes":true,"roleIds":[1,"2"],)"
    R"("expiresAt":"2026-11-28T10:00:00.123Z"})";

TEST(JsonReader, ParsesEveryKind) {
  const Request r = Parse(kValidBody);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].field << ": " << r.errors[0].message;
  EXPECT_EQ(r.name, "Full import");
  EXPECT_EQ(r.run_type, 1);
  EXPECT_EQ(r.page_size, 500);
  EXPECT_EQ(r.partition_id, 7);
  EXPECT_EQ(r.file_path, "C:\\data\\in.csv");
  EXPECT_EQ(r.verify, true);
  EXPECT_EQ(r.role_ids, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(r.expires_at, ParseIso8601("2026-11-28T10:00:00.123Z"));
}

TEST(JsonReader, AbsentFieldsStayEmpty) {
  const Request r = Parse("{}");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.name || r.run_type || r.page_size || r.partition_id || r.file_path || r.verify || r.role_ids ||
               r.expires_at);
}

TEST(JsonReader, PropertyNamesAreCaseInsensitive) {
  const Request r = Parse(R"({"NAME":"a","RunType":"export","PAGESIZE":1,"verifyimportcontenthashes":false})");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.name, "a");
  EXPECT_EQ(r.run_type, 5);
  EXPECT_EQ(r.page_size, 1);
  EXPECT_EQ(r.verify, false);
}

TEST(JsonReader, EscapedKeysAreUnescapedBeforeMatching) {
  const Request r = Parse(R"({"na\u006De":"a","\u0050ageSize":3})");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.name, "a");
  EXPECT_EQ(r.page_size, 3);
  // A different property once unescaped: ignored as unknown.
  EXPECT_FALSE(Parse(R"({"na\u006Des":"a"})").name.has_value());
}

TEST(JsonReader, DuplicatePropertyInAnyCaseIsAnError) {
  EXPECT_EQ(Parse(R"({"name":"a","name":"b"})").ErrorFor("name"), kDuplicate);
  EXPECT_EQ(Parse(R"({"name":"a","NAME":"b"})").ErrorFor("name"), kDuplicate);
  EXPECT_EQ(Parse(R"({"name":"a","n\u0061ME":"b"})").ErrorFor("name"), kDuplicate);
  // Reported once, however often it repeats; and a null still counts as given.
  const Request r = Parse(R"({"pageSize":null,"PageSize":1,"pagesize":2})");
  EXPECT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.ErrorFor("pageSize"), kDuplicate);
}

TEST(JsonReader, DuplicateUnknownPropertyIsReportedUnderItsFoldedName) {
  const Request r = Parse(R"({"Foo":1,"FOO":{"x":1},"foo":[]})");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].field, "foo");
  EXPECT_EQ(r.errors[0].message, kDuplicate);
}

TEST(JsonReader, DuplicateUnknownPropertyNamedBodyIsAFieldErrorNotABodyError) {
  // "body" is also the key of body-level errors; only body_failed() tells the two apart.
  const Request r = Parse(R"({"body":1,"BODY":2,"name":1,"filePath":"ok"})");
  EXPECT_FALSE(r.body_failed);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.ErrorFor("body"), kDuplicate);
  EXPECT_EQ(r.ErrorFor("name"), "must be a string");
  EXPECT_EQ(r.file_path, "ok");  // outputs are kept, as for any field error
}

TEST(JsonReader, UnknownPropertiesAreIgnored) {
  const Request r = Parse(
      R"({"id":99,"extra":{"deep":[1,2,{"x":null}],"s":"\u00e9"},"flag":true,"n":null,"f":-1.5e-3,"name":"a"})");
  ASSERT_TRUE(r.errors.empty());
  EXPECT_EQ(r.name, "a");
}

TEST(JsonReader, MalformedValueOfUnknownPropertyIsABodyError) {
  for (const char* body : {R"({"x":[1,,2]})", R"({"x":[1 2]})", R"({"x":{"a" 1}})", R"({"x":{"a":1,}})",
                           R"({"x":01})", R"({"x":1.})", R"({"x":.5})", R"({"x":-})", R"({"x":1e})",
                           R"({"x":+1})", R"({"x":tru})", R"({"x":truex})", R"({"x":nul})", R"({"x":nulls})",
                           R"({"x":"\q"})", R"({"x":"\u12"})", R"({"x":NaN})", R"({"x":[}})", R"({"x":})",
                           R"({"x":'a'})", R"({"x":1,})", R"({,"x":1})", R"({"x"})", R"({"x":1 "y":2})"}) {
    EXPECT_EQ(Parse(body).BodyError(), kNotJson) << body;
  }
}

TEST(JsonReader, NullMeansNotGiven) {
  const Request r = Parse(
      R"({"name":null,"runType":null,"pageSize":null,"partitionId":null,"filePath":null,)"
      R"("verifyImportContentHashes":null,"roleIds":null,"expiresAt":null})");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.name || r.run_type || r.page_size || r.partition_id || r.file_path || r.verify || r.role_ids ||
               r.expires_at);
}

TEST(JsonReader, IntegersAccepted) {
  EXPECT_EQ(Parse(R"({"pageSize":500})").page_size, 500);
  EXPECT_EQ(Parse(R"({"pageSize":"500"})").page_size, 500);
  EXPECT_EQ(Parse(R"({"pageSize":-42})").page_size, -42);
  EXPECT_EQ(Parse(R"({"pageSize":"-42"})").page_size, -42);
  EXPECT_EQ(Parse(R"({"pageSize":0})").page_size, 0);
  EXPECT_EQ(Parse(R"({"pageSize":-0})").page_size, 0);
  EXPECT_EQ(Parse(R"({"pageSize":"007"})").page_size, 7);
  EXPECT_EQ(Parse(R"({"pageSize":"999999999999999999"})").page_size, 999999999999999999);  // 18 digits
  EXPECT_EQ(Parse(R"({"pageSize":9223372036854775807})").page_size, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Parse(R"({"pageSize":-9223372036854775808})").page_size, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Parse("{\"pageSize\" : 12 \n}").page_size, 12);
}

TEST(JsonReader, IntegersRejected) {
  for (const char* value : {R"("5.0")", R"("5e2")", "5.0", "5e2", "5E2", "1e0", "-0.0", "true", "false",
                            "9223372036854775808", "-9223372036854775809", "18446744073709551616",
                            "100000000000000000000000000", R"("-")", R"("")", R"(" 5")", R"("5 ")", R"("+5")",
                            R"("0x10")", R"("1234567890123456789")", R"("--1")", R"("5a")", "[]", "[5]", "{}",
                            R"({"v":5})"}) {
    const Request r = Parse(std::string(R"({"pageSize":)") + value + "}");
    EXPECT_EQ(r.ErrorFor("pageSize"), "must be an integer") << value;
    EXPECT_FALSE(r.page_size.has_value()) << value;
  }
}

TEST(JsonReader, Booleans) {
  EXPECT_EQ(Parse(R"({"verifyImportContentHashes":true})").verify, true);
  EXPECT_EQ(Parse(R"({"verifyImportContentHashes":false})").verify, false);
  for (const char* value : {R"("true")", "1", "0", "[]", "{}", R"("")"}) {
    EXPECT_EQ(Parse(std::string(R"({"verifyImportContentHashes":)") + value + "}")
                  .ErrorFor("verifyImportContentHashes"),
              "must be true or false")
        << value;
  }
}

TEST(JsonReader, Strings) {
  EXPECT_EQ(Parse(R"({"name":""})").name, "");
  EXPECT_EQ(Parse(R"({"name":"caf\u00e9 \ud83d\ude00 \"q\" \n"})").name, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \n");
  EXPECT_EQ(Parse("{\"name\":\"caf\xc3\xa9\"}").name, "caf\xc3\xa9");
  for (const char* value : {"1", "true", "[]", R"(["a"])", "{}"}) {
    EXPECT_EQ(Parse(std::string(R"({"name":)") + value + "}").ErrorFor("name"), "must be a string") << value;
  }
}

TEST(JsonReader, StringsWithRawControlCharactersOrBadEscapesAreNotJson) {
  EXPECT_EQ(Parse("{\"name\":\"a\tb\"}").BodyError(), kNotJson);
  EXPECT_EQ(Parse(std::string("{\"name\":\"a\0b\"}", 13)).BodyError(), kNotJson);
  EXPECT_EQ(Parse("{\"na\nme\":\"a\"}").BodyError(), kNotJson);
  EXPECT_EQ(Parse(R"({"name":"\ud800"})").BodyError(), kNotJson);  // lone surrogate
  EXPECT_EQ(Parse(R"({"\udc00":"a"})").BodyError(), kNotJson);
  EXPECT_EQ(Parse(R"({"name":"\x41"})").BodyError(), kNotJson);
}

TEST(JsonReader, EnumsAreCaseInsensitiveNamesOnly) {
  EXPECT_EQ(Parse(R"({"runType":"FullImport"})").run_type, 1);
  EXPECT_EQ(Parse(R"({"runType":"fullimport"})").run_type, 1);
  EXPECT_EQ(Parse(R"({"runType":"DELTASYNCHRONISATION"})").run_type, 4);
  const std::string message = "must be one of: " + std::string(kAllowed) + ".";
  for (const char* value : {"1", "5", R"("1")", R"("Full Import")", R"("NotSet")", R"("")", "true", "[]", "{}"}) {
    const Request r = Parse(std::string(R"({"runType":)") + value + "}");
    EXPECT_EQ(r.ErrorFor("runType"), message) << value;
    EXPECT_FALSE(r.run_type.has_value()) << value;
  }
}

TEST(JsonReader, IntegerArrays) {
  EXPECT_EQ(Parse(R"({"roleIds":[]})").role_ids, std::vector<int64_t>{});
  EXPECT_EQ(Parse(R"({"roleIds":[1,"2",-3]})").role_ids, (std::vector<int64_t>{1, 2, -3}));
  for (const char* value : {"1", R"("1")", "[1,1.5]", "[1,null]", "[[1]]", R"([{"a":1}])", "[true]", R"(["x"])",
                            "[9223372036854775808]", "{}"}) {
    const Request r = Parse(std::string(R"({"roleIds":)") + value + "}");
    EXPECT_EQ(r.ErrorFor("roleIds"), "must be an array of integers") << value;
    EXPECT_FALSE(r.role_ids.has_value()) << value;
  }
  // After a bad element the rest must still be valid JSON.
  EXPECT_EQ(Parse(R"({"roleIds":[1.5,01]})").BodyError(), kNotJson);
}

TEST(JsonReader, Timestamps) {
  EXPECT_EQ(Parse(R"({"expiresAt":"2026-11-28T12:00:00+02:00"})").expires_at, ParseIso8601("2026-11-28T10:00:00Z"));
  for (const char* value : {R"("2026-13-01T00:00:00Z")", R"("2026-11-28")", R"("")", "1795860000123", "true"}) {
    EXPECT_EQ(Parse(std::string(R"({"expiresAt":)") + value + "}").ErrorFor("expiresAt"),
              "must be an ISO-8601 date-time")
        << value;
  }
}

TEST(JsonReader, InvalidUtf8IsRejectedBeforeAnythingElse) {
  EXPECT_EQ(Parse("{\"name\":\"a\xff\"}").BodyError(), kNotUtf8);
  EXPECT_EQ(Parse("{\"n\xc3\":\"a\"}").BodyError(), kNotUtf8);       // truncated sequence in a key
  EXPECT_EQ(Parse("{\"name\":\"\xed\xa0\x80\"}").BodyError(), kNotUtf8);  // encoded surrogate
  EXPECT_EQ(Parse("{\"name\":\"\xc0\xaf\"}").BodyError(), kNotUtf8);  // overlong
  EXPECT_EQ(Parse("[\xff").BodyError(), kNotUtf8);
}

TEST(JsonReader, TrailingContentIsRejected) {
  for (const char* body : {R"({"name":"a"} x)", R"({"name":"a"}{})", R"({"name":"a"}})", R"({"name":"a"}])",
                           R"({"name":"a"} 1)", R"({"name":"a"}"x")", R"({} {})", "{}\n{}\n"}) {
    EXPECT_EQ(Parse(body).BodyError(), kTrailing) << body;
  }
  EXPECT_EQ(Parse(std::string("{}\0", 3)).BodyError(), kTrailing);
  const Request ok = Parse("{\"name\":\"a\"}  \n\r\t");
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_EQ(ok.name, "a");
  EXPECT_TRUE(Parse(" \n{\"name\":\"a\"}").errors.empty());
  // Malformed before the trailing bytes: that is what gets reported.
  EXPECT_EQ(Parse(R"({"name":01} x)").BodyError(), kNotJson);
  EXPECT_EQ(Parse(R"({"name":"a" x)").BodyError(), kNotJson);
}

TEST(JsonReader, TruncatedBodiesAreNotJson) {
  for (const char* body : {"{", R"({"name")", R"({"name":)", R"({"name":"a")", R"({"name":"a",)", R"({"name":"a)",
                           R"({"x":[1,2)", R"({"x":{"y":1})", "{\"x\":\"}"}) {
    EXPECT_EQ(Parse(body).BodyError(), kNotJson) << body;
  }
}

TEST(JsonReader, RootMustBeAnObject) {
  for (const char* body : {"[]", "[1,2]", R"("x")", "1", "-1.5", "null", "true", "false", R"([{"name":"a"}])"}) {
    EXPECT_EQ(Parse(body).BodyError(), kNotObject) << body;
  }
  EXPECT_EQ(Parse("x").BodyError(), kNotJson);
  EXPECT_EQ(Parse("}").BodyError(), kNotJson);
}

TEST(JsonReader, EmptyBody) {
  EXPECT_EQ(Parse("").BodyError(), kEmpty);
  EXPECT_EQ(Parse(" \r\n\t").BodyError(), kEmpty);
}

TEST(JsonReader, ALeadingUtf8ByteOrderMarkIsSkippedAndNowhereElse) {
  const std::string bom = "\xEF\xBB\xBF";
  Request r = Parse(bom + R"({"name":"from a Windows file","pageSize":7})");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.name, "from a Windows file");
  EXPECT_EQ(r.page_size, 7);
  EXPECT_TRUE(Parse(bom + " \r\n" + R"({"name":"x"})").errors.empty());
  EXPECT_EQ(Parse(bom).BodyError(), kEmpty);
  EXPECT_EQ(Parse(bom + bom + "{}").BodyError(), kNotJson);
  EXPECT_EQ(Parse(" " + bom + "{}").BodyError(), kNotJson);
  EXPECT_EQ(Parse("{}" + bom).BodyError(), kTrailing);
  EXPECT_EQ(Parse("\xEF\xBB{}").BodyError(), kNotUtf8);  // a cut mark is not one
}

TEST(JsonReader, DeepNestingDoesNotCrash) {
  EXPECT_FALSE(Parse(std::string(100000, '[')).errors.empty());
  EXPECT_FALSE(Parse(std::string(100000, '{')).errors.empty());
  EXPECT_FALSE(Parse(R"({"x":)" + std::string(100000, '[')).errors.empty());
  EXPECT_FALSE(Parse(R"({"x":)" + std::string(100000, '[') + std::string(100000, ']') + "}").errors.empty());
  EXPECT_FALSE(Parse(R"({"roleIds":)" + std::string(100000, '[') + std::string(100000, ']') + "}").errors.empty());
  std::string nested_objects = "{";
  for (int i = 0; i < 50000; ++i) nested_objects += R"("a":{)";
  nested_objects += std::string(50001, '}');
  EXPECT_FALSE(Parse(nested_objects).errors.empty());
  // Moderate nesting inside an unknown property is fine.
  const Request r = Parse(R"({"x":)" + std::string(100, '[') + std::string(100, ']') + R"(,"name":"a"})");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.name, "a");
}

TEST(JsonReader, EveryFieldErrorIsCollected) {
  const Request r = Parse(R"({"name":1,"runType":2,"pageSize":"x","filePath":"ok"})");
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.ErrorFor("name"), "must be a string");
  EXPECT_EQ(r.ErrorFor("runType"), "must be one of: " + std::string(kAllowed) + ".");
  EXPECT_EQ(r.ErrorFor("pageSize"), "must be an integer");
  EXPECT_EQ(r.file_path, "ok");
}

TEST(JsonReader, BodyErrorIsReturnedAloneAndClearsOutputs) {
  const Request r = Parse(R"({"name":"a","pageSize":"x","runType":1,"filePath":[1,,]})");
  EXPECT_EQ(r.BodyError(), kNotJson);
  EXPECT_FALSE(r.name.has_value());
}

TEST(JsonReader, ReusedReaderResetsOutputs) {
  std::optional<std::string> name;
  ObjectReader reader;
  reader.String("name", &name);
  std::string first = R"({"name":"a"})";
  EXPECT_TRUE(reader.Parse(first).empty());
  EXPECT_EQ(name, "a");
  std::string second = "{}";
  EXPECT_TRUE(reader.Parse(second).empty());
  EXPECT_FALSE(name.has_value());
}

TEST(JsonReader, ParsesInPlaceWhenTheBufferHasPadding) {
  std::optional<std::string> name;
  ObjectReader reader;
  reader.String("name", &name);
  std::string body = R"({"name":"in place"})";
  body.reserve(body.size() + 64);
  const char* before = body.data();
  const std::string copy = body;
  EXPECT_TRUE(reader.Parse(body).empty());
  EXPECT_EQ(body.data(), before);
  EXPECT_EQ(body, copy);
  EXPECT_EQ(name, "in place");

  std::string tight = R"({"name":"grown"})";
  tight.shrink_to_fit();
  EXPECT_TRUE(reader.Parse(tight).empty());
  EXPECT_GE(tight.capacity(), tight.size() + 64);
  EXPECT_EQ(tight, R"({"name":"grown"})");
  EXPECT_EQ(name, "grown");
}

TEST(JsonReader, ThreadLocalParsersWorkConcurrently) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&failures, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string name = "n" + std::to_string(t * 1000 + i);
        const Request r = Parse(R"({"name":")" + name + R"(","pageSize":)" + std::to_string(i) + "}");
        if (!r.errors.empty() || r.name != name || r.page_size != i) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// Random byte mutations of a valid body: never a crash (run it under ASan), and every outcome is
// either a clean parse, one body error alone, or field errors only.
TEST(JsonReader, MutationFuzzNeverCrashes) {
  std::mt19937 rng(0x5eed);
  const std::string base = kValidBody;
  constexpr char kInteresting[] = "{}[]\":,\\ 0123456789-+.eEtrufalsn\x00\x1f\x7f\x80\xc3\xe2\xff";
  int parsed = 0, body_errors = 0, field_errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string body = base;
    const int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations && !body.empty(); ++m) {
      const size_t pos = rng() % body.size();
      const char byte = (rng() % 2) ? static_cast<char>(rng() % 256)
                                    : kInteresting[rng() % (sizeof kInteresting - 1)];
      switch (rng() % 5) {
        case 0: body[pos] = byte; break;
        case 1: body.insert(body.begin() + static_cast<std::ptrdiff_t>(pos), byte); break;
        case 2: body.erase(pos, 1); break;
        case 3: body.resize(pos); break;
        case 4: body.insert(pos, body.substr(rng() % body.size(), rng() % 16)); break;
      }
    }
    const std::string original = body;
    const Request r = Parse(body);
    if (r.errors.empty()) {
      ++parsed;
      continue;
    }
    bool has_body_error = false;
    for (const auto& e : r.errors) {
      ASSERT_FALSE(e.message.empty());
      if (e.field == kBodyField) has_body_error = true;
    }
    if (has_body_error) {
      ASSERT_EQ(r.errors.size(), 1u) << original;
      ++body_errors;
    } else {
      ++field_errors;
    }
  }
  EXPECT_EQ(parsed + body_errors + field_errors, 3000);
  EXPECT_GT(body_errors, 0);
  EXPECT_GT(parsed + field_errors, 0);
}

}  // namespace
}  // namespace jim::http
