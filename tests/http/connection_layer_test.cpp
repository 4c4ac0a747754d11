// The connection layer on a raw socket (issue 14): pipelining, strict framing, bounded heads, Host and
// Location, request targets. Each test is named after what broke before jim-edge owned its connections.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

// One client connection written and read byte for byte, with a 5 s bound on every read.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }

  // False once the server has closed or reset the connection.
  bool Send(std::string_view bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // The next response (head and Content-Length body, none for a HEAD); nullopt at the end of the stream
  // or after 5 s.
  std::optional<Response> Read(bool to_head = false) {
    for (;;) {
      auto end = buf_.find("\r\n\r\n");
      if (end != std::string::npos) {
        Response head = ParseRawResponse(buf_.substr(0, end + 4));
        size_t length = head.HasHeader("Content-Length") ? std::stoul(head.Header("Content-Length")) : 0;
        if (head.status == 100 || to_head) length = 0;
        if (buf_.size() >= end + 4 + length) {
          Response r = ParseRawResponse(buf_.substr(0, end + 4 + length));
          buf_.erase(0, end + 4 + length);
          return r;
        }
      }
      if (!Fill()) return std::nullopt;
    }
  }

  // True when the server ends the stream (FIN or reset) within the read timeout, with no further bytes.
  bool ClosedByServer() {
    if (!buf_.empty()) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string HealthRequest(const std::string& request_id) {
  return "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nX-Request-Id: " + request_id + "\r\n\r\n";
}

std::string CreateRequest(const std::string& key, int64_t cs, const std::string& name, const std::string& extra = "") {
  const std::string body = R"({"name":")" + name + R"(","runType":"FullImport"})";
  return "POST " + TestServer::ProfilesPath(cs) + " HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + key +
         "\r\nContent-Type: application/json\r\n" + extra + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

int64_t ProfileCount(TestServer& srv, int64_t cs) {
  auto r = srv.Get(TestServer::ProfilesPath(cs));
  return r.status == 200 ? r.json.Size("") : -1;
}

using ConnectionLayerTest = ApiTest;

TEST_F(ConnectionLayerTest, HundredPipelinedRequestsInOneWriteGetHundredResponsesInOrder) {
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += HealthRequest("pipe-" + std::to_string(i));
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send(batch));
  for (int i = 0; i < 100; ++i) {
    auto r = conn.Read();
    ASSERT_TRUE(r.has_value()) << "response " << i << " missing";
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("X-Request-Id"), "pipe-" + std::to_string(i));
  }
  // And the connection still serves the next request.
  ASSERT_TRUE(conn.Send(HealthRequest("after")));
  auto r = conn.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Header("X-Request-Id"), "after");
}

TEST_F(ConnectionLayerTest, ThreePipelinedCreatesAllRun) {
  const int64_t cs = srv().CreateSystem("Pipelined", 1);
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send(CreateRequest(srv().admin_key, cs, "a") + CreateRequest(srv().admin_key, cs, "b") +
                        CreateRequest(srv().admin_key, cs, "c")));
  for (const char* name : {"a", "b", "c"}) {
    auto r = conn.Read();
    ASSERT_TRUE(r.has_value()) << name;
    EXPECT_EQ(r->status, 201) << r->body;
    EXPECT_EQ(r->json.Str("/name"), name);
  }
  EXPECT_EQ(ProfileCount(srv(), cs), 3);
}

