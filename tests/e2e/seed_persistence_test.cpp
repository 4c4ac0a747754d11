// The seed of the product over the wire: issue 4's four curl commands, verbatim, against the real
// server; then SIGTERM, a restart on the same data dir, and everything still there with ids not reused.
#include "tests/e2e/harness.h"

namespace jim::e2e {
namespace {

const std::string kSystems = "/api/v1/synchronisation/connected-systems";

// Issue 4's seed commands; `...` expanded to the first command's prefix. Run through /bin/sh with BASE
// and KEY in the environment, so the quoting is exactly what a user types.
const std::string kPrefix1 =
    "curl -X POST $BASE/api/v1/synchronisation/connected-systems/1/run-profiles -H \"X-Api-Key: $KEY\" -H "
    "\"Content-Type: application/json\"";
const std::string kPrefix2 =
    "curl -X POST $BASE/api/v1/synchronisation/connected-systems/2/run-profiles -H \"X-Api-Key: $KEY\" -H "
    "\"Content-Type: application/json\"";
const std::string kSeed[] = {
    kPrefix1 + " -d '{\"name\": \"Delta Import\", \"runType\": \"DeltaImport\"}'",
    kPrefix1 + " -d '{\"name\": \"Full Import\", \"runType\": \"FullImport\", \"pageSize\": 500}'",
    kPrefix1 + " -d '{\"name\": \"Import (Users Partition)\", \"runType\": \"DeltaImport\", \"partitionId\": 1}'",
    kPrefix2 +
        " -d '{\"name\": \"CSV Import\", \"runType\": \"FullImport\", \"filePath\": \"/data/imports/employees.csv\"}'",
};

struct ExpectedProfile {
  int64_t id;
  int64_t system;
  std::string name;
  std::string run_type;
  int64_t page_size;
  std::optional<int64_t> partition_id;
  std::optional<std::string> partition_name;
  std::optional<std::string> file_path;
};

const ExpectedProfile kExpected[] = {
    {1, 1, "Delta Import", "DeltaImport", 100, std::nullopt, std::nullopt, std::nullopt},
    {2, 1, "Full Import", "FullImport", 500, std::nullopt, std::nullopt, std::nullopt},
    {3, 1, "Import (Users Partition)", "DeltaImport", 100, 1, "Users", std::nullopt},
    {4, 2, "CSV Import", "FullImport", 100, std::nullopt, std::nullopt, "/data/imports/employees.csv"},
};

void ExpectProfile(const simdjson::dom::element& p, const ExpectedProfile& e) {
  int64_t i = 0;
  std::string_view s;
  bool b = true;
  EXPECT_FALSE(p["id"].get_int64().get(i));
  EXPECT_EQ(i, e.id);
  EXPECT_FALSE(p["connectedSystemId"].get_int64().get(i));
  EXPECT_EQ(i, e.system) << "profile " << e.id;
  EXPECT_FALSE(p["name"].get_string().get(s));
  EXPECT_EQ(s, e.name);
  EXPECT_FALSE(p["runType"].get_string().get(s));
  EXPECT_EQ(s, e.run_type);
  EXPECT_FALSE(p["pageSize"].get_int64().get(i));
  EXPECT_EQ(i, e.page_size) << "profile " << e.id;
  if (e.partition_id) {
    EXPECT_FALSE(p["partitionId"].get_int64().get(i));
    EXPECT_EQ(i, *e.partition_id);
    EXPECT_FALSE(p["partitionName"].get_string().get(s));
    EXPECT_EQ(s, *e.partition_name);
  } else {
    EXPECT_TRUE(p["partitionId"].is_null()) << "profile " << e.id;
    EXPECT_TRUE(p["partitionName"].is_null()) << "profile " << e.id;
  }
  if (e.file_path) {
    EXPECT_FALSE(p["filePath"].get_string().get(s));
    EXPECT_EQ(s, *e.file_path);
  } else {
    EXPECT_TRUE(p["filePath"].is_null()) << "profile " << e.id;
  }
  EXPECT_FALSE(p["targetsDeselectedPartition"].get_bool().get(b));
  EXPECT_FALSE(b) << "profile " << e.id;
  EXPECT_FALSE(p["verifyImportContentHashes"].get_bool().get(b));
  EXPECT_FALSE(b) << "profile " << e.id;
}

// Creates connected systems 1 (LDAP) and 2 (HR Database, file connector) and partition 1 on system 1.
void CreateSeedSystems(const std::string& base, const std::string& key) {
  auto ldap = PostJson(base + kSystems, key, R"({"name":"LDAP","connectorDefinitionId":1})");
  ASSERT_TRUE(HasStatus(ldap, 201));
  ASSERT_EQ(Json(ldap.body).Int("id"), 1);
  auto hr = PostJson(base + kSystems, key, R"({"name":"HR Database","connectorDefinitionId":2})");
  ASSERT_TRUE(HasStatus(hr, 201));
  ASSERT_EQ(Json(hr.body).Int("id"), 2);
  auto partition = PostJson(base + kSystems + "/1/partitions", key, R"({"name":"Users","externalId":"OU=Users"})");
  ASSERT_TRUE(HasStatus(partition, 201));
  Json p(partition.body);
  ASSERT_EQ(p.Int("id"), 1);
  EXPECT_EQ(p.Int("connectedSystemId"), 1);
  EXPECT_EQ(p.Bool("selected"), true);
}

TEST(SeedE2E, FourSeedCurlCommandsThenRestartKeepsEverythingAndNeverReusesIds) {
  TempDir tmp;
  const std::string key = NewApiKey();
  const Env env{{"JIM_INFRASTRUCTURE_API_KEY", key}};
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.env = env}));
  const std::string base = server.base_url();
  ASSERT_NO_FATAL_FAILURE(CreateSeedSystems(base, key));

  for (size_t i = 0; i < std::size(kSeed); ++i) {
    SCOPED_TRACE(kSeed[i]);
    auto r = CurlShell(kSeed[i], {{"BASE", base}, {"KEY", key}});
    ASSERT_TRUE(HasStatus(r, 201));
    EXPECT_TRUE(HasSecurityHeaders(r));
    Json j(r.body);
    ASSERT_TRUE(j.ok) << r.body;
    ExpectProfile(j.root, kExpected[i]);
    EXPECT_EQ(r.Header("location"), base + kSystems + "/" + std::to_string(kExpected[i].system) + "/run-profiles/" +
                                        std::to_string(kExpected[i].id));
  }
  // The Location is served (beyond JIM).
  auto located = Get(base + kSystems + "/1/run-profiles/3", key);
  ASSERT_TRUE(HasStatus(located, 200));
  ExpectProfile(Json(located.body).root, kExpected[2]);

  // Delete the newest profile: its id must not come back after the restart.
  ASSERT_TRUE(HasStatus(Delete(base + kSystems + "/2/run-profiles/4", key), 204));

  auto code = server.Stop(SIGTERM, 10s);
  ASSERT_TRUE(code.has_value()) << "jim-edge did not exit within 10 s of SIGTERM";
  EXPECT_EQ(*code, 0);
  bool stopped_line = false;
  for (const auto& line : SplitLines(server.Log())) stopped_line = stopped_line || Contains(line, " stopped");
  EXPECT_TRUE(stopped_line) << "no 'stopped' log line in " << server.stderr_path();

  ASSERT_TRUE(server.Start({.env = env}));
  const std::string base2 = server.base_url();
  auto list1 = Get(base2 + kSystems + "/1/run-profiles", key);
  ASSERT_TRUE(HasStatus(list1, 200));
  Json l1(list1.body);
  ASSERT_EQ(l1.ArraySize(), 3u) << list1.body;
  size_t i = 0;
  for (auto p : simdjson::dom::array(l1.root)) ExpectProfile(p, kExpected[i++]);
  auto list2 = Get(base2 + kSystems + "/2/run-profiles", key);
  ASSERT_TRUE(HasStatus(list2, 200));
  EXPECT_EQ(Json(list2.body).ArraySize(), 0u) << list2.body;
  EXPECT_TRUE(HasStatus(Get(base2 + kSystems + "/2/run-profiles/4", key), 404));

  auto system1 = Get(base2 + kSystems + "/1", key);
  ASSERT_TRUE(HasStatus(system1, 200));
  Json s1(system1.body);
  EXPECT_EQ(s1.Str("name"), "LDAP");
  EXPECT_EQ(s1.Int("runProfileCount"), 3);
  EXPECT_EQ(s1.Int("partitionCount"), 1);
  auto partitions = Get(base2 + kSystems + "/1/partitions", key);
  ASSERT_TRUE(HasStatus(partitions, 200));
  EXPECT_EQ(Json(partitions.body).ArraySize(), 1u) << partitions.body;
  EXPECT_EQ(Json(Get(base2 + kSystems + "/2", key).body).Str("name"), "HR Database");

  auto fifth = PostJson(base2 + kSystems + "/2/run-profiles", key, R"({"name":"CSV Again","runType":"FullImport"})");
  ASSERT_TRUE(HasStatus(fifth, 201));
  EXPECT_EQ(Json(fifth.body).Int("id"), 5) << "run-profile ids must not be reused after a delete and a restart";
  // Other id sequences also continue after the restart.
  auto third_system = PostJson(base2 + kSystems, key, R"({"name":"SCIM","connectorDefinitionId":3})");
  ASSERT_TRUE(HasStatus(third_system, 201));
  EXPECT_EQ(Json(third_system.body).Int("id"), 3);

  code = server.Stop(SIGTERM, 10s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0);
}

