// jim_bench_fill DATA_DIR COUNT [SYSTEM_NAME]: opens (creating) a jim-edge data dir and adds COUNT run
// profiles, each with its audit activity, to a new connected system, the way the API would write them
// (same store, same batches and counters), only in large transactions, then waits until RocksDB has
// compacted the load. Prints the system's id.
#include <chrono>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench_env.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: jim_bench_fill DATA_DIR COUNT [SYSTEM_NAME]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const long long count = std::atoll(argv[2]);
  const std::string name = argc > 3 ? argv[3] : "bench-fill-" + std::to_string(::getpid());
  try {
    auto start = std::chrono::steady_clock::now();
    jim::bench::BenchEnv env(/*sync=*/false, dir);  // Close() syncs the WAL
    jim::core::Id cs = env.CreateSystem(name);
    env.Fill(cs, count);
    std::fprintf(stderr, "jim_bench_fill: %lld profiles in %.1f s; waiting for RocksDB's compactions\n", count,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    // A prefilled store stands for one that has been serving for a while: measuring while RocksDB still
    // compacts the bulk load measures the load (1M profiles: 13.9k creates/s right after the fill against
    // 18.7k/s 30 s later, with an empty store at 19.6-20.1k/s).
    auto settle_start = std::chrono::steady_clock::now();
    bool settled = env.Settle(std::chrono::minutes(5));
    std::fprintf(stderr, "jim_bench_fill: %s after %.1f s\n",
                 settled ? "compactions done" : "WARNING: compactions still running (measuring anyway)",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - settle_start).count());
    std::printf("%lld\n", static_cast<long long>(cs));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jim_bench_fill: %s\n", e.what());
    return 1;
  }
  return 0;
}
