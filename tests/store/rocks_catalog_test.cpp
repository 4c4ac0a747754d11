#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "store/rocks_catalog.h"
#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;
using core::ErrorCode;
using core::OkStatus;
using core::Status;
using core::Transaction;

core::ApiKey Key(std::string id, std::string digest) {
  core::ApiKey k;
  k.id = std::move(id);
  k.name = "ops";
  k.description = "d";
  k.digest_hex = std::move(digest);
  k.key_prefix = "jim_ak_abcde";
  k.created_at = 5;
  k.role_ids = {core::kAdministratorRoleId};
  return k;
}

// What the rendered-list cache of the http layer relies on: the version moves with every committed write to
// the system's profiles, partitions or the system itself, before Transact returns, and with nothing else.
TEST(RocksCatalog, RunProfileListVersionMovesWithTheSystemsOwnWritesOnly) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  ASSERT_TRUE(catalog);
  core::ConnectedSystem a = System("A"), b = System("B");
  core::Partition pt;
  core::RunProfile rp;
  auto write = [&](const std::function<void(Transaction&)>& body) {
    ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
      body(tx);
      return OkStatus();
    }).ok());
  };
  write([&](Transaction& tx) {
    a.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(a);
    b.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(b);
  });
  uint64_t va = catalog->RunProfileListVersion(a.id);
  uint64_t vb = catalog->RunProfileListVersion(b.id);
  EXPECT_NE(va, 0u);
  // Each step writes A and must move A's version, leaving B's alone.
  const std::vector<std::pair<const char*, std::function<void(Transaction&)>>> steps = {
      {"partition", [&](Transaction& tx) {
         pt = {tx.AllocateId(core::IdKind::kPartition), a.id, "OU=People", "ext", true};
         tx.Put(pt);
       }},
      {"profile", [&](Transaction& tx) {
         rp = Profile(a.id, "Full");
         rp.id = tx.AllocateId(core::IdKind::kRunProfile);
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
         a.description = "changed";
         tx.Put(a);
       }},
      {"system delete", [&](Transaction& tx) { tx.DeleteConnectedSystem(a.id); }},
  };
  for (const auto& [what, step] : steps) {
    write(step);
    const uint64_t now = catalog->RunProfileListVersion(a.id);
    EXPECT_NE(now, va) << what;
    EXPECT_EQ(catalog->RunProfileListVersion(b.id), vb) << what;
    va = now;
  }
  // A write that fails keeps nothing and moves nothing.
  EXPECT_FALSE(catalog->Transact([&](Transaction& tx) -> Status {
    tx.Put(Profile(b.id, "never"));
    return core::MakeError(ErrorCode::kInvalidArgument, "refused");
  }).ok());
  EXPECT_EQ(catalog->RunProfileListVersion(b.id), vb);
}

// Creating and deleting systems for as long as the server runs must not grow the version map: a deleted
// system's entry goes, and its version still moves (to the one every untracked system shares).
TEST(RocksCatalog, DeletedSystemsLeaveNoListVersionBehind) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  ASSERT_TRUE(catalog);
  core::ConnectedSystem kept = System("kept");
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    kept.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(kept);
    return OkStatus();
  }).ok());
  ASSERT_EQ(catalog->TrackedListVersions(), 1u);
  std::set<uint64_t> seen = {catalog->RunProfileListVersion(kept.id)};
  for (int round = 0; round < 50; ++round) {
    core::ConnectedSystem temp = System("temp" + std::to_string(round));
    core::RunProfile rp;
    ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
      temp.id = tx.AllocateId(core::IdKind::kConnectedSystem);
      tx.Put(temp);
      rp = Profile(temp.id, "Full");
      rp.id = tx.AllocateId(core::IdKind::kRunProfile);
      tx.Put(rp);
      return OkStatus();
    }).ok());
    const uint64_t live = catalog->RunProfileListVersion(temp.id);
    EXPECT_TRUE(seen.insert(live).second) << "round " << round;
    ASSERT_EQ(catalog->TrackedListVersions(), 2u);
    ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
      tx.DeleteRunProfile(rp.id);
      tx.DeleteConnectedSystem(temp.id);
      return OkStatus();
    }).ok());
    EXPECT_EQ(catalog->TrackedListVersions(), 1u) << "round " << round;
    // Never a version the system (or any other) had before: a rendering kept under it cannot come back.
    EXPECT_TRUE(seen.insert(catalog->RunProfileListVersion(temp.id)).second) << "round " << round;
  }
  EXPECT_EQ(catalog->RunProfileListVersion(kept.id), *seen.begin()) << "a live system's own version stays";
}

