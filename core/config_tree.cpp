#include "core/config_tree.h"

#include <algorithm>
#include <unordered_map>

namespace jim::core {

const char* NodeTypeName(NodeType t) {
  switch (t) {
    case NodeType::kScalar: return "Scalar";
    case NodeType::kObject: return "Object";
    case NodeType::kCollection: return "Collection";
    case NodeType::kRemoved: return "Removed";
  }
  return "Scalar";
}

const char* ChangeTypeName(ChangeType t) {
  switch (t) {
    case ChangeType::kUnchanged: return "Unchanged";
    case ChangeType::kAdded: return "Added";
    case ChangeType::kRemoved: return "Removed";
    case ChangeType::kModified: return "Modified";
  }
  return "Unchanged";
}

std::optional<ConfigNode> Scalar(std::string key, std::string label, std::optional<std::string> value,
                                 std::optional<std::string> display) {
  if (!value || value->empty()) return std::nullopt;
  ConfigNode n;
  n.key = std::move(key);
  n.label = std::move(label);
  n.node_type = NodeType::kScalar;
  n.value = std::move(value);
  n.display_value = display ? std::move(display) : n.value;
  return n;
}

ConfigNode Collection(std::string key, std::string label) {
  ConfigNode n;
  n.key = std::move(key);
  n.label = std::move(label);
  n.node_type = NodeType::kCollection;
  return n;
}

ConfigNode Item(std::string key, std::string label, std::optional<int64_t> item_id,
                std::optional<std::string> item_guid_id) {
  ConfigNode n;
  n.key = std::move(key);
  n.label = std::move(label);
  n.node_type = NodeType::kObject;
  n.item_id = item_id;
  n.item_guid_id = std::move(item_guid_id);
  return n;
}

void AddChild(ConfigNode& parent, std::optional<ConfigNode> child) {
  if (child) parent.children.push_back(std::move(*child));
}

std::string ItemIdentity(const ConfigNode& item) {
  if (item.item_id) return "#" + std::to_string(*item.item_id);
  if (item.item_guid_id) return "g" + *item.item_guid_id;
  return "k" + item.key;
}

// ---- deltas -------------------------------------------------------------------------------------------

namespace {

bool IsCollection(const ConfigNode& n) { return n.node_type == NodeType::kCollection; }

ConfigNode* FindChild(ConfigNode& parent, std::string_view key, NodeType type) {
  for (auto& c : parent.children)
    if (c.node_type == type && c.key == key) return &c;
  return nullptr;
}
const ConfigNode* FindChild(const ConfigNode& parent, std::string_view key, NodeType type) {
  return FindChild(const_cast<ConfigNode&>(parent), key, type);
}

ConfigNode& CollectionIn(ConfigNode& root, std::string_view key, std::string_view label) {
  if (ConfigNode* c = FindChild(root, key, NodeType::kCollection)) return *c;
  root.children.push_back(Collection(std::string(key), std::string(label)));
  return root.children.back();
}

ConfigNode RemovalOf(const ConfigNode& item) {
  ConfigNode r;
  r.key = item.key;
  r.node_type = NodeType::kRemoved;
  r.item_id = item.item_id;
  r.item_guid_id = item.item_guid_id;
  return r;
}

// Replaces the delta's entry for the item with `entry` (a later change of one item within one delta wins).
void PutDeltaEntry(ConfigNode& collection, ConfigNode entry) {
  const std::string id = ItemIdentity(entry);
  for (auto& c : collection.children) {
    if (ItemIdentity(c) == id) {
      c = std::move(entry);
      return;
    }
  }
  collection.children.push_back(std::move(entry));
}

std::vector<const ConfigNode*> ScalarPart(const ConfigNode& root) {
  std::vector<const ConfigNode*> out;
  for (const auto& c : root.children)
    if (!IsCollection(c)) out.push_back(&c);
  return out;
}

}  // namespace

ConfigNode MakeDelta(const ConfigNode& before, const ConfigNode& after) {
  ConfigNode delta = Item(after.key, after.label, std::nullopt);
  auto old_scalars = ScalarPart(before), new_scalars = ScalarPart(after);
  const bool scalars_changed =
      old_scalars.size() != new_scalars.size() ||
      !std::equal(old_scalars.begin(), old_scalars.end(), new_scalars.begin(),
                  [](const ConfigNode* a, const ConfigNode* b) { return *a == *b; });
  if (scalars_changed)
    for (const ConfigNode* s : new_scalars) delta.children.push_back(*s);
  for (const auto& coll : after.children) {
    if (!IsCollection(coll)) continue;
    const ConfigNode* old_coll = FindChild(before, coll.key, NodeType::kCollection);
    ConfigNode changes = Collection(coll.key, coll.label);
    for (const auto& item : coll.children) {
      const ConfigNode* old_item = nullptr;
      if (old_coll) {
        const std::string id = ItemIdentity(item);
        for (const auto& o : old_coll->children)
          if (ItemIdentity(o) == id) old_item = &o;
      }
      if (!old_item || !(*old_item == item)) changes.children.push_back(item);
    }
    if (old_coll) {
      for (const auto& o : old_coll->children) {
        const std::string id = ItemIdentity(o);
        if (std::none_of(coll.children.begin(), coll.children.end(),
                         [&](const ConfigNode& n) { return ItemIdentity(n) == id; }))
          changes.children.push_back(RemovalOf(o));
      }
    }
    if (!changes.children.empty() || !old_coll) delta.children.push_back(std::move(changes));
  }
  return delta;
}

ConfigNode ItemDelta(std::string_view collection_key, std::string_view collection_label, ConfigNode item) {
  ConfigNode delta = Item("", "", std::nullopt);
  AddItemChange(delta, collection_key, collection_label, std::move(item));
  return delta;
}

void AddItemChange(ConfigNode& delta, std::string_view collection_key, std::string_view collection_label,
                   ConfigNode item) {
  PutDeltaEntry(CollectionIn(delta, collection_key, collection_label), std::move(item));
}

void AddItemRemoval(ConfigNode& delta, std::string_view collection_key, std::string_view collection_label,
                    const ConfigNode& item_identity) {
  PutDeltaEntry(CollectionIn(delta, collection_key, collection_label), RemovalOf(item_identity));
}

void ApplyDelta(ConfigNode& snapshot, const ConfigNode& delta) {
  if (std::any_of(delta.children.begin(), delta.children.end(), [](const ConfigNode& c) { return !IsCollection(c); })) {
    std::vector<ConfigNode> children;
    for (const auto& c : delta.children)
      if (!IsCollection(c) && c.node_type != NodeType::kRemoved) children.push_back(c);
    for (auto& c : snapshot.children)
      if (IsCollection(c)) children.push_back(std::move(c));
    snapshot.children = std::move(children);
  }
  for (const auto& changes : delta.children) {
    if (!IsCollection(changes)) continue;
    ConfigNode& coll = CollectionIn(snapshot, changes.key, changes.label);
    for (const auto& entry : changes.children) {
      const std::string id = ItemIdentity(entry);
      auto it = std::find_if(coll.children.begin(), coll.children.end(),
                             [&](const ConfigNode& n) { return ItemIdentity(n) == id; });
      if (entry.node_type == NodeType::kRemoved) {
        if (it != coll.children.end()) coll.children.erase(it);
      } else if (it != coll.children.end()) {
        *it = entry;
      } else {
        // Items keep itemId order, as the snapshot builders emit them.
        auto pos = coll.children.end();
        if (entry.item_id)
          pos = std::find_if(coll.children.begin(), coll.children.end(),
                             [&](const ConfigNode& n) { return n.item_id && *n.item_id > *entry.item_id; });
        coll.children.insert(pos, entry);
      }
    }
  }
}

// ---- diffs --------------------------------------------------------------------------------------------

namespace {

DiffNode Shell(const ConfigNode& n, ChangeType change) {
  DiffNode d;
  d.key = n.key;
  d.label = n.label;
  d.node_type = n.node_type;
  d.change_type = change;
  d.is_secret = n.is_secret;
  d.item_id = n.item_id;
  d.item_guid_id = n.item_guid_id;
  return d;
}

// A whole subtree that appeared or went: every node carries the change, the counts take it once.
DiffNode Whole(const ConfigNode& n, ChangeType change) {
  DiffNode d = Shell(n, change);
  if (!n.is_secret) {
    if (change == ChangeType::kAdded) {
      d.new_value = n.value;
      d.new_display_value = n.display_value;
    } else {
      d.old_value = n.value;
      d.old_display_value = n.display_value;
    }
  }
  for (const auto& c : n.children) d.children.push_back(Whole(c, change));
  return d;
}

std::string MatchKey(const ConfigNode& parent, const ConfigNode& child) {
  return parent.node_type == NodeType::kCollection ? ItemIdentity(child) : child.key;
}

DiffNode Compare(const ConfigNode& before, const ConfigNode& after, DiffCounts& counts) {
  if (after.node_type == NodeType::kScalar) {
    const bool changed = before.value != after.value || before.node_type != after.node_type;
    DiffNode d = Shell(after, changed ? ChangeType::kModified : ChangeType::kUnchanged);
    d.is_secret = before.is_secret || after.is_secret;
    if (!d.is_secret) {
      d.old_value = before.value;
      d.new_value = after.value;
      d.old_display_value = before.display_value;
      d.new_display_value = after.display_value;
    }
    if (changed) ++counts.modified;
    return d;
  }
  DiffNode d = Shell(after, ChangeType::kUnchanged);
  std::vector<bool> matched(before.children.size(), false);
  for (const auto& a : after.children) {
    const std::string k = MatchKey(after, a);
    const ConfigNode* b = nullptr;
    for (size_t i = 0; i < before.children.size(); ++i) {
      if (!matched[i] && MatchKey(before, before.children[i]) == k) {
        matched[i] = true;
        b = &before.children[i];
        break;
      }
    }
    if (b) {
      d.children.push_back(Compare(*b, a, counts));
    } else {
      d.children.push_back(Whole(a, ChangeType::kAdded));
      ++counts.added;
    }
  }
  for (size_t i = 0; i < before.children.size(); ++i) {
    if (matched[i]) continue;
    d.children.push_back(Whole(before.children[i], ChangeType::kRemoved));
    ++counts.removed;
  }
  for (const auto& c : d.children)
    if (c.change_type != ChangeType::kUnchanged) d.change_type = ChangeType::kModified;
  return d;
}

}  // namespace

DiffNode DiffTrees(const ConfigNode* before, const ConfigNode& after, DiffCounts* counts) {
  DiffCounts local;
  DiffCounts& c = counts ? *counts : local;
  if (!before) {
    DiffNode d = Whole(after, ChangeType::kAdded);
    for (const auto& child : after.children) {
      // A creation counts the settings it set and the items it came with.
      if (child.node_type == NodeType::kCollection) c.added += static_cast<int64_t>(child.children.size());
      else ++c.added;
    }
    return d;
  }
  return Compare(*before, after, c);
}

// ---- encoding -----------------------------------------------------------------------------------------
//
// Layout: format byte, then a string table (count, then each string length-prefixed, in first-use order;
// indexes start after kStaticStrings, which are never written),
// then the nodes depth first, every string as its index in the table. A checkpoint of a system repeats
// the same keys, labels and values ("runProfile", "Page Size", "false", "100") in every item: stored once,
// a 1,000-profile checkpoint is ~3x smaller than with inline strings (measured: bench
// BM_CreateIntoSystemOf*, bytes/create).

namespace {

constexpr uint8_t kTreeFormatV1 = 1;
constexpr int kMaxDepth = 16;

// NOTE: frozen with format 1 (payloads on disk refer to these by index): the strings every snapshot
// repeats. They are never written; a payload's own table holds only the rest, and its indexes start after
// these. A one-profile delta is ~40% smaller for them. Extending the list needs a new format byte.
constexpr std::string_view kStaticStrings[] = {
    "", "root", "Root", "runProfiles", "Run Profiles", "runProfile", "partitions", "Partitions", "partition",
    "name", "Name", "description", "Description", "connectorDefinitionId", "Connector Definition", "runType",
    "Run Type", "pageSize", "Page Size", "filePath", "File Path", "partitionId", "Partition",
    "verifyImportContentHashes", "Verify Import Content Hashes", "externalId", "External ID", "selected",
    "Selected", "true", "false", "FullImport", "Full Import", "DeltaImport", "Delta Import",
    "FullSynchronisation", "Full Synchronisation", "DeltaSynchronisation", "Delta Synchronisation", "Export",
    "100", "builtIn", "Built In", "isEnabled", "Enabled", "expiresAt", "Expires At", "roles", "Roles", "role",
    "Administrator"};
constexpr uint64_t kStaticCount = std::size(kStaticStrings);

const std::unordered_map<std::string_view, uint64_t>& StaticIndex() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, uint64_t>();
    for (uint64_t i = 0; i < kStaticCount; ++i) m->emplace(kStaticStrings[i], i);
    return m;
  }();
  return *index;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

}  // namespace

