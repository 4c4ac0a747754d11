#include "http/request_parsers.h"

#include <iterator>

#include "core/rules.h"
#include "http/json_reader.h"

namespace jim::http {

namespace {

// Parses `body` and splits what the reader found: a body-level error is returned, field errors are kept
// for the service (which reports them together with its own).
core::FieldErrors ParseAndSplit(ObjectReader& reader, std::string& body, core::FieldErrors& field_errors) {
  core::FieldErrors all = reader.Parse(body);
  if (reader.body_failed()) return all;
  field_errors.insert(field_errors.end(), std::make_move_iterator(all.begin()), std::make_move_iterator(all.end()));
  return {};
}

std::optional<int> ParseRunTypeIndex(std::string_view name) {
  auto t = core::ParseRunType(name);
  if (!t) return std::nullopt;
  return static_cast<int>(*t);
}

}  // namespace

core::FieldErrors ParseCreateRunProfile(std::string& body, core::CreateRunProfileInput& out) {
  std::optional<int> run_type;
  ObjectReader r;
  r.String("name", &out.name)
      .Enum("runType", &run_type, ParseRunTypeIndex, core::kRunTypeNamesList)
      .Integer("pageSize", &out.page_size)
      .Integer("partitionId", &out.partition_id)
      .String("filePath", &out.file_path)
      .Bool("verifyImportContentHashes", &out.verify_import_content_hashes)
      .String("changeReason", &out.change_reason);
  auto body_errors = ParseAndSplit(r, body, out.parse_errors);
  if (run_type) out.run_type = static_cast<core::RunType>(*run_type);
  return body_errors;
}

core::FieldErrors ParseRunProfileSet(std::string& body, core::RunProfileSetInput& out) {
  // One element reader over a scratch item, moved out after each element: memory follows the items kept,
  // not the elements sent (a 1 MiB body of `{}` is 350,000 elements).
  core::CreateRunProfileInput item;
  std::optional<int> run_type;
  core::FieldErrors item_errors;
  ObjectReader element;
  element.String("name", &item.name)
      .Enum("runType", &run_type, ParseRunTypeIndex, core::kRunTypeNamesList)
      .Integer("pageSize", &item.page_size)
      .Integer("partitionId", &item.partition_id)
      .String("filePath", &item.file_path)
      .Bool("verifyImportContentHashes", &item.verify_import_content_hashes);
  out.run_profiles.clear();
  const auto done = [&](size_t index, bool is_object) {
    if (index > core::kMaxRunProfilesPerSet) return;  // enough kept to say "too many"
    core::CreateRunProfileInput kept = std::move(item);
    if (run_type) kept.run_type = static_cast<core::RunType>(*run_type);
    kept.parse_errors = std::move(item_errors);
    if (!is_object) kept.parse_errors.push_back({"", "must be an object"});
    out.run_profiles.push_back(std::move(kept));
    item = {};
    item_errors.clear();
  };
  ObjectReader r;
  r.ObjectArray("runProfiles", &out.count, &element, &item_errors, done).String("changeReason", &out.change_reason);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseUpdateRunProfile(std::string& body, core::UpdateRunProfileInput& out) {
  ObjectReader r;
  r.String("name", &out.name)
      .Integer("pageSize", &out.page_size)
      .Integer("partitionId", &out.partition_id)
      .String("filePath", &out.file_path)
      .Bool("verifyImportContentHashes", &out.verify_import_content_hashes)
      .String("changeReason", &out.change_reason);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseCreateConnectedSystem(std::string& body, core::CreateConnectedSystemInput& out) {
  ObjectReader r;
  r.String("name", &out.name)
      .String("description", &out.description)
      .Integer("connectorDefinitionId", &out.connector_definition_id)
      .String("changeReason", &out.change_reason);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseUpdateConnectedSystem(std::string& body, core::UpdateConnectedSystemInput& out) {
  ObjectReader r;
  r.String("name", &out.name).String("description", &out.description).String("changeReason", &out.change_reason);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseCreatePartition(std::string& body, core::CreatePartitionInput& out) {
  ObjectReader r;
  r.String("name", &out.name).String("externalId", &out.external_id).Bool("selected", &out.selected);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseUpdatePartition(std::string& body, core::UpdatePartitionInput& out) {
  ObjectReader r;
  r.Bool("selected", &out.selected);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseConnectorDefinition(std::string& body, core::ConnectorDefinitionInput& out) {
  core::CapabilityInput& c = out.capabilities;
  ObjectReader r;
  r.String("name", &out.name)
      .String("description", &out.description)
      .Bool("supportsFullImport", &c.full_import)
      .Bool("supportsDeltaImport", &c.delta_import)
      .Bool("supportsExport", &c.export_)
      .Bool("supportsPartitions", &c.partitions)
      .Bool("supportsPartitionContainers", &c.partition_containers)
      .Bool("supportsFilePaths", &c.file_paths)
      .Bool("supportsPaging", &c.paging)
      .Bool("supportsSecondaryExternalId", &c.secondary_external_id)
      .Bool("supportsUserSelectedExternalId", &c.user_selected_external_id)
      .Bool("supportsUserSelectedAttributeTypes", &c.user_selected_attribute_types)
      .Bool("supportsAutoConfirmExport", &c.auto_confirm_export)
      .Bool("supportsParallelExport", &c.parallel_export)
      .Bool("supportsPasswordSet", &c.password_set)
      .Bool("supportsPasswordPolicyDiscovery", &c.password_policy_discovery);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseCreateApiKey(std::string& body, core::CreateApiKeyInput& out) {
  ObjectReader r;
  r.String("name", &out.name)
      .String("description", &out.description)
      .IntegerArray("roleIds", &out.role_ids)
      .Timestamp("expiresAt", &out.expires_at)
      .String("changeReason", &out.change_reason);
  return ParseAndSplit(r, body, out.parse_errors);
}

core::FieldErrors ParseUpdateApiKey(std::string& body, core::UpdateApiKeyInput& out) {
  ObjectReader r;
  r.String("name", &out.name)
      .String("description", &out.description)
      .IntegerArray("roleIds", &out.role_ids)
      .Bool("isEnabled", &out.is_enabled)
      .Timestamp("expiresAt", &out.expires_at)
      .String("changeReason", &out.change_reason);
  return ParseAndSplit(r, body, out.parse_errors);
}

}  // namespace jim::http
