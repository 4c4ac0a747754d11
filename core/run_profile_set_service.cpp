#include "core/run_profile_set_service.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/crypto.h"
#include "core/config_history.h"
#include "core/rules.h"
#include "core/write_use_case.h"

namespace jim::core {

namespace {

std::string ItemField(size_t index, std::string_view field) {
  std::string out = "runProfiles[" + std::to_string(index) + "]";
  if (!field.empty()) {
    out.push_back('.');
    out.append(field);
  }
  return out;
}

// What the reads of a plan need; an apply reads through its transaction, a dry run reads committed state
// (so that it never queues behind writers nor moves anything in the store).
// Both shapes return Results: a committed read can fail, a transaction's read throws instead (the store turns
// that into the transaction's error).
struct TransactionReads {
  Transaction& tx;
  Result<std::optional<ConnectedSystem>> System(Id id) { return tx.FindConnectedSystem(id); }
  Result<std::optional<ConnectorDefinition>> Connector(Id id) { return tx.FindConnectorDefinition(id); }
  Result<std::optional<Partition>> FindPartition(Id id) { return tx.FindPartition(id); }
  Result<std::vector<RunProfile>> Profiles(Id cs) { return tx.ListRunProfiles(cs); }
};
struct CommittedReads {
  Catalog& catalog;
  Result<std::optional<ConnectedSystem>> System(Id id) { return catalog.GetConnectedSystem(id); }
  Result<std::optional<ConnectorDefinition>> Connector(Id id) { return catalog.GetConnectorDefinition(id); }
  Result<std::optional<Partition>> FindPartition(Id id) { return catalog.GetPartition(id); }
  Result<std::vector<RunProfile>> Profiles(Id cs) { return catalog.ListRunProfiles(cs); }
};

// The field rules of a single create that need no store, for item `index`; appends prefixed errors and
// returns whether the item passed them.
bool CheckItemFields(size_t index, const CreateRunProfileInput& in, FieldErrors& out) {
  FieldErrors errors = in.parse_errors;
  if (!HasFieldError(errors, "")) {
    if (!HasFieldError(errors, "name")) CheckRequiredName("name", in.name, errors);
    if (!HasFieldError(errors, "runType") && !in.run_type)
      errors.push_back({"runType", std::string("is required; must be one of: ") + kRunTypeNamesList + "."});
    if (!HasFieldError(errors, "pageSize")) CheckPageSize("pageSize", in.page_size, errors);
    if (!HasFieldError(errors, "filePath")) CheckMaxLength("filePath", in.file_path, kMaxFilePathLength, errors);
    if (in.run_type && *in.run_type != RunType::kFullImport && in.verify_import_content_hashes.value_or(false) &&
        !HasFieldError(errors, "verifyImportContentHashes"))
      errors.push_back({"verifyImportContentHashes", "can only be enabled on a FullImport run profile"});
  }
  for (auto& e : errors) out.push_back({ItemField(index, e.field), std::move(e.message)});
  return errors.empty();
}

// The profile an item asks for. The document is complete: an omitted field takes its default (no
// partition, no file path, page size 100, no verification), so a stored value the set leaves out is cleared.
RunProfile Desired(Id cs, const CreateRunProfileInput& in) {
  RunProfile p;
  p.connected_system_id = cs;
  p.name = *in.name;
  p.run_type = *in.run_type;
  p.page_size = static_cast<int32_t>(in.page_size.value_or(kDefaultPageSize));
  p.partition_id = in.partition_id;
  if (in.file_path && !in.file_path->empty()) p.file_path = *in.file_path;
  p.verify_import_content_hashes = in.verify_import_content_hashes.value_or(false);
  return p;
}

ChangeValue OptionalId(const std::optional<Id>& v) { return v ? ChangeValue(*v) : ChangeValue(); }
ChangeValue OptionalText(const std::optional<std::string>& v) { return v ? ChangeValue(*v) : ChangeValue(); }

std::vector<FieldChange> Diff(const RunProfile& from, const RunProfile& to) {
  std::vector<FieldChange> changes;
  if (from.page_size != to.page_size)
    changes.push_back({"pageSize", int64_t{from.page_size}, int64_t{to.page_size}});
  if (from.partition_id != to.partition_id)
    changes.push_back({"partitionId", OptionalId(from.partition_id), OptionalId(to.partition_id)});
  if (from.file_path != to.file_path)
    changes.push_back({"filePath", OptionalText(from.file_path), OptionalText(to.file_path)});
  if (from.verify_import_content_hashes != to.verify_import_content_hashes)
    changes.push_back({"verifyImportContentHashes", from.verify_import_content_hashes, to.verify_import_content_hashes});
  return changes;
}

Error PreconditionFailed() {
  return MakeError(ErrorCode::kPreconditionFailed,
                   "The run-profile set has changed since it was read (If-Match does not match its ETag).");
}

// Everything the plan needs besides the store: the request's items after their field rules passed.
struct Checked {
  std::vector<const CreateRunProfileInput*> items;
  FieldErrors errors;
};

Checked CheckRequest(const RunProfileSetInput& in) {
  Checked out;
  // Item errors the parser found are collected per item (CheckItemFields); the rest apply to the request.
  for (const auto& e : in.parse_errors) out.errors.push_back(e);
  if (!HasFieldError(out.errors, "changeReason"))
    CheckMaxLength("changeReason", in.change_reason, kMaxChangeReasonLength, out.errors);
  if (HasFieldError(out.errors, "runProfiles")) return out;
  if (!in.count) {
    out.errors.push_back({"runProfiles", "is required (an array of run profiles; [] deletes them all)"});
    return out;
  }
  if (*in.count > kMaxRunProfilesPerSet) {
    out.errors.push_back({"runProfiles", "must hold at most " + std::to_string(kMaxRunProfilesPerSet) +
                                             " run profiles (it holds " + std::to_string(*in.count) + ")"});
    return out;
  }
  std::unordered_map<std::string_view, size_t> first_of_name;
  for (size_t i = 0; i < in.run_profiles.size(); ++i) {
    const auto& item = in.run_profiles[i];
    if (!CheckItemFields(i, item, out.errors)) continue;
    auto [it, inserted] = first_of_name.try_emplace(*item.name, i);
    if (!inserted) {
      out.errors.push_back({ItemField(i, "name"), "duplicates the name of runProfiles[" + std::to_string(it->second) +
                                                      "]; names must be unique within a set"});
      continue;
    }
    out.items.push_back(&item);
  }
  return out;
}

// Plans the set against what `reads` sees. Store-dependent rules (capability, partition) join the
// request's own errors so that one 400 names every problem.
template <class Reads>
Result<RunProfileSetPlan> MakePlan(Reads& reads, Id cs_id, const RunProfileSetInput& in, const Checked& checked,
                                   const RunProfileSetOptions& options, std::vector<RunProfile>* stored_out) {
  auto system = reads.System(cs_id);
  if (!system.ok()) return system.error();
  if (!*system) return ConnectedSystemNotFound(cs_id);
  const ConnectedSystem& cs = **system;

  FieldErrors errors = checked.errors;
  auto read_connector = reads.Connector(cs.connector_id);
  if (!read_connector.ok()) return read_connector.error();
  const std::optional<ConnectorDefinition>& connector = *read_connector;
  std::map<Id, bool> partition_ok;  // partition id -> belongs to this system
  for (size_t i = 0; i < in.run_profiles.size(); ++i) {
    const auto& item = in.run_profiles[i];
    if (item.run_type && !HasFieldError(errors, ItemField(i, "runType")) &&
        (!connector || !IsRunTypeSupported(*item.run_type, connector->capabilities)))
      errors.push_back({ItemField(i, "runType"), std::string(RunTypeName(*item.run_type)) +
                                                     " is not supported by the connector '" +
                                                     (connector ? connector->name : std::string("unknown")) + "'."});
    if (item.partition_id && !HasFieldError(errors, ItemField(i, "partitionId"))) {
      auto [it, inserted] = partition_ok.try_emplace(*item.partition_id, false);
      if (inserted) {
        auto p = reads.FindPartition(*item.partition_id);
        if (!p.ok()) return p.error();
        it->second = *p && (*p)->connected_system_id == cs_id;
      }
      if (!it->second)
        errors.push_back({ItemField(i, "partitionId"), "Partition with ID " + std::to_string(*item.partition_id) +
                                                           " not found in Connected System " + std::to_string(cs_id) +
                                                           "."});
    }
  }
  if (!errors.empty()) return InvalidFields(std::move(errors));

  auto read_stored = reads.Profiles(cs_id);
  if (!read_stored) return read_stored.error();
  std::vector<RunProfile> stored = std::move(*read_stored);
  const std::string stored_etag = RunProfileSetETag(cs_id, stored);

  std::unordered_map<std::string_view, std::vector<const RunProfile*>> by_name;
  for (const auto& p : stored) by_name[p.name].push_back(&p);
  std::string clash;
  for (const auto* item : checked.items) {
    auto it = by_name.find(*item->name);
    if (it == by_name.end() || it->second.size() < 2) continue;
    if (!clash.empty()) clash += "; ";
    clash += "'" + *item->name + "' (ids";
    for (size_t k = 0; k < it->second.size(); ++k) clash += (k ? ", " : " ") + std::to_string(it->second[k]->id);
    clash += ")";
  }
  if (!clash.empty())
    return MakeError(ErrorCode::kConflict, "Stored run profiles share a name the set names, so the set cannot tell "
                                           "them apart: " + clash + ". Rename or delete all but one first.");
  if (options.if_match && !IfMatchMatches(*options.if_match, stored_etag)) return PreconditionFailed();

  RunProfileSetPlan plan;
  plan.dry_run = options.dry_run;
  std::unordered_map<Id, bool> named;  // stored ids the set names
  for (const auto* item : checked.items) {
    RunProfile want = Desired(cs_id, *item);
    auto it = by_name.find(want.name);
    if (it == by_name.end()) {
      plan.creates.push_back({std::move(want), std::nullopt});
      continue;
    }
    const RunProfile& have = *it->second.front();
    named[have.id] = true;
    if (have.run_type != want.run_type) {  // runType is immutable, as in JIM: replace the profile
      plan.deletes.push_back({have, true});
      plan.creates.push_back({std::move(want), have.id});
      continue;
    }
    auto changes = Diff(have, want);
    if (changes.empty()) {
      plan.unchanged.push_back(have.id);
      continue;
    }
    RunProfile after = have;
    after.page_size = want.page_size;
    after.partition_id = want.partition_id;
    after.file_path = want.file_path;
    after.verify_import_content_hashes = want.verify_import_content_hashes;
    plan.updates.push_back({have, std::move(after), std::move(changes)});
  }
  if (options.prune) {
    for (const auto& p : stored)
      if (!named.count(p.id)) plan.deletes.push_back({p, false});
  } else {
    for (const auto& p : stored)
      if (!named.count(p.id)) plan.unchanged.push_back(p.id);
  }
  std::sort(plan.unchanged.begin(), plan.unchanged.end());
  std::sort(plan.deletes.begin(), plan.deletes.end(),
            [](const PlannedDelete& a, const PlannedDelete& b) { return a.profile.id < b.profile.id; });
  plan.etag = stored_etag;
  if (stored_out) *stored_out = std::move(stored);
  return plan;
}

// The set after the plan was applied, in id order (new ids are larger than every stored one).
std::vector<RunProfile> SetAfter(const std::vector<RunProfile>& stored, const RunProfileSetPlan& plan) {
  std::unordered_map<Id, const RunProfile*> replaced;
  for (const auto& u : plan.updates) replaced[u.after.id] = &u.after;
  std::unordered_map<Id, bool> deleted;
  for (const auto& d : plan.deletes) deleted[d.profile.id] = true;
  std::vector<RunProfile> out;
  out.reserve(stored.size() + plan.creates.size());
  for (const auto& p : stored) {
    if (deleted.count(p.id)) continue;
    auto it = replaced.find(p.id);
    out.push_back(it == replaced.end() ? p : *it->second);
  }
  for (const auto& c : plan.creates) out.push_back(c.profile);
  return out;
}

}  // namespace

std::string RunProfileSetETag(Id cs, const std::vector<RunProfile>& profiles) {
  std::string material = std::to_string(cs);
  material.reserve(material.size() + profiles.size() * 12);
  for (const auto& p : profiles) {
    material += ';';
    material += std::to_string(p.id);
    material += '.';
    material += std::to_string(p.revision);
  }
  return "\"rps-" + Sha256Hex(material).substr(0, 32) + "\"";
}

Result<RunProfileSetDocument> RunProfileSetService::Export(Id cs) {
  if (auto st = RequireConnectedSystem(ctx_.catalog, cs); !st) return st.error();
  auto profiles = ctx_.catalog.ListRunProfiles(cs);
  if (!profiles) return profiles.error();
  RunProfileSetDocument doc;
  doc.profiles = std::move(*profiles);
  doc.etag = RunProfileSetETag(cs, doc.profiles);
  return doc;
}

Result<RunProfileSetPlan> RunProfileSetService::Apply(const Actor& actor, Id cs_id, const RunProfileSetInput& in,
                                                      const RunProfileSetOptions& options) {
  // The rules that need no store are evaluated before taking the serialised section.
  const Checked checked = CheckRequest(in);

  if (options.dry_run) {
    CommittedReads reads{ctx_.catalog};
    return MakePlan(reads, cs_id, in, checked, options, nullptr);
  }

  // The plan keeps the skeleton's order itself (404, 400, 409, 412), the same for a dry run.
  return TransactValue(ctx_.catalog, [&](Transaction& tx) -> Result<RunProfileSetPlan> {
    TransactionReads reads{tx};
    std::vector<RunProfile> stored;
    auto planned = MakePlan(reads, cs_id, in, checked, options, &stored);
    if (!planned) return planned.error();
    RunProfileSetPlan plan = std::move(planned).value();
    auto cs = tx.FindConnectedSystem(cs_id);
    const Millis now = ctx_.clock.NowMillis();
    // One version of the system for the whole apply; every activity of the apply carries its number.
    std::vector<Activity> activities;
    ConfigNode delta = EmptyDelta();
    auto record = [&](OperationType op, const RunProfile& p) {
      activities.push_back(MakeActivity(ctx_, actor, TargetType::kConnectedSystemRunProfile, op, p.name, cs->name,
                                        cs_id, p.id, in.change_reason));
      if (op == OperationType::kDelete)
        AddItemRemoval(delta, kRunProfilesKey, kRunProfilesLabel, RunProfileNode(p, std::nullopt));
      else
        AddItemChange(delta, kRunProfilesKey, kRunProfilesLabel, RunProfileNode(p, PartitionNameOf(tx, p)));
    };
    for (const auto& d : plan.deletes) {
      tx.DeleteRunProfile(d.profile.id);
      record(OperationType::kDelete, d.profile);
    }
    for (auto& u : plan.updates) {
      u.after.revision += 1;
      u.after.last_updated = now;
      tx.Put(u.after);
      record(OperationType::kUpdate, u.after);
    }
    for (auto& c : plan.creates) {
      c.profile.id = tx.AllocateId(IdKind::kRunProfile);
      c.profile.revision = 1;
      c.profile.created = c.profile.last_updated = now;
      tx.Put(c.profile);
      record(OperationType::kCreate, c.profile);
    }
    if (!activities.empty()) {
      const std::string summary = "Run-profile set applied: " + std::to_string(plan.creates.size()) + " created, " +
                                  std::to_string(plan.updates.size()) + " updated, " +
                                  std::to_string(plan.deletes.size()) + " deleted";
      const int64_t version =
          AppendConfigVersion(tx, activities.front(), ConfigObjectType::kConnectedSystem, std::to_string(cs_id),
                              OperationType::kUpdate, summary, delta, [&] { return WholeConnectedSystem(tx, cs_id); });
      for (auto& a : activities) {
        a.configuration_change_version = version;
        tx.Record(a);
      }
    }
    plan.etag = RunProfileSetETag(cs_id, SetAfter(stored, plan));
    return plan;
  });
}

}  // namespace jim::core
