#include "http/serializers.h"

#include "core/rules.h"

namespace jim::http {

void WriteRunProfile(JsonWriter& w, const core::RunProfileView& v) {
  const core::RunProfile& p = v.profile;
  w.BeginObject();
  w.Field("id", p.id);
  w.Field("name", p.name);
  w.Field("connectedSystemId", p.connected_system_id);
  w.Field("runType", std::string_view(core::RunTypeName(p.run_type)));
  w.Field("pageSize", p.page_size);
  w.Key("partitionId").OptionalInt(p.partition_id);
  w.Key("partitionName").OptionalString(v.partition_name);
  w.Field("targetsDeselectedPartition", v.targets_deselected_partition);
  w.Key("filePath").OptionalString(p.file_path);
  w.Field("verifyImportContentHashes", p.verify_import_content_hashes);
  w.EndObject();
}

namespace {
// The members the list item and the detail of a connected system share. JIM's status only changes while
// a system is being deleted, which jim-edge does synchronously, so it is always Active.
void WriteConnectedSystemCommon(JsonWriter& w, const core::ConnectedSystem& cs) {
  w.Field("id", cs.id);
  w.Field("name", cs.name);
  w.Field("description", cs.description);
  w.Key("created").Timestamp(cs.created);
  w.Field("status", std::string_view("Active"));
}
}  // namespace

void WriteConnectedSystemHeader(JsonWriter& w, const core::ConnectedSystemView& v) {
  const core::ConnectedSystem& cs = v.system;
  w.BeginObject();
  WriteConnectedSystemCommon(w, cs);
  w.Field("connectorName", v.connector_name);
  w.Field("connectorId", cs.connector_id);
  w.Field("runProfileCount", v.run_profile_count);
  w.EndObject();
}

void WriteConnectedSystemDetail(JsonWriter& w, const core::ConnectedSystemView& v) {
  const core::ConnectedSystem& cs = v.system;
  w.BeginObject();
  WriteConnectedSystemCommon(w, cs);
  w.Key("lastUpdated").Timestamp(cs.last_updated);
  w.Key("connector").BeginObject();
  w.Field("id", cs.connector_id);
  w.Field("name", v.connector_name);
  w.EndObject();
  w.Field("runProfileCount", v.run_profile_count);
  w.Field("partitionCount", v.partition_count);
  w.EndObject();
}

void WritePartition(JsonWriter& w, const core::Partition& p) {
  w.BeginObject();
  w.Field("id", p.id);
  w.Field("name", p.name);
  w.Key("externalId").OptionalString(p.external_id);
  w.Field("selected", p.selected);
  w.Field("connectedSystemId", p.connected_system_id);
  w.EndObject();
}

namespace {
void WriteConnectorHeaderFields(JsonWriter& w, const core::ConnectorDefinitionView& v) {
  const core::ConnectorDefinition& d = v.definition;
  w.Field("id", d.id);
  w.Field("name", d.name);
  w.Field("description", d.description);
  w.Field("builtIn", d.built_in);
  w.Key("created").Timestamp(d.created);
  w.Field("inUse", v.in_use);
}
}  // namespace

void WriteConnectorHeader(JsonWriter& w, const core::ConnectorDefinitionView& v) {
  w.BeginObject();
  WriteConnectorHeaderFields(w, v);
  w.EndObject();
}

void WriteConnectorDetail(JsonWriter& w, const core::ConnectorDefinitionView& v) {
  const core::Capabilities& c = v.definition.capabilities;
  w.BeginObject();
  WriteConnectorHeaderFields(w, v);
  w.Key("lastUpdated").Timestamp(v.definition.last_updated);
  w.Field("supportsFullImport", c.full_import);
  w.Field("supportsDeltaImport", c.delta_import);
  w.Field("supportsExport", c.export_);
  w.Field("supportsPartitions", c.partitions);
  w.Field("supportsPartitionContainers", c.partition_containers);
  w.Field("supportsFilePaths", c.file_paths);
  w.Field("supportsPaging", c.paging);
  w.Field("supportsSecondaryExternalId", c.secondary_external_id);
  w.Field("supportsUserSelectedExternalId", c.user_selected_external_id);
  w.Field("supportsUserSelectedAttributeTypes", c.user_selected_attribute_types);
  w.Field("supportsAutoConfirmExport", c.auto_confirm_export);
  w.Field("supportsParallelExport", c.parallel_export);
  w.Field("supportsPasswordSet", c.password_set);
  w.Field("supportsPasswordPolicyDiscovery", c.password_policy_discovery);
  w.EndObject();
}

void WriteRole(JsonWriter& w) {
  w.BeginObject();
  w.Field("id", core::kAdministratorRoleId);
  w.Field("name", std::string_view(core::kAdministratorRoleName));
  w.Field("builtIn", true);
  w.EndObject();
}

void WriteApiKey(JsonWriter& w, const core::ApiKey& k, const std::string* plaintext) {
  w.BeginObject();
  w.Field("id", k.id);
  w.Field("name", k.name);
  w.Field("description", k.description);
  w.Field("keyPrefix", k.key_prefix);
  w.Key("createdAt").Timestamp(k.created_at);
  w.Key("expiresAt").OptionalTimestamp(k.expires_at);
  w.Key("lastUsedAt").OptionalTimestamp(k.last_used_at);
  w.Field("isEnabled", k.enabled);
  w.Key("roles").BeginArray();
  if (k.IsAdministrator()) WriteRole(w);
  w.EndArray();
  if (plaintext) w.Field("key", *plaintext);
  w.EndObject();
}

void WriteActivity(JsonWriter& w, const core::Activity& a) {
  w.BeginObject();
  w.Field("id", a.id);
  w.Key("created").Timestamp(a.created);
  w.Field("status", std::string_view("Complete"));
  w.Field("targetType", std::string_view(core::TargetTypeName(a.target_type)));
  w.Field("targetOperationType", std::string_view(core::OperationTypeName(a.operation)));
  w.Field("targetName", a.target_name);
  w.Key("targetContext").OptionalString(a.target_context);
  w.Field("initiatedByType", a.initiated_by_type);
  w.Field("initiatedById", a.initiated_by_id);
  w.Field("initiatedByName", a.initiated_by_name);
  w.Key("connectedSystemId").OptionalInt(a.connected_system_id);
  w.Key("connectedSystemRunProfileId").OptionalInt(a.run_profile_id);
  w.Key("changeReason").OptionalString(a.change_reason);
  w.Key("configurationChangeVersion").OptionalInt(a.configuration_change_version);
  w.EndObject();
}

}  // namespace jim::http
