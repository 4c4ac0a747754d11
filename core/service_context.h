// What every core service needs: the catalog and the two outside-world ports.
#pragma once

#include <optional>
#include <string>

#include "core/catalog.h"
#include "core/ports.h"

namespace jim::core {

struct ServiceContext {
  Catalog& catalog;
  Clock& clock;
  Entropy& entropy;
};

// Builds the audit activity of a change; it is recorded in the same transaction as the change.
Activity MakeActivity(ServiceContext& ctx, const Actor& actor, TargetType target, OperationType op,
                      std::string target_name, std::optional<std::string> target_context,
                      std::optional<Id> connected_system_id = std::nullopt,
                      std::optional<Id> run_profile_id = std::nullopt,
                      std::optional<std::string> change_reason = std::nullopt);

Error NotFoundError(std::string message);
Error ConnectedSystemNotFound(Id id);
// Outside a transaction: OK when the system exists (committed state), else its 404 or the read's error.
Status RequireConnectedSystem(Catalog& catalog, Id id);
// Inside a transaction: the system, or ConnectedSystemNotFound (the first step of most writes).
Result<ConnectedSystem> FindConnectedSystemOrNotFound(Transaction& tx, Id id);

}  // namespace jim::core
