// Use cases of connector definitions: four immutable built-ins plus custom (third-party) ones.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/service_context.h"

namespace jim::core {

struct ConnectorDefinitionView {
  ConnectorDefinition definition;
  bool in_use = false;
};

// Every capability is optional: on create an absent one is false, on update it is left unchanged.
struct CapabilityInput {
  std::optional<bool> full_import, delta_import, export_, partitions, partition_containers, file_paths, paging,
      secondary_external_id, user_selected_external_id, user_selected_attribute_types, auto_confirm_export,
      parallel_export, password_set, password_policy_discovery;
};

struct ConnectorDefinitionInput {
  std::optional<std::string> name;
  std::optional<std::string> description;
  CapabilityInput capabilities;
  FieldErrors parse_errors;
};

class ConnectorDefinitionService {
 public:
  explicit ConnectorDefinitionService(ServiceContext ctx) : ctx_(ctx) {}

  // Reconciles the built-ins (ids 1-4) with what this version ships; run at every start.
  Status SeedBuiltIns();

  Result<std::vector<ConnectorDefinitionView>> List();  // ordered by name
  Result<ConnectorDefinitionView> Get(Id id);
  Result<ConnectorDefinitionView> GetByName(std::string_view name);
  Result<ConnectorDefinitionView> Create(const Actor& actor, const ConnectorDefinitionInput& input);
  Result<ConnectorDefinitionView> Update(const Actor& actor, Id id, const ConnectorDefinitionInput& input);
  Status Delete(const Actor& actor, Id id);

 private:
  Result<ConnectorDefinitionView> ViewOf(ConnectorDefinition def);
  ServiceContext ctx_;
};

}  // namespace jim::core
