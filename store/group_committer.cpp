#include "store/group_committer.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace jim::store {
namespace {

// The word is thread-local, not on the caller's stack, so it stays valid while the committer wakes it
// even after the caller has returned.
thread_local std::atomic<uint32_t> tl_commit_done{0};

void WaitDone(std::atomic<uint32_t>& word) {
  while (word.load(std::memory_order_acquire) == 0)
    ::syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0u, nullptr, nullptr, 0);  // returns at once unless 0
}

void WakeDone(std::atomic<uint32_t>* word) {
  word->store(1, std::memory_order_release);
  ::syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace

GroupCommitter::GroupCommitter(CommitFn commit, HousekeepingFn housekeeping, std::chrono::milliseconds idle_wait)
    : commit_(std::move(commit)), housekeeping_(std::move(housekeeping)), idle_wait_(idle_wait) {}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Start() { committer_ = std::thread([this] { CommitterLoop(); }); }

core::Status GroupCommitter::Submit(const Body& body) {
  Pending pending{&body};
  pending.done = &tl_commit_done;
  pending.done->store(0, std::memory_order_relaxed);
  bool alone = false;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_)
      return core::MakeError(core::ErrorCode::kUnavailable, "The store cannot write right now.", "store is closing");
    queue_.push_back(&pending);
    alone = queue_.size() == 1;
  }
  // An idle store commits on the caller's own thread. When others are queued too, the committer thread
  // takes them all as one group: a caller leading then would commit small groups and pay more fsyncs.
  // Whoever does not lead wakes the committer in case nobody else does.
  std::unique_lock commit(commit_mu_, std::defer_lock);
  if (alone) (void)commit.try_lock();
  if (!commit.owns_lock()) {
    queue_cv_.notify_one();
    WaitDone(*pending.done);
    return std::move(pending.result);
  }
  std::vector<Pending*> group;
  Touches touches;
  {
    std::lock_guard lock(queue_mu_);
    group.swap(queue_);
    touches.swap(touches_);
  }
  // Entries leave the queue only under commit_mu_ and are woken before it is released, so an entry of
  // ours that is not in this group was already committed by the previous holder.
  if (!group.empty() || !touches.empty()) commit_(group, touches);
  for (Pending* p : group)
    if (p != &pending) WakeDone(p->done);
  bool more = false;
  {
    std::lock_guard lock(queue_mu_);
    more = HasWork();
  }
  commit.unlock();
  if (more) queue_cv_.notify_one();
  return std::move(pending.result);
}

void GroupCommitter::CommitterLoop() {
  std::vector<Pending*> group;
  Touches touches;
  for (;;) {
    housekeeping_(false);
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait_for(lock, idle_wait_, [&] { return stopping_ || HasWork(); });
      if (!HasWork()) {
        if (stopping_) return;
        lock.unlock();
        housekeeping_(true);
        continue;
      }
    }
    // Callers may be committing on their own threads (see Submit): take the commit token first, then
    // whatever is still queued.
    std::lock_guard commit(commit_mu_);
    {
      std::lock_guard lock(queue_mu_);
      group.swap(queue_);
      touches.swap(touches_);
    }
    if (group.empty() && touches.empty()) continue;
    commit_(group, touches);
    // The caller may return (and its Pending go) as soon as its word is set: read nothing after that.
    for (Pending* p : group) WakeDone(p->done);
    group.clear();
    touches.clear();
  }
}

void GroupCommitter::Touch(std::string_view api_key_id, core::Millis when) {
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return;
    auto it = touches_.find(std::string(api_key_id));
    if (it == touches_.end()) {
      touches_.emplace(std::string(api_key_id), when);
    } else {
      it->second = std::max(it->second, when);
    }
  }
  queue_cv_.notify_one();
}

void GroupCommitter::Stop() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (committer_.joinable()) committer_.join();  // it drains the queue before it exits
}

bool GroupCommitter::Stopping() {
  std::lock_guard lock(queue_mu_);
  return stopping_;
}

size_t GroupCommitter::QueueDepth() {
  std::lock_guard lock(queue_mu_);
  return queue_.size();
}

}  // namespace jim::store
