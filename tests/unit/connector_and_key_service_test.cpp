#include "core/crypto.h"
#include "tests/unit/service_fixture.h"

namespace jim::testing {
namespace {

using core::ErrorCode;

// The last enabled, unexpired Administrator key cannot be removed: tests that take one away keep another.
void KeepAnotherAdministrator(core::ApiKeyService& keys, const core::Actor& actor) {
  core::CreateApiKeyInput in;
  in.name = "keeper";
  in.role_ids = std::vector<int64_t>{core::kAdministratorRoleId};
  ASSERT_TRUE(keys.Create(actor, in).ok());
}

TEST_F(ServiceTest, BuiltInsAreSeededOnceAndReconciled) {
  EXPECT_EQ(catalog.ListConnectorDefinitions().value().size(), 4u);
  ASSERT_TRUE(definitions.SeedBuiltIns().ok());  // idempotent
  EXPECT_EQ(catalog.ListConnectorDefinitions().value().size(), 4u);
  // A tampered built-in is put back as this version ships it.
  ASSERT_TRUE(catalog.Transact([](core::Transaction& tx) {
    auto d = tx.FindConnectorDefinition(2);
    d->capabilities.delta_import = true;
    tx.Put(*d);
    return core::OkStatus();
  }).ok());
  ASSERT_TRUE(definitions.SeedBuiltIns().ok());
  EXPECT_FALSE(catalog.GetConnectorDefinition(2).value()->capabilities.delta_import);
  auto list = definitions.List().value();
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].definition.name, "JIM File Connector");  // ordered by name
}

TEST_F(ServiceTest, BuiltInsAreImmutableAndCustomOnesManageable) {
  core::ConnectorDefinitionInput up;
  up.description = "changed";
  EXPECT_EQ(definitions.Update(admin, 1, up).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(definitions.Delete(admin, 1).error().code, ErrorCode::kInvalidArgument);

  core::ConnectorDefinitionInput in;
  in.name = "Acme";
  in.capabilities.full_import = true;
  auto created = definitions.Create(admin, in);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->definition.id, 5);
  EXPECT_FALSE(created->definition.built_in);
  EXPECT_TRUE(created->definition.capabilities.full_import);
  EXPECT_FALSE(created->definition.capabilities.export_);
  EXPECT_EQ(definitions.Create(admin, in).error().code, ErrorCode::kConflict);

  core::ConnectorDefinitionInput caps;
  caps.capabilities.export_ = true;
  auto updated = definitions.Update(admin, 5, caps);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated->definition.capabilities.full_import);  // unchanged
  EXPECT_TRUE(updated->definition.capabilities.export_);

  core::Id cs = NewSystem("Acme system", 5);
  EXPECT_TRUE(definitions.Get(5)->in_use);
  EXPECT_EQ(definitions.Delete(admin, 5).error().code, ErrorCode::kConflict);
  ASSERT_TRUE(systems.Delete(admin, cs).ok());
  EXPECT_TRUE(definitions.Delete(admin, 5).ok());
  EXPECT_EQ(definitions.Get(5).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(definitions.GetByName("JIM SQL Connector")->definition.id, 4);
  EXPECT_FALSE(definitions.GetByName("jim sql connector").ok());
}

TEST_F(ServiceTest, ApiKeysAreStoredAsDigestsAndAuthenticate) {
  core::CreateApiKeyInput in;
  in.name = "ci";
  in.role_ids = std::vector<int64_t>{1};
  auto k = keys.Create(admin, in);
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(core::IsWellFormedApiKey(k->plaintext));
  EXPECT_EQ(k->key.key_prefix, k->plaintext.substr(0, 12));
  EXPECT_EQ(k->key.digest_hex, core::Sha256Hex(k->plaintext));
  for (const auto& [id, stored] : catalog.state().keys) EXPECT_NE(stored.digest_hex, k->plaintext);

  auto ok = keys.Authenticate(k->plaintext, clock.now).value();
  EXPECT_EQ(ok.outcome, core::AuthOutcome::kOk);
  EXPECT_EQ(keys.Authenticate("", clock.now)->outcome, core::AuthOutcome::kMissing);
  EXPECT_EQ(keys.Authenticate("jim_ak_short", clock.now)->outcome, core::AuthOutcome::kMalformed);
  EXPECT_EQ(keys.Authenticate("JIM_AK_" + k->plaintext.substr(7), clock.now)->outcome, core::AuthOutcome::kMalformed);
  std::string unknown = k->plaintext;
  unknown.back() = unknown.back() == '0' ? '1' : '0';
  EXPECT_EQ(keys.Authenticate(unknown, clock.now)->outcome, core::AuthOutcome::kUnknown);
}

TEST_F(ServiceTest, ExpiredAndDisabledKeysAreRefused) {
  core::CreateApiKeyInput in;
  in.name = "short";
  in.role_ids = std::vector<int64_t>{1};
  in.expires_at = clock.now + 1000;
  auto k = keys.Create(admin, in);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(keys.Authenticate(k->plaintext, clock.now)->outcome, core::AuthOutcome::kOk);
  EXPECT_EQ(keys.Authenticate(k->plaintext, clock.now + 1001)->outcome, core::AuthOutcome::kExpired);
  KeepAnotherAdministrator(keys, admin);
  core::UpdateApiKeyInput up;  // full replacement: no isEnabled means disabled
  up.name = "short";
  auto u = keys.Update(admin, k->key.id, up);
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->enabled);
  EXPECT_TRUE(u->role_ids.empty());
  EXPECT_EQ(keys.Authenticate(k->plaintext, clock.now)->outcome, core::AuthOutcome::kDisabled);
}

