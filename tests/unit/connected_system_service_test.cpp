#include "tests/unit/service_fixture.h"

namespace jim::testing {
namespace {

using core::ErrorCode;

TEST_F(ServiceTest, SystemNamesAreTrimmedAndUniqueIgnoringCase) {
  core::CreateConnectedSystemInput in;
  in.name = "  HR Database ";
  in.connector_definition_id = 2;
  auto a = systems.Create(admin, in);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->system.name, "HR Database");
  in.name = "hr database";
  auto b = systems.Create(admin, in);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code, ErrorCode::kConflict);
}

TEST_F(ServiceTest, RenameToATakenNameConflictsButKeepingOwnNameIsFine) {
  core::Id a = NewSystem("A", 1);
  NewSystem("B", 1);
  core::UpdateConnectedSystemInput up;
  up.name = "b";
  EXPECT_EQ(systems.Update(admin, a, up).error().code, ErrorCode::kConflict);
  up.name = "a";
  auto same = systems.Update(admin, a, up);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->system.name, "a");
}

TEST_F(ServiceTest, CreateSystemValidatesEveryField) {
  core::CreateConnectedSystemInput in;
  in.description = std::string(1001, 'd');
  auto r = systems.Create(admin, in);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasField(r.error(), "name"));
  EXPECT_TRUE(HasField(r.error(), "description"));
  EXPECT_TRUE(HasField(r.error(), "connectorDefinitionId"));
  in = {};
  in.name = "x";
  in.connector_definition_id = 77;
  auto unknown = systems.Create(admin, in);
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(HasField(unknown.error(), "connectorDefinitionId"));
}

TEST_F(ServiceTest, DeleteCascadesAndIdsAreNotReused) {
  core::Id cs = NewSystem("LDAP", 1);
  core::Id part = NewPartition(cs, "Users");
  auto p = profiles.Create(admin, cs, Profile("x", core::RunType::kFullImport));
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(systems.Delete(admin, cs).ok());
  EXPECT_FALSE(catalog.GetConnectedSystem(cs).value());
  EXPECT_FALSE(catalog.GetPartition(part).value());
  EXPECT_FALSE(catalog.GetRunProfile(p->view.profile.id).value());
  core::Id again = NewSystem("LDAP", 1);
  EXPECT_GT(again, cs);
  auto q = profiles.Create(admin, again, Profile("x", core::RunType::kFullImport));
  EXPECT_GT(q->view.profile.id, p->view.profile.id);
  EXPECT_EQ(systems.Delete(admin, cs).error().code, ErrorCode::kNotFound);
}

TEST_F(ServiceTest, PartitionsNeedAConnectorThatSupportsThem) {
  core::Id file = NewSystem("HR", 2);
  core::CreatePartitionInput in;
  in.name = "Users";
  auto r = systems.CreatePartition(admin, file, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  core::Id ldap = NewSystem("LDAP", 1);
  auto ok = systems.CreatePartition(admin, ldap, in);
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->selected);
  in.name = "USERS";
  EXPECT_EQ(systems.CreatePartition(admin, ldap, in).error().code, ErrorCode::kConflict);
}

TEST_F(ServiceTest, PartitionUpdateNeedsSelectedAndTheRightSystem) {
  core::Id ldap = NewSystem("LDAP", 1);
  core::Id other = NewSystem("LDAP 2", 1);
  core::Id part = NewPartition(ldap, "Users");
  core::UpdatePartitionInput in;
  EXPECT_TRUE(HasField(systems.UpdatePartition(admin, ldap, part, in).error(), "selected"));
  in.selected = false;
  EXPECT_EQ(systems.UpdatePartition(admin, other, part, in).error().code, ErrorCode::kNotFound);
  auto r = systems.UpdatePartition(admin, ldap, part, in);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->selected);
}

TEST_F(ServiceTest, ListPagesSortsAndFilters) {
  for (auto n : {"Charlie", "alpha", "Bravo", "HR One", "HR Two"}) NewSystem(n, 3);
  core::ListQueryInput q;
  q.sort_by = "name";
  q.page_size = "2";
  auto p1 = systems.List(q);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->total, 5);
  EXPECT_EQ(p1->TotalPages(), 3);
  EXPECT_TRUE(p1->HasNext());
  EXPECT_FALSE(p1->HasPrevious());
  ASSERT_EQ(p1->items.size(), 2u);
  EXPECT_EQ(p1->items[0].system.name, "alpha");
  EXPECT_EQ(p1->items[1].system.name, "Bravo");
  q.page = "3";
  auto p3 = systems.List(q);
  ASSERT_EQ(p3->items.size(), 1u);
  EXPECT_FALSE(p3->HasNext());
  q = {};
  q.filter = "name:startswith:hr";
  q.sort_direction = "desc";
  auto hr = systems.List(q);
  ASSERT_EQ(hr->items.size(), 2u);
  EXPECT_EQ(hr->items[0].system.name, "HR Two");
  q = {};
  q.filter = "name:eq:BRAVO";
  EXPECT_EQ(systems.List(q)->total, 1);
  q.filter = "name:contains:a";
  EXPECT_EQ(systems.List(q)->total, 3);
}

TEST_F(ServiceTest, ListRejectsBadQueriesAndClampsSizes) {
  core::ListQueryInput q;
  q.sort_by = "colour";
  q.sort_direction = "sideways";
  q.filter = "nonsense";
  q.page = "x";
  auto r = systems.List(q);
  ASSERT_FALSE(r.ok());
  for (auto f : {"sortBy", "sortDirection", "filter", "page"}) EXPECT_TRUE(HasField(r.error(), f)) << f;
  q = {};
  q.page_size = "1000";
  q.page = "0";
  auto clamped = systems.List(q);
  ASSERT_TRUE(clamped.ok());
  EXPECT_EQ(clamped->page_size, 100);
  EXPECT_EQ(clamped->page, 1);
  q.page_size = "0";
  EXPECT_EQ(systems.List(q)->page_size, 25);
  q.page = "10002";
  q.page_size = "100";
  EXPECT_TRUE(HasField(systems.List(q).error(), "page"));
}

TEST_F(ServiceTest, DetailCountsProfilesAndPartitions) {
  core::Id cs = NewSystem("LDAP", 1);
  NewPartition(cs, "A");
  NewPartition(cs, "B");
  ASSERT_TRUE(profiles.Create(admin, cs, Profile("x", core::RunType::kExport)).ok());
  auto v = systems.Get(cs);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->partition_count, 2);
  EXPECT_EQ(v->run_profile_count, 1);
  EXPECT_EQ(v->connector_name, "JIM LDAP Connector");
}

}  // namespace
}  // namespace jim::testing
