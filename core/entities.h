// The domain entities. Plain values: no I/O, no wire format, no storage format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jim::core {

using Id = int64_t;
using Millis = int64_t;  // milliseconds since the Unix epoch, UTC

// NOTE: these numbers reach disk; they are frozen. They match JIM's ConnectedSystemRunType.
enum class RunType : uint8_t {
  kFullImport = 1,
  kDeltaImport = 2,
  kFullSynchronisation = 3,
  kDeltaSynchronisation = 4,
  kExport = 5,
};

struct Capabilities {
  bool full_import = false;
  bool delta_import = false;
  bool export_ = false;
  bool partitions = false;
  bool partition_containers = false;
  bool file_paths = false;
  bool paging = false;
  bool secondary_external_id = false;
  bool user_selected_external_id = false;
  bool user_selected_attribute_types = false;
  bool auto_confirm_export = false;
  bool parallel_export = false;
  bool password_set = false;
  bool password_policy_discovery = false;
  bool operator==(const Capabilities&) const = default;
};

struct ConnectorDefinition {
  Id id = 0;
  std::string name;
  std::string description;
  bool built_in = false;
  Millis created = 0;
  Millis last_updated = 0;
  Capabilities capabilities;
  bool operator==(const ConnectorDefinition&) const = default;
};

struct ConnectedSystem {
  Id id = 0;
  std::string name;
  std::string description;
  Id connector_id = 0;
  Millis created = 0;
  Millis last_updated = 0;
  bool operator==(const ConnectedSystem&) const = default;
};

struct Partition {
  Id id = 0;
  Id connected_system_id = 0;
  std::string name;
  std::optional<std::string> external_id;
  bool selected = true;
  bool operator==(const Partition&) const = default;
};

struct RunProfile {
  Id id = 0;
  Id connected_system_id = 0;
  std::string name;
  RunType run_type = RunType::kFullImport;
  int32_t page_size = 100;
  std::optional<Id> partition_id;
  std::optional<std::string> file_path;
  bool verify_import_content_hashes = false;
  uint64_t revision = 1;  // bumped on every update; the ETag is derived from it
  Millis created = 0;
  Millis last_updated = 0;
  bool operator==(const RunProfile&) const = default;
};

inline constexpr int kAdministratorRoleId = 1;
inline constexpr const char* kAdministratorRoleName = "Administrator";

struct ApiKey {
  std::string id;          // uuid
  std::string name;
  std::string description;
  std::string digest_hex;  // SHA-256 of the whole key, 64 lower-case hex characters
  std::string key_prefix;  // first 12 characters of the key
  Millis created_at = 0;
  std::optional<Millis> expires_at;
  std::optional<Millis> last_used_at;
  bool enabled = true;
  bool infrastructure = false;  // the JIM_INFRASTRUCTURE_API_KEY key: exempt from rate limits
  std::vector<int> role_ids;
  bool operator==(const ApiKey&) const = default;

  bool IsAdministrator() const {
    for (int r : role_ids)
      if (r == kAdministratorRoleId) return true;
    return false;
  }
};

// NOTE: frozen numbers, they reach disk.
enum class TargetType : uint8_t {
  kConnectedSystem = 1,
  kConnectedSystemRunProfile = 2,
  kConnectorDefinition = 3,
  kApiKey = 4,
  kPartition = 5,
};
enum class OperationType : uint8_t { kCreate = 1, kUpdate = 2, kDelete = 3 };

struct Activity {
  std::string id;  // uuid
  Millis created = 0;
  TargetType target_type = TargetType::kConnectedSystem;
  OperationType operation = OperationType::kCreate;
  std::string target_name;
  std::optional<std::string> target_context;
  std::string initiated_by_type = "ApiKey";
  std::string initiated_by_id;
  std::string initiated_by_name;
  std::optional<Id> connected_system_id;
  std::optional<Id> run_profile_id;
  std::optional<std::string> change_reason;  // why, as the client said (at most 2,000 characters)
  std::optional<int64_t> configuration_change_version;  // the version of the changed object it made
  bool operator==(const Activity&) const = default;
};

// NOTE: frozen numbers, they reach disk (the key of a configuration version).
enum class ConfigObjectType : uint8_t { kConnectedSystem = 1, kConnectorDefinition = 2, kApiKey = 3 };

// One version of a configuration object's history (core/config_tree.h). `payload` is EncodeTree of the
// whole snapshot when is_checkpoint, else of the delta against the version before. Checkpoints are spaced
// by bytes, not by count (core/config_history.h), so each version names the checkpoint a reader of it
// folds from and carries the writer's running totals for the next version.
struct ConfigVersion {
  ConfigObjectType object_type = ConfigObjectType::kConnectedSystem;
  std::string object_key;  // decimal id, or the uuid of an api key
  int64_t version = 0;     // 1, 2, ... per object
  std::string activity_id;
  OperationType operation = OperationType::kCreate;
  Millis when = 0;
  std::string initiated_by_type;
  std::string initiated_by_id;
  std::string initiated_by_name;
  std::optional<std::string> reason;
  std::string summary;
  bool is_checkpoint = false;
  int64_t checkpoint_version = 0;  // the checkpoint this version folds from (itself when is_checkpoint)
  int64_t checkpoint_bytes = 0;    // that checkpoint's payload size
  int64_t delta_bytes = 0;         // delta payload bytes since that checkpoint, this version's included
  std::string payload;
  bool operator==(const ConfigVersion&) const = default;
};
// What the writer of the next version needs of the newest one (version 0: the object has no history).
struct ConfigHead {
  int64_t version = 0;
  int64_t checkpoint_version = 0;
  int64_t checkpoint_bytes = 0;
  int64_t delta_bytes = 0;
  bool operator==(const ConfigHead&) const = default;
};
inline ConfigHead HeadOf(const ConfigVersion& v) {
  return {v.version, v.checkpoint_version, v.checkpoint_bytes, v.delta_bytes};
}
struct ConfigVersionPage {
  std::vector<ConfigVersion> items;  // newest first
  int64_t total = 0;
};

// Who is making a change; every change records it in its activity.
struct Actor {
  std::string type = "ApiKey";
  std::string id;
  std::string name;
};

// A run profile as clients see it: with its partition's name and the deselected-partition flag.
struct RunProfileView {
  RunProfile profile;
  std::optional<std::string> partition_name;
  bool targets_deselected_partition = false;
  bool operator==(const RunProfileView&) const = default;
};

// What a create with an Idempotency-Key answered, kept so that a retry gets the same answer. It holds the
// created profile as it was, not a rendering: the wire layer renders a replay exactly as it rendered the
// original (201, the body, its Location), and nothing of the wire runs inside the store's transaction.
struct IdempotencyRecord {
  std::string key;           // digest of (api key id, Idempotency-Key header, route)
  std::string request_hash;  // digest of the request body
  // Records stored by builds that kept a rendering instead of the profile hold it here and are replayed as
  // stored until they expire (24 h); new records leave these empty.
  int status = 0;
  std::string body;
  std::string location;
  Millis created = 0;
  std::optional<RunProfileView> profile;  // the profile the create made
  bool operator==(const IdempotencyRecord&) const = default;
};

inline constexpr Millis kIdempotencyTtlMillis = 24LL * 60 * 60 * 1000;

struct ActivityQuery {
  std::optional<Id> connected_system_id;
  std::optional<TargetType> target_type;
  int64_t offset = 0;
  int64_t limit = 25;
};
struct ActivityPage {
  std::vector<Activity> items;
  int64_t total = 0;
};

}  // namespace jim::core
