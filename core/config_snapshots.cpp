#include "core/config_snapshots.h"

#include <algorithm>
#include <array>
#include <unordered_map>
#include <chrono>
#include <cstdio>

#include "core/rules.h"

namespace jim::core {

namespace {

std::string Bool(bool b) { return b ? "true" : "false"; }

// JIM's display of an enum member: its name with a space before each inner capital ("Full Import").
std::string Spaced(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i > 0 && name[i] >= 'A' && name[i] <= 'Z') out.push_back(' ');
    out.push_back(name[i]);
  }
  return out;
}

std::string Iso8601(Millis t) {
  using namespace std::chrono;
  const sys_time<milliseconds> tp{milliseconds(t)};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss hms{tp - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return buf;
}

// The root of every snapshot; its settings and collections are its children.
ConfigNode Root() { return Item("root", "Root", std::nullopt); }

}  // namespace

const char* ConfigObjectTypeName(ConfigObjectType t) {
  switch (t) {
    case ConfigObjectType::kConnectedSystem: return "ConnectedSystem";
    case ConfigObjectType::kConnectorDefinition: return "ConnectorDefinition";
    case ConfigObjectType::kApiKey: return "ApiKey";
  }
  return "ConnectedSystem";
}

ConfigNode RunProfileNode(const RunProfile& p, const std::optional<std::string>& partition_name) {
  ConfigNode n = Item("runProfile", p.name, p.id);
  AddChild(n, Scalar("name", "Name", p.name));
  AddChild(n, Scalar("runType", "Run Type", RunTypeName(p.run_type), Spaced(RunTypeName(p.run_type))));
  AddChild(n, Scalar("pageSize", "Page Size", std::to_string(p.page_size)));
  AddChild(n, Scalar("filePath", "File Path", p.file_path));
  if (p.partition_id)
    AddChild(n, Scalar("partitionId", "Partition", std::to_string(*p.partition_id),
                       partition_name ? partition_name : std::to_string(*p.partition_id)));
  AddChild(n, Scalar("verifyImportContentHashes", "Verify Import Content Hashes",
                     Bool(p.verify_import_content_hashes)));
  return n;
}

ConfigNode PartitionNode(const Partition& p) {
  ConfigNode n = Item("partition", p.name, p.id);
  AddChild(n, Scalar("name", "Name", p.name));
  AddChild(n, Scalar("externalId", "External ID", p.external_id));
  AddChild(n, Scalar("selected", "Selected", Bool(p.selected)));
  return n;
}

ConfigNode ConnectedSystemSettings(const ConnectedSystem& cs, const std::optional<std::string>& connector_name) {
  ConfigNode root = Root();
  AddChild(root, Scalar("name", "Name", cs.name));
  AddChild(root, Scalar("description", "Description", cs.description));
  AddChild(root, Scalar("connectorDefinitionId", "Connector Definition", std::to_string(cs.connector_id),
                        connector_name ? connector_name : std::to_string(cs.connector_id)));
  return root;
}

ConfigNode ConnectedSystemTree(const ConnectedSystem& cs, const std::optional<std::string>& connector_name,
                               const std::vector<RunProfile>& profiles, const std::vector<Partition>& partitions) {
  ConfigNode root = ConnectedSystemSettings(cs, connector_name);
  ConfigNode rps = Collection(std::string(kRunProfilesKey), std::string(kRunProfilesLabel));
  for (const auto& p : profiles) {
    std::optional<std::string> partition_name;
    if (p.partition_id)
      for (const auto& pt : partitions)
        if (pt.id == *p.partition_id) partition_name = pt.name;
    rps.children.push_back(RunProfileNode(p, partition_name));
  }
  ConfigNode pts = Collection(std::string(kPartitionsKey), std::string(kPartitionsLabel));
  for (const auto& pt : partitions) pts.children.push_back(PartitionNode(pt));
  root.children.push_back(std::move(rps));
  root.children.push_back(std::move(pts));
  return root;
}

namespace {

// One setting of a streamed node: a scalar whose display is `display`, or the value when empty.
struct Setting {
  std::string_view key, label, value, display;
};

void EmitSettings(TreeEncoder& e, const Setting* settings, size_t count, size_t first_position) {
  for (size_t i = 0; i < count; ++i) {
    const Setting& s = settings[i];
    const std::string_view display = s.display.empty() ? s.value : s.display;
    e.Node(NodeType::kScalar, s.key, s.label, &s.value, &display, false, std::nullopt, nullptr, 0, first_position + i);
  }
}

std::string_view SpacedRunTypeName(RunType t) {
  static const std::array<std::string, 6> names = [] {
    std::array<std::string, 6> out;
    for (int i = 1; i <= 5; ++i) out[i] = Spaced(RunTypeName(static_cast<RunType>(i)));
    return out;
  }();
  const auto i = static_cast<size_t>(t);
  return i < names.size() ? std::string_view(names[i]) : std::string_view(RunTypeName(t));
}

}  // namespace

