#include "core/config_history.h"

#include <algorithm>
#include <charconv>

#include "core/catalog.h"

namespace jim::core {

int64_t AppendConfigVersion(Transaction& tx, Activity& activity, ConfigObjectType type, const std::string& key,
                            OperationType op, std::string summary, const ConfigNode& delta, const std::function<std::string()>& whole) {
  ConfigVersion r;
  r.object_type = type;
  r.object_key = key;
  const ConfigHead head = tx.LatestConfigHead(type, key);
  r.version = head.version + 1;
  r.activity_id = activity.id;
  r.operation = op;
  r.when = activity.created;
  r.initiated_by_type = activity.initiated_by_type;
  r.initiated_by_id = activity.initiated_by_id;
  r.initiated_by_name = activity.initiated_by_name;
  r.reason = activity.change_reason;
  r.summary = std::move(summary);
  r.payload = EncodeTree(delta);
  // The first version is always a checkpoint written here: every later one folds from it.
  r.is_checkpoint = CheckpointDue(head, r.payload.size()) && (head.version == 0 || !tx.DeferCheckpoint(type, key));
  if (r.is_checkpoint) {
    r.payload = whole();
    r.checkpoint_version = r.version;
    r.checkpoint_bytes = static_cast<int64_t>(r.payload.size());
    r.delta_bytes = 0;
  } else {
    r.checkpoint_version = head.checkpoint_version;
    r.checkpoint_bytes = head.checkpoint_bytes;
    r.delta_bytes = head.delta_bytes + static_cast<int64_t>(r.payload.size());
  }
  tx.Put(r);
  activity.configuration_change_version = r.version;
  return r.version;
}

std::string WholeConnectedSystem(SystemReader& tx, Id cs_id) {
  auto cs = tx.FindConnectedSystem(cs_id);
  if (!cs) throw std::logic_error("checkpoint of a connected system the reader cannot see");
  std::optional<std::string> connector_name;
  if (auto def = tx.FindConnectorDefinition(cs->connector_id)) connector_name = def->name;
  return EncodeConnectedSystemTree(*cs, connector_name, tx.ListRunProfiles(cs_id), tx.ListPartitions(cs_id));
}

void RecordSystemChange(Transaction& tx, Activity activity, Id cs_id, OperationType op, std::string summary,
                        const ConfigNode& delta) {
  AppendConfigVersion(tx, activity, ConfigObjectType::kConnectedSystem, std::to_string(cs_id), op, std::move(summary),
                      delta, [&] { return WholeConnectedSystem(tx, cs_id); });
  tx.Record(activity);
}

void RecordObjectChange(Transaction& tx, Activity activity, ConfigObjectType type, const std::string& key,
                        std::string summary, const std::optional<ConfigNode>& before, const ConfigNode& after) {
  const OperationType op = activity.operation;
  AppendConfigVersion(tx, activity, type, key, op, std::move(summary), before ? MakeDelta(*before, after) : after,
                      [&] { return EncodeTree(after); });
  tx.Record(activity);
}

std::optional<std::string> PartitionNameOf(Transaction& tx, const RunProfile& p) {
  if (!p.partition_id) return std::nullopt;
  auto partition = tx.FindPartition(*p.partition_id);
  if (!partition || partition->connected_system_id != p.connected_system_id) return std::nullopt;
  return partition->name;
}

std::string ObjectNameOf(const ConfigNode& snapshot) {
  for (const auto& c : snapshot.children)
    if (c.node_type == NodeType::kScalar && c.key == "name") return c.value.value_or("");
  return "";
}

// ---- reading ------------------------------------------------------------------------------------------

namespace {

ConfigNode DecodeOrThrow(const ConfigVersion& r) {
  ConfigNode n;
  if (!DecodeTree(r.payload, &n)) throw StoreUnavailable("corrupt configuration version payload");
  return n;
}

// Folds `records` (ascending, contiguous) up to version `w`, from the last checkpoint at or below it.
std::optional<ConfigNode> Fold(const std::vector<ConfigVersion>& records, int64_t w) {
  std::optional<size_t> start;
  for (size_t i = 0; i < records.size() && records[i].version <= w; ++i)
    if (records[i].is_checkpoint) start = i;
  if (!start) return std::nullopt;
  ConfigNode state = DecodeOrThrow(records[*start]);
  bool reached = records[*start].version == w;
  for (size_t i = *start + 1; i < records.size() && records[i].version <= w; ++i) {
    ApplyDelta(state, DecodeOrThrow(records[i]));
    reached = records[i].version == w;
  }
  if (!reached) return std::nullopt;
  return state;
}

Error VersionNotFound(const ConfigObjectRef& obj, int64_t v) {
  return NotFoundError("Version " + std::to_string(v) + " of " + ConfigObjectTypeName(obj.type) + " " + obj.key +
                       " not found.");
}

std::optional<int64_t> ParseVersion(const std::optional<std::string>& s, std::string_view field, FieldErrors& errors) {
  if (!s || s->empty()) {
    errors.push_back({std::string(field), "is required"});
    return std::nullopt;
  }
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || ptr != s->data() + s->size() || v < 1) {
    errors.push_back({std::string(field), "must be a positive integer"});
    return std::nullopt;
  }
  return v;
}

}  // namespace

