#include "store/disk_guard.h"

#include <sys/statvfs.h>

namespace jim::store {

bool DiskGuard::HasRoom() {
  constexpr auto kCacheFor = std::chrono::milliseconds(100);
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (checked_at_ == std::chrono::steady_clock::time_point{} || now - checked_at_ >= kCacheFor) {
    struct statvfs st {};
    stat_ok_ = ::statvfs(dir_.c_str(), &st) == 0;
    free_bytes_ = stat_ok_ ? static_cast<uint64_t>(st.f_bavail) * st.f_frsize : 0;
    checked_at_ = now;
  }
  return stat_ok_ && free_bytes_ >= min_free_.load();
}

}  // namespace jim::store
