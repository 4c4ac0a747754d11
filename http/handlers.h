// Thin handlers: parse the request, call one core service, map the result, write the response.
#pragma once

#include "http/context.h"

namespace jim::http::handlers {

// System (handlers_system.cpp)
void Health(RequestContext& ctx);
void Live(RequestContext& ctx);
void Ready(RequestContext& ctx);
void Version(RequestContext& ctx);
void UserInfo(RequestContext& ctx);
void OpenApi(RequestContext& ctx);
void MetricsText(RequestContext& ctx);
void Roles(RequestContext& ctx);

// Connector definitions (handlers_connectors.cpp)
void ListConnectors(RequestContext& ctx);
void GetConnector(RequestContext& ctx);
void GetConnectorByName(RequestContext& ctx);
void CreateConnector(RequestContext& ctx);
void UpdateConnector(RequestContext& ctx);
void DeleteConnector(RequestContext& ctx);

// Connected systems and partitions (handlers_systems.cpp)
void ListSystems(RequestContext& ctx);
void GetSystem(RequestContext& ctx);
void CreateSystem(RequestContext& ctx);
void UpdateSystem(RequestContext& ctx);
void DeleteSystem(RequestContext& ctx);
void ListPartitions(RequestContext& ctx);
void CreatePartition(RequestContext& ctx);
void UpdatePartition(RequestContext& ctx);
void DeletePartition(RequestContext& ctx);
void ListSystemCapabilities(RequestContext& ctx);  // handlers_capabilities.cpp

// Run profiles (handlers_run_profiles.cpp)
void ListRunProfiles(RequestContext& ctx);
void GetRunProfile(RequestContext& ctx);
void CreateRunProfile(RequestContext& ctx);
void UpdateRunProfile(RequestContext& ctx);
void DeleteRunProfile(RequestContext& ctx);
// Run-profile sets (handlers_run_profile_sets.cpp)
void ApplyRunProfileSet(RequestContext& ctx);
void ExportRunProfileSet(RequestContext& ctx);  // GET .../run-profiles?format=set

// API keys and activities (handlers_security.cpp)
void ListApiKeys(RequestContext& ctx);
void GetApiKey(RequestContext& ctx);
void CreateApiKey(RequestContext& ctx);
void UpdateApiKey(RequestContext& ctx);
void DeleteApiKey(RequestContext& ctx);
void ListActivities(RequestContext& ctx);
void GetActivity(RequestContext& ctx);

// Configuration change history (handlers_config_history.cpp): one handler per view, per object kind.
Handler ChangeHistoryList(core::ConfigObjectType type);
Handler ChangeHistoryVersion(core::ConfigObjectType type);
Handler ChangeHistoryCompare(core::ConfigObjectType type);

// Helpers shared by the handler files (handlers_common.cpp).
// Sends the 400 for body-level parse errors; returns true when it did.
bool RejectBody(RequestContext& ctx, const core::FieldErrors& body_errors);
std::string BaseUrl(const RequestContext& ctx);  // scheme://host, for Location headers
std::optional<std::string> QueryParam(const RequestContext& ctx, const char* name);
core::ListQueryInput ListQueryFrom(const RequestContext& ctx);

}  // namespace jim::http::handlers
