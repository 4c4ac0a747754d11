// The audit trail (API.md section 8): one activity per change, paged newest first, filterable.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using ActivitiesTest = ApiTest;

const std::string kActivities = "/api/v1/activities";

struct Expected {
  std::string target_type, operation, target_name;
  std::optional<int64_t> cs, rp;
};

class ActivityRecorder {
 public:
  explicit ActivityRecorder(TestServer& srv) : srv_(srv), before_(srv.Get(kActivities).json.Int("/totalCount")) {}

  // Checks that exactly one activity was written since the last call and that it is `e`.
  void ExpectOne(const Expected& e) {
    SCOPED_TRACE(e.target_type + " " + e.operation + " " + e.target_name);
    auto r = srv_.Get(kActivities + "?pageSize=1");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json.Int("/totalCount"), before_ + 1);
    before_ = r.json.Int("/totalCount");
    const std::string a = "/items/0";
    EXPECT_EQ(r.json.KeySet(a), (std::set<std::string>{"id", "created", "status", "targetType", "targetOperationType",
                                                        "targetName", "targetContext", "initiatedByType",
                                                        "initiatedById", "initiatedByName", "connectedSystemId",
                                                        "connectedSystemRunProfileId", "changeReason", "configurationChangeVersion"}));
    EXPECT_TRUE(IsUuidText(r.json.Str(a + "/id")));
    EXPECT_TRUE(IsIsoMillisZ(r.json.Str(a + "/created")));
    EXPECT_EQ(r.json.Str(a + "/status"), "Complete");
    EXPECT_EQ(r.json.Str(a + "/targetType"), e.target_type);
    EXPECT_EQ(r.json.Str(a + "/targetOperationType"), e.operation);
    EXPECT_EQ(r.json.Str(a + "/targetName"), e.target_name);
    EXPECT_EQ(r.json.Str(a + "/initiatedByType"), "ApiKey");
    EXPECT_EQ(r.json.Str(a + "/initiatedById"), srv_.admin_id);
    EXPECT_EQ(r.json.Str(a + "/initiatedByName"), "Admin Key");
    if (e.cs) EXPECT_EQ(r.json.Int(a + "/connectedSystemId"), *e.cs);
    else EXPECT_TRUE(r.json.IsNull(a + "/connectedSystemId"));
    if (e.rp) EXPECT_EQ(r.json.Int(a + "/connectedSystemRunProfileId"), *e.rp);
    else EXPECT_TRUE(r.json.IsNull(a + "/connectedSystemRunProfileId"));
    last_id_ = r.json.Str(a + "/id");
    last_body_ = r.json.Find(a).has_value() ? std::string(simdjson::to_string(*r.json.Find(a))) : "";
  }
  // Checks that nothing was written.
  void ExpectNone() { EXPECT_EQ(srv_.Get(kActivities).json.Int("/totalCount"), before_); }
  const std::string& last_id() const { return last_id_; }
  const std::string& last_body() const { return last_body_; }

 private:
  TestServer& srv_;
  int64_t before_;
  std::string last_id_, last_body_;
};

TEST_F(ActivitiesTest, EveryChangeWritesOneActivity) {
  ActivityRecorder rec(srv());
  const int64_t cs = srv().CreateSystem("Corp", 1);
  rec.ExpectOne({"ConnectedSystem", "Create", "Corp", cs, std::nullopt});
  ASSERT_EQ(srv().Put(TestServer::SystemPath(cs), R"({"name":"Corp 2"})").status, 200);
  rec.ExpectOne({"ConnectedSystem", "Update", "Corp 2", cs, std::nullopt});

  const int64_t part = srv().CreatePartition(cs, "Users");
  rec.ExpectOne({"Partition", "Create", "Users", cs, std::nullopt});
  ASSERT_EQ(srv().Put(TestServer::PartitionPath(cs, part), R"({"selected":false})").status, 200);
  rec.ExpectOne({"Partition", "Update", "Users", cs, std::nullopt});

  const int64_t rp = srv().CreateProfile(cs, R"({"name":"Full","runType":"FullImport"})");
  rec.ExpectOne({"ConnectedSystemRunProfile", "Create", "Full", cs, rp});
  auto one = srv().Get(kActivities + "/" + rec.last_id());
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(one.body, rec.last_body());
  EXPECT_EQ(one.json.Str("/targetContext"), "Corp 2") << "the profile's system";
  ASSERT_EQ(srv().Put(TestServer::ProfilePath(cs, rp), R"({"name":"Full 2"})").status, 200);
  rec.ExpectOne({"ConnectedSystemRunProfile", "Update", "Full 2", cs, rp});
  ASSERT_EQ(srv().Delete(TestServer::ProfilePath(cs, rp)).status, 204);
  rec.ExpectOne({"ConnectedSystemRunProfile", "Delete", "Full 2", cs, rp});

  ASSERT_EQ(srv().Delete(TestServer::PartitionPath(cs, part)).status, 204);
  rec.ExpectOne({"Partition", "Delete", "Users", cs, std::nullopt});
  ASSERT_EQ(srv().Delete(TestServer::SystemPath(cs)).status, 204);
  rec.ExpectOne({"ConnectedSystem", "Delete", "Corp 2", cs, std::nullopt});

  ASSERT_EQ(srv().Post(TestServer::kConnectors, R"({"name":"Acme"})").status, 201);
  rec.ExpectOne({"ConnectorDefinition", "Create", "Acme", std::nullopt, std::nullopt});
  ASSERT_EQ(srv().Put(TestServer::kConnectors + "/5", R"({"name":"Acme 2"})").status, 200);
  rec.ExpectOne({"ConnectorDefinition", "Update", "Acme 2", std::nullopt, std::nullopt});
  ASSERT_EQ(srv().Delete(TestServer::kConnectors + "/5").status, 204);
  rec.ExpectOne({"ConnectorDefinition", "Delete", "Acme 2", std::nullopt, std::nullopt});

  auto key = srv().Post("/api/v1/apikeys", R"({"name":"K","roleIds":[1]})");
  ASSERT_EQ(key.status, 201);
  rec.ExpectOne({"ApiKey", "Create", "K", std::nullopt, std::nullopt});
  const std::string kpath = "/api/v1/apikeys/" + key.json.Str("/id");
  ASSERT_EQ(srv().Put(kpath, R"({"name":"K2","roleIds":[1],"isEnabled":true})").status, 200);
  rec.ExpectOne({"ApiKey", "Update", "K2", std::nullopt, std::nullopt});
  ASSERT_EQ(srv().Delete(kpath).status, 204);
  rec.ExpectOne({"ApiKey", "Delete", "K2", std::nullopt, std::nullopt});
  // The activity never carries the key.
  EXPECT_EQ(srv().Get(kActivities + "?pageSize=100").body.find(key.json.Str("/key")), std::string::npos);

  // Failed changes and reads write nothing.
  EXPECT_EQ(srv().Post(TestServer::kSystems, R"({"name":""})").status, 400);
  EXPECT_EQ(srv().Delete(TestServer::SystemPath(999)).status, 404);
  EXPECT_EQ(srv().Put(TestServer::kConnectors + "/1", R"({"name":"x"})").status, 400);
  srv().Get(TestServer::kSystems);
  rec.ExpectNone();
}

