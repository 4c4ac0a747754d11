#include "http/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

namespace jim::http {
namespace {

std::string Escape(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// Parses `json` (a JSON string literal) with simdjson's DOM and returns its value.
std::string ParseBack(const std::string& json) {
  simdjson::dom::parser parser;
  std::string_view v;
  EXPECT_EQ(parser.parse(simdjson::padded_string(json)).get_string().get(v), simdjson::SUCCESS) << json;
  return std::string(v);
}

TEST(JsonWriter, NestedStructureCommas) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject()
      .Field("a", 1)
      .Key("b")
      .BeginArray()
      .Int(1)
      .Int(2)
      .BeginObject()
      .Key("c")
      .Null()
      .EndObject()
      .BeginArray()
      .EndArray()
      .String("x")
      .EndArray()
      .Key("d")
      .BeginObject()
      .EndObject()
      .Key("e")
      .BeginArray()
      .EndArray()
      .Key("f")
      .BeginObject()
      .Field("g", true)
      .Field("h", std::string("s"))
      .EndObject()
      .Field("i", false)
      .EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":[1,2,{"c":null},[],"x"],"d":{},"e":[],"f":{"g":true,"h":"s"},"i":false})");
}

TEST(JsonWriter, TopLevelArrayOfObjects) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  for (int i = 0; i < 3; ++i) w.BeginObject().Field("id", i).EndObject();
  w.EndArray();
  EXPECT_EQ(out, R"([{"id":0},{"id":1},{"id":2}])");
}

TEST(JsonWriter, DeepNestingBeyond64Levels) {
  std::string out;
  JsonWriter w(out);
  for (int i = 0; i < 100; ++i) w.BeginArray().Int(i);
  for (int i = 0; i < 100; ++i) w.EndArray();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(simdjson::padded_string(out)).get(root), simdjson::SUCCESS) << out;
  EXPECT_EQ(out.substr(0, 12), "[0,[1,[2,[3,");
}

TEST(JsonWriter, AppendsToExistingBuffer) {
  std::string out = "prefix:";
  JsonWriter(out).BeginObject().Field("a", 1).EndObject();
  EXPECT_EQ(out, R"(prefix:{"a":1})");
}

TEST(JsonWriter, ScalarsAndOptionals) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray()
      .Int(std::numeric_limits<int64_t>::min())
      .Int(std::numeric_limits<int64_t>::max())
      .Int(0)
      .Bool(true)
      .Null()
      .OptionalString(std::nullopt)
      .OptionalString(std::string("v"))
      .OptionalInt(std::nullopt)
      .OptionalInt(7)
      .OptionalTimestamp(std::nullopt)
      .OptionalTimestamp(0)
      .Timestamp(1795860000123)
      .EndArray();
  EXPECT_EQ(out,
            R"([-9223372036854775808,9223372036854775807,0,true,null,null,"v",null,7,null,)"
            R"("1970-01-01T00:00:00.000Z","2026-11-28T10:00:00.123Z"])");
}

TEST(JsonWriter, FieldTemplateOverloads) {
  std::string out;
  const std::optional<std::string> none;
  const std::optional<int64_t> seven = 7;
  const char* cstr = "c";
  JsonWriter(out)
      .BeginObject()
      .Field("u8", static_cast<uint8_t>(3))
      .Field("i32", int32_t{-4})
      .Field("optS", none)
      .Field("optI", seven)
      .Field("sv", std::string_view("sv"))
      .Field("c", cstr)
      .EndObject();
  EXPECT_EQ(out, R"({"u8":3,"i32":-4,"optS":null,"optI":7,"sv":"sv","c":"c"})");
}

