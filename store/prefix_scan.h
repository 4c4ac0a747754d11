// A bounded RocksDB scan over everything under one key prefix (key_schema.h), optionally at a snapshot.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/db.h>

#include "core/catalog.h"
#include "store/key_schema.h"

namespace jim::store {

// The bounds live as long as the scan (ReadOptions keeps pointers to them).
class PrefixScan {
 public:
  PrefixScan(rocksdb::DB* db, std::string_view prefix, const rocksdb::Snapshot* snapshot = nullptr)
      : lower_(prefix), upper_(keys::PrefixUpperBound(prefix)), lower_slice_(lower_), upper_slice_(upper_) {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot;
    ro.iterate_lower_bound = &lower_slice_;
    if (!upper_.empty()) ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro));
  }
  rocksdb::Iterator* operator->() { return it_.get(); }
  void CheckStatus() const {
    if (!it_->status().ok()) throw core::StoreUnavailable("scan failed: " + it_->status().ToString());
  }

 private:
  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace jim::store
