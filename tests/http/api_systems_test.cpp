// Connected systems and partitions (API.md section 5).
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using SystemsTest = ApiTest;

const std::string& kSystems = TestServer::kSystems;

std::vector<std::string> Names(const Response& page) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < page.json.Size("/items"); ++i) out.push_back(page.json.Str("/items/" + std::to_string(i) + "/name"));
  return out;
}

TEST_F(SystemsTest, CreateAnswers201WithLocationAndTheDetail) {
  auto r = srv().Post(kSystems, R"({"name":"  Corporate LDAP  ","description":"The directory","connectorDefinitionId":1})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("Location"), srv().base_url() + kSystems + "/1");
  EXPECT_EQ(r.json.KeySet(), (std::set<std::string>{"id", "name", "description", "created", "lastUpdated", "status",
                                                     "connector", "runProfileCount", "partitionCount"}));
  EXPECT_EQ(r.json.Int("/id"), 1);
  EXPECT_EQ(r.json.Str("/name"), "Corporate LDAP") << "names are trimmed";
  EXPECT_EQ(r.json.Str("/description"), "The directory");
  EXPECT_TRUE(IsIsoMillisZ(r.json.Str("/created")));
  EXPECT_TRUE(IsIsoMillisZ(r.json.Str("/lastUpdated")));
  EXPECT_EQ(r.json.Str("/status"), "Active");
  EXPECT_EQ(r.json.Int("/connector/id"), 1);
  EXPECT_EQ(r.json.Str("/connector/name"), "JIM LDAP Connector");
  EXPECT_EQ(r.json.Int("/runProfileCount"), 0);
  EXPECT_EQ(r.json.Int("/partitionCount"), 0);

  srv().CreatePartition(1, "Users");
  srv().CreateProfile(1, R"({"name":"p","runType":"FullImport"})");
  auto got = srv().Get(kSystems + "/1");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.json.Int("/runProfileCount"), 1);
  EXPECT_EQ(got.json.Int("/partitionCount"), 1);
  EXPECT_ERROR(srv().Get(kSystems + "/2"), 404, "NOT_FOUND");
  EXPECT_EQ(srv().Get(kSystems + "/2").json.Str("/message"), "Connected System with ID 2 not found.");
}

TEST_F(SystemsTest, CreateValidatesEveryField) {
  struct Case {
    std::string body;
    std::vector<std::string> fields;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"connectorDefinitionId":1})", {"name"}},
           {R"({"name":"   ","connectorDefinitionId":1})", {"name"}},
           {R"({"name":")" + std::string(201, 'n') + R"(","connectorDefinitionId":1})", {"name"}},
           {R"({"name":"x"})", {"connectorDefinitionId"}},
           {R"({"name":"x","connectorDefinitionId":99})", {"connectorDefinitionId"}},
           {R"({"name":"x","connectorDefinitionId":"one"})", {"connectorDefinitionId"}},
           {R"({"name":"x","connectorDefinitionId":1,"description":")" + std::string(1001, 'd') + "\"}", {"description"}},
           {R"({"name":"","connectorDefinitionId":1.5,"description":7})", {"name", "connectorDefinitionId", "description"}},
       }) {
    SCOPED_TRACE(c.body.substr(0, 80));
    auto r = srv().Post(kSystems, c.body);
    EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
    for (const auto& f : c.fields) EXPECT_TRUE(NamesField(r, f)) << f << " in " << r.body;
    EXPECT_EQ(r.json.Size("/validationErrors"), static_cast<int64_t>(c.fields.size())) << r.body;
  }
  EXPECT_EQ(srv().Get(kSystems).json.Int("/totalCount"), 0);
  // At the bounds.
  EXPECT_EQ(srv().Post(kSystems, R"({"name":")" + std::string(200, 'n') + R"(","connectorDefinitionId":1,"description":")" +
                                     std::string(1000, 'd') + "\"}")
                .status,
            201);
}