Result<std::vector<std::optional<ConfigNode>>> ConfigHistoryService::StatesAt(
    const ConfigObjectRef& obj, const std::vector<int64_t>& wanted, std::vector<std::optional<ConfigVersion>>* records) {
  // A payload that does not decode is a store fault like a failed read (DecodeOrThrow).
  return CatchStoreUnavailable([&] { return StatesAtOrThrow(obj, wanted, records); });
}

std::vector<std::optional<ConfigNode>> ConfigHistoryService::StatesAtOrThrow(
    const ConfigObjectRef& obj, const std::vector<int64_t>& wanted, std::vector<std::optional<ConfigVersion>>* records) {
  auto range = [&](int64_t from, int64_t to) {
    auto r = ctx_.catalog.ConfigVersionRange(obj.type, obj.key, from, to);
    if (!r) throw StoreUnavailable(r.error().detail);  // caught by StatesAt, which makes it a Result again
    return std::move(*r);
  };
  std::vector<std::optional<ConfigNode>> out(wanted.size());
  if (records) records->assign(wanted.size(), std::nullopt);
  // Newest first: the range read for a version usually holds the one before it too (Get's pair).
  std::vector<size_t> order(wanted.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return wanted[a] > wanted[b]; });
  std::vector<ConfigVersion> loaded;  // ascending from a checkpoint; reused when it holds a later wanted version
  for (size_t i : order) {
    const int64_t w = wanted[i];
    if (w < 1) continue;
    const bool covered = !loaded.empty() && loaded.front().is_checkpoint && loaded.front().version <= w &&
                         loaded.back().version >= w;
    if (!covered) {
      // The version's own record names its checkpoint; then one range from there.
      loaded = range(w, w);
      if (loaded.empty()) continue;
      const int64_t start = loaded.front().is_checkpoint ? w : loaded.front().checkpoint_version;
      if (start >= 1 && start < w) loaded = range(start, w);
    }
    out[i] = Fold(loaded, w);
    if (!out[i] && !loaded.empty() && loaded.back().version >= w) {
      // No checkpoint where the record says (never written so): fold from the start of the history.
      loaded = range(1, w);
      out[i] = Fold(loaded, w);
    }
    if (records && out[i])
      for (const auto& r : loaded)
        if (r.version == w) (*records)[i] = r;
  }
  return out;
}

Result<Page<ConfigVersion>> ConfigHistoryService::List(const ConfigObjectRef& obj, const ListQueryInput& paging) {
  ListQueryInput in;
  in.page = paging.page;
  in.page_size = paging.page_size;
  auto query = ParseListQuery(in, {}, {});
  if (!query) return query.error();
  auto listed = ctx_.catalog.ListConfigVersions(obj.type, obj.key, query->Offset(), query->page_size);
  if (!listed) return listed.error();
  ConfigVersionPage& found = *listed;
  Page<ConfigVersion> page;
  page.items = std::move(found.items);
  for (auto& r : page.items) r.payload.clear();
  page.total = found.total;
  page.page = query->page;
  page.page_size = query->page_size;
  return page;
}

Result<ConfigVersionDetail> ConfigHistoryService::Get(const ConfigObjectRef& obj, int64_t version) {
  if (version < 1) return VersionNotFound(obj, version);
  std::vector<std::optional<ConfigVersion>> records;
  auto read = StatesAt(obj, {version - 1, version}, &records);
  if (!read) return read.error();
  auto& states = *read;
  if (!states[1] || !records[1]) return VersionNotFound(obj, version);
  ConfigVersionDetail d;
  d.record = std::move(*records[1]);
  d.record.payload.clear();
  d.snapshot = std::move(*states[1]);
  if (states[0]) d.old_version = version - 1;
  d.diff = DiffTrees(states[0] ? &*states[0] : nullptr, d.snapshot, &d.counts);
  return d;
}

Result<ConfigComparison> ConfigHistoryService::Compare(const ConfigObjectRef& obj,
                                                      const std::optional<std::string>& from,
                                                      const std::optional<std::string>& to) {
  FieldErrors errors;
  auto f = ParseVersion(from, "fromVersion", errors);
  auto t = ParseVersion(to, "toVersion", errors);
  if (!errors.empty()) return InvalidFields(std::move(errors));
  auto read = StatesAt(obj, {*f, *t}, nullptr);
  if (!read) return read.error();
  auto& states = *read;
  if (!states[0]) return VersionNotFound(obj, *f);
  if (!states[1]) return VersionNotFound(obj, *t);
  ConfigComparison c;
  c.from_version = *f;
  c.to_version = *t;
  c.object_name = ObjectNameOf(*states[1]);
  c.diff = DiffTrees(&*states[0], *states[1], &c.counts);
  return c;
}

}  // namespace jim::core
