// JIM's configuration snapshot model (JIM-REFERENCE.md section 14) and the delta storage behind it.
// Pure functions over trees of nodes: no I/O, no wire format. The store keeps a version's payload as the
// opaque bytes of EncodeTree; what a payload means (a whole snapshot or a delta) is the record's
// is_checkpoint flag.
//
// Why deltas: a connected system's snapshot holds every run profile, so storing it whole on each
// run-profile write made a create at 1,000 profiles 3-50x slower and tripled the data dir (an earlier
// attempt). A version stores only what changed; every version v with v % 32 == 1 (the creation included)
// is a checkpoint holding the whole tree, so reading any version folds at most 32 small records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jim::core {

// kRemoved appears only inside deltas (an item or scalar the change took away); never in a snapshot.
enum class NodeType : uint8_t { kScalar = 0, kObject = 1, kCollection = 2, kRemoved = 3 };

struct ConfigNode {
  std::string key;
  std::string label;
  NodeType node_type = NodeType::kScalar;
  std::optional<std::string> value;
  std::optional<std::string> display_value;
  bool is_secret = false;
  std::optional<int64_t> item_id;
  std::optional<std::string> item_guid_id;
  std::vector<ConfigNode> children;
  bool operator==(const ConfigNode&) const = default;
};

const char* NodeTypeName(NodeType t);

// Builders for the common node kinds. A scalar without a value is left out of a snapshot (JIM's rule), so
// Scalar() returns nothing for an empty or absent value and callers append only what they get.
std::optional<ConfigNode> Scalar(std::string key, std::string label, std::optional<std::string> value,
                                 std::optional<std::string> display = std::nullopt);
ConfigNode Collection(std::string key, std::string label);
ConfigNode Item(std::string key, std::string label, std::optional<int64_t> item_id,
                std::optional<std::string> item_guid_id = std::nullopt);
void AddChild(ConfigNode& parent, std::optional<ConfigNode> child);

// A collection item's identity: its itemId, else its itemGuidId, else its key.
std::string ItemIdentity(const ConfigNode& item);

// ---- deltas -------------------------------------------------------------------------------------------
// A delta is an Object root whose children say what changed against the previous version:
// - its non-collection children, when present, replace the root's whole scalar part (the few root
//   settings; kept whole so a setting that appears keeps its place in the snapshot's order);
// - a Collection child names a collection of the root; its children are items to add or replace (whole
//   item nodes) or to remove (kRemoved nodes carrying the item's identity).
// Collections of a snapshot keep their items ordered by itemId (items without one: by insertion).

// The delta that turns `before` into `after` (both whole snapshots).
ConfigNode MakeDelta(const ConfigNode& before, const ConfigNode& after);
// A delta that adds or replaces one item of `collection_key` (labelled as in the snapshot).
ConfigNode ItemDelta(std::string_view collection_key, std::string_view collection_label, ConfigNode item);
// Adds to a delta (as made by ItemDelta or an empty Object root) the removal of one item.
void AddItemRemoval(ConfigNode& delta, std::string_view collection_key, std::string_view collection_label,
                    const ConfigNode& item_identity);
// Adds or replaces one item in a delta built up over several changes (a run-profile set apply).
void AddItemChange(ConfigNode& delta, std::string_view collection_key, std::string_view collection_label,
                   ConfigNode item);
// Applies `delta` to `snapshot` in place.
void ApplyDelta(ConfigNode& snapshot, const ConfigNode& delta);

// ---- diffs --------------------------------------------------------------------------------------------
enum class ChangeType : uint8_t { kUnchanged = 0, kAdded = 1, kRemoved = 2, kModified = 3 };
const char* ChangeTypeName(ChangeType t);

struct DiffNode {
  std::string key;
  std::string label;
  NodeType node_type = NodeType::kScalar;
  ChangeType change_type = ChangeType::kUnchanged;
  std::optional<std::string> old_value, new_value, old_display_value, new_display_value;
  bool is_secret = false;
  std::optional<int64_t> item_id;
  std::optional<std::string> item_guid_id;
  std::vector<DiffNode> children;
};

struct DiffCounts {
  int64_t added = 0, removed = 0, modified = 0;
};

// The diff of two roots; `before` absent means a creation (everything Added). Counts the changed
// leaves and the items added or removed whole; a secret's values never appear, only that it changed.
DiffNode DiffTrees(const ConfigNode* before, const ConfigNode& after, DiffCounts* counts);

// ---- encoding -----------------------------------------------------------------------------------------
// A compact, versioned binary form (varint lengths, a flag byte per node). DecodeTree refuses anything it
// did not write: unknown version, truncation, trailing bytes, bad enums, nesting deeper than 16.
std::string EncodeTree(const ConfigNode& root);
[[nodiscard]] bool DecodeTree(std::string_view in, ConfigNode* root);

}  // namespace jim::core
