#include "core/connected_system_service.h"

#include <algorithm>

#include "core/config_history.h"
#include "core/rules.h"
#include "core/write_use_case.h"

namespace jim::core {

namespace {

Error NameTaken(std::string_view name) {
  return MakeError(ErrorCode::kConflict, "A Connected System named '" + std::string(name) + "' already exists.");
}

Error PartitionNotFound(Id cs, Id pid) {
  return NotFoundError("Partition with ID " + std::to_string(pid) + " not found in Connected System " +
                       std::to_string(cs) + ".");
}

// The first step of a partition's writes: its system, then the partition within it.
struct PartitionOfSystem {
  ConnectedSystem system;
  Partition partition;
};
Result<PartitionOfSystem> FindPartitionOrNotFound(Transaction& tx, Id cs_id, Id pid) {
  auto cs = FindConnectedSystemOrNotFound(tx, cs_id);
  if (!cs) return cs.error();
  auto p = tx.FindPartition(pid);
  if (!p || p->connected_system_id != cs_id) return PartitionNotFound(cs_id, pid);
  return PartitionOfSystem{std::move(*cs), std::move(*p)};
}

std::optional<std::string> Trimmed(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return std::string(TrimWhitespace(*s));
}

bool Matches(const ListFilter& f, const ConnectedSystem& cs) {
  std::string hay = FoldName(cs.name), needle = FoldName(f.value);
  switch (f.op) {
    case FilterOp::kEq: return hay == needle;
    case FilterOp::kContains: return hay.find(needle) != std::string::npos;
    case FilterOp::kStartsWith: return hay.rfind(needle, 0) == 0;
  }
  return false;
}

}  // namespace

Result<ConnectedSystemView> ConnectedSystemService::ViewOf(ConnectedSystem system) {
  ConnectedSystemView v;
  auto def = ctx_.catalog.GetConnectorDefinition(system.connector_id);
  if (!def.ok()) return def.error();
  if (*def) v.connector_name = (*def)->name;
  auto profiles = ctx_.catalog.CountRunProfiles(system.id);
  if (!profiles) return profiles.error();
  v.run_profile_count = *profiles;
  auto partitions = ctx_.catalog.ListPartitions(system.id);
  if (!partitions) return partitions.error();
  v.partition_count = static_cast<int64_t>(partitions->size());
  v.system = std::move(system);
  return v;
}

Result<Page<ConnectedSystemView>> ConnectedSystemService::List(const ListQueryInput& input) {
  auto query = ParseListQuery(input, {"id", "name", "created"}, {"name"});
  if (!query) return query.error();
  auto listed = ctx_.catalog.ListConnectedSystems();
  if (!listed) return listed.error();
  std::vector<ConnectedSystem>& systems = *listed;
  if (query->filter) {
    std::erase_if(systems, [&](const ConnectedSystem& cs) { return !Matches(*query->filter, cs); });
  }
  const std::string& by = query->sort_by;
  std::stable_sort(systems.begin(), systems.end(), [&](const ConnectedSystem& a, const ConnectedSystem& b) {
    if (by == "name") {
      std::string fa = FoldName(a.name), fb = FoldName(b.name);
      if (fa != fb) return query->descending ? fa > fb : fa < fb;
    } else if (by == "created" && a.created != b.created) {
      return query->descending ? a.created > b.created : a.created < b.created;
    }
    return query->descending ? a.id > b.id : a.id < b.id;
  });
  Page<ConnectedSystemView> page;
  page.total = static_cast<int64_t>(systems.size());
  page.page = query->page;
  page.page_size = query->page_size;
  for (int64_t i = query->Offset(); i < page.total && i < query->Offset() + query->page_size; ++i) {
    auto view = ViewOf(std::move(systems[static_cast<size_t>(i)]));
    if (!view) return view.error();
    page.items.push_back(std::move(*view));
  }
  return page;
}

Result<ConnectedSystemView> ConnectedSystemService::Get(Id id) {
  auto cs = ctx_.catalog.GetConnectedSystem(id);
  if (!cs.ok()) return cs.error();
  if (!*cs) return ConnectedSystemNotFound(id);
  return ViewOf(std::move(**cs));
}

Result<ConnectedSystemView> ConnectedSystemService::Create(const Actor& actor, const CreateConnectedSystemInput& in) {
  FieldErrors errors = in.parse_errors;
  auto name = Trimmed(in.name);
  auto description = Trimmed(in.description);
  if (!HasFieldError(errors, "name")) CheckRequiredName("name", name, errors);
  if (!HasFieldError(errors, "description"))
    CheckMaxLength("description", description, kMaxDescriptionLength, errors);
  if (!HasFieldError(errors, "connectorDefinitionId") && !in.connector_definition_id)
    errors.push_back({"connectorDefinitionId", "is required"});
  if (!HasFieldError(errors, "changeReason"))
    CheckMaxLength("changeReason", in.change_reason, kMaxChangeReasonLength, errors);

  auto created = RunWriteUseCase(
      ctx_.catalog, NothingToFind, errors,
      [&](Transaction& tx, const Ok&, FieldErrors& all) {
        if (in.connector_definition_id && !tx.FindConnectorDefinition(*in.connector_definition_id))
          all.push_back({"connectorDefinitionId", "Connector definition with ID " +
                                                      std::to_string(*in.connector_definition_id) + " not found."});
      },
      [&](Transaction& tx, Ok&) -> Result<ConnectedSystem> {
        if (tx.FindConnectedSystemIdByName(FoldName(*name))) return NameTaken(*name);
        ConnectedSystem cs;
        cs.id = tx.AllocateId(IdKind::kConnectedSystem);
        cs.name = *name;
        cs.description = description.value_or("");
        cs.connector_id = *in.connector_definition_id;
        cs.created = cs.last_updated = ctx_.clock.NowMillis();
        tx.Put(cs);
        RecordSystemChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kConnectedSystem, OperationType::kCreate, cs.name,
                                        std::nullopt, cs.id, std::nullopt, in.change_reason),
                           cs.id, OperationType::kCreate, "Connected system '" + cs.name + "' created", EmptyDelta());
        return cs;
      });
  if (!created) return created.error();
  return ViewOf(std::move(*created));
}

