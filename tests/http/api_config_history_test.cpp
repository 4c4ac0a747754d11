// JIM's configuration change history over the wire (JIM-REFERENCE.md section 14, docs/api.md): versions
// made by every change of a connected system (its own, its run profiles', its partitions', a set apply),
// connector definitions and API keys; snapshots, diffs, comparisons and paging in JIM's shapes.
#include <gtest/gtest.h>

#include <map>

#include "core/crypto.h"
#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using ConfigHistoryTest = ApiTest;

std::string History(int64_t cs) { return TestServer::SystemPath(cs) + "/change-history"; }

// The node of `collection` under the snapshot root whose itemId is `id`, as a JSON pointer; "" if none.
std::string ItemPointer(const Json& j, const std::string& root, const std::string& collection, int64_t id) {
  for (int64_t c = 0; c < j.Size(root + "/children"); ++c) {
    const std::string coll = root + "/children/" + std::to_string(c);
    if (j.Str(coll + "/key") != collection) continue;
    for (int64_t i = 0; i < j.Size(coll + "/children"); ++i) {
      const std::string item = coll + "/children/" + std::to_string(i);
      if (!j.IsNull(item + "/itemId") && j.Int(item + "/itemId") == id) return item;
    }
  }
  return "";
}
std::string ChildValue(const Json& j, const std::string& node, const std::string& key) {
  for (int64_t i = 0; i < j.Size(node + "/children"); ++i) {
    const std::string c = node + "/children/" + std::to_string(i);
    if (j.Str(c + "/key") == key) return j.IsNull(c + "/value") ? "<null>" : j.Str(c + "/value");
  }
  return "<absent>";
}

