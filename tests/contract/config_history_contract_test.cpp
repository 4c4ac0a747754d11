// The configuration history part of the catalog contract (core/catalog.h): versions are written in the
// change's own transaction and listed, paged and ranged the same way by every backend, and outlive their
// object. Runs over every backend of catalog_backends.h, like catalog_contract_test.cpp.
#include <gtest/gtest.h>

#include <string>

#include "core/catalog.h"
#include "tests/contract/catalog_backends.h"
#include "tests/store/store_test_util.h"

namespace jim::contract {
namespace {

using core::ConfigObjectType;
using core::ConfigVersion;
using core::Id;
using core::OkStatus;
using core::Status;
using core::Transaction;

template <class Backend>
class ConfigHistoryContract : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = SkipReasonOf<Backend>(); !why.empty()) GTEST_SKIP() << why;
  }
  core::Catalog& catalog() { return backend_.catalog(); }
  void Reopen() { backend_.Reopen(); }

  static ConfigVersion Version(ConfigObjectType type, std::string key, int64_t v) {
    ConfigVersion r;
    r.object_type = type;
    r.object_key = std::move(key);
    r.version = v;
    r.activity_id = store::testing::TestUuid(static_cast<uint64_t>(v));
    r.operation = v == 1 ? core::OperationType::kCreate : core::OperationType::kUpdate;
    r.when = 1000 + v;
    r.initiated_by_type = "ApiKey";
    r.initiated_by_id = "k";
    r.initiated_by_name = "ops";
    if (v % 2 == 0) r.reason = "reason " + std::to_string(v);
    r.summary = "change " + std::to_string(v);
    r.is_checkpoint = v % 32 == 1;  // the store keeps whatever the writer decided
    r.checkpoint_version = (v - 1) / 32 * 32 + 1;
    r.checkpoint_bytes = 1000 + v;
    r.delta_bytes = r.is_checkpoint ? 0 : 7 * (v - r.checkpoint_version);
    r.payload = std::string("\x01\x00bytes", 7) + std::to_string(v);  // opaque to the store, NULs and all
    return r;
  }
  // Appends the next version of (type, key) the way the services do: latest + 1 inside the transaction.
  Status Append(ConfigObjectType type, const std::string& key, bool fail = false) {
    return catalog().Transact([&](Transaction& tx) -> Status {
      const int64_t next = tx.LatestConfigHead(type, key).version + 1;
      tx.Put(Version(type, key, next));
      // The transaction reads its own version, with the totals the next writer spaces checkpoints by.
      EXPECT_EQ(tx.LatestConfigHead(type, key), core::HeadOf(Version(type, key, next)));
      if (fail) return core::MakeError(core::ErrorCode::kConflict, "no");
      return OkStatus();
    });
  }

 private:
  Backend backend_;
};

TYPED_TEST_SUITE(ConfigHistoryContract, CatalogBackends, BackendName);

TYPED_TEST(ConfigHistoryContract, VersionsListNewestFirstWithPagingAndTotals) {
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(this->Append(ConfigObjectType::kConnectedSystem, "7").ok());
  ASSERT_TRUE(this->Append(ConfigObjectType::kConnectedSystem, "77").ok());  // a key with "7" as a prefix
  ASSERT_TRUE(this->Append(ConfigObjectType::kConnectorDefinition, "7").ok());  // same key, other type
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "as written" : "after reopen");
    core::Catalog& c = this->catalog();
    auto first = c.ListConfigVersions(ConfigObjectType::kConnectedSystem, "7", 0, 25).value();
    EXPECT_EQ(first.total, 40);
    ASSERT_EQ(first.items.size(), 25u);
    EXPECT_EQ(first.items.front().version, 40);
    EXPECT_EQ(first.items.back().version, 16);
    EXPECT_EQ(first.items.front(), this->Version(ConfigObjectType::kConnectedSystem, "7", 40));
    auto second = c.ListConfigVersions(ConfigObjectType::kConnectedSystem, "7", 25, 25).value();
    EXPECT_EQ(second.total, 40);
    ASSERT_EQ(second.items.size(), 15u);
    EXPECT_EQ(second.items.front().version, 15);
    EXPECT_EQ(second.items.back().version, 1);
    EXPECT_TRUE(c.ListConfigVersions(ConfigObjectType::kConnectedSystem, "7", 40, 25).value().items.empty());
    auto other = c.ListConfigVersions(ConfigObjectType::kConnectedSystem, "77", 0, 25).value();
    EXPECT_EQ(other.total, 1);
    EXPECT_EQ(c.ListConfigVersions(ConfigObjectType::kConnectorDefinition, "7", 0, 25).value().total, 1);
    EXPECT_TRUE(c.Transact([&](Transaction& tx) -> Status {
      EXPECT_EQ(tx.LatestConfigHead(ConfigObjectType::kConnectedSystem, "7"),
                core::HeadOf(this->Version(ConfigObjectType::kConnectedSystem, "7", 40)));
      EXPECT_EQ(tx.LatestConfigHead(ConfigObjectType::kApiKey, "7"), core::ConfigHead{});
      return OkStatus();
    }).ok());
    auto none = c.ListConfigVersions(ConfigObjectType::kApiKey, "7", 0, 25).value();
    EXPECT_EQ(none.total, 0);
    EXPECT_TRUE(none.items.empty());
    this->Reopen();
  }
}

