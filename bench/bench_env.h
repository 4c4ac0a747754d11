// Shared by the micro benches and jim_bench_fill: a store in a temp (or given) dir with the core service
// set over it (as in cmd/app.h), plus a bulk filler that writes run profiles (and their audit
// activities) straight through the store in large transactions.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/service_set.h"
#include "store/rocks_catalog.h"
#include "store/system_ports.h"

namespace jim::bench {

inline std::string MakeTempDir(const char* tag) {
  std::string tmpl = std::string("/tmp/jim-bench-") + tag + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

class BenchEnv {
 public:
  // An empty `dir` makes (and later removes) a temp dir.
  explicit BenchEnv(bool sync, std::string dir = {}) : owned_(dir.empty()) {
    dir_ = owned_ ? MakeTempDir(sync ? "sync" : "relaxed") : std::move(dir);
    store::StoreOptions o;
    o.data_dir = dir_;
    o.sync = sync;
    o.min_free_bytes = 0;
    auto opened = store::RocksCatalog::Open(o);
    if (!opened) throw std::runtime_error("cannot open the bench store: " + opened.error().message);
    catalog_ = std::move(opened.value());
    core_ = std::make_unique<core::ServiceSet>(*catalog_, clock_, entropy_);
    if (auto st = core_->definitions.SeedBuiltIns(); !st) throw std::runtime_error("seed failed");
  }
  ~BenchEnv() {
    catalog_->Close();
    if (owned_) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }
  BenchEnv(const BenchEnv&) = delete;
  BenchEnv& operator=(const BenchEnv&) = delete;

  core::Id CreateSystem(const std::string& name) {
    core::CreateConnectedSystemInput in;
    in.name = name;
    in.connector_definition_id = 1;  // the built-in LDAP connector: supports full and delta import
    auto r = core_->systems.Create(actor_, in);
    if (!r) throw std::runtime_error("cannot create a connected system: " + r.error().message);
    return r->system.id;
  }

  // `count` profiles in `cs`, with one audit activity each, `per_batch` per transaction.
  void Fill(core::Id cs, int64_t count, int64_t per_batch = 5000) {
    auto read = catalog_->GetConnectedSystem(cs);
    if (!read.ok() || !*read) throw std::runtime_error("no such system");
    const auto& system = *read;
    const core::Millis now = clock_.NowMillis();
    for (int64_t done = 0; done < count;) {
      const int64_t n = std::min(per_batch, count - done);
      core::Status st = catalog_->Transact([&](core::Transaction& tx) -> core::Status {
        for (int64_t i = 0; i < n; ++i) {
          core::RunProfile p;
          p.id = tx.AllocateId(core::IdKind::kRunProfile);
          p.connected_system_id = cs;
          p.name = "Full import " + std::to_string(done + i);
          p.run_type = core::RunType::kFullImport;
          p.page_size = 500;
          p.created = p.last_updated = now;
          tx.Put(p);
          tx.Record(core::MakeActivity(core_->ctx, actor_, core::TargetType::kConnectedSystemRunProfile,
                                       core::OperationType::kCreate, p.name, system->name, cs, p.id));
        }
        return core::OkStatus();
      });
      if (!st) throw std::runtime_error("fill failed: " + st.error().message);
      done += n;
    }
  }

  // See RocksCatalog::WaitForCompactions. The history checkpoints the load asked for are built first, so the
  // store is left as one that has been serving would be (and they are compacted with the rest).
  bool Settle(std::chrono::milliseconds timeout) {
    catalog_->WaitForHistoryCheckpoints();
    return catalog_->WaitForCompactions(timeout);
  }

  core::CreateRunProfileInput CreateInput() const {
    core::CreateRunProfileInput in;
    in.name = "Full import";
    in.run_type = core::RunType::kFullImport;
    in.page_size = 500;
    return in;
  }

  store::RocksCatalog& catalog() { return *catalog_; }
  core::RunProfileService& profiles() { return core_->profiles; }
  core::ApiKeyService& keys() { return core_->keys; }
  const core::Actor& actor() const { return actor_; }
  const std::string& dir() const { return dir_; }

 private:
  bool owned_;
  std::string dir_;
  std::unique_ptr<store::RocksCatalog> catalog_;
  store::SystemClock clock_;
  store::OsEntropy entropy_;
  std::unique_ptr<core::ServiceSet> core_;
  core::Actor actor_{"ApiKey", "00000000-0000-0000-0000-00000000bench", "bench"};
};

// Stores shared by several benchmarks live here; micro_main.cpp closes them before exit.
inline std::vector<std::unique_ptr<BenchEnv>>& Stores() {
  static std::vector<std::unique_ptr<BenchEnv>> stores;
  return stores;
}

}  // namespace jim::bench
