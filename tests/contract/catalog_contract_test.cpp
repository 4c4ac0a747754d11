// The catalog contract: every rule of core/catalog.h that core's services rely on, run against every
// Catalog implementation (catalog_backends.h). The unit tier tests the services over the in-memory
// catalog; this suite is what makes those results hold on RocksDB (and on any later backend).
//
// Where the backends could differ and the suite accepts it, the test says so (search for "Backends differ").
#include <gtest/gtest.h>

#include <functional>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/catalog.h"
#include "core/rules.h"
#include "tests/contract/catalog_backends.h"

namespace jim::contract {
namespace {

using core::ErrorCode;
using core::Id;
using core::IdKind;
using core::OkStatus;
using core::Status;
using core::Transaction;
using store::testing::MakeActivity;
using store::testing::Profile;
using store::testing::System;
using store::testing::TestUuid;

core::ApiKey Key(std::string id, char digest) {
  core::ApiKey k;
  k.id = std::move(id);
  k.name = "ops";
  k.description = "d";
  k.digest_hex = std::string(64, digest);
  k.key_prefix = "jim_ak_abcde";
  k.created_at = 5;
  k.role_ids = {core::kAdministratorRoleId};
  return k;
}

template <class Backend>
class CatalogContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = SkipReasonOf<Backend>(); !why.empty()) GTEST_SKIP() << why;
  }
  core::Catalog& catalog() { return backend_.catalog(); }
  void Reopen() { backend_.Reopen(); }

  // Runs `body` as one transaction that succeeds.
  Status Write(const std::function<void(Transaction&)>& body) {
    return catalog().Transact([&](Transaction& tx) -> Status {
      body(tx);
      return OkStatus();
    });
  }
  // A system with its create activity, the way the service writes it.
  Id NewSystem(const std::string& name, Id connector = 1) {
    Id id = 0;
    EXPECT_TRUE(Write([&](Transaction& tx) {
      core::ConnectedSystem cs = System(name, connector);
      cs.id = id = tx.AllocateId(IdKind::kConnectedSystem);
      tx.Put(cs);
      tx.Record(MakeActivity(NextActivityId(), core::TargetType::kConnectedSystem, cs.id, name));
    }).ok());
    return id;
  }
  Id NewPartition(Id cs, const std::string& name) {
    Id id = 0;
    EXPECT_TRUE(Write([&](Transaction& tx) {
      id = tx.AllocateId(IdKind::kPartition);
      tx.Put(core::Partition{id, cs, name, std::nullopt, true});
    }).ok());
    return id;
  }
  Id NewProfile(Id cs, const std::string& name) {
    Id id = 0;
    EXPECT_TRUE(Write([&](Transaction& tx) {
      core::RunProfile rp = Profile(cs, name);
      rp.id = id = tx.AllocateId(IdKind::kRunProfile);
      tx.Put(rp);
      core::Activity a = MakeActivity(NextActivityId(), core::TargetType::kConnectedSystemRunProfile, cs, name);
      a.run_profile_id = rp.id;
      tx.Record(a);
    }).ok());
    return id;
  }
  std::string NextActivityId() { return TestUuid(++activities_); }
  int64_t TotalActivities() { return catalog().ListActivities(core::ActivityQuery{}).value().total; }

 private:
  Backend backend_;
  uint64_t activities_ = 0;
};

TYPED_TEST_SUITE(CatalogContract, CatalogBackends, BackendName);

// ---- ids ---------------------------------------------------------------------------------------------

TYPED_TEST(CatalogContract, IdsStartAtOneForEveryKind) {
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    for (IdKind kind : {IdKind::kConnectorDefinition, IdKind::kConnectedSystem, IdKind::kPartition,
                        IdKind::kRunProfile}) {
      EXPECT_EQ(tx.AllocateId(kind), 1) << static_cast<int>(kind);
      EXPECT_EQ(tx.AllocateId(kind), 2) << static_cast<int>(kind);
    }
  }).ok());
}

TYPED_TEST(CatalogContract, IdsAreNeverReusedAfterTheHighestIsDeleted) {
  Id cs = this->NewSystem("HR");
  Id a = this->NewProfile(cs, "a");
  Id b = this->NewProfile(cs, "b");
  EXPECT_EQ(b, a + 1);
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    tx.DeleteRunProfile(b);
    tx.DeleteConnectedSystem(cs);
  }).ok());
  EXPECT_EQ(this->NewSystem("HR"), cs + 1);
  Id after = this->NewProfile(cs + 1, "c");
  EXPECT_EQ(after, b + 1);
  this->Reopen();
  EXPECT_EQ(this->NewProfile(cs + 1, "d"), after + 1) << "the high-water mark survives a reopen";
  EXPECT_EQ(this->NewSystem("Other"), cs + 2);
}

