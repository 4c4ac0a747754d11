// What run-profile sets and change reasons need of the store: Transaction::ListRunProfiles sees the
// writes of its own group (earlier bodies and its own body), and an activity's change reason is stored
// without changing the bytes of activities that have none.
#include <gtest/gtest.h>

#include "store/codec.h"
#include "tests/store/store_test_util.h"

namespace jim::store::testing {
namespace {

using core::Status;
using core::Transaction;

std::vector<core::Id> Ids(const std::vector<core::RunProfile>& profiles) {
  std::vector<core::Id> out;
  for (const auto& p : profiles) out.push_back(p.id);
  return out;
}

TEST(RunProfileSetStore, TransactionListSeesCommittedStateAndItsOwnWritesInIdOrder) {
  TempDir dir;
  auto catalog = MustOpen(dir.path());
  ASSERT_TRUE(catalog);
  const core::Id cs = CreateSystem(*catalog, "A");
  const core::Id other = CreateSystem(*catalog, "B");
  std::vector<core::Id> committed;
  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    for (const char* name : {"one", "two", "three"}) {
      core::RunProfile p = Profile(cs, name);
      p.id = tx.AllocateId(core::IdKind::kRunProfile);
      tx.Put(p);
      committed.push_back(p.id);
    }
    core::RunProfile elsewhere = Profile(other, "elsewhere");
    elsewhere.id = tx.AllocateId(core::IdKind::kRunProfile);
    tx.Put(elsewhere);
    return core::OkStatus();
  }).ok());

  ASSERT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    EXPECT_EQ(Ids(tx.ListRunProfiles(cs)), committed);
    tx.DeleteRunProfile(committed[1]);
    core::RunProfile updated = *tx.FindRunProfile(committed[0]);
    updated.page_size = 7;
    tx.Put(updated);
    core::RunProfile added = Profile(cs, "four");
    added.id = tx.AllocateId(core::IdKind::kRunProfile);
    tx.Put(added);
    auto seen = tx.ListRunProfiles(cs);
    EXPECT_EQ(Ids(seen), (std::vector<core::Id>{committed[0], committed[2], added.id}));
    if (!seen.empty()) {
      EXPECT_EQ(seen[0].page_size, 7);
    }
    return core::OkStatus();
  }).ok());
  EXPECT_EQ(catalog->ListRunProfiles(cs).value().size(), 3u);
  EXPECT_EQ(catalog->ListRunProfiles(other).value().size(), 1u);
  EXPECT_TRUE(catalog->Transact([&](Transaction& tx) -> Status {
    EXPECT_TRUE(tx.ListRunProfiles(999).empty());
    return core::OkStatus();
  }).ok());
}

TEST(RunProfileSetStore, FailedBodyLeavesNothingAndTheListUnchanged) {
  TempDir dir;
  auto catalog = MustOpen(dir.path());
  ASSERT_TRUE(catalog);
  const core::Id cs = CreateSystem(*catalog, "A");
  EXPECT_FALSE(catalog->Transact([&](Transaction& tx) -> Status {
    for (int i = 0; i < 50; ++i) {
      core::RunProfile p = Profile(cs, "p" + std::to_string(i));
      p.id = tx.AllocateId(core::IdKind::kRunProfile);
      tx.Put(p);
    }
    EXPECT_EQ(tx.ListRunProfiles(cs).size(), 50u);
    return core::MakeError(core::ErrorCode::kInvalidArgument, "the 51st item is wrong");
  }).ok());
  EXPECT_TRUE(catalog->ListRunProfiles(cs).value().empty());
  EXPECT_EQ(catalog->CountRunProfiles(cs).value(), 0);
}

TEST(RunProfileSetStore, ActivityChangeReasonRoundTripsAndOlderActivitiesKeepTheirBytes) {
  core::Activity without = MakeActivity("u1", core::TargetType::kConnectedSystemRunProfile, 3);
  std::string old_bytes;
  codec::Encode(without, &old_bytes);
  core::Activity decoded;
  ASSERT_TRUE(codec::Decode(old_bytes, &decoded));
  EXPECT_EQ(decoded, without);
  EXPECT_FALSE(decoded.change_reason.has_value());

  core::Activity with = without;
  with.change_reason = "CHG-42: nightly window moved";
  std::string new_bytes;
  codec::Encode(with, &new_bytes);
  // The reason is appended: the bytes before it are exactly those of the activity without one.
  EXPECT_EQ(new_bytes.substr(0, old_bytes.size()), old_bytes);
  ASSERT_TRUE(codec::Decode(new_bytes, &decoded));
  EXPECT_EQ(decoded, with);
  // Still strict: a truncated reason or bytes after it fail the decode.
  EXPECT_FALSE(codec::Decode(new_bytes.substr(0, new_bytes.size() - 1), &decoded));
  EXPECT_FALSE(codec::Decode(new_bytes + "x", &decoded));
}

}  // namespace
}  // namespace jim::store::testing