TEST_F(ConfigHistoryTest, EveryChangeOfASystemIsAVersionWithItsSnapshotAndDiff) {
  auto created = srv().Post(TestServer::kSystems,
                            R"({"name":"LDAP","connectorDefinitionId":1,"changeReason":"onboarding"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t cs = created.json.Int("/id");
  const int64_t users = srv().CreatePartition(cs, "Users");
  const int64_t full = srv().CreateProfile(cs, R"({"name":"Full Import","runType":"FullImport","partitionId":)" +
                                                   std::to_string(users) + R"(,"changeReason":"CHG-1"})");
  const int64_t delta = srv().CreateProfile(cs, R"({"name":"Delta Import","runType":"DeltaImport"})");
  ASSERT_EQ(srv().Put(TestServer::ProfilePath(cs, full), R"({"pageSize":500})").status, 200);
  ASSERT_EQ(srv().Delete(TestServer::ProfilePath(cs, delta) + "?changeReason=gone").status, 204);
  auto set = srv().Put(TestServer::ProfilesPath(cs),
                       R"({"runProfiles":[{"name":"Full Import","runType":"FullImport","pageSize":500,"partitionId":)" +
                           std::to_string(users) +
                           R"(},{"name":"Export","runType":"Export"},{"name":"Sync","runType":"FullSynchronisation"}],
                          "changeReason":"set v1"})");
  ASSERT_EQ(set.status, 200) << set.body;
  ASSERT_EQ(srv().Put(TestServer::SystemPath(cs), R"({"description":"the directory","changeReason":"doc"})").status, 200);
  // 1 create, 2 partition, 3-4 profile creates, 5 update, 6 delete, 7 the whole set, 8 system update.

  auto list = srv().Get(History(cs));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json.Int("/totalCount"), 8);
  EXPECT_EQ(list.json.Int("/page"), 1);
  EXPECT_EQ(list.json.Int("/pageSize"), 25);
  EXPECT_EQ(list.json.Int("/totalPages"), 1);
  EXPECT_FALSE(list.json.Bool("/hasNextPage"));
  EXPECT_EQ(list.json.KeySet("/items/0"),
            (std::set<std::string>{"activityId", "version", "operation", "initiatedByType", "initiatedById",
                                   "initiatedByName", "when", "reason", "summary", "diff"}));
  EXPECT_EQ(list.json.Int("/items/0/version"), 8);
  EXPECT_EQ(list.json.Str("/items/0/reason"), "doc");
  EXPECT_EQ(list.json.Str("/items/0/initiatedByName"), "Admin Key");
  EXPECT_EQ(list.json.Str("/items/0/initiatedById"), srv().admin_id);
  EXPECT_TRUE(list.json.IsNull("/items/0/diff"));
  EXPECT_EQ(list.json.Int("/items/7/version"), 1);
  EXPECT_EQ(list.json.Str("/items/7/operation"), "Create");
  EXPECT_EQ(list.json.Str("/items/7/reason"), "onboarding");
  EXPECT_EQ(list.json.Str("/items/1/reason"), "set v1");
  EXPECT_EQ(list.json.Str("/items/2/reason"), "gone");
  EXPECT_EQ(list.json.Str("/items/2/operation"), "Update");  // a profile's delete changes its system

  // Version 3: the Full Import created, with its partition's name as display value.
  auto v3 = srv().Get(History(cs) + "/3");
  ASSERT_EQ(v3.status, 200) << v3.body;
  EXPECT_EQ(v3.json.KeySet(), (std::set<std::string>{"activityId", "version", "operation", "initiatedByType",
                                                      "initiatedByName", "when", "reason", "snapshot", "diff"}));
  EXPECT_EQ(v3.json.Str("/reason"), "CHG-1");
  EXPECT_EQ(v3.json.KeySet("/snapshot"), (std::set<std::string>{"schemaVersion", "objectType", "objectId",
                                                                  "objectGuidId", "objectKey", "objectName", "root"}));
  EXPECT_EQ(v3.json.Int("/snapshot/schemaVersion"), 1);
  EXPECT_EQ(v3.json.Str("/snapshot/objectType"), "ConnectedSystem");
  EXPECT_EQ(v3.json.Int("/snapshot/objectId"), cs);
  EXPECT_TRUE(v3.json.IsNull("/snapshot/objectGuidId"));
  EXPECT_EQ(v3.json.Str("/snapshot/objectKey"), std::to_string(cs));
  EXPECT_EQ(v3.json.Str("/snapshot/objectName"), "LDAP");
  const std::string node = ItemPointer(v3.json, "/snapshot/root", "runProfiles", full);
  ASSERT_FALSE(node.empty()) << v3.body;
  EXPECT_EQ(v3.json.KeySet(node), (std::set<std::string>{"key", "label", "nodeType", "value", "displayValue",
                                                          "isSecret", "itemId", "itemGuidId", "children"}));
  EXPECT_EQ(v3.json.Str(node + "/nodeType"), "Object");
  EXPECT_EQ(ChildValue(v3.json, node, "runType"), "FullImport");
  EXPECT_EQ(ChildValue(v3.json, node, "pageSize"), "100");
  EXPECT_EQ(ChildValue(v3.json, node, "partitionId"), std::to_string(users));
  EXPECT_EQ(ChildValue(v3.json, node, "filePath"), "<absent>");  // empty scalars are left out
  EXPECT_EQ(v3.json.KeySet("/diff"), (std::set<std::string>{"objectType", "objectId", "objectGuidId", "objectName",
                                                              "oldVersion", "newVersion", "root", "addedCount",
                                                              "removedCount", "modifiedCount", "hasChanges"}));
  EXPECT_EQ(v3.json.Int("/diff/oldVersion"), 2);
  EXPECT_EQ(v3.json.Int("/diff/newVersion"), 3);
  EXPECT_EQ(v3.json.Int("/diff/addedCount"), 1);
  EXPECT_EQ(v3.json.Int("/diff/removedCount"), 0);
  EXPECT_TRUE(v3.json.Bool("/diff/hasChanges"));
  EXPECT_EQ(v3.json.Str("/diff/root/changeType"), "Modified");

  // Version 5: the page size modified, old and new values in the diff.
  auto v5 = srv().Get(History(cs) + "/5");
  ASSERT_EQ(v5.status, 200);
  EXPECT_EQ(v5.json.Int("/diff/modifiedCount"), 1);
  EXPECT_EQ(ChildValue(v5.json, ItemPointer(v5.json, "/snapshot/root", "runProfiles", full), "pageSize"), "500");

  // Version 1: a creation's diff has no old version.
  auto v1 = srv().Get(History(cs) + "/1");
  ASSERT_EQ(v1.status, 200);
  EXPECT_TRUE(v1.json.IsNull("/diff/oldVersion"));
  EXPECT_EQ(v1.json.Str("/operation"), "Create");

  // Version 7: one version for the whole set (Export and Sync added, nothing else).
  auto v7 = srv().Get(History(cs) + "/7");
  ASSERT_EQ(v7.status, 200);
  EXPECT_EQ(v7.json.Int("/diff/addedCount"), 2);
  EXPECT_EQ(v7.json.Int("/diff/removedCount"), 0);

  // Compare 2 -> 8 folds both ends.
  auto cmp = srv().Get(History(cs) + "/compare?fromVersion=2&toVersion=8");
  ASSERT_EQ(cmp.status, 200) << cmp.body;
  EXPECT_EQ(cmp.json.Int("/oldVersion"), 2);
  EXPECT_EQ(cmp.json.Int("/newVersion"), 8);
  EXPECT_EQ(cmp.json.Int("/addedCount"), 4);  // description, Full Import, Export, Sync
  EXPECT_EQ(cmp.json.Str("/objectName"), "LDAP");
  auto same = srv().Get(History(cs) + "/compare?fromVersion=8&toVersion=8");
  ASSERT_EQ(same.status, 200);
  EXPECT_FALSE(same.json.Bool("/hasChanges"));

  // Each of the set's activities carries the set's version; a profile update carries its own.
  auto acts = srv().Get("/api/v1/activities?connectedSystemId=" + std::to_string(cs) + "&pageSize=100");
  ASSERT_EQ(acts.status, 200);
  std::map<std::string, int64_t> version_of_reason;
  for (int64_t i = 0; i < acts.json.Size("/items"); ++i) {
    const std::string a = "/items/" + std::to_string(i);
    ASSERT_FALSE(acts.json.IsNull(a + "/configurationChangeVersion")) << acts.body;
    if (!acts.json.IsNull(a + "/changeReason"))
      version_of_reason[acts.json.Str(a + "/changeReason")] = acts.json.Int(a + "/configurationChangeVersion");
  }
  EXPECT_EQ(version_of_reason["onboarding"], 1);
  EXPECT_EQ(version_of_reason["CHG-1"], 3);
  EXPECT_EQ(version_of_reason["set v1"], 7);
  EXPECT_EQ(version_of_reason["doc"], 8);
}

