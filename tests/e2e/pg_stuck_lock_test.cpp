// A stuck holder of the PostgreSQL write lock cannot hold writers forever (issue 17): a write waits at most
// --db-lock-timeout-ms and answers 503 with Retry-After; a node frozen inside a transaction (SIGSTOP) loses
// its session after --db-idle-in-transaction-timeout-ms, so the other node writes again without it.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "tests/e2e/harness.h"
#include "tests/e2e/postgresql_support.h"

namespace jim::e2e {
namespace {

using Clock = std::chrono::steady_clock;
const std::string kSystems = "/api/v1/synchronisation/connected-systems";
// The write lock of store/pg_catalog.cpp: class "JIM" 2, the schema's hash.
const std::string kWriteLock = "pg_advisory_xact_lock(1246317826, hashtext('public'))";
const std::string kHeld = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted";

ServerOptions Node(const std::string& url) {
  auto o = OnPostgres(url);
  o.args.insert(o.args.end(), {"--db-lock-timeout-ms", "1000", "--db-idle-in-transaction-timeout-ms", "3000"});
  return o;
}

bool WaitFor(const std::function<bool()>& ready, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(20ms);  // polling a condition, not ordering threads
  }
  return ready();
}

double SecondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

TEST(PostgresStuckLock, AWriteWaitsAtMostTheLockTimeoutThenAnswers503) {
  SKIP_WITHOUT_POSTGRESQL();
  Database db(TestDatabaseUrl());
  TempDir tmp;
  Server node(tmp / "n", tmp.path());
  ASSERT_TRUE(node.Start(Node(db.url())));
  std::string key = ReadFile(tmp / "n/initial-api-key");
  key.erase(key.find_last_not_of("\n") + 1);
  const std::string systems = node.base_url() + kSystems;

  // A session of someone else's takes the write lock and keeps it (a statement that does not end).
  Process holder({"psql", "-qAt", db.url(), "-c", "BEGIN; SELECT " + kWriteLock + "; SELECT pg_sleep(60)"}, {},
                 tmp / "holder.out", tmp / "holder.err");
  ASSERT_TRUE(WaitFor([&] { return db.Query(kHeld) == "1\n"; }, 10s)) << ReadFile(tmp / "holder.err");

  const auto t0 = Clock::now();
  auto refused = PostJson(systems, key, R"({"name":"Blocked","connectorDefinitionId":1})");
  const double waited = SecondsSince(t0);
  EXPECT_TRUE(IsEnvelope(refused, 503, "SERVICE_UNAVAILABLE"));
  EXPECT_EQ(refused.Header("Retry-After"), "5");
  EXPECT_GE(waited, 0.9) << "it waited for the lock first";
  EXPECT_LT(waited, 5.0) << "the lock timeout is 1 s";
  EXPECT_TRUE(HasStatus(Get(systems, key), 200)) << "reads need no lock";

  db.Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' "
           "AND pid <> pg_backend_pid()");
  EXPECT_TRUE(holder.Wait(10s).has_value());
  EXPECT_TRUE(HasStatus(PostJson(systems, key, R"({"name":"After","connectorDefinitionId":1})"), 201));
  EXPECT_EQ(db.Query("SELECT count(*) FROM connected_systems"), "1\n") << "the refused write left nothing";
  EXPECT_EQ(node.Stop(), 0);
}

TEST(PostgresStuckLock, ANodeFrozenInsideATransactionLosesItsSessionAndTheOtherWritesAgain) {
  SKIP_WITHOUT_POSTGRESQL();
  Database db(TestDatabaseUrl());
  TempDir tmp;
  Server a(tmp / "a", tmp.path()), b(tmp / "b", tmp.path());
  ASSERT_TRUE(a.Start(Node(db.url())));
  ASSERT_TRUE(b.Start(Node(db.url())));
  std::string key = ReadFile(tmp / "a/initial-api-key");
  key.erase(key.find_last_not_of("\n") + 1);
  auto owner = PostJson(a.base_url() + kSystems, key, R"({"name":"Frozen","connectorDefinitionId":1})");
  ASSERT_TRUE(HasStatus(owner, 201));
  const std::string profiles = kSystems + "/" + std::to_string(*Json(owner.body).Int("id")) + "/run-profiles";

  // Writers keep node A's write path busy; A is stopped until one of its sessions is caught holding the
  // write lock idle inside a transaction for 200 ms (a stop between two transactions, or just after A sent its
  // COMMIT, is released and tried again).
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w)
    writers.emplace_back([&] {
      while (!stop) PostJson(a.base_url() + profiles, key, R"({"name":"Load","runType":"FullImport"})");
    });
  const std::string frozen_holder =
      "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s USING (pid) WHERE l.locktype = 'advisory' "
      "AND l.granted AND s.state = 'idle in transaction' AND s.state_change < now() - interval '200 milliseconds'";
  bool caught = false;
  for (int attempt = 0; attempt < 40 && !caught; ++attempt) {
    ::kill(a.pid(), SIGSTOP);
    caught = WaitFor([&] { return db.Query(frozen_holder) == "1\n"; }, 500ms);
    if (!caught) ::kill(a.pid(), SIGCONT);
  }
  ASSERT_TRUE(caught) << "node A was never stopped inside a transaction";

  // B's writes: refused (503) while A's session holds the lock, then through once PostgreSQL ended it.
  const auto t0 = Clock::now();
  int refused = 0;
  HttpResponse created;
  while (SecondsSince(t0) < 15) {
    created = PostJson(b.base_url() + profiles, key, R"({"name":"From B","runType":"DeltaImport"})");
    if (created.status == 201) break;
    EXPECT_TRUE(IsEnvelope(created, 503, "SERVICE_UNAVAILABLE"));
    ++refused;
  }
  const double freed = SecondsSince(t0);
  EXPECT_TRUE(HasStatus(created, 201));
  EXPECT_LT(freed, 8.0) << "the idle-in-transaction timeout is 3 s";
  EXPECT_GE(refused, 1) << "B met the held lock first";

  // A thaws: its frozen transaction is gone (its answer a 503, nothing half-written), and it writes again.
  ::kill(a.pid(), SIGCONT);
  stop = true;
  for (auto& t : writers) t.join();
  EXPECT_TRUE(HasStatus(PostJson(a.base_url() + profiles, key, R"({"name":"Thawed","runType":"FullImport"})"), 201));
  // Only creates ran: each stored profile has exactly its one activity, and nothing else was kept.
  const std::string cs = std::to_string(*Json(owner.body).Int("id"));
  auto listed = Get(b.base_url() + profiles, key);
  ASSERT_TRUE(HasStatus(listed, 200));
  auto audit = Get(b.base_url() + "/api/v1/activities?pageSize=1&targetType=ConnectedSystemRunProfile&connectedSystemId=" + cs, key);
  ASSERT_TRUE(HasStatus(audit, 200));
  EXPECT_EQ(Json(audit.body).Int("totalCount"), static_cast<int64_t>(Json(listed.body).ArraySize()));
  EXPECT_EQ(a.Stop(), 0);
  EXPECT_EQ(b.Stop(), 0);
}

}  // namespace
}  // namespace jim::e2e
