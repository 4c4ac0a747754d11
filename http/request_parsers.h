// Bodies of the contract parsed into core's input structs. A body-level error (malformed JSON, not an
// object) is returned on its own; field errors travel in the input's parse_errors to the service, which
// reports them together with its own checks.
#pragma once

#include <string>

#include "core/api_key_service.h"
#include "core/connected_system_service.h"
#include "core/connector_definition_service.h"
#include "core/run_profile_service.h"
#include "core/run_profile_set_service.h"

namespace jim::http {

// Each returns the body-level errors (empty when the body was a JSON object).
core::FieldErrors ParseCreateRunProfile(std::string& body, core::CreateRunProfileInput& out);
core::FieldErrors ParseUpdateRunProfile(std::string& body, core::UpdateRunProfileInput& out);
// {"runProfiles":[<create request>, ...], "changeReason"?}: each item by the rules of a single create.
core::FieldErrors ParseRunProfileSet(std::string& body, core::RunProfileSetInput& out);
core::FieldErrors ParseCreateConnectedSystem(std::string& body, core::CreateConnectedSystemInput& out);
core::FieldErrors ParseUpdateConnectedSystem(std::string& body, core::UpdateConnectedSystemInput& out);
core::FieldErrors ParseCreatePartition(std::string& body, core::CreatePartitionInput& out);
core::FieldErrors ParseUpdatePartition(std::string& body, core::UpdatePartitionInput& out);
core::FieldErrors ParseConnectorDefinition(std::string& body, core::ConnectorDefinitionInput& out);
core::FieldErrors ParseCreateApiKey(std::string& body, core::CreateApiKeyInput& out);
core::FieldErrors ParseUpdateApiKey(std::string& body, core::UpdateApiKeyInput& out);

}  // namespace jim::http