// Gaps are fine, reuse is not: an id a failed body saw may have been logged or shown.
TYPED_TEST(CatalogContract, IdsAllocatedByAFailedBodyAreNotReused) {
  Id seen = 0;
  Status failed = this->catalog().Transact([&](Transaction& tx) -> Status {
    seen = tx.AllocateId(IdKind::kRunProfile);
    return core::MakeError(ErrorCode::kConflict, "no");
  });
  ASSERT_FALSE(failed.ok());
  Id cs = this->NewSystem("HR");
  EXPECT_GT(this->NewProfile(cs, "p"), seen);
  this->Reopen();
  EXPECT_GT(this->NewProfile(cs, "q"), seen + 1);
}

// The built-in connectors are stored under fixed ids; the allocator must step over them.
TYPED_TEST(CatalogContract, ExplicitIdsRaiseTheHighWaterMark) {
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    for (Id id = 1; id <= 4; ++id) {
      core::ConnectorDefinition cd;
      cd.id = id;
      cd.name = "Built-in " + std::to_string(id);
      cd.built_in = true;
      tx.Put(cd);
    }
    EXPECT_EQ(tx.AllocateId(IdKind::kConnectorDefinition), 5);
  }).ok());
  this->Reopen();
  ASSERT_TRUE(this->Write([&](Transaction& tx) { EXPECT_EQ(tx.AllocateId(IdKind::kConnectorDefinition), 6); }).ok());
}

TYPED_TEST(CatalogContract, ConcurrentCreatesGetDistinctContiguousIds) {
  Id cs = this->NewSystem("HR");
  constexpr int kThreads = 8, kPerThread = 50;
  std::latch start(kThreads);
  std::vector<std::vector<Id>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) ids[t].push_back(this->NewProfile(cs, "p"));
    });
  }
  for (auto& t : threads) t.join();
  std::set<Id> all;
  for (auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kPerThread);
  EXPECT_EQ(this->catalog().CountRunProfiles(cs).value(), kThreads * kPerThread);
  EXPECT_EQ(this->TotalActivities(), kThreads * kPerThread + 1);
}

// ---- transactions ------------------------------------------------------------------------------------

TYPED_TEST(CatalogContract, AFailedBodyKeepsNothing) {
  Id cs = this->NewSystem("HR");
  const int64_t activities = this->TotalActivities();
  // Returned error, StoreUnavailable and any other exception: the same all-or-nothing, each with its code.
  const std::vector<std::pair<ErrorCode, std::function<Status()>>> failures = {
      {ErrorCode::kConflict, [] { return core::MakeError(ErrorCode::kConflict, "refused"); }},
      {ErrorCode::kUnavailable, []() -> Status { throw core::StoreUnavailable("io"); }},
      {ErrorCode::kInternal, []() -> Status { throw std::runtime_error("bug"); }},
  };
  for (const auto& [code, fail] : failures) {
    Status st = this->catalog().Transact([&](Transaction& tx) -> Status {
      core::RunProfile rp = Profile(cs, "never");
      rp.id = tx.AllocateId(IdKind::kRunProfile);
      tx.Put(rp);
      core::ConnectedSystem other = System("Never");
      other.id = tx.AllocateId(IdKind::kConnectedSystem);
      tx.Put(other);
      tx.Put(Key(TestUuid(500), 'n'));
      tx.Record(MakeActivity(TestUuid(501), core::TargetType::kConnectedSystemRunProfile, cs));
      return fail();
    });
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, code);
  }
  EXPECT_EQ(this->catalog().CountRunProfiles(cs).value(), 0);
  EXPECT_EQ(this->catalog().CountAllRunProfiles().value(), 0);
  EXPECT_TRUE(this->catalog().ListRunProfiles(cs).value().empty());
  EXPECT_EQ(this->catalog().ListConnectedSystems().value().size(), 1u);
  EXPECT_TRUE(this->catalog().ListApiKeys().value().empty());
  EXPECT_FALSE(this->catalog().GetActivity(TestUuid(501)).value());
  EXPECT_EQ(this->TotalActivities(), activities);
  ASSERT_TRUE(this->Write([&](Transaction& tx) { EXPECT_FALSE(tx.FindConnectedSystemIdByName("never")); }).ok());
}

TYPED_TEST(CatalogContract, ATransactionReadsItsOwnWritesAndCommittedReadsDoNot) {
  Id cs = this->NewSystem("HR");
  core::Catalog& catalog = this->catalog();
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    core::ConnectedSystem other = System("Other");
    other.id = tx.AllocateId(IdKind::kConnectedSystem);
    tx.Put(other);
    core::RunProfile p = Profile(cs, "p");
    p.id = tx.AllocateId(IdKind::kRunProfile);
    tx.Put(p);
    tx.Put(Key(TestUuid(3), 'c'));
    EXPECT_EQ(tx.FindConnectedSystem(other.id), other);
    EXPECT_EQ(tx.FindConnectedSystemIdByName("other"), other.id);
    EXPECT_EQ(tx.FindRunProfile(p.id), p);
    EXPECT_TRUE(tx.FindApiKeyByDigest(std::string(64, 'c')));
    // Not committed yet: the catalog's own reads still show the state before this transaction.
    EXPECT_FALSE(catalog.GetConnectedSystem(other.id).value());
    EXPECT_EQ(catalog.ListConnectedSystems().value().size(), 1u);
    EXPECT_EQ(catalog.CountRunProfiles(cs).value(), 0);
    EXPECT_FALSE(catalog.GetRunProfile(p.id).value());
    EXPECT_FALSE(catalog.FindApiKeyByDigest(std::string(64, 'c')).value());
  }).ok());
  EXPECT_EQ(catalog.ListConnectedSystems().value().size(), 2u);
  EXPECT_EQ(catalog.CountRunProfiles(cs).value(), 1);
  EXPECT_TRUE(catalog.FindApiKeyByDigest(std::string(64, 'c')).value());
}

