// Run-profile sets as code (API.md section 6, docs/api.md "Run-profile sets"): PUT .../run-profiles with
// the whole desired set, the plan it answers, dryRun, prune=false, If-Match and the export round trip.
#include <gtest/gtest.h>

#include <latch>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

// Connected system 1 (LDAP) with partitions 1 "Users" and 2 "Groups"; connected system 2 (File, no
// DeltaImport) with partition 3 of nobody's use here.
class RunProfileSetTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(srv().CreateSystem("Corporate LDAP", 1), 1);
    ASSERT_EQ(srv().CreatePartition(1, "Users"), 1);
    ASSERT_EQ(srv().CreatePartition(1, "Groups"), 2);
    ASSERT_EQ(srv().CreateSystem("HR CSV", 2), 2);
  }
  static std::string SetPath(int64_t cs, const std::string& query = "") {
    return TestServer::ProfilesPath(cs) + query;
  }
  Response Apply(int64_t cs, const std::string& body, const std::string& query = "", httplib::Headers extra = {}) {
    return srv().Put(SetPath(cs, query), body, std::move(extra));
  }
  std::string ProfileList(int64_t cs) { return srv().Get(TestServer::ProfilesPath(cs)).body; }
  int64_t ActivityCount() { return srv().Get("/api/v1/activities").json.Int("/totalCount"); }
};

const std::string kStandardSet = R"({"runProfiles":[
  {"name":"Full Import","runType":"FullImport","pageSize":500},
  {"name":"Delta Import","runType":"DeltaImport"},
  {"name":"Users Import","runType":"DeltaImport","partitionId":1},
  {"name":"Full Sync","runType":"FullSynchronisation"},
  {"name":"Export","runType":"Export"}],"changeReason":"standard set"})";

TEST_F(RunProfileSetTest, FirstApplyCreatesEveryProfileAndAnswersThePlan) {
  auto r = Apply(1, kStandardSet);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.Keys(),
            (std::vector<std::string>{"dryRun", "create", "update", "delete", "unchanged", "etag"}));
  EXPECT_FALSE(r.json.Bool("/dryRun"));
  ASSERT_EQ(r.json.Size("/create"), 5);
  EXPECT_EQ(r.json.Size("/update"), 0);
  EXPECT_EQ(r.json.Size("/delete"), 0);
  EXPECT_EQ(r.json.Size("/unchanged"), 0);
  EXPECT_EQ(r.json.Int("/create/0/id"), 1);
  EXPECT_EQ(r.json.Str("/create/0/name"), "Full Import");
  EXPECT_EQ(r.json.Int("/create/0/pageSize"), 500);
  EXPECT_EQ(r.json.Int("/create/2/partitionId"), 1);
  EXPECT_TRUE(r.json.IsNull("/create/0/replaces"));
  EXPECT_EQ(r.json.Str("/etag"), r.Header("ETag"));

  auto list = srv().Get(TestServer::ProfilesPath(1));
  ASSERT_EQ(list.json.Size(), 5);
  EXPECT_EQ(list.json.Str("/2/partitionName"), "Users");
  EXPECT_EQ(list.json.Int("/1/pageSize"), 100);  // omitted: the default
  // The etag answered is the etag of the set now stored.
  EXPECT_EQ(srv().Get(SetPath(1, "?format=set")).Header("ETag"), r.json.Str("/etag"));
}

