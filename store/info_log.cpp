#include "store/info_log.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace jim::store {

InfoLog::InfoLog(std::string dir, uint64_t max_bytes) : path_(std::move(dir) + "/LOG"), max_bytes_(max_bytes) {
  std::lock_guard lock(mu_);
  OpenLocked();
}

InfoLog::~InfoLog() {
  std::lock_guard lock(mu_);
  if (file_) std::fclose(file_);
}

void InfoLog::OpenLocked() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) >= max_bytes_)
    std::rename(path_.c_str(), (path_ + ".old").c_str());
  file_ = std::fopen(path_.c_str(), "ae");  // append, close-on-exec
  if (file_) std::setvbuf(file_, nullptr, _IONBF, 0);  // one write(2) per line: nothing half-buffered
  size_ = (::stat(path_.c_str(), &st) == 0) ? static_cast<uint64_t>(st.st_size) : 0;
}

void InfoLog::Logv(const char* format, va_list ap) {
  char line[4096];
  struct timeval tv {};
  ::gettimeofday(&tv, nullptr);
  struct tm t {};
  ::localtime_r(&tv.tv_sec, &t);
  int n = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", t.tm_year + 1900, t.tm_mon + 1,
                        t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, static_cast<long>(tv.tv_usec));
  if (n < 0) return;
  size_t len = static_cast<size_t>(n);
  va_list copy;
  va_copy(copy, ap);
  int m = std::vsnprintf(line + len, sizeof line - len - 1, format, copy);
  va_end(copy);
  if (m < 0) return;
  len = std::min(sizeof line - 2, len + static_cast<size_t>(m));
  if (len == 0 || line[len - 1] != '\n') line[len++] = '\n';

  std::lock_guard lock(mu_);
  if (!file_) return;
  if (size_ + len > max_bytes_) {
    std::fclose(file_);
    file_ = nullptr;
    OpenLocked();
    if (!file_) return;
  }
  // A failed write (ENOSPC, EIO) is dropped; clearerr lets the next line try again once there is room.
  if (std::fwrite(line, 1, len, file_) == len && std::fflush(file_) == 0) {
    size_ += len;
  } else {
    std::clearerr(file_);
  }
}

size_t InfoLog::GetLogFileSize() const {
  std::lock_guard lock(mu_);
  return static_cast<size_t>(size_);
}

}  // namespace jim::store
