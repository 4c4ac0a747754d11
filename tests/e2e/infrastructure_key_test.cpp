// The infrastructure key is the operator's: the API cannot remove it (409), unsetting or changing
// JIM_INFRASTRUCTURE_API_KEY does, at the next start.
#include <filesystem>

#include "tests/e2e/harness.h"

namespace jim::e2e {
namespace {

TEST(InfrastructureKeyE2E, TheApiCannotRemoveItAndUnsettingTheVariableDoes) {
  TempDir tmp;
  const std::string infra = NewApiKey();
  Server server(tmp / "data", tmp.path());
  ASSERT_TRUE(server.Start({.env = {{"JIM_INFRASTRUCTURE_API_KEY", infra}}}));
  const std::string keys = server.base_url() + "/api/v1/apikeys";
  auto created = PostJson(keys, infra, R"({"name":"ops","roleIds":[1]})");
  ASSERT_TRUE(HasStatus(created, 201));
  const std::string ops = *Json(created.body).Str("key");
  std::string infra_id;
  {
    auto list = Get(keys, ops);
    ASSERT_TRUE(HasStatus(list, 200));
    Json j(list.body);
    for (auto item : j.root.get_array()) {
      std::string_view name, id;
      if (item["name"].get(name) == simdjson::SUCCESS && name == "Infrastructure Key" &&
          item["id"].get(id) == simdjson::SUCCESS)
        infra_id = std::string(id);
    }
  }
  ASSERT_FALSE(infra_id.empty());
  auto refused = Delete(keys + "/" + infra_id, ops);
  EXPECT_TRUE(IsEnvelope(refused, 409, "CONFLICT"));
  EXPECT_TRUE(Contains(refused.body, "JIM_INFRASTRUCTURE_API_KEY")) << refused.body;
  ASSERT_EQ(server.Stop(), 0);

  // Same variable: still there. No variable: gone, and the other administrator carries on.
  ASSERT_TRUE(server.Start({.env = {{"JIM_INFRASTRUCTURE_API_KEY", infra}}}));
  EXPECT_TRUE(HasStatus(Get(server.base_url() + "/api/v1/userinfo", infra), 200));
  ASSERT_EQ(server.Stop(), 0);
  ASSERT_TRUE(server.Start());
  EXPECT_TRUE(IsEnvelope(Get(server.base_url() + "/api/v1/userinfo", infra), 401, "UNAUTHORISED"));
  EXPECT_TRUE(HasStatus(Get(server.base_url() + "/api/v1/apikeys", ops), 200));
  EXPECT_FALSE(std::filesystem::exists(tmp / "data/initial-api-key")) << "another key exists: no bootstrap key";
  ASSERT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace jim::e2e
