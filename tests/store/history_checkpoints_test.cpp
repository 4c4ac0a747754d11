// History checkpoints of connected systems built after their group committed (store/history_checkpoints.h):
// the history they leave must read exactly as the inline design's, also with writes and deletes landing
// while a checkpoint is being built. The oracle is the unit tier's in-memory catalog, which encodes every
// checkpoint inside its transaction: the same services make the same changes in the same order on both.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <numeric>

#include "core/config_history.h"
#include "core/service_set.h"
#include "tests/store/store_test_util.h"
#include "tests/unit/memory_catalog.h"

namespace jim::store {
namespace {

using core::ConfigObjectType;
using core::ConfigVersion;
using core::Id;

// The services over one catalog, seeded like a fresh server, with a deterministic clock and entropy: two
// stacks that make the same calls write the same records.
struct Stack {
  Stack(core::Catalog& catalog, jim::testing::FakeClock& clock, jim::testing::CountingEntropy& entropy, bool seed)
      : clock(clock), services(catalog, clock, entropy) {
    if (seed) {
      EXPECT_TRUE(services.definitions.SeedBuiltIns().ok());
    }
  }
  jim::testing::FakeClock& clock;
  core::ServiceSet services;
};

bool SameDiff(const core::DiffNode& a, const core::DiffNode& b) {
  if (a.key != b.key || a.label != b.label || a.node_type != b.node_type || a.change_type != b.change_type ||
      a.old_value != b.old_value || a.new_value != b.new_value || a.old_display_value != b.old_display_value ||
      a.new_display_value != b.new_display_value || a.is_secret != b.is_secret || a.item_id != b.item_id ||
      a.item_guid_id != b.item_guid_id || a.children.size() != b.children.size())
    return false;
  for (size_t i = 0; i < a.children.size(); ++i)
    if (!SameDiff(a.children[i], b.children[i])) return false;
  return true;
}

// A record without what only says where it folds from (which differs while a checkpoint was pending).
ConfigVersion WithoutLayout(ConfigVersion r) {
  r.is_checkpoint = false;
  r.checkpoint_version = r.checkpoint_bytes = r.delta_bytes = 0;
  r.payload.clear();
  return r;
}

class HistoryCheckpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open(/*seed=*/true);
    cs_ = NewSystem(memory_stack_);
    ASSERT_EQ(NewSystem(*rocks_stack_), cs_);
  }
  void TearDown() override {
    if (rocks_) rocks_->WaitForHistoryCheckpoints();  // the hooks use the stacks
    rocks_stack_.reset();
    rocks_.reset();
  }
  void Open(bool seed, const std::string& dir = "") {
    StoreOptions options = testing::Options(dir.empty() ? dir_.path() : dir);
    options.checkpoint_hooks = {[this] { Hook(before_snapshot_); }, [this] { Hook(before_rewrite_); }};
    rocks_ = testing::MustOpen(options);
    ASSERT_TRUE(rocks_);
    rocks_stack_ = std::make_unique<Stack>(*rocks_, rocks_clock_, rocks_entropy_, seed);
  }
  // A restart of the same server: the clock and the entropy go on.
  void Reopen() {
    rocks_stack_.reset();
    rocks_.reset();
    Open(/*seed=*/false);
  }
  static void Hook(const std::function<void()>& fn) {
    if (fn) fn();
  }
  static Id NewSystem(Stack& s) {
    core::CreateConnectedSystemInput in;
    in.name = "Checkpointed";
    in.connector_definition_id = 1;
    auto r = s.services.systems.Create(admin_, in);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->system.id : 0;
  }

