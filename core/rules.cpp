#include "core/rules.h"

#include <array>
#include <cstdio>

namespace jim::core {

size_t Utf16Length(std::string_view utf8) {
  size_t units = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += (c >= 0xF0) ? 2 : 1;      // 4-byte sequences are surrogate pairs in UTF-16
  }
  return units;
}

namespace {
// Returns the length of the whitespace code point at the start of `s`, or 0.
size_t LeadingWhitespaceLength(std::string_view s) {
  if (s.empty()) return 0;
  unsigned char c = s[0];
  if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
  if (s.size() >= 2 && c == 0xC2 && (static_cast<unsigned char>(s[1]) == 0xA0 || static_cast<unsigned char>(s[1]) == 0x85))
    return 2;
  if (s.size() >= 3 && c == 0xE2 && static_cast<unsigned char>(s[1]) == 0x80) {
    unsigned char d = s[2];
    if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;
  }
  if (s.size() >= 3 && c == 0xE3 && static_cast<unsigned char>(s[1]) == 0x80 && static_cast<unsigned char>(s[2]) == 0x80)
    return 3;
  return 0;
}
size_t TrailingWhitespaceLength(std::string_view s) {
  for (size_t len : {size_t{3}, size_t{2}, size_t{1}}) {
    if (s.size() >= len && LeadingWhitespaceLength(s.substr(s.size() - len)) == len) return len;
  }
  return 0;
}
}  // namespace

std::string_view TrimWhitespace(std::string_view s) {
  while (size_t n = LeadingWhitespaceLength(s)) s.remove_prefix(n);
  while (size_t n = TrailingWhitespaceLength(s)) s.remove_suffix(n);
  return s;
}

bool IsBlank(std::string_view s) { return TrimWhitespace(s).empty(); }