TEST(RocksCatalog, EveryEntityRoundTripsThroughTransactAndCommittedReads) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  ASSERT_TRUE(catalog);

  core::ConnectorDefinition cd;
  core::ConnectedSystem cs = System("HR");
  core::Partition pt;
  core::RunProfile rp;
  core::ApiKey ak = Key(TestUuid(1), std::string(64, 'a'));
  core::IdempotencyRecord idem{"idem-1", "hash", 201, "{}", "/x/1", 7};
  Status st = catalog->Transact([&](Transaction& tx) -> Status {
    cd.id = tx.AllocateId(core::IdKind::kConnectorDefinition);
    cd.name = "Custom";
    cd.capabilities.full_import = cd.capabilities.partitions = true;
    tx.Put(cd);
    cs.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    cs.connector_id = cd.id;
    tx.Put(cs);
    pt = {tx.AllocateId(core::IdKind::kPartition), cs.id, "OU=People", "ext", true};
    tx.Put(pt);
    rp = Profile(cs.id, "Full");
    rp.id = tx.AllocateId(core::IdKind::kRunProfile);
    rp.partition_id = pt.id;
    tx.Put(rp);
    tx.Put(ak);
    tx.Put(idem);
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(cd.id, 1);
  EXPECT_EQ(cs.id, 1);
  EXPECT_EQ(rp.id, 1);

  auto check = [&](RocksCatalog& c) {
    EXPECT_EQ(c.GetConnectorDefinition(cd.id), cd);
    EXPECT_EQ(c.ListConnectorDefinitions(), std::vector{cd});
    EXPECT_TRUE(c.IsConnectorInUse(cd.id));
    EXPECT_EQ(c.GetConnectedSystem(cs.id), cs);
    EXPECT_EQ(c.ListConnectedSystems(), std::vector{cs});
    EXPECT_EQ(c.GetPartition(pt.id), pt);
    EXPECT_EQ(c.ListPartitions(cs.id), std::vector{pt});
    EXPECT_EQ(c.GetRunProfile(rp.id), rp);
    EXPECT_EQ(c.GetRunProfileOf(cs.id, rp.id), rp);
    EXPECT_FALSE(c.GetRunProfileOf(cs.id + 1, rp.id));  // another system's id does not reach it
    EXPECT_FALSE(c.GetRunProfileOf(cs.id, rp.id + 1));
    EXPECT_EQ(c.ListRunProfiles(cs.id), std::vector{rp});
    EXPECT_EQ(c.CountRunProfiles(cs.id), 1);
    EXPECT_EQ(c.CountAllRunProfiles(), 1);
    EXPECT_EQ(c.GetApiKey(ak.id), ak);
    EXPECT_EQ(c.FindApiKeyByDigest(ak.digest_hex), ak);
    EXPECT_EQ(c.ListApiKeys(), std::vector{ak});
    EXPECT_EQ(c.GetIdempotency("idem-1"), idem);
    EXPECT_FALSE(c.GetIdempotency("idem-2"));
    EXPECT_FALSE(c.GetRunProfile(99));
  };
  check(*catalog);
  // The same through a transaction (reads via cache / DB, not the batch).
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    EXPECT_EQ(tx.FindConnectorDefinition(cd.id), cd);
    EXPECT_EQ(tx.FindConnectorDefinitionIdByName("Custom"), cd.id);
    EXPECT_EQ(tx.FindConnectedSystem(cs.id), cs);
    EXPECT_EQ(tx.FindConnectedSystemIdByName("hr"), cs.id);
    EXPECT_EQ(tx.FindPartition(pt.id), pt);
    EXPECT_EQ(tx.FindPartitionIdByName(cs.id, "ou=people"), pt.id);
    EXPECT_EQ(tx.FindRunProfile(rp.id), rp);
    EXPECT_EQ(tx.FindApiKey(ak.id), ak);
    EXPECT_EQ(tx.FindApiKeyByDigest(ak.digest_hex), ak);
    EXPECT_EQ(tx.FindIdempotency("idem-1"), idem);
    EXPECT_TRUE(tx.IsConnectorInUse(cd.id));
    return OkStatus();
  }).ok());

  catalog.reset();
  auto reopened = MustOpen(tmp.path());
  ASSERT_TRUE(reopened);
  check(*reopened);
}

