#include "http/serializers_history.h"

#include <charconv>

#include "core/rules.h"

namespace jim::http {

namespace {

void WriteNode(JsonWriter& w, const core::ConfigNode& n) {
  w.BeginObject();
  w.Field("key", n.key);
  w.Field("label", n.label);
  w.Field("nodeType", std::string_view(core::NodeTypeName(n.node_type)));
  w.Key("value").OptionalString(n.value);
  w.Key("displayValue").OptionalString(n.display_value);
  w.Field("isSecret", n.is_secret);
  w.Key("itemId").OptionalInt(n.item_id);
  w.Key("itemGuidId").OptionalString(n.item_guid_id);
  w.Key("children").BeginArray();
  for (const auto& c : n.children) WriteNode(w, c);
  w.EndArray();
  w.EndObject();
}

void WriteDiffNode(JsonWriter& w, const core::DiffNode& n) {
  w.BeginObject();
  w.Field("key", n.key);
  w.Field("label", n.label);
  w.Field("nodeType", std::string_view(core::NodeTypeName(n.node_type)));
  w.Field("changeType", std::string_view(core::ChangeTypeName(n.change_type)));
  w.Key("oldValue").OptionalString(n.old_value);
  w.Key("newValue").OptionalString(n.new_value);
  w.Key("oldDisplayValue").OptionalString(n.old_display_value);
  w.Key("newDisplayValue").OptionalString(n.new_display_value);
  w.Field("isSecret", n.is_secret);
  w.Key("itemId").OptionalInt(n.item_id);
  w.Key("itemGuidId").OptionalString(n.item_guid_id);
  w.Key("children").BeginArray();
  for (const auto& c : n.children) WriteDiffNode(w, c);
  w.EndArray();
  w.EndObject();
}

// objectId is the integer id (0 for a GUID-keyed object, whose id goes to objectGuidId), as in JIM.
void WriteObjectIds(JsonWriter& w, const core::ConfigObjectRef& obj) {
  w.Field("objectType", std::string_view(core::ConfigObjectTypeName(obj.type)));
  if (obj.type == core::ConfigObjectType::kApiKey) {
    w.Field("objectId", int64_t{0});
    w.Field("objectGuidId", obj.key);
    return;
  }
  int64_t id = 0;
  std::from_chars(obj.key.data(), obj.key.data() + obj.key.size(), id);
  w.Field("objectId", id);
  w.Key("objectGuidId").Null();
}

void WriteDiff(JsonWriter& w, const core::ConfigObjectRef& obj, const std::string& name,
               std::optional<int64_t> old_version, int64_t new_version, const core::DiffNode& root,
               const core::DiffCounts& counts) {
  w.BeginObject();
  WriteObjectIds(w, obj);
  w.Field("objectName", name);
  w.Key("oldVersion").OptionalInt(old_version);
  w.Field("newVersion", new_version);
  w.Key("root");
  WriteDiffNode(w, root);
  w.Field("addedCount", counts.added);
  w.Field("removedCount", counts.removed);
  w.Field("modifiedCount", counts.modified);
  w.Field("hasChanges", counts.added + counts.removed + counts.modified > 0);
  w.EndObject();
}

void WriteWho(JsonWriter& w, const core::ConfigVersion& v, bool with_id) {
  w.Field("activityId", v.activity_id);
  w.Field("version", v.version);
  w.Field("operation", std::string_view(core::OperationTypeName(v.operation)));
  w.Field("initiatedByType", v.initiated_by_type);
  if (with_id) w.Field("initiatedById", v.initiated_by_id);
  w.Field("initiatedByName", v.initiated_by_name);
  w.Key("when").Timestamp(v.when);
  w.Key("reason").OptionalString(v.reason);
}

}  // namespace

void WriteConfigVersionItem(JsonWriter& w, const core::ConfigVersion& v) {
  w.BeginObject();
  WriteWho(w, v, true);
  w.Field("summary", v.summary);
  w.Key("diff").Null();
  w.EndObject();
}

void WriteConfigVersionDetail(JsonWriter& w, const core::ConfigObjectRef& obj, const core::ConfigVersionDetail& d) {
  const std::string name = core::ObjectNameOf(d.snapshot);
  w.BeginObject();
  WriteWho(w, d.record, false);
  w.Key("snapshot").BeginObject();
  w.Field("schemaVersion", int64_t{1});
  WriteObjectIds(w, obj);
  w.Field("objectKey", obj.key);
  w.Field("objectName", name);
  w.Key("root");
  WriteNode(w, d.snapshot);
  w.EndObject();
  w.Key("diff");
  WriteDiff(w, obj, name, d.old_version, d.record.version, d.diff, d.counts);
  w.EndObject();
}

void WriteConfigComparison(JsonWriter& w, const core::ConfigObjectRef& obj, const core::ConfigComparison& c) {
  WriteDiff(w, obj, c.object_name, c.from_version, c.to_version, c.diff, c.counts);
}

}  // namespace jim::http
