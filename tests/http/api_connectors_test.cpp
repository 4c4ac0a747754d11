// Connector definitions (API.md section 4): the four immutable built-ins and custom definitions.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using ConnectorsTest = ApiTest;

const std::string& kConnectors = TestServer::kConnectors;

const std::vector<std::string> kCapabilities = {
    "supportsFullImport",          "supportsDeltaImport",           "supportsExport",
    "supportsPartitions",          "supportsPartitionContainers",   "supportsFilePaths",
    "supportsPaging",              "supportsSecondaryExternalId",   "supportsUserSelectedExternalId",
    "supportsUserSelectedAttributeTypes", "supportsAutoConfirmExport", "supportsParallelExport",
    "supportsPasswordSet",         "supportsPasswordPolicyDiscovery"};

TEST_F(ConnectorsTest, ListHasTheFourBuiltInsOrderedByName) {
  auto r = srv().Get(kConnectors);
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.json.Size(), 4);
  const std::vector<std::pair<int64_t, std::string>> expected = {{2, "JIM File Connector"},
                                                                 {1, "JIM LDAP Connector"},
                                                                 {3, "JIM SCIM 2.0 Client Connector"},
                                                                 {4, "JIM SQL Connector"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string at = "/" + std::to_string(i);
    EXPECT_EQ(r.json.KeySet(at), (std::set<std::string>{"id", "name", "description", "builtIn", "created", "inUse"}));
    EXPECT_EQ(r.json.Int(at + "/id"), expected[i].first);
    EXPECT_EQ(r.json.Str(at + "/name"), expected[i].second);
    EXPECT_TRUE(r.json.Bool(at + "/builtIn"));
    EXPECT_FALSE(r.json.Bool(at + "/inUse"));
    EXPECT_TRUE(IsIsoMillisZ(r.json.Str(at + "/created")));
  }
}

TEST_F(ConnectorsTest, BuiltInCapabilitiesMatchTheContract) {
  // id -> fullImport, deltaImport, export, partitions, partitionContainers, filePaths (API.md section 4).
  const std::map<int, std::array<bool, 6>> table = {{1, {true, true, true, true, true, false}},
                                                    {2, {true, false, true, false, false, true}},
                                                    {3, {true, true, true, false, false, false}},
                                                    {4, {true, true, true, false, false, false}}};
  for (const auto& [id, caps] : table) {
    auto r = srv().Get(kConnectors + "/" + std::to_string(id));
    ASSERT_EQ(r.status, 200) << id;
    auto keys = r.json.Keys();
    for (const auto& cap : kCapabilities) {
      EXPECT_NE(std::find(keys.begin(), keys.end(), cap), keys.end()) << cap;
      auto e = r.json.Find("/" + cap);
      EXPECT_TRUE(e && e->is_bool()) << cap;
    }
    for (const char* header : {"id", "name", "description", "builtIn", "created", "inUse"})
      EXPECT_TRUE(r.json.Has(std::string("/") + header)) << header;
    for (size_t i = 0; i < 6; ++i) EXPECT_EQ(r.json.Bool("/" + kCapabilities[i]), caps[i]) << id << " " << kCapabilities[i];
  }
}

