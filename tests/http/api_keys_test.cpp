// API keys, roles and userinfo (API.md sections 2, 3 and 7).
#include <gtest/gtest.h>

#include "core/crypto.h"
#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using KeysTest = ApiTest;

const std::string kKeys = "/api/v1/apikeys";

TEST_F(KeysTest, CreateShowsTheKeyOnceAndListNeverDoes) {
  auto r = srv().Post(kKeys, R"({"name":"CI pipeline","description":"builds","roleIds":[1]})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json.KeySet(), (std::set<std::string>{"id", "name", "description", "keyPrefix", "createdAt", "expiresAt",
                                                     "lastUsedAt", "isEnabled", "roles", "key"}));
  const std::string key = r.json.Str("/key");
  const std::string id = r.json.Str("/id");
  EXPECT_TRUE(std::regex_match(key, std::regex("^jim_ak_[0-9a-f]{64}$"))) << key;
  EXPECT_TRUE(IsUuidText(id)) << id;
  EXPECT_EQ(r.json.Str("/keyPrefix"), key.substr(0, 12));
  EXPECT_EQ(r.json.Str("/name"), "CI pipeline");
  EXPECT_EQ(r.json.Str("/description"), "builds");
  EXPECT_TRUE(IsIsoMillisZ(r.json.Str("/createdAt")));
  EXPECT_TRUE(r.json.IsNull("/expiresAt"));
  EXPECT_TRUE(r.json.IsNull("/lastUsedAt"));
  EXPECT_TRUE(r.json.Bool("/isEnabled"));
  EXPECT_EQ(r.json.Size("/roles"), 1);
  EXPECT_EQ(r.json.Int("/roles/0/id"), 1);
  EXPECT_EQ(r.json.Str("/roles/0/name"), "Administrator");
  EXPECT_TRUE(r.json.Bool("/roles/0/builtIn"));
  EXPECT_EQ(r.Header("Location"), srv().base_url() + kKeys + "/" + id);

  const std::string digest = core::Sha256Hex(key);
  auto list = srv().Get(kKeys);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json.Size(), 6);  // the fixture's five plus this one
  auto one = srv().Get(kKeys + "/" + id);
  ASSERT_EQ(one.status, 200);
  for (const Response* resp : {&list, &one}) {
    EXPECT_EQ(resp->body.find(key), std::string::npos);
    EXPECT_EQ(resp->body.find(key.substr(7)), std::string::npos);
    EXPECT_EQ(resp->body.find(digest), std::string::npos);
    EXPECT_EQ(resp->body.find("\"key\""), std::string::npos);
    EXPECT_EQ(resp->body.find("igest"), std::string::npos);
  }
  EXPECT_EQ(one.json.KeySet(), (std::set<std::string>{"id", "name", "description", "keyPrefix", "createdAt",
                                                       "expiresAt", "lastUsedAt", "isEnabled", "roles"}));
  EXPECT_EQ(one.json.Str("/keyPrefix"), key.substr(0, 12));
  // Listed by name.
  std::vector<std::string> names;
  for (int64_t i = 0; i < list.json.Size(); ++i) names.push_back(list.json.Str("/" + std::to_string(i) + "/name"));
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end())) << ::testing::PrintToString(names);

  // The new key works, and only its digest was needed to find it.
  auto me = srv().Get("/api/v1/userinfo", key);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json.Str("/name"), "CI pipeline");
  EXPECT_EQ(srv().Get(TestServer::kSystems, key).status, 200);
  EXPECT_EQ(srv().Get("/api/v1/userinfo", key).status, 200);
}

TEST_F(KeysTest, CreateValidates) {
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"roleIds":[1]})", "name"},
           {R"({"name":"  ","roleIds":[1]})", "name"},
           {R"({"name":"x","roleIds":[2]})", "roleIds"},
           {R"({"name":"x","roleIds":[1,1]})", "roleIds"},
           {R"({"name":"x","roleIds":"1"})", "roleIds"},
           {R"({"name":"x","expiresAt":"2000-01-01T00:00:00.000Z"})", "expiresAt"},
           {R"({"name":"x","expiresAt":"tomorrow"})", "expiresAt"},
           {R"({"name":"x","description":")" + std::string(1001, 'd') + "\"}", "description"},
       }) {
    auto r = srv().Post(kKeys, body);
    EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(r, field)) << body << ": " << r.body;
  }
  auto expiring = srv().Post(kKeys, R"({"name":"Temp","roleIds":[1],"expiresAt":"2999-01-02T03:04:05.678Z"})");
  ASSERT_EQ(expiring.status, 201) << expiring.body;
  EXPECT_EQ(expiring.json.Str("/expiresAt"), "2999-01-02T03:04:05.678Z");
  auto no_roles = srv().Post(kKeys, R"({"name":"No roles"})");
  ASSERT_EQ(no_roles.status, 201);
  EXPECT_EQ(no_roles.json.Size("/roles"), 0);
  EXPECT_EQ(srv().Get(TestServer::kSystems, no_roles.json.Str("/key")).status, 403);
}