TEST(RocksCatalog, UpdatesMoveIndexesAndDeletesRemoveThem) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "Alpha");
  core::ApiKey ak = Key(TestUuid(1), std::string(64, 'a'));
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    tx.Put(ak);
    auto sys = tx.FindConnectedSystem(cs);
    sys->name = "Beta";
    tx.Put(*sys);
    return OkStatus();
  }).ok());
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    EXPECT_FALSE(tx.FindConnectedSystemIdByName("alpha"));
    EXPECT_EQ(tx.FindConnectedSystemIdByName("beta"), cs);
    core::ApiKey rotated = ak;
    rotated.digest_hex = std::string(64, 'b');
    tx.Put(rotated);
    EXPECT_FALSE(tx.FindApiKeyByDigest(ak.digest_hex));
    return OkStatus();
  }).ok());
  EXPECT_FALSE(catalog->FindApiKeyByDigest(std::string(64, 'a')));
  EXPECT_TRUE(catalog->FindApiKeyByDigest(std::string(64, 'b')));
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    tx.DeleteApiKey(ak.id);
    return OkStatus();
  }).ok());
  EXPECT_FALSE(catalog->GetApiKey(ak.id));
  EXPECT_FALSE(catalog->FindApiKeyByDigest(std::string(64, 'b')));
  EXPECT_TRUE(catalog->ListApiKeys().empty());
}

TEST(RocksCatalog, IdsAreMonotonicAndNeverReusedAcrossReopen) {
  TempDir tmp;
  core::Id cs = 0, highest = 0;
  {
    auto catalog = MustOpen(tmp.path());
    cs = CreateSystem(*catalog, "HR");
    for (int i = 0; i < 3; ++i) highest = CreateProfile(*catalog, cs, "p", i);
    EXPECT_EQ(highest, 3);
    ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
      tx.DeleteRunProfile(highest);
      return OkStatus();
    }).ok());
    // A body that allocates and then fails still consumes the id.
    Status failed = catalog->Transact([&](Transaction& tx) -> Status {
      highest = tx.AllocateId(core::IdKind::kRunProfile);
      return core::MakeError(ErrorCode::kConflict, "no");
    });
    EXPECT_FALSE(failed.ok());
    EXPECT_EQ(highest, 4);
  }
  auto catalog = MustOpen(tmp.path());
  EXPECT_EQ(CreateProfile(*catalog, cs, "after", 10), 5);
  EXPECT_EQ(catalog->CountRunProfiles(cs), 3);
}

TEST(RocksCatalog, ExplicitIdsRaiseTheHighWaterMark) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    for (core::Id id = 1; id <= 4; ++id) {
      core::ConnectorDefinition cd;
      cd.id = id;
      cd.name = "Built-in " + std::to_string(id);
      cd.built_in = true;
      tx.Put(cd);
    }
    EXPECT_EQ(tx.AllocateId(core::IdKind::kConnectorDefinition), 5);
    return OkStatus();
  }).ok());
}

