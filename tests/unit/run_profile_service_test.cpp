#include "core/rules.h"
#include "tests/unit/service_fixture.h"

namespace jim::testing {
namespace {

using core::ErrorCode;
using core::RunType;

class RunProfileServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    ldap = NewSystem("LDAP", 1);
    file = NewSystem("HR Database", 2);
    users = NewPartition(ldap, "Users");
  }
  core::Id ldap = 0, file = 0, users = 0;
};

TEST_F(RunProfileServiceTest, SeedExamplesAreCreatedWithDefaults) {
  auto a = profiles.Create(admin, ldap, Profile("Delta Import", RunType::kDeltaImport));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->view.profile.page_size, 100);
  EXPECT_FALSE(a->view.profile.partition_id);
  auto full = Profile("Full Import", RunType::kFullImport);
  full.page_size = 500;
  auto b = profiles.Create(admin, ldap, full);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->view.profile.page_size, 500);
  auto part = Profile("Import (Users Partition)", RunType::kDeltaImport);
  part.partition_id = users;
  auto c = profiles.Create(admin, ldap, part);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->view.partition_name, "Users");
  EXPECT_FALSE(c->view.targets_deselected_partition);
  auto csv = Profile("CSV Import", RunType::kFullImport);
  csv.file_path = "/data/imports/employees.csv";
  auto d = profiles.Create(admin, file, csv);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->view.profile.file_path, "/data/imports/employees.csv");
  EXPECT_LT(a->view.profile.id, b->view.profile.id);
  EXPECT_LT(c->view.profile.id, d->view.profile.id);
}

TEST_F(RunProfileServiceTest, UnknownSystemIsNotFoundBeforeFieldErrors) {
  core::CreateRunProfileInput bad;  // no name, no run type
  auto r = profiles.Create(admin, 999, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message, "Connected System with ID 999 not found.");
}

TEST_F(RunProfileServiceTest, EveryFieldErrorIsReportedTogether) {
  core::CreateRunProfileInput in;
  in.name = "   ";
  in.page_size = 0;
  in.file_path = std::string(501, 'x');
  in.parse_errors.push_back({"partitionId", "must be an integer"});
  auto r = profiles.Create(admin, ldap, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  for (auto f : {"name", "runType", "pageSize", "filePath", "partitionId"}) EXPECT_TRUE(HasField(r.error(), f)) << f;
}

TEST_F(RunProfileServiceTest, RunTypeMustBeSupportedByTheConnector) {
  auto r = profiles.Create(admin, file, Profile("x", RunType::kDeltaImport));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(HasField(r.error(), "runType"));
  EXPECT_NE(r.error().fields[0].message.find("JIM File Connector"), std::string::npos);
  for (auto t : {RunType::kFullImport, RunType::kExport, RunType::kFullSynchronisation,
                 RunType::kDeltaSynchronisation})
    EXPECT_TRUE(profiles.Create(admin, file, Profile("ok", t)).ok());
}

TEST_F(RunProfileServiceTest, CustomConnectorWithoutCapabilitiesOnlyAllowsSynchronisation) {
  core::ConnectorDefinitionInput in;
  in.name = "Bare";
  auto def = definitions.Create(admin, in);
  ASSERT_TRUE(def.ok());
  core::Id cs = NewSystem("Bare system", def->definition.id);
  EXPECT_FALSE(profiles.Create(admin, cs, Profile("x", RunType::kFullImport)).ok());
  EXPECT_FALSE(profiles.Create(admin, cs, Profile("x", RunType::kExport)).ok());
  EXPECT_TRUE(profiles.Create(admin, cs, Profile("x", RunType::kDeltaSynchronisation)).ok());
}

TEST_F(RunProfileServiceTest, PartitionMustBelongToTheSystem) {
  core::Id other = NewSystem("Other LDAP", 1);
  core::Id foreign = NewPartition(other, "Groups");
  auto in = Profile("x", RunType::kFullImport);
  in.partition_id = foreign;
  auto r = profiles.Create(admin, ldap, in);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasField(r.error(), "partitionId"));
  in.partition_id = 12345;
  EXPECT_FALSE(profiles.Create(admin, ldap, in).ok());
}

TEST_F(RunProfileServiceTest, VerificationOnlyOnFullImport) {
  auto in = Profile("x", RunType::kDeltaImport);
  in.verify_import_content_hashes = true;
  auto r = profiles.Create(admin, ldap, in);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasField(r.error(), "verifyImportContentHashes"));
  in.run_type = RunType::kFullImport;
  auto ok = profiles.Create(admin, ldap, in);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->view.profile.verify_import_content_hashes);
}

TEST_F(RunProfileServiceTest, ProfileOfAnotherSystemIsNotFound) {
  auto p = profiles.Create(admin, ldap, Profile("x", RunType::kFullImport));
  ASSERT_TRUE(p.ok());
  auto r = profiles.Get(file, p->view.profile.id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  core::UpdateRunProfileInput up;
  up.name = "y";
  EXPECT_EQ(profiles.Update(admin, file, p->view.profile.id, up).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(profiles.Delete(admin, file, p->view.profile.id, std::nullopt).error().code, ErrorCode::kNotFound);
}

TEST_F(RunProfileServiceTest, UpdateIsPartialBumpsRevisionAndHonoursIfMatch) {
  auto p = profiles.Create(admin, file, [] {
    auto in = Profile("CSV", RunType::kFullImport);
    in.file_path = "/a.csv";
    return in;
  }());
  ASSERT_TRUE(p.ok());
  const std::string etag = core::RunProfileETag(p->view.profile);
  core::UpdateRunProfileInput up;
  up.page_size = 250;
  up.if_match = etag;
  auto u = profiles.Update(admin, file, p->view.profile.id, up);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->profile.page_size, 250);
  EXPECT_EQ(u->profile.name, "CSV");
  EXPECT_EQ(u->profile.revision, 2u);
  // The old ETag no longer matches.
  auto stale = profiles.Update(admin, file, p->view.profile.id, up);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kPreconditionFailed);
  EXPECT_EQ(profiles.Delete(admin, file, p->view.profile.id, etag).error().code, ErrorCode::kPreconditionFailed);
  // "" clears the file path.
  core::UpdateRunProfileInput clear;
  clear.file_path = "";
  auto c = profiles.Update(admin, file, p->view.profile.id, clear);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->profile.file_path);
}

