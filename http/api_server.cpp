#include "http/api_server.h"

#include <httplib.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>

#include "core/rules.h"
#include "http/connection_stream.h"
#include "http/elastic_pool.h"
#include "http/head_check.h"
#include "http/query_repeats.h"
#include "http/responses.h"

namespace jim::http {

namespace {

// cpp-httplib 0.11.4 listens with a compiled-in backlog of 5, which drops SYNs at 64 connections. Its
// listening socket is a protected member, so a subclass can listen(2) again with a real backlog (Linux
// updates the backlog of a listening socket in place).
//
// The library's accept loop is never run: it would park a thread in accept(2) and serve each socket on a
// worker for its whole life, reading every request through a fresh 4 KiB-buffered stream and losing what
// it read ahead (pipelined requests, or a request hidden at offset 4096 of another one). Instead jim-edge's
// event loop accepts on a duplicate of the listening socket, and process_request (protected) runs over a
// stream that lives as long as the connection. The library keeps its own descriptor until shutdown: while
// it is set the library knows it is running (it writes no streamed response body once it is not).
template <class Base>
class TunedServer : public Base {
 public:
  using Base::Base;
  bool SetBacklog(int backlog) { return ::listen(this->svr_sock_, backlog) == 0; }
  // A duplicate of the bound, listening socket, which the caller owns.
  int DuplicateListener() { return ::fcntl(this->svr_sock_, F_DUPFD_CLOEXEC, 0); }
  // Closes the library's descriptor: from now on it is shutting down.
  void CloseListener() {
    socket_t sock = this->svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) ::close(sock);
  }
  bool Process(httplib::Stream& strm, bool close_connection, bool& connection_closed,
               const std::function<void(httplib::Request&)>& setup) {
    return this->process_request(strm, close_connection, connection_closed, setup);
  }
};

// What a worker knows of the connection whose request it serves, for the Location base.
struct ConnectionInfo {
  std::string authority;  // a valid host[:port], or empty
  bool tls = false;
  std::string request_id;  // X-Request-Id as the client sent it (the head check's view), or empty
};
thread_local ConnectionInfo tl_connection;

// The path of a request target as sent (never percent-decoded here): absolute-form loses its scheme and
// authority, and the query goes.
std::string_view PathOfTarget(std::string_view target) {
  if (!target.empty() && target.front() != '/') {
    size_t scheme = target.find("://");
    if (scheme != std::string_view::npos) {
      size_t path = target.find_first_of("/?", scheme + 3);
      target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
      if (!target.empty() && target.front() == '?') target = "/";
    }
  }
  return target.substr(0, target.find('?'));
}

// The X-Request-Id of a head that was refused before cpp-httplib parsed it (the field lines seen so far),
// so that the refusal echoes it like every other response does.
std::string_view RequestIdInHead(std::string_view head) {
  constexpr std::string_view kName = "\r\nx-request-id:";
  head = head.substr(0, std::min<size_t>(head.size(), 64 * 1024));
  for (size_t at = head.find("\r\n"); at != std::string_view::npos; at = head.find("\r\n", at + 2)) {
    if (head.size() - at < kName.size()) break;
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(head[at + i])) == kName[i];
    if (!match) continue;
    size_t from = at + kName.size(), to = head.find('\r', from);
    if (to == std::string_view::npos) break;
    std::string_view value = head.substr(from, to - from);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    return value;
  }
  return {};
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    default: return "Error";
  }
}

// Per-request state that lives on the worker thread from the guard to the access log.
struct ThreadRequestState {
  std::chrono::steady_clock::time_point start{};
  const Route* route = nullptr;
  std::string request_id;
};
thread_local ThreadRequestState tl_request;

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == ':';
}

std::string MakeRequestId(std::string_view given) {
  if (!given.empty() && given.size() <= 128) {
    bool ok = true;
    for (char c : given) ok = ok && IsTokenChar(c);
    if (ok) return std::string(given);
  }
  // Not a secret: a per-thread random stream is enough to keep ids unique in the logs.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t v = rng();
  for (char& c : id) {
    c = kHex[v & 0xF];
    v >>= 4;
  }
  return id;
}