  // Change number `i` of a fixed sequence, chosen from the stack's own state (the same on both stacks):
  // mostly creates, so the system and its checkpoints grow; updates, deletes and partitions between them.
  void Step(Stack& s, int i) {
    auto& svc = s.services;
    auto profiles = s.services.ctx.catalog.ListRunProfiles(cs_).value();
    s.clock.now += 1000;
    const int op = i % 9;
    if (op == 4 && !profiles.empty()) {
      core::UpdateRunProfileInput in;
      in.page_size = 1 + i;
      ASSERT_TRUE(svc.profiles.Update(admin_, cs_, profiles[(i * 31) % profiles.size()].id, in).ok());
    } else if (op == 5 && !profiles.empty()) {
      ASSERT_TRUE(svc.profiles.Delete(admin_, cs_, profiles[(i * 17) % profiles.size()].id, std::nullopt, "tidy").ok());
    } else if (op == 6) {
      core::CreatePartitionInput in;
      in.name = "Part " + std::to_string(i);
      ASSERT_TRUE(svc.systems.CreatePartition(admin_, cs_, in).ok());
    } else if (op == 7) {
      core::UpdateConnectedSystemInput in;
      in.description = "Description " + std::to_string(i);
      ASSERT_TRUE(svc.systems.Update(admin_, cs_, in).ok());
    } else {
      core::CreateRunProfileInput in;
      in.name = "Profile number " + std::to_string(i) + " with a longer name to grow the snapshot";
      in.run_type = i % 2 ? core::RunType::kFullImport : core::RunType::kExport;
      in.page_size = 100 + i;
      in.file_path = "/data/import/" + std::to_string(i) + ".csv";
      ASSERT_TRUE(svc.profiles.Create(admin_, cs_, in).ok());
    }
  }
  // The next change on both stacks, in the same order on both (the hooks call it from the checkpoint thread).
  void Both() {
    std::lock_guard lock(step_mu_);
    if (stopped_) return;
    const int i = next_step_++;
    Step(*rocks_stack_, i);
    Step(memory_stack_, i);
  }
  // Backs the RocksDB store up into `dir`, after which neither stack changes.
  void BackUpAndStop(const std::string& dir) {
    std::lock_guard lock(step_mu_);
    stopped_ = true;
    ASSERT_TRUE(rocks_->Checkpoint(dir).ok());
  }
  void DeleteSystemOnBoth() {
    std::lock_guard lock(step_mu_);
    stopped_ = true;
    ASSERT_TRUE(rocks_stack_->services.systems.Delete(admin_, cs_).ok());
    ASSERT_TRUE(memory_stack_.services.systems.Delete(admin_, cs_).ok());
  }

  core::ConfigObjectRef Ref() const { return {ConfigObjectType::kConnectedSystem, std::to_string(cs_)}; }
  std::vector<ConfigVersion> Records(core::Catalog& c) {
    const int64_t n = c.ListConfigVersions(ConfigObjectType::kConnectedSystem, std::to_string(cs_), 0, 1).value().total;
    return c.ConfigVersionRange(ConfigObjectType::kConnectedSystem, std::to_string(cs_), 1, n).value();
  }
  core::ConfigHead Head() {
    core::ConfigHead head;
    EXPECT_TRUE(rocks_->Transact([&](core::Transaction& tx) {
      head = tx.LatestConfigHead(ConfigObjectType::kConnectedSystem, std::to_string(cs_));
      return core::OkStatus();
    }).ok());
    return head;
  }

  // Every version's Get, Compare with its neighbours and a far one, and List's pages: the same on both stacks,
  // but for the fields that say where a record folds from unless `same_layout`.
  void ExpectSameHistory(bool same_layout) {
    auto& rocks = rocks_stack_->services.history;
    auto& memory = memory_stack_.services.history;
    const auto expected = Records(memory_);
    ASSERT_EQ(Records(*rocks_).size(), expected.size());
    const auto n = static_cast<int64_t>(expected.size());
    for (int64_t v = 1; v <= n; ++v) {
      SCOPED_TRACE("version " + std::to_string(v));
      auto got = rocks.Get(Ref(), v);
      auto want = memory.Get(Ref(), v);
      ASSERT_TRUE(got.ok() && want.ok());
      EXPECT_EQ(got->snapshot, want->snapshot);
      EXPECT_EQ(got->old_version, want->old_version);
      EXPECT_TRUE(SameDiff(got->diff, want->diff));
      EXPECT_EQ(got->counts.added, want->counts.added);
      EXPECT_EQ(got->counts.removed, want->counts.removed);
      EXPECT_EQ(got->counts.modified, want->counts.modified);
      EXPECT_EQ(same_layout ? got->record : WithoutLayout(got->record),
                same_layout ? want->record : WithoutLayout(want->record));
      for (int64_t from : {v - 1, std::max<int64_t>(1, v - 37)}) {
        if (from < 1) continue;
        auto c1 = rocks.Compare(Ref(), std::to_string(from), std::to_string(v));
        auto c2 = memory.Compare(Ref(), std::to_string(from), std::to_string(v));
        ASSERT_TRUE(c1.ok() && c2.ok());
        EXPECT_EQ(c1->object_name, c2->object_name);
        EXPECT_TRUE(SameDiff(c1->diff, c2->diff)) << "from " << from;
      }
    }
    for (int64_t page = 1; page <= (n + 24) / 25; ++page) {
      core::ListQueryInput query;
      query.page = std::to_string(page);
      query.page_size = "25";
      auto got = rocks.List(Ref(), query);
      auto want = memory.List(Ref(), query);
      ASSERT_TRUE(got.ok() && want.ok());
      EXPECT_EQ(got->total, want->total);
      ASSERT_EQ(got->items.size(), want->items.size());
      for (size_t i = 0; i < got->items.size(); ++i)
        EXPECT_EQ(same_layout ? got->items[i] : WithoutLayout(got->items[i]),
                  same_layout ? want->items[i] : WithoutLayout(want->items[i]));
    }
  }

