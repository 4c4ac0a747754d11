// Prometheus counters and histograms, lock-free on the request path (one slot per route).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/metered_catalog.h"
#include "http/router.h"

namespace jim::http {

class Metrics {
 public:
  // `routes` is the route table; slot routes.size() collects requests that matched no route.
  explicit Metrics(const std::vector<Route>& routes);

  void RecordRequest(const Route* route, int status, double seconds);

  // The text exposition; the live counts are read by the caller from the store, the store counters
  // come from the MeteredCatalog in front of it (null: not reported).
  std::string Render(int64_t run_profiles, int64_t connected_systems, const StoreCounters* store) const;

 private:
  static constexpr std::array<int, 18> kStatuses{200, 201, 204, 400, 401, 403, 404, 405, 409,
                                                 411, 412, 413, 415, 429, 431, 500, 503, 0};
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  struct Slot {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets{};  // last is +Inf
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_micros{0};
  };
  const std::vector<Route>& routes_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace jim::http
