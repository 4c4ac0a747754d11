#include "store/list_versions.h"

#include "store/key_schema.h"

namespace jim::store {

void ListVersions::Advance(rocksdb::WBWIIterator& written) {
  for (std::string_view prefix : {keys::kRunProfile, keys::kPartition, keys::kSystem}) {
    ForEachWrittenUnder(written, prefix, [&](std::string_view key, const rocksdb::WriteEntry& e) {
      if (key.size() < prefix.size() + 8) return;
      const auto system = static_cast<core::Id>(keys::ReadBE64(key, prefix.size()));
      // A deleted system's entry goes (ids are never reused, so the map only holds live systems); the
      // version every untracked system shares moves instead, which also moves the deleted one's.
      if (prefix == keys::kSystem && e.type == rocksdb::kDeleteRecord && key.size() == prefix.size() + 8) {
        versions_.erase(system);
        untracked_ = ++clock_;
        return;
      }
      versions_[system] = ++clock_;
    });
  }
}

}  // namespace jim::store
