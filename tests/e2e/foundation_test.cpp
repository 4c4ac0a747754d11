// Issue 2's foundation over the wire: JSON errors for what the router and the guard refuse, the headers
// on every response, and a server that fails fast with one sentence when it cannot start.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "tests/e2e/harness.h"

namespace jim::e2e {
namespace {

const std::string kSystems = "/api/v1/synchronisation/connected-systems";

class FoundationE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start({.args = {"--max-body-bytes", "2048"}, .env = {{"JIM_INFRASTRUCTURE_API_KEY", key_}}}));
    base_ = server_.base_url();
  }

  TempDir tmp_;
  const std::string key_ = NewApiKey();
  Server server_{tmp_ / "data", tmp_.path()};
  std::string base_;
};

TEST_F(FoundationE2E, UnknownRouteIsJson404WithHeaders) {
  auto r = Get(base_ + "/api/v1/no-such-route", key_);
  EXPECT_TRUE(IsEnvelope(r, 404, "NOT_FOUND"));
  // Also anonymous, and also outside /api.
  EXPECT_TRUE(IsEnvelope(Get(base_ + "/index.html", ""), 404, "NOT_FOUND"));
  // A resource that does not exist on a known route.
  EXPECT_TRUE(IsEnvelope(Get(base_ + kSystems + "/99", key_), 404, "NOT_FOUND"));
}

TEST_F(FoundationE2E, WrongMethodIs405WithAllow) {
  auto r = Curl({"-X", "DELETE", base_ + "/api/v1/health"});
  EXPECT_TRUE(IsEnvelope(r, 405, "METHOD_NOT_ALLOWED"));
  EXPECT_EQ(r.Header("allow"), "GET, HEAD");
  auto put = Curl({"-X", "PUT", "-H", "X-Api-Key: " + key_, "-H", "Content-Type: application/json", "--data-binary",
                   "{}", base_ + kSystems});
  EXPECT_TRUE(IsEnvelope(put, 405, "METHOD_NOT_ALLOWED"));
  EXPECT_TRUE(Contains(put.Header("allow"), "GET")) << put.Header("allow");
  EXPECT_TRUE(Contains(put.Header("allow"), "POST")) << put.Header("allow");
}

TEST_F(FoundationE2E, ChunkedBodyIs411) {
  WriteFile(tmp_ / "body.json", R"({"name":"LDAP","connectorDefinitionId":1})");
  auto r = Curl({"-X", "POST", "-H", "X-Api-Key: " + key_, "-H", "Content-Type: application/json", "-H",
                 "Transfer-Encoding: chunked", "--data-binary", "@" + tmp_ / "body.json", base_ + kSystems});
  EXPECT_TRUE(IsEnvelope(r, 411, "LENGTH_REQUIRED"));
  // Nothing was created.
  auto list = Get(base_ + kSystems, key_);
  ASSERT_TRUE(HasStatus(list, 200));
  EXPECT_EQ(Json(list.body).Int("totalCount"), 0) << list.body;
}

TEST_F(FoundationE2E, ChunkedHeadersAreRefusedBeforeAnyBodyByteArrives) {
  // curl always sends the body; a raw socket sends only the headers and waits. The guard must answer
  // without reading (chunked bodies bypass cpp-httplib 0.11.4's payload limit).
  const std::string request = "POST " + kSystems + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + key_ +
                              "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  std::string response = RawExchange(server_.port(), request, 3s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(response.starts_with("HTTP/1.1 411")) << response;
  EXPECT_TRUE(Contains(response, "LENGTH_REQUIRED")) << response;
  EXPECT_LT(elapsed, 2s) << "the server waited for a body before refusing it";
}

TEST_F(FoundationE2E, PostWithoutContentLengthIs411) {
  const std::string request = "POST " + kSystems + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + key_ +
                              "\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
  std::string response = RawExchange(server_.port(), request, 3s);
  EXPECT_TRUE(response.starts_with("HTTP/1.1 411")) << response;
  EXPECT_TRUE(Contains(response, "\"code\":\"LENGTH_REQUIRED\"")) << response;
  EXPECT_TRUE(Contains(response, "X-Request-Id: ")) << response;
}

