// Group commit for the PostgreSQL backend: one node's concurrent writers batched into groups, each group one
// PostgreSQL transaction (pg_catalog.cpp runs it). Knows nothing of PostgreSQL.
//
// Why: every write holds the one write lock (serialised across nodes) from BEGIN to COMMIT, so one
// transaction per write costs one lock hand-over and one WAL flush each and the node's write rate is
// 1 / (round trips + flush) whatever the load (docs/performance.md, "Issue 17"). Bodies that queued while a
// group ran go together into the next one: same serialised order, one lock and one flush per group, exactly
// as the embedded store's group commit (docs/store.md).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "core/catalog.h"

namespace jim::store::pg {

class WriteGroups {
 public:
  using Body = std::function<core::Status(core::Transaction&)>;
  struct Member {
    const Body* body;
    std::optional<core::Status> result;  // written by the group's runner, outside the lock
    bool done = false;  // set under the lock once the group has ended: only then may the member read `result`
  };
  // Runs one group: must set every member's result and must not throw.
  using RunGroup = std::function<void(std::vector<Member*>&)>;

  explicit WriteGroups(size_t max_group) : max_group_(max_group < 1 ? 1 : max_group) {}

  // Queues `body`; the first caller that finds no group running leads: it takes what is queued (itself
  // included, oldest first, at most max_group) and runs it with `run` on its own thread, then lets the next
  // leader go. Returns the body's result, or nullopt if it was still queued (not yet in a group) after `wait`.
  std::optional<core::Status> Submit(const Body& body, std::chrono::milliseconds wait, const RunGroup& run);
  // Bodies queued and not yet in a group (what the next group will take, up to max_group).
  size_t QueueDepth();
  // The largest group run so far.
  size_t MaxGroupSize();

 private:
  const size_t max_group_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Member*> queue_;
  bool leading_ = false;
  size_t max_group_seen_ = 0;
};

}  // namespace jim::store::pg
