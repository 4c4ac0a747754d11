// Authentication, authorisation and rate limits (API.md section 2), table-driven over the server's own
// route table so that a route added later cannot forget auth.
#include <gtest/gtest.h>

#include <set>

#include "tests/http/test_server.h"

namespace jim::http::testing {
namespace {

// The world every route's path parameters point into: connector 1, system 1 with partition 1 and run
// profile 1, the reader key and an activity.
class AuthTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ASSERT_EQ(srv().CreateSystem("LDAP", 1), 1);
    ASSERT_EQ(srv().CreatePartition(1, "Users"), 1);
    ASSERT_EQ(srv().CreateProfile(1, R"({"name":"Full","runType":"FullImport"})"), 1);
    // A custom connector: the built-ins never change, so they have no change history to read.
    auto custom = srv().Post(TestServer::kConnectors, R"({"name":"Custom","supportsFullImport":true})");
    ASSERT_EQ(custom.status, 201);
    custom_connector_ = std::to_string(custom.json.Int("/id"));
    activity_id_ = srv().Get("/api/v1/activities?pageSize=1").json.Str("/items/0/id");
    ASSERT_TRUE(IsUuidText(activity_id_));
  }

  // The route's pattern with every parameter filled with an existing resource.
  std::string PathOf(const Route& route) {
    std::string out;
    size_t start = 0;
    while (start < route.pattern.size()) {
      size_t open = route.pattern.find('{', start);
      if (open == std::string::npos) {
        out += route.pattern.substr(start);
        break;
      }
      out += route.pattern.substr(start, open - start);
      size_t close = route.pattern.find('}', open);
      const std::string kind = route.pattern.substr(open, close - open + 1);
      const bool history = route.pattern.find("/change-history") != std::string::npos;
      if (kind == "{int}" && history && route.pattern.find("/connector-definitions/") != std::string::npos)
        out += custom_connector_;
      else if (kind == "{int}") out += "1";
      else if (kind == "{str}" && history) out += "1";  // a version
      else if (kind == "{str}") out += "JIM%20LDAP%20Connector";
      else if (kind == "{uuid}") out += route.pattern.find("/activities/") != std::string::npos ? activity_id_ : srv().reader_id;
      else ADD_FAILURE() << "unknown parameter " << kind << " in " << route.pattern;
      start = close + 1;
    }
    if (out.ends_with("/change-history/compare")) out += "?fromVersion=1&toVersion=1";
    return out;
  }
  Response Call(const Route& route, const std::string& key, httplib::Headers extra = {}) {
    return srv().Send(route.method, PathOf(route), route.has_body() ? "{}" : "", key, std::move(extra));
  }

  std::string activity_id_;
  std::string custom_connector_;
};

void Expect401(const Response& r) {
  EXPECT_ERROR(r, 401, "UNAUTHORISED");
  EXPECT_EQ(r.json.Str("/message"), "Authentication required");
  EXPECT_EQ(r.Header("WWW-Authenticate"), "ApiKey header=\"X-Api-Key\"");
}

TEST_F(AuthTest, OnlyTheHealthOpenApiAndMetricsRoutesAreAnonymous) {
  std::set<std::string> anonymous, authenticated;
  for (const Route& route : srv().server().router().routes()) {
    if (route.role == Role::kAnonymous) anonymous.insert(route.method + " " + route.pattern);
    if (route.role == Role::kAuthenticated) authenticated.insert(route.method + " " + route.pattern);
  }
  EXPECT_EQ(anonymous, (std::set<std::string>{"GET /api/v1/health", "GET /api/v1/health/live",
                                              "GET /api/v1/health/ready", "GET /api/v1/health/version",
                                              "GET /api/openapi/v1.json", "GET /metrics"}));
  EXPECT_EQ(authenticated, (std::set<std::string>{"GET /api/v1/userinfo"}));
  EXPECT_GE(srv().server().router().routes().size(), 35u);
}