TEST(RocksCatalog, DeleteConnectedSystemCascadesAtomically) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id keep = CreateSystem(*catalog, "Keep");
  core::Id doomed = CreateSystem(*catalog, "Doomed");
  core::Id kept_profile = CreateProfile(*catalog, keep, "k", 1);
  std::vector<core::Id> doomed_profiles;
  for (int i = 0; i < 5; ++i) doomed_profiles.push_back(CreateProfile(*catalog, doomed, "d", 10 + i));
  core::Id pid = 0;
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    pid = tx.AllocateId(core::IdKind::kPartition);
    tx.Put(core::Partition{pid, doomed, "P", std::nullopt, true});
    return OkStatus();
  }).ok());
  EXPECT_EQ(catalog->CountAllRunProfiles(), 6);
  EXPECT_TRUE(catalog->IsConnectorInUse(1));

  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    tx.DeleteConnectedSystem(doomed);
    // Visible to the rest of the same transaction already.
    EXPECT_FALSE(tx.FindConnectedSystem(doomed));
    EXPECT_FALSE(tx.FindRunProfile(doomed_profiles[0]));
    EXPECT_FALSE(tx.FindPartition(pid));
    EXPECT_FALSE(tx.FindConnectedSystemIdByName("doomed"));
    tx.Record(MakeActivity(TestUuid(99), core::TargetType::kConnectedSystem, doomed));
    return OkStatus();
  }).ok());

  auto check = [&](RocksCatalog& c) {
    EXPECT_FALSE(c.GetConnectedSystem(doomed));
    EXPECT_TRUE(c.ListRunProfiles(doomed).empty());
    for (core::Id id : doomed_profiles) EXPECT_FALSE(c.GetRunProfile(id));
    EXPECT_FALSE(c.GetPartition(pid));
    EXPECT_TRUE(c.ListPartitions(doomed).empty());
    EXPECT_EQ(c.CountRunProfiles(doomed), 0);
    EXPECT_EQ(c.CountAllRunProfiles(), 1);
    EXPECT_TRUE(c.GetRunProfile(kept_profile));
    EXPECT_EQ(c.ListConnectedSystems().size(), 1u);
    EXPECT_TRUE(c.IsConnectorInUse(1));  // "Keep" still uses it
    EXPECT_TRUE(c.GetActivity(TestUuid(99)));
  };
  check(*catalog);
  catalog.reset();
  catalog = MustOpen(tmp.path());
  check(*catalog);
  // The name is free again.
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    EXPECT_FALSE(tx.FindConnectedSystemIdByName("doomed"));
    tx.DeleteConnectedSystem(keep);
    return OkStatus();
  }).ok());
  EXPECT_FALSE(catalog->IsConnectorInUse(1));
}

TEST(RocksCatalog, EachChangeWritesItsActivityInTheSameCommit) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "HR");
  core::Id rp = CreateProfile(*catalog, cs, "p", 7);
  auto activity = catalog->GetActivity(TestUuid(7));
  ASSERT_TRUE(activity);
  EXPECT_EQ(activity->run_profile_id, rp);
  EXPECT_EQ(activity->connected_system_id, cs);
}

// Bodies queued while the committer is busy form one group; the failing ones are rolled back
// (row, counters and activity) and the others commit.
TEST(RocksCatalog, FailingBodyIsRolledBackWhileTheRestOfItsGroupCommits) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "HR");

  std::atomic<bool> release{false};
  std::thread blocker([&] {
    // Holds the committer so that the bodies below queue up into one group.
    (void)catalog->Transact([&](Transaction&) -> Status {
      while (!release.load()) std::this_thread::yield();
      return OkStatus();
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // let the blocker's body start
  const StoreStats before = catalog->Stats();
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads, OkStatus());
  std::vector<core::Id> ids(kThreads, 0);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = catalog->Transact([&, i](Transaction& tx) -> Status {
        core::RunProfile p = Profile(cs, "p" + std::to_string(i));
        p.id = tx.AllocateId(core::IdKind::kRunProfile);
        ids[i] = p.id;
        tx.Put(p);
        auto a = MakeActivity(TestUuid(100 + i), core::TargetType::kConnectedSystemRunProfile, cs);
        a.run_profile_id = p.id;
        tx.Record(a);
        if (i % 2 == 1) return core::MakeError(ErrorCode::kConflict, "odd ones fail");
        if (i == 4) throw std::runtime_error("boom");
        return OkStatus();
      });
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release = true;
  blocker.join();
  for (auto& t : threads) t.join();

  // The eight bodies shared (at most a couple of) group writes.
  EXPECT_LE(catalog->Stats().groups_written - before.groups_written, 3u);
  EXPECT_GE(catalog->Stats().max_group_size, 4u);
  int committed = 0;
  for (int i = 0; i < kThreads; ++i) {
    if (i % 2 == 1) {
      ASSERT_FALSE(results[i].ok());
      EXPECT_EQ(results[i].error().code, ErrorCode::kConflict);
    } else if (i == 4) {
      ASSERT_FALSE(results[i].ok());
      EXPECT_EQ(results[i].error().code, ErrorCode::kInternal);
    } else {
      ASSERT_TRUE(results[i].ok());
    }
    const bool expect = results[i].ok();
    committed += expect;
    EXPECT_EQ(catalog->GetRunProfile(ids[i]).has_value(), expect) << i;
    EXPECT_EQ(catalog->GetActivity(TestUuid(100 + i)).has_value(), expect) << i;
  }
  EXPECT_EQ(catalog->CountRunProfiles(cs), committed);
  EXPECT_EQ(catalog->ListRunProfiles(cs).size(), static_cast<size_t>(committed));
  core::ActivityQuery q;
  q.connected_system_id = cs;
  q.limit = 100;
  auto page = catalog->ListActivities(q);
  EXPECT_EQ(page.total, committed);
  EXPECT_EQ(page.items.size(), static_cast<size_t>(committed));
  // The audit rows bypass the group's read index: each filter index must still lose the failed ones.
  for (std::optional<core::Id> system : {std::optional<core::Id>(cs), std::optional<core::Id>()}) {
    core::ActivityQuery by_type;
    by_type.connected_system_id = system;
    by_type.target_type = core::TargetType::kConnectedSystemRunProfile;
    by_type.limit = 100;
    auto typed = catalog->ListActivities(by_type);
    EXPECT_EQ(typed.total, committed);
    EXPECT_EQ(typed.items.size(), static_cast<size_t>(committed));
  }
  std::set<core::Id> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), ids.size());
}

