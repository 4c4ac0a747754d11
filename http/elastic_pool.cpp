#include "http/elastic_pool.h"

#include <chrono>
#include <thread>

namespace jim::http {

namespace {
// How long a thread above the warm core waits for work before it exits.
constexpr auto kExtraThreadIdle = std::chrono::seconds(10);
}  // namespace

ElasticThreadPool::ElasticThreadPool(size_t core, size_t max)
    : core_(core < 1 ? 1 : core), max_(max < core_ ? core_ : max) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < core_; ++i) StartThreadLocked();
}

ElasticThreadPool::~ElasticThreadPool() { shutdown(); }

void ElasticThreadPool::StartThreadLocked() {
  ++threads_;
  // Detached: shutdown() waits on the thread count instead of joining, so that threads retiring while
  // the server runs need no bookkeeping.
  std::thread([this] { Work(); }).detach();
}

void ElasticThreadPool::enqueue(std::function<void()> fn) {
  std::lock_guard lock(mu_);
  if (shutdown_) return;
  jobs_.push_back(std::move(fn));
  if (idle_ < jobs_.size() && threads_ < max_) StartThreadLocked();
  work_cv_.notify_one();
}

bool ElasticThreadPool::HasSpareThread() const {
  std::lock_guard lock(mu_);
  return !shutdown_ && idle_ > jobs_.size();
}

void ElasticThreadPool::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    bool has_work = work_cv_.wait_for(lock, kExtraThreadIdle, [&] { return shutdown_ || !jobs_.empty(); });
    --idle_;
    if (!has_work) {
      if (threads_ > core_) break;  // an extra thread that found nothing to do retires
      continue;
    }
    if (jobs_.empty()) {
      if (shutdown_) break;  // drained: nothing left to run
      continue;              // another thread took the job
    }
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  --threads_;
  exit_cv_.notify_all();
}

void ElasticThreadPool::shutdown() {
  std::unique_lock lock(mu_);
  shutdown_ = true;
  work_cv_.notify_all();
  exit_cv_.wait(lock, [&] { return threads_ == 0; });
}

size_t ElasticThreadPool::threads() const {
  std::lock_guard lock(mu_);
  return threads_;
}

}  // namespace jim::http
