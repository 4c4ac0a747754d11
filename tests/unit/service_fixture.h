// The core services wired over the in-memory catalog, seeded like a fresh server. They come from
// core::ServiceSet like in every other composition root, so a service added there is tested here as wired.
#pragma once

#include <gtest/gtest.h>

#include "core/service_set.h"
#include "tests/unit/memory_catalog.h"

namespace jim::testing {

class ServiceTest : public ::testing::Test {
 protected:
  MemoryCatalog catalog;
  FakeClock clock;
  CountingEntropy entropy;
  core::ServiceSet services{catalog, clock, entropy};
  core::ServiceContext& ctx = services.ctx;
  core::ConnectorDefinitionService& definitions = services.definitions;
  core::ConnectedSystemService& systems = services.systems;
  core::RunProfileService& profiles = services.profiles;
  core::ApiKeyService& keys = services.keys;
  core::ActivityService& activities = services.activities;
  core::Actor admin{"ApiKey", "11111111-1111-4111-8111-111111111111", "admin"};

  void SetUp() override {
    // A use case's transaction body reads only through its transaction (core/write_use_case.h).
    catalog.abort_on_committed_read_in_body = true;
    ASSERT_TRUE(definitions.SeedBuiltIns().ok());
  }

  core::Id NewSystem(const std::string& name, core::Id connector) {
    core::CreateConnectedSystemInput in;
    in.name = name;
    in.connector_definition_id = connector;
    auto r = systems.Create(admin, in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->system.id : 0;
  }
  core::Id NewPartition(core::Id cs, const std::string& name, bool selected = true) {
    core::CreatePartitionInput in;
    in.name = name;
    in.selected = selected;
    auto r = systems.CreatePartition(admin, cs, in);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->id : 0;
  }
  static core::CreateRunProfileInput Profile(const std::string& name, core::RunType type) {
    core::CreateRunProfileInput in;
    in.name = name;
    in.run_type = type;
    return in;
  }
  static bool HasField(const core::Error& e, const std::string& field) {
    for (const auto& f : e.fields)
      if (f.field == field) return true;
    return false;
  }
};

}  // namespace jim::testing
