// The group-commit engine over a fake commit function: no RocksDB. What is asserted is what the engine
// promises RocksCatalog: who commits, which bodies share a group, that every caller gets its own result
// only after its group was committed, touches, stop and housekeeping. Threads are ordered with latches
// and the engine's own QueueDepth, never with sleeps.
#include <gtest/gtest.h>

#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "store/group_committer.h"
#include "tests/unit/memory_catalog.h"

namespace jim::store {
namespace {

using core::ErrorCode;
using core::OkStatus;
using core::Status;
using core::Transaction;

// A commit function that runs the bodies against an in-memory transaction and records each group.
class FakeStore {
 public:
  struct Group {
    size_t bodies = 0;
    GroupCommitter::Touches touches;
    std::thread::id thread;
  };

  FakeStore()
      : committer([this](std::vector<GroupCommitter::Pending*>& group,
                         GroupCommitter::Touches& touches) { Commit(group, touches); },
                  [this](bool idle) {
                    if (idle && !idle_seen_.exchange(true)) idle_latch.count_down();
                  },
                  std::chrono::milliseconds(10)) {
    committer.Start();
  }
  // The committer thread uses the members below: it stops before they go.
  ~FakeStore() { committer.Stop(); }

  std::vector<Group> Groups() {
    std::lock_guard lock(mu_);
    return groups_;
  }

  // Set before submitting: the next group's commit waits for Release() after it has started.
  void HoldNextGroup() { hold_ = true; }
  void WaitUntilHeld() { held_.wait(); }
  void Release() { release_.count_down(); }

  std::latch idle_latch{1};
  std::latch touched{1};
  GroupCommitter committer;

 private:
  void Commit(std::vector<GroupCommitter::Pending*>& group, GroupCommitter::Touches& touches) {
    if (hold_.exchange(false)) {
      held_.count_down();
      release_.wait();
    }
    jim::testing::MemoryState state;
    jim::testing::MemoryTransaction tx(state);
    for (auto* p : group) p->result = (*p->body)(tx);
    {
      std::lock_guard lock(mu_);
      groups_.push_back({group.size(), touches, std::this_thread::get_id()});
    }
    if (!touches.empty()) touched.count_down();
  }

  std::mutex mu_;
  std::vector<Group> groups_;
  std::atomic<bool> hold_{false};
  std::atomic<bool> idle_seen_{false};
  std::latch held_{1}, release_{1};
};

TEST(GroupCommitter, ALoneWriterCommitsOnItsOwnThread) {
  FakeStore store;
  EXPECT_TRUE(store.committer.Submit([](Transaction&) -> Status { return OkStatus(); }).ok());
  auto groups = store.Groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].bodies, 1u);
  EXPECT_EQ(groups[0].thread, std::this_thread::get_id()) << "an idle store needs no thread hand-off";
}

// Writers that arrive while a group is being committed queue up and share the next group; each gets the
// result of its own body, and only after that group was committed.
TEST(GroupCommitter, WritersQueuedBehindARunningGroupShareTheNextOne) {
  FakeStore store;
  store.HoldNextGroup();
  std::thread first([&] { EXPECT_TRUE(store.committer.Submit([](Transaction&) -> Status { return OkStatus(); }).ok()); });
  store.WaitUntilHeld();

  constexpr int kWriters = 6;
  std::vector<Status> results(kWriters, OkStatus());
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] {
      results[i] = store.committer.Submit([i](Transaction&) -> Status {
        if (i % 2) return core::MakeError(ErrorCode::kConflict, "writer " + std::to_string(i));
        return OkStatus();
      });
    });
  while (store.committer.QueueDepth() < kWriters) std::this_thread::yield();
  EXPECT_EQ(store.Groups().size(), 0u) << "nothing is committed while the first group is held";
  store.Release();
  first.join();
  for (auto& t : writers) t.join();

  auto groups = store.Groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].bodies, 1u);
  EXPECT_EQ(groups[1].bodies, static_cast<size_t>(kWriters));
  for (int i = 0; i < kWriters; ++i) {
    if (i % 2) {
      ASSERT_FALSE(results[i].ok()) << i;
      EXPECT_EQ(results[i].error().message, "writer " + std::to_string(i));
    } else {
      EXPECT_TRUE(results[i].ok()) << i;
    }
  }
}

