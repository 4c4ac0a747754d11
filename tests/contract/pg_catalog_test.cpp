// What only the PostgreSQL backend has to prove: migrations under concurrency, the refusal of a newer schema,
// transient failures retried inside the store, stale pooled connections replaced, and no password in a
// message. Beside the contract suite because they share its PgBackend (a fresh schema per test on the
// throwaway cluster); without JIM_TEST_DATABASE_URL they skip with the reason.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <latch>
#include <set>
#include <thread>
#include <utility>

#include "core/config_history.h"
#include "core/rules.h"
#include "store/pg_migrations.h"
#include "tests/contract/catalog_backends.h"

namespace jim::contract {
namespace {

using core::IdKind;
using core::OkStatus;
using core::Status;
using core::Transaction;

class PgCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = PgBackend::SkipReason(); !why.empty()) GTEST_SKIP() << why;
    backend_ = std::make_unique<PgBackend>();
  }
  // A connection of the test's own in the backend's schema.
  store::pg::Conn SchemaConn() {
    std::vector<std::string> k{"dbname"}, v{backend_->options().url};
    store::SchemaConnectionOptions(backend_->options().schema, &k, &v);
    return store::pg::Conn(k, v);
  }
  // Runs each of `writers` (one Transact each) on its own thread while a write holds this node's turn, and
  // lets that write finish once all of them are queued: they run as one group, in the order given. Latches,
  // not sleeps: the holding body runs until released, and the queue is watched through QueueDepth.
  static void AsOneGroup(store::PgCatalog& catalog, const std::vector<std::function<void()>>& writers) {
    std::latch started(1), release(1);
    std::thread holder([&] {
      EXPECT_TRUE(catalog
                      .Transact([&](Transaction&) -> Status {
                        started.count_down();
                        release.wait();
                        return OkStatus();
                      })
                      .ok());
    });
    started.wait();
    std::vector<std::thread> threads;
    for (const auto& w : writers) {  // one at a time, so the group runs them in the order given
      threads.emplace_back(w);
      while (catalog.QueueDepth() < threads.size()) std::this_thread::yield();
    }
    release.count_down();
    holder.join();
    for (auto& t : threads) t.join();
  }
  // Stores a connected system named `name` in a write of its own; its id, or 0 when the write failed.
  static core::Id StoreSystem(store::PgCatalog& catalog, const std::string& name) {
    core::ConnectedSystem system = store::testing::System(name);
    Status st = catalog.Transact([&](Transaction& tx) -> Status {
      system.id = tx.AllocateId(IdKind::kConnectedSystem);
      tx.Put(system);
      return OkStatus();
    });
    return st.ok() ? system.id : 0;
  }
  std::unique_ptr<PgBackend> backend_;
};

TEST_F(PgCatalogTest, SeveralNodesOpeningAtOnceMigrateOnce) {
  backend_->Admin("DROP SCHEMA " + backend_->options().schema + " CASCADE; CREATE SCHEMA " +
                  backend_->options().schema);
  constexpr int kNodes = 4;
  std::latch go(kNodes);
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&, i] {
      go.arrive_and_wait();
      auto opened = store::PgCatalog::Open(backend_->options());
      if (!opened.ok()) errors[i] = opened.error().message;
    });
  }
  for (auto& t : nodes) t.join();
  for (int i = 0; i < kNodes; ++i) EXPECT_EQ(errors[i], "") << "node " << i;
  auto conn = SchemaConn();
  auto rows = conn.Exec("SELECT count(*), max(version)::bigint FROM schema_migrations");
  EXPECT_EQ(rows.Int(0, 0), store::pg::LatestSchemaVersion());
  EXPECT_EQ(rows.Int(0, 1), store::pg::LatestSchemaVersion());
}