Result<ConnectedSystemView> ConnectedSystemService::Update(const Actor& actor, Id id,
                                                           const UpdateConnectedSystemInput& in) {
  FieldErrors errors = in.parse_errors;
  auto name = Trimmed(in.name);
  auto description = Trimmed(in.description);
  if (!HasFieldError(errors, "name")) CheckOptionalName("name", name, errors);
  if (!HasFieldError(errors, "description"))
    CheckMaxLength("description", description, kMaxDescriptionLength, errors);
  if (!HasFieldError(errors, "changeReason"))
    CheckMaxLength("changeReason", in.change_reason, kMaxChangeReasonLength, errors);

  auto updated = RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindConnectedSystemOrNotFound(tx, id); }, errors,
      [&](Transaction& tx, ConnectedSystem& cs) -> Result<ConnectedSystem> {
        if (name) {
          auto holder = tx.FindConnectedSystemIdByName(FoldName(*name));
          if (holder && *holder != id) return NameTaken(*name);
          cs.name = *name;
        }
        if (description) cs.description = *description;
        cs.last_updated = ctx_.clock.NowMillis();
        tx.Put(cs);
        auto connector = tx.FindConnectorDefinition(cs.connector_id);
        RecordSystemChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kConnectedSystem, OperationType::kUpdate, cs.name,
                                        std::nullopt, cs.id, std::nullopt, in.change_reason),
                           cs.id, OperationType::kUpdate, "Connected system '" + cs.name + "' updated",
                           ConnectedSystemSettings(cs, connector ? std::optional(connector->name) : std::nullopt));
        return std::move(cs);
      });
  if (!updated) return updated.error();
  return ViewOf(std::move(*updated));
}

Status ConnectedSystemService::Delete(const Actor& actor, Id id) {
  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindConnectedSystemOrNotFound(tx, id); },
      [&](Transaction& tx, ConnectedSystem& cs) -> Status {
        // The version first: a checkpoint reads the system, which the delete then removes. Its history stays.
        RecordSystemChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kConnectedSystem, OperationType::kDelete, cs.name,
                                        std::nullopt, cs.id),
                           cs.id, OperationType::kDelete, "Connected system '" + cs.name + "' deleted", EmptyDelta());
        tx.DeleteConnectedSystem(id);
        return OkStatus();
      });
}

