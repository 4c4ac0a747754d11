// The HTTP server: cpp-httplib configured for safety and speed, the pre-routing guard, authentication,
// rate limits, routing to the handlers, the access log and metrics.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "http/context.h"
#include "http/metrics.h"
#include "http/rate_limiter.h"
#include "http/router.h"

namespace httplib {
class Server;
}

namespace jim::http {

struct ServerConfig {
  std::string host = "0.0.0.0";
  int port = 8080;
  int threads = 64;        // warm worker threads; one serves one connection at a time
  int max_threads = 1024;  // the pool grows to this many when every thread is busy (slow clients)
  size_t max_body_bytes = 1 << 20;
  int io_timeout_seconds = 5;  // read, write and keep-alive idle timeouts
  int listen_backlog = 4096;
  bool rate_limit = true;
  int rate_limit_per_key = 300;
  int rate_limit_per_ip = 30;
  bool metrics = true;
  bool access_log = true;
  std::string tls_cert;  // PEM paths; both set = HTTPS
  std::string tls_key;
  std::string version = "0.0.0";
};

class ApiServer {
 public:
  ApiServer(ServerConfig config, Services& services, Logger& log);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket (port 0 picks a free one); returns the bound port or why it failed.
  core::Result<int> Bind();
  // Serves until Stop(); returns false if the server could not run.
  bool Run();
  // Stops accepting; in-flight requests finish; Run() returns.
  void Stop();

  const Router& router() const { return router_; }
  const ServerConfig& config() const { return config_; }

 private:
  void Configure();
  void Dispatch(const httplib::Request& req, httplib::Response& res, std::string_view path);
  bool Authenticate(RequestContext& ctx);
  void TouchKey(const core::ApiKey& key, core::Millis now);

  ServerConfig config_;
  Services& services_;
  Logger& log_;
  Router router_;
  std::unique_ptr<Metrics> metrics_;
  RenderedCache rendered_;
  RateLimiter limiter_;
  std::unique_ptr<httplib::Server> server_;
  std::mutex touch_mu_;
  std::unordered_map<std::string, core::Millis> last_touch_;
};

// Registers every route of the contract (routes.cpp).
void RegisterRoutes(Router& router);

}  // namespace jim::http
