// Regression: a server restarted while its disk was below the free-space floor exited at once
// ("cannot seed the built-in connector definitions: The store cannot write right now.") instead of
// serving reads with ready=503, because every start ran the built-in seeding and the infrastructure-key
// bootstrap as write transactions, and the store refuses every group below the floor, even an empty one.
// Found by tests/reliability/full_disk.py (restart while full). A start that changes nothing now writes
// nothing.
#include <gtest/gtest.h>

#include "core/api_key_service.h"
#include "core/connector_definition_service.h"
#include "core/crypto.h"
#include "store/system_ports.h"
#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;

constexpr const char* kInfraKey = "jim_ak_5555555555555555555555555555555555555555555555555555555555555555";

struct Start {
  explicit Start(RocksCatalog& catalog) : ctx{catalog, clock, entropy}, definitions(ctx), keys(ctx) {}
  SystemClock clock;
  OsEntropy entropy;
  core::ServiceContext ctx;
  core::ConnectorDefinitionService definitions;
  core::ApiKeyService keys;
};

TEST(RestartOnFullDisk, AStartThatChangesNothingSucceedsBelowTheFloor) {
  TempDir tmp;
  {
    auto catalog = MustOpen(tmp.path());
    ASSERT_TRUE(catalog);
    Start start(*catalog);
    ASSERT_TRUE(start.definitions.SeedBuiltIns().ok());
    ASSERT_TRUE(start.keys.EnsureInfrastructureKey(kInfraKey).ok());
  }
  StoreOptions options = Options(tmp.path());
  options.min_free_bytes = ~0ull;  // no disk has this much free: every write is refused
  auto catalog = MustOpen(options);
  ASSERT_TRUE(catalog);
  std::string reason;
  EXPECT_FALSE(catalog->IsWritable(&reason));
  Start start(*catalog);
  auto seeded = start.definitions.SeedBuiltIns();
  EXPECT_TRUE(seeded.ok()) << (seeded.ok() ? "" : seeded.error().message);
  auto infra = start.keys.EnsureInfrastructureKey(kInfraKey);
  EXPECT_TRUE(infra.ok()) << (infra.ok() ? "" : infra.error().message);
  auto initial = start.keys.EnsureInitialKey();
  ASSERT_TRUE(initial.ok());
  EXPECT_FALSE(initial->has_value());
  EXPECT_EQ(catalog->ListConnectorDefinitions().value().size(), 4u);
  EXPECT_TRUE(catalog->FindApiKeyByDigest(core::Sha256Hex(kInfraKey)).value());

  // A start that does need to write (a new infrastructure key) is still refused, not half-done.
  auto other = start.keys.EnsureInfrastructureKey(
      "jim_ak_6666666666666666666666666666666666666666666666666666666666666666");
  EXPECT_FALSE(other.ok());
}

}  // namespace
}  // namespace jim::store