TEST(JsonWriter, EscapesQuotesAndBackslash) {
  EXPECT_EQ(Escape(R"(a"b\c)"), R"("a\"b\\c")");
  EXPECT_EQ(Escape("/"), R"("/")");
  EXPECT_EQ(Escape(""), R"("")");
}

TEST(JsonWriter, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string in(1, static_cast<char>(c));
    std::string expected;
    switch (c) {
      case '\b': expected = R"("\b")"; break;
      case '\f': expected = R"("\f")"; break;
      case '\n': expected = R"("\n")"; break;
      case '\r': expected = R"("\r")"; break;
      case '\t': expected = R"("\t")"; break;
      default: {
        char buf[16];
        std::snprintf(buf, sizeof buf, "\"\\u%04x\"", c);
        expected = buf;
      }
    }
    EXPECT_EQ(Escape(in), expected) << c;
    EXPECT_EQ(ParseBack(Escape(in)), in) << c;
  }
  EXPECT_EQ(Escape(std::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(Escape("\x1f"), R"("\u001f")");
}

TEST(JsonWriter, DelPassesThroughRaw) { EXPECT_EQ(Escape("\x7f"), "\"\x7f\""); }

TEST(JsonWriter, ValidUtf8PassesThrough) {
  const std::string s = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf";
  EXPECT_EQ(Escape(s), "\"" + s + "\"");
}

TEST(JsonWriter, EscapesLineAndParagraphSeparators) {
  EXPECT_EQ(Escape("a\xe2\x80\xa8" "b\xe2\x80\xa9" "c"), R"("a\u2028b\u2029c")");
  EXPECT_EQ(ParseBack(Escape("\xe2\x80\xa8")), "\xe2\x80\xa8");
  // Neighbours of U+2028/U+2029 are left alone.
  EXPECT_EQ(Escape("\xe2\x80\xa7\xe2\x80\xaa"), "\"\xe2\x80\xa7\xe2\x80\xaa\"");
}

TEST(JsonWriter, InvalidUtf8BytesBecomeReplacementCharacters) {
  EXPECT_EQ(Escape("\x80"), R"("\ufffd")");                          // stray continuation
  EXPECT_EQ(Escape("\xff"), R"("\ufffd")");                          // never valid
  EXPECT_EQ(Escape("a\xc3"), R"("a\ufffd")");                        // truncated at the end
  EXPECT_EQ(Escape("\xe2\x82z"), R"("\ufffd\ufffdz")");              // truncated, each byte
  EXPECT_EQ(Escape("\xc0\xaf"), R"("\ufffd\ufffd")");                // overlong '/'
  EXPECT_EQ(Escape("\xe0\x80\xaf"), R"("\ufffd\ufffd\ufffd")");      // overlong 3-byte
  EXPECT_EQ(Escape("\xf0\x80\x80\xaf"), R"("\ufffd\ufffd\ufffd\ufffd")");  // overlong 4-byte
  EXPECT_EQ(Escape("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");      // UTF-16 surrogate
  EXPECT_EQ(Escape("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
  EXPECT_EQ(Escape("\xf5\x80\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");
  EXPECT_EQ(Escape("ok\xfe" "ok"), R"("ok\ufffdok")");
}

TEST(JsonWriter, RandomBytesAlwaysGiveValidJson) {
  std::mt19937 rng(42);
  simdjson::dom::parser parser;
  for (int i = 0; i < 5000; ++i) {
    std::string in(rng() % 40, '\0');
    for (char& c : in) c = static_cast<char>(rng() % 256);
    std::string out;
    AppendJsonString(out, in);
    ASSERT_TRUE(simdjson::validate_utf8(out.data(), out.size()));
    std::string_view back;
    ASSERT_EQ(parser.parse(simdjson::padded_string(out)).get_string().get(back), simdjson::SUCCESS) << out;
    if (simdjson::validate_utf8(in.data(), in.size())) {
      EXPECT_EQ(back, in);
    }
  }
}

TEST(JsonWriter, KeysAreEscapedToo) {
  std::string out;
  JsonWriter(out).BeginObject().Key("a\"b").Int(1).EndObject();
  EXPECT_EQ(out, R"({"a\"b":1})");
}

}  // namespace
}  // namespace jim::http
