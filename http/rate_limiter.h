// Rate limits of API.md section 2: a sliding one-minute window per API key (six 10-second segments, as
// JIM) and a fixed one-minute window per client IP for unauthenticated or failed requests.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace jim::http {

class RateLimiter {
 public:
  RateLimiter(bool enabled, int per_key_per_minute, int per_ip_per_minute);

  // Each call counts one request; returns 0 when it is allowed, else the whole seconds to wait.
  int AdmitKey(std::string_view key_id, int64_t now_ms);
  int AdmitIp(std::string_view ip, int64_t now_ms);
  bool enabled() const { return enabled_; }

 private:
  static constexpr int kSegments = 6;
  static constexpr int64_t kSegmentMs = 10'000;
  static constexpr size_t kShards = 16;
  static constexpr size_t kPruneAbove = 10'000;  // entries per shard before idle ones are dropped

  struct Sliding {
    int64_t last_segment = 0;
    std::array<int, kSegments> counts{};
  };
  struct Fixed {
    int64_t window_start = 0;
    int count = 0;
  };
  struct KeyShard {
    std::mutex mu;
    std::unordered_map<std::string, Sliding> windows;
  };
  struct IpShard {
    std::mutex mu;
    std::unordered_map<std::string, Fixed> windows;
  };

  bool enabled_;
  int per_key_;
  int per_ip_;
  std::array<KeyShard, kShards> keys_;
  std::array<IpShard, kShards> ips_;
};

}  // namespace jim::http
