// The NUL character (U+0000) in any text field of a write is a 400 naming the field, on both backends
// (docs/api.md, "Stricter than JIM"). PostgreSQL's text type cannot hold it: before the rule, a name with
// "\u0000" was stored by RocksDB and answered 500 by PostgreSQL, so the two backends disagreed.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using NulTextTest = ApiTest;

const std::string& kSystems = TestServer::kSystems;
const std::string& kConnectors = TestServer::kConnectors;
const std::string kKeys = "/api/v1/apikeys";

struct Case {
  std::string method;
  std::string path;
  std::string body;
  std::string field;
};

TEST_F(NulTextTest, EveryTextFieldOfAWriteRefusesIt) {
  const int64_t cs = srv().CreateSystem("HR", 1);
  const int64_t file_cs = srv().CreateSystem("Files", 2);
  const int64_t profile = srv().CreateProfile(cs, R"({"name":"p","runType":"FullImport"})");
  const std::string profiles = kSystems + "/" + std::to_string(cs) + "/run-profiles";
  const std::string partitions = kSystems + "/" + std::to_string(cs) + "/partitions";
  const std::string nul = R"(a\u0000b)";
  const int64_t keys_before = srv().Get(kKeys).json.Size("");
  for (const Case& c : std::vector<Case>{
           {"POST", kSystems, R"({"name":")" + nul + R"(","connectorDefinitionId":1})", "name"},
           {"POST", kSystems, R"({"name":"x","description":")" + nul + R"(","connectorDefinitionId":1})", "description"},
           {"PUT", kSystems + "/" + std::to_string(cs), R"({"name":")" + nul + R"("})", "name"},
           {"PUT", kSystems + "/" + std::to_string(cs), R"({"changeReason":")" + nul + R"("})", "changeReason"},
           {"POST", partitions, R"({"name":")" + nul + R"("})", "name"},
           {"POST", partitions, R"({"name":"ou","externalId":")" + nul + R"("})", "externalId"},
           {"POST", kConnectors, R"({"name":")" + nul + R"(","supportsFullImport":true})", "name"},
           {"POST", kConnectors, R"({"name":"c","description":")" + nul + R"("})", "description"},
           {"POST", profiles, R"({"name":")" + nul + R"(","runType":"FullImport"})", "name"},
           {"POST", kSystems + "/" + std::to_string(file_cs) + "/run-profiles",
            R"({"name":"f","runType":"FullImport","filePath":")" + nul + R"("})", "filePath"},
           {"POST", profiles, R"({"name":"r","runType":"FullImport","changeReason":")" + nul + R"("})", "changeReason"},
           {"PUT", profiles + "/" + std::to_string(profile), R"({"name":")" + nul + R"("})", "name"},
           {"PUT", profiles, R"({"runProfiles":[{"name":")" + nul + R"(","runType":"FullImport"}]})",
            "runProfiles[0].name"},
           {"PUT", profiles, R"({"runProfiles":[],"changeReason":")" + nul + R"("})", "changeReason"},
           {"POST", kKeys, R"({"name":")" + nul + R"(","roleIds":[1]})", "name"},
           {"POST", kKeys, R"({"name":"k","description":")" + nul + R"(","roleIds":[1]})", "description"},
           {"DELETE", profiles + "/" + std::to_string(profile) + "?changeReason=a%00b", "", "changeReason"},
       }) {
    SCOPED_TRACE(c.method + " " + c.path + " " + c.body);
    Response r = c.method == "POST" ? srv().Post(c.path, c.body)
                 : c.method == "PUT" ? srv().Put(c.path, c.body)
                                     : srv().Delete(c.path);
    EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(r, c.field)) << r.body;
    EXPECT_EQ(r.json.Str("/validationErrors/" + c.field + "/0"), "must not contain the NUL character (U+0000)");
  }
  // Nothing was written: the two systems, the one profile (named "p"), no partition, no new key, no custom connector.
  EXPECT_EQ(srv().Get(kSystems).json.Int("/totalCount"), 2);
  auto listed = srv().Get(profiles);
  ASSERT_EQ(listed.json.Size(""), 1) << listed.body;
  EXPECT_EQ(listed.json.Str("/0/name"), "p");
  EXPECT_EQ(srv().Get(partitions).json.Size(""), 0);
  EXPECT_EQ(srv().Get(kKeys).json.Size(""), keys_before);
  EXPECT_EQ(srv().Get(kConnectors).json.Size(""), 4);
  // Other control characters are text like any other (JIM stores them), and a name that merely looks up one
  // with a NUL finds nothing.
  EXPECT_EQ(srv().Post(profiles, R"({"name":"tab\there","runType":"FullImport"})").status, 201);
  EXPECT_ERROR(srv().Get(kConnectors + "/by-name/a%00b"), 404, "NOT_FOUND");
}

}  // namespace
}  // namespace jim::http::testing