TEST_F(FoundationE2E, MalformedRequestsGetTheJsonEnvelope) {
  std::string bad_length = RawExchange(server_.port(),
                                       "POST " + kSystems +
                                           " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                           "Content-Length: 12abc\r\n\r\n{}",
                                       3s);
  EXPECT_TRUE(bad_length.starts_with("HTTP/1.1 400")) << bad_length;
  EXPECT_TRUE(Contains(bad_length, "\"code\":\"VALIDATION_ERROR\"")) << bad_length;

  // A request line cpp-httplib itself rejects: still JSON, never HTML or an empty body.
  std::string garbage = RawExchange(server_.port(), "THIS IS NOT HTTP\r\n\r\n", 3s);
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
  EXPECT_TRUE(Contains(garbage, "\"code\":\"")) << garbage;
  EXPECT_TRUE(Contains(garbage, "application/json")) << garbage;
}

TEST_F(FoundationE2E, BodyOverTheLimitIs413) {
  std::string big = R"({"name":"LDAP","connectorDefinitionId":1,"description":")" + std::string(3000, 'x') + "\"}";
  WriteFile(tmp_ / "big.json", big);
  auto r = Curl({"-X", "POST", "-H", "X-Api-Key: " + key_, "-H", "Content-Type: application/json", "--data-binary",
                 "@" + tmp_ / "big.json", base_ + kSystems});
  EXPECT_TRUE(IsEnvelope(r, 413, "PAYLOAD_TOO_LARGE"));
  // Just under the limit is read and validated (description > 1000 characters: 400, not 413).
  std::string under = R"({"name":"LDAP","connectorDefinitionId":1,"description":")" + std::string(1500, 'x') + "\"}";
  auto ok = PostJson(base_ + kSystems, key_, under);
  EXPECT_TRUE(IsEnvelope(ok, 400, "VALIDATION_ERROR"));
}

TEST_F(FoundationE2E, TextPlainBodyIs415) {
  auto r = Curl({"-X", "POST", "-H", "X-Api-Key: " + key_, "-H", "Content-Type: text/plain", "--data-binary",
                 R"({"name":"LDAP","connectorDefinitionId":1})", base_ + kSystems});
  EXPECT_TRUE(IsEnvelope(r, 415, "UNSUPPORTED_MEDIA_TYPE"));
  auto latin1 = Curl({"-X", "POST", "-H", "X-Api-Key: " + key_, "-H", "Content-Type: application/json; charset=latin1",
                      "--data-binary", R"({"name":"LDAP","connectorDefinitionId":1})", base_ + kSystems});
  EXPECT_TRUE(IsEnvelope(latin1, 415, "UNSUPPORTED_MEDIA_TYPE"));
}

TEST_F(FoundationE2E, EveryResponseCarriesSecurityHeadersAndRequestId) {
  auto health = Get(base_ + "/api/v1/health", "");
  ASSERT_TRUE(HasStatus(health, 200));
  EXPECT_TRUE(HasSecurityHeaders(health));
  EXPECT_EQ(Json(health.body).Str("status"), "healthy");
  auto created = PostJson(base_ + kSystems, key_, R"({"name":"LDAP","connectorDefinitionId":1})");
  ASSERT_TRUE(HasStatus(created, 201));
  EXPECT_TRUE(HasSecurityHeaders(created));
  EXPECT_TRUE(IsEnvelope(Get(base_ + kSystems, ""), 401, "UNAUTHORISED"));
  // The client's request id is echoed; two requests without one get different ids.
  auto echoed = Get(base_ + "/api/v1/health/live", "", {"-H", "X-Request-Id: e2e-trace-42"});
  EXPECT_EQ(echoed.Header("x-request-id"), "e2e-trace-42");
  EXPECT_NE(Get(base_ + "/api/v1/health", "").Header("x-request-id"), health.Header("x-request-id"));
  // Every health route answers anonymously.
  for (const char* path : {"/api/v1/health/live", "/api/v1/health/ready", "/api/v1/health/version"}) {
    auto r = Get(base_ + path, "");
    EXPECT_TRUE(HasStatus(r, 200)) << path;
    EXPECT_TRUE(HasSecurityHeaders(r)) << path;
  }
  EXPECT_EQ(Json(Get(base_ + "/api/v1/health/version", "").body).Str("product"), "jim-edge");
}