// A body reads a system and then its connector (a create, an update). The PostgreSQL store reads both in one
// statement and keeps the connector for the body: what the body writes to that connector afterwards, and what
// a later body of the same group sees, must still be what is stored, as on every backend.
TYPED_TEST(CatalogContract, AConnectorReadAfterItsSystemFollowsTheBodysOwnWrites) {
  core::ConnectorDefinition cd;
  cd.id = 1;
  cd.name = "Before";
  Id cs = 0;
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    tx.Put(cd);
    core::ConnectedSystem system = System("HR", cd.id);
    system.id = cs = tx.AllocateId(IdKind::kConnectedSystem);
    tx.Put(system);
  }).ok());
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    auto system = tx.FindConnectedSystem(cs);
    ASSERT_TRUE(system);
    EXPECT_EQ(tx.FindConnectorDefinition(system->connector_id), cd);
    cd.name = "After";
    tx.Put(cd);
    EXPECT_EQ(tx.FindConnectorDefinition(system->connector_id), cd) << "the body's own write";
    ASSERT_TRUE(tx.FindConnectedSystem(cs));
    tx.DeleteConnectorDefinition(cd.id);
    EXPECT_FALSE(tx.FindConnectorDefinition(system->connector_id)) << "the body's own delete";
  }).ok());
  // A system whose connector does not exist (deleted above), and a body that fails after changing it.
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    auto system = tx.FindConnectedSystem(cs);
    ASSERT_TRUE(system);
    EXPECT_FALSE(tx.FindConnectorDefinition(system->connector_id));
  }).ok());
  cd.name = "Again";
  ASSERT_TRUE(this->Write([&](Transaction& tx) { tx.Put(cd); }).ok());
  ASSERT_FALSE(this->catalog()
                   .Transact([&](Transaction& tx) -> Status {
                     (void)tx.FindConnectedSystem(cs);
                     core::ConnectorDefinition changed = cd;
                     changed.name = "Never";
                     tx.Put(changed);
                     (void)tx.FindConnectedSystem(cs);
                     return core::MakeError(ErrorCode::kConflict, "no");
                   })
                   .ok());
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    auto system = tx.FindConnectedSystem(cs);
    ASSERT_TRUE(system);
    EXPECT_EQ(tx.FindConnectorDefinition(system->connector_id), cd) << "nothing of the failed body";
  }).ok());
}