TEST(RocksCatalog, NameLookupsSeeEarlierWritesOfTheSameGroup) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  std::atomic<bool> release{false};
  std::thread blocker([&] {
    (void)catalog->Transact([&](Transaction&) -> Status {
      while (!release.load()) std::this_thread::yield();
      return OkStatus();
    });
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  // Two creators of the same name queue into one group: exactly one wins, the other sees its write.
  std::vector<Status> results(4, OkStatus());
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      results[i] = catalog->Transact([&](Transaction& tx) -> Status {
        if (tx.FindConnectedSystemIdByName("same")) return core::MakeError(ErrorCode::kConflict, "taken");
        core::ConnectedSystem cs = System("Same");
        cs.id = tx.AllocateId(core::IdKind::kConnectedSystem);
        tx.Put(cs);
        return OkStatus();
      });
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  release = true;
  blocker.join();
  for (auto& t : threads) t.join();
  int ok = 0;
  for (auto& r : results) ok += r.ok();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(catalog->ListConnectedSystems().size(), 1u);
}

TEST(RocksCatalog, ConcurrentCreatesGetDistinctIds) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "HR");
  constexpr int kThreads = 16, kPerThread = 200;
  std::vector<std::vector<core::Id>> ids(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        core::Id id = CreateProfile(*catalog, cs, "p", static_cast<uint64_t>(t) * 1000 + i);
        if (id == 0) ++failures;
        ids[t].push_back(id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<core::Id> all;
  for (auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kPerThread);
  EXPECT_EQ(catalog->CountRunProfiles(cs), kThreads * kPerThread);
  EXPECT_EQ(catalog->ListRunProfiles(cs).size(), static_cast<size_t>(kThreads * kPerThread));
  core::ActivityQuery q;
  EXPECT_EQ(catalog->ListActivities(q).total, kThreads * kPerThread);
}

TEST(RocksCatalog, CommittedReadsDoNotSeeAGroupBeforeItsWrite) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "HR");
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    core::ConnectedSystem other = System("Other");
    other.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(other);
    core::RunProfile p = Profile(cs, "p");
    p.id = tx.AllocateId(core::IdKind::kRunProfile);
    tx.Put(p);
    tx.Put(Key(TestUuid(3), std::string(64, 'c')));
    // The body runs before the write: committed reads must still show the old state.
    EXPECT_FALSE(catalog->GetConnectedSystem(other.id));
    EXPECT_EQ(catalog->ListConnectedSystems().size(), 1u);
    EXPECT_EQ(catalog->CountRunProfiles(cs), 0);
    EXPECT_FALSE(catalog->GetRunProfile(p.id));
    EXPECT_FALSE(catalog->FindApiKeyByDigest(std::string(64, 'c')));
    return OkStatus();
  }).ok());
  EXPECT_EQ(catalog->ListConnectedSystems().size(), 2u);
  EXPECT_EQ(catalog->CountRunProfiles(cs), 1);
  EXPECT_TRUE(catalog->FindApiKeyByDigest(std::string(64, 'c')));
}