  // The writer's spacing totals after the rewrites: the head names the newest checkpoint and counts the
  // delta bytes written after it, whatever raced with the builds.
  void ExpectHeadCountsTheDeltasAfterItsCheckpoint() {
    const auto records = Records(*rocks_);
    const core::ConfigHead head = Head();
    ASSERT_EQ(head.version, static_cast<int64_t>(records.size()));
    int64_t last_checkpoint = 0;
    for (const auto& r : records)
      if (r.is_checkpoint) last_checkpoint = r.version;
    ASSERT_EQ(head.checkpoint_version, last_checkpoint);
    EXPECT_EQ(head.checkpoint_bytes, static_cast<int64_t>(records[last_checkpoint - 1].payload.size()));
    int64_t after = 0;
    for (const auto& r : records)
      if (r.version > last_checkpoint) after += static_cast<int64_t>(r.payload.size());
    EXPECT_EQ(head.delta_bytes, after);
  }

  // Deletes the system on both stacks from the checkpoint thread, in `hook` of the first build; returns when
  // the builds are done.
  void DeleteSystemDuringTheFirstBuild(std::function<void()>& hook) {
    std::atomic<bool> deleted{false};  // set on the checkpoint thread
    hook = [&] {
      if (!deleted) DeleteSystemOnBoth();
      deleted = true;
    };
    for (int i = 0; i < 120 && !deleted; ++i) Both();
    rocks_->WaitForHistoryCheckpoints();
    hook = nullptr;
    ASSERT_TRUE(deleted);
  }
  void ExpectDeletedWithTheSameHistoryAcrossARestart() {
    for (int round = 0; round < 2; ++round) {
      SCOPED_TRACE(round == 0 ? "as written" : "after a restart");
      EXPECT_FALSE(rocks_->GetConnectedSystem(cs_).value());
      EXPECT_TRUE(rocks_->ListRunProfiles(cs_).value().empty());
      EXPECT_TRUE(rocks_->ListPartitions(cs_).value().empty());
      EXPECT_EQ(rocks_->CountRunProfiles(cs_).value(), 0);
      EXPECT_EQ(rocks_->CountAllRunProfiles().value(), 0);
      ExpectSameHistory(/*same_layout=*/false);
      Reopen();
    }
  }

  static inline const core::Actor admin_{"ApiKey", "11111111-1111-4111-8111-111111111111", "admin"};
  testing::TempDir dir_;
  jim::testing::MemoryCatalog memory_;
  jim::testing::FakeClock memory_clock_, rocks_clock_;
  jim::testing::CountingEntropy memory_entropy_, rocks_entropy_;
  Stack memory_stack_{memory_, memory_clock_, memory_entropy_, /*seed=*/true};
  std::unique_ptr<RocksCatalog> rocks_;
  std::unique_ptr<Stack> rocks_stack_;
  Id cs_ = 0;
  std::mutex step_mu_;  // orders the changes made on both stacks
  int next_step_ = 0;
  bool stopped_ = false;  // no more changes (the system was deleted, or a backup was taken)
  // What the checkpoint thread does before its snapshot and before it rewrites anything (test hooks).
  std::function<void()> before_snapshot_, before_rewrite_;
};

TEST_F(HistoryCheckpointsTest, DrainedAfterEveryWriteTheHistoryIsTheInlineDesignsRecordForRecord) {
  // Proof that the write path did not encode it: the version that asked is still a delta when the build starts.
  int deferred = 0;
  before_snapshot_ = [&] {
    auto newest = rocks_->ListConfigVersions(ConfigObjectType::kConnectedSystem, std::to_string(cs_), 0, 1).value();
    ASSERT_EQ(newest.items.size(), 1u);
    EXPECT_FALSE(newest.items[0].is_checkpoint);
    ++deferred;
  };
  for (int i = 0; i < 400; ++i) {
    Both();
    rocks_->WaitForHistoryCheckpoints();
  }
  const auto records = Records(*rocks_);
  const auto checkpoints = std::count_if(records.begin(), records.end(), [](auto& r) { return r.is_checkpoint; });
  EXPECT_GE(checkpoints, 4);  // the first, written inline, and the ones built afterwards
  EXPECT_EQ(rocks_->HistoryCheckpointsBuilt(), static_cast<uint64_t>(checkpoints - 1));
  EXPECT_EQ(deferred, checkpoints - 1);
  EXPECT_EQ(records, Records(memory_));  // payloads, flags and totals: byte for byte
  ExpectSameHistory(/*same_layout=*/true);
  ExpectHeadCountsTheDeltasAfterItsCheckpoint();
  Reopen();
  ExpectSameHistory(/*same_layout=*/true);
}

