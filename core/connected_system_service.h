// Use cases of connected systems and their partitions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/paging.h"
#include "core/service_context.h"

namespace jim::core {

struct ConnectedSystemView {
  ConnectedSystem system;
  std::string connector_name;
  int64_t run_profile_count = 0;
  int64_t partition_count = 0;
};

struct CreateConnectedSystemInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<int64_t> connector_definition_id;
  std::optional<std::string> change_reason;  // kept on the activity and the history version
  FieldErrors parse_errors;
};

struct UpdateConnectedSystemInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> change_reason;
  FieldErrors parse_errors;
};

struct CreatePartitionInput {
  std::optional<std::string> name;
  std::optional<std::string> external_id;
  std::optional<bool> selected;
  FieldErrors parse_errors;
};

struct UpdatePartitionInput {
  std::optional<bool> selected;
  FieldErrors parse_errors;
};

class ConnectedSystemService {
 public:
  explicit ConnectedSystemService(ServiceContext ctx) : ctx_(ctx) {}

  Result<Page<ConnectedSystemView>> List(const ListQueryInput& query);
  Result<ConnectedSystemView> Get(Id id);
  Result<ConnectedSystemView> Create(const Actor& actor, const CreateConnectedSystemInput& input);
  Result<ConnectedSystemView> Update(const Actor& actor, Id id, const UpdateConnectedSystemInput& input);
  Status Delete(const Actor& actor, Id id);

  Result<std::vector<Partition>> ListPartitions(Id cs);
  Result<Partition> CreatePartition(const Actor& actor, Id cs, const CreatePartitionInput& input);
  Result<Partition> UpdatePartition(const Actor& actor, Id cs, Id partition_id, const UpdatePartitionInput& input);
  Status DeletePartition(const Actor& actor, Id cs, Id partition_id);

 private:
  Result<ConnectedSystemView> ViewOf(ConnectedSystem system);
  ServiceContext ctx_;
};

}  // namespace jim::core
