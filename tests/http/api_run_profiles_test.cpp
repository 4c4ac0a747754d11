// Run profiles (API.md section 6): the seed, every validation rule at and beyond its bound, the
// beyond-JIM routes (GET one, ETag/If-Match, Idempotency-Key) and the deselected-partition flag.
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

// Connected system 1 (LDAP) with partition 1 "Users", connected system 2 (File): the seed's world.
class RunProfileTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(srv().CreateSystem("Corporate LDAP", 1), 1);
    ASSERT_EQ(srv().CreatePartition(1, "Users"), 1);
    ASSERT_EQ(srv().CreateSystem("HR CSV", 2), 2);
  }
  Response Create(int64_t cs, const std::string& body, httplib::Headers extra = {}) {
    return srv().Post(TestServer::ProfilesPath(cs), body, std::move(extra));
  }
  // Expects a 400 naming `field` (and nothing is stored).
  void ExpectFieldError(int64_t cs, const std::string& body, const std::string& field) {
    SCOPED_TRACE(body.substr(0, 120));
    const auto before = srv().Get(TestServer::ProfilesPath(cs)).json.Size();
    auto r = Create(cs, body);
    EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(r, field)) << r.body;
    EXPECT_EQ(srv().Get(TestServer::ProfilesPath(cs)).json.Size(), before);
  }
  Response ExpectCreated(int64_t cs, const std::string& body) {
    SCOPED_TRACE(body.substr(0, 120));
    auto r = Create(cs, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r;
  }
  static std::string Body(const std::string& name, const std::string& run_type, const std::string& extra = "") {
    return R"({"name":")" + name + R"(","runType":")" + run_type + "\"" + extra + "}";
  }
};

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TEST_F(RunProfileTest, SeedCurlExamplesCreateTheExactProfiles) {
  struct Seed {
    int64_t cs;
    std::string body;
    std::string expected;
  };
  const std::vector<Seed> seeds = {
      {1, R"J({"name": "Delta Import", "runType": "DeltaImport"})J",
       R"J({"id":1,"name":"Delta Import","connectedSystemId":1,"runType":"DeltaImport","pageSize":100,)J"
       R"J("partitionId":null,"partitionName":null,"targetsDeselectedPartition":false,"filePath":null,)J"
       R"J("verifyImportContentHashes":false})J"},
      {1, R"J({"name": "Full Import", "runType": "FullImport", "pageSize": 500})J",
       R"J({"id":2,"name":"Full Import","connectedSystemId":1,"runType":"FullImport","pageSize":500,)J"
       R"J("partitionId":null,"partitionName":null,"targetsDeselectedPartition":false,"filePath":null,)J"
       R"J("verifyImportContentHashes":false})J"},
      {1, R"J({"name": "Import (Users Partition)", "runType": "DeltaImport", "partitionId": 1})J",
       R"J({"id":3,"name":"Import (Users Partition)","connectedSystemId":1,"runType":"DeltaImport","pageSize":100,)J"
       R"J("partitionId":1,"partitionName":"Users","targetsDeselectedPartition":false,"filePath":null,)J"
       R"J("verifyImportContentHashes":false})J"},
      {2, R"J({"name": "CSV Import", "runType": "FullImport", "filePath": "/data/imports/employees.csv"})J",
       R"J({"id":4,"name":"CSV Import","connectedSystemId":2,"runType":"FullImport","pageSize":100,)J"
       R"J("partitionId":null,"partitionName":null,"targetsDeselectedPartition":false,)J"
       R"J("filePath":"/data/imports/employees.csv","verifyImportContentHashes":false})J"},
  };
  int64_t id = 0;
  for (const auto& seed : seeds) {
    ++id;
    auto r = Create(seed.cs, seed.body);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.body, seed.expected);
    EXPECT_EQ(r.Header("Location"), srv().base_url() + TestServer::ProfilePath(seed.cs, id));
    EXPECT_FALSE(r.Header("ETag").empty());
    // The Location is served and answers the same representation.
    auto again = srv().Get(TestServer::ProfilePath(seed.cs, id));
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, seed.expected);
    EXPECT_EQ(again.Header("ETag"), r.Header("ETag"));
  }
  auto list = srv().Get(TestServer::ProfilesPath(1));
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json.Size(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(list.json.Int("/" + std::to_string(i) + "/id"), i + 1);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(2)).body, "[" + seeds[3].expected + "]");
}