TEST_F(ConnectionLayerTest, ARequestHiddenAtOffset4096OfABodyNeverRuns) {
  // cpp-httplib's own loop read each request through a fresh 4 KiB-buffered stream and resumed at byte
  // 4096: a DELETE placed there inside a create's body ran, and the create did not.
  const int64_t cs = srv().CreateSystem("Smuggling", 1);
  auto victim = srv().Post(TestServer::ProfilesPath(cs), R"({"name":"victim","runType":"FullImport"})");
  ASSERT_EQ(victim.status, 201);
  const std::string victim_path = TestServer::ProfilePath(cs, victim.json.Int("/id"));
  const std::string hidden =
      "DELETE " + victim_path + " HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + srv().admin_key + "\r\n\r\n";

  std::string first = "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nX-Pad: ";
  first += std::string(3000 - first.size() - 4, 'p') + "\r\n\r\n";
  ASSERT_EQ(first.size(), 3000u);
  const std::string prefix = "POST " + TestServer::ProfilesPath(cs) + " HTTP/1.1\r\nHost: t\r\nX-Api-Key: " +
                             srv().admin_key + "\r\nContent-Type: application/json\r\nContent-Length: ";
  // The create's body is a valid profile whose filePath carries the hidden request at stream offset 4096.
  std::string body;
  for (;;) {
    std::string head_guess = prefix + std::to_string(body.size()) + "\r\n\r\n";
    size_t body_start = first.size() + head_guess.size();
    std::string opening = R"({"name":"create","runType":"FullImport","filePath":")";
    size_t pad = 4096 - body_start - opening.size();
    std::string candidate = opening + std::string(pad, 'x') + hidden + R"("})";
    if (candidate.size() == body.size()) break;
    body = candidate;
  }
  std::string request = first + prefix + std::to_string(body.size()) + "\r\n\r\n" + body;
  ASSERT_EQ(request.substr(4096, 6), "DELETE");
  // The filePath holds CR LF, which JSON must escape: the create is a 400, not a 201 -- what matters is
  // that exactly two responses come back and the victim survives.
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send(request));
  auto r1 = conn.Read();
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(r1->status, 200);
  auto r2 = conn.Read();
  ASSERT_TRUE(r2.has_value());
  EXPECT_TRUE(r2->status == 201 || r2->status == 400) << r2->status << " " << r2->body;
  EXPECT_NE(r2->status, 204);
  EXPECT_EQ(srv().Get(victim_path).status, 200) << "the hidden DELETE ran";
}

TEST_F(ConnectionLayerTest, ValidInvalidValidAnswersTheFirstThenRefusesAndClosesAndNeverRunsTheThird) {
  const int64_t cs = srv().CreateSystem("Valid invalid valid", 1);
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send(CreateRequest(srv().admin_key, cs, "first") +
                        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n" +
                        CreateRequest(srv().admin_key, cs, "third")));
  auto first = conn.Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->status, 201);
  auto refused = conn.Read();
  ASSERT_TRUE(refused.has_value());
  EXPECT_ERROR(*refused, 400, "VALIDATION_ERROR");
  EXPECT_EQ(refused->Header("Connection"), "close");
  EXPECT_TRUE(conn.ClosedByServer());
  auto list = srv().Get(TestServer::ProfilesPath(cs));
  ASSERT_EQ(list.json.Size(""), 1) << list.body;
  EXPECT_EQ(list.json.Str("/0/name"), "first");
}