TEST_F(AuthTest, EveryProtectedRouteRefusesMissingMalformedUnknownDisabledAndExpiredKeys) {
  store::OsEntropy entropy;
  const std::string unknown = core::GenerateApiKey(entropy);
  std::string upper_hex = srv().admin_key;
  for (size_t i = 7; i < upper_hex.size(); ++i) upper_hex[i] = static_cast<char>(std::toupper(upper_hex[i]));
  const std::vector<std::pair<std::string, std::string>> bad_keys = {
      {"missing", ""},
      {"malformed", "jim_ak_123"},
      {"malformed (bearer)", "Bearer " + srv().admin_key},
      {"malformed (upper-case hex)", upper_hex},
      {"malformed (one char short)", srv().admin_key.substr(0, srv().admin_key.size() - 1)},
      {"unknown", unknown},
      {"disabled", srv().disabled_key},
      {"expired", srv().expired_key},
  };
  int checked = 0;
  for (const Route& route : srv().server().router().routes()) {
    if (route.role == Role::kAnonymous) continue;
    SCOPED_TRACE(route.method + " " + route.pattern);
    for (const auto& [what, key] : bad_keys) {
      SCOPED_TRACE(what);
      Expect401(Call(route, key));
    }
    auto reader = Call(route, srv().reader_key);
    if (route.role == Role::kAuthenticated) {
      EXPECT_EQ(reader.status, 200);
    } else {
      EXPECT_ERROR(reader, 403, "FORBIDDEN");
      EXPECT_EQ(reader.json.Str("/message"), "Insufficient permissions (Administrator role required)");
      EXPECT_FALSE(reader.HasHeader("WWW-Authenticate"));
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(srv().server().router().routes().size()) - 6);
  // Nothing was changed by any refused request.
  EXPECT_EQ(srv().Get(TestServer::ProfilesPath(1)).json.Size(), 1);
  EXPECT_EQ(srv().Get(TestServer::kSystems).json.Int("/totalCount"), 1);
  EXPECT_EQ(srv().Get("/api/v1/apikeys").json.Size(), 5);
}

TEST_F(AuthTest, EveryReadRouteAnswersAnAdministrator) {
  for (const Route& route : srv().server().router().routes()) {
    if (route.method != "GET") continue;
    SCOPED_TRACE(route.pattern);
    EXPECT_EQ(Call(route, srv().admin_key).status, 200);
    // The header name is case-insensitive.
    EXPECT_EQ(srv().Send("GET", PathOf(route), "", "", {{"x-api-key", srv().admin_key}}).status, 200);
  }
}

TEST_F(AuthTest, AnonymousRoutesAnswerWithoutAKey) {
  for (const Route& route : srv().server().router().routes()) {
    if (route.role != Role::kAnonymous) continue;
    SCOPED_TRACE(route.pattern);
    EXPECT_EQ(Call(route, "").status, 200);
    // A bad key on an anonymous route is ignored rather than refused.
    EXPECT_EQ(Call(route, "jim_ak_bogus").status, 200);
  }
}

class RateLimitTest : public ApiTest {
 protected:
  TestServerOptions Options() override {
    TestServerOptions o;
    o.rate_limit_per_key = 5;
    o.rate_limit_per_ip = 3;
    return o;
  }
};

void Expect429(const Response& r) {
  EXPECT_ERROR(r, 429, "TOO_MANY_REQUESTS");
  const std::string retry = r.Header("Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_TRUE(std::all_of(retry.begin(), retry.end(), ::isdigit)) << retry;
  EXPECT_GE(std::stoi(retry), 1);
  EXPECT_LE(std::stoi(retry), 60);
}

TEST_F(RateLimitTest, SixthRequestOfAKeyWithinAMinuteIs429) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(srv().Get(TestServer::kSystems).status, 200) << i;
  Expect429(srv().Get(TestServer::kSystems));
  Expect429(srv().Post(TestServer::kSystems, R"({"name":"x","connectorDefinitionId":1})"));
  EXPECT_EQ(srv().Get(TestServer::kSystems, srv().infra_key).json.Int("/totalCount"), 0) << "nothing was written";
  // Other keys have their own budget; health is never limited.
  EXPECT_EQ(srv().Get("/api/v1/userinfo", srv().reader_key).status, 200);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(srv().Get("/api/v1/health", "").status, 200);
}

TEST_F(RateLimitTest, InfrastructureKeyIsExempt) {
  for (int i = 0; i < 25; ++i) EXPECT_EQ(srv().Get(TestServer::kSystems, srv().infra_key).status, 200) << i;
}

TEST_F(RateLimitTest, FailedAuthenticationIsLimitedPerClientIp) {
  for (int i = 0; i < 3; ++i) Expect401(srv().Get(TestServer::kSystems, ""));
  Expect429(srv().Get(TestServer::kSystems, ""));
  Expect429(srv().Get(TestServer::kSystems, "jim_ak_malformed"));
  Expect429(srv().Get(TestServer::kSystems, srv().disabled_key));
  // A valid key from the same address is not affected, and health never is.
  EXPECT_EQ(srv().Get(TestServer::kSystems, srv().infra_key).status, 200);
  EXPECT_EQ(srv().Get(TestServer::kSystems).status, 200);
  EXPECT_EQ(srv().Get("/api/v1/health/ready", "").status, 200);
}

}  // namespace
}  // namespace jim::http::testing
