#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <latch>
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

// Holds the commit token: its body runs (on whichever thread commits it) until Release(), so that what
// is submitted meanwhile queues up behind it and is taken by the next group. Latches, not sleeps: the
// constructor returns once the body is running, and WaitForQueue returns once the store itself reports
// that many bodies waiting.
class CommitHold {
 public:
  explicit CommitHold(RocksCatalog& catalog)
      : catalog_(catalog), thread_([this] {
          result_ = catalog_.Transact([this](Transaction&) -> Status {
            started_.count_down();
            release_.wait();
            return OkStatus();
          });
        }) {
    started_.wait();
  }
  ~CommitHold() { Release(); }
  void WaitForQueue(size_t depth) {
    while (catalog_.QueueDepth() < depth) std::this_thread::yield();
  }
  void Release() {
    if (!thread_.joinable()) return;
    release_.count_down();
    thread_.join();
    EXPECT_TRUE(result_.ok());
  }

 private:
  RocksCatalog& catalog_;
  std::latch started_{1}, release_{1};
  Status result_ = OkStatus();
  std::thread thread_;  // last: it starts running as soon as it is constructed
};

// The point of the group commit: writers that arrive while a write is in progress share the next one.
// With one write per body (no grouping) this sees kWriters group writes instead of 1.
TEST(RocksCatalog, WritersQueuedBehindARunningCommitShareOneGroupWrite) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "HR");
  const StoreStats before = catalog->Stats();
  constexpr int kWriters = 8;
  std::vector<std::thread> writers;
  std::vector<core::Id> ids(kWriters, 0);
  {
    CommitHold hold(*catalog);
    for (int i = 0; i < kWriters; ++i)
      writers.emplace_back([&, i] { ids[i] = CreateProfile(*catalog, cs, "p" + std::to_string(i), 100 + i); });
    hold.WaitForQueue(kWriters);
    EXPECT_EQ(catalog->Stats().groups_written, before.groups_written) << "nothing is written while held";
  }
  for (auto& t : writers) t.join();
  const StoreStats after = catalog->Stats();
  // The held body writes nothing, so its group has no write of its own: one write for all eight.
  EXPECT_EQ(after.groups_written - before.groups_written, 1u);
  EXPECT_EQ(after.transactions - before.transactions, kWriters + 1u);
  EXPECT_EQ(after.max_group_size, static_cast<uint64_t>(kWriters));
  for (core::Id id : ids) EXPECT_GT(id, 0);
  EXPECT_EQ(catalog->CountRunProfiles(cs).value(), kWriters);
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

// Bodies queued while the committer is busy form one group; the failing ones are rolled back
// (row, counters and activity) and the others commit.
TEST(RocksCatalog, FailingBodyIsRolledBackWhileTheRestOfItsGroupCommits) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  core::Id cs = CreateSystem(*catalog, "HR");

  const StoreStats before = catalog->Stats();
  CommitHold hold(*catalog);
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
  hold.WaitForQueue(kThreads);
  hold.Release();
  for (auto& t : threads) t.join();

  // The eight bodies, failing or not, shared one group write.
  EXPECT_EQ(catalog->Stats().groups_written - before.groups_written, 1u);
  EXPECT_EQ(catalog->Stats().max_group_size, static_cast<uint64_t>(kThreads));
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
    EXPECT_EQ(catalog->GetRunProfile(ids[i]).value().has_value(), expect) << i;
    EXPECT_EQ(catalog->GetActivity(TestUuid(100 + i)).value().has_value(), expect) << i;
  }
  EXPECT_EQ(catalog->CountRunProfiles(cs).value(), committed);
  EXPECT_EQ(catalog->ListRunProfiles(cs).value().size(), static_cast<size_t>(committed));
  core::ActivityQuery q;
  q.connected_system_id = cs;
  q.limit = 100;
  auto page = catalog->ListActivities(q).value();
  EXPECT_EQ(page.total, committed);
  EXPECT_EQ(page.items.size(), static_cast<size_t>(committed));
  // The audit rows bypass the group's read index: each filter index must still lose the failed ones.
  for (std::optional<core::Id> system : {std::optional<core::Id>(cs), std::optional<core::Id>()}) {
    core::ActivityQuery by_type;
    by_type.connected_system_id = system;
    by_type.target_type = core::TargetType::kConnectedSystemRunProfile;
    by_type.limit = 100;
    auto typed = catalog->ListActivities(by_type).value();
    EXPECT_EQ(typed.total, committed);
    EXPECT_EQ(typed.items.size(), static_cast<size_t>(committed));
  }
  std::set<core::Id> distinct(ids.begin(), ids.end());
  EXPECT_EQ(distinct.size(), ids.size());
}

TEST(RocksCatalog, NameLookupsSeeEarlierWritesOfTheSameGroup) {
  TempDir tmp;
  auto catalog = MustOpen(tmp.path());
  const StoreStats before = catalog->Stats();
  CommitHold hold(*catalog);
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
  hold.WaitForQueue(4);
  hold.Release();
  for (auto& t : threads) t.join();
  ASSERT_EQ(catalog->Stats().groups_written - before.groups_written, 1u) << "the four did not share a group";
  EXPECT_EQ(catalog->Stats().max_group_size, 4u);
  int ok = 0;
  for (auto& r : results) ok += r.ok();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(catalog->ListConnectedSystems().value().size(), 1u);
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
  EXPECT_EQ(catalog->CountRunProfiles(cs).value(), kThreads * kPerThread);
  EXPECT_EQ(catalog->ListRunProfiles(cs).value().size(), static_cast<size_t>(kThreads * kPerThread));
  core::ActivityQuery q;
  EXPECT_EQ(catalog->ListActivities(q).value().total, kThreads * kPerThread);
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
  EXPECT_FALSE(catalog->GetActivity(TestUuid(1)).value());

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
  EXPECT_EQ(catalog->CountRunProfiles(cs).value(), 50);
  catalog->Close();
  EXPECT_FALSE(catalog->WaitForCompactions(std::chrono::seconds(1)));
}

}  // namespace
}  // namespace jim::store