TEST_F(HistoryCheckpointsTest, WritesLandingBetweenTheSnapshotAndTheRewriteFoldToTheRightState) {
  int raced = 0;
  before_rewrite_ = [&] {
    // Versions after the one being checkpointed: deltas naming the old checkpoint, counted by the head.
    for (int k = 0; k < 3; ++k) Both();
    ++raced;
  };
  before_snapshot_ = [&] { Both(); };  // and one before the snapshot: the build checkpoints the newest version
  // Waiting after each write keeps the number of builds the same whatever the scheduling.
  for (int i = 0; i < 400; ++i) {
    Both();
    rocks_->WaitForHistoryCheckpoints();
  }
  EXPECT_GE(raced, 3);
  EXPECT_EQ(rocks_->HistoryCheckpointsBuilt(), static_cast<uint64_t>(raced));
  ExpectSameHistory(/*same_layout=*/false);
  ExpectHeadCountsTheDeltasAfterItsCheckpoint();
  // Records after a rebuilt checkpoint that still name the old one read right, also from a cold start.
  Reopen();
  ExpectSameHistory(/*same_layout=*/false);
}

TEST_F(HistoryCheckpointsTest, ASystemDeletedBeforeItsCheckpointsSnapshotIsLeftAsDeltas) {
  DeleteSystemDuringTheFirstBuild(before_snapshot_);
  EXPECT_EQ(rocks_->HistoryCheckpointsBuilt(), 0u);
  ExpectDeletedWithTheSameHistoryAcrossARestart();
}

TEST_F(HistoryCheckpointsTest, ASystemDeletedWhileItsCheckpointIsBuiltStaysDeleted) {
  // The checkpoint holds the state at its version, which the history shows the same either way.
  DeleteSystemDuringTheFirstBuild(before_rewrite_);
  ExpectDeletedWithTheSameHistoryAcrossARestart();
}

TEST_F(HistoryCheckpointsTest, ABackupTakenWhileACheckpointIsPendingReadsTheSame) {
  testing::TempDir backups;
  const std::string backup = backups.path() + "/backup";
  std::atomic<bool> taken{false};  // set on the checkpoint thread
  before_rewrite_ = [&] {
    if (!taken) BackUpAndStop(backup);  // the version being checkpointed is still a delta in the backup
    taken = true;
  };
  for (int i = 0; i < 120 && !taken; ++i) Both();
  rocks_->WaitForHistoryCheckpoints();
  before_rewrite_ = nullptr;
  ASSERT_TRUE(taken);
  rocks_stack_.reset();
  rocks_.reset();
  Open(/*seed=*/false, backup);
  EXPECT_EQ(rocks_->HistoryCheckpointsBuilt(), 0u);
  ExpectSameHistory(/*same_layout=*/false);
}

TEST_F(HistoryCheckpointsTest, ClosingWhileACheckpointIsBuiltFinishesItBeforeTheDbCloses) {
  std::promise<void> building;
  bool signalled = false;
  before_rewrite_ = [&] {
    if (!signalled) building.set_value();
    signalled = true;
  };
  auto started = building.get_future();
  for (int i = 0; i < 120 && started.wait_for(std::chrono::seconds(0)) != std::future_status::ready; ++i) Both();
  started.wait();
  // The build is between its snapshot and its rewrite: Close waits for it (and drops what is queued behind
  // it), then closes the DB.
  rocks_stack_.reset();
  rocks_->Close();
  const uint64_t built = rocks_->HistoryCheckpointsBuilt();
  EXPECT_GE(built, 1u);
  rocks_.reset();
  Open(/*seed=*/false);
  const auto records = Records(*rocks_);
  EXPECT_EQ(std::count_if(records.begin(), records.end(), [](auto& r) { return r.is_checkpoint; }),
            static_cast<std::ptrdiff_t>(built + 1));
  ExpectSameHistory(/*same_layout=*/false);
  // After a restart the next due write asks again.
  for (int i = 0; i < 200; ++i) Both();
  rocks_->WaitForHistoryCheckpoints();
  EXPECT_GE(rocks_->HistoryCheckpointsBuilt(), 1u);
  ExpectSameHistory(/*same_layout=*/false);
  ExpectHeadCountsTheDeltasAfterItsCheckpoint();
}

}  // namespace
}  // namespace jim::store