uint64_t TreeEncoder::Ref(std::string_view s) {
  if (auto it = StaticIndex().find(s); it != StaticIndex().end()) return it->second;
  auto [it, added] = index_.try_emplace(s, kStaticCount + strings_.size());
  if (added) strings_.push_back(s);
  return it->second;
}

// Keys, labels and values repeat at the same child position of every item (the k-th child of each run
// profile is the same setting): checked against the last string seen there before hashing. Hashing every
// string of a 1,000-profile checkpoint was the largest part of encoding it.
uint64_t TreeEncoder::RefAt(std::string_view s, size_t slot) {
  if (slot < hints_.size() && hints_[slot].second != UINT64_MAX && hints_[slot].first == s) return hints_[slot].second;
  const uint64_t ref = Ref(s);
  if (slot >= hints_.size()) hints_.resize(slot + 1, {std::string_view(), UINT64_MAX});
  hints_[slot] = {ref < kStaticCount ? kStaticStrings[ref] : strings_[ref - kStaticCount], ref};
  return ref;
}

std::string_view TreeEncoder::Keep(std::string s) { return kept_.emplace_back(std::move(s)); }

// Flag byte: bits 0-1 node type, then has value, has display (differing), secret, has item id, has item
// guid, display equal to the value.
void TreeEncoder::Node(NodeType type, std::string_view key, std::string_view label, const std::string_view* value,
                       const std::string_view* display, bool is_secret, std::optional<int64_t> item_id,
                       const std::string_view* item_guid_id, size_t children, size_t position) {
  uint8_t flags = static_cast<uint8_t>(type) & 0x3;
  const bool display_differs = display && (!value || *display != *value);
  if (value) flags |= 1 << 2;
  if (display_differs) flags |= 1 << 3;
  if (is_secret) flags |= 1 << 4;
  if (item_id) flags |= 1 << 5;
  if (item_guid_id) flags |= 1 << 6;
  if (display && !display_differs) flags |= 1 << 7;
  body_.push_back(static_cast<char>(flags));
  const size_t slot = std::min<size_t>(position, 31) * 3;
  PutVarint(body_, RefAt(key, slot));
  PutVarint(body_, item_id ? Ref(label) : RefAt(label, slot + 1));  // an item's label is its name
  if (value) PutVarint(body_, RefAt(*value, slot + 2));
  if (display_differs) PutVarint(body_, Ref(*display));
  if (item_id) PutVarint(body_, (static_cast<uint64_t>(*item_id) << 1) ^ static_cast<uint64_t>(*item_id >> 63));
  if (item_guid_id) PutVarint(body_, Ref(*item_guid_id));
  PutVarint(body_, children);
}

