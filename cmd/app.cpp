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

std::unique_ptr<App> OpenApp(const store::StoreOptions& options, const FailureReport& report,
                             const FailureReport& warn) {
  if (auto warning = DataDirPermissionWarning(options.data_dir)) warn(*warning);
  auto opened = store::RocksCatalog::Open(options);
  if (!opened) {
    report(opened.error().message);
    return nullptr;
  }
  auto app = std::make_unique<App>(std::move(opened.value()));
  if (auto seeded = app->core.definitions.SeedBuiltIns(); !seeded) {
    report("cannot seed the built-in connector definitions: " + seeded.error().message);
    return nullptr;
  }
  return app;
}

}  // namespace jim::cmd