// application/json, optionally with parameters; a charset other than UTF-8 is refused.
bool IsJsonContentType(std::string_view ct) {
  auto semicolon = ct.find(';');
  std::string_view media = core::TrimWhitespace(ct.substr(0, semicolon));
  if (!core::EqualsIgnoreCase(media, "application/json")) return false;
  if (semicolon == std::string_view::npos) return true;
  std::string params = core::FoldName(ct.substr(semicolon + 1));
  auto cs = params.find("charset=");
  if (cs == std::string::npos) return true;
  std::string_view charset = std::string_view(params).substr(cs + 8);
  charset = charset.substr(0, charset.find(';'));
  charset = core::TrimWhitespace(charset);
  if (!charset.empty() && charset.front() == '"') charset = charset.substr(1, charset.size() > 1 ? charset.size() - 2 : 0);
  return charset == "utf-8" || charset == "utf8";
}

bool ParseContentLength(const std::string& value, size_t& out) {
  if (value.empty() || value.size() > 19) return false;
  size_t v = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<size_t>(c - '0');
  }
  out = v;
  return true;
}

// Caution: cpp-httplib 0.11.4 keeps the connection open after a pre-routing handler answers, whatever the
// response's Connection header says, and parses the unread body of the refused request as the next
// request: a body sent after the headers is executed as a smuggled request (and desyncs a reverse proxy
// that reuses connections). A content provider that fails once the whole envelope is written is the
// library's only way to make it close the connection after this response.
void SendAndClose(const httplib::Request& req, httplib::Response& res) {
  // cpp-httplib writes no body for HEAD, and writing the body is what closes the connection: a HEAD that
  // is refused is answered like a GET so that it is closed all the same.
  if (req.method == "HEAD") const_cast<httplib::Request&>(req).method = "GET";
  auto body = std::make_shared<std::string>(std::move(res.body));
  res.body.clear();
  std::string content_type = res.get_header_value("Content-Type");
  res.headers.erase("Content-Type");
  res.set_header("Connection", "close");
  res.set_content_provider(body->size(), content_type,
                           [body](size_t offset, size_t length, httplib::DataSink& sink) {
                             sink.write(body->data() + offset, length);
                             return false;  // written in full; failing makes the library close the socket
                           });
}

// The largest refused body the server reads and discards so that the client sees its 413 (see the guard).
constexpr size_t kMaxDrainBytes = 64ull << 20;

}  // namespace

ApiServer::ApiServer(ServerConfig config, Services& services, Logger& log)
    : config_(std::move(config)),
      services_(services),
      log_(log),
      authenticator_(services, config_.rate_limit, config_.rate_limit_per_key, config_.rate_limit_per_ip) {
  RegisterRoutes(router_);
  metrics_ = std::make_unique<Metrics>(router_.routes());
  while (!config_.public_url.empty() && config_.public_url.back() == '/') config_.public_url.pop_back();
  SSL_CTX* tls_context = nullptr;
  if (!config_.tls_cert.empty() || !config_.tls_key.empty()) {
    auto tls = std::make_unique<TunedServer<httplib::SSLServer>>(config_.tls_cert.c_str(), config_.tls_key.c_str());
    if (tls->is_valid()) {
      SSL_CTX_set_min_proto_version(tls->ssl_context(), TLS1_2_VERSION);
      tls_context = tls->ssl_context();
    }
    duplicate_listener_ = [s = tls.get()] { return s->DuplicateListener(); };
    close_listener_ = [s = tls.get()] { s->CloseListener(); };
    process_ = [s = tls.get()](httplib::Stream& strm, bool close, bool& closed,
                               const std::function<void(httplib::Request&)>& setup) {
      return s->Process(strm, close, closed, setup);
    };
    server_ = std::move(tls);
  } else {
    auto plain = std::make_unique<TunedServer<httplib::Server>>();
    duplicate_listener_ = [s = plain.get()] { return s->DuplicateListener(); };
    close_listener_ = [s = plain.get()] { s->CloseListener(); };
    process_ = [s = plain.get()](httplib::Stream& strm, bool close, bool& closed,
                                 const std::function<void(httplib::Request&)>& setup) {
      return s->Process(strm, close, closed, setup);
    };
    server_ = std::move(plain);
  }
  ConnectionLimits limits;
  limits.head.max_head_bytes = config_.max_head_bytes;
  limits.max_body_bytes = config_.max_body_bytes;
  limits.max_buffered_body_bytes = config_.max_buffered_body_bytes;
  limits.head_timeout_ms = config_.head_timeout_seconds * 1000;
  limits.idle_timeout_ms = config_.idle_timeout_seconds * 1000;
  limits.io_timeout_ms = config_.io_timeout_seconds * 1000;
  loop_ = std::make_unique<ConnectionLoop>(
      limits, tls_context, [this](Connection* c) { workers_->enqueue([this, c] { Serve(c); }); },
      [this](int status, std::string_view message, std::string_view head) {
        return RenderRefusal(status, message, head);
      });
  const size_t threads = static_cast<size_t>(config_.threads < 1 ? 1 : config_.threads);
  const size_t max_threads = std::max(threads, static_cast<size_t>(config_.max_threads < 1 ? 1 : config_.max_threads));
  workers_ = std::make_unique<ElasticThreadPool>(threads, max_threads);
  Configure();
}

