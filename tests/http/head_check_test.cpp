// The strict head check (http/head_check.h) as a pure function: every framing rule of RFC 9112 that
// jim-edge enforces, without a socket. The raw-socket behaviour is in connection_layer_test.cpp.
#include "http/head_check.h"

#include <gtest/gtest.h>

#include <string>

namespace jim::http {
namespace {

HeadVerdict Check(const std::string& head, HeadLimits limits = {}) { return CheckHead(head, limits); }

void ExpectRejected(const std::string& head, int status, const std::string& why) {
  HeadVerdict v = Check(head);
  EXPECT_EQ(v.status, HeadStatus::kRejected) << why;
  EXPECT_EQ(v.http_status, status) << why << ": " << v.message;
  EXPECT_FALSE(v.message.empty()) << why;
}

using namespace std::string_literals;

TEST(HeadCheckTest, AcceptsAWellFormedHeadAndReportsItsFraming) {
  const std::string head =
      "POST /api/v1/x HTTP/1.1\r\nHost: jim.example.com:8080\r\nContent-Length: 12\r\nContent-Type: application/json\r\n\r\n";
  const std::string bytes = head + "{\"a\":\"bcd\"}!GET / HTTP/1.1\r\n";  // the views point into it
  HeadVerdict v = Check(bytes);
  ASSERT_EQ(v.status, HeadStatus::kComplete) << v.message;
  EXPECT_EQ(v.head_bytes, head.size());
  EXPECT_TRUE(v.has_content_length);
  EXPECT_EQ(v.content_length, 12u);
  EXPECT_EQ(v.method, "POST");
  EXPECT_EQ(v.target, "/api/v1/x");
  EXPECT_EQ(v.authority, "jim.example.com:8080");
  EXPECT_TRUE(v.authority_valid);
  EXPECT_TRUE(v.keep_alive);
}

TEST(HeadCheckTest, EveryPrefixOfAValidHeadIsIncompleteNotRejected) {
  const std::string head = "GET /api/v1/health HTTP/1.1\r\nHost: a\r\nX-Api-Key: k\r\n\r\n";
  for (size_t n = 0; n < head.size(); ++n)
    EXPECT_EQ(Check(head.substr(0, n)).status, HeadStatus::kIncomplete) << "prefix of " << n << " bytes";
  EXPECT_EQ(Check(head).status, HeadStatus::kComplete);
}

TEST(HeadCheckTest, LeadingEmptyLinesAreSkippedAndCounted) {
  HeadVerdict v = Check("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(v.status, HeadStatus::kComplete) << v.message;
  EXPECT_EQ(v.head_bytes, 4 + std::string("GET / HTTP/1.1\r\nHost: a\r\n\r\n").size());
}

TEST(HeadCheckTest, AFieldLineTheLibraryWouldCallMalformedIs431) {
  const std::string at_limit = "X-Request-Id: " + std::string(8190 - 14, 'a');
  EXPECT_EQ(Check("GET / HTTP/1.1\r\nHost: a\r\n" + at_limit + "\r\n\r\n").status, HeadStatus::kComplete);
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\n" + at_limit + "a\r\n\r\n", 431, "one byte over");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + std::string(20000, 'a') + "\r\n\r\n", 431, "far over");
}

TEST(HeadCheckTest, AnEmptyIdempotencyKeyOrIfMatchIsRefusedNotDropped) {
  ExpectRejected("PUT / HTTP/1.1\r\nHost: a\r\nIf-Match: \r\n\r\n"s, 400, "empty If-Match");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nIdempotency-Key:\r\n\r\n"s, 400, "empty");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nidempotency-key:  \t \r\n\r\n"s, 400, "only whitespace");
  EXPECT_EQ(Check("POST / HTTP/1.1\r\nHost: a\r\nIdempotency-Key: k\r\n\r\n").status, HeadStatus::kComplete);
  EXPECT_EQ(Check("POST / HTTP/1.1\r\nHost: a\r\nX-Other:\r\n\r\n").status, HeadStatus::kComplete)
      << "other empty fields are allowed (RFC 9110 5.5)";
}

TEST(HeadCheckTest, AmbiguousContentLengthIsRefused) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400, "two equal");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 38\r\n\r\n", 400, "two differ");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %33%38\r\n\r\n", 400, "percent-encoded");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400, "sign");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400, "list");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400, "hex");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400, "empty");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9999999999999999999999\r\n\r\n", 400, "overflow");
}

TEST(HeadCheckTest, AnyTransferEncodingIsLengthRequired) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "chunked");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ntransfer-encoding: identity\r\n\r\n", 411, "both");
}

TEST(HeadCheckTest, WhitespaceBeforeTheColonIsRefused) {
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400, "space");
  ExpectRejected("POST / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\n", 400, "tab");
}

TEST(HeadCheckTest, ObsFoldIsRefused) {
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", 400, "space fold");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n", 400, "tab fold");
}

