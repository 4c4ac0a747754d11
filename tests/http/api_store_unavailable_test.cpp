// The store cannot write (API.md section 1, 503 row): writes answer 503 with Retry-After: 5 and leave
// nothing half-written, reads keep working, /health/ready says why, and writes resume by themselves.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using StoreUnavailableTest = ApiTest;

void Expect503(const Response& r) {
  EXPECT_ERROR(r, 503, "SERVICE_UNAVAILABLE");
  EXPECT_EQ(r.Header("Retry-After"), "5");
  // Never a RocksDB status or other internal detail.
  const std::string message = r.json.Str("/message");
  for (const char* leak : {"IO error", "rocksdb", "RocksDB", "No space", "statvfs", "/tmp/"})
    EXPECT_EQ(message.find(leak), std::string::npos) << message;
}

TEST_F(StoreUnavailableTest, WritesAnswer503ReadsWorkAndReadyReportsWhy) {
  ASSERT_EQ(srv().CreateSystem("LDAP", 1), 1);
  ASSERT_EQ(srv().CreatePartition(1, "Users"), 1);
  ASSERT_EQ(srv().CreateProfile(1, R"({"name":"Full","runType":"FullImport"})"), 1);
  const std::string profile_before = srv().Get(TestServer::ProfilePath(1, 1)).body;
  const int64_t activities_before = srv().Get("/api/v1/activities").json.Int("/totalCount");

  srv().catalog().SetMinFreeBytes(1ull << 62);

  Expect503(srv().Post(TestServer::ProfilesPath(1), R"({"name":"New","runType":"FullImport"})"));
  Expect503(srv().Post(TestServer::ProfilesPath(1), R"({"name":"New","runType":"FullImport"})",
                       {{"Idempotency-Key", "while-down"}}));
  Expect503(srv().Put(TestServer::ProfilePath(1, 1), R"({"name":"Changed"})"));
  Expect503(srv().Delete(TestServer::ProfilePath(1, 1)));
  Expect503(srv().Post(TestServer::kSystems, R"({"name":"Other","connectorDefinitionId":2})"));
  Expect503(srv().Put(TestServer::SystemPath(1), R"({"name":"Renamed"})"));
  Expect503(srv().Delete(TestServer::SystemPath(1)));
  Expect503(srv().Post(TestServer::PartitionsPath(1), R"({"name":"Groups"})"));
  Expect503(srv().Put(TestServer::PartitionPath(1, 1), R"({"selected":false})"));
  Expect503(srv().Post(TestServer::kConnectors, R"({"name":"Acme"})"));
  Expect503(srv().Post("/api/v1/apikeys", R"({"name":"K","roleIds":[1]})"));
  // Validation still answers 400 where it needs no store.
  EXPECT_EQ(srv().Post(TestServer::kSystems, "not json").status, 400);

  // Reads keep working and show nothing half-written.
  EXPECT_EQ(srv().Get(TestServer::ProfilePath(1, 1)).body, profile_before);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 1);
  EXPECT_EQ(srv().Get(TestServer::kSystems).json.Int("/totalCount"), 1);
  EXPECT_EQ(srv().Get(TestServer::PartitionsPath(1)).json.Size(), 1);
  EXPECT_EQ(srv().Get("/api/v1/activities").json.Int("/totalCount"), activities_before);
  EXPECT_EQ(srv().Get("/api/v1/health", "").status, 200);
  EXPECT_EQ(srv().Get("/api/v1/health/live", "").status, 200);
  EXPECT_EQ(srv().Get("/api/v1/userinfo").status, 200);

  auto ready = srv().Get("/api/v1/health/ready", "");
  EXPECT_EQ(ready.status, 503);
  EXPECT_EQ(ready.Header("Retry-After"), "5");
  EXPECT_EQ(ready.json.KeySet(), (std::set<std::string>{"status", "reason", "timestamp"}));
  EXPECT_EQ(ready.json.Str("/status"), "not_ready");
  EXPECT_FALSE(ready.json.Str("/reason").empty());
  EXPECT_TRUE(IsIsoMillisZ(ready.json.Str("/timestamp")));

  srv().catalog().SetMinFreeBytes(0);

  EXPECT_EQ(srv().Get("/api/v1/health/ready", "").status, 200);
  auto created = srv().Post(TestServer::ProfilesPath(1), R"({"name":"New","runType":"FullImport"})",
                            {{"Idempotency-Key", "while-down"}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_FALSE(created.HasHeader("Idempotent-Replayed")) << "the refused attempt recorded nothing";
  EXPECT_GT(created.json.Int("/id"), 1);
  EXPECT_EQ(srv().Put(TestServer::ProfilePath(1, 1), R"({"name":"Changed"})").status, 200);
  EXPECT_EQ(srv().Get("/api/v1/activities").json.Int("/totalCount"), activities_before + 2);
}

}  // namespace
}  // namespace jim::http::testing