TEST_F(ActivitiesTest, ListIsNewestFirstPagedAndFilterable) {
  const int64_t total0 = srv().Get(kActivities).json.Int("/totalCount");  // the fixture's key activities
  const int64_t a = srv().CreateSystem("A", 1);
  const int64_t b = srv().CreateSystem("B", 2);
  std::vector<std::string> names = {"A", "B"};
  for (int i = 0; i < 8; ++i) {
    const std::string name = "p" + std::to_string(i);
    srv().CreateProfile(i % 2 ? b : a, R"({"name":")" + name + R"(","runType":"FullImport"})");
    names.push_back(name);
  }
  auto all = srv().Get(kActivities + "?pageSize=10");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.json.Int("/totalCount"), total0 + 10);
  EXPECT_EQ(all.json.Int("/pageSize"), 10);
  EXPECT_TRUE(all.json.Bool("/hasNextPage"));
  EXPECT_FALSE(all.json.Bool("/hasPreviousPage"));
  // Newest first, also for changes made within the same millisecond.
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(all.json.Str("/items/" + std::to_string(i) + "/targetName"), names[static_cast<size_t>(9 - i)]) << i;
  std::vector<std::string> created;
  for (int i = 0; i < 10; ++i) created.push_back(all.json.Str("/items/" + std::to_string(i) + "/created"));
  EXPECT_TRUE(std::is_sorted(created.rbegin(), created.rend()));

  auto page2 = srv().Get(kActivities + "?pageSize=3&page=2");
  EXPECT_EQ(page2.json.Int("/page"), 2);
  EXPECT_EQ(page2.json.Size("/items"), 3);
  EXPECT_EQ(page2.json.Str("/items/0/targetName"), names[6]);
  EXPECT_TRUE(page2.json.Bool("/hasPreviousPage"));
  EXPECT_EQ(srv().Get(kActivities + "?pageSize=500").json.Int("/pageSize"), 100);

  auto by_system = srv().Get(kActivities + "?connectedSystemId=" + std::to_string(b));
  EXPECT_EQ(by_system.json.Int("/totalCount"), 5);  // B and its 4 profiles
  for (int64_t i = 0; i < by_system.json.Size("/items"); ++i)
    EXPECT_EQ(by_system.json.Int("/items/" + std::to_string(i) + "/connectedSystemId"), b);
  auto by_type = srv().Get(kActivities + "?targetType=ConnectedSystem");
  EXPECT_EQ(by_type.json.Int("/totalCount"), 2);
  EXPECT_EQ(by_type.json.Str("/items/0/targetName"), "B");
  EXPECT_EQ(srv().Get(kActivities + "?targetType=connectedsystemrunprofile").json.Int("/totalCount"), 8);
  auto both = srv().Get(kActivities + "?connectedSystemId=" + std::to_string(a) + "&targetType=ConnectedSystemRunProfile");
  EXPECT_EQ(both.json.Int("/totalCount"), 4);
  EXPECT_EQ(srv().Get(kActivities + "?targetType=ApiKey").json.Int("/totalCount"), total0);
  EXPECT_EQ(srv().Get(kActivities + "?connectedSystemId=999").json.Int("/totalCount"), 0);

  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"targetType=Nope", "targetType"},
           {"connectedSystemId=abc", "connectedSystemId"},
           {"connectedSystemId=0", "connectedSystemId"},
           {"page=x", "page"},
           {"sortBy=name", "sortBy"},
       }) {
    auto r = srv().Get(kActivities + "?" + query);
    EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(r, field)) << query << ": " << r.body;
  }
}

TEST_F(ActivitiesTest, GetByIdOr404) {
  srv().CreateSystem("A", 1);
  auto list = srv().Get(kActivities + "?pageSize=1");
  const std::string id = list.json.Str("/items/0/id");
  auto one = srv().Get(kActivities + "/" + id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json.Str("/id"), id);
  EXPECT_EQ(one.json.Str("/targetName"), "A");
  EXPECT_ERROR(srv().Get(kActivities + "/00000000-0000-4000-8000-000000000000"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(kActivities + "/not-a-uuid"), 404, "NOT_FOUND");
}

}  // namespace
}  // namespace jim::http::testing