TEST_F(PgCatalogTest, ANewerSchemaIsRefusedInOneSentenceWithoutThePassword) {
  SchemaConn().Exec("INSERT INTO schema_migrations (version) VALUES (99)");
  store::PgOptions options = backend_->options();
  // The cluster trusts loopback, so a password in the URL is accepted and ignored: it must still not show.
  options.url.replace(options.url.find("postgres@"), 9, "postgres:hunter2@");
  auto opened = store::PgCatalog::Open(options);
  ASSERT_FALSE(opened.ok());
  const std::string& message = opened.error().message;
  EXPECT_NE(message.find("schema version 99"), std::string::npos) << message;
  EXPECT_NE(message.find("knows versions up to " + std::to_string(store::pg::LatestSchemaVersion())), std::string::npos)
      << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_NE(message.find("user=postgres password=****"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one sentence: " << message;
}

TEST_F(PgCatalogTest, AnUnreachableDatabaseIsUnavailableAndMasked) {
  store::PgOptions options;
  options.url = "postgresql://jim:hunter2@127.0.0.1:1/nowhere";
  auto opened = store::PgCatalog::Open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnavailable);
  EXPECT_EQ(opened.error().message.find("hunter2"), std::string::npos) << opened.error().message;
  EXPECT_EQ(opened.error().message.find('\n'), std::string::npos) << opened.error().message;
  // A password with an unencoded '@', an escaped space, a second secret option, a string libpq cannot
  // parse: libpq's own message (which quotes hosts and pieces of the string) carries no piece of them.
  for (const std::string url : {"postgresql://jim:hunter2@Piece@127.0.0.1:1/nowhere",
                                R"(host=127.0.0.1 port=1 password=hunter2\ Piece sslpassword=OtherPiece)",
                                "postgresql://[::1:1/nowhere?password=hunter2Piece", "host=127.0.0.1 password Piece"}) {
    options.url = url;
    auto refused = store::PgCatalog::Open(options);
    ASSERT_FALSE(refused.ok()) << url;
    EXPECT_EQ(refused.error().message.find("Piece"), std::string::npos) << refused.error().message;
    EXPECT_EQ(refused.error().message.find("hunter2"), std::string::npos) << refused.error().message;
  }
}

// The transaction's connection dies in the middle of the body (the server ended the backend, as a restart
// or a failover does): nothing was committed, so the store runs the body again on a new connection.
TEST_F(PgCatalogTest, AConnectionLostBeforeCommitIsRetriedAndCommitsOnce) {
  core::Catalog& catalog = backend_->catalog();
  int runs = 0;
  Status st = catalog.Transact([&](Transaction& tx) -> Status {
    core::ConnectedSystem cs = store::testing::System("Retried");
    cs.id = tx.AllocateId(IdKind::kConnectedSystem);
    if (++runs == 1)
      SchemaConn().Exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" +
              backend_->options().application_name + "' "
          "AND datname = current_database() AND state LIKE 'idle in transaction%'");
    tx.Put(cs);
    return OkStatus();
  });
  ASSERT_TRUE(st.ok()) << st.error().message << " / " << st.error().detail;
  EXPECT_EQ(runs, 2);
  auto systems = catalog.ListConnectedSystems().value();
  ASSERT_EQ(systems.size(), 1u);
  EXPECT_EQ(systems[0].name, "Retried");
  EXPECT_EQ(systems[0].id, 2) << "the id the lost attempt saw is not reused";
}