TYPED_TEST(CatalogContract, EveryEntityRoundTripsAndSurvivesReopen) {
  core::ConnectorDefinition cd;
  core::ConnectedSystem cs = System("HR");
  core::Partition pt;
  core::RunProfile rp;
  core::ApiKey ak = Key(TestUuid(1), 'a');
  core::IdempotencyRecord idem{"idem-1", "hash", 201, "{}", "/x/1", 7, std::nullopt};
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    cd.id = tx.AllocateId(IdKind::kConnectorDefinition);
    cd.name = "Custom";
    cd.capabilities.full_import = cd.capabilities.partitions = true;
    tx.Put(cd);
    cs.id = tx.AllocateId(IdKind::kConnectedSystem);
    cs.connector_id = cd.id;
    tx.Put(cs);
    pt = {tx.AllocateId(IdKind::kPartition), cs.id, "OU=People", "ext", true};
    tx.Put(pt);
    rp = Profile(cs.id, "Full");
    rp.id = tx.AllocateId(IdKind::kRunProfile);
    rp.partition_id = pt.id;
    rp.file_path = "/in.csv";
    tx.Put(rp);
    tx.Put(ak);
    tx.Put(idem);
  }).ok());
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "as written" : "after reopen");
    core::Catalog& c = this->catalog();
    EXPECT_EQ(c.GetConnectorDefinition(cd.id).value(), cd);
    EXPECT_EQ(c.ListConnectorDefinitions().value(), std::vector{cd});
    EXPECT_EQ(c.GetConnectedSystem(cs.id).value(), cs);
    EXPECT_EQ(c.ListConnectedSystems().value(), std::vector{cs});
    EXPECT_EQ(c.GetPartition(pt.id).value(), pt);
    EXPECT_EQ(c.ListPartitions(cs.id).value(), std::vector{pt});
    EXPECT_EQ(c.GetRunProfile(rp.id).value(), rp);
    EXPECT_EQ(c.ListRunProfiles(cs.id).value(), std::vector{rp});
    EXPECT_EQ(c.GetApiKey(ak.id).value(), ak);
    EXPECT_EQ(c.FindApiKeyByDigest(ak.digest_hex).value(), ak);
    EXPECT_EQ(c.ListApiKeys().value(), std::vector{ak});
    EXPECT_EQ(c.GetIdempotency("idem-1").value(), idem);
    EXPECT_FALSE(c.GetIdempotency("idem-2").value());
    EXPECT_FALSE(c.GetRunProfile(rp.id + 1).value());
    EXPECT_FALSE(c.GetConnectedSystem(cs.id + 1).value());
    EXPECT_FALSE(c.GetPartition(pt.id + 1).value());
    EXPECT_FALSE(c.GetApiKey(TestUuid(2)).value());
    ASSERT_TRUE(this->Write([&](Transaction& tx) {
      EXPECT_EQ(tx.FindConnectorDefinition(cd.id), cd);
      EXPECT_EQ(tx.FindConnectorDefinitionIdByName("Custom"), cd.id);
      EXPECT_EQ(tx.FindConnectedSystem(cs.id), cs);
      EXPECT_EQ(tx.FindPartition(pt.id), pt);
      EXPECT_EQ(tx.FindRunProfile(rp.id), rp);
      EXPECT_EQ(tx.FindApiKey(ak.id), ak);
      EXPECT_EQ(tx.FindApiKeyByDigest(ak.digest_hex), ak);
      EXPECT_EQ(tx.FindIdempotency("idem-1"), idem);
      EXPECT_FALSE(tx.FindIdempotency("idem-2"));
    }).ok());
    this->Reopen();
  }
}

TYPED_TEST(CatalogContract, GetRunProfileOfOnlyReachesTheSystemsOwnProfiles) {
  Id a = this->NewSystem("A");
  Id b = this->NewSystem("B");
  Id rp = this->NewProfile(a, "p");
  EXPECT_TRUE(this->catalog().GetRunProfileOf(a, rp).value());
  EXPECT_FALSE(this->catalog().GetRunProfileOf(b, rp).value());
  EXPECT_FALSE(this->catalog().GetRunProfileOf(a, rp + 1).value());
}

// ---- lists ---------------------------------------------------------------------------------------------

// The API pages these lists as they come: id order, whatever the names, also after an update.
TYPED_TEST(CatalogContract, ListsAreInIdOrder) {
  std::vector<Id> systems = {this->NewSystem("charlie"), this->NewSystem("Alpha"), this->NewSystem("bravo")};
  std::vector<Id> partitions = {this->NewPartition(systems[0], "z"), this->NewPartition(systems[0], "A")};
  std::vector<Id> profiles = {this->NewProfile(systems[0], "z"), this->NewProfile(systems[0], "a"),
                              this->NewProfile(systems[0], "M")};
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    auto first = tx.FindConnectedSystem(systems[0]);
    first->name = "zulu";
    tx.Put(*first);
    auto rp = tx.FindRunProfile(profiles[0]);
    rp->name = "0";
    tx.Put(*rp);
    for (const char* uuid : {"c0000000-0000-4000-8000-000000000000", "a0000000-0000-4000-8000-000000000000"})
      tx.Put(Key(uuid, uuid[0]));
  }).ok());
  auto ids = [](const auto& items) {
    std::vector<Id> out;
    for (const auto& item : items) out.push_back(item.id);
    return out;
  };
  EXPECT_EQ(ids(this->catalog().ListConnectedSystems().value()), systems);
  EXPECT_EQ(ids(this->catalog().ListPartitions(systems[0]).value()), partitions);
  EXPECT_EQ(ids(this->catalog().ListRunProfiles(systems[0]).value()), profiles);
  EXPECT_TRUE(this->catalog().ListPartitions(systems[1]).value().empty());
  EXPECT_TRUE(this->catalog().ListRunProfiles(systems[1]).value().empty());
  // API keys have uuids: they list in uuid order.
  auto keys = this->catalog().ListApiKeys().value();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_LT(keys[0].id, keys[1].id);
}

// ---- names ---------------------------------------------------------------------------------------------

// Systems and partitions are unique case-insensitively: the catalog finds them by FoldName(name).
// Connector definition names are looked up exactly as given.
TYPED_TEST(CatalogContract, SystemAndPartitionNamesAreFoldedConnectorNamesAreExact) {
  Id cs = this->NewSystem("HR Prod");
  Id pt = this->NewPartition(cs, "OU=People");
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    core::ConnectorDefinition cd;
    cd.id = tx.AllocateId(IdKind::kConnectorDefinition);
    cd.name = "Custom CSV";
    tx.Put(cd);
  }).ok());
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    for (const char* spelling : {"HR Prod", "hr prod", "HR PROD", "hR pRoD"})
      EXPECT_EQ(tx.FindConnectedSystemIdByName(core::FoldName(spelling)), cs) << spelling;
    EXPECT_FALSE(tx.FindConnectedSystemIdByName(core::FoldName("HR  Prod")));
    EXPECT_EQ(tx.FindPartitionIdByName(cs, core::FoldName("ou=PEOPLE")), pt);
    EXPECT_EQ(tx.FindConnectorDefinitionIdByName("Custom CSV"), 1);
    EXPECT_FALSE(tx.FindConnectorDefinitionIdByName("custom csv"));
  }).ok());
}

