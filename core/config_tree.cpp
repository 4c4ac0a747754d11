#include "core/config_tree.h"

#include <algorithm>

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

namespace {

constexpr uint8_t kTreeFormatV1 = 1;
constexpr int kMaxDepth = 16;

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void PutStr(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

// Flag byte: bits 0-1 node type, then has value, has display, secret, has item id, has item guid.
void PutNode(std::string& out, const ConfigNode& n) {
  uint8_t flags = static_cast<uint8_t>(n.node_type) & 0x3;
  if (n.value) flags |= 1 << 2;
  // A display equal to the value (most of them) is not stored twice.
  const bool display_differs = n.display_value && n.display_value != n.value;
  if (display_differs) flags |= 1 << 3;
  if (n.is_secret) flags |= 1 << 4;
  if (n.item_id) flags |= 1 << 5;
  if (n.item_guid_id) flags |= 1 << 6;
  if (n.display_value && !display_differs) flags |= 1 << 7;  // display present and equal to the value
  out.push_back(static_cast<char>(flags));
  PutStr(out, n.key);
  PutStr(out, n.label);
  if (n.value) PutStr(out, *n.value);
  if (display_differs) PutStr(out, *n.display_value);
  if (n.item_id) PutVarint(out, (static_cast<uint64_t>(*n.item_id) << 1) ^ static_cast<uint64_t>(*n.item_id >> 63));
  if (n.item_guid_id) PutStr(out, *n.item_guid_id);
  PutVarint(out, n.children.size());
  for (const auto& c : n.children) PutNode(out, c);
}

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
  bool Str(std::string* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size() - pos_) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
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
  size_t pos_ = 0;

 private:
  std::string_view in_;
};

}  // namespace

std::string EncodeTree(const ConfigNode& root) {
  std::string out;
  out.push_back(static_cast<char>(kTreeFormatV1));
  PutNode(out, root);
  return out;
}

bool DecodeTree(std::string_view in, ConfigNode* root) {
  if (in.empty() || static_cast<uint8_t>(in[0]) != kTreeFormatV1) return false;
  TreeReader r(in);
  r.pos_ = 1;
  *root = ConfigNode{};
  return r.Node(root, 0) && r.Done();
}

}  // namespace jim::core
