// Small helpers the handler files share: send a service result as JSON or as the error envelope.
#pragma once

#include "http/handlers.h"
#include "http/responses.h"
#include "http/serializers.h"

namespace jim::http::handlers {

template <class T, class WriteItem>
void SendResult(RequestContext& ctx, const core::Result<T>& result, int status, WriteItem write_item) {
  if (!result) return SendCoreError(ctx, result.error());
  SendJson(ctx.res, status, RenderOne(*result, write_item));
}

inline void SendNoContent(RequestContext& ctx, const core::Status& status) {
  if (!status) return SendCoreError(ctx, status.error());
  ctx.res.status = 204;
}

inline std::optional<std::string> OptionalHeader(const RequestContext& ctx, const char* name) {
  if (!ctx.req.has_header(name)) return std::nullopt;
  return ctx.req.get_header_value(name);
}

}  // namespace jim::http::handlers