TEST_F(RunProfileServiceTest, UpdateChecksVerificationAgainstStoredRunType) {
  auto p = profiles.Create(admin, ldap, Profile("x", RunType::kDeltaImport));
  ASSERT_TRUE(p.ok());
  core::UpdateRunProfileInput up;
  up.verify_import_content_hashes = true;
  auto r = profiles.Update(admin, ldap, p->view.profile.id, up);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasField(r.error(), "verifyImportContentHashes"));
  up.verify_import_content_hashes = false;
  EXPECT_TRUE(profiles.Update(admin, ldap, p->view.profile.id, up).ok());
}

TEST_F(RunProfileServiceTest, UpdateRejectsBlankName) {
  auto p = profiles.Create(admin, ldap, Profile("x", RunType::kDeltaImport));
  core::UpdateRunProfileInput up;
  up.name = "  ";
  auto r = profiles.Update(admin, ldap, p->view.profile.id, up);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasField(r.error(), "name"));
}

TEST_F(RunProfileServiceTest, DeselectedOrDeletedPartitionIsFlagged) {
  auto in = Profile("x", RunType::kDeltaImport);
  in.partition_id = users;
  auto p = profiles.Create(admin, ldap, in);
  ASSERT_TRUE(p.ok());
  core::UpdatePartitionInput deselect;
  deselect.selected = false;
  ASSERT_TRUE(systems.UpdatePartition(admin, ldap, users, deselect).ok());
  EXPECT_TRUE(profiles.Get(ldap, p->view.profile.id)->targets_deselected_partition);
  ASSERT_TRUE(systems.DeletePartition(admin, ldap, users).ok());
  auto gone = profiles.Get(ldap, p->view.profile.id);
  EXPECT_TRUE(gone->targets_deselected_partition);
  EXPECT_FALSE(gone->partition_name);
}

TEST_F(RunProfileServiceTest, EveryChangeRecordsAnActivity) {
  size_t before = catalog.state().activities.size();
  auto p = profiles.Create(admin, ldap, Profile("Audited", RunType::kFullImport));
  ASSERT_TRUE(p.ok());
  core::UpdateRunProfileInput up;
  up.page_size = 5;
  ASSERT_TRUE(profiles.Update(admin, ldap, p->view.profile.id, up).ok());
  ASSERT_TRUE(profiles.Delete(admin, ldap, p->view.profile.id, std::nullopt).ok());
  const auto& acts = catalog.state().activities;
  ASSERT_EQ(acts.size(), before + 3);
  EXPECT_EQ(acts[before].operation, core::OperationType::kCreate);
  EXPECT_EQ(acts[before + 1].operation, core::OperationType::kUpdate);
  EXPECT_EQ(acts[before + 2].operation, core::OperationType::kDelete);
  for (size_t i = before; i < acts.size(); ++i) {
    EXPECT_EQ(acts[i].target_type, core::TargetType::kConnectedSystemRunProfile);
    EXPECT_EQ(acts[i].target_name, "Audited");
    EXPECT_EQ(acts[i].target_context, "LDAP");
    EXPECT_EQ(acts[i].connected_system_id, ldap);
    EXPECT_EQ(acts[i].run_profile_id, p->view.profile.id);
    EXPECT_EQ(acts[i].initiated_by_id, admin.id);
  }
}

TEST_F(RunProfileServiceTest, RejectedCreateWritesNothing) {
  size_t before = catalog.state().activities.size();
  EXPECT_FALSE(profiles.Create(admin, file, Profile("x", RunType::kDeltaImport)).ok());
  EXPECT_EQ(catalog.state().activities.size(), before);
  EXPECT_TRUE(catalog.state().profiles.empty());
}

TEST_F(RunProfileServiceTest, UnavailableStoreIsReported) {
  catalog.fail_writes = true;
  auto r = profiles.Create(admin, ldap, Profile("x", RunType::kFullImport));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable);
}

TEST_F(RunProfileServiceTest, IdempotencyReplaysSameBodyAndRejectsOther) {
  core::IdempotencyInput idem;
  idem.key = "k1";
  idem.request_hash = "h1";
  auto first = profiles.Create(admin, ldap, Profile("x", RunType::kFullImport), &idem);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->replay);
  auto again = profiles.Create(admin, ldap, Profile("x", RunType::kFullImport), &idem);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(again->replay);
  // The record keeps the profile as the create answered it: the replay is that answer again.
  ASSERT_TRUE(again->replay->profile);
  EXPECT_EQ(*again->replay->profile, first->view);
  EXPECT_TRUE(again->replay->body.empty());
  EXPECT_EQ(catalog.state().profiles.size(), 1u);
  idem.request_hash = "h2";
  auto other = profiles.Create(admin, ldap, Profile("y", RunType::kFullImport), &idem);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);
  // After 24 h the key may be used afresh.
  clock.now += core::kIdempotencyTtlMillis + 1;
  auto later = profiles.Create(admin, ldap, Profile("y", RunType::kFullImport), &idem);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->replay);
  EXPECT_EQ(catalog.state().profiles.size(), 2u);
}

}  // namespace
}  // namespace jim::testing