TEST_F(ConnectionLayerTest, AmbiguousFramingIs400AndClose) {
  const std::string key = srv().admin_key;
  const std::string post = "POST " + TestServer::kSystems + " HTTP/1.1\r\n";
  struct Case {
    std::string name, request;
    int status;
  };
  const std::vector<Case> cases = {
      {"two Content-Length", post + "Host: t\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400},
      {"differing Content-Length", post + "Host: t\r\nContent-Length: 2\r\nContent-Length: 38\r\n\r\n{}", 400},
      {"percent-encoded Content-Length", post + "Host: t\r\nContent-Length: %32\r\n\r\n{}", 400},
      {"obs-fold", "GET /api/v1/health HTTP/1.1\r\nHost: t\r\nX-A: b\r\n c\r\n\r\n", 400},
      {"space before colon", post + "Host: t\r\nTransfer-Encoding : chunked\r\nContent-Length: 2\r\n\r\n{}", 400},
      {"bare LF", "GET /api/v1/health HTTP/1.1\r\nHost: t\nContent-Length: 0\r\n\r\n", 400},
      {"bare CR", "GET /api/v1/health HTTP/1.1\r\nHost: t\rX: y\r\n\r\n", 400},
      {"two Host", "GET /api/v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
      {"no Host", "GET /api/v1/health HTTP/1.1\r\n\r\n", 400},
      {"Transfer-Encoding", post + "Host: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411},
      {"encoded key", "GET " + TestServer::kSystems + " HTTP/1.1\r\nHost: t\r\nX-Api-Key: jim%5Fak%5F" + key.substr(7) +
                          "\r\n\r\n", 400},
      {"key with encoded NUL", "GET " + TestServer::kSystems + " HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + key +
                                   "%00junk\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    RawConnection conn(srv().port());
    ASSERT_TRUE(conn.Send(c.request + HealthRequest("must-not-run")));
    auto r = conn.Read();
    ASSERT_TRUE(r.has_value()) << c.name;
    EXPECT_EQ(r->status, c.status) << c.name << ": " << r->body;
    EXPECT_TRUE(r->json.ok() && !r->json.Str("/message").empty()) << c.name << ": " << r->body;
    EXPECT_EQ(r->Header("Connection"), "close") << c.name;
    EXPECT_TRUE(conn.ClosedByServer()) << c.name;
  }
  EXPECT_EQ(srv().Get(TestServer::kSystems).json.Int("/totalCount"), 0) << "no refused create ran";
}

TEST_F(ConnectionLayerTest, AHeadPastTheCapIs431TheMomentItIsPassedNotAtItsEnd) {
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send("GET /api/v1/health HTTP/1.1\r\nHost: t\r\n"));
  // Stream header lines without ever ending the head: the answer comes while the client is still sending.
  const std::string line = "X-Flood: " + std::string(8000, 'f') + "\r\n";
  std::optional<Response> r;
  for (int i = 0; i < 64 && conn.Send(line); ++i) {
  }
  r = conn.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_ERROR(*r, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
  EXPECT_TRUE(conn.ClosedByServer());
}

class SlowHeadTest : public ApiTest {
 protected:
  TestServerOptions Options() override {
    TestServerOptions o;
    o.head_timeout_seconds = 1;
    return o;
  }
};

TEST_F(SlowHeadTest, AHeadTrickledPastItsDeadlineIs408AndClosed) {
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send("GET /api/v1/health HTTP/1.1\r\n"));
  // No more bytes: the server answers 408 once the head deadline (1 s) has passed.
  auto r = conn.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_ERROR(*r, 408, "REQUEST_TIMEOUT");
  EXPECT_TRUE(conn.ClosedByServer());
}

// Bodies that arrive slowly are buffered by the event loop; their declared lengths share one budget, so many
// slow uploads cannot fill the server's memory (each would otherwise hold up to --max-body-bytes).
class BodyBudgetTest : public ApiTest {
 protected:
  TestServerOptions Options() override {
    TestServerOptions o;
    o.max_body_bytes = 8192;
    o.max_buffered_body_bytes = 16384;  // two of the largest bodies at once
    return o;
  }
};

TEST_F(BodyBudgetTest, BodiesBeingReadShareABudgetAndTheOneThatWouldPassItIs503) {
  const int64_t cs = srv().CreateSystem("Budget", 1);
  const std::string json = R"({"name":"slow","runType":"FullImport"})";
  const std::string body = json + std::string(8000 - json.size(), ' ');
  const auto head = [&](size_t length) {
    return "POST " + TestServer::ProfilesPath(cs) + " HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + srv().admin_key +
           "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + std::to_string(length) +
           "\r\n\r\n";
  };
  // The server answers 100 Continue once it has taken a body's length into the budget: that orders the steps.
  const auto start_slow_upload = [&](RawConnection& conn) {
    ASSERT_TRUE(conn.Send(head(body.size()) + body.substr(0, 100)));
    auto r = conn.Read();
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 100);
  };
  const auto finish_upload = [&](RawConnection& conn) {
    ASSERT_TRUE(conn.Send(body.substr(100)));
    auto r = conn.Read();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 201) << r->body;
  };
  RawConnection a(srv().port()), b(srv().port());
  start_slow_upload(a);
  start_slow_upload(b);  // 16,000 of 16,384 bytes reserved

  RawConnection refused(srv().port());
  ASSERT_TRUE(refused.Send(head(body.size()) + body.substr(0, 100)));
  auto r = refused.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_ERROR(*r, 503, "SERVICE_UNAVAILABLE");
  EXPECT_EQ(r->Header("Retry-After"), "5");
  EXPECT_TRUE(refused.ClosedByServer());

  // A body that arrives whole with its head is not buffered waiting, so it does not wait for the budget.
  RawConnection whole(srv().port());
  ASSERT_TRUE(whole.Send(CreateRequest(srv().admin_key, cs, "whole")));
  r = whole.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 201) << r->body;

  // A finished upload gives its share back: the next slow one is taken.
  finish_upload(a);
  RawConnection next(srv().port());
  start_slow_upload(next);
  finish_upload(next);
  finish_upload(b);
  EXPECT_EQ(ProfileCount(srv(), cs), 4);
}