TEST_F(SystemsTest, NamesAreUniqueCaseInsensitivelyOnCreateAndRename) {
  ASSERT_EQ(srv().CreateSystem("HR Directory", 1), 1);
  ASSERT_EQ(srv().CreateSystem("Payroll", 2), 2);
  EXPECT_ERROR(srv().Post(kSystems, R"({"name":"hr directory","connectorDefinitionId":2})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Post(kSystems, R"({"name":" HR DIRECTORY ","connectorDefinitionId":2})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Put(kSystems + "/2", R"({"name":"HR DIRECTORY"})"), 409, "CONFLICT");
  EXPECT_EQ(srv().Get(kSystems + "/2").json.Str("/name"), "Payroll");
  // Renaming a system to a case variant of its own name is fine.
  auto own = srv().Put(kSystems + "/1", R"({"name":"hr directory"})");
  EXPECT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json.Str("/name"), "hr directory");
  // A freed name can be taken.
  ASSERT_EQ(srv().Delete(kSystems + "/2").status, 204);
  EXPECT_EQ(srv().CreateSystem("PAYROLL", 2), 3);
}

TEST_F(SystemsTest, PutIsPartial) {
  ASSERT_EQ(srv().CreateSystem("Orig", 1), 1);
  auto created = srv().Get(kSystems + "/1");
  auto r = srv().Put(kSystems + "/1", R"({"description":"new words"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.Str("/name"), "Orig");
  EXPECT_EQ(r.json.Str("/description"), "new words");
  EXPECT_EQ(r.json.Str("/created"), created.json.Str("/created"));
  EXPECT_GE(r.json.Str("/lastUpdated"), created.json.Str("/lastUpdated"));
  auto renamed = srv().Put(kSystems + "/1", R"({"Name":"  Renamed "})");
  EXPECT_EQ(renamed.json.Str("/name"), "Renamed");
  EXPECT_EQ(renamed.json.Str("/description"), "new words");
  EXPECT_ERROR(srv().Put(kSystems + "/1", R"({"name":" "})"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(srv().Put(kSystems + "/1", R"({"description":")" + std::string(1001, 'd') + "\"}"), 400,
               "VALIDATION_ERROR");
  EXPECT_ERROR(srv().Put(kSystems + "/9", R"({"name":"x"})"), 404, "NOT_FOUND");
}

// Which of two values a handler would read is an accident of parsing: a name given twice (in any case, even
// percent-encoded) is 400 naming it, for a route without a query as for a paged one, before authentication.
TEST_F(SystemsTest, AQueryParameterGivenTwiceIs400NamingIt) {
  srv().CreateSystem("Alpha", 2);
  for (const std::string query : {"?page=1&page=2", "?pageSize=2&PAGESIZE=3", "?pa%67e=1&page=1", "?x=1&X=1"}) {
    auto r = srv().Get(kSystems + query);
    ASSERT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(r.json.Str("/code"), "VALIDATION_ERROR");
    EXPECT_EQ(r.json.KeySet("/validationErrors").size(), 1u) << r.body;
    EXPECT_NE(r.json.Str("/message").find("more than once"), std::string::npos) << r.body;
  }
  EXPECT_TRUE(srv().Get(kSystems + "?page=1&page=2").json.Has("/validationErrors/page"));
  EXPECT_EQ(srv().Get(kSystems + "/1/run-profiles?format=set&FORMAT=set").status, 400);
  EXPECT_EQ(srv().Get(kSystems + "?page=1&page=2", "not-a-key").status, 400) << "like a repeated header";
  // Different names, or one name once, are served as before; so is the same name=value twice, byte for byte
  // (cpp-httplib keeps one: nothing is ambiguous).
  EXPECT_EQ(srv().Get(kSystems + "?page=1&page=1").status, 200);
  EXPECT_EQ(srv().Get(kSystems + "?page=1&pageSize=2").status, 200);
  EXPECT_EQ(srv().Get(kSystems + "?page=1").status, 200);
}

TEST_F(SystemsTest, ListIsPagedSortedAndFiltered) {
  for (const char* name : {"Alpha", "bravo", "Charlie", "delta", "Echo"}) srv().CreateSystem(name, 2);
  auto first = srv().Get(kSystems + "?pageSize=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.json.KeySet(), (std::set<std::string>{"items", "totalCount", "page", "pageSize", "totalPages",
                                                         "hasNextPage", "hasPreviousPage"}));
  EXPECT_EQ(first.json.Int("/totalCount"), 5);
  EXPECT_EQ(first.json.Int("/page"), 1);
  EXPECT_EQ(first.json.Int("/pageSize"), 2);
  EXPECT_EQ(first.json.Int("/totalPages"), 3);
  EXPECT_TRUE(first.json.Bool("/hasNextPage"));
  EXPECT_FALSE(first.json.Bool("/hasPreviousPage"));
  EXPECT_EQ(Names(first), (std::vector<std::string>{"Alpha", "bravo"}));
  EXPECT_EQ(first.json.KeySet("/items/0"), (std::set<std::string>{"id", "name", "description", "created", "status",
                                                                   "connectorName", "connectorId", "runProfileCount"}));
  EXPECT_EQ(first.json.Str("/items/0/connectorName"), "JIM File Connector");
  EXPECT_EQ(first.json.Int("/items/0/connectorId"), 2);

  auto middle = srv().Get(kSystems + "?page=2&pageSize=2");
  EXPECT_EQ(Names(middle), (std::vector<std::string>{"Charlie", "delta"}));
  EXPECT_TRUE(middle.json.Bool("/hasNextPage"));
  EXPECT_TRUE(middle.json.Bool("/hasPreviousPage"));
  auto last = srv().Get(kSystems + "?page=3&pageSize=2");
  EXPECT_EQ(Names(last), (std::vector<std::string>{"Echo"}));
  EXPECT_FALSE(last.json.Bool("/hasNextPage"));
  EXPECT_TRUE(last.json.Bool("/hasPreviousPage"));
  auto beyond = srv().Get(kSystems + "?page=9&pageSize=2");
  EXPECT_EQ(beyond.json.Size("/items"), 0);
  EXPECT_EQ(beyond.json.Int("/totalCount"), 5);

  // Defaults and clamping.
  auto dflt = srv().Get(kSystems);
  EXPECT_EQ(dflt.json.Int("/page"), 1);
  EXPECT_EQ(dflt.json.Int("/pageSize"), 25);
  EXPECT_EQ(dflt.json.Int("/totalPages"), 1);
  EXPECT_EQ(srv().Get(kSystems + "?pageSize=1000").json.Int("/pageSize"), 100);
  EXPECT_EQ(srv().Get(kSystems + "?pageSize=101").json.Int("/pageSize"), 100);
  EXPECT_EQ(srv().Get(kSystems + "?pageSize=100").json.Int("/pageSize"), 100);
  EXPECT_EQ(srv().Get(kSystems + "?page=0").json.Int("/page"), 1);
  EXPECT_EQ(srv().Get(kSystems + "?page=-5").json.Int("/page"), 1);
  EXPECT_EQ(srv().Get(kSystems + "?PAGESIZE=1").json.Int("/pageSize"), 1) << "query names are case-insensitive";

  // Sorting.
  EXPECT_EQ(Names(srv().Get(kSystems + "?sortBy=name&sortDirection=desc")),
            (std::vector<std::string>{"Echo", "delta", "Charlie", "bravo", "Alpha"}));
  EXPECT_EQ(Names(srv().Get(kSystems + "?sortBy=Name&sortDirection=ASC")),
            (std::vector<std::string>{"Alpha", "bravo", "Charlie", "delta", "Echo"}));
  EXPECT_EQ(Names(srv().Get(kSystems + "?sortBy=id&sortDirection=desc&pageSize=2")),
            (std::vector<std::string>{"Echo", "delta"}));
  EXPECT_EQ(srv().Get(kSystems + "?sortBy=created").status, 200);

  // Filtering (case-insensitive on the value, as JIM's name filters).
  auto eq = srv().Get(kSystems + "?filter=name:eq:ALPHA");
  EXPECT_EQ(Names(eq), (std::vector<std::string>{"Alpha"}));
  EXPECT_EQ(eq.json.Int("/totalCount"), 1);
  EXPECT_EQ(Names(srv().Get(kSystems + "?filter=name:contains:ha")), (std::vector<std::string>{"Alpha", "Charlie"}));
  EXPECT_EQ(Names(srv().Get(kSystems + "?filter=name:startswith:b")), (std::vector<std::string>{"bravo"}));
  EXPECT_EQ(Names(srv().Get(kSystems + "?filter=name:eq:nobody")), (std::vector<std::string>{}));
  auto filtered_page = srv().Get(kSystems + "?filter=name:contains:a&pageSize=2&sortBy=name&sortDirection=desc");
  EXPECT_EQ(filtered_page.json.Int("/totalCount"), 4);  // Alpha, bravo, Charlie, delta
  EXPECT_EQ(Names(filtered_page), (std::vector<std::string>{"delta", "Charlie"}));
}

