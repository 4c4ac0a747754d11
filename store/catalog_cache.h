// The in-memory copy of the small tables (connectors, systems, partitions, api keys, counters).
// It only ever holds committed state: it is filled at open and then changed by replaying a group's
// batch after that batch was written successfully. The owner guards it with a shared_mutex; the
// committer thread, the only writer, may read it without the lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/entities.h"

namespace jim::store {

struct CatalogCache {
  std::map<core::Id, core::ConnectorDefinition> connectors;
  std::map<core::Id, core::ConnectedSystem> systems;
  std::map<std::pair<core::Id, core::Id>, core::Partition> partitions;  // (system, partition)
  std::unordered_map<core::Id, core::Id> partition_owner;              // partition -> system
  std::map<std::string, core::ApiKey, std::less<>> api_keys;           // by uuid
  std::map<std::string, std::string, std::less<>> api_key_by_digest;   // digest -> uuid
  // Name indexes (cdn/, csn/, ptn/) keyed by their full storage key, value = id.
  std::map<std::string, core::Id, std::less<>> names;
  std::unordered_map<std::string, int64_t> counters;  // cnt/ key -> value

  // Whether rows under `key` are mirrored here.
  static bool IsCached(std::string_view key);
  // Applies one committed row; `value` == nullptr means the key was deleted. Returns false when the
  // value cannot be decoded (the caller decides whether that is fatal).
  [[nodiscard]] bool Apply(std::string_view key, const std::string_view* value);

  int64_t Counter(const std::string& key) const {
    auto it = counters.find(key);
    return it == counters.end() ? 0 : it->second;
  }
  std::optional<core::Id> Name(std::string_view key) const {
    auto it = names.find(key);
    if (it == names.end()) return std::nullopt;
    return it->second;
  }
  const core::Partition* FindPartition(core::Id pid) const {
    auto owner = partition_owner.find(pid);
    if (owner == partition_owner.end()) return nullptr;
    auto it = partitions.find({owner->second, pid});
    return it == partitions.end() ? nullptr : &it->second;
  }
};

}  // namespace jim::store