TEST_F(ConfigHistoryTest, PagingUnknownVersionsAndBadParameters) {
  const int64_t cs = srv().CreateSystem("Paged", 3);
  for (int i = 0; i < 6; ++i) srv().CreateProfile(cs, R"({"name":"P)" + std::to_string(i) + R"(","runType":"Export"})");
  auto page2 = srv().Get(History(cs) + "?page=2&pageSize=3");
  ASSERT_EQ(page2.status, 200);
  EXPECT_EQ(page2.json.Int("/totalCount"), 7);
  EXPECT_EQ(page2.json.Int("/totalPages"), 3);
  EXPECT_TRUE(page2.json.Bool("/hasNextPage"));
  EXPECT_TRUE(page2.json.Bool("/hasPreviousPage"));
  ASSERT_EQ(page2.json.Size("/items"), 3);
  EXPECT_EQ(page2.json.Int("/items/0/version"), 4);
  EXPECT_EQ(page2.json.Int("/items/2/version"), 2);
  // Unknown versions and objects without history.
  EXPECT_EQ(srv().Get(History(cs) + "/8").status, 404);
  EXPECT_EQ(srv().Get(History(cs) + "/compare?fromVersion=1&toVersion=99").status, 404);
  auto none = srv().Get(History(9999));
  ASSERT_EQ(none.status, 200);
  EXPECT_EQ(none.json.Int("/totalCount"), 0);
  EXPECT_EQ(none.json.Int("/totalPages"), 0);
  EXPECT_EQ(srv().Get(History(9999) + "/1").status, 404);
  // Bad parameters: 400 naming the field.
  auto bad_version = srv().Get(History(cs) + "/abc");
  EXPECT_EQ(bad_version.status, 400);
  EXPECT_TRUE(NamesField(bad_version, "version"));
  EXPECT_EQ(srv().Get(History(cs) + "/0").status, 400);
  auto bad_compare = srv().Get(History(cs) + "/compare?fromVersion=x");
  EXPECT_EQ(bad_compare.status, 400);
  EXPECT_TRUE(NamesField(bad_compare, "fromVersion"));
  EXPECT_TRUE(NamesField(bad_compare, "toVersion"));
  auto bad_page = srv().Get(History(cs) + "?pageSize=abc");
  EXPECT_EQ(bad_page.status, 400);
  EXPECT_TRUE(NamesField(bad_page, "pageSize"));
  // A change reason over 2,000 characters is a 400 on systems and keys.
  auto long_reason = srv().Put(TestServer::SystemPath(cs), R"({"changeReason":")" + std::string(2001, 'r') + R"("})");
  EXPECT_EQ(long_reason.status, 400);
  EXPECT_TRUE(NamesField(long_reason, "changeReason"));
  auto long_key = srv().Post("/api/v1/apikeys", R"({"name":"k","roleIds":[1],"changeReason":")" +
                                                    std::string(2001, 'r') + R"("})");
  EXPECT_EQ(long_key.status, 400);
  EXPECT_TRUE(NamesField(long_key, "changeReason"));
  EXPECT_EQ(srv().Get(History(cs)).json.Int("/totalCount"), 7);  // refused writes made no version
}