TEST_F(RunProfileTest, NameIsOneTo200Utf16UnitsAndNotBlank) {
  ExpectCreated(1, Body(std::string(200, 'a'), "FullImport"));
  ExpectFieldError(1, Body(std::string(201, 'a'), "FullImport"), "name");
  // An emoji is two UTF-16 code units (a surrogate pair), as JIM counts: 100 of them are exactly 200.
  const std::string emoji = "\xF0\x9F\x98\x80";
  auto r = ExpectCreated(1, Body(Repeat(emoji, 100), "FullImport"));
  EXPECT_EQ(r.json.Str("/name"), Repeat(emoji, 100));
  ExpectFieldError(1, Body(Repeat(emoji, 100) + "a", "FullImport"), "name");
  ExpectFieldError(1, Body(std::string(199, 'a') + emoji, "FullImport"), "name");
  // The same emoji written as a JSON surrogate-pair escape counts the same.
  ExpectFieldError(1, Body(std::string(199, 'a') + "\\ud83d\\ude00", "FullImport"), "name");
  // A BMP character is one unit, whatever its UTF-8 length.
  ExpectCreated(1, Body(Repeat("\xC3\xA9", 200), "FullImport"));
  ExpectCreated(1, Body(Repeat("\xE2\x82\xAC", 200), "FullImport"));
  ExpectCreated(1, Body("x", "FullImport"));
  for (const std::string blank : {"", " ", "   ", "\\t\\n", "\\u00a0", "\\u3000"})
    ExpectFieldError(1, Body(blank, "FullImport"), "name");
  ExpectFieldError(1, R"({"runType":"FullImport"})", "name");
  ExpectFieldError(1, R"({"name":null,"runType":"FullImport"})", "name");
  ExpectFieldError(1, R"({"name":42,"runType":"FullImport"})", "name");
  // Duplicates are allowed.
  ExpectCreated(1, Body("Same", "FullImport"));
  ExpectCreated(1, Body("Same", "FullImport"));
}

TEST_F(RunProfileTest, PageSizeIsOneTo10000AndAcceptsNumericStrings) {
  for (const std::string ok : {"1", "10000", "\"500\"", "100", "\"1\"", "\"10000\""}) {
    auto r = ExpectCreated(1, Body("p", "FullImport", ",\"pageSize\":" + ok));
    std::string digits = ok;
    std::erase(digits, '"');
    EXPECT_EQ(r.json.Int("/pageSize"), std::stoll(digits));
  }
  auto dflt = ExpectCreated(1, Body("p", "FullImport", R"(,"pageSize":null)"));
  EXPECT_EQ(dflt.json.Int("/pageSize"), 100);
  for (const std::string bad : {"0", "10001", "-1", "5.5", "true", "false", "\"abc\"", "\"5.5\"", "1e3", "1E2",
                                "99999999999999999999", "-9223372036854775809", "\"\"", "[1]", "{}", "\"0\"",
                                "\"10001\"", "1.0"})
    ExpectFieldError(1, Body("p", "FullImport", ",\"pageSize\":" + bad), "pageSize");
}

TEST_F(RunProfileTest, FilePathIsAtMost500Characters) {
  auto r = ExpectCreated(2, Body("csv", "FullImport", ",\"filePath\":\"" + std::string(500, 'f') + "\""));
  EXPECT_EQ(r.json.Str("/filePath"), std::string(500, 'f'));
  ExpectFieldError(2, Body("csv", "FullImport", ",\"filePath\":\"" + std::string(501, 'f') + "\""), "filePath");
  ExpectFieldError(2, Body("csv", "FullImport", ",\"filePath\":\"" + Repeat("\xF0\x9F\x93\x81", 250) + "x\""),
                   "filePath");
  ExpectFieldError(2, Body("csv", "FullImport", R"(,"filePath":5)"), "filePath");
  auto cleared = ExpectCreated(2, Body("csv", "FullImport", R"(,"filePath":null)"));
  EXPECT_TRUE(cleared.json.IsNull("/filePath"));
}