TEST_F(RunProfileSetTest, SecondApplyPlansUpdatesDeletesAndUnchangedWithFieldLevelChanges) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  auto r = Apply(1, R"({"runProfiles":[
      {"name":"Full Import","runType":"FullImport","pageSize":100,"verifyImportContentHashes":true},
      {"name":"Delta Import","runType":"DeltaImport"},
      {"name":"Users Import","runType":"DeltaImport","partitionId":2,"filePath":"/x"},
      {"name":"Delta Sync","runType":"DeltaSynchronisation"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.Size("/update"), 2);
  EXPECT_EQ(r.json.Int("/update/0/id"), 1);
  EXPECT_EQ(r.json.Str("/update/0/name"), "Full Import");
  EXPECT_EQ(r.json.KeySet("/update/0/changes"), (std::set<std::string>{"pageSize", "verifyImportContentHashes"}));
  EXPECT_EQ(r.json.Int("/update/0/changes/pageSize/from"), 500);
  EXPECT_EQ(r.json.Int("/update/0/changes/pageSize/to"), 100);
  EXPECT_FALSE(r.json.Bool("/update/0/changes/verifyImportContentHashes/from"));
  EXPECT_TRUE(r.json.Bool("/update/0/changes/verifyImportContentHashes/to"));
  EXPECT_EQ(r.json.Int("/update/1/changes/partitionId/from"), 1);
  EXPECT_EQ(r.json.Int("/update/1/changes/partitionId/to"), 2);
  EXPECT_TRUE(r.json.IsNull("/update/1/changes/filePath/from"));
  EXPECT_EQ(r.json.Str("/update/1/changes/filePath/to"), "/x");
  ASSERT_EQ(r.json.Size("/delete"), 2);  // Full Sync and Export: not in the set
  EXPECT_EQ(r.json.Int("/delete/0/id"), 4);
  EXPECT_EQ(r.json.Str("/delete/0/reason"), "notInSet");
  EXPECT_EQ(r.json.Int("/delete/1/id"), 5);
  ASSERT_EQ(r.json.Size("/unchanged"), 1);
  EXPECT_EQ(r.json.Int("/unchanged/0"), 2);
  ASSERT_EQ(r.json.Size("/create"), 1);
  EXPECT_EQ(r.json.Int("/create/0/id"), 6);

  auto one = srv().Get(TestServer::ProfilePath(1, 1));
  EXPECT_EQ(one.json.Int("/pageSize"), 100);
  EXPECT_TRUE(one.json.Bool("/verifyImportContentHashes"));
  EXPECT_EQ(srv().Get(TestServer::ProfilePath(1, 4)).status, 404);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 4);
}

TEST_F(RunProfileSetTest, ChangedRunTypeIsADeletePlusACreateAndThePlanSaysSo) {
  ASSERT_EQ(Apply(1, R"({"runProfiles":[{"name":"Nightly","runType":"FullImport"}]})").status, 200);
  auto r = Apply(1, R"({"runProfiles":[{"name":"Nightly","runType":"DeltaImport"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json.Size("/delete"), 1);
  EXPECT_EQ(r.json.Int("/delete/0/id"), 1);
  EXPECT_EQ(r.json.Str("/delete/0/runType"), "FullImport");
  EXPECT_EQ(r.json.Str("/delete/0/reason"), "runTypeChanged");
  ASSERT_EQ(r.json.Size("/create"), 1);
  EXPECT_EQ(r.json.Int("/create/0/id"), 2);
  EXPECT_EQ(r.json.Int("/create/0/replaces"), 1);
  EXPECT_EQ(r.json.Size("/update"), 0);
  auto list = srv().Get(TestServer::ProfilesPath(1));
  ASSERT_EQ(list.json.Size(), 1);
  EXPECT_EQ(list.json.Str("/0/runType"), "DeltaImport");
}

TEST_F(RunProfileSetTest, EveryFieldErrorOfEveryItemInOne400AndNothingIsWritten) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  const std::string before = ProfileList(1);
  const int64_t activities = ActivityCount();
  // Item 0 is valid and would be an update; the others each break a rule of a single create.
  auto r = Apply(2, R"({"runProfiles":[
      {"name":"ok","runType":"FullImport"},
      {"name":"","runType":"Export","pageSize":0},
      {"name":"no delta here","runType":"DeltaImport"},
      {"name":"wrong system partition","runType":"FullImport","partitionId":1},
      {"name":"verify","runType":"Export","verifyImportContentHashes":true},
      {"name":"bad enum","runType":1,"filePath":")" + std::string(501, 'p') + R"("},
      "not an object",
      {"name":"ok","runType":"Export"}],"changeReason":")" + std::string(2001, 'r') + R"("})");
  EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
  for (const char* field : {"runProfiles[1].name", "runProfiles[1].pageSize", "runProfiles[2].runType",
                            "runProfiles[3].partitionId", "runProfiles[4].verifyImportContentHashes",
                            "runProfiles[5].runType", "runProfiles[5].filePath", "runProfiles[6]",
                            "runProfiles[7].name", "changeReason"})
    EXPECT_TRUE(NamesField(r, field)) << field << ": " << r.body;
  EXPECT_FALSE(NamesField(r, "runProfiles[0].name")) << r.body;
  EXPECT_EQ(ProfileList(1), before);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(2)).json.Size(), 0);
  EXPECT_EQ(ActivityCount(), activities);
}