TEST(RocksCatalog, CountersSurviveReopen) {
  TempDir tmp;
  core::Id a = 0, b = 0;
  {
    auto catalog = MustOpen(tmp.path());
    a = CreateSystem(*catalog, "A");
    b = CreateSystem(*catalog, "B", 2);
    for (int i = 0; i < 3; ++i) CreateProfile(*catalog, a, "p", i);
    CreateProfile(*catalog, b, "p", 10);
  }
  auto catalog = MustOpen(tmp.path());
  EXPECT_EQ(catalog->CountRunProfiles(a), 3);
  EXPECT_EQ(catalog->CountRunProfiles(b), 1);
  EXPECT_EQ(catalog->CountAllRunProfiles(), 4);
  EXPECT_TRUE(catalog->IsConnectorInUse(1));
  EXPECT_TRUE(catalog->IsConnectorInUse(2));
  EXPECT_FALSE(catalog->IsConnectorInUse(3));
  core::ActivityQuery q;
  q.connected_system_id = a;
  EXPECT_EQ(catalog->ListActivities(q).total, 3);
}

TEST(RocksCatalog, ListActivitiesNewestFirstWithFiltersPagingAndTotals) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  // 10 activities: even ones on system 1 (run profile), odd ones on system 2 (partition), #9 on none.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
      std::optional<core::Id> cs = i == 9 ? std::nullopt : std::optional<core::Id>(i % 2 == 0 ? 1 : 2);
      auto type = i % 2 == 0 ? core::TargetType::kConnectedSystemRunProfile : core::TargetType::kPartition;
      tx.Record(MakeActivity(TestUuid(i), type, cs, "a" + std::to_string(i)));
      return OkStatus();
    }).ok());
  }
  auto names = [](const core::ActivityPage& p) {
    std::vector<std::string> out;
    for (auto& a : p.items) out.push_back(a.target_name);
    return out;
  };
  core::ActivityQuery q;
  q.limit = 3;
  auto page = catalog->ListActivities(q);
  EXPECT_EQ(page.total, 10);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a9", "a8", "a7"}));
  q.offset = 8;
  EXPECT_EQ(names(catalog->ListActivities(q)), (std::vector<std::string>{"a1", "a0"}));
  q.offset = 10;
  page = catalog->ListActivities(q);
  EXPECT_TRUE(page.items.empty());
  EXPECT_EQ(page.total, 10);

  q = {};
  q.connected_system_id = 1;
  q.limit = 2;
  page = catalog->ListActivities(q);
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a8", "a6"}));
  q.offset = 4;
  EXPECT_EQ(names(catalog->ListActivities(q)), (std::vector<std::string>{"a0"}));

  q = {};
  q.target_type = core::TargetType::kPartition;
  q.limit = 100;
  page = catalog->ListActivities(q);
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a9", "a7", "a5", "a3", "a1"}));

  q.connected_system_id = 2;
  page = catalog->ListActivities(q);
  EXPECT_EQ(page.total, 4);
  EXPECT_EQ(names(page), (std::vector<std::string>{"a7", "a5", "a3", "a1"}));
  q.connected_system_id = 1;
  page = catalog->ListActivities(q);
  EXPECT_EQ(page.total, 0);
  EXPECT_TRUE(page.items.empty());

  auto one = catalog->GetActivity(TestUuid(4));
  ASSERT_TRUE(one);
  EXPECT_EQ(one->target_name, "a4");
  EXPECT_FALSE(catalog->GetActivity(TestUuid(77)));
}

TEST(RocksCatalog, IdempotencyRecordRoundTrip) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::IdempotencyRecord rec{"digest", "bodyhash", 201, "{\"id\":5}", "http://h/5", 1234};
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    EXPECT_FALSE(tx.FindIdempotency("digest"));
    tx.Put(rec);
    EXPECT_EQ(tx.FindIdempotency("digest"), rec);
    return OkStatus();
  }).ok());
  EXPECT_EQ(catalog->GetIdempotency("digest"), rec);
  catalog.reset();
  catalog = MustOpen(tmp.path());
  EXPECT_EQ(catalog->GetIdempotency("digest"), rec);
}

