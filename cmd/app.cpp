#include "cmd/app.h"

#include <iostream>

#include "cmd/private_data_dir.h"

namespace jim::cmd {

void PrintFailure(const std::string& why) { std::cerr << "jim-edge: " << why << "\n"; }

void ReportFailure(http::Logger& log, const std::string& why) {
  if (log.format() != http::LogFormat::kJson) return PrintFailure(why);
  log.Error(why);
  log.Flush();
}

void PrintWarning(const std::string& what) { std::cerr << "jim-edge: warning: " << what << "\n"; }

namespace {

std::unique_ptr<App> OpenStore(const StoreChoice& choice, const StoreTuning& tuning, const FailureReport& report,
                               const FailureReport& warn) {
  if (std::string problem = ValidateStoreChoice(choice); !problem.empty()) {
    report(problem);
    return nullptr;
  }
  if (choice.postgresql()) {
    store::PgOptions options;
    options.url = choice.database_url;
    options.pool_size = choice.pool_size;
    options.lock_timeout = std::chrono::milliseconds(choice.lock_timeout_ms);
    options.idle_in_transaction_timeout = std::chrono::milliseconds(choice.idle_in_transaction_timeout_ms);
    auto opened = store::PgCatalog::Open(options);
    if (!opened) {
      report(opened.error().message);
      return nullptr;
    }
    return std::make_unique<App>(std::move(opened.value()));
  }
  if (auto warning = DataDirPermissionWarning(choice.data_dir)) warn(*warning);
  store::StoreOptions options;
  options.data_dir = choice.data_dir;
  options.sync = tuning.sync;
  options.min_free_bytes = tuning.min_free_bytes;
  auto opened = store::RocksCatalog::Open(options);
  if (!opened) {
    report(opened.error().message);
    return nullptr;
  }
  return std::make_unique<App>(std::move(opened.value()));
}

}  // namespace

std::unique_ptr<App> OpenApp(const StoreChoice& choice, const StoreTuning& tuning, const FailureReport& report,
                             const FailureReport& warn) {
  auto app = OpenStore(choice, tuning, report, warn);
  if (!app) return nullptr;
  if (auto seeded = app->core.definitions.SeedBuiltIns(); !seeded) {
    report("cannot seed the built-in connector definitions: " + seeded.error().message);
    return nullptr;
  }
  return app;
}

}  // namespace jim::cmd
