#include "http/authenticator.h"

#include "http/responses.h"

namespace jim::http {

namespace {
void SendRateLimited(httplib::Response& res, int retry_after) {
  SendError(res, 429, "Too many requests. Please retry after the indicated delay.");
  res.set_header("Retry-After", std::to_string(retry_after));
}
}  // namespace

void Authenticator::TouchKey(const core::ApiKey& key, core::Millis now) {
  {
    // lastUsedAt is kept to 30 s: a write per request would put every read on the commit path.
    std::lock_guard lock(touch_mu_);
    core::Millis& last = last_touch_[key.id];
    if (now - last < 30'000) return;
    last = now;
  }
  services_.catalog.TouchApiKey(key.id, now);
}

bool Authenticator::Authenticate(RequestContext& ctx) {
  auto authenticated = services_.keys.Authenticate(ctx.req.get_header_value("X-Api-Key"), ctx.now);
  if (!authenticated) {
    SendCoreError(ctx, authenticated.error());
    return false;
  }
  core::Authentication& auth = *authenticated;
  if (auth.outcome != core::AuthOutcome::kOk) {
    if (int wait = limiter_.AdmitIp(ctx.req.remote_addr, ctx.now)) {
      SendRateLimited(ctx.res, wait);
      return false;
    }
    SendError(ctx.res, 401, "Authentication required");
    ctx.res.set_header("WWW-Authenticate", "ApiKey header=\"X-Api-Key\"");
    return false;
  }
  const core::ApiKey& key = *auth.key;
  if (!key.infrastructure) {
    if (int wait = limiter_.AdmitKey(key.id, ctx.now)) {
      SendRateLimited(ctx.res, wait);
      return false;
    }
  }
  if (ctx.route->role == Role::kAdministrator && !key.IsAdministrator()) {
    SendError(ctx.res, 403, "Insufficient permissions (Administrator role required)");
    return false;
  }
  TouchKey(key, ctx.now);
  ctx.actor = core::Actor{"ApiKey", key.id, key.name};
  ctx.key = std::move(auth.key);
  return true;
}

}  // namespace jim::http