TEST_F(RunProfileTest, RunTypeIsARequiredEnumByNameCaseInsensitive) {
  for (const std::string bad : {R"("Bogus")", "1", "0", R"("1")", R"("NotSet")", "null", "true", R"("")",
                                R"("Full Import")", R"(["FullImport"])"}) {
    SCOPED_TRACE(bad);
    auto r = Create(1, R"({"name":"x","runType":)" + bad + "}");
    EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
    ASSERT_TRUE(NamesField(r, "runType")) << r.body;
    if (bad != "null") {
      EXPECT_NE(r.json.Str("/validationErrors/runType/0").find(
                    "FullImport, DeltaImport, FullSynchronisation, DeltaSynchronisation, Export"),
                std::string::npos)
          << r.body;
    }
  }
  ExpectFieldError(1, R"({"name":"x"})", "runType");
  EXPECT_EQ(ExpectCreated(1, Body("x", "fullimport")).json.Str("/runType"), "FullImport");
  EXPECT_EQ(ExpectCreated(1, Body("x", "EXPORT")).json.Str("/runType"), "Export");
  EXPECT_EQ(ExpectCreated(1, Body("x", "deltaSYNCHRONISATION")).json.Str("/runType"), "DeltaSynchronisation");
}

TEST_F(RunProfileTest, RunTypeMustBeSupportedByTheConnector) {
  auto r = Create(2, Body("Delta", "DeltaImport"));
  EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(r, "runType")) << r.body;
  EXPECT_EQ(r.json.Size("/validationErrors"), 1);
  // The File connector supports full import and export; the synchronisation types need nothing.
  for (const char* ok : {"FullImport", "Export", "FullSynchronisation", "DeltaSynchronisation"})
    ExpectCreated(2, Body(ok, ok));
  for (const char* ok : {"FullImport", "DeltaImport", "Export", "FullSynchronisation", "DeltaSynchronisation"})
    ExpectCreated(1, Body(ok, ok));
}

TEST_F(RunProfileTest, PartitionMustBelongToThisConnectedSystem) {
  ASSERT_EQ(srv().CreateSystem("Other LDAP", 1), 3);
  ASSERT_EQ(srv().CreatePartition(3, "Theirs"), 2);
  ExpectFieldError(1, Body("x", "FullImport", R"(,"partitionId":2)"), "partitionId");
  ExpectFieldError(1, Body("x", "FullImport", R"(,"partitionId":999)"), "partitionId");
  ExpectFieldError(2, Body("x", "FullImport", R"(,"partitionId":1)"), "partitionId");
  ExpectFieldError(1, Body("x", "FullImport", R"(,"partitionId":"abc")"), "partitionId");
  auto ok = ExpectCreated(3, Body("x", "FullImport", R"(,"partitionId":"2")"));
  EXPECT_EQ(ok.json.Int("/partitionId"), 2);
  EXPECT_EQ(ok.json.Str("/partitionName"), "Theirs");
}

TEST_F(RunProfileTest, VerifyImportContentHashesOnlyWithFullImport) {
  for (const char* rt : {"DeltaImport", "Export", "FullSynchronisation", "DeltaSynchronisation"})
    ExpectFieldError(1, Body("v", rt, R"(,"verifyImportContentHashes":true)"), "verifyImportContentHashes");
  EXPECT_TRUE(ExpectCreated(1, Body("v", "FullImport", R"(,"verifyImportContentHashes":true)"))
                  .json.Bool("/verifyImportContentHashes"));
  EXPECT_FALSE(ExpectCreated(1, Body("v", "Export", R"(,"verifyImportContentHashes":false)"))
                   .json.Bool("/verifyImportContentHashes"));
  for (const std::string bad : {"1", R"("true")", R"("yes")", "0"})
    ExpectFieldError(1, Body("v", "FullImport", ",\"verifyImportContentHashes\":" + bad), "verifyImportContentHashes");
}

