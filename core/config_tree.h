// JIM's configuration snapshot model (JIM-REFERENCE.md section 14) and the delta storage behind it.
// Pure functions over trees of nodes: no I/O, no wire format. The store keeps a version's payload as the
// opaque bytes of EncodeTree; what a payload means (a whole snapshot or a delta) is the record's
// is_checkpoint flag.
//
// Why deltas: a connected system's snapshot holds every run profile, so storing it whole on each
// run-profile write made a create at 1,000 profiles 3-50x slower and tripled the data dir (an earlier
// attempt). A version stores only what changed; now and then a version is a checkpoint holding the whole
// tree (the creation, then whenever the deltas since the last one add up to its size: core/config_history.h),
// so reading any version folds at most about one checkpoint's worth of small records.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
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
// A compact, versioned binary form (a string table, then a flag byte and string indexes per node). DecodeTree refuses anything it
// did not write: unknown version, truncation, trailing bytes, bad enums, nesting deeper than 16.
std::string EncodeTree(const ConfigNode& root);

// The writer behind EncodeTree, for a builder that writes a large tree (a checkpoint of a system with
// thousands of run profiles) without building its nodes first: building and freeing them was half of a
// checkpoint's cost. Nodes are written depth first, each header announcing how many children follow;
// strings passed in must outlive Finish() (Keep() holds one that would not).
class TreeEncoder {
 public:
  // `position`: the node's index among its siblings (a hint: same positions repeat the same strings).
  void Node(NodeType type, std::string_view key, std::string_view label, const std::string_view* value,
            const std::string_view* display, bool is_secret, std::optional<int64_t> item_id,
            const std::string_view* item_guid_id, size_t children, size_t position);
  void Node(const ConfigNode& n, size_t position);  // the whole subtree
  std::string_view Keep(std::string s);
  std::string Finish() const;

 private:
  uint64_t Ref(std::string_view s);
  uint64_t RefAt(std::string_view s, size_t slot);
  std::unordered_map<std::string_view, uint64_t> index_;
  std::vector<std::string_view> strings_;
  std::vector<std::pair<std::string_view, uint64_t>> hints_;
  std::deque<std::string> kept_;
  std::string body_;
};
[[nodiscard]] bool DecodeTree(std::string_view in, ConfigNode* root);

}  // namespace jim::core