TEST(HeadCheckTest, BareLineEndsAreRefusedAsSoonAsTheyArrive) {
  // As soon as the bare LF is seen: no need to wait for the end of a head that will be refused anyway.
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\nContent-Length: 5\r\n", 400, "bare LF in a field");
  ExpectRejected("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF after the request line");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\n\n", 400, "bare LF as the blank line");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400, "bare CR");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nX-Api-Key: k\0junk\r\n\r\n"s, 400, "NUL");
}

TEST(HeadCheckTest, HostMustBeExactlyOneValidAuthorityOnHttp11) {
  ExpectRejected("GET / HTTP/1.1\r\n\r\n", 400, "no Host");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two Host");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a%0d%0ab\r\n\r\n", 400, "encoded CR LF");
  ExpectRejected("GET / HTTP/1.1\r\nHost: evil.example.com/path\r\n\r\n", 400, "path in Host");
  ExpectRejected("GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n", 400, "port out of range");
  ExpectRejected("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", 400, "userinfo");
  EXPECT_EQ(Check("GET / HTTP/1.0\r\n\r\n").status, HeadStatus::kComplete) << "HTTP/1.0 needs no Host";
  HeadVerdict empty = Check("GET / HTTP/1.1\r\nHost: \r\n\r\n");
  ASSERT_EQ(empty.status, HeadStatus::kComplete) << "an empty Host is valid (RFC 9112 3.2)";
  EXPECT_FALSE(empty.authority_valid);
  const std::string ipv6 = "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n";
  HeadVerdict v6 = Check(ipv6);
  ASSERT_EQ(v6.status, HeadStatus::kComplete);
  EXPECT_EQ(v6.authority, "[::1]:8080");
}

TEST(HeadCheckTest, FieldsTheServerReliesOnAreNeverPercentEncodedOrRepeated) {
  for (std::string name : {"X-Api-Key", "Idempotency-Key", "If-Match", "Content-Type"}) {
    ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\n" + name + ": jim%5Fak%5F00\r\n\r\n", 400, name + " encoded");
    ExpectRejected("GET / HTTP/1.1\r\nHost: a\r\n" + name + ": a\r\n" + name + ": b\r\n\r\n", 400, name + " twice");
  }
  // Other fields are opaque bytes: a "%" there is nobody's business.
  EXPECT_EQ(Check("GET / HTTP/1.1\r\nHost: a\r\nUser-Agent: 100%\r\n\r\n").status, HeadStatus::kComplete);
}

TEST(HeadCheckTest, TheHeadSizeCapIsEnforcedBeforeTheHeadEnds) {
  HeadLimits limits;
  limits.max_head_bytes = 1024;
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n";
  while (head.size() <= 1024) head += "X-Filler: " + std::string(100, 'x') + "\r\n";
  HeadVerdict v = CheckHead(head, limits);  // no blank line yet
  EXPECT_EQ(v.status, HeadStatus::kRejected);
  EXPECT_EQ(v.http_status, 431);
  std::string small = "GET / HTTP/1.1\r\nHost: a\r\n";
  for (int i = 0; i < 101; ++i) small += "X: 1\r\n";
  EXPECT_EQ(Check(small + "\r\n").http_status, 431) << "more than 100 fields";
}

TEST(HeadCheckTest, RequestTargets) {
  const std::string absolute = "GET http://jim.example.com:8080/api/v1/health?x=1 HTTP/1.1\r\nHost: other\r\n\r\n";
  HeadVerdict abs = Check(absolute);
  ASSERT_EQ(abs.status, HeadStatus::kComplete) << abs.message;
  EXPECT_EQ(abs.target, "http://jim.example.com:8080/api/v1/health?x=1");
  EXPECT_EQ(abs.authority, "jim.example.com:8080") << "absolute-form's authority wins over Host (RFC 9112 3.2.2)";
  ExpectRejected("GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "other scheme");
  ExpectRejected("GET api/v1 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "relative");
  ExpectRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "asterisk on GET");
  ExpectRejected("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "long target");
  ExpectRejected("GET /" + std::string(9000, 'a'), 414, "long target, still arriving");
  ExpectRejected("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400, "version");
  ExpectRejected("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "two spaces");
  ExpectRejected("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "space in target");
}

TEST(HeadCheckTest, ConnectionAndExpect) {
  EXPECT_FALSE(Check("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").keep_alive);
  EXPECT_FALSE(Check("GET / HTTP/1.1\r\nHost: a\r\nConnection: te, close\r\n\r\n").keep_alive);
  EXPECT_FALSE(Check("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(Check("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
  EXPECT_TRUE(Check("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n").expect_continue);
}

TEST(HeadCheckTest, AuthorityValidation) {
  for (const char* ok : {"a", "a:1", "jim.example.com", "127.0.0.1:8080", "[::1]", "[fe80::1]:443", "x_y-z.local"})
    EXPECT_TRUE(IsValidAuthority(ok)) << ok;
  for (const char* bad : {"", ":80", "a:", "a:b", "a b", "a/b", "a%20b", "[::1", "[zz::1]", "a:123456", "a\r\nb"})
    EXPECT_FALSE(IsValidAuthority(bad)) << bad;
}

}  // namespace
}  // namespace jim::http
