// Shared helpers for the store tests: a unique temp dir per test and small entity factories.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/rocks_catalog.h"
#include "tests/support/temp_dir.h"

namespace jim::store::testing {

// Store tests name their temp dirs after the tier.
class TempDir : public jim::testing::TempDir {
 public:
  TempDir() : jim::testing::TempDir("jim-store-test") {}
};

inline StoreOptions Options(const std::string& dir) {
  StoreOptions o;
  o.data_dir = dir;
  o.min_free_bytes = 0;  // tests must not depend on the free space of the machine
  return o;
}

inline std::unique_ptr<RocksCatalog> MustOpen(const StoreOptions& options) {
  auto opened = RocksCatalog::Open(options);
  if (!opened.ok()) {
    ADD_FAILURE() << "open failed: " << opened.error().message << " / " << opened.error().detail;
    return nullptr;
  }
  return std::move(opened).value();
}
inline std::unique_ptr<RocksCatalog> MustOpen(const std::string& dir) { return MustOpen(Options(dir)); }

inline core::ConnectedSystem System(std::string name, core::Id connector = 1) {
  core::ConnectedSystem cs;
  cs.name = std::move(name);
  cs.description = "desc";
  cs.connector_id = connector;
  cs.created = 1000;
  cs.last_updated = 1000;
  return cs;
}

inline core::RunProfile Profile(core::Id cs, std::string name) {
  core::RunProfile rp;
  rp.connected_system_id = cs;
  rp.name = std::move(name);
  rp.run_type = core::RunType::kDeltaImport;
  rp.page_size = 250;
  rp.created = 2000;
  rp.last_updated = 2000;
  return rp;
}

inline core::Activity MakeActivity(std::string id, core::TargetType type, std::optional<core::Id> cs,
                                   std::string name = "target") {
  core::Activity a;
  a.id = std::move(id);
  a.created = 3000;
  a.target_type = type;
  a.operation = core::OperationType::kCreate;
  a.target_name = std::move(name);
  a.initiated_by_id = "key-1";
  a.initiated_by_name = "admin";
  a.connected_system_id = cs;
  return a;
}

// A uuid-shaped unique id for tests (the store does not check the format).
inline std::string TestUuid(uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012llx", static_cast<unsigned long long>(n));
  return buf;
}

// Creates a connected system (with its activity) and returns its id.
inline core::Id CreateSystem(RocksCatalog& catalog, const std::string& name, core::Id connector = 1) {
  core::Id id = 0;
  core::Status st = catalog.Transact([&](core::Transaction& tx) -> core::Status {
    core::ConnectedSystem cs = System(name, connector);
    cs.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(cs);
    id = cs.id;
    return core::OkStatus();
  });
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().detail);
  return id;
}

// Creates a run profile with its activity, the way the create path does; returns its id or 0.
inline core::Id CreateProfile(RocksCatalog& catalog, core::Id cs, const std::string& name, uint64_t activity_no,
                              core::Status* status_out = nullptr) {
  core::Id id = 0;
  core::Status st = catalog.Transact([&](core::Transaction& tx) -> core::Status {
    core::RunProfile rp = Profile(cs, name);
    rp.id = tx.AllocateId(core::IdKind::kRunProfile);
    tx.Put(rp);
    core::Activity a = MakeActivity(TestUuid(activity_no), core::TargetType::kConnectedSystemRunProfile, cs, name);
    a.run_profile_id = rp.id;
    tx.Record(a);
    id = rp.id;
    return core::OkStatus();
  });
  if (status_out) *status_out = st;
  return st.ok() ? id : 0;
}

}  // namespace jim::store::testing