TEST(RocksCatalog, TouchApiKeyIsBestEffortAndEventuallyVisible) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::ApiKey ak = Key(TestUuid(1), std::string(64, 'a'));
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    tx.Put(ak);
    return OkStatus();
  }).ok());
  catalog->TouchApiKey(ak.id, 500);
  catalog->TouchApiKey(ak.id, 400);  // older: ignored
  catalog->TouchApiKey(TestUuid(9), 400);  // unknown: ignored
  for (int i = 0; i < 200 && !catalog->GetApiKey(ak.id)->last_used_at; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(catalog->GetApiKey(ak.id)->last_used_at, 500);
  EXPECT_FALSE(catalog->GetApiKey(TestUuid(9)));
}

TEST(RocksCatalog, SecondOpenOfTheSameDirFailsWithTheLockMessage) {
  TempDir tmp;
  auto first = MustOpen(tmp.path());
  auto second = RocksCatalog::Open(Options(tmp.path()));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(second.error().message, "The data dir " + tmp.path() + " is locked by another jim-edge process.");
}

TEST(RocksCatalog, UnwritableDirFailsWithASentence) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can write anywhere";
  TempDir tmp;
  ASSERT_EQ(::chmod(tmp.path().c_str(), 0500), 0);
  auto opened = RocksCatalog::Open(Options(tmp.Sub("data")));
  ::chmod(tmp.path().c_str(), 0700);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("Cannot create the data dir"), std::string::npos) << opened.error().message;
}

TEST(RocksCatalog, DataDirUnderAFileFailsWithASentence) {
  TempDir tmp;
  const std::string file = tmp.Sub("file");
  std::FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_TRUE(f);
  std::fclose(f);
  auto opened = RocksCatalog::Open(Options(file + "/data"));
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(opened.error().message.rfind("Cannot create the data dir " + file + "/data: ", 0), 0u)
      << opened.error().message;
}

TEST(RocksCatalog, DiskFloorRefusesWritesAndRecoversWithoutReopen) {
  TempDir tmp;
  StoreOptions options = Options(tmp.path());
  options.min_free_bytes = 1ull << 62;
  auto catalog = MustOpen(options);
  std::string reason;
  EXPECT_FALSE(catalog->IsWritable(&reason));
  EXPECT_EQ(reason, "disk_full");
  Status st = OkStatus();
  EXPECT_EQ(CreateProfile(*catalog, 1, "p", 1, &st), 0);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(st.error().message, "The store cannot write right now.");
  EXPECT_EQ(st.error().detail, "free space below floor");
  EXPECT_FALSE(catalog->GetActivity(TestUuid(1)));

  catalog->SetMinFreeBytes(0);
  EXPECT_TRUE(catalog->IsWritable(&reason));
  EXPECT_GT(CreateProfile(*catalog, 1, "p", 2, &st), 0);
  EXPECT_TRUE(st.ok());
}

TEST(RocksCatalog, ClosedStoreRefusesWrites) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  catalog->Close();
  std::string reason;
  EXPECT_FALSE(catalog->IsWritable(&reason));
  EXPECT_EQ(reason, "closing");
  Status st = catalog->Transact([](Transaction&) -> Status { return OkStatus(); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
}

TEST(RocksCatalog, WaitForCompactionsFlushesTheMemtableAndReturnsOnceSettled) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "HR");
  for (int i = 0; i < 50; ++i) ASSERT_GT(CreateProfile(*catalog, cs, "p" + std::to_string(i), 100 + i), 0);
  auto sst_files = [&] {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) n += entry.path().extension() == ".sst";
    return n;
  };
  const int before = sst_files();
  EXPECT_TRUE(catalog->WaitForCompactions(std::chrono::seconds(60)));
  EXPECT_GT(sst_files(), before);  // the memtable was written out, not only waited on
  EXPECT_EQ(catalog->CountRunProfiles(cs), 50);
  catalog->Close();
  EXPECT_FALSE(catalog->WaitForCompactions(std::chrono::seconds(1)));
}

TEST(RocksCatalog, StoreUnavailableFromABodyIsUnavailable) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  Status st = catalog->Transact([](Transaction&) -> Status { throw core::StoreUnavailable("io"); });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace jim::store
