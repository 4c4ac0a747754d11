#include "http/rate_limiter.h"

#include <functional>

namespace jim::http {

RateLimiter::RateLimiter(bool enabled, int per_key_per_minute, int per_ip_per_minute)
    : enabled_(enabled),
      per_key_(per_key_per_minute < 1 ? 1 : per_key_per_minute),
      per_ip_(per_ip_per_minute < 1 ? 1 : per_ip_per_minute) {}

int RateLimiter::AdmitKey(std::string_view key_id, int64_t now_ms) {
  if (!enabled_) return 0;
  KeyShard& shard = keys_[std::hash<std::string_view>{}(key_id) % kShards];
  std::lock_guard lock(shard.mu);
  if (shard.windows.size() > kPruneAbove) {
    std::erase_if(shard.windows,
                  [&](const auto& kv) { return kv.second.last_segment + kSegments < now_ms / kSegmentMs; });
  }
  Sliding& w = shard.windows[std::string(key_id)];
  const int64_t segment = now_ms / kSegmentMs;
  // Zero the segments that have slid out of the window since the last request.
  for (int64_t s = w.last_segment + 1; s <= segment && s <= w.last_segment + kSegments; ++s)
    w.counts[static_cast<size_t>(s % kSegments)] = 0;
  if (segment > w.last_segment) w.last_segment = segment;
  int total = 0;
  for (int c : w.counts) total += c;
  if (total >= per_key_) {
    // The oldest non-empty segment frees its requests when it leaves the window.
    for (int64_t s = segment - kSegments + 1; s <= segment; ++s) {
      if (w.counts[static_cast<size_t>(((s % kSegments) + kSegments) % kSegments)] > 0) {
        int64_t wait_ms = (s + kSegments) * kSegmentMs - now_ms;
        return static_cast<int>((wait_ms + 999) / 1000);
      }
    }
    return 1;
  }
  w.counts[static_cast<size_t>(segment % kSegments)] += 1;
  return 0;
}

int RateLimiter::AdmitIp(std::string_view ip, int64_t now_ms) {
  if (!enabled_) return 0;
  IpShard& shard = ips_[std::hash<std::string_view>{}(ip) % kShards];
  std::lock_guard lock(shard.mu);
  if (shard.windows.size() > kPruneAbove)
    std::erase_if(shard.windows, [&](const auto& kv) { return kv.second.window_start + 60'000 <= now_ms; });
  Fixed& w = shard.windows[std::string(ip)];
  if (now_ms - w.window_start >= 60'000) {
    w.window_start = now_ms;
    w.count = 0;
  }
  if (w.count >= per_ip_) {
    int64_t wait_ms = w.window_start + 60'000 - now_ms;
    return static_cast<int>(wait_ms <= 0 ? 1 : (wait_ms + 999) / 1000);
  }
  ++w.count;
  return 0;
}

}  // namespace jim::http
