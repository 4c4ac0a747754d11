// Idempotency records live 24 h; without a sweep the idem/ prefix grew with every keyed create forever.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;

core::IdempotencyRecord Record(const std::string& key, core::Millis created) {
  core::IdempotencyRecord r;
  r.key = key;
  r.request_hash = "hash-" + key;
  r.status = 201;
  r.body = "{}";
  r.created = created;
  return r;
}

TEST(IdempotencySweep, DeletesOnlyExpiredRecordsAndSurvivesReopen) {
  TempDir tmp;
  constexpr core::Millis kNow = 1'800'000'000'000;
  {
    auto catalog = MustOpen(tmp.path());
    ASSERT_TRUE(catalog);
    ASSERT_TRUE(catalog
                    ->Transact([&](core::Transaction& tx) {
                      for (int i = 0; i < 30; ++i)
                        tx.Put(Record("old-" + std::to_string(i), kNow - core::kIdempotencyTtlMillis - i));
                      tx.Put(Record("edge", kNow - core::kIdempotencyTtlMillis));  // exactly 24 h: expired
                      tx.Put(Record("fresh", kNow - core::kIdempotencyTtlMillis + 1));
                      return core::OkStatus();
                    })
                    .ok());
    EXPECT_EQ(catalog->SweepExpiredIdempotency(kNow, 10), 10u);  // bounded per call
    EXPECT_EQ(catalog->SweepExpiredIdempotency(kNow), 21u);
    EXPECT_EQ(catalog->SweepExpiredIdempotency(kNow), 0u);
    EXPECT_TRUE(catalog->GetIdempotency("fresh").value());
    EXPECT_FALSE(catalog->GetIdempotency("edge").value());
    EXPECT_FALSE(catalog->GetIdempotency("old-0").value());
  }
  auto reopened = MustOpen(tmp.path());
  ASSERT_TRUE(reopened);
  EXPECT_TRUE(reopened->GetIdempotency("fresh").value());
  EXPECT_FALSE(reopened->GetIdempotency("old-29").value());
}

}  // namespace
}  // namespace jim::store
