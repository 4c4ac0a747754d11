// Several jim-edge nodes on one PostgreSQL database (issue 17): the real binary twice, on loopback ports,
// over the throwaway cluster of scripts/test.sh (JIM_TEST_DATABASE_URL); each test gets a database of its
// own. The outage test starts a private cluster (scripts/pg_cluster.sh) so that stopping it disturbs no
// other test.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <set>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/e2e/postgresql_support.h"

namespace jim::e2e {
namespace {

// Calls `request(i)` for i in [0, n) on n threads released together; the answers in order. Odd i go to
// one node, even i to the other (the caller's `request` decides which).
template <class Request>
std::vector<HttpResponse> AllAtOnce(int n, Request request) {
  std::vector<HttpResponse> answers(n);
  std::latch go(n);
  std::vector<std::thread> clients;
  for (int i = 0; i < n; ++i) {
    clients.emplace_back([&, i] {
      go.arrive_and_wait();
      answers[i] = request(i);
    });
  }
  for (auto& t : clients) t.join();
  return answers;
}

int CountStatus(const std::vector<HttpResponse>& answers, int status) {
  return static_cast<int>(
      std::count_if(answers.begin(), answers.end(), [&](const HttpResponse& r) { return r.status == status; }));
}

TEST(PostgresE2E, TwoNodesShareOneTruthAndOneBootstrapKey) {
  SKIP_WITHOUT_POSTGRESQL();
  Database db(TestDatabaseUrl());
  TempDir tmp;
  Server a(tmp / "a", tmp.path()), b(tmp / "b", tmp.path());
  // Both start at once on the empty database: one migration, one initial key, one key file.
  ::testing::AssertionResult started_a = ::testing::AssertionSuccess(), started_b = ::testing::AssertionSuccess();
  {
    std::thread ta([&] { started_a = a.Start(OnPostgres(db.url())); });
    std::thread tb([&] { started_b = b.Start(OnPostgres(db.url())); });
    ta.join();
    tb.join();
  }
  ASSERT_TRUE(started_a);
  ASSERT_TRUE(started_b);
  const bool file_a = std::filesystem::exists(tmp / "a/initial-api-key");
  const bool file_b = std::filesystem::exists(tmp / "b/initial-api-key");
  ASSERT_NE(file_a, file_b) << "exactly one node writes the key file";
  EXPECT_EQ(db.Query("SELECT count(*) FROM api_keys"), "1\n");
  // Each migration applied exactly once although both nodes started on the empty database at once.
  EXPECT_EQ(db.Query("SELECT count(*) = max(version) AND count(DISTINCT version) = count(*) FROM schema_migrations"),
            "t\n");
  std::string key = ReadFile(file_a ? tmp / "a/initial-api-key" : tmp / "b/initial-api-key");
  key.erase(key.find_last_not_of("\n") + 1);
  EXPECT_FALSE(Contains(a.Log() + b.Log(), key)) << "the key never reaches a log";

  // A change on one node is read back from the other at once, both ways.
  const std::string systems = "/api/v1/synchronisation/connected-systems";
  auto created = PostJson(a.base_url() + systems, key, R"({"name":"HR","connectorDefinitionId":1})");
  ASSERT_TRUE(HasStatus(created, 201));
  const int64_t id = *Json(created.body).Int("id");
  const std::string one = systems + "/" + std::to_string(id);
  auto seen = Get(b.base_url() + one, key);
  ASSERT_TRUE(HasStatus(seen, 200));
  EXPECT_EQ(Json(seen.body).Str("name"), "HR");
  auto profile = PostJson(b.base_url() + one + "/run-profiles", key, R"({"name":"Full","runType":"FullImport"})");
  ASSERT_TRUE(HasStatus(profile, 201));
  auto list = Get(a.base_url() + one + "/run-profiles", key);
  ASSERT_TRUE(HasStatus(list, 200));
  EXPECT_EQ(Json(list.body).ArraySize(), 1u) << list.body;
  ASSERT_TRUE(HasStatus(Delete(b.base_url() + one, key), 204));
  EXPECT_TRUE(IsEnvelope(Get(a.base_url() + one, key), 404, "NOT_FOUND"));
  EXPECT_TRUE(IsEnvelope(Get(a.base_url() + one + "/run-profiles", key), 404, "NOT_FOUND"));

  // A key created on A and used on B (B keeps it for authentication), creates through A (they move only the
  // catalog version: B keeps the key), then the key deleted through A: B refuses it at once (the key version).
  auto made = PostJson(a.base_url() + "/api/v1/apikeys", key, R"({"name":"Second","roleIds":[1]})");
  ASSERT_TRUE(HasStatus(made, 201));
  const std::string second = *Json(made.body).Str("key"), second_id = *Json(made.body).Str("id");
  ASSERT_TRUE(HasStatus(Get(b.base_url() + systems, second), 200));
  std::vector<int64_t> kept;
  for (int i = 0; i < 3; ++i) {
    auto made_system =
        PostJson(a.base_url() + systems, key, R"({"name":"Kept )" + std::to_string(i) + R"(","connectorDefinitionId":1})");
    ASSERT_TRUE(HasStatus(made_system, 201));
    kept.push_back(*Json(made_system.body).Int("id"));
    ASSERT_TRUE(HasStatus(Get(b.base_url() + systems, second), 200));
  }
  ASSERT_TRUE(HasStatus(Delete(a.base_url() + "/api/v1/apikeys/" + second_id, key), 204));
  EXPECT_TRUE(IsEnvelope(Get(b.base_url() + systems, second), 401, "UNAUTHORISED"));
  for (int64_t system_id : kept)
    ASSERT_TRUE(HasStatus(Delete(a.base_url() + systems + "/" + std::to_string(system_id), key), 204));

  // 50 creates of one name, spread over both nodes, all at once: exactly one 201, the rest 409.
  constexpr int kClients = 50;
  auto creates = AllAtOnce(kClients, [&](int i) {
    const std::string name = i % 2 ? "Same Name" : "SAME NAME";
    return PostJson((i % 2 ? a : b).base_url() + systems, key,
                    R"({"name":")" + name + R"(","connectorDefinitionId":1})");
  });
  EXPECT_EQ(CountStatus(creates, 201), 1);
  EXPECT_EQ(CountStatus(creates, 409), kClients - 1);
  EXPECT_EQ(db.Query("SELECT count(*) FROM connected_systems"), "1\n");

  // One Idempotency-Key sent to both nodes at once: one profile, and every answer is that create's 201.
  auto owner = PostJson(a.base_url() + systems, key, R"({"name":"Idem","connectorDefinitionId":1})");
  ASSERT_TRUE(HasStatus(owner, 201));
  const std::string profiles = systems + "/" + std::to_string(*Json(owner.body).Int("id")) + "/run-profiles";
  constexpr int kRetries = 20;
  auto answers = AllAtOnce(kRetries, [&](int i) {
    return PostJson((i % 2 ? a : b).base_url() + profiles, key, R"({"name":"Once","runType":"FullImport"})",
                    {"-H", "Idempotency-Key: two-nodes-1"});
  });
  std::set<int64_t> profile_ids;
  int replayed = 0;
  for (const auto& r : answers) {
    EXPECT_EQ(r.status, 201) << r.body;
    if (auto pid = Json(r.body).Int("id")) profile_ids.insert(*pid);
    replayed += r.Header("Idempotent-Replayed") == "true";
  }
  EXPECT_EQ(profile_ids.size(), 1u);
  EXPECT_EQ(replayed, kRetries - 1);
  auto once = Get(b.base_url() + profiles, key);
  ASSERT_TRUE(HasStatus(once, 200));
  ASSERT_EQ(Json(once.body).ArraySize(), 1u) << once.body;

  // If-Match with the same ETag from both nodes at once: one update wins, the others get 412.
  const std::string the_profile = profiles + "/" + std::to_string(*profile_ids.begin());
  const std::string etag = Get(a.base_url() + the_profile, key).Header("ETag");
  ASSERT_FALSE(etag.empty());
  constexpr int kRacers = 10;
  auto race = AllAtOnce(kRacers, [&](int i) {
    return Curl({"-X", "PUT", "-H", "X-Api-Key: " + key, "-H", "Content-Type: application/json", "-H",
                 "If-Match: " + etag, "--data-binary",
                 R"({"name":"Renamed )" + std::to_string(i) + R"(","runType":"FullImport"})",
                 (i % 2 ? a : b).base_url() + the_profile});
  });
  EXPECT_EQ(CountStatus(race, 200), 1);
  EXPECT_EQ(CountStatus(race, 412), kRacers - 1);
  // Node A rendered and kept that profile when it answered the ETag above; whichever node won, both now serve
  // the winner's version, never A's kept one (docs/store.md, "PostgreSQL": the catalog version).
  std::string winner;
  for (const auto& r : race)
    if (r.status == 200) winner = *Json(r.body).Str("name");
  for (Server* node : {&a, &b}) {
    auto now = Get(node->base_url() + the_profile, key);
    ASSERT_TRUE(HasStatus(now, 200));
    EXPECT_EQ(Json(now.body).Str("name"), winner) << node->base_url();
    EXPECT_NE(now.Header("ETag"), etag) << node->base_url();
  }

  EXPECT_EQ(a.Stop(), 0);
  EXPECT_EQ(b.Stop(), 0);
}

// The database stops: reads, writes and health/ready answer 503 with Retry-After, health/live 200; it comes
// back: the same process serves again, nothing restarted.
TEST(PostgresE2E, AnUnreachableDatabaseGives503AndTheNodeRecoversByItself) {
  SKIP_WITHOUT_POSTGRESQL();
  PrivateCluster cluster;
  ASSERT_FALSE(cluster.url().empty());
  TempDir tmp;
  Server node(tmp / "n", tmp.path());
  ASSERT_TRUE(node.Start(OnPostgres(cluster.url())));
  std::string key = ReadFile(tmp / "n/initial-api-key");
  key.erase(key.find_last_not_of("\n") + 1);
  const std::string systems = node.base_url() + "/api/v1/synchronisation/connected-systems";
  ASSERT_TRUE(HasStatus(PostJson(systems, key, R"({"name":"Before","connectorDefinitionId":1})"), 201));
  const pid_t pid = node.pid();
  // Read twice: the node now keeps the key and the list (docs/store.md, "PostgreSQL": the catalog version).
  // Kept or not, they are not served while the version cannot be read: another node may have changed them.
  ASSERT_TRUE(HasStatus(Get(systems, key), 200));
  ASSERT_TRUE(HasStatus(Get(systems, key), 200));

  ASSERT_TRUE(cluster.Control("pause"));
  auto ready = Get(node.base_url() + "/api/v1/health/ready", "");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_EQ(ready.Header("Retry-After"), "5");
  EXPECT_TRUE(Contains(ready.body, "database_unreachable")) << ready.body;
  EXPECT_TRUE(HasStatus(Get(node.base_url() + "/api/v1/health/live", ""), 200));
  auto read = Get(systems, key);
  EXPECT_TRUE(IsEnvelope(read, 503, "SERVICE_UNAVAILABLE"));
  EXPECT_FALSE(read.Header("Retry-After").empty());
  EXPECT_TRUE(
      IsEnvelope(PostJson(systems, key, R"({"name":"During","connectorDefinitionId":1})"), 503, "SERVICE_UNAVAILABLE"));

  ASSERT_TRUE(cluster.Control("resume"));  // returns once the server accepts connections
  EXPECT_TRUE(HasStatus(Get(node.base_url() + "/api/v1/health/ready", ""), 200));
  EXPECT_TRUE(HasStatus(PostJson(systems, key, R"({"name":"After","connectorDefinitionId":1})"), 201));
  auto list = Get(systems, key);
  ASSERT_TRUE(HasStatus(list, 200));
  EXPECT_EQ(Json(list.body).Int("totalCount"), 2) << "Before and After; the refused write left nothing";
  EXPECT_EQ(node.pid(), pid) << "the same process throughout";
  EXPECT_EQ(node.Stop(), 0);
}

}  // namespace
}  // namespace jim::e2e