// Group commit: writers queued while a write holds the node's turn go together into the next transaction
// (one lock, one COMMIT); a body that fails after writing is rolled back to its savepoint and leaves
// nothing, while the others of its group commit (AsOneGroup forms the group).
TEST_F(PgCatalogTest, WritersQueuedBehindARunningWriteShareOneTransactionAndAFailedBodyLeavesNothing) {
  store::PgCatalog& catalog = backend_->pg();
  const core::Id cs = StoreSystem(catalog, "HR");
  ASSERT_NE(cs, 0);
  constexpr int kWriters = 8;
  std::vector<Status> results(kWriters, OkStatus());
  std::vector<core::Id> ids(kWriters, 0);
  std::vector<int64_t> seen_before(kWriters, -1), order(kWriters, -1);
  int next_order = 0;  // the bodies of a group run one after another on the leader's thread
  std::vector<std::function<void()>> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      results[i] = catalog.Transact([&, i](Transaction& tx) -> Status {
        order[i] = next_order++;
        seen_before[i] = static_cast<int64_t>(tx.ListRunProfiles(cs).size());
        core::RunProfile p = store::testing::Profile(cs, "p" + std::to_string(i));
        p.id = tx.AllocateId(IdKind::kRunProfile);
        ids[i] = p.id;
        tx.Put(p);
        auto a = store::testing::MakeActivity(store::testing::TestUuid(100 + i),
                                              core::TargetType::kConnectedSystemRunProfile, cs);
        a.run_profile_id = p.id;
        tx.Record(a);
        if (i % 2 == 1) return core::MakeError(core::ErrorCode::kConflict, "odd ones fail");
        if (i == 4) throw std::runtime_error("boom");
        return OkStatus();
      });
    });
  AsOneGroup(catalog, writers);

  EXPECT_EQ(catalog.MaxGroupSize(), static_cast<size_t>(kWriters)) << "the eight bodies were one group";
  int committed = 0;
  for (int i = 0; i < kWriters; ++i) {
    if (i % 2 == 1) {
      ASSERT_FALSE(results[i].ok());
      EXPECT_EQ(results[i].error().code, core::ErrorCode::kConflict);
    } else if (i == 4) {
      ASSERT_FALSE(results[i].ok());
      EXPECT_EQ(results[i].error().code, core::ErrorCode::kInternal);
    } else {
      ASSERT_TRUE(results[i].ok()) << results[i].error().detail;
    }
    committed += results[i].ok();
    EXPECT_EQ(catalog.GetRunProfile(ids[i]).value().has_value(), results[i].ok()) << i;
    EXPECT_EQ(catalog.GetActivity(store::testing::TestUuid(100 + i)).value().has_value(), results[i].ok()) << i;
  }
  // Each body saw exactly the bodies before it in the group that succeeded (a failed one's profile is gone).
  for (int i = 0; i < kWriters; ++i) {
    int64_t kept_before = 0;
    for (int j = 0; j < kWriters; ++j) kept_before += order[j] < order[i] && results[j].ok();
    EXPECT_EQ(seen_before[i], kept_before) << i;
  }
  EXPECT_EQ(catalog.CountRunProfiles(cs).value(), committed);
  core::ActivityQuery q;
  q.connected_system_id = cs;
  q.limit = 100;
  EXPECT_EQ(catalog.ListActivities(q).value().total, committed);
  std::set<core::Id> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), ids.size()) << "ids a failed body allocated are not handed out again";
}

// Every pooled connection is ended by the server (it restarted): the next read and write still work, on
// new connections, without reopening the catalog.
TEST_F(PgCatalogTest, StalePooledConnectionsAreReplaced) {
  core::Catalog& catalog = backend_->catalog();
  ASSERT_TRUE(catalog
                  .Transact([](Transaction& tx) -> Status {
                    core::ConnectedSystem cs = store::testing::System("Before");
                    cs.id = tx.AllocateId(IdKind::kConnectedSystem);
                    tx.Put(cs);
                    return OkStatus();
                  })
                  .ok());
  ASSERT_EQ(catalog.ListConnectedSystems().value().size(), 1u);
  auto killed = SchemaConn().Exec(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '" +
      backend_->options().application_name + "' "
      "AND datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_GE(killed.Int(0, 0), 1);
  EXPECT_EQ(catalog.ListConnectedSystems().value().size(), 1u);
  std::string reason;
  EXPECT_TRUE(catalog.IsWritable(&reason)) << reason;
  EXPECT_TRUE(catalog
                  .Transact([](Transaction& tx) -> Status {
                    EXPECT_TRUE(tx.FindConnectedSystemIdByName("before"));
                    return OkStatus();
                  })
                  .ok());
}

// A write reads its system's history head with the system (one statement, kept for the group's next body): in a group,
// each body must see the versions the bodies before it appended, and none a rolled-back body appended, so the
// system's versions stay 1..n without a gap or a duplicate (the primary key would refuse a duplicate).
TEST_F(PgCatalogTest, BodiesOfOneGroupAppendTheirSystemsVersionsInTurn) {
  store::PgCatalog& catalog = backend_->pg();
  const core::Id cs = StoreSystem(catalog, "HR");
  ASSERT_NE(cs, 0);
  const std::string key = std::to_string(cs);
  constexpr int kWriters = 6;
  std::vector<Status> results(kWriters, OkStatus());
  std::vector<int64_t> appended(kWriters, 0);
  std::vector<std::function<void()>> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      results[i] = catalog.Transact([&, i](Transaction& tx) -> Status {
        if (!tx.FindConnectedSystem(cs)) return core::MakeError(core::ErrorCode::kNotFound, "no system");
        core::ConfigNode delta;
        delta.key = "change";
        delta.value = std::to_string(i);
        auto activity = store::testing::MakeActivity(store::testing::TestUuid(200 + i),
                                                     core::TargetType::kConnectedSystem, cs);
        appended[i] = core::AppendConfigVersion(tx, activity, core::ConfigObjectType::kConnectedSystem, key,
                                                core::OperationType::kUpdate, "change " + std::to_string(i), delta,
                                                [&] { return core::WholeConnectedSystem(tx, cs); });
        tx.Record(activity);
        if (i == 2 || i == 3) return core::MakeError(core::ErrorCode::kConflict, "this one fails after appending");
        return OkStatus();
      });
    });
  AsOneGroup(catalog, writers);

  ASSERT_EQ(catalog.MaxGroupSize(), static_cast<size_t>(kWriters));
  std::set<int64_t> kept;
  for (int i = 0; i < kWriters; ++i) {
    EXPECT_EQ(results[i].ok(), i != 2 && i != 3) << i;
    if (results[i].ok()) {
      EXPECT_TRUE(kept.insert(appended[i]).second) << "body " << i << " appended a version twice";
    }
  }
  auto page = catalog.ListConfigVersions(core::ConfigObjectType::kConnectedSystem, key, 0, 100).value();
  ASSERT_EQ(page.total, static_cast<int64_t>(kept.size()));
  ASSERT_EQ(page.items.size(), kept.size());
  for (size_t n = 0; n < page.items.size(); ++n)
    EXPECT_EQ(page.items[n].version, static_cast<int64_t>(page.items.size() - n)) << "versions are 1..total";
  EXPECT_EQ(*kept.begin(), 1);
  EXPECT_EQ(*kept.rbegin(), static_cast<int64_t>(kept.size()));
}

