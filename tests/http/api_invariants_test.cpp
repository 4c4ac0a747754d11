// The invariants of issue 15, one request at a time: the last administrator, the infrastructure key,
// capabilities that run profiles use, and idempotency over the parsed request. Their races are in
// api_invariant_races_test.cpp.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

const std::string kKeys = "/api/v1/apikeys";

using InvariantTest = ApiTest;

// Over the API the rule only shows in a race (the caller is itself an administrator, and cannot change
// itself); it is a core rule, so it also holds for the offline CLI, which is where it is checked here.
TEST_F(InvariantTest, TheLastAdministratorCannotBeDeletedDisabledDemotedOrExpired) {
  ASSERT_TRUE(srv().keys().RetireOtherInfrastructureKeys("").ok());
  const core::Actor cli{"System", "00000000-0000-0000-0000-000000000001", "jim-edge cli"};
  auto change = [&](std::vector<int64_t> roles, bool enabled, std::optional<core::Millis> expires) {
    core::UpdateApiKeyInput in;
    in.name = "Admin Key";
    in.role_ids = std::move(roles);
    in.is_enabled = enabled;
    in.expires_at = expires;
    return srv().keys().Update(cli, srv().admin_id, in);
  };
  auto expect_refused = [](const core::Error& e, const std::string& verb) {
    EXPECT_EQ(e.code, core::ErrorCode::kConflict);
    EXPECT_NE(e.message.find("Cannot " + verb + " the last enabled, unexpired API key with the Administrator role"),
              std::string::npos)
        << e.message;
  };
  // The disabled and expired Administrator keys of the fixture do not count; the admin key is the last.
  auto deleted = srv().keys().Delete(cli, srv().admin_id);
  ASSERT_FALSE(deleted.ok());
  expect_refused(deleted.error(), "delete");
  auto demoted = change({}, true, std::nullopt);
  ASSERT_FALSE(demoted.ok());
  expect_refused(demoted.error(), "demote");
  auto disabled = change({core::kAdministratorRoleId}, false, std::nullopt);
  ASSERT_FALSE(disabled.ok());
  expect_refused(disabled.error(), "disable");
  auto expired = change({core::kAdministratorRoleId}, true, 1'000);
  ASSERT_FALSE(expired.ok());
  expect_refused(expired.error(), "expire");
  EXPECT_EQ(srv().Get(TestServer::kSystems).status, 200) << "the admin key still administers";

  // With a second administrator each change is allowed (here: the demotion), and the other becomes the last.
  auto second = srv().Post(kKeys, R"({"name":"Second","roleIds":[1]})");
  ASSERT_EQ(second.status, 201);
  EXPECT_TRUE(change({}, true, std::nullopt).ok());
  EXPECT_ERROR(srv().Get(TestServer::kSystems), 403, "FORBIDDEN");
  auto last = srv().keys().Delete(cli, second.json.Str("/id"));
  ASSERT_FALSE(last.ok());
  expect_refused(last.error(), "delete");
  // Deleting a key that does not administer is always fine.
  EXPECT_TRUE(srv().keys().Delete(cli, srv().admin_id).ok());
}

TEST_F(InvariantTest, TheInfrastructureKeyCannotBeDeletedDisabledDemotedOrExpiredThroughTheApi) {
  const std::string path = kKeys + "/" + srv().infra_id;
  auto deleted = srv().Delete(path);
  EXPECT_ERROR(deleted, 409, "CONFLICT");
  EXPECT_NE(deleted.json.Str("/message").find("JIM_INFRASTRUCTURE_API_KEY"), std::string::npos) << deleted.body;
  for (const char* body : {R"({"name":"Infrastructure Key","roleIds":[],"isEnabled":true})",
                           R"({"name":"Infrastructure Key","roleIds":[1],"isEnabled":false})",
                           R"({"name":"Infrastructure Key","roleIds":[1],"isEnabled":true,)"
                           R"("expiresAt":"2999-01-01T00:00:00.000Z"})"}) {
    auto r = srv().Put(path, body);
    EXPECT_ERROR(r, 409, "CONFLICT");
    EXPECT_NE(r.json.Str("/message").find("unset the variable"), std::string::npos) << r.body;
  }
  EXPECT_EQ(srv().Get(TestServer::kSystems, srv().infra_key).status, 200);
  // Renaming it is harmless.
  EXPECT_EQ(srv().Put(path, R"({"name":"Infra","roleIds":[1],"isEnabled":true})").status, 200);
  // The operator's way: start without the variable.
  ASSERT_TRUE(srv().keys().RetireOtherInfrastructureKeys("").ok());
  EXPECT_ERROR(srv().Get(TestServer::kSystems, srv().infra_key), 401, "UNAUTHORISED");
  EXPECT_ERROR(srv().Get(path), 404, "NOT_FOUND");
}

TEST_F(InvariantTest, RetiringInfrastructureKeysKeepsTheCurrentOne) {
  ASSERT_TRUE(srv().keys().RetireOtherInfrastructureKeys(srv().infra_key).ok());
  EXPECT_EQ(srv().Get(TestServer::kSystems, srv().infra_key).status, 200);
  store::OsEntropy entropy;
  const std::string next = core::GenerateApiKey(entropy);
  ASSERT_TRUE(srv().keys().EnsureInfrastructureKey(next).ok());
  ASSERT_TRUE(srv().keys().RetireOtherInfrastructureKeys(next).ok());
  EXPECT_ERROR(srv().Get(TestServer::kSystems, srv().infra_key), 401, "UNAUTHORISED");
  EXPECT_EQ(srv().Get(TestServer::kSystems, next).status, 200);
}

// ---- capabilities that run profiles use --------------------------------------------------------------

class CapabilityTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    auto def = srv().Post(TestServer::kConnectors,
                          R"({"name":"Custom","supportsFullImport":true,"supportsDeltaImport":true,)"
                          R"("supportsExport":true,"supportsPartitions":true,"supportsFilePaths":true})");
    ASSERT_EQ(def.status, 201) << def.body;
    def_ = TestServer::kConnectors + "/" + std::to_string(def.json.Int("/id"));
    cs_ = srv().CreateSystem("Custom system", def.json.Int("/id"));
  }
  std::string def_;
  int64_t cs_ = 0;
};