TEST_F(ConnectionLayerTest, LocationUsesAValidHostAndNothingFromHostIsStored) {
  const int64_t cs = srv().CreateSystem("Locations", 1);
  const std::string idem = "Idempotency-Key: same-request\r\n";
  RawConnection first(srv().port());
  ASSERT_TRUE(first.Send(CreateRequest(srv().admin_key, cs, "loc", idem)));  // Host: t
  auto created = first.Read();
  ASSERT_TRUE(created.has_value());
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(created->Header("Location"), "http://t" + TestServer::ProfilePath(cs, created->json.Int("/id")));

  // The replay answers with the replaying request's Host: the first request's Host was not stored.
  std::string replay = CreateRequest(srv().admin_key, cs, "loc", idem);
  replay.replace(replay.find("Host: t"), 7, "Host: jim.example.com:8443");
  RawConnection second(srv().port());
  ASSERT_TRUE(second.Send(replay));
  auto replayed = second.Read();
  ASSERT_TRUE(replayed.has_value());
  EXPECT_EQ(replayed->status, 201);
  EXPECT_EQ(replayed->Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(replayed->Header("Location"),
            "http://jim.example.com:8443" + TestServer::ProfilePath(cs, created->json.Int("/id")));

  // An empty Host (valid in HTTP/1.1) gives a relative Location.
  std::string relative = CreateRequest(srv().admin_key, cs, "rel");
  relative.replace(relative.find("Host: t"), 7, "Host: ");
  RawConnection third(srv().port());
  ASSERT_TRUE(third.Send(relative));
  auto rel = third.Read();
  ASSERT_TRUE(rel.has_value());
  ASSERT_EQ(rel->status, 201);
  EXPECT_EQ(rel->Header("Location"), TestServer::ProfilePath(cs, rel->json.Int("/id")));

  // A Host that decodes to CR LF is refused, not decoded.
  std::string crlf = CreateRequest(srv().admin_key, cs, "crlf");
  crlf.replace(crlf.find("Host: t"), 7, "Host: a%0d%0ab");
  RawConnection fourth(srv().port());
  ASSERT_TRUE(fourth.Send(crlf));
  auto bad = fourth.Read();
  ASSERT_TRUE(bad.has_value());
  EXPECT_ERROR(*bad, 400, "VALIDATION_ERROR");
}

class PublicUrlTest : public ApiTest {
 protected:
  TestServerOptions Options() override {
    TestServerOptions o;
    o.public_url = "https://jim.example.com/";
    return o;
  }
};

TEST_F(PublicUrlTest, PublicUrlIsTheBaseOfEveryLocationWhateverTheHost) {
  const int64_t cs = srv().CreateSystem("Public", 1);
  std::string request = CreateRequest(srv().admin_key, cs, "p");
  request.replace(request.find("Host: t"), 7, "Host: evil.example.com");
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send(request));
  auto r = conn.Read();
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 201);
  EXPECT_EQ(r->Header("Location"), "https://jim.example.com" + TestServer::ProfilePath(cs, r->json.Int("/id")));
}