TEST_F(ConnectorsTest, GetByIdAndByUrlEncodedNameOr404) {
  auto by_id = srv().Get(kConnectors + "/1");
  auto by_name = srv().Get(kConnectors + "/by-name/JIM%20LDAP%20Connector");
  ASSERT_EQ(by_name.status, 200) << by_name.body;
  EXPECT_EQ(by_name.body, by_id.body);
  EXPECT_EQ(srv().Get(kConnectors + "/by-name/JIM%20SCIM%202.0%20Client%20Connector").json.Int("/id"), 3);
  EXPECT_ERROR(srv().Get(kConnectors + "/by-name/jim%20ldap%20connector"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(kConnectors + "/by-name/Nope"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(kConnectors + "/by-name/bad%zzescape"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(kConnectors + "/5"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(kConnectors + "/0"), 404, "NOT_FOUND");
}

TEST_F(ConnectorsTest, CustomDefinitionLifecycle) {
  auto r = srv().Post(kConnectors, R"({"name":"Acme HR Connector","description":"Third party","supportsFullImport":true,)"
                                   R"("supportsExport":true})");
  ASSERT_EQ(r.status, 201) << r.body;
  const int64_t id = r.json.Int("/id");
  EXPECT_EQ(id, 5);
  EXPECT_EQ(r.Header("Location"), srv().base_url() + kConnectors + "/5");
  EXPECT_FALSE(r.json.Bool("/builtIn"));
  EXPECT_FALSE(r.json.Bool("/inUse"));
  EXPECT_TRUE(r.json.Bool("/supportsFullImport"));
  EXPECT_TRUE(r.json.Bool("/supportsExport"));
  EXPECT_FALSE(r.json.Bool("/supportsDeltaImport")) << "an absent capability is false";
  EXPECT_FALSE(r.json.Bool("/supportsPartitions"));
  EXPECT_EQ(srv().Get(kConnectors).json.Size(), 5);
  EXPECT_EQ(srv().Get(kConnectors + "/by-name/Acme%20HR%20Connector").json.Int("/id"), id);

  EXPECT_ERROR(srv().Post(kConnectors, R"({"name":"Acme HR Connector"})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Post(kConnectors, R"({"name":"JIM LDAP Connector"})"), 409, "CONFLICT");
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "name"},
           {R"({"name":"  "})", "name"},
           {R"({"name":")" + std::string(201, 'n') + "\"}", "name"},
           {R"({"name":"x","supportsExport":"yes"})", "supportsExport"},
           {R"({"name":"x","description":")" + std::string(1001, 'd') + "\"}", "description"},
       }) {
    auto bad = srv().Post(kConnectors, body);
    EXPECT_ERROR(bad, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(bad, field)) << bad.body;
  }

  // The capabilities decide what run profiles a system on it may have.
  const int64_t cs = srv().CreateSystem("Acme", id);
  auto delta = srv().Post(TestServer::ProfilesPath(cs), R"({"name":"d","runType":"DeltaImport"})");
  EXPECT_ERROR(delta, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(delta, "runType"));

  auto updated = srv().Put(kConnectors + "/5", R"({"description":"Now with deltas","supportsDeltaImport":true})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.json.Str("/name"), "Acme HR Connector");
  EXPECT_EQ(updated.json.Str("/description"), "Now with deltas");
  EXPECT_TRUE(updated.json.Bool("/supportsDeltaImport"));
  EXPECT_TRUE(updated.json.Bool("/supportsFullImport")) << "an absent capability is unchanged on update";
  EXPECT_TRUE(updated.json.Bool("/inUse"));
  EXPECT_EQ(srv().Post(TestServer::ProfilesPath(cs), R"({"name":"d","runType":"DeltaImport"})").status, 201);
  EXPECT_ERROR(srv().Put(kConnectors + "/5", R"({"name":"JIM SQL Connector"})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Put(kConnectors + "/77", R"({"name":"x"})"), 404, "NOT_FOUND");

  // In use: listed as such and not deletable until the system is gone.
  auto list = srv().Get(kConnectors);
  for (int64_t i = 0; i < list.json.Size(); ++i) {
    const std::string at = "/" + std::to_string(i);
    EXPECT_EQ(list.json.Bool(at + "/inUse"), list.json.Int(at + "/id") == id);
  }
  EXPECT_ERROR(srv().Delete(kConnectors + "/5"), 409, "CONFLICT");
  ASSERT_EQ(srv().Delete(TestServer::SystemPath(cs)).status, 204);
  EXPECT_FALSE(srv().Get(kConnectors + "/5").json.Bool("/inUse"));
  EXPECT_EQ(srv().Delete(kConnectors + "/5").status, 204);
  EXPECT_ERROR(srv().Get(kConnectors + "/5"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Delete(kConnectors + "/5"), 404, "NOT_FOUND");
  // Ids are not reused.
  EXPECT_EQ(srv().Post(kConnectors, R"({"name":"Next"})").json.Int("/id"), 6);
}

TEST_F(ConnectorsTest, BuiltInsAreImmutableAndInUseIsReported) {
  const std::string before = srv().Get(kConnectors + "/2").body;
  for (int id = 1; id <= 4; ++id) {
    EXPECT_ERROR(srv().Put(kConnectors + "/" + std::to_string(id), R"({"description":"mine now"})"), 400,
                 "VALIDATION_ERROR");
    EXPECT_ERROR(srv().Delete(kConnectors + "/" + std::to_string(id)), 400, "VALIDATION_ERROR");
  }
  EXPECT_EQ(srv().Get(kConnectors + "/2").body, before);
  srv().CreateSystem("Files", 2);
  EXPECT_TRUE(srv().Get(kConnectors + "/2").json.Bool("/inUse"));
  EXPECT_TRUE(srv().Get(kConnectors).json.Bool("/0/inUse"));  // File is first by name
  EXPECT_FALSE(srv().Get(kConnectors + "/1").json.Bool("/inUse"));
}

}  // namespace
}  // namespace jim::http::testing
