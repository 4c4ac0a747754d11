#include "store/catalog_cache.h"

#include "store/codec.h"
#include "store/key_schema.h"

namespace jim::store {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

bool CatalogCache::IsCached(std::string_view key) {
  using namespace keys;
  return StartsWith(key, kConnectorDef) || StartsWith(key, kConnectorName) || StartsWith(key, kSystem) ||
         StartsWith(key, kSystemName) || StartsWith(key, kPartition) || StartsWith(key, kPartitionName) ||
         StartsWith(key, kApiKey) || StartsWith(key, kApiKeyDigest) || StartsWith(key, kCounter);
}

bool CatalogCache::Apply(std::string_view key, const std::string_view* value) {
  using namespace keys;
  // NOTE: the longer prefixes sharing a stem ("cdn/" vs "cd/") are distinct because of the '/'.
  if (StartsWith(key, kConnectorDef)) {
    if (key.size() != kConnectorDef.size() + 8) return false;
    core::Id id = static_cast<core::Id>(ReadBE64(key, kConnectorDef.size()));
    if (!value) return connectors.erase(id), true;
    core::ConnectorDefinition v;
    if (!codec::Decode(*value, &v)) return false;
    connectors[id] = std::move(v);
    return true;
  }
  if (StartsWith(key, kSystem)) {
    if (key.size() != kSystem.size() + 8) return false;
    core::Id id = static_cast<core::Id>(ReadBE64(key, kSystem.size()));
    if (!value) return systems.erase(id), true;
    core::ConnectedSystem v;
    if (!codec::Decode(*value, &v)) return false;
    systems[id] = std::move(v);
    return true;
  }
  if (StartsWith(key, kPartition)) {
    if (key.size() != kPartition.size() + 17) return false;
    core::Id cs = static_cast<core::Id>(ReadBE64(key, kPartition.size()));
    core::Id pid = static_cast<core::Id>(ReadBE64(key, kPartition.size() + 9));
    if (!value) {
      partitions.erase({cs, pid});
      auto owner = partition_owner.find(pid);
      if (owner != partition_owner.end() && owner->second == cs) partition_owner.erase(owner);
      return true;
    }
    core::Partition v;
    if (!codec::Decode(*value, &v)) return false;
    partitions[{cs, pid}] = std::move(v);
    partition_owner[pid] = cs;
    return true;
  }
  if (StartsWith(key, kConnectorName) || StartsWith(key, kSystemName) || StartsWith(key, kPartitionName)) {
    if (!value) {
      auto it = names.find(key);
      if (it != names.end()) names.erase(it);
      return true;
    }
    int64_t id;
    if (!codec::DecodeInt(*value, &id)) return false;
    names[std::string(key)] = id;
    return true;
  }
  if (StartsWith(key, kApiKeyDigest)) {
    std::string_view digest = key.substr(kApiKeyDigest.size());
    if (!value) {
      auto it = api_key_by_digest.find(digest);
      if (it != api_key_by_digest.end()) api_key_by_digest.erase(it);
      return true;
    }
    std::string uuid;
    if (!codec::DecodeText(*value, &uuid)) return false;
    api_key_by_digest[std::string(digest)] = std::move(uuid);
    return true;
  }
  if (StartsWith(key, kApiKey)) {
    std::string_view uuid = key.substr(kApiKey.size());
    if (!value) {
      auto it = api_keys.find(uuid);
      if (it != api_keys.end()) api_keys.erase(it);
      return true;
    }
    core::ApiKey v;
    if (!codec::Decode(*value, &v)) return false;
    api_keys[std::string(uuid)] = std::move(v);
    return true;
  }
  if (StartsWith(key, kCounter)) {
    if (!value) return counters.erase(std::string(key)), true;
    int64_t n;
    if (!codec::DecodeInt(*value, &n)) return false;
    counters[std::string(key)] = n;
    return true;
  }
  return true;  // not a cached table
}

}  // namespace jim::store
