#include "http/handler_util.h"
#include "http/request_parsers.h"

namespace jim::http::handlers {

void ListSystems(RequestContext& ctx) {
  auto page = ctx.services.systems.List(ListQueryFrom(ctx));
  if (!page) return SendCoreError(ctx, page.error());
  SendJson(ctx.res, 200, RenderPage(*page, WriteConnectedSystemHeader));
}

void GetSystem(RequestContext& ctx) {
  SendResult(ctx, ctx.services.systems.Get(ctx.id(0)), 200, WriteConnectedSystemDetail);
}

void CreateSystem(RequestContext& ctx) {
  core::CreateConnectedSystemInput in;
  if (RejectBody(ctx, ParseCreateConnectedSystem(ctx.body(), in))) return;
  auto r = ctx.services.systems.Create(ctx.actor, in);
  if (r) ctx.res.set_header("Location", BaseUrl(ctx) + "/api/v1/synchronisation/connected-systems/" +
                                            std::to_string(r->system.id));
  SendResult(ctx, r, 201, WriteConnectedSystemDetail);
}

void UpdateSystem(RequestContext& ctx) {
  core::UpdateConnectedSystemInput in;
  if (RejectBody(ctx, ParseUpdateConnectedSystem(ctx.body(), in))) return;
  SendResult(ctx, ctx.services.systems.Update(ctx.actor, ctx.id(0), in), 200, WriteConnectedSystemDetail);
}

void DeleteSystem(RequestContext& ctx) { SendNoContent(ctx, ctx.services.systems.Delete(ctx.actor, ctx.id(0))); }

void ListPartitions(RequestContext& ctx) {
  auto r = ctx.services.systems.ListPartitions(ctx.id(0));
  if (!r) return SendCoreError(ctx, r.error());
  SendJson(ctx.res, 200, RenderArray(*r, WritePartition));
}

void CreatePartition(RequestContext& ctx) {
  core::CreatePartitionInput in;
  if (RejectBody(ctx, ParseCreatePartition(ctx.body(), in))) return;
  auto r = ctx.services.systems.CreatePartition(ctx.actor, ctx.id(0), in);
  if (r)
    ctx.res.set_header("Location", BaseUrl(ctx) + "/api/v1/synchronisation/connected-systems/" +
                                       std::to_string(ctx.id(0)) + "/partitions/" + std::to_string(r->id));
  SendResult(ctx, r, 201, WritePartition);
}

void UpdatePartition(RequestContext& ctx) {
  core::UpdatePartitionInput in;
  if (RejectBody(ctx, ParseUpdatePartition(ctx.body(), in))) return;
  SendResult(ctx, ctx.services.systems.UpdatePartition(ctx.actor, ctx.id(0), ctx.id(1), in), 200, WritePartition);
}

void DeletePartition(RequestContext& ctx) {
  SendNoContent(ctx, ctx.services.systems.DeletePartition(ctx.actor, ctx.id(0), ctx.id(1)));
}

}  // namespace jim::http::handlers
