// The http tier's second run on PostgreSQL (JIM_TEST_HTTP_STORE=postgresql, tests/http/CMakeLists.txt):
// without a database to run on, every test skips and says why, loudly, instead of failing to start.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

class PostgresModeCheck : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* url = std::getenv("JIM_TEST_DATABASE_URL");
    if (TestServer::OnPostgres() && (!url || !*url))
      GTEST_SKIP() << "JIM_TEST_HTTP_STORE=postgresql but JIM_TEST_DATABASE_URL is not set: the http tier is NOT "
                      "tested on PostgreSQL (scripts/test.sh starts a throwaway cluster and sets it)";
  }
};

[[maybe_unused]] ::testing::Environment* const kRegistered = ::testing::AddGlobalTestEnvironment(new PostgresModeCheck);

}  // namespace
}  // namespace jim::http::testing