TYPED_TEST(CatalogContract, PartitionNamesAreScopedToTheirSystem) {
  Id a = this->NewSystem("A");
  Id b = this->NewSystem("B");
  Id pa = this->NewPartition(a, "Same");
  Id pb = this->NewPartition(b, "Same");
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    EXPECT_EQ(tx.FindPartitionIdByName(a, "same"), pa);
    EXPECT_EQ(tx.FindPartitionIdByName(b, "same"), pb);
    tx.DeletePartition(pa);
    EXPECT_FALSE(tx.FindPartitionIdByName(a, "same"));
    EXPECT_EQ(tx.FindPartitionIdByName(b, "same"), pb);
  }).ok());
}

TYPED_TEST(CatalogContract, RenamingFreesTheOldNameAndDeletingFreesTheName) {
  Id cs = this->NewSystem("Alpha");
  Id pt = this->NewPartition(cs, "P1");
  core::ConnectorDefinition cd;
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    cd.id = tx.AllocateId(IdKind::kConnectorDefinition);
    cd.name = "Old";
    tx.Put(cd);
  }).ok());
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    auto sys = tx.FindConnectedSystem(cs);
    sys->name = "Beta";
    tx.Put(*sys);
    auto part = tx.FindPartition(pt);
    part->name = "P2";
    tx.Put(*part);
    cd.name = "New";
    tx.Put(cd);
  }).ok());
  this->Reopen();
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    EXPECT_FALSE(tx.FindConnectedSystemIdByName("alpha"));
    EXPECT_EQ(tx.FindConnectedSystemIdByName("beta"), cs);
    EXPECT_FALSE(tx.FindPartitionIdByName(cs, "p1"));
    EXPECT_EQ(tx.FindPartitionIdByName(cs, "p2"), pt);
    EXPECT_FALSE(tx.FindConnectorDefinitionIdByName("Old"));
    EXPECT_EQ(tx.FindConnectorDefinitionIdByName("New"), cd.id);
    tx.DeleteConnectorDefinition(cd.id);
    EXPECT_FALSE(tx.FindConnectorDefinitionIdByName("New"));
  }).ok());
  EXPECT_FALSE(this->catalog().GetConnectorDefinition(cd.id).value());
}

// The services check a name inside the transaction that writes it; the catalog serialises those
// transactions, so of racing creators of one name exactly one wins, whatever the spelling.
TYPED_TEST(CatalogContract, RacingCreatesOfOneNameHaveOneWinner) {
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<Status> results(kThreads, OkStatus());
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = this->catalog().Transact([&](Transaction& tx) -> Status {
        const std::string name = i % 2 ? "SAME" : "same";
        if (tx.FindConnectedSystemIdByName(core::FoldName(name)))
          return core::MakeError(ErrorCode::kConflict, "taken");
        core::ConnectedSystem cs = System(name);
        cs.id = tx.AllocateId(IdKind::kConnectedSystem);
        tx.Put(cs);
        return OkStatus();
      });
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (auto& r : results) ok += r.ok();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(this->catalog().ListConnectedSystems().value().size(), 1u);
}

// ---- counts, cascades and connector use ------------------------------------------------------------------

TYPED_TEST(CatalogContract, CountsFollowCreatesMovesAndDeletes) {
  Id a = this->NewSystem("A");
  Id b = this->NewSystem("B");
  std::vector<Id> in_a;
  for (int i = 0; i < 3; ++i) in_a.push_back(this->NewProfile(a, "p" + std::to_string(i)));
  Id in_b = this->NewProfile(b, "q");
  EXPECT_EQ(this->catalog().CountRunProfiles(a).value(), 3);
  EXPECT_EQ(this->catalog().CountRunProfiles(b).value(), 1);
  EXPECT_EQ(this->catalog().CountAllRunProfiles().value(), 4);
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    tx.DeleteRunProfile(in_a[0]);
    tx.DeleteRunProfile(in_a[0]);  // deleting what is gone changes nothing
    auto moved = tx.FindRunProfile(in_a[1]);
    moved->connected_system_id = b;
    tx.Put(*moved);
    auto updated = tx.FindRunProfile(in_b);
    updated->name = "renamed";
    tx.Put(*updated);
  }).ok());
  this->Reopen();
  EXPECT_EQ(this->catalog().CountRunProfiles(a).value(), 1);
  EXPECT_EQ(this->catalog().CountRunProfiles(b).value(), 2);
  EXPECT_EQ(this->catalog().CountAllRunProfiles().value(), 3);
  EXPECT_EQ(this->catalog().ListRunProfiles(b).value().size(), 2u);
  EXPECT_EQ(this->catalog().GetRunProfileOf(b, in_a[1]).value()->connected_system_id, b);
  EXPECT_EQ(this->catalog().CountRunProfiles(b + 1).value(), 0);
}