TEST_F(RunProfileSetTest, OneFailingItemKeepsTheWholeSetUnapplied) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  const std::string before = ProfileList(1);
  // Creates, an update and deletes would all be valid; the last item's partition is not of this system.
  const int64_t other = srv().CreateSystem("Other LDAP", 1);
  const int64_t foreign = srv().CreatePartition(other, "Elsewhere");
  auto r = Apply(1, R"({"runProfiles":[{"name":"Full Import","runType":"FullImport","pageSize":9},
      {"name":"New","runType":"Export"},
      {"name":"Bad","runType":"FullImport","partitionId":)" + std::to_string(foreign) + "}]}");
  EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(r, "runProfiles[2].partitionId")) << r.body;
  EXPECT_EQ(ProfileList(1), before);
}

TEST_F(RunProfileSetTest, BodyShapeErrors) {
  EXPECT_ERROR(Apply(1, R"({"changeReason":"x"})"), 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(Apply(1, R"({"runProfiles":{"name":"x"}})"), "runProfiles"));
  EXPECT_TRUE(NamesField(Apply(1, R"({"runProfiles":[],"RunProfiles":[]})"), "runProfiles"));
  EXPECT_TRUE(NamesField(Apply(1, R"({"runProfiles":[{"name":"a","NAME":"b","runType":"Export"}]})"),
                         "runProfiles[0].name"));
  EXPECT_ERROR(Apply(1, R"({"runProfiles":[{"name":"a",]})"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(Apply(1, R"({"runProfiles":[]})", "?dryRun=maybe"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(Apply(1, R"({"runProfiles":[]})", "?prune=0"), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(Apply(99, R"({"runProfiles":[]})"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(SetPath(1, "?format=csv")), 400, "VALIDATION_ERROR");
  EXPECT_ERROR(srv().Get(SetPath(99, "?format=set")), 404, "NOT_FOUND");
  auto reader = srv().Send("PUT", SetPath(1), R"({"runProfiles":[]})", srv().reader_key);
  EXPECT_ERROR(reader, 403, "FORBIDDEN");
}

TEST_F(RunProfileSetTest, MoreThanTheMaximumNumberOfProfilesIsA400) {
  TestServerOptions options;
  options.max_body_bytes = 1 << 20;
  srv_.reset();
  srv_ = std::make_unique<TestServer>(options);
  ASSERT_EQ(srv().CreateSystem("Big", 1), 1);
  std::string body = R"({"runProfiles":[)";
  for (int i = 0; i <= 10'000; ++i) body += std::string(i ? "," : "") + "{}";
  body += "]}";
  auto r = Apply(1, body);
  EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(r, "runProfiles")) << r.body.substr(0, 300);
}

TEST_F(RunProfileSetTest, StoredProfilesSharingANameTheSetNamesAre409NamingThem) {
  srv().CreateProfile(1, R"({"name":"Twin","runType":"FullImport"})");
  srv().CreateProfile(1, R"({"name":"Twin","runType":"Export"})");
  srv().CreateProfile(1, R"({"name":"Single","runType":"Export"})");
  auto r = Apply(1, R"({"runProfiles":[{"name":"Twin","runType":"FullImport"}]})");
  EXPECT_ERROR(r, 409, "CONFLICT");
  EXPECT_NE(r.json.Str("/message").find("'Twin' (ids 1, 2)"), std::string::npos) << r.body;
  // A set that does not name the twins may still prune them: nothing is ambiguous.
  auto pruned = Apply(1, R"({"runProfiles":[{"name":"Single","runType":"Export"}]})");
  ASSERT_EQ(pruned.status, 200) << pruned.body;
  EXPECT_EQ(pruned.json.Size("/delete"), 2);
}

TEST_F(RunProfileSetTest, DryRunAnswersThePlanAndChangesNothingInTheStore) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  const std::string before = ProfileList(1);
  const int64_t activities = ActivityCount();
  const auto stats = srv().catalog().Stats();
  auto r = Apply(1, R"({"runProfiles":[{"name":"Full Import","runType":"FullImport"},{"name":"New","runType":"Export"}]})",
                 "?dryRun=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json.Bool("/dryRun"));
  EXPECT_EQ(r.json.Size("/create"), 1);
  EXPECT_TRUE(r.json.IsNull("/create/0/id"));
  EXPECT_EQ(r.json.Size("/update"), 1);
  EXPECT_EQ(r.json.Size("/delete"), 4);
  // Nothing reached the store: no transaction ran, no group was written.
  const auto after = srv().catalog().Stats();
  EXPECT_EQ(after.transactions, stats.transactions);
  EXPECT_EQ(after.groups_written, stats.groups_written);
  EXPECT_EQ(ProfileList(1), before);
  EXPECT_EQ(ActivityCount(), activities);
  // The dry run's etag is the stored set's: it makes the apply conditional on what was reviewed.
  EXPECT_EQ(r.json.Str("/etag"), srv().Get(SetPath(1, "?format=set")).Header("ETag"));
  auto applied = Apply(1, R"({"runProfiles":[{"name":"Full Import","runType":"FullImport"},{"name":"New","runType":"Export"}]})",
                       "", {{"If-Match", r.json.Str("/etag")}});
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_EQ(applied.json.Size("/delete"), 4);
  // A dry run of a set that is invalid answers the same 400 as its apply.
  EXPECT_ERROR(Apply(1, R"({"runProfiles":[{"name":"x"}]})", "?dryRun=true"), 400, "VALIDATION_ERROR");
}

TEST_F(RunProfileSetTest, PruneFalseKeepsProfilesTheSetDoesNotName) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  auto r = Apply(1, R"({"runProfiles":[{"name":"Extra","runType":"Export"}]})", "?prune=false");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.Size("/delete"), 0);
  EXPECT_EQ(r.json.Size("/create"), 1);
  EXPECT_EQ(r.json.Size("/unchanged"), 5);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 6);
}

TEST_F(RunProfileSetTest, IfMatchWithAStaleEtagIs412AndChangesNothing) {
  auto first = Apply(1, kStandardSet);
  ASSERT_EQ(first.status, 200);
  const std::string etag = first.json.Str("/etag");
  // Somebody changes one profile through the single-profile route: the set's etag moves.
  ASSERT_EQ(srv().Put(TestServer::ProfilePath(1, 2), R"({"pageSize":7})").status, 200);
  const std::string before = ProfileList(1);
  auto stale = Apply(1, R"({"runProfiles":[]})", "", {{"If-Match", etag}});
  EXPECT_ERROR(stale, 412, "PRECONDITION_FAILED");
  EXPECT_EQ(ProfileList(1), before);
  auto dry = Apply(1, R"({"runProfiles":[]})", "?dryRun=true", {{"If-Match", etag}});
  EXPECT_ERROR(dry, 412, "PRECONDITION_FAILED");
  const std::string current = srv().Get(SetPath(1, "?format=set")).Header("ETag");
  EXPECT_NE(current, etag);
  EXPECT_EQ(Apply(1, R"({"runProfiles":[]})", "", {{"If-Match", current}}).status, 200);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 0);
}

TEST_F(RunProfileSetTest, TwoAppliesWithTheSameIfMatchRacingOneWinsOneGets412) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  const std::string etag = srv().Get(SetPath(1, "?format=set")).Header("ETag");
  constexpr int kRounds = 5;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(round);
    const std::string tag = round == 0 ? etag : srv().Get(SetPath(1, "?format=set")).Header("ETag");
    std::latch ready(2);
    int statuses[2] = {0, 0};
    std::string bodies[2];
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        httplib::Client cli("127.0.0.1", srv().port());
        cli.set_keep_alive(true);
        (void)cli.Get("/api/v1/health/live");  // connected before the release
        // Each writer's set differs from every stored one, so each apply would change the set.
        const std::string body = R"({"runProfiles":[{"name":"Writer )" + std::to_string(t) + " round " +
                                 std::to_string(round) + R"(","runType":"Export"}]})";
        ready.arrive_and_wait();
        auto r = cli.Put(SetPath(1).c_str(), {{"X-Api-Key", srv().admin_key}, {"If-Match", tag}}, body,
                         "application/json");
        if (!r) return;
        statuses[t] = r->status;
        bodies[t] = r->body;
      });
    }
    for (auto& th : threads) th.join();
    std::multiset<int> got{statuses[0], statuses[1]};
    EXPECT_EQ(got, (std::multiset<int>{200, 412})) << bodies[0] << "\n" << bodies[1];
    const int winner = statuses[0] == 200 ? 0 : 1;
    auto list = srv().Get(TestServer::ProfilesPath(1));
    ASSERT_EQ(list.json.Size(), 1);
    EXPECT_EQ(list.json.Str("/0/name"), "Writer " + std::to_string(winner) + " round " + std::to_string(round));
  }
}

