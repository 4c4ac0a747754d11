#include "http/handlers.h"
#include "core/rules.h"
#include "http/responses.h"

namespace jim::http::handlers {

bool RejectBody(RequestContext& ctx, const core::FieldErrors& body_errors) {
  if (body_errors.empty()) return false;
  SendError(ctx.res, 400, body_errors.front().message, &body_errors);
  return true;
}

std::string BaseUrl(const RequestContext& ctx) { return ctx.base_url; }

std::optional<std::string> QueryParam(const RequestContext& ctx, const char* name) {
  // Query parameter names are matched case-insensitively, like the JSON property names.
  for (const auto& [k, v] : ctx.req.params)
    if (core::EqualsIgnoreCase(k, name)) return v;
  return std::nullopt;
}

core::ListQueryInput ListQueryFrom(const RequestContext& ctx) {
  core::ListQueryInput q;
  q.page = QueryParam(ctx, "page");
  q.page_size = QueryParam(ctx, "pageSize");
  q.sort_by = QueryParam(ctx, "sortBy");
  q.sort_direction = QueryParam(ctx, "sortDirection");
  q.filter = QueryParam(ctx, "filter");
  return q;
}

}  // namespace jim::http::handlers
