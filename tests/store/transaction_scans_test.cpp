// The transaction's scans (ListApiKeys, ListConnectedSystems, ListRunProfiles) that the cross-row rules
// rely on: they must see what the point reads see, committed rows plus every earlier write of the same
// transaction, deletions included, or a rule checked with them would miss a racing write.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/store/store_test_util.h"

namespace jim::store::testing {
namespace {

core::ApiKey Key(std::string id, std::string digest) {
  core::ApiKey k;
  k.id = std::move(id);
  k.name = k.id;
  k.digest_hex = std::move(digest);
  k.role_ids = {core::kAdministratorRoleId};
  return k;
}

std::vector<std::string> Ids(const std::vector<core::ApiKey>& keys) {
  std::vector<std::string> out;
  for (const auto& k : keys) out.push_back(k.id);
  return out;
}

TEST(TransactionScans, SeeCommittedRowsAndTheTransactionsOwnWritesAndDeletes) {
  TempDir dir;
  auto catalog = MustOpen(dir.path());
  ASSERT_TRUE(catalog);
  ASSERT_TRUE(catalog->Transact([](core::Transaction& tx) {
    tx.Put(Key("a", "da"));
    tx.Put(Key("b", "db"));
    core::ConnectedSystem cs = System("one");
    cs.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(cs);
    core::RunProfile p = Profile(cs.id, "p1");
    p.id = tx.AllocateId(core::IdKind::kRunProfile);
    tx.Put(p);
    return core::OkStatus();
  }));

  std::vector<std::string> seen_keys;
  size_t systems = 0, profiles = 0;
  std::vector<core::RunType> types;
  ASSERT_TRUE(catalog->Transact([&](core::Transaction& tx) {
    tx.DeleteApiKey("a");
    tx.Put(Key("c", "dc"));
    core::ConnectedSystem cs = System("two");
    cs.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(cs);
    core::RunProfile p = Profile(1, "p2");
    p.id = tx.AllocateId(core::IdKind::kRunProfile);
    p.run_type = core::RunType::kExport;
    tx.Put(p);
    seen_keys = Ids(tx.ListApiKeys());
    systems = tx.ListConnectedSystems().size();
    for (const auto& rp : tx.ListRunProfiles(1)) types.push_back(rp.run_type);
    profiles = tx.ListRunProfiles(2).size();
    return core::OkStatus();
  }));
  EXPECT_EQ(seen_keys, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(systems, 2u);
  EXPECT_EQ(types, (std::vector<core::RunType>{core::RunType::kDeltaImport, core::RunType::kExport}));
  EXPECT_EQ(profiles, 0u);

  // A body that failed leaves nothing for the next one to see.
  EXPECT_FALSE(catalog->Transact([](core::Transaction& tx) {
    tx.Put(Key("d", "dd"));
    return core::Status(core::MakeError(core::ErrorCode::kConflict, "no"));
  }));
  ASSERT_TRUE(catalog->Transact([&](core::Transaction& tx) {
    seen_keys = Ids(tx.ListApiKeys());
    return core::OkStatus();
  }));
  EXPECT_EQ(seen_keys, (std::vector<std::string>{"b", "c"}));
}

}  // namespace
}  // namespace jim::store::testing
