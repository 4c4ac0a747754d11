// What a handler sees of one request: the parsed route, the caller, and the services to call.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

#include "core/service_set.h"
#include "http/logger.h"
#include "http/rendered_cache.h"
#include "http/router.h"

namespace jim::http {

class Metrics;
struct StoreCounters;

// The services and shared state the handlers work with; built by cmd/ and handed to the server.
struct Services {
  core::Catalog& catalog;
  core::Clock& clock;
  core::Entropy& entropy;
  core::ConnectorDefinitionService& definitions;
  core::ConnectedSystemService& systems;
  core::RunProfileService& profiles;
  core::ApiKeyService& keys;
  core::ActivityService& activities;
  const StoreCounters* store_counters = nullptr;  // from a MeteredCatalog, for /metrics
  core::RunProfileSetService* profile_sets = nullptr;  // run-profile sets (handlers_run_profile_sets.cpp)
  core::ConfigHistoryService* history = nullptr;        // change history (handlers_config_history.cpp)

  // The handlers' view of a service set: its context's catalog, clock and entropy, and its services.
  static Services Over(core::ServiceSet& set, const StoreCounters* store_counters = nullptr) {
    return {set.ctx.catalog, set.ctx.clock, set.ctx.entropy, set.definitions, set.systems,
            set.profiles,    set.keys,      set.activities,  store_counters, &set.profile_sets,
            &set.history};
  }
};

struct RequestContext {
  const httplib::Request& req;
  httplib::Response& res;
  Services& services;
  Logger& log;
  Metrics& metrics;
  const Route* route = nullptr;
  PathParams params;
  std::optional<core::ApiKey> key;  // the authenticated caller, when there is one
  core::Actor actor;
  std::string request_id;
  core::Millis now = 0;
  std::string version;
  bool metrics_enabled = true;
  RenderedCache* rendered = nullptr;  // rendered run profiles and lists (null: render every time)
  std::string base_url;  // scheme://host[:port] for Location, or empty for a relative Location

  // NOTE: the body buffer is ours for the duration of the handler; growing it in place for simdjson's
  // padding saves copying every request body.
  std::string& body() { return const_cast<std::string&>(req.body); }
  int64_t id(int i) const { return params.ids[static_cast<size_t>(i)]; }
};

}  // namespace jim::http