TEST(GroupCommitter, ATouchIsCommittedByTheCommitterWithoutAnyWriter) {
  FakeStore store;
  store.committer.Touch("key-1", 500);
  store.touched.wait();
  auto groups = store.Groups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].bodies, 0u);
  EXPECT_EQ(groups[0].touches, (GroupCommitter::Touches{{"key-1", 500}}));
  EXPECT_NE(groups[0].thread, std::this_thread::get_id());
}

// Touches queued together keep the newest time of each key.
TEST(GroupCommitter, TouchesOfOneKeyKeepTheNewestTime) {
  FakeStore store;
  store.HoldNextGroup();
  std::thread first([&] { (void)store.committer.Submit([](Transaction&) -> Status { return OkStatus(); }); });
  store.WaitUntilHeld();
  store.committer.Touch("key-1", 500);
  store.committer.Touch("key-1", 400);
  store.committer.Touch("key-2", 100);
  store.Release();
  first.join();
  store.touched.wait();
  auto groups = store.Groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[1].touches, (GroupCommitter::Touches{{"key-1", 500}, {"key-2", 100}}));
}

// Stop lets what was queued commit, then refuses: a clean shutdown loses no acknowledged write.
TEST(GroupCommitter, StopDrainsTheQueueAndRefusesLaterWrites) {
  FakeStore store;
  store.HoldNextGroup();
  std::thread first([&] { (void)store.committer.Submit([](Transaction&) -> Status { return OkStatus(); }); });
  store.WaitUntilHeld();
  constexpr int kWriters = 4;
  std::vector<Status> results(kWriters, core::MakeError(ErrorCode::kInternal, "not run"));
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i)
    writers.emplace_back([&, i] { results[i] = store.committer.Submit([](Transaction&) -> Status { return OkStatus(); }); });
  while (store.committer.QueueDepth() < kWriters) std::this_thread::yield();
  std::thread stopper([&] { store.committer.Stop(); });
  while (!store.committer.Stopping()) std::this_thread::yield();
  store.Release();
  stopper.join();
  first.join();
  for (auto& t : writers) t.join();
  for (int i = 0; i < kWriters; ++i) EXPECT_TRUE(results[i].ok()) << i;

  bool ran = false;
  Status late = store.committer.Submit([&](Transaction&) -> Status {
    ran = true;
    return OkStatus();
  });
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnavailable);
  EXPECT_FALSE(ran);
  EXPECT_EQ(store.Groups().size(), 2u);
}

TEST(GroupCommitter, HousekeepingRunsWhenTheStoreIsIdle) {
  FakeStore store;
  store.idle_latch.wait();  // returns once the committer reported an idle wait
  EXPECT_TRUE(store.Groups().empty());
}

// Exclusive holds the token: a writer waits for it, then commits.
TEST(GroupCommitter, ExclusiveKeepsGroupsOut) {
  FakeStore store;
  std::latch inside(1), leave(1);
  std::thread holder([&] {
    store.committer.Exclusive([&] {
      inside.count_down();
      leave.wait();
    });
  });
  inside.wait();
  std::thread writer([&] { EXPECT_TRUE(store.committer.Submit([](Transaction&) -> Status { return OkStatus(); }).ok()); });
  while (store.committer.QueueDepth() < 1) std::this_thread::yield();
  EXPECT_TRUE(store.Groups().empty());
  leave.count_down();
  holder.join();
  writer.join();
  EXPECT_EQ(store.Groups().size(), 1u);
}

}  // namespace
}  // namespace jim::store