TEST_F(RunProfileTest, EveryBadFieldIsReportedInOneResponse) {
  auto r = Create(1, R"({"name":"","runType":"Bogus","pageSize":0,"partitionId":"x","filePath":")" +
                         std::string(501, 'f') + R"(","verifyImportContentHashes":"yes"})");
  EXPECT_ERROR(r, 400, "VALIDATION_ERROR");
  for (const char* field : {"name", "runType", "pageSize", "partitionId", "filePath", "verifyImportContentHashes"})
    EXPECT_TRUE(NamesField(r, field)) << field << " in " << r.body;

  // Field errors come first: the capability and partition rules are checked only on valid fields...
  auto fields_first = Create(2, R"({"name":"","runType":"DeltaImport","partitionId":1})");
  EXPECT_ERROR(fields_first, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(fields_first, "name"));
  EXPECT_FALSE(NamesField(fields_first, "runType")) << fields_first.body;
  // ...and then reported together.
  auto rules = Create(2, R"({"name":"x","runType":"DeltaImport","partitionId":1})");
  EXPECT_ERROR(rules, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(rules, "runType")) << rules.body;
  EXPECT_TRUE(NamesField(rules, "partitionId")) << rules.body;
}

TEST_F(RunProfileTest, PropertyNamesAreCaseInsensitiveDuplicatesRejectedUnknownIgnored) {
  auto r = ExpectCreated(1, R"({"Name":"Upper","RunType":"fullimport","PAGESIZE":"7","PartitionId":1,)"
                            R"("FilePath":"/x","VerifyImportContentHashes":true})");
  EXPECT_EQ(r.json.Str("/name"), "Upper");
  EXPECT_EQ(r.json.Str("/runType"), "FullImport");
  EXPECT_EQ(r.json.Int("/pageSize"), 7);
  EXPECT_EQ(r.json.Int("/partitionId"), 1);
  EXPECT_EQ(r.json.Str("/filePath"), "/x");
  EXPECT_TRUE(r.json.Bool("/verifyImportContentHashes"));

  for (const std::string dup : {R"({"name":"a","Name":"b","runType":"FullImport"})",
                                R"({"name":"a","name":"a","runType":"FullImport"})",
                                R"({"name":"a","runType":"FullImport","RUNTYPE":"FullImport"})",
                                R"({"name":"a","runType":"FullImport","pageSize":1,"pagesize":"1"})"}) {
    SCOPED_TRACE(dup);
    EXPECT_ERROR(Create(1, dup), 400, "VALIDATION_ERROR");
  }
  // An unknown property that happens to be called "body" (the key of body-level errors) is still a
  // field error: reported with the others, not instead of them.
  auto named_body = Create(1, R"({"name":"a","runType":"FullImport","body":1,"BODY":2,"pageSize":0})");
  EXPECT_ERROR(named_body, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(named_body, "body")) << named_body.body;
  EXPECT_TRUE(NamesField(named_body, "pageSize")) << named_body.body;
  auto unknown = ExpectCreated(1, R"({"name":"u","runType":"FullImport","colour":"blue","id":77,)"
                                  R"("connectedSystemId":2,"nested":{"a":[1,{"b":null}]},"targetsDeselectedPartition":true})");
  EXPECT_NE(unknown.json.Int("/id"), 77);
  EXPECT_EQ(unknown.json.Int("/connectedSystemId"), 1);
  EXPECT_FALSE(unknown.json.Bool("/targetsDeselectedPartition"));
}

