// JIM's configuration change history: writing a version inside a change's transaction, and reading
// versions back (snapshots, diffs, comparisons) by folding deltas onto their checkpoint.
//
// Storage (core/config_tree.h): a version is a checkpoint (the whole snapshot) or the delta against the
// version before. Checkpoints are spaced by bytes: the first version is one, and a later version is one
// when the delta bytes written since the last checkpoint, its own included, reach that checkpoint's size
// (at least kCheckpointFloorBytes, so small objects still get one now and then). Reading and encoding the
// whole object then costs O(delta size) per write amortised, whatever the object's size, and a reader
// folds at most about one checkpoint's worth of deltas. A write costs one LatestConfigHead read (which
// carries the running totals) and one small record; each record names its checkpoint.
#pragma once

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/config_snapshots.h"
#include "core/config_tree.h"
#include "core/paging.h"
#include "core/service_context.h"

namespace jim::core {

inline constexpr int64_t kCheckpointFloorBytes = 4096;
// Whether the version after `head`, whose delta encodes to `delta_size` bytes, is written as a checkpoint.
inline bool CheckpointDue(const ConfigHead& head, size_t delta_size) {
  return head.version == 0 ||
         head.delta_bytes + static_cast<int64_t>(delta_size) >= std::max(head.checkpoint_bytes, kCheckpointFloorBytes);
}

// Inside a transaction: writes the next version of (type, key) for the change `activity` describes, sets
// the activity's configuration_change_version, and returns the number. `delta` is the change against the
// previous version; `whole` encodes the object's whole snapshot as the transaction now sees it (EncodeTree
// bytes), and is called only when this version is a checkpoint. The caller records the activity after this.
// `op` is the change to this object: a run profile's create is an Update of its system.
int64_t AppendConfigVersion(Transaction& tx, Activity& activity, ConfigObjectType type, const std::string& key,
                            OperationType op, std::string summary, const ConfigNode& delta, const std::function<std::string()>& whole);

// A connected system's whole snapshot as `tx` sees it, encoded (a checkpoint of its history). The system
// must exist.
std::string WholeConnectedSystem(SystemReader& tx, Id cs_id);
// Records `activity` with a new version of connected system `cs_id` carrying `delta`.
void RecordSystemChange(Transaction& tx, Activity activity, Id cs_id, OperationType op, std::string summary,
                        const ConfigNode& delta);
// Records `activity` with a new version of a small object (a connector definition, an api key) whose
// snapshot the caller holds before (none for a creation) and after the change.
void RecordObjectChange(Transaction& tx, Activity activity, ConfigObjectType type, const std::string& key,
                        std::string summary, const std::optional<ConfigNode>& before, const ConfigNode& after);
// The display name of a partition for a run profile's node (empty when the profile targets none or it is gone).
std::optional<std::string> PartitionNameOf(Transaction& tx, const RunProfile& p);

struct ConfigObjectRef {
  ConfigObjectType type = ConfigObjectType::kConnectedSystem;
  std::string key;  // decimal id or uuid
};

struct ConfigVersionDetail {
  ConfigVersion record;  // payload cleared
  ConfigNode snapshot;
  std::optional<int64_t> old_version;
  DiffNode diff;
  DiffCounts counts;
};

struct ConfigComparison {
  int64_t from_version = 0;
  int64_t to_version = 0;
  std::string object_name;  // at to_version
  DiffNode diff;
  DiffCounts counts;
};

// The object's name as its snapshot shows it (the root's `name` setting).
std::string ObjectNameOf(const ConfigNode& snapshot);

class ConfigHistoryService {
 public:
  explicit ConfigHistoryService(ServiceContext ctx) : ctx_(ctx) {}
  // Newest first; an object without history (or unknown) is an empty page, as in JIM.
  Result<Page<ConfigVersion>> List(const ConfigObjectRef& obj, const ListQueryInput& paging);
  Result<ConfigVersionDetail> Get(const ConfigObjectRef& obj, int64_t version);
  Result<ConfigComparison> Compare(const ConfigObjectRef& obj, const std::optional<std::string>& from,
                                   const std::optional<std::string>& to);

 private:
  // The snapshots at `wanted` versions (those that exist), each folded from the checkpoint its record
  // names; `records` receives the records of the wanted versions.
  Result<std::vector<std::optional<ConfigNode>>> StatesAt(const ConfigObjectRef& obj,
                                                          const std::vector<int64_t>& wanted,
                                                          std::vector<std::optional<ConfigVersion>>* records);
  std::vector<std::optional<ConfigNode>> StatesAtOrThrow(const ConfigObjectRef& obj, const std::vector<int64_t>& wanted,
                                                         std::vector<std::optional<ConfigVersion>>* records);
  ServiceContext ctx_;
};

}  // namespace jim::core