TEST_F(CapabilityTest, RemovingACapabilityInUseIsRefusedNamingItAndTheCount) {
  const int64_t part = srv().CreatePartition(cs_, "OU=People");
  srv().CreateProfile(cs_, R"({"name":"E1","runType":"Export"})");
  srv().CreateProfile(cs_, R"({"name":"E2","runType":"Export","filePath":"/data/out.csv"})");
  srv().CreateProfile(cs_, R"({"name":"D","runType":"DeltaImport","partitionId":)" + std::to_string(part) + "}");
  const int64_t full = srv().CreateProfile(cs_, R"({"name":"F","runType":"FullImport"})");
  // A second system on the same definition counts too.
  const int64_t cs2 = srv().CreateSystem("Custom system 2", std::stoll(def_.substr(def_.rfind('/') + 1)));
  srv().CreateProfile(cs2, R"({"name":"E3","runType":"Export"})");

  for (const auto& [body, phrase] : std::vector<std::pair<std::string, std::string>>{
           {R"({"supportsExport":false})", "supportsExport (3 Export run profiles)"},
           {R"({"supportsDeltaImport":false})", "supportsDeltaImport (1 DeltaImport run profiles)"},
           {R"({"supportsFullImport":false})", "supportsFullImport (1 FullImport run profiles)"},
           {R"({"supportsPartitions":false})", "supportsPartitions (1 run profiles targeting a partition)"},
           {R"({"supportsFilePaths":false})", "supportsFilePaths (1 run profiles with a filePath)"},
       }) {
    auto r = srv().Put(def_, body);
    EXPECT_ERROR(r, 409, "CONFLICT");
    EXPECT_NE(r.json.Str("/message").find(phrase), std::string::npos) << r.body;
  }
  auto both = srv().Put(def_, R"({"supportsExport":false,"supportsFullImport":false})");
  EXPECT_ERROR(both, 409, "CONFLICT");
  EXPECT_NE(both.json.Str("/message").find("supportsFullImport (1 FullImport run profiles), supportsExport (3"),
            std::string::npos)
      << both.body;
  auto unchanged = srv().Get(def_);
  EXPECT_TRUE(unchanged.json.Bool("/supportsExport"));
  EXPECT_TRUE(unchanged.json.Bool("/supportsFullImport"));

  // Capabilities nobody uses can go; one whose profiles are gone can go too.
  EXPECT_EQ(srv().Put(def_, R"({"supportsPaging":false,"supportsPartitionContainers":false})").status, 200);
  ASSERT_EQ(srv().Delete(TestServer::ProfilePath(cs_, full)).status, 204);
  auto dropped = srv().Put(def_, R"({"supportsFullImport":false})");
  EXPECT_EQ(dropped.status, 200) << dropped.body;
  EXPECT_FALSE(dropped.json.Bool("/supportsFullImport"));
}

