// Which store a command opens: the embedded RocksDB in a data dir (default) or a PostgreSQL database
// shared by several nodes. Every command that reads or writes the store takes the same flags.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace jim::cmd {

struct StoreChoice {
  std::string store = "rocksdb";  // rocksdb | postgresql
  std::string data_dir = "./data";
  std::string database_url;  // libpq URI or key=value (JIM_DATABASE_URL)
  int pool_size = 8;         // PostgreSQL connections per node
  int lock_timeout_ms = 10'000;                 // store::PgOptions::lock_timeout
  int idle_in_transaction_timeout_ms = 10'000;  // store::PgOptions::idle_in_transaction_timeout
  bool postgresql() const { return store == "postgresql"; }
};

// --store, --data-dir, --database-url and --db-pool-size with their JIM_* variables. `data_dir_help` says
// what the data dir is for in this command.
void AddStoreOptions(CLI::App& cmd, StoreChoice& choice, const std::string& data_dir_help);

// A sentence when the choice cannot work ("" when it can): a database URL with --store postgresql, none
// without it, a pool of at least 2.
std::string ValidateStoreChoice(const StoreChoice& choice);

// What logs may show: the data dir, or the database URL with its password masked.
std::string DescribeStore(const StoreChoice& choice);

}  // namespace jim::cmd