Result<std::vector<Partition>> ConnectedSystemService::ListPartitions(Id cs) {
  if (auto st = RequireConnectedSystem(ctx_.catalog, cs); !st) return st.error();
  return ctx_.catalog.ListPartitions(cs);
}

Result<Partition> ConnectedSystemService::CreatePartition(const Actor& actor, Id cs_id,
                                                          const CreatePartitionInput& in) {
  FieldErrors errors = in.parse_errors;
  auto name = Trimmed(in.name);
  if (!HasFieldError(errors, "name")) CheckRequiredName("name", name, errors);
  if (!HasFieldError(errors, "externalId"))
    CheckMaxLength("externalId", in.external_id, kMaxExternalIdLength, errors);

  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindConnectedSystemOrNotFound(tx, cs_id); }, errors,
      [&](Transaction& tx, ConnectedSystem& cs) -> Result<Partition> {
        auto connector = tx.FindConnectorDefinition(cs.connector_id);
        if (!connector || !connector->capabilities.partitions)
          return MakeError(ErrorCode::kInvalidArgument,
                           "The connector '" + (connector ? connector->name : std::string("unknown")) +
                               "' of Connected System " + std::to_string(cs_id) + " does not support partitions.");
        if (tx.FindPartitionIdByName(cs_id, FoldName(*name)))
          return MakeError(ErrorCode::kConflict, "A partition named '" + *name +
                                                     "' already exists in Connected System " + std::to_string(cs_id) +
                                                     ".");
        Partition p;
        p.id = tx.AllocateId(IdKind::kPartition);
        p.connected_system_id = cs_id;
        p.name = *name;
        p.external_id = in.external_id;
        p.selected = in.selected.value_or(true);
        tx.Put(p);
        RecordSystemChange(
            tx, MakeActivity(ctx_, actor, TargetType::kPartition, OperationType::kCreate, p.name, cs.name, cs_id),
            cs_id, OperationType::kUpdate, "Partition '" + p.name + "' created",
            ItemDelta(kPartitionsKey, kPartitionsLabel, PartitionNode(p)));
        return p;
      });
}

Result<Partition> ConnectedSystemService::UpdatePartition(const Actor& actor, Id cs_id, Id pid,
                                                          const UpdatePartitionInput& in) {
  FieldErrors errors = in.parse_errors;
  if (!HasFieldError(errors, "selected") && !in.selected) errors.push_back({"selected", "is required"});
  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindPartitionOrNotFound(tx, cs_id, pid); }, errors,
      [&](Transaction& tx, PartitionOfSystem& found) -> Result<Partition> {
        Partition& p = found.partition;
        p.selected = *in.selected;
        tx.Put(p);
        RecordSystemChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kPartition, OperationType::kUpdate, p.name,
                                        found.system.name, cs_id),
                           cs_id, OperationType::kUpdate, "Partition '" + p.name + "' updated",
                           ItemDelta(kPartitionsKey, kPartitionsLabel, PartitionNode(p)));
        return std::move(p);
      });
}

Status ConnectedSystemService::DeletePartition(const Actor& actor, Id cs_id, Id pid) {
  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindPartitionOrNotFound(tx, cs_id, pid); },
      [&](Transaction& tx, PartitionOfSystem& found) -> Status {
        const Partition& p = found.partition;
        tx.DeletePartition(pid);
        // Profiles that targeted it lose its name as their partition's display value: they change too. Rare
        // enough (a partition delete) to pay one scan of the system's profiles.
        ConfigNode delta = EmptyDelta();
        AddItemRemoval(delta, kPartitionsKey, kPartitionsLabel, PartitionNode(p));
        for (const auto& rp : tx.ListRunProfiles(cs_id))
          if (rp.partition_id == pid)
            AddItemChange(delta, kRunProfilesKey, kRunProfilesLabel, RunProfileNode(rp, std::nullopt));
        RecordSystemChange(tx,
                           MakeActivity(ctx_, actor, TargetType::kPartition, OperationType::kDelete, p.name,
                                        found.system.name, cs_id),
                           cs_id, OperationType::kUpdate, "Partition '" + p.name + "' deleted", delta);
        return OkStatus();
      });
}

}  // namespace jim::core
