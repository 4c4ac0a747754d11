#include "cmd/app.h"

#include <iostream>

namespace jim::cmd {

std::unique_ptr<App> OpenApp(const store::StoreOptions& options) {
  auto opened = store::RocksCatalog::Open(options);
  if (!opened) {
    std::cerr << "jim-edge: " << opened.error().message << "\n";
    return nullptr;
  }
  auto app = std::make_unique<App>(std::move(opened.value()));
  if (auto seeded = app->definitions.SeedBuiltIns(); !seeded) {
    std::cerr << "jim-edge: cannot seed the built-in connector definitions: " << seeded.error().message << "\n";
    return nullptr;
  }
  return app;
}

}  // namespace jim::cmd
