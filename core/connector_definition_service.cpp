#include "core/connector_definition_service.h"

#include <algorithm>

#include "core/rules.h"

namespace jim::core {

namespace {

Error DefinitionNotFound(Id id) {
  return NotFoundError("Connector definition with ID " + std::to_string(id) + " not found.");
}

Error BuiltInImmutable() {
  return MakeError(ErrorCode::kInvalidArgument, "Built-in connector definitions cannot be changed or deleted.");
}

void Apply(const CapabilityInput& in, Capabilities& c) {
  auto set = [](const std::optional<bool>& v, bool& field) {
    if (v) field = *v;
  };
  set(in.full_import, c.full_import);
  set(in.delta_import, c.delta_import);
  set(in.export_, c.export_);
  set(in.partitions, c.partitions);
  set(in.partition_containers, c.partition_containers);
  set(in.file_paths, c.file_paths);
  set(in.paging, c.paging);
  set(in.secondary_external_id, c.secondary_external_id);
  set(in.user_selected_external_id, c.user_selected_external_id);
  set(in.user_selected_attribute_types, c.user_selected_attribute_types);
  set(in.auto_confirm_export, c.auto_confirm_export);
  set(in.parallel_export, c.parallel_export);
  set(in.password_set, c.password_set);
  set(in.password_policy_discovery, c.password_policy_discovery);
}

std::optional<std::string> Trimmed(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string(TrimWhitespace(*s));
}

Error NameTaken(const std::string& name) {
  return MakeError(ErrorCode::kConflict, "A connector definition named '" + name + "' already exists.");
}

}  // namespace

ConnectorDefinitionView ConnectorDefinitionService::ViewOf(ConnectorDefinition def) {
  ConnectorDefinitionView v;
  v.in_use = ctx_.catalog.IsConnectorInUse(def.id);
  v.definition = std::move(def);
  return v;
}

Status ConnectorDefinitionService::SeedBuiltIns() {
  const Millis now = ctx_.clock.NowMillis();
  // A start that changes nothing writes nothing, so a server restarted on a full (or failing) disk still
  // comes up and serves reads instead of exiting on a refused write.
  bool current = true;
  for (ConnectorDefinition def : BuiltInConnectorDefinitions()) {
    auto existing = ctx_.catalog.GetConnectorDefinition(def.id);
    if (!existing) {
      current = false;
      break;
    }
    def.created = existing->created;
    def.last_updated = existing->last_updated;
    if (!(def == *existing)) {
      current = false;
      break;
    }
  }
  if (current) return OkStatus();
  return ctx_.catalog.Transact([&](Transaction& tx) -> Status {
    for (ConnectorDefinition def : BuiltInConnectorDefinitions()) {
      auto existing = tx.FindConnectorDefinition(def.id);
      if (!existing) {
        // On a fresh data dir the allocator hands out 1-4 in this order; anything else is a corrupt store.
        Id id = tx.AllocateId(IdKind::kConnectorDefinition);
        if (id != def.id)
          return MakeError(ErrorCode::kInternal, "The store's connector definition ids are out of order.",
                           "allocated " + std::to_string(id) + " for built-in " + std::to_string(def.id));
        def.created = def.last_updated = now;
        tx.Put(def);
        continue;
      }
      def.created = existing->created;
      def.last_updated = existing->last_updated;
      if (!(def == *existing)) {
        def.last_updated = now;
        tx.Put(def);
      }
    }
    return OkStatus();
  });
}

std::vector<ConnectorDefinitionView> ConnectorDefinitionService::List() {
  auto defs = ctx_.catalog.ListConnectorDefinitions();
  std::sort(defs.begin(), defs.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<ConnectorDefinitionView> out;
  out.reserve(defs.size());
  for (auto& d : defs) out.push_back(ViewOf(std::move(d)));
  return out;
}

Result<ConnectorDefinitionView> ConnectorDefinitionService::Get(Id id) {
  auto def = ctx_.catalog.GetConnectorDefinition(id);
  if (!def) return DefinitionNotFound(id);
  return ViewOf(std::move(*def));
}

Result<ConnectorDefinitionView> ConnectorDefinitionService::GetByName(std::string_view name) {
  for (auto& def : ctx_.catalog.ListConnectorDefinitions())
    if (def.name == name) return ViewOf(std::move(def));
  return NotFoundError("Connector definition with name '" + std::string(name) + "' not found.");
}

Result<ConnectorDefinitionView> ConnectorDefinitionService::Create(const Actor& actor,
                                                                   const ConnectorDefinitionInput& in) {
  FieldErrors errors = in.parse_errors;
  auto name = Trimmed(in.name);
  if (!HasFieldError(errors, "name")) CheckRequiredName("name", name, errors);
  if (!HasFieldError(errors, "description"))
    CheckMaxLength("description", in.description, kMaxDescriptionLength, errors);
  if (!errors.empty()) return InvalidFields(std::move(errors));

  ConnectorDefinition created;
  Status st = ctx_.catalog.Transact([&](Transaction& tx) -> Status {
    if (tx.FindConnectorDefinitionIdByName(*name)) return NameTaken(*name);
    ConnectorDefinition def;
    def.id = tx.AllocateId(IdKind::kConnectorDefinition);
    def.name = *name;
    def.description = in.description.value_or("");
    def.built_in = false;
    def.created = def.last_updated = ctx_.clock.NowMillis();
    Apply(in.capabilities, def.capabilities);
    tx.Put(def);
    tx.Record(MakeActivity(ctx_, actor, TargetType::kConnectorDefinition, OperationType::kCreate, def.name,
                           std::nullopt));
    created = std::move(def);
    return OkStatus();
  });
  if (!st) return st.error();
  return ViewOf(std::move(created));
}

Result<ConnectorDefinitionView> ConnectorDefinitionService::Update(const Actor& actor, Id id,
                                                                   const ConnectorDefinitionInput& in) {
  FieldErrors errors = in.parse_errors;
  auto name = Trimmed(in.name);
  if (!HasFieldError(errors, "name")) CheckOptionalName("name", name, errors);
  if (!HasFieldError(errors, "description"))
    CheckMaxLength("description", in.description, kMaxDescriptionLength, errors);

  ConnectorDefinition updated;
  Status st = ctx_.catalog.Transact([&](Transaction& tx) -> Status {
    auto def = tx.FindConnectorDefinition(id);
    if (!def) return DefinitionNotFound(id);
    if (def->built_in) return BuiltInImmutable();
    if (!errors.empty()) return InvalidFields(errors);
    if (name) {
      auto holder = tx.FindConnectorDefinitionIdByName(*name);
      if (holder && *holder != id) return NameTaken(*name);
      def->name = *name;
    }
    if (in.description) def->description = *in.description;
    Apply(in.capabilities, def->capabilities);
    def->last_updated = ctx_.clock.NowMillis();
    tx.Put(*def);
    tx.Record(MakeActivity(ctx_, actor, TargetType::kConnectorDefinition, OperationType::kUpdate, def->name,
                           std::nullopt));
    updated = std::move(*def);
    return OkStatus();
  });
  if (!st) return st.error();
  return ViewOf(std::move(updated));
}

Status ConnectorDefinitionService::Delete(const Actor& actor, Id id) {
  return ctx_.catalog.Transact([&](Transaction& tx) -> Status {
    auto def = tx.FindConnectorDefinition(id);
    if (!def) return DefinitionNotFound(id);
    if (def->built_in) return BuiltInImmutable();
    if (tx.IsConnectorInUse(id))
      return MakeError(ErrorCode::kConflict,
                       "Connector definition '" + def->name + "' is used by a Connected System and cannot be deleted.");
    tx.DeleteConnectorDefinition(id);
    tx.Record(MakeActivity(ctx_, actor, TargetType::kConnectorDefinition, OperationType::kDelete, def->name,
                           std::nullopt));
    return OkStatus();
  });
}

}  // namespace jim::core
