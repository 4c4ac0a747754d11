// The route table of the contract: one row per route, with the role it requires.
#include "http/api_server.h"
#include "http/handlers.h"

namespace jim::http {

void RegisterRoutes(Router& r) {
  namespace h = handlers;
  const std::string cd = "/api/v1/synchronisation/connector-definitions";
  const std::string cs = "/api/v1/synchronisation/connected-systems";
  const std::string rp = cs + "/{int}/run-profiles";
  const std::string pt = cs + "/{int}/partitions";
  using enum Role;

  r.Add({"GET", "/api/v1/health", kAnonymous, h::Health});
  r.Add({"GET", "/api/v1/health/live", kAnonymous, h::Live});
  r.Add({"GET", "/api/v1/health/ready", kAnonymous, h::Ready});
  r.Add({"GET", "/api/v1/health/version", kAnonymous, h::Version});
  r.Add({"GET", "/api/openapi/v1.json", kAnonymous, h::OpenApi});
  r.Add({"GET", "/metrics", kAnonymous, h::MetricsText});
  r.Add({"GET", "/api/v1/userinfo", kAuthenticated, h::UserInfo});
  r.Add({"GET", "/api/v1/security/roles", kAdministrator, h::Roles});

  r.Add({"GET", cd, kAdministrator, h::ListConnectors});
  r.Add({"POST", cd, kAdministrator, h::CreateConnector});
  r.Add({"GET", cd + "/by-name/{str}", kAdministrator, h::GetConnectorByName});
  r.Add({"GET", cd + "/{int}", kAdministrator, h::GetConnector});
  r.Add({"PUT", cd + "/{int}", kAdministrator, h::UpdateConnector});
  r.Add({"DELETE", cd + "/{int}", kAdministrator, h::DeleteConnector});

  r.Add({"GET", cs, kAdministrator, h::ListSystems});
  r.Add({"POST", cs, kAdministrator, h::CreateSystem});
  r.Add({"GET", cs + "/{int}", kAdministrator, h::GetSystem});
  r.Add({"PUT", cs + "/{int}", kAdministrator, h::UpdateSystem});
  r.Add({"DELETE", cs + "/{int}", kAdministrator, h::DeleteSystem});
  r.Add({"GET", cs + "/{int}/capabilities", kAdministrator, h::ListSystemCapabilities});

  r.Add({"GET", pt, kAdministrator, h::ListPartitions});
  r.Add({"POST", pt, kAdministrator, h::CreatePartition});
  r.Add({"PUT", pt + "/{int}", kAdministrator, h::UpdatePartition});
  r.Add({"DELETE", pt + "/{int}", kAdministrator, h::DeletePartition});

  r.Add({"GET", rp, kAdministrator, h::ListRunProfiles});
  r.Add({"POST", rp, kAdministrator, h::CreateRunProfile});
  r.Add({"PUT", rp, kAdministrator, h::ApplyRunProfileSet});
  r.Add({"GET", rp + "/{int}", kAdministrator, h::GetRunProfile});
  r.Add({"PUT", rp + "/{int}", kAdministrator, h::UpdateRunProfile});
  r.Add({"DELETE", rp + "/{int}", kAdministrator, h::DeleteRunProfile});

  r.Add({"GET", "/api/v1/apikeys", kAdministrator, h::ListApiKeys});
  r.Add({"POST", "/api/v1/apikeys", kAdministrator, h::CreateApiKey});
  r.Add({"GET", "/api/v1/apikeys/{uuid}", kAdministrator, h::GetApiKey});
  r.Add({"PUT", "/api/v1/apikeys/{uuid}", kAdministrator, h::UpdateApiKey});
  r.Add({"DELETE", "/api/v1/apikeys/{uuid}", kAdministrator, h::DeleteApiKey});

  // JIM's configuration change history: "compare" is a literal, so its row comes before "{version}".
  using core::ConfigObjectType;
  const std::pair<std::string, ConfigObjectType> histories[] = {
      {cs + "/{int}", ConfigObjectType::kConnectedSystem},
      {cd + "/{int}", ConfigObjectType::kConnectorDefinition},
      {"/api/v1/apikeys/{uuid}", ConfigObjectType::kApiKey}};
  for (const auto& [base, type] : histories) {
    r.Add({"GET", base + "/change-history", kAdministrator, h::ChangeHistoryList(type)});
    r.Add({"GET", base + "/change-history/compare", kAdministrator, h::ChangeHistoryCompare(type)});
    r.Add({"GET", base + "/change-history/{str}", kAdministrator, h::ChangeHistoryVersion(type)});
  }

  r.Add({"GET", "/api/v1/activities", kAdministrator, h::ListActivities});
  r.Add({"GET", "/api/v1/activities/{uuid}", kAdministrator, h::GetActivity});
}

}  // namespace jim::http