// Sends the headers of a request the guard refuses, then (in a later TCP segment, as a slow client or a
// proxy would) bytes that form a complete request, and returns everything the server sent back.
std::string RefuseThenSmuggle(int port, const std::string& headers, const std::string& path = kSystems,
                              std::chrono::seconds wait = 2s, const std::string& method = "POST") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  const std::string head = method + " " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n\r\n";
  const std::string smuggled = "GET /api/v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";  // 42 bytes
  (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::this_thread::sleep_for(200ms);
  (void)::send(fd, smuggled.data(), smuggled.size(), MSG_NOSIGNAL);
  timeval tv{static_cast<time_t>(wait.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string received;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) received.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return received;
}

size_t CountResponses(const std::string& raw) {
  size_t n = 0;
  for (size_t at = raw.find("HTTP/1.1 "); at != std::string::npos; at = raw.find("HTTP/1.1 ", at + 1)) ++n;
  return n;
}

// Regression: cpp-httplib 0.11.4 kept the connection open after the guard refused a request, so the
// unread body of a chunked, oversized or badly framed request was parsed and executed as the next request.
TEST_F(FoundationE2E, RefusedRequestBodyIsNeverExecutedAsTheNextRequest) {
  // Refused before the body is read, and closed: chunked, a body beyond the drain bound, a bad length.
  for (const std::string framing :
       {"Transfer-Encoding: chunked", "Content-Length: 1000000000", "Content-Length: 1x"}) {
    SCOPED_TRACE(framing);
    std::string raw = RefuseThenSmuggle(server_.port(), "Content-Type: application/json\r\n" + framing);
    EXPECT_EQ(CountResponses(raw), 1u) << raw;
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 4")) << raw;
  }
  // Over the limit but within the drain bound: the server reads and discards the declared body (here the
  // would-be smuggled request plus the read timeout), so the 413 arrives and nothing is executed.
  std::string drained = RefuseThenSmuggle(server_.port(), "Content-Type: application/json\r\nContent-Length: 5000",
                                          kSystems, 8s);
  EXPECT_EQ(CountResponses(drained), 1u) << drained;
  EXPECT_TRUE(drained.starts_with("HTTP/1.1 413")) << drained;
  // 415 with a body within the limit: also closed rather than read as a request.
  std::string raw = RefuseThenSmuggle(server_.port(), "Content-Length: 42\r\nContent-Type: text/plain");
  EXPECT_EQ(CountResponses(raw), 1u) << raw;
  ASSERT_TRUE(server_.WaitForLog("status=415"));
  EXPECT_FALSE(Contains(server_.Log(), "status=404")) << server_.Log();
}

// Regression: cpp-httplib reads no body on GET/HEAD/OPTIONS, so a body sent with one was executed as the
// next request. Such a body is now refused (400) and the connection closed.
TEST_F(FoundationE2E, BodyOnAGetIsNeverExecutedAsTheNextRequest) {
  for (const std::string method : {"GET", "HEAD", "OPTIONS"}) {
    SCOPED_TRACE(method);
    std::string raw = RefuseThenSmuggle(server_.port(), "Content-Length: 42", "/api/v1/health", 2s, method);
    EXPECT_EQ(CountResponses(raw), 1u) << raw;
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 400")) << raw;
  }
  ASSERT_TRUE(server_.WaitForLog("status=400"));
  EXPECT_FALSE(Contains(server_.Log(), "route=/api/v1/smuggled")) << server_.Log();
  EXPECT_FALSE(Contains(server_.Log(), "status=404")) << server_.Log();
}

// Regression: the same for the errors cpp-httplib answers itself before the body (here 414 for a URI over
// its 8 KiB limit, which a proxy may well forward): the body was executed as the next request.
TEST_F(FoundationE2E, BodyAfterALibraryErrorIsNeverExecutedAsTheNextRequest) {
  std::string raw = RefuseThenSmuggle(server_.port(), "Content-Type: application/json\r\nContent-Length: 42",
                                      "/api/v1/" + std::string(9000, 'a'));
  EXPECT_EQ(CountResponses(raw), 1u) << raw;
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 414")) << raw;
  EXPECT_TRUE(Contains(raw, "\"code\":\"")) << raw;
  ASSERT_TRUE(server_.WaitForLog("status=414"));
  EXPECT_FALSE(Contains(server_.Log(), "status=404")) << server_.Log();

  // A request line the library cannot parse: the envelope, then the connection is closed at once.
  const auto start = std::chrono::steady_clock::now();
  std::string garbage = RawExchange(server_.port(), "THIS IS NOT HTTP\r\n\r\n", 3s);
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << "the connection stayed open after a malformed request";
}

// ---- Start-up failures: non-zero exit, one sentence, fast. ----

// The one "jim-edge: ..." sentence of a failed start; log lines written before the failure are allowed.
std::string OneSentence(const RunResult& r) {
  std::vector<std::string> sentences;
  for (auto& l : SplitLines(r.err)) {
    if (l.empty()) continue;
    if (l.starts_with("jim-edge: "))
      sentences.push_back(l);
    else
      EXPECT_TRUE(l.size() > 24 && l[4] == '-' && l[23] == 'Z') << "neither the sentence nor a log line: " << l;
  }
  EXPECT_EQ(sentences.size(), 1u) << "expected one sentence on stderr, got:\n" << r.err;
  return sentences.empty() ? std::string() : sentences.front();
}

RunResult Serve(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"serve", "--host", "127.0.0.1"};
  argv.insert(argv.end(), args.begin(), args.end());
  // A serve that should fail but starts would run forever: 5 s is far more than any failure needs.
  return RunJim(argv, {}, 5s);
}

