#include "http/metrics.h"

#include <cstdio>

namespace jim::http {

Metrics::Metrics(const std::vector<Route>& routes)
    : routes_(routes), slots_(std::make_unique<Slot[]>(routes.size() + 1)) {}

void Metrics::RecordRequest(const Route* route, int status, double seconds) {
  size_t index = route ? static_cast<size_t>(route - routes_.data()) : routes_.size();
  if (index > routes_.size()) index = routes_.size();
  Slot& slot = slots_[index];
  size_t s = kStatuses.size() - 1;
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i)
    if (kStatuses[i] == status) s = i;
  slot.by_status[s].fetch_add(1, std::memory_order_relaxed);
  size_t b = kBuckets.size();
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) {
      b = i;
      break;
    }
  slot.buckets[b].fetch_add(1, std::memory_order_relaxed);
  slot.count.fetch_add(1, std::memory_order_relaxed);
  slot.sum_micros.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Metrics::Render(int64_t run_profiles, int64_t connected_systems, const StoreCounters* store) const {
  std::string out;
  out.reserve(16 * 1024);
  char line[1024];
  auto label = [&](size_t i, std::string& route, std::string& method) {
    if (i < routes_.size()) {
      route = routes_[i].pattern;
      method = routes_[i].method;
    } else {
      route = "unmatched";
      method = "any";
    }
  };
  out += "# HELP jim_http_requests_total HTTP requests by route template, method and status.\n";
  out += "# TYPE jim_http_requests_total counter\n";
  for (size_t i = 0; i <= routes_.size(); ++i) {
    std::string route, method;
    label(i, route, method);
    for (size_t s = 0; s < kStatuses.size(); ++s) {
      uint64_t n = slots_[i].by_status[s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = kStatuses[s] ? std::to_string(kStatuses[s]) : "other";
      std::snprintf(line, sizeof line, "jim_http_requests_total{route=\"%s\",method=\"%s\",status=\"%s\"} %llu\n",
                    route.c_str(), method.c_str(), status.c_str(), static_cast<unsigned long long>(n));
      out += line;
    }
  }
  out += "# HELP jim_http_request_duration_seconds Request latency by route template and method.\n";
  out += "# TYPE jim_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i <= routes_.size(); ++i) {
    const Slot& slot = slots_[i];
    uint64_t count = slot.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    std::string route, method;
    label(i, route, method);
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += slot.buckets[b].load(std::memory_order_relaxed);
      std::string le = b < kBuckets.size() ? std::to_string(kBuckets[b]) : "+Inf";
      if (b < kBuckets.size()) {
        std::snprintf(line, sizeof line, "%g", kBuckets[b]);
        le = line;
      }
      std::snprintf(line, sizeof line,
                    "jim_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%s\"} %llu\n",
                    route.c_str(), method.c_str(), le.c_str(), static_cast<unsigned long long>(cumulative));
      out += line;
    }
    std::snprintf(line, sizeof line,
                  "jim_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n"
                  "jim_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n",
                  route.c_str(), method.c_str(), slot.sum_micros.load(std::memory_order_relaxed) / 1e6,
                  route.c_str(), method.c_str(), static_cast<unsigned long long>(count));
    out += line;
  }
  if (store) std::snprintf(line, sizeof line,
                "# HELP jim_store_reads_total Store reads.\n# TYPE jim_store_reads_total counter\n"
                "jim_store_reads_total %llu\n"
                "# HELP jim_store_read_errors_total Store reads that failed.\n"
                "# TYPE jim_store_read_errors_total counter\njim_store_read_errors_total %llu\n"
                "# HELP jim_store_writes_total Store write transactions committed.\n"
                "# TYPE jim_store_writes_total counter\njim_store_writes_total %llu\n"
                "# HELP jim_store_write_errors_total Store write transactions that failed to commit.\n"
                "# TYPE jim_store_write_errors_total counter\njim_store_write_errors_total %llu\n",
                static_cast<unsigned long long>(store->reads.load()),
                static_cast<unsigned long long>(store->read_errors.load()),
                static_cast<unsigned long long>(store->writes.load()),
                static_cast<unsigned long long>(store->write_errors.load()));
  if (store) out += line;
  std::snprintf(line, sizeof line,
                "# HELP jim_run_profiles Run profiles stored.\n# TYPE jim_run_profiles gauge\njim_run_profiles %lld\n"
                "# HELP jim_connected_systems Connected systems stored.\n# TYPE jim_connected_systems gauge\n"
                "jim_connected_systems %lld\n",
                static_cast<long long>(run_profiles), static_cast<long long>(connected_systems));
  out += line;
  return out;
}

}  // namespace jim::http