TEST_F(ServiceTest, KeyValidationAndSelfProtection) {
  core::CreateApiKeyInput bad;
  bad.role_ids = std::vector<int64_t>{2};
  bad.expires_at = clock.now - 1;
  auto r = keys.Create(admin, bad);
  ASSERT_FALSE(r.ok());
  for (auto f : {"name", "roleIds", "expiresAt"}) EXPECT_TRUE(HasField(r.error(), f)) << f;
  bad = {};
  bad.name = "dup";
  bad.role_ids = std::vector<int64_t>{1, 1};
  EXPECT_TRUE(HasField(keys.Create(admin, bad).error(), "roleIds"));

  core::CreateApiKeyInput in;
  in.name = "me";
  in.role_ids = std::vector<int64_t>{1};
  auto me = keys.Create(admin, in);
  ASSERT_TRUE(me.ok());
  core::Actor self{"ApiKey", me->key.id, "me"};
  EXPECT_EQ(keys.Delete(self, me->key.id).error().code, ErrorCode::kConflict);
  core::UpdateApiKeyInput up;
  up.name = "me";
  up.role_ids = std::vector<int64_t>{1};
  up.is_enabled = false;
  EXPECT_EQ(keys.Update(self, me->key.id, up).error().code, ErrorCode::kConflict);
  EXPECT_EQ(keys.Delete(admin, me->key.id).error().code, ErrorCode::kConflict) << "the last administrator";
  KeepAnotherAdministrator(keys, admin);
  EXPECT_TRUE(keys.Delete(admin, me->key.id).ok());
  EXPECT_EQ(keys.Get(me->key.id).error().code, ErrorCode::kNotFound);
}

TEST_F(ServiceTest, BootstrapKeys) {
  auto initial = keys.EnsureInitialKey();
  ASSERT_TRUE(initial.ok());
  ASSERT_TRUE(initial->has_value());
  EXPECT_EQ(keys.Authenticate(**initial, clock.now)->outcome, core::AuthOutcome::kOk);
  auto again = keys.EnsureInitialKey();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());

  const std::string infra = "jim_ak_" + std::string(64, 'a');
  ASSERT_TRUE(keys.EnsureInfrastructureKey(infra).ok());
  ASSERT_TRUE(keys.EnsureInfrastructureKey(infra).ok());  // idempotent
  auto auth = keys.Authenticate(infra, clock.now).value();
  ASSERT_EQ(auth.outcome, core::AuthOutcome::kOk);
  EXPECT_TRUE(auth.key->infrastructure);
  EXPECT_TRUE(auth.key->IsAdministrator());
  EXPECT_EQ(catalog.state().keys.size(), 2u);
  EXPECT_FALSE(keys.EnsureInfrastructureKey("not-a-key").ok());
}

TEST_F(ServiceTest, ActivitiesPageNewestFirstAndFilter) {
  core::Id a = NewSystem("A", 1);
  NewSystem("B", 1);
  ASSERT_TRUE(profiles.Create(admin, a, Profile("p", core::RunType::kExport)).ok());
  core::ActivityListInput in;
  auto all = activities.List(in);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 3);
  EXPECT_EQ(all->items[0].target_type, core::TargetType::kConnectedSystemRunProfile);
  in.connected_system_id = std::to_string(a);
  EXPECT_EQ(activities.List(in)->total, 2);
  in.target_type = "connectedsystem";
  EXPECT_EQ(activities.List(in)->total, 1);
  in.target_type = "Nope";
  in.connected_system_id = "x";
  auto bad = activities.List(in);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(HasField(bad.error(), "targetType"));
  EXPECT_TRUE(HasField(bad.error(), "connectedSystemId"));
  auto one = activities.Get(all->items[1].id);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->target_name, "B");
  EXPECT_EQ(activities.Get("00000000-0000-4000-8000-000000000000").error().code, ErrorCode::kNotFound);
}

TEST_F(ServiceTest, ActivitiesCanBeListedOldestFirst) {
  for (auto n : {"A", "B", "C", "D", "E"}) NewSystem(n, 3);
  core::ActivityListInput in;
  in.paging.sort_direction = "asc";
  in.paging.page_size = "2";
  in.paging.page = "1";
  auto p1 = activities.List(in);
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->items.size(), 2u);
  EXPECT_EQ(p1->items[0].target_name, "A");
  EXPECT_EQ(p1->items[1].target_name, "B");
  in.paging.page = "3";
  auto p3 = activities.List(in);
  ASSERT_EQ(p3->items.size(), 1u);
  EXPECT_EQ(p3->items[0].target_name, "E");
  in.paging.page = "4";
  EXPECT_TRUE(activities.List(in)->items.empty());
  in.paging.sort_direction = "desc";
  in.paging.page = "1";
  EXPECT_EQ(activities.List(in)->items[0].target_name, "E");
}

}  // namespace
}  // namespace jim::testing
