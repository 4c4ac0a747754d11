#include "http/handler_util.h"
#include "http/request_parsers.h"

namespace jim::http::handlers {

void ListConnectors(RequestContext& ctx) {
  auto definitions = ctx.services.definitions.List();
  if (!definitions) return SendCoreError(ctx, definitions.error());
  SendJson(ctx.res, 200, RenderArray(*definitions, WriteConnectorHeader));
}

void GetConnector(RequestContext& ctx) {
  SendResult(ctx, ctx.services.definitions.Get(ctx.id(0)), 200, WriteConnectorDetail);
}

void GetConnectorByName(RequestContext& ctx) {
  SendResult(ctx, ctx.services.definitions.GetByName(ctx.params.text), 200, WriteConnectorDetail);
}

void CreateConnector(RequestContext& ctx) {
  core::ConnectorDefinitionInput in;
  if (RejectBody(ctx, ParseConnectorDefinition(ctx.body(), in))) return;
  auto r = ctx.services.definitions.Create(ctx.actor, in);
  if (r) ctx.res.set_header("Location", BaseUrl(ctx) + "/api/v1/synchronisation/connector-definitions/" +
                                            std::to_string(r->definition.id));
  SendResult(ctx, r, 201, WriteConnectorDetail);
}

void UpdateConnector(RequestContext& ctx) {
  core::ConnectorDefinitionInput in;
  if (RejectBody(ctx, ParseConnectorDefinition(ctx.body(), in))) return;
  SendResult(ctx, ctx.services.definitions.Update(ctx.actor, ctx.id(0), in), 200, WriteConnectorDetail);
}

void DeleteConnector(RequestContext& ctx) { SendNoContent(ctx, ctx.services.definitions.Delete(ctx.actor, ctx.id(0))); }

}  // namespace jim::http::handlers
