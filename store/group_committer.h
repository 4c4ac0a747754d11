// The group-commit engine, apart from what a group writes: callers submit transaction bodies; whoever
// holds the commit token takes everything queued as one group and hands it to the commit function,
// which runs the bodies and writes them with one durable write. Callers are released only after that.
//
// - An idle store commits on the caller's own thread: a caller that finds the queue empty takes the
//   token itself (two thread hand-offs saved per write). When others are queued, a committer thread
//   takes them all as one group, so a busy store pays one fsync per group, not per caller.
// - Each caller sleeps on its own thread-local futex word and is woken alone (one condition variable
//   with notify_all woke every caller after every group, including those queued for the next one).
// - The committer thread also runs the owner's housekeeping between groups.
//
// It knows nothing of RocksDB: RocksCatalog gives it the commit function, tests give it a fake one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/catalog.h"

namespace jim::store {

class GroupCommitter {
 public:
  using Body = std::function<core::Status(core::Transaction&)>;
  struct Pending {
    const Body* body;
    core::Status result = core::OkStatus();  // set by the commit function
    std::atomic<uint32_t>* done = nullptr;   // the caller's thread-local futex word: 0 waiting, 1 done
  };
  // Best-effort last-used times of api keys, folded into the next group: key id -> newest time.
  using Touches = std::unordered_map<std::string, core::Millis>;
  // Runs every body of `group` and writes the group (and `touches`) with one write, setting each result.
  // Called with the commit token held; `group` may be empty when there are only touches.
  using CommitFn = std::function<void(std::vector<Pending*>& group, Touches& touches)>;
  // Called on the committer thread between groups, without the token (take it with Exclusive): before
  // every wait for work with idle == false, and after a wait that found none with idle == true.
  using HousekeepingFn = std::function<void(bool idle)>;

  GroupCommitter(CommitFn commit, HousekeepingFn housekeeping,
                 std::chrono::milliseconds idle_wait = std::chrono::seconds(1));
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Starts the committer thread; the owner calls it once it is ready to commit.
  void Start();
  // Queues `body`, waits until its group is written and returns the body's result (or the group's
  // failure). After Stop: kUnavailable without running the body.
  core::Status Submit(const Body& body);
  void Touch(std::string_view api_key_id, core::Millis when);
  // Refuses new submissions, lets the committer drain what is queued, and joins it. Idempotent. A caller
  // may still be committing its own group afterwards: Exclusive waits for it.
  void Stop();
  bool Stopping();
  // Bodies waiting for the token right now (what the next group will take).
  size_t QueueDepth();
  // Runs `fn` holding the commit token: no group is committed meanwhile.
  template <class Fn>
  decltype(auto) Exclusive(Fn&& fn) {
    std::lock_guard commit(commit_mu_);
    return fn();
  }

 private:
  void CommitterLoop();
  bool HasWork() const { return !queue_.empty() || !touches_.empty(); }  // under queue_mu_

  CommitFn commit_;
  HousekeepingFn housekeeping_;
  std::chrono::milliseconds idle_wait_;

  // The commit token: whoever holds it (the committer thread, or a caller committing on its own thread
  // when the store is idle) is the only one running bodies and writing groups.
  std::mutex commit_mu_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;  // the committer waits for work
  std::vector<Pending*> queue_;
  Touches touches_;
  bool stopping_ = false;
  std::thread committer_;
};

}  // namespace jim::store
