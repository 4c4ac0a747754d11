// The core services over one catalog, clock and entropy source. Every composition root (cmd/app.h, the
// http tests' server, the benches) builds this one set instead of wiring the services by hand, so a new
// service is added in one place.
#pragma once

#include "core/activity_service.h"
#include "core/api_key_service.h"
#include "core/config_history.h"
#include "core/connected_system_service.h"
#include "core/connector_definition_service.h"
#include "core/run_profile_service.h"
#include "core/run_profile_set_service.h"
#include "core/service_context.h"

namespace jim::core {

struct ServiceSet {
  ServiceSet(Catalog& catalog, Clock& clock, Entropy& entropy) : ctx{catalog, clock, entropy} {}
  // The services keep a reference to ctx: the set stays where it was built.
  ServiceSet(const ServiceSet&) = delete;
  ServiceSet& operator=(const ServiceSet&) = delete;

  ServiceContext ctx;
  ConnectorDefinitionService definitions{ctx};
  ConnectedSystemService systems{ctx};
  RunProfileService profiles{ctx};
  RunProfileSetService profile_sets{ctx};
  ApiKeyService keys{ctx};
  ActivityService activities{ctx};
  ConfigHistoryService history{ctx};
};

}  // namespace jim::core
