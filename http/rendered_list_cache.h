// Rendered JSON of "list a system's run profiles", kept until the store says the list changed.
//
// The list is the most frequent read of the API; reading it means a RocksDB prefix scan, decoding every
// profile and rendering it again, although it changes only when the system's profiles or partitions are
// written. The store's RunProfileListVersion changes before such a write is acknowledged, so an entry
// rendered at the version the caller read *before* reading the list is never served after a change:
// a list read concurrently with a write is stored under the older version and misses at the next request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/entities.h"

namespace jim::http {

class RenderedListCache {
 public:
  // Bounds: lists longer than `max_entry_bytes` are never kept; when the kept bytes would pass
  // `max_total_bytes` the cache starts over (cheap, and a working set that large gains little anyway).
  explicit RenderedListCache(size_t max_entry_bytes = 64 << 10, size_t max_total_bytes = 4 << 20)
      : max_entry_bytes_(max_entry_bytes), max_total_bytes_(max_total_bytes) {}

  // The body rendered for `system` at `version`, or null.
  std::shared_ptr<const std::string> Find(core::Id system, uint64_t version) const;
  void Store(core::Id system, uint64_t version, const std::string& body);

 private:
  struct Entry {
    uint64_t version;
    std::shared_ptr<const std::string> body;
  };
  const size_t max_entry_bytes_;
  const size_t max_total_bytes_;
  mutable std::shared_mutex mu_;
  std::unordered_map<core::Id, Entry> entries_;
  size_t total_bytes_ = 0;
};

}  // namespace jim::http
