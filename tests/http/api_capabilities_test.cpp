// GET .../connected-systems/{id}/capabilities: JIM's route, answered with JIM's empty result because
// jim-edge never connects to a target system (docs/api.md).
#include <gtest/gtest.h>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

using CapabilitiesTest = ApiTest;

TEST_F(CapabilitiesTest, KnownSystemAnswersAnEmptyArrayUnknownIs404) {
  const int64_t cs = srv().CreateSystem("Corporate LDAP", 1);
  auto r = srv().Get(TestServer::SystemPath(cs) + "/capabilities");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "[]");
  EXPECT_ERROR(srv().Get(TestServer::SystemPath(999) + "/capabilities"), 404, "NOT_FOUND");
  EXPECT_ERROR(srv().Get(TestServer::SystemPath(cs) + "/capabilities", srv().reader_key), 403, "FORBIDDEN");
  auto wrong = srv().Post(TestServer::SystemPath(cs) + "/capabilities", "{}");
  EXPECT_ERROR(wrong, 405, "METHOD_NOT_ALLOWED");
}

}  // namespace
}  // namespace jim::http::testing
