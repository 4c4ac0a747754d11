#include "core/run_profile_service.h"

#include "core/config_history.h"
#include "core/rules.h"
#include "core/write_use_case.h"

namespace jim::core {

namespace {

Error RunProfileNotFound(Id cs, Id rp) {
  return NotFoundError("Run Profile with ID " + std::to_string(rp) + " not found for Connected System " +
                       std::to_string(cs) + ".");
}

Error PreconditionFailed() {
  return MakeError(ErrorCode::kPreconditionFailed,
                   "The run profile has changed since it was read (If-Match does not match its ETag).");
}

void CheckVerifyFlag(std::optional<bool> verify, RunType run_type, FieldErrors& errors) {
  if (verify.value_or(false) && run_type != RunType::kFullImport)
    errors.push_back({"verifyImportContentHashes", "can only be enabled on a FullImport run profile"});
}

// The partition the request names must belong to this connected system (any selection state).
void CheckPartition(Id cs, std::optional<int64_t> partition_id, const std::optional<Partition>& partition,
                    FieldErrors& errors) {
  if (partition_id && (!partition || partition->connected_system_id != cs))
    errors.push_back({"partitionId", "Partition with ID " + std::to_string(*partition_id) +
                                         " not found in Connected System " + std::to_string(cs) + "."});
}

void CheckCommonFields(const std::optional<int64_t>& page_size, const std::optional<std::string>& file_path,
                       const std::optional<std::string>& change_reason, FieldErrors& errors) {
  if (!HasFieldError(errors, "pageSize")) CheckPageSize("pageSize", page_size, errors);
  if (!HasFieldError(errors, "filePath")) CheckMaxLength("filePath", file_path, kMaxFilePathLength, errors);
  if (!HasFieldError(errors, "changeReason"))
    CheckMaxLength("changeReason", change_reason, kMaxChangeReasonLength, errors);
}

// A custom definition's partitions and file paths are capabilities its run profiles rely on; checked in
// the same write as the profile, so a definition change that drops them (which counts the profiles in its
// own write) never misses one. Built-ins keep JIM's rule: a filePath is not checked against the connector.
void CheckConnectorSupports(const std::optional<ConnectorDefinition>& connector, bool sets_partition,
                            bool sets_file_path, FieldErrors& errors) {
  if (!connector) return;
  if (sets_partition && !connector->capabilities.partitions)
    errors.push_back({"partitionId", "The connector '" + connector->name + "' does not support partitions."});
  if (sets_file_path && !connector->built_in && !connector->capabilities.file_paths)
    errors.push_back({"filePath", "The connector '" + connector->name + "' does not support file paths."});
}

bool SetsFilePath(const std::optional<std::string>& file_path) { return file_path && !file_path->empty(); }

// What a profile's write finds before its rules run: the system (404), the profile within it (404; not for a
// create), the live record of a create's Idempotency-Key, and what the rules read: the system's connector
// and the partition the request names.
struct ProfileTarget {
  ConnectedSystem system;
  RunProfile profile;
  std::optional<IdempotencyRecord> replay;
  std::optional<ConnectorDefinition> connector;
  std::optional<Partition> partition;
};

Result<ProfileTarget> FindProfileOrNotFound(Transaction& tx, Id cs_id, Id rp_id) {
  auto cs = FindConnectedSystemOrNotFound(tx, cs_id);
  if (!cs) return cs.error();
  auto p = tx.FindRunProfile(rp_id);
  if (!p || p->connected_system_id != cs_id) return RunProfileNotFound(cs_id, rp_id);
  ProfileTarget target;
  target.system = std::move(*cs);
  target.profile = std::move(*p);
  return target;
}

void ReadForRules(Transaction& tx, std::optional<int64_t> partition_id, ProfileTarget& target) {
  target.connector = tx.FindConnectorDefinition(target.system.connector_id);
  if (partition_id) target.partition = tx.FindPartition(*partition_id);
}

// A profile's create, update or delete is a change of its system: one version of it, with the activity.
void RecordProfileChange(ServiceContext& ctx, Transaction& tx, const Actor& actor, OperationType op, const RunProfile& p,
                         const std::string& system_name, const std::optional<std::string>& change_reason,
                         const std::string& done, const ConfigNode& delta) {
  RecordSystemChange(tx,
                     MakeActivity(ctx, actor, TargetType::kConnectedSystemRunProfile, op, p.name, system_name,
                                  p.connected_system_id, p.id, change_reason),
                     p.connected_system_id, OperationType::kUpdate, "Run profile '" + p.name + "' " + done, delta);
}

Error IdempotencyKeyReused() {
  return MakeError(ErrorCode::kConflict, "The Idempotency-Key was already used with a different request body.");
}

}  // namespace

std::string CanonicalCreateRequest(const CreateRunProfileInput& in) {
  // Each field as "<tag>=" plus its length-prefixed value, or "<tag>-" when absent: no two inputs collide.
  std::string out = "create-run-profile/1\n";
  auto text = [&](char tag, const std::optional<std::string>& v) {
    out += tag;
    if (!v) {
      out += "-\n";
      return;
    }
    out += "=" + std::to_string(v->size()) + ":" + *v + "\n";
  };
  auto number = [&](char tag, const std::optional<int64_t>& v) {
    text(tag, v ? std::optional<std::string>(std::to_string(*v)) : std::nullopt);
  };
  text('n', in.name);
  number('t', in.run_type ? std::optional<int64_t>(static_cast<int64_t>(*in.run_type)) : std::nullopt);
  number('s', in.page_size);
  number('p', in.partition_id);
  text('f', in.file_path);
  number('v', in.verify_import_content_hashes ? std::optional<int64_t>(*in.verify_import_content_hashes ? 1 : 0)
                                              : std::nullopt);
  for (const FieldError& e : in.parse_errors) {
    text('e', e.field);
    text('m', e.message);
  }
  return out;
}

RunProfileView RunProfileService::ViewOf(RunProfile profile, const std::optional<Partition>& partition) {
  RunProfileView view;
  view.targets_deselected_partition = TargetsDeselectedPartition(profile, partition);
  if (partition) view.partition_name = partition->name;
  view.profile = std::move(profile);
  return view;
}

Result<std::vector<RunProfileView>> RunProfileService::List(Id cs) {
  if (auto st = RequireConnectedSystem(ctx_.catalog, cs); !st) return st.error();
  std::vector<RunProfileView> views;
  auto profiles = ctx_.catalog.ListRunProfiles(cs);
  if (!profiles) return profiles.error();
  views.reserve(profiles->size());
  for (auto& p : *profiles) {
    auto partition = PartitionOf(p);
    if (!partition.ok()) return partition.error();
    views.push_back(ViewOf(std::move(p), *partition));
  }
  return views;
}

Result<RunProfileView> RunProfileService::Get(Id cs, Id rp) {
  if (auto st = RequireConnectedSystem(ctx_.catalog, cs); !st) return st.error();
  auto profile = ctx_.catalog.GetRunProfileOf(cs, rp);
  if (!profile.ok()) return profile.error();
  if (!*profile) return RunProfileNotFound(cs, rp);
  auto partition = PartitionOf(**profile);
  if (!partition.ok()) return partition.error();
  return ViewOf(std::move(**profile), *partition);
}

Result<std::optional<Partition>> RunProfileService::PartitionOf(const RunProfile& profile) {
  if (!profile.partition_id) return std::optional<Partition>();
  return ctx_.catalog.GetPartition(*profile.partition_id);
}

Status RunProfileService::RequireSystem(Id cs) { return RequireConnectedSystem(ctx_.catalog, cs); }

Result<CreateRunProfileOutcome> RunProfileService::RefuseEarly(Id cs_id, FieldErrors errors,
                                                               const IdempotencyInput* idempotency, Millis now) {
  // The same order as inside the transaction: 404 system, then a live Idempotency-Key, then 400. Committed
  // state is as good an answer as the committer's: a request that overlaps a write in flight may be ordered
  // before it.
  if (auto st = RequireConnectedSystem(ctx_.catalog, cs_id); !st) return st.error();
  if (idempotency) {
    auto read = ctx_.catalog.GetIdempotency(idempotency->key);
    if (!read.ok()) return read.error();
    std::optional<IdempotencyRecord>& previous = *read;
    if (previous && previous->created + kIdempotencyTtlMillis > now) {
      // Only a create that passed its field rules is ever recorded, so a request that fails them can only
      // differ from the recorded one: 409, as the transaction would answer.
      if (previous->request_hash != idempotency->request_hash) return IdempotencyKeyReused();
      CreateRunProfileOutcome outcome;
      outcome.replay = std::move(*previous);
      return outcome;
    }
  }
  return InvalidFields(std::move(errors));
}

Result<CreateRunProfileOutcome> RunProfileService::Create(const Actor& actor, Id cs_id,
                                                          const CreateRunProfileInput& in,
                                                          const IdempotencyInput* idempotency) {
  // Field rules need no store: evaluate them before taking the serialised section.
  FieldErrors errors = in.parse_errors;
  if (!HasFieldError(errors, "name")) CheckRequiredName("name", in.name, errors);
  if (!HasFieldError(errors, "runType") && !in.run_type)
    errors.push_back({"runType", std::string("is required; must be one of: ") + kRunTypeNamesList + "."});
  CheckCommonFields(in.page_size, in.file_path, in.change_reason, errors);
  if (in.run_type && !HasFieldError(errors, "verifyImportContentHashes"))
    CheckVerifyFlag(in.verify_import_content_hashes, *in.run_type, errors);

  const Millis now = ctx_.clock.NowMillis();
  // A create these rules refuse writes nothing: it is answered at once, never queued behind the committer
  // (where it could wait for another group's fsync to hear its 400).
  if (!errors.empty()) return RefuseEarly(cs_id, std::move(errors), idempotency, now);
  // `errors` is empty from here on; the rules that need the store come after the Idempotency-Key's answer.
  return RunWriteUseCase(
      ctx_.catalog,
      [&](Transaction& tx) -> Result<ProfileTarget> {
        auto cs = FindConnectedSystemOrNotFound(tx, cs_id);
        if (!cs) return cs.error();
        ProfileTarget target;
        target.system = std::move(*cs);
        if (idempotency) {
          auto previous = tx.FindIdempotency(idempotency->key);
          if (previous && previous->created + kIdempotencyTtlMillis > now) {
            if (previous->request_hash != idempotency->request_hash) return IdempotencyKeyReused();
            target.replay = std::move(previous);
            return target;
          }
        }
        ReadForRules(tx, in.partition_id, target);
        return target;
      },
      errors,
      [&](Transaction&, const ProfileTarget& t, FieldErrors& rule_errors) {
        if (t.replay) return;
        if (!t.connector || !IsRunTypeSupported(*in.run_type, t.connector->capabilities)) {
          rule_errors.push_back({"runType", std::string(RunTypeName(*in.run_type)) +
                                                " is not supported by the connector '" +
                                                (t.connector ? t.connector->name : std::string("unknown")) + "'."});
        }
        CheckPartition(cs_id, in.partition_id, t.partition, rule_errors);
        CheckConnectorSupports(t.connector, in.partition_id && !HasFieldError(rule_errors, "partitionId"),
                               SetsFilePath(in.file_path), rule_errors);
      },
      [&](Transaction& tx, ProfileTarget& t) -> Result<CreateRunProfileOutcome> {
        CreateRunProfileOutcome outcome;
        if (t.replay) {
          outcome.replay = std::move(t.replay);
          return outcome;
        }
        RunProfile p;
        p.id = tx.AllocateId(IdKind::kRunProfile);
        p.connected_system_id = cs_id;
        p.name = *in.name;
        p.run_type = *in.run_type;
        p.page_size = static_cast<int32_t>(in.page_size.value_or(kDefaultPageSize));
        p.partition_id = in.partition_id;
        if (in.file_path) p.file_path = *in.file_path;
        p.verify_import_content_hashes = in.verify_import_content_hashes.value_or(false);
        p.revision = 1;
        p.created = p.last_updated = now;
        tx.Put(p);
        const std::optional<Partition>& partition = t.partition;
        RecordProfileChange(ctx_, tx, actor, OperationType::kCreate, p, t.system.name, in.change_reason, "created",
                            ItemDelta(kRunProfilesKey, kRunProfilesLabel,
                                      RunProfileNode(p, partition ? std::optional(partition->name) : std::nullopt)));
        outcome.view = ViewOf(std::move(p), partition);
        if (idempotency) {
          IdempotencyRecord record;
          record.key = idempotency->key;
          record.request_hash = idempotency->request_hash;
          record.created = now;
          record.profile = outcome.view;
          tx.Put(record);
        }
        return outcome;
      });
}

Result<RunProfileView> RunProfileService::Update(const Actor& actor, Id cs_id, Id rp_id,
                                                 const UpdateRunProfileInput& in) {
  FieldErrors errors = in.parse_errors;
  if (!HasFieldError(errors, "name")) CheckOptionalName("name", in.name, errors);
  CheckCommonFields(in.page_size, in.file_path, in.change_reason, errors);

  return RunWriteUseCase(
      ctx_.catalog,
      [&](Transaction& tx) -> Result<ProfileTarget> {
        auto target = FindProfileOrNotFound(tx, cs_id, rp_id);
        if (target) ReadForRules(tx, in.partition_id, *target);
        return target;
      },
      errors,
      [&](Transaction&, const ProfileTarget& t, FieldErrors& all) {
        if (!HasFieldError(all, "verifyImportContentHashes"))
          CheckVerifyFlag(in.verify_import_content_hashes, t.profile.run_type, all);
        CheckPartition(cs_id, in.partition_id, t.partition, all);
        CheckConnectorSupports(t.connector, in.partition_id.has_value() && !HasFieldError(all, "partitionId"),
                               SetsFilePath(in.file_path) && !HasFieldError(all, "filePath"), all);
      },
      [&](Transaction& tx, ProfileTarget& t) -> Result<RunProfileView> {
        RunProfile& p = t.profile;
        if (in.if_match && !IfMatchMatches(*in.if_match, RunProfileETag(p))) return PreconditionFailed();
        std::optional<Partition> partition = std::move(t.partition);
        if (in.name) p.name = *in.name;
        if (in.page_size) p.page_size = static_cast<int32_t>(*in.page_size);
        if (in.partition_id) p.partition_id = in.partition_id;
        if (in.file_path) {
          if (in.file_path->empty()) p.file_path.reset(); else p.file_path = *in.file_path;
        }
        if (in.verify_import_content_hashes) p.verify_import_content_hashes = *in.verify_import_content_hashes;
        p.revision += 1;
        p.last_updated = ctx_.clock.NowMillis();
        if (!in.partition_id && p.partition_id) partition = tx.FindPartition(*p.partition_id);
        tx.Put(p);
        const bool own_partition = partition && partition->connected_system_id == cs_id;
        RecordProfileChange(ctx_, tx, actor, OperationType::kUpdate, p, t.system.name, in.change_reason, "updated",
                            ItemDelta(kRunProfilesKey, kRunProfilesLabel,
                                      RunProfileNode(p, own_partition ? std::optional(partition->name) : std::nullopt)));
        return ViewOf(std::move(p), partition);
      });
}

Status RunProfileService::Delete(const Actor& actor, Id cs_id, Id rp_id, const std::optional<std::string>& if_match,
                                 const std::optional<std::string>& change_reason) {
  FieldErrors errors;
  CheckMaxLength("changeReason", change_reason, kMaxChangeReasonLength, errors);
  return RunWriteUseCase(
      ctx_.catalog, [&](Transaction& tx) { return FindProfileOrNotFound(tx, cs_id, rp_id); }, errors,
      [&](Transaction& tx, ProfileTarget& t) -> Status {
        const RunProfile& p = t.profile;
        if (if_match && !IfMatchMatches(*if_match, RunProfileETag(p))) return PreconditionFailed();
        tx.DeleteRunProfile(rp_id);
        ConfigNode delta = EmptyDelta();
        AddItemRemoval(delta, kRunProfilesKey, kRunProfilesLabel, RunProfileNode(p, std::nullopt));
        RecordProfileChange(ctx_, tx, actor, OperationType::kDelete, p, t.system.name, change_reason, "deleted", delta);
        return OkStatus();
      });
}

}  // namespace jim::core
