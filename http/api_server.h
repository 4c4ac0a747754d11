// The HTTP server: jim-edge's own connection layer (connection_loop.h) in front of cpp-httplib, which
// parses each checked head and writes each response; the pre-routing guard, routing to the handlers
// (authentication in authenticator.h), the access log and metrics.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "http/connection_loop.h"
#include "http/context.h"
#include "http/elastic_pool.h"
#include "http/metrics.h"
#include "http/authenticator.h"
#include "http/router.h"

namespace httplib {
class Server;
class Stream;
class TaskQueue;
struct Request;
}

namespace jim::http {

struct ServerConfig {
  std::string host = "0.0.0.0";
  int port = 8080;
  int threads = 64;        // warm worker threads; a worker serves a connection only while it has a request
  int max_threads = 1024;  // the pool grows to this many when every thread is busy (e.g. parked on a commit)
  size_t max_body_bytes = 1 << 20;
  // Bytes of request bodies still arriving that the server buffers at once, over all connections (503 for a
  // body that would pass it): without a bound, slow uploads on many connections hold up to max_body_bytes each.
  size_t max_buffered_body_bytes = 256u << 20;
  int io_timeout_seconds = 5;     // a stalled body read or response write
  int idle_timeout_seconds = 60;  // keep-alive: an idle connection is closed after this long
  int head_timeout_seconds = 10;  // the whole request head, from its first byte (408 after)
  size_t max_head_bytes = 32 * 1024;  // request line and header fields (431 beyond)
  std::string public_url;  // the base of every Location, e.g. https://jim.example.com; empty: from Host
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
  // Serves on the calling thread (the event loop runs on it: no thread of its own) until Stop() (any
  // thread) or until `tick`, called on this thread about every 100 ms, returns false; then Shutdown().
  // `on_serving` is called once the loop can serve. False if the loop could not start.
  bool Run(const std::function<bool()>& tick = {}, const std::function<void()>& on_serving = {});
  // Makes Run() shut down and return.
  void Stop();
  // Connections open right now (held by the event loop or a worker).
  size_t connections() const;

  const Router& router() const { return router_; }
  const ServerConfig& config() const { return config_; }

 private:
  void Configure();
  // After Run's loop: stops accepting, lets in-flight requests finish, closes every connection.
  void Shutdown();
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  // Serves the requests buffered on c (on a worker), then gives c back to the loop.
  void Serve(Connection* c);
  // After an answer: waits up to kHoldForNextMs on this worker for the client's next request, when a spare
  // worker exists; true when bytes of it arrived (see api_server.cpp for why).
  bool AwaitNext(Connection* c);
  // The complete response to a head refused before cpp-httplib saw it; `head` is what arrived of it.
  std::string RenderRefusal(int status, std::string_view message, std::string_view head);

  ServerConfig config_;
  Services& services_;
  Logger& log_;
  Router router_;
  std::unique_ptr<Metrics> metrics_;
  RenderedCache rendered_;
  Authenticator authenticator_;
  std::unique_ptr<httplib::Server> server_;
  // cpp-httplib's protected process_request, reached through the server subclass.
  std::function<bool(httplib::Stream&, bool, bool&, const std::function<void(httplib::Request&)>&)> process_;
  std::function<int()> duplicate_listener_;  // a duplicate of the library's bound socket, for the loop
  std::function<void()> close_listener_;     // closes the library's
  std::unique_ptr<ElasticThreadPool> workers_;
  std::unique_ptr<ConnectionLoop> loop_;
  std::atomic<bool> stopping_{false};
};

// Registers every route of the contract (routes.cpp).
void RegisterRoutes(Router& router);

}  // namespace jim::http