TEST_F(ConfigHistoryTest, AdministratorsOnly) {
  const int64_t cs = srv().CreateSystem("Guarded", 1);
  for (const std::string& path : {History(cs), History(cs) + "/1", History(cs) + "/compare?fromVersion=1&toVersion=1",
                                  TestServer::kConnectors + "/1/change-history",
                                  "/api/v1/apikeys/" + srv().admin_id + "/change-history"}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(srv().Send("GET", path, "", "").status, 401);
    EXPECT_EQ(srv().Get(path, srv().reader_key).status, 403);
    EXPECT_EQ(srv().Get(path).status, 200);
  }
}

TEST_F(ConfigHistoryTest, ADeletedSystemKeepsItsHistory) {
  const int64_t cs = srv().CreateSystem("Doomed", 1);
  srv().CreateProfile(cs, R"({"name":"Full","runType":"FullImport"})");
  ASSERT_EQ(srv().Delete(TestServer::SystemPath(cs)).status, 204);
  auto list = srv().Get(History(cs));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json.Int("/totalCount"), 3);
  EXPECT_EQ(list.json.Str("/items/0/operation"), "Delete");
  auto last = srv().Get(History(cs) + "/3");
  ASSERT_EQ(last.status, 200);
  EXPECT_EQ(last.json.Str("/snapshot/objectName"), "Doomed");
  EXPECT_FALSE(last.json.Bool("/diff/hasChanges"));
  EXPECT_EQ(srv().Get(TestServer::SystemPath(cs)).status, 404);
}

TEST_F(ConfigHistoryTest, ApiKeyAndConnectorHistoriesHoldNoSecret) {
  auto key = srv().Post("/api/v1/apikeys", R"({"name":"ci","roleIds":[1],"changeReason":"pipeline"})");
  ASSERT_EQ(key.status, 201) << key.body;
  const std::string id = key.json.Str("/id");
  const std::string plaintext = key.json.Str("/key");
  ASSERT_EQ(srv().Put("/api/v1/apikeys/" + id,
                      R"({"name":"ci","description":"now described","roleIds":[1],"isEnabled":false,"changeReason":"off"})")
                .status,
            200);
  const std::string base = "/api/v1/apikeys/" + id + "/change-history";
  auto list = srv().Get(base);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json.Int("/totalCount"), 2);
  EXPECT_EQ(list.json.Str("/items/0/reason"), "off");
  for (const std::string& path : {base + "/1", base + "/2", base + "/compare?fromVersion=1&toVersion=2"}) {
    auto r = srv().Get(path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body.find(plaintext), std::string::npos);
    EXPECT_EQ(r.body.find(plaintext.substr(7, 16)), std::string::npos);  // no part of the secret
    EXPECT_EQ(r.body.find(core::Sha256Hex(plaintext)), std::string::npos);
  }
  auto v2 = srv().Get(base + "/2");
  EXPECT_EQ(v2.json.Str("/snapshot/objectType"), "ApiKey");
  EXPECT_EQ(v2.json.Int("/snapshot/objectId"), 0);
  EXPECT_EQ(v2.json.Str("/snapshot/objectGuidId"), id);
  EXPECT_EQ(v2.json.Int("/diff/modifiedCount"), 1);  // isEnabled
  EXPECT_EQ(v2.json.Int("/diff/addedCount"), 1);     // description

  auto def = srv().Post(TestServer::kConnectors, R"({"name":"Custom","supportsFullImport":true})");
  ASSERT_EQ(def.status, 201) << def.body;
  const int64_t cd = def.json.Int("/id");
  ASSERT_EQ(srv().Put(TestServer::kConnectors + "/" + std::to_string(cd), R"({"supportsExport":true})").status, 200);
  auto cmp = srv().Get(TestServer::kConnectors + "/" + std::to_string(cd) + "/change-history/compare?fromVersion=1&toVersion=2");
  ASSERT_EQ(cmp.status, 200) << cmp.body;
  EXPECT_EQ(cmp.json.Str("/objectType"), "ConnectorDefinition");
  EXPECT_EQ(cmp.json.Int("/modifiedCount"), 1);
}

}  // namespace
}  // namespace jim::http::testing