std::string FoldName(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

namespace {
constexpr std::array<std::pair<RunType, const char*>, 5> kRunTypes{{
    {RunType::kFullImport, "FullImport"},
    {RunType::kDeltaImport, "DeltaImport"},
    {RunType::kFullSynchronisation, "FullSynchronisation"},
    {RunType::kDeltaSynchronisation, "DeltaSynchronisation"},
    {RunType::kExport, "Export"},
}};
constexpr std::array<std::pair<TargetType, const char*>, 5> kTargetTypes{{
    {TargetType::kConnectedSystem, "ConnectedSystem"},
    {TargetType::kConnectedSystemRunProfile, "ConnectedSystemRunProfile"},
    {TargetType::kConnectorDefinition, "ConnectorDefinition"},
    {TargetType::kApiKey, "ApiKey"},
    {TargetType::kPartition, "Partition"},
}};
}  // namespace

const char* RunTypeName(RunType t) {
  for (const auto& [value, name] : kRunTypes)
    if (value == t) return name;
  return "Unknown";
}

std::optional<RunType> ParseRunType(std::string_view name) {
  for (const auto& [value, n] : kRunTypes)
    if (EqualsIgnoreCase(name, n)) return value;
  return std::nullopt;
}

const char* TargetTypeName(TargetType t) {
  for (const auto& [value, name] : kTargetTypes)
    if (value == t) return name;
  return "Unknown";
}

std::optional<TargetType> ParseTargetType(std::string_view name) {
  for (const auto& [value, n] : kTargetTypes)
    if (EqualsIgnoreCase(name, n)) return value;
  return std::nullopt;
}

const char* OperationTypeName(OperationType t) {
  switch (t) {
    case OperationType::kCreate: return "Create";
    case OperationType::kUpdate: return "Update";
    case OperationType::kDelete: return "Delete";
  }
  return "Unknown";
}

bool IsRunTypeSupported(RunType type, const Capabilities& caps) {
  switch (type) {
    case RunType::kFullImport: return caps.full_import;
    case RunType::kDeltaImport: return caps.delta_import;
    case RunType::kExport: return caps.export_;
    case RunType::kFullSynchronisation:
    case RunType::kDeltaSynchronisation: return true;
  }
  return false;
}

bool HasFieldError(const FieldErrors& errors, std::string_view field) {
  for (const auto& e : errors)
    if (e.field == field) return true;
  return false;
}

namespace {
std::string LengthMessage(size_t max) {
  return "must be between 1 and " + std::to_string(max) + " characters";
}

// U+0000 is valid JSON ("\u0000") but no name or text of this API means it, and PostgreSQL's text type
// cannot hold it: refused on both backends alike, so a store never answers 500 for it (docs/api.md).
bool RefuseNul(std::string_view field, std::string_view value, FieldErrors& errors) {
  if (value.find('\0') == std::string_view::npos) return true;
  errors.push_back({std::string(field), kNulMessage});
  return false;
}
}  // namespace

bool CheckRequiredName(std::string_view field, const std::optional<std::string>& value, FieldErrors& errors) {
  if (!value || IsBlank(*value)) {
    errors.push_back({std::string(field), "is required and must not be blank"});
    return false;
  }
  if (Utf16Length(*value) > kMaxNameLength) {
    errors.push_back({std::string(field), LengthMessage(kMaxNameLength)});
    return false;
  }
  return RefuseNul(field, *value, errors);
}

bool CheckOptionalName(std::string_view field, const std::optional<std::string>& value, FieldErrors& errors) {
  if (!value) return true;
  return CheckRequiredName(field, value, errors);
}

bool CheckMaxLength(std::string_view field, const std::optional<std::string>& value, size_t max,
                    FieldErrors& errors) {
  if (!value) return true;
  if (Utf16Length(*value) > max) {
    errors.push_back({std::string(field), "must be at most " + std::to_string(max) + " characters"});
    return false;
  }
  return RefuseNul(field, *value, errors);
}

bool CheckPageSize(std::string_view field, const std::optional<int64_t>& value, FieldErrors& errors) {
  if (!value || (*value >= kMinPageSize && *value <= kMaxPageSize)) return true;
  errors.push_back({std::string(field), "must be between 1 and 10000"});
  return false;
}

bool TargetsDeselectedPartition(const RunProfile& profile, const std::optional<Partition>& partition) {
  if (!profile.partition_id) return false;
  return !partition || !partition->selected;
}

std::string RunProfileETag(const RunProfile& profile) {
  return "\"rp-" + std::to_string(profile.id) + "-" + std::to_string(profile.revision) + "\"";
}

bool IfMatchMatches(std::string_view if_match, std::string_view etag) {
  // A comma-separated list of entity tags, or *. Weak tags never match (If-Match uses strong comparison).
  while (!if_match.empty()) {
    size_t comma = if_match.find(',');
    std::string_view item = TrimWhitespace(if_match.substr(0, comma));
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_match.remove_prefix(comma + 1);
  }
  return false;
}

std::vector<ConnectorDefinition> BuiltInConnectorDefinitions() {
  std::vector<ConnectorDefinition> defs(4);
  auto& ldap = defs[0];
  ldap.id = 1;
  ldap.name = "JIM LDAP Connector";
  ldap.description =
      "Connects to LDAP compliant directories, including Microsoft Active Directory, OpenLDAP, and Samba AD.";
  ldap.capabilities = {.full_import = true, .delta_import = true, .export_ = true, .partitions = true,
                       .partition_containers = true, .file_paths = false, .paging = true,
                       .secondary_external_id = true, .user_selected_external_id = false,
                       .user_selected_attribute_types = false, .auto_confirm_export = false,
                       .parallel_export = true, .password_set = true, .password_policy_discovery = true};
  auto& file = defs[1];
  file.id = 2;
  file.name = "JIM File Connector";
  file.description = "Imports from and exports to files, i.e. CSV.";
  file.capabilities = {.full_import = true, .delta_import = false, .export_ = true, .partitions = false,
                       .partition_containers = false, .file_paths = true, .paging = false,
                       .secondary_external_id = false, .user_selected_external_id = true,
                       .user_selected_attribute_types = true, .auto_confirm_export = true,
                       .parallel_export = false, .password_set = false, .password_policy_discovery = false};
  auto& scim = defs[2];
  scim.id = 3;
  scim.name = "JIM SCIM 2.0 Client Connector";
  scim.description = "Connects to any system that exposes a SCIM 2.0 service provider interface.";
  scim.capabilities = {.full_import = true, .delta_import = true, .export_ = true, .partitions = false,
                       .partition_containers = false, .file_paths = false, .paging = true,
                       .secondary_external_id = false, .user_selected_external_id = false,
                       .user_selected_attribute_types = false, .auto_confirm_export = false,
                       .parallel_export = true, .password_set = false, .password_policy_discovery = false};
  auto& sql = defs[3];
  sql.id = 4;
  sql.name = "JIM SQL Connector";
  sql.description =
      "Connects to relational databases, including Microsoft SQL Server and Oracle Database.";
  sql.capabilities = {.full_import = true, .delta_import = true, .export_ = true, .partitions = false,
                      .partition_containers = false, .file_paths = false, .paging = true,
                      .secondary_external_id = false, .user_selected_external_id = true,
                      .user_selected_attribute_types = true, .auto_confirm_export = true,
                      .parallel_export = false, .password_set = false, .password_policy_discovery = false};
  for (auto& d : defs) d.built_in = true;
  return defs;
}

}  // namespace jim::core