void TreeEncoder::Node(const ConfigNode& n, size_t position) {
  std::string_view value, display, guid;
  if (n.value) value = *n.value;
  if (n.display_value) display = *n.display_value;
  if (n.item_guid_id) guid = *n.item_guid_id;
  Node(n.node_type, n.key, n.label, n.value ? &value : nullptr, n.display_value ? &display : nullptr, n.is_secret,
       n.item_id, n.item_guid_id ? &guid : nullptr, n.children.size(), position);
  for (size_t i = 0; i < n.children.size(); ++i) Node(n.children[i], i);
}

std::string TreeEncoder::Finish() const {
  std::string out;
  out.reserve(16 + body_.size() + strings_.size() * 8);
  out.push_back(static_cast<char>(kTreeFormatV1));
  PutVarint(out, strings_.size());
  for (std::string_view s : strings_) {
    PutVarint(out, s.size());
    out.append(s);
  }
  out.append(body_);
  return out;
}

namespace {

class TreeReader {
 public:
  explicit TreeReader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (pos_ >= in_.size()) return false;
      const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Table() {
    uint8_t version;
    uint64_t count;
    if (!Byte(&version) || version != kTreeFormatV1 || !Varint(&count) || count > in_.size() - pos_) return false;
    strings_.reserve(kStaticCount + count);
    strings_.assign(std::begin(kStaticStrings), std::end(kStaticStrings));
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t n;
      if (!Varint(&n) || n > in_.size() - pos_) return false;
      strings_.emplace_back(in_.data() + pos_, n);
      pos_ += n;
    }
    return true;
  }
  bool Str(std::string* s) {
    uint64_t i;
    if (!Varint(&i) || i >= strings_.size()) return false;
    s->assign(strings_[i]);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Node(ConfigNode* n, int depth) {
    uint8_t flags;
    if (depth > kMaxDepth || !Byte(&flags)) return false;
    if ((flags & (1 << 3)) && (flags & (1 << 7))) return false;
    n->node_type = static_cast<NodeType>(flags & 0x3);
    if (!Str(&n->key) || !Str(&n->label)) return false;
    if (flags & (1 << 2)) {
      n->value.emplace();
      if (!Str(&*n->value)) return false;
    }
    if (flags & (1 << 3)) {
      n->display_value.emplace();
      if (!Str(&*n->display_value)) return false;
    } else if (flags & (1 << 7)) {
      if (!n->value) return false;
      n->display_value = n->value;
    }
    n->is_secret = (flags & (1 << 4)) != 0;
    if (flags & (1 << 5)) {
      uint64_t u;
      if (!Varint(&u)) return false;
      n->item_id = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    }
    if (flags & (1 << 6)) {
      n->item_guid_id.emplace();
      if (!Str(&*n->item_guid_id)) return false;
    }
    uint64_t count;
    if (!Varint(&count) || count > in_.size() - pos_) return false;  // each child takes at least a byte
    n->children.resize(count);
    for (auto& c : n->children)
      if (!Node(&c, depth + 1)) return false;
    return true;
  }
  bool Done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  std::vector<std::string_view> strings_;
};

}  // namespace

std::string EncodeTree(const ConfigNode& root) {
  TreeEncoder w;
  w.Node(root, 0);
  return w.Finish();
}

bool DecodeTree(std::string_view in, ConfigNode* root) {
  TreeReader r(in);
  *root = ConfigNode{};
  return r.Table() && r.Node(root, 0) && r.Done();
}

}  // namespace jim::core