TEST_F(CapabilityTest, AProfileCannotUseWhatItsCustomConnectorDoesNotSupport) {
  const int64_t part = srv().CreatePartition(cs_, "OU=People");
  ASSERT_EQ(srv().Put(def_, R"({"supportsPartitions":false,"supportsFilePaths":false})").status, 200);
  auto with_partition = srv().Post(TestServer::ProfilesPath(cs_),
                                   R"({"name":"P","runType":"FullImport","partitionId":)" + std::to_string(part) + "}");
  EXPECT_ERROR(with_partition, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(with_partition, "partitionId")) << with_partition.body;
  auto with_path = srv().Post(TestServer::ProfilesPath(cs_), R"({"name":"P","runType":"FullImport","filePath":"/x"})");
  EXPECT_ERROR(with_path, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(with_path, "filePath")) << with_path.body;
  // An update may not add them either; clearing a file path is fine.
  const int64_t plain = srv().CreateProfile(cs_, R"({"name":"P","runType":"FullImport"})");
  EXPECT_ERROR(srv().Put(TestServer::ProfilePath(cs_, plain), R"({"filePath":"/x"})"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(srv().Put(TestServer::ProfilePath(cs_, plain), R"({"partitionId":)" + std::to_string(part) + "}"), 400,
               "VALIDATION_ERROR");
  EXPECT_EQ(srv().Put(TestServer::ProfilePath(cs_, plain), R"({"filePath":""})").status, 200);
  // Built-in connectors keep JIM's rule: a filePath is not checked against supportsFilePaths.
  const int64_t ldap = srv().CreateSystem("Directory", 1);
  srv().CreateProfile(ldap, R"({"name":"L","runType":"FullImport","filePath":"/x"})");
}

// ---- idempotency over the parsed request -----------------------------------------------------------------

TEST_F(InvariantTest, IdempotencyComparesTheParsedRequestNotTheBytes) {
  const std::string path = TestServer::ProfilesPath(srv().CreateSystem("HR", 1));
  httplib::Headers key{{"Idempotency-Key", "same-request"}};
  auto first = srv().Post(path, R"({"name":"Nightly","runType":"FullImport","pageSize":500,"filePath":null})", key);
  ASSERT_EQ(first.status, 201) << first.body;
  for (const std::string& same : {
           std::string("{ \"name\" : \"Nightly\",\n\t\"runType\" : \"FullImport\", \"pageSize\" : 500 }"),
           std::string(R"({"pageSize":500,"runType":"FullImport","name":"Nightly"})"),
           std::string(R"({"NAME":"Nightly","RunType":"FullImport","pagesize":500})"),
           std::string(R"({"name":"Nightly","runType":"FullImport","pageSize":"500"})"),
           std::string(R"({"name":"Nightly","runType":"fullimport","pageSize":500,"unknown":1})"),
       }) {
    auto replay = srv().Post(path, same, key);
    EXPECT_EQ(replay.status, 201) << same << ": " << replay.body;
    EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true") << same;
    EXPECT_EQ(replay.body, first.body) << same;
  }
  for (const std::string& other : {
           std::string(R"({"name":"Nightly","runType":"FullImport","pageSize":501})"),
           std::string(R"({"name":"nightly","runType":"FullImport","pageSize":500})"),
           std::string(R"({"name":"Nightly","runType":"FullImport"})"),
           std::string(R"({"name":"Nightly","runType":"FullImport","pageSize":500,"filePath":""})"),
           std::string(R"({"name":"Nightly","runType":"DeltaImport","pageSize":500})"),
       }) {
    EXPECT_ERROR(srv().Post(path, other, key), 409, "CONFLICT");
  }
  EXPECT_EQ(srv().Get(path).json.Size(), 1);
}

}  // namespace
}  // namespace jim::http::testing
