#include "store/pg_write_groups.h"

#include <algorithm>

namespace jim::store::pg {

std::optional<core::Status> WriteGroups::Submit(const Body& body, std::chrono::milliseconds wait, const RunGroup& run) {
  Member me{&body, std::nullopt};
  std::unique_lock lock(mu_);
  queue_.push_back(&me);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (me.done) return std::move(me.result);
    if (!leading_) {
      leading_ = true;
      std::vector<Member*> group;
      while (!queue_.empty() && group.size() < max_group_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
      max_group_seen_ = std::max(max_group_seen_, group.size());
      lock.unlock();
      run(group);
      lock.lock();
      // The runner wrote the results without the lock (and may reset them for another attempt): a member sees
      // its result only from here, so a member woken early (its deadline, a spurious wake-up) never reads one
      // still being written, nor returns (ending its Member) while the runner may still run its body again.
      for (Member* m : group) m->done = true;
      leading_ = false;
      cv_.notify_all();  // the members of the group, and the next leader
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      auto it = std::find(queue_.begin(), queue_.end(), &me);
      if (it != queue_.end()) {
        queue_.erase(it);
        return std::nullopt;
      }
      // In the running group: its result comes when the group ends (bounded by the group's own timeouts).
      cv_.wait(lock, [&] { return me.done; });
      continue;
    }
    cv_.wait_until(lock, deadline);
  }
}

size_t WriteGroups::QueueDepth() {
  std::lock_guard lock(mu_);
  return queue_.size();
}

size_t WriteGroups::MaxGroupSize() {
  std::lock_guard lock(mu_);
  return max_group_seen_;
}

}  // namespace jim::store::pg