// What a body of a group read of a system is kept for the bodies after it (one statement fewer each): a body
// that changes the system, or its connector, must be seen by the next one, as if each had committed alone.
TEST_F(PgCatalogTest, TheNextBodyOfAGroupSeesTheSystemAndConnectorAsTheBodyBeforeItLeftThem) {
  store::PgCatalog& catalog = backend_->pg();
  core::ConnectorDefinition connector;
  connector.name = "Directory";
  connector.description = "as stored";
  core::ConnectedSystem system;
  ASSERT_TRUE(catalog
                  .Transact([&](Transaction& tx) -> Status {
                    connector.id = tx.AllocateId(IdKind::kConnectorDefinition);
                    tx.Put(connector);
                    system = store::testing::System("HR", connector.id);
                    system.id = tx.AllocateId(IdKind::kConnectedSystem);
                    tx.Put(system);
                    return OkStatus();
                  })
                  .ok());
  const core::Id cs = system.id;
  constexpr int kBodies = 4, kRenamer = 1, kConnectorChanger = 2;  // each change alone: neither hides the other
  std::vector<std::string> names_seen(kBodies), connectors_seen(kBodies);
  std::vector<int> order(kBodies, -1);
  int next_order = 0;  // the bodies of a group run one after another on the leader's thread
  std::vector<std::function<void()>> writers;
  for (int i = 0; i < kBodies; ++i)
    writers.emplace_back([&, i] {
      EXPECT_TRUE(catalog
                      .Transact([&, i](Transaction& tx) -> Status {
                        order[i] = next_order++;
                        auto system = tx.FindConnectedSystem(cs);
                        if (!system) return core::MakeError(core::ErrorCode::kNotFound, "no system");
                        auto def = tx.FindConnectorDefinition(system->connector_id);
                        if (!def) return core::MakeError(core::ErrorCode::kNotFound, "no connector");
                        names_seen[i] = system->name;
                        connectors_seen[i] = def->description;
                        if (i == kRenamer) {
                          system->name = "HR renamed";
                          tx.Put(*system);
                        }
                        if (i == kConnectorChanger) {
                          def->description = "changed";
                          tx.Put(*def);
                        }
                        return OkStatus();
                      })
                      .ok());
    });
  AsOneGroup(catalog, writers);
  ASSERT_EQ(catalog.MaxGroupSize(), static_cast<size_t>(kBodies));
  for (int i = 0; i < kBodies; ++i) {
    EXPECT_EQ(order[i], i) << "AsOneGroup queues them in order";
    EXPECT_EQ(names_seen[i], i > kRenamer ? "HR renamed" : "HR") << "body " << i;
    EXPECT_EQ(connectors_seen[i], i > kConnectorChanger ? "changed" : "as stored") << "body " << i;
  }
  EXPECT_EQ(catalog.GetConnectedSystem(cs).value()->name, "HR renamed");
}

