// Moving up: copies a stopped embedded store (a RocksDB data dir) into an empty PostgreSQL database, for
// `jim-edge copy` (issue 17). Rows keep their ids and their versioned value bytes (both backends store an
// entity as its store/codec.h encoding), api keys their digests, activities their order, idempotency records
// their replies, and every id sequence continues after the highest id the embedded store ever handed out.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace jim::store {

struct CopyOptions {
  std::string data_dir;      // the embedded store; its server must be stopped (the dir's lock is taken)
  std::string database_url;  // libpq URI or key=value string; shown only with its password masked
  std::string schema;        // test hook, as PgOptions::schema: empty = the server's default search_path
};

// Called every kProgressEvery rows of a kind and once when the kind is done: what (e.g. "run profiles"),
// rows copied of it so far.
using CopyProgress = std::function<void(std::string_view what, uint64_t rows, bool done)>;
inline constexpr uint64_t kProgressEvery = 10'000;

struct CopyReport {
  std::vector<std::pair<std::string, uint64_t>> rows;  // per kind, in copy order
};

// Applies the PostgreSQL migrations, then copies everything in ONE transaction (all or nothing). Refuses,
// with one sentence and nothing written, a database that already holds any row of a kind it copies, a data
// dir in use by a server, of another schema version, or holding a kind of record this binary cannot copy.
core::Result<CopyReport> CopyRocksToPostgres(const CopyOptions& options, const CopyProgress& progress);

}  // namespace jim::store
