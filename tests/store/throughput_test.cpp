// A smoke check of the create path's group commit: many threads creating profiles with their
// activity. Prints the rate; asserts only a floor far below what the design aims for, so it does not
// flake on a busy CI machine but still catches a serialised-fsync-per-request regression.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "store_test_util.h"

namespace jim::store {
namespace {

using namespace jim::store::testing;

double CreatesPerSecond(bool sync, int threads, int per_thread) {
  TempDir tmp;
  StoreOptions options = Options(tmp.path());
  options.sync = sync;
  auto catalog = MustOpen(options);
  core::Id cs = CreateSystem(*catalog, "HR");
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) CreateProfile(*catalog, cs, "p", static_cast<uint64_t>(t) * 1'000'000 + i);
    });
  for (auto& w : workers) w.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(catalog->CountRunProfiles(cs), threads * per_thread);
  auto stats = catalog->Stats();
  std::printf("sync=%d threads=%d: %.0f creates/s, %llu groups, largest group %llu\n", sync, threads,
              threads * per_thread / seconds, static_cast<unsigned long long>(stats.groups_written),
              static_cast<unsigned long long>(stats.max_group_size));
  return threads * per_thread / seconds;
}

TEST(Throughput, GroupCommitSharesTheWrite) {
  EXPECT_GT(CreatesPerSecond(/*sync=*/false, 16, 2000), 5000.0);
  EXPECT_GT(CreatesPerSecond(/*sync=*/true, 32, 100), 200.0);
}

}  // namespace
}  // namespace jim::store