TEST(StartupE2E, SecondServerOnTheSameDataDirFailsFastMentioningTheLock) {
  TempDir tmp;
  Server first(tmp / "data", tmp.path());
  ASSERT_TRUE(first.Start());
  const auto start = std::chrono::steady_clock::now();
  RunResult second = Serve({"--port", "0", "--data-dir", tmp / "data"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(second.timed_out);
  EXPECT_NE(second.exit_code, 0);
  EXPECT_TRUE(Contains(OneSentence(second), "locked")) << second.err;
  // The first server is unharmed.
  EXPECT_TRUE(HasStatus(Get(first.base_url() + "/api/v1/health/ready", ""), 200));
}

TEST(StartupE2E, PortHeldByAnotherProcessFailsWithOneSentence) {
  TempDir tmp;
  int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  RunResult r = Serve({"--port", port, "--data-dir", tmp / "data"});
  ::close(holder);
  EXPECT_FALSE(r.timed_out) << "jim-edge served on a port that is in use";
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(OneSentence(r), port)) << r.err;
}

// Regression: cpp-httplib's default socket options set SO_REUSEPORT, so a second jim-edge on a busy port
// bound successfully and the kernel split connections between two servers on different data dirs.
TEST(StartupE2E, PortHeldByAnotherJimEdgeFailsInsteadOfSharingIt) {
  TempDir tmp;
  Server first(tmp / "data1", tmp.path());
  ASSERT_TRUE(first.Start());
  const std::string port = std::to_string(first.port());
  RunResult r = Serve({"--port", port, "--data-dir", tmp / "data2"});
  EXPECT_FALSE(r.timed_out) << "a second jim-edge started on port " << port << " of a running one:\n" << r.err;
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(Contains(OneSentence(r), port)) << r.err;
}

TEST(StartupE2E, UnusableDataDirFailsWithOneSentence) {
  TempDir tmp;
  WriteFile(tmp / "plain-file", "not a directory");
  RunResult under_file = Serve({"--port", "0", "--data-dir", tmp / "plain-file/data"});
  EXPECT_FALSE(under_file.timed_out);
  EXPECT_NE(under_file.exit_code, 0);
  EXPECT_TRUE(Contains(OneSentence(under_file), "plain-file")) << under_file.err;

  RunResult is_file = Serve({"--port", "0", "--data-dir", tmp / "plain-file"});
  EXPECT_FALSE(is_file.timed_out);
  EXPECT_NE(is_file.exit_code, 0);
  EXPECT_TRUE(Contains(OneSentence(is_file), "plain-file")) << is_file.err;

  if (::geteuid() != 0) {  // root ignores directory permissions
    ::mkdir((tmp / "readonly").c_str(), 0500);
    RunResult readonly = Serve({"--port", "0", "--data-dir", tmp / "readonly/data"});
    EXPECT_NE(readonly.exit_code, 0);
    EXPECT_FALSE(OneSentence(readonly).empty());
  }
}

TEST(StartupE2E, BadFlagsExitNonZero) {
  TempDir tmp;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--no-such-flag"},
           {"--port", "70000"},
           {"--port", "eighty"},
           {"--log-format", "xml"},
           {"--threads", "0"},
           {"--timeout", "60"},
           {"--tls-cert", tmp / "missing.pem"},
       }) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--data-dir", tmp / "data"});
    RunResult r = Serve(full);
    EXPECT_FALSE(r.timed_out) << args.front();
    EXPECT_NE(r.exit_code, 0) << args.front() << " was accepted:\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << args.front();
  }
}

}  // namespace
}  // namespace jim::e2e
