#include "cmd/store_choice.h"

#include <CLI/CLI.hpp>

#include "store/pg_conn.h"

namespace jim::cmd {

void AddStoreOptions(CLI::App& cmd, StoreChoice& choice, const std::string& data_dir_help) {
  cmd.add_option("--store", choice.store, "rocksdb (embedded, in --data-dir) or postgresql (--database-url)")
      ->envname("JIM_STORE")
      ->check(CLI::IsMember({"rocksdb", "postgresql"}))
      ->capture_default_str();
  cmd.add_option("--data-dir", choice.data_dir, data_dir_help)->envname("JIM_DATA_DIR")->capture_default_str();
  cmd.add_option("--database-url", choice.database_url,
                 "PostgreSQL database for --store postgresql: a libpq URI (postgresql://user@host:5432/db) or "
                 "key=value string; its password is never logged")
      ->envname("JIM_DATABASE_URL");
  cmd.add_option("--db-pool-size", choice.pool_size, "PostgreSQL connections per node (one writes at a time)")
      ->envname("JIM_DB_POOL_SIZE")
      ->check(CLI::Range(2, 1000))
      ->capture_default_str();
  auto millis = [&](const std::string& name, int& value, const std::string& env, const std::string& help) {
    cmd.add_option(name, value, help)->envname(env)->check(CLI::Range(100, 3'600'000))->capture_default_str();
  };
  millis("--db-lock-timeout-ms", choice.lock_timeout_ms, "JIM_DB_LOCK_TIMEOUT_MS",
         "PostgreSQL: a write waits at most this long for the write lock, then answers 503 (a stuck holder cannot "
         "hold writers forever); keep it above the longest write");
  millis("--db-idle-in-transaction-timeout-ms", choice.idle_in_transaction_timeout_ms,
         "JIM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
         "PostgreSQL ends a session of this node idle inside a transaction this long (a frozen node releases the "
         "write lock)");
}

std::string ValidateStoreChoice(const StoreChoice& choice) {
  if (choice.postgresql()) {
    if (choice.database_url.empty()) return "--store postgresql needs --database-url (or JIM_DATABASE_URL).";
    if (choice.pool_size < 2) return "--db-pool-size must be at least 2.";
    return "";
  }
  if (choice.data_dir.empty()) return "--data-dir must not be empty.";
  return "";
}

std::string DescribeStore(const StoreChoice& choice) {
  return choice.postgresql() ? "postgresql " + store::pg::MaskPassword(choice.database_url)
                             : "rocksdb " + choice.data_dir;
}

}  // namespace jim::cmd
