// Moving up (issue 17): `jim-edge copy` moves an embedded store, filled through the real binary, into an empty
// PostgreSQL database; a node on that database then answers every read (the configuration change history
// included) exactly as the embedded node did, the old keys authenticate, idempotent replays still replay, new
// ids continue after the old ones, and a second copy into the now non-empty database is refused.
#include <filesystem>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/e2e/postgresql_support.h"

namespace jim::e2e {
namespace {

const std::string kSystems = "/api/v1/synchronisation/connected-systems";

std::string InitialKey(const std::string& data_dir) {
  std::string key = ReadFile(data_dir + "/initial-api-key");
  key.erase(key.find_last_not_of("\n") + 1);
  return key;
}

int64_t CreatedId(const HttpResponse& r) {
  EXPECT_EQ(r.status, 201) << r.body;
  return Json(r.body).Int("id").value_or(-1);
}

// Every read whose answer must not change by the move (api keys without lastUsedAt, which a request may touch).
std::vector<std::string> Reads(const std::vector<int64_t>& systems, const std::vector<std::string>& activities) {
  std::vector<std::string> paths = {kSystems + "?pageSize=100",
                                    "/api/v1/synchronisation/connector-definitions",
                                    "/api/v1/activities?pageSize=100",
                                    "/api/v1/activities?pageSize=100&targetType=ConnectedSystemRunProfile"};
  for (int64_t id : systems) {
    const std::string one = kSystems + "/" + std::to_string(id);
    paths.insert(paths.end(), {one, one + "/partitions", one + "/run-profiles", one + "/run-profiles?format=set",
                               "/api/v1/activities?pageSize=100&connectedSystemId=" + std::to_string(id),
                               one + "/change-history", one + "/change-history/1"});
  }
  for (const auto& id : activities) paths.push_back("/api/v1/activities/" + id);
  return paths;
}

TEST(CopyE2E, AnEmbeddedStoreMovesIntoPostgresqlWithItsIdsKeysAndHistory) {
  SKIP_WITHOUT_POSTGRESQL();
  Database db(TestDatabaseUrl());
  TempDir tmp;

  // ---- fill an embedded store through the real binary ----
  Server embedded(tmp / "embedded", tmp.path());
  ASSERT_TRUE(embedded.Start());
  const std::string admin = InitialKey(tmp / "embedded");
  const std::string base = embedded.base_url();
  std::vector<int64_t> systems;
  for (int i = 1; i <= 5; ++i)
    systems.push_back(CreatedId(PostJson(base + kSystems, admin,
                                         R"({"name":"System )" + std::to_string(i) + R"(","connectorDefinitionId":1})")));
  const std::string first = kSystems + "/" + std::to_string(systems[0]);
  const int64_t partition = CreatedId(PostJson(base + first + "/partitions", admin, R"({"name":"OU=People"})"));
  CreatedId(PostJson(base + first + "/partitions", admin, R"({"name":"OU=Groups","selected":false})"));
  std::vector<int64_t> profiles;
  for (size_t s = 0; s + 1 < systems.size(); ++s)
    for (int p = 1; p <= 3; ++p)
      profiles.push_back(CreatedId(PostJson(base + kSystems + "/" + std::to_string(systems[s]) + "/run-profiles", admin,
                                            R"({"name":"Profile )" + std::to_string(p) +
                                                R"(","runType":"FullImport","changeReason":"filled"})")));
  const std::string targeted = R"({"name":"Targeted","runType":"FullImport","partitionId":)" +
                               std::to_string(partition) + "}";
  auto idempotent = PostJson(base + first + "/run-profiles", admin, targeted, {"-H", "Idempotency-Key: move-1"});
  const int64_t idempotent_id = CreatedId(idempotent);
  // The highest ids are deleted: the copied sequences must continue after them, not after what is left.
  ASSERT_TRUE(HasStatus(Delete(base + kSystems + "/" + std::to_string(systems.back()), admin), 204));
  systems.pop_back();
  auto operator_key = PostJson(base + "/api/v1/apikeys", admin, R"({"name":"operator","roleIds":[1]})");
  ASSERT_TRUE(HasStatus(operator_key, 201));
  const std::string second_key = *Json(operator_key.body).Str("key");
  auto activities = Get(base + "/api/v1/activities?pageSize=100", admin);
  ASSERT_TRUE(HasStatus(activities, 200));
  std::vector<std::string> activity_ids;
  {
    Json page(activities.body);
    ASSERT_TRUE(page.ok);
    for (auto item : page.root["items"].get_array()) activity_ids.emplace_back(std::string(item["id"].get_string().value()));
    ASSERT_GE(activity_ids.size(), 20u);
  }
  const auto paths = Reads(systems, activity_ids);
  std::vector<std::string> before;
  for (const auto& path : paths) {
    auto r = Get(base + path, admin);
    ASSERT_TRUE(HasStatus(r, 200)) << path;
    before.push_back(r.body);
  }
  auto keys_before = Get(base + "/api/v1/apikeys", admin);
  ASSERT_TRUE(HasStatus(keys_before, 200));
  ASSERT_EQ(embedded.Stop(), 0);

  // ---- copy ----
  auto copied = RunJim({"copy", "--from-data-dir", tmp / "embedded", "--to-database-url", db.url()}, {}, 60s);
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_TRUE(Contains(copied.err, "run profiles: 13 rows")) << copied.err;
  EXPECT_EQ(db.Query("SELECT count(*) FROM api_keys"), "2\n");

  // ---- serve from PostgreSQL: the same answers ----
  Server moved(tmp / "moved", tmp.path());
  ASSERT_TRUE(moved.Start(OnPostgres(db.url())));
  EXPECT_FALSE(std::filesystem::exists(tmp / "moved/initial-api-key")) << "the copied keys are there: no bootstrap";
  const std::string pg = moved.base_url();
  for (size_t i = 0; i < paths.size(); ++i) {
    auto r = Get(pg + paths[i], admin);
    ASSERT_TRUE(HasStatus(r, 200)) << paths[i];
    EXPECT_EQ(r.body, before[i]) << paths[i];
  }
  // The keys by their ids, names and prefixes (lastUsedAt moves with use); both authenticate.
  {
    auto keys_after = Get(pg + "/api/v1/apikeys", admin);
    ASSERT_TRUE(HasStatus(keys_after, 200));
    Json a(keys_before.body), b(keys_after.body);
    ASSERT_EQ(a.ArraySize(), 2u);
    ASSERT_EQ(b.ArraySize(), 2u);
    for (size_t i = 0; i < 2; ++i)
      for (const char* field : {"id", "name", "keyPrefix", "createdAt"})
        EXPECT_EQ(a.root.at(i)[field].get_string().value(), b.root.at(i)[field].get_string().value()) << field;
  }
  auto who = Get(pg + "/api/v1/userinfo", second_key);
  ASSERT_TRUE(HasStatus(who, 200));
  EXPECT_EQ(Json(who.body).Str("name"), "operator");
  EXPECT_TRUE(IsEnvelope(Get(pg + "/api/v1/userinfo", NewApiKey()), 401, "UNAUTHORISED"));

  // The idempotency record came along: the same request replays the same profile.
  auto replay = PostJson(pg + first + "/run-profiles", admin, targeted, {"-H", "Idempotency-Key: move-1"});
  ASSERT_TRUE(HasStatus(replay, 201));
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replay.body, idempotent.body);

