// The worker pool behind cpp-httplib. cpp-httplib serves one connection per worker thread for as long as
// the connection lives, and 0.11.4 has no deadline for reading a request head: a client that trickles
// header bytes holds its worker indefinitely. A fixed pool of N threads is therefore starved by N slow
// clients (slowloris). This pool keeps `core` threads warm and grows, up to `max`, whenever a connection
// arrives and no thread is idle; threads above `core` exit after being idle for a while.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace jim::http {

class ElasticThreadPool final : public httplib::TaskQueue {
 public:
  ElasticThreadPool(size_t core, size_t max);
  ~ElasticThreadPool() override;

  void enqueue(std::function<void()> fn) override;
  // Stops taking work, lets queued and running tasks finish, and waits for every thread to exit.
  void shutdown() override;

  size_t threads() const;
  // Whether a thread is idle with no queued job to take: a worker may then wait on its connection for a
  // moment without keeping anyone waiting.
  bool HasSpareThread() const;

 private:
  void StartThreadLocked();
  void Work();

  const size_t core_;
  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable exit_cv_;
  std::deque<std::function<void()>> jobs_;
  size_t threads_ = 0;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace jim::http
