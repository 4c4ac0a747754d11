// RunProfileListVersion's numbers: one per connected system that moves whenever a committed group wrote
// something a rendered list of its run profiles shows (its rp/, pt/ or cs/ keys). http keeps a rendered
// list until the number moves, so a number must never come back, also for a deleted system.
//
// Not synchronised: RocksCatalog advances it under its cache lock, after the group's write and before
// the group's callers are answered, and reads it under the same lock.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>

#include <rocksdb/utilities/write_batch_with_index.h>

#include "core/entities.h"

namespace jim::store {

// Calls fn(key, entry) for every entry of a write batch whose key starts with `prefix`.
template <class Fn>
void ForEachWrittenUnder(rocksdb::WBWIIterator& it, std::string_view prefix, Fn&& fn) {
  for (it.Seek(rocksdb::Slice(prefix.data(), prefix.size())); it.Valid(); it.Next()) {
    const rocksdb::WriteEntry e = it.Entry();
    std::string_view key(e.key.data(), e.key.size());
    if (!key.starts_with(prefix)) break;
    fn(key, e);
  }
}

class ListVersions {
 public:
  uint64_t Of(core::Id system) const {
    auto it = versions_.find(system);
    return it == versions_.end() ? untracked_ : it->second;
  }
  // How many systems have a version of their own (the rest share one): bounded by the live systems.
  size_t Tracked() const { return versions_.size(); }
  // Moves the version of every system whose keys the committed group `written` holds.
  void Advance(rocksdb::WBWIIterator& written);

 private:
  // Systems not in the map (never written since the open, or deleted) share untracked_.
  std::unordered_map<core::Id, uint64_t> versions_;
  uint64_t clock_ = 1;
  uint64_t untracked_ = 1;
};

}  // namespace jim::store