TEST_F(SystemsTest, BadListParametersAnswer400NamingTheParameter) {
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"sortBy=colour", "sortBy"},
           {"sortDirection=up", "sortDirection"},
           {"filter=bogus", "filter"},
           {"filter=name:like:x", "filter"},
           {"filter=description:eq:x", "filter"},
           {"page=abc", "page"},
           {"pageSize=ten", "pageSize"},
           {"page=1.5", "page"},
       }) {
    auto r = srv().Get(kSystems + "?" + query);
    EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(r, field)) << query << ": " << r.body;
  }
  auto several = srv().Get(kSystems + "?sortBy=x&sortDirection=y");
  EXPECT_TRUE(NamesField(several, "sortBy") && NamesField(several, "sortDirection")) << several.body;
}

TEST_F(SystemsTest, DeleteCascadesToProfilesAndPartitionsAndIdsAreNotReused) {
  const int64_t a = srv().CreateSystem("A", 1);
  const int64_t b = srv().CreateSystem("B", 2);
  const int64_t part = srv().CreatePartition(a, "Users");
  const int64_t p1 = srv().CreateProfile(a, R"({"name":"a1","runType":"FullImport"})");
  const int64_t p2 = srv().CreateProfile(a, R"({"name":"a2","runType":"DeltaImport","partitionId":1})");
  const int64_t p3 = srv().CreateProfile(b, R"({"name":"b1","runType":"FullImport"})");

  EXPECT_EQ(srv().Delete(kSystems + "/" + std::to_string(a)).status, 204);
  EXPECT_ERROR(srv().Get(TestServer::SystemPath(a)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Delete(TestServer::SystemPath(a)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(TestServer::ProfilesPath(a)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(TestServer::PartitionsPath(a)), 404, "NOT_FOUND");
  // The profiles are gone, not just hidden behind their system: another system's route finds nothing.
  for (int64_t id : {p1, p2}) EXPECT_ERROR(srv().Get(TestServer::ProfilePath(b, id)), 404, "NOT_FOUND");
  EXPECT_EQ(srv().Get(TestServer::ProfilePath(b, p3)).status, 200);
  EXPECT_EQ(srv().Get(kSystems).json.Int("/totalCount"), 1);

  // Ids are never reused: not for systems, partitions or profiles.
  const int64_t c = srv().CreateSystem("A", 1);
  EXPECT_GT(c, b);
  EXPECT_GT(srv().CreatePartition(c, "Users"), part);
  EXPECT_GT(srv().CreateProfile(b, R"({"name":"b2","runType":"FullImport"})"), p3);
  // The partition id of the deleted system does not resolve in the new one.
  auto stale = srv().Post(TestServer::ProfilesPath(c), R"({"name":"x","runType":"FullImport","partitionId":1})");
  EXPECT_ERROR(stale, 400, "VALIDATION_ERROR");
}

TEST_F(SystemsTest, PartitionsOnlyOnConnectorsThatSupportThem) {
  const int64_t ldap = srv().CreateSystem("LDAP", 1);
  const int64_t file = srv().CreateSystem("File", 2);
  auto refused = srv().Post(TestServer::PartitionsPath(file), R"({"name":"Users"})");
  EXPECT_ERROR(refused, 400, "VALIDATION_ERROR");
  EXPECT_EQ(srv().Get(TestServer::PartitionsPath(file)).body, "[]");

  auto r = srv().Post(TestServer::PartitionsPath(ldap), R"({"name":"Users"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body, R"({"id":1,"name":"Users","externalId":null,"selected":true,"connectedSystemId":1})");
  EXPECT_EQ(r.Header("Location"), srv().base_url() + TestServer::PartitionPath(ldap, 1));
  auto second = srv().Post(TestServer::PartitionsPath(ldap),
                           R"({"name":"Groups","externalId":"OU=Groups,DC=corp","selected":false})");
  EXPECT_EQ(second.body,
            R"({"id":2,"name":"Groups","externalId":"OU=Groups,DC=corp","selected":false,"connectedSystemId":1})");
  EXPECT_ERROR(srv().Post(TestServer::PartitionsPath(ldap), R"({"name":"users"})"), 409, "CONFLICT");
  EXPECT_ERROR(srv().Post(TestServer::PartitionsPath(99), R"({"name":"x"})"), 404, "NOT_FOUND");

  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({})", "name"},
           {R"({"name":" "})", "name"},
           {R"({"name":")" + std::string(201, 'n') + "\"}", "name"},
           {R"({"name":"x","externalId":")" + std::string(501, 'e') + "\"}", "externalId"},
           {R"({"name":"x","selected":"yes"})", "selected"},
       }) {
    auto bad = srv().Post(TestServer::PartitionsPath(ldap), body);
    EXPECT_ERROR(bad, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(bad, field)) << bad.body;
  }
  EXPECT_EQ(srv().Post(TestServer::PartitionsPath(ldap),
                       R"({"name":")" + std::string(200, 'n') + R"(","externalId":")" + std::string(500, 'e') + "\"}")
                .status,
            201);

  auto list = srv().Get(TestServer::PartitionsPath(ldap));
  ASSERT_EQ(list.json.Size(), 3);
  EXPECT_EQ(list.json.Int("/0/id"), 1);
  EXPECT_EQ(list.json.Int("/1/id"), 2);
  EXPECT_EQ(list.json.KeySet("/0"), (std::set<std::string>{"id", "name", "externalId", "selected", "connectedSystemId"}));
}

