// Who is calling: the X-Api-Key of a request checked against the stored key digests, the rate limits
// (per key when the key is valid, per client address when it is not), and the route's role.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "http/context.h"
#include "http/rate_limiter.h"

namespace jim::http {

class Authenticator {
 public:
  Authenticator(Services& services, bool rate_limit, int per_key, int per_ip)
      : services_(services), limiter_(rate_limit, per_key, per_ip) {}

  // Sets ctx.key and ctx.actor and returns true; or writes the 401, 403 or 429 and returns false.
  bool Authenticate(RequestContext& ctx);

 private:
  void TouchKey(const core::ApiKey& key, core::Millis now);

  Services& services_;
  RateLimiter limiter_;
  std::mutex touch_mu_;
  std::unordered_map<std::string, core::Millis> last_touch_;
};

}  // namespace jim::http
