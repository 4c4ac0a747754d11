// JIM's configuration change history routes, one set per object kind (connected systems, connector
// definitions, API keys): the paged list, one version (snapshot + diff against the one before) and a
// comparison of two versions. Reading folds stored deltas onto their checkpoint (core/config_history.h).
// A deleted object's history stays readable, so the object itself is not looked up.
#include <charconv>

#include "http/handler_util.h"
#include "http/serializers_history.h"

namespace jim::http::handlers {

namespace {

core::ConfigObjectRef ObjectOf(const RequestContext& ctx, core::ConfigObjectType type) {
  if (type == core::ConfigObjectType::kApiKey) return {type, ctx.params.uuid};
  return {type, std::to_string(ctx.id(0))};
}

}  // namespace

Handler ChangeHistoryList(core::ConfigObjectType type) {
  return [type](RequestContext& ctx) {
    auto page = ctx.services.history->List(ObjectOf(ctx, type), ListQueryFrom(ctx));
    if (!page) return SendCoreError(ctx, page.error());
    SendJson(ctx.res, 200, RenderPage(*page, WriteConfigVersionItem));
  };
}

Handler ChangeHistoryVersion(core::ConfigObjectType type) {
  return [type](RequestContext& ctx) {
    const std::string& text = ctx.params.text;
    int64_t version = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (ec != std::errc() || ptr != text.data() + text.size() || version < 1)
      return SendCoreError(ctx, core::InvalidFields({{"version", "must be a positive integer"}}));
    const core::ConfigObjectRef obj = ObjectOf(ctx, type);
    auto detail = ctx.services.history->Get(obj, version);
    if (!detail) return SendCoreError(ctx, detail.error());
    std::string out;
    JsonWriter w(out);
    WriteConfigVersionDetail(w, obj, *detail);
    SendJson(ctx.res, 200, std::move(out));
  };
}

Handler ChangeHistoryCompare(core::ConfigObjectType type) {
  return [type](RequestContext& ctx) {
    const core::ConfigObjectRef obj = ObjectOf(ctx, type);
    auto cmp = ctx.services.history->Compare(obj, QueryParam(ctx, "fromVersion"), QueryParam(ctx, "toVersion"));
    if (!cmp) return SendCoreError(ctx, cmp.error());
    std::string out;
    JsonWriter w(out);
    WriteConfigComparison(w, obj, *cmp);
    SendJson(ctx.res, 200, std::move(out));
  };
}

}  // namespace jim::http::handlers
