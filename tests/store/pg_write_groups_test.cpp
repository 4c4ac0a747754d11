// The PostgreSQL backend's write queue (store/pg_write_groups.h) on its own: it knows nothing of PostgreSQL,
// so these run without a cluster. Threads are ordered by latches and the queue's depth, never by sleeps.
#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "store/pg_write_groups.h"

namespace jim::store::pg {
namespace {

using namespace std::chrono_literals;

core::Status Named(const std::string& message) { return core::MakeError(core::ErrorCode::kConflict, message); }

// A runner writes results outside the queue's lock and may reset and rewrite them (another attempt after a
// transient failure). A member whose wait ran out while its group was running must still get the result the
// group ended with: returning on the first result it sees would hand out an attempt's answer and end the
// member while the runner may still run its body again.
TEST(PgWriteGroups, AMemberGetsTheResultItsGroupEndedWithNotAnEarlierAttempts) {
  WriteGroups groups(8);
  const WriteGroups::Body body = [](core::Transaction&) { return core::OkStatus(); };
  std::counting_semaphore<4> member_returned(0);
  std::latch first_running(1);

  // The first group (one writer) runs until both others are queued behind it: they form the next group.
  std::thread first([&] {
    auto result = groups.Submit(body, 10s, [&](std::vector<WriteGroups::Member*>& group) {
      first_running.count_down();
      while (groups.QueueDepth() < 2) std::this_thread::yield();
      for (auto* m : group) m->result = core::OkStatus();
    });
    EXPECT_TRUE(result && result->ok());
  });
  // One of the two leads the second group; the other's wait runs out while that group runs. The runner writes
  // an attempt's result, and only gives the final one once a member returned or five times that wait passed.
  // The wait is long against what starting the two threads and handing the next group over take: neither runs
  // out while still queued. (No wait here for the depth: the first group ends and the next takes both as soon
  // as both are queued, so a depth of 2 may never be seen from this thread.)
  constexpr auto kMemberWait = 500ms;
  auto second_group = [&](std::vector<WriteGroups::Member*>& group) {
    for (auto* m : group) m->result = Named("an earlier attempt");
    bool returned_early = member_returned.try_acquire_for(5 * kMemberWait);
    for (auto* m : group) m->result = Named(returned_early ? "too late" : "the group's end");
  };
  first_running.wait();
  std::vector<std::optional<core::Status>> results(2);
  std::vector<std::thread> queued;
  for (int i = 0; i < 2; ++i)
    queued.emplace_back([&, i] {
      // Queued only once the first group runs (its runner waits for the depth), so neither can lead it.
      results[i] = groups.Submit(body, kMemberWait, second_group);
      member_returned.release();
    });
  first.join();
  for (auto& t : queued) t.join();

  EXPECT_EQ(groups.MaxGroupSize(), 2u);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(results[i].has_value()) << i << ": it was in a running group, not left in the queue";
    ASSERT_FALSE(results[i]->ok());
    EXPECT_EQ(results[i]->error().message, "the group's end") << i;
  }
}

}  // namespace
}  // namespace jim::store::pg
