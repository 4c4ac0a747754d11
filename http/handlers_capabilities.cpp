// GET .../connected-systems/{id}/capabilities: in JIM, what the connector detected on the target system
// (name/value pairs). jim-edge never connects to a target, so nothing is ever detected and the answer is
// JIM's empty result, [] (docs/api.md). JIM's own Get-JIMConnectedSystem callers then see what they see
// against a JIM whose connector has not run yet.
#include "http/handler_util.h"

namespace jim::http::handlers {

void ListSystemCapabilities(RequestContext& ctx) {
  auto system = ctx.services.systems.Get(ctx.id(0));
  if (!system) return SendCoreError(ctx, system.error());
  SendJson(ctx.res, 200, "[]");
}

}  // namespace jim::http::handlers