// A body's writes are sent with its next read, or at its end (pg::Conn::Defer): a write the database refuses
// (here a second system whose folded name the unique index already holds, which core would have refused
// first) fails its own body only, in a group as alone; the bodies around it commit.
TEST_F(PgCatalogTest, ADeferredWriteTheDatabaseRefusesFailsItsOwnBodyOnly) {
  store::PgCatalog& catalog = backend_->pg();
  auto put_system = [](const std::string& name) {
    return [name](Transaction& tx) -> Status {
      core::ConnectedSystem cs = store::testing::System(name);
      cs.id = tx.AllocateId(IdKind::kConnectedSystem);
      tx.Put(cs);
      return OkStatus();
    };
  };
  ASSERT_TRUE(catalog.Transact(put_system("Taken")).ok());
  Status alone = catalog.Transact(put_system("TAKEN"));
  ASSERT_FALSE(alone.ok());
  EXPECT_EQ(alone.error().code, core::ErrorCode::kInternal);

  const std::vector<std::string> names = {"First", "taken", "Third"};
  std::vector<Status> results(names.size(), OkStatus());
  std::vector<std::function<void()>> writers;
  for (size_t i = 0; i < names.size(); ++i)
    writers.emplace_back([&, i] { results[i] = catalog.Transact(put_system(names[i])); });
  AsOneGroup(catalog, writers);
  EXPECT_GE(catalog.MaxGroupSize(), names.size()) << "the three bodies were one group";
  EXPECT_TRUE(results[0].ok()) << results[0].error().detail;
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, core::ErrorCode::kInternal);
  EXPECT_TRUE(results[2].ok()) << results[2].error().detail;
  std::set<std::string> stored;
  for (const auto& cs : catalog.ListConnectedSystems().value()) stored.insert(cs.name);
  EXPECT_EQ(stored, (std::set<std::string>{"Taken", "First", "Third"}));
}

// Several nodes, one truth (store/pg_read_cache.h): node A keeps what it read, node B changes it, and A's next
// request (a scope opened after B's write returned) reads the change, never what A kept. Would fail with any
// cache served without a version read that started after the request arrived.
TEST_F(PgCatalogTest, TwoNodesNeverServeAKeptValueAfterTheOtherNodeChangedIt) {
  store::PgCatalog& a = backend_->pg();
  auto opened_b = store::PgCatalog::Open(backend_->options());
  ASSERT_TRUE(opened_b.ok()) << opened_b.error().message;
  store::PgCatalog& b = **opened_b;
  core::ConnectedSystem cs = store::testing::System("Before");
  core::RunProfile rp;
  core::ApiKey key;
  key.id = store::testing::TestUuid(1);
  key.name = "k";
  key.digest_hex = std::string(64, 'a');
  key.enabled = true;
  ASSERT_TRUE(b.Transact([&](Transaction& tx) -> Status {
                 cs.id = tx.AllocateId(IdKind::kConnectedSystem);
                 tx.Put(cs);
                 rp = store::testing::Profile(cs.id, "Full");
                 rp.id = tx.AllocateId(IdKind::kRunProfile);
                 tx.Put(rp);
                 tx.Put(key);
                 return OkStatus();
               }).ok());
  // What a get, a list and authentication read on A, twice: the second request answers from memory.
  auto read_on_a = [&] {
    auto request = a.BeginRequest();
    struct Seen {
      std::string system;
      size_t profiles;
      std::string profile;
      bool key_enabled;
    };
    auto system = a.GetConnectedSystem(cs.id).value();
    auto profiles = a.ListRunProfiles(cs.id).value();
    auto profile = a.GetRunProfileOf(cs.id, rp.id).value();
    auto found = a.FindApiKeyByDigest(key.digest_hex).value();
    return Seen{system ? system->name : "", profiles.size(), profile ? profile->name : "", found && found->enabled};
  };
  (void)read_on_a();
  const uint64_t hits = a.CacheHits(), version_reads = a.VersionReads();
  auto again = read_on_a();
  EXPECT_EQ(again.system, "Before");
  EXPECT_EQ(a.CacheHits(), hits + 4) << "the second request was answered from memory";
  EXPECT_EQ(a.VersionReads(), version_reads + 1) << "one version read for the request's four reads";

  // B changes every one of them; A's next request sees each change.
  ASSERT_TRUE(b.Transact([&](Transaction& tx) -> Status {
                 cs.name = "After";
                 tx.Put(cs);
                 rp.name = "Renamed";
                 tx.Put(rp);
                 core::RunProfile second = store::testing::Profile(cs.id, "Second");
                 second.id = tx.AllocateId(IdKind::kRunProfile);
                 tx.Put(second);
                 key.enabled = false;
                 tx.Put(key);
                 return OkStatus();
               }).ok());
  auto after = read_on_a();
  EXPECT_EQ(after.system, "After");
  EXPECT_EQ(after.profiles, 2u);
  EXPECT_EQ(after.profile, "Renamed");
  EXPECT_FALSE(after.key_enabled) << "a key disabled on B stops working on A at once";
  // Deleted on B: gone on A, also from the rendered-list version's point of view.
  const uint64_t list_version = [&] {
    auto request = a.BeginRequest();
    return a.RunProfileListVersion(cs.id);
  }();
  ASSERT_TRUE(b.Transact([&](Transaction& tx) -> Status {
                 tx.DeleteConnectedSystem(cs.id);
                 return OkStatus();
               }).ok());
  auto request = a.BeginRequest();
  EXPECT_NE(a.RunProfileListVersion(cs.id), list_version);
  EXPECT_FALSE(a.GetConnectedSystem(cs.id).value());
  EXPECT_TRUE(a.ListRunProfiles(cs.id).value().empty());
  EXPECT_FALSE(a.GetRunProfileOf(cs.id, rp.id).value());
}