ApiServer::~ApiServer() {
  Stop();
  if (close_listener_) close_listener_();  // bound but never started or shut down
}

void ApiServer::Configure() {
  httplib::Server& s = *server_;
  // The library default closes keep-alive connections after 5 requests (its "Keep-Alive: max=" header).
  s.set_keep_alive_max_count(1'000'000);
  s.set_keep_alive_timeout(config_.idle_timeout_seconds);
  s.set_read_timeout(config_.io_timeout_seconds, 0);
  s.set_write_timeout(config_.io_timeout_seconds, 0);
  s.set_payload_max_length(config_.max_body_bytes);
  // Caution: cpp-httplib's default socket options set SO_REUSEPORT on Linux, so a second server on a port
  // already in use binds successfully and the kernel splits connections between the two. SO_REUSEADDR
  // alone still allows a quick restart over TIME_WAIT sockets but makes a busy port fail to bind.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                         {"X-Frame-Options", "DENY"},
                         {"Content-Security-Policy", "default-src 'none'"},
                         {"Cache-Control", "no-store"}});

  // Runs before cpp-httplib reads the body: refuse what we will not read.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    tl_request.start = std::chrono::steady_clock::now();
    tl_request.route = nullptr;
    tl_request.request_id = MakeRequestId(tl_connection.request_id);
    res.set_header("X-Request-Id", tl_request.request_id);
    // cpp-httplib applies a Range header to any 2xx answer, cutting a JSON body into a fragment (206) or
    // answering 416 without the envelope. Ranges mean nothing to this API: ignore them (RFC 9110 allows it).
    // The request object is not const where cpp-httplib owns it; only this hook sees it as const.
    const_cast<httplib::Request&>(req).ranges.clear();
    // A query parameter given twice (in any case, as names are matched) is ambiguous: which one a handler
    // would read is an accident of parsing. Refused like a repeated singleton header, before anything else
    // (API.md: the same JSON property twice is 400; the query string follows the same rule).
    if (auto repeated = RepeatedQueryParameter(req.params)) {
      const core::FieldErrors errors{{*repeated, "is given more than once in the query string."}};
      SendError(res, 400, "The query parameter '" + *repeated + "' is given more than once.", &errors);
      return httplib::Server::HandlerResponse::Handled;
    }
    // The connection loop's head check (head_check.h) has already refused more than max_field_count fields
    // (431) and any Transfer-Encoding (411: chunked bodies bypass cpp-httplib 0.11.4's payload limit).
    const bool body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    size_t length = 0;
    if (req.has_header("Content-Length")) {
      if (!ParseContentLength(req.get_header_value("Content-Length"), length)) {
        SendError(res, 400, "The Content-Length header is not a valid length.");
        SendAndClose(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
      // cpp-httplib reads no body on GET, HEAD or OPTIONS: bytes sent as one would be parsed as the next
      // request (smuggling), so a body there is refused and the connection closed.
      if (length > 0 && !body_method && req.method != "DELETE") {
        SendError(res, 400, req.method + " requests must not have a body.");
        SendAndClose(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
      if (length > config_.max_body_bytes) {
        // Up to a bound, let the library read and discard the body and answer 413 itself (through the
        // error handler): a client still sending its body then reads the 413 instead of a connection
        // reset. Beyond the bound, refuse at once and close.
        if (length <= kMaxDrainBytes) return httplib::Server::HandlerResponse::Unhandled;
        SendError(res, 413, "The request body is larger than the limit of " + std::to_string(config_.max_body_bytes) +
                      " bytes.");
        SendAndClose(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
    } else if (body_method) {
      SendError(res, 411, "A Content-Length header is required on " + req.method + " requests.");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (body_method && !IsJsonContentType(req.get_header_value("Content-Type"))) {
      SendError(res, 415, "Request bodies must be JSON: send Content-Type: application/json; charset=utf-8.");
      if (length > 0) SendAndClose(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    // A request without a body needs nothing more from cpp-httplib: dispatching it here skips the
    // library's std::regex match of the catch-all pattern (a few percent of a GET). Requests with a body
    // go on so that the library reads it.
    if (length == 0 && !body_method) {
      Dispatch(req, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    // The library reads the body next and then matches the path against each handler's std::regex. The
    // request goes on with an empty path (Dispatch routes on the target as sent, not on the library's
    // decoded path), which the empty pattern registered first matches without walking it (~2% of a create).
    const_cast<httplib::Request&>(req).path.clear();
    return httplib::Server::HandlerResponse::Unhandled;
  });

  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) { Dispatch(req, res); };
  for (const char* pattern : {"", ".*"}) {
    s.Get(pattern, dispatch);
    s.Post(pattern, dispatch);
    s.Put(pattern, dispatch);
    s.Delete(pattern, dispatch);
    s.Patch(pattern, dispatch);
    s.Options(pattern, dispatch);
  }

  // Whatever cpp-httplib answers on its own (malformed request line, URI too long, ...) still gets the
  // envelope, so clients never see an HTML or empty error.
  s.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
    // A malformed Range header gets here (416) with the ranges parsed so far, which the library would apply
    // to the envelope below: clear them, as the guard does.
    const_cast<httplib::Request&>(req).ranges.clear();
    if (!res.body.empty() || res.content_provider_) return httplib::Server::HandlerResponse::Unhandled;
    std::string message = "The request could not be processed.";
    switch (res.status) {
      case 400: message = "The request is malformed."; break;
      case 416: message = "The Range header is malformed; this API does not serve ranges."; break;
      case 404: message = "No route matches this request."; break;
      case 413:
        message = "The request body is larger than the limit of " + std::to_string(config_.max_body_bytes) + " bytes.";
        break;
      case 414: message = "The request URI is too long."; break;
      case 431: message = "The request headers are too large."; break;
      default: break;
    }
    SendError(res, res.status, message);
    if (!res.has_header("X-Request-Id")) res.set_header("X-Request-Id", MakeRequestId(tl_connection.request_id));
    // The library answers these before reading the body (URI too long, bad request line or headers), so
    // the connection is closed for the same reason as the guard's refusals.
    SendAndClose(req, res);
    return httplib::Server::HandlerResponse::Handled;
  }));

  s.set_exception_handler([this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    log_.Error("unhandled exception", {{"request_id", tl_request.request_id}, {"detail", what}});
    SendError(res, 500, "An unexpected error occurred.");
  });

  s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    double seconds = 0;
    if (tl_request.start.time_since_epoch().count() != 0)
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tl_request.start).count();
    if (config_.metrics) metrics_->RecordRequest(tl_request.route, res.status, seconds);
    if (config_.access_log) {
      char latency[32];
      std::snprintf(latency, sizeof latency, "%.3f", seconds * 1000.0);
      std::string status = std::to_string(res.status);
      log_.Info("request", {{"method", req.method},
                            {"route", tl_request.route ? tl_request.route->pattern : std::string_view("-")},
                            {"status", status},
                            {"latency_ms", latency},
                            {"request_id", tl_request.request_id}});
    }
    tl_request = ThreadRequestState{};
  });
}

core::Result<int> ApiServer::Bind() {
  if (!server_->is_valid())
    return core::MakeError(core::ErrorCode::kInvalidArgument,
                           "cannot load the TLS certificate or key (" + config_.tls_cert + ", " + config_.tls_key + ")");
  int port = config_.port;
  errno = 0;
  if (port == 0) {
    port = server_->bind_to_any_port(config_.host);
    if (port <= 0) port = -1;
  } else if (!server_->bind_to_port(config_.host, port)) {
    port = -1;
  }
  if (port < 0) {
    std::string why = errno ? std::strerror(errno) : "address in use or not available";
    return core::MakeError(core::ErrorCode::kUnavailable, "cannot listen on " + config_.host + ":" +
                                                              std::to_string(config_.port) + " (" + why + ")");
  }
  bool tuned = config_.tls_cert.empty()
                   ? static_cast<TunedServer<httplib::Server>&>(*server_).SetBacklog(config_.listen_backlog)
                   : static_cast<TunedServer<httplib::SSLServer>&>(*server_).SetBacklog(config_.listen_backlog);
  if (!tuned) log_.Warn("could not raise the listen backlog", {});
  return port;
}

void ApiServer::Shutdown() {
  // Run has returned: the loop accepts and dispatches nothing more. Workers finish the request they serve
  // (a connection's next one is not started) and hand their connection back; then the loop closes all.
  close_listener_();
  stopping_.store(true);
  workers_->shutdown();
  loop_->Stop();
}

bool ApiServer::Run(const std::function<bool()>& tick, const std::function<void()>& on_serving) {
  const ConnectionLoop::Tick keep_serving = [&tick] { return !tick || tick(); };
  if (!loop_->Run(duplicate_listener_(), keep_serving, on_serving)) {
    log_.Error("cannot start the connection loop", {{"detail", std::strerror(errno)}});
    return false;
  }
  Shutdown();
  return true;
}

void ApiServer::Stop() { loop_->Exit(); }

size_t ApiServer::connections() const { return loop_->connections(); }

std::string ApiServer::RenderRefusal(int status, std::string_view message, std::string_view head) {
  const std::string_view code = ErrorCodeForStatus(status);
  const std::string body = ErrorEnvelope(code, message, nullptr, WallClockMillis());
  const std::string request_id = MakeRequestId(RequestIdInHead(head));
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) +
                    "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
                    std::to_string(body.size()) +
                    "\r\nConnection: close\r\nCache-Control: no-store\r\nContent-Security-Policy: default-src 'none'" +
                    (status == 503 ? "\r\nRetry-After: 5" : "") +
                    "\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nX-Request-Id: " +
                    request_id + "\r\n\r\n" + body;
  if (config_.metrics) metrics_->RecordRequest(nullptr, status, 0.0);
  if (config_.access_log)
    log_.Info("request refused",
              {{"status", std::to_string(status)}, {"code", std::string(code)}, {"request_id", request_id}});
  return out;
}

