// The core::Catalog implementations the contract suite runs against. A backend is a small struct that
// owns one catalog and can reopen it; a new backend (PostgreSQL, say) joins the suite by adding a struct
// here and its name to CatalogBackends, nothing else.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "store/pg_catalog.h"
#include "store/rocks_catalog.h"
#include "tests/store/store_test_util.h"
#include "tests/unit/memory_catalog.h"

namespace jim::contract {

// What every backend offers the suite:
//   static constexpr const char* kName;  // the suffix in the test names
//   core::Catalog& catalog();            // the catalog under test
//   void Reopen();                       // close and open the same store again (what a restart does)
//   static constexpr bool kReopenIsReal; // whether Reopen really loses the in-process state

// The unit tier's catalog. It lives in memory only, so "reopen" keeps the same object: the reopen
// checks of the suite are trivially true here and prove something on the persistent backends.
struct MemoryBackend {
  static constexpr const char* kName = "Memory";
  static constexpr bool kReopenIsReal = false;
  core::Catalog& catalog() { return catalog_; }
  void Reopen() {}

 private:
  jim::testing::MemoryCatalog catalog_;
};

// RocksDB in a temp dir of its own; Reopen closes the DB (flushing the memtable) and opens the dir again.
struct RocksBackend {
  static constexpr const char* kName = "RocksDB";
  static constexpr bool kReopenIsReal = true;
  RocksBackend() : catalog_(store::testing::MustOpen(dir_.path())) {
    if (!catalog_) throw std::runtime_error("cannot open a RocksDB store in " + dir_.path());
  }
  core::Catalog& catalog() { return *catalog_; }
  void Reopen() {
    catalog_.reset();
    catalog_ = store::testing::MustOpen(dir_.path());
    if (!catalog_) throw std::runtime_error("cannot reopen the RocksDB store in " + dir_.path());
  }

 private:
  store::testing::TempDir dir_;
  std::unique_ptr<store::RocksCatalog> catalog_;
};

// PostgreSQL on the throwaway cluster scripts/test.sh starts (JIM_TEST_DATABASE_URL): each test gets a
// fresh, empty schema of its own (dropped afterwards); Reopen closes the catalog (its pool) and opens a new
// one on the same schema, so nothing a test sees after it came from the process. Without the variable the
// tests skip, loudly.
struct PgBackend {
  static constexpr const char* kName = "PostgreSQL";
  static constexpr bool kReopenIsReal = true;
  static constexpr bool kListVersionIsGlobal = true;  // the catalog version (store/pg_read_cache.h)
  PgBackend() {
    const char* url = std::getenv("JIM_TEST_DATABASE_URL");
    if (!url || !*url) {
      skip_ = true;
      return;
    }
    static std::atomic<int> counter{0};
    options_.url = url;
    options_.schema = "contract_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    options_.application_name = options_.schema;  // tests that end sessions end only this catalog's
    Admin("DROP SCHEMA IF EXISTS " + options_.schema + " CASCADE; CREATE SCHEMA " + options_.schema);
    Open();
  }
  ~PgBackend() {
    if (skip_) return;
    catalog_.reset();
    try {
      Admin("DROP SCHEMA IF EXISTS " + options_.schema + " CASCADE");
    } catch (...) {
    }
  }
  // Checked by the fixture before every test: GTEST_SKIP cannot be called from a constructor.
  static std::string SkipReason() {
    const char* url = std::getenv("JIM_TEST_DATABASE_URL");
    if (url && *url) return "";
    return "JIM_TEST_DATABASE_URL is not set: the PostgreSQL backend is NOT tested (scripts/test.sh starts a "
           "throwaway cluster and sets it; or: eval \"$(bash scripts/pg_cluster.sh start)\")";
  }
  core::Catalog& catalog() { return *catalog_; }
  store::PgCatalog& pg() { return *catalog_; }
  void Reopen() {
    catalog_.reset();
    Open();
  }
  const store::PgOptions& options() const { return options_; }
  // Runs `sql` on a connection of its own, in the default schema.
  void Admin(const std::string& sql) {
    store::pg::Conn conn({"dbname"}, {options_.url});
    conn.ExecScript(sql);
  }

 private:
  void Open() {
    auto opened = store::PgCatalog::Open(options_);
    if (!opened.ok()) throw std::runtime_error("cannot open the PostgreSQL catalog: " + opened.error().message);
    catalog_ = std::move(opened).value();
  }
  bool skip_ = false;
  store::PgOptions options_;
  std::unique_ptr<store::PgCatalog> catalog_;
};

using CatalogBackends = ::testing::Types<MemoryBackend, RocksBackend, PgBackend>;

// Backends that can run here; those without a SkipReason always can.
template <class Backend>
std::string SkipReasonOf() {
  if constexpr (requires { Backend::SkipReason(); }) return Backend::SkipReason();
  else return "";
}

struct BackendName {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

}  // namespace jim::contract
