// The store side of the create path: API-key digest + lookup, the create transaction (durable and
// relaxed, one caller and many), and listing one system's profiles.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "bench_env.h"

namespace {

using namespace jim;
using bench::BenchEnv;

// One store per durability mode, shared by every benchmark (and thread) that uses it. Owned by
// bench::Stores() so main() closes them before RocksDB's own statics go away.
BenchEnv& Env(bool sync) {
  static BenchEnv* envs[2] = {nullptr, nullptr};
  static std::mutex mu;
  std::lock_guard lock(mu);
  BenchEnv*& env = envs[sync ? 1 : 0];
  if (!env) env = bench::Stores().emplace_back(std::make_unique<BenchEnv>(sync)).get();
  return *env;
}

void BM_Authenticate(benchmark::State& state) {
  BenchEnv& env = Env(false);
  static std::string plaintext = [&] {
    auto initial = env.keys().EnsureInitialKey();
    if (!initial.ok() || !*initial) throw std::runtime_error("no initial key");
    return **initial;
  }();
  for (auto _ : state) {
    auto auth = env.keys().Authenticate(plaintext, 0);
    if (!auth || auth->outcome != core::AuthOutcome::kOk) state.SkipWithError("authentication failed");
    benchmark::DoNotOptimize(auth);
  }
}
BENCHMARK(BM_Authenticate);

void BM_AuthenticateUnknownKey(benchmark::State& state) {
  BenchEnv& env = Env(false);
  const std::string unknown = "jim_ak_" + std::string(64, 'a');
  for (auto _ : state) {
    auto auth = env.keys().Authenticate(unknown, 0);
    benchmark::DoNotOptimize(auth);
  }
}
BENCHMARK(BM_AuthenticateUnknownKey);

// RunProfileService::Create end to end below the wire: rules, capability check, id, profile + index +
// audit activity in one group-committed batch. With threads > 1 the committer groups the callers.
void CreateLoop(benchmark::State& state, bool sync) {
  BenchEnv& env = Env(sync);
  static core::Id systems[2] = {0, 0};
  static std::mutex mu;
  core::Id cs;
  {
    std::lock_guard lock(mu);
    if (!systems[sync]) systems[sync] = env.CreateSystem(sync ? "bench-create-sync" : "bench-create-relaxed");
    cs = systems[sync];
  }
  const core::CreateRunProfileInput in = env.CreateInput();
  for (auto _ : state) {
    auto r = env.profiles().Create(env.actor(), cs, in);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_CreateSync(benchmark::State& state) { CreateLoop(state, true); }
void BM_CreateRelaxed(benchmark::State& state) { CreateLoop(state, false); }
BENCHMARK(BM_CreateSync)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();
BENCHMARK(BM_CreateRelaxed)->Threads(1)->Threads(8)->Threads(64)->UseRealTime();

// A run-profile create through the service into a system that already holds N profiles, in a store of its
// own (so the data dir's growth is this benchmark's alone). Each run is a fresh system filled with N
// profiles, then a fixed number of creates are timed (so the system holds N to N + 256 while timed, and
// the history's 1-in-32 checkpoints, which read the whole system, fall inside the timed creates as they
// would in production). `bytes/create`: growth of the data dir (WAL and tables, logical sizes) per create.
// The configuration history's cost shows as the difference between builds (docs/api.md, "Change history").
int64_t DirBytes(const std::string& dir) {
  int64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec))
    if (e.is_regular_file(ec)) total += static_cast<int64_t>(e.file_size(ec));
  return total;
}
void CreateIntoSystemOf(benchmark::State& state, bool sync) {
  static std::map<bool, BenchEnv*> envs;
  if (!envs[sync]) envs[sync] = bench::Stores().emplace_back(std::make_unique<BenchEnv>(sync)).get();
  BenchEnv& env = *envs[sync];
  static int runs = 0;
  const int64_t n = state.range(0);
  const core::Id cs = env.CreateSystem("bench-into-" + std::to_string(n) + "-" + std::to_string(++runs));
  env.Fill(cs, n);
  const core::CreateRunProfileInput in = env.CreateInput();
  const int64_t before = DirBytes(env.dir());
  for (auto _ : state) {
    auto r = env.profiles().Create(env.actor(), cs, in);
    if (!r) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["bytes/create"] =
      static_cast<double>(DirBytes(env.dir()) - before) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
  state.SetItemsProcessed(state.iterations());
}
void BM_CreateIntoSystemOfSync(benchmark::State& state) { CreateIntoSystemOf(state, true); }
void BM_CreateIntoSystemOfRelaxed(benchmark::State& state) { CreateIntoSystemOf(state, false); }
BENCHMARK(BM_CreateIntoSystemOfSync)->Arg(0)->Arg(1000)->Iterations(256)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_CreateIntoSystemOfRelaxed)->Arg(0)->Arg(1000)->Iterations(256)->Unit(benchmark::kMicrosecond)->UseRealTime();

// One system holding N profiles: the cost grows with N (it is that system's list).
void BM_ListSystemProfiles(benchmark::State& state) {
  BenchEnv& env = Env(false);
  const int64_t n = state.range(0);
  static std::map<int64_t, core::Id> systems;
  if (!systems.count(n)) {
    core::Id cs = env.CreateSystem("bench-list-" + std::to_string(n));
    env.Fill(cs, n);
    systems[n] = cs;
  }
  const core::Id cs = systems[n];
  for (auto _ : state) {
    auto r = env.profiles().List(cs);
    if (!r || static_cast<int64_t>(r->size()) != n) state.SkipWithError("wrong list");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ListSystemProfiles)->Arg(10)->Arg(1000)->Arg(100000)->Unit(benchmark::kMicrosecond);

// A system of 10 profiles in a store holding N profiles in all: should not depend on N.
void BM_ListTenAmongTotal(benchmark::State& state) {
  static BenchEnv& env = *bench::Stores().emplace_back(std::make_unique<BenchEnv>(false));
  static core::Id ten = 0, filler = 0;
  static int64_t stored = 0;
  if (!ten) {
    ten = env.CreateSystem("bench-ten");
    env.Fill(ten, 10);
    filler = env.CreateSystem("bench-filler");
    stored = 10;
  }
  const int64_t total = state.range(0);
  if (total > stored) {
    env.Fill(filler, total - stored);
    stored = total;
  }
  state.counters["stored"] = static_cast<double>(stored);
  for (auto _ : state) {
    auto r = env.profiles().List(ten);
    if (!r || r->size() != 10) state.SkipWithError("wrong list");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ListTenAmongTotal)->Arg(10)->Arg(1000)->Arg(100000);

}  // namespace