TEST(SeedE2E, AcknowledgedCreatesSurviveSigkillAndIdsAreNotReused) {
  TempDir tmp;
  const std::string key = NewApiKey();
  const Env env{{"JIM_INFRASTRUCTURE_API_KEY", key}};
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.env = env}));
  ASSERT_TRUE(
      HasStatus(PostJson(server.base_url() + kSystems, key, R"({"name":"LDAP","connectorDefinitionId":1})"), 201));
  for (int i = 1; i <= 3; ++i) {
    auto r = PostJson(server.base_url() + kSystems + "/1/run-profiles", key,
                      R"({"name":"P)" + std::to_string(i) + R"(","runType":"FullImport"})");
    ASSERT_TRUE(HasStatus(r, 201));
  }
  // A crash: no shutdown path runs. strict durability means every 201 is already on disk.
  auto code = server.Stop(SIGKILL, 5s);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 128 + SIGKILL);

  ASSERT_TRUE(server.Start({.env = env}));
  auto list = Get(server.base_url() + kSystems + "/1/run-profiles", key);
  ASSERT_TRUE(HasStatus(list, 200));
  EXPECT_EQ(Json(list.body).ArraySize(), 3u) << list.body;
  auto next =
      PostJson(server.base_url() + kSystems + "/1/run-profiles", key, R"({"name":"P4","runType":"FullImport"})");
  ASSERT_TRUE(HasStatus(next, 201));
  EXPECT_EQ(Json(next.body).Int("id"), 4);
}

}  // namespace
}  // namespace jim::e2e