  // New ids continue after every id the embedded store handed out (the deleted system 5 included).
  const int64_t new_system = CreatedId(PostJson(pg + kSystems, second_key, R"({"name":"After","connectorDefinitionId":1})"));
  EXPECT_EQ(new_system, 6);
  const int64_t new_profile = CreatedId(PostJson(pg + first + "/run-profiles", admin, R"({"name":"After","runType":"DeltaImport"})"));
  EXPECT_EQ(new_profile, idempotent_id + 1);
  EXPECT_EQ(CreatedId(PostJson(pg + first + "/partitions", admin, R"({"name":"OU=After"})")), partition + 2);
  auto newest = Get(pg + "/api/v1/activities?pageSize=1", admin);
  ASSERT_TRUE(HasStatus(newest, 200));
  EXPECT_TRUE(Contains(newest.body, "OU=After")) << "a new activity is the newest: " << newest.body;
  EXPECT_EQ(moved.Stop(), 0);

  // ---- a second copy into the now non-empty database: refused, nothing changed ----
  const std::string count = db.Query("SELECT count(*) FROM connected_systems");
  auto again = RunJim({"copy", "--from-data-dir", tmp / "embedded", "--to-database-url", db.url()}, {}, 60s);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_TRUE(Contains(again.err, "is not empty")) << again.err;
  EXPECT_EQ(SplitLines(again.err).size(), 1u) << "one sentence: " << again.err;
  EXPECT_EQ(db.Query("SELECT count(*) FROM connected_systems"), count);
}

// The copy reads a stopped store: a running server's data dir is refused, and so is a dir that does not exist.
TEST(CopyE2E, RefusesARunningServersDataDirAndAMissingDir) {
  SKIP_WITHOUT_POSTGRESQL();
  Database db(TestDatabaseUrl());
  TempDir tmp;
  Server embedded(tmp / "embedded", tmp.path());
  ASSERT_TRUE(embedded.Start());
  auto busy = RunJim({"copy", "--from-data-dir", tmp / "embedded", "--to-database-url", db.url()});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_TRUE(Contains(busy.err, "in use by a running jim-edge")) << busy.err;
  EXPECT_EQ(embedded.Stop(), 0);
  auto missing = RunJim({"copy", "--from-data-dir", tmp / "nothing", "--to-database-url", db.url()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(Contains(missing.err, "does not exist")) << missing.err;
  EXPECT_EQ(db.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0\n") << "nothing was written";
}

}  // namespace
}  // namespace jim::e2e