// How long a worker waits on a keep-alive connection for the client's next request before handing it back
// to the event loop. A busy client's next request usually comes within a round trip; catching it here saves
// the two thread hand-overs (and their wake-ups) of a trip through the loop, which cost a request at 8
// connections about a fifth of its throughput. Only while another worker is idle, so nobody queues behind
// the wait; an idle client holds the worker this long once, then costs no thread.
constexpr int kHoldForNextMs = 5;

bool ApiServer::AwaitNext(Connection* c) {
  if (stopping_.load() || c->peer_eof || !workers_->HasSpareThread()) return false;
  if (!WaitReadable(*c, kHoldForNextMs)) return false;
  c->Compact();
  char buf[16 * 1024];
  short want = 0;
  ssize_t n = ReceiveSome(*c, buf, sizeof buf, want);
  if (n > 0) {
    c->in.append(buf, static_cast<size_t>(n));
    return true;
  }
  if (n == 0) c->peer_eof = true;  // the loop closes it once nothing is left to answer
  return false;  // would block (TLS) or failed: the loop finds out on its next event
}

void ApiServer::Serve(Connection* c) {
  const int io_ms = config_.io_timeout_seconds * 1000;
  const ConnectionLimits& limits = loop_->limits();
  ConnectionStream strm(*c, io_ms, io_ms);
  auto after = ConnectionLoop::After::kKeep;
  for (;;) {
    std::string_view pending = c->Pending();
    if (pending.empty()) {
      // Answered everything buffered: send it, then maybe catch the next request here. (Only from an
      // empty buffer: bytes of a head that then trickle in go to the loop, never hold this worker.)
      if (!strm.Flush()) {
        after = ConnectionLoop::After::kClose;
        break;
      }
      if (AwaitNext(c)) continue;
      break;
    }
    // Every request is checked, the pipelined ones too: the loop checked only the first.
    HeadVerdict v = CheckHead(pending, limits.head);
    if (v.status == HeadStatus::kIncomplete) break;
    if (v.status == HeadStatus::kRejected) {
      c->out.append(RenderRefusal(v.http_status, v.message, pending));
      after = ConnectionLoop::After::kLinger;
      break;
    }
    const bool oversized = v.content_length > limits.max_body_bytes;
    const bool body_buffered = pending.size() >= v.head_bytes + v.content_length;
    if (!oversized && !body_buffered) break;  // the loop reads the rest of the body
    // Copied: the views point into the connection's buffer, which the request consumes.
    tl_connection.authority.assign(v.authority_valid ? v.authority : std::string_view());
    tl_connection.tls = c->ssl != nullptr;
    tl_connection.request_id.assign(v.request_id);
    // The loop has answered "Expect: 100-continue" itself, or the client sent its body without waiting.
    const bool expect_handled = c->continue_sent || body_buffered;
    const bool close = !v.keep_alive || stopping_.load();
    bool client_closed = false;
    const uint64_t request_end = c->consumed + v.head_bytes + v.content_length;
    bool ok = process_(strm, close, client_closed, [c, expect_handled](httplib::Request& req) {
      if (c->ssl) req.ssl = c->ssl;
      if (expect_handled) req.headers.erase("Expect");
    });
    c->continue_sent = false;
    // A request answered without its body being read (a refusal before routing) leaves the body in the
    // buffer: it is skipped here, so it can never be read as the next request, whatever answered it.
    if (body_buffered && c->consumed < request_end) c->Consume(static_cast<size_t>(request_end - c->consumed));
    if (strm.failed()) {
      after = ConnectionLoop::After::kClose;
      break;
    }
    if (!ok || close || client_closed) {
      after = ConnectionLoop::After::kLinger;
      break;
    }
  }
  if (after != ConnectionLoop::After::kClose && !strm.Flush()) after = ConnectionLoop::After::kClose;
  loop_->Return(c, after);
}

