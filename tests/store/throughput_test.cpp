// The create path under load: many threads creating profiles with their activity. What it asserts comes
// from the store's own counters, never from the clock: every create committed, and the writes were shared
// (fewer group writes than transactions, groups of more than one), which is what keeps a durable create
// from costing one fsync each. The rate is printed for a human, not asserted: speed targets live in
// bench/ (docs/performance.md), where a busy machine cannot fail a test tier.
#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;

void CreateUnderLoad(bool sync, int threads, int per_thread) {
  TempDir tmp;
  StoreOptions options = Options(tmp.path());
  options.sync = sync;
  auto catalog = MustOpen(options);
  ASSERT_TRUE(catalog);
  core::Id cs = CreateSystem(*catalog, "HR");
  const StoreStats before = catalog->Stats();
  std::latch start(threads);
  std::vector<int> failures(threads, 0);
  std::vector<std::thread> workers;
  const auto began = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < per_thread; ++i)
        failures[t] += CreateProfile(*catalog, cs, "p", static_cast<uint64_t>(t) * 1'000'000 + i) == 0;
    });
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  const uint64_t creates = static_cast<uint64_t>(threads) * per_thread;
  const StoreStats after = catalog->Stats();
  const uint64_t groups = after.groups_written - before.groups_written;
  std::printf("sync=%d threads=%d: %.0f creates/s, %llu groups, largest group %llu\n", sync, threads,
              static_cast<double>(creates) / seconds, static_cast<unsigned long long>(groups),
              static_cast<unsigned long long>(after.max_group_size));

  for (int t = 0; t < threads; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
  EXPECT_EQ(catalog->CountRunProfiles(cs).value(), static_cast<int64_t>(creates));
  EXPECT_EQ(after.transactions - before.transactions, creates);
  EXPECT_EQ(after.write_failures, 0u);
  // Shared writes. A serialised write per create (the regression this guards) gives groups == creates
  // and a largest group of 1.
  EXPECT_LT(groups, creates);
  EXPECT_GT(after.max_group_size, 1u);
}

TEST(Throughput, ConcurrentCreatesShareGroupWritesRelaxed) { CreateUnderLoad(/*sync=*/false, 16, 2000); }
TEST(Throughput, ConcurrentCreatesShareGroupWritesDurable) { CreateUnderLoad(/*sync=*/true, 32, 100); }

}  // namespace
}  // namespace jim::store