TYPED_TEST(ConfigHistoryContract, ARangeIsOldestFirstAndHoldsOnlyWhatExists) {
  for (int i = 0; i < 35; ++i) ASSERT_TRUE(this->Append(ConfigObjectType::kApiKey, "0f8fad5b-d9cb-469f-a165-70867728950e").ok());
  core::Catalog& c = this->catalog();
  auto range = c.ConfigVersionRange(ConfigObjectType::kApiKey, "0f8fad5b-d9cb-469f-a165-70867728950e", 31, 34).value();
  ASSERT_EQ(range.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(range[i], this->Version(ConfigObjectType::kApiKey, range[i].object_key, 31 + i));
  EXPECT_TRUE(range[2].is_checkpoint);  // 33 % 32 == 1
  EXPECT_EQ(c.ConfigVersionRange(ConfigObjectType::kApiKey, range[0].object_key, 30, 99).value().size(), 6u);
  EXPECT_TRUE(c.ConfigVersionRange(ConfigObjectType::kApiKey, range[0].object_key, 36, 40).value().empty());
  EXPECT_TRUE(c.ConfigVersionRange(ConfigObjectType::kApiKey, range[0].object_key, 5, 4).value().empty());
}

TYPED_TEST(ConfigHistoryContract, AFailedTransactionLeavesNoVersion) {
  ASSERT_TRUE(this->Append(ConfigObjectType::kConnectedSystem, "3").ok());
  EXPECT_FALSE(this->Append(ConfigObjectType::kConnectedSystem, "3", /*fail=*/true).ok());
  EXPECT_EQ(this->catalog().ListConfigVersions(ConfigObjectType::kConnectedSystem, "3", 0, 10).value().total, 1);
  EXPECT_TRUE(this->catalog().ConfigVersionRange(ConfigObjectType::kConnectedSystem, "3", 2, 2).value().empty());
  ASSERT_TRUE(this->Append(ConfigObjectType::kConnectedSystem, "3").ok());  // the failed number is free again
  EXPECT_EQ(this->catalog().ListConfigVersions(ConfigObjectType::kConnectedSystem, "3", 0, 10).value().total, 2);
}

TYPED_TEST(ConfigHistoryContract, AVersionIsWrittenWithItsChangeAndOutlivesItsObject) {
  Id cs = 0;
  ASSERT_TRUE(this->catalog().Transact([&](Transaction& tx) -> Status {
    core::ConnectedSystem s = store::testing::System("Doomed");
    s.id = cs = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(s);
    tx.Put(this->Version(ConfigObjectType::kConnectedSystem, std::to_string(cs), 1));
    return OkStatus();
  }).ok());
  ASSERT_TRUE(this->catalog().Transact([&](Transaction& tx) -> Status {
    tx.Put(this->Version(ConfigObjectType::kConnectedSystem, std::to_string(cs), 2));
    tx.DeleteConnectedSystem(cs);
    EXPECT_EQ(tx.LatestConfigHead(ConfigObjectType::kConnectedSystem, std::to_string(cs)).version, 2);
    return OkStatus();
  }).ok());
  for (int round = 0; round < 2; ++round) {
    EXPECT_FALSE(this->catalog().GetConnectedSystem(cs).value());
    auto page = this->catalog().ListConfigVersions(ConfigObjectType::kConnectedSystem, std::to_string(cs), 0, 10).value();
    EXPECT_EQ(page.total, 2);
    EXPECT_EQ(page.items.size(), 2u);
    this->Reopen();
  }
}

TYPED_TEST(ConfigHistoryContract, ATransactionListsTheSystemsPartitions) {
  ASSERT_TRUE(this->catalog().Transact([&](Transaction& tx) -> Status {
    core::ConnectedSystem s = store::testing::System("P");
    s.id = tx.AllocateId(core::IdKind::kConnectedSystem);
    tx.Put(s);
    for (const char* name : {"b", "a"}) {
      const Id pid = tx.AllocateId(core::IdKind::kPartition);
      tx.Put(core::Partition{pid, s.id, name, std::nullopt, true});
    }
    auto listed = tx.ListPartitions(s.id);  // the transaction's own writes, id order
    EXPECT_EQ(listed.size(), 2u);
    if (listed.size() == 2) {
      EXPECT_LT(listed[0].id, listed[1].id);
    }
    EXPECT_TRUE(tx.ListPartitions(s.id + 1).empty());
    return OkStatus();
  }).ok());
}

}  // namespace
}  // namespace jim::contract