std::string EncodeConnectedSystemTree(const ConnectedSystem& cs, const std::optional<std::string>& connector_name,
                                      const std::vector<RunProfile>& profiles,
                                      const std::vector<Partition>& partitions) {
  TreeEncoder e;
  std::array<Setting, 6> settings;
  size_t n = 0;
  const std::string_view connector_id = e.Keep(std::to_string(cs.connector_id));
  if (!cs.name.empty()) settings[n++] = {"name", "Name", cs.name, {}};
  if (!cs.description.empty()) settings[n++] = {"description", "Description", cs.description, {}};
  settings[n++] = {"connectorDefinitionId", "Connector Definition", connector_id,
                   connector_name ? std::string_view(*connector_name) : connector_id};
  e.Node(NodeType::kObject, "root", "Root", nullptr, nullptr, false, std::nullopt, nullptr, n + 2, 0);
  EmitSettings(e, settings.data(), n, 0);

  std::unordered_map<Id, std::string_view> partition_names;
  for (const auto& pt : partitions) partition_names.emplace(pt.id, pt.name);
  e.Node(NodeType::kCollection, kRunProfilesKey, kRunProfilesLabel, nullptr, nullptr, false, std::nullopt, nullptr,
         profiles.size(), n);
  for (size_t i = 0; i < profiles.size(); ++i) {
    const RunProfile& p = profiles[i];
    size_t k = 0;
    if (!p.name.empty()) settings[k++] = {"name", "Name", p.name, {}};
    settings[k++] = {"runType", "Run Type", RunTypeName(p.run_type), SpacedRunTypeName(p.run_type)};
    settings[k++] = {"pageSize", "Page Size", e.Keep(std::to_string(p.page_size)), {}};
    if (p.file_path && !p.file_path->empty()) settings[k++] = {"filePath", "File Path", *p.file_path, {}};
    if (p.partition_id) {
      const std::string_view id = e.Keep(std::to_string(*p.partition_id));
      auto it = partition_names.find(*p.partition_id);
      settings[k++] = {"partitionId", "Partition", id, it != partition_names.end() ? it->second : id};
    }
    settings[k++] = {"verifyImportContentHashes", "Verify Import Content Hashes",
                     p.verify_import_content_hashes ? "true" : "false", {}};
    e.Node(NodeType::kObject, "runProfile", p.name, nullptr, nullptr, false, p.id, nullptr, k, i);
    EmitSettings(e, settings.data(), k, 0);
  }
  e.Node(NodeType::kCollection, kPartitionsKey, kPartitionsLabel, nullptr, nullptr, false, std::nullopt, nullptr,
         partitions.size(), n + 1);
  for (size_t i = 0; i < partitions.size(); ++i) {
    const Partition& pt = partitions[i];
    size_t k = 0;
    if (!pt.name.empty()) settings[k++] = {"name", "Name", pt.name, {}};
    if (pt.external_id && !pt.external_id->empty()) settings[k++] = {"externalId", "External ID", *pt.external_id, {}};
    settings[k++] = {"selected", "Selected", pt.selected ? "true" : "false", {}};
    e.Node(NodeType::kObject, "partition", pt.name, nullptr, nullptr, false, pt.id, nullptr, k, i);
    EmitSettings(e, settings.data(), k, 0);
  }
  return e.Finish();
}

ConfigNode ConnectorDefinitionTree(const ConnectorDefinition& d) {
  ConfigNode root = Root();
  AddChild(root, Scalar("name", "Name", d.name));
  AddChild(root, Scalar("description", "Description", d.description));
  AddChild(root, Scalar("builtIn", "Built In", Bool(d.built_in)));
  const Capabilities& c = d.capabilities;
  const std::pair<const char*, bool> caps[] = {
      {"supportsFullImport", c.full_import},
      {"supportsDeltaImport", c.delta_import},
      {"supportsExport", c.export_},
      {"supportsPartitions", c.partitions},
      {"supportsPartitionContainers", c.partition_containers},
      {"supportsFilePaths", c.file_paths},
      {"supportsPaging", c.paging},
      {"supportsSecondaryExternalId", c.secondary_external_id},
      {"supportsUserSelectedExternalId", c.user_selected_external_id},
      {"supportsUserSelectedAttributeTypes", c.user_selected_attribute_types},
      {"supportsAutoConfirmExport", c.auto_confirm_export},
      {"supportsParallelExport", c.parallel_export},
      {"supportsPasswordSet", c.password_set},
      {"supportsPasswordPolicyDiscovery", c.password_policy_discovery},
  };
  for (const auto& [key, on] : caps) {
    std::string k = key;
    k[0] = static_cast<char>(k[0] - 'a' + 'A');
    AddChild(root, Scalar(key, Spaced(k), Bool(on)));
  }
  return root;
}

ConfigNode ApiKeyTree(const ApiKey& k) {
  ConfigNode root = Root();
  AddChild(root, Scalar("name", "Name", k.name));
  AddChild(root, Scalar("description", "Description", k.description));
  AddChild(root, Scalar("isEnabled", "Enabled", Bool(k.enabled)));
  if (k.expires_at) AddChild(root, Scalar("expiresAt", "Expires At", Iso8601(*k.expires_at)));
  ConfigNode roles = Collection("roles", "Roles");
  std::vector<int> ids = k.role_ids;
  std::sort(ids.begin(), ids.end());  // items in itemId order, as a fold keeps them
  for (int r : ids) {
    ConfigNode role = Item("role", r == kAdministratorRoleId ? kAdministratorRoleName : std::to_string(r), r);
    AddChild(role, Scalar("name", "Name", r == kAdministratorRoleId ? kAdministratorRoleName : std::to_string(r)));
    roles.children.push_back(std::move(role));
  }
  root.children.push_back(std::move(roles));
  return root;
}

ConfigNode EmptyDelta() { return Root(); }

}  // namespace jim::core
