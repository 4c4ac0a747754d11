// The core::Catalog implementations the contract suite runs against. A backend is a small struct that
// owns one catalog and can reopen it; a new backend (PostgreSQL, say) joins the suite by adding a struct
// here and its name to CatalogBackends, nothing else.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

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

using CatalogBackends = ::testing::Types<MemoryBackend, RocksBackend>;

struct BackendName {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

}  // namespace jim::contract
