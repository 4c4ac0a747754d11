// The skeleton of core's write use cases (core/write_use_case.h): the order a client hears refusals in,
// nothing kept of a refused write, and bodies that read only through their transaction.
#include "core/write_use_case.h"

#include "tests/unit/service_fixture.h"

namespace jim::testing {
namespace {

using core::ErrorCode;
using core::FieldErrors;
using core::Result;
using core::Transaction;

Result<core::ConnectedSystem> FindSystem(Transaction& tx, core::Id id) {
  return core::FindConnectedSystemOrNotFound(tx, id);
}

TEST_F(ServiceTest, WriteUseCaseAnswersNotFoundBeforeFieldErrors) {
  bool changed = false;
  auto r = core::RunWriteUseCase(
      catalog, [](Transaction& tx) { return FindSystem(tx, 42); }, FieldErrors{{"name", "is required"}},
      [&](Transaction&, core::ConnectedSystem&) -> core::Status {
        changed = true;
        return core::OkStatus();
      });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "Connected System with ID 42 not found.");
  EXPECT_FALSE(changed);
}

TEST_F(ServiceTest, WriteUseCaseJoinsFieldErrorsInOrderBeforeTheChange) {
  core::Id cs = NewSystem("Payroll", 1);
  bool changed = false;
  auto r = core::RunWriteUseCase(
      catalog, [&](Transaction& tx) { return FindSystem(tx, cs); }, FieldErrors{{"name", "is required"}},
      [](Transaction&, const core::ConnectedSystem& found, FieldErrors& errors) {
        errors.push_back({"connectorDefinitionId", "of " + found.name});
      },
      [&](Transaction&, core::ConnectedSystem&) -> core::Status {
        changed = true;
        return core::OkStatus();
      });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(r.error().fields.size(), 2u);
  EXPECT_EQ(r.error().fields[0].field, "name");
  EXPECT_EQ(r.error().fields[1].field, "connectorDefinitionId");
  EXPECT_EQ(r.error().fields[1].message, "of Payroll");
  EXPECT_FALSE(changed);
}

TEST_F(ServiceTest, WriteUseCaseKeepsNothingOfARefusedChangeAndReturnsTheCommittedValue) {
  core::Id cs = NewSystem("Payroll", 1);
  auto refused = core::RunWriteUseCase(
      catalog, [&](Transaction& tx) { return FindSystem(tx, cs); },
      [](Transaction& tx, core::ConnectedSystem& found) -> Result<std::string> {
        found.name = "Renamed";
        tx.Put(found);
        return core::MakeError(ErrorCode::kConflict, "no");
      });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_EQ(catalog.GetConnectedSystem(cs).value()->name, "Payroll");

  auto done = core::RunWriteUseCase(
      catalog, [&](Transaction& tx) { return FindSystem(tx, cs); },
      [](Transaction& tx, core::ConnectedSystem& found) -> Result<std::string> {
        found.name = "Renamed";
        tx.Put(found);
        return found.name;
      });
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(*done, "Renamed");
  EXPECT_EQ(catalog.GetConnectedSystem(cs).value()->name, "Renamed");
}

// The unit tier's guard that makes "a body never steps outside its transaction" checkable: every service
// test runs over it, so a committed read in a body fails them all.
TEST_F(ServiceTest, CommittedReadInsideATransactionBodyIsCaught) {
  EXPECT_DEATH((void)catalog.Transact([&](Transaction&) {
                 (void)catalog.ListApiKeys().value();
                 return core::OkStatus();
               }),
               "committed read inside a transaction body");
}

// Regression: ApiKeyService::Update moved the requested roles out inside its body, so a body run again
// (PgCatalog retries a group after a transient failure) saw no roles and demoted the key it was updating.
TEST_F(ServiceTest, ApiKeyUpdateRunTwiceKeepsTheRequestedRoles) {
  core::CreateApiKeyInput create;
  create.name = "second";
  create.role_ids = std::vector<int64_t>{core::kAdministratorRoleId};
  auto second = keys.Create(admin, create);
  ASSERT_TRUE(second.ok());
  catalog.runs_per_body = 2;
  core::UpdateApiKeyInput up;
  up.name = "second, renamed";
  up.role_ids = std::vector<int64_t>{core::kAdministratorRoleId};
  up.is_enabled = true;
  auto r = keys.Update(admin, second->key.id, up);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->role_ids, std::vector<int>{core::kAdministratorRoleId});
  EXPECT_EQ(catalog.GetApiKey(second->key.id).value()->role_ids, std::vector<int>{core::kAdministratorRoleId});
  EXPECT_EQ(catalog.GetApiKey(second->key.id).value()->name, "second, renamed");
}

// Every write use case comes out of a re-run body as out of a single run.
TEST_F(ServiceTest, WriteUseCasesRunTwiceAnswerAsOnce) {
  catalog.runs_per_body = 2;
  core::Id cs = NewSystem("Payroll", 1);
  ASSERT_NE(cs, 0);
  core::UpdateConnectedSystemInput rename;
  rename.name = "Payroll 2";
  ASSERT_TRUE(systems.Update(admin, cs, rename).ok());
  auto created = profiles.Create(admin, cs, Profile("Full", core::RunType::kFullImport), nullptr);
  ASSERT_TRUE(created.ok()) << created.error().message;
  ASSERT_FALSE(created->replay.has_value());
  core::UpdateRunProfileInput page;
  page.page_size = 500;
  auto updated = profiles.Update(admin, cs, created->view.profile.id, page);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->profile.page_size, 500);
  EXPECT_EQ(updated->profile.revision, 2u);
  ASSERT_TRUE(profiles.Delete(admin, cs, created->view.profile.id, std::nullopt, std::nullopt).ok());
  ASSERT_TRUE(systems.Delete(admin, cs).ok());
  EXPECT_FALSE(catalog.GetConnectedSystem(cs).value().has_value());
}

}  // namespace
}  // namespace jim::testing