TEST_F(RunProfileTest, UnknownConnectedSystemIs404BeforeValidation) {
  EXPECT_ERROR(Create(99, Body("x", "FullImport")), 404, "NOT_FOUND");
  EXPECT_ERROR(Create(99, R"({"name":"","runType":"Bogus"})"), 404, "NOT_FOUND");
  // A body that is not JSON is known bad without the store, but 404 system still comes first.
  EXPECT_ERROR(Create(99, R"({"name":)"), 404, "NOT_FOUND");
  EXPECT_ERROR(Create(99, "[1]"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(TestServer::ProfilesPath(99)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(TestServer::ProfilePath(99, 1)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Put(TestServer::ProfilePath(99, 1), "{}"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Delete(TestServer::ProfilePath(99, 1)), 404, "NOT_FOUND");
  auto message = srv().Get(TestServer::ProfilesPath(42)).json.Str("/message");
  EXPECT_EQ(message, "Connected System with ID 42 not found.");
}

TEST_F(RunProfileTest, ProfileOfAnotherConnectedSystemIsNotFound) {
  const int64_t theirs = srv().CreateProfile(2, Body("CSV", "FullImport"));
  EXPECT_ERROR(srv().Get(TestServer::ProfilePath(1, theirs)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Put(TestServer::ProfilePath(1, theirs), R"({"name":"hijacked"})"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Delete(TestServer::ProfilePath(1, theirs)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(TestServer::ProfilePath(1, 12345)), 404, "NOT_FOUND");
  auto still = srv().Get(TestServer::ProfilePath(2, theirs));
  EXPECT_EQ(still.status, 200);
  EXPECT_EQ(still.json.Str("/name"), "CSV");
}

TEST_F(RunProfileTest, PutIsAPartialUpdateAndRunTypeIsImmutable) {
  const int64_t id = srv().CreateProfile(2, Body("CSV", "FullImport", R"(,"pageSize":500,"filePath":"/a.csv")"));
  const std::string path = TestServer::ProfilePath(2, id);
  auto r = srv().Put(path, R"({"pageSize":250,"runType":"Export"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json.Str("/runType"), "FullImport");
  EXPECT_EQ(r.json.Int("/pageSize"), 250);
  EXPECT_EQ(r.json.Str("/name"), "CSV");
  EXPECT_EQ(r.json.Str("/filePath"), "/a.csv");
  EXPECT_FALSE(r.Header("ETag").empty());

  auto cleared = srv().Put(path, R"({"filePath":""})");
  ASSERT_EQ(cleared.status, 200);
  EXPECT_TRUE(cleared.json.IsNull("/filePath"));
  EXPECT_EQ(cleared.json.Int("/pageSize"), 250);

  auto renamed = srv().Put(path, R"({"Name":"Renamed","verifyImportContentHashes":true,"filePath":"/b.csv"})");
  ASSERT_EQ(renamed.status, 200);
  EXPECT_EQ(renamed.json.Str("/name"), "Renamed");
  EXPECT_TRUE(renamed.json.Bool("/verifyImportContentHashes"));
  EXPECT_EQ(renamed.json.Str("/filePath"), "/b.csv");
  EXPECT_EQ(srv().Get(path).body, renamed.body);

  auto empty = srv().Put(path, "{}");
  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.json.Str("/name"), "Renamed");

  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"name":"  "})", "name"},
           {R"({"name":")" + std::string(201, 'n') + "\"}", "name"},
           {R"({"pageSize":0})", "pageSize"},
           {R"({"pageSize":10001})", "pageSize"},
           {R"({"pageSize":2.5})", "pageSize"},
           {R"({"filePath":")" + std::string(501, 'f') + "\"}", "filePath"},
           {R"({"partitionId":1})", "partitionId"},
       }) {
    SCOPED_TRACE(body.substr(0, 60));
    auto bad = srv().Put(path, body);
    EXPECT_ERROR(bad, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(bad, field)) << bad.body;
  }
  EXPECT_EQ(srv().Get(path).body, empty.body);

  const int64_t delta = srv().CreateProfile(1, Body("Delta", "DeltaImport"));
  auto verify = srv().Put(TestServer::ProfilePath(1, delta), R"({"verifyImportContentHashes":true})");
  EXPECT_ERROR(verify, 400, "VALIDATION_ERROR");
  EXPECT_TRUE(NamesField(verify, "verifyImportContentHashes"));
  auto partition = srv().Put(TestServer::ProfilePath(1, delta), R"({"partitionId":1})");
  EXPECT_EQ(partition.status, 200);
  EXPECT_EQ(partition.json.Str("/partitionName"), "Users");
}

TEST_F(RunProfileTest, IfMatchMismatchIs412OnPutAndDelete) {
  const int64_t id = srv().CreateProfile(1, Body("Full", "FullImport"));
  const std::string path = TestServer::ProfilePath(1, id);
  auto got = srv().Get(path);
  const std::string etag1 = got.Header("ETag");
  ASSERT_FALSE(etag1.empty());
  EXPECT_EQ(etag1.front(), '"') << "a strong, quoted entity tag";

  EXPECT_ERROR(srv().Put(path, R"({"name":"x"})", {{"If-Match", "\"nope\""}}), 412, "PRECONDITION_FAILED");
  EXPECT_ERROR(srv().Put(path, R"({"name":"x"})", {{"If-Match", "W/" + etag1}}), 412, "PRECONDITION_FAILED");
  EXPECT_EQ(srv().Get(path).json.Str("/name"), "Full");
  // Validation comes before the precondition.
  EXPECT_ERROR(srv().Put(path, R"({"pageSize":0})", {{"If-Match", "\"nope\""}}), 400, "VALIDATION_ERROR");

  auto updated = srv().Put(path, R"({"name":"Full 2"})", {{"If-Match", etag1}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  const std::string etag2 = updated.Header("ETag");
  EXPECT_NE(etag2, etag1);
  EXPECT_EQ(srv().Get(path).Header("ETag"), etag2);

  EXPECT_ERROR(srv().Put(path, R"({"name":"x"})", {{"If-Match", etag1}}), 412, "PRECONDITION_FAILED");
  EXPECT_ERROR(srv().Delete(path, {{"If-Match", etag1}}), 412, "PRECONDITION_FAILED");
  EXPECT_EQ(srv().Get(path).status, 200);
  // A list containing the current tag, and *, match.
  EXPECT_EQ(srv().Put(path, R"({"pageSize":3})", {{"If-Match", "\"other\", " + etag2}}).status, 200);
  auto star = srv().Put(path, R"({"pageSize":4})", {{"If-Match", "*"}});
  EXPECT_EQ(star.status, 200);
  auto deleted = srv().Delete(path, {{"If-Match", star.Header("ETag")}});
  EXPECT_EQ(deleted.status, 204);
}

TEST_F(RunProfileTest, DeleteIs204ThenNotFound) {
  const int64_t id = srv().CreateProfile(1, Body("Gone", "FullImport"));
  const int64_t kept = srv().CreateProfile(1, Body("Kept", "FullImport"));
  EXPECT_EQ(srv().Delete(TestServer::ProfilePath(1, id)).status, 204);
  EXPECT_ERROR(srv().Get(TestServer::ProfilePath(1, id)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Delete(TestServer::ProfilePath(1, id)), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Put(TestServer::ProfilePath(1, id), "{}"), 404, "NOT_FOUND");
  auto list = srv().Get(TestServer::ProfilesPath(1));
  ASSERT_EQ(list.json.Size(), 1);
  EXPECT_EQ(list.json.Int("/0/id"), kept);
  // Ids are not reused.
  EXPECT_GT(srv().CreateProfile(1, Body("New", "FullImport")), kept);
}

// The server keeps rendered lists and profiles until the store reports a change (http/rendered_cache.h):
// every write that changes what they show must show in the very next read, made after each step.
TEST_F(RunProfileTest, TheListAndTheProfileFollowEveryWriteThatChangesThem) {
  const std::string list = TestServer::ProfilesPath(1);
  EXPECT_EQ(srv().Get(list).json.Size(), 0u);
  EXPECT_EQ(srv().Get(list).json.Size(), 0u);  // twice: the second may come from the cache
  const int64_t a = srv().CreateProfile(1, Body("A", "DeltaImport", R"(,"partitionId":1)"));
  EXPECT_EQ(srv().Get(list).json.Size(), 1u);
  EXPECT_EQ(srv().Get(list).json.Str("/0/partitionName"), "Users");
  const std::string one = TestServer::ProfilePath(1, a);
  const std::string etag = srv().Get(one).Header("ETag");
  EXPECT_EQ(srv().Get(one).Header("ETag"), etag);
  EXPECT_EQ(srv().Get(one).json.Str("/name"), "A");
  // Another system's writes leave this list as it is, and this list's writes do not leak into that one.
  srv().CreateProfile(2, Body("Other", "FullImport"));
  EXPECT_EQ(srv().Get(list).json.Size(), 1u);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(2)).json.Size(), 1u);

  ASSERT_EQ(srv().Put(TestServer::ProfilePath(1, a), R"({"name":"A renamed"})").status, 200);
  EXPECT_EQ(srv().Get(list).json.Str("/0/name"), "A renamed");
  EXPECT_EQ(srv().Get(one).json.Str("/name"), "A renamed");
  EXPECT_NE(srv().Get(one).Header("ETag"), etag);
  ASSERT_EQ(srv().Put(TestServer::PartitionPath(1, 1), R"({"selected":false})").status, 200);
  EXPECT_TRUE(srv().Get(list).json.Bool("/0/targetsDeselectedPartition"));
  EXPECT_TRUE(srv().Get(one).json.Bool("/targetsDeselectedPartition"));
  ASSERT_EQ(srv().Delete(TestServer::PartitionPath(1, 1)).status, 204);
  EXPECT_TRUE(srv().Get(list).json.IsNull("/0/partitionName"));
  EXPECT_TRUE(srv().Get(one).json.IsNull("/partitionName"));
  const int64_t b = srv().CreateProfile(1, Body("B", "FullImport"));
  EXPECT_EQ(srv().Get(list).json.Size(), 2u);
  EXPECT_EQ(srv().Get(TestServer::ProfilePath(1, b)).status, 200);
  ASSERT_EQ(srv().Delete(TestServer::ProfilePath(1, b)).status, 204);
  EXPECT_EQ(srv().Get(list).json.Size(), 1u);
  EXPECT_ERROR(srv().Get(TestServer::ProfilePath(1, b)), 404, "NOT_FOUND");
  // A failed write changes nothing, and the list stays right.
  EXPECT_EQ(Create(1, Body("C", "DeltaImport", R"(,"partitionId":999)")).status / 100, 4);
  EXPECT_EQ(srv().Get(list).json.Size(), 1u);

  ASSERT_EQ(srv().Delete(TestServer::SystemPath(1)).status, 204);
  EXPECT_ERROR(srv().Get(list), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(one), 404, "NOT_FOUND");
}

TEST_F(RunProfileTest, TargetsDeselectedPartitionFollowsThePartition) {
  const int64_t id = srv().CreateProfile(1, Body("Users", "DeltaImport", R"(,"partitionId":1)"));
  const std::string path = TestServer::ProfilePath(1, id);
  auto before = srv().Get(path);
  EXPECT_FALSE(before.json.Bool("/targetsDeselectedPartition"));
  EXPECT_EQ(before.json.Str("/partitionName"), "Users");

  ASSERT_EQ(srv().Put(TestServer::PartitionPath(1, 1), R"({"selected":false})").status, 200);
  auto deselected = srv().Get(path);
  EXPECT_TRUE(deselected.json.Bool("/targetsDeselectedPartition"));
  EXPECT_EQ(deselected.json.Str("/partitionName"), "Users");
  EXPECT_TRUE(srv().Get(TestServer::ProfilesPath(1)).json.Bool("/0/targetsDeselectedPartition"));

  ASSERT_EQ(srv().Put(TestServer::PartitionPath(1, 1), R"({"selected":true})").status, 200);
  EXPECT_FALSE(srv().Get(path).json.Bool("/targetsDeselectedPartition"));

  ASSERT_EQ(srv().Delete(TestServer::PartitionPath(1, 1)).status, 204);
  auto gone = srv().Get(path);
  ASSERT_EQ(gone.status, 200);
  EXPECT_TRUE(gone.json.Bool("/targetsDeselectedPartition"));
  EXPECT_EQ(gone.json.Int("/partitionId"), 1);
  EXPECT_TRUE(gone.json.IsNull("/partitionName"));
  EXPECT_TRUE(srv().Get(TestServer::ProfilesPath(1)).json.Bool("/0/targetsDeselectedPartition"));
  // A profile without a partition never targets a deselected one.
  EXPECT_FALSE(srv().Get(TestServer::ProfilePath(1, srv().CreateProfile(1, Body("No partition", "FullImport"))))
                   .json.Bool("/targetsDeselectedPartition"));
}

TEST_F(RunProfileTest, IdempotencyKeyReplaysTheFirstResponse) {
  const std::string body = Body("Once", "FullImport", R"(,"pageSize":42)");
  auto first = Create(1, body, {{"Idempotency-Key", "create-once-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_FALSE(first.HasHeader("Idempotent-Replayed"));

  auto replay = Create(1, body, {{"Idempotency-Key", "create-once-1"}});
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replay.body, first.body);
  EXPECT_EQ(replay.Header("Location"), first.Header("Location"));
  EXPECT_EQ(replay.Header("ETag"), first.Header("ETag"));
  ASSERT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 1);
  // The record keeps the profile as the create made it: a retry after a change still gets the first answer.
  ASSERT_EQ(srv().Put(TestServer::ProfilePath(1, first.json.Int("/id")), R"({"pageSize":7})").status, 200);
  auto after_change = Create(1, body, {{"Idempotency-Key", "create-once-1"}});
  EXPECT_EQ(after_change.status, 201);
  EXPECT_EQ(after_change.body, first.body);

  auto other_body = Create(1, Body("Twice", "FullImport"), {{"Idempotency-Key", "create-once-1"}});
  EXPECT_ERROR(other_body, 409, "CONFLICT");
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 1);

  // One activity for the one create (and one for the update); the replays recorded none.
  auto activities = srv().Get("/api/v1/activities?targetType=ConnectedSystemRunProfile");
  EXPECT_EQ(activities.json.Int("/totalCount"), 2);

  // Another key value is another request; the same value on another system or by another caller too.
  EXPECT_NE(Create(1, body, {{"Idempotency-Key", "create-once-2"}}).json.Int("/id"), first.json.Int("/id"));
  auto other_system = Create(2, body, {{"Idempotency-Key", "create-once-1"}});
  EXPECT_EQ(other_system.status, 201);
  EXPECT_FALSE(other_system.HasHeader("Idempotent-Replayed"));
  auto other_caller = srv().Send("POST", TestServer::ProfilesPath(1), body, srv().infra_key,
                                 {{"Idempotency-Key", "create-once-1"}});
  EXPECT_EQ(other_caller.status, 201);
  EXPECT_FALSE(other_caller.HasHeader("Idempotent-Replayed"));
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 3);

  // A failed create records nothing: the key can be used again once the body is valid.
  auto invalid = Create(1, Body("", "FullImport"), {{"Idempotency-Key", "after-failure"}});
  EXPECT_EQ(invalid.status, 400);
  EXPECT_EQ(Create(1, Body("ok", "FullImport"), {{"Idempotency-Key", "after-failure"}}).status, 201);

  EXPECT_EQ(Create(1, body, {{"Idempotency-Key", std::string(255, 'k')}}).status, 201);
  auto too_long = Create(1, body, {{"Idempotency-Key", std::string(256, 'k')}});
  EXPECT_ERROR(too_long, 400, "VALIDATION_ERROR");
}

}  // namespace
}  // namespace jim::http::testing

namespace jim::http::testing {
namespace {

TEST_F(RunProfileTest, ConcurrentIdenticalIdempotentPostsStoreOneProfile) {
  constexpr int kThreads = 8;
  const std::string body = R"({"name":"Race","runType":"FullImport"})";
  std::vector<std::thread> threads;
  std::vector<int> statuses(kThreads);
  std::vector<std::string> bodies(kThreads);
  std::atomic<int> replayed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client cli("127.0.0.1", srv().port());
      auto r = cli.Post(TestServer::ProfilesPath(1).c_str(),
                        {{"X-Api-Key", srv().admin_key}, {"Idempotency-Key", "race-1"}}, body, "application/json");
      if (!r) return;
      statuses[static_cast<size_t>(t)] = r->status;
      bodies[static_cast<size_t>(t)] = r->body;
      if (r->get_header_value("Idempotent-Replayed") == "true") ++replayed;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(statuses[static_cast<size_t>(t)], 201) << bodies[static_cast<size_t>(t)];
    EXPECT_EQ(bodies[static_cast<size_t>(t)], bodies[0]);
  }
  EXPECT_EQ(replayed.load(), kThreads - 1);
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 1);
}

}  // namespace
}  // namespace jim::http::testing
