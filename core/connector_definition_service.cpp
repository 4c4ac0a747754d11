#include "core/connector_definition_service.h"

#include <algorithm>

#include "core/config_history.h"
#include "core/rules.h"
#include "core/write_use_case.h"

namespace jim::core {

namespace {

Error DefinitionNotFound(Id id) {
  return NotFoundError("Connector definition with ID " + std::to_string(id) + " not found.");
}

Error BuiltInImmutable() {
  return MakeError(ErrorCode::kInvalidArgument, "Built-in connector definitions cannot be changed or deleted.");
}

// The first step of a definition's update or delete: a built-in one is refused before any field error.
Result<ConnectorDefinition> FindChangeableDefinition(Transaction& tx, Id id) {
  auto def = tx.FindConnectorDefinition(id);
  if (!def) return DefinitionNotFound(id);
  if (def->built_in) return BuiltInImmutable();
  return std::move(*def);
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

// What run profiles of systems using a definition rely on, counted inside the write that would take a
// capability away, so a create racing the change is either counted here or refused by its own check.
struct CapabilityUse {
  int64_t full_import = 0, delta_import = 0, export_ = 0, partition = 0, file_path = 0;
};

CapabilityUse CountCapabilityUse(Transaction& tx, Id connector_id) {
  CapabilityUse use;
  if (!tx.IsConnectorInUse(connector_id)) return use;
  for (const ConnectedSystem& cs : tx.ListConnectedSystems()) {
    if (cs.connector_id != connector_id) continue;
    for (const RunProfile& p : tx.ListRunProfiles(cs.id)) {
      use.full_import += p.run_type == RunType::kFullImport;
      use.delta_import += p.run_type == RunType::kDeltaImport;
      use.export_ += p.run_type == RunType::kExport;
      use.partition += p.partition_id.has_value();
      use.file_path += p.file_path.has_value() && !p.file_path->empty();
    }
  }
  return use;
}

// The capabilities `after` drops that profiles still use, as "<capability> (<n> <what>)" phrases.
std::vector<std::string> CapabilitiesInUse(Transaction& tx, Id id, const Capabilities& before,
                                           const Capabilities& after) {
  const bool drops = (before.full_import && !after.full_import) || (before.delta_import && !after.delta_import) ||
                     (before.export_ && !after.export_) || (before.partitions && !after.partitions) ||
                     (before.file_paths && !after.file_paths);
  if (!drops) return {};
  const CapabilityUse use = CountCapabilityUse(tx, id);
  std::vector<std::string> blocked;
  auto check = [&](bool was, bool is, int64_t count, const char* capability, const char* what) {
    if (was && !is && count > 0)
      blocked.push_back(std::string(capability) + " (" + std::to_string(count) + " " + what + ")");
  };
  check(before.full_import, after.full_import, use.full_import, "supportsFullImport", "FullImport run profiles");
  check(before.delta_import, after.delta_import, use.delta_import, "supportsDeltaImport", "DeltaImport run profiles");
  check(before.export_, after.export_, use.export_, "supportsExport", "Export run profiles");
  check(before.partitions, after.partitions, use.partition, "supportsPartitions", "run profiles targeting a partition");
  check(before.file_paths, after.file_paths, use.file_path, "supportsFilePaths", "run profiles with a filePath");
  return blocked;
}

}  // namespace

Result<ConnectorDefinitionView> ConnectorDefinitionService::ViewOf(ConnectorDefinition def) {
  auto in_use = ctx_.catalog.IsConnectorInUse(def.id);
  if (!in_use.ok()) return in_use.error();
  ConnectorDefinitionView v;
  v.in_use = *in_use;
  v.definition = std::move(def);
  return v;
}

Status ConnectorDefinitionService::SeedBuiltIns() {
  const Millis now = ctx_.clock.NowMillis();
  // A start that changes nothing writes nothing, so a server restarted on a full (or failing) disk still
  // comes up and serves reads instead of exiting on a refused write.
  bool current = true;
  for (ConnectorDefinition def : BuiltInConnectorDefinitions()) {
    auto read = ctx_.catalog.GetConnectorDefinition(def.id);
    if (!read.ok()) return read.error();
    const std::optional<ConnectorDefinition>& existing = *read;
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

Result<std::vector<ConnectorDefinitionView>> ConnectorDefinitionService::List() {
  auto defs = ctx_.catalog.ListConnectorDefinitions();
  if (!defs) return defs.error();
  std::sort(defs->begin(), defs->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<ConnectorDefinitionView> out;
  out.reserve(defs->size());
  for (auto& d : *defs) {
    auto view = ViewOf(std::move(d));
    if (!view) return view.error();
    out.push_back(std::move(*view));
  }
  return out;
}

Result<ConnectorDefinitionView> ConnectorDefinitionService::Get(Id id) {
  auto def = ctx_.catalog.GetConnectorDefinition(id);
  if (!def.ok()) return def.error();
  if (!*def) return DefinitionNotFound(id);
  return ViewOf(std::move(**def));
}

Result<ConnectorDefinitionView> ConnectorDefinitionService::GetByName(std::string_view name) {
  auto defs = ctx_.catalog.ListConnectorDefinitions();
  if (!defs) return defs.error();
  for (auto& def : *defs)
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

  // Its field rules need no store: refused above, before the transaction.
  auto created = RunWriteUseCase(ctx_.catalog, NothingToFind, [&](Transaction& tx, Ok&) -> Result<ConnectorDefinition> {
    if (tx.FindConnectorDefinitionIdByName(*name)) return NameTaken(*name);
    ConnectorDefinition def;
    def.id = tx.AllocateId(IdKind::kConnectorDefinition);
    def.name = *name;
    def.description = in.description.value_or("");
    def.built_in = false;
    def.created = def.last_updated = ctx_.clock.NowMillis();
    Apply(in.capabilities, def.capabilities);
    tx.Put(def);
    RecordObjectChange(tx,
                       MakeActivity(ctx_, actor, TargetType::kConnectorDefinition, OperationType::kCreate, def.name,
                                    std::nullopt),
                       ConfigObjectType::kConnectorDefinition, std::to_string(def.id),
                       "Connector definition '" + def.name + "' created", std::nullopt, ConnectorDefinitionTree(def));
    return def;
  });
  if (!created) return created.error();
  return ViewOf(std::move(*created));
}

Result<ConnectorDefinitionView> ConnectorDefinitionService::Update(const Actor& actor, Id id,
                                                                   const ConnectorDefinitionInput& in) {
  FieldErrors errors = in.parse_errors;
  auto name = Trimmed(in.name);
  if (!HasFieldError(errors, "name")) CheckOptionalName("name", name, errors);
  if (!HasFieldError(errors, "description"))
    CheckMaxLength("description", in.description, kMaxDescriptionLength, errors);

  auto updated = RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindChangeableDefinition(tx, id); }, errors,
      [&](Transaction& tx, ConnectorDefinition& def) -> Result<ConnectorDefinition> {
        const ConfigNode before_tree = ConnectorDefinitionTree(def);
        if (name) {
          auto holder = tx.FindConnectorDefinitionIdByName(*name);
          if (holder && *holder != id) return NameTaken(*name);
          def.name = *name;
        }
        if (in.description) def.description = *in.description;
        const Capabilities before = def.capabilities;
        Apply(in.capabilities, def.capabilities);
        if (auto blocked = CapabilitiesInUse(tx, id, before, def.capabilities); !blocked.empty()) {
          std::string list;
          for (const auto& b : blocked) list += (list.empty() ? "" : ", ") + b;
          return MakeError(ErrorCode::kConflict, "Cannot remove capabilities that run profiles use: " + list +
                                                     ". Delete or change those run profiles first.");
        }
        def.last_updated = ctx_.clock.NowMillis();
        tx.Put(def);
        RecordObjectChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kConnectorDefinition, OperationType::kUpdate,
                                        def.name, std::nullopt),
                           ConfigObjectType::kConnectorDefinition, std::to_string(id),
                           "Connector definition '" + def.name + "' updated", before_tree,
                           ConnectorDefinitionTree(def));
        return std::move(def);
      });
  if (!updated) return updated.error();
  return ViewOf(std::move(*updated));
}

Status ConnectorDefinitionService::Delete(const Actor& actor, Id id) {
  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindChangeableDefinition(tx, id); },
      [&](Transaction& tx, ConnectorDefinition& def) -> Status {
        if (tx.IsConnectorInUse(id))
          return MakeError(ErrorCode::kConflict, "Connector definition '" + def.name +
                                                     "' is used by a Connected System and cannot be deleted.");
        tx.DeleteConnectorDefinition(id);
        const ConfigNode tree = ConnectorDefinitionTree(def);
        RecordObjectChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kConnectorDefinition, OperationType::kDelete,
                                        def.name, std::nullopt),
                           ConfigObjectType::kConnectorDefinition, std::to_string(id),
                           "Connector definition '" + def.name + "' deleted", tree, tree);
        return OkStatus();
      });
}

}  // namespace jim::core