TEST_F(RunProfileSetTest, ExportThenApplyRoundTripsWithAnEmptyPlan) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  srv().CreateProfile(1, R"({"name":"Files","runType":"FullImport","filePath":"/data/a.csv","verifyImportContentHashes":true})");
  auto exported = srv().Get(SetPath(1, "?format=set"));
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(exported.json.Keys(), (std::vector<std::string>{"runProfiles"}));
  ASSERT_EQ(exported.json.Size("/runProfiles"), 6);
  EXPECT_EQ(exported.json.Keys("/runProfiles/0"),
            (std::vector<std::string>{"name", "runType", "pageSize", "partitionId", "filePath",
                                      "verifyImportContentHashes"}));
  EXPECT_EQ(exported.json.Str("/runProfiles/5/filePath"), "/data/a.csv");
  const std::string before = ProfileList(1);
  const int64_t activities = ActivityCount();
  auto r = Apply(1, exported.body, "", {{"If-Match", exported.Header("ETag")}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.Size("/create"), 0);
  EXPECT_EQ(r.json.Size("/update"), 0);
  EXPECT_EQ(r.json.Size("/delete"), 0);
  EXPECT_EQ(r.json.Size("/unchanged"), 6);
  EXPECT_EQ(r.json.Str("/etag"), exported.Header("ETag"));
  EXPECT_EQ(ProfileList(1), before);
  EXPECT_EQ(ActivityCount(), activities);
  // Case of the query value and of the path does not matter, as elsewhere.
  EXPECT_EQ(srv().Get(SetPath(1, "?Format=SET")).body, exported.body);
}

