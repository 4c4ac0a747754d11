// Regression: cpp-httplib 0.11.4 limits each header line to 8 KiB but not their number, and the server
// answered 200 to a request with 10,000 header fields. Found by tests/reliability/hostile_clients.py.
// More than 100 fields now get a 431 envelope and the connection is closed, from the connection loop's head
// check, before cpp-httplib parses anything; exactly 100 are served (cpp-httplib's own pseudo headers, such
// as REMOTE_ADDR, do not count against the client).
#include <gtest/gtest.h>

#include "test_server.h"

namespace jim::http::testing {
namespace {

TEST(HeaderCount, MoreThanAHundredFieldsGet431) {
  TestServer srv;
  std::string many = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 10'000; ++i) many += "X-F" + std::to_string(i) + ": v\r\n";
  Response r = ParseRawResponse(srv.RawExchange(many + "\r\n"));
  EXPECT_EQ(r.status, 431);
  ASSERT_TRUE(r.json.ok()) << r.body;
  EXPECT_EQ(r.json.Str("/code"), "REQUEST_HEADER_FIELDS_TOO_LARGE");
  EXPECT_EQ(r.Header("Connection"), "close");

  // The boundary: Host, Connection and 98 more are 100 fields; one more is 101.
  std::string fine = "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (int i = 0; i < 98; ++i) fine += "X-F" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(ParseRawResponse(srv.RawExchange(fine + "\r\n")).status, 200);
  Response over = ParseRawResponse(srv.RawExchange(fine + "X-One-More: v\r\n\r\n"));
  EXPECT_EQ(over.status, 431);
  EXPECT_EQ(over.json.Str("/code"), "REQUEST_HEADER_FIELDS_TOO_LARGE");
}

}  // namespace
}  // namespace jim::http::testing
