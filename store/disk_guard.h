// Refuses writes before the disk is full. Debian's RocksDB aborts the process on some ENOSPC paths,
// so jim-edge stops writing while the data dir's file system has less than a floor of free space,
// and starts again by itself once space comes back.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace jim::store {

class DiskGuard {
 public:
  DiskGuard(std::string dir, uint64_t min_free_bytes) : dir_(std::move(dir)), min_free_(min_free_bytes) {}

  void SetMinFreeBytes(uint64_t bytes) {
    min_free_.store(bytes);
    std::lock_guard lock(mu_);
    checked_at_ = {};  // re-check now, not in 100 ms
  }
  uint64_t MinFreeBytes() const { return min_free_.load(); }

  // Whether free space is at or above the floor. statvfs is cached for ~100 ms so health checks and
  // groups do not hammer the file system. A failing statvfs counts as "no room".
  bool HasRoom();

 private:
  const std::string dir_;
  std::atomic<uint64_t> min_free_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point checked_at_{};
  uint64_t free_bytes_ = 0;
  bool stat_ok_ = false;
};

}  // namespace jim::store
