#include "http/handler_util.h"
#include "http/request_parsers.h"

namespace jim::http::handlers {

namespace {
void WriteKey(JsonWriter& w, const core::ApiKey& k) { WriteApiKey(w, k); }
}  // namespace

void ListApiKeys(RequestContext& ctx) {
  auto keys = ctx.services.keys.List();
  if (!keys) return SendCoreError(ctx, keys.error());
  SendJson(ctx.res, 200, RenderArray(*keys, WriteKey));
}

void GetApiKey(RequestContext& ctx) { SendResult(ctx, ctx.services.keys.Get(ctx.params.uuid), 200, WriteKey); }

void CreateApiKey(RequestContext& ctx) {
  core::CreateApiKeyInput in;
  if (RejectBody(ctx, ParseCreateApiKey(ctx.body(), in))) return;
  auto r = ctx.services.keys.Create(ctx.actor, in);
  if (!r) return SendCoreError(ctx, r.error());
  ctx.res.set_header("Location", BaseUrl(ctx) + "/api/v1/apikeys/" + r->key.id);
  std::string out;
  JsonWriter w(out);
  WriteApiKey(w, r->key, &r->plaintext);
  SendJson(ctx.res, 201, std::move(out));
}

void UpdateApiKey(RequestContext& ctx) {
  core::UpdateApiKeyInput in;
  if (RejectBody(ctx, ParseUpdateApiKey(ctx.body(), in))) return;
  SendResult(ctx, ctx.services.keys.Update(ctx.actor, ctx.params.uuid, in), 200, WriteKey);
}

void DeleteApiKey(RequestContext& ctx) { SendNoContent(ctx, ctx.services.keys.Delete(ctx.actor, ctx.params.uuid)); }

void ListActivities(RequestContext& ctx) {
  core::ActivityListInput in;
  in.paging = ListQueryFrom(ctx);
  in.connected_system_id = QueryParam(ctx, "connectedSystemId");
  in.target_type = QueryParam(ctx, "targetType");
  auto page = ctx.services.activities.List(in);
  if (!page) return SendCoreError(ctx, page.error());
  SendJson(ctx.res, 200, RenderPage(*page, WriteActivity));
}

void GetActivity(RequestContext& ctx) {
  SendResult(ctx, ctx.services.activities.Get(ctx.params.uuid), 200, WriteActivity);
}

}  // namespace jim::http::handlers
