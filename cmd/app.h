// Wiring shared by the subcommands: the store plus the core services over it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cmd/store_choice.h"
#include "core/service_set.h"
#include "http/context.h"
#include "http/logger.h"
#include "http/metered_catalog.h"
#include "store/pg_catalog.h"
#include "store/rocks_catalog.h"
#include "store/system_ports.h"

namespace jim::cmd {

// Everything above the wire, built from one open store. Owns the services; cmd/ is the only place
// that constructs them.
struct App {
  std::unique_ptr<core::Catalog> catalog;
  store::RocksCatalog* rocks = nullptr;  // the same catalog when it is the embedded store, else null
  store::SystemClock clock;
  store::OsEntropy entropy;
  http::MeteredCatalog metered{*catalog};  // what the services use, so /metrics counts store calls
  core::ServiceSet core{metered, clock, entropy};
  http::Services services = http::Services::Over(core, &metered.counters());

  explicit App(std::unique_ptr<store::RocksCatalog> c) : catalog(std::move(c)) {
    rocks = static_cast<store::RocksCatalog*>(catalog.get());
  }
  explicit App(std::unique_ptr<store::PgCatalog> c) : catalog(std::move(c)) {}
  // Finishes what the store has in flight (the embedded store syncs and closes; PostgreSQL has committed
  // every acknowledged write already).
  void Close() {
    if (rocks) rocks->Close();
  }
};

// How a command says why it cannot go on: one sentence, by default "jim-edge: <why>" on stderr.
using FailureReport = std::function<void(const std::string& why)>;
void PrintFailure(const std::string& why);
// The same sentence through `log`: with JSON logs an error line (so a log pipeline can parse every line
// the process wrote), flushed at once; with text logs PrintFailure.
void ReportFailure(http::Logger& log, const std::string& why);

// "jim-edge: warning: <what>" on stderr: how an offline command warns.
void PrintWarning(const std::string& what);

// What OpenApp needs beyond the choice: the embedded store's tuning (its data_dir is the choice's).
struct StoreTuning {
  bool sync = true;
  uint64_t min_free_bytes = 64ull << 20;
};

// Opens the chosen store for a subcommand (the PostgreSQL one applies its migrations); on failure reports
// one sentence and returns null. A data dir that exists and is open to other users gets one line through
// `warn` first (the process umask keeps what it creates private).
std::unique_ptr<App> OpenApp(const StoreChoice& choice, const StoreTuning& tuning = {},
                             const FailureReport& report = PrintFailure, const FailureReport& warn = PrintWarning);

}  // namespace jim::cmd