void ApiServer::Dispatch(const httplib::Request& req, httplib::Response& res) {
  // First: the request has arrived. A store shared by several nodes serves it from memory only what a database
  // read started after this line confirmed (core::ReadScope); answered, the scope closes with this frame.
  const std::unique_ptr<core::ReadScope> fresh = services_.catalog.BeginRequest();
  RequestContext ctx{req, res, services_, log_, *metrics_, nullptr, {}, {}, {}, {}, 0, {}, true, nullptr, {}};
  ctx.request_id = tl_request.request_id;
  ctx.now = WallClockMillis();
  ctx.version = config_.version;
  ctx.metrics_enabled = config_.metrics;
  ctx.rendered = &rendered_;
  // Location: the operator's public URL; else the client's Host when it is a valid host[:port] (the head
  // check made sure); else relative.
  if (!config_.public_url.empty()) {
    ctx.base_url = config_.public_url;
  } else if (!tl_connection.authority.empty()) {
    ctx.base_url = (tl_connection.tls ? "https://" : "http://") + tl_connection.authority;
  }
  // Routed on the target as sent: each segment is percent-decoded once, by the router, so an encoded
  // "/" never separates segments and nothing is decoded twice. HEAD is GET without the body (the library
  // leaves the body out).
  const std::string_view path = PathOfTarget(req.target);
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
  RouteMatch match = router_.Match(method, path);
  if (match.outcome == MatchOutcome::kNotFound) {
    SendError(res, 404, "No route matches " + req.method + " " + std::string(path) + ".");
    return;
  }
  if (match.outcome == MatchOutcome::kMethodNotAllowed) {
    SendError(res, 405, "The method " + req.method + " is not allowed on this route.");
    if (match.allow.find("GET") != std::string::npos) match.allow += ", HEAD";
    res.set_header("Allow", match.allow);
    return;
  }
  ctx.route = match.route;
  ctx.params = std::move(match.params);
  tl_request.route = match.route;
  // A store that cannot be reached is a kUnavailable result of the read or the transaction (503), never an
  // exception: the catalog's committed reads return Results and Transact turns a body's StoreUnavailable
  // into one.
  if (ctx.route->role != Role::kAnonymous && !authenticator_.Authenticate(ctx)) return;
  ctx.route->handler(ctx);
}

}  // namespace jim::http
