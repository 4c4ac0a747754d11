#include "http/metered_catalog.h"

namespace jim::http {

template <class F>
auto MeteredCatalog::Read(F&& f) -> decltype(f()) {
  counters_.reads.fetch_add(1, std::memory_order_relaxed);
  auto result = f();
  if (!result.ok()) counters_.read_errors.fetch_add(1, std::memory_order_relaxed);
  return result;
}

core::Status MeteredCatalog::Transact(const std::function<core::Status(core::Transaction&)>& body) {
  core::Status st = inner_.Transact(body);
  // A rule that rejects the change (400/404/409/412) is not a store failure.
  if (st.ok()) counters_.writes.fetch_add(1, std::memory_order_relaxed);
  else if (st.error().code == core::ErrorCode::kUnavailable || st.error().code == core::ErrorCode::kInternal)
    counters_.write_errors.fetch_add(1, std::memory_order_relaxed);
  return st;
}

core::Result<std::vector<core::ConnectorDefinition>> MeteredCatalog::ListConnectorDefinitions() {
  return Read([&] { return inner_.ListConnectorDefinitions(); });
}
core::Result<std::optional<core::ConnectorDefinition>> MeteredCatalog::GetConnectorDefinition(core::Id id) {
  return Read([&] { return inner_.GetConnectorDefinition(id); });
}
core::Result<bool> MeteredCatalog::IsConnectorInUse(core::Id id) { return Read([&] { return inner_.IsConnectorInUse(id); }); }
core::Result<std::vector<core::ConnectedSystem>> MeteredCatalog::ListConnectedSystems() {
  return Read([&] { return inner_.ListConnectedSystems(); });
}
core::Result<std::optional<core::ConnectedSystem>> MeteredCatalog::GetConnectedSystem(core::Id id) {
  return Read([&] { return inner_.GetConnectedSystem(id); });
}
core::Result<int64_t> MeteredCatalog::CountRunProfiles(core::Id id) { return Read([&] { return inner_.CountRunProfiles(id); }); }
core::Result<int64_t> MeteredCatalog::CountAllRunProfiles() { return Read([&] { return inner_.CountAllRunProfiles(); }); }
core::Result<std::vector<core::Partition>> MeteredCatalog::ListPartitions(core::Id id) {
  return Read([&] { return inner_.ListPartitions(id); });
}
core::Result<std::optional<core::Partition>> MeteredCatalog::GetPartition(core::Id id) {
  return Read([&] { return inner_.GetPartition(id); });
}
core::Result<std::vector<core::RunProfile>> MeteredCatalog::ListRunProfiles(core::Id id) {
  return Read([&] { return inner_.ListRunProfiles(id); });
}
core::Result<std::optional<core::RunProfile>> MeteredCatalog::GetRunProfile(core::Id id) {
  return Read([&] { return inner_.GetRunProfile(id); });
}
core::Result<std::optional<core::RunProfile>> MeteredCatalog::GetRunProfileOf(core::Id cs, core::Id id) {
  return Read([&] { return inner_.GetRunProfileOf(cs, id); });
}
uint64_t MeteredCatalog::RunProfileListVersion(core::Id cs) { return inner_.RunProfileListVersion(cs); }
core::Result<std::vector<core::ApiKey>> MeteredCatalog::ListApiKeys() { return Read([&] { return inner_.ListApiKeys(); }); }
core::Result<std::optional<core::ApiKey>> MeteredCatalog::GetApiKey(std::string_view id) {
  return Read([&] { return inner_.GetApiKey(id); });
}
core::Result<std::optional<core::ApiKey>> MeteredCatalog::FindApiKeyByDigest(std::string_view digest) {
  return Read([&] { return inner_.FindApiKeyByDigest(digest); });
}
core::Result<core::ActivityPage> MeteredCatalog::ListActivities(const core::ActivityQuery& q) {
  return Read([&] { return inner_.ListActivities(q); });
}
core::Result<std::optional<core::Activity>> MeteredCatalog::GetActivity(std::string_view id) {
  return Read([&] { return inner_.GetActivity(id); });
}
core::Result<std::optional<core::IdempotencyRecord>> MeteredCatalog::GetIdempotency(std::string_view key) {
  return Read([&] { return inner_.GetIdempotency(key); });
}
core::Result<core::ConfigVersionPage> MeteredCatalog::ListConfigVersions(core::ConfigObjectType type, std::string_view key,
                                                           int64_t offset, int64_t limit) {
  return Read([&] { return inner_.ListConfigVersions(type, key, offset, limit); });
}
core::Result<std::vector<core::ConfigVersion>> MeteredCatalog::ConfigVersionRange(core::ConfigObjectType type, std::string_view key,
                                                                    int64_t from, int64_t to) {
  return Read([&] { return inner_.ConfigVersionRange(type, key, from, to); });
}

}  // namespace jim::http
