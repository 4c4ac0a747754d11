// RocksDB's diagnostic log (<data-dir>/LOG) written with plain stdio instead of RocksDB's own file writer.
//
// Why: Debian's RocksDB 7.8 is built with assertions, and its WritableFileWriter asserts (aborting the
// process) on the next append after one failed append. On a full disk a LOG line fails first, and the
// next one (RocksDB logs every write error) took the whole server down. Here a line that cannot be written
// is dropped, the process lives, and the store answers 503 until space comes back.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace jim::store {

class InfoLog final : public rocksdb::Logger {
 public:
  // Appends to <dir>/LOG; when it grows past `max_bytes` it is renamed to LOG.old and started afresh.
  // If the file cannot be opened (read-only or missing dir) every line is dropped.
  InfoLog(std::string dir, uint64_t max_bytes = 64ull << 20);
  ~InfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;

 private:
  void OpenLocked();
  std::string path_;
  uint64_t max_bytes_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace jim::store
