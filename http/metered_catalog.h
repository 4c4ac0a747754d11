// A Catalog decorator that counts store reads, writes and their failures for /metrics, whatever the
// backend behind it.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/catalog.h"

namespace jim::http {

struct StoreCounters {
  std::atomic<uint64_t> reads{0}, read_errors{0}, writes{0}, write_errors{0};
};

class MeteredCatalog final : public core::Catalog {
 public:
  explicit MeteredCatalog(core::Catalog& inner) : inner_(inner) {}
  const StoreCounters& counters() const { return counters_; }

  core::Status Transact(const std::function<core::Status(core::Transaction&)>& body) override;
  core::Result<std::vector<core::ConnectorDefinition>> ListConnectorDefinitions() override;
  core::Result<std::optional<core::ConnectorDefinition>> GetConnectorDefinition(core::Id id) override;
  core::Result<bool> IsConnectorInUse(core::Id connector_id) override;
  core::Result<std::vector<core::ConnectedSystem>> ListConnectedSystems() override;
  core::Result<std::optional<core::ConnectedSystem>> GetConnectedSystem(core::Id id) override;
  core::Result<int64_t> CountRunProfiles(core::Id connected_system_id) override;
  core::Result<int64_t> CountAllRunProfiles() override;
  core::Result<std::vector<core::Partition>> ListPartitions(core::Id connected_system_id) override;
  core::Result<std::optional<core::Partition>> GetPartition(core::Id id) override;
  core::Result<std::vector<core::RunProfile>> ListRunProfiles(core::Id connected_system_id) override;
  core::Result<std::optional<core::RunProfile>> GetRunProfile(core::Id id) override;
  core::Result<std::optional<core::RunProfile>> GetRunProfileOf(core::Id connected_system_id, core::Id id) override;
  uint64_t RunProfileListVersion(core::Id connected_system_id) override;
  core::Result<std::vector<core::ApiKey>> ListApiKeys() override;
  core::Result<std::optional<core::ApiKey>> GetApiKey(std::string_view id) override;
  core::Result<std::optional<core::ApiKey>> FindApiKeyByDigest(std::string_view digest_hex) override;
  core::Result<core::ActivityPage> ListActivities(const core::ActivityQuery& query) override;
  core::Result<std::optional<core::Activity>> GetActivity(std::string_view id) override;
  core::Result<std::optional<core::IdempotencyRecord>> GetIdempotency(std::string_view key) override;
  core::Result<core::ConfigVersionPage> ListConfigVersions(core::ConfigObjectType type, std::string_view key, int64_t offset,
                                             int64_t limit) override;
  core::Result<std::vector<core::ConfigVersion>> ConfigVersionRange(core::ConfigObjectType type, std::string_view key,
                                                      int64_t from, int64_t to) override;
  void TouchApiKey(std::string_view id, core::Millis when) override { inner_.TouchApiKey(id, when); }
  bool IsWritable(std::string* reason) override { return inner_.IsWritable(reason); }
  std::unique_ptr<core::ReadScope> BeginRequest() override { return inner_.BeginRequest(); }

 private:
  template <class F>
  auto Read(F&& f) -> decltype(f());
  core::Catalog& inner_;
  StoreCounters counters_;
};

}  // namespace jim::http