TEST_F(ConnectionLayerTest, EncodedSlashIsNotASeparatorAndSegmentsAreDecodedOnce) {
  const int64_t cs = srv().CreateSystem("Targets", 1);
  EXPECT_ERROR(srv().Get("/api/v1/synchronisation%2Fconnected-systems/" + std::to_string(cs) + "/run-profiles"), 404,
               "NOT_FOUND");
  EXPECT_ERROR(srv().Get("/api/v1/synchronisation%5Cconnected-systems/" + std::to_string(cs) + "/run-profiles"), 404,
               "NOT_FOUND");
  EXPECT_ERROR(srv().Get(TestServer::kConnectors + "/by-name/JIM%2520File%2520Connector"), 404, "NOT_FOUND");
  auto once = srv().Get(TestServer::kConnectors + "/by-name/JIM%20File%20Connector");
  EXPECT_EQ(once.status, 200);
  EXPECT_EQ(once.json.Str("/name"), "JIM File Connector");
  EXPECT_EQ(srv().Get("/api/v1/%73ynchronisation/connected-systems/" + std::to_string(cs)).status, 200)
      << "an encoded unreserved character is the same segment";
}

TEST_F(ConnectionLayerTest, AbsoluteFormTargetsAreServed) {
  RawConnection conn(srv().port());
  ASSERT_TRUE(conn.Send("GET http://jim.example.com/api/v1/synchronisation/connector-definitions/1 HTTP/1.1\r\n"
                        "Host: t\r\nX-Api-Key: " + srv().admin_key + "\r\n\r\n"));
  auto r = conn.Read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->json.Int("/id"), 1);
}

TEST_F(ConnectionLayerTest, HeadWorksOnEveryGetRouteWithHeadersAndNoBody) {
  const int64_t cs = srv().CreateSystem("Head", 1);
  auto created = srv().Post(TestServer::ProfilesPath(cs), R"({"name":"h","runType":"FullImport"})");
  ASSERT_EQ(created.status, 201);
  const std::string profile = TestServer::ProfilePath(cs, created.json.Int("/id"));
  for (const std::string& path : {std::string("/api/v1/health"), TestServer::kConnectors, TestServer::SystemPath(cs),
                                 TestServer::ProfilesPath(cs), profile}) {
    auto get = srv().Get(path);
    ASSERT_EQ(get.status, 200) << path;
    RawConnection conn(srv().port());
    ASSERT_TRUE(conn.Send("HEAD " + path + " HTTP/1.1\r\nHost: t\r\nX-Api-Key: " + srv().admin_key +
                          "\r\n\r\n" + HealthRequest("after-head")));
    auto head = conn.Read(/*to_head=*/true);
    ASSERT_TRUE(head.has_value()) << path;
    EXPECT_EQ(head->status, 200) << path;
    EXPECT_EQ(head->Header("Content-Length"), std::to_string(get.body.size())) << path;
    EXPECT_EQ(head->Header("Content-Type"), get.Header("Content-Type")) << path;
    if (path == profile) {
      EXPECT_EQ(head->Header("ETag"), get.Header("ETag"));
    }
    // No body: the next bytes on the wire are the next response.
    auto next = conn.Read();
    ASSERT_TRUE(next.has_value()) << path;
    EXPECT_EQ(next->Header("X-Request-Id"), "after-head") << path;
  }
  auto r = srv().Send("POST", "/api/v1/health", "{}", "");
  EXPECT_ERROR(r, 405, "METHOD_NOT_ALLOWED");
  EXPECT_NE(r.Header("Allow").find("HEAD"), std::string::npos) << r.Header("Allow");
}

}  // namespace
}  // namespace jim::http::testing