// Authentication under write load (store/pg_read_cache.h, the key version): writes that change no key, on
// this node or another, leave the keys a node keeps in memory; a key revoked through another node (both
// catalogs on one schema: two nodes) is refused at once by the node that kept it. KeyLoads counts the key
// reads that went to the database, so a cache that re-read the key after every create fails here.
TEST_F(PgCatalogTest, CreatesKeepAKeptKeyAndARevokeOnAnotherNodeIsSeenAtOnce) {
  store::PgCatalog& a = backend_->pg();
  auto opened_b = store::PgCatalog::Open(backend_->options());
  ASSERT_TRUE(opened_b.ok()) << opened_b.error().message;
  store::PgCatalog& b = **opened_b;
  core::ApiKey key;
  key.id = store::testing::TestUuid(7);
  key.name = "k";
  key.digest_hex = std::string(64, 'b');
  key.enabled = true;
  core::ConnectedSystem cs = store::testing::System("Loaded");
  ASSERT_TRUE(a.Transact([&](Transaction& tx) -> Status {
                 tx.Put(key);
                 cs.id = tx.AllocateId(IdKind::kConnectedSystem);
                 tx.Put(cs);
                 return OkStatus();
               }).ok());
  // One request on `node`: authentication, then a get of the catalog.
  auto authenticate = [&](store::PgCatalog& node) {
    auto request = node.BeginRequest();
    auto found = node.FindApiKeyByDigest(key.digest_hex).value();
    (void)node.GetConnectedSystem(cs.id).value();
    return found && found->enabled;
  };
  ASSERT_TRUE(authenticate(b));
  const uint64_t key_loads = b.KeyLoads(), version_reads = b.VersionReads();
  // Creates through both nodes, each followed by a request on B: every one reads the versions, none the key.
  for (int i = 0; i < 6; ++i) {
    store::PgCatalog& writer = i % 2 ? a : b;
    ASSERT_TRUE(writer
                    .Transact([&](Transaction& tx) -> Status {
                      core::RunProfile rp = store::testing::Profile(cs.id, "P" + std::to_string(i));
                      rp.id = tx.AllocateId(IdKind::kRunProfile);
                      tx.Put(rp);
                      return OkStatus();
                    })
                    .ok());
    EXPECT_TRUE(authenticate(b));
  }
  EXPECT_EQ(b.KeyLoads(), key_loads) << "a create changed no key: authentication stayed in memory";
  EXPECT_EQ(b.VersionReads(), version_reads + 6) << "one version read per request, as before";
  // A touch (its last use) is no change of the key either.
  a.TouchApiKey(key.id, 1'000);
  ASSERT_TRUE(a.Transact([](Transaction&) { return OkStatus(); }).ok());  // the touch is in when it returns
  EXPECT_TRUE(authenticate(b));
  EXPECT_EQ(b.KeyLoads(), key_loads);

  // Revoked through A (disabled, then deleted): B, which kept it, refuses it at its next request.
  ASSERT_TRUE(a.Transact([&](Transaction& tx) -> Status {
                 key.enabled = false;
                 tx.Put(key);
                 return OkStatus();
               }).ok());
  EXPECT_FALSE(authenticate(b)) << "a key disabled on A was served from B's memory";
  EXPECT_EQ(b.KeyLoads(), key_loads + 1);
  key.enabled = true;
  ASSERT_TRUE(a.Transact([&](Transaction& tx) -> Status {
                 tx.Put(key);
                 return OkStatus();
               }).ok());
  EXPECT_TRUE(authenticate(b));
  ASSERT_TRUE(a.Transact([&](Transaction& tx) -> Status {
                 tx.DeleteApiKey(key.id);
                 return OkStatus();
               }).ok());
  EXPECT_FALSE(authenticate(b)) << "a key deleted on A was served from B's memory";
}

// A database at schema 3 (one version only) migrates forward: its catalog version is kept, the key version
// starts at 1, and from then on a change of a key raises it, whoever writes it (here: plain SQL, as a node
// still running the previous binary or psql would), while a touch of its last use does not.
TEST_F(PgCatalogTest, ADatabaseBeforeTheKeyVersionMigratesForwardAndEveryKeyWriterRaisesIt) {
  backend_->Admin("DROP SCHEMA " + backend_->options().schema + " CASCADE; CREATE SCHEMA " +
                  backend_->options().schema);
  {
    auto conn = SchemaConn();
    // What migration 4 adds, undone after a migration to the latest: the database as schema 3 left it.
    ASSERT_TRUE(store::pg::Migrate(conn, "test").ok());
    conn.ExecScript(
        "DROP TRIGGER api_keys_raise_key_version ON api_keys; DROP FUNCTION raise_key_version(); "
        "ALTER TABLE catalog_version DROP COLUMN key_version; DELETE FROM schema_migrations WHERE version >= 4; "
        "UPDATE catalog_version SET version = 41");
  }
  auto opened = store::PgCatalog::Open(backend_->options());
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto conn = SchemaConn();
  using Versions = std::pair<int64_t, int64_t>;  // catalog, keys
  auto versions = [&] {
    auto r = conn.Exec("SELECT version, key_version FROM catalog_version");
    return std::pair(r.Int(0, 0), r.Int(0, 1));
  };
  EXPECT_EQ(versions(), Versions(41, 1));
  conn.ExecScript(
      "INSERT INTO api_keys (id, digest_hex, body) VALUES ('k1', repeat('c', 64), decode('00', 'hex'))");
  EXPECT_EQ(versions(), Versions(41, 2)) << "an inserted key";
  conn.ExecScript("UPDATE api_keys SET last_used_at = 5 WHERE id = 'k1'");
  EXPECT_EQ(versions(), Versions(41, 2)) << "a touch is no change of the key";
  conn.ExecScript("UPDATE api_keys SET body = decode('01', 'hex') WHERE id = 'k1'");
  EXPECT_EQ(versions(), Versions(41, 3)) << "a changed body";
  conn.ExecScript("DELETE FROM api_keys");
  EXPECT_EQ(versions(), Versions(41, 4)) << "a deleted key";
  ASSERT_TRUE((*opened)
                  ->Transact([](Transaction& tx) -> Status {
                    (void)tx.AllocateId(IdKind::kConnectedSystem);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(versions(), Versions(42, 4)) << "a write group that changes no key";
}

// A request that writes and then reads in the same scope reads its own write (the scope validates again).
TEST_F(PgCatalogTest, ARequestReadsItsOwnWriteAfterTransact) {
  store::PgCatalog& a = backend_->pg();
  core::ConnectedSystem cs = store::testing::System("Mine");
  auto request = a.BeginRequest();
  EXPECT_TRUE(a.ListConnectedSystems().value().empty());
  ASSERT_TRUE(a.Transact([&](Transaction& tx) -> Status {
                 cs.id = tx.AllocateId(IdKind::kConnectedSystem);
                 tx.Put(cs);
                 return OkStatus();
               }).ok());
  EXPECT_EQ(a.ListConnectedSystems().value().size(), 1u);
  EXPECT_TRUE(a.GetConnectedSystem(cs.id).value());
}

// A version read that cannot complete (here: another session holds catalog_version's lock past this node's
// lock_timeout) answers kUnavailable (503), never the value kept from before: another node may have changed it.
// A failed read keeps nothing, and once the version reads again the kept value serves.
TEST_F(PgCatalogTest, AFailedVersionReadIsUnavailableNotAKeptAnswer) {
  store::PgOptions options = backend_->options();
  options.lock_timeout = std::chrono::milliseconds(200);
  auto opened = store::PgCatalog::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  store::PgCatalog& node = **opened;
  core::ConnectedSystem cs = store::testing::System("Kept");
  ASSERT_TRUE(node.Transact([&](Transaction& tx) -> Status {
                    cs.id = tx.AllocateId(IdKind::kConnectedSystem);
                    tx.Put(cs);
                    return OkStatus();
                  })
                  .ok());
  {
    auto request = node.BeginRequest();
    ASSERT_TRUE(node.GetConnectedSystem(cs.id).value());  // kept
  }
  auto holder = SchemaConn();
  holder.ExecScript("BEGIN; LOCK TABLE catalog_version IN ACCESS EXCLUSIVE MODE");
  {
    auto request = node.BeginRequest();
    auto read = node.GetConnectedSystem(cs.id);
    ASSERT_FALSE(read.ok()) << "answered from memory without a version read";
    EXPECT_EQ(read.error().code, core::ErrorCode::kUnavailable);
    EXPECT_EQ(node.RunProfileListVersion(cs.id), 0u) << "no number a rendering could be kept or found under";
    auto list = node.ListConnectedSystems();
    ASSERT_FALSE(list.ok());
    EXPECT_EQ(list.error().code, core::ErrorCode::kUnavailable);
  }
  holder.ExecScript("ROLLBACK");
  const uint64_t hits = node.CacheHits();
  auto request = node.BeginRequest();
  auto again = node.GetConnectedSystem(cs.id);
  ASSERT_TRUE(again.ok()) << again.error().detail;
  ASSERT_TRUE(*again);
  EXPECT_EQ((*again)->name, "Kept");
  EXPECT_EQ(node.CacheHits(), hits + 1) << "the version did not move: from memory";
}

TEST(PgMaskPassword, HidesThePasswordInEveryUrlForm) {
  using store::pg::MaskPassword;
  EXPECT_EQ(MaskPassword("postgresql://jim:s3cret@db:5432/jim"), "user=jim password=**** dbname=jim host=db port=5432");
  EXPECT_EQ(MaskPassword("postgres://jim:s3cret@db/jim"), "user=jim password=**** dbname=jim host=db");
  EXPECT_EQ(MaskPassword("postgresql://jim@db/jim?password=s3cret&sslmode=require"),
            "user=jim password=**** dbname=jim host=db sslmode=require");
  EXPECT_EQ(MaskPassword("host=db user=jim password=s3cret dbname=jim"), "user=jim password=**** dbname=jim host=db");
  EXPECT_EQ(MaskPassword("host=db password = 'se cret' dbname=jim"), "password=**** dbname=jim host=db");
  EXPECT_EQ(MaskPassword("postgresql://jim@db/jim"), "user=jim dbname=jim host=db");
  EXPECT_EQ(MaskPassword("jim"), "dbname=jim") << "a plain database name";
  EXPECT_EQ(MaskPassword(R"(host='my host' application_name='it\'s')"), R"(host='my host' application_name='it\'s')");
}

// Each of these once put part of a secret into a log: libpq reads a backslash-escaped space inside a bare
// value, an escaped quote and percent-encoding as part of the password, and sslpassword is a secret too.
TEST(PgMaskPassword, NoPieceOfASecretSurvivesQuotingEscapingOrAnotherSecretOption) {
  using store::pg::MaskPassword;
  for (const std::string url : {
           R"(host=db password=Sec\ retPiece dbname=jim)",
           R"(host=db password='a\'SecretPiece' dbname=jim)",
           R"(host=db sslpassword=SecretPiece dbname=jim)",
           R"(postgresql://jim:Sec%20retPiece@db/jim)",
           R"(postgresql://db/jim?sslpassword=SecretPiece)",
       }) {
    const std::string shown = MaskPassword(url);
    EXPECT_EQ(shown.find("Piece"), std::string::npos) << url << " -> " << shown;
    EXPECT_NE(shown.find("****"), std::string::npos) << url << " -> " << shown;
  }
  // Not parseable by libpq: nothing of it is echoed (libpq's own message would quote it).
  for (const std::string url : {R"(postgresql://[::1:5432/db?password=SecretPiece)", R"(host=db password 'SecretPiece)",
                                R"(host=db password='it''sSecretPiece')"}) {
    EXPECT_EQ(MaskPassword(url), "(a connection string libpq cannot parse)") << url;
  }
}

}  // namespace
}  // namespace jim::contract