TEST_F(SystemsTest, PartitionUpdateAndDelete) {
  const int64_t ldap = srv().CreateSystem("LDAP", 1);
  const int64_t other = srv().CreateSystem("Other", 1);
  const int64_t pid = srv().CreatePartition(ldap, "Users");
  auto r = srv().Put(TestServer::PartitionPath(ldap, pid), R"({"selected":false})");
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.json.Bool("/selected"));
  EXPECT_FALSE(srv().Get(TestServer::PartitionsPath(ldap)).json.Bool("/0/selected"));
  EXPECT_TRUE(srv().Put(TestServer::PartitionPath(ldap, pid), R"({"Selected":true})").json.Bool("/selected"));

  auto missing = srv().Put(TestServer::PartitionPath(ldap, pid), R"({})");
  EXPECT_ERROR(missing, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(missing, "selected"));
  EXPECT_ERROR(srv().Put(TestServer::PartitionPath(ldap, pid), R"({"selected":1})"), 400, "VALIDATION_ERROR");
  // Through another system, or unknown: not found.
  EXPECT_ERROR(srv().Put(TestServer::PartitionPath(other, pid), R"({"selected":false})"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Delete(TestServer::PartitionPath(other, pid)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Put(TestServer::PartitionPath(ldap, 77), R"({"selected":false})"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Put(TestServer::PartitionPath(99, pid), R"({"selected":false})"), 404, "NOT_FOUND");

  EXPECT_EQ(srv().Delete(TestServer::PartitionPath(ldap, pid)).status, 204);
  EXPECT_ERROR(srv().Delete(TestServer::PartitionPath(ldap, pid)), 404, "NOT_FOUND");
  EXPECT_EQ(srv().Get(TestServer::PartitionsPath(ldap)).body, "[]");
  EXPECT_EQ(srv().Get(TestServer::SystemPath(ldap)).json.Int("/partitionCount"), 0);
  // The name is free again, with a new id.
  EXPECT_GT(srv().CreatePartition(ldap, "Users"), pid);
}

}  // namespace
}  // namespace jim::http::testing

namespace jim::http::testing {
namespace {

TEST_F(SystemsTest, ConcurrentCreatesOfOneNameYieldOne201AndConflicts) {
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> created{0}, conflicts{0}, other{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client cli("127.0.0.1", srv().port());
      const std::string name = t % 2 ? "Same Name" : "SAME NAME";
      auto r = cli.Post(TestServer::kSystems.c_str(), {{"X-Api-Key", srv().admin_key}},
                        R"({"name":")" + name + R"(","connectorDefinitionId":1})", "application/json");
      if (r && r->status == 201) ++created;
      else if (r && r->status == 409) ++conflicts;
      else ++other;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(srv().Get(kSystems).json.Int("/totalCount"), 1);
}

}  // namespace
}  // namespace jim::http::testing
