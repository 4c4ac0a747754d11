#include "core/service_context.h"

#include "core/crypto.h"

namespace jim::core {

Activity MakeActivity(ServiceContext& ctx, const Actor& actor, TargetType target, OperationType op,
                      std::string target_name, std::optional<std::string> target_context,
                      std::optional<Id> connected_system_id, std::optional<Id> run_profile_id,
                      std::optional<std::string> change_reason) {
  Activity a;
  a.created = ctx.clock.NowMillis();
  // Time-ordered: the store's actx/<id> index then grows at its tail (see store/rocks_catalog.cpp).
  a.id = NewTimeOrderedUuid(a.created, ctx.entropy);
  a.target_type = target;
  a.operation = op;
  a.target_name = std::move(target_name);
  a.target_context = std::move(target_context);
  a.initiated_by_type = actor.type;
  a.initiated_by_id = actor.id;
  a.initiated_by_name = actor.name;
  a.connected_system_id = connected_system_id;
  a.run_profile_id = run_profile_id;
  a.change_reason = std::move(change_reason);
  return a;
}

Error NotFoundError(std::string message) { return MakeError(ErrorCode::kNotFound, std::move(message)); }

Error ConnectedSystemNotFound(Id id) {
  return NotFoundError("Connected System with ID " + std::to_string(id) + " not found.");
}

Status RequireConnectedSystem(Catalog& catalog, Id id) {
  auto cs = catalog.GetConnectedSystem(id);
  if (!cs.ok()) return cs.error();
  if (!*cs) return ConnectedSystemNotFound(id);
  return OkStatus();
}

Result<ConnectedSystem> FindConnectedSystemOrNotFound(Transaction& tx, Id id) {
  auto cs = tx.FindConnectedSystem(id);
  if (!cs) return ConnectedSystemNotFound(id);
  return std::move(*cs);
}

}  // namespace jim::core