TEST_F(RunProfileSetTest, EveryChangeOfAnApplyWritesItsActivity) {
  const int64_t activities = ActivityCount();
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  EXPECT_EQ(ActivityCount(), activities + 5);
  ASSERT_EQ(Apply(1, R"({"runProfiles":[{"name":"Full Import","runType":"FullImport"}]})").status, 200);
  EXPECT_EQ(ActivityCount(), activities + 5 + 1 + 4);  // one update, four deletes
  auto newest = srv().Get("/api/v1/activities?pageSize=5&targetType=ConnectedSystemRunProfile");
  EXPECT_EQ(newest.json.Str("/items/0/targetContext"), "Corporate LDAP");
}

}  // namespace
}  // namespace jim::http::testing

namespace jim::http::testing {
namespace {

// changeReason (beyond JIM on run profiles): body of POST/PUT and of a set, query of DELETE, <= 2,000
// characters, kept on every activity the change writes; null when not given.
class ChangeReasonTest : public RunProfileSetTest {
 protected:
  Json NewestActivity() { return srv().Get("/api/v1/activities?pageSize=1").json; }
};

TEST_F(ChangeReasonTest, RunProfileWritesKeepTheirReasonOnTheActivity) {
  const int64_t rp = srv().CreateProfile(1, R"({"name":"A","runType":"Export","changeReason":"ticket 42"})");
  EXPECT_EQ(NewestActivity().Str("/items/0/changeReason"), "ticket 42");
  ASSERT_EQ(srv().Put(TestServer::ProfilePath(1, rp), R"({"pageSize":5,"ChangeReason":"tuning"})").status, 200);
  EXPECT_EQ(NewestActivity().Str("/items/0/changeReason"), "tuning");
  ASSERT_EQ(srv().Put(TestServer::ProfilePath(1, rp), R"({"pageSize":6})").status, 200);
  EXPECT_TRUE(NewestActivity().IsNull("/items/0/changeReason"));
  ASSERT_EQ(srv().Delete(TestServer::ProfilePath(1, rp) + "?changeReason=retired%20by%20CAB").status, 204);
  auto deleted = NewestActivity();
  EXPECT_EQ(deleted.Str("/items/0/targetOperationType"), "Delete");
  EXPECT_EQ(deleted.Str("/items/0/changeReason"), "retired by CAB");
  // The single activity read answers it too.
  auto one = srv().Get("/api/v1/activities/" + deleted.Str("/items/0/id"));
  EXPECT_EQ(one.json.Str("/changeReason"), "retired by CAB");
}

TEST_F(ChangeReasonTest, EveryActivityOfASetApplyCarriesTheSetsReason) {
  ASSERT_EQ(Apply(1, kStandardSet).status, 200);
  auto page = srv().Get("/api/v1/activities?pageSize=5&targetType=ConnectedSystemRunProfile");
  ASSERT_EQ(page.json.Size("/items"), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(page.json.Str("/items/" + std::to_string(i) + "/changeReason"), "standard set");
}

TEST_F(ChangeReasonTest, ReasonLongerThan2000CharactersIs400AndNothingChanges) {
  const std::string ok(2000, 'r'), too_long(2001, 'r');
  const int64_t rp = srv().CreateProfile(1, R"({"name":"A","runType":"Export","changeReason":")" + ok + "\"}");
  auto create = srv().Post(TestServer::ProfilesPath(1), R"({"name":"B","runType":"Export","changeReason":")" + too_long + "\"}");
  EXPECT_ERROR(create, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(create, "changeReason"));
  auto update = srv().Put(TestServer::ProfilePath(1, rp), R"({"pageSize":5,"changeReason":")" + too_long + "\"}");
  EXPECT_ERROR(update, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(update, "changeReason"));
  auto del = srv().Delete(TestServer::ProfilePath(1, rp) + "?changeReason=" + too_long);
  EXPECT_ERROR(del, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(del, "changeReason"));
  auto list = srv().Get(TestServer::ProfilesPath(1));
  ASSERT_EQ(list.json.Size(), 1);
  EXPECT_EQ(list.json.Int("/0/pageSize"), 100);
  EXPECT_TRUE(NamesField(Apply(1, R"({"runProfiles":[],"changeReason":")" + too_long + "\"}"), "changeReason"));
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 1);
}

}  // namespace
}  // namespace jim::http::testing