TEST_F(KeysTest, PutIsAFullReplacement) {
  auto created = srv().Post(kKeys, R"({"name":"Ops","description":"ops team","roleIds":[1]})");
  const std::string id = created.json.Str("/id");
  const std::string key = created.json.Str("/key");
  const std::string path = kKeys + "/" + id;

  // Omitted isEnabled disables the key; omitted description clears it.
  auto r = srv().Put(path, R"({"name":"Ops 2","roleIds":[1]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.Str("/name"), "Ops 2");
  EXPECT_EQ(r.json.Str("/description"), "");
  EXPECT_FALSE(r.json.Bool("/isEnabled"));
  EXPECT_EQ(r.json.Str("/keyPrefix"), key.substr(0, 12));
  EXPECT_FALSE(r.json.Has("/key"));
  EXPECT_ERROR(srv().Get("/api/v1/userinfo", key), 401, "UNAUTHORISED");

  // Re-enabled without roles: authenticated, but no longer an administrator.
  auto no_roles = srv().Put(path, R"({"name":"Ops 2","isEnabled":true})");
  ASSERT_EQ(no_roles.status, 200);
  EXPECT_EQ(no_roles.json.Size("/roles"), 0);
  EXPECT_ERROR(srv().Get(TestServer::kSystems, key), 403, "FORBIDDEN");
  EXPECT_EQ(srv().Get("/api/v1/userinfo", key).status, 200);

  auto expiry = srv().Put(path, R"({"name":"Ops","description":"d","roleIds":[1],"isEnabled":true,)"
                                R"("expiresAt":"2999-12-31T23:59:59.999Z"})");
  ASSERT_EQ(expiry.status, 200);
  EXPECT_EQ(expiry.json.Str("/expiresAt"), "2999-12-31T23:59:59.999Z");
  EXPECT_EQ(srv().Get(TestServer::kSystems, key).status, 200);
  // Omitted expiresAt clears it.
  EXPECT_TRUE(srv().Put(path, R"({"name":"Ops","roleIds":[1],"isEnabled":true})").json.IsNull("/expiresAt"));

  EXPECT_ERROR(srv().Put(path, R"({"roleIds":[1],"isEnabled":true})"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(srv().Put(path, R"({"name":"x","roleIds":[9],"isEnabled":true})"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(srv().Put(kKeys + "/00000000-0000-4000-8000-000000000000", R"({"name":"x"})"), 404, "NOT_FOUND");
}

TEST_F(KeysTest, AKeyCannotDeleteOrDisableItself) {
  const std::string self = kKeys + "/" + srv().admin_id;
  EXPECT_ERROR(srv().Put(self, R"({"name":"Admin Key","roleIds":[1]})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Put(self, R"({"name":"Admin Key","roleIds":[1],"isEnabled":false})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Put(self, R"({"name":"Admin Key","isEnabled":true})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Delete(self), 409, "CONFLICT");
  EXPECT_EQ(srv().Get(TestServer::kSystems).status, 200) << "the key still works";
  // Changing its own name while staying an enabled administrator is fine.
  auto renamed = srv().Put(self, R"({"name":"Admin Key 2","roleIds":[1],"isEnabled":true})");
  EXPECT_EQ(renamed.status, 200) << renamed.body;
  // Another administrator key may delete it.
  EXPECT_EQ(srv().Send("DELETE", self, "", srv().infra_key).status, 204);
  EXPECT_ERROR(srv().Get(TestServer::kSystems), 401, "UNAUTHORISED");
}

TEST_F(KeysTest, DeleteRevokesTheKey) {
  auto created = srv().Post(kKeys, R"({"name":"Short lived","roleIds":[1]})");
  const std::string path = kKeys + "/" + created.json.Str("/id");
  const std::string key = created.json.Str("/key");
  EXPECT_EQ(srv().Get("/api/v1/userinfo", key).status, 200);
  EXPECT_EQ(srv().Delete(path).status, 204);
  EXPECT_ERROR(srv().Get(path), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Delete(path), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get("/api/v1/userinfo", key), 401, "UNAUTHORISED");
  // Upper-case uuids name the same key.
  std::string upper = srv().reader_id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(srv().Get(kKeys + "/" + upper).json.Str("/id"), srv().reader_id);
}

TEST_F(KeysTest, LastUsedAtIsRecorded) {
  EXPECT_EQ(srv().Get("/api/v1/userinfo", srv().reader_key).status, 200);
  // Best-effort bookkeeping: written asynchronously by the store, so poll briefly.
  std::string last_used;
  for (int i = 0; i < 100 && last_used.empty(); ++i) {
    auto r = srv().Get(kKeys + "/" + srv().reader_id);
    if (!r.json.Find("/lastUsedAt")->is_null()) last_used = r.json.Str("/lastUsedAt");
    else std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(IsIsoMillisZ(last_used)) << last_used;
}

TEST_F(KeysTest, RolesEndpointListsTheAdministratorRole) {
  auto r = srv().Get("/api/v1/security/roles");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"([{"id":1,"name":"Administrator","builtIn":true}])");
}

TEST_F(KeysTest, UserInfoForAdministratorAndOtherKeys) {
  auto admin = srv().Get("/api/v1/userinfo");
  ASSERT_EQ(admin.status, 200);
  EXPECT_EQ(admin.body,
            R"({"authorised":true,"isAdministrator":true,"name":"Admin Key","authMethod":"api_key","roles":["Administrator"]})");
  auto reader = srv().Get("/api/v1/userinfo", srv().reader_key);
  ASSERT_EQ(reader.status, 200);
  EXPECT_EQ(reader.body,
            R"({"authorised":true,"isAdministrator":false,"name":"Reader Key","authMethod":"api_key","roles":[]})");
  EXPECT_ERROR(srv().Get("/api/v1/userinfo", ""), 401, "UNAUTHORISED");
}

}  // namespace
}  // namespace jim::http::testing