TYPED_TEST(CatalogContract, DeletingASystemRemovesItsPartitionsAndProfilesAndKeepsItsActivities) {
  Id keep = this->NewSystem("Keep");
  Id doomed = this->NewSystem("Doomed");
  Id kept_profile = this->NewProfile(keep, "k");
  Id kept_partition = this->NewPartition(keep, "P");
  std::vector<Id> doomed_profiles;
  for (int i = 0; i < 5; ++i) doomed_profiles.push_back(this->NewProfile(doomed, "d" + std::to_string(i)));
  Id doomed_partition = this->NewPartition(doomed, "P");
  core::ActivityQuery of_doomed;
  of_doomed.connected_system_id = doomed;
  const int64_t doomed_activities = this->catalog().ListActivities(of_doomed).value().total;
  ASSERT_EQ(doomed_activities, 6);

  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    tx.DeleteConnectedSystem(doomed);
    // Visible to the rest of the same transaction already.
    EXPECT_FALSE(tx.FindConnectedSystem(doomed));
    EXPECT_FALSE(tx.FindRunProfile(doomed_profiles[0]));
    EXPECT_FALSE(tx.FindPartition(doomed_partition));
    EXPECT_FALSE(tx.FindConnectedSystemIdByName("doomed"));
    EXPECT_FALSE(tx.FindPartitionIdByName(doomed, "p"));
    tx.Record(MakeActivity(TestUuid(999), core::TargetType::kConnectedSystem, doomed));
  }).ok());

  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "as written" : "after reopen");
    core::Catalog& c = this->catalog();
    EXPECT_FALSE(c.GetConnectedSystem(doomed).value());
    EXPECT_TRUE(c.ListRunProfiles(doomed).value().empty());
    for (Id id : doomed_profiles) EXPECT_FALSE(c.GetRunProfile(id).value());
    EXPECT_FALSE(c.GetPartition(doomed_partition).value());
    EXPECT_TRUE(c.ListPartitions(doomed).value().empty());
    EXPECT_EQ(c.CountRunProfiles(doomed).value(), 0);
    EXPECT_EQ(c.CountAllRunProfiles().value(), 1);
    EXPECT_TRUE(c.GetRunProfile(kept_profile).value());
    EXPECT_TRUE(c.GetPartition(kept_partition).value());
    EXPECT_EQ(c.ListConnectedSystems().value().size(), 1u);
    // The audit trail outlives what it describes.
    EXPECT_EQ(c.ListActivities(of_doomed).value().total, doomed_activities + 1);
    EXPECT_TRUE(c.GetActivity(TestUuid(999)).value());
    this->Reopen();
  }
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    EXPECT_FALSE(tx.FindConnectedSystemIdByName("doomed"));
    EXPECT_EQ(tx.FindPartitionIdByName(keep, "p"), kept_partition);
  }).ok());
}

// What blocks deleting a connector definition (409): a system uses it. Seen the same by a transaction and
// by a committed read, moved by system creates, connector changes and (cascading) deletes.
TYPED_TEST(CatalogContract, AConnectorIsInUseExactlyWhileASystemUsesIt) {
  auto in_use = [&](Id connector) {
    bool in_tx = false;
    EXPECT_TRUE(this->Write([&](Transaction& tx) { in_tx = tx.IsConnectorInUse(connector); }).ok());
    EXPECT_EQ(in_tx, this->catalog().IsConnectorInUse(connector).value()) << "transaction and committed read disagree on " << connector;
    return in_tx;
  };
  EXPECT_FALSE(in_use(7));
  Id first = this->NewSystem("First", 7);
  Id second = this->NewSystem("Second", 7);
  EXPECT_TRUE(in_use(7));
  EXPECT_FALSE(in_use(8));
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    auto cs = tx.FindConnectedSystem(first);
    cs->connector_id = 8;
    tx.Put(*cs);
    EXPECT_TRUE(tx.IsConnectorInUse(8));
  }).ok());
  EXPECT_TRUE(in_use(7));
  EXPECT_TRUE(in_use(8));
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    tx.DeleteConnectedSystem(second);
    EXPECT_FALSE(tx.IsConnectorInUse(7));
  }).ok());
  this->Reopen();
  EXPECT_FALSE(in_use(7));
  EXPECT_TRUE(in_use(8));
  ASSERT_TRUE(this->Write([&](Transaction& tx) { tx.DeleteConnectedSystem(first); }).ok());
  EXPECT_FALSE(in_use(8));
}

// ---- activities ----------------------------------------------------------------------------------------

