// How jim-edge configures RocksDB: every option that differs from RocksDB's defaults, with the
// measurement that chose it (docs/performance.md has the runs).
#pragma once

#include <string>

#include <rocksdb/env.h>
#include <rocksdb/options.h>

namespace jim::store {

// The options of the one DB of a data dir. `env` null = the default Env with flushes in the compaction
// pool (tests pass a faulty one, which keeps RocksDB's own pools).
rocksdb::Options MakeDbOptions(const std::string& data_dir, rocksdb::Env* env);

// Switches RocksDB's per-thread perf and I/O statistics off on the calling thread (once per thread).
void SkipRocksStatistics();

}  // namespace jim::store
