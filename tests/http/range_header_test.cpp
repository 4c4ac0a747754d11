// Regression: cpp-httplib 0.11.4 applies a Range header to every 2xx answer and to error envelopes, so
// "Range: bytes=0-1" turned a JSON answer into the fragment `{"` (206), and a malformed Range got a 416
// whose body was the envelope cut to the ranges parsed so far. Found by tests/reliability/hostile_clients.py
// (its malformed-request corpus). The server now ignores ranges (RFC 9110 allows it).
#include <gtest/gtest.h>

#include "test_server.h"

namespace jim::http::testing {
namespace {

TEST(RangeHeader, AValidRangeIsIgnoredAndTheWholeJsonIsServed) {
  TestServer srv;
  Response r = srv.Send("GET", "/api/v1/synchronisation/connector-definitions", "", srv.admin_key,
                        {{"Range", "bytes=0-1"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.HasHeader("Content-Range"));
  ASSERT_TRUE(r.json.ok()) << r.body;
  Response multi = srv.Send("GET", "/api/v1/health", "", "", {{"Range", "bytes=0-0,2-3"}});
  EXPECT_EQ(multi.status, 200);
  EXPECT_TRUE(multi.json.ok()) << multi.body;
}

TEST(RangeHeader, AMalformedRangeGetsTheWholeEnvelope) {
  TestServer srv;
  for (const char* range : {"bytes=0-1,5-2", "bytes=x", "bytes=0-1,5-2,-9999999999999999"}) {
    SCOPED_TRACE(range);
    Response r = ParseRawResponse(srv.RawExchange(std::string("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nRange: ") +
                                                  range + "\r\nConnection: close\r\n\r\n"));
    EXPECT_EQ(r.status, 416);
    ASSERT_TRUE(r.json.ok()) << r.body;
    EXPECT_EQ(r.json.Str("/code"), "RANGE_NOT_SATISFIABLE");
  }
}

}  // namespace
}  // namespace jim::http::testing