TYPED_TEST(CatalogContract, EachChangeWritesItsActivityInTheSameCommit) {
  Id cs = this->NewSystem("HR");
  Id rp = this->NewProfile(cs, "p");
  core::ActivityPage page = this->catalog().ListActivities(core::ActivityQuery{}).value();
  ASSERT_EQ(page.total, 2);
  EXPECT_EQ(page.items[0].run_profile_id, rp);
  EXPECT_EQ(page.items[0].connected_system_id, cs);
  auto one = this->catalog().GetActivity(page.items[0].id).value();
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, page.items[0]);
}

TYPED_TEST(CatalogContract, ActivitiesListNewestFirstWithFiltersPagingAndTotals) {
  // 10 activities: even ones on system 1 (run profile), odd ones on system 2 (partition), #9 on none.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(this->Write([&](Transaction& tx) {
      std::optional<Id> cs = i == 9 ? std::nullopt : std::optional<Id>(i % 2 == 0 ? 1 : 2);
      auto type = i % 2 == 0 ? core::TargetType::kConnectedSystemRunProfile : core::TargetType::kPartition;
      tx.Record(MakeActivity(TestUuid(i), type, cs, "a" + std::to_string(i)));
    }).ok());
  }
  auto names = [](const core::ActivityPage& p) {
    std::vector<std::string> out;
    for (auto& a : p.items) out.push_back(a.target_name);
    return out;
  };
  core::Catalog& c = this->catalog();
  core::ActivityQuery q;
  q.limit = 3;
  auto page = c.ListActivities(q).value();
  EXPECT_EQ(page.total, 10);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a9", "a8", "a7"}));
  q.offset = 8;
  EXPECT_EQ(names(c.ListActivities(q).value()), (std::vector<std::string>{"a1", "a0"}));
  q.offset = 10;
  page = c.ListActivities(q).value();
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total, 10);

  q = {};
  q.connected_system_id = 1;
  q.limit = 2;
  page = c.ListActivities(q).value();
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a8", "a6"}));
  q.offset = 4;
  EXPECT_EQ(names(c.ListActivities(q).value()), (std::vector<std::string>{"a0"}));

  q = {};
  q.target_type = core::TargetType::kPartition;
  q.limit = 100;
  page = c.ListActivities(q).value();
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a9", "a7", "a5", "a3", "a1"}));
  q.connected_system_id = 2;
  page = c.ListActivities(q).value();
  EXPECT_EQ(page.total, 4);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a7", "a5", "a3", "a1"}));
  q.connected_system_id = 1;
  page = c.ListActivities(q).value();
  EXPECT_EQ(page.total, 0);
  EXPECT_TRUE(page.items.empty());

  q = {};
  q.limit = 0;
  page = c.ListActivities(q).value();
  EXPECT_EQ(page.total, 10) << "a zero-size page still reports the total";
  EXPECT_TRUE(page.items.empty());

  this->Reopen();
  auto one = this->catalog().GetActivity(TestUuid(4)).value();
  ASSERT_TRUE(one);
  EXPECT_EQ(one->target_name, "a4");
  EXPECT_FALSE(this->catalog().GetActivity(TestUuid(77)).value());
  EXPECT_EQ(this->TotalActivities(), 10);
}

// ---- api keys and idempotency --------------------------------------------------------------------------

TYPED_TEST(CatalogContract, TheDigestIndexFollowsRotationAndDelete) {
  core::ApiKey ak = Key(TestUuid(1), 'a');
  ASSERT_TRUE(this->Write([&](Transaction& tx) { tx.Put(ak); }).ok());
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    core::ApiKey rotated = ak;
    rotated.digest_hex = std::string(64, 'b');
    tx.Put(rotated);
    EXPECT_FALSE(tx.FindApiKeyByDigest(ak.digest_hex));
    EXPECT_EQ(tx.FindApiKeyByDigest(rotated.digest_hex), rotated);
  }).ok());
  this->Reopen();
  core::Catalog& c = this->catalog();
  EXPECT_FALSE(c.FindApiKeyByDigest(std::string(64, 'a')).value());
  EXPECT_TRUE(c.FindApiKeyByDigest(std::string(64, 'b')).value());
  ASSERT_TRUE(this->Write([&](Transaction& tx) { tx.DeleteApiKey(ak.id); }).ok());
  EXPECT_FALSE(c.GetApiKey(ak.id).value());
  EXPECT_FALSE(c.FindApiKeyByDigest(std::string(64, 'b')).value());
  EXPECT_TRUE(c.ListApiKeys().value().empty());
}

