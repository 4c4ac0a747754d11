// main of jim_micro_bench: Google Benchmark's, plus closing the shared stores before static destruction.
#include <benchmark/benchmark.h>

#include "bench_env.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  jim::bench::Stores().clear();
  return 0;
}
