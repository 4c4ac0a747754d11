#include "http/handlers.h"
#include "http/json_writer.h"
#include "http/metrics.h"
#include "http/openapi.h"
#include "http/responses.h"
#include "http/serializers.h"

namespace jim::http::handlers {

namespace {
void SendStatus(RequestContext& ctx, int status, std::string_view value, const std::string* reason = nullptr) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Field("status", value);
  if (reason) w.Field("reason", *reason);
  w.Key("timestamp").Timestamp(ctx.now);
  w.EndObject();
  SendJson(ctx.res, status, std::move(out));
}
}  // namespace

void Health(RequestContext& ctx) { SendStatus(ctx, 200, "healthy"); }
void Live(RequestContext& ctx) { SendStatus(ctx, 200, "alive"); }

void Ready(RequestContext& ctx) {
  std::string reason;
  if (ctx.services.catalog.IsWritable(&reason)) {
    SendStatus(ctx, 200, "ready");
  } else {
    SendStatus(ctx, 503, "not_ready", &reason);
    ctx.res.set_header("Retry-After", "5");
  }
}

void Version(RequestContext& ctx) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Field("product", std::string_view("jim-edge")).Field("version", ctx.version).EndObject();
  SendJson(ctx.res, 200, std::move(out));
}

void UserInfo(RequestContext& ctx) {
  const core::ApiKey& key = *ctx.key;
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Field("authorised", true);
  w.Field("isAdministrator", key.IsAdministrator());
  w.Field("name", key.name);
  w.Field("authMethod", std::string_view("api_key"));
  w.Key("roles").BeginArray();
  if (key.IsAdministrator()) w.String(core::kAdministratorRoleName);
  w.EndArray();
  w.EndObject();
  SendJson(ctx.res, 200, std::move(out));
}

void OpenApi(RequestContext& ctx) { SendJson(ctx.res, 200, std::string(OpenApiDocument())); }

void MetricsText(RequestContext& ctx) {
  if (!ctx.metrics_enabled) {
    SendError(ctx.res, 404, "Metrics are disabled (--metrics off).");
    return;
  }
  auto& catalog = ctx.services.catalog;
  auto profiles = catalog.CountAllRunProfiles();
  if (!profiles) return SendCoreError(ctx, profiles.error());
  auto systems = catalog.ListConnectedSystems();
  if (!systems) return SendCoreError(ctx, systems.error());
  std::string text =
      ctx.metrics.Render(*profiles, static_cast<int64_t>(systems->size()), ctx.services.store_counters);
  ctx.res.status = 200;
  ctx.res.body = std::move(text);
  ctx.res.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
}

void Roles(RequestContext& ctx) {
  std::string out;
  JsonWriter w(out);
  w.BeginArray();
  WriteRole(w);
  w.EndArray();
  SendJson(ctx.res, 200, std::move(out));
}

}  // namespace jim::http::handlers