// Last-used times are best effort, but a touch made before a write is in by the time that write returns,
// and an older touch never moves the time back.
TYPED_TEST(CatalogContract, ATouchIsVisibleAfterTheNextWriteAndNeverGoesBack) {
  core::ApiKey ak = Key(TestUuid(1), 'a');
  ASSERT_TRUE(this->Write([&](Transaction& tx) { tx.Put(ak); }).ok());
  this->catalog().TouchApiKey(ak.id, 500);
  this->catalog().TouchApiKey(ak.id, 400);
  this->catalog().TouchApiKey(TestUuid(9), 400);  // unknown key: ignored, not created
  ASSERT_TRUE(this->Write([](Transaction&) {}).ok());
  EXPECT_EQ(this->catalog().GetApiKey(ak.id).value()->last_used_at, 500);
  EXPECT_FALSE(this->catalog().GetApiKey(TestUuid(9)).value());
}

TYPED_TEST(CatalogContract, IdempotencyRecordsAreReadableInTheirTransactionAndAfterReopen) {
  core::IdempotencyRecord rec{"digest", "bodyhash", 201, "{\"id\":5}", "http://h/5", 1234, std::nullopt};
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    EXPECT_FALSE(tx.FindIdempotency("digest"));
    tx.Put(rec);
    EXPECT_EQ(tx.FindIdempotency("digest"), rec);
  }).ok());
  EXPECT_EQ(this->catalog().GetIdempotency("digest").value(), rec);
  this->Reopen();
  EXPECT_EQ(this->catalog().GetIdempotency("digest").value(), rec);
}

// ---- run profile list version --------------------------------------------------------------------------

// What the rendered-list cache of the http layer relies on: the version moves with every committed write to
// the system's profiles, partitions or the system itself, before Transact returns, and with nothing else.
// Both backends offer the number (catalog.h allows 0 for "none"; a backend that returns 0 skips this test).
// PostgreSQL's is the catalog version, which every write of every node moves (store/pg_read_cache.h): there
// a write elsewhere may move B's number too (kListVersionIsGlobal), never leave A's where it was.
TYPED_TEST(CatalogContract, RunProfileListVersionMovesWithTheSystemsOwnWritesOnly) {
  core::Catalog& c = this->catalog();
  Id a = this->NewSystem("A");
  Id b = this->NewSystem("B");
  constexpr bool kGlobal = requires {
    TypeParam::kListVersionIsGlobal;
  };
  uint64_t va = c.RunProfileListVersion(a);
  uint64_t vb = c.RunProfileListVersion(b);
  if (va == 0) GTEST_SKIP() << TypeParam::kName << " offers no list version";
  core::Partition pt;
  core::RunProfile rp;
  std::set<uint64_t> seen = {va, vb};
  // Each step writes A and must move A's version to one never seen before, leaving B's alone.
  const std::vector<std::pair<const char*, std::function<void(Transaction&)>>> steps = {
      {"partition", [&](Transaction& tx) {
         pt = {tx.AllocateId(IdKind::kPartition), a, "OU=People", "ext", true};
         tx.Put(pt);
       }},
      {"profile", [&](Transaction& tx) {
         rp = Profile(a, "Full");
         rp.id = tx.AllocateId(IdKind::kRunProfile);
         tx.Put(rp);
       }},
      {"profile update", [&](Transaction& tx) {
         rp.name = "Full 2";
         tx.Put(rp);
       }},
      {"partition update", [&](Transaction& tx) {
         pt.selected = false;
         tx.Put(pt);
       }},
      {"profile delete", [&](Transaction& tx) { tx.DeleteRunProfile(rp.id); }},
      {"partition delete", [&](Transaction& tx) { tx.DeletePartition(pt.id); }},
      {"system update", [&](Transaction& tx) {
         auto sys = tx.FindConnectedSystem(a);
         sys->description = "changed";
         tx.Put(*sys);
       }},
      {"system delete", [&](Transaction& tx) { tx.DeleteConnectedSystem(a); }},
  };
  for (const auto& [what, step] : steps) {
    ASSERT_TRUE(this->Write(step).ok()) << what;
    const uint64_t now = c.RunProfileListVersion(a);
    EXPECT_TRUE(seen.insert(now).second) << what << ": version " << now << " was seen before";
    if (kGlobal) vb = now;
    EXPECT_EQ(c.RunProfileListVersion(b), vb) << what;
    va = now;
  }
  // Writes elsewhere (an api key, an activity on B) do not move B's version.
  ASSERT_TRUE(this->Write([&](Transaction& tx) {
    tx.Put(Key(TestUuid(7), 'k'));
    tx.Record(MakeActivity(TestUuid(700), core::TargetType::kConnectedSystem, b));
  }).ok());
  if (kGlobal) vb = c.RunProfileListVersion(b);
  EXPECT_EQ(c.RunProfileListVersion(b), vb);
  // A write that fails keeps nothing and moves nothing.
  EXPECT_FALSE(c.Transact([&](Transaction& tx) -> Status {
    core::RunProfile never = Profile(b, "never");
    never.id = tx.AllocateId(IdKind::kRunProfile);
    tx.Put(never);
    return core::MakeError(ErrorCode::kInvalidArgument, "refused");
  }).ok());
  EXPECT_EQ(c.RunProfileListVersion(b), vb);
}

}  // namespace
}  // namespace jim::contract
