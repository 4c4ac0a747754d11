// Rendered JSON of a system's run profiles (the list, and single profiles with their ETag), kept until the
// store says the system's profiles changed.
//
// Reading them means RocksDB reads (a prefix scan for the list), decoding and rendering again, although
// they change only when the system's profiles or partitions are written. The store's
// RunProfileListVersion changes before such a write is acknowledged, so an entry rendered at the version
// the caller read *before* reading the store is never served after a change: a read that overlaps a
// write is stored under the older version and misses at the next request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "core/entities.h"
#include "core/system_item_key.h"

namespace jim::http {

struct RenderedBody {
  std::string body;
  std::string etag;  // empty for lists
};

class RenderedCache {
 public:
  static constexpr core::Id kList = 0;  // the `item` of a system's list; single profiles use their id

  // Bounds: bodies longer than `max_entry_bytes` are never kept; when the kept bytes would pass
  // `max_total_bytes` the cache starts over (cheap, and a working set that large gains little anyway).
  explicit RenderedCache(size_t max_entry_bytes = 64 << 10, size_t max_total_bytes = 4 << 20)
      : max_entry_bytes_(max_entry_bytes), max_total_bytes_(max_total_bytes) {}

  // What was rendered for (`system`, `item`) at `version`, or null.
  std::shared_ptr<const RenderedBody> Find(core::Id system, core::Id item, uint64_t version) const;
  void Store(core::Id system, core::Id item, uint64_t version, RenderedBody rendered);

 private:
  using Key = core::SystemItemKey;
  struct Entry {
    uint64_t version;
    std::shared_ptr<const RenderedBody> rendered;
  };
  static size_t Bytes(const RenderedBody& r) { return r.body.size() + r.etag.size(); }

  const size_t max_entry_bytes_;
  const size_t max_total_bytes_;
  mutable std::shared_mutex mu_;
  std::unordered_map<Key, Entry, core::SystemItemKeyHash> entries_;
  size_t total_bytes_ = 0;
};

}  // namespace jim::http
